// Package global installs the small globals every Worker sees: self,
// navigator, performance and reportError (crypto lives in core/webapi/crypto),
// and the ES2024 ArrayBuffer members goja lacks (transfer, detached).
package global

import (
	"time"

	"github.com/dop251/goja"
)

// UserAgent is navigator.userAgent, as in Cloudflare Workers.
const UserAgent = "Cloudflare-Workers"

// Install defines the globals on vm. report receives values passed to
// reportError.
func Install(vm *goja.Runtime, report func(goja.Value)) {
	g := vm.GlobalObject()
	_ = g.Set("self", g)
	installArrayBuffer(vm)

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

	_ = g.Set("reportError", func(call goja.FunctionCall) goja.Value {
		report(call.Argument(0))
		return goja.Undefined()
	})
}
