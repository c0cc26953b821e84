package global

import (
	"testing"

	"github.com/dop251/goja"
)

func TestArrayBufferTransfer(t *testing.T) {
	vm := goja.New()
	Install(vm, func(goja.Value) {})
	cases := []struct{ name, src string }{
		{"moves the bytes and detaches", `
			const a = new Uint8Array([1, 2, 3]);
			const b = a.buffer.transfer();
			a.buffer.detached === true && b.detached === false &&
			a.byteLength === 0 && a.buffer.byteLength === 0 &&
			b.byteLength === 3 && new Uint8Array(b).join() === "1,2,3"`},
		{"shorter length truncates", `
			const b = new Uint8Array([1, 2, 3]).buffer.transfer(2);
			new Uint8Array(b).join() === "1,2"`},
		{"longer length zero-fills", `
			const b = new Uint8Array([1, 2]).buffer.transferToFixedLength(4);
			new Uint8Array(b).join() === "1,2,0,0" && b.resizable === false && b.maxByteLength === 4`},
		{"the new buffer is independent of the old view", `
			const a = new Uint8Array([7]);
			const b = new Uint8Array(a.buffer.transfer());
			b[0] = 9; a[0] === undefined && b[0] === 9`},
		{"a detached buffer cannot transfer again", `
			const ab = new ArrayBuffer(4); ab.transfer();
			let e; try { ab.transfer(); } catch (x) { e = x; }
			e instanceof TypeError`},
		{"a negative length is a RangeError", `
			let e; try { new ArrayBuffer(1).transfer(-1); } catch (x) { e = x; }
			e instanceof RangeError`},
		{"another receiver is a TypeError", `
			let e; try { ArrayBuffer.prototype.transfer.call(new Uint8Array(1)); } catch (x) { e = x; }
			e instanceof TypeError`},
		{"a fresh buffer is not detached", `new ArrayBuffer(8).detached === false`},
		{"detached is a prototype getter", `
			const ab = new ArrayBuffer(2); ab.detached === false &&
			(Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "detached").get.call(ab) === false)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := vm.RunString("eval(" + quote(c.src) + ")")
			if err != nil {
				t.Fatal(err)
			}
			if !v.ToBoolean() {
				t.Errorf("false: %s", c.src)
			}
		})
	}
}

func quote(s string) string {
	b := []byte{'"'}
	for _, r := range []byte(s) {
		switch r {
		case '"', '\\':
			b = append(b, '\\', r)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, ' ')
		default:
			b = append(b, r)
		}
	}
	return string(append(b, '"'))
}
