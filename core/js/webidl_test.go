package js

import (
	"testing"

	"github.com/dop251/goja"
)

func TestWebIDLMembers(t *testing.T) {
	vm := goja.New()
	proto := vm.NewObject()
	value := "start"
	Operation(vm, proto, "greet", 2, func(call goja.FunctionCall) goja.Value {
		return vm.ToValue("hi " + call.Argument(0).String())
	})
	Attribute(vm, proto, "value", func(goja.FunctionCall) goja.Value { return vm.ToValue(value) },
		func(call goja.FunctionCall) goja.Value { value = call.Argument(0).String(); return nil })
	Attribute(vm, proto, "fixed", func(goja.FunctionCall) goja.Value { return vm.ToValue(1) }, nil)
	ToStringTag(vm, proto, "Thing")
	_ = vm.Set("p", proto)

	cases := []struct{ src, want string }{
		{`p.greet("x")`, "hi x"},
		{`[p.greet.name, p.greet.length].join()`, "greet,2"},
		{`const d = Object.getOwnPropertyDescriptor(p, "greet"); [d.writable, d.enumerable, d.configurable].join()`, "true,true,true"},
		{`const a = Object.getOwnPropertyDescriptor(p, "value"); [a.get.name, a.set.name, a.set.length, a.enumerable, a.configurable].join()`,
			"get value,set value,1,true,true"},
		{`p.value = "changed"; p.value`, "changed"},
		{`typeof Object.getOwnPropertyDescriptor(p, "fixed").set`, "undefined"},
		{`Object.prototype.toString.call(p)`, "[object Thing]"},
	}
	for _, c := range cases {
		v, err := vm.RunString("{" + c.src + "}") // a block's completion value is its last statement's
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if v.String() != c.want {
			t.Errorf("%s = %s, want %s", c.src, v, c.want)
		}
	}
}
