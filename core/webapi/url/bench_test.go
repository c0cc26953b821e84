package url

import (
	"testing"

	"github.com/dop251/goja"
)

// warmup touches the built-ins every real bundle touches (Object, Function,
// Array, Symbol, classes), which goja materialises lazily on first use.
const warmup = `Object.entries({}); class A {}; [][Symbol.iterator]()`

// BenchmarkInstall measures the start-up cost Install adds to a runtime:
// subtract the "without" case from the "with" case. Each iteration builds a
// warmed runtime, so neither case pays for built-ins the other does not.
// Runtimes are not kept: a large live heap would bill GC to whichever case
// runs last.
func BenchmarkInstall(b *testing.B) {
	for _, bc := range []struct {
		name    string
		install bool
	}{{"without", false}, {"with", true}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				vm := goja.New()
				if _, err := vm.RunString(warmup); err != nil {
					b.Fatal(err)
				}
				if bc.install {
					Install(vm)
				}
			}
		})
	}
}

// BenchmarkURLRequestPath is the usual request-handler work: parse the
// request URL, read the path and one query parameter.
func BenchmarkURLRequestPath(b *testing.B) {
	vm := goja.New()
	Install(vm)
	v, err := vm.RunString(`(function (s) { const u = new URL(s); return u.pathname + u.searchParams.get("id") })`)
	if err != nil {
		b.Fatal(err)
	}
	fn, _ := goja.AssertFunction(v)
	arg := vm.ToValue("https://api.example.com/v1/users/42?id=7&expand=true")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fn(goja.Undefined(), arg); err != nil {
			b.Fatal(err)
		}
	}
}
