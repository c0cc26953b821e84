package env_test

import (
	"testing"

	"github.com/ferry-run/ferry/bindings/d1"
	"github.com/ferry-run/ferry/bindings/local"
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
