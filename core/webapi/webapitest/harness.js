// Tiny test harness for Web API tests run by webapi_test.go: test(name, fn)
// registers a (possibly async) test; the Go side runs them in order and
// reports failures with the assertion message and stack.
globalThis.__tests = [];
globalThis.test = (name, fn) => __tests.push({ name, fn });
globalThis.assert = (cond, msg) => { if (!cond) throw new Error("assertion failed: " + (msg || "")); };
globalThis.assertEquals = (actual, expected, msg) => {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${msg ? msg + ": " : ""}expected ${e}, got ${a}`);
};
globalThis.assertThrows = (fn, ctor, includes) => {
  try { fn(); } catch (e) {
    if (ctor && !(e instanceof ctor)) throw new Error(`expected ${ctor.name}, got ${e && e.name}: ${e && e.message}`);
    if (includes && !String(e.message).includes(includes)) throw new Error(`message ${JSON.stringify(e.message)} lacks ${JSON.stringify(includes)}`);
    return e;
  }
  throw new Error("expected an exception");
};
globalThis.assertRejects = async (p, ctor, includes) => {
  try { await p; } catch (e) {
    if (ctor && !(e instanceof ctor)) throw new Error(`expected ${ctor.name}, got ${e && e.name}: ${e && e.message}`);
    if (includes && !String(e.message).includes(includes)) throw new Error(`message ${JSON.stringify(e.message)} lacks ${JSON.stringify(includes)}`);
    return e;
  }
  throw new Error("expected a rejection");
};
