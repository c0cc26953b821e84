package js

import (
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// JSON parsing for bodies (request.json(), response.json()). goja's JSON.parse
// tokenises through encoding/json's Decoder.Token (about 1 ms for a 4 KiB
// document) and turns lone surrogate escapes ("\ud800") into U+FFFD. This is a
// strict single-pass parser that builds goja values as it reads, as JSON.parse
// without a reviver does:
//
//   - Objects get Object.prototype, arrays Array.prototype; a duplicate key
//     keeps its first position and its last value; "__proto__" is an own
//     data property, never the prototype.
//   - Numbers are the nearest float64 (so 9007199254740993 reads as
//     9007199254740992), "-0" is -0, and exponents out of range are ±Infinity
//     or 0, as in JS.
//   - Strings keep lone surrogates from \uD800-style escapes, as JSON.parse
//     does in V8; bytes that are not UTF-8 become U+FFFD as the Encoding
//     Standard's UTF-8 decode makes them.
//   - Errors are SyntaxErrors with V8's messages ("Unexpected end of JSON
//     input", "Unexpected token 'x', ... in JSON at position 7").
//
// Building the goja objects is most of the cost, so the parser keeps it down:
// keys and short strings are interned for the length of one parse (a body of
// many small records repeats both), properties are added with Set, which
// costs one allocation less than DefineDataProperty (used only for the keys
// Set could run a setter for: those Object.prototype has), and array items
// are collected on one scratch stack shared by all the arrays of a document.

// maxJSONDepth bounds nesting: the parser and the objects' consumers recurse,
// and a 100 MiB body of '[' must end the request, not the process's stack.
// It is encoding/json's limit.
const maxJSONDepth = 10000

const (
	maxInternedString = 32  // longer strings are rarely repeated
	maxInterned       = 512 // per parse, for keys and for strings each
)

var jsonParsers = sync.Pool{New: func() any {
	return &jsonParser{keys: map[string]jsonKey{}, strs: map[string]goja.Value{}}
}}

// ParseJSON parses data as JSON into plain JS values (objects with
// Object.prototype, arrays, strings, numbers, booleans, null), as JSON.parse
// without a reviver does. A malformed document throws a SyntaxError; nesting
// deeper than 10,000 levels throws a RangeError.
func ParseJSON(vm *goja.Runtime, data []byte) goja.Value {
	p := jsonParsers.Get().(*jsonParser)
	p.vm, p.data, p.pos = vm, data, 0
	defer p.release()
	v := p.value(0)
	p.skipSpace()
	if p.pos < len(p.data) {
		p.fail("Unexpected non-whitespace character after JSON")
	}
	return v
}

type jsonParser struct {
	vm   *goja.Runtime
	data []byte
	pos  int

	keys map[string]jsonKey    // interned keys of this parse
	strs map[string]goja.Value // interned short strings of this parse
	// protoKeys are the own property names of Object.prototype, read at the
	// first key of a parse (protoRead): for those keys Set could call an
	// accessor ("__proto__") or fail on a read-only property, so they are
	// defined instead.
	protoKeys []string
	protoRead bool
	define    goja.Callable // made by defineByValue, for this parse
	items     []any         // array items being collected, innermost array last
	buf       []byte        // an unescaped string
	units     []uint16      // a string with lone surrogates, as UTF-16
}

type jsonKey struct {
	name   string
	define bool // use DefineDataProperty, not Set (see protoKeys)
	// value is the key as a JS string when name can't carry it (a lone
	// surrogate); nil otherwise.
	value goja.Value
}

func (p *jsonParser) release() {
	clear(p.keys)
	clear(p.strs)
	clear(p.items[:cap(p.items)])
	p.items = p.items[:0]
	p.protoKeys = p.protoKeys[:0]
	p.protoRead = false
	p.define = nil
	p.vm, p.data = nil, nil
	if cap(p.buf) > 64<<10 {
		p.buf = nil
	}
	if cap(p.units) > 64<<10 {
		p.units = nil
	}
	jsonParsers.Put(p)
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) goja.Value {
	p.skipSpace()
	if p.pos >= len(p.data) {
		p.fail("")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		return p.stringValue()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		p.literal("true")
		return p.vm.ToValue(true)
	case c == 'f':
		p.literal("false")
		return p.vm.ToValue(false)
	case c == 'n':
		p.literal("null")
		return goja.Null()
	}
	p.fail("Unexpected token")
	return nil
}

func (p *jsonParser) literal(word string) {
	for i := 0; i < len(word); i++ {
		if p.pos >= len(p.data) {
			p.fail("")
		}
		if p.data[p.pos] != word[i] {
			p.fail("Unexpected token")
		}
		p.pos++
	}
}

func (p *jsonParser) checkDepth(depth int) {
	if depth > maxJSONDepth {
		RangeError(p.vm, "Maximum call stack size exceeded (JSON nested deeper than "+strconv.Itoa(maxJSONDepth)+" levels)")
	}
}

func (p *jsonParser) object(depth int) goja.Value {
	p.checkDepth(depth)
	vm := p.vm
	obj := vm.NewObject()
	if !p.protoRead {
		p.protoRead = true
		if proto := obj.Prototype(); proto != nil {
			p.protoKeys = append(p.protoKeys, proto.GetOwnPropertyNames()...)
		}
	}
	p.pos++ // '{'
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return obj
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) {
			p.fail("")
		}
		if p.data[p.pos] != '"' {
			p.fail("Expected property name or '}'")
		}
		k := p.key()
		p.skipSpace()
		if p.pos >= len(p.data) {
			p.fail("")
		}
		if p.data[p.pos] != ':' {
			p.fail("Expected ':' after property name")
		}
		p.pos++
		v := p.value(depth)
		switch {
		case k.value != nil:
			p.defineByValue(obj, k.value, v)
		case k.define:
			_ = obj.DefineDataProperty(k.name, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		default:
			if err := obj.Set(k.name, v); err != nil {
				panic(err)
			}
		}
		p.skipSpace()
		if p.pos >= len(p.data) {
			p.fail("")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return obj
		default:
			p.fail("Expected ',' or '}' after property value")
		}
	}
}

// defineByValue defines a property whose key a Go string can't hold (it has
// a lone surrogate); goja's API takes keys as Go strings. It does so with
// CreateDataProperty's own semantics through the syntax of class fields, not
// through Object.defineProperty or any other global that user code (or
// Lazy's per-runtime replacement) can change: see jsonDefineJS. Such keys
// are rare, so the definer is made once per parse that needs one.
func (p *jsonParser) defineByValue(obj *goja.Object, key, v goja.Value) {
	if p.define == nil {
		f, err := p.vm.RunProgram(jsonDefineProgram())
		if err != nil {
			panic(err)
		}
		p.define, _ = goja.AssertFunction(f)
	}
	if _, err := p.define(goja.Undefined(), obj, key, v); err != nil {
		panic(err)
	}
}

// jsonDefineJS evaluates to define(o, k, v), which gives o the own data
// property k (writable, enumerable, configurable) with value v, as
// CreateDataProperty does: a class field is defined with DefineField on the
// object the base constructor returns, here o itself, and its computed key
// is evaluated when the class is. It reads no global and calls no method a
// script could replace: B and D are local, and D's constructor is written
// out because a default one may spread its arguments through the
// (replaceable) array iterator. An existing property k keeps its position
// and takes v, as for a duplicate key.
const jsonDefineJS = `(function () {
	"use strict";
	class B { constructor(o) { return o; } }
	return function define(o, k, v) {
		class D extends B { [k] = v; constructor(o) { super(o); } }
		new D(o);
	};
})()`

var jsonDefineProgram = sync.OnceValue(func() *goja.Program {
	return goja.MustCompile("ferry:json-define", jsonDefineJS, true)
})

func (p *jsonParser) array(depth int) goja.Value {
	p.checkDepth(depth)
	p.pos++ // '['
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return p.vm.NewArray()
	}
	// Nested arrays push above this one's items and pop theirs before this
	// one appends again, so items[start:] stays this array's.
	start := len(p.items)
	for {
		v := p.value(depth)
		p.items = append(p.items, v)
		p.skipSpace()
		if p.pos >= len(p.data) {
			p.fail("")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			arr := p.vm.NewArray(p.items[start:]...)
			clear(p.items[start:])
			p.items = p.items[:start]
			return arr
		default:
			p.fail("Expected ',' or ']' after array element")
		}
	}
}

// key reads an object key (p.pos at its opening quote).
func (p *jsonParser) key() jsonKey {
	raw, plain := p.scanString()
	if plain {
		if k, ok := p.keys[string(raw)]; ok {
			return k
		}
		return p.internKey(string(raw))
	}
	s, units := p.unescape(raw)
	if units != nil {
		return jsonKey{value: goja.StringFromUTF16(units)}
	}
	if k, ok := p.keys[string(s)]; ok {
		return k
	}
	return p.internKey(string(s))
}

func (p *jsonParser) internKey(name string) jsonKey {
	k := jsonKey{name: name}
	for _, pk := range p.protoKeys {
		if pk == name {
			k.define = true
			break
		}
	}
	if len(p.keys) < maxInterned {
		p.keys[name] = k
	}
	return k
}

func (p *jsonParser) stringValue() goja.Value {
	raw, plain := p.scanString()
	if !plain {
		s, units := p.unescape(raw)
		if units != nil {
			return goja.StringFromUTF16(units)
		}
		raw = s
	}
	if len(raw) > maxInternedString {
		return p.vm.ToValue(string(raw))
	}
	if v, ok := p.strs[string(raw)]; ok {
		return v
	}
	s := string(raw)
	v := p.vm.ToValue(s)
	if len(p.strs) < maxInterned {
		p.strs[s] = v
	}
	return v
}

// scanString reads a string literal (p.pos at its opening quote) and returns
// its contents between the quotes. plain reports that they need no
// unescaping and are valid UTF-8, so they are the string itself.
func (p *jsonParser) scanString() (raw []byte, plain bool) {
	start := p.pos + 1
	plain = true
	ascii := true
	for i := start; i < len(p.data); i++ {
		switch c := p.data[i]; {
		case c == '"':
			p.pos = i + 1
			raw = p.data[start:i]
			if !ascii && !utf8.Valid(raw) {
				plain = false
			}
			return raw, plain
		case c == '\\':
			plain = false
			i++ // the escaped character; unescape checks it
			if i >= len(p.data) {
				p.pos = i
				p.fail("Unterminated string")
			}
		case c < 0x20:
			p.pos = i
			p.fail("Bad control character in string literal")
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	p.pos = len(p.data)
	p.fail("Unterminated string")
	return nil, false
}

// unescape decodes the contents of a string literal that has escapes or
// bytes that are not UTF-8. s aliases p.buf; when the string has a lone
// surrogate it comes back as UTF-16 in units instead (s nil).
func (p *jsonParser) unescape(raw []byte) (s []byte, units []uint16) {
	// Offset of raw in data, for error positions.
	base := p.pos - 1 - len(raw)
	b := p.buf[:0]
	lone := false
	for i := 0; i < len(raw); {
		c := raw[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && n <= 1 {
				n = utf8MaximalSubpart(raw[i:])
			}
			b = utf8.AppendRune(b, r)
			i += n
			continue
		}
		if c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		switch e := raw[i+1]; e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(raw[i+2:])
			if !ok {
				p.pos = base + i
				p.fail("Bad Unicode escape")
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if r < 0xDC00 && i+1 < len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					if r2, ok := hex4(raw[i+2:]); ok && r2 >= 0xDC00 && r2 <= 0xDFFF {
						b = utf8.AppendRune(b, utf16.DecodeRune(r, r2))
						i += 6
						continue
					}
				}
				// A lone surrogate: kept as WTF-8 (ED A0 80..ED BF BF)
				// here, turned into UTF-16 below.
				lone = true
			}
			b = utf8.AppendRune(b, r)
			if utf16.IsSurrogate(r) {
				b = append(b[:len(b)-3], 0xED, byte(0xA0|(r>>6)&0x1F), byte(0x80|r&0x3F))
			}
			continue
		default:
			p.pos = base + i
			p.fail("Bad escaped character")
		}
		i += 2
	}
	p.buf = b
	if !lone {
		return b, nil
	}
	// Decode the WTF-8 in b to UTF-16: surrogates are ED A0..BF xx, which
	// utf8.DecodeRune rejects, so read them first.
	u := p.units[:0]
	for i := 0; i < len(b); {
		if b[i] == 0xED && i+2 < len(b) && b[i+1] >= 0xA0 {
			u = append(u, 0xD000|uint16(b[i+1]&0x3F)<<6|uint16(b[i+2]&0x3F))
			i += 3
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			u = append(u, uint16(r1), uint16(r2))
		} else {
			u = append(u, uint16(r))
		}
		i += n
	}
	p.units = u
	return nil, u
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

func (p *jsonParser) number() goja.Value {
	start := p.pos
	d := p.data
	i := p.pos
	neg := false
	if d[i] == '-' {
		neg = true
		i++
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			p.pos = i
			p.fail("No number after minus sign")
		}
	}
	// Integer part: "0" or [1-9][0-9]*, accumulated while it is exact.
	var n int64
	digits := 0
	if d[i] == '0' {
		i++
	} else {
		for ; i < len(d) && d[i] >= '0' && d[i] <= '9'; i++ {
			n = n*10 + int64(d[i]-'0')
			digits++
			if digits > 15 {
				n = -1 // beyond 15 digits it might not be exact: ParseFloat
				for i++; i < len(d) && d[i] >= '0' && d[i] <= '9'; i++ {
				}
				break
			}
		}
	}
	simple := n >= 0
	if i < len(d) && d[i] == '.' {
		simple = false
		i++
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			p.pos = i
			p.fail("Unterminated fractional number")
		}
		for ; i < len(d) && d[i] >= '0' && d[i] <= '9'; i++ {
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		simple = false
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			p.pos = i
			p.fail("Exponent part is missing a number")
		}
		for ; i < len(d) && d[i] >= '0' && d[i] <= '9'; i++ {
		}
	}
	p.pos = i
	if simple {
		if neg {
			if n == 0 {
				return p.vm.ToValue(negZero())
			}
			n = -n
		}
		return p.vm.ToValue(n)
	}
	// ParseFloat rounds correctly, as JS does; out of range it returns
	// ±Inf or 0 with ErrRange, which are JS's values too.
	f, _ := strconv.ParseFloat(string(d[start:i]), 64)
	return p.vm.ToValue(f)
}

func negZero() float64 {
	z := 0.0
	return -z
}

// fail throws a SyntaxError for the input at p.pos. msg "" means the input
// ended early; "Unexpected token" names the character found.
func (p *jsonParser) fail(msg string) {
	if p.pos >= len(p.data) {
		panic(newSyntaxError(p.vm, "Unexpected end of JSON input"))
	}
	pos := utf16Len(p.data[:p.pos])
	if msg == "Unexpected token" || msg == "" {
		r, _ := utf8.DecodeRune(p.data[p.pos:])
		panic(newSyntaxError(p.vm, "Unexpected token '"+string(r)+"', \""+snippet(p.data)+"\" is not valid JSON"))
	}
	if !strings.HasSuffix(msg, "after JSON") {
		msg += " in JSON"
	}
	panic(newSyntaxError(p.vm, msg+" at position "+strconv.Itoa(pos)))
}

// snippet is the input as V8 quotes it in errors: all of it when short,
// else the start and an ellipsis.
func snippet(data []byte) string {
	const max = 40
	s := DecodeUTF8(data)
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// utf16Len is the length of b's text in UTF-16 code units (JS positions).
func utf16Len(b []byte) int {
	n := 0
	for _, r := range string(b) {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

func newSyntaxError(vm *goja.Runtime, msg string) *goja.Object {
	ctor := vm.Get("SyntaxError").ToObject(vm)
	obj, err := vm.New(ctor, vm.ToValue(msg))
	if err != nil {
		panic(err)
	}
	return obj
}
