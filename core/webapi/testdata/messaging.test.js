// MessageChannel, MessagePort and MessageEvent, after the HTML standard.

// For checks that nothing arrives: deliveries already queued run before a
// timer set after them fires.
const tick = () => new Promise((r) => setTimeout(r, 1));

function nextMessage(port, type = "message") {
  return new Promise((resolve) => port.addEventListener(type, resolve, { once: true }));
}

// Resolves with the data of the next n messages port receives (it must be started).
function collect(port, n) {
  const got = [];
  return new Promise((resolve) => {
    port.addEventListener("message", function on(e) {
      got.push(e.data);
      if (got.length === n) { port.removeEventListener("message", on); resolve(got); }
    });
  });
}

test("a message goes from port1 to port2 as a cloned value, in a later task", async () => {
  const { port1, port2 } = new MessageChannel();
  const got = [];
  let current;
  port2.onmessage = (e) => { got.push(e); current = e.currentTarget; };
  const arrived = nextMessage(port2);
  const payload = { a: 1, list: [1, 2], when: new Date(5) };
  port1.postMessage(payload);
  assertEquals(got.length, 0, "not delivered synchronously");
  await arrived;
  assertEquals(got.length, 1);
  const e = got[0];
  assert(e instanceof MessageEvent && e instanceof Event, "a MessageEvent");
  assertEquals([e.type, e.origin, e.lastEventId, e.source, e.isTrusted, e.bubbles, e.cancelable], ["message", "", "", null, true, false, false]);
  assert(e.data !== payload && e.data.when instanceof Date, "data is a structured clone");
  assertEquals(e.data, { a: 1, list: [1, 2], when: "1970-01-01T00:00:00.005Z" });
  assertEquals(e.ports, []);
  assert(Object.isFrozen(e.ports), "ports is frozen");
  assert(e.target === port2 && current === port2, "target is the receiving port");
});

test("the value is snapshotted when posted", async () => {
  const { port1, port2 } = new MessageChannel();
  const o = { n: 1 };
  const p = nextMessage(port2);
  port2.start();
  port1.postMessage(o);
  o.n = 2;
  assertEquals((await p).data, { n: 1 });
});

test("messages arrive in order, both ways", async () => {
  const { port1, port2 } = new MessageChannel();
  port2.onmessage = (e) => { if (e.data === 3) port2.postMessage("done"); };
  port1.start();
  const at2 = collect(port2, 3), at1 = collect(port1, 1);
  for (const i of [1, 2, 3]) port1.postMessage(i);
  assertEquals(await at2, [1, 2, 3]);
  assertEquals(await at1, ["done"]);
});

test("microtasks run between messages", async () => {
  const { port1, port2 } = new MessageChannel();
  const log = [];
  port2.onmessage = (e) => { log.push("msg" + e.data); queueMicrotask(() => log.push("micro" + e.data)); };
  const done = collect(port2, 2);
  port1.postMessage(1);
  port1.postMessage(2);
  await done;
  await null;
  assertEquals(log, ["msg1", "micro1", "msg2", "micro2"]);
});

test("addEventListener alone does not start the queue; start() does", async () => {
  const { port1, port2 } = new MessageChannel();
  const got = [];
  port2.addEventListener("message", (e) => got.push(e.data));
  port1.postMessage("a");
  port1.postMessage("b");
  await tick();
  assertEquals(got, [], "held until start()");
  const both = collect(port2, 2);
  port2.start();
  port2.start();
  assertEquals(await both, ["a", "b"]);
  assertEquals(got, ["a", "b"], "delivered once each");
});

test("setting onmessage starts the queue", async () => {
  const { port1, port2 } = new MessageChannel();
  port1.postMessage("early");
  await tick();
  const p = new Promise((resolve) => { port2.onmessage = (e) => resolve(e.data); });
  assertEquals(await p, "early");
  assertEquals(typeof port2.onmessage, "function");
  port2.onmessage = null;
  assertEquals(port2.onmessage, null);
});

test("close() stops delivery on both sides", async () => {
  const { port1, port2 } = new MessageChannel();
  const got = [];
  port2.onmessage = (e) => got.push(e.data);
  port1.onmessage = (e) => got.push("back:" + e.data);
  port1.close();
  port1.postMessage("after close");
  port2.postMessage("to a closed port");
  await tick();
  assertEquals(got, []);
  port1.close();
});

test("messages in flight still arrive after close()", async () => {
  const { port1, port2 } = new MessageChannel();
  const got = collect(port1, 2);
  port1.onmessage = (e) => { if (e.data === "first") port1.close(); };
  port2.postMessage("first");
  port2.postMessage("second");
  port2.close();
  assertEquals(await got, ["first", "second"]);
});

test("a closed port can be transferred; it stays disentangled", async () => {
  const c = new MessageChannel();
  let reached = false;
  c.port1.onmessage = () => { reached = true; };
  c.port2.close();
  const c2 = new MessageChannel();
  const p = nextMessage(c2.port1);
  c2.port1.start();
  c2.port2.postMessage("port", [c.port2]);
  const e = await p;
  e.ports[0].postMessage("lost");
  await tick();
  assertEquals(reached, false);
});

test("ArrayBuffers move with transfer", async () => {
  const { port1, port2 } = new MessageChannel();
  port2.start();
  const buf = new Uint8Array([1, 2, 3]).buffer;
  const p = nextMessage(port2);
  port1.postMessage({ buf }, [buf]);
  assertEquals(buf.byteLength, 0, "detached at post time");
  const e = await p;
  assertEquals(Array.from(new Uint8Array(e.data.buf)), [1, 2, 3]);
  const buf2 = new ArrayBuffer(2);
  const p2 = nextMessage(port2);
  port1.postMessage(buf2, { transfer: [buf2] });
  assertEquals([(await p2).data.byteLength, buf2.byteLength], [2, 0]);
});

test("ports can be transferred and keep working", async () => {
  const a = new MessageChannel();
  const b = new MessageChannel();
  a.port2.start();
  const p = nextMessage(a.port2);
  a.port1.postMessage("here is a port", [b.port2]);
  const e = await p;
  assertEquals(e.ports.length, 1);
  const moved = e.ports[0];
  assert(moved instanceof MessagePort && moved !== b.port2, "a new MessagePort");
  const reply = new Promise((resolve) => { moved.onmessage = (ev) => resolve(ev.data); });
  b.port1.postMessage("through the moved port");
  assertEquals(await reply, "through the moved port");
  const back = nextMessage(b.port1);
  b.port1.start();
  moved.postMessage("and back");
  assertEquals((await back).data, "and back");
  // The old object is detached: it neither sends nor transfers again.
  b.port2.postMessage("from the old object");
  assertThrows(() => a.port1.postMessage(null, [b.port2]), DOMException);
});

test("messages queued on a port follow it when it is transferred", async () => {
  const a = new MessageChannel();
  const b = new MessageChannel();
  b.port1.postMessage("waiting");
  a.port2.start();
  const p = nextMessage(a.port2);
  a.port1.postMessage({ port: b.port2 }, [b.port2]);
  const e = await p;
  assert(e.data.port === e.ports[0], "the port in data is the one in ports");
  const got = await new Promise((resolve) => { e.ports[0].onmessage = (ev) => resolve(ev.data); });
  assertEquals(got, "waiting");
});

test("posting the source port or non-transferables throws DataCloneError", () => {
  const { port1, port2 } = new MessageChannel();
  const err = assertThrows(() => port1.postMessage(1, [port1]), DOMException, "source port");
  assertEquals(err.name, "DataCloneError");
  assertEquals(assertThrows(() => port1.postMessage(() => {}), DOMException).name, "DataCloneError");
  assertEquals(assertThrows(() => port1.postMessage(port2), DOMException).name, "DataCloneError", "a port must be transferred, not cloned");
  assertThrows(() => port1.postMessage(), TypeError);
  assertThrows(() => port1.postMessage(1, 5), TypeError);
});

test("posting the entangled port to itself silently drops the message", async () => {
  const { port1, port2 } = new MessageChannel();
  let got = false;
  port2.onmessage = () => { got = true; };
  port1.postMessage("lost", [port2]);
  await tick();
  assertEquals(got, false);
});

test("structuredClone can transfer a MessagePort", async () => {
  const { port1, port2 } = new MessageChannel();
  const moved = structuredClone(port2, { transfer: [port2] });
  assert(moved instanceof MessagePort && moved !== port2, "a new port");
  const p = new Promise((resolve) => { moved.onmessage = (e) => resolve(e.data); });
  port1.postMessage("hi");
  assertEquals(await p, "hi");
});

test("exceptions in message listeners are reported and delivery continues", async () => {
  const { port1, port2 } = new MessageChannel();
  port2.addEventListener("message", () => { throw new Error("listener failure"); });
  port2.onmessage = () => {};
  const got = collect(port2, 2);
  port1.postMessage(1);
  port1.postMessage(2);
  assertEquals(await got, [1, 2]);
});

test("MessageEvent constructor", () => {
  const { port1 } = new MessageChannel();
  const e = new MessageEvent("message", { data: { x: 1 }, origin: "o", lastEventId: "7", source: port1, ports: [port1], bubbles: true });
  assertEquals([e.type, e.data.x, e.origin, e.lastEventId, e.bubbles], ["message", 1, "o", "7", true]);
  assert(e.source === port1 && e.ports[0] === port1 && Object.isFrozen(e.ports), "source and ports");
  assert(e.ports === e.ports, "the same frozen array each time");
  const d = new MessageEvent("x");
  assertEquals([d.data, d.origin, d.lastEventId, d.source, d.ports.length], [null, "", "", null, 0]);
  assertThrows(() => new MessageEvent(), TypeError);
  assertThrows(() => MessageEvent("x"), TypeError);
  assertThrows(() => new MessageEvent("x", { ports: [{}] }), TypeError);
  assertThrows(() => new MessageEvent("x", { source: {} }), TypeError);
  const read = [];
  const init = {};
  for (const k of ["source", "ports", "origin", "lastEventId", "data", "composed", "cancelable", "bubbles"]) {
    Object.defineProperty(init, k, { get() { read.push(k); return undefined; } });
  }
  new MessageEvent("x", init);
  assertEquals(read, ["bubbles", "cancelable", "composed", "data", "lastEventId", "origin", "ports", "source"]);
  e.initMessageEvent("y", false, false, "d2");
  assertEquals([e.type, e.data, e.origin, e.ports.length], ["y", "d2", "", 0]);
  assertEquals(String(e), "[object MessageEvent]");
});

test("MessagePort and MessageChannel shapes", () => {
  assertThrows(() => new MessagePort(), TypeError, "Illegal constructor");
  assertThrows(() => MessageChannel(), TypeError);
  const c = new MessageChannel();
  assert(c.port1 === c.port1 && c.port1 !== c.port2, "stable, distinct ports");
  assert(c.port1 instanceof EventTarget, "ports are EventTargets");
  assertEquals(String(c), "[object MessageChannel]");
  assertEquals(String(c.port1), "[object MessagePort]");
  assertEquals(MessagePort.prototype.postMessage.length, 1);
  assertThrows(() => MessagePort.prototype.postMessage.call({}, 1), TypeError);
  assertThrows(() => Object.getOwnPropertyDescriptor(MessageChannel.prototype, "port1").get.call({}), TypeError);
});
