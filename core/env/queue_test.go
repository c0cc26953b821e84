package env_test

import (
	"context"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/bindings/queue"
	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/webapi/clone"
)

// testQueues returns the queue bindings of TestJS — env.QUEUE (queue
// "jobs") and env.DELAYED (queue "delayed", delivery_delay 30 s) on an
// in-memory store reading clock — and a function that installs
// queueReceive(name) on a runtime: it leases every ready message of the queue,
// acks them, and returns them as a consumer would see them
// ({id, body, contentType, attempts, timestamp}).
func testQueues(t *testing.T, clock func() time.Time) (map[string]queue.Producer, func(vm *goja.Runtime)) {
	st, err := local.Open("", local.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	open := func(name string) *local.Queue {
		q, err := st.Queue(name)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	bindings := map[string]queue.Producer{
		"QUEUE":   open("jobs"),
		"DELAYED": queue.WithDeliveryDelay(open("delayed"), 30),
	}
	install := func(vm *goja.Runtime) {
		_ = vm.Set("queueReceive", func(name string) goja.Value {
			ctx := context.Background()
			q := open(name)
			ds, err := q.Receive(ctx, 100, time.Minute)
			if err != nil {
				panic(vm.NewGoError(err))
			}
			var receipts []string
			out := make([]any, len(ds))
			for i, d := range ds {
				receipts = append(receipts, d.Receipt)
				var body goja.Value
				switch d.ContentType {
				case queue.Text:
					body = vm.ToValue(string(d.Body))
				case queue.JSON:
					parse, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("parse"))
					if body, err = parse(goja.Undefined(), vm.ToValue(string(d.Body))); err != nil {
						panic(err)
					}
				case queue.Bytes:
					body = js.NewUint8Array(vm, d.Body)
				case queue.V8:
					if body, err = clone.Deserialize(vm, d.Body); err != nil {
						panic(vm.NewGoError(err))
					}
				}
				o := vm.NewObject()
				_ = o.Set("id", d.ID)
				_ = o.Set("body", body)
				_ = o.Set("contentType", string(d.ContentType))
				_ = o.Set("attempts", d.Attempts)
				_ = o.Set("timestamp", d.Timestamp.UnixMilli())
				_ = o.Set("size", len(d.Body))
				out[i] = o
			}
			if err := q.Ack(ctx, receipts); err != nil {
				panic(vm.NewGoError(err))
			}
			return vm.NewArray(out...)
		})
	}
	return bindings, install
}
