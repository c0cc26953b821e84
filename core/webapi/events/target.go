package events

import (
	"reflect"

	"github.com/dop251/goja"
)

// Target is the listener list of an EventTarget
// (https://dom.spec.whatwg.org/#interface-eventtarget). Objects made by
// `new EventTarget()` (or a subclass) have one as their state; a Go-backed
// class becomes an EventTarget by embedding a Target in its state (an ordinary
// object's via SetInternal, or a js.NewClass dynamic object's) and giving its
// prototype EventTarget.prototype as an ancestor.
type Target struct {
	listeners map[string][]*listener
	handlers  map[string]*handler
	// onListen runs after an "abort" listener is added (dependent AbortSignals
	// must then stay alive as long as their sources).
	onListen func()
}

// EventTarget returns t; it makes any state that embeds a Target satisfy
// Holder.
func (t *Target) EventTarget() *Target { return t }

// Holder is implemented by the state of every EventTarget.
type Holder interface{ EventTarget() *Target }

var holderType = reflect.TypeFor[Holder]()

// listener is an event listener: a callback (function or object with
// handleEvent) with its flags, or an event handler attribute's slot.
type listener struct {
	callback *goja.Object
	fn       goja.Callable // callback when it is callable, cached
	h        *handler      // set for the listener of an onfoo attribute
	capture  bool
	once     bool
	passive  bool
	removed  bool
	// unsubscribe detaches the listener from its AbortSignal option.
	unsubscribe func()
}

// handler is an event handler attribute's value
// (https://html.spec.whatwg.org/#event-handler-attributes).
type handler struct {
	value goja.Value // an object, or nil for null
	l     *listener  // the listener while one is registered
}

// targetOf returns the EventTarget state behind v.
func targetOf(v goja.Value) (*goja.Object, *Target) {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, nil
	}
	if h, ok := Internal(obj).(Holder); ok {
		return obj, h.EventTarget()
	}
	// A js.NewClass object whose Go state embeds a Target.
	if t := obj.ExportType(); t != nil && t.Kind() == reflect.Pointer && t.Implements(holderType) {
		if h, ok := obj.Export().(Holder); ok {
			return obj, h.EventTarget()
		}
	}
	return nil, nil
}

// TargetOf returns the listener list behind an EventTarget object.
func TargetOf(v goja.Value) (*Target, bool) {
	_, t := targetOf(v)
	return t, t != nil
}

// EventTargetConstructor returns the runtime's EventTarget class, for Go code
// that defines subclasses.
func EventTargetConstructor(vm *goja.Runtime) *goja.Object { return apiOf(vm).targetCtor }

func (a *api) installTarget(n *goja.Object) {
	vm := a.vm
	proto := a.targetCtor.Get("prototype").(*goja.Object)
	a.targetProto = proto
	_ = n.Set("eventTarget", func(call goja.FunctionCall) goja.Value {
		SetInternal(vm, call.Argument(0).(*goja.Object), &Target{})
		return goja.Undefined()
	})
	this := func(call goja.FunctionCall) (*goja.Object, *Target) {
		self := call.This
		if isNullish(self) {
			self = vm.GlobalObject() // addEventListener(...) called bare
		}
		obj, t := targetOf(self)
		if t == nil {
			panic(vm.NewTypeError("Illegal invocation"))
		}
		return obj, t
	}
	a.method(proto, "addEventListener", 2, func(call goja.FunctionCall) goja.Value {
		_, t := this(call)
		requireArgs(vm, call, "EventTarget", "addEventListener", 2)
		typ := toDOMString(vm, call.Argument(0)).String()
		capture, once, passive, signal := a.flattenOptions(call.Argument(2), true)
		cb, ok := call.Argument(1).(*goja.Object)
		if !ok {
			if isNullish(call.Argument(1)) {
				return goja.Undefined()
			}
			panic(vm.NewTypeError("Failed to execute 'addEventListener' on 'EventTarget': parameter 2 is not of type 'Object'."))
		}
		if signal != nil && signal.aborted {
			return goja.Undefined()
		}
		l := &listener{callback: cb, capture: capture, once: once, passive: passive}
		l.fn, _ = goja.AssertFunction(cb)
		t.add(typ, l, signal)
		return goja.Undefined()
	})
	a.method(proto, "removeEventListener", 2, func(call goja.FunctionCall) goja.Value {
		_, t := this(call)
		requireArgs(vm, call, "EventTarget", "removeEventListener", 2)
		typ := toDOMString(vm, call.Argument(0)).String()
		capture, _, _, _ := a.flattenOptions(call.Argument(2), false)
		cb, ok := call.Argument(1).(*goja.Object)
		if !ok {
			if isNullish(call.Argument(1)) {
				return goja.Undefined()
			}
			panic(vm.NewTypeError("Failed to execute 'removeEventListener' on 'EventTarget': parameter 2 is not of type 'Object'."))
		}
		for _, l := range t.listeners[typ] {
			if l.callback == cb && l.capture == capture {
				t.remove(typ, l)
				break
			}
		}
		return goja.Undefined()
	})
	a.method(proto, "dispatchEvent", 1, func(call goja.FunctionCall) goja.Value {
		obj, t := this(call)
		requireArgs(vm, call, "EventTarget", "dispatchEvent", 1)
		e, ok := EventOf(call.Argument(0))
		if !ok {
			panic(vm.NewTypeError("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'."))
		}
		if e.dispatching || !e.initialized {
			panic(a.newDOMException(a.domException, vm.ToValue("InvalidStateError"),
				vm.ToValue("Failed to execute 'dispatchEvent' on 'EventTarget': The event is already being dispatched.")))
		}
		e.trusted = false
		return vm.ToValue(a.dispatch(obj, t, e))
	})
}

func isNullish(v goja.Value) bool { return v == nil || goja.IsUndefined(v) || goja.IsNull(v) }

// flattenOptions reads an options argument of addEventListener (add) or
// removeEventListener: a boolean (capture) or a dictionary read in WebIDL
// order — capture, then once, passive, signal.
func (a *api) flattenOptions(v goja.Value, add bool) (capture, once, passive bool, sig *signal) {
	obj, ok := v.(*goja.Object)
	if !ok {
		return v != nil && v.ToBoolean(), false, false, nil
	}
	capture = boolMember(obj, "capture")
	if !add {
		return
	}
	once = boolMember(obj, "once")
	passive = boolMember(obj, "passive")
	if s := obj.Get("signal"); s != nil && !goja.IsUndefined(s) {
		sig, ok = InternalAs[*signal](s)
		if !ok {
			panic(a.vm.NewTypeError("Failed to execute 'addEventListener' on 'EventTarget': Failed to read the 'signal' property from 'AddEventListenerOptions': Failed to convert value to 'AbortSignal'."))
		}
	}
	return
}

// add appends l unless an equal listener (same type, callback and capture) is
// there already; an AbortSignal removes it when it aborts.
func (t *Target) add(typ string, l *listener, sig *signal) {
	for _, o := range t.listeners[typ] {
		if o.callback == l.callback && o.capture == l.capture && l.callback != nil {
			return
		}
	}
	if t.listeners == nil {
		t.listeners = map[string][]*listener{}
	}
	t.listeners[typ] = append(t.listeners[typ], l)
	if sig != nil {
		l.unsubscribe = sig.addAlgorithm(func(goja.Value) { t.remove(typ, l) })
	}
	if typ == "abort" && t.onListen != nil {
		t.onListen()
	}
}

// remove is the DOM's "remove an event listener".
func (t *Target) remove(typ string, l *listener) {
	l.removed = true
	list := t.listeners[typ]
	for i, o := range list {
		if o == l {
			// Dispatch iterates over a copy, so editing in place is safe.
			copy(list[i:], list[i+1:])
			list[len(list)-1] = nil
			list = list[:len(list)-1]
			break
		}
	}
	if len(list) == 0 {
		delete(t.listeners, typ)
	} else {
		t.listeners[typ] = list
	}
	if l.unsubscribe != nil {
		l.unsubscribe()
		l.unsubscribe = nil
	}
}

// HasListeners reports whether any listener for typ is registered.
func (t *Target) HasListeners(typ string) bool { return len(t.listeners[typ]) > 0 }

// Dispatch fires the event ev at target and returns false if a listener
// canceled it. Exceptions thrown by listeners go to reportError; a CPU-limit
// interrupt unwinds as a panic to the loop.
func Dispatch(vm *goja.Runtime, target, ev goja.Value) bool {
	a := apiOf(vm)
	obj, t := targetOf(target)
	e, ok := EventOf(ev)
	if t == nil || !ok {
		panic(vm.NewTypeError("events.Dispatch: not an EventTarget and an Event"))
	}
	return a.dispatch(obj, t, e)
}

// dispatch is the DOM's dispatch algorithm for a target with no parent: the
// path is the target alone, so capture listeners run, then the others, all at
// AT_TARGET.
func (a *api) dispatch(obj *goja.Object, t *Target, e *Event) bool {
	e.dispatching = true
	e.target = obj
	defer func() {
		e.phase = PhaseNone
		e.currentTarget = nil
		e.dispatching = false
		e.stopPropagation = false
		e.stopImmediate = false
	}()
	e.phase = PhaseAtTarget
	a.invoke(obj, t, e, true)
	a.invoke(obj, t, e, false)
	return !e.canceled
}

// invoke runs the listeners of one phase over a copy of the list taken now, so
// listeners added meanwhile wait for the next phase or event.
//
// The stop propagation flag is not checked: with no parents there is nothing
// to propagate to, and browsers and workerd call every listener of a plain
// EventTarget after stopPropagation() or cancelBubble = true (WPT's
// Event-propagation-EventTarget pins this); only stopImmediatePropagation()
// stops them.
func (a *api) invoke(obj *goja.Object, t *Target, e *Event, capture bool) {
	e.currentTarget = obj
	list := t.listeners[e.typName]
	n := 0
	for _, l := range list {
		if l.capture == capture {
			n++
		}
	}
	if n == 0 {
		return
	}
	snapshot := make([]*listener, 0, n)
	for _, l := range list {
		if l.capture == capture {
			snapshot = append(snapshot, l)
		}
	}
	for _, l := range snapshot {
		if e.stopImmediate {
			break // also when set before dispatch, as browsers do
		}
		if l.removed {
			continue
		}
		if l.once {
			t.remove(e.typName, l)
		}
		if l.passive {
			e.inPassiveListener = true
		}
		a.call(obj, l, e)
		e.inPassiveListener = false
	}
}

// call invokes one listener: a function with this = currentTarget, an
// object's handleEvent (looked up on every call) with this = the object, or an
// event handler attribute's current value.
func (a *api) call(this *goja.Object, l *listener, e *Event) {
	vm := a.vm
	if l.h != nil {
		fnObj, ok := l.h.value.(*goja.Object)
		if !ok {
			return
		}
		fn, ok := goja.AssertFunction(fnObj)
		if !ok {
			a.reportValue(vm.NewTypeError("The event handler is not callable."))
			return
		}
		ret, err := fn(this, e.obj)
		if err != nil {
			a.reportException(err)
			return
		}
		if b, ok := ret.Export().(bool); ok && !b {
			e.cancel()
		}
		return
	}
	if l.fn != nil {
		if _, err := l.fn(this, e.obj); err != nil {
			a.reportException(err)
		}
		return
	}
	var he goja.Value
	if ex := vm.Try(func() { he = l.callback.Get("handleEvent") }); ex != nil {
		a.reportValue(ex.Value())
		return
	}
	fn, ok := goja.AssertFunction(he)
	if !ok {
		a.reportValue(vm.NewTypeError("Failed to execute 'handleEvent' on 'EventListener': The provided callback is not callable."))
		return
	}
	if _, err := fn(l.callback, e.obj); err != nil {
		a.reportException(err)
	}
}

// DefineEventHandler defines the event handler attribute "on"+typ on proto
// (an EventTarget's prototype): setting a function registers a listener for
// typ that calls the attribute's current value, keeping its place among the
// listeners when the value changes; null removes it. A handler returning false
// cancels the event. onSet, if not nil, runs after each set (MessagePort
// starts its queue).
func DefineEventHandler(vm *goja.Runtime, proto *goja.Object, typ string, onSet func(this *goja.Object)) {
	name := "on" + typ
	this := func(call goja.FunctionCall) (*goja.Object, *Target) {
		obj, t := targetOf(call.This)
		if t == nil {
			panic(vm.NewTypeError("Illegal invocation"))
		}
		return obj, t
	}
	get := func(call goja.FunctionCall) goja.Value {
		_, t := this(call)
		if h := t.handlers[typ]; h != nil && h.value != nil {
			return h.value
		}
		return goja.Null()
	}
	set := func(call goja.FunctionCall) goja.Value {
		obj, t := this(call)
		v, isObj := call.Argument(0).(*goja.Object)
		h := t.handlers[typ]
		if !isObj {
			if h != nil {
				h.value = nil
				if h.l != nil {
					t.remove(typ, h.l)
					h.l = nil
				}
			}
		} else {
			if h == nil {
				h = &handler{}
				if t.handlers == nil {
					t.handlers = map[string]*handler{}
				}
				t.handlers[typ] = h
			}
			h.value = v
			if h.l == nil {
				h.l = &listener{h: h}
				t.add(typ, h.l, nil)
			}
		}
		if onSet != nil {
			onSet(obj)
		}
		return goja.Undefined()
	}
	g := vm.ToValue(get).(*goja.Object)
	s := vm.ToValue(set).(*goja.Object)
	_ = g.DefineDataProperty("name", vm.ToValue("get "+name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = s.DefineDataProperty("name", vm.ToValue("set "+name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = s.DefineDataProperty("length", vm.ToValue(1), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = proto.DefineAccessorProperty(name, g, s, goja.FLAG_TRUE, goja.FLAG_TRUE)
}
