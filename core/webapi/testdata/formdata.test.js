// FormData (https://xhr.spec.whatwg.org/#interface-formdata) and its use as a
// fetch body: serialising, parsing, and blob()/formData() on Request and Response.

const fd = (...pairs) => {
  const f = new FormData();
  for (const p of pairs) f.append(...p);
  return f;
};

test("FormData: constructor", () => {
  assertEquals([FormData.length, FormData.name, String(new FormData())], [0, "FormData", "[object FormData]"]);
  assertThrows(() => FormData(), TypeError);
  assertThrows(() => new FormData(null), TypeError, "HTMLFormElement");
  assertThrows(() => new FormData("string"), TypeError);
  assertEquals([...new FormData(undefined)], []);
  class Sub extends FormData { extra() { return this.get("a"); } }
  const s = new Sub();
  s.append("a", "1");
  assertEquals(s.extra(), "1");
});

test("FormData: append, get, getAll, has, delete", () => {
  assertEquals(fd(["key", "value1"]).get("key"), "value1");
  assertEquals(fd(["key", "value2"], ["key", "value1"]).get("key"), "value2");
  assertEquals(fd(["key", undefined]).get("key"), "undefined");
  assertEquals(fd(["key", null]).get("key"), "null");
  assertEquals(fd(["key", 12]).get("key"), "12");
  assertEquals(fd(["k\uD800", "v\uDC00"]).get("k\uFFFD"), "v\uFFFD", "names and values are USVStrings");
  assertEquals(fd(["key", "value1"], ["key", "value2"]).getAll("key"), ["value1", "value2"]);
  assertEquals(fd().getAll("key"), []);
  assertEquals(fd().get("key"), null);
  assertEquals([fd(["key", "v"]).has("key"), fd(["key", "v"]).has("nil"), fd().has("key")], [true, false, false]);
  const f = fd(["key1", "value1"], ["key2", "value2"], ["key1", "value3"]);
  f.delete("key1");
  f.delete("nil");
  assertEquals([f.get("key1"), f.get("key2"), [...f.keys()]], [null, "value2", ["key2"]]);
  assertThrows(() => new FormData().append("a"), TypeError, "2 arguments required, but only 1 present");
  assertThrows(() => new FormData().get(), TypeError, "1 argument required");
  assertThrows(() => FormData.prototype.get.call({}, "a"), TypeError, "Illegal invocation");
  assertThrows(() => new FormData().append("a", "not a blob", "name"), TypeError, "not of type 'Blob'");
  assertThrows(() => new FormData().append(Symbol(), "x"), TypeError);
});

test("FormData: set replaces the first and drops the rest", () => {
  const f = fd(["a", "1"], ["b", "2"], ["a", "3"], ["c", "4"]);
  f.set("a", "5");
  assertEquals([...f], [["a", "5"], ["b", "2"], ["c", "4"]]);
  f.set("d", "6");
  assertEquals([...f.keys()], ["a", "b", "c", "d"]);
  const s = new FormData();
  s.set("key", undefined);
  s.set("key", "value1");
  assertEquals(s.getAll("key"), ["value1"]);
});

test("FormData: Blob and File entries", () => {
  const before = Date.now();
  const f = new FormData();
  const blob = new Blob(["abc"], { type: "text/plain" });
  f.append("blob", blob);
  const entry = f.get("blob");
  assert(entry instanceof File && entry !== blob, "a Blob becomes a new File");
  assertEquals([entry.name, entry.type, entry.size], ["blob", "text/plain", 3]);
  assert(entry.lastModified >= before && entry.lastModified <= Date.now());
  assert(f.get("blob") === f.get("blob"), "get returns the same object each time");
  f.append("named", new Blob(), "blank.txt");
  assertEquals([f.get("named").name, f.get("named").size], ["blank.txt", 0]);
  const file = new File(["hello"], "hello.txt", { lastModified: 123 });
  f.append("file", file);
  assert(f.get("file") === file, "a File without a new name is kept as is");
  f.set("renamed", file, "custom name");
  const renamed = f.get("renamed");
  assert(renamed !== file);
  assertEquals([renamed.name, renamed.lastModified, renamed.size], ["custom name", 123, 5]);
  f.append("undef", blob, undefined);
  assertEquals(f.get("undef").name, "blob", "an undefined filename is not given");
});

test("FormData: iteration is live and ordered", () => {
  const f = fd(["n1", "v1"], ["n2", "v2"], ["n3", "v3"], ["n1", "v4"], ["n2", "v5"], ["n3", "v6"]);
  f.delete("n2");
  const file = new File(["hello"], "hello.txt");
  f.append("f1", file);
  const entries = [...f];
  assertEquals(entries.map((e) => e[0]), ["n1", "n3", "n1", "n3", "f1"]);
  assert(entries[4][1] === file);
  assertEquals([...f.entries()].length, 5);
  assertEquals([...f.values()].slice(0, 4), ["v1", "v3", "v4", "v6"]);
  assert(FormData.prototype[Symbol.iterator] === FormData.prototype.entries);
  const it = f.keys();
  assertEquals(Object.prototype.toString.call(it), "[object FormData Iterator]");
  assert(it[Symbol.iterator]() === it, "iterators are iterable");

  const g = fd(["foo", "0"], ["baz", "1"], ["BAR", "2"]);
  const seen = [];
  for (const [name] of g) { seen.push(name); g.delete("baz"); }
  assertEquals(seen, ["foo", "BAR"], "removed entries are skipped");
  const h = fd(["foo", "0"], ["baz", "1"], ["BAR", "2"], ["quux", "3"]);
  const seen2 = [];
  for (const [name] of h) { seen2.push(name); if (name === "baz") h.append("X-yZ", "4"); }
  assertEquals(seen2, ["foo", "baz", "BAR", "quux", "X-yZ"], "appended entries are reached");

  const calls = [];
  const thisArg = {};
  fd(["a", "1"], ["b", "2"]).forEach(function (value, key, form) {
    calls.push([value, key, form instanceof FormData, this === thisArg]);
  }, thisArg);
  assertEquals(calls, [["1", "a", true, true], ["2", "b", true, true]]);
  assertThrows(() => new FormData().forEach(5), TypeError);
});

test("FormData body: multipart serialisation", async () => {
  const f = new FormData();
  f.append("field", "va\nlue");
  f.append('q"u\rote', "x");
  f.append("file", new File(["file body"], 'na"me.txt', { type: "text/markdown" }));
  f.append("untyped", new Blob([new Uint8Array([0, 255])]));
  const r = new Response(f);
  const ct = r.headers.get("content-type");
  const m = /^multipart\/form-data; boundary=(.+)$/.exec(ct);
  assert(m, ct);
  const boundary = m[1];
  const body = await r.text();
  assertEquals(body.split("--" + boundary).length, 6, "four parts and the closing delimiter");
  assert(body.includes('Content-Disposition: form-data; name="field"\r\n\r\nva\r\nlue\r\n'), "newlines become CRLF");
  assert(body.includes('name="q%22u%0D%0Aote"'), "names are escaped after normalisation: " + body);
  assert(body.includes('name="file"; filename="na%22me.txt"\r\nContent-Type: text/markdown\r\n\r\nfile body\r\n'), body);
  assert(body.includes('filename="blob"\r\nContent-Type: application/octet-stream\r\n'), body);
  assert(body.endsWith("--" + boundary + "--\r\n"));
  const req = new Request("https://example.com/", { method: "POST", body: new FormData() });
  assert(req.headers.get("content-type").startsWith("multipart/form-data; boundary="));
  const explicit = new Response(new FormData(), { headers: { "content-type": "x/y" } });
  assertEquals(explicit.headers.get("content-type"), "x/y", "an explicit content-type wins");
});

test("FormData body: round trip through formData()", async () => {
  const f = new FormData();
  f.append("a", "1");
  f.append("a", "é");
  f.append("doc", new File(["<p>hi</p>"], "doc.html", { type: "text/html" }));
  f.append("bin", new Blob([new Uint8Array([0, 1, 254, 255])]), "data.bin");
  const parsed = await new Request("https://example.com/", { method: "POST", body: f }).formData();
  assert(parsed instanceof FormData);
  assertEquals(parsed.getAll("a"), ["1", "é"]);
  const doc = parsed.get("doc");
  assert(doc instanceof File);
  assertEquals([doc.name, doc.type, await doc.text()], ["doc.html", "text/html", "<p>hi</p>"]);
  const bin = parsed.get("bin");
  assertEquals([bin.name, bin.type, Array.from(await bin.bytes())], ["data.bin", "application/octet-stream", [0, 1, 254, 255]]);
  assertEquals([...(await new Response(new FormData()).formData())], []);
});

test("formData(): parsing hand-written multipart bodies", async () => {
  const body = [
    "preamble is ignored",
    "--XyZ",
    'Content-Disposition: form-data; name="text"',
    "",
    "line 1\r\nline 2",
    "--XyZ",
    'Content-Disposition: form-data; name="up"; filename="a b.txt"',
    "",
    "no content type",
    "--XyZ",
    "Content-Disposition: form-data; name=\"utf\"; filename*=UTF-8''%C3%A9t%C3%A9.txt",
    "Content-Type: Text/Plain; charset=utf-8",
    "",
    "été",
    "--XyZ--",
    "",
  ].join("\r\n");
  const r = new Response(body, { headers: { "content-type": 'multipart/form-data; boundary="XyZ"' } });
  const f = await r.formData();
  assertEquals(f.get("text"), "line 1\r\nline 2");
  const up = f.get("up");
  assertEquals([up.name, up.type, await up.text()], ["a b.txt", "text/plain", "no content type"]);
  const utf = f.get("utf");
  assertEquals([utf.name, utf.type, await utf.text()], ["été.txt", "text/plain; charset=utf-8", "été"]);
  assert(r.bodyUsed);
  await assertRejects(r.formData(), TypeError, "Body has already been used");
});

test("formData(): urlencoded bodies", async () => {
  const r = new Request("https://example.com/", { method: "POST", body: new URLSearchParams("a=1&b=x+y&a=%C3%A9&&c&=d") });
  const f = await r.formData();
  assertEquals([...f], [["a", "1"], ["b", "x y"], ["a", "é"], ["c", ""], ["", "d"]]);
  const upper = new Response("k=%zz%41", { headers: { "content-type": "Application/X-WWW-Form-Urlencoded; charset=UTF-8" } });
  assertEquals([...(await upper.formData())], [["k", "%zzA"]]);
});

test("formData(): errors are TypeErrors with workerd's messages", async () => {
  const cases = [
    [undefined, "x", "requires a Content-Type header"],
    ["text/plain", "a=1", "Unrecognized Content-Type header value"],
    ["application/json", "{}", "FormData can only parse the following MIME types"],
    ["multipart/form-data", "", "No boundary string in Content-Type header"],
    ["multipart/form-data; boundary=" + "b".repeat(71), "", "must be in the range [1, 70]"],
    ["multipart/form-data; boundary=b", "", "No initial boundary string"],
    ["multipart/form-data; boundary=b", "garbage without a boundary", "No initial boundary string"],
    ["multipart/form-data; boundary=b", '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\ntruncated', "No subsequent boundary string"],
    ["multipart/form-data; boundary=b", "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", "No valid Content-Disposition header"],
    ["multipart/form-data; boundary=b", '--b\r\nContent-Disposition: attachment; name="a"\r\n\r\nx\r\n--b--', 'must have the value "form-data"'],
    ["multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--", "missing a name"],
    ["multipart/form-data; boundary=b", '--b\r\nContent-Disposition: form-data; name="a\r\n\r\nx\r\n--b--', "Invalid Content-Disposition header"],
  ];
  for (const [type, body, msg] of cases) {
    const headers = type === undefined ? {} : { "content-type": type };
    const r = new Response(new TextEncoder().encode(body), { headers });
    await assertRejects(r.formData(), TypeError, msg);
  }
});

test("Blob bodies: content-type from the type; blob() from the body", async () => {
  const typed = new Response(new Blob(["<b>x</b>"], { type: "text/html" }));
  assertEquals([typed.headers.get("content-type"), await typed.text()], ["text/html", "<b>x</b>"]);
  assertEquals(new Response(new Blob(["x"])).headers.get("content-type"), null, "an empty type sets no header");
  const file = new File(["data"], "f.bin", { type: "application/x-thing" });
  const req = new Request("https://example.com/", { method: "PUT", body: file });
  assertEquals([req.headers.get("content-type"), await req.text()], ["application/x-thing", "data"]);
  const big = new Blob(["0123456789"]).slice(2, 5);
  assertEquals(await new Response(big).text(), "234");

  const res = new Response("hello", { headers: { "content-type": "text/plain;charset=UTF-8" } });
  const b = await res.blob();
  assert(b instanceof Blob && !(b instanceof File));
  assertEquals([b.size, b.type, await b.text()], [5, "text/plain;charset=utf-8", "hello"]);
  assert(res.bodyUsed);
  await assertRejects(res.blob(), TypeError, "Body has already been used");
  assertEquals((await new Response(new Uint8Array([1])).blob()).type, "");
  assertEquals((await new Response(null).blob()).size, 0);
  const clone = new Response("cloned").clone();
  assertEquals(await (await clone.blob()).text(), "cloned");
});
