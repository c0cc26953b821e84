// Package events implements DOMException, Event, CustomEvent, EventTarget,
// AbortController, AbortSignal and Cloudflare's scheduler.wait, after the DOM
// and WebIDL standards (https://dom.spec.whatwg.org/#events,
// https://webidl.spec.whatwg.org/#idl-DOMException).
//
// The classes are ordinary JS classes whose constructors are a line of JS each
// (so `new` is required and `class MyTarget extends EventTarget { #x }` works
// like in a browser) and whose state and every method live in Go: see slot.go
// for how the state is attached. Go code in other families uses the exported
// helpers: NewAbortSignal/OnAbort/Aborted for fetch-like operations, NewEvent
// and Dispatch to fire events, Target to make a Go-backed class an
// EventTarget, and DefineEventHandler for onfoo attributes.
//
// Invariant: everything here runs on the loop goroutine that owns the runtime.
package events

import (
	"strconv"
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/loop"
)

// api is the per-runtime state of the package. It lives in a hidden slot on
// the global object (apiKey), so helpers that only get a *goja.Runtime can
// find it.
type api struct {
	vm     *goja.Runtime
	loop   *loop.Loop
	report goja.Callable // the original reportError, or nil
	now    func() float64

	errorCtor goja.Constructor

	domException, domExceptionProto *goja.Object
	eventCtor, eventProto           *goja.Object
	customEventProto                *goja.Object
	targetCtor, targetProto         *goja.Object
	controllerProto, signalProto    *goja.Object
	signalCtor                      *goja.Object
	isTrustedGetter                 *goja.Object

	setTimeout, clearTimeout goja.Callable

	// AbortSignal.timeout's timers (abort.go); loop goroutine only, but for
	// the Go timer's Reset.
	timeouts   timeoutHeap
	timeoutSeq uint64
	timer      *time.Timer
	timerDue   time.Time
	timerArmed bool
}

var apiKey = goja.NewSymbol("ferry.events")

func apiOf(vm *goja.Runtime) *api {
	a, _ := internalAt(vm.GlobalObject(), apiKey).(*api)
	if a == nil {
		panic("events: Install was not called on this runtime")
	}
	return a
}

// The constructors are JS so that they require `new` and can be extended; all
// they do is hand `this` to Go. n holds the Go halves.
const shellSource = `(function (n) {
"use strict";
function DOMException(message = undefined, name = undefined) {
  if (new.target === undefined) n.noNew("DOMException");
  return n.domException(new.target, message, name);
}
class Event {
  constructor(type, eventInitDict = undefined) { n.event(this, arguments.length, type, eventInitDict); }
}
class CustomEvent extends Event {
  constructor(type, eventInitDict = undefined) {
    n.argc("CustomEvent", arguments.length, 1);
    super(type, eventInitDict);
    n.customEvent(this, eventInitDict);
  }
}
class EventTarget {
  constructor() { n.eventTarget(this); }
}
class AbortController {
  constructor() { n.abortController(this); }
}
class AbortSignal extends EventTarget {
  constructor() { n.illegal(); }
}
return [DOMException, Event, CustomEvent, EventTarget, AbortController, AbortSignal];
})`

// ShellFile names the compiled constructor shells in stack traces; frames from
// it are dropped from DOMException stacks.
const shellFile = "ferry:internal/events.js"

var (
	shellOnce sync.Once
	shell     *goja.Program
)

// Install defines DOMException, Event, CustomEvent, EventTarget,
// AbortController, AbortSignal and scheduler on l's runtime. Call it on the
// loop goroutine, after the global family (listener exceptions go to its
// reportError, Event.timeStamp uses its performance.now) and before any family
// that creates AbortSignals.
func Install(l *loop.Loop) {
	vm := l.VM()
	a := &api{vm: vm, loop: l}
	g := vm.GlobalObject()
	SetInternalSymbol(vm, g, apiKey, a)

	if f, ok := goja.AssertFunction(g.Get("reportError")); ok {
		a.report = f
	}
	a.now = clock(vm)
	a.errorCtor, _ = goja.AssertConstructor(g.Get("Error"))
	a.setTimeout, _ = goja.AssertFunction(g.Get("setTimeout"))
	a.clearTimeout, _ = goja.AssertFunction(g.Get("clearTimeout"))

	shellOnce.Do(func() { shell = goja.MustCompile(shellFile, shellSource, true) })
	fn, err := vm.RunProgram(shell)
	if err != nil {
		panic(err)
	}
	natives := vm.NewObject()
	mk, _ := goja.AssertFunction(fn)
	res, err := mk(goja.Undefined(), natives)
	if err != nil {
		panic(err)
	}
	ctors := res.(*goja.Object)
	ctor := func(i int) *goja.Object { return ctors.Get(strconv.Itoa(i)).(*goja.Object) }
	a.domException = ctor(0)
	a.eventCtor = ctor(1)
	customEvent := ctor(2)
	a.targetCtor = ctor(3)
	controller := ctor(4)
	a.signalCtor = ctor(5)

	_ = natives.Set("noNew", func(call goja.FunctionCall) goja.Value {
		panic(vm.NewTypeError("Failed to construct '" + call.Argument(0).String() +
			"': Please use the 'new' operator, this DOM object constructor cannot be called as a function."))
	})
	_ = natives.Set("illegal", func(goja.FunctionCall) goja.Value { panic(vm.NewTypeError("Illegal constructor")) })
	_ = natives.Set("argc", func(call goja.FunctionCall) goja.Value {
		if have, want := call.Argument(1).ToInteger(), call.Argument(2).ToInteger(); have < want {
			panic(vm.NewTypeError(argcMessage("construct", call.Argument(0).String(), "", int(want), int(have))))
		}
		return goja.Undefined()
	})

	a.installDOMException(natives)
	a.installEvent(natives, customEvent)
	a.installTarget(natives)
	a.installAbort(natives, controller)
	a.installScheduler()

	// The global scope is an EventTarget, as Workers' ServiceWorkerGlobalScope
	// is: globalThis.addEventListener / dispatchEvent, and `this` undefined in
	// EventTarget methods means the global object.
	_ = g.SetPrototype(vm.CreateObject(a.targetProto))
	SetInternal(vm, g, &Target{})

	for _, c := range []*goja.Object{a.domException, a.eventCtor, customEvent, a.targetCtor, controller, a.signalCtor} {
		name := c.Get("name").String()
		if c != a.domException {
			js.ToStringTag(vm, c.Get("prototype").(*goja.Object), name)
		}
		_ = g.DefineDataProperty(name, c, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	js.SetDOMExceptionConstructor(vm, a.domException)
}

// SetInternalSymbol is SetInternal under another key, for state that must not
// make obj a platform object (per-runtime state on the global object).
func SetInternalSymbol(vm *goja.Runtime, obj *goja.Object, key *goja.Symbol, v any) {
	_ = obj.DefineDataPropertySymbol(key, vm.NewDynamicObject(&slot{owner: obj, v: v}),
		goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
}

// clock returns the time source of Event.timeStamp: performance.now when the
// global family defined it (so the two agree), else milliseconds since now.
func clock(vm *goja.Runtime) func() float64 {
	if perf, ok := vm.GlobalObject().Get("performance").(*goja.Object); ok {
		if now, ok := goja.AssertFunction(perf.Get("now")); ok {
			return func() float64 {
				v, err := now(perf)
				if err != nil {
					return 0
				}
				return v.ToFloat()
			}
		}
	}
	origin := time.Now()
	return func() float64 { return float64(time.Since(origin).Nanoseconds()) / 1e6 }
}

// argcMessage is Chrome's wording for too few arguments, which Workers shares:
// "Failed to execute 'addEventListener' on 'EventTarget': 2 arguments
// required, but only 1 present."
func argcMessage(verb, iface, op string, want, have int) string {
	s := "Failed to " + verb + " '"
	if op != "" {
		s += op + "' on '" + iface + "': "
	} else {
		s += iface + "': "
	}
	plural := "s"
	if want == 1 {
		plural = ""
	}
	return s + strconv.Itoa(want) + " argument" + plural + " required, but only " + strconv.Itoa(have) + " present."
}

// requireArgs throws the WebIDL TypeError when call has fewer than n arguments.
func requireArgs(vm *goja.Runtime, call goja.FunctionCall, iface, op string, n int) {
	if len(call.Arguments) < n {
		panic(vm.NewTypeError(argcMessage("execute", iface, op, n, len(call.Arguments))))
	}
}

// toDOMString converts v as WebIDL's DOMString does (a Symbol throws).
func toDOMString(vm *goja.Runtime, v goja.Value) goja.Value {
	switch v.(type) {
	case *goja.Symbol:
		panic(vm.NewTypeError("Cannot convert a Symbol value to a string"))
	case goja.String:
		return v
	case *goja.Object:
		// ToPrimitive with hint string, which may throw or give a non-string.
		return toDOMString(vm, v.ToString())
	}
	if v == nil {
		return vm.ToValue("undefined")
	}
	return vm.ToValue(v.String())
}

// getter and method shorthands: WebIDL attributes and operations.
func (a *api) getter(obj *goja.Object, name string, fn func(goja.FunctionCall) goja.Value) {
	js.Attribute(a.vm, obj, name, fn, nil)
}

func (a *api) method(obj *goja.Object, name string, length int, fn func(goja.FunctionCall) goja.Value) {
	js.Operation(a.vm, obj, name, length, fn)
}

// constant defines a WebIDL constant on both the interface object and its
// prototype.
func (a *api) constant(ctor *goja.Object, name string, v int) {
	val := a.vm.ToValue(v)
	_ = ctor.DefineDataProperty(name, val, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	_ = ctor.Get("prototype").(*goja.Object).DefineDataProperty(name, val, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
}

// reportException hands a listener's exception to reportError. An interrupt
// (CPU limit) is not an exception: it unwinds to the loop.
func (a *api) reportException(err error) {
	ex, ok := err.(*goja.Exception)
	if !ok {
		panic(err)
	}
	a.reportValue(ex.Value())
}

func (a *api) reportValue(v goja.Value) {
	if a.report == nil {
		return
	}
	if _, err := a.report(goja.Undefined(), v); err != nil {
		if _, ok := err.(*goja.Exception); !ok {
			panic(err)
		}
	}
}
