package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/webapi/events"
)

// Options configure outbound fetch() for one runtime.
type Options struct {
	// AllowPrivate lets fetch reach loopback, private and link-local
	// addresses. ferry dev allows them; production hosts refuse them unless the
	// config allows it, so a Worker cannot be turned against the network it
	// runs in (SSRF).
	AllowPrivate bool
	// Transport overrides the HTTP transport (tests). The SSRF rules apply only
	// to the default transport.
	Transport http.RoundTripper
	// Subrequest is called on the loop goroutine before each fetch; an error
	// rejects that fetch (core counts subrequests per event with it).
	Subrequest func() error
	// Context returns the context of the event running now; its cancellation
	// (the event ended) aborts the event's fetches. Nil means Background.
	Context func() context.Context
}

// MaxRedirects is how many redirects "follow" mode takes before failing, as
// the Fetch standard says.
const MaxRedirects = 20

// A PolicyError is a fetch refused by the SSRF rules.
type PolicyError struct {
	Addr string // the address dialled
	Rule string // "loopback", "private", "link-local", "unspecified", "multicast"
}

func (e *PolicyError) Error() string {
	return fmt.Sprintf("fetch to %s refused: it is a %s address, and Ferry blocks loopback, private and link-local destinations outside `ferry dev` (allow them with allow_private_fetch = true under [ferry] in the wrangler config)", e.Addr, e.Rule)
}

// blockedRule names why ip may not be reached, or "" when it may.
func blockedRule(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case ip.IsLoopback():
		return "loopback"
	case ip.IsPrivate():
		return "private"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "link-local"
	case ip.IsUnspecified():
		return "unspecified"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast"
	}
	// 100.64.0.0/10 (carrier-grade NAT) is private in practice.
	if ip.Is4() && ip.As4()[0] == 100 && ip.As4()[1]&0xc0 == 64 {
		return "private"
	}
	return ""
}

func (o Options) client() *http.Client {
	rt := o.Transport
	if rt == nil {
		dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
		if !o.AllowPrivate {
			// Check the address actually dialled, after DNS: a public name
			// that resolves to 10.0.0.1 is refused too.
			dialer.Control = func(network, address string, _ syscall.RawConn) error {
				ap, err := netip.ParseAddrPort(address)
				if err != nil {
					return err
				}
				if rule := blockedRule(ap.Addr()); rule != "" {
					return &PolicyError{Addr: address, Rule: rule}
				}
				return nil
			}
		}
		rt = &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          100,
			MaxIdleConnsPerHost:   16,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ExpectContinueTimeout: time.Second,
		}
	}
	return &http.Client{Transport: rt}
}

// errRedirectMode marks a redirect refused by redirect: "error".
var errRedirectMode = errors.New(`redirect mode is set to "error"`)

func (a *api) installFetch() {
	vm := a.vm
	fn := js.NamedFunc(vm, "fetch", 1, func(call goja.FunctionCall) goja.Value {
		p, resolve, reject := vm.NewPromise()
		var req *Request
		if ex := vm.Try(func() { req = a.newRequest(call.Argument(0), call.Argument(1)) }); ex != nil {
			_ = reject(ex.Value())
			return vm.ToValue(p)
		}
		a.send(req, func(v goja.Value) { _ = resolve(v) }, func(v goja.Value) { _ = reject(v) })
		return vm.ToValue(p)
	})
	_ = vm.GlobalObject().Set("fetch", fn)
}

// send performs req off the loop goroutine and settles through resolve or
// reject on the loop.
func (a *api) send(req *Request, resolve, reject func(goja.Value)) {
	vm := a.vm
	u, err := urlParser.Parse(req.URL)
	if err != nil {
		reject(vm.NewTypeError("Fetch API cannot load: " + req.URL))
		return
	}
	switch u.Protocol() {
	case "http:", "https:":
	default:
		reject(vm.NewTypeError("Fetch API cannot load: " + req.URL + " (only http: and https: URLs can be fetched)"))
		return
	}
	if a.opts.Subrequest != nil {
		if err := a.opts.Subrequest(); err != nil {
			reject(vm.NewGoError(err))
			return
		}
	}
	// An already aborted signal rejects at once with its reason.
	signal, _ := req.signal.(*goja.Object)
	if signal != nil && signal.Get("aborted") != nil && signal.Get("aborted").ToBoolean() {
		reject(signal.Get("reason"))
		return
	}
	parent := context.Background()
	if a.opts.Context != nil {
		parent = a.opts.Context()
	}
	ctx, cancel := context.WithCancel(parent)

	var body io.Reader
	if b := req.body; b.src != nil {
		if b.used {
			cancel()
			reject(vm.NewTypeError(bodyUsedMessage))
			return
		}
		req.body.used = true
		if data, ok := b.Bytes(); ok {
			body = bytes.NewReader(data)
		} else {
			body = b.Reader()
		}
	}
	hreq, err := http.NewRequestWithContext(ctx, req.Method, u.Href(false), body)
	if err != nil {
		cancel()
		reject(vm.NewTypeError("Fetch API cannot load: " + err.Error()))
		return
	}
	hreq.Header = req.headers.HTTP()
	if _, ok := hreq.Header["User-Agent"]; !ok {
		hreq.Header["User-Agent"] = []string{""} // Workers send none by default; Go would add its own
	}
	if h := hreq.Header.Get("Host"); h != "" {
		hreq.Host = h
	}
	redirect := req.Redirect
	redirected := false
	client := *a.client
	client.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		switch redirect {
		case "manual":
			return http.ErrUseLastResponse
		case "error":
			return errRedirectMode
		}
		if len(via) > MaxRedirects {
			return fmt.Errorf("too many redirects (more than %d)", MaxRedirects)
		}
		redirected = true
		return nil
	}

	// Abort: a signal that fires later cancels the request.
	var unsubscribe func()
	var abortReason goja.Value
	if signal != nil {
		unsubscribe = onAbort(vm, signal, func(reason goja.Value) {
			abortReason = reason
			cancel()
		})
	}
	done := a.loop.Reserve()
	go func() {
		res, err := client.Do(hreq)
		done(func(vm *goja.Runtime) error {
			if unsubscribe != nil {
				unsubscribe()
			}
			if err != nil {
				cancel()
				switch {
				case abortReason != nil:
					reject(abortReason)
				case errors.Is(err, errRedirectMode):
					reject(vm.NewTypeError("Fetch API cannot load: " + req.URL + ": the response redirected and redirect mode is \"error\""))
				default:
					var pe *PolicyError
					if errors.As(err, &pe) {
						reject(vm.NewTypeError(pe.Error()))
					} else {
						reject(vm.NewTypeError("Network connection lost: fetch " + req.URL + ": " + unwrapURLError(err)))
					}
				}
				return nil
			}
			resolve(a.response.Wrap(a.incomingResponse(res, redirected, cancel)))
			return nil
		})
	}()
}

// incomingResponse wraps an upstream response: headers stay an http.Header
// until read, and the body is read lazily (or moved without copying into a
// new Response).
func (a *api) incomingResponse(res *http.Response, redirected bool, cancel context.CancelFunc) *Response {
	status := res.StatusCode
	text := strings.TrimSpace(strings.TrimPrefix(res.Status, fmt.Sprint(status)))
	h := NewHeaders(res.Header)
	h.guard = guardImmutable
	r := &Response{Status: status, StatusText: text, Type: "default", URL: res.Request.URL.String(), Redirected: redirected, headers: h}
	if res.Body != nil && res.Body != http.NoBody && !nullBodyStatus(status) && res.Request.Method != http.MethodHead {
		r.body = Body{src: &source{r: &cancelOnClose{ReadCloser: res.Body, cancel: cancel}, a: a}}
	} else {
		if res.Body != nil {
			_ = res.Body.Close()
		}
		cancel()
	}
	return r
}

// cancelOnClose releases the request's context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// unwrapURLError drops net/http's "Get \"url\": " prefix, which repeats the
// URL the message already names.
func unwrapURLError(err error) string {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner.Error()
		}
	}
	return err.Error()
}

// onAbort calls fn when signal (an AbortSignal) fires, through its abort event,
// and returns a function that stops listening.
func onAbort(vm *goja.Runtime, signal *goja.Object, fn func(reason goja.Value)) func() {
	if events.IsAbortSignal(signal) {
		// A real AbortSignal: subscribe in Go, no listener object, and a
		// script cannot remove it.
		return events.OnAbort(signal, fn)
	}
	add, ok := goja.AssertFunction(signal.Get("addEventListener"))
	if !ok {
		return func() {}
	}
	listener := vm.ToValue(func(goja.FunctionCall) goja.Value {
		fn(signal.Get("reason"))
		return goja.Undefined()
	})
	if _, err := add(signal, vm.ToValue("abort"), listener); err != nil {
		return func() {}
	}
	return func() {
		if remove, ok := goja.AssertFunction(signal.Get("removeEventListener")); ok {
			_, _ = remove(signal, vm.ToValue("abort"), listener)
		}
	}
}
