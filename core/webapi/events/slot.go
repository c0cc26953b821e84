package events

import "github.com/dop251/goja"

// Internal slots. goja has no way to hang Go state on an ordinary object, and
// Go-backed dynamic objects (js.NewClass) cannot carry private fields, symbol
// keys or accessors, which breaks `class MyTarget extends EventTarget { #x }`.
// So the platform objects of this package are ordinary objects that hold their
// Go state in one non-enumerable, non-writable, non-configurable property keyed
// by a symbol scripts are never given. The property's value is a dynamic object
// with no properties that exports the Go state; it remembers its owner, so an
// object that merely inherits the property (Object.create(signal)) or a Proxy
// around a platform object fails the brand check, as WebIDL wants.
//
// The symbol shows up in Object.getOwnPropertySymbols and Reflect.ownKeys; that
// is the one visible difference from a browser's internal slots.

var slotKey = goja.NewSymbol("ferry.internal")

// slot is the hidden value: a dynamic object with no properties.
type slot struct {
	owner *goja.Object
	v     any
}

func (*slot) Get(string) goja.Value       { return nil }
func (*slot) Set(string, goja.Value) bool { return false }
func (*slot) Has(string) bool             { return false }
func (*slot) Delete(string) bool          { return true }
func (*slot) Keys() []string              { return nil }

// SetInternal attaches the Go value v to obj as its internal state. Call it once
// per object, when the object is created.
func SetInternal(vm *goja.Runtime, obj *goja.Object, v any) {
	_ = obj.DefineDataPropertySymbol(slotKey, vm.NewDynamicObject(&slot{owner: obj, v: v}),
		goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
}

// Internal returns the Go value SetInternal attached to v, or nil when v is
// not an object with internal state of its own.
func Internal(v goja.Value) any {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil
	}
	return internalAt(obj, slotKey)
}

// InternalSymbol returns the value SetInternalSymbol attached to obj under key,
// or nil.
func InternalSymbol(obj *goja.Object, key *goja.Symbol) any { return internalAt(obj, key) }

func internalAt(obj *goja.Object, key *goja.Symbol) any {
	s, ok := obj.GetSymbol(key).(*goja.Object)
	if !ok {
		return nil
	}
	sl, ok := s.Export().(*slot)
	if !ok || sl.owner != obj {
		return nil
	}
	return sl.v
}

// InternalAs returns the internal state of v as a T.
func InternalAs[T any](v goja.Value) (T, bool) {
	t, ok := Internal(v).(T)
	return t, ok
}
