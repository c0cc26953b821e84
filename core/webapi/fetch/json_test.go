package fetch_test

import (
	"testing"
	"time"
)

// body.json() defines keys with lone surrogates (which goja's Go API can't
// name) without going through Object.defineProperty: a script that replaces
// it does not change what json() returns.
func TestBodyJSONLoneSurrogateKeyIgnoresPatchedDefineProperty(t *testing.T) {
	h := newHost(t)
	h.eval(`globalThis.out = null; globalThis.calls = 0; (async () => {
		const orig = Object.defineProperty;
		Object.defineProperty = function (o, k, d) { calls++; return orig(o, k, { value: "patched", enumerable: false, configurable: true }); };
		const v = await new Response('{"a":1,"\\ud800":[2],"\\ud800":3,"b":{"x\\udfff":4}}').json();
		const k = Object.keys(v);
		out = [k.length, k[1] === "\ud800", v["\ud800"], v.b["x\udfff"], Object.getOwnPropertyDescriptor(v, "\ud800").enumerable, calls].join(" ");
	})().catch(e => { out = String(e); })`)
	deadline := time.Now().Add(5 * time.Second)
	for h.eval(`out === null`).ToBoolean() {
		if time.Now().After(deadline) {
			t.Fatal("json() did not settle")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got, want := h.eval(`out`).String(), "3 true 3 4 true 0"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
