package env_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ferry-run/ferry/bindings/kv"
	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/bindings/r2"
	"github.com/ferry-run/ferry/core/env"
)

// r2Buckets returns env.R2 for TestJS: an empty in-memory bucket on clock.
func r2Buckets(t testing.TB, clock kv.Clock) map[string]r2.Bucket {
	t.Helper()
	st, err := local.Open("", local.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b, err := st.R2("test-bucket")
	if err != nil {
		t.Fatal(err)
	}
	return map[string]r2.Bucket{"R2": b}
}

func TestNamesIncludeR2Buckets(t *testing.T) {
	spec := &env.Spec{
		Vars: map[string]any{"A": "var"},
		KV:   map[string]kv.Namespace{"B": newKV(t, time.Now)},
		R2:   r2Buckets(t, time.Now),
	}
	if got := strings.Join(spec.Names(), ","); got != "A,B,R2" {
		t.Fatalf("Names() = %s, want A,B,R2", got)
	}
}
