package js_test

import (
	"testing"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

type thing struct {
	js.Expando
	n int
}

func TestClass(t *testing.T) {
	vm := goja.New()
	c := js.NewClass(vm, "Thing", 1, func(call goja.ConstructorCall) goja.DynamicObject {
		return &thing{n: int(call.Argument(0).ToInteger())}
	})
	c.Getter("n", func(call goja.FunctionCall) goja.Value { return vm.ToValue(js.This[*thing](vm, call).n) })
	c.Method("double", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(2 * js.This[*thing](vm, call).n)
	})
	_ = vm.Set("Thing", c.Ctor)
	tests := []struct{ src, want string }{
		{`new Thing(3).n`, "3"},
		{`new Thing(3).double()`, "6"},
		{`new Thing(1) instanceof Thing`, "true"},
		{`Object.prototype.toString.call(new Thing(1))`, "[object Thing]"},
		{`Thing.name + "/" + Thing.length`, "Thing/1"},
		{`const d = (o, k) => { const x = Object.getOwnPropertyDescriptor(o, k); return [x.writable, x.enumerable, x.configurable].join("/") };
			[d(Thing, "name"), d(Thing, "length"), d(Thing, "prototype"), d(Thing.prototype, Symbol.toStringTag)].join(" ")`,
			"false/false/true false/false/true false/false/false false/false/true"},
		{`class Sub extends Thing { triple() { return this.n * 3 } }; const s = new Sub(2); [s.triple(), s instanceof Thing, s.double()].join()`, "6,true,4"},
		{`const x = new Thing(1); x.extra = 5; [x.extra, Object.keys(x).join()].join()`, "5,extra"},
		{`try { Thing.prototype.double.call({}) } catch (e) { e.message }`, "Illegal invocation"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			v, err := vm.RunString(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			if got := v.String(); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	if _, ok := js.Unwrap[*thing](vm.ToValue(map[string]any{"a": 1})); ok {
		t.Fatal("Unwrap accepted a plain object")
	}
}
