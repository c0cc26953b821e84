package core_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/ferry-run/ferry/core"
)

// BenchmarkFetchHello measures one fetch event end to end inside the engine:
// building the Request, calling the handler, reading the Response.
func BenchmarkFetchHello(b *testing.B) {
	f := newWorker(b, "testdata/basic.js", core.Options{Runtimes: 1})
	ctx := context.Background()
	h := http.Header{"User-Agent": {"bench"}, "Accept": {"*/*"}}
	b.ReportAllocs()
	for b.Loop() {
		res, err := f.w.Fetch(ctx, &core.Request{Method: "GET", URL: "http://example.test/", Header: h})
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
}

// BenchmarkFetchHelloParallel spreads events over a pool of one runtime per CPU.
func BenchmarkFetchHelloParallel(b *testing.B) {
	f := newWorker(b, "testdata/basic.js", core.Options{})
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		h := http.Header{"User-Agent": {"bench"}}
		for pb.Next() {
			res, err := f.w.Fetch(ctx, &core.Request{Method: "GET", URL: "http://example.test/", Header: h})
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	})
}
