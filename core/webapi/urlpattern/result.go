package urlpattern

import (
	"slices"

	"github.com/dop251/goja"
)

// resultObject is the JS URLPatternResult exec() returns: an ordinary
// extensible object to scripts, with members inputs, protocol, …, hash in
// that order (workerd's), whose component results are built only when a
// script reads them. A router usually reads one or two components; making
// all eight eagerly (each an object with an input and a groups object)
// took two thirds of an exec() call.
type resultObject struct {
	a      *api
	p      *Pattern
	v      urlValues
	groups []group
	ends   [nComponents]int
	inputs []goja.Value
	// vals holds each member once made or assigned: 0 is inputs, 1+c
	// component c.
	vals [nComponents + 1]goja.Value
	// gone marks members a script deleted.
	gone uint16
	// extra holds properties a script added, in insertion order.
	extra     map[string]goja.Value
	extraKeys []string
}

var _ goja.DynamicObject = (*resultObject)(nil)

// memberIndex maps a member name to its index in vals, or -1.
func memberIndex(key string) int {
	if key == "inputs" {
		return 0
	}
	for c := range nComponents {
		if componentNames[c] == key {
			return int(c) + 1
		}
	}
	return -1
}

func (r *resultObject) Get(key string) goja.Value {
	i := memberIndex(key)
	if i < 0 {
		return r.extra[key]
	}
	if r.gone&(1<<i) != 0 {
		return nil
	}
	if r.vals[i] == nil {
		r.vals[i] = r.make(i)
	}
	return r.vals[i]
}

// make builds member i: the inputs array or a URLPatternComponentResult.
func (r *resultObject) make(i int) goja.Value {
	vm := r.a.vm
	if i == 0 {
		items := make([]any, len(r.inputs))
		for j, v := range r.inputs {
			items[j] = v
		}
		return vm.NewArray(items...)
	}
	c := Component(i - 1)
	start := 0
	if c > 0 {
		start = r.ends[c-1]
	}
	g := vm.NewObject()
	names := r.p.comps[c].names
	for j, grp := range r.groups[start:r.ends[c]] {
		if grp.ok {
			_ = g.Set(names[j], grp.value)
		} else {
			_ = g.Set(names[j], goja.Undefined())
		}
	}
	cr := vm.NewObject()
	_ = cr.Set("input", r.v[c])
	_ = cr.Set("groups", g)
	return cr
}

func (r *resultObject) Set(key string, v goja.Value) bool {
	i := memberIndex(key)
	if i < 0 {
		if r.extra == nil {
			r.extra = map[string]goja.Value{}
		}
		if _, ok := r.extra[key]; !ok {
			r.extraKeys = append(r.extraKeys, key)
		}
		r.extra[key] = v
		return true
	}
	r.vals[i] = v
	r.gone &^= 1 << i
	return true
}

func (r *resultObject) Has(key string) bool {
	if i := memberIndex(key); i >= 0 {
		return r.gone&(1<<i) == 0
	}
	_, ok := r.extra[key]
	return ok
}

func (r *resultObject) Delete(key string) bool {
	if i := memberIndex(key); i >= 0 {
		r.gone |= 1 << i
		r.vals[i] = nil
		return true
	}
	if _, ok := r.extra[key]; ok {
		delete(r.extra, key)
		r.extraKeys = slices.DeleteFunc(r.extraKeys, func(k string) bool { return k == key })
	}
	return true
}

func (r *resultObject) Keys() []string {
	keys := make([]string, 0, int(nComponents)+1+len(r.extraKeys))
	if r.gone&1 == 0 {
		keys = append(keys, "inputs")
	}
	for c := range nComponents {
		if r.gone&(1<<(c+1)) == 0 {
			keys = append(keys, componentNames[c])
		}
	}
	return append(keys, r.extraKeys...)
}

// newResult wraps a successful match. groups is copied: the caller's
// slice is scratch space.
func (a *api) newResult(p *Pattern, v *urlValues, inputs []goja.Value, groups []group, ends [nComponents]int) goja.Value {
	r := &resultObject{a: a, p: p, v: *v, groups: slices.Clone(groups), ends: ends, inputs: inputs}
	obj := a.vm.NewDynamicObject(r)
	_ = obj.SetPrototype(a.objectProto)
	return obj
}
