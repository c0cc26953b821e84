package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/env"
)

// Service bindings: env.SVC reaches another Worker of the same process (or
// the same Worker's named entrypoint). A fetch is a fetch event on the
// callee, with its own CPU budget and request id; an RPC call runs the method
// on a WorkerEntrypoint instance made for that call (new Class(ctx, env)),
// as Cloudflare makes one per request. Arguments and results are structured
// clones, so caller and callee never share JS values even when they share a
// runtime.

// ServiceOf returns the target of a service binding: the Worker get returns
// (looked up on every call, so the binding follows reloads) and its
// entrypoint ("" for the default export).
func ServiceOf(get func() *Worker, entrypoint string) env.Service {
	return &serviceRef{get: get, entrypoint: entrypoint}
}

type serviceRef struct {
	get        func() *Worker
	entrypoint string
}

var _ env.Service = (*serviceRef)(nil)

var errNoService = errors.New("the service binding's Worker is not running")

// RoundTrip implements env.Service.
func (s *serviceRef) RoundTrip(req *http.Request) (*http.Response, error) {
	w := s.get()
	if w == nil {
		return nil, errNoService
	}
	res, err := w.fetchEntrypoint(req.Context(), requestFromHTTP(req), s.entrypoint)
	if err != nil {
		return nil, err
	}
	return responseToHTTP(req, res), nil
}

// Call implements env.Service.
func (s *serviceRef) Call(ctx context.Context, method string, args []byte) ([]byte, error) {
	w := s.get()
	if w == nil {
		return nil, errNoService
	}
	var r *rt
	out, _, err := w.dispatch(ctx, "rpc", func(inv *invocation, vm *goja.Runtime) (goja.Value, error) {
		r = inv.r
		recv, err := r.rpcReceiver(inv, s.entrypoint)
		if err != nil {
			return nil, err
		}
		return r.rpc(recv, method, args)
	}, func(v goja.Value) (any, error) { return r.rpcResult(v) })
	if err != nil {
		return nil, rpcError(err)
	}
	return out.([]byte), nil
}

// entrypoint returns the receiver and handler for kind: the default export's,
// or those of a new instance of the named entrypoint class.
func (r *rt) entrypoint(inv *invocation, name, kind string) (*goja.Object, goja.Callable, error) {
	if name == "" {
		return r.exports, r.handlers[kind], nil
	}
	inst, err := r.newEntrypoint(inv, name)
	if err != nil {
		return nil, nil, err
	}
	h, _ := goja.AssertFunction(inst.Get(kind))
	return inst, h, nil
}

// rpcReceiver is the object an RPC call runs on: a new instance of the
// entrypoint class (the default export must be a class for RPC).
func (r *rt) rpcReceiver(inv *invocation, name string) (*goja.Object, error) {
	if name == "" {
		if r.defaultClass == nil {
			return nil, &ScriptError{Kind: "type", Message: "TypeError: The RPC receiver does not implement RPC methods: the Worker's default export is not a class; export `default class extends WorkerEntrypoint { ... }` to call methods on it."}
		}
		inst, err := r.vm.New(r.defaultClass, inv.newContext(r.vm), r.env)
		if err != nil {
			return nil, err
		}
		return inst, nil
	}
	return r.newEntrypoint(inv, name)
}

func (r *rt) newEntrypoint(inv *invocation, name string) (*goja.Object, error) {
	ctor, _ := r.module.Get(name).(*goja.Object)
	if _, ok := goja.AssertFunction(ctor); !ok || ctor.Get("prototype") == nil {
		return nil, &ScriptError{Kind: "type", Message: fmt.Sprintf("TypeError: the Worker has no entrypoint named %q: export `class %s extends WorkerEntrypoint { ... }` from its main module", name, name)}
	}
	return r.vm.New(ctor, inv.newContext(r.vm), r.env)
}

// requestFromHTTP is the callee's view of a binding's request.
func requestFromHTTP(req *http.Request) *Request {
	body := req.Body
	if body == http.NoBody {
		body = nil
	}
	return &Request{Method: req.Method, URL: req.URL.String(), Header: req.Header, Body: body}
}

// responseToHTTP hands the callee's response to the caller's glue.
func responseToHTTP(req *http.Request, res *Response) *http.Response {
	out := &http.Response{
		StatusCode: res.Status,
		Status:     strings.TrimSpace(fmt.Sprintf("%d %s", res.Status, res.StatusText)),
		Header:     res.Header,
		Body:       res.Body,
		Request:    req,
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}
	if out.Header == nil {
		out.Header = http.Header{}
	}
	if out.Body == nil {
		out.Body = http.NoBody
	}
	return out
}

// ServiceOfObject returns the target of a stub for one Durable Object of a
// class another Worker hosts (durable_objects script_name), following that
// Worker across reloads.
func ServiceOfObject(get func() *Worker, class, id, name string) env.Service {
	return &remoteObject{get: get, class: class, id: id, name: name}
}

type remoteObject struct {
	get             func() *Worker
	class, id, name string
}

func (o *remoteObject) target() (env.Service, error) {
	w := o.get()
	if w == nil {
		return nil, errNoService
	}
	return w.Object(o.class, o.id, o.name), nil
}

// RoundTrip implements env.Service.
func (o *remoteObject) RoundTrip(req *http.Request) (*http.Response, error) {
	t, err := o.target()
	if err != nil {
		return nil, err
	}
	return t.RoundTrip(req)
}

// Call implements env.Service.
func (o *remoteObject) Call(ctx context.Context, method string, args []byte) ([]byte, error) {
	t, err := o.target()
	if err != nil {
		return nil, err
	}
	return t.Call(ctx, method, args)
}
