package url

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

var paramsType = reflect.TypeFor[*paramsObject]()

// pair is one name-value pair of a URLSearchParams list. Both are USVStrings,
// held as valid UTF-8.
type pair struct{ name, value string }

// paramsObject is the Go state behind one JS URLSearchParams object. owner is
// the URL whose query object this is, or nil for a standalone one.
//
// The library's own SearchParams is not used: it cannot exist without a URL,
// sorts by UTF-8 bytes rather than UTF-16 code units, and lacks the value
// argument of delete and has.
type paramsObject struct {
	js.Expando
	list  []pair
	owner *urlObject
}

// update is the standard's "update" step: a change to the list rewrites the
// owning URL's query.
func (p *paramsObject) update() {
	if p.owner != nil {
		p.owner.setQuery(serializeQuery(p.list))
	}
}

// Iterator kinds.
const (
	iterEntries = iota
	iterKeys
	iterValues
)

// paramsIterator is a live iterator over a URLSearchParams list: like
// WebIDL's default iterators it keeps an index, so pairs appended during the
// iteration are visited.
type paramsIterator struct {
	js.Expando
	p     *paramsObject
	kind  int
	index int
}

// constructParams is the body of the URLSearchParams class in glue.js: it
// receives new.target and init.
func (a *api) constructParams(call goja.FunctionCall) goja.Value {
	p := &paramsObject{}
	a.initParams(p, call.Arguments[1])
	return a.newParams(p, a.protoFor(call.Arguments[0], a.paramsProto))
}

func (a *api) installSearchParams(ctor *goja.Object) {
	vm := a.vm
	proto := ctor.Get("prototype").(*goja.Object)
	a.paramsProto = proto

	js.Operation(vm, proto, "append", 2, func(call goja.FunctionCall) goja.Value {
		p := a.thisParams(call, "append", 2)
		p.list = append(p.list, pair{usv(vm, call.Arguments[0]), usv(vm, call.Arguments[1])})
		p.update()
		return goja.Undefined()
	})
	js.Operation(vm, proto, "delete", 1, func(call goja.FunctionCall) goja.Value {
		p := a.thisParams(call, "delete", 1)
		name := usv(vm, call.Arguments[0])
		if v := js.Arg(call, 1); goja.IsUndefined(v) {
			p.list = slices.DeleteFunc(p.list, func(e pair) bool { return e.name == name })
		} else {
			value := usv(vm, v)
			p.list = slices.DeleteFunc(p.list, func(e pair) bool { return e.name == name && e.value == value })
		}
		p.update()
		return goja.Undefined()
	})
	js.Operation(vm, proto, "get", 1, func(call goja.FunctionCall) goja.Value {
		p := a.thisParams(call, "get", 1)
		name := usv(vm, call.Arguments[0])
		for _, e := range p.list {
			if e.name == name {
				return vm.ToValue(e.value)
			}
		}
		return goja.Null()
	})
	js.Operation(vm, proto, "getAll", 1, func(call goja.FunctionCall) goja.Value {
		p := a.thisParams(call, "getAll", 1)
		name := usv(vm, call.Arguments[0])
		var out []any
		for _, e := range p.list {
			if e.name == name {
				out = append(out, e.value)
			}
		}
		return vm.NewArray(out...)
	})
	js.Operation(vm, proto, "has", 1, func(call goja.FunctionCall) goja.Value {
		p := a.thisParams(call, "has", 1)
		name := usv(vm, call.Arguments[0])
		v := js.Arg(call, 1)
		value, anyValue := "", goja.IsUndefined(v)
		if !anyValue {
			value = usv(vm, v)
		}
		for _, e := range p.list {
			if e.name == name && (anyValue || e.value == value) {
				return vm.ToValue(true)
			}
		}
		return vm.ToValue(false)
	})
	js.Operation(vm, proto, "set", 2, func(call goja.FunctionCall) goja.Value {
		p := a.thisParams(call, "set", 2)
		name, value := usv(vm, call.Arguments[0]), usv(vm, call.Arguments[1])
		found := false
		p.list = slices.DeleteFunc(p.list, func(e pair) bool {
			if e.name != name {
				return false
			}
			if found {
				return true
			}
			found = true
			return false
		})
		if i := slices.IndexFunc(p.list, func(e pair) bool { return e.name == name }); i >= 0 {
			p.list[i].value = value
		} else {
			p.list = append(p.list, pair{name, value})
		}
		p.update()
		return goja.Undefined()
	})
	js.Operation(vm, proto, "sort", 0, func(call goja.FunctionCall) goja.Value {
		p := a.thisParams(call, "sort", 0)
		slices.SortStableFunc(p.list, func(x, y pair) int { return compareUTF16(x.name, y.name) })
		p.update()
		return goja.Undefined()
	})
	js.Operation(vm, proto, "forEach", 1, func(call goja.FunctionCall) goja.Value {
		p := a.thisParams(call, "forEach", 1)
		fn, ok := goja.AssertFunction(call.Arguments[0])
		if !ok {
			js.TypeError(vm, "Failed to execute 'forEach' on 'URLSearchParams': parameter 1 is not of type 'Function'.")
		}
		thisArg := js.Arg(call, 1)
		for i := 0; i < len(p.list); i++ {
			e := p.list[i]
			if _, err := fn(thisArg, vm.ToValue(e.value), vm.ToValue(e.name), call.This); err != nil {
				panic(err)
			}
		}
		return goja.Undefined()
	})
	iterMethod := func(name string, kind int) *goja.Object {
		return js.Operation(vm, proto, name, 0, func(call goja.FunctionCall) goja.Value {
			p := a.thisParams(call, name, 0)
			return a.newIterator(p, kind)
		})
	}
	iterMethod("keys", iterKeys)
	iterMethod("values", iterValues)
	entries := iterMethod("entries", iterEntries)
	_ = proto.DefineDataPropertySymbol(goja.SymIterator, entries, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	js.Operation(vm, proto, "toString", 0, func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(serializeQuery(a.thisParams(call, "toString", 0).list))
	})
	js.Attribute(vm, proto, "size", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(len(a.thisParams(call, "size", 0).list))
	}, nil)
	js.ToStringTag(vm, proto, "URLSearchParams")
}

// initParams fills p from the constructor's init argument: a sequence of
// pairs, a record, or a string (a leading "?" is dropped), as WebIDL's union
// conversion picks.
func (a *api) initParams(p *paramsObject, init goja.Value) {
	vm := a.vm
	obj, isObj := init.(*goja.Object)
	if !isObj {
		if goja.IsUndefined(init) {
			return
		}
		p.list = parseQuery(strings.TrimPrefix(usv(vm, init), "?"), nil)
		return
	}
	// Copying another URLSearchParams's list directly is what iterating it
	// would give. The type check comes first: Unwrap exports its argument,
	// which for a plain record or array means converting all of it.
	if obj.ExportType() == paramsType {
		if other, ok := js.Unwrap[*paramsObject](obj); ok {
			p.list = slices.Clone(other.list)
			return
		}
	}
	if m := obj.GetSymbol(goja.SymIterator); !js.IsNullish(m) {
		iterate(vm, obj, m, func(item goja.Value) {
			itemObj, ok := item.(*goja.Object)
			if !ok {
				js.TypeError(vm, "Invalid URL search params sequence.")
			}
			var kv []string
			iterate(vm, itemObj, itemObj.GetSymbol(goja.SymIterator), func(v goja.Value) {
				kv = append(kv, usv(vm, v))
			})
			if len(kv) != 2 {
				js.TypeError(vm, "Invalid URL search params sequence.")
			}
			p.list = append(p.list, pair{kv[0], kv[1]})
		})
		return
	}
	// A record<USVString, USVString>: own enumerable string keys in order; a
	// key seen twice (two lone surrogates both become U+FFFD) keeps its first
	// position and takes the last value. Object.entries reads exactly those
	// keys and values; goja's Object.Keys would turn lone surrogates into
	// U+FFFD before the values could be read.
	entries, err := a.objectEntries(goja.Undefined(), obj)
	if err != nil {
		panic(err)
	}
	seen := map[string]int{}
	list := entries.(*goja.Object)
	n := int(list.Get("length").ToInteger())
	for i := 0; i < n; i++ {
		kv := list.Get(strconv.Itoa(i)).(*goja.Object)
		name, value := usv(vm, kv.Get("0")), usv(vm, kv.Get("1"))
		if j, ok := seen[name]; ok {
			p.list[j].value = value
			continue
		}
		seen[name] = len(p.list)
		p.list = append(p.list, pair{name, value})
	}
}

func (a *api) newParams(p *paramsObject, proto *goja.Object) *goja.Object {
	obj := a.vm.NewDynamicObject(p)
	_ = obj.SetPrototype(proto)
	return obj
}

// thisParams returns the URLSearchParams state behind call.This after checking
// that at least required arguments were passed.
func (a *api) thisParams(call goja.FunctionCall, op string, required int) *paramsObject {
	p, ok := js.Unwrap[*paramsObject](call.This)
	if !ok {
		js.TypeError(a.vm, "Illegal invocation")
	}
	if len(call.Arguments) < required {
		plural := "s"
		if required == 1 {
			plural = ""
		}
		js.TypeError(a.vm, fmt.Sprintf("Failed to execute '%s' on 'URLSearchParams': %d argument%s required, but only %d present.",
			op, required, plural, len(call.Arguments)))
	}
	return p
}

// newIterator returns a "URLSearchParams Iterator" object over p.
func (a *api) newIterator(p *paramsObject, kind int) *goja.Object {
	vm := a.vm
	if a.iterProto == nil {
		a.iterProto = vm.NewObject()
		_ = a.iterProto.SetPrototype(js.IteratorPrototype(vm))
		js.Operation(vm, a.iterProto, "next", 0, func(call goja.FunctionCall) goja.Value {
			it, ok := js.Unwrap[*paramsIterator](call.This)
			if !ok {
				js.TypeError(vm, "Illegal invocation")
			}
			res := vm.NewObject()
			if it.p == nil || it.index >= len(it.p.list) {
				it.p = nil
				_ = res.Set("value", goja.Undefined())
				_ = res.Set("done", true)
				return res
			}
			e := it.p.list[it.index]
			it.index++
			var v goja.Value
			switch it.kind {
			case iterKeys:
				v = vm.ToValue(e.name)
			case iterValues:
				v = vm.ToValue(e.value)
			default:
				v = vm.NewArray(e.name, e.value)
			}
			_ = res.Set("value", v)
			_ = res.Set("done", false)
			return res
		})
		js.ToStringTag(vm, a.iterProto, "URLSearchParams Iterator")
	}
	obj := vm.NewDynamicObject(&paramsIterator{p: p, kind: kind})
	_ = obj.SetPrototype(a.iterProto)
	return obj
}

// parseQuery is the application/x-www-form-urlencoded parser; it appends the
// pairs of s to dst.
func parseQuery(s string, dst []pair) []pair {
	for s != "" {
		var seq string
		if i := strings.IndexByte(s, '&'); i >= 0 {
			seq, s = s[:i], s[i+1:]
		} else {
			seq, s = s, ""
		}
		if seq == "" {
			continue
		}
		name, value, _ := strings.Cut(seq, "=")
		dst = append(dst, pair{js.FormDecode(name), js.FormDecode(value)})
	}
	return dst
}

// serializeQuery is the application/x-www-form-urlencoded serializer (UTF-8).
func serializeQuery(list []pair) string {
	if len(list) == 0 {
		return ""
	}
	n := 0
	for _, e := range list {
		n += len(e.name) + len(e.value) + 2
	}
	b := make([]byte, 0, n+n/4)
	for i, e := range list {
		if i > 0 {
			b = append(b, '&')
		}
		b = appendForm(b, e.name)
		b = append(b, '=')
		b = appendForm(b, e.value)
	}
	return string(b)
}

const upperHex = "0123456789ABCDEF"

func appendForm(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			b = append(b, '+')
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '*', c == '-', c == '.', c == '_':
			b = append(b, c)
		default:
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return b
}

// compareUTF16 orders two valid UTF-8 strings by their UTF-16 code units, as
// URLSearchParams.sort must. UTF-8 byte order is code point order, which
// agrees with UTF-16 order except where a supplementary character (a surrogate
// pair, units D800–DBFF) meets one in U+E000–U+FFFF, so only the first
// differing character needs decoding.
func compareUTF16(x, y string) int {
	i := 0
	for i < len(x) && i < len(y) && x[i] == y[i] {
		i++
	}
	if i == len(x) || i == len(y) {
		return len(x) - len(y)
	}
	for i > 0 && !utf8.RuneStart(x[i]) {
		i--
	}
	rx, _ := utf8.DecodeRuneInString(x[i:])
	ry, _ := utf8.DecodeRuneInString(y[i:])
	kx, ky := utf16Key(rx), utf16Key(ry)
	switch {
	case kx < ky:
		return -1
	case kx > ky:
		return 1
	}
	return 0
}

// utf16Key maps a code point to a number that sorts like its UTF-16 code
// units: the first unit in the high bits, the second (if any) below it.
func utf16Key(r rune) uint32 {
	if r < 0x10000 {
		return uint32(r) << 10
	}
	r -= 0x10000
	return (0xD800+uint32(r)>>10)<<10 | uint32(r)&0x3FF
}

// iterate runs the iteration protocol over obj with the @@iterator method m.
func iterate(vm *goja.Runtime, obj *goja.Object, m goja.Value, each func(goja.Value)) {
	fn, ok := goja.AssertFunction(m)
	if !ok {
		js.TypeError(vm, "Invalid URL search params sequence.")
	}
	js.Iterate(vm, obj, fn, each)
}
