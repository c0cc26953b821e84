// Package compression implements the Compression Streams standard's
// CompressionStream and DecompressionStream for goja runtimes, with the
// formats "gzip", "deflate" and "deflate-raw" (compress/gzip, compress/zlib,
// compress/flate) and Brotli ("br", also accepted as "brotli") through
// github.com/andybalholm/brotli, both ways.
//
// The streams are TransformStreams from core/webapi/streams whose transform
// and flush run in Go: JS only queues the chunks.
//
//	const gz = new Response(body.pipeThrough(new CompressionStream("gzip")))
//
// Invariant: like every JS value, the objects are touched only by the loop
// goroutine that owns the runtime.
package compression

import (
	"sync"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi/streams"
)

// glueSrc declares the classes in JS, so that calling them without new
// throws and the brand checks come from private fields; the Go maker does the
// work and returns [readable, writable]. It runs when a global is first
// looked at (js.Lazy), perhaps after user code replaced built-ins: it only
// calls the intrinsics Install captured (gopd, dp), never a global.
const glueSrc = `(function (make, gopd, dp, toStringTag) {
	"use strict";
	// enumString is WebIDL's ToString for the enum argument (symbols throw).
	const enumString = v => {
		if (typeof v === "symbol") throw new TypeError("Cannot convert a Symbol value to a string");
		return String(v);
	};
	class CompressionStream {
		#r; #w;
		constructor(format) {
			if (arguments.length < 1) throw new TypeError("Failed to construct 'CompressionStream': 1 argument required, but only 0 present.");
			[this.#r, this.#w] = make(enumString(format), false, "CompressionStream");
		}
		get readable() { return this.#r; }
		get writable() { return this.#w; }
	}
	class DecompressionStream {
		#r; #w;
		constructor(format) {
			if (arguments.length < 1) throw new TypeError("Failed to construct 'DecompressionStream': 1 argument required, but only 0 present.");
			[this.#r, this.#w] = make(enumString(format), true, "DecompressionStream");
		}
		get readable() { return this.#r; }
		get writable() { return this.#w; }
	}
	const fix = (C) => {
		const r = gopd(C.prototype, "readable"), w = gopd(C.prototype, "writable");
		r.enumerable = true;
		w.enumerable = true;
		dp(C.prototype, "readable", r);
		dp(C.prototype, "writable", w);
		dp(C.prototype, toStringTag, { value: C.name, configurable: true });
		return C;
	};
	return { CompressionStream: fix(CompressionStream), DecompressionStream: fix(DecompressionStream) };
})`

var (
	glueOnce sync.Once
	glue     *goja.Program
)

// globalNames are the globals the family defines, in Workers' order.
var globalNames = []string{"CompressionStream", "DecompressionStream"}

// Install defines CompressionStream and DecompressionStream on l's runtime.
// Call it on the loop goroutine after streams.Install.
//
// The globals are lazy (js.Lazy): most Workers never compress, so the glue
// is compiled and run, for both classes, when either is first looked at.
func Install(l *loop.Loop) {
	vm := l.VM()
	st := streams.Of(vm)
	if st == nil {
		panic("compression: install the streams family first")
	}
	object := vm.Get("Object").(*goja.Object)
	gopd, dp := object.Get("getOwnPropertyDescriptor"), object.Get("defineProperty")
	var classes *goja.Object
	classesOf := func() *goja.Object {
		if classes != nil {
			return classes
		}
		glueOnce.Do(func() { glue = goja.MustCompile("ferry:compression", glueSrc, true) })
		fn, err := vm.RunProgram(glue)
		if err != nil {
			panic(err)
		}
		install, _ := goja.AssertFunction(fn)
		maker := func(call goja.FunctionCall) goja.Value {
			iface := call.Argument(2).String()
			format := call.Argument(0).String()
			if !formats[format] {
				panic(vm.NewTypeError("Failed to construct '" + iface + "': The provided value '" + format + "' is not a valid enum value of type CompressionFormat."))
			}
			var c codec
			if call.Argument(1).ToBoolean() {
				c = newDecompressor(format)
			} else {
				c = newCompressor(format)
			}
			r, w := st.NewTransform(transformer(vm, iface, c))
			return vm.NewArray(r, w)
		}
		v, err := install(goja.Undefined(), vm.ToValue(maker), gopd, dp, goja.SymToStringTag)
		if err != nil {
			panic(err)
		}
		classes = v.(*goja.Object)
		return classes
	}
	lazy := js.LazyOf(vm)
	g := vm.GlobalObject()
	for _, name := range globalNames {
		lazy.Define(g, name, goja.FLAG_FALSE, goja.FLAG_TRUE, func() goja.Value {
			c := classesOf()
			for _, other := range globalNames {
				if other != name {
					lazy.Make(g, other) // the family is made: so are its globals
				}
			}
			return c.Get(name)
		})
	}
}

// transformer adapts a codec to a TransformStream: chunks must be
// BufferSources, output goes out as Uint8Arrays, failures are TypeErrors.
func transformer(vm *goja.Runtime, iface string, c codec) streams.Transformer {
	emit := func(out [][]byte, enqueue func(goja.Value)) {
		for _, b := range out {
			enqueue(js.NewUint8Array(vm, b))
		}
	}
	fail := func(err error) error {
		return streams.JSError(vm.NewTypeError(iface + ": " + err.Error()))
	}
	return streams.Transformer{
		Transform: func(chunk goja.Value, enqueue func(goja.Value)) error {
			b, ok := js.Bytes(vm, chunk)
			if !ok {
				return streams.JSError(vm.NewTypeError(iface + ": the chunk must be an ArrayBuffer or an ArrayBufferView"))
			}
			out, err := c.write(b)
			if err != nil {
				return fail(err)
			}
			emit(out, enqueue)
			return nil
		},
		Flush: func(enqueue func(goja.Value)) error {
			out, err := c.finish()
			if err != nil {
				return fail(err)
			}
			emit(out, enqueue)
			return nil
		},
		Cancel: func(goja.Value) { c.abort() },
	}
}
