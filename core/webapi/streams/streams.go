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
// Invariant: everything here runs on the loop goroutine that owns the runtime.
package streams

import (
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

var (
	compileOnce sync.Once
	program     *goja.Program
	compileErr  error
)

func compiled() (*goja.Program, error) {
	compileOnce.Do(func() {
		program, compileErr = goja.Compile("ferry:streams", source, true)
	})
	return program, compileErr
}

// API is the streams family installed on one runtime. Other families (fetch,
// compression) use it to build and read streams from Go.
type API struct {
	vm   *goja.Runtime
	loop *loop.Loop

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

// Install defines the stream classes on l's runtime and returns the API.
// Call it on the loop goroutine, after the encoding family (TextEncoderStream
// and TextDecoderStream wrap TextEncoder and TextDecoder).
func Install(l *loop.Loop) *API {
	vm := l.VM()
	prg, err := compiled()
	if err != nil {
		panic(fmt.Errorf("compiling the streams script: %w", err))
	}
	fnv, err := vm.RunProgram(prg)
	if err != nil {
		panic(fmt.Errorf("evaluating the streams script: %w", err))
	}
	fn, _ := goja.AssertFunction(fnv)
	a := &API{vm: vm, loop: l}
	iv, err := fn(goja.Undefined(), a.natives())
	if err != nil {
		panic(fmt.Errorf("installing streams: %w", err))
	}
	internals := iv.(*goja.Object)
	a.createTransform = method(internals, "createTransform")
	a.isReadable = method(internals, "isReadableStream")
	a.isWritable = method(internals, "isWritableStream")
	a.goStream = method(internals, "goStream")
	a.goDeliver = method(internals, "goDeliver")
	a.goTake = method(internals, "goTake")
	a.state = method(internals, "state")
	a.expectedLength = method(internals, "expectedLength")
	a.tee = method(internals, "tee")
	a.acquire = method(internals, "reader")
	a.read = method(internals, "read")
	a.cancelReaderFn = method(internals, "cancelReader")
	a.readAll = method(internals, "readAll")

	key := weak.Make(vm)
	registry.Store(key, weak.Make(a))
	runtime.AddCleanup(vm, func(k weak.Pointer[goja.Runtime]) { registry.Delete(k) }, key)
	return a
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

// IsReadableStream reports whether v is a ReadableStream.
func (a *API) IsReadableStream(v goja.Value) bool {
	r, err := a.isReadable(goja.Undefined(), v)
	return err == nil && r.ToBoolean()
}

// IsWritableStream reports whether v is a WritableStream.
func (a *API) IsWritableStream(v goja.Value) bool {
	r, err := a.isWritable(goja.Undefined(), v)
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
	pair, err := a.createTransform(goja.Undefined(), transform, flush, cancel)
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
