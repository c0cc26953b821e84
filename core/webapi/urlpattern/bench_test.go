package urlpattern

import (
	"testing"

	"github.com/dop251/goja"
)

// BenchmarkExecJS measures one pattern.exec(url) call from JS on a pattern
// compiled once: URL parsing, matching the eight components and building
// the result object. "route" gets a different URL on every call; the
// others repeat one, as a router testing a request against many patterns
// does, which skips parsing the URL again.
func BenchmarkExecJS(b *testing.B) {
	for _, bc := range []struct{ name, setup, call string }{
		{"route", `new URLPattern({pathname: "/users/:id/posts/:post"}); let i = 0;
			const urls = Array.from({length: 256}, (_, i) => "https://example.com/users/" + i + "/posts/hello-world")`,
			`p.exec(urls[i++ & 255])`},
		{"route-read-groups", `new URLPattern({pathname: "/users/:id/posts/:post"}); let i = 0;
			const urls = Array.from({length: 256}, (_, i) => "https://example.com/users/" + i + "/posts/hello-world")`,
			`p.exec(urls[i++ & 255]).pathname.groups.id`},
		{"route-same-url", `new URLPattern({pathname: "/users/:id/posts/:post"})`, `p.exec("https://example.com/users/123/posts/hello-world")`},
		{"route-test", `new URLPattern({pathname: "/users/:id/posts/:post"})`, `p.test("https://example.com/users/123/posts/hello-world")`},
		{"full-string", `new URLPattern("https://*.example.com/api/:version/*")`, `p.exec("https://eu.example.com/api/v2/users/7?q=1")`},
		{"init-input", `new URLPattern({pathname: "/users/:id"})`, `p.exec({pathname: "/users/123"})`},
		{"lookahead", `new URLPattern({pathname: "/:name((?!admin)[a-z]+)"})`, `p.exec("https://example.com/alice")`},
		{"no-match", `new URLPattern({pathname: "/users/:id"})`, `p.exec("https://example.com/posts/1")`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			vm := goja.New()
			Install(vm)
			v, err := vm.RunString(`(function () { const p = ` + bc.setup + `; return function () { return ` + bc.call + `; }; })()`)
			if err != nil {
				b.Fatal(err)
			}
			call, _ := goja.AssertFunction(v)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := call(goja.Undefined()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkExecGo measures the Go API: parse the URL and match, no JS.
func BenchmarkExecGo(b *testing.B) {
	p, err := FromInit(Init{Pathname: ptr("/users/:id/posts/:post")}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if p.Exec("https://example.com/users/123/posts/hello-world", nil) == nil {
			b.Fatal("no match")
		}
	}
}

// BenchmarkCompile measures constructing a typical pattern, which happens
// once per pattern (usually at module load).
func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New("https://*.example.com/api/:version/users/:id(\\d+)", Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func ptr(s string) *string { return &s }
