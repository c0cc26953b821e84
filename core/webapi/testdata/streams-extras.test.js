// Queuing strategies, the Encoding Standard's streams and the Workers
// extras (IdentityTransformStream, FixedLengthStream).
const delay = (ms = 0) => new Promise(r => setTimeout(r, ms));
const enc = new TextEncoder();
async function readAll(rs) {
  const out = [];
  for await (const x of rs) out.push(x);
  return out;
}
async function readBytes(rs) {
  const parts = await readAll(rs);
  return Array.from(parts.flatMap(p => Array.from(p)));
}

test("queuing strategies", () => {
  const b = new ByteLengthQueuingStrategy({ highWaterMark: 16 });
  assertEquals(b.highWaterMark, 16);
  assertEquals(b.size(new Uint8Array(5)), 5);
  assert(b.size === new ByteLengthQueuingStrategy({ highWaterMark: 1 }).size, "one size function per realm");
  assertEquals(b.size.name, "size");
  assertEquals(b.size.length, 1);
  const c = new CountQueuingStrategy({ highWaterMark: "3" });
  assertEquals(c.highWaterMark, 3);
  assertEquals(c.size("anything"), 1);
  assertEquals(c.size.length, 0);
  assertThrows(() => new CountQueuingStrategy(), TypeError);
  assertThrows(() => new CountQueuingStrategy({}), TypeError);
  assertThrows(() => new ByteLengthQueuingStrategy(null), TypeError);
  assertThrows(() => Object.getOwnPropertyDescriptor(CountQueuingStrategy.prototype, "size").get.call({}), TypeError);
  assertThrows(() => b.size(undefined), TypeError);
  assertEquals(ByteLengthQueuingStrategy.length, 1);
  assertEquals(Object.prototype.toString.call(c), "[object CountQueuingStrategy]");
});

test("a ByteLengthQueuingStrategy drives backpressure by bytes", async () => {
  const ws = new WritableStream({ write() { return new Promise(() => {}); } }, new ByteLengthQueuingStrategy({ highWaterMark: 10 }));
  const w = ws.getWriter();
  w.write(new Uint8Array(4));
  w.write(new Uint8Array(4));
  assertEquals(w.desiredSize, 2);
});

test("TextEncoderStream encodes strings, joining surrogate pairs split across chunks", async () => {
  const ts = new TextEncoderStream();
  assertEquals(ts.encoding, "utf-8");
  const w = ts.writable.getWriter();
  w.write("a\uD83D");
  w.write("\uDE00b");
  w.write("");
  w.write(5);
  w.write("\uDC00"); // lone low surrogate
  w.write("\uD800"); // lone high surrogate at the end
  w.close();
  const chunks = await readAll(ts.readable);
  assert(chunks.every(c => c instanceof Uint8Array));
  const all = chunks.flatMap(c => Array.from(c));
  assertEquals(all, [0x61, 0xF0, 0x9F, 0x98, 0x80, 0x62, 0x35, 0xEF, 0xBF, 0xBD, 0xEF, 0xBF, 0xBD]);
});

test("TextDecoderStream decodes bytes split anywhere, and honours fatal", async () => {
  const ds = new TextDecoderStream();
  assertEquals([ds.encoding, ds.fatal, ds.ignoreBOM], ["utf-8", false, false]);
  const w = ds.writable.getWriter();
  const b = enc.encode("\uFEFFhé€😀");
  for (let i = 0; i < b.length; i++) w.write(b.slice(i, i + 1));
  w.close();
  assertEquals((await readAll(ds.readable)).join(""), "hé€😀");

  const fatal = new TextDecoderStream("utf-8", { fatal: true });
  const fw = fatal.writable.getWriter();
  fw.write(new Uint8Array([0xC3]));
  fw.close().catch(() => {});
  await assertRejects(readAll(fatal.readable), TypeError);

  const latin = new TextDecoderStream("windows-1252");
  assertEquals(latin.encoding, "windows-1252");
  const lw = latin.writable.getWriter();
  lw.write(new Uint8Array([0x80]).buffer);
  lw.close();
  assertEquals((await readAll(latin.readable)).join(""), "€");
  assertThrows(() => new TextDecoderStream("no-such"), RangeError);
});

test("TextDecoderStream rejects chunks that are not BufferSources", async () => {
  const ds = new TextDecoderStream();
  const w = ds.writable.getWriter();
  const read = ds.readable.getReader().read(); // writes wait for a reader
  await assertRejects(w.write("text"), TypeError);
  await assertRejects(read, TypeError);
});

test("TextEncoderStream and TextDecoderStream chain through pipeThrough", async () => {
  const out = ReadableStream.from(["one ", "two ", "three"]).pipeThrough(new TextEncoderStream()).pipeThrough(new TextDecoderStream());
  assertEquals((await readAll(out)).join(""), "one two three");
});

test("IdentityTransformStream passes bytes and refuses strings", async () => {
  const ts = new IdentityTransformStream();
  assert(ts instanceof TransformStream);
  assertEquals(Object.prototype.toString.call(ts), "[object IdentityTransformStream]");
  const w = ts.writable.getWriter();
  const src = new Uint8Array([1, 2, 3]);
  w.write(src);
  w.write(new Uint16Array([0x0504]).buffer);
  w.write(new Uint8Array(0));
  w.close();
  assertEquals(src.byteLength, 3, "the writer keeps its buffer");
  assertEquals(await readBytes(ts.readable), [1, 2, 3, 4, 5]);

  for (const [chunk, message] of [["str", "TextEncoder"], [{}, "non-ArrayBuffer"], [5, "non-ArrayBuffer"]]) {
    const bad = new IdentityTransformStream();
    const read = bad.readable.getReader().read();
    await assertRejects(bad.writable.getWriter().write(chunk), TypeError, message);
    await assertRejects(read, TypeError, message);
  }
});

test("IdentityTransformStream's readable side is a byte stream", async () => {
  const ts = new IdentityTransformStream();
  const reader = ts.readable.getReader({ mode: "byob" });
  const w = ts.writable.getWriter();
  w.write(new Uint8Array([9, 8, 7, 6]));
  const { value } = await reader.read(new Uint8Array(2));
  assertEquals(Array.from(value), [9, 8]);
  const { value: rest } = await reader.read(new Uint8Array(8));
  assertEquals(Array.from(rest), [7, 6]);
});

test("FixedLengthStream insists on its length", async () => {
  const ok = new FixedLengthStream(3);
  assert(ok instanceof TransformStream);
  const w = ok.writable.getWriter();
  w.write(new Uint8Array([1, 2]));
  w.write(new Uint8Array([3]));
  w.close();
  assertEquals(await readBytes(ok.readable), [1, 2, 3]);

  const long = new FixedLengthStream(2);
  const lw = long.writable.getWriter();
  long.readable.getReader().read().catch(() => {});
  await assertRejects(lw.write(new Uint8Array(3)), TypeError, "too many bytes");

  const short = new FixedLengthStream(5);
  const sw = short.writable.getWriter();
  const reading = readAll(short.readable);
  sw.write(new Uint8Array(2));
  await assertRejects(sw.close(), TypeError, "did not see all expected bytes");
  await assertRejects(reading, TypeError);

  for (const bad of [-1, 1.5, NaN, "x"]) assertThrows(() => new FixedLengthStream(bad), TypeError);
  new FixedLengthStream(0n);
});
