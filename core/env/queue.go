package env

import (
	"context"
	"errors"
	"math"
	"sync"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/bindings/queue"
	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi/clone"
)

// queueGlue is the WorkerQueue class on one runtime: Cloudflare's producer
// API (send, sendBatch) over a queue.Producer. Bodies are serialized on the
// loop goroutine, as the content type says; the producer is called on its own
// goroutine; promises settle back on the loop.
type queueGlue struct {
	vm    *goja.Runtime
	loop  *loop.Loop
	class *js.Class

	errorCtor                        *goja.Object
	jsonStringify, isView, typeOfFun goja.Callable
}

// queueProducer is the Go value behind an env.QUEUE object.
type queueProducer struct {
	js.Expando
	p queue.Producer
}

var typeOfProgram = sync.OnceValue(func() *goja.Program {
	return goja.MustCompile("typeof.js", "(v => typeof v)", true)
})

func newQueueGlue(l *loop.Loop) *queueGlue {
	vm := l.VM()
	g := &queueGlue{vm: vm, loop: l}
	g.errorCtor = vm.Get("Error").ToObject(vm)
	g.jsonStringify, _ = goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	g.isView, _ = goja.AssertFunction(vm.Get("ArrayBuffer").ToObject(vm).Get("isView"))
	f, err := vm.RunProgram(typeOfProgram())
	if err != nil {
		panic(err)
	}
	g.typeOfFun, _ = goja.AssertFunction(f)

	c := js.NewClass(vm, "WorkerQueue", 0, nil)
	g.class = c
	js.Operation(vm, c.Proto, "send", 2, g.send)
	js.Operation(vm, c.Proto, "sendBatch", 2, g.sendBatch)
	return g
}

func (g *queueGlue) wrap(p queue.Producer) *goja.Object {
	return g.class.Wrap(&queueProducer{p: p})
}

// send implements send(body, {contentType, delaySeconds}).
func (g *queueGlue) send(call goja.FunctionCall) goja.Value {
	p := js.This[*queueProducer](g.vm, call).p
	var m queue.Message
	if ex := g.vm.Try(func() {
		m = g.message(js.Arg(call, 0), js.Arg(call, 1))
	}); ex != nil {
		return g.rejected(ex.Value())
	}
	if err := queue.CheckSend(m); err != nil {
		return g.rejected(g.jsError(queue.OpSend, err))
	}
	return g.async(queue.OpSend, func(ctx context.Context) error { return p.Send(ctx, m) })
}

// sendBatch implements sendBatch([{body, contentType, delaySeconds}],
// {delaySeconds}): a message's own delay wins over the batch's.
func (g *queueGlue) sendBatch(call goja.FunctionCall) goja.Value {
	vm := g.vm
	p := js.This[*queueProducer](vm, call).p
	var msgs []queue.Message
	if ex := vm.Try(func() {
		batchDelay := g.delay(js.Arg(call, 1))
		list := js.Arg(call, 0)
		if _, ok := list.(*goja.Object); !ok {
			panic(vm.NewTypeError("Failed to execute 'sendBatch' on 'WorkerQueue': parameter 1 is not of type 'Iterable'."))
		}
		vm.ForOf(list, func(item goja.Value) bool {
			obj, ok := item.(*goja.Object)
			if !ok {
				panic(vm.NewTypeError("Failed to execute 'sendBatch' on 'WorkerQueue': a message must be an object with a body."))
			}
			m := g.message(obj.Get("body"), obj)
			if m.DelaySeconds == nil {
				m.DelaySeconds = batchDelay
			}
			msgs = append(msgs, m)
			return true
		})
	}); ex != nil {
		return g.rejected(ex.Value())
	}
	if err := queue.CheckBatch(msgs); err != nil {
		return g.rejected(g.jsError(queue.OpSendBatch, err))
	}
	return g.async(queue.OpSendBatch, func(ctx context.Context) error { return p.SendBatch(ctx, msgs) })
}

// message serializes body as opts.contentType says (the structured clone
// format, "v8", by default, as workerd) and reads opts.delaySeconds. It
// throws what workerd throws for a body its content type cannot hold.
func (g *queueGlue) message(body goja.Value, opts goja.Value) queue.Message {
	vm := g.vm
	if body == nil || goja.IsUndefined(body) {
		panic(vm.NewTypeError("Message body cannot be undefined"))
	}
	m := queue.Message{ContentType: queue.V8}
	if o, ok := opts.(*goja.Object); ok {
		if ct := o.Get("contentType"); !js.IsNullish(ct) {
			t, err := queue.CheckContentType(ct.String())
			if err != nil {
				panic(g.jsError(queue.OpSend, err))
			}
			m.ContentType = t
		}
		m.DelaySeconds = g.delay(o)
	}
	switch m.ContentType {
	case queue.Text:
		if !goja.IsString(body) {
			panic(vm.NewTypeError(`Content Type "text" requires a value of type string, but received: ` + g.typeOf(body)))
		}
		m.Body = []byte(body.String())
	case queue.Bytes:
		if v, err := g.isView(goja.Undefined(), body); err != nil || !v.ToBoolean() {
			panic(vm.NewTypeError(`Content Type "bytes" requires a value of type ArrayBufferView, but received: ` + g.typeOf(body)))
		}
		b, _ := js.Bytes(vm, body)
		m.Body = append([]byte{}, b...)
	case queue.JSON:
		s, err := g.jsonStringify(goja.Undefined(), body)
		if err != nil {
			panic(errorValue(err))
		}
		if goja.IsUndefined(s) {
			panic(vm.NewTypeError(`Content Type "json" requires a value JSON can represent, but received: ` + g.typeOf(body)))
		}
		m.Body = []byte(s.String())
	case queue.V8:
		b, err := clone.Serialize(vm, body)
		if err != nil {
			panic(errorValue(err))
		}
		m.Body = b
	}
	return m
}

// delay reads a delaySeconds member as a WebIDL long (NaN and infinities are
// 0); nil when absent. The range is the queue's to check.
func (g *queueGlue) delay(opts goja.Value) *int {
	o, ok := opts.(*goja.Object)
	if !ok {
		return nil
	}
	v := o.Get("delaySeconds")
	if js.IsNullish(v) {
		return nil
	}
	f := v.ToFloat()
	n := 0
	if !math.IsNaN(f) && !math.IsInf(f, 0) {
		n = int(max(min(math.Trunc(f), math.MaxInt32), math.MinInt32))
	}
	return &n
}

func (g *queueGlue) typeOf(v goja.Value) string {
	t, err := g.typeOfFun(goja.Undefined(), v)
	if err != nil {
		return "object"
	}
	return t.String()
}

func (g *queueGlue) async(op string, work func(ctx context.Context) error) goja.Value {
	return runIO(g.loop, backgroundCtx, func(ctx context.Context) (any, error) { return nil, work(ctx) },
		func(err error) goja.Value { return g.jsError(op, err) }, nil)
}

func (g *queueGlue) rejected(v goja.Value) goja.Value { return rejectedPromise(g.vm, v) }

// jsError turns a producer error into what Workers code catches: a TypeError
// or an Error with Cloudflare's message; anything else (I/O) reads as the
// queue service's internal error.
func (g *queueGlue) jsError(op string, err error) goja.Value {
	var qe *queue.Error
	if errors.As(err, &qe) {
		if qe.TypeError {
			return g.vm.NewTypeError(qe.Message)
		}
		return g.newError(qe.Error())
	}
	return g.newError("Queue " + op + " failed: " + err.Error())
}

func (g *queueGlue) newError(msg string) goja.Value {
	obj, err := g.vm.New(g.errorCtor, g.vm.ToValue(msg))
	if err != nil {
		panic(err)
	}
	return obj
}
