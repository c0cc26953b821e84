package env_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/bindings/kv"
	"github.com/ferry-run/ferry/bindings/kv/kvtest"
	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/bundle"
	"github.com/ferry-run/ferry/core/env"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi"
)

// newRuntime returns a loop with the Web APIs and an env built from spec on
// globalThis.env, as a Worker's runtime has them.
func newRuntime(t testing.TB, spec *env.Spec) *loop.Loop {
	t.Helper()
	vm := goja.New()
	l := loop.New(vm)
	webapi.Install(l, webapi.Options{Console: func(level, line string) { t.Log(level + ": " + line) }})
	obj, err := spec.Object(l)
	if err != nil {
		t.Fatal(err)
	}
	_ = vm.Set("env", obj)
	return l
}

// newKV returns an empty in-memory namespace on clock.
func newKV(t testing.TB, clock kv.Clock) kv.Namespace {
	t.Helper()
	st, err := local.Open("", local.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ns, err := st.KV("test")
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// TestJS runs testdata/*.test.js (with core/webapi's harness) in a runtime
// whose env has vars and KV namespaces from a store on a fake clock.
// globalThis.NOW is the clock in Unix seconds; advanceClock(s) moves it.
func TestJS(t *testing.T) {
	harness, err := os.ReadFile("../webapi/testdata/harness.js")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/*.test.js")
	if len(files) == 0 {
		t.Fatal("no test files")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			abs, _ := filepath.Abs(file)
			b, err := bundle.Build(bundle.Options{Entry: abs, Script: true})
			if err != nil {
				t.Fatal(err)
			}
			prg, err := core.Compile(b)
			if err != nil {
				t.Fatal(err)
			}
			clock := kvtest.NewClock(time.Unix(1_700_000_000, 0))
			queues, queueHelpers := testQueues(t, clock.Now)
			spec := &env.Spec{
				Vars: map[string]any{"GREETING": "hi", "CONFIG": map[string]any{"n": 1.0}},
				KV:   map[string]kv.Namespace{"KV": newKV(t, clock.Now), "OTHER": newKV(t, clock.Now)},
				R2:   r2Buckets(t, clock.Now),
			}
			spec.Queues = queues
			spec.D1 = d1Databases(t)
			l := newRuntime(t, spec)
			vm := l.VM()
			queueHelpers(vm)
			_ = vm.Set("NOW", clock.Now().Unix())
			_ = vm.Set("advanceClock", func(s int64) { clock.Advance(time.Duration(s) * time.Second); _ = vm.Set("NOW", clock.Now().Unix()) })
			scope := loop.NewScope(0)
			scope.OnError = func(err error) { t.Errorf("uncaught: %s", core.ErrorStack(err)) }
			scope.OnUnhandledRejection = func(v goja.Value) { t.Errorf("unhandled rejection: %s", core.ValueStack(v)) }
			var results goja.Value
			l.RunTask(scope, func(vm *goja.Runtime) error {
				if _, err := vm.RunString(string(harness)); err != nil {
					return err
				}
				if _, err := vm.RunProgram(prg); err != nil {
					return err
				}
				p, err := vm.RunString(`(async () => {
					await ` + bundle.ExportsGlobal + `;
					const out = [];
					for (const t of __tests) {
						try { await t.fn(); out.push([t.name, ""]); }
						catch (e) { out.push([t.name, String((e && e.stack) || e)]); }
					}
					return out;
				})()`)
				results = p
				return err
			})
			l.RunUntilIdle()
			prom, ok := results.Export().(*goja.Promise)
			if !ok || prom.State() != goja.PromiseStateFulfilled {
				t.Fatal("tests did not finish")
			}
			var out [][]string
			if err := vm.ExportTo(prom.Result(), &out); err != nil {
				t.Fatal(err)
			}
			if len(out) == 0 {
				t.Fatal("file registered no tests")
			}
			for _, r := range out {
				t.Run(r[0], func(t *testing.T) {
					if r[1] != "" {
						t.Error(r[1])
					}
				})
			}
		})
	}
}

func TestNamesIncludeBindings(t *testing.T) {
	spec := &env.Spec{
		Vars:    map[string]any{"B": "var"},
		Secrets: map[string]string{"A": "secret", "B": "secret wins"},
		KV:      map[string]kv.Namespace{"C": newKV(t, time.Now)},
	}
	if got := strings.Join(spec.Names(), ","); got != "A,B,C" {
		t.Fatalf("Names() = %s, want A,B,C", got)
	}
}
