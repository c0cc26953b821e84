package fetch_test

import (
	"net/http"
	"testing"

	"github.com/dop251/goja"
)

// An incoming request's cf is made when JS first reads it; it is then one
// object, shared with clones and with requests made from it, as when it was
// made up front.
func TestIncomingCFIsOneObject(t *testing.T) {
	h := newHost(t)
	h.on(func(vm *goja.Runtime) {
		_ = vm.Set("req", h.api.NewIncomingRequest("GET", "http://x/", http.Header{}, nil, map[string]any{"httpProtocol": "HTTP/1.1", "colo": "LHR"}))
		_ = vm.Set("bare", h.api.NewIncomingRequest("GET", "http://x/", http.Header{}, nil, nil))
	})
	for _, check := range []string{
		`req.cf.httpProtocol === "HTTP/1.1" && req.cf.colo === "LHR"`,
		`req.cf === req.cf`,
		`req.clone().cf === req.cf`,
		`new Request(req).cf === req.cf`,
		`(() => { const c = req.clone(); return c.cf === req.cf })()`,
		`bare.cf === undefined`,
		`bare.clone().cf === undefined`,
	} {
		if !h.eval(check).ToBoolean() {
			t.Errorf("%s is false", check)
		}
	}
}

// A clone taken before cf was ever read shares the original's cf.
func TestIncomingCFSharedWithEarlyClone(t *testing.T) {
	h := newHost(t)
	h.on(func(vm *goja.Runtime) {
		_ = vm.Set("req", h.api.NewIncomingRequest("GET", "http://x/", http.Header{}, nil, map[string]any{"country": "GB"}))
	})
	if !h.eval(`const early = req.clone(); const early2 = new Request(req); early.cf === req.cf && early2.cf === req.cf && req.cf.country === "GB"`).ToBoolean() {
		t.Error("a request made before cf was read has another cf object")
	}
}
