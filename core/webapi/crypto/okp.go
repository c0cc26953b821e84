package crypto

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"crypto/x509"
	"encoding/hex"
)

// Ed25519 (RFC 8032) and X25519 (RFC 7748), the "OKP" key types.
//
// NODE-ED25519 is Workers' legacy, non-standard name for Ed25519 (from
// Node.js's early Web Crypto extension): the same keys and signatures, but
// its parameters and key.algorithm carry namedCurve "NODE-ED25519", its JWKs
// have no "alg", and verify rejects a signature of the wrong length with an
// OperationError where Ed25519 returns false. It shares every operation
// here; isEd25519 and the few helpers below hold the differences.

// algNodeEd25519 is the legacy name (normalization maps any ASCII case to it).
const algNodeEd25519 = "NODE-ED25519"

// isEd25519 reports whether an algorithm name is Ed25519 or its legacy
// NODE-ED25519 alias.
func isEd25519(name string) bool { return name == algEd25519 || name == algNodeEd25519 }

// okpAlgorithm is key.algorithm for the algorithm's keys.
func okpAlgorithm(name string) KeyAlgorithm {
	if name == algNodeEd25519 {
		return KeyAlgorithm{Name: name, NamedCurve: algNodeEd25519}
	}
	return KeyAlgorithm{Name: name}
}

// nodeCurveError checks NODE-ED25519's namedCurve, which Workers requires
// to be exactly "NODE-ED25519" (normalization has made it present).
func nodeCurveError(p *params) error {
	if p.name == algNodeEd25519 && p.namedCurve != algNodeEd25519 {
		return notSupported("EDDSA curve %q isn't supported.", p.namedCurve)
	}
	return nil
}

// okpCurve is the JWK "crv" of the algorithm's keys.
func okpCurve(name string) string {
	if name == algNodeEd25519 {
		return algEd25519
	}
	return name
}

// okpUsages returns the usages a public and a private key may have.
func okpUsages(name string) (public, private Usages) {
	if name == algX25519 {
		return 0, UsageDeriveKey | UsageDeriveBits
	}
	return UsageVerify, UsageSign
}

func generateOKP(p *params, extractable bool, usages Usages) (any, error) {
	pubU, privU := okpUsages(p.name)
	if err := checkUsages(usages, pubU|privU); err != nil {
		return nil, err
	}
	if err := nodeCurveError(p); err != nil {
		return nil, err
	}
	var pub, priv any
	if isEd25519(p.name) {
		pu, pr, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, operationError("%v", err)
		}
		pub, priv = pu, pr
	} else {
		pr, err := ecdh.X25519().GenerateKey(rand.Reader)
		if err != nil {
			return nil, operationError("%v", err)
		}
		pub, priv = pr.PublicKey(), pr
	}
	alg := okpAlgorithm(p.name)
	return keyPair{
		public:  &Key{Type: Public, Extractable: true, Algorithm: alg, Usages: usages & pubU, Material: pub},
		private: &Key{Type: Private, Extractable: extractable, Algorithm: alg, Usages: usages & privU, Material: priv},
	}, nil
}

// okpPublic makes the public key of the algorithm from 32 raw bytes.
func okpPublic(name string, b []byte) (any, error) {
	if len(b) != 32 {
		return nil, dataError("%s public keys must be 32 bytes, not %d.", name, len(b))
	}
	if isEd25519(name) {
		return ed25519.PublicKey(append([]byte(nil), b...)), nil
	}
	pub, err := ecdh.X25519().NewPublicKey(b)
	if err != nil {
		return nil, dataError("Invalid X25519 public key: %v", err)
	}
	return pub, nil
}

func okpPrivate(name string, seed []byte) (any, error) {
	if len(seed) != 32 {
		return nil, dataError("%s private keys must be 32 bytes, not %d.", name, len(seed))
	}
	if isEd25519(name) {
		return ed25519.NewKeyFromSeed(seed), nil
	}
	priv, err := ecdh.X25519().NewPrivateKey(seed)
	if err != nil {
		return nil, dataError("Invalid X25519 private key: %v", err)
	}
	return priv, nil
}

// okpPublicBytes returns the raw public key of a public or private key.
func okpPublicBytes(m any) []byte {
	switch k := m.(type) {
	case ed25519.PublicKey:
		return k
	case ed25519.PrivateKey:
		return k.Public().(ed25519.PublicKey)
	case *ecdh.PublicKey:
		return k.Bytes()
	case *ecdh.PrivateKey:
		return k.PublicKey().Bytes()
	}
	return nil
}

func okpPrivateBytes(m any) []byte {
	switch k := m.(type) {
	case ed25519.PrivateKey:
		return k.Seed()
	case *ecdh.PrivateKey:
		return k.Bytes()
	}
	return nil
}

// okpMatches reports whether a parsed key is of the algorithm's type.
func okpMatches(name string, m any) bool {
	switch k := m.(type) {
	case ed25519.PublicKey, ed25519.PrivateKey:
		return isEd25519(name)
	case *ecdh.PublicKey:
		return name == algX25519 && k.Curve() == ecdh.X25519()
	case *ecdh.PrivateKey:
		return name == algX25519 && k.Curve() == ecdh.X25519()
	}
	return false
}

func importOKP(format string, data []byte, jwk *JWK, p *params, extractable bool, usages Usages) (*Key, error) {
	pubU, privU := okpUsages(p.name)
	if err := nodeCurveError(p); err != nil {
		return nil, err
	}
	k := &Key{Type: Public, Extractable: extractable, Usages: usages, Algorithm: okpAlgorithm(p.name)}
	var err error
	switch format {
	case "raw":
		if err := checkUsages(usages, pubU); err != nil {
			return nil, err
		}
		if k.Material, err = okpPublic(p.name, data); err != nil {
			return nil, err
		}
	case "spki":
		if err := checkUsages(usages, pubU); err != nil {
			return nil, err
		}
		m, err := x509.ParsePKIXPublicKey(data)
		if err != nil {
			return nil, dataError("Invalid SPKI input: %v", err)
		}
		if !okpMatches(p.name, m) {
			return nil, dataError("The SPKI does not hold an %s key.", p.name)
		}
		k.Material = m
	case "pkcs8":
		if err := checkUsages(usages, privU); err != nil {
			return nil, err
		}
		m, err := x509.ParsePKCS8PrivateKey(data)
		if err != nil {
			return nil, dataError("Invalid PKCS8 input: %v", err)
		}
		if !okpMatches(p.name, m) {
			return nil, dataError("The PKCS8 does not hold an %s key.", p.name)
		}
		k.Type, k.Material = Private, m
	case "jwk":
		allowed := pubU
		if jwk.D != nil {
			allowed = privU
		}
		if err := checkUsages(usages, allowed); err != nil {
			return nil, err
		}
		if err := kty(jwk, "OKP"); err != nil {
			return nil, err
		}
		if jwk.Crv == nil || *jwk.Crv != okpCurve(p.name) {
			return nil, dataError("The JSON Web Key's \"crv\" member must be %q.", okpCurve(p.name))
		}
		use := "enc"
		if isEd25519(p.name) {
			use = "sig"
			if jwk.Alg != nil && *jwk.Alg != "Ed25519" && *jwk.Alg != "EdDSA" {
				return nil, dataError("The JSON Web Key's \"alg\" member must be \"Ed25519\" or \"EdDSA\".")
			}
		}
		if err := checkJWK(jwk, use, extractable, usages); err != nil {
			return nil, err
		}
		x, err := b64(jwk.X, "x")
		if err != nil {
			return nil, err
		}
		if jwk.D == nil {
			if k.Material, err = okpPublic(p.name, x); err != nil {
				return nil, err
			}
			break
		}
		d, err := b64(jwk.D, "d")
		if err != nil {
			return nil, err
		}
		if k.Material, err = okpPrivate(p.name, d); err != nil {
			return nil, err
		}
		if subtle.ConstantTimeCompare(okpPublicBytes(k.Material), x) != 1 {
			return nil, dataError("The JSON Web Key's private key does not match its public key.")
		}
		k.Type = Private
	default:
		return nil, notSupported("Unsupported format %q for %s keys.", format, p.name)
	}
	return k, nil
}

func exportOKP(format string, k *Key) (any, error) {
	switch format {
	case "raw", "spki":
		if k.Type != Public {
			return nil, invalidAccess("Only public keys can be exported as %s.", format)
		}
		if format == "raw" {
			return append([]byte(nil), okpPublicBytes(k.Material)...), nil
		}
		b, err := x509.MarshalPKIXPublicKey(k.Material)
		if err != nil {
			return nil, operationError("%v", err)
		}
		return b, nil
	case "pkcs8":
		if k.Type != Private {
			return nil, invalidAccess("Only private keys can be exported as pkcs8.")
		}
		b, err := x509.MarshalPKCS8PrivateKey(k.Material)
		if err != nil {
			return nil, operationError("%v", err)
		}
		return b, nil
	case "jwk":
		j := &JWK{Kty: str("OKP"), Crv: str(okpCurve(k.Algorithm.Name)), X: enc(okpPublicBytes(k.Material))}
		if k.Algorithm.Name == algEd25519 {
			j.Alg = str("Ed25519")
		}
		if k.Type == Private {
			j.D = enc(okpPrivateBytes(k.Material))
		}
		return exportJWK(j, k), nil
	}
	return nil, notSupported("Unsupported format %q for %s keys.", format, k.Algorithm.Name)
}

func signEd25519(k *Key, data []byte) ([]byte, error) {
	priv, ok := k.Material.(ed25519.PrivateKey)
	if !ok {
		return nil, invalidAccess("Signing requires a private key.")
	}
	return ed25519.Sign(priv, data), nil
}

func verifyEd25519(k *Key, sig, data []byte) (bool, error) {
	pub, ok := k.Material.(ed25519.PublicKey)
	if !ok {
		return false, invalidAccess("Verifying requires a public key.")
	}
	if k.Algorithm.Name == algNodeEd25519 && len(sig) != ed25519.SignatureSize {
		return false, operationError("Invalid %s signature length %d", algNodeEd25519, len(sig))
	}
	if len(sig) != ed25519.SignatureSize || smallOrder(pub) || smallOrder(sig[:32]) {
		return false, nil
	}
	return ed25519.Verify(pub, data, sig), nil
}

// smallOrderPoints are the canonical encodings of the eight points of
// order 1, 2, 4 and 8 on edwards25519.
var smallOrderPoints = func() [][32]byte {
	var out [][32]byte
	for _, h := range []string{
		"0100000000000000000000000000000000000000000000000000000000000000",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"0000000000000000000000000000000000000000000000000000000000000080",
		"0000000000000000000000000000000000000000000000000000000000000000",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
	} {
		var p [32]byte
		_, _ = hex.Decode(p[:], []byte(h))
		out = append(out, p)
	}
	return out
}()

// smallOrder reports whether an encoded point (a public key, or a
// signature's R) has small order. The spec's Ed25519 verify returns false
// for those; Go's cofactorless check alone would accept, for example, the
// identity as key with R = identity and S = 0. Go also decodes the
// non-canonical encodings (y from p to 2^255-1), so y is reduced first.
func smallOrder(b []byte) bool {
	var c [32]byte
	copy(c[:], b)
	sign := c[31] & 0x80
	c[31] &= 0x7f
	// y >= p = 2^255-19 (little-endian ed ff .. ff 7f): y-p < 19 fits in c[0].
	if c[31] == 0x7f && c[0] >= 0xed && allFF(c[1:31]) {
		c = [32]byte{c[0] - 0xed}
	}
	// The identity (y = 1) and the point of order 2 (y = -1) have x = 0, so
	// the sign bit is meaningless: RFC 8032 rejects the encodings that set
	// it, Go decodes them to the same points.
	if c == smallOrderPoints[0] || c == smallOrderPoints[1] {
		return true
	}
	c[31] |= sign
	for _, p := range smallOrderPoints {
		if c == p {
			return true
		}
	}
	return false
}

func allFF(b []byte) bool {
	for _, x := range b {
		if x != 0xff {
			return false
		}
	}
	return true
}

func x25519(k, pk *Key) ([]byte, error) {
	secret, err := k.Material.(*ecdh.PrivateKey).ECDH(pk.Material.(*ecdh.PublicKey))
	if err != nil {
		return nil, operationError("X25519 failed: %v", err)
	}
	return secret, nil
}
