package env

import (
	"context"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/assets"
	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi/fetch"
)

// assetsGlue is the Fetcher class of env.ASSETS on one runtime:
// `env.ASSETS.fetch(input, init)` answers from the Worker's static assets
// (core/assets), with html_handling and not_found_handling applied, as
// Cloudflare's assets binding does.
type assetsGlue struct {
	l     *loop.Loop
	fetch *fetch.API
	class *js.Class
}

// assetsFetcher is the Go value behind env.ASSETS.
type assetsFetcher struct {
	js.Expando
	s *assets.Server
}

func newAssetsGlue(l *loop.Loop) *assetsGlue {
	vm := l.VM()
	g := &assetsGlue{l: l, fetch: fetch.Of(vm)}
	c := js.NewClass(vm, "Fetcher", 0, nil)
	g.class = c
	js.Operation(vm, c.Proto, "fetch", 1, g.fetchAsset)
	return g
}

func (g *assetsGlue) wrap(s *assets.Server) *goja.Object { return g.class.Wrap(&assetsFetcher{s: s}) }

func (g *assetsGlue) fetchAsset(call goja.FunctionCall) goja.Value {
	vm := g.l.VM()
	f := js.This[*assetsFetcher](vm, call)
	if g.fetch == nil {
		panic(vm.NewTypeError("env.ASSETS.fetch needs the fetch API"))
	}
	var req *fetch.Request
	if ex := vm.Try(func() { req = g.fetch.NewRequest(call.Argument(0), call.Argument(1)) }); ex != nil {
		return rejectedPromise(vm, ex.Value())
	}
	ar := &assets.Request{Method: req.Method, URL: req.URL, Header: req.Headers().HTTP()}
	return runIO(g.l, backgroundCtx, func(context.Context) (any, error) {
		return f.s.Fetch(ar), nil
	}, nil, func(v any) goja.Value {
		res := v.(*assets.Response)
		return g.fetch.NewResponse(res.Status, res.StatusText, res.Header, res.Body, true)
	})
}
