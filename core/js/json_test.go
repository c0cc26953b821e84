package js_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

// describeJS renders a JS value with everything JSON.parse decides: types,
// -0, every UTF-16 code unit of strings, key order, property attributes and
// prototypes.
const describeJS = `(function describe(v) {
  if (v === null) return "null";
  switch (typeof v) {
  case "number": return Object.is(v, -0) ? "-0" : String(v);
  case "boolean": return String(v);
  case "string": {
    let s = '"';
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      s += c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c ? "\\u" + c.toString(16).padStart(4, "0") : v[i];
    }
    return s + '"';
  }
  case "object":
    if (Array.isArray(v)) {
      if (Object.getPrototypeOf(v) !== Array.prototype) return "<array with another prototype>";
      return "[" + v.map(describe).join(",") + "]";
    }
    if (Object.getPrototypeOf(v) !== Object.prototype) return "<object with another prototype>";
    return "{" + Object.getOwnPropertyNames(v).map(k => {
      const d = Object.getOwnPropertyDescriptor(v, k);
      return describe(k) + (d.writable && d.enumerable && d.configurable ? ":" : "(not a plain data property):") + describe(d.value);
    }).join(",") + "}";
  }
  return "<" + typeof v + ">";
})`

type jsonEnv struct {
	t        testing.TB
	vm       *goja.Runtime
	describe goja.Callable
	parse    goja.Callable
}

func newJSONEnv(t testing.TB) *jsonEnv {
	vm := goja.New()
	d, err := vm.RunString(describeJS)
	if err != nil {
		t.Fatal(err)
	}
	e := &jsonEnv{t: t, vm: vm}
	e.describe, _ = goja.AssertFunction(d)
	e.parse, _ = goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("parse"))
	return e
}

func (e *jsonEnv) desc(v goja.Value) string {
	s, err := e.describe(goja.Undefined(), v)
	if err != nil {
		e.t.Fatal(err)
	}
	return s.String()
}

// parseJSON runs js.ParseJSON, returning what it threw as an error.
func (e *jsonEnv) parseJSON(doc string) (v goja.Value, err error) {
	if ex := e.vm.Try(func() { v = js.ParseJSON(e.vm, []byte(doc)) }); ex != nil {
		return nil, ex
	}
	return v, nil
}

// ParseJSON must agree with JSON.parse on every document, valid or not.
func TestParseJSONMatchesJSONParse(t *testing.T) {
	docs := []string{
		`{"a":1,"b":[true,false,null],"c":{"d":"é\n\u00e9\ud83d\ude00"},"e":-0,"g":-1.5e-7,"h":9007199254740993}`,
		`[]`, `{}`, `"str"`, `0`, `-0`, `  [1 , 2]  `, `{"__proto__":{"x":1},"a":1,"a":2}`, `[[[[[]]]]]`,
		`12345678901234567890`, `{"":""}`, "\t\r\n {\"a\" :\n[ ] } \n", `-0.0`, `0e0`, `1E+2`, `1e-2`, `-1.25E-10`,
		`123456789012345`, `1234567890123456`, `-9007199254740991`, `0.1`, `1.7976931348623157e308`, `5e-324`,
		`{"b":1,"a":2,"1":3,"0":4}`, `{"constructor":1,"toString":2,"hasOwnProperty":3,"valueOf":{}}`,
		`"\"\\\/\b\f\n\r\t\u0000\u001f\u00FF\uFFFF"`, `"` + strings.Repeat("long string ", 20) + `"`,
		`["a","a","a",{"a":"a"}]`, `{"é":"ü","\u00e9":2}`,
	}
	bad := []string{
		`{"a":1,}`, `[1,]`, `NaN`, `Infinity`, `{'a':1}`, `{"a":1} x`, ``, `01`, `"\x"`, `[1 2]`, ` `, `-`, `1.`,
		`.5`, `1e`, `1e+`, `+1`, `tru`, `nul`, `falsey`, `"abc`, `"a` + "\n" + `b"`, `"\u12"`, `"\u12G4"`, `{"a"}`,
		`{"a":}`, `{"a" 1}`, `{1:2}`, `[`, `{`, `]`, `}`, `[1,,2]`, `{,}`, "\"\t\"", `"\`, "\u00a0 1", `0x10`, `- 1`,
		`[-]`, `{"a":1 "b":2}`, `"\U0041"`, `1 2`,
	}
	e := newJSONEnv(t)
	for _, d := range docs {
		want, err := e.parse(goja.Undefined(), e.vm.ToValue(d))
		if err != nil {
			t.Fatalf("JSON.parse(%s): %v", d, err)
		}
		got, err := e.parseJSON(d)
		if err != nil {
			t.Errorf("ParseJSON(%s): %v", d, err)
			continue
		}
		if g, w := e.desc(got), e.desc(want); g != w {
			t.Errorf("ParseJSON(%s) = %s, JSON.parse gives %s", d, g, w)
		}
	}
	for _, d := range bad {
		if _, err := e.parse(goja.Undefined(), e.vm.ToValue(d)); err == nil {
			t.Fatalf("JSON.parse accepted %q", d)
		}
		_, err := e.parseJSON(d)
		if err == nil {
			t.Errorf("ParseJSON accepted %q", d)
		} else if name := err.(*goja.Exception).Value().ToObject(e.vm).Get("name").String(); name != "SyntaxError" {
			t.Errorf("ParseJSON(%q) threw %s, want SyntaxError", d, name)
		}
	}
}

// Where goja's JSON.parse departs from the standard (it goes through
// encoding/json), ParseJSON follows the standard, as V8 does.
func TestParseJSONStandardWhereGojaDiffers(t *testing.T) {
	e := newJSONEnv(t)
	cases := []struct{ doc, want string }{
		// Lone surrogates survive; goja's JSON.parse makes them U+FFFD.
		{`"\ud800"`, `"\ud800"`},
		{`"a\udc00b"`, `"a\udc00b"`},
		{`"\ud800\u0041"`, `"\ud800A"`},
		{`"\udc00\ud800"`, `"\udc00\ud800"`},
		{`"\ud83d\ude00\ud83d"`, `"\ud83d\ude00\ud83d"`},
		{`"\uD83D\uDE00"`, `"\ud83d\ude00"`},
		{`{"\ud800":1,"\ud800":2}`, `{"\ud800":2}`},
		{`{"k\udbff":[1]}`, `{"k\udbff":[1]}`},
		// Out of range numbers are Infinity and 0; encoding/json refuses them.
		{`1e400`, `Infinity`},
		{`-1e400`, `-Infinity`},
		{`1e-400`, `0`},
		{`-1e-400`, `-0`},
	}
	for _, c := range cases {
		got, err := e.parseJSON(c.doc)
		if err != nil {
			t.Errorf("ParseJSON(%s): %v", c.doc, err)
			continue
		}
		if g := e.desc(got); g != c.want {
			t.Errorf("ParseJSON(%s) = %s, want %s", c.doc, g, c.want)
		}
	}
}

// Bytes that are not UTF-8 become U+FFFD as the Encoding Standard's UTF-8
// decode makes them (the body's text), one per maximal ill-formed subpart.
func TestParseJSONInvalidUTF8(t *testing.T) {
	e := newJSONEnv(t)
	cases := []struct{ doc, want string }{
		{"\"a\xffb\"", `"a\ufffdb"`},
		{"\"\xe2\x82A\"", `"\ufffdA"`},
		{"\"\xf0\x80\x80\\n\"", `"\ufffd\ufffd\ufffd\u000a"`},
		{"{\"\xc3\":\"\xed\xa0\x80\"}", `{"\ufffd":"\ufffd\ufffd\ufffd"}`},
	}
	for _, c := range cases {
		got, err := e.parseJSON(c.doc)
		if err != nil {
			t.Errorf("ParseJSON(%q): %v", c.doc, err)
			continue
		}
		if g := e.desc(got); g != c.want {
			t.Errorf("ParseJSON(%q) = %s, want %s", c.doc, g, c.want)
		}
	}
}

// Keys are created as JSON.parse creates them (CreateDataProperty): a setter
// or a read-only property of the same name on Object.prototype does not stop
// or see them.
func TestParseJSONIgnoresObjectPrototypeAccessors(t *testing.T) {
	e := newJSONEnv(t)
	if _, err := e.vm.RunString(`
		globalThis.setterCalls = 0;
		Object.defineProperty(Object.prototype, "watched", { set(v) { setterCalls++; }, get() { return "proto"; }, configurable: true });
		Object.defineProperty(Object.prototype, "frozen", { value: "proto", writable: false, configurable: true });
	`); err != nil {
		t.Fatal(err)
	}
	got, err := e.parseJSON(`{"watched":1,"frozen":2,"inner":{"watched":[3],"__proto__":null}}`)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := e.desc(got), `{"watched":1,"frozen":2,"inner":{"watched":[3],"__proto__":null}}`; g != w {
		t.Errorf("ParseJSON = %s, want %s", g, w)
	}
	if n := e.vm.Get("setterCalls").ToInteger(); n != 0 {
		t.Errorf("Object.prototype's setter ran %d times", n)
	}
}

func TestParseJSONErrors(t *testing.T) {
	e := newJSONEnv(t)
	cases := []struct{ doc, name, msg string }{
		{`{"a":`, "SyntaxError", "Unexpected end of JSON input"},
		{``, "SyntaxError", "Unexpected end of JSON input"},
		{`NaN`, "SyntaxError", `Unexpected token 'N', "NaN" is not valid JSON`},
		{`{"a":1} x`, "SyntaxError", "Unexpected non-whitespace character after JSON at position 8"},
		{`{'a':1}`, "SyntaxError", "Expected property name or '}' in JSON at position 1"},
		{`[1 2]`, "SyntaxError", "Expected ',' or ']' after array element in JSON at position 3"},
		{`{"a":1 "b"}`, "SyntaxError", "Expected ',' or '}' after property value in JSON at position 7"},
		{`{"a" 1}`, "SyntaxError", "Expected ':' after property name in JSON at position 5"},
		{"[\"é\x01\"]", "SyntaxError", "Bad control character in string literal in JSON at position 3"},
		{`"\x"`, "SyntaxError", "Bad escaped character in JSON at position 1"},
		{`"\u00g0"`, "SyntaxError", "Bad Unicode escape in JSON at position 1"},
		{`"abc`, "SyntaxError", "Unexpected end of JSON input"},
		{`[-x]`, "SyntaxError", "No number after minus sign in JSON at position 2"},
		{`[1.]`, "SyntaxError", "Unterminated fractional number in JSON at position 3"},
		{`[1e]`, "SyntaxError", "Exponent part is missing a number in JSON at position 3"},
		{strings.Repeat("[", 10001) + strings.Repeat("]", 10001), "RangeError", "Maximum call stack size exceeded (JSON nested deeper than 10000 levels)"},
	}
	for _, c := range cases {
		_, err := e.parseJSON(c.doc)
		if err == nil {
			t.Errorf("ParseJSON(%.20q) accepted it", c.doc)
			continue
		}
		obj := err.(*goja.Exception).Value().ToObject(e.vm)
		if name, msg := obj.Get("name").String(), obj.Get("message").String(); name != c.name || msg != c.msg {
			t.Errorf("ParseJSON(%.20q) threw %s: %s, want %s: %s", c.doc, name, msg, c.name, c.msg)
		}
	}
	deep := strings.Repeat(`{"a":[`, 5000) + strings.Repeat("]}", 5000)
	if _, err := e.parseJSON(deep); err != nil {
		t.Errorf("10,000 levels of nesting: %v", err)
	}
}

// randomJSON writes a random JSON document: nested values, repeated and
// special keys, escapes, non-ASCII text and numbers in every JSON form.
func randomJSON(r *rand.Rand, sb *strings.Builder, depth int) {
	ws := func() {
		if r.IntN(4) == 0 {
			sb.WriteString([]string{" ", "\n", "\t", "\r\n  "}[r.IntN(4)])
		}
	}
	ws()
	k := r.IntN(10)
	if depth > 4 {
		k = 4 + r.IntN(6)
	}
	switch k {
	case 0, 1:
		sb.WriteByte('{')
		n := r.IntN(6)
		for i := 0; i < n; i++ {
			if i > 0 {
				sb.WriteByte(',')
			}
			ws()
			randomJSONString(r, sb, true)
			ws()
			sb.WriteByte(':')
			randomJSON(r, sb, depth+1)
		}
		ws()
		sb.WriteByte('}')
	case 2, 3:
		sb.WriteByte('[')
		n := r.IntN(6)
		for i := 0; i < n; i++ {
			if i > 0 {
				sb.WriteByte(',')
			}
			randomJSON(r, sb, depth+1)
		}
		ws()
		sb.WriteByte(']')
	case 4, 5:
		randomJSONString(r, sb, false)
	case 6, 7:
		sb.WriteString(randomJSONNumber(r))
	default:
		sb.WriteString([]string{"true", "false", "null"}[r.IntN(3)])
	}
	ws()
}

var jsonTestKeys = []string{"a", "b", "id", "name", "__proto__", "constructor", "toString", "0", "1", "10", "", "é", "日本", "a b", "length", "toJSON", "valueOf"}

func randomJSONString(r *rand.Rand, sb *strings.Builder, key bool) {
	sb.WriteByte('"')
	if key && r.IntN(2) == 0 {
		sb.WriteString(jsonTestKeys[r.IntN(len(jsonTestKeys))])
		sb.WriteByte('"')
		return
	}
	n := r.IntN(12)
	if r.IntN(10) == 0 {
		n = 40 + r.IntN(40)
	}
	for i := 0; i < n; i++ {
		switch r.IntN(12) {
		case 0:
			sb.WriteString([]string{`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`}[r.IntN(8)])
		case 1:
			fmt.Fprintf(sb, `\u%04x`, r.IntN(0xD800))
		case 2:
			fmt.Fprintf(sb, `\u%04X`, 0xE000+r.IntN(0x2000))
		case 3:
			sb.WriteString(`\ud83d\ude00`)
		case 4:
			sb.WriteString([]string{"é", "日", "😀", "\u2028", "\ufeff", "ÿ"}[r.IntN(6)])
		default:
			c := byte(' ' + r.IntN(95))
			if c == '"' || c == '\\' {
				sb.WriteByte('\\')
			}
			sb.WriteByte(c)
		}
	}
	sb.WriteByte('"')
}

func randomJSONNumber(r *rand.Rand) string {
	var s string
	if r.IntN(3) == 0 {
		s = "-"
	}
	switch r.IntN(4) {
	case 0:
		s += "0"
	case 1:
		s += fmt.Sprint(1 + r.IntN(1000))
	case 2:
		s += fmt.Sprint(1+r.IntN(9)) + fmt.Sprint(r.Int64())
	default:
		s += fmt.Sprint(1 + r.Int64N(1<<53))
	}
	if r.IntN(3) == 0 {
		s += "." + fmt.Sprint(r.IntN(100000))
	}
	if r.IntN(4) == 0 {
		s += []string{"e", "E"}[r.IntN(2)] + []string{"", "+", "-"}[r.IntN(3)] + fmt.Sprint(r.IntN(250))
	}
	return s
}

// Randomized documents: ParseJSON and JSON.parse agree.
func TestParseJSONRandom(t *testing.T) {
	e := newJSONEnv(t)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1500; i++ {
		var sb strings.Builder
		randomJSON(r, &sb, 0)
		doc := sb.String()
		if !json.Valid([]byte(doc)) {
			t.Fatalf("generator made invalid JSON: %s", doc)
		}
		want, err := e.parse(goja.Undefined(), e.vm.ToValue(doc))
		if err != nil {
			t.Fatalf("JSON.parse(%s): %v", doc, err)
		}
		got, err := e.parseJSON(doc)
		if err != nil {
			t.Fatalf("ParseJSON(%s): %v", doc, err)
		}
		if g, w := e.desc(got), e.desc(want); g != w {
			t.Fatalf("ParseJSON(%s)\n = %s\nJSON.parse gives\n   %s", doc, g, w)
		}
	}
}

// FuzzParseJSON: ParseJSON accepts exactly the valid JSON documents and, on
// those, agrees with JSON.parse (when it has no lone surrogate escapes,
// where goja's JSON.parse departs from the standard).
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5e3,-0,"x\u00e9"]}`, `[]`, `"\ud800"`, `01`, `[1,]`, `{"a":1}x`, `1e400`, `"\u12`} {
		f.Add(s)
	}
	e := newJSONEnv(f)
	f.Fuzz(func(t *testing.T, doc string) {
		if !utf8.ValidString(doc) {
			return
		}
		e.t = t
		got, err := e.parseJSON(doc)
		if valid := json.Valid([]byte(doc)); valid != (err == nil) {
			if err != nil && strings.Contains(err.Error(), "RangeError") {
				return // nesting beyond the limit
			}
			t.Fatalf("ParseJSON(%q): error %v, but json.Valid says %v", doc, err, valid)
		}
		if err != nil {
			return
		}
		want, err := e.parse(goja.Undefined(), e.vm.ToValue(doc))
		if err != nil {
			return // out of range numbers: goja refuses them
		}
		if strings.Contains(strings.ToLower(doc), `\ud`) {
			return
		}
		if g, w := e.desc(got), e.desc(want); g != w {
			t.Fatalf("ParseJSON(%q) = %s, JSON.parse gives %s", doc, g, w)
		}
	})
}

// A key with a lone surrogate (which goja's Go API can't name) is defined
// without any global a script can replace: patching Object.defineProperty,
// Reflect.defineProperty or the array iterator changes nothing, and a setter
// for the key on Object.prototype does not run.
func TestParseJSONLoneSurrogateKeyIgnoresPatchedGlobals(t *testing.T) {
	e := newJSONEnv(t)
	if _, err := e.vm.RunString(`
		globalThis.calls = 0;
		Object.defineProperty(Object.prototype, "\ud800", { set(v) { calls++; }, get() { return "proto"; }, configurable: true });
		const orig = Object.defineProperty;
		Object.defineProperty = function (o, k, d) { calls++; return orig(o, k, { value: "patched", writable: false, enumerable: false, configurable: false }); };
		Reflect.defineProperty = function () { calls++; return false; };
		Array.prototype[Symbol.iterator] = function () { calls++; return [][Symbol.iterator].call([]); };
	`); err != nil {
		t.Fatal(err)
	}
	got, err := e.parseJSON(`{"a":1,"\ud800":2,"b":{"k\udbff":[3]},"\ud800":4}`)
	if err != nil {
		t.Fatal(err)
	}
	// describe uses Object.keys and getOwnPropertyDescriptor, not patched.
	if g, w := e.desc(got), `{"a":1,"\ud800":4,"b":{"k\udbff":[3]}}`; g != w {
		t.Errorf("ParseJSON = %s, want %s", g, w)
	}
	if n := e.vm.Get("calls").ToInteger(); n != 0 {
		t.Errorf("patched globals or the prototype's setter ran %d times", n)
	}
}
