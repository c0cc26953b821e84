package js

import (
	"testing"

	"github.com/dop251/goja"
)

func TestThrowDOMException(t *testing.T) {
	const fakeDOMException = `globalThis.DOMException = class DOMException extends Error {
		constructor(message, name) { super(message); this.name = name; this.code = 99 } }`
	cases := []struct {
		name    string
		setup   string
		errName string
		want    string
	}{
		{"fallback Error with name and legacy code", "", "InvalidCharacterError",
			"InvalidCharacterError|bad input|5|true|InvalidCharacterError: bad input"},
		{"fallback for a name without a legacy code", "", "DataError",
			"DataError|bad input|0|true|DataError: bad input"},
		{"uses DOMException when present", fakeDOMException, "InvalidCharacterError",
			"InvalidCharacterError|bad input|99|true|InvalidCharacterError: bad input"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vm := goja.New()
			if _, err := vm.RunString(c.setup); err != nil {
				t.Fatal(err)
			}
			_ = vm.Set("boom", func(goja.FunctionCall) goja.Value {
				ThrowDOMException(vm, c.errName, "bad input")
				return nil
			})
			v, err := vm.RunString(`try { boom() } catch (e) {
				[e.name, e.message, e.code, e instanceof Error, String(e)].join("|") }`)
			if err != nil {
				t.Fatal(err)
			}
			if v.String() != c.want {
				t.Errorf("got %s, want %s", v, c.want)
			}
		})
	}
}

func TestDOMExceptionCode(t *testing.T) {
	for name, want := range map[string]int{"IndexSizeError": 1, "AbortError": 20, "DataCloneError": 25, "DataError": 0, "OperationError": 0} {
		if got := DOMExceptionCode(name); got != want {
			t.Errorf("DOMExceptionCode(%q) = %d, want %d", name, got, want)
		}
	}
}
