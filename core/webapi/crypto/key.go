package crypto

import (
	"strings"
)

// KeyType is a CryptoKey's [[type]].
type KeyType uint8

// The three key types of the Web Crypto API.
const (
	Secret KeyType = iota + 1
	Public
	Private
)

func (t KeyType) String() string {
	switch t {
	case Secret:
		return "secret"
	case Public:
		return "public"
	case Private:
		return "private"
	}
	return ""
}

// Usages is a set of key usages ("encrypt", "sign", ...).
type Usages uint8

// The recognised key usages, in the order the spec lists them (which is the
// order CryptoKey.usages reports them in).
const (
	UsageEncrypt Usages = 1 << iota
	UsageDecrypt
	UsageSign
	UsageVerify
	UsageDeriveKey
	UsageDeriveBits
	UsageWrapKey
	UsageUnwrapKey
)

var usageNames = [...]string{"encrypt", "decrypt", "sign", "verify", "deriveKey", "deriveBits", "wrapKey", "unwrapKey"}

// ParseUsage returns the usage called name (case-sensitive, as KeyUsage is
// a WebIDL enum).
func ParseUsage(name string) (Usages, bool) {
	for i, n := range usageNames {
		if n == name {
			return 1 << i, true
		}
	}
	return 0, false
}

// Strings lists the usages in the spec's order.
func (u Usages) Strings() []string {
	out := make([]string, 0, 8)
	for i, n := range usageNames {
		if u&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

func (u Usages) String() string { return strings.Join(u.Strings(), ", ") }

// KeyAlgorithm is a key's [[algorithm]]: the name and whatever parameters the
// algorithm's KeyAlgorithm dictionary carries (zero when it has none).
type KeyAlgorithm struct {
	Name string
	// Hash is the name of the hash (RSA and HMAC keys).
	Hash string
	// Length is the key length in bits (AES and HMAC keys).
	Length int
	// NamedCurve is "P-256", "P-384" or "P-521" (ECDSA and ECDH keys), or
	// "NODE-ED25519" (NODE-ED25519 keys).
	NamedCurve string
	// ModulusLength and PublicExponent describe RSA keys; PublicExponent is
	// big-endian without leading zeros.
	ModulusLength  int
	PublicExponent []byte
}

// Key is the state behind a CryptoKey. A Key never changes once made, so it
// may be shared between runtimes and goroutines: structured cloning (and
// postMessage) copies a CryptoKey by handing its *Key to API.NewKey in the
// other runtime (see KeyOf).
type Key struct {
	Type        KeyType
	Extractable bool
	Algorithm   KeyAlgorithm
	Usages      Usages
	// Material is the key itself:
	//   - []byte for secret keys (AES-*, HMAC, HKDF, PBKDF2);
	//   - *rsa.PrivateKey or *rsa.PublicKey (RSASSA-PKCS1-v1_5, RSA-PSS, RSA-OAEP);
	//   - *ecdsa.PrivateKey or *ecdsa.PublicKey (ECDSA and ECDH);
	//   - ed25519.PrivateKey or ed25519.PublicKey (Ed25519, NODE-ED25519);
	//   - *ecdh.PrivateKey or *ecdh.PublicKey (X25519).
	Material any
}

func (k *Key) secret() []byte { b, _ := k.Material.([]byte); return b }
