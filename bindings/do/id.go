package do

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// IDs are 32 bytes written as 64 lower-case hex digits, like Cloudflare's: 16
// bytes that name the object, then 16 bytes of an HMAC of them keyed by the
// namespace, so an id is only valid for the namespace that made it
// (idFromString of another class's id fails, as on Cloudflare). An id from a
// name is the same for that name every time, in every process.

// NameID returns the id of the object called name in namespace
// (idFromName).
func NameID(namespace, name string) string {
	h := sha256.Sum256([]byte("ferry-do-name\x00" + namespace + "\x00" + name))
	return seal(namespace, h[:16])
}

// UniqueID returns a new random id in namespace (newUniqueId).
func UniqueID(namespace string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return seal(namespace, b[:])
}

// ParseID checks that s is an id of namespace (idFromString) and returns it
// in canonical (lower-case) form; the error is the TypeError workerd throws.
func ParseID(namespace, s string) (string, error) {
	if len(s) != 64 {
		return "", &Error{Kind: "TypeError", Message: "Invalid Durable Object ID: must be 64 hex digits"}
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return "", &Error{Kind: "TypeError", Message: "Invalid Durable Object ID: must be 64 hex digits"}
	}
	if !hmac.Equal(mac(namespace, b[:16]), b[16:]) {
		return "", &Error{Kind: "TypeError", Message: "Invalid Durable Object ID: the ID is not for this Durable Object class"}
	}
	return strings.ToLower(s), nil
}

func seal(namespace string, body []byte) string {
	return hex.EncodeToString(append(append([]byte{}, body...), mac(namespace, body)...))
}

func mac(namespace string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte("ferry-do-namespace\x00"+namespace))
	m.Write(body)
	return m.Sum(nil)[:16]
}
