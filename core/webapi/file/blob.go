package file

import (
	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

// defineBlob puts Blob's attributes and operations on Blob.prototype.
func (a *API) defineBlob() {
	vm, p := a.vm, a.blobProto
	this := func(call goja.FunctionCall) *Blob { return js.This[*Blob](vm, call) }
	js.Attribute(vm, p, "size", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(len(this(call).data))
	}, nil)
	js.Attribute(vm, p, "type", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(this(call).typ)
	}, nil)
	js.Operation(vm, p, "slice", 0, func(call goja.FunctionCall) goja.Value {
		b := this(call)
		start, end := sliceBounds(len(b.data), call.Argument(0), call.Argument(1))
		typ := ""
		if ct := call.Argument(2); !goja.IsUndefined(ct) {
			typ = NormalizeType(usv(vm, ct))
		}
		// The full slice expression caps the new Blob's capacity, so nothing can
		// ever append into the bytes it shares with b.
		return a.Wrap(&Blob{data: b.data[start:end:end], typ: typ})
	})
	js.Operation(vm, p, "stream", 0, func(call goja.FunctionCall) goja.Value {
		b := this(call)
		if a.NewStream == nil {
			js.TypeError(vm, "Blob.stream() needs ReadableStream, which this runtime does not have")
		}
		return a.NewStream(b.data)
	})
	a.promiseMethod("text", func(b *Blob) goja.Value { return vm.ToValue(decodeUTF8(b.data)) })
	a.promiseMethod("arrayBuffer", func(b *Blob) goja.Value {
		return vm.ToValue(vm.NewArrayBuffer(append([]byte(nil), b.data...)))
	})
	a.promiseMethod("bytes", func(b *Blob) goja.Value {
		return js.NewUint8Array(vm, append([]byte(nil), b.data...))
	})
	js.ToStringTag(vm, p, "Blob")
}

// defineFile puts File's attributes on File.prototype (which inherits Blob's).
func (a *API) defineFile() {
	vm, p := a.vm, a.fileProto
	this := func(call goja.FunctionCall) *Blob {
		b := js.This[*Blob](vm, call)
		if !b.isFile {
			js.TypeError(vm, "Illegal invocation")
		}
		return b
	}
	js.Attribute(vm, p, "name", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(this(call).name)
	}, nil)
	js.Attribute(vm, p, "lastModified", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(this(call).lastModified)
	}, nil)
	js.ToStringTag(vm, p, "File")
}

// promiseMethod defines a Blob operation that returns a new promise for
// conv(blob); a receiver that is not a Blob rejects it, as WebIDL has
// promise-returning operations do.
func (a *API) promiseMethod(name string, conv func(*Blob) goja.Value) {
	vm := a.vm
	js.Operation(vm, a.blobProto, name, 0, func(call goja.FunctionCall) goja.Value {
		p, resolve, reject := vm.NewPromise()
		if b, ok := Unwrap(call.This); ok {
			_ = resolve(conv(b))
		} else {
			_ = reject(vm.NewTypeError("Illegal invocation"))
		}
		return vm.ToValue(p)
	})
}

// sliceBounds applies slice()'s rules for start and end (WebIDL long long;
// negative values count from the end; both clamp to [0, size]; end never
// comes before start).
func sliceBounds(size int, startV, endV goja.Value) (start, end int) {
	rel := func(v goja.Value, def int) int {
		if goja.IsUndefined(v) {
			return def
		}
		n := toLongLong(v)
		if n < 0 {
			return int(max(int64(size)+n, 0))
		}
		return int(min(n, int64(size)))
	}
	start, end = rel(startV, 0), rel(endV, size)
	if end < start {
		end = start
	}
	return start, end
}

// decodeUTF8 is the Encoding Standard's "UTF-8 decode": a leading BOM is
// dropped, invalid bytes become U+FFFD.
func decodeUTF8(b []byte) string {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		b = b[3:]
	}
	return js.DecodeUTF8(b)
}
