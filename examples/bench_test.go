package examples_test

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/bundle"
	"github.com/ferry-run/ferry/internal/testutil"
)

// BenchmarkHono dispatches GET /api/hello/:name to the Hono example inside
// the engine (no HTTP server): the router, the timing middleware and c.json,
// on one runtime. It is the in-process counterpart of the harness's hono
// workload, for profiling (-cpuprofile) without the network in the way.
func BenchmarkHono(b *testing.B) {
	testutil.NpmInstall(b, "hono")
	entry, err := filepath.Abs("hono/src/index.ts")
	if err != nil {
		b.Fatal(err)
	}
	res, err := bundle.Build(bundle.Options{Entry: entry})
	if err != nil {
		b.Fatal(err)
	}
	w, err := core.New(core.Options{Bundle: res, Runtimes: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Close)
	ctx := context.Background()
	h := http.Header{"User-Agent": {"bench"}, "Accept": {"*/*"}}
	b.ReportAllocs()
	for b.Loop() {
		r, err := w.Fetch(ctx, &core.Request{Method: "GET", URL: "http://example.test/api/hello/bench", Header: h})
		if err != nil {
			b.Fatal(err)
		}
		if r.Status != 200 {
			b.Fatalf("status %d", r.Status)
		}
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
}
