package js

import (
	"sync"

	"github.com/dop251/goja"
	"github.com/valyala/fastjson"
)

// JSON parsing for bodies (request.json(), response.json()): goja's JSON.parse
// tokenises through encoding/json's Decoder.Token, which costs about 1 ms for
// a 4 KiB document. fastjson parses into a reusable tree an order of magnitude
// faster; converting that tree to goja values is what remains.

var parserPool = sync.Pool{New: func() any { return new(fastjson.Parser) }}

// ParseJSON parses data as JSON into plain JS values (objects with
// Object.prototype, arrays, strings, numbers, booleans, null), as JSON.parse
// without a reviver does. A malformed document throws a SyntaxError.
func ParseJSON(vm *goja.Runtime, data []byte) goja.Value {
	// fastjson's parser is lenient (NaN, leading zeros, unknown escapes);
	// its validator is strict, so run it first.
	if err := fastjson.ValidateBytes(data); err != nil {
		panic(newSyntaxError(vm, "Unexpected token in JSON: "+err.Error()))
	}
	p := parserPool.Get().(*fastjson.Parser)
	defer parserPool.Put(p)
	v, err := p.ParseBytes(data)
	if err != nil {
		panic(newSyntaxError(vm, "Unexpected token in JSON: "+err.Error()))
	}
	return jsonValue(vm, v)
}

func jsonValue(vm *goja.Runtime, v *fastjson.Value) goja.Value {
	switch v.Type() {
	case fastjson.TypeObject:
		obj := vm.NewObject()
		o, _ := v.Object()
		o.Visit(func(k []byte, item *fastjson.Value) {
			// Define, not Set: a "__proto__" key is an own property in
			// JSON.parse's result, not the prototype.
			_ = obj.DefineDataProperty(string(k), jsonValue(vm, item), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		})
		return obj
	case fastjson.TypeArray:
		items, _ := v.Array()
		vals := make([]any, len(items))
		for i, item := range items {
			vals[i] = jsonValue(vm, item)
		}
		return vm.NewArray(vals...)
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return vm.ToValue(string(b))
	case fastjson.TypeNumber:
		if n, err := v.Int64(); err == nil && n >= -(1<<53) && n <= 1<<53 {
			if n == 0 && len(v.MarshalTo(nil)) > 0 && v.MarshalTo(nil)[0] == '-' {
				return vm.ToValue(negZero())
			}
			return vm.ToValue(n)
		}
		f, _ := v.Float64()
		return vm.ToValue(f)
	case fastjson.TypeTrue:
		return vm.ToValue(true)
	case fastjson.TypeFalse:
		return vm.ToValue(false)
	default:
		return goja.Null()
	}
}

func negZero() float64 {
	z := 0.0
	return -z
}

func newSyntaxError(vm *goja.Runtime, msg string) *goja.Object {
	ctor := vm.Get("SyntaxError").ToObject(vm)
	obj, err := vm.New(ctor, vm.ToValue(msg))
	if err != nil {
		panic(err)
	}
	return obj
}
