package env_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/bindings/r2"
	"github.com/ferry-run/ferry/core/env"
	"github.com/ferry-run/ferry/core/loop"
)

// BenchmarkR2 measures one R2 operation awaited from JS, end to end, on the
// default on-disk store: argument conversion on the loop, the store on a
// worker goroutine (files and SQLite), the promise settled on the loop.
// "get-1MiB-stream" reads a 1 MiB body through its ReadableStream.
func BenchmarkR2(b *testing.B) {
	ops := []struct{ name, js string }{
		{"head", `await env.R2.head("small")`},
		{"get-text", `await (await env.R2.get("small")).text()`},
		{"get-range", `await (await env.R2.get("big", { range: { offset: 1000, length: 100 } })).arrayBuffer()`},
		{"get-1MiB-arrayBuffer", `await (await env.R2.get("big")).arrayBuffer()`},
		{"get-1MiB-stream", `const r = (await env.R2.get("big")).body.getReader(); while (!(await r.read()).done);`},
		{"put-small", `await env.R2.put("k" + (i % 100), "a value of some thirty bytes..")`},
		{"list-10", `await env.R2.list({ prefix: "list/", limit: 10 })`},
	}
	for _, op := range ops {
		b.Run(op.name, func(b *testing.B) {
			st, err := local.Open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			bucket, _ := st.R2("bench")
			ctx := context.Background()
			_, _ = bucket.Put(ctx, "small", bytes.NewReader([]byte("a value of some thirty bytes..")), r2.PutOptions{})
			_, _ = bucket.Put(ctx, "big", bytes.NewReader(make([]byte, 1<<20)), r2.PutOptions{})
			for i := 0; i < 20; i++ {
				_, _ = bucket.Put(ctx, "list/"+string(rune('a'+i)), bytes.NewReader([]byte("v")), r2.PutOptions{})
			}
			l := newRuntime(b, &env.Spec{R2: map[string]r2.Bucket{"R2": bucket}})
			scope := loop.NewScope(0)
			var run goja.Callable
			l.RunTask(scope, func(vm *goja.Runtime) error {
				v, err := vm.RunString(`(async (n) => { for (let i = 0; i < n; i++) { ` + op.js + ` } })`)
				if err != nil {
					b.Fatal(err)
				}
				run, _ = goja.AssertFunction(v)
				return nil
			})
			b.ResetTimer()
			start := time.Now()
			var p goja.Value
			l.RunTask(scope, func(vm *goja.Runtime) error {
				var err error
				if p, err = run(goja.Undefined(), vm.ToValue(b.N)); err != nil {
					b.Fatal(err)
				}
				return nil
			})
			l.RunUntilIdle()
			b.StopTimer()
			if pr := p.Export().(*goja.Promise); pr.State() != goja.PromiseStateFulfilled {
				b.Fatalf("benchmark loop failed: %v", pr.Result())
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/float64(b.N), "µs/op")
		})
	}
}
