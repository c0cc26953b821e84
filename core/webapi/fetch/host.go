package fetch

import (
	"io"
	"net/http"
	"sync"
	"weak"

	"github.com/dop251/goja"
)

// This file is the Go API other families and bindings use to make and read
// Requests and Responses (env.ASSETS.fetch, the Cache API).

// registry finds a runtime's fetch family, as streams.Of does for streams.
var registry sync.Map // weak.Pointer[goja.Runtime] → weak.Pointer[API]

// Of returns the fetch family installed on vm, or nil if Install has not run.
func Of(vm *goja.Runtime) *API {
	v, ok := registry.Load(weak.Make(vm))
	if !ok {
		return nil
	}
	return v.(weak.Pointer[API]).Value()
}

func register(a *API) { registry.Store(weak.Make(a.vm), weak.Make(a)) }

// NewRequest implements `new Request(input, init)` for Go callers (a binding's
// fetch(input, init)); it panics with the constructor's TypeError on bad
// input, so call it from a JS-facing function.
func (a *API) NewRequest(input, init goja.Value) *Request { return a.newRequest(input, init) }

// NewResponse wraps a response made in Go. The header map is owned by the
// Response from now on; immutable gives it a fetch() response's immutable
// headers. body may be nil (no body); it is read lazily, off the loop, or
// handed to the host as it is.
func (a *API) NewResponse(status int, statusText string, header http.Header, body io.ReadCloser, immutable bool) *goja.Object {
	h := NewHeaders(header)
	h.guard = guardResponse
	if immutable {
		h.guard = guardImmutable
	}
	r := &Response{Status: status, StatusText: statusText, Type: "default", headers: h}
	if body != nil {
		if nullBodyStatus(status) {
			_ = body.Close()
		} else {
			r.body = Body{src: &source{r: body, a: &a.api}}
		}
	}
	return a.response.Wrap(r)
}

// ReadBody reads a body whole, marking it used as text() does, and calls done
// on the loop with its bytes (nil for no body) or with the TypeError a read
// method would reject with.
func (a *API) ReadBody(b *Body, done func(data []byte, jsErr goja.Value)) {
	vm := a.vm
	if a.used(b) {
		done(nil, vm.NewTypeError(bodyUsedMessage))
		return
	}
	if b.src == nil {
		done(nil, nil)
		return
	}
	if b.stream != nil {
		if locked, _ := a.streams().State(b.stream); locked {
			done(nil, vm.NewTypeError("The body's ReadableStream is locked to a reader."))
			return
		}
		b.used = true
		a.readStream(b, done)
		return
	}
	b.used = true
	b.src.load(a.loop, a.maxBody, func(data []byte, err error) {
		if err != nil {
			done(nil, vm.NewTypeError("reading body: "+err.Error()))
			return
		}
		done(data, nil)
	})
}

// BodyUsed reports the Body mixin's bodyUsed.
func (a *API) BodyUsed(b *Body) bool { return a.used(b) }
