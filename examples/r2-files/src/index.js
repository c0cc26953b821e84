// A file store on R2.
//
//   PUT    /files/KEY          upload the request body (Content-Type kept;
//                              If-Match / If-None-Match make it conditional)
//   GET    /files/KEY          download, with Range (206) and conditional
//                              requests (304 / 412) answered by R2 itself
//   HEAD   /files/KEY          the headers alone
//   DELETE /files/KEY          remove
//   GET    /files?prefix=P&delimiter=/&cursor=C   list, one page
//
// Large files go up in parts (each at least 5 MiB but the last):
//
//   POST   /uploads?key=KEY                       start: {key, uploadId}
//   PUT    /uploads/ID/parts/N?key=KEY            one part: {partNumber, etag}
//   POST   /uploads/ID/complete?key=KEY           body {parts: [...]}: the object
//   DELETE /uploads/ID?key=KEY                    abort
//
// Bodies stream: an upload goes from the socket to the bucket, a download
// from the bucket to the socket, whatever the size.

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    try {
      if (url.pathname === "/files" || url.pathname === "/files/") return await list(env.FILES, url);
      if (url.pathname.startsWith("/files/")) {
        return await file(request, env.FILES, decodeURIComponent(url.pathname.slice("/files/".length)));
      }
      if (url.pathname === "/uploads" || url.pathname.startsWith("/uploads/")) {
        return await multipart(request, env.FILES, url);
      }
      return new Response("Not found\n", { status: 404 });
    } catch (e) {
      // R2 errors end with their code: "completeMultipartUpload: ... (10011)".
      const status = /\(\d+\)$/.test(e.message) ? 400 : 500;
      return Response.json({ error: e.message }, { status });
    }
  },
};

async function file(request, bucket, key) {
  switch (request.method) {
    case "PUT": {
      const object = await bucket.put(key, request.body, {
        httpMetadata: request.headers,
        onlyIf: request.headers,
      });
      if (object === null) return new Response("Precondition failed\n", { status: 412 });
      return Response.json(describe(object), { status: 201, headers: { etag: object.httpEtag } });
    }
    case "GET":
    case "HEAD": {
      const object = request.method === "HEAD"
        ? await bucket.head(key)
        : await bucket.get(key, { range: request.headers, onlyIf: request.headers });
      if (object === null) return new Response("Not found\n", { status: 404 });
      const headers = new Headers({ etag: object.httpEtag, "accept-ranges": "bytes" });
      object.writeHttpMetadata(headers);
      headers.set("last-modified", object.uploaded.toUTCString());
      if (request.method === "HEAD") {
        headers.set("content-length", String(object.size));
        return new Response(null, { headers });
      }
      if (!("body" in object)) {
        // A condition failed: If-None-Match / If-Modified-Since mean "not
        // modified", the others "precondition failed".
        const notModified = request.headers.has("if-none-match") || request.headers.has("if-modified-since");
        return new Response(null, { status: notModified ? 304 : 412, headers });
      }
      const { offset, length } = object.range;
      headers.set("content-length", String(length));
      if (request.headers.has("range") && length < object.size) {
        headers.set("content-range", `bytes ${offset}-${offset + length - 1}/${object.size}`);
        return new Response(object.body, { status: 206, headers });
      }
      return new Response(object.body, { headers });
    }
    case "DELETE":
      await bucket.delete(key);
      return new Response(null, { status: 204 });
    default:
      return new Response("Method not allowed\n", { status: 405, headers: { allow: "GET, HEAD, PUT, DELETE" } });
  }
}

async function list(bucket, url) {
  const page = await bucket.list({
    prefix: url.searchParams.get("prefix") ?? undefined,
    delimiter: url.searchParams.get("delimiter") ?? undefined,
    cursor: url.searchParams.get("cursor") ?? undefined,
    limit: Number(url.searchParams.get("limit") ?? 1000),
    include: ["httpMetadata"],
  });
  return Response.json({
    objects: page.objects.map(describe),
    delimitedPrefixes: page.delimitedPrefixes,
    truncated: page.truncated,
    cursor: page.truncated ? page.cursor : null,
  });
}

async function multipart(request, bucket, url) {
  const key = url.searchParams.get("key");
  if (!key) return new Response("?key= is required\n", { status: 400 });
  const [, , uploadId, action, part] = url.pathname.split("/");
  if (request.method === "POST" && !uploadId) {
    const upload = await bucket.createMultipartUpload(key, { httpMetadata: request.headers });
    return Response.json({ key: upload.key, uploadId: upload.uploadId }, { status: 201 });
  }
  const upload = bucket.resumeMultipartUpload(key, uploadId);
  if (request.method === "PUT" && action === "parts") {
    if (request.body === null) return new Response("A part needs a body\n", { status: 400 });
    return Response.json(await upload.uploadPart(Number(part), request.body));
  }
  if (request.method === "POST" && action === "complete") {
    const { parts } = await request.json();
    const object = await upload.complete(parts);
    return Response.json(describe(object), { headers: { etag: object.httpEtag } });
  }
  if (request.method === "DELETE" && !action) {
    await upload.abort();
    return new Response(null, { status: 204 });
  }
  return new Response("Not found\n", { status: 404 });
}

function describe(object) {
  return {
    key: object.key,
    size: object.size,
    etag: object.etag,
    uploaded: object.uploaded.toISOString(),
    contentType: object.httpMetadata?.contentType ?? null,
  };
}
