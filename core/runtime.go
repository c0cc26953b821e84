package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/script"
	"github.com/ferry-run/ferry/core/webapi"
	"github.com/ferry-run/ferry/core/webapi/fetch"
)

// rt is one runtime of the pool: a goja VM, its loop goroutine, and the
// Worker's handlers looked up once.
type rt struct {
	w        *Worker
	index    int
	loop     *loop.Loop
	vm       *goja.Runtime
	fetch    *fetch.API
	env      *goja.Object
	inflight atomic.Int32

	// Module format: the default export and its methods.
	exports  *goja.Object
	handlers map[string]goja.Callable
	// module is the module namespace (named exports: Durable Object classes,
	// WorkerEntrypoints); defaultClass the default export when it is a class.
	module       *goja.Object
	defaultClass *goja.Object
	// objects are the Durable Objects living on this runtime (objects.go).
	objects map[objectKey]*object
	// Service-worker format: listeners registered with addEventListener.
	listeners map[string][]goja.Callable

	// scopes maps a running event's loop scope to its invocation (console
	// lines carry its request id; fetch counts its subrequests).
	scopes map[*loop.Scope]*invocation

	ctxClass *js.Class // ExecutionContext

	// condemned is set once the VM was interrupted for a CPU limit: the
	// runtime takes no more events and stops when its last one ends.
	condemned atomic.Bool
}

// errRuntimeReset fails the events that shared a runtime with one that
// exceeded its CPU limit.
var errRuntimeReset = &ScriptError{Kind: "cpu", Message: "Worker exceeded resource limits: another request in the same runtime exceeded its CPU time limit and the runtime was reset"}

// condemn replaces a runtime whose VM was interrupted. goja does not always
// unwind cleanly from an interrupt that lands inside a resumed async function
// or generator (the frame pushed by generator.next stays on its call stack,
// and promise jobs never run again), so an interrupted VM is not trusted:
// a fresh runtime takes the slot, and the events still running on this one
// fail, as they do in Cloudflare when an isolate is reset for exceeding
// resource limits. Runs on the loop goroutine.
func (r *rt) condemn() {
	if !r.condemned.CompareAndSwap(false, true) {
		return
	}
	// Start the replacement now (a few milliseconds: the Program is already
	// compiled); events queued here meanwhile are sent to it (see dispatch).
	if nr, err := r.w.startRuntime(r.index); err != nil {
		r.w.log.Error("replacing a runtime after a CPU limit: " + err.Error())
	} else {
		r.w.runtimes[r.index].Store(nr)
	}
	for _, inv := range r.scopes {
		inv.deliver(nil, errRuntimeReset)
		inv.mainDone = true
		inv.pending = 0
	}
	for _, inv := range r.scopes {
		inv.finish()
	}
	r.dropObjects()
	// Stop after the tasks already queued: events picked before the swap
	// find the runtime condemned and go to the new one (errRepick).
	r.loop.Submit(nil, func(*goja.Runtime) error { r.loop.Stop(); return nil })
}

// errNotCompiled stops the first runtime's start when the bundle failed to
// compile (New reports the compile error).
var errNotCompiled = errors.New("core: the bundle did not compile")

var preludeOnce sync.Once
var prelude *goja.Program

// preludeSource defines what `cloudflare:workers` exports (core/bundle maps
// the import to globalThis.__ferry_runtime). The base classes keep ctx and env
// as Cloudflare's do.
const preludeSource = `(function (g) {
  class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }
  class WorkerEntrypoint { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }
  class WorkflowEntrypoint { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }
  class RpcTarget {}
  Object.defineProperty(g, "__ferry_runtime", { value: { DurableObject, WorkerEntrypoint, WorkflowEntrypoint, RpcTarget, env: undefined }, enumerable: false });
})(globalThis);`

func (w *Worker) startRuntime(index int) (*rt, error) {
	ready := make(chan error, 1)
	r := &rt{w: w, index: index, scopes: map[*loop.Scope]*invocation{}, objects: map[objectKey]*object{}, handlers: map[string]goja.Callable{}, listeners: map[string][]goja.Callable{}}
	go func() {
		vm := goja.New()
		r.vm = vm
		r.loop = loop.New(vm)
		var err error
		if err = r.install(); err == nil {
			<-w.compiled // New's compile, overlapped with install
			if w.program == nil {
				err = errNotCompiled
			} else {
				err = r.evaluate()
			}
		}
		ready <- err
		if err != nil {
			return
		}
		r.loop.Run()
	}()
	if err := <-ready; err != nil {
		return nil, err
	}
	return r, nil
}

// install puts the Web APIs, env and the runtime-module globals on the VM.
func (r *rt) install() error {
	vm := r.vm
	r.fetch = webapi.Install(r.loop, webapi.Options{Console: r.console, ReportError: r.reportError, Fetch: fetch.Options{
		AllowPrivate: r.w.opts.AllowPrivateFetch,
		Subrequest:   r.subrequest,
		Context:      r.eventContext,
	}, Cache: r.w.opts.Cache})
	r.installExecutionContext()
	preludeOnce.Do(func() { prelude = goja.MustCompile("ferry:prelude", preludeSource, true) })
	if _, err := vm.RunProgram(prelude); err != nil {
		return fmt.Errorf("installing the runtime: %w", err)
	}
	envObj, err := r.w.opts.Env.Object(r.loop)
	if err != nil {
		return err
	}
	r.env = envObj
	_ = vm.Get("__ferry_runtime").(*goja.Object).Set("env", envObj)

	if r.w.format == script.ServiceWorkerFormat {
		// Service-worker scripts see their bindings as globals.
		for _, k := range envObj.Keys() {
			_ = vm.GlobalObject().Set(k, envObj.Get(k))
		}
		_ = vm.GlobalObject().Set("addEventListener", func(call goja.FunctionCall) goja.Value {
			typ := call.Argument(0).String()
			fn, ok := goja.AssertFunction(call.Argument(1))
			if !ok {
				panic(vm.NewTypeError("addEventListener: the listener must be a function"))
			}
			r.listeners[typ] = append(r.listeners[typ], fn)
			return goja.Undefined()
		})
	}
	return nil
}

// evaluate runs the script's top level and finds the handlers.
func (r *rt) evaluate() error {
	vm := r.vm
	scope := loop.NewScope(StartupCPULimit)
	var failure error
	scope.OnError = func(err error) { failure = err }
	r.loop.RunTask(scope, func(vm *goja.Runtime) error {
		_, err := vm.RunProgram(r.w.program)
		return err
	})
	if failure != nil {
		if failure == loop.ErrCPULimit {
			return fmt.Errorf("the Worker's top-level code exceeded the start-up CPU limit of %v", StartupCPULimit)
		}
		return &ScriptError{Kind: "startup", Message: "the Worker's top-level code threw: " + errorMessage(failure), Stack: errorStack(failure)}
	}
	if r.w.format == script.ServiceWorkerFormat {
		return nil
	}
	ns, _ := vm.Get(script.ExportsGlobal).(*goja.Object)
	if ns == nil {
		return fmt.Errorf("the bundle did not define %s", script.ExportsGlobal)
	}
	r.module = ns
	if err := r.checkObjectClasses(); err != nil {
		return err
	}
	def, _ := ns.Get("default").(*goja.Object)
	if def == nil {
		return fmt.Errorf("the Worker has no default export: export an object with a fetch, scheduled or queue method, e.g. `export default { async fetch(request, env, ctx) { ... } }`")
	}
	if _, isFn := goja.AssertFunction(def); isFn && def.Get("prototype") != nil {
		// `export default class extends WorkerEntrypoint`: one instance per
		// runtime stands in for Cloudflare's per-request instance.
		r.defaultClass = def
		inst, err := vm.New(def, vm.NewObject(), r.env)
		if err != nil {
			return &ScriptError{Kind: "startup", Message: "constructing the default export: " + errorMessage(err), Stack: errorStack(err)}
		}
		def = inst
	}
	r.exports = def
	for _, k := range []string{"fetch", "scheduled", "queue", "tail", "email"} {
		if fn, ok := goja.AssertFunction(def.Get(k)); ok {
			r.handlers[k] = fn
		}
	}
	return nil
}

// handler returns the module handler for kind (nil for service-worker scripts
// without a listener).
func (r *rt) handler(kind string) goja.Callable {
	if r.w.format == script.ServiceWorkerFormat {
		if len(r.listeners[kind]) > 0 {
			return func(goja.Value, ...goja.Value) (goja.Value, error) { return nil, nil }
		}
		return nil
	}
	return r.handlers[kind]
}

func (r *rt) console(level, line string) {
	id := ""
	if inv := r.current(); inv != nil {
		id = inv.id
	}
	lvl := slog.LevelInfo
	switch level {
	case "debug":
		lvl = slog.LevelDebug
	case "warn":
		lvl = slog.LevelWarn
	case "error":
		lvl = slog.LevelError
	}
	attrs := []slog.Attr{slog.String("console", level)}
	if id != "" {
		attrs = append(attrs, slog.String("request", id))
	}
	r.w.log.LogAttrs(context.Background(), lvl, line, attrs...)
}

func (r *rt) reportError(v goja.Value) {
	r.console("error", "Uncaught "+valueMessage(v))
}

// current returns the invocation whose task is running, if any.
func (r *rt) current() *invocation {
	if s := r.loop.Current(); s != nil {
		return r.scopes[s]
	}
	return nil
}

// subrequest counts one fetch() against the running event's limit.
func (r *rt) subrequest() error {
	inv := r.current()
	if inv == nil {
		return nil
	}
	inv.subrequests++
	if max := r.w.opts.Subrequests; max > 0 && inv.subrequests > max {
		return fmt.Errorf("Too many subrequests: this event made more than %d fetch() calls (limits.subrequests in the wrangler config raises the limit)", max)
	}
	return nil
}

// eventContext is the context of the running event, cancelled when it ends so
// its outstanding fetches stop.
func (r *rt) eventContext() context.Context {
	if inv := r.current(); inv != nil {
		return inv.context()
	}
	return context.Background()
}
