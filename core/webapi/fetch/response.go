package fetch

import (
	"net/http"
	"strconv"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

// Response is the Go state behind a JS Response.
type Response struct {
	js.Expando
	Status     int
	StatusText string
	Type       string // "default", "error"
	URL        string
	Redirected bool
	headers    *Headers
	body       Body
	webSocket  goja.Value
}

// Headers returns the response's headers.
func (r *Response) Headers() *Headers { return r.headers }

// Body returns the response's body state.
func (r *Response) Body() *Body { return &r.body }

// ToResponse returns the Go state of v if it is a Response.
func ToResponse(v goja.Value) (*Response, bool) { return js.Unwrap[*Response](v) }

func nullBodyStatus(s int) bool { return s == 101 || s == 204 || s == 205 || s == 304 }

func (a *api) installResponse() {
	vm := a.vm
	c := js.NewClass(vm, "Response", 0, func(call goja.ConstructorCall) goja.DynamicObject {
		return a.newResponse(call.Argument(0), call.Argument(1))
	})
	a.response = c
	this := func(call goja.FunctionCall) *Response { return js.This[*Response](vm, call) }
	c.Getter("status", func(call goja.FunctionCall) goja.Value { return vm.ToValue(this(call).Status) })
	c.Getter("statusText", func(call goja.FunctionCall) goja.Value { return vm.ToValue(this(call).StatusText) })
	c.Getter("ok", func(call goja.FunctionCall) goja.Value {
		s := this(call).Status
		return vm.ToValue(s >= 200 && s <= 299)
	})
	c.Getter("headers", func(call goja.FunctionCall) goja.Value { return a.headersObject(this(call).headers) })
	c.Getter("type", func(call goja.FunctionCall) goja.Value { return vm.ToValue(this(call).Type) })
	c.Getter("url", func(call goja.FunctionCall) goja.Value { return vm.ToValue(this(call).URL) })
	c.Getter("redirected", func(call goja.FunctionCall) goja.Value { return vm.ToValue(this(call).Redirected) })
	c.Getter("webSocket", func(call goja.FunctionCall) goja.Value {
		if ws := this(call).webSocket; ws != nil {
			return ws
		}
		return goja.Null()
	})
	a.defineBodyMethods(c, func(call goja.FunctionCall) *Body { return &this(call).body })
	c.Method("clone", func(call goja.FunctionCall) goja.Value {
		r := this(call)
		if a.used(&r.body) {
			panic(vm.NewTypeError("Failed to execute 'clone' on 'Response': Response body is already used"))
		}
		cp := *r
		cp.Expando = js.Expando{}
		cp.headers = r.headers.clone()
		cp.headers.object = nil
		cp.body = a.cloneBody(&r.body)
		return a.response.Wrap(&cp)
	})
	c.Static("json", func(call goja.FunctionCall) goja.Value {
		// JSONWriter writes what JSON.stringify would, in Go, straight into
		// the body's bytes.
		data, ok := a.jsonWriter.Marshal(call.Argument(0))
		if !ok {
			panic(vm.NewTypeError("Failed to execute 'json' on 'Response': The data is not JSON serializable"))
		}
		r := a.newResponse(goja.Undefined(), call.Argument(1))
		if r.headers.guard == guardImmutable {
			r.headers.guard = guardResponse
		}
		if nullBodyStatus(r.Status) {
			panic(vm.NewTypeError("Response with null body status cannot have body"))
		}
		r.body = bytesBody(data)
		if _, has := r.headers.Value("content-type"); !has {
			r.headers.setField("content-type", "application/json")
		}
		return a.response.Wrap(r)
	})
	c.Static("redirect", func(call goja.FunctionCall) goja.Value {
		u, ok := parseURL(call.Argument(0).String())
		if !ok {
			panic(vm.NewTypeError("Failed to execute 'redirect' on 'Response': Invalid URL: " + call.Argument(0).String()))
		}
		status := 302
		if v := call.Argument(1); !goja.IsUndefined(v) {
			status = int(v.ToInteger())
		}
		switch status {
		case 301, 302, 303, 307, 308:
		default:
			js.RangeError(vm, "Failed to execute 'redirect' on 'Response': Invalid status code "+strconv.Itoa(status))
		}
		h := &Headers{guard: guardImmutable}
		h.setField("location", u)
		return a.response.Wrap(&Response{Status: status, Type: "default", headers: h})
	})
	c.Static("error", func(goja.FunctionCall) goja.Value {
		return a.response.Wrap(&Response{Status: 0, Type: "error", headers: &Headers{guard: guardImmutable}})
	})
	_ = vm.GlobalObject().DefineDataProperty("Response", c.Ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// newResponse implements `new Response(body, init)`.
func (a *api) newResponse(body, init goja.Value) *Response {
	vm := a.vm
	r := &Response{Status: 200, Type: "default", headers: &Headers{guard: guardResponse}}
	if obj, ok := init.(*goja.Object); ok && !js.IsNullish(init) {
		if s := obj.Get("status"); !js.IsNullish(s) {
			st := s.ToInteger()
			webSocket := !js.IsNullish(obj.Get("webSocket"))
			if (st < 200 || st > 599) && !(st == 101 && webSocket) {
				js.RangeError(vm, "Responses may only be constructed with status codes in the range 200 to 599, inclusive.")
			}
			r.Status = int(st)
		}
		if t := obj.Get("statusText"); !js.IsNullish(t) {
			r.StatusText = t.String()
			for i := 0; i < len(r.StatusText); i++ {
				if c := r.StatusText[i]; c == '\r' || c == '\n' {
					panic(vm.NewTypeError("Failed to construct 'Response': Invalid statusText"))
				}
			}
		}
		if h := obj.Get("headers"); !js.IsNullish(h) {
			a.fillHeaders(r.headers, h)
		}
		if ws := obj.Get("webSocket"); !js.IsNullish(ws) {
			if r.Status != 101 {
				js.RangeError(vm, "Responses with a WebSocket must have status code 101.")
			}
			r.webSocket = ws
		}
	}
	if !js.IsNullish(body) {
		if nullBodyStatus(r.Status) {
			panic(vm.NewTypeError("Response with null body status cannot have body"))
		}
		b, ct := a.extractBody(body)
		r.body = b
		if _, has := r.headers.Value("content-type"); !has && ct != "" {
			r.headers.setField("content-type", ct)
		}
	}
	return r
}

// HTTPHeader returns the response headers for writing out. A body from a
// FixedLengthStream gives its length as Content-Length, as in Workers.
func (r *Response) HTTPHeader() http.Header {
	h := r.headers.HTTP()
	if b := &r.body; b.stream != nil && b.src != nil && b.src.a != nil {
		if n := b.src.a.streams().ExpectedLength(b.stream); n >= 0 {
			h.Set("Content-Length", strconv.FormatInt(n, 10))
		}
	}
	return h
}
