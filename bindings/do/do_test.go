package do_test

import (
	"strings"
	"testing"

	"github.com/ferry-run/ferry/bindings/do"
)

func TestIDs(t *testing.T) {
	a := do.NameID("w-Counter", "alice")
	if len(a) != 64 || strings.ToLower(a) != a {
		t.Fatalf("NameID = %q; want 64 lower-case hex digits", a)
	}
	if do.NameID("w-Counter", "alice") != a {
		t.Fatal("NameID is not deterministic")
	}
	if do.NameID("w-Counter", "bob") == a || do.NameID("w-Other", "alice") == a {
		t.Fatal("NameID collides across names or namespaces")
	}
	u1, u2 := do.UniqueID("w-Counter"), do.UniqueID("w-Counter")
	if u1 == u2 || len(u1) != 64 {
		t.Fatalf("UniqueID gave %q and %q", u1, u2)
	}
	for _, id := range []string{a, u1, strings.ToUpper(u2)} {
		got, err := do.ParseID("w-Counter", id)
		if err != nil || got != strings.ToLower(id) {
			t.Fatalf("ParseID(%q) = %q, %v", id, got, err)
		}
	}
	for _, bad := range []string{"", "abc", strings.Repeat("g", 64), a[:63], a + "0"} {
		if _, err := do.ParseID("w-Counter", bad); err == nil || !strings.Contains(err.Error(), "must be 64 hex digits") {
			t.Errorf("ParseID(%q) = %v; want the 64-hex-digits TypeError", bad, err)
		}
	}
	if _, err := do.ParseID("w-Other", a); err == nil {
		t.Error("an id of one namespace parsed in another")
	}
	flipped := []byte(a)
	if flipped[0] == '0' {
		flipped[0] = '1'
	} else {
		flipped[0] = '0'
	}
	if _, err := do.ParseID("w-Counter", string(flipped)); err == nil || !strings.Contains(err.Error(), "not for this Durable Object class") {
		t.Error("a forged id parsed")
	}
}
