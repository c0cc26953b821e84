package crypto

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"testing"

	"github.com/dop251/goja"
)

// ecSPKI builds an EC SubjectPublicKeyInfo (RFC 5480) with the given
// algorithm identifier, curve and encoded point.
func ecSPKI(t *testing.T, alg, curveOID asn1.ObjectIdentifier, point []byte) []byte {
	t.Helper()
	params, err := asn1.Marshal(curveOID)
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(struct {
		Algorithm struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue
		}
		PublicKey asn1.BitString
	}{
		Algorithm: struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue
		}{alg, asn1.RawValue{FullBytes: params}},
		PublicKey: asn1.BitString{Bytes: point, BitLength: 8 * len(point)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestECSPKIForms checks the SPKI forms RFC 5480 allows and crypto/x509
// does not read: a compressed point (section 2.2), and, for ECDH keys only,
// the id-ecDH algorithm (section 2.1.2, which the Web Crypto spec's ECDH
// import accepts). Imports export the uncompressed form.
func TestECSPKIForms(t *testing.T) {
	priv, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	uncompressed, err := priv.PublicKey.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	compressed := elliptic.MarshalCompressed(elliptic.P384(), priv.X, priv.Y)
	p384 := asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	ecPublicKey := asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	ecDH := asn1.ObjectIdentifier{1, 3, 132, 1, 12}
	want, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ecSPKI(t, ecPublicKey, p384, uncompressed), want) {
		t.Fatal("ecSPKI does not build what crypto/x509 does")
	}

	r := newRuntime(t)
	_ = r.vm.Set("compressedSPKI", r.vm.NewArrayBuffer(ecSPKI(t, ecPublicKey, p384, compressed)))
	_ = r.vm.Set("ecdhSPKI", r.vm.NewArrayBuffer(ecSPKI(t, ecDH, p384, uncompressed)))
	_ = r.vm.Set("wrongCurveSPKI", r.vm.NewArrayBuffer(ecSPKI(t, ecPublicKey, asn1.ObjectIdentifier{1, 3, 132, 0, 35}, uncompressed)))
	spki := func(src string) []byte {
		t.Helper()
		v := r.await(src)
		ab, ok := v.Export().(goja.ArrayBuffer)
		if !ok {
			t.Fatalf("%s: %v, not an ArrayBuffer", src, v)
		}
		return ab.Bytes()
	}
	if got := spki(`crypto.subtle.importKey("spki", compressedSPKI, {name: "ECDSA", namedCurve: "P-384"}, true, ["verify"])
		.then(k => crypto.subtle.exportKey("spki", k))`); !bytes.Equal(got, want) {
		t.Errorf("compressed SPKI re-exported as %x, want %x", got, want)
	}
	if got := spki(`crypto.subtle.importKey("spki", ecdhSPKI, {name: "ECDH", namedCurve: "P-384"}, true, [])
		.then(k => crypto.subtle.exportKey("spki", k))`); !bytes.Equal(got, want) {
		t.Errorf("id-ecDH SPKI re-exported as %x, want %x", got, want)
	}
	for src, wantErr := range map[string]string{
		`crypto.subtle.importKey("spki", ecdhSPKI, {name: "ECDSA", namedCurve: "P-384"}, true, ["verify"])`:       "DataError",
		`crypto.subtle.importKey("spki", wrongCurveSPKI, {name: "ECDSA", namedCurve: "P-384"}, true, ["verify"])`: "DataError",
	} {
		if got := r.await(src + `.then(() => "resolved", e => e.name)`).String(); got != wantErr {
			t.Errorf("%s: %s, want %s", src, got, wantErr)
		}
	}
}

// TestImportedPublicKeysAreExtractable checks that an imported public key
// is extractable whatever importKey's extractable argument says, as a
// generated one is (the Web Crypto spec sets its [[extractable]] to true),
// while a private or secret key keeps the argument.
func TestImportedPublicKeysAreExtractable(t *testing.T) {
	r := newRuntime(t)
	got := r.await(`(async () => {
		const pair = await crypto.subtle.generateKey({name: "ECDSA", namedCurve: "P-256"}, true, ["sign", "verify"]);
		const raw = await crypto.subtle.exportKey("raw", pair.publicKey);
		const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
		const pub = await crypto.subtle.importKey("raw", raw, {name: "ECDSA", namedCurve: "P-256"}, false, ["verify"]);
		const again = await crypto.subtle.exportKey("raw", pub);
		const priv = await crypto.subtle.importKey("jwk", jwk, {name: "ECDSA", namedCurve: "P-256"}, false, ["sign"]);
		const okp = await crypto.subtle.importKey("raw", new Uint8Array(32).fill(9), "X25519", false, []);
		const secret = await crypto.subtle.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["encrypt"]);
		return [pub.extractable, again.byteLength, priv.extractable, okp.extractable, secret.extractable].join();
	})()`).String()
	if got != "true,65,false,true,false" {
		t.Fatalf("extractable of public, re-export length, private, X25519 public, secret: %s", got)
	}
}
