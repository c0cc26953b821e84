// TransformStream and its controller.
const delay = (ms = 0) => new Promise(r => setTimeout(r, ms));
async function readAll(rs) {
  const out = [];
  for await (const x of rs) out.push(x);
  return out;
}

test("an identity TransformStream passes chunks through", async () => {
  const ts = new TransformStream();
  const w = ts.writable.getWriter();
  w.write("a");
  w.write("b");
  w.close();
  assertEquals(await readAll(ts.readable), ["a", "b"]);
});

test("transform and flush get the controller; enqueue many or none", async () => {
  const ts = new TransformStream({
    transform(chunk, c) { for (const ch of chunk) c.enqueue(ch); },
    flush(c) { c.enqueue("end"); },
  });
  const w = ts.writable.getWriter();
  w.write("ab");
  w.write("");
  w.write("c");
  w.close();
  assertEquals(await readAll(ts.readable), ["a", "b", "c", "end"]);
});

test("writes wait for the reader: the readable side's high-water mark is 0", async () => {
  const ts = new TransformStream();
  const w = ts.writable.getWriter();
  let written = false;
  w.write("x").then(() => { written = true; });
  await delay();
  assertEquals(written, false, "nobody read yet");
  const r = ts.readable.getReader();
  assertEquals((await r.read()).value, "x");
  await delay();
  assertEquals(written, true);
  assertEquals(w.desiredSize, 1);
});

test("strategies: a readable high-water mark buffers, a writable one queues", async () => {
  let transformed = 0;
  const ts = new TransformStream({ transform(c, ctl) { transformed++; ctl.enqueue(c); } }, { highWaterMark: 2 }, { highWaterMark: 3 });
  const w = ts.writable.getWriter();
  for (let i = 0; i < 6; i++) w.write(i);
  await delay();
  assertEquals(transformed, 3, "three fill the readable queue; the rest wait on the writable side");
  assertEquals(w.desiredSize, -1, "three writes wait, one of them in flight");
  const tc = [];
  const ts2 = new TransformStream({ start(c) { tc.push(c.desiredSize); } }, undefined, { highWaterMark: 5 });
  assertEquals(tc, [5]);
  assertEquals(ts2.readable.locked, false);
});

test("a transform that throws errors both sides", async () => {
  const ts = new TransformStream({ transform() { throw new SyntaxError("t"); } });
  const w = ts.writable.getWriter();
  const r = ts.readable.getReader();
  const rp = r.read();
  await assertRejects(w.write("x"), SyntaxError);
  await assertRejects(rp, SyntaxError);
  await assertRejects(w.closed, SyntaxError);
});

test("controller.error() and terminate()", async () => {
  let ctl;
  const ts = new TransformStream({ start(c) { ctl = c; } });
  const w = ts.writable.getWriter();
  ctl.error(new RangeError("e"));
  await assertRejects(w.closed, RangeError);
  await assertRejects(ts.readable.getReader().read(), RangeError);

  const ts2 = new TransformStream({ transform(c, ctl) { ctl.enqueue(c); ctl.terminate(); } });
  const w2 = ts2.writable.getWriter();
  const r2 = ts2.readable.getReader();
  const read = r2.read();
  w2.write("last");
  assertEquals((await read).value, "last");
  assertEquals((await r2.read()).done, true);
  await assertRejects(w2.closed, TypeError);
  assertThrows(() => ctl.enqueue("x"), TypeError);
});

test("cancelling the readable side calls cancel and errors the writable side", async () => {
  let reason;
  const ts = new TransformStream({ cancel(r) { reason = r; } });
  const w = ts.writable.getWriter();
  await ts.readable.cancel("enough");
  assertEquals(reason, "enough");
  assertEquals(await assertRejects(w.closed), "enough");
});

test("aborting the writable side calls cancel and errors the readable side", async () => {
  let reason;
  const ts = new TransformStream({ cancel(r) { reason = r; } });
  await ts.writable.abort("gone");
  assertEquals(reason, "gone");
  assertEquals(await assertRejects(ts.readable.getReader().read()), "gone");
});

test("flush that rejects errors the readable side; close rejects", async () => {
  const ts = new TransformStream({ flush() { return Promise.reject(new URIError("f")); } });
  const w = ts.writable.getWriter();
  const r = ts.readable.getReader();
  const read = r.read();
  await assertRejects(w.close(), URIError);
  await assertRejects(read, URIError);
});

test("the constructor: argument order, types and start", async () => {
  const log = [];
  const spy = (name, obj) => new Proxy(obj, { get(t, k) { if (typeof k === "string") log.push(`${name}.${k}`); return t[k]; } });
  new TransformStream(spy("t", {}), spy("w", {}), spy("r", {}));
  assertEquals(log, ["w.highWaterMark", "w.size", "r.highWaterMark", "r.size",
    "t.cancel", "t.flush", "t.readableType", "t.start", "t.transform", "t.writableType"]);
  assertThrows(() => new TransformStream({ readableType: "bytes" }), RangeError);
  assertThrows(() => new TransformStream({ writableType: "bytes" }), RangeError);
  assertThrows(() => new TransformStream({ start() { throw new EvalError("s"); } }), EvalError);
  const t = new TransformStream({ start() { return Promise.reject(new EvalError("later")); } });
  await assertRejects(t.readable.getReader().read(), EvalError);
  assertEquals(TransformStream.length, 0);
  assertThrows(() => new TransformStreamDefaultController(), TypeError);
  for (const m of ["readable", "writable"]) assert(Object.getOwnPropertyDescriptor(TransformStream.prototype, m).enumerable);
});

test("pipeThrough chains transforms", async () => {
  const double = new TransformStream({ transform(c, ctl) { ctl.enqueue(c * 2); } });
  const inc = new TransformStream({ transform(c, ctl) { ctl.enqueue(c + 1); } });
  const out = ReadableStream.from([1, 2, 3]).pipeThrough(double).pipeThrough(inc);
  assertEquals(await readAll(out), [3, 5, 7]);
});

test("pipeThrough checks its arguments", () => {
  const rs = new ReadableStream();
  assertThrows(() => rs.pipeThrough({}), TypeError);
  assertThrows(() => rs.pipeThrough({ readable: rs }), TypeError);
  assertThrows(() => rs.pipeThrough({ writable: new WritableStream() }), TypeError);
  const ts = new TransformStream();
  ts.writable.getWriter();
  assertThrows(() => rs.pipeThrough(ts), TypeError, "locked");
  assertThrows(() => rs.pipeThrough(new TransformStream(), { signal: {} }), TypeError);
  const used = new ReadableStream();
  used.getReader();
  assertThrows(() => used.pipeThrough(new TransformStream()), TypeError, "locked");
});
