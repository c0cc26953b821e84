package crypto

// The operations, dispatched on the normalized algorithm name. Each runs on
// Go values only, on or off the loop goroutine.

func generateKey(p *params, extractable bool, usages Usages) (any, error) {
	switch p.name {
	case algAESCTR, algAESCBC, algAESGCM, algAESKW:
		return generateAES(p, extractable, usages)
	case algHMAC:
		return generateHMAC(p, extractable, usages)
	case algRSASSA, algRSAPSS, algRSAOAEP:
		return generateRSA(p, extractable, usages)
	case algECDSA, algECDH:
		return generateEC(p, extractable, usages)
	case algEd25519, algNodeEd25519, algX25519:
		return generateOKP(p, extractable, usages)
	}
	return nil, notSupported("Unrecognized name.")
}

// importKey imports a key of any algorithm. A public key is always
// extractable, whatever extractable says, as generateKey's public keys are:
// the Web Crypto editor's draft sets [[extractable]] of every imported
// public key to true (WPT's import tests check it).
func importKey(format string, data []byte, jwk *JWK, p *params, extractable bool, usages Usages) (*Key, error) {
	k, err := importAlgorithm(format, data, jwk, p, extractable, usages)
	if k != nil && k.Type == Public {
		k.Extractable = true
	}
	return k, err
}

func importAlgorithm(format string, data []byte, jwk *JWK, p *params, extractable bool, usages Usages) (*Key, error) {
	switch p.name {
	case algAESCTR, algAESCBC, algAESGCM, algAESKW:
		return importAES(format, data, jwk, p, extractable, usages)
	case algHMAC:
		return importHMAC(format, data, jwk, p, extractable, usages)
	case algHKDF, algPBKDF2:
		return importKDF(format, data, p, extractable, usages)
	case algRSASSA, algRSAPSS, algRSAOAEP:
		return importRSA(format, data, jwk, p, extractable, usages)
	case algECDSA, algECDH:
		return importEC(format, data, jwk, p, extractable, usages)
	case algEd25519, algNodeEd25519, algX25519:
		return importOKP(format, data, jwk, p, extractable, usages)
	}
	return nil, notSupported("Unrecognized name.")
}

// exportKey returns a []byte or a *JWK.
func exportKey(format string, k *Key) (any, error) {
	switch k.Algorithm.Name {
	case algAESCTR, algAESCBC, algAESGCM, algAESKW, algHMAC:
		return exportSecret(format, k)
	case algRSASSA, algRSAPSS, algRSAOAEP:
		return exportRSA(format, k)
	case algECDSA, algECDH:
		return exportEC(format, k)
	case algEd25519, algNodeEd25519, algX25519:
		return exportOKP(format, k)
	}
	return nil, notSupported("Unsupported key export.")
}

func sign(p *params, k *Key, data []byte) ([]byte, error) {
	switch p.name {
	case algHMAC:
		return hmacSign(k, data), nil
	case algRSASSA, algRSAPSS:
		return signRSA(p, k, data)
	case algECDSA:
		return signECDSA(p, k, data)
	case algEd25519, algNodeEd25519:
		return signEd25519(k, data)
	}
	return nil, notSupported("Unrecognized name.")
}

func verify(p *params, k *Key, sig, data []byte) (bool, error) {
	switch p.name {
	case algHMAC:
		return hmacEqual(hmacSign(k, data), sig), nil
	case algRSASSA, algRSAPSS:
		return verifyRSA(p, k, sig, data)
	case algECDSA:
		return verifyECDSA(p, k, sig, data)
	case algEd25519, algNodeEd25519:
		return verifyEd25519(k, sig, data)
	}
	return false, notSupported("Unrecognized name.")
}

func encrypt(p *params, k *Key, data []byte) ([]byte, error) {
	switch p.name {
	case algAESCTR:
		return aesCTR(p, k, data)
	case algAESCBC:
		return aesCBCEncrypt(p, k, data)
	case algAESGCM:
		return aesGCMEncrypt(p, k, data)
	case algRSAOAEP:
		return encryptOAEP(p, k, data)
	}
	return nil, notSupported("Unrecognized name.")
}

func decrypt(p *params, k *Key, data []byte) ([]byte, error) {
	switch p.name {
	case algAESCTR:
		return aesCTR(p, k, data)
	case algAESCBC:
		return aesCBCDecrypt(p, k, data)
	case algAESGCM:
		return aesGCMDecrypt(p, k, data)
	case algRSAOAEP:
		return decryptOAEP(p, k, data)
	}
	return nil, notSupported("Unrecognized name.")
}

func deriveBits(p *params, k *Key, length int, hasLength bool) ([]byte, error) {
	switch p.name {
	case algECDH, algX25519:
		secret, err := agree(p, k)
		if err != nil {
			return nil, err
		}
		return truncateBits(secret, length, hasLength)
	case algHKDF:
		return deriveHKDF(p, k, length, hasLength)
	case algPBKDF2:
		return derivePBKDF2(p, k, length, hasLength)
	}
	return nil, notSupported("Unrecognized name.")
}

// keyLength is the "get key length" operation deriveKey uses; ok false is
// the spec's null.
func keyLength(p *params) (length int, ok bool, err error) {
	switch p.name {
	case algAESCTR, algAESCBC, algAESGCM, algAESKW:
		if err := aesLengthError(p.length); err != nil {
			return 0, false, err
		}
		return p.length, true, nil
	case algHMAC:
		if !p.hasLength {
			return blockBits(p.hash), true, nil
		}
		if p.length == 0 {
			return 0, false, operationError("HMAC key length must not be zero.")
		}
		return p.length, true, nil
	}
	return 0, false, nil // HKDF, PBKDF2
}

// generateParamsError checks generateKey's algorithm parameters before the
// operation runs, as browsers do while normalizing (WPT expects these
// rejections before any microtask runs; a bad usage, which the spec checks
// first, rejects later from the operation). It returns nil when the usages
// are bad, so that error keeps its place.
func generateParamsError(p *params, usages Usages) error {
	switch p.name {
	case algAESCTR, algAESCBC, algAESGCM, algAESKW:
		if checkUsages(usages, aesAllowed(p.name)) == nil {
			return aesLengthError(p.length)
		}
	case algHMAC:
		if checkUsages(usages, UsageSign|UsageVerify) == nil && p.hasLength && p.length == 0 {
			return operationError("HMAC key length must not be zero.")
		}
	case algRSASSA, algRSAPSS, algRSAOAEP:
		pub, priv := rsaUsages(p.name)
		if checkUsages(usages, pub|priv) == nil {
			return rsaParamsError(p)
		}
	case algECDSA, algECDH:
		pub, priv := ecUsages(p.name)
		if checkUsages(usages, pub|priv) == nil && curve(p.namedCurve) == nil {
			return notSupported("Unrecognized or unimplemented EC curve %q requested.", p.namedCurve)
		}
	}
	return nil
}

func aesLengthError(length int) error {
	if length != 128 && length != 192 && length != 256 {
		return operationError("AES key length must be 128, 192 or 256 bits, not %d.", length)
	}
	return nil
}

// truncateBits returns the first length bits of secret (all of it when no
// length was given), as ECDH and X25519 derivation does.
func truncateBits(secret []byte, length int, hasLength bool) ([]byte, error) {
	if !hasLength {
		return secret, nil
	}
	if length > len(secret)*8 {
		return nil, operationError("Derived bit length is too long: the shared secret has %d bits.", len(secret)*8)
	}
	out := secret[:(length+7)/8]
	if r := length % 8; r != 0 {
		out[len(out)-1] &= 0xff << (8 - r)
	}
	return out, nil
}

// checkUsages is the SyntaxError check each algorithm makes first: every
// requested usage must be one the key kind allows.
func checkUsages(usages, allowed Usages) error {
	if usages&^allowed != 0 {
		return syntaxError("Unsupported key usage %q for this key.", (usages &^ allowed).String())
	}
	return nil
}
