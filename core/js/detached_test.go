package js

import (
	"testing"

	"github.com/dop251/goja"
)

func TestBytesOfDetachedViews(t *testing.T) {
	vm := goja.New()
	for _, src := range []string{"new Uint8Array([1, 2, 3])", "new Int16Array([1, 2, 3])", "new Uint8Array(new ArrayBuffer(8), 2, 4)"} {
		v, err := vm.RunString(src)
		if err != nil {
			t.Fatal(err)
		}
		if b, ok := Bytes(vm, v); !ok || len(b) == 0 {
			t.Fatalf("%s: Bytes = %v, %v before detaching", src, b, ok)
		}
		ab := v.(*goja.Object).Get("buffer").Export().(goja.ArrayBuffer)
		Detach(ab)
		b, ok := Bytes(vm, v)
		if !ok || len(b) != 0 {
			t.Errorf("%s detached: Bytes = %v, %v; want empty, true", src, b, ok)
		}
	}
	ab := vm.NewArrayBuffer([]byte{1})
	Detach(ab)
	if b, ok := Bytes(vm, vm.ToValue(ab)); !ok || len(b) != 0 {
		t.Errorf("detached ArrayBuffer: Bytes = %v, %v; want empty, true", b, ok)
	}
}
