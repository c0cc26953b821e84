package httpadapter_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	httpadapter "github.com/ferry-run/ferry/adapters/http"
	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/bundle"
)

// benchHandler serves bench/workloads/hello.js (the harness's hello
// workload) through a Handler whose log keeps errors only, as `ferry dev
// --log-level error` does in the harness.
func benchHandler(b *testing.B) *httpadapter.Handler {
	b.Helper()
	entry, _ := filepath.Abs("../../bench/workloads/hello.js")
	res, err := bundle.Build(bundle.Options{Entry: entry})
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	w, err := core.New(core.Options{Bundle: res, Runtimes: 1, Log: log})
	if err != nil {
		b.Fatal(err)
	}
	h := &httpadapter.Handler{Dev: true, Log: log}
	h.Swap(w)
	b.Cleanup(h.Close)
	return h
}

// BenchmarkServeHTTP is one hello request through the adapter without the
// network: header conversion, the fetch event, writing the response.
func BenchmarkServeHTTP(b *testing.B) {
	h := benchHandler(b)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("GET", "http://127.0.0.1:8787/", nil)
		req.Header = http.Header{"User-Agent": {"Go-http-client/1.1"}, "Accept-Encoding": {"gzip"}}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkServeHTTPLoopback adds net/http on both ends over 127.0.0.1:
// keep-alive connections from parallel clients, as the harness's load
// generator makes them.
func BenchmarkServeHTTPLoopback(b *testing.B) {
	srv := httptest.NewServer(benchHandler(b))
	b.Cleanup(srv.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	b.ReportAllocs()
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := client.Get(srv.URL + "/")
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Errorf("status %d", res.StatusCode)
				return
			}
		}
	})
}
