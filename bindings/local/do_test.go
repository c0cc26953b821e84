package local_test

import (
	"context"
	"testing"
	"time"

	"github.com/ferry-run/ferry/bindings/do"
	"github.com/ferry-run/ferry/bindings/do/dotest"
	"github.com/ferry-run/ferry/bindings/local"
)

func openDO(t *testing.T, dir string) *local.DurableObjects {
	t.Helper()
	st, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st.DurableObjects()
}

func TestDurableObjectsConformanceOnDisk(t *testing.T) {
	dotest.Run(t, func(t *testing.T) do.Store { return openDO(t, t.TempDir()) })
}

func TestDurableObjectsConformanceInMemory(t *testing.T) {
	dotest.Run(t, func(t *testing.T) do.Store { return openDO(t, "") })
}

// Storage and alarms survive closing the store (a dev server restart).
func TestDurableObjectsPersist(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	id := do.NameID("w-Counter", "a")
	at := time.UnixMilli(time.Now().Add(time.Hour).UnixMilli())
	st, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := st.DurableObjects().Open(ctx, "w-Counter", id)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, []do.Entry{{Key: "n", Value: []byte("41")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exec(ctx, "CREATE TABLE t (x); INSERT INTO t VALUES (1)", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAlarm(ctx, at); err != nil {
		t.Fatal(err)
	}
	s.Close()
	st.Close()

	d := openDO(t, dir)
	alarms, err := d.Alarms(ctx, "w-Counter")
	if err != nil || len(alarms) != 1 || alarms[0].ID != id || !alarms[0].At.Equal(at) {
		t.Fatalf("alarms after reopening = %+v, %v", alarms, err)
	}
	s, err = d.Open(ctx, "w-Counter", id)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Get(ctx, []string{"n"})
	if err != nil || string(got[0]) != "41" {
		t.Fatalf("n after reopening = %q, %v", got, err)
	}
	res, err := s.Exec(ctx, "SELECT x FROM t", nil)
	if err != nil || len(res.Rows) != 1 {
		t.Fatalf("table after reopening: %v, %v", res, err)
	}
	if _, err := d.Open(ctx, "w-Counter", "../escape"); err == nil {
		t.Fatal("an id with a path separator opened")
	}
}
