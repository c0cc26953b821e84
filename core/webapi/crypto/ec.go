package crypto

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"math/big"
)

// ECDSA and ECDH over P-256, P-384 and P-521. Both keep keys as
// *ecdsa.PrivateKey / *ecdsa.PublicKey; ECDH converts to crypto/ecdh to
// agree.

func curve(name string) elliptic.Curve {
	switch name {
	case "P-256":
		return elliptic.P256()
	case "P-384":
		return elliptic.P384()
	case "P-521":
		return elliptic.P521()
	}
	return nil
}

func coordSize(c elliptic.Curve) int { return (c.Params().BitSize + 7) / 8 }

// ecUsages returns the usages a public and a private key may have.
func ecUsages(name string) (public, private Usages) {
	if name == algECDH {
		return 0, UsageDeriveKey | UsageDeriveBits
	}
	return UsageVerify, UsageSign
}

func generateEC(p *params, extractable bool, usages Usages) (any, error) {
	pubU, privU := ecUsages(p.name)
	if err := checkUsages(usages, pubU|privU); err != nil {
		return nil, err
	}
	c := curve(p.namedCurve)
	if c == nil {
		return nil, notSupported("Unrecognized or unimplemented EC curve %q requested.", p.namedCurve)
	}
	priv, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		return nil, operationError("Generating the EC key failed: %v", err)
	}
	alg := KeyAlgorithm{Name: p.name, NamedCurve: p.namedCurve}
	return keyPair{
		public:  &Key{Type: Public, Extractable: true, Algorithm: alg, Usages: usages & pubU, Material: &priv.PublicKey},
		private: &Key{Type: Private, Extractable: extractable, Algorithm: alg, Usages: usages & privU, Material: priv},
	}, nil
}

// parsePoint reads an uncompressed or compressed SEC1 point.
func parsePoint(c elliptic.Curve, b []byte) (*ecdsa.PublicKey, error) {
	if len(b) > 0 && (b[0] == 2 || b[0] == 3) {
		x, y := elliptic.UnmarshalCompressed(c, b)
		if x == nil {
			return nil, dataError("Invalid compressed EC point.")
		}
		n := coordSize(c)
		u := make([]byte, 1+2*n)
		u[0] = 4
		x.FillBytes(u[1 : 1+n])
		y.FillBytes(u[1+n:])
		b = u
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(c, b)
	if err != nil {
		return nil, dataError("Invalid EC public key: %v", err)
	}
	return pub, nil
}

func curveName(c elliptic.Curve) string { return c.Params().Name }

// Object identifiers of RFC 5480 (SPKI of EC keys).
var (
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidECDH        = asn1.ObjectIdentifier{1, 3, 132, 1, 12}
	oidCurves      = map[string]asn1.ObjectIdentifier{
		"P-256": {1, 2, 840, 10045, 3, 1, 7},
		"P-384": {1, 3, 132, 0, 34},
		"P-521": {1, 3, 132, 0, 35},
	}
)

// parseECSPKI reads an EC SubjectPublicKeyInfo (RFC 5480) the way the Web
// Crypto spec's import steps do, which crypto/x509 cannot: the point may be
// compressed (RFC 5480 section 2.2 allows both forms), and an ECDH key's
// algorithm may be id-ecDH as well as id-ecPublicKey.
func parseECSPKI(der []byte, alg, namedCurve string) (*ecdsa.PublicKey, error) {
	var spki struct {
		Algorithm struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue
		}
		PublicKey asn1.BitString
	}
	rest, err := asn1.Unmarshal(der, &spki)
	if err != nil {
		return nil, dataError("Invalid SPKI input: %v", err)
	}
	if len(rest) != 0 {
		return nil, dataError("Invalid SPKI input: trailing data.")
	}
	a := spki.Algorithm.Algorithm
	if !a.Equal(oidECPublicKey) && !(alg == algECDH && a.Equal(oidECDH)) {
		return nil, dataError("The SPKI does not hold an EC key (id-ecPublicKey).")
	}
	var curveOID asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(spki.Algorithm.Parameters.FullBytes, &curveOID); err != nil || len(rest) != 0 {
		return nil, dataError("The SPKI's EC parameters must name a curve.")
	}
	if want := oidCurves[namedCurve]; !curveOID.Equal(want) {
		return nil, dataError("The SPKI's curve %s does not match the requested %s.", curveOID, namedCurve)
	}
	if spki.PublicKey.BitLength%8 != 0 {
		return nil, dataError("Invalid SPKI input: the public key is not a whole number of bytes.")
	}
	return parsePoint(curve(namedCurve), spki.PublicKey.Bytes)
}

func importEC(format string, data []byte, jwk *JWK, p *params, extractable bool, usages Usages) (*Key, error) {
	pubU, privU := ecUsages(p.name)
	c := curve(p.namedCurve)
	var material any
	switch format {
	case "raw", "spki":
		if err := checkUsages(usages, pubU); err != nil {
			return nil, err
		}
		if c == nil {
			return nil, dataError("Unrecognized or unimplemented EC curve %q requested.", p.namedCurve)
		}
		if format == "raw" {
			pub, err := parsePoint(c, data)
			if err != nil {
				return nil, err
			}
			material = pub
			break
		}
		pub, err := parseECSPKI(data, p.name, p.namedCurve)
		if err != nil {
			return nil, err
		}
		material = pub
	case "pkcs8":
		if err := checkUsages(usages, privU); err != nil {
			return nil, err
		}
		if c == nil {
			return nil, dataError("Unrecognized or unimplemented EC curve %q requested.", p.namedCurve)
		}
		k, err := x509.ParsePKCS8PrivateKey(data)
		if err != nil {
			return nil, dataError("Invalid PKCS8 input: %v", err)
		}
		priv, ok := k.(*ecdsa.PrivateKey)
		if !ok {
			return nil, dataError("The PKCS8 does not hold an EC key (id-ecPublicKey).")
		}
		if curveName(priv.Curve) != p.namedCurve {
			return nil, dataError("The PKCS8's curve %s does not match the requested %s.", curveName(priv.Curve), p.namedCurve)
		}
		material = priv
	case "jwk":
		allowed := pubU
		if jwk.D != nil {
			allowed = privU
		}
		if err := checkUsages(usages, allowed); err != nil {
			return nil, err
		}
		if err := kty(jwk, "EC"); err != nil {
			return nil, err
		}
		use := "sig"
		if p.name == algECDH {
			use = "enc"
		}
		if err := checkJWK(jwk, use, extractable, usages); err != nil {
			return nil, err
		}
		if c == nil {
			return nil, dataError("Unrecognized or unimplemented EC curve %q requested.", p.namedCurve)
		}
		if jwk.Crv == nil || *jwk.Crv != p.namedCurve {
			return nil, dataError("The JSON Web Key's \"crv\" member must be %q.", p.namedCurve)
		}
		if p.name == algECDSA && jwk.Alg != nil {
			if want := ecdsaJWKAlg[p.namedCurve]; *jwk.Alg != want {
				return nil, dataError("The JSON Web Key's \"alg\" member must be %q.", want)
			}
		}
		var err error
		if material, err = ecFromJWK(c, jwk); err != nil {
			return nil, err
		}
	default:
		return nil, notSupported("Unsupported format %q for %s keys.", format, p.name)
	}
	k := &Key{Type: Public, Extractable: extractable, Usages: usages,
		Algorithm: KeyAlgorithm{Name: p.name, NamedCurve: p.namedCurve}, Material: material}
	if _, ok := material.(*ecdsa.PrivateKey); ok {
		k.Type = Private
	}
	return k, nil
}

var ecdsaJWKAlg = map[string]string{"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}

func ecFromJWK(c elliptic.Curve, j *JWK) (any, error) {
	n := coordSize(c)
	x, err := b64(j.X, "x")
	if err != nil {
		return nil, err
	}
	y, err := b64(j.Y, "y")
	if err != nil {
		return nil, err
	}
	if len(x) != n || len(y) != n {
		return nil, dataError("The JSON Web Key's \"x\" and \"y\" members must be %d bytes for %s.", n, curveName(c))
	}
	point := append(append([]byte{4}, x...), y...)
	pub, err := ecdsa.ParseUncompressedPublicKey(c, point)
	if err != nil {
		return nil, dataError("Invalid EC public key: %v", err)
	}
	if j.D == nil {
		return pub, nil
	}
	d, err := b64(j.D, "d")
	if err != nil {
		return nil, err
	}
	if len(d) != n {
		return nil, dataError("The JSON Web Key's \"d\" member must be %d bytes for %s.", n, curveName(c))
	}
	priv, err := ecdsa.ParseRawPrivateKey(c, d)
	if err != nil {
		return nil, dataError("Invalid EC private key: %v", err)
	}
	if !priv.PublicKey.Equal(pub) {
		return nil, dataError("The JSON Web Key's private key does not match its public key.")
	}
	return priv, nil
}

func exportEC(format string, k *Key) (any, error) {
	switch format {
	case "raw", "spki":
		pub, ok := k.Material.(*ecdsa.PublicKey)
		if !ok {
			return nil, invalidAccess("Only public keys can be exported as %s.", format)
		}
		if format == "raw" {
			b, err := pub.Bytes()
			if err != nil {
				return nil, operationError("%v", err)
			}
			return b, nil
		}
		b, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			return nil, operationError("%v", err)
		}
		return b, nil
	case "pkcs8":
		priv, ok := k.Material.(*ecdsa.PrivateKey)
		if !ok {
			return nil, invalidAccess("Only private keys can be exported as pkcs8.")
		}
		b, err := x509.MarshalPKCS8PrivateKey(priv)
		if err != nil {
			return nil, operationError("%v", err)
		}
		return b, nil
	case "jwk":
		j := &JWK{Kty: str("EC"), Crv: str(k.Algorithm.NamedCurve)}
		var pub *ecdsa.PublicKey
		switch m := k.Material.(type) {
		case *ecdsa.PublicKey:
			pub = m
		case *ecdsa.PrivateKey:
			pub = &m.PublicKey
			d, err := m.Bytes()
			if err != nil {
				return nil, operationError("%v", err)
			}
			j.D = enc(d)
		}
		b, err := pub.Bytes()
		if err != nil {
			return nil, operationError("%v", err)
		}
		n := (len(b) - 1) / 2
		j.X, j.Y = enc(b[1:1+n]), enc(b[1+n:])
		return exportJWK(j, k), nil
	}
	return nil, notSupported("Unsupported format %q for %s keys.", format, k.Algorithm.Name)
}

func signECDSA(p *params, k *Key, data []byte) ([]byte, error) {
	priv, ok := k.Material.(*ecdsa.PrivateKey)
	if !ok {
		return nil, invalidAccess("Signing requires a private key.")
	}
	r, s, err := ecdsa.Sign(rand.Reader, priv, digest(p.hash, data))
	if err != nil {
		return nil, operationError("Signing failed: %v", err)
	}
	n := coordSize(priv.Curve)
	out := make([]byte, 2*n)
	r.FillBytes(out[:n])
	s.FillBytes(out[n:])
	return out, nil
}

// verifyECDSA checks an IEEE P1363 (r || s) signature; one of the wrong
// length is simply invalid.
func verifyECDSA(p *params, k *Key, sig, data []byte) (bool, error) {
	pub, ok := k.Material.(*ecdsa.PublicKey)
	if !ok {
		return false, invalidAccess("Verifying requires a public key.")
	}
	n := coordSize(pub.Curve)
	if len(sig) != 2*n {
		return false, nil
	}
	r := new(big.Int).SetBytes(sig[:n])
	s := new(big.Int).SetBytes(sig[n:])
	return ecdsa.Verify(pub, digest(p.hash, data), r, s), nil
}

// agree is ECDH and X25519 derivation up to the shared secret.
func agree(p *params, k *Key) ([]byte, error) {
	if k.Type != Private {
		return nil, invalidAccess("The base key must be a private key.")
	}
	pk := p.public
	if pk.Type != Public {
		return nil, invalidAccess("The \"public\" member must be a public key.")
	}
	if pk.Algorithm.Name != k.Algorithm.Name {
		return nil, invalidAccess("The \"public\" key is a %s key, not %s.", pk.Algorithm.Name, k.Algorithm.Name)
	}
	if pk.Algorithm.NamedCurve != k.Algorithm.NamedCurve {
		return nil, invalidAccess("The \"public\" key's curve %s does not match the base key's %s.", pk.Algorithm.NamedCurve, k.Algorithm.NamedCurve)
	}
	if k.Algorithm.Name == algX25519 {
		return x25519(k, pk)
	}
	priv, err := k.Material.(*ecdsa.PrivateKey).ECDH()
	if err != nil {
		return nil, operationError("%v", err)
	}
	pub, err := pk.Material.(*ecdsa.PublicKey).ECDH()
	if err != nil {
		return nil, operationError("%v", err)
	}
	secret, err := priv.ECDH(pub)
	if err != nil {
		return nil, operationError("ECDH failed: %v", err)
	}
	return secret, nil
}
