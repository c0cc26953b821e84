package env_test

import (
	"context"
	"testing"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/bindings/d1"
	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/core/env"
	"github.com/ferry-run/ferry/core/loop"
)

// BenchmarkD1 measures one D1 call awaited from JS, end to end: bind() on
// the loop, SQL on a worker goroutine, the result converted back on the
// loop. "memory" is the --no-persist store, "disk" the default state
// directory (SQLite in WAL mode).
func BenchmarkD1(b *testing.B) {
	ops := []struct{ name, js string }{
		{"first-by-id", `await env.DB.prepare("SELECT * FROM notes WHERE id = ?").bind(i % 100 + 1).first()`},
		{"all-10-rows", `await env.DB.prepare("SELECT * FROM notes WHERE id > ? LIMIT 10").bind(i % 90).all()`},
		{"raw-100-rows", `await env.DB.prepare("SELECT * FROM notes").raw()`},
		{"run-insert", `await env.DB.prepare("INSERT INTO log (n) VALUES (?)").bind(i).run()`},
		{"batch-2", `await env.DB.batch([env.DB.prepare("INSERT INTO log (n) VALUES (?)").bind(i), env.DB.prepare("SELECT count(*) FROM log").bind()])`},
	}
	for _, store := range []string{"memory", "disk"} {
		for _, op := range ops {
			b.Run(store+"/"+op.name, func(b *testing.B) {
				dir := ""
				if store == "disk" {
					dir = b.TempDir()
				}
				st, err := local.Open(dir)
				if err != nil {
					b.Fatal(err)
				}
				defer st.Close()
				db, _ := st.D1("bench")
				ctx := context.Background()
				if _, err := db.Exec(ctx, "CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT, body TEXT, stars REAL, created_at DATETIME DEFAULT CURRENT_TIMESTAMP)\nCREATE TABLE log (n INTEGER)"); err != nil {
					b.Fatal(err)
				}
				for i := 0; i < 100; i++ {
					if _, err := db.Query(ctx, d1.Statement{SQL: "INSERT INTO notes (title, body, stars) VALUES (?, ?, ?)", Params: []d1.Value{"a title", "a body of some length for the note", 4.5}}); err != nil {
						b.Fatal(err)
					}
				}
				l := newRuntime(b, &env.Spec{D1: map[string]d1.Database{"DB": db}})
				scope := loop.NewScope(0)
				var run goja.Callable
				l.RunTask(scope, func(vm *goja.Runtime) error {
					v, err := vm.RunString(`(async (n) => { for (let i = 0; i < n; i++) ` + op.js + ` })`)
					run, _ = goja.AssertFunction(v)
					return err
				})
				b.ResetTimer()
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
			})
		}
	}
}
