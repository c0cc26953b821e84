// File, from the File API standard (https://w3c.github.io/FileAPI/#file-section).

test("File: interface, inheritance, required arguments", () => {
  assertEquals([File.length, File.name], [2, "File"]);
  assert(Object.getPrototypeOf(File) === Blob);
  assert(Object.getPrototypeOf(File.prototype) === Blob.prototype);
  assertThrows(() => File([], "x"), TypeError);
  assertThrows(() => new File(), TypeError, "2 arguments required");
  assertThrows(() => new File([]), TypeError, "2 arguments required, but only 1 present");
  const f = new File(["bits"], "dummy.txt");
  assert(f instanceof File && f instanceof Blob);
  assertEquals([String(f), f.name, f.size, f.type], ["[object File]", "dummy.txt", 4, ""]);
  assertThrows(() => Object.getOwnPropertyDescriptor(File.prototype, "name").get.call(new Blob()), TypeError, "Illegal invocation");
});

test("File: bits like Blob parts", async () => {
  const cases = [
    [[], 0], [["bits"], 4], [["𝓽𝓮𝔁𝓽"], 16], [[new String("string object")], 13], [[new Blob()], 0],
    [[new Blob(["bits"])], 4], [[new File([], "w.txt")], 0], [[new File(["bits"], "w.txt")], 4],
    [[new ArrayBuffer(8)], 8], [[new Uint8Array([0x50, 0x41, 0x53, 0x53])], 4], [[12], 2], [[[1, 2, 3]], 5],
    [[{}], 15], [[{ toString: () => "a string" }], 8],
    [["bits", new Blob(["bits"]), new Blob(), new Uint8Array([0x50, 0x41]), new Uint16Array([0x5353]), new Uint32Array([0x53534150])], 16],
  ];
  for (const [bits, size] of cases) assertEquals(new File(bits, "dummy").size, size, JSON.stringify(bits));
  for (const bad of ["hello", 0, null]) assertThrows(() => new File(bad, "x"), TypeError);
  assertThrows(() => new File([{ toString() { throw new Error("expected"); } }], "x"), Error, "expected");
  assertEquals(await new File(["a\rb"], "x", { endings: "native" }).text(), "a\nb");
});

test("File: name, type and lastModified", () => {
  for (const [name, want] of [["dummy", "dummy"], ["dummy/foo", "dummy/foo"], [null, "null"], [1, "1"], ["", ""], ["a\uD800", "a\uFFFD"]]) {
    assertEquals(new File([], name).name, want);
  }
  for (const [type, want] of [["text/plain", "text/plain"], ["TEXT/PLAIN;charset=UTF-8", "text/plain;charset=utf-8"],
    ["𝓽𝓮𝔁𝓽/𝔭𝔩𝔞𝔦𝔫", ""], ["ascii/nonprintable\u001F", ""], ["nonascii\u00EE", ""], ["nonparsable", "nonparsable"]]) {
    assertEquals(new File([], "x", { type }).type, want, type);
  }
  const before = Date.now();
  const f = new File([], "x");
  assert(typeof f.lastModified === "number" && f.lastModified >= before && f.lastModified <= Date.now(), "defaults to now");
  assertEquals(new File([], "x", { lastModified: 42 }).lastModified, 42);
  assertEquals(new File([], "x", { lastModified: -1.9 }).lastModified, -1);
  assertEquals(new File([], "x", { lastModified: NaN }).lastModified, 0);
  assertEquals(new File([], "x", { lastModified: new Date(1000) }).lastModified, 1000);
  assertEquals(new File([], "x", { name: "foo" }).name, "x", "a name option is ignored");
  for (const opts of [123, 123.4, true, "abc"]) assertThrows(() => new File(["bits"], "x", opts), TypeError);
  for (const opts of [null, undefined, [1, 2, 3], /regex/, function () {}]) assertEquals(new File(["bits"], "x", opts).size, 4);
  assertThrows(() => new File([], "x", { type: { toString() { throw new Error("expected"); } } }), Error, "expected");
  const order = [];
  new File([{ toString() { order.push("bits"); return ""; } }], { toString() { order.push("name"); return "n"; } }, {
    get endings() { order.push("endings"); }, get type() { order.push("type"); }, get lastModified() { order.push("lastModified"); },
  });
  assertEquals(order, ["bits", "name", "endings", "type", "lastModified"]);
});

test("File: slice gives a Blob; reading", async () => {
  const f = new File(["hello world"], "h.txt", { type: "text/plain", lastModified: 5 });
  const s = f.slice(6);
  assert(s instanceof Blob && !(s instanceof File));
  assertEquals([await s.text(), s.type, await f.text()], ["world", "", "hello world"]);
  assertEquals(Array.from(await f.bytes()).length, 11);
});
