package webapi_test

import (
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi"
	"github.com/ferry-run/ferry/core/webapi/streams"
)

// lazyGlobals are the properties installed lazily (js.Lazy): the target
// object's expression and the name.
var lazyGlobals = []struct{ target, name string }{
	{"globalThis", "ReadableStream"},
	{"globalThis", "ReadableStreamDefaultReader"},
	{"globalThis", "ReadableStreamBYOBReader"},
	{"globalThis", "ReadableStreamDefaultController"},
	{"globalThis", "ReadableByteStreamController"},
	{"globalThis", "ReadableStreamBYOBRequest"},
	{"globalThis", "WritableStream"},
	{"globalThis", "WritableStreamDefaultWriter"},
	{"globalThis", "WritableStreamDefaultController"},
	{"globalThis", "TransformStream"},
	{"globalThis", "TransformStreamDefaultController"},
	{"globalThis", "ByteLengthQueuingStrategy"},
	{"globalThis", "CountQueuingStrategy"},
	{"globalThis", "IdentityTransformStream"},
	{"globalThis", "FixedLengthStream"},
	{"globalThis", "TextEncoderStream"},
	{"globalThis", "TextDecoderStream"},
	{"Object.getPrototypeOf(crypto)", "DigestStream"},
	{"globalThis", "CompressionStream"},
	{"globalThis", "DecompressionStream"},
}

// lazyProbes look at T.N (T the target, N the name) in every way a data
// property and a lazy accessor could differ. Each runs in a fresh runtime.
var lazyProbes = []string{
	`typeof T.N`,
	`"N" in T`,
	`Object.hasOwn(T, "N")`,
	`d(Object.getOwnPropertyDescriptor(T, "N"))`,
	`d(Reflect.getOwnPropertyDescriptor(T, "N"))`,
	`d(Object.getOwnPropertyDescriptor(T, { toString() { return "N"; } }))`,
	`d(Object.getOwnPropertyDescriptors(T).N)`,
	`Object.keys(T).indexOf("N") + " " + Object.getOwnPropertyNames(T).indexOf("N") + " " + Reflect.ownKeys(T).indexOf("N")`,
	`(() => { const o = {}; for (const k in T) if (k === "N") o.seen = true; return !!o.seen; })()`,
	`T.N.name + " " + T.N.length + " " + typeof T.N.prototype`,
	`(() => { T.N = 42; return d(Object.getOwnPropertyDescriptor(T, "N")); })()`,
	`(() => { const o = Object.create(T); o.N = 1; return Object.hasOwn(o, "N") + " " + d(Object.getOwnPropertyDescriptor(T, "N")); })()`,
	`(() => { const r = delete T.N; new Response("x").body; return r + " " + ("N" in T) + " " + typeof T.N; })()`,
	`(() => { Object.defineProperty(T, "N", { enumerable: true }); return d(Object.getOwnPropertyDescriptor(T, "N")); })()`,
	`(() => { try { Object.defineProperty(T, "N", { writable: false }); } catch (e) { return String(e); } return d(Object.getOwnPropertyDescriptor(T, "N")); })()`,
	`(() => { try { Reflect.defineProperty(T, "N", { value: 7 }); } catch (e) { return String(e); } return d(Object.getOwnPropertyDescriptor(T, "N")); })()`,
	`(() => { try { Object.defineProperties(T, { N: { value: 1 } }); } catch (e) { return String(e); } return d(Object.getOwnPropertyDescriptor(T, "N")); })()`,
	`(() => { Object.freeze(T); return Object.isFrozen(T) + " " + d(Object.getOwnPropertyDescriptor(T, "N")); })()`,
	`(() => { Object.seal(T); return Object.isSealed(T) + " " + d(Object.getOwnPropertyDescriptor(T, "N")); })()`,
	`(() => { const p = Object.getOwnPropertyNames(T); return p.length; })()`,
	`(() => { let n = 0; Object.getOwnPropertyDescriptor(T, { toString() { n++; return "N"; } }); Object.defineProperty(T, { toString() { n++; return "N"; } }, {}); return n; })()`,
}

// describe prints a descriptor with functions by name.
const describe = `globalThis.d = (desc) => JSON.stringify(desc, (k, v) => typeof v === "function" ? "function " + v.name : v);`

func newLazyRuntime(t *testing.T) (*goja.Runtime, *streams.API) {
	vm := goja.New()
	l := loop.New(vm)
	webapi.Install(l, webapi.Options{})
	if _, err := vm.RunString(describe); err != nil {
		t.Fatal(err)
	}
	return vm, streams.Of(vm)
}

func eval(t *testing.T, vm *goja.Runtime, src string) string {
	t.Helper()
	v, err := vm.RunString(src)
	if err != nil {
		return "throws " + err.Error()
	}
	return v.String()
}

// TestLazyGlobals checks that every lazily installed property looks, to
// every probe, exactly like the data property it becomes: each probe runs on
// a fresh runtime where nothing was made yet and on one where everything was
// made first, and the answers must be the same.
func TestLazyGlobals(t *testing.T) {
	for _, g := range lazyGlobals {
		t.Run(g.name, func(t *testing.T) {
			for _, probe := range lazyProbes {
				src := strings.NewReplacer("T", g.target, "N", g.name).Replace(probe)
				lazyVM, st := newLazyRuntime(t)
				if st.Ready() {
					t.Fatal("the streams script ran before anything used it")
				}
				got := eval(t, lazyVM, src)

				eagerVM, _ := newLazyRuntime(t)
				eval(t, eagerVM, `void ReadableStream, void crypto.DigestStream, void CompressionStream, void DecompressionStream`)
				want := eval(t, eagerVM, src)
				if got != want {
					t.Errorf("%s\nlazy:  %s\neager: %s", src, got, want)
				}
			}
		})
	}
}

// TestLazyStreamsNotMade checks that what a plain request does leaves the
// streams script unrun, and that the first use from Go makes the globals.
func TestLazyStreamsNotMade(t *testing.T) {
	vm, st := newLazyRuntime(t)
	eval(t, vm, `new Response("hello", { headers: { "content-type": "text/plain" } }).text(); new Request("https://example.com/", { method: "POST", body: "x" }); typeof crypto.randomUUID`)
	if st.Ready() {
		t.Fatal("a Response from a string ran the streams script")
	}
	if got := eval(t, vm, `d(Object.getOwnPropertyDescriptor(globalThis, "ReadableStream"))`); !strings.Contains(got, `"value":"function ReadableStream"`) || !strings.Contains(got, `"writable":true,"enumerable":false,"configurable":true`) {
		t.Fatalf("descriptor %s", got)
	}
	if !st.Ready() {
		t.Fatal("describing ReadableStream did not make it")
	}

	vm, st = newLazyRuntime(t)
	eval(t, vm, `globalThis.body = new Response("hello").body`)
	if !st.Ready() {
		t.Fatal("Response.body did not run the streams script")
	}
	if got := eval(t, vm, `body instanceof ReadableStream && d(Object.getOwnPropertyDescriptor(globalThis, "WritableStream"))`); !strings.Contains(got, `"value":"function WritableStream"`) {
		t.Fatalf("WritableStream after Go made the family: %s", got)
	}
}

// TestLazyIntrinsics checks that the streams script, run after user code
// patched built-ins, still uses the ones captured when the runtime was made.
func TestLazyIntrinsics(t *testing.T) {
	vm, _ := newLazyRuntime(t)
	got := eval(t, vm, `
		const saved = { dp: Object.defineProperty, it: Array.prototype[Symbol.iterator], then: Promise.prototype.then, dec: TextDecoder.prototype.decode };
		Object.defineProperty = () => { throw new Error("patched defineProperty"); };
		Array.prototype[Symbol.iterator] = function* () {};
		Promise.prototype.then = function () { throw new Error("patched then"); };
		TextDecoder.prototype.decode = () => "patched decode";
		const rs = new ReadableStream({ start(c) { c.enqueue(1); c.close(); } });
		const keys = Object.keys(ReadableStream.prototype).join();
		const r = rs.getReader().read();
		Object.defineProperty = saved.dp; Array.prototype[Symbol.iterator] = saved.it; Promise.prototype.then = saved.then;
		const ds = new TextDecoderStream();
		keys + " " + (r instanceof Promise) + " " + ds.encoding;
	`)
	if got != "locked,cancel,getReader,pipeThrough,pipeTo,tee,values true utf-8" {
		t.Fatalf("got %q", got)
	}
}

// TestLazyPatchedBuiltins checks that the reflective built-ins js.Lazy
// replaces behave as goja's own on everything else: results, errors, name,
// length, attributes.
func TestLazyPatchedBuiltins(t *testing.T) {
	probes := []string{
		`(() => { try { Object.defineProperty(1, "x", {}); } catch (e) { return e.constructor.name + ": " + e.message; } })()`,
		`(() => { try { Object.getOwnPropertyDescriptor(null, "x"); } catch (e) { return e.constructor.name + ": " + e.message; } })()`,
		`(() => { try { Reflect.defineProperty(1, "x", {}); } catch (e) { return e.constructor.name + ": " + e.message; } })()`,
		`(() => { try { Reflect.getOwnPropertyDescriptor("s", 0); } catch (e) { return e.constructor.name + ": " + e.message; } })()`,
		`(() => { try { Object.defineProperties({}, null); } catch (e) { return e.constructor.name + ": " + e.message; } })()`,
		`String(Object.freeze(1)) + String(Object.seal("s")) + JSON.stringify(Object.getOwnPropertyDescriptors("ab"))`,
		`d(Object.getOwnPropertyDescriptor("abc", 0)) + d(Object.getOwnPropertyDescriptor([1], "length"))`,
		`(() => { const o = {}; return (Object.defineProperty(o, "a", { value: 1 }) === o) + " " + Reflect.defineProperty(Object.freeze({}), "a", { value: 1 }); })()`,
		`(() => { const o = Object.defineProperties({}, { a: { value: 1, enumerable: true }, b: { get() { return 2; } } }); return JSON.stringify(o) + o.b; })()`,
		`["getOwnPropertyDescriptor", "getOwnPropertyDescriptors", "defineProperty", "defineProperties", "freeze", "seal"].map(k => k + ":" + Object[k].name + "/" + Object[k].length + "/" + d(Object.getOwnPropertyDescriptor(Object, k)).replace(/"value":"[^"]*",/, "") + "/" + String(Object[k])).join("\\n")`,
		`["getOwnPropertyDescriptor", "defineProperty"].map(k => Reflect[k].name + "/" + Reflect[k].length + "/" + Object.keys(Reflect).indexOf(k) + "/" + Object.getOwnPropertyNames(Object).indexOf(k)).join()`,
		`(() => { try { new Object.defineProperty(); } catch (e) { return e.constructor.name; } })()`,
		`typeof Object.getOwnPropertyDescriptor.prototype + Object.getPrototypeOf(Object.freeze).constructor.name`,
	}
	for _, probe := range probes {
		lazyVM, _ := newLazyRuntime(t)
		got := eval(t, lazyVM, probe)
		plain := goja.New()
		if _, err := plain.RunString(describe); err != nil {
			t.Fatal(err)
		}
		want := eval(t, plain, probe)
		if got != want {
			t.Errorf("%s\npatched: %s\ngoja:    %s", probe, got, want)
		}
	}
}

// TestLazyCompressionIntrinsics checks that CompressionStream and
// DecompressionStream, made after user code replaced the reflective
// built-ins, come out as they would have at start-up.
func TestLazyCompressionIntrinsics(t *testing.T) {
	vm, _ := newLazyRuntime(t)
	got := eval(t, vm, `
		const saved = { dp: Object.defineProperty, gopd: Object.getOwnPropertyDescriptor };
		Object.defineProperty = () => { throw new Error("patched defineProperty"); };
		Object.getOwnPropertyDescriptor = () => { throw new Error("patched getOwnPropertyDescriptor"); };
		const C = DecompressionStream;
		Object.defineProperty = saved.dp; Object.getOwnPropertyDescriptor = saved.gopd;
		const cs = new CompressionStream("gzip");
		[Object.keys(C.prototype).join(), Object.keys(CompressionStream.prototype).join(),
		 Object.prototype.toString.call(cs), String(new C("deflate")), cs.readable instanceof ReadableStream].join(" ");
	`)
	if got != "readable,writable readable,writable [object CompressionStream] [object DecompressionStream] true" {
		t.Fatalf("got %q", got)
	}
}
