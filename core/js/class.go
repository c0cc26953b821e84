package js

import (
	"reflect"

	"github.com/dop251/goja"
)

// Expando stores the own properties JS code adds to a Go-backed object
// (`req.foo = 1`). Embed it in a host struct to make the struct a
// goja.DynamicObject whose API lives entirely on its prototype, as Web IDL
// interfaces do: Object.keys(new Response()) is [] until code adds a property.
type Expando struct {
	props map[string]goja.Value
	keys  []string
}

// Get implements goja.DynamicObject. Nil means "not an own property", so the
// lookup continues on the prototype.
func (e *Expando) Get(key string) goja.Value { return e.props[key] }

// Set implements goja.DynamicObject.
func (e *Expando) Set(key string, v goja.Value) bool {
	if e.props == nil {
		e.props = map[string]goja.Value{}
	}
	if _, ok := e.props[key]; !ok {
		e.keys = append(e.keys, key)
	}
	e.props[key] = v
	return true
}

// Has implements goja.DynamicObject.
func (e *Expando) Has(key string) bool { _, ok := e.props[key]; return ok }

// Delete implements goja.DynamicObject.
func (e *Expando) Delete(key string) bool {
	if _, ok := e.props[key]; !ok {
		return true
	}
	delete(e.props, key)
	for i, k := range e.keys {
		if k == key {
			e.keys = append(e.keys[:i], e.keys[i+1:]...)
			break
		}
	}
	return true
}

// Keys implements goja.DynamicObject, in insertion order.
func (e *Expando) Keys() []string { return e.keys }

// Class is a JS constructor whose instances are Go values (goja dynamic objects
// with the class prototype).
type Class struct {
	Ctor  *goja.Object
	Proto *goja.Object
	vm    *goja.Runtime
}

// NewClass defines a constructor called name with the given length. construct
// returns the Go value for `new Name(...args)`; it may throw with panic.
// Unlike Web IDL, calling the constructor without new constructs too: goja
// gives a native constructor no way to tell the two apart (new.target is nil
// in both), and a JS class wrapper would cost a JS call on every Response.
// Pass a nil
// construct for interfaces that scripts cannot construct ("Illegal constructor").
func NewClass(vm *goja.Runtime, name string, length int, construct func(call goja.ConstructorCall) goja.DynamicObject) *Class {
	c := &Class{vm: vm}
	ctor := vm.ToValue(func(call goja.ConstructorCall) *goja.Object {
		if construct == nil {
			panic(vm.NewTypeError("Illegal constructor"))
		}
		d := construct(call)
		obj := vm.NewDynamicObject(d)
		_ = obj.SetPrototype(call.This.Prototype())
		return obj
	}).(*goja.Object)
	c.Ctor = ctor
	// Web IDL's (and ECMAScript's) attributes: name, length and @@toStringTag
	// are read-only, configurable and not enumerable; prototype is fixed.
	// (goja's flag order is writable, configurable, enumerable.)
	_ = ctor.DefineDataProperty("name", vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = ctor.DefineDataProperty("length", vm.ToValue(length), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	c.Proto = ctor.Get("prototype").(*goja.Object)
	_ = ctor.DefineDataProperty("prototype", c.Proto, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	_ = c.Proto.DefineDataPropertySymbol(goja.SymToStringTag, vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return c
}

// Wrap returns a JS object for d with this class's prototype, for instances
// created from Go rather than by `new`.
func (c *Class) Wrap(d goja.DynamicObject) *goja.Object {
	obj := c.vm.NewDynamicObject(d)
	_ = obj.SetPrototype(c.Proto)
	return obj
}

// Method defines an operation on the prototype.
func (c *Class) Method(name string, fn func(goja.FunctionCall) goja.Value) {
	Method(c.vm, c.Proto, name, fn)
}

// Getter defines a readonly attribute on the prototype.
func (c *Class) Getter(name string, fn func(goja.FunctionCall) goja.Value) {
	Getter(c.vm, c.Proto, name, fn)
}

// Static defines a static operation on the constructor.
func (c *Class) Static(name string, fn func(goja.FunctionCall) goja.Value) {
	Method(c.vm, c.Ctor, name, fn)
}

// This returns the Go value behind call.This as a T, throwing
// "TypeError: Illegal invocation" when the receiver is of another kind.
func This[T any](vm *goja.Runtime, call goja.FunctionCall) T {
	if v, ok := Unwrap[T](call.This); ok {
		return v
	}
	panic(vm.NewTypeError("Illegal invocation"))
}

// Unwrap returns the Go value behind v if it is a T.
//
// The type is checked before anything is exported, so a plain object (which
// Export would copy into a Go map) costs nothing to reject.
func Unwrap[T any](v goja.Value) (T, bool) {
	var zero T
	obj, ok := v.(*goja.Object)
	if !ok || obj.ExportType() != reflect.TypeFor[T]() {
		return zero, false
	}
	t, ok := obj.Export().(T)
	return t, ok
}
