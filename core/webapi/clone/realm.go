package clone

import (
	"strconv"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/webapi/events"
)

// realm holds the built-ins of one runtime that the algorithm calls, captured
// once, so that scripts patching Map.prototype.forEach or a typed array's
// getters do not change what gets cloned (the standard reads internal slots).
type realm struct {
	objectProto, dataViewProto, weakMapProto, weakSetProto *goja.Object

	getOwnPropertyDescriptor goja.Callable
	mapForEach, setForEach   goja.Callable
	mapSet, setAdd           goja.Callable
	mapCtor, setCtor         goja.Constructor
	arrayPush                goja.Callable
	dateGetTime              goja.Callable
	dateCtor                 goja.Constructor
	regexpSource, regexpFlag goja.Callable
	regexpCtor               goja.Constructor
	booleanValueOf           goja.Callable
	numberValueOf            goja.Callable
	stringValueOf            goja.Callable
	weakMapHas, weakSetHas   goja.Callable

	typedArrayTag, typedArrayBuffer goja.Callable
	typedArrayOffset, typedArrayLen goja.Callable
	dataViewBuffer, dataViewOffset  goja.Callable
	dataViewLength                  goja.Callable
	viewCtors                       [viewDataView + 1]goja.Constructor
	viewKinds                       map[string]byte

	errorCtors map[string]goja.Constructor
}

// View kinds in the format.
const (
	viewInt8 = iota + 1
	viewUint8
	viewUint8Clamped
	viewInt16
	viewUint16
	viewInt32
	viewUint32
	viewFloat32
	viewFloat64
	viewBigInt64
	viewBigUint64
	viewDataView
)

var viewNames = [...]string{viewInt8: "Int8Array", viewUint8: "Uint8Array", viewUint8Clamped: "Uint8ClampedArray",
	viewInt16: "Int16Array", viewUint16: "Uint16Array", viewInt32: "Int32Array", viewUint32: "Uint32Array",
	viewFloat32: "Float32Array", viewFloat64: "Float64Array", viewBigInt64: "BigInt64Array",
	viewBigUint64: "BigUint64Array", viewDataView: "DataView"}

var errorNames = []string{"Error", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError"}

var realmKey = goja.NewSymbol("ferry.clone")

// realmOf returns vm's captured built-ins, capturing them on first use.
func realmOf(vm *goja.Runtime) *realm {
	g := vm.GlobalObject()
	if r, ok := events.InternalSymbol(g, realmKey).(*realm); ok {
		return r
	}
	r := &realm{viewKinds: map[string]byte{}, errorCtors: map[string]goja.Constructor{}}
	obj := func(v goja.Value) *goja.Object { o, _ := v.(*goja.Object); return o }
	ctor := func(name string) *goja.Object { return obj(g.Get(name)) }
	proto := func(name string) *goja.Object { return obj(ctor(name).Get("prototype")) }
	fn := func(o *goja.Object, name string) goja.Callable { f, _ := goja.AssertFunction(o.Get(name)); return f }
	getter := func(o *goja.Object, name string) goja.Callable {
		d, _ := goja.AssertFunction(ctor("Object").Get("getOwnPropertyDescriptor"))
		desc, err := d(goja.Undefined(), o, vm.ToValue(name))
		if err != nil {
			return nil
		}
		f, _ := goja.AssertFunction(obj(desc).Get("get"))
		return f
	}
	getterSym := func(o *goja.Object, sym *goja.Symbol) goja.Callable {
		d, _ := goja.AssertFunction(ctor("Object").Get("getOwnPropertyDescriptor"))
		desc, err := d(goja.Undefined(), o, sym)
		if err != nil {
			return nil
		}
		f, _ := goja.AssertFunction(obj(desc).Get("get"))
		return f
	}
	construct := func(name string) goja.Constructor { c, _ := goja.AssertConstructor(ctor(name)); return c }

	r.objectProto = proto("Object")
	r.dataViewProto = proto("DataView")
	r.weakMapProto = proto("WeakMap")
	r.weakSetProto = proto("WeakSet")
	r.getOwnPropertyDescriptor = fn(ctor("Object"), "getOwnPropertyDescriptor")
	r.mapForEach, r.mapSet = fn(proto("Map"), "forEach"), fn(proto("Map"), "set")
	r.setForEach, r.setAdd = fn(proto("Set"), "forEach"), fn(proto("Set"), "add")
	r.mapCtor, r.setCtor = construct("Map"), construct("Set")
	r.arrayPush = fn(proto("Array"), "push")
	r.dateGetTime, r.dateCtor = fn(proto("Date"), "getTime"), construct("Date")
	r.regexpSource, r.regexpFlag = getter(proto("RegExp"), "source"), getter(proto("RegExp"), "flags")
	r.regexpCtor = construct("RegExp")
	r.booleanValueOf = fn(proto("Boolean"), "valueOf")
	r.numberValueOf = fn(proto("Number"), "valueOf")
	r.stringValueOf = fn(proto("String"), "valueOf")
	r.weakMapHas, r.weakSetHas = fn(r.weakMapProto, "has"), fn(r.weakSetProto, "has")

	typedArrayProto := proto("Uint8Array").Prototype() // %TypedArray%.prototype
	r.typedArrayTag = getterSym(typedArrayProto, goja.SymToStringTag)
	r.typedArrayBuffer = getter(typedArrayProto, "buffer")
	r.typedArrayOffset = getter(typedArrayProto, "byteOffset")
	r.typedArrayLen = getter(typedArrayProto, "length")
	r.dataViewBuffer = getter(r.dataViewProto, "buffer")
	r.dataViewOffset = getter(r.dataViewProto, "byteOffset")
	r.dataViewLength = getter(r.dataViewProto, "byteLength")
	for k := viewInt8; k <= viewDataView; k++ {
		r.viewCtors[k] = construct(viewNames[k])
		r.viewKinds[viewNames[k]] = byte(k)
	}
	for _, n := range errorNames {
		r.errorCtors[n] = construct(n)
	}
	events.SetInternalSymbol(vm, g, realmKey, r)
	return r
}

func itoa(i int) string { return strconv.Itoa(i) }
