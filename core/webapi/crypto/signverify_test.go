package crypto

import (
	stdcrypto "crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"hash"
	"math/big"
	"strconv"
	"testing"
)

// ed25519L is the order of the edwards25519 base point (RFC 8032, 5.1).
var ed25519L, _ = new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)

// leInt reads a little-endian integer.
func leInt(b []byte) *big.Int {
	r := make([]byte, len(b))
	for i := range b {
		r[len(b)-1-i] = b[i]
	}
	return new(big.Int).SetBytes(r)
}

// TestEd25519VerifyRejectsSignBitOnXZeroPoints: the identity and the point
// of order 2 have x = 0, and RFC 8032 (5.1.3) rejects their encodings with
// the sign bit set; Go's decoder accepts them. A public key such as
// ecff..ff (y = -1, "negative" zero x) is therefore small-order and verify
// must return false, even for a signature Go's cofactorless check accepts.
func TestEd25519VerifyRejectsSignBitOnXZeroPoints(t *testing.T) {
	// A = the point of order 2 with the sign bit set.
	pub, _ := hex.DecodeString("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")

	// Build R||S with R = [a]B and S = a, for a message whose challenge
	// k = SHA-512(R || A || M) mod L is even, so that [k]A is the identity
	// and Go checks [S]B == R + [k]A == R.
	seed := make([]byte, ed25519.SeedSize)
	h := sha512.Sum512(seed)
	h[0] &= 248
	h[31] &= 127
	h[31] |= 64
	a := new(big.Int).Mod(leInt(h[:32]), ed25519L)
	r := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	var msg, sig []byte
	for i := 0; ; i++ {
		msg = []byte("message " + strconv.Itoa(i))
		d := sha512.New()
		d.Write(r)
		d.Write(pub)
		d.Write(msg)
		if new(big.Int).Mod(leInt(d.Sum(nil)), ed25519L).Bit(0) == 0 {
			break
		}
	}
	s := make([]byte, 32)
	for i, v := range a.Bytes() { // big-endian to little-endian
		s[len(a.Bytes())-1-i] = v
	}
	sig = append(append([]byte(nil), r...), s...)
	if !ed25519.Verify(pub, msg, sig) {
		t.Fatal("precondition: Go's ed25519.Verify should accept this signature")
	}

	rt := newRuntime(t)
	_ = rt.vm.Set("pub", rt.vm.NewArrayBuffer(pub))
	_ = rt.vm.Set("sig", rt.vm.NewArrayBuffer(sig))
	_ = rt.vm.Set("msg", rt.vm.NewArrayBuffer(msg))
	got := rt.await(`(async () => {
		const key = await crypto.subtle.importKey("raw", pub, {name: "Ed25519"}, false, ["verify"]);
		return crypto.subtle.verify({name: "Ed25519"}, key, sig, msg);
	})()`).Export()
	if got != false {
		t.Fatalf("verify with the key ecff..ff = %v, want false", got)
	}

	for _, enc := range []string{
		"0100000000000000000000000000000000000000000000000000000000000080", // identity, sign bit set
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", // order 2, sign bit set
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", // identity, y = p+1, sign bit set
	} {
		b, _ := hex.DecodeString(enc)
		if !smallOrder(b) {
			t.Errorf("smallOrder(%s) = false, want true", enc)
		}
	}
	if smallOrder(r) {
		t.Errorf("smallOrder(%x) = true for a full-order public key", r)
	}
}

// TestSignaturesInteroperate checks the wire formats against Go's own
// implementations of the standards: ECDSA signatures are the raw r||s of
// the curve's field size (WebCrypto, not DER), RSA-PSS uses exactly the
// given saltLength (at most k - hLen - 2 bytes, RFC 8017 9.1.1), and
// RSA-OAEP binds its label (RFC 8017 7.1).
func TestSignaturesInteroperate(t *testing.T) {
	rt := newRuntime(t)
	msg := []byte("interoperable")
	_ = rt.vm.Set("msg", rt.vm.NewArrayBuffer(msg))

	for _, c := range []struct {
		curve string
		ec    elliptic.Curve
		hash  string
		h     func() hash.Hash
	}{
		{"P-256", elliptic.P256(), "SHA-256", sha256.New},
		{"P-384", elliptic.P384(), "SHA-384", sha512.New384},
		{"P-521", elliptic.P521(), "SHA-512", sha512.New},
	} {
		priv, err := ecdsa.GenerateKey(c.ec, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, _ := x509.MarshalPKCS8PrivateKey(priv)
		_ = rt.vm.Set("der", rt.vm.NewArrayBuffer(der))
		sig := bytesOf(t, rt.await(`crypto.subtle.importKey("pkcs8", der, {name: "ECDSA", namedCurve: "`+c.curve+`"}, false, ["sign"])
			.then(k => crypto.subtle.sign({name: "ECDSA", hash: "`+c.hash+`"}, k, msg))`))
		size := (c.ec.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			t.Errorf("%s: signature of %d bytes, want r||s of %d", c.curve, len(sig), 2*size)
			continue
		}
		h := c.h()
		h.Write(msg)
		r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
		if !ecdsa.Verify(&priv.PublicKey, h.Sum(nil), r, s) {
			t.Errorf("%s: Go does not verify r||s", c.curve)
		}
	}

	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	_ = rt.vm.Set("der", rt.vm.NewArrayBuffer(der))
	rt.await(`crypto.subtle.importKey("pkcs8", der, {name: "RSA-PSS", hash: "SHA-256"}, false, ["sign"]).then(k => globalThis.pss = k)`)
	digest := sha256.Sum256(msg)
	// 1024-bit key, SHA-256: the largest salt is 128 - 32 - 2 = 94 bytes.
	for _, salt := range []int{0, 32, 94} {
		sig := bytesOf(t, rt.await(`crypto.subtle.sign({name: "RSA-PSS", saltLength: `+strconv.Itoa(salt)+`}, pss, msg)`))
		if err := rsa.VerifyPSS(&key.PublicKey, stdcrypto.SHA256, digest[:], sig, &rsa.PSSOptions{SaltLength: salt}); err != nil {
			t.Errorf("saltLength %d: Go does not verify: %v", salt, err)
		}
	}
	if got := errorName(t, rt, `crypto.subtle.sign({name: "RSA-PSS", saltLength: 95}, pss, msg)`); got != "OperationError" {
		t.Errorf("saltLength 95 on a 1024-bit key: %s, want OperationError", got)
	}

	rt.await(`crypto.subtle.importKey("pkcs8", der, {name: "RSA-OAEP", hash: "SHA-256"}, false, ["decrypt"]).then(k => globalThis.oaep = k)`)
	ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, &key.PublicKey, msg, []byte("label"))
	if err != nil {
		t.Fatal(err)
	}
	_ = rt.vm.Set("ct", rt.vm.NewArrayBuffer(ct))
	_ = rt.vm.Set("label", rt.vm.NewArrayBuffer([]byte("label")))
	_ = rt.vm.Set("lab", rt.vm.NewArrayBuffer([]byte("lab")))
	if got := bytesOf(t, rt.await(`crypto.subtle.decrypt({name: "RSA-OAEP", label}, oaep, ct)`)); string(got) != string(msg) {
		t.Errorf("OAEP with label decrypted %q", got)
	}
	for _, alg := range []string{`{name: "RSA-OAEP"}`, `{name: "RSA-OAEP", label: lab}`} {
		if got := errorName(t, rt, `crypto.subtle.decrypt(`+alg+`, oaep, ct)`); got != "OperationError" {
			t.Errorf("OAEP decrypt with %s: %s, want OperationError", alg, got)
		}
	}
}
