// Package streams implements the WHATWG Streams Standard for goja runtimes:
// ReadableStream (default and byte streams, BYOB readers, tee, pipeTo,
// pipeThrough, ReadableStream.from, async iteration), WritableStream,
// TransformStream and the queuing strategies, plus the stream classes
// Workers adds (IdentityTransformStream, FixedLengthStream) and the Encoding
// Standard's TextEncoderStream and TextDecoderStream.
//
// The standard's algorithms are written in JavaScript (streams.js), from the
// specification's text: they are promise choreography, which goja runs
// faithfully, and a Go port would have to re-enter the VM for every promise
// reaction. The script is compiled once per process; each runtime evaluates
// it once. Go supplies what JS cannot do (detaching ArrayBuffers) and the
// per-chunk heavy work of the families built on streams: compression and
// text decoding run in Go, with only the queueing in JS.
//
// Installation is lazy: compiling and evaluating the script is most of what
// creating a runtime costs, and most requests never touch a stream (a body
// becomes a stream only when JS asks for one). Install captures the
// intrinsics the script needs (intrinsics.js, a few property reads) and
// defines the globals as lazy properties (js.Lazy): the first read of any of
// them, or the first Go call that needs the streams machinery, compiles the
// script (once per process), evaluates it (once per runtime) and turns every
// global still lazy into the data property it is in Workers.
//
// Invariant: everything here runs on the loop goroutine that owns the runtime.
package streams

import (
	"bytes"
	_ "embed"
	"fmt"
	"runtime"
	"sync"
	"weak"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/loop"
)

//go:embed streams.js
var source string

//go:embed intrinsics.js
var intrinsicsSource string

var (
	compileOnce sync.Once
	program     *goja.Program
	compileErr  error

	intrinsicsOnce sync.Once
	intrinsicsPrg  *goja.Program
)

func compiled() (*goja.Program, error) {
	compileOnce.Do(func() {
		program, compileErr = goja.Compile("ferry:streams", source, true)
	})
	return program, compileErr
}

// Prefetch starts compiling the streams script in the background when code,
// a Worker's bundle, mentions a stream or a body ("Stream", ".body"): the
// compile (about 20 ms in a fresh process for its 129 KB) then overlaps the
// Worker's start-up instead of delaying its first request that needs it
// (Hono reads Response.body to set a header after the handler). It is only
// a head start on what the first use does, once per process; a bundle
// without those words (a hello Worker) keeps the start-up free of it.
func Prefetch(code []byte) {
	if mayUseStreams(code) {
		go func() { _, _ = compiled() }()
	}
}

func mayUseStreams(code []byte) bool {
	return bytes.Contains(code, []byte("Stream")) || bytes.Contains(code, []byte(".body"))
}

// globalNames are the globals streams.js returns, in the order they are
// defined; TextEncoderStream and TextDecoderStream only when the runtime has
// TextEncoder and TextDecoder.
var globalNames = []string{
	"ReadableStream", "ReadableStreamDefaultReader", "ReadableStreamBYOBReader",
	"ReadableStreamDefaultController", "ReadableByteStreamController", "ReadableStreamBYOBRequest",
	"WritableStream", "WritableStreamDefaultWriter", "WritableStreamDefaultController",
	"TransformStream", "TransformStreamDefaultController",
	"ByteLengthQueuingStrategy", "CountQueuingStrategy",
	"IdentityTransformStream", "FixedLengthStream",
	"TextEncoderStream", "TextDecoderStream",
}

// API is the streams family installed on one runtime. Other families (fetch,
// compression) use it to build and read streams from Go.
type API struct {
	vm         *goja.Runtime
	loop       *loop.Loop
	lazy       *js.Lazy
	intrinsics goja.Value
	names      []string     // the globals this runtime gets
	fns        *internals   // nil until the script has run (ensure)
	globals    *goja.Object // streams.js's public classes
	onReady    []func(*API) // see OnReady
}

// internals are the script's operations Go calls.
type internals struct {
	createTransform goja.Callable
	isReadable      goja.Callable
	isWritable      goja.Callable
	goStream        goja.Callable
	goDeliver       goja.Callable
	goTake          goja.Callable
	state           goja.Callable
	expectedLength  goja.Callable
	tee             goja.Callable
	acquire         goja.Callable
	read            goja.Callable
	cancelReaderFn  goja.Callable
	readAll         goja.Callable
}

// registry finds the API of a runtime for families installed separately
// (fetch). It holds neither side strongly: the runtime keeps its API alive
// through the JS helpers that reference it, and the entry goes when the
// runtime is collected.
var registry sync.Map // weak.Pointer[goja.Runtime] → weak.Pointer[API]

// Of returns the streams API installed on vm, or nil if Install has not run.
func Of(vm *goja.Runtime) *API {
	v, ok := registry.Load(weak.Make(vm))
	if !ok {
		return nil
	}
	return v.(weak.Pointer[API]).Value()
}

// Install defines the stream classes on l's runtime, lazily (see the package
// comment), and returns the API. Call it on the loop goroutine, after the
// encoding family (TextEncoderStream and TextDecoderStream wrap TextEncoder
// and TextDecoder) and before user code runs.
func Install(l *loop.Loop) *API {
	vm := l.VM()
	intrinsicsOnce.Do(func() { intrinsicsPrg = goja.MustCompile("ferry:streams-intrinsics", intrinsicsSource, true) })
	fv, err := vm.RunProgram(intrinsicsPrg)
	if err != nil {
		panic(fmt.Errorf("capturing the streams intrinsics: %w", err))
	}
	capture, _ := goja.AssertFunction(fv)
	iv, err := capture(goja.Undefined())
	if err != nil {
		panic(fmt.Errorf("capturing the streams intrinsics: %w", err))
	}
	a := &API{vm: vm, loop: l, intrinsics: iv, lazy: js.LazyOf(vm)}
	g := vm.GlobalObject()
	for _, name := range globalNames {
		if (name == "TextEncoderStream" && goja.IsUndefined(iv.(*goja.Object).Get("TextEncoderC"))) ||
			(name == "TextDecoderStream" && goja.IsUndefined(iv.(*goja.Object).Get("TextDecoderC"))) {
			continue
		}
		a.names = append(a.names, name)
		a.lazy.Define(g, name, goja.FLAG_FALSE, goja.FLAG_TRUE, func() goja.Value {
			a.ensure()
			return a.globals.Get(name)
		})
	}

	key := weak.Make(vm)
	registry.Store(key, weak.Make(a))
	runtime.AddCleanup(vm, func(k weak.Pointer[goja.Runtime]) { registry.Delete(k) }, key)
	// The lazy getters reference a; so does the runtime's heap through them.
	return a
}

// Ready reports whether the script has run on this runtime (a global was
// read, or Go needed the machinery).
func (a *API) Ready() bool { return a.fns != nil }

// Global returns the stream class name (ReadableStream, WritableStream...),
// running the script if it has not run yet.
func (a *API) Global(name string) *goja.Object {
	a.ensure()
	o, _ := a.globals.Get(name).(*goja.Object)
	return o
}

// ensure runs the script on this runtime if it has not run yet, and makes
// the globals still lazy.
func (a *API) ensure() *internals {
	if a.fns != nil {
		return a.fns
	}
	vm := a.vm
	prg, err := compiled()
	if err != nil {
		panic(fmt.Errorf("compiling the streams script: %w", err))
	}
	fnv, err := vm.RunProgram(prg)
	if err != nil {
		panic(fmt.Errorf("evaluating the streams script: %w", err))
	}
	fn, _ := goja.AssertFunction(fnv)
	iv, err := fn(goja.Undefined(), a.natives(), a.intrinsics)
	if err != nil {
		panic(fmt.Errorf("installing streams: %w", err))
	}
	obj := iv.(*goja.Object)
	a.globals = obj.Get("globals").(*goja.Object)
	a.fns = &internals{
		createTransform: method(obj, "createTransform"),
		isReadable:      method(obj, "isReadableStream"),
		isWritable:      method(obj, "isWritableStream"),
		goStream:        method(obj, "goStream"),
		goDeliver:       method(obj, "goDeliver"),
		goTake:          method(obj, "goTake"),
		state:           method(obj, "state"),
		expectedLength:  method(obj, "expectedLength"),
		tee:             method(obj, "tee"),
		acquire:         method(obj, "reader"),
		read:            method(obj, "read"),
		cancelReaderFn:  method(obj, "cancelReader"),
		readAll:         method(obj, "readAll"),
	}
	a.intrinsics = nil
	g := vm.GlobalObject()
	for _, name := range a.names {
		a.lazy.Make(g, name)
	}
	return a.fns
}

func method(obj *goja.Object, name string) goja.Callable {
	f, ok := goja.AssertFunction(obj.Get(name))
	if !ok {
		panic("streams: internal " + name + " is missing")
	}
	return f
}

// natives are the helpers streams.js gets from Go. They are methods of a, so
// the runtime's heap keeps the API alive (see registry).
func (a *API) natives() *goja.Object {
	n := a.vm.NewObject()
	_ = n.Set("isDetached", a.isDetached)
	_ = n.Set("isArrayBuffer", a.isArrayBuffer)
	_ = n.Set("transfer", a.transfer)
	// goPull and goCancel are the underlying source of every Go-fed stream,
	// given the stream's handle (see LazyGo in streams.js).
	_ = n.Set("goPull", func(call goja.FunctionCall) goja.Value {
		return a.pull(call.Argument(0).Export().(*goSource))
	})
	_ = n.Set("goCancel", func(call goja.FunctionCall) goja.Value {
		call.Argument(0).Export().(*goSource).cancel()
		return goja.Undefined()
	})
	return n
}

func (a *API) isDetached(call goja.FunctionCall) goja.Value {
	ab, ok := call.Argument(0).Export().(goja.ArrayBuffer)
	return a.vm.ToValue(ok && ab.Detached())
}

func (a *API) isArrayBuffer(call goja.FunctionCall) goja.Value {
	obj, ok := call.Argument(0).(*goja.Object)
	if !ok {
		return a.vm.ToValue(false)
	}
	_, ok = obj.Export().(goja.ArrayBuffer)
	return a.vm.ToValue(ok)
}

// transfer is TransferArrayBuffer: it detaches the buffer and returns a new
// one over the same memory.
func (a *API) transfer(call goja.FunctionCall) goja.Value {
	vm := a.vm
	ab, ok := call.Argument(0).Export().(goja.ArrayBuffer)
	if !ok {
		panic(vm.NewTypeError("Cannot transfer a value that is not an ArrayBuffer"))
	}
	if ab.Detached() {
		panic(vm.NewTypeError("Cannot transfer a detached ArrayBuffer"))
	}
	b := ab.Bytes()
	js.Detach(ab)
	return vm.ToValue(vm.NewArrayBuffer(b))
}

// IsReadableStream reports whether v is a ReadableStream. Before the script
// has run there are none, and it does not run it.
func (a *API) IsReadableStream(v goja.Value) bool {
	if a.fns == nil {
		return false
	}
	r, err := a.fns.isReadable(goja.Undefined(), v)
	return err == nil && r.ToBoolean()
}

// IsWritableStream reports whether v is a WritableStream (false, without
// running the script, before it has run).
func (a *API) IsWritableStream(v goja.Value) bool {
	if a.fns == nil {
		return false
	}
	r, err := a.fns.isWritable(goja.Undefined(), v)
	return err == nil && r.ToBoolean()
}

// Transformer is the Go side of a TransformStream built with NewTransform.
// Transform is called for each chunk written; Flush when the writable side
// closes; Cancel (optional) when either side is cancelled or aborted. They run
// on the loop goroutine, enqueue adds a chunk to the readable side, and an
// error they return errors the stream (return a *goja.Object for a JS error).
type Transformer struct {
	Transform func(chunk goja.Value, enqueue func(goja.Value)) error
	Flush     func(enqueue func(goja.Value)) error
	Cancel    func(reason goja.Value)
}

// NewTransform returns the readable and writable sides of a new
// TransformStream driven by t, as the standard's "set up a TransformStream"
// does for CompressionStream and friends.
func (a *API) NewTransform(t Transformer) (readable, writable *goja.Object) {
	vm := a.vm
	enqueuer := func(call goja.FunctionCall) func(goja.Value) {
		fn, _ := goja.AssertFunction(call.Argument(len(call.Arguments) - 1))
		return func(v goja.Value) {
			if _, err := fn(goja.Undefined(), v); err != nil {
				panic(err)
			}
		}
	}
	throw := func(err error) {
		if err == nil {
			return
		}
		if je, ok := err.(jsError); ok {
			panic(je.v)
		}
		panic(vm.NewGoError(err))
	}
	transform := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		throw(t.Transform(call.Argument(0), enqueuer(call)))
		return goja.Undefined()
	})
	flush := goja.Undefined()
	if t.Flush != nil {
		flush = vm.ToValue(func(call goja.FunctionCall) goja.Value {
			throw(t.Flush(enqueuer(call)))
			return goja.Undefined()
		})
	}
	cancel := goja.Undefined()
	if t.Cancel != nil {
		cancel = vm.ToValue(func(call goja.FunctionCall) goja.Value {
			t.Cancel(call.Argument(0))
			return goja.Undefined()
		})
	}
	pair, err := a.ensure().createTransform(goja.Undefined(), transform, flush, cancel)
	if err != nil {
		panic(err)
	}
	p := pair.(*goja.Object)
	return p.Get("0").(*goja.Object), p.Get("1").(*goja.Object)
}

// jsError carries a JS value as a Go error through a Transformer.
type jsError struct{ v goja.Value }

func (e jsError) Error() string { return e.v.String() }

// JSError wraps a JS value (a TypeError built with vm.NewTypeError...) so a
// Transformer can return it as the error the stream fails with.
func JSError(v goja.Value) error { return jsError{v} }
