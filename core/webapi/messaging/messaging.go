// Package messaging implements MessageChannel, MessagePort and MessageEvent
// (https://html.spec.whatwg.org/multipage/web-messaging.html) within one
// runtime: postMessage snapshots its argument with the structured clone
// algorithm (core/webapi/clone) and delivers it to the entangled port as a
// loop task, one task per message, in order.
//
// A port's message queue starts disabled: messages wait until start() is
// called or onmessage is set (addEventListener("message") alone does not start
// it, as in browsers). Messages waiting on a port that was never started do
// not keep the runtime alive; queued deliveries do.
//
// Invariant: everything here runs on the loop goroutine that owns the runtime.
package messaging

import (
	"strconv"
	"sync"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi/clone"
	"github.com/ferry-run/ferry/core/webapi/events"
)

// api is the per-runtime state of the package.
type api struct {
	vm                     *goja.Runtime
	loop                   *loop.Loop
	portProto, eventProto  *goja.Object
	channelProto, portCtor *goja.Object
}

var apiKey = goja.NewSymbol("ferry.messaging")

func apiOf(vm *goja.Runtime) *api {
	a, _ := events.InternalSymbol(vm.GlobalObject(), apiKey).(*api)
	return a
}

// end is one side of a channel. It outlives the MessagePort objects that own
// it in turn (a transferred port hands its end, with the messages waiting in
// it, to the port created on the receiving side).
type end struct {
	peer  *end
	owner *port // nil while in transit and after close
	items []queued
	// seq numbers messages as they are queued; delivered is the last
	// number delivered.
	seq, delivered uint64
	// enabled is the port message queue's state.
	enabled bool
}

type queued struct {
	m   *clone.Message
	seq uint64
}

// port is the state of a MessagePort.
type port struct {
	events.Target
	a   *api
	obj *goja.Object
	end *end // nil once the port is transferred ([[Detached]])
}

// msgEvent is the state a MessageEvent adds to its events.Event.
type msgEvent struct {
	data, origin, lastEventID, source goja.Value
	ports                             *goja.Object // a frozen array
}

const shellSource = `(function (n, EventTarget, Event) {
"use strict";
class MessageChannel {
  constructor() { n.channel(this); }
}
class MessagePort extends EventTarget {
  constructor() { n.illegal(); }
}
class MessageEvent extends Event {
  constructor(type, eventInitDict = undefined) {
    n.argc(arguments.length);
    super(type, eventInitDict);
    n.messageEvent(this, eventInitDict);
  }
}
return [MessageChannel, MessagePort, MessageEvent];
})`

const shellFile = "ferry:internal/messaging.js"

var (
	shellOnce sync.Once
	shell     *goja.Program
	register  sync.Once
)

// Install defines MessageChannel, MessagePort and MessageEvent on l's runtime.
// Call it on the loop goroutine, after the events and clone families.
func Install(l *loop.Loop) {
	vm := l.VM()
	a := &api{vm: vm, loop: l}
	g := vm.GlobalObject()
	events.SetInternalSymbol(vm, g, apiKey, a)
	register.Do(registerTransfer)

	shellOnce.Do(func() { shell = goja.MustCompile(shellFile, shellSource, true) })
	fn, err := vm.RunProgram(shell)
	if err != nil {
		panic(err)
	}
	mk, _ := goja.AssertFunction(fn)
	n := vm.NewObject()
	res, err := mk(goja.Undefined(), n, events.EventTargetConstructor(vm), events.EventConstructor(vm))
	if err != nil {
		panic(err)
	}
	ctors := res.(*goja.Object)
	channelCtor := ctors.Get("0").(*goja.Object)
	a.portCtor = ctors.Get("1").(*goja.Object)
	eventCtor := ctors.Get("2").(*goja.Object)
	a.channelProto = channelCtor.Get("prototype").(*goja.Object)
	a.portProto = a.portCtor.Get("prototype").(*goja.Object)
	a.eventProto = eventCtor.Get("prototype").(*goja.Object)

	_ = n.Set("illegal", func(goja.FunctionCall) goja.Value { panic(vm.NewTypeError("Illegal constructor")) })
	_ = n.Set("argc", func(call goja.FunctionCall) goja.Value {
		if call.Argument(0).ToInteger() < 1 {
			panic(vm.NewTypeError("Failed to construct 'MessageEvent': 1 argument required, but only 0 present."))
		}
		return goja.Undefined()
	})
	_ = n.Set("channel", func(call goja.FunctionCall) goja.Value {
		p1, p2 := a.newPort(), a.newPort()
		e1, e2 := &end{owner: p1}, &end{owner: p2}
		e1.peer, e2.peer = e2, e1
		p1.end, p2.end = e1, e2
		events.SetInternal(vm, call.Argument(0).(*goja.Object), &channel{p1.obj, p2.obj})
		return goja.Undefined()
	})
	_ = n.Set("messageEvent", func(call goja.FunctionCall) goja.Value {
		e, _ := events.EventOf(call.Argument(0))
		e.Ext = a.readMessageEventInit(call.Argument(1))
		return goja.Undefined()
	})

	a.installChannel()
	a.installPort()
	a.installEvent()
	for _, c := range []*goja.Object{channelCtor, a.portCtor, eventCtor} {
		name := c.Get("name").String()
		js.ToStringTag(vm, c.Get("prototype").(*goja.Object), name)
		_ = g.DefineDataProperty(name, c, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
}

type channel struct{ port1, port2 *goja.Object }

func (a *api) installChannel() {
	vm := a.vm
	self := func(call goja.FunctionCall) *channel {
		if c, ok := events.InternalAs[*channel](call.This); ok {
			return c
		}
		panic(vm.NewTypeError("Illegal invocation"))
	}
	js.Attribute(vm, a.channelProto, "port1", func(call goja.FunctionCall) goja.Value { return self(call).port1 }, nil)
	js.Attribute(vm, a.channelProto, "port2", func(call goja.FunctionCall) goja.Value { return self(call).port2 }, nil)
}

func (a *api) newPort() *port {
	obj := a.vm.CreateObject(a.portProto)
	p := &port{a: a, obj: obj}
	events.SetInternal(a.vm, obj, p)
	return p
}

func (a *api) installPort() {
	vm := a.vm
	proto := a.portProto
	self := func(call goja.FunctionCall) *port {
		if p, ok := events.InternalAs[*port](call.This); ok {
			return p
		}
		panic(vm.NewTypeError("Illegal invocation"))
	}
	js.Operation(vm, proto, "postMessage", 1, func(call goja.FunctionCall) goja.Value {
		p := self(call)
		if len(call.Arguments) < 1 {
			panic(vm.NewTypeError("Failed to execute 'postMessage' on 'MessagePort': 1 argument required, but only 0 present."))
		}
		a.post(p, call.Argument(0), a.transferArg(call.Argument(1)))
		return goja.Undefined()
	})
	js.Operation(vm, proto, "start", 0, func(call goja.FunctionCall) goja.Value {
		a.start(self(call))
		return goja.Undefined()
	})
	js.Operation(vm, proto, "close", 0, func(call goja.FunctionCall) goja.Value {
		// Disentangle: nothing posted from now on arrives, on either side.
		// Messages already queued for this port are still delivered, and the
		// port may still be transferred (as browsers and the WPT suite have it).
		if e := self(call).end; e != nil && e.peer != nil {
			e.peer.peer = nil
			e.peer = nil
		}
		return goja.Undefined()
	})
	events.DefineEventHandler(vm, proto, "message", func(this *goja.Object) {
		if p, ok := events.InternalAs[*port](this); ok {
			a.start(p)
		}
	})
	events.DefineEventHandler(vm, proto, "messageerror", nil)
}

// transferArg reads postMessage's second argument: a transfer sequence, or
// StructuredSerializeOptions with a transfer member.
func (a *api) transferArg(v goja.Value) []goja.Value {
	vm := a.vm
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		panic(vm.NewTypeError("Failed to execute 'postMessage' on 'MessagePort': The provided value is not of type 'StructuredSerializeOptions'."))
	}
	if it := obj.GetSymbol(goja.SymIterator); it != nil && !goja.IsUndefined(it) {
		return clone.TransferList(vm, obj, "postMessage")
	}
	return clone.TransferList(vm, obj.Get("transfer"), "postMessage")
}

// post is the message port post message steps.
func (a *api) post(p *port, message goja.Value, transfer []goja.Value) {
	vm := a.vm
	var target *end
	if p.end != nil {
		target = p.end.peer
	}
	doomed := false
	for i, t := range transfer {
		if t == p.obj {
			panic(events.NewDOMException(vm, "DataCloneError",
				"Failed to execute 'postMessage' on 'MessagePort': Port at index "+strconv.Itoa(i)+" contains the source port."))
		}
		if target != nil && target.owner != nil && t == target.owner.obj {
			doomed = true
		}
	}
	m, err := clone.Prepare(vm, message, transfer)
	if err != nil {
		panic(err)
	}
	if target == nil || doomed {
		return
	}
	target.seq++
	target.items = append(target.items, queued{m, target.seq})
	if target.enabled {
		a.schedule(target, target.seq)
	}
}

// start enables the port's message queue.
func (a *api) start(p *port) {
	e := p.end
	if e == nil || e.enabled {
		return
	}
	e.enabled = true
	for _, q := range e.items {
		a.schedule(e, q.seq)
	}
}

// schedule queues the task that delivers message number seq: it delivers the
// messages queued before it that are still waiting, then it, if the queue is
// still enabled and owned when it runs. A task the loop skips (its request
// ended) thus delays its message to the next task instead of losing it, and a
// message is never delivered twice.
func (a *api) schedule(e *end, seq uint64) {
	a.loop.Submit(a.loop.Current(), func(vm *goja.Runtime) error {
		for seq > e.delivered && e.enabled && e.owner != nil && len(e.items) > 0 {
			head := e.items[0]
			e.items[0] = queued{}
			e.items = e.items[1:]
			e.delivered = head.seq
			a.deliver(e.owner, head.m)
		}
		return nil
	})
}

// deliver fires the message event (or messageerror) at p.
func (a *api) deliver(p *port, m *clone.Message) {
	vm := a.vm
	data, transferred, err := m.ReceiveWithTransfer(vm)
	if err != nil {
		ev, _ := events.NewEvent(vm, "messageerror", events.EventInit{Proto: a.eventProto,
			Ext: &msgEvent{data: goja.Null(), origin: vm.ToValue(""), lastEventID: vm.ToValue(""), source: goja.Null(), ports: a.frozen(nil)}})
		events.Dispatch(vm, p.obj, ev)
		return
	}
	var ports []goja.Value
	for _, t := range transferred {
		if _, ok := events.InternalAs[*port](t); ok {
			ports = append(ports, t)
		}
	}
	ev, _ := events.NewEvent(vm, "message", events.EventInit{Proto: a.eventProto,
		Ext: &msgEvent{data: data, origin: vm.ToValue(""), lastEventID: vm.ToValue(""), source: goja.Null(), ports: a.frozen(ports)}})
	events.Dispatch(vm, p.obj, ev)
}

func (a *api) frozen(items []goja.Value) *goja.Object {
	arr := a.vm.NewArray(anySlice(items)...)
	freeze, _ := goja.AssertFunction(a.vm.Get("Object").(*goja.Object).Get("freeze"))
	if freeze != nil {
		_, _ = freeze(goja.Undefined(), arr)
	}
	return arr
}

func anySlice(v []goja.Value) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
}

// registerTransfer makes MessagePort transferable: the port's end (with the
// messages waiting in it) moves to a new MessagePort on the receiving side.
func registerTransfer() {
	clone.RegisterTransferable(clone.Transferable[*port]{
		Name:     "MessagePort",
		Detached: func(p *port) bool { return p.end == nil },
		Transfer: func(vm *goja.Runtime, p *port) (any, error) {
			e := p.end
			p.end = nil
			e.owner = nil
			e.enabled = false
			return e, nil
		},
		Receive: func(vm *goja.Runtime, data any) (goja.Value, error) {
			a := apiOf(vm)
			e := data.(*end)
			np := a.newPort()
			np.end = e
			e.owner = np
			return np.obj, nil
		},
	})
}

func (a *api) installEvent() {
	vm := a.vm
	proto := a.eventProto
	self := func(call goja.FunctionCall) *msgEvent {
		if e, ok := events.EventOf(call.This); ok {
			if m, ok := e.Ext.(*msgEvent); ok {
				return m
			}
		}
		panic(vm.NewTypeError("Illegal invocation"))
	}
	get := func(name string, f func(*msgEvent) goja.Value) {
		js.Attribute(vm, proto, name, func(call goja.FunctionCall) goja.Value { return f(self(call)) }, nil)
	}
	get("data", func(m *msgEvent) goja.Value { return m.data })
	get("origin", func(m *msgEvent) goja.Value { return m.origin })
	get("lastEventId", func(m *msgEvent) goja.Value { return m.lastEventID })
	get("source", func(m *msgEvent) goja.Value { return m.source })
	get("ports", func(m *msgEvent) goja.Value { return m.ports })
	js.Operation(vm, proto, "initMessageEvent", 1, func(call goja.FunctionCall) goja.Value {
		m := self(call)
		e, _ := events.EventOf(call.This)
		if len(call.Arguments) < 1 {
			panic(vm.NewTypeError("Failed to execute 'initMessageEvent' on 'MessageEvent': 1 argument required, but only 0 present."))
		}
		if !e.InitEvent(a.str(call.Argument(0)), call.Argument(1).ToBoolean(), call.Argument(2).ToBoolean()) {
			return goja.Undefined()
		}
		m.data = orDefault(call.Argument(3), goja.Null())
		m.origin = a.str(call.Argument(4))
		m.lastEventID = a.str(call.Argument(5))
		m.source = a.source(call.Argument(6))
		m.ports = a.frozen(a.portList(call.Argument(7)))
		return goja.Undefined()
	})
}

// readMessageEventInit reads MessageEventInit's own members, in WebIDL order
// (the Event constructor read bubbles, cancelable and composed).
func (a *api) readMessageEventInit(v goja.Value) *msgEvent {
	m := &msgEvent{data: goja.Null(), origin: a.vm.ToValue(""), lastEventID: a.vm.ToValue(""), source: goja.Null()}
	var ports []goja.Value
	if dict, ok := v.(*goja.Object); ok {
		if d := dict.Get("data"); d != nil && !goja.IsUndefined(d) {
			m.data = d
		}
		if s := dict.Get("lastEventId"); s != nil && !goja.IsUndefined(s) {
			m.lastEventID = a.str(s)
		}
		if s := dict.Get("origin"); s != nil && !goja.IsUndefined(s) {
			m.origin = a.str(s)
		}
		if p := dict.Get("ports"); p != nil && !goja.IsUndefined(p) {
			ports = a.portList(p)
		}
		if s := dict.Get("source"); s != nil {
			m.source = a.source(s)
		}
	}
	m.ports = a.frozen(ports)
	return m
}

func (a *api) str(v goja.Value) goja.Value {
	if v == nil || goja.IsUndefined(v) {
		return a.vm.ToValue("")
	}
	if _, ok := v.(*goja.Symbol); ok {
		panic(a.vm.NewTypeError("Cannot convert a Symbol value to a string"))
	}
	if s, ok := v.(goja.String); ok {
		return s
	}
	return a.vm.ToValue(v.String())
}

// source converts MessageEventSource: a MessagePort or null (no windows or
// service workers here).
func (a *api) source(v goja.Value) goja.Value {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return goja.Null()
	}
	if _, ok := events.InternalAs[*port](v); ok {
		return v
	}
	panic(a.vm.NewTypeError("Failed to construct 'MessageEvent': The provided value is not of type '(MessagePort or ServiceWorker or WindowProxy)'."))
}

// portList converts a sequence<MessagePort>.
func (a *api) portList(v goja.Value) []goja.Value {
	vm := a.vm
	if v == nil || goja.IsUndefined(v) {
		return nil
	}
	if _, ok := v.(*goja.Object); !ok {
		panic(vm.NewTypeError("Failed to construct 'MessageEvent': The provided value cannot be converted to a sequence."))
	}
	var out []goja.Value
	vm.ForOf(v, func(item goja.Value) bool {
		if _, ok := events.InternalAs[*port](item); !ok {
			panic(vm.NewTypeError("Failed to construct 'MessageEvent': Failed to convert value to 'MessagePort'."))
		}
		out = append(out, item)
		return true
	})
	return out
}

func orDefault(v, def goja.Value) goja.Value {
	if v == nil || goja.IsUndefined(v) {
		return def
	}
	return v
}
