// Worker for TestPatchedThenIsCalled: Promise.prototype.then is wrapped, and
// the wrapper counts the calls made on the promise the handler returned.
const builtinThen = Promise.prototype.then;
let returned = null;
let calls = 0;
Promise.prototype.then = function (onFulfilled, onRejected) {
  if (returned !== null && this === returned) calls++;
  return builtinThen.call(this, onFulfilled, onRejected);
};

export default {
  fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/count") return new Response(String(calls));
    calls = 0;
    returned = new Promise((ok) => setTimeout(() => ok(new Response("patched then")), 2));
    return returned;
  },
};
