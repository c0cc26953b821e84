package events

import (
	"bytes"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

// domException is the state of a DOMException: its name and message
// (https://webidl.spec.whatwg.org/#idl-DOMException).
//
// A DOMException object is a goja Error object (so console and error
// reporting treat it as an error and `instanceof Error` holds) whose
// prototype is DOMException.prototype, which inherits from Error.prototype.
// name, message and code are getters on the prototype, as WebIDL has them; the
// instance has its own `stack`, as in V8.
type domException struct {
	name, message goja.Value
	nameStr       string
}

// legacyCodes are the constants on DOMException and its prototype.
var legacyCodes = []struct {
	name string
	code int
}{
	{"INDEX_SIZE_ERR", 1}, {"DOMSTRING_SIZE_ERR", 2}, {"HIERARCHY_REQUEST_ERR", 3},
	{"WRONG_DOCUMENT_ERR", 4}, {"INVALID_CHARACTER_ERR", 5}, {"NO_DATA_ALLOWED_ERR", 6},
	{"NO_MODIFICATION_ALLOWED_ERR", 7}, {"NOT_FOUND_ERR", 8}, {"NOT_SUPPORTED_ERR", 9},
	{"INUSE_ATTRIBUTE_ERR", 10}, {"INVALID_STATE_ERR", 11}, {"SYNTAX_ERR", 12},
	{"INVALID_MODIFICATION_ERR", 13}, {"NAMESPACE_ERR", 14}, {"INVALID_ACCESS_ERR", 15},
	{"VALIDATION_ERR", 16}, {"TYPE_MISMATCH_ERR", 17}, {"SECURITY_ERR", 18},
	{"NETWORK_ERR", 19}, {"ABORT_ERR", 20}, {"URL_MISMATCH_ERR", 21},
	{"QUOTA_EXCEEDED_ERR", 22}, {"TIMEOUT_ERR", 23}, {"INVALID_NODE_TYPE_ERR", 24},
	{"DATA_CLONE_ERR", 25},
}

func (a *api) installDOMException(n *goja.Object) {
	vm := a.vm
	ctor := a.domException
	proto := ctor.Get("prototype").(*goja.Object)
	a.domExceptionProto = proto
	// A class's prototype property is read-only; a function's is not.
	_ = ctor.DefineDataProperty("prototype", proto, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	_ = proto.SetPrototype(vm.Get("Error").(*goja.Object).Get("prototype").(*goja.Object))
	js.ToStringTag(vm, proto, "DOMException")

	_ = n.Set("domException", func(call goja.FunctionCall) goja.Value {
		newTarget := call.Argument(0).(*goja.Object)
		message, name := call.Argument(1), call.Argument(2)
		if goja.IsUndefined(message) {
			message = vm.ToValue("")
		} else {
			message = toDOMString(vm, message)
		}
		if goja.IsUndefined(name) {
			name = vm.ToValue("Error")
		} else {
			name = toDOMString(vm, name)
		}
		return a.newDOMException(newTarget, name, message)
	})

	self := func(call goja.FunctionCall) *domException {
		if d, ok := InternalAs[*domException](call.This); ok {
			return d
		}
		panic(vm.NewTypeError("Illegal invocation"))
	}
	a.getter(proto, "name", func(call goja.FunctionCall) goja.Value { return self(call).name })
	a.getter(proto, "message", func(call goja.FunctionCall) goja.Value { return self(call).message })
	a.getter(proto, "code", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(js.DOMExceptionCode(self(call).nameStr))
	})
	for _, c := range legacyCodes {
		a.constant(ctor, c.name, c.code)
	}
}

// newDOMException makes the object for `new DOMException(message, name)` with
// newTarget's prototype (a subclass's, or DOMException.prototype).
func (a *api) newDOMException(newTarget *goja.Object, name, message goja.Value) *goja.Object {
	obj, err := a.errorCtor(newTarget)
	if err != nil {
		panic(err)
	}
	d := &domException{name: name, message: message, nameStr: name.String()}
	SetInternal(a.vm, obj, d)
	_ = obj.DefineDataProperty("stack", a.vm.ToValue(a.stack(d)), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return obj
}

// stack formats the current call stack as goja formats Error stacks, without
// the frames of Go code and of the constructor shell, which mean nothing to
// the script's author: "AbortError: msg\n\tat f (file.js:1:2(3))\n".
func (a *api) stack(d *domException) string {
	var b bytes.Buffer
	b.WriteString(d.nameStr)
	if m := d.message.String(); m != "" {
		b.WriteString(": ")
		b.WriteString(m)
	}
	b.WriteByte('\n')
	frames := a.vm.CaptureCallStack(0, nil)
	for len(frames) > 0 && (frames[0].SrcName() == "<native>" || frames[0].SrcName() == shellFile) {
		frames = frames[1:]
	}
	for _, f := range frames {
		b.WriteString("\tat ")
		f.Write(&b)
		b.WriteByte('\n')
	}
	return b.String()
}

// NewDOMException returns a new DOMException with name and message, as
// `new DOMException(message, name)` would (js.NewDOMException calls this
// through the recorded constructor; use either).
func NewDOMException(vm *goja.Runtime, name, message string) *goja.Object {
	a := apiOf(vm)
	return a.newDOMException(a.domException, vm.ToValue(name), vm.ToValue(message))
}

// DOMExceptionOf returns the name and message of a DOMException object; ok is
// false for any other value (an Error with the same name is not one).
func DOMExceptionOf(v goja.Value) (name, message goja.Value, ok bool) {
	d, ok := InternalAs[*domException](v)
	if !ok {
		return nil, nil, false
	}
	return d.name, d.message, true
}
