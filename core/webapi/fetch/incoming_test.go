package fetch_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// An incoming request's cf is made when JS first reads it; it is then one
// object, shared with clones and with requests made from it, as when it was
// made up front.
func TestIncomingCFIsOneObject(t *testing.T) {
	h := newHost(t)
	h.on(func(vm *goja.Runtime) {
		_ = vm.Set("req", h.api.NewIncomingRequest("GET", "http://x/", http.Header{}, nil, map[string]any{"httpProtocol": "HTTP/1.1", "colo": "LHR"}))
		_ = vm.Set("bare", h.api.NewIncomingRequest("GET", "http://x/", http.Header{}, nil, nil))
	})
	for _, check := range []string{
		`req.cf.httpProtocol === "HTTP/1.1" && req.cf.colo === "LHR"`,
		`req.cf === req.cf`,
		`req.clone().cf === req.cf`,
		`new Request(req).cf === req.cf`,
		`(() => { const c = req.clone(); return c.cf === req.cf })()`,
		`bare.cf === undefined`,
		`bare.clone().cf === undefined`,
	} {
		if !h.eval(check).ToBoolean() {
			t.Errorf("%s is false", check)
		}
	}
}

// A clone taken before cf was ever read shares the original's cf.
func TestIncomingCFSharedWithEarlyClone(t *testing.T) {
	h := newHost(t)
	h.on(func(vm *goja.Runtime) {
		_ = vm.Set("req", h.api.NewIncomingRequest("GET", "http://x/", http.Header{}, nil, map[string]any{"country": "GB"}))
	})
	if !h.eval(`const early = req.clone(); const early2 = new Request(req); early.cf === req.cf && early2.cf === req.cf && req.cf.country === "GB"`).ToBoolean() {
		t.Error("a request made before cf was read has another cf object")
	}
}

// Every kind of BodyInit still finds its way, whatever extractBody checks
// first: strings, Go-backed kinds, a Go-fed stream handed over, a JS
// stream, a used body's stream (refused), URLSearchParams, other objects.
func TestBodyInitKinds(t *testing.T) {
	h := newHost(t)
	h.eval(`globalThis.results = {}; (async () => {
		const check = async (name, body, init) => {
			try {
				const r = new Response(body, init);
				results[name] = [await r.text(), r.headers.get("content-type")];
			} catch (e) {
				results[name] = [e.name + ": " + e.message];
			}
		};
		await check("string", "hi");
		await check("blob", new Blob(["bl", "ob"], { type: "text/x-blob" }));
		await check("bytes", new Uint8Array([104, 105]));
		await check("buffer", new Uint8Array([98, 117, 102]).buffer);
		await check("params", new URLSearchParams("a=1&b=2"));
		await check("dataView", new DataView(new Uint8Array([0, 104, 105]).buffer, 1));
		await check("int16", new Int16Array([0x6968]));
		await check("array", [1, 2]);
		await check("object", { toString() { return "obj" } });
		const src = new Response("handed over", { headers: { "content-type": "text/x-src" } });
		await check("goStream", src.body, src);
		await check("jsStream", new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode("from js")); c.close(); } }));
		const used = new Response("gone");
		await used.text();
		await check("usedStream", used.body);
		const form = new FormData();
		form.append("k", "v");
		const r = new Response(form);
		results.form = [(await r.text()).includes('name="k"'), r.headers.get("content-type").startsWith("multipart/form-data; boundary=")];
	})()`)
	deadline := time.Now().Add(5 * time.Second)
	for !h.eval(`"form" in results`).ToBoolean() {
		if time.Now().After(deadline) {
			t.Fatal("the checks did not finish")
		}
		time.Sleep(5 * time.Millisecond)
	}
	got := h.eval(`JSON.stringify(results)`).String()
	want := `{"string":["hi","text/plain;charset=UTF-8"],` +
		`"blob":["blob","text/x-blob"],` +
		`"bytes":["hi",null],` +
		`"buffer":["buf",null],` +
		`"params":["a=1&b=2","application/x-www-form-urlencoded;charset=UTF-8"],` +
		`"dataView":["hi",null],` +
		`"int16":["hi",null],` +
		`"array":["1,2","text/plain;charset=UTF-8"],` +
		`"object":["obj","text/plain;charset=UTF-8"],` +
		`"goStream":["handed over","text/x-src"],` +
		`"jsStream":["from js",null],` +
		`"usedStream":["TypeError: This ReadableStream is disturbed (has already been read from), or locked to a reader, and cannot be used as a body."],` +
		`"form":[true,true]}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
