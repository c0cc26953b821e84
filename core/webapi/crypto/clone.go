package crypto

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/webapi/clone"
	"github.com/ferry-run/ferry/core/webapi/events"
)

// CryptoKey is serializable (HTML's structured clone: structuredClone,
// postMessage, and the stored byte form). The key state goes with it, the
// material included whether or not the key is extractable, as browsers do
// for IndexedDB; the clone is a new CryptoKey with the same slots.

var apiKey = goja.NewSymbol("ferry.crypto")

// apiOf returns the crypto family installed on vm (nil if none).
func apiOf(vm *goja.Runtime) *API {
	a, _ := events.InternalSymbol(vm.GlobalObject(), apiKey).(*API)
	return a
}

var registerOnce sync.Once

func registerClone() {
	registerOnce.Do(func() {
		clone.Register(clone.Type[*cryptoKey]{
			Name: "CryptoKey",
			Serialize: func(_ *goja.Runtime, k *cryptoKey) ([]byte, error) {
				return marshalKey(k.key)
			},
			Deserialize: func(vm *goja.Runtime, data []byte) (goja.Value, error) {
				a := apiOf(vm)
				if a == nil {
					return nil, errors.New("CryptoKey is not available in this runtime")
				}
				k, err := unmarshalKey(data)
				if err != nil {
					return nil, err
				}
				return a.NewKey(k), nil
			},
		})
	})
}

// keyFormat is the version of marshalKey's layout:
//
//	version(=1) type extractable usages
//	string name, string hash, uvarint length, string namedCurve,
//	uvarint modulusLength, bytes publicExponent,
//	bytes material: the raw secret, or the public key as SPKI DER, or the
//	private key as PKCS #8 DER
//
// where string and bytes are uvarint(n) + n bytes.
const keyFormat = 1

func marshalKey(k *Key) ([]byte, error) {
	var material []byte
	var err error
	switch k.Type {
	case Secret:
		material = k.secret()
	case Public:
		material, err = x509.MarshalPKIXPublicKey(k.Material)
	case Private:
		material, err = x509.MarshalPKCS8PrivateKey(k.Material)
	}
	if err != nil {
		return nil, fmt.Errorf("serializing a %s key: %w", k.Algorithm.Name, err)
	}
	a := k.Algorithm
	b := []byte{keyFormat, byte(k.Type), 0, byte(k.Usages)}
	if k.Extractable {
		b[2] = 1
	}
	str := func(s []byte) { b = binary.AppendUvarint(b, uint64(len(s))); b = append(b, s...) }
	str([]byte(a.Name))
	str([]byte(a.Hash))
	b = binary.AppendUvarint(b, uint64(a.Length))
	str([]byte(a.NamedCurve))
	b = binary.AppendUvarint(b, uint64(a.ModulusLength))
	str(a.PublicExponent)
	str(material)
	return b, nil
}

var errKeyData = errors.New("invalid serialized CryptoKey")

func unmarshalKey(b []byte) (*Key, error) {
	if len(b) < 4 || b[0] != keyFormat || b[1] < byte(Secret) || b[1] > byte(Private) || b[2] > 1 {
		return nil, errKeyData
	}
	k := &Key{Type: KeyType(b[1]), Extractable: b[2] == 1, Usages: Usages(b[3])}
	b = b[4:]
	bad := false
	num := func() int {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > 1<<31 {
			bad = true
			return 0
		}
		b = b[w:]
		return int(n)
	}
	bytes := func() []byte {
		n := num()
		if bad || n > len(b) {
			bad = true
			return nil
		}
		out := append([]byte(nil), b[:n]...)
		b = b[n:]
		return out
	}
	a := &k.Algorithm
	a.Name = string(bytes())
	a.Hash = string(bytes())
	a.Length = num()
	a.NamedCurve = string(bytes())
	a.ModulusLength = num()
	a.PublicExponent = bytes()
	material := bytes()
	if bad || len(b) != 0 {
		return nil, errKeyData
	}
	var err error
	switch k.Type {
	case Secret:
		k.Material = material
	case Public:
		k.Material, err = x509.ParsePKIXPublicKey(material)
	case Private:
		k.Material, err = x509.ParsePKCS8PrivateKey(material)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errKeyData, err)
	}
	if !materialFits(k) {
		return nil, errKeyData
	}
	return k, nil
}

// materialFits reports whether k's material is of the Go type its
// algorithm and type need (the operations rely on it).
func materialFits(k *Key) bool {
	pub := k.Type == Public
	switch m := k.Material.(type) {
	case []byte:
		return k.Type == Secret && !asymmetric(k.Algorithm.Name) && k.Algorithm.Name != ""
	case *rsa.PublicKey, *rsa.PrivateKey:
		_, isPub := m.(*rsa.PublicKey)
		return isPub == pub && (k.Algorithm.Name == algRSASSA || k.Algorithm.Name == algRSAPSS || k.Algorithm.Name == algRSAOAEP)
	case *ecdsa.PublicKey:
		return pub && (k.Algorithm.Name == algECDSA || k.Algorithm.Name == algECDH) && curveName(m.Curve) == k.Algorithm.NamedCurve
	case *ecdsa.PrivateKey:
		return !pub && (k.Algorithm.Name == algECDSA || k.Algorithm.Name == algECDH) && curveName(m.Curve) == k.Algorithm.NamedCurve
	case ed25519.PublicKey, ed25519.PrivateKey:
		_, isPub := m.(ed25519.PublicKey)
		return isPub == pub && isEd25519(k.Algorithm.Name) && k.Algorithm.NamedCurve == okpAlgorithm(k.Algorithm.Name).NamedCurve
	case *ecdh.PublicKey, *ecdh.PrivateKey:
		_, isPub := m.(*ecdh.PublicKey)
		return isPub == pub && okpMatches(algX25519, m) && k.Algorithm.Name == algX25519
	}
	return false
}
