package env_test

import (
	"context"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/bindings/kv"
	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/core/env"
	"github.com/ferry-run/ferry/core/loop"
)

// BenchmarkKV measures one KV operation awaited from JS, end to end: argument
// conversion on the loop, the store call on another goroutine, the promise
// settled back on the loop. "memory" is the --no-persist store, "disk" the
// default state directory (SQLite in WAL mode).
func BenchmarkKV(b *testing.B) {
	ops := map[string]string{
		"get":             `await env.KV.get("key")`,
		"get-json":        `await env.KV.get("json", "json")`,
		"get-missing":     `await env.KV.get("missing")`,
		"getWithMetadata": `await env.KV.getWithMetadata("key")`,
		"put":             `await env.KV.put("key", "value " + i)`,
		"put-metadata":    `await env.KV.put("key", "value", { metadata: { i } })`,
		"list-10":         `await env.KV.list({ prefix: "list/", limit: 10 })`,
	}
	for _, store := range []string{"memory", "disk"} {
		for _, name := range []string{"get", "get-json", "get-missing", "getWithMetadata", "put", "put-metadata", "list-10"} {
			b.Run(store+"/"+name, func(b *testing.B) {
				dir := ""
				if store == "disk" {
					dir = b.TempDir()
				}
				st, err := local.Open(dir)
				if err != nil {
					b.Fatal(err)
				}
				defer st.Close()
				ns, _ := st.KV("bench")
				ctx := context.Background()
				_ = ns.Put(ctx, "key", []byte("a value of some thirty bytes.."), kv.PutOptions{Metadata: []byte(`{"a":1}`)})
				_ = ns.Put(ctx, "json", []byte(`{"user":"ferry","visits":12,"tags":["a","b"]}`), kv.PutOptions{})
				for i := 0; i < 20; i++ {
					_ = ns.Put(ctx, "list/"+string(rune('a'+i)), []byte("v"), kv.PutOptions{})
				}
				l := newRuntime(b, &env.Spec{KV: map[string]kv.Namespace{"KV": ns}})
				scope := loop.NewScope(0)
				var run goja.Callable
				l.RunTask(scope, func(vm *goja.Runtime) error {
					v, err := vm.RunString(`(async (n) => { for (let i = 0; i < n; i++) ` + ops[name] + ` })`)
					run, _ = goja.AssertFunction(v)
					return err
				})
				b.ResetTimer()
				start := time.Now()
				var p goja.Value
				l.RunTask(scope, func(vm *goja.Runtime) error {
					var err error
					p, err = run(goja.Undefined(), vm.ToValue(b.N))
					return err
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
}
