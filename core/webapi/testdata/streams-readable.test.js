// ReadableStream, readers and controllers, from the WHATWG Streams Standard.
const delay = (ms = 0) => new Promise(r => setTimeout(r, ms));
const ticks = async (n = 10) => { for (let i = 0; i < n; i++) await Promise.resolve(); };
async function readAll(rs) {
  const out = [];
  const reader = rs.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

test("the constructor reads the strategy before the underlying source, members in order", () => {
  const log = [];
  const spy = (name, obj) => new Proxy(obj, { get(t, k) { if (typeof k === "string") log.push(`${name}.${k}`); return t[k]; } });
  new ReadableStream(spy("source", {}), spy("strategy", {}));
  assertEquals(log, ["strategy.highWaterMark", "strategy.size",
    "source.autoAllocateChunkSize", "source.cancel", "source.pull", "source.start", "source.type"]);
});

test("the constructor rejects bad arguments with the standard's error types", () => {
  const cases = [
    [() => new ReadableStream(null), TypeError],
    [() => new ReadableStream(5), TypeError],
    [() => new ReadableStream({ start: 1 }), TypeError],
    [() => new ReadableStream({ pull: "x" }), TypeError],
    [() => new ReadableStream({ type: "byte" }), TypeError],
    [() => new ReadableStream({}, { highWaterMark: -1 }), RangeError],
    [() => new ReadableStream({}, { highWaterMark: NaN }), RangeError],
    [() => new ReadableStream({}, { size: 1 }), TypeError],
    [() => new ReadableStream({ type: "bytes" }, { size() { return 1; } }), RangeError],
    [() => new ReadableStream({ type: "bytes", autoAllocateChunkSize: 0 }), TypeError],
    [() => ReadableStream(), TypeError],
  ];
  for (const [fn, ctor] of cases) assertThrows(fn, ctor);
  // undefined members and strategies are fine
  new ReadableStream(undefined, undefined);
  new ReadableStream({ start: undefined }, null);
  new ReadableStream({ type: "bytes" }, { highWaterMark: 3 });
});

test("start, pull and cancel get the controller and the source as this", async () => {
  const calls = [];
  const source = {
    start(c) { calls.push(["start", this === source, c instanceof ReadableStreamDefaultController]); },
    pull(c) { calls.push(["pull", this === source]); c.enqueue("a"); },
    cancel(reason) { calls.push(["cancel", this === source, reason]); },
  };
  const rs = new ReadableStream(source);
  const reader = rs.getReader();
  assertEquals(await reader.read(), { value: "a", done: false });
  await reader.cancel("why");
  assertEquals(calls[0], ["start", true, true]);
  assert(calls.some(c => c[0] === "pull" && c[1]), "pull with this = source");
  assertEquals(calls[calls.length - 1], ["cancel", true, "why"]);
});

test("pull waits for start, then fills the queue up to the high-water mark", async () => {
  let resolveStart;
  let pulls = 0;
  const rs = new ReadableStream({
    start() { return new Promise(r => { resolveStart = r; }); },
    pull(c) { pulls++; c.enqueue(pulls); },
  }, { highWaterMark: 3 });
  await delay();
  assertEquals(pulls, 0, "no pull before start settles");
  resolveStart();
  await delay();
  assertEquals(pulls, 3, "pulled until desiredSize reached 0");
  const reader = rs.getReader();
  assertEquals((await reader.read()).value, 1);
  await delay();
  assertEquals(pulls, 4, "one read makes room for one more pull");
});

test("desiredSize follows the queue and the strategy's size", async () => {
  let controller;
  const rs = new ReadableStream({ start(c) { controller = c; } }, { highWaterMark: 10, size: chunk => chunk.length });
  assertEquals(controller.desiredSize, 10);
  controller.enqueue("abc");
  assertEquals(controller.desiredSize, 7);
  controller.enqueue("abcdefghijk");
  assertEquals(controller.desiredSize, -4);
  const reader = rs.getReader();
  await reader.read();
  assertEquals(controller.desiredSize, -1);
  controller.close();
  await reader.read();
  assertEquals(controller.desiredSize, 0, "closed");
});

test("a size function that throws or returns a bad size errors the stream", async () => {
  for (const [size, ctor] of [[() => { throw new SyntaxError("size"); }, SyntaxError], [() => NaN, RangeError], [() => -1, RangeError], [() => Infinity, RangeError]]) {
    let controller;
    const rs = new ReadableStream({ start(c) { controller = c; } }, { size });
    assertThrows(() => controller.enqueue("x"), ctor);
    await assertRejects(rs.getReader().read(), ctor);
  }
});

test("close and enqueue after close throw TypeErrors; queued chunks are still read", async () => {
  let controller;
  const rs = new ReadableStream({ start(c) { controller = c; c.enqueue(1); c.enqueue(2); c.close(); } });
  assertThrows(() => controller.enqueue(3), TypeError);
  assertThrows(() => controller.close(), TypeError);
  assertEquals(await readAll(rs), [1, 2]);
});

test("error() rejects pending and later reads and the closed promise", async () => {
  let controller;
  const rs = new ReadableStream({ start(c) { controller = c; } });
  const reader = rs.getReader();
  const pending = reader.read();
  const err = new Error("boom");
  controller.error(err);
  assertEquals(await assertRejects(pending), err);
  assertEquals(await assertRejects(reader.read()), err);
  assertEquals(await assertRejects(reader.closed), err);
  assertEquals(controller.desiredSize, null);
  controller.error(new Error("ignored")); // no-op once errored
});

test("a start or pull that throws or rejects errors the stream", async () => {
  assertThrows(() => new ReadableStream({ start() { throw new URIError("sync"); } }), URIError);
  const rs1 = new ReadableStream({ start() { return Promise.reject(new EvalError("async")); } });
  await assertRejects(rs1.getReader().read(), EvalError);
  const rs2 = new ReadableStream({ pull() { throw new RangeError("pull"); } });
  await assertRejects(rs2.getReader().read(), RangeError);
});

test("cancel() passes the reason to the source, empties the queue and closes the stream", async () => {
  let reason;
  const rs = new ReadableStream({ start(c) { c.enqueue("a"); }, cancel(r) { reason = r; return delay(); } });
  const result = rs.cancel("stop");
  assert(result instanceof Promise);
  assertEquals(await result, undefined);
  assertEquals(reason, "stop");
  const reader = rs.getReader();
  assertEquals(await reader.read(), { value: undefined, done: true });
  await reader.closed;
});

test("cancel() of a locked stream rejects; a source cancel that throws rejects cancel()", async () => {
  const rs = new ReadableStream();
  rs.getReader();
  await assertRejects(rs.cancel(), TypeError);
  const rs2 = new ReadableStream({ cancel() { throw new SyntaxError("no"); } });
  await assertRejects(rs2.cancel(), SyntaxError);
});

test("locked, getReader twice and releaseLock", async () => {
  let controller;
  const rs = new ReadableStream({ start(c) { controller = c; } });
  assertEquals(rs.locked, false);
  const reader = rs.getReader();
  assertEquals(rs.locked, true);
  assertThrows(() => rs.getReader(), TypeError);
  assertThrows(() => new ReadableStreamDefaultReader(rs), TypeError);
  const pending = reader.read();
  reader.releaseLock();
  assertEquals(rs.locked, false);
  await assertRejects(pending, TypeError);
  await assertRejects(reader.closed, TypeError);
  await assertRejects(reader.read(), TypeError);
  reader.releaseLock(); // no-op
  const reader2 = rs.getReader();
  controller.enqueue("x");
  assertEquals(await reader2.read(), { value: "x", done: false });
});

test("the closed promise resolves on close and a reader on a closed stream is closed", async () => {
  const rs = new ReadableStream({ start(c) { c.close(); } });
  const reader = rs.getReader();
  assertEquals(await reader.closed, undefined);
  reader.releaseLock();
  await assertRejects(reader.closed, TypeError);
  const again = rs.getReader();
  assertEquals(await again.read(), { value: undefined, done: true });
});

test("getReader rejects unknown modes; reader classes check their argument", () => {
  const rs = new ReadableStream();
  assertThrows(() => rs.getReader({ mode: "default" }), TypeError);
  assertThrows(() => rs.getReader(5), TypeError);
  assertThrows(() => new ReadableStreamDefaultReader({}), TypeError);
  assertThrows(() => rs.getReader({ mode: "byob" }), TypeError, "byte stream");
  rs.getReader({ mode: undefined }).releaseLock();
});

test("methods check their receiver", async () => {
  assertThrows(() => ReadableStream.prototype.getReader.call({}), TypeError);
  assertThrows(() => Object.getOwnPropertyDescriptor(ReadableStream.prototype, "locked").get.call({}), TypeError);
  await assertRejects(ReadableStream.prototype.cancel.call({}), TypeError);
  await assertRejects(ReadableStream.prototype.pipeTo.call({}, new WritableStream()), TypeError);
  await assertRejects(ReadableStreamDefaultReader.prototype.read.call({}), TypeError);
  assertThrows(() => new ReadableStreamDefaultController(), TypeError);
  assertThrows(() => new ReadableByteStreamController(), TypeError);
  assertThrows(() => new ReadableStreamBYOBRequest(), TypeError);
});

test("interfaces have WebIDL shapes", () => {
  const shapes = [
    [ReadableStream, 0, ["locked", "cancel", "getReader", "pipeThrough", "pipeTo", "tee", "values"]],
    [ReadableStreamDefaultReader, 1, ["closed", "cancel", "read", "releaseLock"]],
    [ReadableStreamBYOBReader, 1, ["closed", "cancel", "read", "releaseLock"]],
    [ReadableStreamDefaultController, 0, ["desiredSize", "close", "enqueue", "error"]],
    [ReadableByteStreamController, 0, ["byobRequest", "desiredSize", "close", "enqueue", "error"]],
    [ReadableStreamBYOBRequest, 0, ["view", "respond", "respondWithNewView"]],
  ];
  for (const [C, length, members] of shapes) {
    assertEquals(C.length, length, C.name + ".length");
    assertEquals(Object.prototype.toString.call(C.prototype), `[object ${C.name}]`);
    for (const m of members) {
      const d = Object.getOwnPropertyDescriptor(C.prototype, m);
      assert(d && d.enumerable && d.configurable, `${C.name}.${m} is an enumerable, configurable member`);
    }
  }
  assertEquals(ReadableStream.prototype[Symbol.asyncIterator], ReadableStream.prototype.values);
  assertEquals(Object.getOwnPropertyDescriptor(ReadableStream.prototype, Symbol.asyncIterator).enumerable, false);
  assertEquals(typeof ReadableStream.from, "function");
  assertEquals(Object.keys(new ReadableStream()), []);
  assertEquals(Object.getOwnPropertyDescriptor(globalThis, "ReadableStream").enumerable, false);
});

test("async iteration reads every chunk; break cancels the stream", async () => {
  const rs = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.enqueue(3); c.close(); } });
  const seen = [];
  for await (const x of rs) seen.push(x);
  assertEquals(seen, [1, 2, 3]);
  assertEquals(rs.locked, false, "the lock is released at the end");

  const cancels = [];
  const rs2 = new ReadableStream({ pull(c) { c.enqueue("x"); }, cancel(r) { cancels.push(r); } });
  for await (const x of rs2) { assertEquals(x, "x"); break; }
  assertEquals(rs2.locked, false);
  assertEquals(cancels, [undefined], "return() cancelled the stream once");
  assertEquals(await rs2.getReader().read(), { value: undefined, done: true }, "break cancelled the stream");
});

test("values({ preventCancel: true }) leaves the stream readable after break", async () => {
  let n = 0;
  const rs = new ReadableStream({ pull(c) { c.enqueue(++n); } });
  for await (const x of rs.values({ preventCancel: true })) { assertEquals(x, 1); break; }
  assertEquals(rs.locked, false);
  const { value } = await rs.getReader().read();
  assert(value >= 2, "more chunks come after the iterator let go");
});

test("the async iterator rejects on error, then reports done; next calls queue up", async () => {
  let controller;
  const rs = new ReadableStream({ start(c) { controller = c; } });
  const it = rs[Symbol.asyncIterator]();
  const p1 = it.next(), p2 = it.next();
  controller.enqueue("a");
  controller.enqueue("b");
  assertEquals(await p1, { value: "a", done: false });
  assertEquals(await p2, { value: "b", done: false });
  const p3 = it.next();
  controller.error(new Error("bad"));
  await assertRejects(p3, Error, "bad");
  assertEquals(await it.next(), { value: undefined, done: true });
  assertEquals(await it.return("v"), { value: "v", done: true });
  const proto = Object.getPrototypeOf(Object.getPrototypeOf(it));
  assertEquals(typeof proto[Symbol.asyncIterator], "function", "inherits from %AsyncIteratorPrototype%");
  assertEquals(Object.prototype.toString.call(it), "[object ReadableStream AsyncIterator]");
  const locked = new ReadableStream();
  locked.values();
  assertThrows(() => locked.values(), TypeError, "locked");
});

test("ReadableStream.from takes arrays, iterables, async iterables and streams", async () => {
  assertEquals(await readAll(ReadableStream.from([1, 2, 3])), [1, 2, 3]);
  assertEquals(await readAll(ReadableStream.from("ab")), ["a", "b"]);
  assertEquals(await readAll(ReadableStream.from([Promise.resolve("p"), "q"])), ["p", "q"]);
  const asyncIterable = { [Symbol.asyncIterator]() { let i = 0; return { next: async () => (i < 2 ? { value: i++, done: false } : { done: true }) }; } };
  assertEquals(await readAll(ReadableStream.from(asyncIterable)), [0, 1]);
  const inner = ReadableStream.from(["s"]);
  const outer = ReadableStream.from(inner);
  assert(outer !== inner && outer instanceof ReadableStream);
  assertEquals(await readAll(outer), ["s"]);
  for (const bad of [undefined, null, 5, {}, { [Symbol.iterator]: 1 }]) assertThrows(() => ReadableStream.from(bad), TypeError);
});

test("ReadableStream.from: cancel calls the iterator's return with the reason; bad results error", async () => {
  let returned;
  const iterable = { [Symbol.asyncIterator]() { return { next: async () => ({ value: 1, done: false }), return: async (r) => { returned = r; return { done: true }; } }; } };
  const rs = ReadableStream.from(iterable);
  const reader = rs.getReader();
  await reader.read();
  await reader.cancel("enough");
  assertEquals(returned, "enough");
  const bad = ReadableStream.from({ [Symbol.asyncIterator]() { return { next: () => 5 }; } });
  await assertRejects(bad.getReader().read(), TypeError);
  const rejecting = ReadableStream.from({ [Symbol.asyncIterator]() { return { next: () => Promise.reject(new SyntaxError("n")) }; } });
  await assertRejects(rejecting.getReader().read(), SyntaxError);
});

test("tee gives both branches every chunk, and close and error reach both", async () => {
  let controller;
  const rs = new ReadableStream({ start(c) { controller = c; } });
  const [a, b] = rs.tee();
  assertEquals(rs.locked, true);
  controller.enqueue("x");
  controller.enqueue({ y: 1 });
  controller.close();
  const [ra, rb] = await Promise.all([readAll(a), readAll(b)]);
  assertEquals(ra, ["x", { y: 1 }]);
  assertEquals(rb, ["x", { y: 1 }]);

  const rs2 = new ReadableStream({ start(c) { c.error(new TypeError("t")); } });
  const [c, d] = rs2.tee();
  await assertRejects(c.getReader().read(), TypeError);
  await assertRejects(d.getReader().closed, TypeError);
});

test("tee: the source is cancelled with both reasons once both branches cancel", async () => {
  let reason;
  const rs = new ReadableStream({ cancel(r) { reason = r; } });
  const [a, b] = rs.tee();
  const pa = a.cancel("one");
  await delay();
  assertEquals(reason, undefined, "one branch is not enough");
  await Promise.all([pa, b.cancel("two")]);
  assertEquals(reason, ["one", "two"]);
});

test("tee: a slow branch does not stop the other; chunks are the same objects", async () => {
  let n = 0;
  const obj = {};
  const rs = new ReadableStream({ pull(c) { if (n++ < 3) c.enqueue(obj); else c.close(); } });
  const [a, b] = rs.tee();
  const all = await readAll(a);
  assertEquals(all.length, 3);
  const rb = b.getReader();
  assert((await rb.read()).value === obj);
});
