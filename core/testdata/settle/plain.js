// Worker for TestHandlerPromiseSettlement: handlers that return promises
// settling in every way core must follow (see core/settle_test.go).
const waiters = [];
let subclassMade = 0;
let ctorReads = 0;

class MyPromise extends Promise {
  constructor(executor) {
    super(executor);
    subclassMade++;
  }
}

const later = (ms, fn) => setTimeout(fn, ms);

export default {
  // Not async: what fetch returns reaches core as it is.
  fetch(request) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/thenable":
        return { then(ok) { later(2, () => ok(new Response("from a thenable"))); } };
      case "/subclass": {
        subclassMade = 0;
        return new MyPromise((ok) => later(2, () => ok(new Response("from a subclass"))));
      }
      case "/subclass-count":
        return new Response(String(subclassMade));
      case "/ctor-getter": {
        ctorReads = 0;
        const p = new Promise((ok) => later(2, () => ok(new Response("constructor read"))));
        Object.defineProperty(p, "constructor", { get() { ctorReads++; return Promise; } });
        return p;
      }
      case "/ctor-count":
        return new Response(String(ctorReads));
      case "/timer":
        return new Promise((ok) => later(5, () => ok(new Response("after a timer"))));
      case "/reject-later":
        return new Promise((_, fail) => later(5, () => fail(new Error("boom in a later timer"))));
      case "/late-header":
        // The response is taken when the promise settles: a microtask
        // queued after that changes nothing the client sees.
        return new Promise((ok) => later(2, () => {
          const res = new Response("taken at settlement");
          ok(res);
          queueMicrotask(() => res.headers.set("x-late", "1"));
        }));
      case "/wait":
        // Settled by another event's task (/release), not by one of its own.
        return new Promise((ok) => waiters.push(ok));
      case "/release": {
        const n = waiters.length;
        for (const ok of waiters.splice(0)) ok(new Response("released by another request"));
        return new Response(String(n));
      }
    }
    return new Response("not found", { status: 404 });
  },
};
