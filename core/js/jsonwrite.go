package js

import (
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// JSONWriter serializes JS values as JSON.stringify(value) does, without a
// replacer or indentation, in Go: Response.json and the like spend most of
// their time there otherwise (goja's JSON.stringify quotes strings rune by
// rune through a UTF-16 reader and makes a string key per array index).
//
// The walk does what JSON.stringify does, in the same order and through the
// same operations of goja's public API, for ordinary objects and arrays:
// Get("toJSON"), then the own enumerable keys (Keys) or "length", then Get of
// each, so getters run as they would, once each, in the same order. Anything
// else goes to goja's own JSON.stringify, one value at a time, inside a
// holder object under the same key (so toJSON sees the key it would have):
//
//   - an object with a callable toJSON (Date, or an object that has one),
//   - Proxies, functions, primitive wrappers (new Number(1)), BigInts (a
//     TypeError unless BigInt.prototype.toJSON exists), Map, Set, Error,
//     RawJSON, Go structs and typed maps exposed to JS, and any other object
//     that is not an ordinary object or array ([]any and map[string]any
//     exposed to JS behave as those and are walked),
//   - an object with a key that a Go string can't hold (a lone surrogate;
//     any key with U+FFFD, which is what goja's Keys makes of one).
//
// Primitive values are told apart by their goja type (reflect.TypeOf of the
// value against those of known values, read once in NewJSONWriter), so a
// string or a number is written without converting it.
//
// So the output is JSON.stringify's, byte for byte, with one caveat: a
// toJSON that is itself a getter runs twice (once here, once in
// JSON.stringify). Cycles throw JSON.stringify's TypeError ("Converting
// circular structure to JSON"); nesting deeper than 10,000 levels throws a
// RangeError instead of exhausting the stack.
//
// A JSONWriter belongs to one runtime; use it on the loop goroutine.
type JSONWriter struct {
	vm        *goja.Runtime
	stringify goja.Callable
	spare     *jsonWriteState // nil while in use (re-entered from a getter or toJSON)

	intType, floatType, asciiType, importedType, boolType, proxyType reflect.Type
}

type jsonWriteState struct {
	buf   []byte
	stack []*goja.Object
}

var (
	mapType   = reflect.TypeOf(map[string]any(nil))
	sliceType = reflect.TypeOf([]any(nil))
)

// NewJSONWriter returns a JSONWriter for vm. It keeps vm's JSON.stringify as
// it is now, for the values it hands over.
func NewJSONWriter(vm *goja.Runtime) *JSONWriter {
	stringify, ok := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	if !ok {
		panic("js: JSON.stringify is not a function")
	}
	p := vm.NewProxy(vm.NewObject(), &goja.ProxyTrapConfig{})
	return &JSONWriter{
		vm:           vm,
		stringify:    stringify,
		spare:        &jsonWriteState{},
		intType:      reflect.TypeOf(vm.ToValue(1 << 20)),
		floatType:    reflect.TypeOf(vm.ToValue(0.5)),
		asciiType:    reflect.TypeOf(vm.ToValue("a")),
		importedType: reflect.TypeOf(vm.ToValue(strings.Repeat("a", 40))),
		boolType:     reflect.TypeOf(vm.ToValue(true)),
		proxyType:    vm.ToValue(p).(*goja.Object).ExportType(),
	}
}

// Marshal returns JSON.stringify(v) as UTF-8 bytes the caller owns; ok is
// false where JSON.stringify returns undefined (v undefined, a function or a
// symbol). It panics with the JS exception JSON.stringify would throw.
func (w *JSONWriter) Marshal(v goja.Value) (data []byte, ok bool) {
	b, ok := w.write(v)
	if !ok {
		return nil, false
	}
	return append([]byte(nil), b...), true
}

// InstallStringify makes vm's JSON.stringify(value) — with no replacer
// function or list and no indentation, how it is nearly always called —
// write through w; calls with either go to goja's JSON.stringify as before.
// The function keeps JSON.stringify's name, length and attributes.
func (w *JSONWriter) InstallStringify() {
	vm := w.vm
	builtin := w.stringify
	fn := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		if len(call.Arguments) > 1 {
			// goja ignores a replacer that is not an object, and a null
			// space; anything else is JSON.stringify's own business.
			if _, isObj := call.Arguments[1].(*goja.Object); isObj || !IsNullish(call.Argument(2)) {
				v, err := builtin(call.This, call.Arguments...)
				if err != nil {
					panic(err)
				}
				return v
			}
		}
		b, ok := w.write(call.Argument(0))
		if !ok {
			return goja.Undefined()
		}
		return vm.ToValue(string(b))
	}).(*goja.Object)
	_ = fn.DefineDataProperty("name", vm.ToValue("stringify"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = fn.DefineDataProperty("length", vm.ToValue(3), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	if err := vm.Get("JSON").ToObject(vm).DefineDataProperty("stringify", fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		panic(err)
	}
}

// write serializes v into the writer's buffer and returns it; the bytes are
// valid until the next call.
func (w *JSONWriter) write(v goja.Value) ([]byte, bool) {
	st := w.spare
	if st == nil {
		st = &jsonWriteState{} // re-entered: this call has its own
	}
	w.spare = nil
	defer func() {
		clear(st.stack[:cap(st.stack)])
		st.stack = st.stack[:0]
		if cap(st.buf) > 1<<20 {
			st.buf = nil
		}
		w.spare = st
	}()
	buf, ok := w.value(st, st.buf[:0], "", v)
	st.buf = buf
	return buf, ok
}

// value appends the JSON of v, the value of key in its holder; ok false
// means v serializes to nothing (undefined).
func (w *JSONWriter) value(st *jsonWriteState, b []byte, key string, v goja.Value) ([]byte, bool) {
	if v == nil {
		return b, false
	}
	switch reflect.TypeOf(v) {
	case w.asciiType:
		return appendJSONString(b, v.String()), true
	case w.importedType:
		if s := v.String(); utf8.ValidString(s) {
			return appendJSONString(b, s), true
		}
		return appendJSONUTF16(b, v.(goja.String)), true
	case w.intType:
		return strconv.AppendInt(b, v.ToInteger(), 10), true
	case w.floatType:
		f := v.ToFloat()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return append(b, "null"...), true
		}
		return appendJSNumber(b, f), true
	case w.boolType:
		if v.ToBoolean() {
			return append(b, "true"...), true
		}
		return append(b, "false"...), true
	}
	switch v := v.(type) {
	case *goja.Object:
		return w.object(st, b, key, v)
	case *goja.Symbol:
		return b, false
	case goja.String:
		return appendJSONUTF16(b, v), true
	}
	switch {
	case goja.IsNull(v):
		return append(b, "null"...), true
	case goja.IsUndefined(v):
		return b, false
	case goja.IsNumber(v): // a number type not seen at start-up: -0, NaN
		f := v.ToFloat()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return append(b, "null"...), true
		}
		return appendJSNumber(b, f), true
	}
	return w.handOver(b, key, v) // BigInt, and anything unforeseen
}

func (w *JSONWriter) object(st *jsonWriteState, b []byte, key string, o *goja.Object) ([]byte, bool) {
	// ExportType first: ClassName throws on a revoked Proxy.
	var isArray bool
	switch t := o.ExportType(); {
	case t == w.proxyType:
		return w.handOver(b, key, o)
	case t == mapType && o.ClassName() == "Object":
	case t == sliceType && o.ClassName() == "Array":
		isArray = true
	default:
		return w.handOver(b, key, o)
	}
	var keys []string
	if !isArray {
		// Keys of an ordinary object run no JS, so reading them before
		// toJSON changes nothing observable.
		keys = o.Keys()
		for _, k := range keys {
			if strings.Contains(k, "\uFFFD") { // maybe a lone surrogate, lost in k
				return w.handOver(b, key, o)
			}
		}
	}
	if toJSON := o.Get("toJSON"); toJSON != nil {
		if _, callable := goja.AssertFunction(toJSON); callable {
			return w.handOver(b, key, o)
		}
	}
	for _, s := range st.stack {
		if s == o {
			panic(w.vm.NewTypeError("Converting circular structure to JSON"))
		}
	}
	if len(st.stack) >= maxJSONDepth {
		RangeError(w.vm, "Maximum call stack size exceeded (JSON nested deeper than "+strconv.Itoa(maxJSONDepth)+" levels)")
	}
	st.stack = append(st.stack, o)
	if isArray {
		b = w.array(st, b, o)
	} else {
		b = w.members(st, b, o, keys)
	}
	st.stack[len(st.stack)-1] = nil
	st.stack = st.stack[:len(st.stack)-1]
	return b, true
}

func (w *JSONWriter) array(st *jsonWriteState, b []byte, o *goja.Object) []byte {
	n := toLength(o.Get("length"))
	b = append(b, '[')
	for i := int64(0); i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		k := indexKey(i)
		var ok bool
		if b, ok = w.value(st, b, k, o.Get(k)); !ok {
			b = append(b, "null"...)
		}
	}
	return append(b, ']')
}

func (w *JSONWriter) members(st *jsonWriteState, b []byte, o *goja.Object, keys []string) []byte {
	b = append(b, '{')
	empty := true
	for _, k := range keys {
		mark := len(b)
		if !empty {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		var ok bool
		if b, ok = w.value(st, b, k, o.Get(k)); ok {
			empty = false
		} else {
			b = b[:mark]
		}
	}
	return append(b, '}')
}

// handOver appends JSON.stringify's output for v under key: it serializes
// {[key]: v} and keeps what follows the key.
func (w *JSONWriter) handOver(b []byte, key string, v goja.Value) ([]byte, bool) {
	// No prototype: an Object.prototype.toJSON must not see the holder.
	holder := w.vm.CreateObject(nil)
	if err := holder.DefineDataProperty(key, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
		panic(err)
	}
	res, err := w.stringify(goja.Undefined(), holder)
	if err != nil {
		panic(err)
	}
	// `{"key":...}`, or `{}` when v is undefined in JSON. (The holder's
	// own "toJSON", when key is that, is never callable here: an object
	// with a callable toJSON is handed over whole.)
	s := res.String()
	if s == "{}" {
		return b, false
	}
	// Skip `{`, the quoted key and `:`; drop the final `}`.
	i := 2
	for ; i < len(s) && s[i] != '"'; i++ {
		if s[i] == '\\' {
			i++
		}
	}
	if i+2 > len(s)-1 || s[0] != '{' || s[1] != '"' || s[i+1] != ':' {
		panic(w.vm.NewTypeError("JSON.stringify gave an unexpected result: " + s))
	}
	return append(b, s[i+2:len(s)-1]...), true
}

// toLength is ECMAScript's ToLength of an array's "length".
func toLength(v goja.Value) int64 {
	if v == nil {
		return 0
	}
	f := v.ToFloat()
	if math.IsNaN(f) || f <= 0 {
		return 0
	}
	if f > 1<<53-1 {
		return 1<<53 - 1
	}
	return int64(f)
}

var indexKeys = func() (k [1024]string) {
	for i := range k {
		k[i] = strconv.Itoa(i)
	}
	return
}()

func indexKey(i int64) string {
	if i < int64(len(indexKeys)) {
		return indexKeys[i]
	}
	return strconv.FormatInt(i, 10)
}

const lowerHex = "0123456789abcdef"

// appendJSONString appends s (valid UTF-8) quoted as JSON.stringify quotes.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		b = appendJSONEscape(b, c)
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendJSONEscape(b []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', lowerHex[c>>4], lowerHex[c&0xF])
}

// appendJSONUTF16 quotes a JS string code unit by code unit: pairs become
// UTF-8, lone surrogates \udXXX escapes.
func appendJSONUTF16(b []byte, s goja.String) []byte {
	b = append(b, '"')
	n := s.Length()
	for i := 0; i < n; i++ {
		c := s.CharAt(i)
		switch {
		case c < utf8.RuneSelf:
			if c >= 0x20 && c != '"' && c != '\\' {
				b = append(b, byte(c))
			} else {
				b = appendJSONEscape(b, byte(c))
			}
		case utf16.IsSurrogate(rune(c)):
			if c < 0xDC00 && i+1 < n {
				if c2 := s.CharAt(i + 1); c2 >= 0xDC00 && c2 <= 0xDFFF {
					b = utf8.AppendRune(b, utf16.DecodeRune(rune(c), rune(c2)))
					i++
					continue
				}
			}
			b = append(b, '\\', 'u', lowerHex[c>>12], lowerHex[c>>8&0xF], lowerHex[c>>4&0xF], lowerHex[c&0xF])
		default:
			b = utf8.AppendRune(b, rune(c))
		}
	}
	return append(b, '"')
}

// appendJSNumber appends a finite f as JS's Number.prototype.toString()
// writes it: the shortest digits that round-trip, positional notation for
// 1e-7 < |f| < 1e21, else d.ddde±x.
func appendJSNumber(b []byte, f float64) []byte {
	if f == 0 {
		return append(b, '0') // -0 too
	}
	var tmp [32]byte
	e := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64) // [-]d[.ddd]e±xx
	if e[0] == '-' {
		b = append(b, '-')
		e = e[1:]
	}
	p := 1
	for e[p] != 'e' {
		p++
	}
	exp, _ := strconv.Atoi(string(e[p+1:]))
	var digs [24]byte
	d := append(digs[:0], e[0])
	if p > 1 {
		d = append(d, e[2:p]...)
	}
	k, n := len(d), exp+1
	switch {
	case k <= n && n <= 21:
		b = append(b, d...)
		for ; k < n; k++ {
			b = append(b, '0')
		}
	case 0 < n && n <= 21:
		b = append(b, d[:n]...)
		b = append(b, '.')
		b = append(b, d[n:]...)
	case -6 < n && n <= 0:
		b = append(b, '0', '.')
		for ; n < 0; n++ {
			b = append(b, '0')
		}
		b = append(b, d...)
	default:
		b = append(b, d[0])
		if k > 1 {
			b = append(b, '.')
			b = append(b, d[1:]...)
		}
		b = append(b, 'e')
		if n-1 >= 0 {
			b = append(b, '+')
		}
		b = strconv.AppendInt(b, int64(n-1), 10)
	}
	return b
}
