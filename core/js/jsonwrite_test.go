package js_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

// stringifyEnv compares js.JSONWriter with goja's JSON.stringify on values
// built twice by the same JS expression: the output, the exception (name and
// message) and the log of side effects (getters, toJSON, Proxy traps) must
// be the same.
type stringifyEnv struct {
	t         *testing.T
	vm        *goja.Runtime
	w         *js.JSONWriter
	stringify goja.Callable
}

func newStringifyEnv(t *testing.T) *stringifyEnv {
	vm := goja.New()
	e := &stringifyEnv{t: t, vm: vm, w: js.NewJSONWriter(vm)}
	e.stringify, _ = goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	_ = vm.Set("goMap", map[string]any{"a": 1})
	_ = vm.Set("goStruct", struct{ A, B int }{1, 2})
	_ = vm.Set("goSlice", []any{1, "x", nil})
	return e
}

type stringifyResult struct{ out, err, log string }

func (e *stringifyEnv) run(expr string, viaWriter bool) stringifyResult {
	t := e.t
	if _, err := e.vm.RunString("globalThis.log = []"); err != nil {
		t.Fatal(err)
	}
	v, err := e.vm.RunString("(" + expr + ")")
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	if _, err := e.vm.RunString("log.length = 0"); err != nil {
		t.Fatal(err)
	}
	var r stringifyResult
	ex := e.vm.Try(func() {
		if viaWriter {
			if b, ok := e.w.Marshal(v); ok {
				r.out = "=" + string(b)
			} else {
				r.out = "undefined"
			}
			return
		}
		s, err := e.stringify(goja.Undefined(), v)
		if err != nil {
			panic(err)
		}
		if goja.IsUndefined(s) {
			r.out = "undefined"
		} else {
			r.out = "=" + s.String()
		}
	})
	if ex != nil {
		o := ex.Value().ToObject(e.vm)
		r.err = o.Get("name").String() + ": " + o.Get("message").String()
	}
	l, _ := e.vm.RunString("log.join(' | ')")
	r.log = l.String()
	return r
}

func (e *stringifyEnv) check(expr string) {
	e.t.Helper()
	want := e.run(expr, false)
	got := e.run(expr, true)
	if got != want {
		e.t.Errorf("%s\n got  %+v\n want %+v", expr, got, want)
	}
}

// stringifyCases are JS expressions for values JSON.stringify treats each
// in its own way.
var stringifyCases = []string{
	// Primitives and number formatting.
	`1`, `-0`, `0.1`, `1e21`, `1e-7`, `1.5e-7`, `123e-20`, `NaN`, `Infinity`, `-Infinity`, `2**53 + 2`, `5e-324`,
	`1.7976931348623157e308`, `100`, `-5`, `0.000001`, `123456789012345680000`, `-1e300`, `1/3`, `0.1 + 0.2`,
	`"str"`, `"é\u2028\u2029"`, `"\ud800"`, `"a\udc00"`, `"\ud83d\ude00"`, `"\u0000\u001f\u007f\"\\/\b\f\n\r\t"`,
	`"x".repeat(100)`, `"é".repeat(30)`, `"a" + "\ud800" + "b".repeat(20)`, `JSON.parse('"\\ud800x"')`,
	`true`, `false`, `null`, `undefined`, `Symbol("s")`, `() => 1`, `10n`, `[10n]`, `({a: 10n})`, `Object(10n)`,
	// Ordinary objects and arrays.
	`({a: 1, b: [1, 2, {c: 3}], d: "x"})`, `({u: undefined, f() {}, s: Symbol(), n: null})`,
	`[undefined, function () {}, Symbol()]`, `[1, , 3]`, `(() => { const a = []; a[5] = 1; return a })()`,
	`Object.assign([1, 2], {extra: 3})`, `JSON.parse('{"__proto__": {"x": 1}, "a": 2}')`,
	`Object.assign(Object.create(null), {a: 1})`, `new (class { constructor() { this.x = 1 } get y() { return 2 } })()`,
	`({b: 1, 2: 2, 1: 1, a: 0})`, `({"a\"b": 1, "\n": 2, "é": 3, "": 4})`, `({"\ud800": 1, b: 2})`, `({"\ufffd": 2})`,
	`({a: {}, b: [], c: [[]], d: [{}]})`, `[]`, `{}`, `({a: [new Number(3), new String("s"), new Boolean(false)]})`,
	`Object.defineProperty({a: 1}, "hidden", {value: 2, enumerable: false})`, `({[Symbol("k")]: 1, a: 2})`,
	// Getters run once each, in order.
	`({get a() { log.push("a"); return 1 }, b: 2, get c() { log.push("c") }})`,
	`({get a() { log.push("a"); delete this.b; return 1 }, b: 2, c: 3})`,
	`Object.defineProperty([1, 2], "0", {get() { log.push("i0"); return 9 }, enumerable: true})`,
	`({get a() { throw new RangeError("boom") }})`,
	// toJSON.
	`({toJSON(k) { log.push("toJSON:" + k); return {x: k} }})`, `[{toJSON(k) { log.push(k); return k }}]`,
	`({a: {toJSON(k) { log.push(k); return undefined }}, b: 1})`, `({d: new Date(0)})`, `new Date(0)`,
	`({a: {toJSON() { return new Date(0) }}})`, `({a: {toJSON() { throw new Error("no") }}})`,
	`Object.assign(function () {}, {toJSON() { return "fn" }})`, `({f: Object.assign(() => 1, {toJSON() { return "fn" }})})`,
	`({a: {toJSON: 5}})`, `(() => { const a = {b: {}}; a.b.toJSON = () => a; return a })()`,
	// Exotic objects.
	`new Map([[1, 2]])`, `new Set([1])`, `new Error("x")`, `new Uint8Array([1, 2])`, `/re/g`, `Math`,
	`(function () { return arguments })(1, 2)`, `({a: JSON.rawJSON("1e1000")})`, `new ArrayBuffer(2)`,
	`new Proxy({a: 1, b: 2}, {get(t, k) { log.push("get " + String(k)); return t[k] }, ownKeys(t) { log.push("ownKeys"); return Reflect.ownKeys(t) }})`,
	`({p: new Proxy([1, 2], {get(t, k) { log.push("get " + String(k)); return t[k] }})})`,
	`(() => { const r = Proxy.revocable({}, {}); r.revoke(); return {p: r.proxy} })()`,
	`goMap`, `goStruct`, `goSlice`, `({m: goMap, s: goStruct, l: goSlice})`,
	// Cycles.
	`(() => { const a = {}; a.self = a; return a })()`, `(() => { const a = [1]; a.push({a}); return a })()`,
	`(() => { const a = {}; a.p = new Proxy(a, {}); return a })()`,
	`(() => { const a = {x: 1}; return [a, a, {b: a}] })()`,
}

func TestJSONWriterMatchesStringify(t *testing.T) {
	e := newStringifyEnv(t)
	for _, c := range stringifyCases {
		e.check(c)
	}
}

// With InstallStringify, JSON.stringify itself gives what goja's did, with
// and without a replacer or indentation, and looks the same from JS.
func TestInstallStringify(t *testing.T) {
	e := newStringifyEnv(t)
	_ = e.vm.Set("builtin", e.vm.Get("JSON").ToObject(e.vm).Get("stringify"))
	before, err := e.vm.RunString(`[typeof JSON.stringify, JSON.stringify.name, JSON.stringify.length, String(JSON.stringify),
		JSON.stringify(Object.getOwnPropertyDescriptor(JSON, "stringify"), ["writable", "enumerable", "configurable"])].join(" | ")`)
	if err != nil {
		t.Fatal(err)
	}
	e.w.InstallStringify()
	if after, _ := e.vm.RunString(`[typeof JSON.stringify, JSON.stringify.name, JSON.stringify.length, String(JSON.stringify),
		JSON.stringify(Object.getOwnPropertyDescriptor(JSON, "stringify"), ["writable", "enumerable", "configurable"])].join(" | ")`); after.String() != before.String() {
		t.Errorf("JSON.stringify looks like %s, was %s", after, before)
	}
	if _, err := e.vm.RunString(`new JSON.stringify({})`); err == nil || !strings.Contains(err.Error(), "TypeError") {
		t.Errorf("new JSON.stringify: %v, want a TypeError", err)
	}
	run := func(f, expr, args string) string {
		r, err := e.vm.RunString(`(() => {
			globalThis.log = [];
			let out;
			try {
				const r = ` + f + `.call(null, ` + expr + args + `);
				out = r === undefined ? "undefined" : "=" + r;
			} catch (e) {
				out = "threw " + e.name + ": " + e.message;
			}
			return out + " | log: " + log.join(", ");
		})()`)
		if err != nil {
			t.Fatalf("%s(%s%s): %v", f, expr, args, err)
		}
		return r.String()
	}
	calls := []string{"", ", null", ", undefined, null", ", 5, null", `, "x"`, ", null, 2", `, null, "	"`, `, ["a", "b", 0]`,
		", (k, v) => typeof v === 'number' ? v + 1 : v", ", undefined, new Number(3)", ", null, ''"}
	for _, c := range append(stringifyCases, `({a: 1, b: [1, {a: 2, c: 3}], 0: "zero"})`) {
		for _, args := range calls {
			if got, want := run("JSON.stringify", c, args), run("builtin", c, args); got != want {
				t.Errorf("JSON.stringify(%s%s)\n got  %s\n want %s", c, args, got, want)
			}
		}
	}
}

// Prototype changes that every object sees: the writer must still match.
func TestJSONWriterWithPatchedPrototypes(t *testing.T) {
	setups := []struct{ setup, teardown string }{
		{`Object.prototype.toJSON = function (k) { log.push("proto " + k); return "P" + k }`, `delete Object.prototype.toJSON`},
		{`Array.prototype.toJSON = function (k) { return "A" + k }`, `delete Array.prototype.toJSON`},
		{`BigInt.prototype.toJSON = function () { return this.toString() }`, `delete BigInt.prototype.toJSON`},
		{`Object.defineProperty(Object.prototype, "toJSON", {get() { log.push("getter"); return undefined }, configurable: true})`, `delete Object.prototype.toJSON`},
		{`Object.prototype.inherited = 1`, `delete Object.prototype.inherited`},
	}
	exprs := []string{`({a: 1, b: [1, {c: 2}]})`, `[1, [2]]`, `({n: 10n})`, `10n`, `({d: new Date(0)})`, `"s"`}
	e := newStringifyEnv(t)
	for _, s := range setups {
		if _, err := e.vm.RunString("globalThis.log = [];" + s.setup); err != nil {
			t.Fatal(err)
		}
		for _, x := range exprs {
			e.check(x)
		}
		if _, err := e.vm.RunString(s.teardown); err != nil {
			t.Fatal(err)
		}
	}
}

// A getter or toJSON that calls back into the writer (Response.json inside a
// toJSON) gets a result of its own and leaves the outer one intact.
func TestJSONWriterReentrant(t *testing.T) {
	e := newStringifyEnv(t)
	_ = e.vm.Set("inner", func(v goja.Value) string {
		b, _ := e.w.Marshal(v)
		return string(b)
	})
	e.check(`({a: [1, 2], get b() { return inner({x: [3, {y: 4}]}) }, c: {toJSON() { return inner([5]) }}, d: 6})`)
	got := e.run(`({a: [1, 2], get b() { return inner({x: [3, {y: 4}]}) }, c: {toJSON() { return inner([5]) }}, d: 6})`, true)
	if want := `={"a":[1,2],"b":"{\"x\":[3,{\"y\":4}]}","c":"[5]","d":6}`; got.out != want {
		t.Errorf("got %s, want %s", got.out, want)
	}
}

func TestJSONWriterDepth(t *testing.T) {
	e := newStringifyEnv(t)
	e.check(`(() => { let v = 1; for (let i = 0; i < 5000; i++) v = [v]; return v })()`)
	got := e.run(`(() => { let v = {}; for (let i = 0; i < 10001; i++) v = {v}; return v })()`, true)
	if want := "RangeError: Maximum call stack size exceeded (JSON nested deeper than 10000 levels)"; got.err != want {
		t.Errorf("10,001 levels: %+v, want %s", got, want)
	}
}

// Every float64 formats as goja's Number toString does.
func TestJSONWriterNumbers(t *testing.T) {
	vm := goja.New()
	w := js.NewJSONWriter(vm)
	r := rand.New(rand.NewPCG(3, 4))
	check := func(f float64) {
		v := vm.ToValue(f)
		want := v.String()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			want = "null"
		}
		got, _ := w.Marshal(v)
		if string(got) != want {
			t.Fatalf("%v (%#x): got %s, want %s", f, math.Float64bits(f), got, want)
		}
	}
	for _, f := range []float64{0, 1, -1, 0.5, 1e21, 1e20, 999999999999999900000, 1e-6, 1e-7, 1.5e-7, 5e-324, math.MaxFloat64, 1 << 53, 1<<53 + 2, 1 << 63, 1 << 64, 123456.789, math.Pi} {
		check(f)
		check(-f)
	}
	for i := 0; i < 200000; i++ {
		switch i % 3 {
		case 0:
			check(math.Float64frombits(r.Uint64()))
		case 1:
			check(float64(r.Int64N(1<<60)) / math.Pow(10, float64(r.IntN(30))))
		default:
			f, _ := strconv.ParseFloat(fmt.Sprintf("%de%d", r.IntN(100000), r.IntN(60)-30), 64)
			check(f)
		}
	}
}

// randomJS writes a JS expression for a random value: nested objects and
// arrays, strings of random UTF-16 code units (lone surrogates included),
// numbers from random bits, and now and then a getter, a toJSON, a
// function, undefined, a Date or a Map.
func randomJS(r *rand.Rand, sb *strings.Builder, depth int) {
	k := r.IntN(14)
	if depth > 4 {
		k = 4 + r.IntN(10)
	}
	switch k {
	case 0, 1:
		sb.WriteByte('{')
		n := r.IntN(6)
		for i := 0; i < n; i++ {
			if i > 0 {
				sb.WriteByte(',')
			}
			var key string
			if r.IntN(2) == 0 {
				key = strconv.Quote(jsonTestKeys[r.IntN(len(jsonTestKeys))])
			} else {
				key = randomJSString(r)
			}
			switch r.IntN(12) {
			case 0:
				fmt.Fprintf(sb, `get [%s]() { log.push("get"); return `, key)
				randomJS(r, sb, depth+1)
				sb.WriteString(` }`)
			case 1:
				sb.WriteString(`toJSON(k) { log.push("toJSON " + k); return `)
				randomJS(r, sb, depth+1)
				sb.WriteString(` }`)
			default:
				fmt.Fprintf(sb, "[%s]: ", key)
				randomJS(r, sb, depth+1)
			}
		}
		sb.WriteByte('}')
	case 2, 3:
		sb.WriteByte('[')
		n := r.IntN(6)
		for i := 0; i < n; i++ {
			if i > 0 {
				sb.WriteByte(',')
			}
			if r.IntN(20) > 0 {
				randomJS(r, sb, depth+1)
			}
		}
		sb.WriteByte(']')
	case 4, 5, 6:
		sb.WriteString(randomJSString(r))
	case 7, 8:
		switch f := math.Float64frombits(r.Uint64()); {
		case r.IntN(2) == 0:
			fmt.Fprint(sb, r.IntN(2000)-1000)
		case math.IsNaN(f):
			sb.WriteString("NaN")
		case math.IsInf(f, 0) || r.IntN(10) == 0:
			sb.WriteString("-Infinity")
		default:
			sb.WriteString("(" + strconv.FormatFloat(f, 'g', -1, 64) + ")")
		}
	case 9:
		sb.WriteString([]string{"true", "false", "null", "undefined"}[r.IntN(4)])
	case 10:
		sb.WriteString([]string{`(() => 1)`, `new Date(86400000)`, `new Map()`, `Symbol()`, `-0`, `new String("w")`}[r.IntN(6)])
	default:
		fmt.Fprint(sb, r.IntN(100))
	}
}

func randomJSString(r *rand.Rand) string {
	var sb strings.Builder
	sb.WriteByte('"')
	n := r.IntN(10)
	if r.IntN(8) == 0 {
		n = 20 + r.IntN(30)
	}
	for i := 0; i < n; i++ {
		switch r.IntN(8) {
		case 0:
			fmt.Fprintf(&sb, `\u%04x`, r.IntN(0x10000))
		case 1:
			fmt.Fprintf(&sb, `\u%04x`, r.IntN(0x20))
		case 2:
			fmt.Fprintf(&sb, `\u%04x`, 0xD800+r.IntN(0x800))
		default:
			c := byte(' ' + r.IntN(95))
			if c == '"' || c == '\\' {
				sb.WriteByte('\\')
			}
			sb.WriteByte(c)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

func TestJSONWriterRandom(t *testing.T) {
	e := newStringifyEnv(t)
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 3000; i++ {
		var sb strings.Builder
		randomJS(r, &sb, 0)
		e.check(sb.String())
		if t.Failed() {
			return
		}
	}
}
