package core

import (
	"errors"
	"regexp"
	"strings"

	"github.com/dop251/goja"
)

// ScriptError is an event that failed in the Worker: an uncaught exception, a
// limit, or a handler that returned the wrong thing.
type ScriptError struct {
	// Kind is "exception", "cpu", "wall", "canceled", "type" or "startup".
	Kind string
	// Message is the one-line description ("Error: boom").
	Message string
	// Stack is the source-mapped stack ("Error: boom\n    at handler (src/index.ts:4:11)"),
	// empty when there is none.
	Stack string
}

func (e *ScriptError) Error() string {
	if e.Stack != "" {
		return e.Stack
	}
	return e.Message
}

// errorText is err's full text with stack where there is one.
func errorText(err error) string { return err.Error() }

// exceptionError converts an error returned by goja into a ScriptError.
func exceptionError(err error) error {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return &ScriptError{Kind: "exception", Message: "Uncaught " + valueMessage(ex.Value()), Stack: "Uncaught " + exceptionStack(ex)}
	}
	var se *ScriptError
	if errors.As(err, &se) {
		return se
	}
	return &ScriptError{Kind: "exception", Message: err.Error()}
}

// valueError converts the rejection of a handler's promise into a
// ScriptError. It reads like a synchronous throw: for an async handler the
// two are the same mistake.
func valueError(v goja.Value) error {
	return &ScriptError{Kind: "exception", Message: "Uncaught " + valueMessage(v), Stack: "Uncaught " + valueStack(v)}
}

func errorValue(vm *goja.Runtime, err error) goja.Value {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return ex.Value()
	}
	return vm.NewGoError(err)
}

// errorMessage and errorStack describe any error goja returned.
func errorMessage(err error) string {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return valueMessage(ex.Value())
	}
	return err.Error()
}

func errorStack(err error) string {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return exceptionStack(ex)
	}
	return ""
}

func exceptionStack(ex *goja.Exception) string {
	if s := valueStack(ex.Value()); strings.Contains(s, "\n") {
		return s
	}
	var sb strings.Builder
	sb.WriteString(valueMessage(ex.Value()))
	for _, f := range ex.Stack() {
		writeFrame(&sb, f)
	}
	return sb.String()
}

func writeFrame(sb *strings.Builder, f goja.StackFrame) {
	p := f.Position()
	if p.Filename == "" && p.Line == 0 {
		return
	}
	sb.WriteString("\n    at ")
	loc := p.String()
	if name := f.FuncName(); name != "" {
		sb.WriteString(name)
		sb.WriteString(" (")
		sb.WriteString(loc)
		sb.WriteString(")")
	} else {
		sb.WriteString(loc)
	}
}

// valueMessage is "Name: message" for errors and String(v) otherwise.
func valueMessage(v goja.Value) string {
	if v == nil {
		return "undefined"
	}
	if obj, ok := v.(*goja.Object); ok {
		name, msg := obj.Get("name"), obj.Get("message")
		if name != nil && msg != nil && !goja.IsUndefined(msg) {
			if m := msg.String(); m != "" {
				return name.String() + ": " + m
			}
			return name.String()
		}
	}
	return v.String()
}

// goja writes positions as file:line:col(pc); the program counter means
// nothing to users.
var pcSuffix = regexp.MustCompile(`(:\d+:\d+)\(\d+\)`)

// valueStack is the value's stack property cleaned up, or its message.
func valueStack(v goja.Value) string {
	if obj, ok := v.(*goja.Object); ok {
		if st := obj.Get("stack"); st != nil && !goja.IsUndefined(st) && !goja.IsNull(st) {
			s := pcSuffix.ReplaceAllString(st.String(), "$1")
			return strings.ReplaceAll(s, "\n\tat ", "\n    at ")
		}
	}
	return valueMessage(v)
}

// ValueStack describes a thrown JS value: its source-mapped stack when it is an
// Error, else its string form. For hosts printing uncaught errors.
func ValueStack(v goja.Value) string { return valueStack(v) }

// ErrorStack describes an error goja returned, as "Uncaught Error: msg" plus
// the source-mapped stack.
func ErrorStack(err error) string {
	if se, ok := exceptionError(err).(*ScriptError); ok {
		return se.Error()
	}
	return err.Error()
}
