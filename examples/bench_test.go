package examples_test

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
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

// BenchmarkEcho is the harness's echo workload in process: a 4 KiB JSON
// POST parsed with request.json() and sent back with Response.json().
func BenchmarkEcho(b *testing.B) {
	entry, err := filepath.Abs("../bench/workloads/echo.js")
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
	item := `{"k":"0123456789abcdef","n":[1,2,3,4,5,6,7,8,9,10],"ok":true}`
	body := `{"items":[` + strings.Repeat(item+",", 63) + item + `]}`
	ctx := context.Background()
	// As the HTTP adapter passes it: net/http keeps Content-Length.
	h := http.Header{"Content-Type": {"application/json"}, "Content-Length": {strconv.Itoa(len(body))}}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := w.Fetch(ctx, &core.Request{Method: "POST", URL: "http://example.test/", Header: h, Body: io.NopCloser(strings.NewReader(body))})
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
