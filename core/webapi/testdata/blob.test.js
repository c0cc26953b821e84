// Blob, from the File API standard (https://w3c.github.io/FileAPI/#blob-section).

const text = (b) => b.text();
const bytesOf = async (b) => Array.from(new Uint8Array(await b.arrayBuffer()));

test("Blob: interface object, new required, toString tag", () => {
  assertEquals([typeof Blob, Blob.length, Blob.name], ["function", 0, "Blob"]);
  assertThrows(() => Blob(), TypeError);
  const b = new Blob();
  assert(b instanceof Blob);
  assertEquals([String(b), b.size, b.type], ["[object Blob]", 0, ""]);
  assertEquals(Object.keys(b), []);
  assertEquals(new Blob(undefined).size, 0);
  assertThrows(() => Object.getOwnPropertyDescriptor(Blob.prototype, "size").get.call({}), TypeError, "Illegal invocation");
});

test("Blob: parts of strings (UTF-8), buffers, views and Blobs", async () => {
  const b = new Blob(["é", new Uint8Array([0x41, 0x42]), new ArrayBuffer(1), new Blob(["z"])]);
  assertEquals(b.size, 2 + 2 + 1 + 1);
  assertEquals(await bytesOf(b), [0xc3, 0xa9, 0x41, 0x42, 0, 0x7a]);
  const buf = new Uint8Array([0, 255, 0, 4]).buffer;
  const mixed = new Blob([new Uint16Array(buf, 2), buf, new DataView(buf, 1, 2), new Int8Array([-1])]);
  assertEquals(await bytesOf(mixed), [0, 4, 0, 255, 0, 4, 255, 0, 255]);
  assertEquals(await text(new Blob([new Float32Array([0xD341500000])])), "PASS");
  const twice = new Blob(["foo"]);
  assertEquals(await text(new Blob([twice, twice])), "foofoo");
});

test("Blob: non-sequence parts throw; iterables are sequences", async () => {
  for (const bad of [null, true, 0, 1.5, "FAIL", new Date(), /re/, {}, { 0: "FAIL", length: 1 }, Symbol.iterator]) {
    assertThrows(() => new Blob(bad), TypeError);
  }
  assertEquals(await text(new Blob(new String("xyz"))), "xyz");
  assertEquals(await text(new Blob(new Uint8Array([1, 2, 3]))), "123");
  const custom = { *[Symbol.iterator]() { yield "ab"; yield "cde"; } };
  assertEquals(new Blob(custom).size, 5);
  const arrayLike = { [Symbol.iterator]: Array.prototype[Symbol.iterator], 0: "PASS", length: 1 };
  assertEquals(await text(new Blob(arrayLike)), "PASS");
});

test("Blob: elements convert with ToString, in order, lazily", async () => {
  const got = await text(new Blob([null, undefined, true, 0, new String("s"), [], ["x", "y"], {},
    { toString() { return "A"; } }, { toString: undefined, valueOf() { return "B"; } }]));
  assertEquals(got, "nullundefinedtrue0sx,y[object Object]AB");
  const err = new Error("boom");
  const e = assertThrows(() => new Blob([{ toString() { throw err; } }], { get type() { throw new Error("type read"); } }));
  assert(e === err, "the part's exception propagates before options are read");
  assertThrows(() => new Blob([{ toString: null, valueOf: null }]), TypeError);
  assertThrows(() => new Blob([Symbol("s")]), TypeError);
  const arr = [{ toString() { arr.pop(); return "PASS"; } }, { toString() { throw new Error("removed element converted"); } }];
  assertEquals(await text(new Blob(arr)), "PASS");
  const seen = [];
  const obj = {
    get [Symbol.iterator]() { seen.push("iter"); return Array.prototype[Symbol.iterator]; },
    get length() { seen.push("length"); return 2; },
    get 0() { seen.push("0"); return { toString() { seen.push("0 toString"); return "a"; } }; },
    get 1() { seen.push("1"); throw err; },
  };
  assertThrows(() => new Blob(obj));
  assertEquals(seen, ["iter", "length", "0", "0 toString", "length", "1"]);
  assertEquals(await text(new Blob(["\uD800x"])), "\uFFFDx", "lone surrogates become U+FFFD");
});

test("Blob: options (type, endings) and their checks", async () => {
  const cases = [
    ["", ""], ["a", "a"], ["TEXT/HTML", "text/html"], ["text/plain;charset=UTF-8", "text/plain;charset=utf-8"],
    ["\u00E5", ""], ["\uD801\uDC7E", ""], [" image/gif ", " image/gif "], ["\timage/gif\t", ""],
    ["image/gif;\u007f", ""], ["\u0130mage/gif", ""], ["image/gif\u0000", ""], ["nonparsable", "nonparsable"],
  ];
  for (const [type, want] of cases) assertEquals(new Blob([], { type }).type, want, JSON.stringify(type));
  for (const opts of [null, undefined, {}, { unknown: 1 }, /re/, function () {}]) {
    assertEquals(await text(new Blob(["\na\r\nb\n\rc\r"], opts)), "\na\r\nb\n\rc\r");
  }
  for (const opts of [123, 123.4, true, "abc"]) assertThrows(() => new Blob([], opts), TypeError);
  assertThrows(() => new Blob([], { endings: "bogus" }), TypeError, "EndingType");
  assertEquals(await text(new Blob(["a\r\nb\rc\nd"], { endings: "native" })), "a\nb\nc\nd");
  assertEquals(await text(new Blob(["a\r\nb"], { endings: "transparent" })), "a\r\nb");
  const native = new Blob([new Uint8Array([13, 10])], { endings: "native" });
  assertEquals(await bytesOf(native), [13, 10], "endings only touch strings");
  const order = [];
  new Blob([], { get type() { order.push("type"); }, get endings() { order.push("endings"); } });
  assertEquals(order, ["endings", "type"]);
});

test("Blob: slice", async () => {
  const b = new Blob(["PASSSTRING"]);
  const cases = [
    [[], "PASSSTRING"], [[-6], "STRING"], [[-12], "PASSSTRING"], [[4], "STRING"], [[12], ""],
    [[0, -6], "PASS"], [[0, -12], ""], [[0, 4], "PASS"], [[0, 12], "PASSSTRING"], [[7, 4], ""],
    [[0.5], "PASSSTRING"], [[1.5, 3.5], "AS"], [[-1.5], "G"], [[undefined, 2], "PA"], [[2, undefined], "SSSTRING"],
    [[NaN, Infinity], ""], [[-Infinity], "PASSSTRING"],
  ];
  for (const [args, want] of cases) {
    const s = b.slice(...args);
    assert(s instanceof Blob && !(s instanceof File));
    assertEquals([s.size, await s.text()], [want.length, want], `slice(${args})`);
  }
  assertEquals(b.slice(0, 4, "Content/Type").type, "content/type");
  assertEquals(new Blob([]).slice(0, 0, null).type, "null");
  assertEquals(new Blob([], { type: "a/b" }).slice().type, "", "the type is not inherited");
  for (const bad of ["\xFF", "te\x09xt/plain", "te\x00xt/plain", "te\x7Fxt/plain"]) assertEquals(b.slice(0, 1, bad).type, "");
  const nested = new Blob([new Uint8Array([0, 255, 0]).buffer, new Blob(["abcd"]), "efgh", "ijklmnopqrstuvwxyz"]);
  assertEquals(await nested.slice(1, 4).text(), "\uFFFD\u0000a");
  assertEquals(await nested.slice(4, 12).slice(2, -1).text(), "defgh");
  assertEquals(Blob.prototype.slice.length, 0);
});

test("Blob: text, arrayBuffer, bytes return new promises and copies", async () => {
  const b = new Blob(["PASS"]);
  for (const m of ["text", "arrayBuffer", "bytes", "stream"]) assert(b[m]() !== b[m](), m + " returns a new object");
  const [t1, t2] = await Promise.all([b.text(), b.text()]);
  assertEquals([t1, t2], ["PASS", "PASS"]);
  assertEquals(await new Blob([new Uint8Array([0xEF, 0xBB, 0xBF, 0x41])]).text(), "A", "text() drops a BOM");
  assertEquals(await new Blob([new Uint8Array([192, 193, 245, 255])]).text(), "\uFFFD\uFFFD\uFFFD\uFFFD");
  assertEquals(await new Blob(["PASS"], { type: "text/plain;charset=utf-16le" }).text(), "PASS", "charset is ignored");
  const u8 = await b.bytes();
  assert(u8 instanceof Uint8Array);
  u8[0] = 0;
  assertEquals(await b.text(), "PASS", "changing the bytes() result leaves the Blob alone");
  const ab = await b.arrayBuffer();
  assert(ab instanceof ArrayBuffer);
  assertEquals(ab.byteLength, 4);
  const src = new Uint8Array([1, 2]);
  const copy = new Blob([src]);
  src[0] = 9;
  assertEquals(await bytesOf(copy), [1, 2], "the constructor copies buffer sources");
  await assertRejects(Blob.prototype.text.call({}), TypeError, "Illegal invocation");
});

test("Blob: stream() reads with getReader and for await", async () => {
  const s = new Blob(["PASS"]).stream();
  assert(s instanceof ReadableStream);
  const reader = s.getReader();
  const chunks = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(...r.value);
  assertEquals(chunks, [80, 65, 83, 83]);
  const empty = await new Blob().stream().getReader().read();
  assertEquals(empty.done, true);
  let got = [];
  for await (const chunk of new Blob([new Uint8Array([8, 241, 48])]).stream()) got.push(...chunk);
  assertEquals(got, [8, 241, 48]);
  assertEquals(await new Response(new Blob(["via response"]).stream()).text(), "via response");
});

test("Blob: subclassing", async () => {
  class Named extends Blob {
    constructor(parts, name) { super(parts); this.label = name; }
    hello() { return "hi " + this.label; }
  }
  const n = new Named(["abc"], "n");
  assert(n instanceof Named && n instanceof Blob);
  assertEquals([n.hello(), n.size, await n.text()], ["hi n", 3, "abc"]);
});

test("structuredClone copies Blob and File", async () => {
  const f = new File(["hé", new Uint8Array([0, 255])], "a.bin", { type: "Application/Octet-Stream", lastModified: 42 });
  const c = structuredClone({ f, b: new Blob(["x"]) });
  assert(c.f instanceof File && c.f !== f, "a new File");
  assertEquals([c.f.name, c.f.type, c.f.lastModified, c.f.size], ["a.bin", "application/octet-stream", 42, 5]);
  assertEquals(Array.from(await c.f.bytes()), [104, 195, 169, 0, 255]);
  assert(c.b instanceof Blob && !(c.b instanceof File));
  assertEquals(await c.b.text(), "x");
});
