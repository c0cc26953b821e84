// Package cache implements the Workers Cache API on a goja runtime:
// `caches.default`, `caches.open(name)` and Cache's match, put and delete,
// with Cloudflare's rules (bindings/cache.Policy and Answer) over a
// bindings/cache.Store chosen by the host.
//
// Keys are request URLs (without the fragment); only GET requests are cached
// (put of another method is a TypeError; match and delete find nothing unless
// ignoreMethod). put reads the response body whole, then stores it, and
// resolves after both. A response from match carries `cf-cache-status: HIT`.
// Without a store (ferry run) the API is there and stores nothing, as on
// workers.dev.
package cache

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/dop251/goja"

	store "github.com/ferry-run/ferry/bindings/cache"
	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi/fetch"
)

// Options configure the Cache API on one runtime.
type Options struct {
	// Store holds the entries; nil stores nothing.
	Store store.Store
	// Now is the clock for Expires without Date; nil means time.Now.
	Now func() time.Time
}

type api struct {
	vm    *goja.Runtime
	loop  *loop.Loop
	fetch *fetch.API
	opts  Options
	class *js.Class
	def   *goja.Object // caches.default
}

// cacheObj is the Go value behind a Cache.
type cacheObj struct {
	js.Expando
	name string
}

// storageObj is the Go value behind caches (CacheStorage).
type storageObj struct{ js.Expando }

// Install defines caches, Cache and CacheStorage on l's runtime. Call it on
// the loop goroutine, after the fetch family.
func Install(l *loop.Loop, o Options) {
	vm := l.VM()
	if o.Now == nil {
		o.Now = time.Now
	}
	a := &api{vm: vm, loop: l, fetch: fetch.Of(vm), opts: o}
	if a.fetch == nil {
		panic("cache: install core/webapi/fetch before the Cache API")
	}
	illegal := func(goja.ConstructorCall) goja.DynamicObject { panic(vm.NewTypeError("Illegal constructor")) }
	c := js.NewClass(vm, "Cache", 0, illegal)
	a.class = c
	js.Operation(vm, c.Proto, "match", 1, a.match)
	js.Operation(vm, c.Proto, "put", 2, a.put)
	js.Operation(vm, c.Proto, "delete", 1, a.delete)
	s := js.NewClass(vm, "CacheStorage", 0, illegal)
	a.def = c.Wrap(&cacheObj{name: store.DefaultName})
	s.Getter("default", func(goja.FunctionCall) goja.Value { return a.def })
	js.Operation(vm, s.Proto, "open", 1, func(call goja.FunctionCall) goja.Value {
		p, resolve, _ := vm.NewPromise()
		_ = resolve(c.Wrap(&cacheObj{name: call.Argument(0).String()}))
		return vm.ToValue(p)
	})
	_ = vm.GlobalObject().DefineDataProperty("Cache", c.Ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = vm.GlobalObject().DefineDataProperty("CacheStorage", s.Ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = vm.GlobalObject().Set("caches", s.Wrap(&storageObj{}))
}

func (a *api) rejected(v goja.Value) goja.Value {
	p, _, reject := a.vm.NewPromise()
	_ = reject(v)
	return a.vm.ToValue(p)
}

// request converts the request argument (a Request, URL or string).
func (a *api) request(v goja.Value) (req *fetch.Request, jsErr goja.Value) {
	if r, ok := js.Unwrap[*fetch.Request](v); ok {
		return r, nil
	}
	if ex := a.vm.Try(func() { req = a.fetch.NewRequest(v, goja.Undefined()) }); ex != nil {
		return nil, ex.Value()
	}
	return req, nil
}

func key(r *fetch.Request) string {
	u, _, _ := strings.Cut(r.URL, "#")
	return u
}

func ignoreMethod(v goja.Value) bool {
	o, ok := v.(*goja.Object)
	return ok && !js.IsNullish(v) && o.Get("ignoreMethod") != nil && o.Get("ignoreMethod").ToBoolean()
}

// io runs work off the loop and settles the returned promise on it.
func (a *api) io(work func(ctx context.Context) (any, error), settle func(any) goja.Value) goja.Value {
	vm := a.vm
	p, resolve, reject := vm.NewPromise()
	done := a.loop.Reserve()
	go func() {
		res, err := work(context.Background())
		done(func(*goja.Runtime) error {
			if err != nil {
				_ = reject(vm.NewGoError(err))
				return nil
			}
			var v goja.Value
			if ex := vm.Try(func() { v = settle(res) }); ex != nil {
				_ = reject(ex.Value())
				return nil
			}
			_ = resolve(v)
			return nil
		})
	}()
	return vm.ToValue(p)
}

func (a *api) match(call goja.FunctionCall) goja.Value {
	vm := a.vm
	c := js.This[*cacheObj](vm, call)
	req, jsErr := a.request(call.Argument(0))
	if jsErr != nil {
		return a.rejected(jsErr)
	}
	if a.opts.Store == nil || (req.Method != http.MethodGet && !ignoreMethod(call.Argument(1))) {
		p, resolve, _ := vm.NewPromise()
		_ = resolve(goja.Undefined())
		return vm.ToValue(p)
	}
	k, reqHeader := key(req), req.Headers().HTTP()
	return a.io(func(ctx context.Context) (any, error) {
		return a.opts.Store.Match(ctx, c.name, k)
	}, func(v any) goja.Value {
		e := v.(*store.Entry)
		if e == nil {
			return goja.Undefined()
		}
		status, h, body := store.Answer(e, reqHeader)
		h.Set("Cf-Cache-Status", "HIT")
		var rc io.ReadCloser
		if body != nil {
			rc = io.NopCloser(bytes.NewReader(body))
		}
		return a.fetch.NewResponse(status, http.StatusText(status), h, rc, true)
	})
}

func (a *api) put(call goja.FunctionCall) goja.Value {
	vm := a.vm
	c := js.This[*cacheObj](vm, call)
	req, jsErr := a.request(call.Argument(0))
	if jsErr != nil {
		return a.rejected(jsErr)
	}
	res, ok := fetch.ToResponse(call.Argument(1))
	if !ok {
		return a.rejected(vm.NewTypeError("Failed to execute 'put' on 'Cache': parameter 2 is not of type 'Response'."))
	}
	if wsObj, _ := call.Argument(1).(*goja.Object); wsObj != nil && !js.IsNullish(wsObj.Get("webSocket")) {
		return a.rejected(vm.NewTypeError("Cannot cache WebSocket upgrade response."))
	}
	switch {
	case req.Method != http.MethodGet:
		return a.rejected(vm.NewTypeError("Cannot cache response to non-GET request."))
	case res.Status == http.StatusPartialContent:
		return a.rejected(vm.NewTypeError("Cannot cache response to a range request (206 Partial Content)."))
	}
	header := res.HTTPHeader()
	if strings.Contains(strings.Join(header.Values("Vary"), ","), "*") {
		return a.rejected(vm.NewTypeError("Cannot cache response with 'Vary: *' header."))
	}
	k, status := key(req), res.Status
	p, resolve, reject := vm.NewPromise()
	a.fetch.ReadBody(res.Body(), func(data []byte, jsErr goja.Value) {
		if jsErr != nil {
			_ = reject(jsErr)
			return
		}
		stored, ttl, ok := store.Policy(status, header, a.opts.Now())
		if !ok || a.opts.Store == nil {
			_ = resolve(goja.Undefined())
			return
		}
		stored.Del("Cf-Cache-Status")
		e := &store.Entry{Status: status, Header: stored, Body: data}
		inner := a.io(func(ctx context.Context) (any, error) {
			return nil, a.opts.Store.Put(ctx, c.name, k, e, ttl)
		}, func(any) goja.Value { return goja.Undefined() })
		_ = resolve(inner)
	})
	return vm.ToValue(p)
}

func (a *api) delete(call goja.FunctionCall) goja.Value {
	vm := a.vm
	c := js.This[*cacheObj](vm, call)
	req, jsErr := a.request(call.Argument(0))
	if jsErr != nil {
		return a.rejected(jsErr)
	}
	if a.opts.Store == nil || (req.Method != http.MethodGet && !ignoreMethod(call.Argument(1))) {
		p, resolve, _ := vm.NewPromise()
		_ = resolve(vm.ToValue(false))
		return vm.ToValue(p)
	}
	k := key(req)
	return a.io(func(ctx context.Context) (any, error) {
		return a.opts.Store.Delete(ctx, c.name, k)
	}, func(v any) goja.Value { return vm.ToValue(v.(bool)) })
}
