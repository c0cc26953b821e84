package encoding

import (
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// warmup touches the built-ins every real bundle touches, which goja
// materialises lazily on first use.
const warmup = `Object.entries({}); class A {}; [][Symbol.iterator](); new Uint8Array(1)`

// BenchmarkInstall measures the start-up cost Install adds to a runtime:
// subtract the "without" case from the "with" case.
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

// BenchmarkRoundTrip encodes and decodes a 1 KiB mostly-ASCII string.
func BenchmarkRoundTrip(b *testing.B) {
	vm := goja.New()
	Install(vm)
	v, err := vm.RunString(`const enc = new TextEncoder(), dec = new TextDecoder();
		(function (s) { return dec.decode(enc.encode(s)) })`)
	if err != nil {
		b.Fatal(err)
	}
	fn, _ := goja.AssertFunction(v)
	arg := vm.ToValue(strings.Repeat("hello, wörld ", 79))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fn(goja.Undefined(), arg); err != nil {
			b.Fatal(err)
		}
	}
}
