package local

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferry-run/ferry/bindings/cache"
	"github.com/ferry-run/ferry/bindings/kv"
)

// TestStoresOpenOnFirstUse checks that asking for a KV namespace or the
// Cache API store creates no database: ferry serve and dev ask at start, and
// a Worker that never uses them should not pay for SQLite.
func TestStoresOpenOnFirstUse(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ns, err := s.KV("ns")
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Cache()
	if err != nil {
		t.Fatal(err)
	}
	exists := func(name string) bool {
		_, err := os.Stat(filepath.Join(dir, name))
		return err == nil
	}
	if exists("kv.sqlite") || exists("cache.sqlite") {
		t.Fatal("a database was created before its first use")
	}
	ctx := context.Background()
	if err := ns.Put(ctx, "k", []byte("v"), kv.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if e, found, err := ns.Get(ctx, "k"); err != nil || !found || string(e.Value) != "v" {
		t.Fatalf("get = %q %v %v", e.Value, found, err)
	}
	if !exists("kv.sqlite") || exists("cache.sqlite") {
		t.Fatal("the first KV put did not create kv.sqlite, or created cache.sqlite")
	}
	if e, err := c.Match(ctx, "default", "https://example.com/"); err != nil || e != nil {
		t.Fatalf("match = %v %v", e, err)
	}
	if !exists("cache.sqlite") {
		t.Fatal("the first cache match did not create cache.sqlite")
	}

	// After Close, bindings obtained before fail with an error.
	ns2, _ := s.KV("other")
	c2, _ := s.Cache()
	s.Close()
	if _, _, err := ns2.Get(ctx, "k"); err == nil {
		t.Fatal("KV get after Close succeeded")
	}
	if err := c2.Put(ctx, "default", "https://example.com/", &cache.Entry{Status: 200}, 60e9); err == nil {
		t.Fatal("cache put after Close succeeded")
	}
}
