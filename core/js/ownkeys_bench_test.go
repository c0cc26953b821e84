package js_test

import (
	"strconv"
	"testing"

	"github.com/dop251/goja"
)

// BenchmarkOwnKeys measures the ways goja's public API lists an ordinary
// object's own string keys, for JSONWriter (which must list exactly the
// enumerable ones, as JSON.stringify does), on objects of 3 keys (the echo
// workload's records) and 12:
//
//   - Keys: the enumerable keys; what JSONWriter uses. Each key costs three
//     allocations (two iterator closures and the key boxed as a JS string).
//   - GetOwnPropertyNames: one closure less per key, but it includes
//     non-enumerable keys and the API says nothing of enumerability, so
//     JSONWriter can't use it.
//   - ObjectKeysBuiltin: the built-in Object.keys (as JSONWriter could keep
//     it, captured before user code) and reading the array it returns: one
//     allocation per key, but a whole array object (map and all) each time,
//     so more bytes, and no fewer allocations at 3 keys.
func BenchmarkOwnKeys(b *testing.B) {
	for _, n := range []int{3, 12} {
		vm := goja.New()
		o := vm.NewObject()
		for i := 0; i < n; i++ {
			_ = o.Set("key"+strconv.Itoa(i), i)
		}
		objectKeys, _ := goja.AssertFunction(vm.Get("Object").ToObject(vm).Get("keys"))
		idx := make([]string, n)
		for i := range idx {
			idx[i] = strconv.Itoa(i)
		}
		sink := 0
		b.Run("Keys/"+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink += len(o.Keys())
			}
		})
		b.Run("GetOwnPropertyNames/"+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink += len(o.GetOwnPropertyNames())
			}
		})
		b.Run("ObjectKeysBuiltin/"+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v, err := objectKeys(goja.Undefined(), o)
				if err != nil {
					b.Fatal(err)
				}
				a := v.(*goja.Object)
				l := int(a.Get("length").ToInteger())
				for i := 0; i < l; i++ {
					sink += len(a.Get(idx[i]).String())
				}
			}
		})
		_ = sink
	}
}
