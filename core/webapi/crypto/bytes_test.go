package crypto

import (
	"testing"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/webapi/global"
)

// TestBytesReadAfterNormalizing checks that operations take their copy of a
// BufferSource after normalizing the algorithm, as the standard orders it:
// an algorithm getter that changes the bytes is seen, one that transfers the
// buffer leaves the operation an empty input, and a change after the call
// is not seen.
func TestBytesReadAfterNormalizing(t *testing.T) {
	r := newRuntime(t)
	r.l.RunTask(nil, func(vm *goja.Runtime) error {
		global.Install(vm, func(goja.Value) {})
		return nil
	})
	r.await(`
		var key, sig, data = new Uint8Array([1, 2, 3, 4]);
		crypto.subtle.importKey("raw", new Uint8Array(32), {name: "HMAC", hash: "SHA-256"}, false, ["sign", "verify"])
			.then(k => { key = k; return crypto.subtle.sign("HMAC", k, data); })
			.then(s => { sig = new Uint8Array(s); })`)
	cases := map[string]string{
		"signature restored by a getter verifies": `(() => {
			const s = sig.slice(); s[0] ^= 1;
			return crypto.subtle.verify({get name() { s[0] ^= 1; return "HMAC"; }}, key, s, data);
		})()`,
		"data restored by a getter verifies": `(() => {
			const d = data.slice(); d[0] ^= 1;
			return crypto.subtle.verify({get name() { d[0] ^= 1; return "HMAC"; }}, key, sig, d);
		})()`,
		"signature transferred by a getter does not verify": `(() => {
			const s = sig.slice();
			return crypto.subtle.verify({get name() { s.buffer.transfer(); return "HMAC"; }}, key, s, data)
				.then(ok => !ok);
		})()`,
		"data transferred after the call still verifies": `(() => {
			const d = data.slice();
			const p = crypto.subtle.verify("HMAC", key, sig, d);
			d.buffer.transfer();
			return p;
		})()`,
		"digest of a buffer transferred by a getter is the empty digest": `(() => {
			const d = data.slice();
			return Promise.all([
				crypto.subtle.digest({get name() { d.buffer.transfer(); return "SHA-256"; }}, d),
				crypto.subtle.digest("SHA-256", new Uint8Array(0)),
			]).then(([a, b]) => new Uint8Array(a).join() === new Uint8Array(b).join());
		})()`,
		"a detached view encrypts as empty plaintext": `(() => {
			const d = data.slice(); d.buffer.transfer();
			return crypto.subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["encrypt"])
				.then(k => crypto.subtle.encrypt({name: "AES-GCM", iv: new Uint8Array(12)}, k, d))
				.then(c => c.byteLength === 16);
		})()`,
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			if v := r.await(src); !v.ToBoolean() {
				t.Errorf("got %v", v)
			}
		})
	}
}
