// CompressionStream and DecompressionStream.
const enc = new TextEncoder();
const dec = new TextDecoder();
async function collect(rs) {
  const parts = [];
  let n = 0;
  for await (const c of rs) {
    assert(c instanceof Uint8Array, "chunks are Uint8Arrays");
    parts.push(c);
    n += c.byteLength;
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.byteLength; }
  return out;
}
const compress = (format, chunks) => collect(ReadableStream.from(chunks).pipeThrough(new CompressionStream(format)));
const decompress = (format, chunks) => collect(ReadableStream.from(chunks).pipeThrough(new DecompressionStream(format)));
const formats = ["gzip", "deflate", "deflate-raw", "br"];

test("every format round-trips, whatever the chunking", async () => {
  const text = "The quick brown fox jumps over the lazy dog. ".repeat(200) + "€😀";
  const data = enc.encode(text);
  for (const f of formats) {
    const packed = await compress(f, [data.slice(0, 7), data.slice(7, 4000), new Uint8Array(0), data.slice(4000)]);
    assert(packed.byteLength < data.byteLength / 5, `${f} compresses`);
    const byteByByte = [];
    for (let i = 0; i < packed.length; i++) byteByByte.push(packed.slice(i, i + 1));
    assertEquals(dec.decode(await decompress(f, byteByByte)), text, f);
    assertEquals(dec.decode(await decompress(f, [packed.buffer])), text, `${f} from an ArrayBuffer`);
  }
});

test("compressing nothing gives a valid empty stream", async () => {
  for (const f of formats) {
    const packed = await compress(f, []);
    assert(packed.byteLength > 0 || f === "deflate-raw", f);
    assertEquals((await decompress(f, [packed])).byteLength, 0, f);
  }
});

test("the formats' framing: gzip and zlib headers", async () => {
  const gz = await compress("gzip", [enc.encode("x")]);
  assertEquals([gz[0], gz[1], gz[2]], [0x1f, 0x8b, 8]);
  const z = await compress("deflate", [enc.encode("x")]);
  assertEquals((z[0] << 8 | z[1]) % 31, 0, "zlib header checksum");
  assertEquals(z[0] & 0x0f, 8);
});

test("known inputs decompress (RFC 1950/1952 vectors)", async () => {
  const deflate = [120, 156, 75, 173, 40, 72, 77, 46, 73, 77, 81, 200, 47, 45, 41, 40, 45, 1, 0, 48, 173, 6, 36];
  const gzip = [31, 139, 8, 0, 0, 0, 0, 0, 0, 3, 75, 173, 40, 72, 77, 46, 73, 77, 81, 200, 47, 45, 41, 40, 45, 1, 0, 176, 1, 57, 179, 15, 0, 0, 0];
  assertEquals(dec.decode(await decompress("deflate", [new Uint8Array(deflate)])), "expected output");
  assertEquals(dec.decode(await decompress("gzip", [new Uint8Array(gzip)])), "expected output");
  assertEquals(dec.decode(await decompress("deflate-raw", [new Uint8Array(deflate.slice(2, -4))])), "expected output");
});

test("corrupt, truncated and trailing input errors the stream with a TypeError", async () => {
  const gzip = [31, 139, 8, 0, 0, 0, 0, 0, 0, 3, 75, 173, 40, 72, 77, 46, 73, 77, 81, 200, 47, 45, 41, 40, 45, 1, 0, 176, 1, 57, 179, 15, 0, 0, 0];
  const deflate = [120, 156, 75, 173, 40, 72, 77, 46, 73, 77, 81, 200, 47, 45, 41, 40, 45, 1, 0, 48, 173, 6, 36];
  const mutate = (input, offset, length, value) => {
    const out = new Uint8Array(input);
    if (offset < 0) offset += input.length;
    out.fill(value, offset, offset + length);
    return out;
  };
  const cases = [
    // [format, input, offset, length, value, ok]
    ["gzip", gzip, 0, 2, 255, false], // ID
    ["gzip", gzip, 2, 1, 0, false], // CM
    ["gzip", gzip, 3, 1, 1, true], // FLG = FTEXT
    ["gzip", gzip, 3, 1, 2, false], // FLG = FHCRC, no header CRC
    ["gzip", gzip, 4, 4, 255, true], // MTIME
    ["gzip", gzip, 9, 1, 128, true], // OS
    ["gzip", gzip, -8, 4, 0, false], // CRC
    ["gzip", gzip, -4, 4, 1, false], // ISIZE
    ["deflate", deflate, 0, 1, 0, false], // CMF
    ["deflate", deflate, 1, 1, 157, false], // FLG check bits
    ["deflate", deflate, -4, 4, 255, false], // ADLER32
  ];
  for (const [f, input, offset, length, value, ok] of cases) {
    const p = decompress(f, [mutate(input, offset, length, value)]);
    if (ok) assertEquals(dec.decode(await p), "expected output", `${f} ${offset}=${value}`);
    else await assertRejects(p, TypeError, undefined, `${f} ${offset}=${value}`);
  }
  for (const f of formats) {
    const packed = await compress(f, [enc.encode("some data, some data")]);
    await assertRejects(decompress(f, [packed.slice(0, -1)]), TypeError, "ended too early");
    await assertRejects(decompress(f, [packed, new Uint8Array([0])]), TypeError, "after the end");
    const joined = new Uint8Array(packed.length + 1);
    joined.set(packed);
    await assertRejects(decompress(f, [joined]), TypeError, "after the end");
    await assertRejects(decompress(f, []), TypeError, "ended too early");
  }
  // A zlib stream that needs a preset dictionary.
  await assertRejects(decompress("deflate", [new Uint8Array([0x78, 0xbb, 0x74, 0xee, 0x09, 0x59, 0x2b, 0xc1, 0x2e, 0x0c, 0x00, 0x74, 0xee, 0x09, 0x59])]), TypeError);
});

test("a large stream inflates into bounded chunks", async () => {
  const zeros = new Uint8Array(1 << 20);
  const packed = await compress("gzip", [zeros]);
  const ds = new DecompressionStream("gzip");
  const w = ds.writable.getWriter();
  w.write(packed);
  w.close();
  let total = 0, biggest = 0;
  for await (const c of ds.readable) { total += c.byteLength; biggest = Math.max(biggest, c.byteLength); }
  assertEquals(total, 1 << 20);
  assert(biggest <= 65536, `chunks up to 64 KiB, got ${biggest}`);
});

test("constructors check the format; chunks must be bytes", async () => {
  for (const bad of ["", "GZIP", "zip", " gzip", undefined, null]) {
    assertThrows(() => new CompressionStream(bad), TypeError);
    assertThrows(() => new DecompressionStream(bad), TypeError);
  }
  assertThrows(() => new CompressionStream(), TypeError);
  assertThrows(() => new CompressionStream(Symbol()), TypeError);
  assertThrows(() => CompressionStream("gzip"), TypeError);
  for (const bad of ["text", 1, {}, [1, 2], null, undefined]) {
    for (const s of [new CompressionStream("gzip"), new DecompressionStream("deflate")]) {
      const read = s.readable.getReader().read(); // writes wait for a reader
      await assertRejects(s.writable.getWriter().write(bad), TypeError);
      await assertRejects(read, TypeError);
    }
  }
});

test("interfaces have WebIDL shapes", () => {
  for (const C of [CompressionStream, DecompressionStream]) {
    assertEquals(C.length, 1);
    assertEquals(Object.prototype.toString.call(new C("gzip")), `[object ${C.name}]`);
    for (const m of ["readable", "writable"]) assert(Object.getOwnPropertyDescriptor(C.prototype, m).enumerable);
    assertThrows(() => Object.getOwnPropertyDescriptor(C.prototype, "readable").get.call({}), TypeError);
    const s = new C("deflate");
    assert(s.readable instanceof ReadableStream && s.writable instanceof WritableStream);
  }
});

test("cancelling a decompression mid-stream releases it", async () => {
  const packed = await compress("gzip", [new Uint8Array(100000)]);
  const ds = new DecompressionStream("gzip");
  const w = ds.writable.getWriter();
  w.write(packed.slice(0, 100)).catch(() => {});
  const r = ds.readable.getReader();
  await r.read();
  await r.cancel("done");
  await assertRejects(w.closed);
});
