package crypto

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/ferry-run/ferry/core/webapi/clone"
)

// NODE-ED25519 is Workers' legacy name for Ed25519: Cloudflare documents it
// for sign/verify, generateKey, importKey and exportKey, with "NODE-ED25519"
// as both the algorithm name and its namedCurve.

// rfc8032 holds RFC 8032 section 7.1, tests 1 and 2 (hex).
var rfc8032 = []struct{ seed, pub, msg, sig string }{
	{"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
		"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
		"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
	{"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
		"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
		"92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
}

// nodeEdJS defines hex helpers and the algorithm dictionary the tests use.
const nodeEdJS = `
	var hex = (s) => new Uint8Array((s.match(/../g) || []).map((b) => parseInt(b, 16)));
	var toHex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
	var NODE = {name: "NODE-ED25519", namedCurve: "NODE-ED25519"};
	var s = crypto.subtle;
	// ASCII only (the runtime here has no TextEncoder or btoa).
	var enc = (str) => Uint8Array.from(str.split(""), (c) => c.charCodeAt(0));
	var b64url = (b) => {
		const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
		let bits = 0, n = 0, out = "";
		for (const x of new Uint8Array(b)) {
			bits = (bits << 8) | x; n += 8;
			while (n >= 6) { n -= 6; out += abc[(bits >> n) & 63]; }
		}
		return n ? out + abc[(bits << (6 - n)) & 63] : out;
	};
	var fail = (p) => p.then((v) => "resolved: " + v, (e) => e.name + ": " + e.message);
`

// TestNodeEd25519KnownAnswers imports the RFC 8032 keys through
// NODE-ED25519 (raw public, PKCS #8 and JWK private) and checks verify
// accepts the RFC's signatures and sign reproduces them.
func TestNodeEd25519KnownAnswers(t *testing.T) {
	r := newRuntime(t)
	r.await(nodeEdJS)
	for i, v := range rfc8032 {
		seed, _ := hex.DecodeString(v.seed)
		pkcs8, err := x509.MarshalPKCS8PrivateKey(ed25519.NewKeyFromSeed(seed))
		if err != nil {
			t.Fatal(err)
		}
		_ = r.vm.Set("pkcs8Hex", hex.EncodeToString(pkcs8))
		_ = r.vm.Set("v", map[string]string{"seed": v.seed, "pub": v.pub, "msg": v.msg, "sig": v.sig})
		got := r.await(`(async () => {
			const b64 = (h) => b64url(hex(h));
			const pub = await s.importKey("raw", hex(v.pub), NODE, false, ["verify"]);
			const priv = await s.importKey("pkcs8", hex(pkcs8Hex), NODE, false, ["sign"]);
			const jwkPriv = await s.importKey("jwk", {kty: "OKP", crv: "Ed25519", x: b64(v.pub), d: b64(v.seed)}, NODE, false, ["sign"]);
			const bad = hex(v.msg + "00");
			return JSON.stringify({
				alg: pub.algorithm, type: pub.type, extractable: pub.extractable, usages: pub.usages,
				ok: await s.verify("NODE-ED25519", pub, hex(v.sig), hex(v.msg)),
				objectName: await s.verify({name: "NODE-ED25519"}, pub, hex(v.sig), hex(v.msg)),
				otherMessage: await s.verify("NODE-ED25519", pub, hex(v.sig), bad),
				sig: toHex(await s.sign("NODE-ED25519", priv, hex(v.msg))),
				jwkSig: toHex(await s.sign({name: "NODE-ED25519"}, jwkPriv, hex(v.msg))),
				privAlg: priv.algorithm,
			});
		})()`).String()
		var res struct {
			Alg, PrivAlg                 map[string]any
			Type                         string
			Extractable                  bool
			Usages                       []string
			OK, ObjectName, OtherMessage bool
			Sig, JwkSig                  string
		}
		if err := json.Unmarshal([]byte(got), &res); err != nil {
			t.Fatal(err)
		}
		wantAlg := map[string]any{"name": "NODE-ED25519", "namedCurve": "NODE-ED25519"}
		if len(res.Alg) != 2 || res.Alg["name"] != wantAlg["name"] || res.Alg["namedCurve"] != wantAlg["namedCurve"] ||
			len(res.PrivAlg) != 2 || res.PrivAlg["name"] != wantAlg["name"] || res.PrivAlg["namedCurve"] != wantAlg["namedCurve"] {
			t.Errorf("test %d: key.algorithm %v / %v, want %v", i+1, res.Alg, res.PrivAlg, wantAlg)
		}
		// Public keys are always extractable (see importKey).
		if res.Type != "public" || !res.Extractable || len(res.Usages) != 1 || res.Usages[0] != "verify" {
			t.Errorf("test %d: public key %+v", i+1, res)
		}
		if !res.OK || !res.ObjectName {
			t.Errorf("test %d: RFC signature did not verify", i+1)
		}
		if res.OtherMessage {
			t.Errorf("test %d: signature verified over another message", i+1)
		}
		if res.Sig != v.sig || res.JwkSig != v.sig {
			t.Errorf("test %d: sign = %s / %s, want %s", i+1, res.Sig, res.JwkSig, v.sig)
		}
	}
}

// TestNodeEd25519RoundTrip generates a key pair, signs and verifies, and
// moves both keys through every format Workers documents (raw and spki for
// the public key, pkcs8 and jwk for the private one) and structured clone.
func TestNodeEd25519RoundTrip(t *testing.T) {
	a, b := newRuntime(t), newRuntime(t)
	a.await(nodeEdJS)
	got := a.await(`(async () => {
		globalThis.pair = await s.generateKey({name: "node-ed25519", namedCurve: "NODE-ED25519"}, true, ["sign", "verify"]);
		const {publicKey, privateKey} = pair;
		const data = enc("hello");
		const sig = await s.sign("NODE-ED25519", privateKey, data);
		const raw = await s.exportKey("raw", publicKey);
		const spki = await s.exportKey("spki", publicKey);
		const pkcs8 = await s.exportKey("pkcs8", privateKey);
		const jwk = await s.exportKey("jwk", privateKey);
		const pubJwk = await s.exportKey("jwk", publicKey);
		const fromRaw = await s.importKey("raw", raw, NODE, true, ["verify"]);
		const fromSpki = await s.importKey("spki", spki, NODE, true, ["verify"]);
		const fromPkcs8 = await s.importKey("pkcs8", pkcs8, NODE, true, ["sign"]);
		const fromJwk = await s.importKey("jwk", jwk, NODE, true, ["sign"]);
		const sig2 = await s.sign("NODE-ED25519", fromPkcs8, data);
		const sig3 = await s.sign("NODE-ED25519", fromJwk, data);
		return JSON.stringify({
			pubAlg: publicKey.algorithm, privAlg: privateKey.algorithm,
			pubUsages: publicKey.usages, privUsages: privateKey.usages,
			sigLen: sig.byteLength, rawLen: raw.byteLength,
			verify: await s.verify("NODE-ED25519", publicKey, sig, data),
			verifyOther: await s.verify("NODE-ED25519", publicKey, sig, enc("hellO")),
			viaRaw: await s.verify("NODE-ED25519", fromRaw, sig, data),
			viaSpki: await s.verify("NODE-ED25519", fromSpki, sig, data),
			sameSig: toHex(sig) === toHex(sig2) && toHex(sig) === toHex(sig3),
			jwk: jwk, pubJwk: pubJwk,
			rawMatchesJwk: b64url(raw) === jwk.x,
			importedAlg: fromSpki.algorithm,
		});
	})()`).String()
	var res struct {
		PubAlg, PrivAlg, ImportedAlg                  map[string]any
		PubUsages, PrivUsages                         []string
		SigLen, RawLen                                int
		Verify, VerifyOther, ViaRaw, ViaSpki, SameSig bool
		Jwk, PubJwk                                   map[string]any
		RawMatchesJwk                                 bool
	}
	if err := json.Unmarshal([]byte(got), &res); err != nil {
		t.Fatal(err)
	}
	for _, alg := range []map[string]any{res.PubAlg, res.PrivAlg, res.ImportedAlg} {
		if len(alg) != 2 || alg["name"] != "NODE-ED25519" || alg["namedCurve"] != "NODE-ED25519" {
			t.Errorf("key.algorithm = %v", alg)
		}
	}
	if len(res.PubUsages) != 1 || res.PubUsages[0] != "verify" || len(res.PrivUsages) != 1 || res.PrivUsages[0] != "sign" {
		t.Errorf("usages %v / %v", res.PubUsages, res.PrivUsages)
	}
	if res.SigLen != 64 || res.RawLen != 32 {
		t.Errorf("signature %d bytes, raw key %d bytes", res.SigLen, res.RawLen)
	}
	if !res.Verify || res.VerifyOther || !res.ViaRaw || !res.ViaSpki || !res.SameSig || !res.RawMatchesJwk {
		t.Errorf("round trip: %s", got)
	}
	// Workers writes crv "Ed25519" and no "alg" for NODE-ED25519 keys.
	if res.Jwk["kty"] != "OKP" || res.Jwk["crv"] != "Ed25519" || res.Jwk["d"] == nil || res.Jwk["alg"] != nil ||
		res.PubJwk["crv"] != "Ed25519" || res.PubJwk["d"] != nil || res.PubJwk["alg"] != nil {
		t.Errorf("jwk %v / %v", res.Jwk, res.PubJwk)
	}

	// Structured clone keeps the algorithm and the material.
	pair := a.await(`pair`).ToObject(a.vm)
	for _, which := range []string{"publicKey", "privateKey"} {
		data, err := clone.Serialize(a.vm, pair.Get(which))
		if err != nil {
			t.Fatalf("%s: %v", which, err)
		}
		v, err := clone.Deserialize(b.vm, data)
		if err != nil {
			t.Fatalf("%s: %v", which, err)
		}
		k, _ := KeyOf(v)
		if k == nil || k.Algorithm.Name != "NODE-ED25519" || k.Algorithm.NamedCurve != "NODE-ED25519" {
			t.Fatalf("%s: cloned as %+v", which, k)
		}
		_ = b.vm.Set(which, v)
	}
	b.await(nodeEdJS)
	if ok := b.await(`(async () => {
		const d = new Uint8Array([1, 2, 3]);
		return s.verify("NODE-ED25519", publicKey, await s.sign("NODE-ED25519", privateKey, d), d);
	})()`); !ok.ToBoolean() {
		t.Error("cloned keys do not sign and verify")
	}
}

// TestNodeEd25519Discord is how Workers examples verify a Discord
// interaction: the application's public key and the X-Signature-Ed25519
// header in hex, the signature over X-Signature-Timestamp + body.
func TestNodeEd25519Discord(t *testing.T) {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i * 7)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	timestamp, body := "1700000000", `{"type":1}`
	r := newRuntime(t)
	r.await(nodeEdJS)
	_ = r.vm.Set("publicKeyHex", hex.EncodeToString(priv.Public().(ed25519.PublicKey)))
	_ = r.vm.Set("signatureHex", hex.EncodeToString(ed25519.Sign(priv, []byte(timestamp+body))))
	_ = r.vm.Set("timestamp", timestamp)
	_ = r.vm.Set("body", body)
	got := r.await(`(async () => {
		async function verifyKey(body, signature, timestamp, clientPublicKey) {
			const data = enc(timestamp + body);
			const key = await crypto.subtle.importKey("raw", hex(clientPublicKey),
				{name: "NODE-ED25519", namedCurve: "NODE-ED25519"}, false, ["verify"]);
			return crypto.subtle.verify({name: "NODE-ED25519"}, key, hex(signature), data);
		}
		return [
			await verifyKey(body, signatureHex, timestamp, publicKeyHex),
			await verifyKey(body + " ", signatureHex, timestamp, publicKeyHex),
			await verifyKey(body, signatureHex, "1700000001", publicKeyHex),
			await verifyKey(body, "00".repeat(64), timestamp, publicKeyHex),
		];
	})()`).Export().([]any)
	if got[0] != true {
		t.Error("a valid Discord signature did not verify")
	}
	for i, name := range []string{"changed body", "changed timestamp", "zero signature"} {
		if got[i+1] != false {
			t.Errorf("%s: verified", name)
		}
	}
}

// TestNodeEd25519Errors checks the rejections Workers gives.
func TestNodeEd25519Errors(t *testing.T) {
	r := newRuntime(t)
	r.await(nodeEdJS)
	r.await(`(async () => {
		globalThis.pair = await s.generateKey(NODE, false, ["sign", "verify"]);
		globalThis.pub = new Uint8Array(await s.exportKey("raw", pair.publicKey));
	})()`)
	for _, c := range []struct{ name, src, want string }{
		{"import, wrong namedCurve", `s.importKey("raw", pub, {name: "NODE-ED25519", namedCurve: "Ed25519"}, false, ["verify"])`,
			`NotSupportedError: EDDSA curve "Ed25519" isn't supported.`},
		{"import, lower-case namedCurve", `s.importKey("raw", pub, {name: "NODE-ED25519", namedCurve: "node-ed25519"}, false, ["verify"])`,
			`NotSupportedError: EDDSA curve "node-ed25519" isn't supported.`},
		{"generate, wrong namedCurve", `s.generateKey({name: "NODE-ED25519", namedCurve: "P-256"}, false, ["sign", "verify"])`,
			`NotSupportedError: EDDSA curve "P-256" isn't supported.`},
		{"import, no namedCurve", `s.importKey("raw", pub, {name: "NODE-ED25519"}, false, ["verify"])`, "TypeError"},
		{"import, string algorithm", `s.importKey("raw", pub, "NODE-ED25519", false, ["verify"])`, "TypeError"},
		{"generate, no namedCurve", `s.generateKey({name: "NODE-ED25519"}, false, ["sign"])`, "TypeError"},
		{"raw private key", `s.importKey("raw", new Uint8Array(32), NODE, false, ["sign"])`, "SyntaxError"},
		{"raw key of 31 bytes", `s.importKey("raw", pub.slice(1), NODE, false, ["verify"])`, "DataError"},
		{"jwk crv NODE-ED25519", `s.importKey("jwk", {kty: "OKP", crv: "NODE-ED25519", x: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, NODE, false, ["verify"])`, "DataError"},
		{"verify with Ed25519", `s.verify("Ed25519", pair.publicKey, new Uint8Array(64), pub)`, "InvalidAccessError"},
		{"Ed25519 key, NODE-ED25519 verify", `s.importKey("raw", pub, "Ed25519", false, ["verify"]).then((k) => s.verify("NODE-ED25519", k, new Uint8Array(64), pub))`, "InvalidAccessError"},
		{"short signature", `s.verify("NODE-ED25519", pair.publicKey, new Uint8Array(63), pub)`,
			"OperationError: Invalid NODE-ED25519 signature length 63"},
		{"sign with the public key", `s.sign("NODE-ED25519", pair.publicKey, pub)`, "InvalidAccessError"},
		{"non-extractable export", `s.exportKey("pkcs8", pair.privateKey)`, "InvalidAccessError"},
		{"raw export of a private key", `s.generateKey(NODE, true, ["sign"]).then((p) => s.exportKey("raw", p.privateKey))`, "InvalidAccessError"},
		{"encrypt", `s.encrypt(NODE, pair.publicKey, pub)`, "NotSupportedError"},
	} {
		got := r.await(`fail(` + c.src + `)`).String()
		if len(got) < len(c.want) || got[:len(c.want)] != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}
