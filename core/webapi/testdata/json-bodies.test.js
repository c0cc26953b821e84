// Response.json and body.json() go through Go (core/js JSONWriter and
// ParseJSON); these check, through the runtime users get, that they behave
// as JSON.stringify and JSON.parse do, fallbacks included.

test("Response.json: the bytes JSON.stringify gives, for plain data", async () => {
  const data = { a: [1, -0, 0.1, 1e21, 1e-7, NaN, "é\u2028\n\"\\"], b: { c: null, d: true, u: undefined, f() {} }, "": [undefined, () => 1] };
  assertEquals(await Response.json(data).text(), JSON.stringify(data));
});

test("Response.json: toJSON, Date, getters, class instances, Map and Proxy as JSON.stringify does", async () => {
  const calls = [];
  class Point { constructor() { this.x = 1; } get y() { return 2; } }
  const data = {
    d: new Date(0),
    t: { toJSON(key) { calls.push(key); return { key }; } },
    g: { get v() { calls.push("getter"); return 3; } },
    p: new Point(),
    m: new Map([[1, 2]]),
    x: new Proxy({ a: 1 }, { get(t, k) { calls.push("proxy " + String(k)); return t[k]; } }),
    n: [new Number(4), new String("s"), new Boolean(false)],
  };
  const body = await Response.json(data).text();
  assertEquals(calls, ["t", "getter", "proxy toJSON", "proxy a"]);
  calls.length = 0;
  assertEquals(body, JSON.stringify(data));
});

test("Response.json: lone surrogates are escaped, pairs kept", async () => {
  const s = "a\ud800b\udc00c\ud83d\ude00";
  assertEquals(await Response.json({ [s]: s }).text(), '{"a\\ud800b\\udc00c😀":"a\\ud800b\\udc00c😀"}');
});

test("Response.json: BigInt, cycles and undefined throw TypeErrors", () => {
  assertThrows(() => Response.json({ n: 1n }), TypeError, "BigInt");
  const cyclic = { a: [] };
  cyclic.a.push(cyclic);
  assertThrows(() => Response.json(cyclic), TypeError, "Converting circular structure to JSON");
  assertThrows(() => Response.json(undefined), TypeError, "not JSON serializable");
  assertThrows(() => Response.json(() => 1), TypeError, "not JSON serializable");
  assertThrows(() => Response.json({ get a() { throw new RangeError("from a getter"); } }), RangeError, "from a getter");
});

test("Response.json: status, headers and content-type kept", async () => {
  const r = Response.json([1], { status: 201, headers: { "content-type": "application/vnd.x+json", "x-a": "b" } });
  assertEquals([r.status, r.headers.get("content-type"), r.headers.get("x-a"), await r.text()], [201, "application/vnd.x+json", "b", "[1]"]);
});

test("body.json(): JSON.parse's values, lone surrogates and __proto__ included", async () => {
  const v = await new Response('{"__proto__":{"x":1},"s":"\\ud800","n":-0,"big":1e400,"a":[1,{"b":2}],"a":3}').json();
  assertEquals(Object.getPrototypeOf(v), Object.prototype);
  assertEquals(Object.keys(v), ["__proto__", "s", "n", "big", "a"]);
  assertEquals(v.__proto__, { x: 1 });
  assertEquals([v.s.length, v.s.charCodeAt(0)], [1, 0xd800]);
  assert(Object.is(v.n, -0));
  assertEquals([v.big, v.a], [Infinity, 3]);
});

test("body.json(): SyntaxError for bad JSON, BOM dropped, bad UTF-8 as U+FFFD", async () => {
  await assertRejects(new Response('{"a":1,}').json(), SyntaxError, "Expected");
  await assertRejects(new Response("").json(), SyntaxError, "Unexpected end of JSON input");
  assertEquals(await new Response("\ufeff[1]").json(), [1]);
  assertEquals(await new Response(new Uint8Array([0x22, 0x61, 0xff, 0x22])).json(), "a\ufffd");
});

test("JSON.stringify: Go-backed for plain calls, JSON.stringify's behaviour all the same", () => {
  assertEquals([JSON.stringify.name, JSON.stringify.length, Object.keys(JSON)], ["stringify", 3, []]);
  const data = { b: [1, "é\ud800", null, undefined], a: { toJSON: (k) => "key " + k }, d: new Date(0), u: undefined };
  assertEquals(JSON.stringify(data), '{"b":[1,"é\\ud800",null,null],"a":"key a","d":"1970-01-01T00:00:00.000Z"}');
  assertEquals(JSON.stringify({ a: [1] }, null, 2), '{\n  "a": [\n    1\n  ]\n}');
  assertEquals(JSON.stringify({ a: 1, b: 2 }, ["b"]), '{"b":2}');
  assertEquals(JSON.stringify({ a: 1 }, (k, v) => (k === "a" ? v + 1 : v)), '{"a":2}');
  assertEquals([JSON.stringify(undefined), JSON.stringify(() => 1), JSON.stringify(Symbol())], [undefined, undefined, undefined]);
  assertThrows(() => JSON.stringify(1n), TypeError, "BigInt");
  const cyclic = [];
  cyclic.push({ cyclic });
  assertThrows(() => JSON.stringify(cyclic), TypeError, "circular");
});
