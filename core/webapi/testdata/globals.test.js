test("globals a Worker expects", () => {
  assertEquals(navigator.userAgent, "Cloudflare-Workers");
  assert(self === globalThis);
  assertEquals(typeof performance.now(), "number");
  assert(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()));
  const buf = new Uint8Array(32);
  assert(crypto.getRandomValues(buf) === buf);
  assert(buf.some((b) => b !== 0), "random bytes");
  assertThrows(() => crypto.getRandomValues(new Float64Array(2)), DOMException);
  assertThrows(() => crypto.getRandomValues(new Uint8Array(65537)), undefined, "65536");
  assertEquals(typeof Symbol.asyncIterator, "symbol");
});

test("timers pass arguments and clear", async () => {
  const got = await new Promise((resolve) => setTimeout((a, b) => resolve(a + b), 1, 2, 3));
  assertEquals(got, 5);
  let fired = false;
  clearTimeout(setTimeout(() => { fired = true; }, 1));
  await new Promise((r) => setTimeout(r, 5));
  assert(!fired);
});

test("interface objects and namespaces are non-enumerable globals, as Web IDL defines them", () => {
  const wrong = [];
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    const d = Object.getOwnPropertyDescriptor(globalThis, name);
    const v = d.value;
    const isInterface = typeof v === "function" && /^[A-Z]/.test(name) && typeof v.prototype === "object";
    const isNamespace = name === "console";
    if ((isInterface || isNamespace) && (d.enumerable || !d.writable || !d.configurable)) wrong.push(name);
  }
  assertEquals(wrong, []);
  assertEquals(Object.keys(globalThis).filter((k) => /^[A-Z]/.test(k)), []);
});

test("methods' name properties are as for every function", () => {
  for (const [what, fn] of [["Headers.prototype.get", Headers.prototype.get], ["Response.json", Response.json], ["caches.open", caches.open]]) {
    const d = Object.getOwnPropertyDescriptor(fn, "name");
    assertEquals([d.writable, d.enumerable, d.configurable], [false, false, true], what);
  }
});
