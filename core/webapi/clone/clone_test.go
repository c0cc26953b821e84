package clone_test

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi/clone"
	"github.com/ferry-run/ferry/core/webapi/events"
)

func newVM(t testing.TB) *goja.Runtime {
	t.Helper()
	vm := goja.New()
	events.Install(loop.New(vm))
	clone.Install(vm)
	return vm
}

func eval(t testing.TB, vm *goja.Runtime, src string) goja.Value {
	t.Helper()
	v, err := vm.RunString(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return v
}

// The byte format is stored (queues, Durable Object storage): these encodings
// must not change.
func TestSerializeFormat(t *testing.T) {
	cases := []struct{ src, hex string }{
		{`undefined`, "ff46015f"},
		{`null`, "ff460130"},
		{`true`, "ff460154"},
		{`-3`, "ff46014905"},
		{`0.5`, "ff46014e000000000000e03f"},
		{`"hi"`, "ff460153026869"},
		{`"\u00e9"`, "ff46015501e900"},
		{`-255n`, "ff46015a0101ff"},
		{`({a: 1})`, "ff46016f0101614902"},
		{`[1, , 3]`, "ff46017303020130490201324906"},
		{`(() => { const o = {}; o.o = o; return o })()`, "ff46016f01016f7200"},
		{`new Date(0)`, "ff4601440000000000000000"},
		{`/a/g`, "ff4601525301615301 67"},
		{`new Map([[1, 2]])`, "ff46014d0149024904"},
		{`new Uint8Array([7]).subarray(1)`, "ff4601560201004201 07"},
		{`(() => { const e = new TypeError("m"); delete e.stack; return e })()`, "ff460165 53095479706545727 26f72 01 53016d"},
	}
	vm := newVM(t)
	for _, c := range cases {
		want := strings.ReplaceAll(c.hex, " ", "")
		b, err := clone.Serialize(vm, eval(t, vm, c.src))
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if got := hex.EncodeToString(b); got != want {
			t.Errorf("Serialize(%s) = %s, want %s", c.src, got, want)
		}
	}
}

func TestSerializeRoundTrip(t *testing.T) {
	vm := newVM(t)
	// Each value is serialized, deserialized and compared by a JS check that
	// receives the copy as c and the original as o.
	cases := []struct{ src, check string }{
		{`({n: -0, big: 123456789012345678901234567890n, s: "\ud83d", u: undefined})`,
			`Object.is(c.n, -0) && c.big === o.big && c.s === "\ud83d" && "u" in c`},
		{`(() => { const b = new ArrayBuffer(8); return [b, new Float64Array(b), new DataView(b, 2)] })()`,
			`c[1].buffer === c[0] && c[2].buffer === c[0] && c[2].byteOffset === 2`},
		{`new Set(["a", {x: 1}])`, `c instanceof Set && c.size === 2`},
		{`(() => { const e = new RangeError("r", {cause: 1}); return e })()`,
			`c instanceof RangeError && c.message === "r" && c.cause === 1 && c.stack === o.stack`},
		{`new DOMException("m", "SyntaxError")`, `c instanceof DOMException && c.code === 12 && c.message === "m"`},
		{`[new String("s"), new Number(2), new Boolean(false), Object(5n)]`,
			`c[0] instanceof String && c[0].valueOf() === "s" && c[1].valueOf() === 2 && c[2].valueOf() === false && typeof c[3] === "object" && c[3].valueOf() === 5n`},
	}
	for _, c := range cases {
		o := eval(t, vm, c.src)
		b, err := clone.Serialize(vm, o)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		copied, err := clone.Deserialize(vm, b)
		if err != nil {
			t.Errorf("%s: Deserialize: %v", c.src, err)
			continue
		}
		_ = vm.Set("o", o)
		_ = vm.Set("c", copied)
		if !eval(t, vm, c.check).ToBoolean() {
			t.Errorf("%s: check %s failed", c.src, c.check)
		}
	}
}

func TestSerializeErrors(t *testing.T) {
	vm := newVM(t)
	for _, src := range []string{`(function f() {})`, `Symbol("x")`, `new WeakMap()`, `new EventTarget()`} {
		_, err := clone.Serialize(vm, eval(t, vm, src))
		var ex *goja.Exception
		if !errors.As(err, &ex) {
			t.Errorf("%s: err %v, want a JS exception", src, err)
			continue
		}
		if name, _, ok := events.DOMExceptionOf(ex.Value()); !ok || name.String() != "DataCloneError" {
			t.Errorf("%s: threw %v, want a DataCloneError", src, ex.Value())
		}
	}
}

func TestDeserializeRejectsCorruptInput(t *testing.T) {
	vm := newVM(t)
	good, err := clone.Serialize(vm, eval(t, vm, `({a: [1, "x", new Map([[1, new Uint16Array(2)]])], d: new Date(5)})`))
	if err != nil {
		t.Fatal(err)
	}
	bad := [][]byte{nil, {0xff}, {0xff, 'F', 2, '_'}, {0xff, 'F', 1}, {0xff, 'F', 1, '?'}, {0xff, 'F', 1, '_', '_'},
		{0xff, 'F', 1, 'r', 0}, {0xff, 'F', 1, 'X', 0}, {0xff, 'F', 1, 't', 0},
		{0xff, 'F', 1, 'S', 0xff, 0xff, 0xff, 0xff, 0x0f},
		{0xff, 'F', 1, 'V', 5, 1, 1, 'B', 2, 0, 0}, // misaligned Uint16Array
		{0xff, 'F', 1, 'V', 2, 0, 3, 'B', 2, 0, 0}, // longer than its buffer
	}
	for i := 3; i < len(good); i++ {
		bad = append(bad, good[:i])
	}
	for _, b := range bad {
		if _, err := clone.Deserialize(vm, b); err == nil {
			t.Errorf("Deserialize(%x) succeeded", b)
		} else if !errors.Is(err, clone.ErrCorrupt) {
			t.Errorf("Deserialize(%x) = %v, want ErrCorrupt", b, err)
		}
	}
}

func FuzzDeserialize(f *testing.F) {
	vm := newVM(f)
	for _, src := range []string{`({a: [1, , "x"], m: new Map([[1, 2]]), s: new Set([1])})`,
		`[new Uint8Array([1, 2]), new DataView(new ArrayBuffer(4)), new Error("e", {cause: 1n})]`,
		`(() => { const o = {}; o.o = [o, o]; return o })()`} {
		b, err := clone.Serialize(vm, eval(f, vm, src))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := clone.Deserialize(vm, b)
		if err == nil {
			// Whatever decodes must serialize again.
			if _, err := clone.Serialize(vm, v); err != nil {
				t.Errorf("re-serializing %x: %v", b, err)
			}
		}
	})
}

// blob is a stand-in for a Go-backed class other families register.
type blob struct {
	js.Expando
	data string
}

func TestRegisteredTypes(t *testing.T) {
	vm := newVM(t)
	class := js.NewClass(vm, "Blobish", 1, func(call goja.ConstructorCall) goja.DynamicObject {
		return &blob{data: call.Argument(0).String()}
	})
	class.Getter("data", func(call goja.FunctionCall) goja.Value { return vm.ToValue(js.This[*blob](vm, call).data) })
	_ = vm.Set("Blobish", class.Ctor)
	clone.Register(clone.Type[*blob]{
		Name:      "test.Blobish",
		Serialize: func(vm *goja.Runtime, b *blob) ([]byte, error) { return []byte(b.data), nil },
		Deserialize: func(vm *goja.Runtime, data []byte) (goja.Value, error) {
			return class.Wrap(&blob{data: string(data)}), nil
		},
	})
	v := eval(t, vm, `const b = new Blobish("payload"); const c = structuredClone({b, again: b}); [c.b instanceof Blobish, c.b !== b, c.b.data, c.again === c.b].join()`)
	if v.String() != "true,true,payload,true" {
		t.Errorf("structuredClone of a registered type: %s", v)
	}
	b, err := clone.Serialize(vm, eval(t, vm, `b`))
	if err != nil {
		t.Fatal(err)
	}
	back, err := clone.Deserialize(vm, b)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := js.Unwrap[*blob](back); !ok || got.data != "payload" {
		t.Errorf("Deserialize gave %v", back)
	}
	// An unknown type name in stored bytes is a DataCloneError, not a crash.
	bad := append([]byte{0xff, 'F', 1, 'H', 7}, "unknown"...)
	bad = append(bad, 0)
	if _, err := clone.Deserialize(vm, bad); err == nil {
		t.Error("unknown type deserialized")
	}
}

func TestPrepareSnapshotsTheValue(t *testing.T) {
	vm := newVM(t)
	o := eval(t, vm, `globalThis.o = {n: 1, buf: new Uint8Array([1])}; o`)
	m, err := clone.Prepare(vm, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	eval(t, vm, `o.n = 2; o.buf[0] = 9`)
	c, err := m.Receive(vm)
	if err != nil {
		t.Fatal(err)
	}
	_ = vm.Set("c", c)
	if v := eval(t, vm, `c.n + ":" + c.buf[0]`); v.String() != "1:1" {
		t.Errorf("received %s, want the value as it was when prepared", v)
	}
}

func BenchmarkStructuredClone(b *testing.B) {
	vm := newVM(b)
	v := eval(b, vm, `({id: 1, name: "item", tags: ["a", "b", "c"], nested: {when: new Date(0), n: [1, 2, 3, 4, 5]}, bytes: new Uint8Array(64)})`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := clone.Clone(vm, v, nil); err != nil {
			b.Fatal(err)
		}
	}
}
