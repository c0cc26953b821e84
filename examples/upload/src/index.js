// File uploads with FormData: GET / serves a form, POST /upload reads the
// multipart body with request.formData() and answers JSON describing the
// fields and files. Run it with `ferry dev examples/upload`, open
// http://127.0.0.1:8787/, or:
//
//   curl -F title=Holiday -F photo=@picture.jpg http://127.0.0.1:8787/upload

const page = `<!doctype html>
<meta charset="utf-8">
<title>Upload</title>
<h1>Upload a file</h1>
<form method="post" action="/upload" enctype="multipart/form-data">
  <p><label>Title <input name="title"></label></p>
  <p><label>File <input type="file" name="file" multiple></label></p>
  <p><button>Upload</button></p>
</form>
`;

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === "/" && request.method === "GET") {
      return new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } });
    }
    if (pathname === "/upload") {
      if (request.method !== "POST") {
        return Response.json({ error: "use POST" }, { status: 405, headers: { allow: "POST" } });
      }
      let form;
      try {
        form = await request.formData();
      } catch (e) {
        // A body that is not a form (or a malformed one) is the client's fault.
        return Response.json({ error: e.message }, { status: 400 });
      }
      return Response.json(await describe(form));
    }
    return Response.json({ error: "not found" }, { status: 404 });
  },
};

// describe lists the string fields (repeated names become arrays) and, for
// each file, its name, type, size, the hex of its first bytes, and its SHA-256
// when the runtime has crypto.subtle.
async function describe(form) {
  const fields = {};
  const files = [];
  for (const [name, value] of form) {
    if (value instanceof File) {
      files.push(await describeFile(name, value));
    } else if (name in fields) {
      fields[name] = [].concat(fields[name], value);
    } else {
      fields[name] = value;
    }
  }
  return { fields, files };
}

async function describeFile(field, file) {
  const info = {
    field,
    name: file.name,
    type: file.type,
    size: file.size,
    firstBytes: hex(await file.slice(0, 16).bytes()),
  };
  if (globalThis.crypto?.subtle?.digest) {
    info.sha256 = hex(new Uint8Array(await crypto.subtle.digest("SHA-256", await file.arrayBuffer())));
  }
  return info;
}

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
