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
