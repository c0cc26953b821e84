package events

import (
	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

// installScheduler defines Cloudflare's scheduler global: scheduler.wait(ms,
// {signal}) returns a promise that resolves after ms milliseconds (a loop
// timer, so it keeps the event alive, like setTimeout) or rejects with the
// signal's reason when it aborts first.
func (a *api) installScheduler() {
	vm := a.vm
	sched := vm.NewObject()
	js.ToStringTag(vm, sched, "Scheduler")
	a.method(sched, "wait", 1, func(call goja.FunctionCall) goja.Value {
		p, resolve, reject := vm.NewPromise()
		var sig goja.Value
		if opts, ok := call.Argument(1).(*goja.Object); ok {
			if s := opts.Get("signal"); s != nil && !isNullish(s) {
				if !IsAbortSignal(s) {
					panic(vm.NewTypeError("Failed to execute 'wait' on 'Scheduler': Failed to read the 'signal' property from 'WaitOptions': Failed to convert value to 'AbortSignal'."))
				}
				sig = s
			}
		}
		if sig != nil {
			if reason, aborted := Aborted(sig); aborted {
				_ = reject(reason)
				return vm.ToValue(p)
			}
		}
		var unsubscribe func()
		id, err := a.setTimeout(goja.Undefined(), vm.ToValue(func(goja.FunctionCall) goja.Value {
			if unsubscribe != nil {
				unsubscribe()
			}
			_ = resolve(goja.Undefined())
			return goja.Undefined()
		}), call.Argument(0))
		if err != nil {
			panic(err)
		}
		if sig != nil {
			unsubscribe = OnAbort(sig, func(reason goja.Value) {
				_, _ = a.clearTimeout(goja.Undefined(), id)
				_ = reject(reason)
			})
		}
		return vm.ToValue(p)
	})
	_ = vm.GlobalObject().DefineDataProperty("scheduler", sched, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}
