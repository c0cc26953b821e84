// WritableStream, its writer and controller.
const delay = (ms = 0) => new Promise(r => setTimeout(r, ms));

function recordingSink(extra = {}) {
  const log = [];
  const sink = {
    log,
    start(c) { log.push("start"); sink.controller = c; },
    write(chunk) { log.push(["write", chunk]); },
    close() { log.push("close"); },
    abort(r) { log.push(["abort", r]); },
    ...extra,
  };
  return sink;
}

test("writes reach the sink one at a time, in order, then close", async () => {
  let inFlight = 0, maxInFlight = 0;
  const seen = [];
  const ws = new WritableStream({
    async write(chunk) { inFlight++; maxInFlight = Math.max(maxInFlight, inFlight); await delay(); seen.push(chunk); inFlight--; },
  }, { highWaterMark: 10 });
  const w = ws.getWriter();
  const writes = [w.write(1), w.write(2), w.write(3)];
  await w.close();
  await Promise.all(writes);
  assertEquals(seen, [1, 2, 3]);
  assertEquals(maxInFlight, 1);
  await w.closed;
});

test("the constructor reads the strategy first and rejects a type", () => {
  const log = [];
  const spy = (name, obj) => new Proxy(obj, { get(t, k) { if (typeof k === "string") log.push(`${name}.${k}`); return t[k]; } });
  new WritableStream(spy("sink", {}), spy("strategy", {}));
  assertEquals(log, ["strategy.highWaterMark", "strategy.size", "sink.abort", "sink.close", "sink.start", "sink.type", "sink.write"]);
  assertThrows(() => new WritableStream({ type: "bytes" }), RangeError);
  assertThrows(() => new WritableStream(null), TypeError);
  assertThrows(() => new WritableStream({ write: 1 }), TypeError);
  assertThrows(() => new WritableStream({}, { highWaterMark: -1 }), RangeError);
});

test("desiredSize and ready follow the queue (backpressure)", async () => {
  const gates = [];
  const ws = new WritableStream({ write() { return new Promise(r => gates.push(r)); } }, { highWaterMark: 2 });
  const w = ws.getWriter();
  await w.ready;
  assertEquals(w.desiredSize, 2);
  w.write("a");
  w.write("b");
  assertEquals(w.desiredSize, 0);
  let ready = false;
  w.ready.then(() => { ready = true; });
  await delay();
  assertEquals(ready, false, "ready waits while the queue is full");
  gates.shift()();
  await delay();
  assertEquals(w.desiredSize, 1);
  assertEquals(ready, true);
});

test("a size strategy counts chunks by size", async () => {
  const ws = new WritableStream({ write() { return new Promise(() => {}); } }, { highWaterMark: 10, size: s => s.length });
  const w = ws.getWriter();
  w.write("abcd");
  w.write("efg");
  assertEquals(w.desiredSize, 3);
  const ws2 = new WritableStream({}, { size() { throw new SyntaxError("size"); } });
  const w2 = ws2.getWriter();
  await assertRejects(w2.write("x"), SyntaxError);
  await assertRejects(w2.closed, SyntaxError);
});

test("a write that rejects errors the stream; later writes and close reject with that error", async () => {
  const err = new Error("sink failed");
  const ws = new WritableStream({ write() { throw err; } });
  const w = ws.getWriter();
  assertEquals(await assertRejects(w.write("x")), err);
  assertEquals(await assertRejects(w.write("y")), err);
  assertEquals(await assertRejects(w.close()), err);
  assertEquals(await assertRejects(w.closed), err);
  assertEquals(w.desiredSize, null);
});

test("abort() rejects queued writes, calls the sink's abort and aborts the signal", async () => {
  let signalReason, sawAbortEvent = false;
  const sink = recordingSink({
    start(c) { sink.controller = c; c.signal.addEventListener("abort", () => { sawAbortEvent = true; }); },
    write() { return delay(5); },
  });
  const ws = new WritableStream(sink, { highWaterMark: 5 });
  const w = ws.getWriter();
  await w.ready;
  const first = w.write(1);
  const queued = w.write(2);
  const abortP = w.abort("stop");
  assertEquals(sink.controller.signal.aborted, true);
  signalReason = sink.controller.signal.reason;
  assertEquals(signalReason, "stop");
  assertEquals(sawAbortEvent, true);
  await first; // the write in flight finishes
  assertEquals(await assertRejects(queued), "stop");
  await abortP;
  assertEquals(sink.log[sink.log.length - 1], ["abort", "stop"]);
  assertEquals(await assertRejects(w.closed), "stop");
});

test("abort() twice returns the same promise; abort of a closed stream resolves", async () => {
  const ws = new WritableStream({ write() { return delay(5); } });
  const w = ws.getWriter();
  w.write(1);
  await delay();
  const a1 = w.abort("x"), a2 = w.abort("y");
  assert(a1 === a2, "the pending abort is shared");
  await a1;
  const ws2 = new WritableStream();
  await ws2.close();
  await ws2.abort("late");
});

test("close() waits for queued writes, then calls the sink's close once", async () => {
  const sink = recordingSink({ write(c) { sink.log.push(["write", c]); return delay(); } });
  const ws = new WritableStream(sink);
  const w = ws.getWriter();
  w.write("a");
  w.write("b");
  const closed = w.close();
  await assertRejects(w.close(), TypeError);
  await assertRejects(w.write("c"), TypeError);
  await closed;
  assertEquals(sink.log, ["start", ["write", "a"], ["write", "b"], "close"]);
  assertEquals(w.desiredSize, 0);
});

test("locked streams refuse abort, close and getWriter", async () => {
  const ws = new WritableStream();
  const w = ws.getWriter();
  assertEquals(ws.locked, true);
  assertThrows(() => ws.getWriter(), TypeError);
  assertThrows(() => new WritableStreamDefaultWriter(ws), TypeError);
  await assertRejects(ws.abort(), TypeError);
  await assertRejects(ws.close(), TypeError);
  w.releaseLock();
  assertEquals(ws.locked, false);
  await ws.close();
});

test("releaseLock rejects the writer's ready and closed promises", async () => {
  const ws = new WritableStream();
  const w = ws.getWriter();
  w.releaseLock();
  await assertRejects(w.ready, TypeError);
  await assertRejects(w.closed, TypeError);
  await assertRejects(w.write("x"), TypeError);
  assertThrows(() => w.desiredSize, TypeError);
  w.releaseLock();
});

test("controller.error() errors the stream; later calls do nothing", async () => {
  let controller;
  const ws = new WritableStream({ start(c) { controller = c; } });
  const w = ws.getWriter();
  controller.error(new TypeError("bad"));
  controller.error(new Error("ignored"));
  await assertRejects(w.closed, TypeError, "bad");
  await assertRejects(w.write(1), TypeError, "bad");
  assert(!(controller.signal.aborted), "erroring is not aborting");
});

test("start that rejects errors the stream; write waits for start", async () => {
  let resolveStart;
  const log = [];
  const ws = new WritableStream({ start() { return new Promise(r => { resolveStart = r; }); }, write(c) { log.push(c); } });
  const w = ws.getWriter();
  const wr = w.write("x");
  await delay();
  assertEquals(log, []);
  resolveStart();
  await wr;
  assertEquals(log, ["x"]);
  const ws2 = new WritableStream({ start() { return Promise.reject(new RangeError("s")); } });
  await assertRejects(ws2.getWriter().closed, RangeError);
});

test("interfaces have WebIDL shapes", async () => {
  for (const [C, length, members] of [
    [WritableStream, 0, ["locked", "abort", "close", "getWriter"]],
    [WritableStreamDefaultWriter, 1, ["closed", "desiredSize", "ready", "abort", "close", "releaseLock", "write"]],
    [WritableStreamDefaultController, 0, ["signal", "error"]],
  ]) {
    assertEquals(C.length, length);
    assertEquals(Object.prototype.toString.call(C.prototype), `[object ${C.name}]`);
    for (const m of members) assert(Object.getOwnPropertyDescriptor(C.prototype, m).enumerable, `${C.name}.${m}`);
  }
  assertThrows(() => new WritableStreamDefaultController(), TypeError);
  await assertRejects(WritableStreamDefaultWriter.prototype.write.call({}, 1), TypeError);
  await assertRejects(WritableStream.prototype.abort.call({}), TypeError);
});
