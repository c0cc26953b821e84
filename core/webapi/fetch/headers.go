package fetch

import (
	"net/http"
	"net/textproto"
	"sort"
	"strings"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

type guard uint8

const (
	guardNone guard = iota
	guardRequest
	guardResponse
	guardImmutable
)

type field struct{ name, value string } // name is lower-case

// Headers is the Go state behind a JS Headers object. Headers that come from an
// incoming request stay an http.Header until JS reads them.
type Headers struct {
	js.Expando
	src    http.Header // not yet converted; nil once list is built
	list   []field
	guard  guard
	object *goja.Object // the JS wrapper, created on first use
}

// NewHeaders returns Headers backed by h without converting it; h must not be
// changed afterwards.
func NewHeaders(h http.Header) *Headers { return &Headers{src: h} }

func (h *Headers) fields() []field {
	if h.src != nil {
		n := 0
		for _, vs := range h.src {
			n += len(vs)
		}
		list := make([]field, 0, n)
		for k, vs := range h.src {
			name := strings.ToLower(k)
			for _, v := range vs {
				list = append(list, field{name, v})
			}
		}
		h.src = nil
		h.list = list
	}
	return h.list
}

// Value returns the combined value for name (lower-case or not) and whether it exists.
func (h *Headers) Value(name string) (string, bool) {
	if h.src != nil {
		vs := h.src.Values(name)
		if len(vs) == 0 {
			return "", false
		}
		return joinValues(strings.ToLower(name), vs), true
	}
	name = strings.ToLower(name)
	var vs []string
	for _, f := range h.list {
		if f.name == name {
			vs = append(vs, f.value)
		}
	}
	if len(vs) == 0 {
		return "", false
	}
	return joinValues(name, vs), true
}

func joinValues(name string, vs []string) string {
	if len(vs) == 1 {
		return vs[0]
	}
	return strings.Join(vs, ", ")
}

// Put replaces every value of name with value (Go-side, no validation).
func (h *Headers) Put(name, value string) {
	h.setField(strings.ToLower(name), value)
}

func (h *Headers) setField(name, value string) {
	list := h.fields()
	out := list[:0]
	done := false
	for _, f := range list {
		if f.name == name {
			if !done {
				out = append(out, field{name, value})
				done = true
			}
			continue
		}
		out = append(out, f)
	}
	if !done {
		out = append(out, field{name, value})
	}
	h.list = out
}

func (h *Headers) deleteField(name string) {
	list := h.fields()
	out := list[:0]
	for _, f := range list {
		if f.name != name {
			out = append(out, f)
		}
	}
	h.list = out
}

// HTTP returns the headers as an http.Header with canonical keys.
func (h *Headers) HTTP() http.Header {
	if h.src != nil {
		return h.src.Clone()
	}
	out := make(http.Header, len(h.list))
	for _, f := range h.list {
		k := textproto.CanonicalMIMEHeaderKey(f.name)
		out[k] = append(out[k], f.value)
	}
	return out
}

func (h *Headers) clone() *Headers {
	if h.src != nil {
		return &Headers{src: h.src.Clone(), guard: h.guard}
	}
	return &Headers{list: append([]field(nil), h.list...), guard: h.guard}
}

// sorted returns the "sort and combine" view the iterators expose: names sorted,
// values of one name joined with ", ", except set-cookie which stays one entry
// per value.
func (h *Headers) sorted() []field {
	list := append([]field(nil), h.fields()...)
	sort.SliceStable(list, func(i, j int) bool { return list[i].name < list[j].name })
	out := list[:0]
	for _, f := range list {
		if n := len(out); n > 0 && out[n-1].name == f.name && f.name != "set-cookie" {
			out[n-1].value += ", " + f.value
			continue
		}
		out = append(out, f)
	}
	return out
}

// validName reports whether name is an HTTP token.
func validName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 0x80 || !isTokenChar[c] {
			return false
		}
	}
	return true
}

var isTokenChar = func() (t [128]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-32] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return
}()

// normalizeValue strips leading and trailing HTTP whitespace and reports
// whether the result is a valid header value (no NUL, CR or LF).
func normalizeValue(v string) (string, bool) {
	v = strings.Trim(v, " \t\r\n")
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case 0, '\r', '\n':
			return v, false
		}
	}
	return v, true
}

// installHeaders defines the Headers class.
func (a *api) installHeaders() {
	vm := a.vm
	c := js.NewClass(vm, "Headers", 0, func(call goja.ConstructorCall) goja.DynamicObject {
		h := &Headers{}
		a.fillHeaders(h, call.Argument(0))
		return h
	})
	a.headers = c
	name := func(call goja.FunctionCall, op string) string {
		if len(call.Arguments) < 1 {
			panic(vm.NewTypeError("Failed to execute '" + op + "' on 'Headers': 1 argument required, but only 0 present."))
		}
		n := call.Arguments[0].String()
		if !validName(n) {
			panic(vm.NewTypeError("Invalid header name."))
		}
		return strings.ToLower(n)
	}
	writable := func(h *Headers) {
		if h.guard == guardImmutable {
			panic(vm.NewTypeError("Can't modify immutable headers."))
		}
	}
	c.Method("get", func(call goja.FunctionCall) goja.Value {
		h := js.This[*Headers](vm, call)
		if v, ok := h.Value(name(call, "get")); ok {
			return vm.ToValue(v)
		}
		return goja.Null()
	})
	c.Method("getSetCookie", func(call goja.FunctionCall) goja.Value {
		h := js.This[*Headers](vm, call)
		var out []any
		for _, f := range h.fields() {
			if f.name == "set-cookie" {
				out = append(out, f.value)
			}
		}
		return vm.NewArray(out...)
	})
	c.Method("getAll", func(call goja.FunctionCall) goja.Value {
		h := js.This[*Headers](vm, call)
		n := name(call, "getAll")
		if n != "set-cookie" {
			panic(vm.NewTypeError("getAll() can only be used with the header name \"Set-Cookie\"."))
		}
		var out []any
		for _, f := range h.fields() {
			if f.name == n {
				out = append(out, f.value)
			}
		}
		return vm.NewArray(out...)
	})
	c.Method("has", func(call goja.FunctionCall) goja.Value {
		h := js.This[*Headers](vm, call)
		_, ok := h.Value(name(call, "has"))
		return vm.ToValue(ok)
	})
	c.Method("set", func(call goja.FunctionCall) goja.Value {
		h := js.This[*Headers](vm, call)
		n := name(call, "set")
		v, ok := normalizeValue(js.Arg(call, 1).String())
		if !ok {
			panic(vm.NewTypeError("Invalid header value."))
		}
		writable(h)
		h.setField(n, v)
		return goja.Undefined()
	})
	c.Method("append", func(call goja.FunctionCall) goja.Value {
		h := js.This[*Headers](vm, call)
		n := name(call, "append")
		v, ok := normalizeValue(js.Arg(call, 1).String())
		if !ok {
			panic(vm.NewTypeError("Invalid header value."))
		}
		writable(h)
		h.list = append(h.fields(), field{n, v})
		return goja.Undefined()
	})
	c.Method("delete", func(call goja.FunctionCall) goja.Value {
		h := js.This[*Headers](vm, call)
		n := name(call, "delete")
		writable(h)
		h.deleteField(n)
		return goja.Undefined()
	})
	c.Method("forEach", func(call goja.FunctionCall) goja.Value {
		h := js.This[*Headers](vm, call)
		fn, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			panic(vm.NewTypeError("Failed to execute 'forEach' on 'Headers': parameter 1 is not of type 'Function'."))
		}
		this := call.Argument(1)
		for _, f := range h.sorted() {
			if _, err := fn(this, vm.ToValue(f.value), vm.ToValue(f.name), call.This); err != nil {
				panic(err)
			}
		}
		return goja.Undefined()
	})
	iter := func(kind int) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			h := js.This[*Headers](vm, call)
			list := h.sorted()
			items := make([]any, len(list))
			for i, f := range list {
				switch kind {
				case 0:
					items[i] = f.name
				case 1:
					items[i] = f.value
				default:
					items[i] = vm.NewArray(f.name, f.value)
				}
			}
			return a.arrayIterator(vm.NewArray(items...))
		}
	}
	c.Method("keys", iter(0))
	c.Method("values", iter(1))
	c.Method("entries", iter(2))
	_ = c.Proto.DefineDataPropertySymbol(goja.SymIterator, c.Proto.Get("entries"), goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	_ = vm.GlobalObject().DefineDataProperty("Headers", c.Ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// fillHeaders appends init (a Headers, a sequence of pairs or a record) to h.
func (a *api) fillHeaders(h *Headers, init goja.Value) {
	vm := a.vm
	if js.IsNullish(init) {
		return
	}
	obj, ok := init.(*goja.Object)
	if !ok {
		panic(vm.NewTypeError("Failed to construct 'Headers': The provided value is not of type '(record<ByteString, ByteString> or sequence<sequence<ByteString>>)'."))
	}
	add := func(n, v string) {
		if !validName(n) {
			panic(vm.NewTypeError("Invalid header name."))
		}
		v, ok := normalizeValue(v)
		if !ok {
			panic(vm.NewTypeError("Invalid header value."))
		}
		h.list = append(h.fields(), field{strings.ToLower(n), v})
	}
	// Unwrap, not Export: exporting a plain record copies it into a Go map.
	if other, ok := js.Unwrap[*Headers](obj); ok {
		for _, f := range other.fields() {
			h.list = append(h.fields(), f)
		}
		return
	}
	if it := obj.GetSymbol(goja.SymIterator); it != nil && !goja.IsUndefined(it) {
		var pairs []goja.Value
		vm.ForOf(obj, func(pair goja.Value) bool {
			pairs = append(pairs, pair)
			return true
		})
		for _, p := range pairs {
			po, ok := p.(*goja.Object)
			if !ok {
				panic(vm.NewTypeError("Failed to construct 'Headers': The provided value cannot be converted to a sequence."))
			}
			var parts []goja.Value
			vm.ForOf(po, func(v goja.Value) bool { parts = append(parts, v); return true })
			if len(parts) != 2 {
				panic(vm.NewTypeError("Failed to construct 'Headers': Invalid value"))
			}
			add(parts[0].String(), parts[1].String())
		}
		return
	}
	for _, k := range obj.Keys() {
		add(k, obj.Get(k).String())
	}
}

// headersObject returns (creating once) the JS object for h.
func (a *api) headersObject(h *Headers) *goja.Object {
	if h.object == nil {
		h.object = a.headers.Wrap(h)
	}
	return h.object
}
