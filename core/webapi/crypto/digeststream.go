package crypto

import (
	"sync"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/webapi/streams"
)

// crypto.DigestStream is Workers' WritableStream that hashes what is written
// to it: `new crypto.DigestStream("SHA-256")`, pipe or write BufferSources
// into it, and its `digest` promise resolves with the ArrayBuffer when the
// stream closes (and rejects with the reason when it is aborted). The class
// extends the runtime's WritableStream, so it is defined after the streams
// family (InstallDigestStream); the hashing is Go's, chunk by chunk.

const digestStreamSrc = `(function (WritableStream, newHash) {
	"use strict";
	class DigestStream extends WritableStream {
		#digest;
		constructor(algorithm) {
			const h = newHash(algorithm);
			let resolve, reject;
			const digest = new Promise((res, rej) => { resolve = res; reject = rej; });
			digest.catch(() => {}); // an aborted stream whose digest nobody awaits is not an error
			super({
				write(chunk) { h.update(chunk); },
				close() { resolve(h.finish()); },
				abort(reason) { reject(reason); },
			});
			this.#digest = digest;
		}
		get digest() { return this.#digest; }
	}
	return DigestStream;
})`

var (
	digestStreamOnce sync.Once
	digestStreamPrg  *goja.Program
)

// InstallDigestStream defines crypto.DigestStream. Call it after the streams
// family is installed; without it, it does nothing. Like the stream classes,
// the class is made on first use (js.Lazy), extending the runtime's own
// WritableStream whatever user code did to the global since.
func (a *API) InstallDigestStream() {
	st := streams.Of(a.vm)
	if st == nil {
		return
	}
	// Writable, enumerable and configurable on Crypto.prototype, as in
	// workerd.
	js.LazyOf(a.vm).Define(a.cryptoProto, "DigestStream", goja.FLAG_TRUE, goja.FLAG_TRUE, func() goja.Value {
		return a.digestStream(st.Global("WritableStream"))
	})
}

// digestStream makes the DigestStream class.
func (a *API) digestStream(ws *goja.Object) goja.Value {
	vm := a.vm
	digestStreamOnce.Do(func() { digestStreamPrg = goja.MustCompile("crypto-digeststream.js", digestStreamSrc, true) })
	f, err := vm.RunProgram(digestStreamPrg)
	if err != nil {
		panic(err)
	}
	factory, _ := goja.AssertFunction(f)
	newHashFn := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		p, err := a.normalize(call.Argument(0), opDigest)
		if err != nil {
			panic(toJS(vm, err))
		}
		h := newHash(p.name)()
		obj := vm.NewObject()
		_ = obj.Set("update", func(c goja.FunctionCall) goja.Value {
			b, ok := js.Bytes(vm, c.Argument(0))
			if !ok {
				panic(vm.NewTypeError("DigestStream accepts only ArrayBuffer or ArrayBufferView chunks"))
			}
			h.Write(b)
			return goja.Undefined()
		})
		_ = obj.Set("finish", func(goja.FunctionCall) goja.Value {
			return vm.ToValue(vm.NewArrayBuffer(h.Sum(nil)))
		})
		return obj
	})
	ctor, err := factory(goja.Undefined(), ws, newHashFn)
	if err != nil {
		panic(err)
	}
	return ctor
}
