package js

import (
	"runtime"
	"sync"
	"weak"

	"github.com/dop251/goja"
)

// Lazy properties: a family whose globals are costly to make (the streams
// script is 129 KB of JS to compile and evaluate) defines them with
// Lazy.Define, and they are made the first time anything looks at them.
//
// Until then each is an accessor property whose getter makes the value (the
// whole family, usually) and replaces the accessor by the data property the
// family would have defined, with the attributes it would have had; the
// setter stores an assigned value as that data property would have. So
// reading, typeof, `in`, assignment, delete, Object.keys and property order
// behave as with the data property. The reflective operations that could
// tell an accessor from a data property (Object.getOwnPropertyDescriptor(s),
// Reflect.getOwnPropertyDescriptor, Object.defineProperty/defineProperties,
// Reflect.defineProperty, Object.freeze and Object.seal) are replaced, once
// per runtime, by functions that make the pending properties they touch
// first and then call the original; they have the originals' name, length
// and property attributes. What still sees the accessor: a Proxy with no
// getOwnPropertyDescriptor trap wrapping an object with pending properties.
//
// Everything here runs on the runtime's loop goroutine.

// Lazy is one runtime's set of lazily made properties.
type Lazy struct {
	vm      *goja.Runtime
	props   []*lazyProp
	pending int // props still lazyPending or lazyMaking
	gopd    goja.Callable
	toKey   goja.Callable // ToPropertyKey, for object keys
}

type lazyProp struct {
	obj                                *goja.Object
	name                               string
	make                               func() goja.Value
	getter                             *goja.Object
	writable, enumerable, configurable goja.Flag
	state                              uint8
	v                                  goja.Value
}

const (
	lazyPending uint8 = iota
	lazyMaking
	lazyDone
)

// lazies finds a runtime's Lazy; neither side is held strongly (the patched
// built-ins in the runtime's heap keep the Lazy alive).
var lazies sync.Map // weak.Pointer[goja.Runtime] → weak.Pointer[Lazy]

// LazyOf returns vm's Lazy, creating it (and replacing the reflective
// built-ins, see above) on first use. Call it before user code runs.
func LazyOf(vm *goja.Runtime) *Lazy {
	key := weak.Make(vm)
	if v, ok := lazies.Load(key); ok {
		if z := v.(weak.Pointer[Lazy]).Value(); z != nil {
			return z
		}
	}
	z := &Lazy{vm: vm}
	z.patch()
	lazies.Store(key, weak.Make(z))
	runtime.AddCleanup(vm, func(k weak.Pointer[goja.Runtime]) { lazies.Delete(k) }, key)
	return z
}

// Define makes obj[name] lazy: make is called (once) the first time the
// property is read, described or redefined, and the property then becomes a
// data property with its result and the given attributes. Only writable
// properties can be lazy (an assignment must be able to replace them).
func (z *Lazy) Define(obj *goja.Object, name string, enumerable, configurable goja.Flag, make func() goja.Value) {
	vm := z.vm
	p := &lazyProp{obj: obj, name: name, make: make, writable: goja.FLAG_TRUE, enumerable: enumerable, configurable: configurable}
	p.getter = vm.ToValue(func(goja.FunctionCall) goja.Value {
		z.make(p)
		if p.state != lazyDone {
			return goja.Undefined() // only while make runs and reads it
		}
		return p.v
	}).(*goja.Object)
	setter := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		v := call.Argument(0)
		this, ok := call.This.(*goja.Object)
		if !ok {
			return goja.Undefined()
		}
		if this != obj {
			// Assigning through an inheriting object creates an own data
			// property on it, as for an inherited writable data property.
			_ = this.DefineDataProperty(name, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
			return goja.Undefined()
		}
		if p.state != lazyDone {
			p.state = lazyDone
			z.pending--
		}
		p.v = v
		_ = obj.DefineDataProperty(name, v, p.writable, p.configurable, p.enumerable)
		return goja.Undefined()
	})
	// Configurable until made, whatever the final attributes: the data
	// property replaces it.
	_ = obj.DefineAccessorProperty(name, p.getter, setter, goja.FLAG_TRUE, enumerable)
	z.props = append(z.props, p)
	z.pending++
}

// Make makes obj[name] now if it is still lazy (a family that was made for
// another reason defines the rest of its globals this way).
func (z *Lazy) Make(obj *goja.Object, name string) {
	for _, p := range z.props {
		if p.obj == obj && p.name == name {
			z.make(p)
		}
	}
}

func (z *Lazy) make(p *lazyProp) {
	if p.state != lazyPending {
		return
	}
	p.state = lazyMaking
	defer func() {
		if p.state == lazyMaking { // make panicked: try again next time
			p.state = lazyPending
		}
	}()
	v := p.make()
	if p.state != lazyMaking {
		return // assigned meanwhile
	}
	p.v, p.state = v, lazyDone
	z.pending--
	if z.stillLazy(p) {
		_ = p.obj.DefineDataProperty(p.name, v, p.writable, p.configurable, p.enumerable)
	}
}

// stillLazy reports whether p's accessor is still in place (user code may
// have deleted the property).
func (z *Lazy) stillLazy(p *lazyProp) bool {
	d, err := z.gopd(goja.Undefined(), p.obj, z.vm.ToValue(p.name))
	if err != nil {
		return false
	}
	desc, ok := d.(*goja.Object)
	if !ok {
		return false
	}
	g, ok := desc.Get("get").(*goja.Object)
	return ok && g == p.getter
}

// makeAll makes every pending property of o.
func (z *Lazy) makeAll(o goja.Value) {
	obj, ok := o.(*goja.Object)
	if !ok {
		return
	}
	for _, p := range z.props {
		if p.obj == obj {
			z.make(p)
		}
	}
}

// makeKey makes o[key] if it is pending and returns the key converted to a
// property key (so the original does not convert an object key again).
func (z *Lazy) makeKey(o, key goja.Value) goja.Value {
	obj, ok := o.(*goja.Object)
	if !ok {
		return key
	}
	found := false
	for _, p := range z.props {
		if p.obj == obj && p.state == lazyPending {
			found = true
			break
		}
	}
	if !found {
		return key
	}
	if _, isObj := key.(*goja.Object); isObj {
		k, err := z.toKey(goja.Undefined(), key)
		if err != nil {
			panic(err)
		}
		key = k
	}
	if _, isSym := key.(*goja.Symbol); isSym || key == nil {
		return key
	}
	name := key.String()
	for _, p := range z.props {
		if p.obj == obj && p.name == name {
			z.make(p)
		}
	}
	return key
}

var (
	toKeyOnce sync.Once
	toKeyPrg  *goja.Program
)

// patch replaces the reflective built-ins that tell accessors from data
// properties (see the comment at the top).
func (z *Lazy) patch() {
	vm := z.vm
	object := vm.Get("Object").(*goja.Object)
	reflect := vm.Get("Reflect").(*goja.Object)
	toKeyOnce.Do(func() {
		// A computed key is ToPropertyKey, applied once.
		toKeyPrg = goja.MustCompile("ferry:lazy", `(ownKeys => k => ownKeys({ [k]: 0 })[0])(Reflect.ownKeys)`, true)
	})
	f, err := vm.RunProgram(toKeyPrg)
	if err != nil {
		panic(err)
	}
	z.toKey, _ = goja.AssertFunction(f)
	z.gopd, _ = goja.AssertFunction(object.Get("getOwnPropertyDescriptor"))

	wrap := func(on *goja.Object, name string, length int, before func(args []goja.Value)) {
		orig, ok := goja.AssertFunction(on.Get(name))
		if !ok {
			return
		}
		fn := NamedFunc(vm, name, length, func(call goja.FunctionCall) goja.Value {
			if z.pending > 0 && len(call.Arguments) > 0 {
				before(call.Arguments)
			}
			v, err := orig(call.This, call.Arguments...)
			if err != nil {
				panic(err)
			}
			return v
		})
		_ = on.DefineDataProperty(name, fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	byKey := func(args []goja.Value) {
		if len(args) > 1 {
			args[1] = z.makeKey(args[0], args[1])
		}
	}
	all := func(args []goja.Value) { z.makeAll(args[0]) }
	wrap(object, "getOwnPropertyDescriptor", 2, byKey)
	wrap(object, "getOwnPropertyDescriptors", 1, all)
	wrap(object, "defineProperty", 3, byKey)
	wrap(object, "defineProperties", 2, all)
	wrap(object, "freeze", 1, all)
	wrap(object, "seal", 1, all)
	wrap(reflect, "getOwnPropertyDescriptor", 2, byKey)
	wrap(reflect, "defineProperty", 3, byKey)
}
