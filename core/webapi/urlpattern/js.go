package urlpattern

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

// glueSrc declares the class in JS so that calling URLPattern without new
// throws, subclasses get their prototype, and the constructor has the
// right name and length; the arguments go straight to Go, which resolves
// the two WebIDL overloads by count and type.
const glueSrc = `(function (make) {
	"use strict";
	class URLPattern { constructor(...args) { return make(new.target, args); } }
	return URLPattern;
})`

var (
	glueOnce sync.Once
	glue     *goja.Program
)

// patternObject is the Go state behind a JS URLPattern.
type patternObject struct {
	js.Expando
	p *Pattern
}

// api is one runtime's URLPattern state; only the runtime's goroutine
// touches it.
type api struct {
	vm          *goja.Runtime
	proto       *goja.Object
	objectProto *goja.Object // Object.prototype, for results
	groups      []group      // scratch for exec, reused
	// last caches the components of the last URL string matched: routers
	// test one request URL against many patterns, and parsing the URL
	// costs more than matching it.
	last struct {
		input, base string
		hasBase, ok bool
		v           urlValues
	}
}

// initMembers are URLPatternInit's members in WebIDL order (lexicographic),
// the order a dictionary is read in.
var initMembers = []struct {
	name string
	c    Component // nComponents for baseURL
}{
	{"baseURL", nComponents}, {"hash", cHash}, {"hostname", cHostname}, {"password", cPassword},
	{"pathname", cPathname}, {"port", cPort}, {"protocol", cProtocol}, {"search", cSearch}, {"username", cUsername},
}

// Install defines URLPattern on vm's global object. Call it once per
// runtime, on the goroutine that owns vm.
func Install(vm *goja.Runtime) {
	glueOnce.Do(func() { glue = goja.MustCompile("urlpattern-glue.js", glueSrc, true) })
	a := &api{vm: vm}
	a.objectProto = vm.NewObject().Prototype()
	f, err := vm.RunProgram(glue)
	if err != nil {
		panic(err)
	}
	factory, _ := goja.AssertFunction(f)
	v, err := factory(goja.Undefined(), vm.ToValue(a.construct))
	if err != nil {
		panic(err)
	}
	ctor := v.(*goja.Object)
	a.proto = ctor.Get("prototype").(*goja.Object)
	a.installProto()
	_ = vm.GlobalObject().DefineDataProperty("URLPattern", ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

func (a *api) installProto() {
	vm, proto := a.vm, a.proto
	for c := range nComponents {
		js.Attribute(vm, proto, c.String(), func(call goja.FunctionCall) goja.Value {
			return vm.ToValue(a.this(call).p.comps[c].pattern)
		}, nil)
	}
	js.Attribute(vm, proto, "hasRegExpGroups", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(a.this(call).p.hasRegexpGroups)
	}, nil)
	js.Operation(vm, proto, "test", 0, func(call goja.FunctionCall) goja.Value {
		defer a.guard()
		p := a.this(call).p
		v, _, ok := a.matchInput(call, false)
		return vm.ToValue(ok && p.test(&v))
	})
	js.Operation(vm, proto, "exec", 0, func(call goja.FunctionCall) goja.Value {
		defer a.guard()
		p := a.this(call).p
		v, inputs, ok := a.matchInput(call, true)
		if !ok {
			return goja.Null()
		}
		groups, ends, ok := p.exec(&v, a.groups[:0])
		a.groups = groups[:0]
		if !ok {
			return goja.Null()
		}
		return a.newResult(p, &v, inputs, groups, ends)
	})
	js.ToStringTag(vm, proto, "URLPattern")
}

// guard turns a Go panic (a bug) into a TypeError, so that it ends the
// script's call rather than the runtime's goroutine. JS exceptions pass.
func (a *api) guard() {
	if r := recover(); r != nil {
		switch r.(type) {
		case *goja.Object, *goja.Exception, goja.Value, *goja.InterruptedError:
			panic(r)
		}
		js.TypeError(a.vm, fmt.Sprintf("URLPattern internal error: %v", r))
	}
}

func (a *api) this(call goja.FunctionCall) *patternObject {
	o, ok := js.Unwrap[*patternObject](call.This)
	if !ok {
		js.TypeError(a.vm, "Illegal invocation")
	}
	return o
}

// construct resolves the constructor overloads:
//
//	(URLPatternInput input, USVString baseURL, optional URLPatternOptions options = {})
//	(optional URLPatternInput input = {}, optional URLPatternOptions options = {})
//
// With two arguments the second picks: a dictionary (object, undefined or
// null) is options, anything else a base URL.
func (a *api) construct(call goja.FunctionCall) goja.Value {
	defer a.guard()
	vm := a.vm
	newTarget := call.Argument(0)
	argv := call.Argument(1).ToObject(vm)
	n := int(argv.Get("length").ToInteger())
	arg := func(i int) goja.Value {
		if i < n {
			return argv.Get(strconv.Itoa(i))
		}
		return goja.Undefined()
	}
	input := arg(0)
	var baseURL *string
	var optsV goja.Value
	if n >= 3 || n == 2 && !isDictionary(arg(1)) {
		s := usv(vm, arg(1))
		baseURL = &s
		optsV = arg(2)
	} else {
		optsV = arg(1)
	}
	var opts Options
	if !js.IsNullish(optsV) {
		o, ok := optsV.(*goja.Object)
		if !ok {
			js.TypeError(vm, "Failed to construct 'URLPattern': The provided value is not of type 'URLPatternOptions'.")
		}
		if ic := o.Get("ignoreCase"); ic != nil {
			opts.IgnoreCase = ic.ToBoolean()
		}
	}
	var p *Pattern
	var err error
	if isDictionary(input) {
		in := a.readInit(input)
		p, err = create("", baseURL, &in, opts)
	} else {
		p, err = create(usv(vm, input), baseURL, nil, opts)
	}
	if err != nil {
		js.TypeError(vm, "Failed to construct 'URLPattern': "+err.Error())
	}
	obj := vm.NewDynamicObject(&patternObject{p: p})
	proto := a.proto
	if nt, ok := newTarget.(*goja.Object); ok {
		if pr, ok := nt.Get("prototype").(*goja.Object); ok {
			proto = pr
		}
	}
	_ = obj.SetPrototype(proto)
	return obj
}

// isDictionary reports whether a union (USVString or URLPatternInit)
// value converts as the dictionary: objects, undefined and null.
func isDictionary(v goja.Value) bool {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return true
	}
	_, ok := v.(*goja.Object)
	return ok
}

// readInit converts a JS value to a URLPatternInit, reading members in
// WebIDL order.
func (a *api) readInit(v goja.Value) initRec {
	var r initRec
	o, ok := v.(*goja.Object)
	if !ok {
		return r
	}
	for _, m := range initMembers {
		mv := o.Get(m.name)
		if mv == nil || goja.IsUndefined(mv) {
			continue
		}
		s := usv(a.vm, mv)
		if m.c == nComponents {
			r.baseURL, r.hasBase = s, true
		} else {
			r.set(m.c, s)
		}
	}
	return r
}

// matchInput converts test/exec arguments (input = {}, baseURL?) to the
// values to match. ok false means no match; invalid combinations throw.
// With wantInputs, inputs are the values for the result's inputs array.
func (a *api) matchInput(call goja.FunctionCall, wantInputs bool) (v urlValues, inputs []goja.Value, ok bool) {
	vm := a.vm
	input := call.Argument(0)
	baseV := call.Argument(1)
	hasBase := !goja.IsUndefined(baseV)
	if isDictionary(input) {
		if hasBase {
			js.TypeError(vm, "a base URL is not allowed with a URLPatternInit (use its baseURL member)")
		}
		in := a.readInit(input)
		if v, ok = initValues(&in); ok && wantInputs {
			inputs = []goja.Value{a.initObject(&in)}
		}
		return v, inputs, ok
	}
	s := usv(vm, input)
	var b string
	if hasBase {
		b = usv(vm, baseV)
	}
	if wantInputs {
		inputs = []goja.Value{vm.ToValue(s)}
		if hasBase {
			inputs = append(inputs, vm.ToValue(b))
		}
	}
	l := &a.last
	if l.input != s || l.hasBase != hasBase || l.base != b {
		l.input, l.base, l.hasBase = s, b, hasBase
		if hasBase {
			l.v, l.ok = stringValues(s, &b)
		} else {
			l.v, l.ok = stringValues(s, nil)
		}
	}
	return l.v, inputs, l.ok
}

// initObject converts a URLPatternInit back to a JS object with its
// present members. Results list members in declaration order, as workerd
// does (WebIDL would sort them).
func (a *api) initObject(in *initRec) goja.Value {
	o := a.vm.NewObject()
	for c := range nComponents {
		if in.present(c) {
			_ = o.Set(c.String(), in.v[c])
		}
	}
	if in.hasBase {
		_ = o.Set("baseURL", in.baseURL)
	}
	return o
}

// usv converts v to a USVString: ToString with lone surrogates replaced
// (goja's String does that); Symbols throw a TypeError.
func usv(vm *goja.Runtime, v goja.Value) string {
	if _, ok := v.(*goja.Symbol); ok {
		js.TypeError(vm, "Cannot convert a Symbol value to a string")
	}
	return v.String()
}
