package env_test

import (
	"strings"
	"testing"

	"github.com/ferry-run/ferry/bindings/d1"
	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/core/env"
)

// d1Databases returns env.DB and env.DB2: two empty in-memory databases.
func d1Databases(t testing.TB) map[string]d1.Database {
	t.Helper()
	st, err := local.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	out := map[string]d1.Database{}
	for _, name := range []string{"DB", "DB2"} {
		db, err := st.D1(name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = db
	}
	return out
}

// TestD1BindingInEnv checks that a D1 binding is in env under its name and
// wins over a var of the same name, as bindings do.
func TestD1BindingInEnv(t *testing.T) {
	spec := &env.Spec{
		Vars: map[string]any{"DB": "a var", "NAME": "x"},
		D1:   d1Databases(t),
	}
	if got := strings.Join(spec.Names(), ","); got != "DB,DB2,NAME" {
		t.Fatalf("Names() = %s", got)
	}
	l := newRuntime(t, spec)
	v, err := l.VM().RunString(`Object.prototype.toString.call(env.DB) + " " + typeof env.DB2.prepare + " " + env.NAME`)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.String(); got != "[object D1Database] function x" {
		t.Errorf("env = %s", got)
	}
}
