// Queue producer binding: Cloudflare's send()/sendBatch() over a local queue.
// env.QUEUE sends to queue "jobs"; env.DELAYED to queue "delayed" with a
// delivery_delay of 30 s. queueReceive(name) takes every ready message off a
// queue as a consumer would see it ({id, body, contentType, attempts,
// timestamp, size}); advanceClock(s) moves the queues' clock.

const drain = (name = "jobs") => queueReceive(name);
const bodies = (name) => drain(name).map((m) => m.body);

test("a queue binding is a WorkerQueue", () => {
  assertEquals(Object.prototype.toString.call(env.QUEUE), "[object WorkerQueue]");
  assertEquals(typeof env.QUEUE.send, "function");
  assertEquals(typeof env.QUEUE.sendBatch, "function");
});

test("send resolves to undefined and the message arrives once, attempt 1", async () => {
  const p = env.QUEUE.send("hello", { contentType: "text" });
  assert(p instanceof Promise);
  assertEquals(await p, undefined);
  const got = drain();
  assertEquals(got.length, 1);
  assertEquals(got[0].body, "hello");
  assertEquals(got[0].contentType, "text");
  assertEquals(got[0].attempts, 1);
  assertEquals(got[0].timestamp, NOW * 1000);
  assert(/^[0-9a-f]{32}$/.test(got[0].id), got[0].id);
  assertEquals(drain().length, 0);
});

test("the default content type is v8: structured clone keeps Maps, Dates, cycles", async () => {
  const value = { when: new Date(1234), tags: new Map([["a", new Set([1, 2])]]), big: 12n, bytes: new Uint8Array([1, 2]) };
  value.self = value;
  await env.QUEUE.send(value);
  const [m] = drain();
  assertEquals(m.contentType, "v8");
  const b = m.body;
  assert(b.when instanceof Date && b.when.getTime() === 1234, "Date");
  assert(b.tags instanceof Map && b.tags.get("a") instanceof Set && b.tags.get("a").has(2), "Map of Set");
  assertEquals(typeof b.big, "bigint");
  assert(b.big === 12n, "BigInt");
  assertEquals(Array.from(b.bytes), [1, 2]);
  assert(b.self === b, "cycle");
});

test("json, text and bytes content types (case-insensitive)", async () => {
  await env.QUEUE.send({ a: [1, "x"], skip: undefined }, { contentType: "JSON" });
  await env.QUEUE.send("plain ü", { contentType: "text" });
  const all = new Uint8Array([9, 8, 7, 6, 5]);
  await env.QUEUE.send(all.subarray(1, 4), { contentType: "bytes" });
  all[1] = 0; // the message holds a copy
  const got = drain();
  assertEquals(got.map((m) => m.contentType), ["json", "text", "bytes"]);
  assertEquals(got[0].body, { a: [1, "x"] });
  assertEquals(got[1].body, "plain ü");
  assertEquals(Array.from(got[2].body), [8, 7, 6]);
});

test("send rejects what workerd rejects", async () => {
  await assertRejects(env.QUEUE.send(), TypeError, "Message body cannot be undefined");
  await assertRejects(env.QUEUE.send(undefined, { contentType: "json" }), TypeError, "Message body cannot be undefined");
  await assertRejects(env.QUEUE.send("x", { contentType: "xml" }), TypeError, "Unsupported queue message content type: xml");
  await assertRejects(env.QUEUE.send(42, { contentType: "text" }), TypeError, 'Content Type "text" requires a value of type string, but received: number');
  await assertRejects(env.QUEUE.send(new ArrayBuffer(2), { contentType: "bytes" }), TypeError, 'Content Type "bytes" requires a value of type ArrayBufferView, but received: object');
  const e = await assertRejects(env.QUEUE.send({ f() {} }));
  assertEquals(e.name, "DataCloneError");
  assertEquals(drain().length, 0);
});

test("message size limit: 128,000 bytes", async () => {
  await env.QUEUE.send("x".repeat(128000), { contentType: "text" });
  const e = await assertRejects(env.QUEUE.send("x".repeat(128001), { contentType: "text" }), Error);
  assertEquals(e.message, "Queue send failed: message length of 128001 bytes exceeds limit of 128000");
  assert(!(e instanceof TypeError));
  const got = drain();
  assertEquals(got.map((m) => m.size), [128000]);
});

test("delaySeconds postpones delivery; out of range rejects", async () => {
  await env.QUEUE.send("later", { contentType: "text", delaySeconds: 10 });
  await env.QUEUE.send("now", { contentType: "text" });
  assertEquals(bodies(), ["now"]);
  advanceClock(9);
  assertEquals(bodies(), []);
  advanceClock(1);
  assertEquals(bodies(), ["later"]);
  await assertRejects(env.QUEUE.send("x", { delaySeconds: 43201 }), Error, "Queue send failed: message delay 43201 is invalid");
  await assertRejects(env.QUEUE.send("x", { delaySeconds: -1 }), Error, "message delay -1 is invalid");
  await env.QUEUE.send("nan", { contentType: "text", delaySeconds: NaN }); // a WebIDL long: 0
  assertEquals(bodies(), ["nan"]);
});

test("a producer's delivery_delay applies unless the message sets its own", async () => {
  await env.DELAYED.send("default", { contentType: "text" });
  await env.DELAYED.send("own", { contentType: "text", delaySeconds: 0 });
  await env.DELAYED.sendBatch([{ body: "batch", contentType: "text" }]);
  assertEquals(bodies("delayed"), ["own"]);
  advanceClock(30);
  assertEquals(bodies("delayed"), ["default", "batch"]);
});

test("sendBatch keeps order and each message's content type", async () => {
  assertEquals(await env.QUEUE.sendBatch([
    { body: "one", contentType: "text" },
    { body: { n: 2 }, contentType: "json" },
    { body: new Map([[3, 3]]) },
    { body: new Uint8Array([4]), contentType: "bytes" },
  ]), undefined);
  const got = drain();
  assertEquals(got.map((m) => m.contentType), ["text", "json", "v8", "bytes"]);
  assertEquals(got[0].body, "one");
  assertEquals(got[1].body, { n: 2 });
  assert(got[2].body instanceof Map && got[2].body.get(3) === 3);
  assertEquals(Array.from(got[3].body), [4]);
  // Any iterable of messages works.
  await env.QUEUE.sendBatch(new Set([{ body: "from a set", contentType: "text" }]));
  assertEquals(bodies(), ["from a set"]);
});

test("sendBatch delays: a message's own delay wins over the batch's", async () => {
  await env.QUEUE.sendBatch([
    { body: "batch delay", contentType: "text" },
    { body: "own 0", contentType: "text", delaySeconds: 0 },
    { body: "own 20", contentType: "text", delaySeconds: 20 },
  ], { delaySeconds: 10 });
  assertEquals(bodies(), ["own 0"]);
  advanceClock(10);
  assertEquals(bodies(), ["batch delay"]);
  advanceClock(10);
  assertEquals(bodies(), ["own 20"]);
});

test("sendBatch limits: 1..100 messages, 128,000 each, 288,000 in all; nothing is stored on failure", async () => {
  const text = (n, size) => Array.from({ length: n }, () => ({ body: "x".repeat(size), contentType: "text" }));
  await assertRejects(env.QUEUE.sendBatch([]), TypeError, "sendBatch() requires at least one message");
  await assertRejects(env.QUEUE.sendBatch(), TypeError);
  await assertRejects(env.QUEUE.sendBatch([1]), TypeError);
  await assertRejects(env.QUEUE.sendBatch([{ contentType: "text" }]), TypeError, "Message body cannot be undefined");
  let e = await assertRejects(env.QUEUE.sendBatch(text(101, 1)));
  assertEquals(e.message, "Queue sendBatch failed: batch message count of 101 exceeds limit of 100");
  e = await assertRejects(env.QUEUE.sendBatch([...text(1, 1), ...text(1, 128001)]));
  assertEquals(e.message, "Queue sendBatch failed: message in batch has length 128001 bytes which exceeds single message size limit of 128000");
  e = await assertRejects(env.QUEUE.sendBatch(text(3, 96001)));
  assertEquals(e.message, "Queue sendBatch failed: batch size of 288003 bytes exceeds limit of 288000");
  await assertRejects(env.QUEUE.sendBatch(text(1, 1), { delaySeconds: 50000 }), Error, "Queue sendBatch failed: message delay 50000 is invalid");
  assertEquals(drain().length, 0);
  await env.QUEUE.sendBatch(text(100, 2880));
  assertEquals(drain().length, 100);
});
