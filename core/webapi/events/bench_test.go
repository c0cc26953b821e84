package events_test

import (
	"testing"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi/events"
)

func benchVM(b *testing.B) *goja.Runtime {
	vm := goja.New()
	events.Install(loop.New(vm))
	return vm
}

// NewAbortSignal is what a Go family pays for each Request's signal.
func BenchmarkNewAbortSignal(b *testing.B) {
	vm := benchVM(b)
	b.ReportAllocs()
	for b.Loop() {
		events.NewAbortSignal(vm)
	}
}

func BenchmarkJS(b *testing.B) {
	for _, c := range []struct{ name, setup, body string }{
		{"new AbortController", ``, `new AbortController()`},
		{"dispatch to 3 listeners", `const t = new EventTarget(); for (let i = 0; i < 3; i++) t.addEventListener("x", () => {});`,
			`t.dispatchEvent(new Event("x"))`},
		{"abort with a listener", ``, `const c = new AbortController(); c.signal.addEventListener("abort", () => {}); c.abort()`},
	} {
		b.Run(c.name, func(b *testing.B) {
			vm := benchVM(b)
			if _, err := vm.RunString(c.setup); err != nil {
				b.Fatal(err)
			}
			fn, err := vm.RunString(`(function () { for (let i = 0; i < 100; i++) { ` + c.body + ` } })`)
			if err != nil {
				b.Fatal(err)
			}
			call, _ := goja.AssertFunction(fn)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := call(goja.Undefined()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100, "ns/op-inner")
		})
	}
}
