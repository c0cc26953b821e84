package console_test

import (
	"testing"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/webapi/console"
)

func TestConsoleFormatsLikeNode(t *testing.T) {
	tests := []struct{ args, want string }{
		{`"plain", "strings"`, "plain strings"},
		{`1, -0, 1.5, true, null, undefined`, "1 -0 1.5 true null undefined"},
		{`{ a: 1, "b-c": "x", n: { deep: { deeper: { deepest: 1 } } } }`, "{ a: 1, 'b-c': 'x', n: { deep: { deeper: [Object] } } }"},
		{`[1, "two", [3]]`, "[ 1, 'two', [ 3 ] ]"},
		{`"%s is %d years and %i%%", "Ann", 42.5, 7.9`, "Ann is 42.5 years and 7%"},
		{`"%o", { a: [1] }`, "{ a: [ 1 ] }"},
		{`"%j", { a: 1 }`, `{"a":1}`},
		{`new Map([["k", 1]]), new Set([1])`, "Map(1) { 'k' => 1 } Set(1) { 1 }"},
		{`function named() {}, () => {}`, "[Function: named] [Function (anonymous)]"},
		{`new Uint8Array([1, 2])`, "Uint8Array(2) [ 1, 2 ]"},
		{`10n`, "10n"},
		{`(() => { const o = { name: "loop" }; o.self = o; return o })()`, "{ name: 'loop', self: [Circular *1] }"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			vm := goja.New()
			var level console.Level
			var got string
			console.Install(vm, func(l console.Level, line string) { level, got = l, line })
			if _, err := vm.RunString("console.warn(" + tt.args + ")"); err != nil {
				t.Fatal(err)
			}
			if got != tt.want || level != console.Warn {
				t.Fatalf("got %s %q, want %q", level, got, tt.want)
			}
		})
	}
}

func TestErrorsPrintTheirStack(t *testing.T) {
	vm := goja.New()
	var got string
	console.Install(vm, func(_ console.Level, line string) { got = line })
	if _, err := vm.RunString(`function f() { return new Error("bad") }
console.error(f())`); err != nil {
		t.Fatal(err)
	}
	if want := "Error: bad\n\tat f (<eval>:1:23"; len(got) < len(want) || got[:len(want)] != want {
		t.Fatalf("got %q", got)
	}
}
