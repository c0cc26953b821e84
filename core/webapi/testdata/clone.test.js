// structuredClone, after the HTML standard's structured serialization and
// V8's additions (Error stack and cause).

const same = (a, b) => Object.is(a, b);

function assertDataCloneError(fn, includes) {
  const e = assertThrows(fn, DOMException, includes);
  assertEquals([e.name, e.code], ["DataCloneError", 25]);
  return e;
}

test("primitives", () => {
  for (const v of [undefined, null, true, false, 0, -0, 1, -1, 0.5, 2 ** 53, -(2 ** 53), 2 ** 31, 1e300, Number.MIN_VALUE,
    NaN, Infinity, -Infinity, "", "abc", "é", "😀", "\ud800", "a\udc00b", "\u0000", 0n, 1n, -1n, 2n ** 100n, -(2n ** 64n)]) {
    const c = structuredClone(v);
    assert(same(c, v), "clone of " + String(v) + " (" + typeof v + ") is " + String(c));
  }
  assertEquals(structuredClone("x".repeat(1000)).length, 1000);
});

test("wrapper objects", () => {
  const cases = [new Boolean(true), new Boolean(false), new Number(-0), new Number(NaN), new Number(3.5),
    new String(""), new String("héllo\ud800"), Object(12n), Object(-(2n ** 70n))];
  for (const w of cases) {
    const c = structuredClone(w);
    assert(c !== w && typeof c === "object", "a new object");
    assertEquals(Object.prototype.toString.call(c), Object.prototype.toString.call(w));
    assert(same(c.valueOf(), w.valueOf()), "value of " + String(w));
  }
});

test("Date", () => {
  const d = new Date(1700000000123);
  const c = structuredClone(d);
  assert(c instanceof Date && c !== d, "a new Date");
  assertEquals(c.getTime(), 1700000000123);
  assert(Number.isNaN(structuredClone(new Date(NaN)).getTime()), "invalid dates stay invalid");
});

test("RegExp: source and flags, not lastIndex", () => {
  const r = /a[/]b\//gimsuy;
  r.lastIndex = 3;
  const c = structuredClone(r);
  assert(c instanceof RegExp && c !== r, "a new RegExp");
  assertEquals([c.source, c.flags, c.lastIndex], [r.source, r.flags, 0]);
  assert(c.test("A/B/") && !c.test("xA/B/"), "works, sticky included");
  assertEquals(structuredClone(new RegExp("")).source, "(?:)");
});

test("ArrayBuffer and every view kind", () => {
  const buf = new ArrayBuffer(16);
  new Uint8Array(buf).set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  const cb = structuredClone(buf);
  assert(cb instanceof ArrayBuffer && cb !== buf, "a new buffer");
  assertEquals(Array.from(new Uint8Array(cb)), Array.from(new Uint8Array(buf)));
  new Uint8Array(buf)[0] = 99;
  assertEquals(new Uint8Array(cb)[0], 1, "a copy, not shared");
  for (const C of [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
    Float32Array, Float64Array, BigInt64Array, BigUint64Array]) {
    const v = new C(buf, 8, 8 / C.BYTES_PER_ELEMENT);
    const c = structuredClone(v);
    assert(c instanceof C && c !== v, C.name);
    assertEquals([c.byteOffset, c.length, c.buffer.byteLength], [8, v.length, 16], C.name);
    assertEquals(String(Array.from(c)), String(Array.from(v)), C.name);
  }
  const dv = new DataView(buf, 4, 6);
  const cdv = structuredClone(dv);
  assert(cdv instanceof DataView, "DataView");
  assertEquals([cdv.byteOffset, cdv.byteLength, cdv.getUint8(0)], [4, 6, 5]);
  assertEquals(structuredClone(new ArrayBuffer(0)).byteLength, 0);
});

test("views sharing a buffer still share it", () => {
  const buf = new ArrayBuffer(8);
  const a = new Uint8Array(buf, 0, 4), b = new Uint16Array(buf, 4, 2);
  const [ca, cb, cbuf] = structuredClone([a, b, buf]);
  assert(ca.buffer === cb.buffer && cb.buffer === cbuf, "one buffer");
  ca[0] = 7;
  assertEquals(new Uint8Array(cbuf)[0], 7);
});

test("Map and Set, with object keys and order", () => {
  const k = { k: 1 };
  const m = new Map([[k, "obj"], ["s", 1], [NaN, "nan"], [0, "zero"]]);
  const c = structuredClone(m);
  assert(c instanceof Map && c !== m, "Map");
  assertEquals(c.size, 4);
  const keys = [...c.keys()];
  assertEquals(keys[0], { k: 1 });
  assert(keys[0] !== k, "keys are cloned");
  assertEquals(c.get("s"), 1);
  assertEquals(c.get(NaN), "nan");
  const s = new Set([1, "a", k, k]);
  const cs = structuredClone(s);
  assert(cs instanceof Set, "Set");
  assertEquals([...cs].slice(0, 2), [1, "a"]);
  assertEquals(cs.size, 3);
});

test("Errors keep type, message, stack and cause", () => {
  for (const C of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]) {
    const e = new C("msg " + C.name, { cause: 42 });
    const c = structuredClone(e);
    assert(c instanceof C && c !== e, C.name);
    assertEquals([c.name, c.message, c.cause, c.stack], [C.name, "msg " + C.name, 42, e.stack], C.name);
    assertEquals(Object.getOwnPropertyDescriptor(c, "message").enumerable, false);
  }
  const noMessage = structuredClone(new Error());
  assertEquals(Object.prototype.hasOwnProperty.call(noMessage, "message"), false);
  const custom = new Error("x");
  custom.name = "CustomError";
  const cc = structuredClone(custom);
  assertEquals([cc.name, cc.constructor], ["Error", Error], "unknown names become Error");
  class MyError extends TypeError {}
  assert(structuredClone(new MyError("m")) instanceof TypeError, "subclasses become their native base by name");
  const withObjCause = new Error("outer", { cause: new RangeError("inner") });
  const co = structuredClone(withObjCause);
  assert(co.cause instanceof RangeError && co.cause.message === "inner", "cause is cloned");
  const cyclic = new Error("self");
  cyclic.cause = cyclic;
  const ccy = structuredClone(cyclic);
  assert(ccy.cause === ccy, "a cause cycle is kept");
  const getterMessage = new Error("");
  Object.defineProperty(getterMessage, "message", { get() { return "from getter"; } });
  assertEquals(Object.prototype.hasOwnProperty.call(structuredClone(getterMessage), "message"), false, "an accessor message is not copied");
});

test("DOMException", () => {
  const e = new DOMException("gone", "NotFoundError");
  const c = structuredClone(e);
  assert(c instanceof DOMException && c !== e, "a DOMException");
  assertEquals([c.name, c.message, c.code, c.stack], ["NotFoundError", "gone", 8, e.stack]);
});

test("plain objects: own enumerable string keys, getters invoked, prototype dropped", () => {
  const sym = Symbol("s");
  let calls = 0;
  const o = { a: 1, b: "two", nested: { deep: [1, { x: null }] }, [sym]: "symbol keys are skipped",
    get g() { calls++; return "got"; } };
  Object.defineProperty(o, "hidden", { value: 1, enumerable: false });
  const c = structuredClone(o);
  assertEquals(c, { a: 1, b: "two", nested: { deep: [1, { x: null }] }, g: "got" });
  assertEquals(calls, 1);
  assert(!(sym in c) && !("hidden" in c), "no symbols or non-enumerables");
  assertEquals(Object.getOwnPropertyDescriptor(c, "g").value, "got", "getters become data");
  class Point { constructor() { this.x = 1; } get y() { return 2; } }
  const p = structuredClone(new Point());
  assertEquals(Object.getPrototypeOf(p), Object.prototype);
  assertEquals(p, { x: 1 });
  const nullProto = Object.create(null);
  nullProto.a = 1;
  assertEquals(Object.getPrototypeOf(structuredClone(nullProto)), Object.prototype);
  const own = structuredClone({ ["__proto__"]: 5, "": 1 });
  assertEquals([Object.getOwnPropertyDescriptor(own, "__proto__").value, own[""]], [5, 1]);
  assertEquals(Object.getPrototypeOf(own), Object.prototype);
  const protoKey = structuredClone(JSON.parse('{"__proto__": {"polluted": true}}'));
  assert(Object.prototype.hasOwnProperty.call(protoKey, "__proto__") && !({}).polluted, "__proto__ stays an own key");
});

test("arrays: holes, length and extra properties", () => {
  const a = [1, , 3];
  a.length = 5;
  a.extra = "x";
  const c = structuredClone(a);
  assert(Array.isArray(c), "an array");
  assertEquals(c.length, 5);
  assertEquals([0 in c, 1 in c, 2 in c, 4 in c], [true, false, true, false]);
  assertEquals(c.extra, "x");
  const dense = [1, "a", null, undefined, { b: 2 }];
  dense.prop = true;
  const cd = structuredClone(dense);
  assertEquals([cd.length, cd[3], cd.prop], [5, undefined, true]);
  assert(3 in cd, "an undefined element is not a hole");
  const big = Array.from({ length: 10000 }, (_, i) => i);
  assertEquals(structuredClone(big)[9999], 9999);
  assertEquals(structuredClone([]).length, 0);
});

test("cycles and shared references", () => {
  const o = { name: "root" };
  o.self = o;
  const shared = { s: 1 };
  o.list = [shared, shared, o];
  const m = new Map();
  m.set(m, o);
  o.map = m;
  const c = structuredClone(o);
  assert(c !== o && c.self === c, "self cycle");
  assert(c.list[0] === c.list[1] && c.list[0] !== shared, "shared reference kept, and cloned");
  assert(c.list[2] === c, "cycle through an array");
  assert(c.map.get(c.map) === c, "cycle through a Map key and value");
  const s = new Set();
  s.add(s);
  const cs = structuredClone(s);
  assert(cs.has(cs), "cycle through a Set");
  const arr = [];
  arr.push(arr);
  const ca = structuredClone(arr);
  assert(ca[0] === ca, "array containing itself");
});

test("DataCloneError for functions, symbols and non-cloneable objects", () => {
  assertDataCloneError(() => structuredClone(() => {}), "could not be cloned");
  assertDataCloneError(() => structuredClone(function named() {}));
  assertDataCloneError(() => structuredClone(class K {}));
  assertDataCloneError(() => structuredClone(Symbol("s")), "Symbol(s) could not be cloned.");
  assertDataCloneError(() => structuredClone({ a: { f() {} } }));
  assertDataCloneError(() => structuredClone([1, Symbol()]));
  assertDataCloneError(() => structuredClone(Object(Symbol("boxed"))));
  assertDataCloneError(() => structuredClone(new WeakMap()), "#<WeakMap> could not be cloned.");
  assertDataCloneError(() => structuredClone(new WeakSet()), "#<WeakSet> could not be cloned.");
  assertDataCloneError(() => structuredClone(Promise.resolve()));
  assertDataCloneError(() => structuredClone(new Proxy({}, {})));
  assertDataCloneError(() => structuredClone(new Map([[1, () => {}]])));
});

test("DataCloneError for platform objects", () => {
  for (const v of [new EventTarget(), new Event("x"), new AbortController(), AbortSignal.abort(), new Headers(),
    new Response("x"), new Request("https://example.com/"), new URL("https://example.com/")]) {
    assertDataCloneError(() => structuredClone(v), "This type does not support serialization.");
  }
  assertDataCloneError(() => structuredClone(new EventTarget()), 'Could not serialize object of type "EventTarget".');
});

test("exceptions from getters propagate as they are", () => {
  const boom = new RangeError("boom");
  try {
    structuredClone({ get x() { throw boom; } });
    assert(false, "no throw");
  } catch (e) {
    assert(e === boom, "the getter's exception");
  }
});

test("transfer moves ArrayBuffers and detaches them", () => {
  const buf = new Uint8Array([1, 2, 3]).buffer;
  const view = new Uint8Array(buf, 1);
  const c = structuredClone({ buf, view }, { transfer: [buf] });
  assertEquals(buf.byteLength, 0, "detached");
  assertEquals(Array.from(new Uint8Array(c.buf)), [1, 2, 3]);
  assert(c.view.buffer === c.buf, "the view points at the moved buffer");
  assertEquals(Array.from(c.view), [2, 3]);
  const alone = new ArrayBuffer(4);
  const moved = structuredClone(alone, { transfer: [alone] });
  assertEquals([moved.byteLength, alone.byteLength], [4, 0]);
  const notInValue = new ArrayBuffer(2);
  structuredClone(1, { transfer: [notInValue] });
  assertEquals(notInValue.byteLength, 0, "transferred even when the value does not reference it");
});

test("transfer errors", () => {
  const buf = new ArrayBuffer(2);
  assertDataCloneError(() => structuredClone(buf, { transfer: [buf, buf] }), "duplicate");
  assertEquals(buf.byteLength, 2, "nothing detached after a failure");
  assertDataCloneError(() => structuredClone(1, { transfer: [{}] }), "does not have a transferable type");
  assertThrows(() => structuredClone(1, { transfer: [1] }), TypeError);
  assertThrows(() => structuredClone(1, { transfer: 5 }), TypeError);
  assertThrows(() => structuredClone(1, 5), TypeError);
  const d = new ArrayBuffer(1);
  const dview = new Uint8Array(d);
  structuredClone(d, { transfer: [d] });
  assertDataCloneError(() => structuredClone(d), "detached");
  assertDataCloneError(() => structuredClone(dview), "detached");
  assertDataCloneError(() => structuredClone(0, { transfer: [d] }), "detached");
  const failing = new ArrayBuffer(3);
  assertDataCloneError(() => structuredClone({ failing, f() {} }, { transfer: [failing] }));
  assertEquals(failing.byteLength, 3, "a failed clone detaches nothing");
});

test("structuredClone arguments", () => {
  assertThrows(() => structuredClone(), TypeError);
  assertEquals(structuredClone(1, undefined), 1);
  assertEquals(structuredClone(1, null), 1);
  assertEquals(structuredClone(1, {}), 1);
  assertEquals(structuredClone.length, 1);
});

test("deep nesting fails cleanly", () => {
  let deep = {};
  for (let i = 0; i < 30000; i++) deep = { d: deep };
  assertDataCloneError(() => structuredClone(deep), "nested too deeply");
  let ok = {};
  for (let i = 0; i < 1000; i++) ok = [ok];
  structuredClone(ok);
});
