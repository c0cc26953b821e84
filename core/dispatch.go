package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/loop"
)

// errRepick tells dispatch that the runtime it picked was replaced before the
// event started; it is never returned to callers.
var errRepick = errors.New("core: runtime replaced before the event started")

// invocation is one event in flight on one runtime. Everything but the
// channels is touched only on the runtime's loop goroutine.
type invocation struct {
	r     *rt
	id    string
	kind  string
	scope *loop.Scope

	result    chan outcome // receives exactly one outcome
	delivered bool
	mainDone  bool
	pending   int // ctx.waitUntil promises not yet settled
	streaming int // response bodies the host is still reading (holdBody)
	finished  bool
	done      chan struct{}
	started   time.Time

	// waitUntilLeft is the waitUntil limit, postponed until the response
	// body has been written (see holdBody).
	waitUntilLeft time.Duration

	passThrough bool
	convert     func(goja.Value) (any, error)
	stopLimit   *time.Timer // the waitUntil limit, stopped when the event ends
	subrequests int
	scopeState  loop.Scope // what scope points to: one allocation less

	// ctx is cancelled when the event ends; it is made by context() on
	// first use (most events never ask), from parent without its
	// cancellation (the event outlives the host's request for waitUntil).
	parent context.Context
	ctx    context.Context
	cancel context.CancelFunc
}

// context returns the event's context (see ctx). Call on the loop.
func (inv *invocation) context() context.Context {
	if inv.ctx == nil {
		inv.ctx, inv.cancel = context.WithCancel(context.WithoutCancel(inv.parent))
		if inv.finished {
			inv.cancel()
		}
	}
	return inv.ctx
}

// wallTimer returns a stopped-and-reset timer for the wall-clock limit; put
// it back in w.timers when done. Since Go 1.23 a timer reset after Stop
// never delivers a stale value, so pooled timers are as good as new ones.
func (w *Worker) wallTimer() *time.Timer {
	if t, ok := w.timers.Get().(*time.Timer); ok {
		t.Reset(w.opts.WallLimit)
		return t
	}
	return time.NewTimer(w.opts.WallLimit)
}

func (w *Worker) putWallTimer(t *time.Timer) {
	t.Stop()
	w.timers.Put(t)
}

type outcome struct {
	value any
	err   error
}

// dispatch runs one event: build (on the loop) calls the handler and returns
// what it returned; convert turns its settled value into the Go result. It
// returns the result, a channel closed when waitUntil work ends, or an error.
func (w *Worker) dispatch(ctx context.Context, kind string, build func(inv *invocation, vm *goja.Runtime) (goja.Value, error), convert func(goja.Value) (any, error)) (any, <-chan struct{}, error) {
	return w.dispatchOn(ctx, w.pick, nil, kind, build, convert)
}

// dispatchOn is dispatch on the runtime pick returns. An event for a Durable
// Object passes the object's gate: build returns errGated while the object
// is blocked (blockConcurrencyWhile, transaction) and the event is sent
// again once the gate opens (objects.go).
func (w *Worker) dispatchOn(ctx context.Context, pick func() *rt, gate *objectGate, kind string, build func(inv *invocation, vm *goja.Runtime) (goja.Value, error), convert func(goja.Value) (any, error)) (any, <-chan struct{}, error) {
	r := w.slotRuntime(pick(), pick)
	r.inflight.Add(1)
	w.inflight.Add(1)
	inv := &invocation{r: r, id: w.requestID(ctx), kind: kind, result: make(chan outcome, 1), done: make(chan struct{}), convert: convert, started: time.Now(), parent: ctx}
	limit := w.opts.CPULimit
	if limit < 0 {
		limit = 0
	}
	inv.scope = &inv.scopeState
	inv.scope.Limit = limit
	inv.scope.OnError = inv.onError
	inv.scope.OnUnhandledRejection = inv.onRejection

	ok := r.loop.Submit(inv.scope, func(vm *goja.Runtime) error {
		if r.condemned.Load() {
			// Picked just before the runtime was replaced: the handler has
			// not run, so dispatch sends the event to the new runtime.
			inv.deliver(nil, errRepick)
			inv.mainDone = true
			inv.finish()
			return nil
		}
		r.scopes[inv.scope] = inv
		v, err := build(inv, vm)
		if err == errGated {
			inv.deliver(nil, errGated)
			inv.mainDone = true
			inv.finish()
			return nil
		}
		if err != nil {
			return err
		}
		inv.await(v)
		return nil
	})
	if !ok {
		r.inflight.Add(-1)
		w.inflight.Done()
		if r.condemned.Load() {
			return w.dispatchOn(ctx, pick, gate, kind, build, convert)
		}
		return nil, nil, errors.New("the Worker is shutting down")
	}

	var wall <-chan time.Time
	if w.opts.WallLimit > 0 {
		t := w.wallTimer()
		defer w.putWallTimer(t)
		wall = t.C
	}
	select {
	case o := <-inv.result:
		if o.err == errRepick {
			return w.dispatchOn(ctx, pick, gate, kind, build, convert)
		}
		if o.err == errGated {
			if err := gate.wait(ctx); err != nil {
				return nil, nil, err
			}
			return w.dispatchOn(ctx, pick, gate, kind, build, convert)
		}
		inv.limitWaitUntil(w.opts.WaitUntilLimit)
		return o.value, inv.done, o.err
	case <-wall:
		err := &ScriptError{Kind: "wall", Message: fmt.Sprintf("Worker exceeded the wall-clock limit of %v before responding", w.opts.WallLimit)}
		inv.abort(err)
		return nil, inv.done, err
	case <-ctx.Done():
		err := &ScriptError{Kind: "canceled", Message: "the client went away before the Worker responded: " + ctx.Err().Error()}
		inv.abort(err)
		return nil, inv.done, err
	}
}

// abort ends the invocation from another goroutine.
func (inv *invocation) abort(err error) {
	inv.r.loop.Submit(nil, func(*goja.Runtime) error {
		inv.deliver(nil, err)
		inv.finish()
		return nil
	})
}

// limitWaitUntil cancels the event's remaining waitUntil work once limit has
// passed. It costs a timer, not a goroutine: most events are done already.
func (inv *invocation) limitWaitUntil(limit time.Duration) {
	select {
	case <-inv.done:
		return
	default:
	}
	t := time.AfterFunc(limit, func() {
		inv.r.loop.Submit(nil, func(*goja.Runtime) error {
			if !inv.finished && inv.streaming > 0 {
				// The response is still being written: the waitUntil
				// limit starts when it is done.
				inv.waitUntilLeft = limit
				return nil
			}
			if !inv.finished {
				inv.logf(slog.LevelWarn, "ctx.waitUntil work was cancelled after %v (%d promise(s) still pending)", limit, inv.pending)
				inv.finish()
			}
			return nil
		})
	})
	inv.r.loop.Submit(nil, func(*goja.Runtime) error {
		// Stop the timer as soon as the event ends on its own.
		if inv.finished {
			t.Stop()
		} else {
			inv.stopLimit = t
		}
		return nil
	})
}

// await settles the invocation from v, a value or a promise for one.
func (inv *invocation) await(v goja.Value) {
	inv.r.then(v, func(res goja.Value) {
		out, err := inv.convert(res)
		inv.deliver(out, err)
		inv.mainDone = true
		inv.maybeFinish()
	}, func(reason goja.Value) {
		inv.deliver(nil, valueError(reason))
		inv.mainDone = true
		inv.maybeFinish()
	})
}

func (inv *invocation) deliver(v any, err error) {
	if inv.delivered {
		if err != nil {
			inv.logf(slog.LevelError, "%s", errorText(err))
		}
		return
	}
	inv.delivered = true
	inv.result <- outcome{v, err}
}

func (inv *invocation) onError(err error) {
	if errors.Is(err, loop.ErrCPULimit) {
		e := &ScriptError{Kind: "cpu", Message: fmt.Sprintf("Worker exceeded CPU time limit (%v)", inv.r.w.opts.CPULimit)}
		if inv.delivered {
			inv.logf(slog.LevelError, "%s (in ctx.waitUntil work)", e.Message)
		}
		inv.deliver(nil, e)
		inv.finish()
		// An event dispatched meanwhile to this runtime is queued behind
		// this task; it finds the runtime condemned and moves on.
		inv.r.condemn()
		return
	}
	inv.deliver(nil, exceptionError(err))
	inv.mainDone = true
	inv.maybeFinish()
}

func (inv *invocation) onRejection(reason goja.Value) {
	inv.logf(slog.LevelError, "Unhandled promise rejection: %s", valueStack(reason))
}

func (inv *invocation) logf(level slog.Level, format string, args ...any) {
	inv.r.w.log.LogAttrs(context.Background(), level, fmt.Sprintf(format, args...), slog.String("request", inv.id))
}

// waitUntil implements ctx.waitUntil: the invocation stays alive until p settles.
func (inv *invocation) waitUntil(p goja.Value) {
	if inv.finished {
		return
	}
	inv.pending++
	inv.r.then(p, func(goja.Value) {
		inv.pending--
		inv.maybeFinish()
	}, func(reason goja.Value) {
		inv.logf(slog.LevelError, "Uncaught (in ctx.waitUntil promise) %s", valueStack(reason))
		inv.pending--
		inv.maybeFinish()
	})
}

func (inv *invocation) maybeFinish() {
	if inv.mainDone && inv.delivered && inv.pending <= 0 && inv.streaming <= 0 {
		inv.finish()
	}
}

// holdBody keeps the event open while the host reads its response body, as
// Workers do: a body may be a stream that JS is still writing (its timers,
// fetches and CPU budget must stay live — server-sent events) or an upstream
// fetch() being proxied (the event's context must not cancel it). The event
// ends once the host closes the body and waitUntil work is done; the
// waitUntil limit counts from then. Call on the loop.
func (inv *invocation) holdBody(body io.ReadCloser) io.ReadCloser {
	inv.streaming++
	return &heldBody{ReadCloser: body, release: func() {
		inv.r.loop.Submit(nil, func(*goja.Runtime) error {
			inv.streaming--
			if inv.streaming <= 0 && inv.waitUntilLeft > 0 && !inv.finished {
				inv.limitWaitUntil(inv.waitUntilLeft)
				inv.waitUntilLeft = 0
			}
			inv.maybeFinish()
			return nil
		})
	}}
}

// heldBody calls release once, when closed.
type heldBody struct {
	io.ReadCloser
	release func()
	once    sync.Once
}

func (h *heldBody) Close() error {
	err := h.ReadCloser.Close()
	h.once.Do(h.release)
	return err
}

// finish ends the invocation once: its timers are dropped and it leaves the
// runtime's count.
func (inv *invocation) finish() {
	if inv.finished {
		return
	}
	inv.finished = true
	if inv.stopLimit != nil {
		inv.stopLimit.Stop()
	}
	inv.scope.Cancel()
	if inv.cancel != nil {
		inv.cancel()
	}
	delete(inv.r.scopes, inv.scope)
	inv.r.inflight.Add(-1)
	inv.r.w.inflight.Done()
	close(inv.done)
}

// then calls ok or fail when v settles (at once for a non-promise value).
func (r *rt) then(v goja.Value, ok, fail func(goja.Value)) {
	if p, isPromise := v.Export().(*goja.Promise); isPromise {
		switch p.State() {
		case goja.PromiseStateFulfilled:
			ok(p.Result())
			return
		case goja.PromiseStateRejected:
			// Mark it handled so the tracker does not report it.
			r.attach(v.(*goja.Object), ok, fail)
			return
		}
	}
	obj, isObj := v.(*goja.Object)
	if !isObj {
		ok(v)
		return
	}
	if _, thenable := goja.AssertFunction(obj.Get("then")); !thenable {
		ok(v)
		return
	}
	r.attach(obj, ok, fail)
}

func (r *rt) attach(obj *goja.Object, ok, fail func(goja.Value)) {
	vm := r.vm
	thenFn, _ := goja.AssertFunction(obj.Get("then"))
	_, err := thenFn(obj,
		vm.ToValue(func(c goja.FunctionCall) goja.Value { ok(c.Argument(0)); return goja.Undefined() }),
		vm.ToValue(func(c goja.FunctionCall) goja.Value { fail(c.Argument(0)); return goja.Undefined() }))
	if err != nil {
		fail(errorValue(vm, err))
	}
}

// execContext is the Go state of the ExecutionContext (`ctx`) a handler gets.
type execContext struct {
	js.Expando
	inv   *invocation
	props goja.Value
}

// installExecutionContext defines the ExecutionContext class once per runtime,
// so each event costs one small object instead of three closures.
func (r *rt) installExecutionContext() {
	vm := r.vm
	c := js.NewClass(vm, "ExecutionContext", 0, nil)
	c.Method("waitUntil", func(call goja.FunctionCall) goja.Value {
		js.This[*execContext](vm, call).inv.waitUntil(call.Argument(0))
		return goja.Undefined()
	})
	c.Method("passThroughOnException", func(call goja.FunctionCall) goja.Value {
		js.This[*execContext](vm, call).inv.passThrough = true
		return goja.Undefined()
	})
	c.Getter("props", func(call goja.FunctionCall) goja.Value {
		ec := js.This[*execContext](vm, call)
		if ec.props == nil {
			ec.props = vm.NewObject()
		}
		return ec.props
	})
	r.ctxClass = c
}

// newContext builds the ExecutionContext (`ctx`) passed to handlers.
func (inv *invocation) newContext(vm *goja.Runtime) *goja.Object {
	return inv.r.ctxClass.Wrap(&execContext{inv: inv})
}
