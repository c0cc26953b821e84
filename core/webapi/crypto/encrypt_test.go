package crypto

import (
	"bytes"
	"encoding/hex"
	"strconv"
	"testing"

	"github.com/dop251/goja"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bytesOf reads an ArrayBuffer result.
func bytesOf(t *testing.T, v goja.Value) []byte {
	t.Helper()
	ab, ok := v.Export().(goja.ArrayBuffer)
	if !ok {
		t.Fatalf("result %v is not an ArrayBuffer", v)
	}
	return ab.Bytes()
}

// errorName runs src, a promise expected to reject, and returns the
// rejection's name.
func errorName(t *testing.T, rt *runtime, src string) string {
	t.Helper()
	return rt.await(`(async () => { try { await (` + src + `); return "resolved"; } catch (e) { return e.name; } })()`).String()
}

// TestAESCTR checks AES-CTR against NIST SP 800-38A F.5.1 (CTR-AES128),
// then what WebCrypto adds: only the rightmost `length` bits of the counter
// block increment, wrapping without carrying into the rest, and an input
// that would reuse a counter value is an OperationError.
func TestAESCTR(t *testing.T) {
	rt := newRuntime(t)
	_ = rt.vm.Set("key", rt.vm.NewArrayBuffer(unhex(t, "2b7e151628aed2a6abf7158809cf4f3c")))
	_ = rt.vm.Set("ctr", rt.vm.NewArrayBuffer(unhex(t, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")))
	_ = rt.vm.Set("plain", rt.vm.NewArrayBuffer(unhex(t, "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")))
	rt.await(`crypto.subtle.importKey("raw", key, "AES-CTR", false, ["encrypt", "decrypt"]).then(k => globalThis.k = k)`)

	want := unhex(t, "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee")
	// The counter's low byte goes ff -> 00 with a carry, which a length of
	// 16 bits or more keeps.
	for _, length := range []int{16, 64, 128} {
		got := bytesOf(t, rt.await(`crypto.subtle.encrypt({name: "AES-CTR", counter: ctr, length: `+strconv.Itoa(length)+`}, k, plain)`))
		if !bytes.Equal(got, want) {
			t.Errorf("length %d: ciphertext %x, want %x", length, got, want)
		}
	}
	back := bytesOf(t, rt.await(`crypto.subtle.decrypt({name: "AES-CTR", counter: ctr, length: 64}, k, new Uint8Array(`+jsBytes(want)+`))`))
	if !bytes.Equal(back, unhex(t, "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")) {
		t.Errorf("decrypt: %x", back)
	}

	// With length 8 the second block's counter is f0..fe00, not f0..ff00.
	wrapped := bytesOf(t, rt.await(`crypto.subtle.encrypt({name: "AES-CTR", counter: ctr, length: 8}, k, plain)`))
	_ = rt.vm.Set("ctr2", rt.vm.NewArrayBuffer(unhex(t, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfe00")))
	second := bytesOf(t, rt.await(`crypto.subtle.encrypt({name: "AES-CTR", counter: ctr2, length: 8}, k, plain.slice(16))`))
	if !bytes.Equal(wrapped[:16], want[:16]) || !bytes.Equal(wrapped[16:], second) {
		t.Errorf("length 8: %x, want the first block %x then %x", wrapped, want[:16], second)
	}

	// length 2 gives 4 counter values: 64 bytes pass, 65 repeat one.
	rt.await(`crypto.subtle.encrypt({name: "AES-CTR", counter: ctr, length: 2}, k, new Uint8Array(64))`)
	for src, want := range map[string]string{
		`crypto.subtle.encrypt({name: "AES-CTR", counter: ctr, length: 2}, k, new Uint8Array(65))`:    "OperationError",
		`crypto.subtle.encrypt({name: "AES-CTR", counter: ctr, length: 0}, k, plain)`:                 "OperationError",
		`crypto.subtle.encrypt({name: "AES-CTR", counter: ctr, length: 129}, k, plain)`:               "OperationError",
		`crypto.subtle.encrypt({name: "AES-CTR", counter: ctr, length: 256}, k, plain)`:               "TypeError", // [EnforceRange] octet
		`crypto.subtle.encrypt({name: "AES-CTR", counter: ctr.slice(1), length: 64}, k, plain)`:       "OperationError",
		`crypto.subtle.encrypt({name: "AES-CTR", length: 64}, k, plain)`:                              "TypeError",
		`crypto.subtle.encrypt({name: "AES-CBC", iv: new Uint8Array(16)}, k, plain)`:                  "InvalidAccessError",
		`crypto.subtle.encrypt({name: "AES-CTR", counter: ctr, length: 64}, k, undefined)`:            "TypeError",
		`crypto.subtle.decrypt({name: "AES-CTR", counter: new Uint8Array(16), length: 64}, k, plain)`: "resolved",
	} {
		if got := errorName(t, rt, src); got != want {
			t.Errorf("%s: %s, want %s", src, got, want)
		}
	}
}

// TestAESGCM checks AES-GCM against test case 4 of "The Galois/Counter Mode
// of Operation" (McGrew and Viega; a 96-bit iv, additional data and a
// 60-byte plaintext), then the tag lengths WebCrypto allows: a shorter tag
// is the full tag's prefix, decrypting needs the same tagLength, and a
// changed tag, additional data or empty iv is an OperationError.
func TestAESGCM(t *testing.T) {
	rt := newRuntime(t)
	_ = rt.vm.Set("key", rt.vm.NewArrayBuffer(unhex(t, "feffe9928665731c6d6a8f9467308308")))
	_ = rt.vm.Set("iv", rt.vm.NewArrayBuffer(unhex(t, "cafebabefacedbaddecaf888")))
	_ = rt.vm.Set("aad", rt.vm.NewArrayBuffer(unhex(t, "feedfacedeadbeeffeedfacedeadbeefabaddad2")))
	plain := unhex(t, "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
	_ = rt.vm.Set("plain", rt.vm.NewArrayBuffer(plain))
	rt.await(`crypto.subtle.importKey("raw", key, "AES-GCM", false, ["encrypt", "decrypt"]).then(k => globalThis.k = k)`)

	ct := unhex(t, "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091")
	tag := unhex(t, "5bc94fbc3221a5db94fae95ae7121a47")
	for _, bits := range []int{32, 64, 96, 104, 112, 120, 128} {
		src := `crypto.subtle.encrypt({name: "AES-GCM", iv, additionalData: aad, tagLength: ` + strconv.Itoa(bits) + `}, k, plain)`
		got := bytesOf(t, rt.await(src))
		want := append(append([]byte(nil), ct...), tag[:bits/8]...)
		if !bytes.Equal(got, want) {
			t.Errorf("tagLength %d: %x, want %x", bits, got, want)
			continue
		}
		_ = rt.vm.Set("sealed", rt.vm.NewArrayBuffer(got))
		back := bytesOf(t, rt.await(`crypto.subtle.decrypt({name: "AES-GCM", iv, additionalData: aad, tagLength: `+strconv.Itoa(bits)+`}, k, sealed)`))
		if !bytes.Equal(back, plain) {
			t.Errorf("tagLength %d: decrypted %x", bits, back)
		}
		for _, bad := range []string{
			`crypto.subtle.decrypt({name: "AES-GCM", iv, additionalData: aad, tagLength: ` + strconv.Itoa(bits) + `}, k, (() => { const b = new Uint8Array(sealed.slice(0)); b[b.length - 1] ^= 1; return b; })())`,
			`crypto.subtle.decrypt({name: "AES-GCM", iv, tagLength: ` + strconv.Itoa(bits) + `}, k, sealed)`,
		} {
			if got := errorName(t, rt, bad); got != "OperationError" {
				t.Errorf("tagLength %d: %s: %s, want OperationError", bits, bad, got)
			}
		}
	}
	// No tagLength means 128 bits.
	if got := bytesOf(t, rt.await(`crypto.subtle.encrypt({name: "AES-GCM", iv, additionalData: aad}, k, plain)`)); !bytes.Equal(got[len(ct):], tag) {
		t.Errorf("default tag %x, want %x", got[len(ct):], tag)
	}
	for src, want := range map[string]string{
		`crypto.subtle.encrypt({name: "AES-GCM", iv: new Uint8Array(0)}, k, plain)`:                 "OperationError",
		`crypto.subtle.encrypt({name: "AES-GCM", iv, tagLength: 24}, k, plain)`:                     "OperationError",
		`crypto.subtle.encrypt({name: "AES-GCM", iv, tagLength: 256}, k, plain)`:                    "TypeError",
		`crypto.subtle.encrypt({name: "AES-GCM"}, k, plain)`:                                        "TypeError",
		`crypto.subtle.decrypt({name: "AES-GCM", iv}, k, new Uint8Array(15))`:                       "OperationError",
		`crypto.subtle.decrypt({name: "AES-GCM", iv, tagLength: 32}, k, new Uint8Array(4))`:         "OperationError",
		`crypto.subtle.encrypt({name: "AES-GCM", iv: new Uint8Array(32), tagLength: 32}, k, plain)`: "resolved",
	} {
		if got := errorName(t, rt, src); got != want {
			t.Errorf("%s: %s, want %s", src, got, want)
		}
	}
}

func jsBytes(b []byte) string {
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, x := range b {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(strconv.Itoa(int(x)))
	}
	buf.WriteByte(']')
	return buf.String()
}
