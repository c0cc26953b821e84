// Event, CustomEvent, EventTarget and DOMException, after the DOM and WebIDL
// standards.

test("Event constructor defaults", () => {
  const before = performance.now();
  const e = new Event("x");
  assertEquals(e.type, "x");
  assertEquals(e.target, null);
  assertEquals(e.srcElement, null);
  assertEquals(e.currentTarget, null);
  assertEquals(e.eventPhase, Event.NONE);
  assertEquals([e.bubbles, e.cancelable, e.composed, e.defaultPrevented], [false, false, false, false]);
  assertEquals(e.returnValue, true);
  assertEquals(e.isTrusted, false);
  assertEquals(e.cancelBubble, false);
  assert(e.timeStamp >= before && e.timeStamp <= performance.now(), "timeStamp is performance.now() at creation");
  assertEquals(e.composedPath(), []);
  assertEquals(String(e), "[object Event]");
});

test("Event constructor needs new and a type", () => {
  assertThrows(() => Event("x"), TypeError);
  assertThrows(() => new Event(), TypeError, "1 argument required, but only 0 present");
  assertThrows(() => new Event(Symbol("s")), TypeError);
  const boom = { name: "boom" };
  try { new Event({ toString() { throw boom; } }); assert(false, "no throw"); } catch (e) { assert(e === boom, "rethrows toString's error"); }
  assertEquals(new Event(undefined).type, "undefined");
  assertEquals(new Event(null).type, "null");
  assertEquals(new Event("").type, "");
  assertEquals(Event.length, 1);
  assertEquals(CustomEvent.length, 1);
  assertEquals(EventTarget.length, 0);
});

test("EventInit is read in order and only its members", () => {
  const read = [];
  const init = {
    get composed() { read.push("composed"); return true; },
    get cancelable() { read.push("cancelable"); return 1; },
    get bubbles() { read.push("bubbles"); return ""; },
    get other() { read.push("other"); return true; },
  };
  const e = new Event("x", init);
  assertEquals(read, ["bubbles", "cancelable", "composed"]);
  assertEquals([e.bubbles, e.cancelable, e.composed], [false, true, true]);
  assertEquals(e.other, undefined);
  assertThrows(() => new Event("x", 5), TypeError);
  assertEquals(new Event("x", null).bubbles, false);
});

test("Event phase constants on the class and the prototype", () => {
  for (const [name, v] of [["NONE", 0], ["CAPTURING_PHASE", 1], ["AT_TARGET", 2], ["BUBBLING_PHASE", 3]]) {
    assertEquals(Event[name], v, name);
    assertEquals(Event.prototype[name], v, name);
    const d = Object.getOwnPropertyDescriptor(Event, name);
    assertEquals([d.writable, d.enumerable, d.configurable], [false, true, false], name);
  }
});

test("isTrusted is an own unforgeable accessor shared by all events", () => {
  const a = new Event("a"), b = new CustomEvent("b");
  const da = Object.getOwnPropertyDescriptor(a, "isTrusted");
  const db = Object.getOwnPropertyDescriptor(b, "isTrusted");
  assert(typeof da.get === "function" && da.get === db.get, "same getter");
  assertEquals([da.enumerable, da.configurable], [true, false]);
  assertEquals(Object.getOwnPropertyNames(a), ["isTrusted"]);
});

test("WebIDL shapes: accessors and methods on the prototype, enumerable", () => {
  const d = Object.getOwnPropertyDescriptor(Event.prototype, "type");
  assert(typeof d.get === "function" && d.set === undefined && d.enumerable, "type is a readonly attribute");
  const m = Object.getOwnPropertyDescriptor(EventTarget.prototype, "addEventListener");
  assert(m.writable && m.enumerable && m.configurable, "operation flags");
  assertEquals(EventTarget.prototype.addEventListener.length, 2);
  assertEquals(EventTarget.prototype.dispatchEvent.length, 1);
  assertEquals(Object.getPrototypeOf(CustomEvent), Event);
  assertEquals(Object.getPrototypeOf(AbortSignal), EventTarget);
  assertEquals(Object.getPrototypeOf(AbortSignal.prototype), EventTarget.prototype);
  const g = Object.getOwnPropertyDescriptor(globalThis, "EventTarget");
  assertEquals([g.writable, g.enumerable, g.configurable], [true, false, true]);
});

test("brand checks throw TypeError", () => {
  const typeGetter = Object.getOwnPropertyDescriptor(Event.prototype, "type").get;
  for (const bad of [null, undefined, 1, {}, Object.create(Event.prototype), new EventTarget()]) {
    assertThrows(() => typeGetter.call(bad), TypeError);
  }
  assertThrows(() => EventTarget.prototype.addEventListener.call({}, "x", () => {}), TypeError);
  assertThrows(() => EventTarget.prototype.dispatchEvent.call(Object.create(EventTarget.prototype), new Event("x")), TypeError);
  const detail = Object.getOwnPropertyDescriptor(CustomEvent.prototype, "detail").get;
  assertThrows(() => detail.call(new Event("x")), TypeError);
  const t = new EventTarget();
  assertThrows(() => EventTarget.prototype.addEventListener.call(new Proxy(t, {}), "x", () => {}), TypeError);
});

test("CustomEvent detail and initCustomEvent", () => {
  assertEquals(new CustomEvent("x").detail, null);
  assertEquals(new CustomEvent("x", { detail: undefined }).detail, null);
  const d = { a: 1 };
  const e = new CustomEvent("x", { detail: d, bubbles: true, cancelable: true });
  assert(e.detail === d, "detail is the same object");
  assertEquals([e.bubbles, e.cancelable], [true, true]);
  assert(e instanceof Event, "CustomEvent is an Event");
  e.initCustomEvent("y", false, false, 5);
  assertEquals([e.type, e.bubbles, e.detail], ["y", false, 5]);
  assertThrows(() => new CustomEvent(), TypeError, "1 argument required");
  assertEquals(Object.prototype.toString.call(e), "[object CustomEvent]");
});

test("dispatchEvent calls listeners in order with this, target and phase", () => {
  const t = new EventTarget();
  const calls = [];
  t.addEventListener("x", function (e) {
    calls.push(["a", this === t, e.target === t, e.currentTarget === t, e.eventPhase, e.composedPath()[0] === t]);
  });
  t.addEventListener("x", (e) => calls.push(["b"]));
  t.addEventListener("y", () => calls.push(["other type"]));
  const e = new Event("x");
  assertEquals(t.dispatchEvent(e), true);
  assertEquals(calls, [["a", true, true, true, Event.AT_TARGET, true], ["b"]]);
  assertEquals([e.eventPhase, e.currentTarget, e.target === t], [Event.NONE, null, true]);
  assertEquals(e.composedPath(), []);
});

test("capture listeners run before the others at the target", () => {
  const t = new EventTarget();
  const calls = [];
  t.addEventListener("x", () => calls.push("bubble1"));
  t.addEventListener("x", () => calls.push("capture1"), true);
  t.addEventListener("x", () => calls.push("bubble2"), { capture: false });
  t.addEventListener("x", () => calls.push("capture2"), { capture: true });
  t.dispatchEvent(new Event("x"));
  assertEquals(calls, ["capture1", "capture2", "bubble1", "bubble2"]);
});

test("duplicate listeners are ignored; capture makes a different listener", () => {
  const t = new EventTarget();
  let n = 0;
  const f = () => n++;
  t.addEventListener("x", f);
  t.addEventListener("x", f);
  t.addEventListener("x", f, { once: true });
  t.addEventListener("x", f, true);
  t.dispatchEvent(new Event("x"));
  assertEquals(n, 2);
  t.removeEventListener("x", f);
  t.dispatchEvent(new Event("x"));
  assertEquals(n, 3, "only the capture listener is left");
  t.removeEventListener("x", f, { capture: true });
  t.dispatchEvent(new Event("x"));
  assertEquals(n, 3);
});

test("listeners added during dispatch are not called; removed ones are not either", () => {
  const t = new EventTarget();
  const calls = [];
  const late = () => calls.push("late");
  const second = () => calls.push("second");
  t.addEventListener("x", () => {
    calls.push("first");
    t.addEventListener("x", late);
    t.removeEventListener("x", second);
  });
  t.addEventListener("x", second);
  t.dispatchEvent(new Event("x"));
  assertEquals(calls, ["first"]);
  t.dispatchEvent(new Event("x"));
  assertEquals(calls, ["first", "first", "late"]);
});

test("a capture listener may add a bubbling one that runs in the same dispatch", () => {
  const t = new EventTarget();
  const calls = [];
  t.addEventListener("x", () => { calls.push("capture"); t.addEventListener("x", () => calls.push("added")); }, true);
  t.dispatchEvent(new Event("x"));
  assertEquals(calls, ["capture", "added"]);
});

test("once listeners run once, even when dispatch re-enters", () => {
  const t = new EventTarget();
  let n = 0;
  t.addEventListener("x", () => { n++; t.dispatchEvent(new Event("x")); }, { once: true });
  t.dispatchEvent(new Event("x"));
  t.dispatchEvent(new Event("x"));
  assertEquals(n, 1);
});

test("listener objects: handleEvent is looked up on each dispatch, this is the object", () => {
  const t = new EventTarget();
  let gets = 0, self = null;
  const obj = { get handleEvent() { gets++; return function () { self = this; }; } };
  t.addEventListener("x", obj);
  assertEquals(gets, 0);
  t.dispatchEvent(new Event("x"));
  t.dispatchEvent(new Event("x"));
  assertEquals(gets, 2);
  assert(self === obj, "this is the listener object");
  let called = 0;
  const fn = () => called++;
  fn.handleEvent = () => { throw new Error("handleEvent of a function must not be called"); };
  t.addEventListener("y", fn);
  t.dispatchEvent(new Event("y"));
  assertEquals(called, 1);
});

test("null listeners are ignored; primitives throw", () => {
  const t = new EventTarget();
  t.addEventListener("x", null);
  t.addEventListener("x", undefined);
  t.removeEventListener("x", null);
  assertThrows(() => t.addEventListener("x", 5), TypeError);
  assertThrows(() => t.addEventListener("x"), TypeError, "2 arguments required, but only 1 present");
  assertThrows(() => t.dispatchEvent(), TypeError);
  assertThrows(() => t.dispatchEvent({ type: "x" }), TypeError, "not of type 'Event'");
});

test("options are read in WebIDL order", () => {
  const t = new EventTarget();
  const read = [];
  const opts = {};
  for (const k of ["signal", "passive", "once", "capture"]) {
    Object.defineProperty(opts, k, { get() { read.push(k); return undefined; } });
  }
  t.addEventListener("x", () => {}, opts);
  assertEquals(read, ["capture", "once", "passive", "signal"]);
  read.length = 0;
  t.removeEventListener("x", () => {}, opts);
  assertEquals(read, ["capture"]);
});

// (events_test.go checks that these exceptions reach reportError.)
test("exceptions in listeners are not thrown, and later listeners still run", () => {
  const t = new EventTarget();
  let after = false;
  t.addEventListener("x", () => { throw new Error("boom"); });
  t.addEventListener("x", { handleEvent: 42 });
  t.addEventListener("x", { get handleEvent() { throw new Error("getter"); } });
  t.addEventListener("x", () => { after = true; });
  assertEquals(t.dispatchEvent(new Event("x")), true);
  assert(after, "the listener after the throwing ones ran");
});

test("preventDefault, returnValue and defaultPrevented", () => {
  const t = new EventTarget();
  t.addEventListener("x", (e) => e.preventDefault());
  const e = new Event("x", { cancelable: true });
  assertEquals(t.dispatchEvent(e), false);
  assertEquals([e.defaultPrevented, e.returnValue], [true, false]);
  const notCancelable = new Event("x");
  assertEquals(t.dispatchEvent(notCancelable), true);
  assertEquals(notCancelable.defaultPrevented, false);
  const r = new Event("y", { cancelable: true });
  r.returnValue = false;
  assertEquals(r.defaultPrevented, true);
  r.returnValue = true;
  assertEquals(r.defaultPrevented, true, "setting true does not un-cancel");
});

test("passive listeners cannot cancel", () => {
  const t = new EventTarget();
  let inside;
  t.addEventListener("x", (e) => { e.preventDefault(); inside = e.defaultPrevented; }, { passive: true });
  const e = new Event("x", { cancelable: true });
  assertEquals(t.dispatchEvent(e), true);
  assertEquals(inside, false);
  t.addEventListener("x", (e) => e.preventDefault());
  assertEquals(t.dispatchEvent(new Event("x", { cancelable: true })), false, "a non-passive listener can");
});

test("stopImmediatePropagation stops later listeners; stopPropagation does not", () => {
  const t = new EventTarget();
  const calls = [];
  t.addEventListener("x", (e) => { calls.push(1); e.stopPropagation(); });
  t.addEventListener("x", (e) => { calls.push(2); e.stopImmediatePropagation(); });
  t.addEventListener("x", () => calls.push(3));
  const e = new Event("x");
  t.dispatchEvent(e);
  assertEquals(calls, [1, 2]);
  assertEquals(e.cancelBubble, false, "flags reset after dispatch");
  calls.length = 0;
  t.dispatchEvent(e);
  assertEquals(calls, [1, 2], "the event can be dispatched again");
});

// A plain EventTarget has nowhere to propagate to: browsers and workerd call
// all its listeners after stopPropagation (WPT Event-propagation-EventTarget).
test("stopPropagation does not stop the listeners of a plain EventTarget", () => {
  const t = new EventTarget();
  const calls = [];
  t.addEventListener("x", () => calls.push("bubble"));
  t.addEventListener("x", (e) => { calls.push("capture"); e.cancelBubble = true; }, true);
  t.dispatchEvent(new Event("x"));
  assertEquals(calls, ["capture", "bubble"]);
  const e = new Event("x");
  e.cancelBubble = true;
  e.cancelBubble = false;
  assertEquals(e.cancelBubble, true, "false does not clear it");
  calls.length = 0;
  t.dispatchEvent(e);
  assertEquals(calls, ["capture", "bubble"]);
  assertEquals(e.cancelBubble, false, "dispatch clears it");
  const s = new Event("x");
  s.stopImmediatePropagation();
  calls.length = 0;
  t.dispatchEvent(s);
  assertEquals(calls, [], "stopImmediatePropagation before dispatch stops them all");
  t.dispatchEvent(s);
  assertEquals(calls, ["capture", "bubble"], "until the flags are cleared by that dispatch");
});

test("dispatching an event that is being dispatched throws InvalidStateError", () => {
  const t = new EventTarget();
  let err;
  t.addEventListener("x", (e) => { try { t.dispatchEvent(e); } catch (x) { err = x; } });
  t.dispatchEvent(new Event("x"));
  assert(err instanceof DOMException, "a DOMException");
  assertEquals([err.name, err.code], ["InvalidStateError", 11]);
});

test("initEvent re-initializes, but not while dispatching", () => {
  const e = new Event("a", { bubbles: true });
  e.preventDefault();
  e.initEvent("b", false, true);
  assertEquals([e.type, e.bubbles, e.cancelable], ["b", false, true]);
  const t = new EventTarget();
  t.addEventListener("b", (ev) => { ev.initEvent("c", true, true); });
  t.dispatchEvent(e);
  assertEquals(e.type, "b");
  assertThrows(() => e.initEvent(), TypeError);
});

test("isTrusted is false for script events and true for runtime ones", () => {
  const t = new EventTarget();
  let trusted;
  t.addEventListener("x", (e) => { trusted = e.isTrusted; });
  t.dispatchEvent(new Event("x"));
  assertEquals(trusted, false);
  const c = new AbortController();
  c.signal.addEventListener("abort", (e) => { trusted = e.isTrusted; });
  c.abort();
  assertEquals(trusted, true);
});

test("EventTarget can be subclassed, with fields, private fields and accessors", () => {
  class Emitter extends EventTarget {
    #count = 0;
    name = "emitter";
    get count() { return this.#count; }
    [Symbol.for("tag")] = 1;
    fire(type) { this.#count++; return this.dispatchEvent(new Event(type)); }
  }
  const em = new Emitter();
  let seen;
  em.addEventListener("ping", (e) => { seen = e.target; });
  assertEquals(em.fire("ping"), true);
  assert(seen === em, "target is the subclass instance");
  assertEquals([em.count, em.name, em[Symbol.for("tag")]], [1, "emitter", 1]);
  assert(em instanceof EventTarget && em instanceof Emitter, "instanceof");
  Object.defineProperty(em, "x", { get() { return 7; } });
  assertEquals(em.x, 7);
});

test("Event and CustomEvent can be subclassed", () => {
  class MyEvent extends Event {
    #extra;
    constructor(type, extra) { super(type, { cancelable: true }); this.#extra = extra; }
    get extra() { return this.#extra; }
  }
  const t = new EventTarget();
  let got;
  t.addEventListener("my", (e) => { got = e; e.preventDefault(); });
  const e = new MyEvent("my", 42);
  assertEquals(t.dispatchEvent(e), false);
  assert(got === e && got.extra === 42 && got instanceof Event, "subclass instance delivered");
  class Detailed extends CustomEvent { constructor() { super("d", { detail: "dd" }); } }
  assertEquals(new Detailed().detail, "dd");
});

test("event handler attributes keep their place and null removes them", () => {
  const c = new AbortController();
  const s = c.signal;
  const calls = [];
  assertEquals(s.onabort, null);
  s.addEventListener("abort", () => calls.push("first"));
  s.onabort = () => calls.push("old handler");
  s.addEventListener("abort", () => calls.push("last"));
  const h = () => calls.push("handler");
  s.onabort = h;
  assert(s.onabort === h, "getter returns the value");
  c.abort();
  assertEquals(calls, ["first", "handler", "last"]);
  const c2 = new AbortController();
  let n = 0;
  c2.signal.onabort = () => n++;
  c2.signal.onabort = null;
  c2.signal.onabort = 5;
  assertEquals(c2.signal.onabort, null);
  c2.abort();
  assertEquals(n, 0);
});

test("an event handler returning false cancels the event", () => {
  class T extends EventTarget {}
  // onabort on a signal is the one handler attribute here; dispatch a cancelable event at it.
  const s = new AbortController().signal;
  s.onabort = () => false;
  assertEquals(s.dispatchEvent(new Event("abort", { cancelable: true })), false);
  s.onabort = () => 0;
  assertEquals(s.dispatchEvent(new Event("abort", { cancelable: true })), true);
});

test("DOMException basics", () => {
  const e = new DOMException("msg", "AbortError");
  assertEquals([e.name, e.message, e.code], ["AbortError", "msg", 20]);
  assert(e instanceof DOMException && e instanceof Error, "instanceof DOMException and Error");
  assertEquals(String(e), "AbortError: msg");
  assertEquals(Object.prototype.toString.call(e), "[object DOMException]");
  assert(typeof e.stack === "string" && e.stack.startsWith("AbortError: msg"), "stack: " + e.stack);
  assert(!e.stack.includes("ferry:internal"), "no internal frames in the stack");
  assert(!Object.prototype.hasOwnProperty.call(e, "name") && !Object.prototype.hasOwnProperty.call(e, "message"), "name and message are prototype getters");
  const d = new DOMException();
  assertEquals([d.name, d.message, d.code], ["Error", "", 0]);
  assertEquals(new DOMException("m", "DataError").code, 0);
  assertEquals(new DOMException(undefined, "NotFoundError").message, "");
  assertEquals(new DOMException(null, undefined).message, "null");
  assertThrows(() => DOMException("x"), TypeError);
  assertEquals(DOMException.length, 0);
  assertEquals(Object.getPrototypeOf(DOMException.prototype), Error.prototype);
  assertEquals(Object.getPrototypeOf(DOMException), Function.prototype);
  assertEquals(Object.getOwnPropertyDescriptor(DOMException, "prototype").writable, false);
});

test("DOMException legacy code constants", () => {
  const codes = { INDEX_SIZE_ERR: 1, DOMSTRING_SIZE_ERR: 2, HIERARCHY_REQUEST_ERR: 3, WRONG_DOCUMENT_ERR: 4,
    INVALID_CHARACTER_ERR: 5, NO_DATA_ALLOWED_ERR: 6, NO_MODIFICATION_ALLOWED_ERR: 7, NOT_FOUND_ERR: 8,
    NOT_SUPPORTED_ERR: 9, INUSE_ATTRIBUTE_ERR: 10, INVALID_STATE_ERR: 11, SYNTAX_ERR: 12,
    INVALID_MODIFICATION_ERR: 13, NAMESPACE_ERR: 14, INVALID_ACCESS_ERR: 15, VALIDATION_ERR: 16,
    TYPE_MISMATCH_ERR: 17, SECURITY_ERR: 18, NETWORK_ERR: 19, ABORT_ERR: 20, URL_MISMATCH_ERR: 21,
    QUOTA_EXCEEDED_ERR: 22, TIMEOUT_ERR: 23, INVALID_NODE_TYPE_ERR: 24, DATA_CLONE_ERR: 25 };
  for (const [k, v] of Object.entries(codes)) {
    assertEquals(DOMException[k], v, k);
    assertEquals(DOMException.prototype[k], v, k);
  }
  for (const [name, code] of [["IndexSizeError", 1], ["HierarchyRequestError", 3], ["SyntaxError", 12],
    ["NetworkError", 19], ["TimeoutError", 23], ["DataCloneError", 25], ["EncodingError", 0], ["OperationError", 0]]) {
    assertEquals(new DOMException("", name).code, code, name);
  }
});

test("DOMException can be subclassed", () => {
  class MyError extends DOMException {
    constructor(m) { super(m, "NotSupportedError"); this.extra = 1; }
  }
  const e = new MyError("nope");
  assert(e instanceof MyError && e instanceof DOMException && e instanceof Error, "chain");
  assertEquals([e.name, e.message, e.code, e.extra], ["NotSupportedError", "nope", 9, 1]);
});

test("runtime errors are real DOMExceptions even if the global is replaced", () => {
  const Orig = DOMException;
  globalThis.DOMException = class Fake {};
  try {
    const r = AbortSignal.abort().reason;
    assert(r instanceof Orig, "the reason is the real DOMException");
  } finally {
    globalThis.DOMException = Orig;
  }
});

test("the global scope is an EventTarget", () => {
  assert(globalThis instanceof EventTarget, "globalThis instanceof EventTarget");
  const calls = [];
  function onFoo(e) { calls.push([this === globalThis, e.target === globalThis]); }
  globalThis.addEventListener("ferry-test", onFoo);
  assertEquals(globalThis.dispatchEvent(new CustomEvent("ferry-test")), true);
  dispatchEvent(new Event("ferry-test"));
  removeEventListener("ferry-test", onFoo);
  dispatchEvent(new Event("ferry-test"));
  assertEquals(calls, [[true, true], [true, true]]);
  assertEquals(globalThis.removeEventListener("x", null), undefined);
  assertThrows(() => dispatchEvent(null), TypeError);
});
