package core

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/script"
)

// Event dispatches a host event that has no Workers handler kind — a Google
// CloudEvent of a type Ferry does not map to fetch, scheduled or queue — to
// the module's exported `event(payload, env, ctx)` method, and waits for it
// and its waitUntil work, as Scheduled does. payload is JSON: the handler
// gets it parsed (a plain object). A Worker without an event() method fails
// with a ScriptError saying so; so does a service-worker script.
func (w *Worker) Event(ctx context.Context, payload json.RawMessage) error {
	_, done, err := w.dispatch(ctx, "event", func(inv *invocation, vm *goja.Runtime) (goja.Value, error) {
		r := inv.r
		if w.format == script.ServiceWorkerFormat || r.exports == nil {
			return nil, &ScriptError{Kind: "type", Message: "Handler does not export an event() function (service-worker scripts cannot receive other events)."}
		}
		h, ok := goja.AssertFunction(r.exports.Get("event"))
		if !ok {
			return nil, &ScriptError{Kind: "type", Message: "Handler does not export an event() function."}
		}
		parse, _ := goja.AssertFunction(vm.Get("JSON").(*goja.Object).Get("parse"))
		arg, err := parse(goja.Undefined(), vm.ToValue(string(payload)))
		if err != nil {
			return nil, fmt.Errorf("decoding the event payload: %w", err)
		}
		return h(r.exports, arg, r.env, inv.newContext(vm))
	}, func(goja.Value) (any, error) { return nil, nil })
	if done != nil {
		<-done
	}
	return err
}
