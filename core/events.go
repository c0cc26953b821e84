package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/script"
	"github.com/ferry-run/ferry/core/webapi/clone"
	"github.com/ferry-run/ferry/core/webapi/fetch"
)

// Request is an incoming HTTP request as hosts hand it to the Worker.
type Request struct {
	Method string
	// URL is absolute: scheme, the original host, path and raw query.
	URL    string
	Header http.Header
	// Body is nil when the request has none; the Worker closes it.
	Body io.ReadCloser
	// CF holds the `request.cf` properties the host knows (JSON-compatible).
	CF map[string]any
}

// Response is what the Worker's fetch handler produced.
type Response struct {
	Status     int
	StatusText string
	Header     http.Header
	// Body is nil when the response has none. The caller must close it.
	Body io.ReadCloser
	// Done is closed when the event's ctx.waitUntil work has ended.
	Done <-chan struct{}
	// PassThrough reports ctx.passThroughOnException(): a host with an origin
	// behind it may forward the request there when the Worker fails.
	PassThrough bool
	// Streaming reports a body the Worker produces as it goes (a stream);
	// otherwise Body reads bytes already in memory.
	Streaming bool
}

// Fetch dispatches a fetch event. A *ScriptError reports a failure inside the
// Worker (the host answers 500); other errors come from the host side.
func (w *Worker) Fetch(ctx context.Context, req *Request) (*Response, error) {
	return w.fetchEntrypoint(ctx, req, "")
}

// fetchEntrypoint dispatches a fetch event to the default export, or to a new
// instance of the named WorkerEntrypoint class (service bindings).
func (w *Worker) fetchEntrypoint(ctx context.Context, req *Request, entrypoint string) (*Response, error) {
	var inv0 *invocation
	out, done, err := w.dispatch(ctx, "fetch", func(inv *invocation, vm *goja.Runtime) (goja.Value, error) {
		inv0 = inv
		r := inv.r
		reqObj := r.fetch.NewIncomingRequest(req.Method, req.URL, req.Header, req.Body, req.CF)
		if w.format == script.ServiceWorkerFormat {
			return r.dispatchFetchEvent(inv, reqObj)
		}
		recv, h, err := r.entrypoint(inv, entrypoint, "fetch")
		if err != nil {
			return nil, err
		}
		if h == nil {
			return nil, &ScriptError{Kind: "type", Message: "Handler does not export a fetch() function."}
		}
		return h(recv, reqObj, r.env, inv.newContext(vm))
	}, func(v goja.Value) (any, error) { return convertResponse(inv0, v) })
	if err != nil {
		return nil, err
	}
	res := out.(*Response)
	res.Done = done
	res.PassThrough = inv0 != nil && inv0.passThrough
	return res, nil
}

// convertResponse turns the Response a fetch handler settled with into the
// Go response (on the loop).
func convertResponse(inv0 *invocation, v goja.Value) (any, error) {
	res, ok := fetch.ToResponse(v)
	if !ok {
		return nil, &ScriptError{Kind: "type", Message: "TypeError: Incorrect type for Promise: the Promise did not resolve to 'Response'."}
	}
	if res.Type == "error" {
		return nil, &ScriptError{Kind: "type", Message: "TypeError: the Worker returned Response.error()"}
	}
	streaming := res.Body().Streaming()
	out := &Response{Status: res.Status, StatusText: res.StatusText, Header: res.HTTPHeader(), Body: res.Body().Reader(), Streaming: streaming}
	if streaming && out.Body != nil {
		out.Body = inv0.holdBody(out.Body)
	}
	return out, nil
}

// dispatchFetchEvent runs the service-worker "fetch" listeners.
func (r *rt) dispatchFetchEvent(inv *invocation, reqObj *goja.Object) (goja.Value, error) {
	vm := r.vm
	listeners := r.listeners["fetch"]
	if len(listeners) == 0 {
		return nil, &ScriptError{Kind: "type", Message: "No event handlers were registered. This script does nothing."}
	}
	ev := vm.NewObject()
	var responded goja.Value
	_ = ev.Set("type", "fetch")
	_ = ev.Set("request", reqObj)
	_ = ev.Set("respondWith", func(c goja.FunctionCall) goja.Value {
		if responded != nil {
			js := vm.NewGoError(errors.New("FetchEvent.respondWith() was already called"))
			panic(js)
		}
		responded = c.Argument(0)
		return goja.Undefined()
	})
	_ = ev.Set("waitUntil", func(c goja.FunctionCall) goja.Value { inv.waitUntil(c.Argument(0)); return goja.Undefined() })
	_ = ev.Set("passThroughOnException", func(goja.FunctionCall) goja.Value { inv.passThrough = true; return goja.Undefined() })
	for _, l := range listeners {
		if _, err := l(goja.Undefined(), ev); err != nil {
			return nil, err
		}
	}
	if responded == nil {
		return nil, &ScriptError{Kind: "type", Message: "No response! The script will never generate a response: the fetch listener did not call event.respondWith()."}
	}
	return responded, nil
}

// Scheduled dispatches a scheduled (cron) event and waits for the handler and
// its waitUntil work, as Cloudflare does for cron triggers.
func (w *Worker) Scheduled(ctx context.Context, cron string, at time.Time) error {
	_, done, err := w.dispatch(ctx, "scheduled", func(inv *invocation, vm *goja.Runtime) (goja.Value, error) {
		r := inv.r
		ctrl := vm.NewObject()
		_ = ctrl.Set("type", "scheduled")
		_ = ctrl.Set("cron", cron)
		_ = ctrl.Set("scheduledTime", float64(at.UnixMilli()))
		_ = ctrl.Set("noRetry", func(goja.FunctionCall) goja.Value { return goja.Undefined() })
		if w.format == script.ServiceWorkerFormat {
			listeners := r.listeners["scheduled"]
			if len(listeners) == 0 {
				return nil, &ScriptError{Kind: "type", Message: "No scheduled event listener was registered."}
			}
			_ = ctrl.Set("waitUntil", func(c goja.FunctionCall) goja.Value { inv.waitUntil(c.Argument(0)); return goja.Undefined() })
			for _, l := range listeners {
				if _, err := l(goja.Undefined(), ctrl); err != nil {
					return nil, err
				}
			}
			return goja.Undefined(), nil
		}
		h := r.handlers["scheduled"]
		if h == nil {
			return nil, &ScriptError{Kind: "type", Message: "Handler does not export a scheduled() function."}
		}
		return h(r.exports, ctrl, r.env, inv.newContext(vm))
	}, func(goja.Value) (any, error) { return nil, nil })
	if done != nil {
		<-done
	}
	return err
}

// QueueMessage is one message of a queue batch.
type QueueMessage struct {
	ID        string
	Timestamp time.Time
	// Body is the encoded message; ContentType says how: "json", "text",
	// "bytes" or "v8" (the structured clone format of core/webapi/clone).
	Body        []byte
	ContentType string
	Attempts    int
}

// MessageOutcome is what became of one message.
type MessageOutcome struct {
	Ack          bool
	Retry        bool
	DelaySeconds int
}

// Queue dispatches a batch to the queue handler and reports, for each message
// in order, whether to ack or retry it. An explicit msg.ack()/retry() wins
// (first call), then batch.ackAll()/retryAll(); otherwise the message is acked
// when the handler succeeds and retried when it throws.
func (w *Worker) Queue(ctx context.Context, queue string, msgs []QueueMessage) ([]MessageOutcome, error) {
	outcomes := make([]MessageOutcome, len(msgs))
	explicit := make([]bool, len(msgs))
	var batchCall *MessageOutcome
	_, done, err := w.dispatch(ctx, "queue", func(inv *invocation, vm *goja.Runtime) (goja.Value, error) {
		r := inv.r
		h := r.handlers["queue"]
		if h == nil {
			return nil, &ScriptError{Kind: "type", Message: "Handler does not export a queue() function."}
		}
		delay := func(opts goja.Value) int {
			if o, ok := opts.(*goja.Object); ok {
				if d := o.Get("delaySeconds"); d != nil && !goja.IsUndefined(d) {
					return int(d.ToInteger())
				}
			}
			return 0
		}
		list := make([]any, len(msgs))
		for i, m := range msgs {
			i := i
			body, err := decodeMessage(vm, m)
			if err != nil {
				return nil, err
			}
			obj := vm.NewObject()
			_ = obj.Set("id", m.ID)
			ts, _ := vm.New(vm.Get("Date"), vm.ToValue(m.Timestamp.UnixMilli()))
			_ = obj.Set("timestamp", ts)
			_ = obj.Set("body", body)
			_ = obj.Set("attempts", m.Attempts)
			_ = obj.Set("ack", func(goja.FunctionCall) goja.Value {
				if !explicit[i] {
					explicit[i] = true
					outcomes[i] = MessageOutcome{Ack: true}
				}
				return goja.Undefined()
			})
			_ = obj.Set("retry", func(c goja.FunctionCall) goja.Value {
				if !explicit[i] {
					explicit[i] = true
					outcomes[i] = MessageOutcome{Retry: true, DelaySeconds: delay(c.Argument(0))}
				}
				return goja.Undefined()
			})
			list[i] = obj
		}
		batch := vm.NewObject()
		_ = batch.Set("queue", queue)
		_ = batch.Set("messages", vm.NewArray(list...))
		_ = batch.Set("ackAll", func(goja.FunctionCall) goja.Value {
			if batchCall == nil {
				batchCall = &MessageOutcome{Ack: true}
			}
			return goja.Undefined()
		})
		_ = batch.Set("retryAll", func(c goja.FunctionCall) goja.Value {
			if batchCall == nil {
				batchCall = &MessageOutcome{Retry: true, DelaySeconds: delay(c.Argument(0))}
			}
			return goja.Undefined()
		})
		return h(r.exports, batch, r.env, inv.newContext(vm))
	}, func(goja.Value) (any, error) { return nil, nil })
	if done != nil {
		// Bounded by the wait-until limit; after it the handler can no longer
		// touch the outcomes.
		<-done
	}
	for i := range outcomes {
		if explicit[i] {
			continue
		}
		switch {
		case batchCall != nil:
			outcomes[i] = *batchCall
		case err != nil:
			outcomes[i] = MessageOutcome{Retry: true}
		default:
			outcomes[i] = MessageOutcome{Ack: true}
		}
	}
	return outcomes, err
}

func decodeMessage(vm *goja.Runtime, m QueueMessage) (goja.Value, error) {
	switch m.ContentType {
	case "text":
		return vm.ToValue(string(m.Body)), nil
	case "bytes":
		return vm.ToValue(vm.NewArrayBuffer(append([]byte(nil), m.Body...))), nil
	case "v8":
		v, err := clone.Deserialize(vm, m.Body)
		if err != nil {
			return nil, fmt.Errorf("decoding queue message %s: %w", m.ID, err)
		}
		return v, nil
	case "json", "":
		parse, _ := goja.AssertFunction(vm.Get("JSON").(*goja.Object).Get("parse"))
		v, err := parse(goja.Undefined(), vm.ToValue(string(m.Body)))
		if err != nil {
			return nil, fmt.Errorf("decoding queue message %s: %w", m.ID, err)
		}
		return v, nil
	default:
		return nil, fmt.Errorf("queue message %s has unknown content type %q", m.ID, m.ContentType)
	}
}
