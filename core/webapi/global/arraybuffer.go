package global

import (
	"math"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

// installArrayBuffer adds the ES2024 members goja's ArrayBuffer lacks:
// transfer, transferToFixedLength and the detached getter, plus the
// resizable and maxByteLength getters (goja has no resizable buffers, so
// every buffer is fixed-length and its maximum is its length). A transfer
// moves the bytes without copying when the length is unchanged and
// detaches the original, as structuredClone's transfer list does.
func installArrayBuffer(vm *goja.Runtime) {
	ctor, ok := vm.Get("ArrayBuffer").(*goja.Object)
	if !ok {
		return
	}
	proto, ok := ctor.Get("prototype").(*goja.Object)
	if !ok {
		return
	}
	this := func(call goja.FunctionCall, method string) goja.ArrayBuffer {
		ab, ok := call.This.Export().(goja.ArrayBuffer)
		if _, isObj := call.This.(*goja.Object); !ok || !isObj {
			panic(vm.NewTypeError("ArrayBuffer.prototype.%s called on an incompatible receiver", method))
		}
		return ab
	}
	transfer := func(method string) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			ab := this(call, method)
			n := -1
			if arg := call.Argument(0); !goja.IsUndefined(arg) {
				n = toIndex(vm, arg)
			}
			if ab.Detached() {
				panic(vm.NewTypeError("Cannot perform ArrayBuffer.prototype.%s on a detached ArrayBuffer", method))
			}
			old := ab.Bytes()
			var b []byte
			switch {
			case n < 0 || n == len(old):
				b = old // moved, not copied: the original is detached below
			default:
				b = make([]byte, n)
				copy(b, old)
			}
			res := vm.NewArrayBuffer(b)
			js.Detach(ab)
			return vm.ToValue(res)
		}
	}
	method := func(name string, fn func(goja.FunctionCall) goja.Value) {
		f := vm.ToValue(fn).(*goja.Object)
		_ = f.DefineDataProperty("name", vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
		_ = f.DefineDataProperty("length", vm.ToValue(0), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
		_ = proto.DefineDataProperty(name, f, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	getter := func(name string, fn func(goja.ArrayBuffer) goja.Value) {
		g := vm.ToValue(func(call goja.FunctionCall) goja.Value { return fn(this(call, name)) }).(*goja.Object)
		_ = g.DefineDataProperty("name", vm.ToValue("get "+name), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
		_ = proto.DefineAccessorProperty(name, g, nil, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	if v := proto.Get("transfer"); v == nil || goja.IsUndefined(v) {
		method("transfer", transfer("transfer"))
	}
	if v := proto.Get("transferToFixedLength"); v == nil || goja.IsUndefined(v) {
		method("transferToFixedLength", transfer("transferToFixedLength"))
	}
	if v := proto.Get("detached"); v == nil || goja.IsUndefined(v) {
		getter("detached", func(ab goja.ArrayBuffer) goja.Value { return vm.ToValue(ab.Detached()) })
	}
	if v := proto.Get("resizable"); v == nil || goja.IsUndefined(v) {
		getter("resizable", func(goja.ArrayBuffer) goja.Value { return vm.ToValue(false) })
	}
	if v := proto.Get("maxByteLength"); v == nil || goja.IsUndefined(v) {
		getter("maxByteLength", func(ab goja.ArrayBuffer) goja.Value {
			if ab.Detached() {
				return vm.ToValue(0)
			}
			return vm.ToValue(len(ab.Bytes()))
		})
	}
}

// toIndex is ECMAScript's ToIndex, bounded by what a Go slice can hold.
func toIndex(vm *goja.Runtime, v goja.Value) int {
	f := v.ToFloat()
	if math.IsNaN(f) {
		return 0
	}
	f = math.Trunc(f)
	if f < 0 || f > 1<<53-1 {
		panic(rangeError(vm, "Invalid array buffer length"))
	}
	if f > math.MaxInt32 {
		panic(rangeError(vm, "Array buffer allocation failed"))
	}
	return int(f)
}

func rangeError(vm *goja.Runtime, msg string) *goja.Object {
	ctor, _ := vm.Get("RangeError").(*goja.Object)
	o, err := vm.New(ctor, vm.ToValue(msg))
	if err != nil {
		panic(err)
	}
	return o
}
