package js_test

import (
	"testing"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

// ParseJSON must agree with JSON.parse on every document, valid or not.
func TestParseJSONMatchesJSONParse(t *testing.T) {
	docs := []string{
		`{"a":1,"b":[true,false,null],"c":{"d":"é\n\u00e9\ud83d\ude00"},"e":-0,"g":-1.5e-7,"h":9007199254740993}`,
		`[]`, `{}`, `"str"`, `0`, `-0`, `  [1 , 2]  `, `{"__proto__":{"x":1},"a":1,"a":2}`, `[[[[[]]]]]`,
		`12345678901234567890`, `{"":""}`,
	}
	bad := []string{`{"a":1,}`, `[1,]`, `NaN`, `Infinity`, `{'a':1}`, `{"a":1} x`, ``, `01`, `"\x"`, `[1 2]`}
	vm := goja.New()
	stringify := func(v goja.Value) string {
		_ = vm.Set("__v", v)
		s, err := vm.RunString(`JSON.stringify(__v) + "|" + (Object.is(__v, -0) ? "-0" : "") + "|" + (typeof __v === "object" && __v !== null ? Object.keys(__v).join(",") + "|" + Object.getPrototypeOf(__v === null ? {} : __v).constructor.name : "")`)
		if err != nil {
			t.Fatal(err)
		}
		return s.String()
	}
	parse, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("parse"))
	for _, d := range docs {
		want, err := parse(goja.Undefined(), vm.ToValue(d))
		if err != nil {
			t.Fatalf("JSON.parse(%s): %v", d, err)
		}
		var got goja.Value
		if ex := vm.Try(func() { got = js.ParseJSON(vm, []byte(d)) }); ex != nil {
			t.Fatalf("ParseJSON(%s): %v", d, ex)
		}
		if g, w := stringify(got), stringify(want); g != w {
			t.Errorf("ParseJSON(%s) = %s, JSON.parse gives %s", d, g, w)
		}
	}
	for _, d := range bad {
		if _, err := parse(goja.Undefined(), vm.ToValue(d)); err == nil {
			t.Fatalf("JSON.parse accepted %q", d)
		}
		ex := vm.Try(func() { js.ParseJSON(vm, []byte(d)) })
		if ex == nil {
			t.Errorf("ParseJSON accepted %q", d)
		} else if name := ex.Value().ToObject(vm).Get("name").String(); name != "SyntaxError" {
			t.Errorf("ParseJSON(%q) threw %s, want SyntaxError", d, name)
		}
	}
}
