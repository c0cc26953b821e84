package events_test

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi/events"
)

// newRuntime installs the events family on a fresh loop, with a reportError
// that records what it gets.
func newRuntime(t *testing.T) (*loop.Loop, *[]goja.Value) {
	t.Helper()
	vm := goja.New()
	l := loop.New(vm)
	var reported []goja.Value
	_ = vm.Set("reportError", func(call goja.FunctionCall) goja.Value {
		reported = append(reported, call.Argument(0))
		return goja.Undefined()
	})
	events.Install(l)
	return l, &reported
}

func run(t *testing.T, l *loop.Loop, src string) goja.Value {
	t.Helper()
	var v goja.Value
	var err error
	l.RunTask(nil, func(vm *goja.Runtime) error {
		v, err = vm.RunString(src)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return v
}

func TestListenerExceptionsGoToReportError(t *testing.T) {
	l, reported := newRuntime(t)
	v := run(t, l, `
		const t = new EventTarget();
		const order = [];
		t.addEventListener("x", () => { order.push(1); throw new Error("first"); });
		t.addEventListener("x", { handleEvent: 42 });
		t.addEventListener("x", { get handleEvent() { throw "from getter"; } });
		t.addEventListener("x", () => order.push(4));
		t.dispatchEvent(new Event("x")) + ":" + order.join(",")`)
	if v.String() != "true:1,4" {
		t.Errorf("dispatch returned %s", v)
	}
	var got []string
	for _, r := range *reported {
		if o, ok := r.(*goja.Object); ok {
			got = append(got, o.Get("name").String()+": "+o.Get("message").String())
		} else {
			got = append(got, r.String())
		}
	}
	want := []string{"Error: first", "TypeError: Failed to execute 'handleEvent' on 'EventListener': The provided callback is not callable.", "from getter"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("reported %q, want %q", got, want)
	}
}

func TestGoHooks(t *testing.T) {
	l, _ := newRuntime(t)
	vm := l.VM()
	l.RunTask(nil, func(vm *goja.Runtime) error {
		sig, abort := events.NewAbortSignal(vm)
		if !events.IsAbortSignal(sig) || events.IsAbortSignal(vm.NewObject()) || events.IsAbortSignal(goja.Undefined()) {
			t.Error("IsAbortSignal")
		}
		if _, aborted := events.Aborted(sig); aborted {
			t.Error("new signal is aborted")
		}
		var order []string
		_ = vm.Set("sig", sig)
		_ = vm.Set("order", func(call goja.FunctionCall) goja.Value {
			order = append(order, call.Argument(0).String())
			return goja.Undefined()
		})
		if _, err := vm.RunString(`sig.addEventListener("abort", () => order("event"))`); err != nil {
			t.Fatal(err)
		}
		events.OnAbort(sig, func(reason goja.Value) { order = append(order, "hook:"+reason.String()) })
		cancelled := events.OnAbort(sig, func(goja.Value) { order = append(order, "cancelled hook") })
		cancelled()
		cancelled() // twice is harmless
		abort(vm.ToValue("why"))
		abort(vm.ToValue("again"))
		if strings.Join(order, ",") != "hook:why,event" {
			t.Errorf("order %v", order)
		}
		reason, aborted := events.Aborted(sig)
		if !aborted || reason.String() != "why" {
			t.Errorf("Aborted = %v, %v", reason, aborted)
		}
		late := false
		events.OnAbort(sig, func(goja.Value) { late = true })
		if late {
			t.Error("OnAbort on an aborted signal ran")
		}
		// Default reason.
		s2, abort2 := events.NewAbortSignal(vm)
		abort2(nil)
		r, _ := events.Aborted(s2)
		if name, msg, ok := events.DOMExceptionOf(r); !ok || name.String() != "AbortError" || msg.String() != "The operation was aborted" {
			t.Errorf("default reason %v", r)
		}
		// Not a signal: nothing happens.
		events.OnAbort(vm.NewObject(), func(goja.Value) { t.Error("ran") })()
		return nil
	})
	_ = vm
}

func TestJSNewDOMExceptionUsesTheClass(t *testing.T) {
	l, _ := newRuntime(t)
	l.RunTask(nil, func(vm *goja.Runtime) error {
		e := js.NewDOMException(vm, "DataCloneError", "nope")
		_ = vm.Set("e", e)
		v, err := vm.RunString(`[e instanceof DOMException, e instanceof Error, e.name, e.message, e.code, e.constructor === DOMException].join()`)
		if err != nil {
			t.Fatal(err)
		}
		if v.String() != "true,true,DataCloneError,nope,25,true" {
			t.Errorf("got %s", v)
		}
		return nil
	})
}

func TestDispatchFromGo(t *testing.T) {
	l, _ := newRuntime(t)
	l.RunTask(nil, func(vm *goja.Runtime) error {
		target, err := vm.RunString(`const t = new EventTarget(); t.got = []; t.addEventListener("ping", (e) => { t.got.push(e.isTrusted, e.cancelable); e.preventDefault(); }); t`)
		if err != nil {
			t.Fatal(err)
		}
		ev, _ := events.NewEvent(vm, "ping", events.EventInit{Cancelable: true})
		if events.Dispatch(vm, target, ev) {
			t.Error("a canceled event dispatched as not canceled")
		}
		got := target.(*goja.Object).Get("got").Export()
		if s, _ := vm.RunString(`t.got.join()`); s.String() != "true,true" {
			t.Errorf("listener saw %v", got)
		}
		return nil
	})
}

// goTarget is a js.NewClass-style Go-backed class that is an EventTarget by
// embedding events.Target.
type goTarget struct {
	js.Expando
	events.Target
}

func TestGoBackedClassAsEventTarget(t *testing.T) {
	l, _ := newRuntime(t)
	l.RunTask(nil, func(vm *goja.Runtime) error {
		c := js.NewClass(vm, "Thing", 0, func(goja.ConstructorCall) goja.DynamicObject { return &goTarget{} })
		_ = c.Proto.SetPrototype(events.EventTargetConstructor(vm).Get("prototype").(*goja.Object))
		events.DefineEventHandler(vm, c.Proto, "ping", nil)
		_ = vm.Set("Thing", c.Ctor)
		v, err := vm.RunString(`
			const th = new Thing();
			const seen = [];
			th.addEventListener("ping", (e) => seen.push("listener:" + (e.target === th)));
			th.onping = () => seen.push("handler");
			th.dispatchEvent(new Event("ping"));
			seen.join()`)
		if err != nil {
			t.Fatal(err)
		}
		if v.String() != "listener:true,handler" {
			t.Errorf("got %s", v)
		}
		return nil
	})
}

// A pending AbortSignal.timeout must not keep RunUntilIdle from returning,
// while scheduler.wait must.
func TestTimeoutDoesNotKeepTheLoopAlive(t *testing.T) {
	l, _ := newRuntime(t)
	run(t, l, `globalThis.s = AbortSignal.timeout(60000)`)
	start := time.Now()
	l.RunUntilIdle()
	if d := time.Since(start); d > time.Second {
		t.Fatalf("RunUntilIdle waited %v for a timeout signal", d)
	}
	run(t, l, `globalThis.done = false; scheduler.wait(30).then(() => { done = true })`)
	l.RunUntilIdle()
	if v := run(t, l, `done`); !v.ToBoolean() {
		t.Error("RunUntilIdle returned before scheduler.wait resolved")
	}
	// A short timeout fires while the loop is running for something else.
	run(t, l, `globalThis.fired = ""; const t5 = AbortSignal.timeout(5); t5.onabort = () => { fired = t5.reason.name }; setTimeout(() => {}, 60)`)
	l.RunUntilIdle()
	if v := run(t, l, `fired`); v.String() != "TimeoutError" {
		t.Errorf("timeout signal: %q", v)
	}
}

// An interrupt (the CPU limit) inside a listener is not reported as a
// listener exception: it ends the task.
func TestInterruptInListenerUnwinds(t *testing.T) {
	l, reported := newRuntime(t)
	scope := loop.NewScope(20 * time.Millisecond)
	var taskErr error
	scope.OnError = func(err error) { taskErr = err }
	l.RunTask(scope, func(vm *goja.Runtime) error {
		_, err := vm.RunString(`const t = new EventTarget(); t.addEventListener("x", () => { for (;;) {} }); t.dispatchEvent(new Event("x")); globalThis.after = true;`)
		return err
	})
	if !errors.Is(taskErr, loop.ErrCPULimit) {
		t.Errorf("task error %v, want the CPU limit", taskErr)
	}
	if len(*reported) != 0 {
		t.Errorf("the interrupt was reported as an exception: %v", *reported)
	}
}

// A dependent signal nobody references and nobody listens to can be collected;
// its source must not keep it.
func TestDependentSignalsAreCollectable(t *testing.T) {
	l, _ := newRuntime(t)
	run(t, l, `globalThis.c = new AbortController();
		globalThis.pinned = 0;
		for (let i = 0; i < 2000; i++) AbortSignal.any([c.signal]);
		for (let i = 0; i < 10; i++) AbortSignal.any([c.signal]).onabort = () => pinned++;`)
	runtime.GC()
	runtime.GC()
	src := run(t, l, `c.signal`)
	if n := events.LiveDependents(src); n < 10 || n > 100 {
		t.Errorf("%d dependents alive after GC, want the 10 with listeners (and few others)", n)
	}
	// Abort reaches the pinned dependents, which nobody else references, and
	// a kept one.
	v := run(t, l, `let n = 0; const kept = AbortSignal.any([c.signal]); kept.onabort = () => n++; c.abort(); n + pinned`)
	if v.ToInteger() != 11 {
		t.Errorf("%d abort handlers ran, want 11", v.ToInteger())
	}
}
