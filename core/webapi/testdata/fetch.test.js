test("Headers: case-insensitive, combined, sorted iteration, set-cookie apart", () => {
  const h = new Headers({ "X-B": "2", "x-a": "1" });
  h.append("x-b", "3");
  h.append("Set-Cookie", "a=1");
  h.append("set-cookie", "b=2");
  assertEquals(h.get("X-B"), "2, 3");
  assertEquals(h.get("missing"), null);
  assert(h.has("X-A"));
  assertEquals([...h], [["set-cookie", "a=1"], ["set-cookie", "b=2"], ["x-a", "1"], ["x-b", "2, 3"]]);
  assertEquals([...h.keys()], ["set-cookie", "set-cookie", "x-a", "x-b"]);
  assertEquals(h.getSetCookie(), ["a=1", "b=2"]);
  assertEquals(h.getAll("set-cookie"), ["a=1", "b=2"]);
  h.set("x-b", "  4 ");
  assertEquals(h.get("x-b"), "4");
  h.delete("x-a");
  assert(!h.has("x-a"));
  const seen = [];
  h.forEach((v, k) => seen.push(k + "=" + v));
  assertEquals(seen, ["set-cookie=a=1", "set-cookie=b=2", "x-b=4"]);
});

test("Headers: init from pairs, from Headers; validation", () => {
  const h = new Headers([["a", "1"], ["b", "2"]]);
  assertEquals(new Headers(h).get("b"), "2");
  assertThrows(() => new Headers({ "bad name": "x" }), TypeError, "Invalid header name");
  assertThrows(() => new Headers({ a: "x\ny" }), TypeError, "Invalid header value");
  assertThrows(() => h.getAll("x-a"), TypeError);
  assertThrows(() => new Headers([["only-one"]]), TypeError);
  assertEquals(Object.prototype.toString.call(h), "[object Headers]");
});

test("Response: defaults, init, statics", async () => {
  const r = new Response("hi", { status: 201, statusText: "Created", headers: { "x-y": "z" } });
  assertEquals([r.status, r.statusText, r.ok, r.headers.get("x-y"), r.headers.get("content-type")],
    [201, "Created", true, "z", "text/plain;charset=UTF-8"]);
  assertEquals(await r.text(), "hi");
  assert(r.bodyUsed);
  await assertRejects(r.text(), TypeError, "Body has already been used");
  assertEquals(new Response().body, null);
  assertEquals(await new Response().text(), "");
  const j = Response.json({ a: [1, "é"] }, { status: 202 });
  assertEquals([j.status, j.headers.get("content-type"), await j.text()], [202, "application/json", '{"a":[1,"é"]}']);
  const red = Response.redirect("https://example.com/next", 301);
  assertEquals([red.status, red.headers.get("location")], [301, "https://example.com/next"]);
  assertThrows(() => red.headers.set("x", "y"), TypeError, "immutable");
  assertThrows(() => Response.redirect("https://example.com", 200), RangeError);
  assertEquals([Response.error().type, Response.error().status], ["error", 0]);
  assertThrows(() => new Response("x", { status: 600 }), RangeError, "200 to 599");
  assertThrows(() => new Response("x", { status: 204 }), TypeError, "null body status");
  assertEquals(new Response(null, { status: 204 }).status, 204);
});

test("Response: bodies from BufferSource and URLSearchParams; bytes/arrayBuffer/json", async () => {
  const bytes = new Uint8Array([104, 105, 0, 255]);
  const r = new Response(bytes.subarray(0, 2));
  assertEquals(r.headers.get("content-type"), null);
  assertEquals(Array.from(await r.bytes()), [104, 105]);
  const ab = await new Response(bytes.buffer).arrayBuffer();
  assertEquals(Array.from(new Uint8Array(ab)), [104, 105, 0, 255]);
  const form = new Response(new URLSearchParams({ a: "1 2", b: "é" }));
  assertEquals(form.headers.get("content-type"), "application/x-www-form-urlencoded;charset=UTF-8");
  assertEquals(await form.text(), "a=1+2&b=%C3%A9");
  assertEquals(await new Response('{"x":1}').json(), { x: 1 });
  await assertRejects(new Response("{bad").json(), SyntaxError);
});

test("Response: clone and body streams", async () => {
  const r = new Response("twice");
  const c = r.clone();
  assertEquals([await r.text(), await c.text()], ["twice", "twice"]);
  const orig = new Response("moved", { headers: { "x-a": "1" } });
  const copy = new Response(orig.body, orig);
  assert(orig.bodyUsed, "the original gives its body away");
  assertEquals([await copy.text(), copy.headers.get("x-a")], ["moved", "1"]);
  const reader = new Response("chunk").body.getReader();
  const first = await reader.read();
  assertEquals([new TextDecoder().decode(first.value), first.done], ["chunk", false]);
  assertEquals((await reader.read()).done, true);
  let collected = "";
  for await (const part of new Response("iterated").body) collected += new TextDecoder().decode(part);
  assertEquals(collected, "iterated");
  assert(new Response("x").body instanceof ReadableStream, "bodies are ReadableStreams");
});

test("Request: init, method normalisation, clone, body rules", async () => {
  const r = new Request("https://example.com/a?b=1", { method: "post", body: "data", headers: { "x-k": "v" } });
  assertEquals([r.method, r.url, r.headers.get("x-k"), r.redirect], ["POST", "https://example.com/a?b=1", "v", "follow"]);
  const c = r.clone();
  assertEquals([await r.text(), await c.text()], ["data", "data"]);
  assertEquals(new Request("https://EXAMPLE.com").url, "https://example.com/");
  assertEquals(new Request("https://example.com", { method: "PATCH" }).method, "PATCH");
  assertEquals(new Request("https://example.com", { method: "custom" }).method, "custom");
  assertThrows(() => new Request("/relative"), TypeError, "Invalid URL");
  assertThrows(() => new Request("https://example.com", { body: "x" }), TypeError, "GET or HEAD");
  assertThrows(() => r.clone(), TypeError, "already used");
  const fresh = new Request("https://example.com/a?b=1", { method: "POST", body: "again" });
  const copy = new Request(fresh, { method: "PUT" });
  assertEquals([copy.method, copy.url, await copy.text()], ["PUT", "https://example.com/a?b=1", "again"]);
  assert(fresh.bodyUsed, "the new request takes the body");
  assert(r instanceof Request && !(r instanceof Response));
});

test("subclassing Response keeps the Go state", async () => {
  class MyResponse extends Response {
    constructor(body) { super(body, { status: 203 }); }
    get kind() { return "mine"; }
  }
  const m = new MyResponse("sub");
  assertEquals([m.status, m.kind, await m.text(), m instanceof Response], [203, "mine", "sub", true]);
});
