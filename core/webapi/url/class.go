package url

import (
	"slices"

	"github.com/dop251/goja"
)

// newFunc returns a native function object named name with the given length,
// as WebIDL operations are.
func newFunc(vm *goja.Runtime, name string, length int, fn func(goja.FunctionCall) goja.Value) *goja.Object {
	f := vm.ToValue(fn).(*goja.Object)
	setFuncMeta(vm, f, name, length)
	return f
}

func setFuncMeta(vm *goja.Runtime, f *goja.Object, name string, length int) {
	_ = f.DefineDataProperty("name", vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = f.DefineDataProperty("length", vm.ToValue(length), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// method defines an operation: a writable, enumerable, configurable function
// property.
func method(vm *goja.Runtime, obj *goja.Object, name string, length int, fn func(goja.FunctionCall) goja.Value) *goja.Object {
	f := newFunc(vm, name, length, fn)
	_ = obj.DefineDataProperty(name, f, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
	return f
}

// accessor defines an attribute: an enumerable, configurable accessor
// property; set is nil for a readonly attribute.
func accessor(vm *goja.Runtime, obj *goja.Object, name string, get, set func(goja.FunctionCall) goja.Value) {
	g := newFunc(vm, "get "+name, 0, get)
	var s goja.Value
	if set != nil {
		s = newFunc(vm, "set "+name, 1, set)
	}
	_ = obj.DefineAccessorProperty(name, g, s, goja.FLAG_TRUE, goja.FLAG_TRUE)
}

// expando holds the own properties a script adds to a Go-backed object
// (goja.DynamicObject), in insertion order. Platform objects are ordinary
// objects in this respect: `url.tag = 1` must stick.
type expando struct {
	props map[string]goja.Value
	keys  []string
}

func (e *expando) Get(key string) goja.Value { return e.props[key] }

func (e *expando) Set(key string, val goja.Value) bool {
	if e.props == nil {
		e.props = make(map[string]goja.Value)
	}
	if _, ok := e.props[key]; !ok {
		e.keys = append(e.keys, key)
	}
	e.props[key] = val
	return true
}

func (e *expando) Has(key string) bool {
	_, ok := e.props[key]
	return ok
}

func (e *expando) Delete(key string) bool {
	if _, ok := e.props[key]; ok {
		delete(e.props, key)
		e.keys = slices.DeleteFunc(e.keys, func(k string) bool { return k == key })
	}
	return true
}

func (e *expando) Keys() []string { return slices.Clone(e.keys) }
