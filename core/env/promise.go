package env

import (
	"context"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/loop"
)

// runIO is how every binding's JS method does I/O: work runs on an I/O
// worker (never on the loop goroutine) with a context from newCtx, and the
// returned promise settles on the loop — rejected with fail(err) when work
// fails, else resolved with settle's result (a JS exception thrown by settle
// rejects it). A nil settle resolves with undefined.
func runIO(l *loop.Loop, newCtx func() (context.Context, context.CancelFunc), work func(context.Context) (any, error), fail func(error) goja.Value, settle func(any) goja.Value) goja.Value {
	vm := l.VM()
	p, resolve, reject := vm.NewPromise()
	done := l.Reserve()
	goIO(func() {
		ctx, cancel := newCtx()
		res, err := work(ctx)
		cancel()
		done(func(*goja.Runtime) error {
			if err != nil {
				_ = reject(fail(err))
				return nil
			}
			if settle == nil {
				_ = resolve(goja.Undefined())
				return nil
			}
			var v goja.Value
			if ex := vm.Try(func() { v = settle(res) }); ex != nil {
				_ = reject(ex.Value())
				return nil
			}
			_ = resolve(v)
			return nil
		})
	})
	return vm.ToValue(p)
}

// backgroundCtx is runIO's context for stores without their own timeout.
func backgroundCtx() (context.Context, context.CancelFunc) {
	return context.Background(), func() {}
}

// rejectedPromise returns a promise already rejected with v, for validation
// errors found on the loop.
func rejectedPromise(vm *goja.Runtime, v goja.Value) goja.Value {
	p, _, reject := vm.NewPromise()
	_ = reject(v)
	return vm.ToValue(p)
}
