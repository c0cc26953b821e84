package js

import (
	"github.com/dop251/goja"
)

// WebIDL-shaped members for prototypes built by hand (see class.go for Go
// values behind dynamic objects): operations with their declared length, and
// attributes with setters.

// Operation defines a WebIDL operation on obj: a writable, enumerable,
// configurable function property with the given name and length. It returns
// the function.
func Operation(vm *goja.Runtime, obj *goja.Object, name string, length int, fn func(goja.FunctionCall) goja.Value) *goja.Object {
	f := NamedFunc(vm, name, length, fn)
	_ = obj.DefineDataProperty(name, f, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
	return f
}

// Attribute defines a WebIDL attribute on obj: an enumerable, configurable
// accessor property whose getter is named "get <name>"; set is nil for a
// readonly attribute.
func Attribute(vm *goja.Runtime, obj *goja.Object, name string, get, set func(goja.FunctionCall) goja.Value) {
	g := NamedFunc(vm, "get "+name, 0, get)
	var s goja.Value
	if set != nil {
		s = NamedFunc(vm, "set "+name, 1, set)
	}
	_ = obj.DefineAccessorProperty(name, g, s, goja.FLAG_TRUE, goja.FLAG_TRUE)
}

// NamedFunc returns a native function with the given name and length
// properties (goja otherwise names it after the Go function).
func NamedFunc(vm *goja.Runtime, name string, length int, fn func(goja.FunctionCall) goja.Value) *goja.Object {
	f := vm.ToValue(fn).(*goja.Object)
	_ = f.DefineDataProperty("name", vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	if length != 0 { // goja's default is 0
		_ = f.DefineDataProperty("length", vm.ToValue(length), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	return f
}

// ToStringTag sets obj[Symbol.toStringTag] as WebIDL does for interface
// prototypes, so Object.prototype.toString gives "[object <tag>]".
func ToStringTag(vm *goja.Runtime, obj *goja.Object, tag string) {
	_ = obj.DefineDataPropertySymbol(goja.SymToStringTag, vm.ToValue(tag), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}
