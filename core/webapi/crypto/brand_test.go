package crypto

import "testing"

// TestBrandChecks checks that crypto.subtle's getter and SubtleCrypto's
// operations accept only the runtime's real crypto and crypto.subtle (the
// fast paths compare identity first), and reject other receivers as Web IDL
// says: the getter throws, a promise-returning operation rejects.
func TestBrandChecks(t *testing.T) {
	r := newRuntime(t)
	got := r.await(`(async () => {
		const out = [];
		const get = Object.getOwnPropertyDescriptor(Crypto.prototype, "subtle").get;
		out.push(get.call(crypto) === crypto.subtle);
		try { get.call(Object.create(Crypto.prototype)); out.push("no throw"); } catch (e) { out.push(e.name); }
		const key = await crypto.subtle.importKey("raw", new Uint8Array(32), {name: "HMAC", hash: "SHA-256"}, false, ["sign"]);
		const data = new Uint8Array(8);
		out.push((await SubtleCrypto.prototype.sign.call(crypto.subtle, "HMAC", key, data)).byteLength);
		for (const self of [{}, Object.create(SubtleCrypto.prototype), crypto]) {
			out.push(await SubtleCrypto.prototype.sign.call(self, "HMAC", key, data).then(() => "resolved", (e) => e.name));
		}
		return out.join();
	})()`).String()
	if want := "true,TypeError,32,TypeError,TypeError,TypeError"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
