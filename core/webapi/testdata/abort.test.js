// AbortController, AbortSignal and scheduler.wait, after the DOM standard and
// Cloudflare's runtime.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A pending AbortSignal.timeout does not keep the runtime alive (as in Node
// and Deno), so tests that wait for one hold a timer meanwhile.
async function keepAlive(p) {
  const t = setTimeout(() => {}, 5000);
  try { return await p; } finally { clearTimeout(t); }
}

test("abort() fires the abort event synchronously, once", () => {
  const c = new AbortController();
  const s = c.signal;
  assert(c.signal === s, "signal is the same object every time");
  assertEquals([s.aborted, s.reason], [false, undefined]);
  let n = 0, ev;
  s.addEventListener("abort", (e) => { n++; ev = e; });
  c.abort();
  assertEquals(n, 1);
  assertEquals([ev.type, ev.bubbles, ev.cancelable, ev.isTrusted], ["abort", false, false, true]);
  assert(ev.target === s, "target is the signal");
  assert(s.aborted, "aborted");
  c.abort("again");
  assertEquals(n, 1, "a second abort does nothing");
  assert(c.signal === s, "still the same signal");
});

test("the default reason is an AbortError DOMException", () => {
  const c = new AbortController();
  c.abort();
  const r = c.signal.reason;
  assert(r instanceof DOMException, "DOMException");
  assertEquals([r.name, r.message, r.code], ["AbortError", "The operation was aborted", 20]);
  const u = new AbortController();
  u.abort(undefined);
  assertEquals(u.signal.reason.name, "AbortError", "undefined means the default");
});

test("any value can be the reason", () => {
  for (const reason of [null, 0, "", false, "why", { a: 1 }, new Error("e")]) {
    const c = new AbortController();
    c.abort(reason);
    assert(c.signal.reason === reason, "reason " + String(reason));
    assert(c.signal.aborted, "aborted");
    try { c.signal.throwIfAborted(); assert(false, "did not throw"); } catch (e) { assert(e === reason, "throwIfAborted throws the reason"); }
  }
  new AbortController().signal.throwIfAborted();
});

test("onabort runs, and not when set after abort", () => {
  const c = new AbortController();
  let n = 0;
  c.signal.onabort = (e) => { n++; assertEquals(e.type, "abort"); };
  c.abort();
  assertEquals(n, 1);
  const c2 = new AbortController();
  c2.abort();
  c2.signal.onabort = () => { throw new Error("must not run"); };
});

test("AbortSignal.abort()", () => {
  const s = AbortSignal.abort();
  assert(s.aborted && s.reason instanceof DOMException && s.reason.name === "AbortError", "default reason");
  assertEquals(AbortSignal.abort("r").reason, "r");
  assert(s instanceof AbortSignal && s instanceof EventTarget, "an AbortSignal");
});

test("AbortSignal cannot be constructed; AbortController needs new", () => {
  assertThrows(() => new AbortSignal(), TypeError, "Illegal constructor");
  assertThrows(() => AbortController(), TypeError);
  assertEquals(String(new AbortController()), "[object AbortController]");
  assertEquals(String(AbortSignal.abort()), "[object AbortSignal]");
});

test("brand checks", () => {
  const signalGet = Object.getOwnPropertyDescriptor(AbortController.prototype, "signal").get;
  const abortedGet = Object.getOwnPropertyDescriptor(AbortSignal.prototype, "aborted").get;
  for (const bad of [null, undefined, 0, NaN, true, "x", {}, Object.create(AbortController.prototype), Object.create(AbortSignal.prototype)]) {
    assertThrows(() => signalGet.call(bad), TypeError);
    assertThrows(() => AbortController.prototype.abort.call(bad), TypeError);
    assertThrows(() => abortedGet.call(bad), TypeError);
  }
});

test("listeners with a signal are removed when it aborts", () => {
  const t = new EventTarget();
  const c = new AbortController();
  let n = 0;
  const h = () => n++;
  t.addEventListener("x", h, { signal: c.signal });
  t.dispatchEvent(new Event("x"));
  t.dispatchEvent(new Event("x"));
  assertEquals(n, 2);
  c.abort();
  t.dispatchEvent(new Event("x"));
  assertEquals(n, 2);
  t.addEventListener("x", h, { signal: c.signal });
  t.dispatchEvent(new Event("x"));
  assertEquals(n, 2, "an aborted signal never adds the listener");
});

test("signal option: removeEventListener still works, once and capture too", () => {
  const t = new EventTarget();
  const c = new AbortController();
  let n = 0;
  const h = () => n++;
  t.addEventListener("a", h, { signal: c.signal });
  t.removeEventListener("a", h);
  t.addEventListener("b", h, { signal: c.signal, once: true });
  t.addEventListener("c", h, { signal: c.signal, capture: true });
  c.abort();
  for (const type of ["a", "b", "c"]) t.dispatchEvent(new Event(type));
  assertEquals(n, 0);
});

test("aborting from a listener stops later listeners with the signal", () => {
  const t = new EventTarget();
  const c = new AbortController();
  let n = 0;
  t.addEventListener("x", () => c.abort(), { signal: c.signal });
  t.addEventListener("x", () => n++, { signal: c.signal });
  t.dispatchEvent(new Event("x"));
  assertEquals(n, 0);
});

test("signal option must be an AbortSignal", () => {
  const t = new EventTarget();
  assertThrows(() => t.addEventListener("x", () => {}, { signal: null }), TypeError);
  assertThrows(() => t.addEventListener("x", null, { signal: null }), TypeError);
  assertThrows(() => t.addEventListener("x", () => {}, { signal: {} }), TypeError);
  t.addEventListener("x", () => {}, { signal: undefined });
});

test("AbortSignal.any follows a single signal", () => {
  const c = new AbortController();
  const any = AbortSignal.any([c.signal]);
  assert(any !== c.signal, "a new signal");
  assertEquals([any.aborted, any.reason], [false, undefined]);
  let target;
  any.onabort = (e) => { target = e.target; };
  c.abort("reason string");
  assert(any.aborted && target === any, "aborted with the event on itself");
  assertEquals(any.reason, "reason string");
});

test("AbortSignal.any follows each of several signals", () => {
  for (let i = 0; i < 3; i++) {
    const cs = [new AbortController(), new AbortController(), new AbortController()];
    const any = AbortSignal.any(cs.map((c) => c.signal));
    let fired = false;
    any.onabort = () => { fired = true; };
    cs[i].abort();
    assert(fired && any.aborted, "fired for controller " + i);
    assertEquals(any.reason.name, "AbortError");
  }
});

test("AbortSignal.any of aborted signals takes the first reason", () => {
  const cs = [new AbortController(), new AbortController(), new AbortController()];
  cs[1].abort("reason 1");
  cs[2].abort("reason 2");
  const any = AbortSignal.any(cs.map((c) => c.signal));
  assert(any.aborted, "already aborted");
  assertEquals(any.reason, "reason 1");
  const a = new AbortController(); a.abort("a");
  const b = new AbortController(); b.abort("b");
  assertEquals(AbortSignal.any([a.signal, b.signal, a.signal]).reason, "a");
});

test("AbortSignal.any: duplicates, empty lists, iterables and bad values", () => {
  const c = new AbortController();
  const any = AbortSignal.any([c.signal, c.signal]);
  c.abort("r");
  assertEquals([any.aborted, any.reason], [true, "r"]);
  assertEquals(AbortSignal.any([]).aborted, false);
  const c2 = new AbortController();
  const fromSet = AbortSignal.any(new Set([c2.signal]));
  c2.abort();
  assert(fromSet.aborted, "any iterable works");
  assertThrows(() => AbortSignal.any([{}]), TypeError);
  assertThrows(() => AbortSignal.any(5), TypeError);
  assertThrows(() => AbortSignal.any(), TypeError);
});

test("AbortSignal.any composes and flattens to the original sources", () => {
  for (let i = 0; i < 3; i++) {
    const cs = [new AbortController(), new AbortController(), new AbortController()];
    const one = AbortSignal.any([cs[0].signal, cs[1].signal]);
    const two = AbortSignal.any([one, cs[2].signal]);
    let fired = false;
    two.onabort = () => { fired = true; };
    cs[i].abort();
    assert(fired && two.aborted && two.reason.name === "AbortError", "composed " + i);
  }
  const c = new AbortController();
  let s = AbortSignal.any([c.signal]);
  s = AbortSignal.any([s]);
  s = AbortSignal.any([s]);
  let fired = false;
  s.onabort = () => { fired = true; };
  c.abort("the reason");
  assert(fired, "intermediate signals are skipped, the last one still fires");
  assertEquals(s.reason, "the reason");
});

test("abort events fire in order: the source, then its dependents", () => {
  const c = new AbortController();
  const signals = [c.signal];
  signals.push(AbortSignal.any([c.signal]));
  signals.push(AbortSignal.any([c.signal]));
  signals.push(AbortSignal.any([signals[0]]));
  signals.push(AbortSignal.any([signals[1]]));
  let order = "";
  signals.forEach((s, i) => s.addEventListener("abort", () => { order += i; }));
  c.abort();
  assertEquals(order, "01234");
});

test("dependents are marked aborted before any abort event fires", () => {
  const c = new AbortController();
  const any = AbortSignal.any([c.signal]);
  let seen;
  c.signal.addEventListener("abort", () => { seen = [any.aborted, any.reason]; });
  c.abort("why");
  assertEquals(seen, [true, "why"]);
});

test("reentrant abort from a dependent's listener keeps the first reason", () => {
  const c1 = new AbortController();
  const c2 = new AbortController();
  const any = AbortSignal.any([c1.signal, c2.signal]);
  c1.signal.addEventListener("abort", () => c2.abort("second"));
  let reasons = [];
  any.addEventListener("abort", () => reasons.push(any.reason));
  c1.abort("first");
  assertEquals(reasons, ["first"]);
  assertEquals(c2.signal.reason, "second");
});

test("AbortSignal.timeout aborts with a TimeoutError", async () => {
  const s = AbortSignal.timeout(5);
  assertEquals(s.aborted, false);
  const e = await keepAlive(new Promise((resolve) => s.addEventListener("abort", resolve)));
  assert(e.isTrusted, "trusted event");
  assert(s.aborted && s.reason instanceof DOMException, "aborted with a DOMException");
  assertEquals([s.reason.name, s.reason.message, s.reason.code], ["TimeoutError", "The operation was aborted due to timeout", 23]);
});

test("AbortSignal.timeout argument checks", () => {
  for (const bad of [-1, NaN, Infinity, 2 ** 53]) assertThrows(() => AbortSignal.timeout(bad), TypeError);
  assertThrows(() => AbortSignal.timeout(), TypeError);
  AbortSignal.timeout(0);
  AbortSignal.timeout(1e9); // must not keep the test runtime alive
});

test("AbortSignal.any with a timeout signal", async () => {
  const c = new AbortController();
  const any = AbortSignal.any([c.signal, AbortSignal.timeout(5)]);
  await keepAlive(new Promise((resolve) => { any.onabort = resolve; }));
  assertEquals(any.reason.name, "TimeoutError");
  assertEquals(c.signal.aborted, false);
});

test("a dependent signal with a listener outlives its references", async () => {
  const c = new AbortController();
  let fired = false;
  (() => { AbortSignal.any([c.signal]).addEventListener("abort", () => { fired = true; }); })();
  await sleep(1);
  c.abort();
  assert(fired, "listener ran");
});

test("scheduler.wait resolves after the delay", async () => {
  const start = Date.now();
  const v = await scheduler.wait(20);
  assertEquals(v, undefined);
  assert(Date.now() - start >= 19, "waited");
  assertEquals(String(scheduler), "[object Scheduler]");
});

test("scheduler.wait rejects with the signal's reason", async () => {
  let pre;
  try { await scheduler.wait(10, { signal: AbortSignal.abort("pre") }); } catch (e) { pre = e; }
  assertEquals(pre, "pre");
  const c = new AbortController();
  const p = scheduler.wait(10000, { signal: c.signal });
  c.abort("stop");
  let got;
  try { await p; } catch (e) { got = e; }
  assertEquals(got, "stop");
  assertThrows(() => scheduler.wait(1, { signal: {} }), TypeError);
});

test("a controller's abort runs through subclassed EventTarget listeners", () => {
  class Job extends EventTarget {
    #c = new AbortController();
    get signal() { return this.#c.signal; }
    cancel(r) { this.#c.abort(r); this.dispatchEvent(new CustomEvent("cancelled", { detail: r })); }
  }
  const j = new Job();
  const got = [];
  j.signal.addEventListener("abort", () => got.push("abort:" + j.signal.reason));
  j.addEventListener("cancelled", (e) => got.push("cancelled:" + e.detail));
  j.cancel("x");
  assertEquals(got, ["abort:x", "cancelled:x"]);
});

test("AbortSignal timeouts fire in order", async () => {
  let order = "";
  for (const [ms, tag] of [[6, "c"], [2, "a"], [4, "b"], [4, "b2"], [0, "0"]]) {
    AbortSignal.timeout(ms).onabort = () => { order += tag; };
  }
  // Timeouts fire from their own timer list; on a busy machine they can land
  // after a short sleep, so wait for all of them (bounded) before comparing.
  const until = async (cond) => { for (let i = 0; i < 200 && !cond(); i++) await sleep(10); };
  await until(() => order.length === 6);
  assertEquals(order, "0abb2c");
  let same = "";
  for (const v of ["1", "2", "3", "4", "5"]) AbortSignal.timeout(3).onabort = () => { same += v; };
  await until(() => same.length === 5);
  assertEquals(same, "12345");
});
