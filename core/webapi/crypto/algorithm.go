package crypto

import (
	"math"
	"strings"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

// The canonical algorithm names (normalisation maps any ASCII case to these).
const (
	algRSASSA  = "RSASSA-PKCS1-v1_5"
	algRSAPSS  = "RSA-PSS"
	algRSAOAEP = "RSA-OAEP"
	algECDSA   = "ECDSA"
	algECDH    = "ECDH"
	algEd25519 = "Ed25519"
	algX25519  = "X25519"
	algAESCTR  = "AES-CTR"
	algAESCBC  = "AES-CBC"
	algAESGCM  = "AES-GCM"
	algAESKW   = "AES-KW"
	algHMAC    = "HMAC"
	algHKDF    = "HKDF"
	algPBKDF2  = "PBKDF2"
	algSHA1    = "SHA-1"
	algSHA256  = "SHA-256"
	algSHA384  = "SHA-384"
	algSHA512  = "SHA-512"
	algMD5     = "MD5" // digest only: a Workers extension
)

// op is an operation algorithms register for (the spec's "supportedAlgorithms").
type op uint8

const (
	opEncrypt op = iota
	opDecrypt
	opSign
	opVerify
	opDigest
	opGenerateKey
	opDeriveBits
	opImportKey
	opWrapKey
	opUnwrapKey
	opGetKeyLength
	numOps
)

// dict is the IDL dictionary an algorithm's parameters convert to.
type dict uint8

const (
	dAlgorithm dict = iota
	dRsaHashedKeyGen
	dRsaHashedImport
	dRsaPss
	dRsaOaep
	dEcdsa
	dEcKeyGen
	dEcKeyImport
	dEcdhKeyDerive
	dAesCtr
	dAesCbc
	dAesGcm
	dAesKeyGen
	dAesDerivedKey
	dHmacImport
	dHmacKeyGen
	dHkdf
	dPbkdf2
)

var dictNames = [...]string{"Algorithm", "RsaHashedKeyGenParams", "RsaHashedImportParams", "RsaPssParams",
	"RsaOaepParams", "EcdsaParams", "EcKeyGenParams", "EcKeyImportParams", "EcdhKeyDeriveParams", "AesCtrParams",
	"AesCbcParams", "AesGcmParams", "AesKeyGenParams", "AesDerivedKeyParams", "HmacImportParams",
	"HmacKeyGenParams", "HkdfParams", "Pbkdf2Params"}

type entry struct {
	name string
	dict dict
}

// registry lists, per operation, the algorithms that support it and the
// dictionary their parameters take (WebCrypto §18.4 "Algorithm normalization"
// and each algorithm's "Registration" section).
var registry = func() [numOps][]entry {
	var r [numOps][]entry
	add := func(name string, ops map[op]dict) {
		for o, d := range ops {
			r[o] = append(r[o], entry{name, d})
		}
	}
	for _, h := range []string{algSHA1, algSHA256, algSHA384, algSHA512, algMD5} {
		add(h, map[op]dict{opDigest: dAlgorithm})
	}
	add(algRSASSA, map[op]dict{opSign: dAlgorithm, opVerify: dAlgorithm, opGenerateKey: dRsaHashedKeyGen, opImportKey: dRsaHashedImport})
	add(algRSAPSS, map[op]dict{opSign: dRsaPss, opVerify: dRsaPss, opGenerateKey: dRsaHashedKeyGen, opImportKey: dRsaHashedImport})
	add(algRSAOAEP, map[op]dict{opEncrypt: dRsaOaep, opDecrypt: dRsaOaep, opGenerateKey: dRsaHashedKeyGen, opImportKey: dRsaHashedImport})
	add(algECDSA, map[op]dict{opSign: dEcdsa, opVerify: dEcdsa, opGenerateKey: dEcKeyGen, opImportKey: dEcKeyImport})
	add(algECDH, map[op]dict{opDeriveBits: dEcdhKeyDerive, opGenerateKey: dEcKeyGen, opImportKey: dEcKeyImport})
	add(algEd25519, map[op]dict{opSign: dAlgorithm, opVerify: dAlgorithm, opGenerateKey: dAlgorithm, opImportKey: dAlgorithm})
	add(algNodeEd25519, map[op]dict{opSign: dAlgorithm, opVerify: dAlgorithm, opGenerateKey: dEcKeyGen, opImportKey: dEcKeyImport})
	add(algX25519, map[op]dict{opDeriveBits: dEcdhKeyDerive, opGenerateKey: dAlgorithm, opImportKey: dAlgorithm})
	add(algAESCTR, map[op]dict{opEncrypt: dAesCtr, opDecrypt: dAesCtr, opGenerateKey: dAesKeyGen, opImportKey: dAlgorithm, opGetKeyLength: dAesDerivedKey})
	add(algAESCBC, map[op]dict{opEncrypt: dAesCbc, opDecrypt: dAesCbc, opGenerateKey: dAesKeyGen, opImportKey: dAlgorithm, opGetKeyLength: dAesDerivedKey})
	add(algAESGCM, map[op]dict{opEncrypt: dAesGcm, opDecrypt: dAesGcm, opGenerateKey: dAesKeyGen, opImportKey: dAlgorithm, opGetKeyLength: dAesDerivedKey})
	add(algAESKW, map[op]dict{opWrapKey: dAlgorithm, opUnwrapKey: dAlgorithm, opGenerateKey: dAesKeyGen, opImportKey: dAlgorithm, opGetKeyLength: dAesDerivedKey})
	add(algHMAC, map[op]dict{opSign: dAlgorithm, opVerify: dAlgorithm, opGenerateKey: dHmacKeyGen, opImportKey: dHmacImport, opGetKeyLength: dHmacImport})
	add(algHKDF, map[op]dict{opDeriveBits: dHkdf, opImportKey: dAlgorithm, opGetKeyLength: dAlgorithm})
	add(algPBKDF2, map[op]dict{opDeriveBits: dPbkdf2, opImportKey: dAlgorithm, opGetKeyLength: dAlgorithm})
	return r
}()

// exportable lists the algorithms that support exportKey.
var exportable = map[string]bool{algRSASSA: true, algRSAPSS: true, algRSAOAEP: true, algECDSA: true, algECDH: true,
	algEd25519: true, algNodeEd25519: true, algX25519: true, algAESCTR: true, algAESCBC: true, algAESGCM: true, algAESKW: true, algHMAC: true}

func lookup(o op, name string) (entry, bool) {
	for _, e := range registry[o] {
		if strings.EqualFold(e.name, name) {
			return e, true
		}
	}
	return entry{}, false
}

// params is a normalized algorithm: the canonical name and whichever members
// its dictionary has. BufferSource members are copies, hashes are normalized
// hash names.
type params struct {
	name string
	dict dict

	hash           string
	modulusLength  int
	publicExponent []byte
	namedCurve     string
	length         int // AesKeyGenParams, AesDerivedKeyParams, AesCtrParams, Hmac*Params
	hasLength      bool
	saltLength     int
	label          []byte
	counter        []byte
	iv             []byte
	additionalData []byte
	tagLength      int
	hasTagLength   bool
	public         *Key
	salt, info     []byte
	iterations     int
}

// normalize implements "normalize an algorithm" for operation o. Conversion
// failures are TypeErrors; an unknown name is a NotSupportedError. JS
// exceptions thrown by getters propagate as panics (the caller runs inside
// vm.Try).
func (a *API) normalize(v goja.Value, o op) (p *params, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*opError)
			if !ok {
				panic(r)
			}
			p, err = nil, e
		}
	}()
	return a.normalizeOrPanic(v, o), nil
}

func (a *API) normalizeOrPanic(v goja.Value, o op) *params {
	var obj *goja.Object
	var name string
	if x, ok := v.(*goja.Object); ok {
		obj = x
		nv := obj.Get("name")
		if nv == nil || goja.IsUndefined(nv) {
			panic(typeError("Algorithm: name: Missing or not a string"))
		}
		name = nv.String()
	} else if v == nil {
		name = "undefined"
	} else {
		name = v.String()
	}
	e, ok := lookup(o, name)
	if !ok {
		panic(notSupported("Unrecognized name."))
	}
	p := &params{name: e.name, dict: e.dict}
	r := reader{a: a, obj: obj, dict: dictNames[e.dict]}
	var hash goja.Value
	switch e.dict {
	case dRsaHashedKeyGen:
		p.modulusLength = int(r.enforceRange("modulusLength", math.MaxUint32, true))
		p.publicExponent = r.bigInteger("publicExponent")
		hash = r.required("hash")
	case dRsaHashedImport, dEcdsa:
		hash = r.required("hash")
	case dRsaPss:
		p.saltLength = int(r.enforceRange("saltLength", math.MaxUint32, true))
	case dRsaOaep:
		p.label = r.bufferSource("label", false)
	case dEcKeyGen, dEcKeyImport:
		p.namedCurve = r.required("namedCurve").String()
	case dEcdhKeyDerive:
		k, ok := KeyOf(r.required("public"))
		if !ok {
			panic(typeError("Failed to read the 'public' property from 'EcdhKeyDeriveParams': The provided value is not of type 'CryptoKey'."))
		}
		p.public = k
	case dAesCtr:
		p.counter = r.bufferSource("counter", true)
		p.length = int(r.enforceRange("length", math.MaxUint8, true))
		p.hasLength = true
	case dAesCbc:
		p.iv = r.bufferSource("iv", true)
	case dAesGcm:
		p.additionalData = r.bufferSource("additionalData", false)
		p.iv = r.bufferSource("iv", true)
		if v := r.get("tagLength"); !goja.IsUndefined(v) {
			p.tagLength = int(enforceRange(v, math.MaxUint8, r.member("tagLength")))
			p.hasTagLength = true
		}
	case dAesKeyGen, dAesDerivedKey:
		p.length = int(r.enforceRange("length", math.MaxUint16, true))
		p.hasLength = true
	case dHmacImport, dHmacKeyGen:
		hash = r.required("hash")
		if v := r.get("length"); !goja.IsUndefined(v) {
			p.length = int(enforceRange(v, math.MaxUint32, r.member("length")))
			p.hasLength = true
		}
	case dHkdf:
		hash = r.required("hash")
		p.info = r.bufferSource("info", true)
		p.salt = r.bufferSource("salt", true)
	case dPbkdf2:
		hash = r.required("hash")
		p.iterations = int(r.enforceRange("iterations", math.MaxUint32, true))
		p.salt = r.bufferSource("salt", true)
	}
	if hash != nil {
		h := a.normalizeOrPanic(hash, opDigest)
		if h.name == algMD5 {
			panic(notSupported("MD5 can only be used with digest()."))
		}
		p.hash = h.name
	}
	return p
}

// reader reads the members of an IDL dictionary from a JS object (nil
// stands for a string algorithm, whose members are all undefined).
type reader struct {
	a    *API
	obj  *goja.Object
	dict string
}

func (r *reader) member(name string) string {
	return "Failed to read the '" + name + "' property from '" + r.dict + "'"
}

func (r *reader) get(name string) goja.Value {
	if r.obj == nil {
		return goja.Undefined()
	}
	v := r.obj.Get(name)
	if v == nil {
		return goja.Undefined()
	}
	return v
}

func (r *reader) required(name string) goja.Value {
	v := r.get(name)
	if goja.IsUndefined(v) {
		panic(typeError("%s: Required member is undefined.", r.member(name)))
	}
	return v
}

func (r *reader) enforceRange(name string, max float64, required bool) int64 {
	v := r.get(name)
	if goja.IsUndefined(v) {
		if required {
			panic(typeError("%s: Required member is undefined.", r.member(name)))
		}
		return 0
	}
	return enforceRange(v, max, r.member(name))
}

// bufferSource reads a BufferSource member and copies its bytes (nil when
// absent and optional).
func (r *reader) bufferSource(name string, required bool) []byte {
	v := r.get(name)
	if goja.IsUndefined(v) {
		if required {
			panic(typeError("%s: Required member is undefined.", r.member(name)))
		}
		return nil
	}
	b, ok := js.Bytes(r.a.vm, v)
	if !ok {
		panic(typeError("%s: The provided value is not of type '(ArrayBuffer or ArrayBufferView)'.", r.member(name)))
	}
	return append(make([]byte, 0, len(b)), b...)
}

// bigInteger reads a BigInteger (a Uint8Array, big-endian) member.
func (r *reader) bigInteger(name string) []byte {
	v := r.required(name)
	obj, ok := v.(*goja.Object)
	if ok {
		if tag := obj.GetSymbol(goja.SymToStringTag); tag == nil || tag.String() != "Uint8Array" {
			ok = false
		}
	}
	b, isBytes := js.Bytes(r.a.vm, v)
	if !ok || !isBytes {
		panic(typeError("%s: The provided value is not of type 'Uint8Array'.", r.member(name)))
	}
	return append([]byte(nil), b...)
}

// enforceRange converts v as WebIDL's [EnforceRange] integer types do.
func enforceRange(v goja.Value, max float64, what string) int64 {
	f := v.ToFloat()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		panic(typeError("%s: Value is not a finite number.", what))
	}
	f = math.Trunc(f)
	if f < 0 || f > max {
		panic(typeError("%s: Value is outside the '%s' value range.", what, rangeName(max)))
	}
	return int64(f)
}

func rangeName(max float64) string {
	switch max {
	case math.MaxUint8:
		return "octet"
	case math.MaxUint16:
		return "unsigned short"
	}
	return "unsigned long"
}

// hashSize returns the output size in bytes of a key hash (SHA-*).
func hashSize(name string) int {
	switch name {
	case algSHA1:
		return 20
	case algSHA256:
		return 32
	case algSHA384:
		return 48
	case algSHA512:
		return 64
	}
	return 0
}

// blockBits is the block size in bits of a SHA hash (HMAC's default key length).
func blockBits(name string) int {
	switch name {
	case algSHA384, algSHA512:
		return 1024
	}
	return 512
}
