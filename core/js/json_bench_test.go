package js_test

import (
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

// echoDoc is the harness's echo workload body: 4 KiB of small objects.
func echoDoc() []byte {
	item := `{"k":"0123456789abcdef","n":[1,2,3,4,5,6,7,8,9,10],"ok":true}`
	return []byte(`{"items":[` + strings.Repeat(item+",", 63) + item + `]}`)
}

func BenchmarkParseJSON(b *testing.B) {
	vm := goja.New()
	doc := echoDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		js.ParseJSON(vm, doc)
	}
}

// BenchmarkStringify compares goja's JSON.stringify (then the []byte a body
// needs) with JSONWriter.Marshal on the parsed echo body.
func BenchmarkStringify(b *testing.B) {
	vm := goja.New()
	v := js.ParseJSON(vm, echoDoc())
	b.Run("goja", func(b *testing.B) {
		stringify, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
		b.ReportAllocs()
		for b.Loop() {
			s, err := stringify(goja.Undefined(), v)
			if err != nil {
				b.Fatal(err)
			}
			_ = []byte(s.String())
		}
	})
	b.Run("JSONWriter", func(b *testing.B) {
		w := js.NewJSONWriter(vm)
		b.ReportAllocs()
		for b.Loop() {
			w.Marshal(v)
		}
	})
}

// BenchmarkJSONStringifyFromJS: JSON.stringify(v) called from JS on the
// parsed echo body, goja's builtin against InstallStringify's.
func BenchmarkJSONStringifyFromJS(b *testing.B) {
	for _, installed := range []bool{false, true} {
		name := "goja"
		if installed {
			name = "installed"
		}
		b.Run(name, func(b *testing.B) {
			vm := goja.New()
			if installed {
				js.NewJSONWriter(vm).InstallStringify()
			}
			_ = vm.Set("v", js.ParseJSON(vm, echoDoc()))
			f, err := vm.RunString(`() => JSON.stringify(v)`)
			if err != nil {
				b.Fatal(err)
			}
			call, _ := goja.AssertFunction(f)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := call(goja.Undefined()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
