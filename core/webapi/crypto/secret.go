package crypto

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"hash"
)

// Secret-key algorithms: HMAC, the AES family (keys here, modes in aes.go),
// HKDF and PBKDF2.

const aesUsages = UsageEncrypt | UsageDecrypt | UsageWrapKey | UsageUnwrapKey

func aesAllowed(name string) Usages {
	if name == algAESKW {
		return UsageWrapKey | UsageUnwrapKey
	}
	return aesUsages
}

func generateAES(p *params, extractable bool, usages Usages) (any, error) {
	if err := checkUsages(usages, aesAllowed(p.name)); err != nil {
		return nil, err
	}
	if err := aesLengthError(p.length); err != nil {
		return nil, err
	}
	b := make([]byte, p.length/8)
	_, _ = rand.Read(b)
	return &Key{Type: Secret, Extractable: extractable, Usages: usages,
		Algorithm: KeyAlgorithm{Name: p.name, Length: p.length}, Material: b}, nil
}

// jwkAESSuffix is the mode part of an AES JWK "alg" (A128GCM, A256KW...).
var jwkAESSuffix = map[string]string{algAESCTR: "CTR", algAESCBC: "CBC", algAESGCM: "GCM", algAESKW: "KW"}

func importAES(format string, data []byte, jwk *JWK, p *params, extractable bool, usages Usages) (*Key, error) {
	if err := checkUsages(usages, aesAllowed(p.name)); err != nil {
		return nil, err
	}
	switch format {
	case "raw":
		data = append([]byte(nil), data...)
		if n := len(data) * 8; n != 128 && n != 192 && n != 256 {
			return nil, dataError("Imported AES key length must be 128, 192, or 256 bits but provided %d.", n)
		}
	case "jwk":
		if err := kty(jwk, "oct"); err != nil {
			return nil, err
		}
		var err error
		if data, err = b64(jwk.K, "k"); err != nil {
			return nil, err
		}
		n := len(data) * 8
		if n != 128 && n != 192 && n != 256 {
			return nil, dataError("Imported AES key length must be 128, 192, or 256 bits but provided %d.", n)
		}
		if want := fmt.Sprintf("A%d%s", n, jwkAESSuffix[p.name]); jwk.Alg != nil && *jwk.Alg != want {
			return nil, dataError("The JSON Web Key's \"alg\" member must be %q.", want)
		}
		if err := checkJWK(jwk, "enc", extractable, usages); err != nil {
			return nil, err
		}
	default:
		return nil, notSupported("Unsupported format %q for %s keys.", format, p.name)
	}
	return &Key{Type: Secret, Extractable: extractable, Usages: usages,
		Algorithm: KeyAlgorithm{Name: p.name, Length: len(data) * 8}, Material: data}, nil
}

// exportSecret exports AES and HMAC keys.
func exportSecret(format string, k *Key) (any, error) {
	b := k.secret()
	switch format {
	case "raw":
		return append([]byte(nil), b...), nil
	case "jwk":
		j := &JWK{Kty: str("oct"), K: enc(b)}
		if k.Algorithm.Name == algHMAC {
			j.Alg = str(hmacJWKAlg[k.Algorithm.Hash])
		} else {
			j.Alg = str(fmt.Sprintf("A%d%s", len(b)*8, jwkAESSuffix[k.Algorithm.Name]))
		}
		return exportJWK(j, k), nil
	}
	return nil, notSupported("Unsupported format %q for %s keys.", format, k.Algorithm.Name)
}

// ---- HMAC ----

var hmacJWKAlg = map[string]string{algSHA1: "HS1", algSHA256: "HS256", algSHA384: "HS384", algSHA512: "HS512"}

func generateHMAC(p *params, extractable bool, usages Usages) (any, error) {
	if err := checkUsages(usages, UsageSign|UsageVerify); err != nil {
		return nil, err
	}
	length := blockBits(p.hash)
	if p.hasLength {
		if p.length == 0 {
			return nil, operationError("HMAC key length must not be zero.")
		}
		length = p.length
	}
	b := make([]byte, (length+7)/8)
	_, _ = rand.Read(b)
	maskBits(b, length)
	return &Key{Type: Secret, Extractable: extractable, Usages: usages,
		Algorithm: KeyAlgorithm{Name: algHMAC, Hash: p.hash, Length: length}, Material: b}, nil
}

// maskBits clears the bits of b past the first length.
func maskBits(b []byte, length int) {
	if r := length % 8; r != 0 && len(b) > 0 {
		b[len(b)-1] &= 0xff << (8 - r)
	}
}

func importHMAC(format string, data []byte, jwk *JWK, p *params, extractable bool, usages Usages) (*Key, error) {
	if err := checkUsages(usages, UsageSign|UsageVerify); err != nil {
		return nil, err
	}
	switch format {
	case "raw":
		data = append([]byte(nil), data...)
	case "jwk":
		if err := kty(jwk, "oct"); err != nil {
			return nil, err
		}
		var err error
		if data, err = b64(jwk.K, "k"); err != nil {
			return nil, err
		}
		if want := hmacJWKAlg[p.hash]; jwk.Alg != nil && *jwk.Alg != want {
			return nil, dataError("The JSON Web Key's \"alg\" member must be %q.", want)
		}
		if err := checkJWK(jwk, "sig", extractable, usages); err != nil {
			return nil, err
		}
	default:
		return nil, notSupported("Unsupported format %q for HMAC keys.", format)
	}
	length := len(data) * 8
	if length == 0 {
		return nil, dataError("HMAC key data must not be empty.")
	}
	if p.hasLength {
		if p.length > length {
			return nil, dataError("The HMAC key length %d is longer than the key data (%d bits).", p.length, length)
		}
		if p.length == 0 {
			return nil, dataError("HMAC key length must not be zero.")
		}
		length = p.length
		data = data[:(length+7)/8]
		maskBits(data, length)
	}
	return &Key{Type: Secret, Extractable: extractable, Usages: usages,
		Algorithm: KeyAlgorithm{Name: algHMAC, Hash: p.hash, Length: length}, Material: data}, nil
}

func hmacSign(k *Key, data []byte) []byte {
	m := hmac.New(newHash(k.Algorithm.Hash), k.secret())
	m.Write(data)
	return m.Sum(nil)
}

// hmacSign on a CryptoKey reuses its HMAC state; on the loop goroutine only.
func (c *cryptoKey) hmacSign(data []byte) []byte {
	if c.mac == nil {
		c.mac = hmac.New(newHash(c.key.Algorithm.Hash), c.key.secret())
	} else {
		c.mac.Reset()
	}
	c.mac.Write(data)
	return c.mac.Sum(make([]byte, 0, c.mac.Size()))
}

func hmacEqual(mac, sig []byte) bool { return subtle.ConstantTimeCompare(mac, sig) == 1 }

// ---- HKDF and PBKDF2 ----

// maxPBKDF2Iterations is Cloudflare Workers' limit (with its error message):
// it bounds the CPU one derivation can take, which here runs off the loop
// and outside the request's CPU accounting.
const maxPBKDF2Iterations = 100000

func importKDF(format string, data []byte, p *params, extractable bool, usages Usages) (*Key, error) {
	if format != "raw" {
		return nil, notSupported("Unsupported format %q for %s keys: only \"raw\" is allowed.", format, p.name)
	}
	if err := checkUsages(usages, UsageDeriveKey|UsageDeriveBits); err != nil {
		return nil, err
	}
	if extractable {
		return nil, syntaxError("%s keys cannot be extractable.", p.name)
	}
	return &Key{Type: Secret, Usages: usages, Algorithm: KeyAlgorithm{Name: p.name},
		Material: append([]byte(nil), data...)}, nil
}

func checkKDFLength(name string, length int, hasLength bool) error {
	if !hasLength {
		return operationError("%s requires a length.", name)
	}
	if length%8 != 0 {
		return operationError("%s length must be a multiple of 8 bits.", name)
	}
	return nil
}

func deriveHKDF(p *params, k *Key, length int, hasLength bool) ([]byte, error) {
	if err := checkKDFLength(algHKDF, length, hasLength); err != nil {
		return nil, err
	}
	if length == 0 {
		return []byte{}, nil
	}
	out, err := hkdf.Key(newHash(p.hash), k.secret(), p.salt, string(p.info), length/8)
	if err != nil {
		return nil, operationError("HKDF: %v", err)
	}
	return out, nil
}

func derivePBKDF2(p *params, k *Key, length int, hasLength bool) ([]byte, error) {
	if err := checkKDFLength(algPBKDF2, length, hasLength); err != nil {
		return nil, err
	}
	if p.iterations == 0 {
		return nil, operationError("PBKDF2 iterations must not be zero.")
	}
	if p.iterations > maxPBKDF2Iterations {
		return nil, notSupported("Pbkdf2 failed: iteration counts above %d are not supported (requested %d).", maxPBKDF2Iterations, p.iterations)
	}
	if length == 0 {
		// Unlike HKDF, a zero length is an error for PBKDF2, in Workers and
		// in WPT's derive_bits_keys/pbkdf2 tests.
		return nil, operationError("PBKDF2 requires a derived key length that is a non-zero multiple of 8 bits.")
	}
	h := newHash(p.hash)
	out, err := pbkdf2.Key(func() hash.Hash { return h() }, string(k.secret()), p.salt, p.iterations, length/8)
	if err != nil {
		return nil, operationError("PBKDF2: %v", err)
	}
	return out, nil
}
