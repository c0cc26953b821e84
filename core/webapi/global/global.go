// Package global installs the small globals every Worker sees: self,
// navigator, performance, crypto.getRandomValues / randomUUID (the rest of
// crypto lives in core/webapi/crypto), and reportError.
package global

import (
	"crypto/rand"
	"fmt"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

// UserAgent is navigator.userAgent, as in Cloudflare Workers.
const UserAgent = "Cloudflare-Workers"

// Install defines the globals on vm. report receives values passed to
// reportError.
func Install(vm *goja.Runtime, report func(goja.Value)) {
	g := vm.GlobalObject()
	_ = g.Set("self", g)

	// goja has no Symbol.asyncIterator. esbuild's lowered for-await looks up
	// Symbol.for("Symbol.asyncIterator"): make that the well-known symbol, so
	// lowered user code and Ferry's async iterables agree.
	sym := vm.Get("Symbol").(*goja.Object)
	if ai := sym.Get("asyncIterator"); ai == nil || goja.IsUndefined(ai) {
		key := vm.ToValue("Symbol.asyncIterator")
		forFn, _ := goja.AssertFunction(sym.Get("for"))
		if v, err := forFn(sym, key); err == nil {
			_ = sym.DefineDataProperty("asyncIterator", v, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
		}
	}

	nav := vm.NewObject()
	_ = nav.Set("userAgent", UserAgent)
	_ = nav.Set("hardwareConcurrency", 1)
	_ = nav.Set("language", "en")
	_ = g.Set("navigator", nav)

	origin := time.Now()
	perf := vm.NewObject()
	_ = perf.Set("timeOrigin", float64(origin.UnixNano())/1e6)
	_ = perf.Set("now", func(goja.FunctionCall) goja.Value {
		return vm.ToValue(float64(time.Since(origin).Nanoseconds()) / 1e6)
	})
	_ = g.Set("performance", perf)

	cr := vm.NewObject()
	_ = cr.Set("getRandomValues", func(call goja.FunctionCall) goja.Value {
		v := call.Argument(0)
		b, ok := js.Bytes(vm, v)
		if !ok || isFloatArray(v) {
			panic(vm.NewTypeError("crypto.getRandomValues() requires an integer-type TypedArray"))
		}
		if len(b) > 65536 {
			js.ThrowDOMException(vm, "QuotaExceededError", fmt.Sprintf("The ArrayBufferView's byte length (%d) exceeds the number of bytes of entropy available via this API (65536).", len(b)))
		}
		_, _ = rand.Read(b)
		return v
	})
	_ = cr.Set("randomUUID", func(goja.FunctionCall) goja.Value {
		var u [16]byte
		_, _ = rand.Read(u[:])
		u[6] = u[6]&0x0f | 0x40
		u[8] = u[8]&0x3f | 0x80
		return vm.ToValue(fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]))
	})
	_ = g.Set("crypto", cr)

	_ = g.Set("reportError", func(call goja.FunctionCall) goja.Value {
		report(call.Argument(0))
		return goja.Undefined()
	})
}

func isFloatArray(v goja.Value) bool {
	obj, ok := v.(*goja.Object)
	if !ok {
		return false
	}
	switch obj.ClassName() {
	case "Float32Array", "Float64Array", "DataView":
		return true
	}
	tag := obj.GetSymbol(goja.SymToStringTag)
	return tag != nil && (tag.String() == "Float32Array" || tag.String() == "Float64Array" || tag.String() == "Float16Array")
}
