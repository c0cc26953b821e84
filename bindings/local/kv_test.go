package local_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferry-run/ferry/bindings/kv"
	"github.com/ferry-run/ferry/bindings/kv/kvtest"
	"github.com/ferry-run/ferry/bindings/local"
)

func openKV(t *testing.T, dir string, now kv.Clock) *local.KV {
	t.Helper()
	st, err := local.Open(dir, local.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ns, err := st.KV("test-namespace")
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func TestKVConformanceOnDisk(t *testing.T) {
	kvtest.Run(t, func(t *testing.T, now kv.Clock) kv.Namespace { return openKV(t, t.TempDir(), now) })
}

func TestKVConformanceInMemory(t *testing.T) {
	kvtest.Run(t, func(t *testing.T, now kv.Clock) kv.Namespace { return openKV(t, "", now) })
}

func TestKVPersistsAcrossOpens(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	clock := kvtest.NewClock(kvtest.Start)
	st, err := local.Open(dir, local.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := st.KV("ns-a")
	b, _ := st.KV("ns-b")
	if err := a.Put(ctx, "k", []byte("in a"), kv.PutOptions{Metadata: []byte(`{"x":1}`)}); err != nil {
		t.Fatal(err)
	}
	if err := a.Put(ctx, "short", []byte("expires"), kv.PutOptions{ExpirationTTL: time.Minute}); err != nil {
		t.Fatal(err)
	}
	if err := b.Put(ctx, "k", []byte("in b"), kv.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.KV("ns-a"); err == nil {
		t.Error("KV on a closed store worked")
	}

	clock.Advance(2 * time.Minute)
	st2, err := local.Open(dir, local.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	a2, _ := st2.KV("ns-a")
	e, found, err := a2.Get(ctx, "k")
	if err != nil || !found || string(e.Value) != "in a" || string(e.Metadata) != `{"x":1}` {
		t.Fatalf("after reopen: %q %q %v %v", e.Value, e.Metadata, found, err)
	}
	if _, found, _ := a2.Get(ctx, "short"); found {
		t.Error("expired key survived the reopen")
	}
	b2, _ := st2.KV("ns-b")
	if e, _, _ := b2.Get(ctx, "k"); string(e.Value) != "in b" {
		t.Errorf("namespaces mixed: ns-b k = %q", e.Value)
	}
	ids, err := st2.KVNamespaces(ctx)
	if err != nil || len(ids) != 2 || ids[0] != "ns-a" || ids[1] != "ns-b" {
		t.Errorf("KVNamespaces = %q, %v", ids, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "kv.sqlite")); err != nil {
		t.Error(err)
	}
}

func TestKVInMemoryStoresAreSeparate(t *testing.T) {
	ctx := context.Background()
	a := openKV(t, "", time.Now)
	b := openKV(t, "", time.Now)
	if err := a.Put(ctx, "k", []byte("v"), kv.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := b.Get(ctx, "k"); found {
		t.Fatal("two in-memory stores share data")
	}
}
