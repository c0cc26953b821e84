package crypto

import (
	"fmt"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

// opError is an error an operation reports to JS: a DOMException with Name,
// or a TypeError when Name is "TypeError". Operations that run off the loop
// return these; they become JS values only back on the loop.
type opError struct {
	Name    string
	Message string
}

func (e *opError) Error() string { return e.Name + ": " + e.Message }

func newError(name, format string, args ...any) *opError {
	return &opError{Name: name, Message: fmt.Sprintf(format, args...)}
}

func typeError(format string, args ...any) *opError {
	return newError("TypeError", format, args...)
}
func notSupported(format string, args ...any) *opError {
	return newError("NotSupportedError", format, args...)
}
func invalidAccess(format string, args ...any) *opError {
	return newError("InvalidAccessError", format, args...)
}
func dataError(format string, args ...any) *opError {
	return newError("DataError", format, args...)
}
func operationError(format string, args ...any) *opError {
	return newError("OperationError", format, args...)
}
func syntaxError(format string, args ...any) *opError {
	return newError("SyntaxError", format, args...)
}

// toJS turns err into the JS value a promise is rejected with.
func toJS(vm *goja.Runtime, err error) goja.Value {
	e, ok := err.(*opError)
	if !ok {
		e = operationError("%s", err.Error())
	}
	if e.Name == "TypeError" {
		return vm.NewTypeError(e.Message)
	}
	return js.NewDOMException(vm, e.Name, e.Message)
}
