// Request and Response bodies are ReadableStreams (Fetch + Streams).
const enc = new TextEncoder();
const dec = new TextDecoder();
const chunks = (...parts) => ReadableStream.from(parts.map(p => typeof p === "string" ? enc.encode(p) : p));

test("body is a byte ReadableStream; reading it uses the body", async () => {
  const res = new Response("héllo");
  const body = res.body;
  assert(body instanceof ReadableStream);
  assert(res.body === body, "the same stream each time");
  assertEquals(res.bodyUsed, false);
  const reader = body.getReader({ mode: "byob" });
  const { value } = await reader.read(new Uint8Array(16));
  assertEquals(dec.decode(value), "héllo");
  assertEquals(res.bodyUsed, true);
  await assertRejects(res.text(), TypeError);
  assertEquals(new Response(null).body, null);
  assertEquals(new Response().body, null);
});

test("a locked body cannot be read by text()", async () => {
  const res = new Response("x");
  res.body.getReader();
  assertEquals(res.bodyUsed, false);
  await assertRejects(res.text(), TypeError, "locked");
});

test("new Response(stream) reads the stream chunk by chunk", async () => {
  const res = new Response(chunks("one ", "two ", new Uint8Array([0x74, 0x68, 0x72, 0x65, 0x65])));
  assertEquals(await res.text(), "one two three");
  assertEquals(res.bodyUsed, true);
  const req = new Request("https://example.com/", { method: "POST", body: chunks("{\"a\":", "1}") });
  assertEquals(await req.json(), { a: 1 });
  const blob = await new Response(chunks("ab", "cd")).blob();
  assertEquals(await blob.text(), "abcd");
  const ab = await new Response(chunks("xy")).arrayBuffer();
  assertEquals(ab.byteLength, 2);
});

test("a stream body is not read until the body is", async () => {
  let pulled = 0;
  const rs = new ReadableStream({ pull(c) { pulled++; c.enqueue(enc.encode("z")); if (pulled === 3) c.close(); } }, { highWaterMark: 0 });
  const res = new Response(rs);
  await new Promise(r => setTimeout(r, 5));
  assertEquals(pulled, 0);
  assertEquals(res.body, rs, "the stream is the body's stream");
  assertEquals(await res.text(), "zzz");
  assertEquals(rs.locked, true);
});

test("a stream that is locked or read from cannot become a body", async () => {
  const locked = chunks("a");
  locked.getReader();
  assertThrows(() => new Response(locked), TypeError, "locked");
  const read = chunks("a", "b");
  await read.getReader().read().then(() => {});
  const reader2 = new ReadableStream({ start(c) { c.enqueue(enc.encode("x")); } });
  const r2 = reader2.getReader();
  await r2.read();
  r2.releaseLock();
  assertThrows(() => new Response(reader2), TypeError, "disturbed");
  assertThrows(() => new Request("https://example.com/", { method: "POST", body: reader2 }), TypeError);
});

test("chunks must be bytes; errors reject the read methods", async () => {
  await assertRejects(new Response(ReadableStream.from(["text"])).text(), TypeError, "did not return bytes");
  await assertRejects(new Response(ReadableStream.from([{}])).arrayBuffer(), TypeError, "did not return bytes");
  const failing = new ReadableStream({ pull(c) { c.error(new RangeError("upstream broke")); } });
  await assertRejects(new Response(failing).text(), RangeError, "upstream broke");
});

test("new Response(res.body) moves the body; the original is used", async () => {
  const orig = new Response("moved", { headers: { "x-a": "1" } });
  const copy = new Response(orig.body, orig);
  assert(orig.bodyUsed);
  assertEquals(await copy.text(), "moved");
  const viaStream = new Response(new Response("twice").body.pipeThrough(new TransformStream()));
  assertEquals(await viaStream.text(), "twice");
});

test("clone() tees a stream body: both copies read everything", async () => {
  const res = new Response(chunks("a", "b", "c"));
  const c = res.clone();
  assertEquals([await res.text(), await c.text()], ["abc", "abc"]);
  const req = new Request("https://example.com/", { method: "POST", body: chunks("body") });
  const rc = req.clone();
  assertEquals(await rc.text(), "body");
  assertEquals(await req.text(), "body");
  const used = new Response(chunks("x"));
  await used.text();
  assertThrows(() => used.clone(), TypeError);
  const plain = new Response("plain");
  const pc = plain.clone();
  assertEquals([await plain.text(), await pc.text()], ["plain", "plain"]);
});

test("Blob.stream() is a ReadableStream of the bytes", async () => {
  const s = new Blob(["stream", "ed"]).stream();
  assert(s instanceof ReadableStream);
  assertEquals(await new Response(s).text(), "streamed");
});

test("a body piped through CompressionStream and back", async () => {
  const text = "compress me ".repeat(100);
  const packed = new Response(new Response(text).body.pipeThrough(new CompressionStream("gzip")));
  const back = new Response((await packed.blob()).stream().pipeThrough(new DecompressionStream("gzip")));
  assertEquals(await back.text(), text);
});

test("TextDecoderStream over a body", async () => {
  const parts = [];
  for await (const s of new Response("€uro").body.pipeThrough(new TextDecoderStream())) parts.push(s);
  assertEquals(parts.join(""), "€uro");
});

test("a body handed to new Response() untouched moves, and the old one is used", async () => {
  // Hono's c.header() after the handler does exactly this.
  const first = new Response("moved", { headers: { "content-type": "text/plain" } });
  const body = first.body;
  const second = new Response(body, first);
  assertEquals(first.bodyUsed, true);
  assertEquals(body.locked, true);
  await assertRejects(first.text(), TypeError);
  assertThrows(() => body.getReader(), TypeError);
  await assertRejects(body.cancel(), TypeError);
  assertEquals(second.headers.get("content-type"), "text/plain");
  assertEquals(await second.text(), "moved");
  assertThrows(() => new Response(body), TypeError);
});

test("a body stream looked at before it moves still reads", async () => {
  const res = new Response("peek");
  const body = res.body;
  assertEquals(body.locked, false);
  const [a, b] = body.tee();
  assertEquals(body.locked, true);
  assertEquals(await new Response(a).text(), "peek");
  assertEquals(await new Response(b).text(), "peek");
  const again = new Response("piped");
  const out = again.body.pipeThrough(new TransformStream());
  assertEquals(await new Response(out).text(), "piped");
  const iter = new Response("it").body;
  let got = "";
  for await (const chunk of iter) got += new TextDecoder().decode(chunk);
  assertEquals(got, "it");
});

test("a moved empty body and a read-then-moved body", async () => {
  const empty = new Response("");
  assertEquals(await new Response(empty.body).text(), "");
  const read = new Response("once");
  assertEquals(await read.text(), "once");
  assertEquals(read.body.locked, true);
  assertThrows(() => new Response(read.body), TypeError);
});
