// Package encoding installs the WHATWG Encoding API (TextEncoder, TextDecoder)
// and the HTML base64 utilities (atob, btoa) on a goja runtime. Encoding and
// decoding run in Go: UTF-8 and UTF-16 natively, the other WHATWG encodings
// through golang.org/x/text.
//
//	vm := goja.New()
//	encoding.Install(vm)
//	vm.RunString(`new TextDecoder().decode(new TextEncoder().encode("€"))`) // "€"
//
// Invariant: like every JS value, the objects are touched only by the
// goroutine that owns vm.
package encoding

import (
	"sync"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

// api holds one runtime's prototypes; Install makes one per runtime.
type api struct {
	vm           *goja.Runtime
	encoderProto *goja.Object
	decoderProto *goja.Object
}

// Install defines TextEncoder, TextDecoder, atob and btoa on vm's global
// object. Call it once per runtime, before any script runs.
func Install(vm *goja.Runtime) {
	a := &api{vm: vm}
	encCtor, decCtor := a.classes()
	a.encoderProto = encCtor.Get("prototype").(*goja.Object)
	a.decoderProto = decCtor.Get("prototype").(*goja.Object)
	a.installEncoder()
	a.installDecoder()
	g := vm.GlobalObject()
	_ = g.DefineDataProperty("TextEncoder", encCtor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = g.DefineDataProperty("TextDecoder", decCtor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	js.Operation(vm, g, "atob", 1, a.atob)
	js.Operation(vm, g, "btoa", 1, a.btoa)
}

// glueSrc declares the classes in JS because goja gives a native constructor
// no way to tell `new TextDecoder()` from `TextDecoder()`, which WebIDL
// requires to throw; a class does that, passes new.target for subclasses and
// gives the constructors their names and lengths (both 0).
const glueSrc = `(function (makeEncoder, makeDecoder) {
	"use strict";
	class TextEncoder { constructor() { return makeEncoder(new.target); } }
	class TextDecoder { constructor(label = undefined, options = undefined) { return makeDecoder(new.target, label, options); } }
	return [TextEncoder, TextDecoder];
})`

var (
	glueOnce sync.Once
	glue     *goja.Program
)

// classes runs the glue (compiled once per process) and returns the two
// constructors.
func (a *api) classes() (enc, dec *goja.Object) {
	glueOnce.Do(func() { glue = goja.MustCompile("encoding-glue.js", glueSrc, true) })
	vm := a.vm
	f, err := vm.RunProgram(glue)
	if err != nil {
		panic(err)
	}
	factory, _ := goja.AssertFunction(f)
	res, err := factory(goja.Undefined(), vm.ToValue(a.constructEncoder), vm.ToValue(a.constructDecoder))
	if err != nil {
		panic(err)
	}
	pair := res.(*goja.Object)
	return pair.Get("0").(*goja.Object), pair.Get("1").(*goja.Object)
}

// wrap returns a JS object for d whose prototype comes from newTarget (a
// subclass) or is def.
func (a *api) wrap(d goja.DynamicObject, newTarget goja.Value, def *goja.Object) *goja.Object {
	proto := def
	if nt, ok := newTarget.(*goja.Object); ok {
		if p, ok := nt.Get("prototype").(*goja.Object); ok {
			proto = p
		}
	}
	obj := a.vm.NewDynamicObject(d)
	_ = obj.SetPrototype(proto)
	return obj
}

// toString is WebIDL's DOMString conversion. goja's String replaces lone
// surrogates by U+FFFD, which makes it the USVString conversion as well; the
// difference never shows in the APIs here (TextEncoder takes USVStrings, and
// atob/btoa reject every non-ASCII or non-Latin-1 character either way).
func toString(vm *goja.Runtime, v goja.Value) string {
	if _, ok := v.(*goja.Symbol); ok {
		js.TypeError(vm, "Cannot convert a Symbol value to a string")
	}
	return v.String()
}
