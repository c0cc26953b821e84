// The Workers Cache API over a local store (fake clock: advanceClock(s)).

const U = "https://example.com";
const cached = (body, cc = "max-age=60", extra = {}) =>
  new Response(body, { headers: { "cache-control": cc, ...extra } });

test("caches.default and caches.open", async () => {
  assertEquals(Object.prototype.toString.call(caches), "[object CacheStorage]");
  assert(caches.default instanceof Cache, "default is a Cache");
  assertEquals(caches.default, caches.default);
  const c = await caches.open("custom:cache");
  assert(c instanceof Cache, "open gives a Cache");
  assertThrows(() => new Cache(), TypeError);
  await c.put(`${U}/shared-key`, cached("from custom"));
  assertEquals(await caches.default.match(`${U}/shared-key`), undefined);
  assertEquals(await (await (await caches.open("custom:cache")).match(`${U}/shared-key`)).text(), "from custom");
});

test("put then match: status, headers, body and cf-cache-status", async () => {
  const res = cached("hello", "public, max-age=60", { "content-type": "text/plain", "x-custom": "1" });
  assertEquals(await caches.default.put(new Request(`${U}/a`), res), undefined);
  assertEquals(res.bodyUsed, true);
  const hit = await caches.default.match(`${U}/a`);
  assert(hit instanceof Response, "a Response");
  assertEquals(hit.status, 200);
  assertEquals(hit.headers.get("cf-cache-status"), "HIT");
  assertEquals(hit.headers.get("content-type"), "text/plain");
  assertEquals(hit.headers.get("x-custom"), "1");
  assertEquals(await hit.text(), "hello");
  // The key is the URL: a Request, a URL or a string find the same entry;
  // the fragment is not part of it.
  assertEquals(await (await caches.default.match(new Request(`${U}/a#frag`))).text(), "hello");
  assertEquals(await (await caches.default.match(new URL(`${U}/a`))).text(), "hello");
  assertEquals(await caches.default.match(`${U}/a?other`), undefined);
});

test("streamed bodies are read whole before put resolves", async () => {
  const stream = new ReadableStream({
    start(c) { c.enqueue(new TextEncoder().encode("chunk1,")); c.enqueue(new TextEncoder().encode("chunk2")); c.close(); },
  });
  await caches.default.put(`${U}/stream`, new Response(stream, { headers: { "cache-control": "max-age=60" } }));
  assertEquals(await (await caches.default.match(`${U}/stream`)).text(), "chunk1,chunk2");
});

test("put rejects what Cloudflare refuses, with its messages", async () => {
  const rejects = async (p, msg) => assertEquals((await assertRejects(p, TypeError)).message, msg);
  await rejects(caches.default.put(new Request(`${U}/p`, { method: "POST" }), cached("x")), "Cannot cache response to non-GET request.");
  await rejects(caches.default.put(`${U}/p`, new Response("x", { status: 206 })), "Cannot cache response to a range request (206 Partial Content).");
  await rejects(caches.default.put(`${U}/p`, cached("x", "max-age=60", { vary: "*" })), "Cannot cache response with 'Vary: *' header.");
  await rejects(caches.default.put(`${U}/p`, cached("x", "max-age=60", { vary: "Accept, *" })), "Cannot cache response with 'Vary: *' header.");
  await rejects(caches.default.put(`${U}/p`, "not a response"), "Failed to execute 'put' on 'Cache': parameter 2 is not of type 'Response'.");
  const used = cached("x");
  await used.text();
  await assertRejects(caches.default.put(`${U}/p`, used), TypeError);
  await assertRejects(caches.default.put("/relative", cached("x")), TypeError);
  assertEquals(await caches.default.match(`${U}/p`), undefined);
});

test("Cache-Control and Set-Cookie decide what is stored", async () => {
  const stored = async (path, res) => {
    await caches.default.put(`${U}${path}`, res);
    return (await caches.default.match(`${U}${path}`)) !== undefined;
  };
  assertEquals(await stored("/no-store", cached("x", "no-store")), false);
  assertEquals(await stored("/private", cached("x", "private, max-age=60")), false);
  assertEquals(await stored("/no-cache", cached("x", "no-cache")), false);
  assertEquals(await stored("/zero", cached("x", "max-age=0")), false);
  assertEquals(await stored("/cookie", cached("x", "max-age=60", { "set-cookie": "a=1" })), false);
  assertEquals(await stored("/plain", new Response("x")), true); // default edge TTL for 200
  assertEquals(await stored("/err", new Response("x", { status: 500 })), false);
  await caches.default.put(`${U}/private-cookie`, cached("x", "private=Set-Cookie, max-age=60", { "set-cookie": "a=1" }));
  const hit = await caches.default.match(`${U}/private-cookie`);
  assert(hit !== undefined, "private=Set-Cookie is stored");
  assertEquals(hit.headers.get("set-cookie"), null);
});

test("entries expire: max-age, s-maxage, Expires", async () => {
  await caches.default.put(`${U}/ma`, cached("x", "max-age=10"));
  await caches.default.put(`${U}/sm`, cached("x", "max-age=10, s-maxage=100"));
  await caches.default.put(`${U}/ex`, new Response("x", { headers: { expires: new Date(Date.now() + 3600_000).toUTCString() } }));
  advanceClock(11);
  assertEquals(await caches.default.match(`${U}/ma`), undefined);
  assertEquals(await caches.default.delete(`${U}/ma`), false);
  assert((await caches.default.match(`${U}/sm`)) !== undefined, "s-maxage=100 still there");
  advanceClock(90);
  assertEquals(await caches.default.match(`${U}/sm`), undefined);
});

test("match answers conditional and range requests", async () => {
  await caches.default.put(`${U}/c`, cached("0123456789", "max-age=60", {
    etag: '"v1"', "last-modified": new Date(Date.UTC(2026, 0, 1)).toUTCString(),
  }));
  const nm = await caches.default.match(new Request(`${U}/c`, { headers: { "if-none-match": '"v1"' } }));
  assertEquals(nm.status, 304);
  assertEquals(nm.body, null);
  assertEquals(nm.headers.get("etag"), '"v1"');
  const ims = await caches.default.match(new Request(`${U}/c`, { headers: { "if-modified-since": new Date(Date.UTC(2026, 1, 1)).toUTCString() } }));
  assertEquals(ims.status, 304);
  const other = await caches.default.match(new Request(`${U}/c`, { headers: { "if-none-match": '"v2"' } }));
  assertEquals(other.status, 200);
  const part = await caches.default.match(new Request(`${U}/c`, { headers: { range: "bytes=2-4" } }));
  assertEquals(part.status, 206);
  assertEquals(part.headers.get("content-range"), "bytes 2-4/10");
  assertEquals(await part.text(), "234");
  const bad = await caches.default.match(new Request(`${U}/c`, { headers: { range: "bytes=20-" } }));
  assertEquals(bad.status, 416);
});

test("only GET matches and deletes, unless ignoreMethod", async () => {
  await caches.default.put(`${U}/m`, cached("x"));
  const head = new Request(`${U}/m`, { method: "HEAD" });
  assertEquals(await caches.default.match(head), undefined);
  assert((await caches.default.match(head, { ignoreMethod: true })) !== undefined, "ignoreMethod matches");
  assertEquals(await caches.default.delete(new Request(`${U}/m`, { method: "POST" })), false);
  assertEquals(await caches.default.delete(new Request(`${U}/m`, { method: "POST" }), { ignoreMethod: true }), true);
  assertEquals(await caches.default.match(`${U}/m`), undefined);
  assertEquals(await caches.default.delete(`${U}/m`), false);
});

test("put replaces an entry", async () => {
  await caches.default.put(`${U}/r`, cached("one"));
  await caches.default.put(`${U}/r`, cached("two"));
  assertEquals(await (await caches.default.match(`${U}/r`)).text(), "two");
});
