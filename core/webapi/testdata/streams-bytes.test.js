// Readable byte streams: ReadableByteStreamController, BYOB readers and
// requests, autoAllocateChunkSize and byte-stream tee.
const delay = (ms = 0) => new Promise(r => setTimeout(r, ms));
const bytes = (...b) => new Uint8Array(b);
const arr = v => Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));

test("enqueue transfers the chunk's buffer to the stream", async () => {
  let controller;
  const rs = new ReadableStream({ type: "bytes", start(c) { controller = c; } });
  const chunk = bytes(1, 2, 3);
  controller.enqueue(chunk);
  assertEquals(chunk.byteLength, 0, "detached");
  assertEquals(chunk.buffer.byteLength, 0);
  const { value } = await rs.getReader().read();
  assert(value instanceof Uint8Array);
  assertEquals(arr(value), [1, 2, 3]);
  assertThrows(() => controller.enqueue(chunk), TypeError, "non-zero");
  assertThrows(() => controller.enqueue(new Uint8Array(0)), TypeError);
  assertThrows(() => controller.enqueue("str"), TypeError);
});

test("a default reader gets enqueued views as Uint8Arrays over the same bytes", async () => {
  const rs = new ReadableStream({ type: "bytes", start(c) {
    c.enqueue(new Uint16Array([0x0201, 0x0403]));
    c.enqueue(new DataView(new ArrayBuffer(8), 2, 3));
    c.close();
  } });
  const reader = rs.getReader();
  const a = (await reader.read()).value;
  assert(a instanceof Uint8Array);
  assertEquals(arr(a), [1, 2, 3, 4]);
  const b = (await reader.read()).value;
  assertEquals([b.byteOffset, b.byteLength, b.buffer.byteLength], [2, 3, 8]);
  assertEquals((await reader.read()).done, true);
});

test("a BYOB read is filled from the queue, across chunks, up to the view's size", async () => {
  const rs = new ReadableStream({ type: "bytes", start(c) { c.enqueue(bytes(1, 2)); c.enqueue(bytes(3, 4, 5)); c.close(); } });
  const reader = rs.getReader({ mode: "byob" });
  assert(reader instanceof ReadableStreamBYOBReader);
  const view = new Uint8Array(4);
  const r1 = await reader.read(view);
  assertEquals(view.byteLength, 0, "the view passed in is detached");
  assertEquals(arr(r1.value), [1, 2, 3, 4]);
  assertEquals(r1.value.buffer.byteLength, 4);
  const r2 = await reader.read(new Uint8Array(4));
  assertEquals(arr(r2.value), [5]);
  const r3 = await reader.read(new Uint8Array(4));
  assertEquals(r3.done, true);
  assertEquals(r3.value.byteLength, 0, "done comes with an empty view over the buffer");
  assertEquals(r3.value.buffer.byteLength, 4);
});

test("byobRequest: the source writes into the reader's buffer and responds", async () => {
  const rs = new ReadableStream({
    type: "bytes",
    pull(c) {
      const req = c.byobRequest;
      assert(req instanceof ReadableStreamBYOBRequest);
      const v = req.view;
      assertEquals([v.byteOffset, v.byteLength], [0, 8]);
      v[0] = 42; v[1] = 43;
      req.respond(2);
      assertEquals(c.byobRequest, null, "answered requests go away");
      assertThrows(() => req.respond(1), TypeError, "invalidated");
    },
  });
  const { value } = await rs.getReader({ mode: "byob" }).read(new Uint8Array(8));
  assertEquals(arr(value), [42, 43]);
});

test("respond() checks bytesWritten; respondWithNewView() checks the view", async () => {
  let req;
  const rs = new ReadableStream({ type: "bytes", pull(c) { req = c.byobRequest; } });
  const reader = rs.getReader({ mode: "byob" });
  const read = reader.read(new Uint8Array(4));
  await delay();
  assertThrows(() => req.respond(0), TypeError);
  assertThrows(() => req.respond(5), RangeError);
  assertThrows(() => req.respond(-1), TypeError);
  assertThrows(() => req.respondWithNewView(new Uint8Array(2)), RangeError, "capacity");
  const buf = req.view.buffer;
  const v = new Uint8Array(req.view.buffer, 0, 3);
  v.set([7, 8, 9]);
  req.respondWithNewView(v);
  assertEquals(buf.byteLength, 0, "the view's buffer was transferred");
  assertEquals(arr((await read).value), [7, 8, 9]);
});

test("read(view, { min }) waits for at least min elements", async () => {
  let controller;
  const rs = new ReadableStream({ type: "bytes", start(c) { controller = c; } });
  const reader = rs.getReader({ mode: "byob" });
  let settled = false;
  const read = reader.read(new Uint8Array(6), { min: 4 }).then(r => { settled = true; return r; });
  controller.enqueue(bytes(1, 2));
  await delay();
  assertEquals(settled, false, "2 bytes are not enough");
  controller.enqueue(bytes(3, 4, 5));
  assertEquals(arr((await read).value), [1, 2, 3, 4, 5]);
  await assertRejects(reader.read(new Uint8Array(2), { min: 3 }), RangeError);
  await assertRejects(reader.read(new Uint8Array(2), { min: 0 }), TypeError);
  await assertRejects(reader.read(new DataView(new ArrayBuffer(2)), { min: 3 }), RangeError);
});

test("multi-byte views: partial elements wait, and close with a partial element errors", async () => {
  let controller;
  const rs = new ReadableStream({ type: "bytes", start(c) { controller = c; } });
  const reader = rs.getReader({ mode: "byob" });
  const read = reader.read(new Uint16Array(2));
  controller.enqueue(bytes(1, 0, 2));
  const { value } = await read;
  assert(value instanceof Uint16Array);
  assertEquals(Array.from(value), [1], "the odd byte stays queued");
  const read2 = reader.read(new Uint16Array(2));
  assertThrows(() => controller.close(), TypeError);
  await assertRejects(read2, TypeError);
});

test("BYOB read argument checks reject with TypeError", async () => {
  const rs = new ReadableStream({ type: "bytes" });
  const reader = rs.getReader({ mode: "byob" });
  await assertRejects(reader.read(), TypeError);
  await assertRejects(reader.read(new ArrayBuffer(4)), TypeError);
  await assertRejects(reader.read(new Uint8Array(0)), TypeError);
  const detached = new Uint8Array(4);
  const rs2 = new ReadableStream({ type: "bytes", start(c) { c.enqueue(detached); } });
  await assertRejects(reader.read(detached), TypeError);
  reader.releaseLock();
  await assertRejects(reader.read(new Uint8Array(1)), TypeError);
  assertThrows(() => new ReadableStreamBYOBReader(new ReadableStream()), TypeError);
  await rs2.cancel();
});

test("autoAllocateChunkSize gives default readers a byobRequest", async () => {
  let seen;
  const rs = new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: 16,
    pull(c) {
      const req = c.byobRequest;
      seen = req.view.byteLength;
      req.view[0] = 9;
      req.respond(1);
    },
  });
  const { value } = await rs.getReader().read();
  assertEquals(seen, 16);
  assertEquals(arr(value), [9]);
  assertEquals(value.buffer.byteLength, 16);
});

test("releasing a BYOB reader with a pending read keeps the filled bytes for the next reader", async () => {
  let req;
  const rs = new ReadableStream({ type: "bytes", pull(c) { req = c.byobRequest; } });
  const reader = rs.getReader({ mode: "byob" });
  const pending = reader.read(new Uint8Array(4));
  await delay();
  reader.releaseLock();
  await assertRejects(pending, TypeError);
  req.view[0] = 5;
  req.respond(1);
  const { value } = await rs.getReader().read();
  assertEquals(arr(value), [5]);
});

test("byte controller: desiredSize, close while queued, error", async () => {
  let controller;
  const rs = new ReadableStream({ type: "bytes", start(c) { controller = c; } }, { highWaterMark: 10 });
  assertEquals(controller.desiredSize, 10);
  controller.enqueue(new Uint8Array(4));
  assertEquals(controller.desiredSize, 6);
  controller.close();
  assertThrows(() => controller.close(), TypeError);
  assertThrows(() => controller.enqueue(bytes(1)), TypeError);
  const reader = rs.getReader();
  assertEquals((await reader.read()).value.byteLength, 4);
  assertEquals((await reader.read()).done, true);

  const rs2 = new ReadableStream({ type: "bytes", start(c) { c.error(new SyntaxError("e")); } });
  await assertRejects(rs2.getReader({ mode: "byob" }).read(new Uint8Array(1)), SyntaxError);
});

test("cancel() with a pending BYOB read resolves it done", async () => {
  let reason;
  const rs = new ReadableStream({ type: "bytes", cancel(r) { reason = r; } });
  const reader = rs.getReader({ mode: "byob" });
  const read = reader.read(new Uint8Array(3));
  await reader.cancel("c");
  const r = await read;
  assertEquals(r.done, true);
  assertEquals(r.value, undefined);
  assertEquals(reason, "c");
});

test("tee of a byte stream: branches are byte streams with their own copies", async () => {
  let controller;
  const rs = new ReadableStream({ type: "bytes", start(c) { controller = c; } });
  const [a, b] = rs.tee();
  const ra = a.getReader({ mode: "byob" });
  const rb = b.getReader();
  const pa = ra.read(new Uint8Array(8));
  const pb = rb.read();
  controller.enqueue(bytes(1, 2, 3));
  const [va, vb] = await Promise.all([pa, pb]);
  assertEquals(arr(va.value), [1, 2, 3]);
  assertEquals(arr(vb.value), [1, 2, 3]);
  assert(va.value.buffer !== vb.value.buffer, "each branch owns its bytes");
  controller.close();
  assertEquals((await rb.read()).done, true);
  assertEquals((await ra.read(new Uint8Array(1))).done, true);
});

test("tee of a byte stream propagates errors and cancels with both reasons", async () => {
  let reason;
  const rs = new ReadableStream({ type: "bytes", cancel(r) { reason = r; } });
  const [a, b] = rs.tee();
  await Promise.all([a.cancel(1), b.cancel(2)]);
  assertEquals(reason, [1, 2]);
  let controller;
  const rs2 = new ReadableStream({ type: "bytes", start(c) { controller = c; } });
  const [c, d] = rs2.tee();
  controller.error(new URIError("u"));
  await assertRejects(c.getReader().read(), URIError);
  await assertRejects(d.getReader({ mode: "byob" }).read(new Uint8Array(1)), URIError);
});

test("readAtLeast (Workers) reads at least minBytes", async () => {
  const rs = new ReadableStream({ type: "bytes", start(c) { c.enqueue(bytes(1)); c.enqueue(bytes(2, 3)); c.close(); } });
  const reader = rs.getReader({ mode: "byob" });
  const { value } = await reader.readAtLeast(3, new Uint8Array(5));
  assertEquals(arr(value), [1, 2, 3]);
  await assertRejects(reader.readAtLeast(3, new Uint16Array(4)), TypeError, "multiple");
});
