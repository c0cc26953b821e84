// ReadableStream.prototype.pipeTo and its options.
const delay = (ms = 0) => new Promise(r => setTimeout(r, ms));

function sink(extra = {}) {
  const s = { chunks: [], events: [], write(c) { s.chunks.push(c); }, close() { s.events.push("close"); }, abort(r) { s.events.push(["abort", r]); }, ...extra };
  return s;
}

test("pipeTo moves every chunk and closes the destination", async () => {
  const s = sink();
  const ws = new WritableStream(s);
  const rs = ReadableStream.from([1, 2, 3]);
  const p = rs.pipeTo(ws);
  assertEquals(rs.locked, true);
  assertEquals(ws.locked, true);
  assertEquals(await p, undefined);
  assertEquals(s.chunks, [1, 2, 3]);
  assertEquals(s.events, ["close"]);
  assertEquals(rs.locked, false);
  assertEquals(ws.locked, false);
});

test("preventClose leaves the destination open and writable", async () => {
  const s = sink();
  const ws = new WritableStream(s);
  await ReadableStream.from(["a"]).pipeTo(ws, { preventClose: true });
  assertEquals(s.events, []);
  const w = ws.getWriter();
  await w.write("b");
  assertEquals(s.chunks, ["a", "b"]);
});

test("a source error aborts the destination, or not with preventAbort", async () => {
  const err = new Error("source failed");
  for (const preventAbort of [false, true]) {
    const s = sink();
    const ws = new WritableStream(s);
    const rs = new ReadableStream({ start(c) { c.enqueue(1); }, pull(c) { c.error(err); } });
    assertEquals(await assertRejects(rs.pipeTo(ws, { preventAbort })), err);
    assertEquals(s.chunks, [1]);
    if (preventAbort) {
      assertEquals(s.events, []);
      await ws.getWriter().write(2);
    } else {
      assertEquals(s.events, [["abort", err]]);
    }
  }
});

test("a destination error cancels the source, or not with preventCancel", async () => {
  const err = new Error("sink failed");
  for (const preventCancel of [false, true]) {
    const cancels = [];
    const rs = new ReadableStream({ pull(c) { c.enqueue("x"); }, cancel(r) { cancels.push(r); } });
    const ws = new WritableStream({ write() { throw err; } });
    assertEquals(await assertRejects(rs.pipeTo(ws, { preventCancel })), err);
    assertEquals(cancels, preventCancel ? [] : [err]);
    assertEquals(rs.locked, false);
  }
});

test("a closed destination cancels the source with a TypeError", async () => {
  const cancels = [];
  const rs = new ReadableStream({ cancel(r) { cancels.push(r); } });
  const ws = new WritableStream();
  await ws.close();
  await assertRejects(rs.pipeTo(ws), TypeError);
  assert(cancels[0] instanceof TypeError);
  const rs2 = new ReadableStream({ cancel(r) { cancels.push("no"); } });
  await assertRejects(rs2.pipeTo(ws, { preventCancel: true }), TypeError);
  assertEquals(cancels.length, 1);
});

test("an already errored source or destination settles at once", async () => {
  const rs = new ReadableStream({ start(c) { c.error(new SyntaxError("s")); } });
  const s = sink();
  await assertRejects(rs.pipeTo(new WritableStream(s)), SyntaxError);
  assertEquals(s.events.length, 1, "aborted");
  const ws = new WritableStream({ start(c) { c.error(new RangeError("d")); } });
  await delay();
  let cancelled;
  await assertRejects(new ReadableStream({ cancel(r) { cancelled = r; } }).pipeTo(ws), RangeError);
  assert(cancelled instanceof RangeError);
});

test("closing propagates forward after the writes finish", async () => {
  const order = [];
  const ws = new WritableStream({ async write(c) { await delay(2); order.push(c); }, close() { order.push("close"); } }, { highWaterMark: 5 });
  await ReadableStream.from([1, 2, 3]).pipeTo(ws);
  assertEquals(order, [1, 2, 3, "close"]);
});

test("backpressure: a slow destination pauses the source", async () => {
  let pulls = 0;
  const rs = new ReadableStream({ pull(c) { pulls++; c.enqueue(pulls); } }, { highWaterMark: 0 });
  const gates = [];
  const ws = new WritableStream({ write() { return new Promise(r => gates.push(r)); } }, { highWaterMark: 1 });
  rs.pipeTo(ws).catch(() => {});
  await delay(5);
  const pullsWhileBlocked = pulls;
  assert(pullsWhileBlocked <= 3, `the source was pulled ${pullsWhileBlocked} times while the sink was stuck`);
  await delay(5);
  assertEquals(pulls, pullsWhileBlocked, "no more pulls while the sink is stuck");
  gates.shift()();
  await delay(5);
  assert(pulls > pullsWhileBlocked, "the pipe resumes when the sink catches up");
});

test("an AbortSignal aborts the pipe: the destination is aborted and the source cancelled", async () => {
  const ac = new AbortController();
  let cancelled;
  const rs = new ReadableStream({ pull(c) { c.enqueue("x"); return delay(1); }, cancel(r) { cancelled = r; } });
  const s = sink();
  const ws = new WritableStream(s);
  const p = rs.pipeTo(ws, { signal: ac.signal });
  await delay(3);
  const reason = new Error("user abort");
  ac.abort(reason);
  assertEquals(await assertRejects(p), reason);
  assertEquals(cancelled, reason);
  assertEquals(s.events[s.events.length - 1], ["abort", reason]);
  assert(s.chunks.length > 0);
});

test("an AbortSignal with preventAbort and preventCancel only stops the pipe", async () => {
  const ac = new AbortController();
  const cancels = [];
  const rs = new ReadableStream({ pull(c) { c.enqueue("x"); return delay(1); }, cancel(r) { cancels.push(r); } });
  const s = sink();
  const ws = new WritableStream(s);
  const p = rs.pipeTo(ws, { signal: ac.signal, preventAbort: true, preventCancel: true });
  await delay(3);
  ac.abort();
  const e = await assertRejects(p);
  assertEquals(e.name, "AbortError");
  assertEquals(cancels, []);
  assertEquals(s.events, []);
  assertEquals(rs.locked, false);
  assertEquals(ws.locked, false);
});

test("an already aborted signal rejects without reading", async () => {
  let pulled = false;
  const rs = new ReadableStream({ start(c) { c.enqueue(1); }, pull() { pulled = true; } });
  const s = sink();
  const p = rs.pipeTo(new WritableStream(s), { signal: AbortSignal.abort("early") });
  assertEquals(await assertRejects(p), "early");
  assertEquals(s.chunks, []);
});

test("pipeTo checks its arguments and locks, rejecting instead of throwing", async () => {
  const rs = new ReadableStream();
  await assertRejects(rs.pipeTo(), TypeError);
  await assertRejects(rs.pipeTo({}), TypeError);
  await assertRejects(rs.pipeTo(new WritableStream(), { signal: "nope" }), TypeError);
  await assertRejects(rs.pipeTo(new WritableStream(), 5), TypeError);
  const ws = new WritableStream();
  ws.getWriter();
  await assertRejects(rs.pipeTo(ws), TypeError, "locked");
  const locked = new ReadableStream();
  locked.getReader();
  await assertRejects(locked.pipeTo(new WritableStream()), TypeError, "locked");
});

test("pipeTo does not use the public, patchable methods", async () => {
  const saved = [ReadableStream.prototype.getReader, WritableStream.prototype.getWriter, Promise.prototype.then];
  ReadableStream.prototype.getReader = () => { throw new Error("patched getReader"); };
  WritableStream.prototype.getWriter = () => { throw new Error("patched getWriter"); };
  const s = sink();
  let p;
  try {
    p = ReadableStream.from([1, 2]).pipeTo(new WritableStream(s));
  } finally {
    [ReadableStream.prototype.getReader, WritableStream.prototype.getWriter] = saved;
  }
  await p;
  assertEquals(s.chunks, [1, 2]);
});
