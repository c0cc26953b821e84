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
// work and returns [readable, writable].
const glueSrc = `(function (make) {
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
	for (const C of [CompressionStream, DecompressionStream]) {
		for (const name of ["readable", "writable"]) {
			const d = Object.getOwnPropertyDescriptor(C.prototype, name);
			d.enumerable = true;
			Object.defineProperty(C.prototype, name, d);
		}
		Object.defineProperty(C.prototype, Symbol.toStringTag, { value: C.name, configurable: true });
		Object.defineProperty(globalThis, C.name, { value: C, writable: true, enumerable: false, configurable: true });
	}
})`

var (
	glueOnce sync.Once
	glue     *goja.Program
)

// Install defines CompressionStream and DecompressionStream on l's runtime.
// Call it on the loop goroutine after streams.Install.
func Install(l *loop.Loop) {
	vm := l.VM()
	st := streams.Of(vm)
	if st == nil {
		panic("compression: install the streams family first")
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
	if _, err := install(goja.Undefined(), vm.ToValue(maker)); err != nil {
		panic(err)
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
