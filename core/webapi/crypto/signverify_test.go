package crypto

import (
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/hex"
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
