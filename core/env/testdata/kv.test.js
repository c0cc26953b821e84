// KV namespace binding: Cloudflare's JS API over a local store. env.KV and
// env.OTHER are empty namespaces; NOW is the store's clock (Unix seconds) and
// advanceClock(s) moves it.

const bytesOf = (ab) => Array.from(new Uint8Array(ab));
const entries = (map) => [...map.entries()];

test("a KV binding is a KvNamespace", () => {
  assertEquals(Object.prototype.toString.call(env.KV), "[object KvNamespace]");
  for (const m of ["get", "getWithMetadata", "put", "delete", "list"]) assertEquals(typeof env.KV[m], "function", m);
  assertEquals(env.GREETING, "hi");
  assertEquals(env.CONFIG, { n: 1 });
});

test("get of a missing key is null", async () => {
  assertEquals(await env.KV.get("missing"), null);
  assertEquals(await env.KV.get("missing", "json"), null);
  assertEquals(await env.KV.get("missing", { type: "arrayBuffer" }), null);
  assertEquals(await env.KV.getWithMetadata("missing"), { value: null, metadata: null, cacheStatus: null });
});

test("text round trip, default and explicit type", async () => {
  assertEquals(await env.KV.put("greeting", "héllo 👋"), undefined);
  assertEquals(await env.KV.get("greeting"), "héllo 👋");
  assertEquals(await env.KV.get("greeting", "text"), "héllo 👋");
  assertEquals(await env.KV.get("greeting", { type: "text", cacheTtl: 60 }), "héllo 👋");
});

test("json", async () => {
  const obj = { a: [1, 2, { b: null }], s: "ü" };
  await env.KV.put("obj", JSON.stringify(obj));
  assertEquals(await env.KV.get("obj", "json"), obj);
  assertEquals(await env.KV.get("obj", { type: "json" }), obj);
  await env.KV.put("notjson", "{nope");
  await assertRejects(env.KV.get("notjson", "json"), SyntaxError);
});

test("binary values: ArrayBuffer, views with offsets, DataView", async () => {
  const all = new Uint8Array(256).map((_, i) => i);
  await env.KV.put("u8", all);
  const ab = await env.KV.get("u8", "arrayBuffer");
  assert(ab instanceof ArrayBuffer, "arrayBuffer type gives an ArrayBuffer");
  assertEquals(bytesOf(ab), Array.from(all));
  await env.KV.put("ab", all.buffer);
  assertEquals(bytesOf(await env.KV.get("ab", "arrayBuffer")).length, 256);
  await env.KV.put("sub", all.subarray(10, 14));
  assertEquals(bytesOf(await env.KV.get("sub", "arrayBuffer")), [10, 11, 12, 13]);
  await env.KV.put("dv", new DataView(all.buffer, 250, 3));
  assertEquals(bytesOf(await env.KV.get("dv", "arrayBuffer")), [250, 251, 252]);
  // The store copied the bytes: changing the array later changes nothing.
  const mutable = new Uint8Array([1, 2, 3]);
  const p = env.KV.put("copied", mutable);
  mutable[0] = 99;
  await p;
  assertEquals(bytesOf(await env.KV.get("copied", "arrayBuffer")), [1, 2, 3]);
  // Invalid UTF-8 reads as text with replacement characters.
  await env.KV.put("bad-utf8", new Uint8Array([0x61, 0xff, 0x62]));
  assertEquals(await env.KV.get("bad-utf8"), "a\uFFFDb");
});

test("empty values", async () => {
  await env.KV.put("empty", "");
  assertEquals(await env.KV.get("empty"), "");
  assertEquals(bytesOf(await env.KV.get("empty", "arrayBuffer")), []);
  assertEquals(await env.KV.getWithMetadata("empty"), { value: "", metadata: null, cacheStatus: null });
});

test("streams in and out", async () => {
  await env.KV.put("streamed", new Response("from a stream").body);
  assertEquals(await env.KV.get("streamed"), "from a stream");
  const s = await env.KV.get("streamed", "stream");
  assert(s instanceof ReadableStream, "stream type gives a ReadableStream");
  assertEquals(await new Response(s).text(), "from a stream");
  const { value } = await env.KV.getWithMetadata("streamed", "stream");
  const r = value.getReader();
  const chunk = await r.read();
  assertEquals(new TextDecoder().decode(chunk.value), "from a stream");
  // A look-alike is not a stream: the brand decides, not the prototype.
  await assertRejects(env.KV.put("fake", Object.create(ReadableStream.prototype)), TypeError, "KV put() accepts only");
});

test("put converts primitives to strings and rejects other objects", async () => {
  await env.KV.put("num", 42);
  assertEquals(await env.KV.get("num"), "42");
  await env.KV.put("bool", true);
  assertEquals(await env.KV.get("bool"), "true");
  for (const v of [{}, [1, 2], new Map()]) {
    await assertRejects(env.KV.put("rejected", v), TypeError,
      "KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.");
  }
  assertEquals(await env.KV.get("rejected"), null);
});

test("unknown get type", async () => {
  await env.KV.put("t", "v");
  await assertRejects(env.KV.get("t", "blob"), TypeError,
    'Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".');
  assertEquals(await env.KV.get("no-such-key", "blob"), null);
});

test("metadata", async () => {
  await env.KV.put("m", "value", { metadata: { author: "ferry", tags: ["a", "b"] } });
  assertEquals(await env.KV.getWithMetadata("m"),
    { value: "value", metadata: { author: "ferry", tags: ["a", "b"] }, cacheStatus: null });
  assertEquals(await env.KV.getWithMetadata("m", "json").catch((e) => e.name), "SyntaxError");
  await env.KV.put("m2", "[1]", { metadata: "just a string" });
  assertEquals(await env.KV.getWithMetadata("m2", { type: "json" }), { value: [1], metadata: "just a string", cacheStatus: null });
  await env.KV.put("m3", "x", { metadata: null });
  assertEquals((await env.KV.getWithMetadata("m3")).metadata, null);
  await assertRejects(env.KV.put("big", "x", { metadata: { s: "x".repeat(1020) } }), Error,
    "KV PUT failed: 413 Metadata length of 1028 exceeds limit of 1024.");
  const { keys } = await env.KV.list({ prefix: "m" });
  assertEquals(keys, [
    { name: "m", metadata: { author: "ferry", tags: ["a", "b"] } },
    { name: "m2", metadata: "just a string" },
    { name: "m3" },
  ]);
});

test("expiration and expirationTtl", async () => {
  const ns = env.OTHER;
  await ns.put("ttl", "t", { expirationTtl: 60 });
  await ns.put("abs", "a", { expiration: NOW + 120 });
  await ns.put("both", "b", { expiration: NOW + 3600, expirationTtl: 90 }); // expirationTtl wins
  await ns.put("keep", "k");
  assertEquals((await ns.list()).keys, [
    { name: "abs", expiration: NOW + 120 },
    { name: "both", expiration: NOW + 90 },
    { name: "keep" },
    { name: "ttl", expiration: NOW + 60 },
  ]);
  advanceClock(60);
  assertEquals(await ns.get("ttl"), null);
  assertEquals(await ns.get("abs"), "a");
  advanceClock(60);
  assertEquals(await ns.get("abs"), null);
  assertEquals((await ns.list()).keys.map((k) => k.name), ["keep"]);
});

test("expiration limits", async () => {
  await assertRejects(env.KV.put("e", "v", { expirationTtl: 30 }), Error,
    "KV PUT failed: 400 Invalid expiration_ttl of 30. Expiration TTL must be at least 60.");
  await assertRejects(env.KV.put("e", "v", { expirationTtl: 0 }), Error,
    "KV PUT failed: 400 Invalid expiration_ttl of 0. Please specify integer greater than 0.");
  await assertRejects(env.KV.put("e", "v", { expiration: NOW }), Error,
    `KV PUT failed: 400 Invalid expiration of ${NOW}. Please specify integer greater than the current number of seconds since the UNIX epoch.`);
  await assertRejects(env.KV.put("e", "v", { expiration: NOW + 30 }), Error,
    `KV PUT failed: 400 Invalid expiration of ${NOW + 30}. Expiration times must be at least 60 seconds in the future.`);
  assertEquals(await env.KV.get("e"), null);
});

test("key validation rejects, never throws synchronously", async () => {
  const long = "k".repeat(513);
  const cases = [
    [() => env.KV.get(""), TypeError, "Key name cannot be empty."],
    [() => env.KV.get("."), TypeError, '"." is not allowed as a key name.'],
    [() => env.KV.put("..", "v"), TypeError, '".." is not allowed as a key name.'],
    [() => env.KV.delete(""), TypeError, "Key name cannot be empty."],
    [() => env.KV.get(long), Error, "KV GET failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512."],
    [() => env.KV.getWithMetadata("é".repeat(257)), Error, "KV GET failed: 414 UTF-8 encoded length of 514 exceeds key length limit of 512."],
    [() => env.KV.put(long, "v"), Error, "KV PUT failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512."],
    [() => env.KV.delete(long), Error, "KV DELETE failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512."],
    [() => env.KV.get("k", { cacheTtl: 10 }), Error, "KV GET failed: 400 Invalid cache_ttl of 10. Cache TTL must be at least 30."],
    [() => env.KV.list({ limit: 1001 }), Error, "KV GET failed: 400 Invalid key_count_limit of 1001. Please specify an integer less than 1000."],
    [() => env.KV.list({ prefix: long }), Error, "KV GET failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512."],
  ];
  for (const [call, ctor, msg] of cases) {
    let p;
    try { p = call(); } catch (e) { throw new Error(`threw synchronously: ${e}`); }
    const e = await assertRejects(p, ctor, msg);
    assertEquals(e.message, msg);
    if (ctor === Error) assertEquals(e.name, "Error");
  }
  assertEquals(await env.KV.get("k".repeat(512)), null);
});

test("value size limit", async () => {
  await assertRejects(env.KV.put("big", "x".repeat(25 * 1024 * 1024 + 1)), Error,
    "KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400.");
  await assertRejects(env.KV.put("big", new Uint8Array(25 * 1024 * 1024 + 2)), Error,
    "KV PUT failed: 413 Value length of 26214402 exceeds limit of 26214400.");
  assertEquals(await env.KV.get("big"), null);
});

test("delete", async () => {
  await env.KV.put("gone", "soon");
  assertEquals(await env.KV.delete("gone"), undefined);
  assertEquals(await env.KV.get("gone"), null);
  assertEquals(await env.KV.delete("never-there"), undefined);
});

test("bulk get returns a Map in key order", async () => {
  await env.KV.put("b1", "one", { metadata: { n: 1 } });
  await env.KV.put("b2", '{"two":2}');
  const m = await env.KV.get(["b2", "nope", "b1"]);
  assert(m instanceof Map, "a Map");
  assertEquals(entries(m), [["b2", '{"two":2}'], ["nope", null], ["b1", "one"]]);
  assertEquals(entries(await env.KV.get(["b2"], "json")), [["b2", { two: 2 }]]);
  assertEquals(entries(await env.KV.get(["b2"], { type: "json" })), [["b2", { two: 2 }]]);
  assertEquals(entries(await env.KV.getWithMetadata(["b1", "b2", "nope"])), [
    ["b1", { value: "one", metadata: { n: 1 } }],
    ["b2", { value: '{"two":2}', metadata: null }],
    ["nope", null],
  ]);
  await assertRejects(env.KV.get(["b1"], "json"), Error,
    "KV GET_BULK failed: 400 At least one of the requested keys corresponds to a non-json value");
  await assertRejects(env.KV.get(["b1"], "arrayBuffer"), Error,
    'KV GET_BULK failed: 400 "arrayBuffer" is not a valid type. Use "json" or "text"');
  await assertRejects(env.KV.get(Array.from({ length: 101 }, (_, i) => "k" + i)), Error,
    "KV GET_BULK failed: 400 You can request a maximum of 100 keys");
  await assertRejects(env.KV.get([]), Error, "KV GET_BULK failed: 400 You must request a minimum of 1 key");
  await assertRejects(env.KV.get(["ok", ""]), Error, "KV GET_BULK failed: 400 Key names must not be empty");
  assertEquals((await env.KV.get(Array.from({ length: 100 }, (_, i) => "k" + i))).size, 100);
});

test("list: UTF-8 order, prefix, pagination, cursor", async () => {
  const ns = env.OTHER;
  // U+FF61 sorts before U+1F600 in UTF-8 but after it in UTF-16 (JS's order).
  for (const k of ["list/b", "list/a", "list/B", "list/\uff61", "list/\u{1F600}", "list%", "lisu"]) await ns.put(k, "v");
  const all = await ns.list({ prefix: "list/" });
  assertEquals(all, {
    keys: [{ name: "list/B" }, { name: "list/a" }, { name: "list/b" }, { name: "list/\uff61" }, { name: "list/\u{1F600}" }],
    list_complete: true,
    cacheStatus: null,
  });
  assert(!("cursor" in all), "no cursor on the last page");
  assertEquals((await ns.list({ prefix: "list%" })).keys.map((k) => k.name), ["list%"]);

  for (let i = 0; i < 25; i++) await ns.put(`page/${String(i).padStart(2, "0")}`, "v");
  const seen = [];
  let cursor, pages = 0, res;
  do {
    res = await ns.list({ prefix: "page/", limit: 10, cursor });
    seen.push(...res.keys.map((k) => k.name));
    cursor = res.cursor;
    pages++;
    assertEquals(res.cacheStatus, null);
    if (!res.list_complete) assertEquals(typeof cursor, "string");
  } while (!res.list_complete);
  assertEquals(pages, 3);
  assertEquals(seen.length, 25);
  assertEquals(seen[0], "page/00");
  assertEquals(seen[24], "page/24");
  // limit 0 and negative limits mean the default, as in workerd.
  assertEquals((await ns.list({ prefix: "page/", limit: 0 })).keys.length, 25);
  assertEquals((await ns.list({ prefix: "page/", cursor: null, prefix: "page/1" })).keys.length, 10);
  assert((await ns.list()).keys.length >= 32, "list() with no options lists everything");
});

test("namespaces are separate", async () => {
  await env.KV.put("only-in-kv", "1");
  assertEquals(await env.OTHER.get("only-in-kv"), null);
});

test("methods need a KvNamespace receiver", () => {
  assertThrows(() => env.KV.get.call({}, "k"), TypeError, "Illegal invocation");
  assertThrows(() => new env.KV.constructor(), TypeError, "Illegal constructor");
});
