package crypto

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"math/big"
)

// RSASSA-PKCS1-v1_5, RSA-PSS and RSA-OAEP.

// maxModulus bounds RSA key generation (as BoringSSL does) so a script cannot
// tie up a core for minutes.
const maxModulus = 16384

// rsaUsages returns the usages a public and a private key of the algorithm
// may have.
func rsaUsages(name string) (public, private Usages) {
	if name == algRSAOAEP {
		return UsageEncrypt | UsageWrapKey, UsageDecrypt | UsageUnwrapKey
	}
	return UsageVerify, UsageSign
}

// generateRSAKey makes a key with public exponent e (3 or 65537). Go's
// rsa.GenerateKey always uses 65537; for other exponents the two primes come
// from crypto/rand.Prime, retried until e is invertible modulo p-1 and q-1.
func generateRSAKey(bits, e int) (*rsa.PrivateKey, error) {
	if e == 65537 {
		return rsa.GenerateKey(rand.Reader, bits)
	}
	E := big.NewInt(int64(e))
	one := big.NewInt(1)
	for {
		p, err := rand.Prime(rand.Reader, bits-bits/2)
		if err != nil {
			return nil, err
		}
		q, err := rand.Prime(rand.Reader, bits/2)
		if err != nil {
			return nil, err
		}
		if p.Cmp(q) == 0 {
			continue
		}
		n := new(big.Int).Mul(p, q)
		if n.BitLen() != bits {
			continue
		}
		pm1 := new(big.Int).Sub(p, one)
		qm1 := new(big.Int).Sub(q, one)
		phi := new(big.Int).Mul(pm1, qm1)
		d := new(big.Int).ModInverse(E, phi)
		if d == nil {
			continue // e divides p-1 or q-1
		}
		k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: e}, D: d, Primes: []*big.Int{p, q}}
		k.Precompute()
		if err := k.Validate(); err != nil {
			return nil, err
		}
		return k, nil
	}
}

func rsaAlgorithm(name, hash string, pub *rsa.PublicKey) KeyAlgorithm {
	return KeyAlgorithm{Name: name, Hash: hash, ModulusLength: pub.N.BitLen(),
		PublicExponent: big.NewInt(int64(pub.E)).Bytes()}
}

func generateRSA(p *params, extractable bool, usages Usages) (any, error) {
	pubU, privU := rsaUsages(p.name)
	if err := checkUsages(usages, pubU|privU); err != nil {
		return nil, err
	}
	if err := rsaParamsError(p); err != nil {
		return nil, err
	}
	if usages&privU == 0 {
		// The private key would have no usages: the spec's SyntaxError,
		// found before spending seconds on a key that is thrown away.
		return nil, syntaxError("Usages cannot be empty when creating a key.")
	}
	priv, err := generateRSAKey(p.modulusLength, rsaExponent(p.publicExponent))
	if err != nil {
		return nil, operationError("Generating the RSA key failed: %v", err)
	}
	alg := rsaAlgorithm(p.name, p.hash, &priv.PublicKey)
	return keyPair{
		public:  &Key{Type: Public, Extractable: true, Algorithm: alg, Usages: usages & pubU, Material: &priv.PublicKey},
		private: &Key{Type: Private, Extractable: extractable, Algorithm: alg, Usages: usages & privU, Material: priv},
	}, nil
}

// rsaExponent is a big-endian publicExponent as an int, or 0 when it is
// larger than any exponent Ferry generates keys with.
func rsaExponent(b []byte) int {
	b = bytes.TrimLeft(b, "\x00")
	if len(b) > 4 {
		return 0
	}
	e := 0
	for _, c := range b {
		e = e<<8 | int(c)
	}
	return e
}

func rsaParamsError(p *params) error {
	// Workers (BoringSSL) generate keys with the exponents 3 and 65537 only,
	// and say so in this message.
	if e := rsaExponent(p.publicExponent); e != 3 && e != 65537 {
		return operationError("The \"publicExponent\" must be either 3 or 65537, but got %s.", new(big.Int).SetBytes(p.publicExponent))
	}
	if p.modulusLength < 1024 || p.modulusLength > maxModulus || p.modulusLength%8 != 0 {
		return operationError("The modulus length must be a multiple of 8 between 1024 and %d, not %d.", maxModulus, p.modulusLength)
	}
	return nil
}

// rsaJWKAlg is the JWK "alg" for an algorithm and hash.
func rsaJWKAlg(name, hash string) string {
	suffix := map[string]string{algSHA1: "1", algSHA256: "256", algSHA384: "384", algSHA512: "512"}[hash]
	switch name {
	case algRSASSA:
		return "RS" + suffix
	case algRSAPSS:
		return "PS" + suffix
	}
	if hash == algSHA1 {
		return "RSA-OAEP"
	}
	return "RSA-OAEP-" + suffix
}

func importRSA(format string, data []byte, jwk *JWK, p *params, extractable bool, usages Usages) (*Key, error) {
	pubU, privU := rsaUsages(p.name)
	var material any
	switch format {
	case "spki":
		if err := checkUsages(usages, pubU); err != nil {
			return nil, err
		}
		k, err := x509.ParsePKIXPublicKey(data)
		if err != nil {
			return nil, dataError("Invalid SPKI input: %v", err)
		}
		pub, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, dataError("The SPKI does not hold an RSA key (rsaEncryption).")
		}
		material = pub
	case "pkcs8":
		if err := checkUsages(usages, privU); err != nil {
			return nil, err
		}
		k, err := x509.ParsePKCS8PrivateKey(data)
		if err != nil {
			return nil, dataError("Invalid PKCS8 input: %v", err)
		}
		priv, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, dataError("The PKCS8 does not hold an RSA key (rsaEncryption).")
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
		if err := kty(jwk, "RSA"); err != nil {
			return nil, err
		}
		use := "sig"
		if p.name == algRSAOAEP {
			use = "enc"
		}
		if err := checkJWK(jwk, use, extractable, usages); err != nil {
			return nil, err
		}
		if jwk.Alg != nil {
			if want := rsaJWKAlg(p.name, p.hash); *jwk.Alg != want {
				return nil, dataError("The JSON Web Key's \"alg\" member must be %q for %s with %s.", want, p.name, p.hash)
			}
		}
		var err error
		if material, err = rsaFromJWK(jwk); err != nil {
			return nil, err
		}
	default:
		return nil, notSupported("Unsupported format %q for %s keys.", format, p.name)
	}
	k := &Key{Extractable: extractable, Usages: usages, Material: material}
	switch m := material.(type) {
	case *rsa.PublicKey:
		k.Type = Public
		k.Algorithm = rsaAlgorithm(p.name, p.hash, m)
	case *rsa.PrivateKey:
		k.Type = Private
		k.Algorithm = rsaAlgorithm(p.name, p.hash, &m.PublicKey)
	}
	return k, nil
}

func jwkInt(s *string, member string) (*big.Int, error) {
	b, err := b64(s, member)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, dataError("The JSON Web Key's %q member is empty.", member)
	}
	return new(big.Int).SetBytes(b), nil
}

func rsaFromJWK(j *JWK) (any, error) {
	n, err := jwkInt(j.N, "n")
	if err != nil {
		return nil, err
	}
	e, err := jwkInt(j.E, "e")
	if err != nil {
		return nil, err
	}
	if !e.IsInt64() || e.Int64() > 1<<31-1 || e.Int64() < 3 {
		return nil, dataError("The RSA public exponent is out of range.")
	}
	pub := rsa.PublicKey{N: n, E: int(e.Int64())}
	if j.D == nil {
		return &pub, nil
	}
	if j.Oth != nil {
		return nil, notSupported("Multi-prime RSA keys (\"oth\") are not supported.")
	}
	var ints [6]*big.Int
	for i, f := range []struct {
		s    *string
		name string
	}{{j.D, "d"}, {j.P, "p"}, {j.Q, "q"}, {j.DP, "dp"}, {j.DQ, "dq"}, {j.QI, "qi"}} {
		if ints[i], err = jwkInt(f.s, f.name); err != nil {
			return nil, err
		}
	}
	priv := &rsa.PrivateKey{PublicKey: pub, D: ints[0], Primes: []*big.Int{ints[1], ints[2]}}
	if err := priv.Validate(); err != nil {
		return nil, dataError("Invalid RSA private key: %v", err)
	}
	dp, dq, qi := crtValues(priv)
	if dp.Cmp(ints[3]) != 0 || dq.Cmp(ints[4]) != 0 || qi.Cmp(ints[5]) != 0 {
		return nil, dataError("Invalid RSA private key: the CRT parameters do not match.")
	}
	priv.Precompute()
	return priv, nil
}

// crtValues computes dp, dq and qinv of a two-prime key without touching
// the key (a *Key's material is shared between goroutines).
func crtValues(priv *rsa.PrivateKey) (dp, dq, qinv *big.Int) {
	p, q := priv.Primes[0], priv.Primes[1]
	one := big.NewInt(1)
	dp = new(big.Int).Mod(priv.D, new(big.Int).Sub(p, one))
	dq = new(big.Int).Mod(priv.D, new(big.Int).Sub(q, one))
	qinv = new(big.Int).ModInverse(q, p)
	return dp, dq, qinv
}

func exportRSA(format string, k *Key) (any, error) {
	switch format {
	case "spki":
		pub, ok := k.Material.(*rsa.PublicKey)
		if !ok {
			return nil, invalidAccess("Only public keys can be exported as spki.")
		}
		b, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			return nil, operationError("%v", err)
		}
		return b, nil
	case "pkcs8":
		priv, ok := k.Material.(*rsa.PrivateKey)
		if !ok {
			return nil, invalidAccess("Only private keys can be exported as pkcs8.")
		}
		b, err := x509.MarshalPKCS8PrivateKey(priv)
		if err != nil {
			return nil, operationError("%v", err)
		}
		return b, nil
	case "jwk":
		j := &JWK{Kty: str("RSA"), Alg: str(rsaJWKAlg(k.Algorithm.Name, k.Algorithm.Hash))}
		var pub *rsa.PublicKey
		switch m := k.Material.(type) {
		case *rsa.PublicKey:
			pub = m
		case *rsa.PrivateKey:
			pub = &m.PublicKey
			if len(m.Primes) != 2 {
				return nil, notSupported("Multi-prime RSA keys cannot be exported as JWK.")
			}
			dp, dq, qi := crtValues(m)
			j.D, j.P, j.Q = enc(m.D.Bytes()), enc(m.Primes[0].Bytes()), enc(m.Primes[1].Bytes())
			j.DP, j.DQ, j.QI = enc(dp.Bytes()), enc(dq.Bytes()), enc(qi.Bytes())
		}
		j.N, j.E = enc(pub.N.Bytes()), enc(big.NewInt(int64(pub.E)).Bytes())
		return exportJWK(j, k), nil
	}
	return nil, notSupported("Unsupported format %q for %s keys.", format, k.Algorithm.Name)
}

func signRSA(p *params, k *Key, data []byte) ([]byte, error) {
	priv, ok := k.Material.(*rsa.PrivateKey)
	if !ok {
		return nil, invalidAccess("Signing requires a private key.")
	}
	h := cryptoHash(k.Algorithm.Hash)
	d := digest(k.Algorithm.Hash, data)
	var sig []byte
	var err error
	switch {
	case p.name == algRSASSA:
		sig, err = rsa.SignPKCS1v15(nil, priv, h, d)
	case p.saltLength == 0:
		// Go's PSS API reads salt length 0 as "as long as possible".
		sig, err = signPSSNoSalt(priv, k.Algorithm.Hash, d)
	default:
		sig, err = rsa.SignPSS(rand.Reader, priv, h, d, &rsa.PSSOptions{SaltLength: p.saltLength})
	}
	if err != nil {
		return nil, operationError("Signing failed: %v", err)
	}
	return sig, nil
}

func verifyRSA(p *params, k *Key, sig, data []byte) (bool, error) {
	pub, ok := k.Material.(*rsa.PublicKey)
	if !ok {
		return false, invalidAccess("Verifying requires a public key.")
	}
	h := cryptoHash(k.Algorithm.Hash)
	d := digest(k.Algorithm.Hash, data)
	switch {
	case p.name == algRSASSA:
		return rsa.VerifyPKCS1v15(pub, h, d, sig) == nil, nil
	case p.saltLength == 0:
		return verifyPSSNoSalt(pub, k.Algorithm.Hash, d, sig), nil
	}
	return rsa.VerifyPSS(pub, h, d, sig, &rsa.PSSOptions{SaltLength: p.saltLength}) == nil, nil
}

func encryptOAEP(p *params, k *Key, data []byte) ([]byte, error) {
	pub, ok := k.Material.(*rsa.PublicKey)
	if !ok {
		return nil, invalidAccess("Encrypting requires a public key.")
	}
	out, err := rsa.EncryptOAEP(newHash(k.Algorithm.Hash)(), rand.Reader, pub, data, p.label)
	if err != nil {
		return nil, operationError("Encryption failed: %v", err)
	}
	return out, nil
}

func decryptOAEP(p *params, k *Key, data []byte) ([]byte, error) {
	priv, ok := k.Material.(*rsa.PrivateKey)
	if !ok {
		return nil, invalidAccess("Decrypting requires a private key.")
	}
	out, err := rsa.DecryptOAEP(newHash(k.Algorithm.Hash)(), nil, priv, data, p.label)
	if err != nil {
		return nil, operationError("Decryption failed.")
	}
	return out, nil
}

// ---- RSA-PSS with an empty salt (RFC 8017 §9.1 with sLen = 0) ----

// pssEncodeNoSalt is EMSA-PSS-ENCODE with an empty salt and MGF1 over the
// same hash.
func pssEncodeNoSalt(hashName string, mHash []byte, emBits int) ([]byte, error) {
	hLen := len(mHash)
	emLen := (emBits + 7) / 8
	if emLen < hLen+2 {
		return nil, errors.New("key too small for the hash")
	}
	// M' = 8 zero bytes || mHash (|| empty salt); H = Hash(M').
	h := digest(hashName, append(make([]byte, 8), mHash...))
	// DB = PS || 0x01 (|| empty salt); maskedDB = DB xor MGF1(H).
	db := make([]byte, emLen-hLen-1)
	db[len(db)-1] = 0x01
	mask := mgf1(hashName, h, len(db))
	for i := range db {
		db[i] ^= mask[i]
	}
	db[0] &= 0xff >> (8*emLen - emBits)
	em := append(db, h...)
	return append(em, 0xbc), nil
}

func pssVerifyNoSalt(hashName string, mHash, em []byte, emBits int) bool {
	hLen := len(mHash)
	emLen := (emBits + 7) / 8
	if len(em) != emLen || emLen < hLen+2 || em[emLen-1] != 0xbc {
		return false
	}
	maskedDB, h := em[:emLen-hLen-1], em[emLen-hLen-1:emLen-1]
	if maskedDB[0]&^(0xff>>(8*emLen-emBits)) != 0 {
		return false
	}
	mask := mgf1(hashName, h, len(maskedDB))
	db := make([]byte, len(maskedDB))
	for i := range db {
		db[i] = maskedDB[i] ^ mask[i]
	}
	db[0] &= 0xff >> (8*emLen - emBits)
	for _, b := range db[:len(db)-1] {
		if b != 0 {
			return false
		}
	}
	if db[len(db)-1] != 0x01 {
		return false
	}
	return bytes.Equal(h, digest(hashName, append(make([]byte, 8), mHash...)))
}

func mgf1(hashName string, seed []byte, n int) []byte {
	out := make([]byte, 0, n+64)
	var c [4]byte
	for i := 0; len(out) < n; i++ {
		c[0], c[1], c[2], c[3] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
		out = append(out, digest(hashName, append(append([]byte(nil), seed...), c[:]...))...)
	}
	return out[:n]
}

func signPSSNoSalt(priv *rsa.PrivateKey, hashName string, d []byte) ([]byte, error) {
	em, err := pssEncodeNoSalt(hashName, d, priv.N.BitLen()-1)
	if err != nil {
		return nil, err
	}
	return rsaPrivateRaw(priv, em)
}

func verifyPSSNoSalt(pub *rsa.PublicKey, hashName string, d, sig []byte) bool {
	k := (pub.N.BitLen() + 7) / 8
	if len(sig) != k {
		return false
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(pub.N) >= 0 {
		return false
	}
	m := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N)
	emBits := pub.N.BitLen() - 1
	em := m.FillBytes(make([]byte, k))
	if emLen := (emBits + 7) / 8; emLen < k {
		if em[0] != 0 {
			return false
		}
		em = em[1:]
	}
	return pssVerifyNoSalt(hashName, d, em, emBits)
}

// rsaPrivateRaw computes em^d mod n with blinding and a CRT check. Go's
// crypto/rsa has no raw private operation, and its PSS signer cannot use an
// empty salt; math/big is not constant-time, which the random blinding
// factor makes harmless for the exponent.
func rsaPrivateRaw(priv *rsa.PrivateKey, em []byte) ([]byte, error) {
	n := priv.N
	c := new(big.Int).SetBytes(em)
	if c.Cmp(n) >= 0 {
		return nil, errors.New("message representative out of range")
	}
	e := big.NewInt(int64(priv.E))
	var r, rInv *big.Int
	for {
		var err error
		if r, err = rand.Int(rand.Reader, n); err != nil {
			return nil, err
		}
		if r.Sign() > 0 {
			if rInv = new(big.Int).ModInverse(r, n); rInv != nil {
				break
			}
		}
	}
	blinded := new(big.Int).Exp(r, e, n)
	blinded.Mul(blinded, c).Mod(blinded, n)
	m := new(big.Int).Exp(blinded, priv.D, n)
	m.Mul(m, rInv).Mod(m, n)
	if new(big.Int).Exp(m, e, n).Cmp(c) != 0 {
		return nil, errors.New("RSA private operation failed its check")
	}
	return m.FillBytes(make([]byte, (n.BitLen()+7)/8)), nil
}
