// Package formdata implements the XMLHttpRequest standard's FormData (without
// form elements) for goja runtimes, and the two form encodings the fetch
// family needs: multipart/form-data (written and parsed with the standard
// library's mime/multipart) and application/x-www-form-urlencoded (parsed).
//
//	vm := goja.New()
//	files := file.Install(vm)
//	forms := formdata.Install(vm, files)
//	v, _ := vm.RunString(`const f = new FormData(); f.append("a", "1"); f`)
//	fd, _ := formdata.Unwrap(v)
//	body, contentType := fd.Multipart()
//
// Invariant: like every JS value, the objects are touched only by the
// goroutine that owns the runtime.
package formdata

import (
	"strconv"
	"sync"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/webapi/file"
)

// FormData is the Go state behind a JS FormData: an ordered list of entries.
type FormData struct {
	js.Expando
	entries []Entry
}

// Entry is one name/value pair: a string value, or a File.
type Entry struct {
	Name  string
	Value string     // the value when File is nil
	File  *file.Blob // a File (never a plain Blob: append turns those into Files)

	// obj is the JS File object for File, so that get() returns the same
	// object every time, and the very object append() was given when it was
	// already a File without a new name.
	obj *goja.Object
}

// Entries returns the entries in order. The slice must not be modified.
func (f *FormData) Entries() []Entry { return f.entries }

// Unwrap returns the FormData behind v.
func Unwrap(v goja.Value) (*FormData, bool) { return js.Unwrap[*FormData](v) }

// API is FormData installed on one runtime.
type API struct {
	vm        *goja.Runtime
	files     *file.API
	proto     *goja.Object
	iterProto *goja.Object
}

// glueSrc declares the class in JS so that calling FormData without new
// throws and subclasses get their prototype (see core/webapi/url for the
// same pattern).
const glueSrc = `(function (make) {
	"use strict";
	class FormData { constructor(form = undefined) { return make(new.target, form); } }
	return FormData;
})`

var (
	glueOnce sync.Once
	glue     *goja.Program
)

// Install defines FormData on vm's global object. files is the runtime's File
// API (Blob values become File entries). Call it once per runtime, on the
// goroutine that owns it, before any script runs.
func Install(vm *goja.Runtime, files *file.API) *API {
	glueOnce.Do(func() { glue = goja.MustCompile("formdata-glue.js", glueSrc, true) })
	a := &API{vm: vm, files: files}
	f, err := vm.RunProgram(glue)
	if err != nil {
		panic(err)
	}
	factory, _ := goja.AssertFunction(f)
	ctorV, err := factory(goja.Undefined(), vm.ToValue(a.construct))
	if err != nil {
		panic(err)
	}
	ctor := ctorV.(*goja.Object)
	a.proto = ctor.Get("prototype").(*goja.Object)
	a.define()
	_ = vm.GlobalObject().DefineDataProperty("FormData", ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return a
}

// New returns a JS FormData holding parts (parsed from a body), in order.
// File parts become File objects whose lastModified is now.
func (a *API) New(parts []Part) *goja.Object {
	f := &FormData{entries: make([]Entry, 0, len(parts))}
	var now int64
	for _, p := range parts {
		if !p.IsFile {
			f.entries = append(f.entries, Entry{Name: p.Name, Value: p.Value})
			continue
		}
		if now == 0 {
			now = a.files.Now()
		}
		b := file.NewFile(p.Data, p.Filename, p.Type, now)
		f.entries = append(f.entries, Entry{Name: p.Name, File: b, obj: a.files.Wrap(b)})
	}
	return a.wrap(f, a.proto)
}

func (a *API) wrap(f *FormData, proto *goja.Object) *goja.Object {
	obj := a.vm.NewDynamicObject(f)
	_ = obj.SetPrototype(proto)
	return obj
}

// construct is the body of `new FormData(form)`. Ferry has no DOM, so any
// form argument is of the wrong type, null included (the argument is not
// nullable).
func (a *API) construct(call goja.FunctionCall) goja.Value {
	newTarget, form := call.Argument(0), call.Argument(1)
	if !goja.IsUndefined(form) {
		js.TypeError(a.vm, "Failed to construct 'FormData': parameter 1 is not of type 'HTMLFormElement'.")
	}
	proto := a.proto
	if nt, ok := newTarget.(*goja.Object); ok {
		if p, ok := nt.Get("prototype").(*goja.Object); ok {
			proto = p
		}
	}
	return a.wrap(&FormData{}, proto)
}

// this returns the FormData behind call.This after checking that at least
// required arguments were passed.
func (a *API) this(call goja.FunctionCall, op string, required int) *FormData {
	f, ok := Unwrap(call.This)
	if !ok {
		js.TypeError(a.vm, "Illegal invocation")
	}
	if len(call.Arguments) < required {
		plural := "s"
		if required == 1 {
			plural = ""
		}
		js.TypeError(a.vm, "Failed to execute '"+op+"' on 'FormData': "+strconv.Itoa(required)+" argument"+plural+
			" required, but only "+strconv.Itoa(len(call.Arguments))+" present.")
	}
	return f
}

// newEntry implements "create an entry" for append and set: a Blob that is not
// a File becomes a File named "blob", and a filename gives a new File with that
// name; both share the original bytes.
func (a *API) newEntry(call goja.FunctionCall, op string) Entry {
	vm := a.vm
	name := usv(vm, call.Arguments[0])
	v := call.Arguments[1]
	b, isBlob := file.Unwrap(v)
	if !isBlob {
		if len(call.Arguments) > 2 {
			js.TypeError(vm, "Failed to execute '"+op+"' on 'FormData': parameter 2 is not of type 'Blob'.")
		}
		return Entry{Name: name, Value: usv(vm, v)}
	}
	hasName := len(call.Arguments) > 2 && !goja.IsUndefined(call.Arguments[2])
	if b.IsFile() && !hasName {
		return Entry{Name: name, File: b, obj: v.(*goja.Object)}
	}
	filename, lastModified := "blob", int64(0)
	if hasName {
		filename = usv(vm, call.Arguments[2])
	}
	if b.IsFile() {
		lastModified = b.LastModified()
	} else {
		lastModified = a.files.Now()
	}
	nf := file.NewFile(b.Bytes(), filename, b.Type(), lastModified)
	return Entry{Name: name, File: nf, obj: a.files.Wrap(nf)}
}

// value returns an entry's value for JS: the string, or the File object.
func (a *API) value(e *Entry) goja.Value {
	if e.File != nil {
		return e.obj
	}
	return a.vm.ToValue(e.Value)
}

// define puts FormData's operations and iterators on the prototype.
func (a *API) define() {
	vm, p := a.vm, a.proto
	js.Operation(vm, p, "append", 2, func(call goja.FunctionCall) goja.Value {
		f := a.this(call, "append", 2)
		f.entries = append(f.entries, a.newEntry(call, "append"))
		return goja.Undefined()
	})
	js.Operation(vm, p, "delete", 1, func(call goja.FunctionCall) goja.Value {
		f := a.this(call, "delete", 1)
		name := usv(vm, call.Arguments[0])
		out := f.entries[:0]
		for _, e := range f.entries {
			if e.Name != name {
				out = append(out, e)
			}
		}
		clear(f.entries[len(out):]) // drop references to removed Files
		f.entries = out
		return goja.Undefined()
	})
	js.Operation(vm, p, "get", 1, func(call goja.FunctionCall) goja.Value {
		f := a.this(call, "get", 1)
		name := usv(vm, call.Arguments[0])
		for i := range f.entries {
			if f.entries[i].Name == name {
				return a.value(&f.entries[i])
			}
		}
		return goja.Null()
	})
	js.Operation(vm, p, "getAll", 1, func(call goja.FunctionCall) goja.Value {
		f := a.this(call, "getAll", 1)
		name := usv(vm, call.Arguments[0])
		var out []any
		for i := range f.entries {
			if f.entries[i].Name == name {
				out = append(out, a.value(&f.entries[i]))
			}
		}
		return vm.NewArray(out...)
	})
	js.Operation(vm, p, "has", 1, func(call goja.FunctionCall) goja.Value {
		f := a.this(call, "has", 1)
		name := usv(vm, call.Arguments[0])
		for i := range f.entries {
			if f.entries[i].Name == name {
				return vm.ToValue(true)
			}
		}
		return vm.ToValue(false)
	})
	js.Operation(vm, p, "set", 2, func(call goja.FunctionCall) goja.Value {
		f := a.this(call, "set", 2)
		e := a.newEntry(call, "set")
		out := f.entries[:0]
		done := false
		for _, old := range f.entries {
			if old.Name != e.Name {
				out = append(out, old)
			} else if !done {
				out = append(out, e)
				done = true
			}
		}
		if !done {
			out = append(out, e)
		}
		if len(out) < len(f.entries) {
			clear(f.entries[len(out):])
		}
		f.entries = out
		return goja.Undefined()
	})
	js.Operation(vm, p, "forEach", 1, func(call goja.FunctionCall) goja.Value {
		f := a.this(call, "forEach", 1)
		cb, ok := goja.AssertFunction(call.Arguments[0])
		if !ok {
			js.TypeError(vm, "Failed to execute 'forEach' on 'FormData': The callback provided as parameter 1 is not a function.")
		}
		thisArg := call.Argument(1)
		// The list is live: entries added or removed by the callback are seen,
		// as the iterators see them.
		for i := 0; i < len(f.entries); i++ {
			e := f.entries[i]
			if _, err := cb(thisArg, a.value(&e), vm.ToValue(e.Name), call.This); err != nil {
				panic(err)
			}
		}
		return goja.Undefined()
	})
	entries := js.Operation(vm, p, "entries", 0, func(call goja.FunctionCall) goja.Value {
		return a.newIterator(a.this(call, "entries", 0), iterEntries)
	})
	js.Operation(vm, p, "keys", 0, func(call goja.FunctionCall) goja.Value {
		return a.newIterator(a.this(call, "keys", 0), iterKeys)
	})
	js.Operation(vm, p, "values", 0, func(call goja.FunctionCall) goja.Value {
		return a.newIterator(a.this(call, "values", 0), iterValues)
	})
	_ = p.DefineDataPropertySymbol(goja.SymIterator, entries, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	js.ToStringTag(vm, p, "FormData")
}

const (
	iterEntries = iota
	iterKeys
	iterValues
)

// iterator is a "FormData Iterator": it walks the live entry list by index,
// so entries appended during iteration are reached and removing an entry
// already visited skips the next one, as WebIDL's iterable declarations do.
type iterator struct {
	js.Expando
	f     *FormData // nil once done
	index int
	kind  int
}

func (a *API) newIterator(f *FormData, kind int) goja.Value {
	vm := a.vm
	if a.iterProto == nil {
		a.iterProto = vm.NewObject()
		_ = a.iterProto.SetPrototype(js.IteratorPrototype(vm))
		js.Operation(vm, a.iterProto, "next", 0, func(call goja.FunctionCall) goja.Value {
			it, ok := js.Unwrap[*iterator](call.This)
			if !ok {
				js.TypeError(vm, "Illegal invocation")
			}
			res := vm.NewObject()
			if it.f == nil || it.index >= len(it.f.entries) {
				it.f = nil
				_ = res.Set("value", goja.Undefined())
				_ = res.Set("done", true)
				return res
			}
			e := &it.f.entries[it.index]
			it.index++
			var v goja.Value
			switch it.kind {
			case iterKeys:
				v = vm.ToValue(e.Name)
			case iterValues:
				v = a.value(e)
			default:
				v = vm.NewArray(e.Name, a.value(e))
			}
			_ = res.Set("value", v)
			_ = res.Set("done", false)
			return res
		})
		js.ToStringTag(vm, a.iterProto, "FormData Iterator")
	}
	obj := vm.NewDynamicObject(&iterator{f: f, kind: kind})
	_ = obj.SetPrototype(a.iterProto)
	return obj
}

// usv converts v to a USVString (lone surrogates become U+FFFD); Symbols
// throw a TypeError.
func usv(vm *goja.Runtime, v goja.Value) string {
	if _, ok := v.(*goja.Symbol); ok {
		js.TypeError(vm, "Cannot convert a Symbol value to a string")
	}
	return v.String()
}
