package events

import (
	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

// Event phases (Event.NONE ...).
const (
	PhaseNone      = 0
	PhaseCapturing = 1
	PhaseAtTarget  = 2
	PhaseBubbling  = 3
)

// Event is the Go state of an Event object
// (https://dom.spec.whatwg.org/#interface-event).
type Event struct {
	obj     *goja.Object
	typ     goja.Value // the DOMString as given
	typName string     // the same, for matching listeners

	target, currentTarget *goja.Object
	phase                 int
	timeStamp             float64

	bubbles, cancelable, composed bool
	stopPropagation               bool
	stopImmediate                 bool
	canceled                      bool
	inPassiveListener             bool
	initialized                   bool
	dispatching                   bool
	trusted                       bool

	custom bool       // a CustomEvent
	detail goja.Value // CustomEvent's detail

	// Ext is the state of an Event subclass defined in Go (MessageEvent keeps
	// its data and ports here).
	Ext any
}

// Type returns the event's type.
func (e *Event) Type() string { return e.typName }

// InitEvent is initEvent(type, bubbles, cancelable) for subclasses' legacy
// init methods: it does nothing and returns false while the event is being
// dispatched.
func (e *Event) InitEvent(typ goja.Value, bubbles, cancelable bool) bool {
	if e.dispatching {
		return false
	}
	e.initialize(typ, bubbles, cancelable)
	return true
}

// Object returns the JS object of the event.
func (e *Event) Object() *goja.Object { return e.obj }

// EventOf returns the state behind an Event object (or an object of a
// subclass of Event).
func EventOf(v goja.Value) (*Event, bool) { return InternalAs[*Event](v) }

// EventInit configures NewEvent.
type EventInit struct {
	Bubbles, Cancelable, Composed bool
	// Proto is the new object's prototype, for subclasses; nil means
	// Event.prototype.
	Proto *goja.Object
	// Ext becomes Event.Ext.
	Ext any
}

// NewEvent creates an event the runtime fires itself (isTrusted is true), as
// the DOM's "create an event" does.
func NewEvent(vm *goja.Runtime, typ string, init EventInit) (*goja.Object, *Event) {
	a := apiOf(vm)
	proto := init.Proto
	if proto == nil {
		proto = a.eventProto
	}
	obj := vm.CreateObject(proto)
	e := &Event{typ: vm.ToValue(typ), typName: typ, bubbles: init.Bubbles, cancelable: init.Cancelable,
		composed: init.Composed, initialized: true, trusted: true, Ext: init.Ext}
	a.attachEvent(obj, e)
	return obj, e
}

// EventConstructor returns the runtime's Event class (to extend it from Go
// code that defines Event subclasses).
func EventConstructor(vm *goja.Runtime) *goja.Object { return apiOf(vm).eventCtor }

// attachEvent makes obj an Event with state e: the internal slot, the time
// stamp and the [LegacyUnforgeable] isTrusted own property.
func (a *api) attachEvent(obj *goja.Object, e *Event) {
	e.obj = obj
	e.timeStamp = a.now()
	SetInternal(a.vm, obj, e)
	_ = obj.DefineAccessorProperty("isTrusted", a.isTrustedGetter, nil, goja.FLAG_FALSE, goja.FLAG_TRUE)
}

// readEventInit reads an EventInit dictionary in WebIDL order (bubbles,
// cancelable, composed).
func (a *api) readEventInit(iface string, dict goja.Value) (bubbles, cancelable, composed bool) {
	if dict == nil || goja.IsUndefined(dict) || goja.IsNull(dict) {
		return
	}
	obj, ok := dict.(*goja.Object)
	if !ok {
		panic(a.vm.NewTypeError("Failed to construct '" + iface + "': The provided value is not of type '" + iface + "Init'."))
	}
	return boolMember(obj, "bubbles"), boolMember(obj, "cancelable"), boolMember(obj, "composed")
}

func boolMember(obj *goja.Object, name string) bool {
	v := obj.Get(name)
	return v != nil && v.ToBoolean()
}

func (a *api) installEvent(n *goja.Object, customEvent *goja.Object) {
	vm := a.vm
	ctor := a.eventCtor
	proto := ctor.Get("prototype").(*goja.Object)
	a.eventProto = proto
	a.customEventProto = customEvent.Get("prototype").(*goja.Object)

	a.isTrustedGetter = vm.ToValue(func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(a.self(call).trusted)
	}).(*goja.Object)
	_ = a.isTrustedGetter.DefineDataProperty("name", vm.ToValue("get isTrusted"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)

	_ = n.Set("event", func(call goja.FunctionCall) goja.Value {
		this := call.Argument(0).(*goja.Object)
		if call.Argument(1).ToInteger() < 1 {
			panic(vm.NewTypeError(argcMessage("construct", "Event", "", 1, 0)))
		}
		typ := toDOMString(vm, call.Argument(2))
		e := &Event{typ: typ, typName: typ.String(), initialized: true}
		e.bubbles, e.cancelable, e.composed = a.readEventInit("Event", call.Argument(3))
		a.attachEvent(this, e)
		return goja.Undefined()
	})
	_ = n.Set("customEvent", func(call goja.FunctionCall) goja.Value {
		e, _ := EventOf(call.Argument(0))
		e.custom = true
		e.detail = goja.Null()
		if dict, ok := call.Argument(1).(*goja.Object); ok {
			if d := dict.Get("detail"); d != nil && !goja.IsUndefined(d) {
				e.detail = d
			}
		}
		return goja.Undefined()
	})

	for _, c := range []struct {
		name  string
		value int
	}{{"NONE", PhaseNone}, {"CAPTURING_PHASE", PhaseCapturing}, {"AT_TARGET", PhaseAtTarget}, {"BUBBLING_PHASE", PhaseBubbling}} {
		a.constant(ctor, c.name, c.value)
	}

	orNull := func(o *goja.Object) goja.Value {
		if o == nil {
			return goja.Null()
		}
		return o
	}
	a.getter(proto, "type", func(call goja.FunctionCall) goja.Value { return a.self(call).typ })
	a.getter(proto, "target", func(call goja.FunctionCall) goja.Value { return orNull(a.self(call).target) })
	a.getter(proto, "srcElement", func(call goja.FunctionCall) goja.Value { return orNull(a.self(call).target) })
	a.getter(proto, "currentTarget", func(call goja.FunctionCall) goja.Value { return orNull(a.self(call).currentTarget) })
	a.method(proto, "composedPath", 0, func(call goja.FunctionCall) goja.Value {
		e := a.self(call)
		if e.dispatching && e.target != nil {
			return vm.NewArray(e.target)
		}
		return vm.NewArray()
	})
	a.getter(proto, "eventPhase", func(call goja.FunctionCall) goja.Value { return vm.ToValue(a.self(call).phase) })
	a.method(proto, "stopPropagation", 0, func(call goja.FunctionCall) goja.Value {
		a.self(call).stopPropagation = true
		return goja.Undefined()
	})
	rw := func(name string, get, set func(goja.FunctionCall) goja.Value) {
		js.Attribute(vm, proto, name, get, set)
	}
	rw("cancelBubble", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(a.self(call).stopPropagation)
	}, func(call goja.FunctionCall) goja.Value {
		e := a.self(call)
		if call.Argument(0).ToBoolean() {
			e.stopPropagation = true
		}
		return goja.Undefined()
	})
	a.method(proto, "stopImmediatePropagation", 0, func(call goja.FunctionCall) goja.Value {
		e := a.self(call)
		e.stopPropagation = true
		e.stopImmediate = true
		return goja.Undefined()
	})
	a.getter(proto, "bubbles", func(call goja.FunctionCall) goja.Value { return vm.ToValue(a.self(call).bubbles) })
	a.getter(proto, "cancelable", func(call goja.FunctionCall) goja.Value { return vm.ToValue(a.self(call).cancelable) })
	rw("returnValue", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(!a.self(call).canceled)
	}, func(call goja.FunctionCall) goja.Value {
		e := a.self(call)
		if !call.Argument(0).ToBoolean() {
			e.cancel()
		}
		return goja.Undefined()
	})
	a.method(proto, "preventDefault", 0, func(call goja.FunctionCall) goja.Value {
		a.self(call).cancel()
		return goja.Undefined()
	})
	a.getter(proto, "defaultPrevented", func(call goja.FunctionCall) goja.Value { return vm.ToValue(a.self(call).canceled) })
	a.getter(proto, "composed", func(call goja.FunctionCall) goja.Value { return vm.ToValue(a.self(call).composed) })
	a.getter(proto, "timeStamp", func(call goja.FunctionCall) goja.Value { return vm.ToValue(a.self(call).timeStamp) })
	a.method(proto, "initEvent", 1, func(call goja.FunctionCall) goja.Value {
		e := a.self(call)
		requireArgs(vm, call, "Event", "initEvent", 1)
		typ := toDOMString(vm, call.Argument(0))
		if e.dispatching {
			return goja.Undefined()
		}
		e.initialize(typ, call.Argument(1).ToBoolean(), call.Argument(2).ToBoolean())
		return goja.Undefined()
	})

	cproto := a.customEventProto
	customSelf := func(call goja.FunctionCall) *Event {
		e := a.self(call)
		if !e.custom {
			panic(vm.NewTypeError("Illegal invocation"))
		}
		return e
	}
	a.getter(cproto, "detail", func(call goja.FunctionCall) goja.Value { return customSelf(call).detail })
	a.method(cproto, "initCustomEvent", 1, func(call goja.FunctionCall) goja.Value {
		e := customSelf(call)
		requireArgs(vm, call, "CustomEvent", "initCustomEvent", 1)
		typ := toDOMString(vm, call.Argument(0))
		if e.dispatching {
			return goja.Undefined()
		}
		e.initialize(typ, call.Argument(1).ToBoolean(), call.Argument(2).ToBoolean())
		e.detail = call.Argument(3)
		if goja.IsUndefined(e.detail) {
			e.detail = goja.Null()
		}
		return goja.Undefined()
	})
}

// self is the Event behind this, or a TypeError.
func (a *api) self(call goja.FunctionCall) *Event {
	if e, ok := EventOf(call.This); ok {
		return e
	}
	panic(a.vm.NewTypeError("Illegal invocation"))
}

// cancel sets the canceled flag when the event is cancelable and not inside a
// passive listener (the DOM's "set the canceled flag").
func (e *Event) cancel() {
	if e.cancelable && !e.inPassiveListener {
		e.canceled = true
	}
}

// initialize is the DOM's "initialize" (for initEvent).
func (e *Event) initialize(typ goja.Value, bubbles, cancelable bool) {
	e.initialized = true
	e.stopPropagation = false
	e.stopImmediate = false
	e.canceled = false
	e.trusted = false
	e.target = nil
	e.typ = typ
	e.typName = typ.String()
	e.bubbles = bubbles
	e.cancelable = cancelable
}
