package env_test

import (
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/bindings/kv"
	"github.com/ferry-run/ferry/bindings/kv/kvtest"
	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/core/env"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi"
	"github.com/ferry-run/ferry/core/webapi/webapitest"
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

// TestJS runs testdata/*.test.js (with core/webapi/webapitest) in a runtime
// whose env has vars and KV namespaces from a store on a fake clock.
// globalThis.NOW is the clock in Unix seconds; advanceClock(s) moves it.
func TestJS(t *testing.T) {
	webapitest.Run(t, "testdata/*.test.js", func(t *testing.T) *loop.Loop {
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
		return l
	})
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
