package crypto

import (
	gocrypto "crypto"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
)

// newHash returns the constructor of a normalized hash.
func newHash(name string) func() hash.Hash {
	switch name {
	case algSHA1:
		return sha1.New
	case algSHA256:
		return sha256.New
	case algSHA384:
		return sha512.New384
	case algSHA512:
		return sha512.New
	case algMD5:
		return md5.New
	}
	return nil
}

func cryptoHash(name string) gocrypto.Hash {
	switch name {
	case algSHA1:
		return gocrypto.SHA1
	case algSHA256:
		return gocrypto.SHA256
	case algSHA384:
		return gocrypto.SHA384
	case algSHA512:
		return gocrypto.SHA512
	}
	return 0
}

// digest hashes data with a normalized hash. The fixed-size Sum functions
// avoid allocating a hash state.
func digest(name string, data []byte) []byte {
	switch name {
	case algSHA1:
		s := sha1.Sum(data)
		return s[:]
	case algSHA256:
		s := sha256.Sum256(data)
		return s[:]
	case algSHA384:
		s := sha512.Sum384(data)
		return s[:]
	case algSHA512:
		s := sha512.Sum512(data)
		return s[:]
	case algMD5:
		s := md5.Sum(data)
		return s[:]
	}
	return nil
}
