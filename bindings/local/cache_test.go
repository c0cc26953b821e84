package local_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/ferry-run/ferry/bindings/cache"
	"github.com/ferry-run/ferry/bindings/cache/cachetest"
	"github.com/ferry-run/ferry/bindings/local"
)

func openCache(t *testing.T, dir string, now func() time.Time) *local.Cache {
	t.Helper()
	st, err := local.Open(dir, local.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c, err := st.Cache()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCacheConformanceOnDisk(t *testing.T) {
	cachetest.Run(t, func(t *testing.T, now func() time.Time) cache.Store { return openCache(t, t.TempDir(), now) })
}

func TestCacheConformanceInMemory(t *testing.T) {
	cachetest.Run(t, func(t *testing.T, now func() time.Time) cache.Store { return openCache(t, "", now) })
}

func TestCachePersistsAcrossOpens(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	c := openCache(t, dir, time.Now)
	if err := c.Put(ctx, "", "https://x/", &cache.Entry{Status: 200, Header: http.Header{"A": {"1"}}, Body: []byte("kept")}, time.Hour); err != nil {
		t.Fatal(err)
	}
	again := openCache(t, dir, time.Now)
	if e, err := again.Match(ctx, "", "https://x/"); err != nil || e == nil || string(e.Body) != "kept" {
		t.Fatalf("after reopening: %+v %v", e, err)
	}
}
