package fetch

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/dop251/goja"
	whatwg "github.com/nlnwa/whatwg-url/url"

	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/webapi/events"
)

// Request is the Go state behind a JS Request.
type Request struct {
	js.Expando
	Method   string
	URL      string
	Redirect string
	headers  *Headers
	body     Body
	cf       goja.Value
	// cfProps are an incoming request's cf properties, made into cf the
	// first time JS reads it (most handlers never do).
	cfProps map[string]any
	signal  goja.Value
}

// cfValue returns `request.cf` (nil for undefined).
func (r *Request) cfValue(vm *goja.Runtime) goja.Value {
	if r.cf == nil && r.cfProps != nil {
		r.cf = vm.ToValue(r.cfProps)
		r.cfProps = nil
	}
	return r.cf
}

// Headers returns the request's headers.
func (r *Request) Headers() *Headers { return r.headers }

// Body returns the request's body state.
func (r *Request) Body() *Body { return &r.body }

var urlParser = whatwg.NewParser()

func parseURL(s string) (string, bool) {
	u, err := urlParser.Parse(s)
	if err != nil {
		return "", false
	}
	return u.Href(false), true
}

var normalMethods = map[string]string{
	"delete": "DELETE", "get": "GET", "head": "HEAD", "options": "OPTIONS", "post": "POST", "put": "PUT", "patch": "PATCH",
}

// NewIncomingRequest wraps a request that reached the Worker from outside. The
// header map, body and cf map are owned by the Request from now on; body and
// cf may be nil (cf is then undefined). cf becomes a JS object when JS first
// reads request.cf.
func (a *API) NewIncomingRequest(method, url string, header http.Header, body io.ReadCloser, cf map[string]any) *goja.Object {
	r := &Request{Method: method, URL: url, Redirect: "manual", headers: NewHeaders(header), cfProps: cf}
	r.headers.guard = guardRequest
	if body != nil {
		r.body = Body{src: &source{r: body, size: announcedSize(header)}}
	}
	return a.request.Wrap(r)
}

// announcedSize is the Content-Length of header, -1 when absent or invalid.
func announcedSize(header http.Header) int64 {
	v := header["Content-Length"]
	if len(v) != 1 {
		return -1
	}
	n, err := strconv.ParseInt(v[0], 10, 64)
	if err != nil {
		return -1
	}
	return n
}

func (a *api) installRequest() {
	vm := a.vm
	c := js.NewClass(vm, "Request", 1, func(call goja.ConstructorCall) goja.DynamicObject {
		if len(call.Arguments) < 1 {
			panic(vm.NewTypeError("Failed to construct 'Request': 1 argument required, but only 0 present."))
		}
		return a.newRequest(call.Arguments[0], call.Argument(1))
	})
	a.request = c
	this := func(call goja.FunctionCall) *Request { return js.This[*Request](vm, call) }
	c.Getter("method", func(call goja.FunctionCall) goja.Value { return vm.ToValue(this(call).Method) })
	c.Getter("url", func(call goja.FunctionCall) goja.Value { return vm.ToValue(this(call).URL) })
	c.Getter("headers", func(call goja.FunctionCall) goja.Value { return a.headersObject(this(call).headers) })
	c.Getter("redirect", func(call goja.FunctionCall) goja.Value { return vm.ToValue(this(call).Redirect) })
	c.Getter("cf", func(call goja.FunctionCall) goja.Value {
		if cf := this(call).cfValue(vm); cf != nil {
			return cf
		}
		return goja.Undefined()
	})
	c.Getter("signal", func(call goja.FunctionCall) goja.Value {
		r := this(call)
		if r.signal == nil {
			// A signal that never aborts, made from Go: a script replacing
			// the AbortController global cannot change it.
			r.signal, _ = events.NewAbortSignal(vm)
		}
		return r.signal
	})
	c.Getter("integrity", func(goja.FunctionCall) goja.Value { return vm.ToValue("") })
	c.Getter("keepalive", func(goja.FunctionCall) goja.Value { return vm.ToValue(false) })
	c.Getter("fetcher", func(goja.FunctionCall) goja.Value { return goja.Null() })
	a.defineBodyMethods(c, func(call goja.FunctionCall) *Body { return &this(call).body })
	c.Method("clone", func(call goja.FunctionCall) goja.Value {
		r := this(call)
		if a.used(&r.body) {
			panic(vm.NewTypeError("Failed to execute 'clone' on 'Request': Request body is already used"))
		}
		r.cfValue(vm) // the clone shares the cf object
		cp := *r
		cp.Expando = js.Expando{}
		cp.headers = r.headers.clone()
		cp.headers.object = nil
		cp.body = a.cloneBody(&r.body)
		return a.request.Wrap(&cp)
	})
	_ = vm.GlobalObject().DefineDataProperty("Request", c.Ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// newRequest implements `new Request(input, init)`.
func (a *api) newRequest(input, init goja.Value) *Request {
	vm := a.vm
	r := &Request{Method: "GET", Redirect: "follow"}
	if src, ok := js.Unwrap[*Request](input); ok {
		r.Method, r.URL, r.Redirect, r.cf, r.signal = src.Method, src.URL, src.Redirect, src.cfValue(vm), src.signal
		r.headers = src.headers.clone()
		if a.used(&src.body) {
			panic(vm.NewTypeError("Failed to construct 'Request': Cannot construct a Request with a Request object that has already been used."))
		}
		r.body = src.body
		src.body.used = !src.body.IsNull() // the new request takes the body
	} else {
		u, ok := parseURL(input.String())
		if !ok {
			panic(vm.NewTypeError("Failed to construct 'Request': Invalid URL: " + input.String()))
		}
		r.URL = u
		r.headers = &Headers{}
	}
	r.headers.guard = guardRequest
	if obj, ok := init.(*goja.Object); ok && !js.IsNullish(init) {
		if m := obj.Get("method"); !js.IsNullish(m) {
			ms := m.String()
			if !validName(ms) {
				panic(vm.NewTypeError("Failed to construct 'Request': '" + ms + "' is not a valid HTTP method."))
			}
			if n, ok := normalMethods[strings.ToLower(ms)]; ok {
				ms = n
			}
			r.Method = ms
		}
		if h := obj.Get("headers"); !js.IsNullish(h) {
			r.headers = &Headers{guard: guardRequest}
			a.fillHeaders(r.headers, h)
		}
		if rd := obj.Get("redirect"); !js.IsNullish(rd) {
			switch s := rd.String(); s {
			case "follow", "manual", "error":
				r.Redirect = s
			default:
				panic(vm.NewTypeError("Failed to construct 'Request': redirect must be \"follow\", \"manual\" or \"error\", got \"" + s + "\"."))
			}
		}
		if cf := obj.Get("cf"); cf != nil {
			r.cf = cf
		}
		if s := obj.Get("signal"); !js.IsNullish(s) {
			r.signal = s
		}
		if b := obj.Get("body"); !js.IsNullish(b) {
			if r.Method == "GET" || r.Method == "HEAD" {
				panic(vm.NewTypeError("Request with a GET or HEAD method cannot have a body."))
			}
			body, ct := a.extractBody(b)
			r.body = body
			if _, has := r.headers.Value("content-type"); !has && ct != "" {
				r.headers.setField("content-type", ct)
			}
		}
	}
	return r
}
