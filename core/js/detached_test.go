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

// TestBytesOfNonBuffersAfterADetach: once any buffer has been detached,
// Bytes still answers not-a-buffer for arrays and other objects, rather
// than looking for their "buffer" (a plain Array has none: it panicked).
func TestBytesOfNonBuffersAfterADetach(t *testing.T) {
	vm := goja.New()
	Detach(vm.NewArrayBuffer([]byte{1}))
	for _, src := range []string{"[1, 2, 3]", "({})", "'text'", "[]"} {
		v, err := vm.RunString(src)
		if err != nil {
			t.Fatal(err)
		}
		if b, ok := Bytes(vm, v); ok {
			t.Errorf("%s: Bytes = %v, true; want not a buffer", src, b)
		}
	}
	v, _ := vm.RunString("new Float64Array([1.5])")
	if b, ok := Bytes(vm, v); !ok || len(b) != 8 {
		t.Errorf("Float64Array after a detach: Bytes = %v, %v; want its 8 bytes", b, ok)
	}
}
