package crypto

import (
	"strings"
	"testing"
)

// wrapJS defines hex helpers and a rejection reporter for the wrap tests.
const wrapJS = `
	var hex = (s) => new Uint8Array((s.match(/../g) || []).map((b) => parseInt(b, 16)));
	var toHex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
	var s = crypto.subtle;
	var fail = (p) => p.then((v) => "resolved", (e) => e.name + ": " + e.message);
`

// TestAESKWVectors runs RFC 3394's test vectors 4.1 (128-bit KEK, 128-bit
// key) and 4.6 (256-bit KEK, 256-bit key) through wrapKey("raw") and back
// through unwrapKey.
func TestAESKWVectors(t *testing.T) {
	r := newRuntime(t)
	r.await(wrapJS)
	for _, v := range []struct{ kek, data, wrapped string }{
		{"000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff",
			"1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5"},
		{"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
			"00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f",
			"28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21"},
	} {
		_ = r.vm.Set("v", map[string]string{"kek": v.kek, "data": v.data})
		got := r.await(`(async () => {
			const kek = await s.importKey("raw", hex(v.kek), "AES-KW", false, ["wrapKey", "unwrapKey"]);
			const key = await s.importKey("raw", hex(v.data), "AES-CBC", true, ["encrypt"]);
			const wrapped = await s.wrapKey("raw", key, kek, "AES-KW");
			const back = await s.unwrapKey("raw", wrapped, kek, {name: "AES-KW"}, "AES-CBC", true, ["encrypt"]);
			return toHex(wrapped) + " " + toHex(await s.exportKey("raw", back)) + " " + back.algorithm.length;
		})()`).String()
		want := v.wrapped + " " + v.data + " " + map[int]string{32: "128", 64: "256"}[len(v.data)]
		if got != want {
			t.Errorf("KEK %s: got %s, want %s", v.kek, got, want)
		}
	}
}

// TestWrapKeyErrors checks the errors the Web Crypto spec gives wrapKey and
// unwrapKey (section 14.3.11 and 14.3.12, and AES-KW's wrap and unwrap
// operations).
func TestWrapKeyErrors(t *testing.T) {
	r := newRuntime(t)
	r.await(wrapJS)
	r.await(`(async () => {
		globalThis.kw = await s.importKey("raw", new Uint8Array(16).fill(1), "AES-KW", false, ["wrapKey", "unwrapKey"]);
		globalThis.gcm = await s.importKey("raw", new Uint8Array(16).fill(2), "AES-GCM", false, ["wrapKey", "unwrapKey", "encrypt"]);
		globalThis.gcmParams = {name: "AES-GCM", iv: new Uint8Array(12)};
		globalThis.aes = await s.importKey("raw", new Uint8Array(16).fill(3), "AES-CBC", true, ["encrypt"]);
		globalThis.hmac = await s.importKey("raw", new Uint8Array(16).fill(4), {name: "HMAC", hash: "SHA-256"}, true, ["sign"]);
		globalThis.hmacJWKLength = JSON.stringify(await s.exportKey("jwk", hmac)).length;
		globalThis.wrapped = new Uint8Array(await s.wrapKey("raw", aes, kw, "AES-KW"));
		const ecdh = await s.generateKey({name: "ECDH", namedCurve: "P-256"}, true, ["deriveBits"]);
		globalThis.ecdhSpki = await s.wrapKey("spki", ecdh.publicKey, gcm, gcmParams);
		const jwk = await s.exportKey("jwk", aes);
		jwk.ext = false;
		globalThis.nonExtractableJWK = await s.encrypt(gcmParams, gcm, new Uint8Array(JSON.stringify(jwk).split("").map((c) => c.charCodeAt(0))));
		globalThis.notJSON = await s.encrypt(gcmParams, gcm, new Uint8Array([123, 34]));
	})()`)
	if n := r.await(`hmacJWKLength`).ToInteger(); n%8 == 0 {
		t.Fatalf("the HMAC key's JWK is %d bytes, a multiple of 8: the AES-KW length case below would not test anything", n)
	}
	tampered := `(() => { const w = wrapped.slice(); w[3] ^= 1; return w; })()`
	for _, c := range []struct{ name, src, want string }{
		// AES-KW wraps whole 64-bit blocks only (RFC 3394); the spec's
		// wrap operation throws an OperationError for any other length.
		{"AES-KW, JWK not a multiple of 8 bytes", `s.wrapKey("jwk", hmac, kw, "AES-KW")`, "OperationError"},
		{"AES-KW, integrity check fails", `s.unwrapKey("raw", ` + tampered + `, kw, "AES-KW", "AES-CBC", true, ["encrypt"])`, "OperationError"},
		{"AES-KW, short input", `s.unwrapKey("raw", wrapped.slice(0, 16), kw, "AES-KW", "AES-CBC", true, ["encrypt"])`, "OperationError"},
		{"AES-KW, ragged input", `s.unwrapKey("raw", wrapped.slice(0, 23), kw, "AES-KW", "AES-CBC", true, ["encrypt"])`, "OperationError"},
		{"wrapping key without wrapKey", `s.importKey("raw", new Uint8Array(16), "AES-KW", false, ["unwrapKey"]).then((k) => s.wrapKey("raw", aes, k, "AES-KW"))`, "InvalidAccessError"},
		{"unwrapping key without unwrapKey", `s.importKey("raw", new Uint8Array(16), "AES-KW", false, ["wrapKey"]).then((k) => s.unwrapKey("raw", wrapped, k, "AES-KW", "AES-CBC", true, ["encrypt"]))`, "InvalidAccessError"},
		{"algorithm not the wrapping key's", `s.wrapKey("raw", aes, kw, gcmParams)`, "InvalidAccessError"},
		{"key to wrap not extractable", `s.importKey("raw", new Uint8Array(16), "AES-CBC", false, ["encrypt"]).then((k) => s.wrapKey("raw", k, kw, "AES-KW"))`, "InvalidAccessError"},
		{"algorithm that cannot wrap", `s.wrapKey("raw", aes, hmac, "HMAC")`, "NotSupportedError"},
		// An ECDH public key has no usages (section 24.4, import key).
		{"ECDH public key unwrapped with deriveBits", `s.unwrapKey("spki", ecdhSpki, gcm, gcmParams, {name: "ECDH", namedCurve: "P-256"}, true, ["deriveBits"])`, "SyntaxError"},
		// A JWK with "ext": false cannot become an extractable key.
		{"non-extractable JWK unwrapped as extractable", `s.unwrapKey("jwk", nonExtractableJWK, gcm, gcmParams, "AES-CBC", true, ["encrypt"])`, "DataError"},
		{"unwrapped bytes not JSON", `s.unwrapKey("jwk", notJSON, gcm, gcmParams, "AES-CBC", true, ["encrypt"])`, "DataError"},
	} {
		if got := r.await(`fail(` + c.src + `)`).String(); !strings.HasPrefix(got, c.want) {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	if got := r.await(`(async () => {
		const k = await s.unwrapKey("jwk", nonExtractableJWK, gcm, gcmParams, "AES-CBC", false, ["encrypt"]);
		const ecdh = await s.unwrapKey("spki", ecdhSpki, gcm, gcmParams, {name: "ECDH", namedCurve: "P-256"}, true, []);
		return [k.extractable, k.algorithm.name, k.algorithm.length, ecdh.type, ecdh.usages.length].join(" ");
	})()`).String(); got != "false AES-CBC 128 public 0" {
		t.Errorf("unwrapped keys: %s", got)
	}
}
