// Package js holds the small helpers every Web API family shares: WebIDL-style
// argument conversion, BufferSource access, errors with the names Workers code
// expects (TypeError, RangeError, DOMException) and Go-backed host objects.
//
// Invariant: everything here runs on the goroutine that owns the runtime.
package js

import (
	"reflect"
	"sync/atomic"

	"github.com/dop251/goja"
)

// Throw panics with a JS error value; goja turns the panic into a JS exception
// when it happens inside a native function called from JS.
func Throw(v goja.Value) { panic(v) }

// TypeError throws a JS TypeError with msg.
func TypeError(vm *goja.Runtime, msg string) {
	panic(vm.NewTypeError(msg))
}

// RangeError throws a JS RangeError with msg.
func RangeError(vm *goja.Runtime, msg string) {
	ctor := vm.Get("RangeError").ToObject(vm)
	obj, err := vm.New(ctor, vm.ToValue(msg))
	if err != nil {
		panic(err)
	}
	panic(obj)
}

// Bytes returns the bytes viewed by a BufferSource (ArrayBuffer, a typed array
// or DataView). The slice aliases JS memory: copy it before keeping it past the
// current call. ok is false when v is not a BufferSource.
func Bytes(vm *goja.Runtime, v goja.Value) (b []byte, ok bool) {
	if v == nil {
		return nil, false
	}
	x, detached := export(v)
	if detached {
		return []byte{}, true
	}
	switch x := x.(type) {
	case goja.ArrayBuffer:
		return x.Bytes(), true
	case []byte:
		// goja exports Uint8Array as []byte aliasing the buffer.
		return x, true
	}
	obj, isObj := v.(*goja.Object)
	if !isObj {
		return nil, false
	}
	// Other typed arrays and DataView: read buffer, byteOffset, byteLength.
	buf := obj.Get("buffer")
	if buf == nil {
		return nil, false
	}
	ab, isAB := buf.Export().(goja.ArrayBuffer)
	if !isAB {
		return nil, false
	}
	off := obj.Get("byteOffset")
	n := obj.Get("byteLength")
	if off == nil || n == nil {
		return nil, false
	}
	all := ab.Bytes()
	o, l := off.ToInteger(), n.ToInteger()
	if o < 0 || l < 0 || o+l > int64(len(all)) {
		return nil, false
	}
	return all[o : o+l], true
}

// export is v.Export(), except for a typed array whose buffer was detached
// (transferred): goja's Export of one slices released memory, and the
// standard reads it as viewing no bytes, so detached is true instead.
// Checking costs a property read (a third of an HMAC sign of 1 KiB), so it
// is made only once some buffer has been detached through Detach.
func export(v goja.Value) (x any, detached bool) {
	if anyDetached.Load() {
		if obj, ok := v.(*goja.Object); ok && isTypedArray(obj) {
			if buf := obj.Get("buffer"); buf != nil {
				if ab, ok := buf.Export().(goja.ArrayBuffer); ok && ab.Detached() {
					return nil, true
				}
			}
		}
	}
	return v.Export(), false
}

// anyDetached is set, for good, by the first Detach in the process. It is
// only a hint that lets Bytes skip a check no view can fail before then.
var anyDetached atomic.Bool

// Detach detaches ab (as a transfer does) and reports whether it was not
// already detached. Code that detaches buffers must use it rather than
// ab.Detach, so that Bytes sees views of detached buffers as empty.
func Detach(ab goja.ArrayBuffer) bool {
	anyDetached.Store(true)
	return ab.Detach()
}

// isTypedArray reports whether obj is a typed array (goja exports those as
// Go slices) without exporting it.
func isTypedArray(obj *goja.Object) bool {
	t := obj.ExportType()
	if t == nil || t.Kind() != reflect.Slice {
		return false
	}
	switch t.Elem().Kind() {
	case reflect.Int8, reflect.Uint8, reflect.Int16, reflect.Uint16, reflect.Int32, reflect.Uint32,
		reflect.Int64, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false // an Array exports as []any
}

// NewUint8Array returns a new Uint8Array holding a copy-free view of b (the
// caller gives up b).
func NewUint8Array(vm *goja.Runtime, b []byte) goja.Value {
	ab := vm.NewArrayBuffer(b)
	ctor := vm.Get("Uint8Array").ToObject(vm)
	obj, err := vm.New(ctor, vm.ToValue(ab))
	if err != nil {
		panic(err)
	}
	return obj
}

// IsNullish reports whether v is undefined or null (or absent).
func IsNullish(v goja.Value) bool {
	return v == nil || goja.IsUndefined(v) || goja.IsNull(v)
}

// Arg returns argument i of call, or undefined when it is absent.
func Arg(call goja.FunctionCall, i int) goja.Value {
	if i < len(call.Arguments) {
		return call.Arguments[i]
	}
	return goja.Undefined()
}

// Method defines a function property the way WebIDL defines operations on a
// prototype: writable, enumerable and configurable, with its name set.
// Its name property is non-writable, non-enumerable and configurable, as for
// every function (Operation with length 0).
func Method(vm *goja.Runtime, obj *goja.Object, name string, fn func(goja.FunctionCall) goja.Value) {
	Operation(vm, obj, name, 0, fn)
}

// Getter defines an accessor property with only a getter, as WebIDL readonly
// attributes are.
func Getter(vm *goja.Runtime, obj *goja.Object, name string, fn func(goja.FunctionCall) goja.Value) {
	_ = obj.DefineAccessorProperty(name, vm.ToValue(fn), nil, goja.FLAG_TRUE, goja.FLAG_TRUE)
}
