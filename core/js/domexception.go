package js

import "github.com/dop251/goja"

// domExceptionCodes is WebIDL's table of DOMException names that carry a
// legacy numeric code; every other name has code 0.
var domExceptionCodes = map[string]int{
	"IndexSizeError":             1,
	"HierarchyRequestError":      3,
	"WrongDocumentError":         4,
	"InvalidCharacterError":      5,
	"NoModificationAllowedError": 7,
	"NotFoundError":              8,
	"NotSupportedError":          9,
	"InvalidStateError":          11,
	"SyntaxError":                12,
	"InvalidModificationError":   13,
	"NamespaceError":             14,
	"InvalidAccessError":         15,
	"TypeMismatchError":          17,
	"SecurityError":              18,
	"NetworkError":               19,
	"AbortError":                 20,
	"URLMismatchError":           21,
	"QuotaExceededError":         22,
	"TimeoutError":               23,
	"InvalidNodeTypeError":       24,
	"DataCloneError":             25,
}

// DOMExceptionCode returns the legacy code WebIDL gives the DOMException
// name, or 0 when the name has none (AbortError → 20, DataError → 0).
func DOMExceptionCode(name string) int { return domExceptionCodes[name] }

// domExceptionKey keys the runtime's own DOMException constructor on the
// global object, out of scripts' reach.
var domExceptionKey = goja.NewSymbol("DOMException")

// SetDOMExceptionConstructor records ctor as vm's DOMException (the events
// family calls it when it installs the class), so NewDOMException builds real
// DOMExceptions even after a script replaces globalThis.DOMException.
func SetDOMExceptionConstructor(vm *goja.Runtime, ctor *goja.Object) {
	_ = vm.GlobalObject().DefineDataPropertySymbol(domExceptionKey, ctor, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
}

// NewDOMException returns a DOMException value with message and name, made by
// the constructor SetDOMExceptionConstructor recorded, else by
// globalThis.DOMException. While the runtime has neither, it returns an Error
// whose name and legacy code properties match what the DOMException would
// carry, so `e.name === "InvalidCharacterError"` and `e.code === 5` hold
// either way.
func NewDOMException(vm *goja.Runtime, name, message string) *goja.Object {
	ctorValue := vm.GlobalObject().GetSymbol(domExceptionKey)
	if ctorValue == nil || goja.IsUndefined(ctorValue) {
		ctorValue = vm.Get("DOMException")
	}
	if ctor, ok := goja.AssertConstructor(ctorValue); ok {
		obj, err := ctor(nil, vm.ToValue(message), vm.ToValue(name))
		if err == nil {
			return obj
		}
	}
	ctor := vm.Get("Error").ToObject(vm)
	obj, err := vm.New(ctor, vm.ToValue(message))
	if err != nil {
		panic(err)
	}
	_ = obj.DefineDataProperty("name", vm.ToValue(name), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = obj.DefineDataProperty("code", vm.ToValue(DOMExceptionCode(name)), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return obj
}

// ThrowDOMException throws NewDOMException(vm, name, message). Like the other
// throwing helpers it must run inside a native function called from JS.
func ThrowDOMException(vm *goja.Runtime, name, message string) {
	panic(NewDOMException(vm, name, message))
}
