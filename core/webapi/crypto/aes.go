package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"math/big"
)

// AES modes: CTR, CBC, GCM and Key Wrap (RFC 3394).

func aesBlock(k *Key) (cipher.Block, error) {
	b, err := aes.NewCipher(k.secret())
	if err != nil {
		return nil, operationError("%v", err)
	}
	return b, nil
}

// aesCTR encrypts or decrypts (the same operation) with a counter whose
// rightmost p.length bits increment and wrap, as WebCrypto's AES-CTR defines.
func aesCTR(p *params, k *Key, data []byte) ([]byte, error) {
	if len(p.counter) != aes.BlockSize {
		return nil, operationError("AES-CTR counter must be 16 bytes, not %d.", len(p.counter))
	}
	if p.length == 0 || p.length > 128 {
		return nil, operationError("AES-CTR length must be between 1 and 128 bits, not %d.", p.length)
	}
	block, err := aesBlock(k)
	if err != nil {
		return nil, err
	}
	blocks := new(big.Int).SetUint64(uint64((len(data) + aes.BlockSize - 1) / aes.BlockSize))
	space := new(big.Int).Lsh(big.NewInt(1), uint(p.length)) // counter values before a repeat
	if blocks.Cmp(space) > 0 {
		return nil, operationError("AES-CTR input is too long: the counter would repeat.")
	}
	// Blocks until the low p.length bits wrap to zero. Until then Go's
	// full-width big-endian increment changes only those bits; at the wrap
	// the rest of the counter must stay put, so restart from it.
	counter := new(big.Int).SetBytes(p.counter)
	low := new(big.Int).And(counter, new(big.Int).Sub(space, big.NewInt(1)))
	untilWrap := new(big.Int).Sub(space, low)
	out := make([]byte, len(data))
	first := len(data)
	if untilWrap.Cmp(blocks) < 0 {
		first = int(untilWrap.Int64()) * aes.BlockSize
	}
	cipher.NewCTR(block, p.counter).XORKeyStream(out[:first], data[:first])
	if first < len(data) {
		wrapped := new(big.Int).Sub(counter, low).FillBytes(make([]byte, aes.BlockSize))
		cipher.NewCTR(block, wrapped).XORKeyStream(out[first:], data[first:])
	}
	return out, nil
}

func aesCBCEncrypt(p *params, k *Key, data []byte) ([]byte, error) {
	if len(p.iv) != aes.BlockSize {
		return nil, operationError("AES-CBC iv must be 16 bytes, not %d.", len(p.iv))
	}
	block, err := aesBlock(k)
	if err != nil {
		return nil, err
	}
	pad := aes.BlockSize - len(data)%aes.BlockSize
	out := make([]byte, len(data)+pad)
	copy(out, data)
	for i := len(data); i < len(out); i++ {
		out[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(block, p.iv).CryptBlocks(out, out)
	return out, nil
}

func aesCBCDecrypt(p *params, k *Key, data []byte) ([]byte, error) {
	if len(p.iv) != aes.BlockSize {
		return nil, operationError("AES-CBC iv must be 16 bytes, not %d.", len(p.iv))
	}
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, operationError("AES-CBC ciphertext length must be a non-zero multiple of 16 bytes.")
	}
	block, err := aesBlock(k)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, p.iv).CryptBlocks(out, data)
	// PKCS#7 padding, checked without branching on the padding bytes.
	pad := int(out[len(out)-1])
	good := subtle.ConstantTimeLessOrEq(1, pad) & subtle.ConstantTimeLessOrEq(pad, aes.BlockSize)
	for i := 1; i <= aes.BlockSize; i++ {
		inPad := subtle.ConstantTimeLessOrEq(i, pad)
		match := subtle.ConstantTimeByteEq(out[len(out)-i], byte(pad))
		good &= match | (inPad ^ 1)
	}
	if good != 1 {
		return nil, operationError("Decryption failed: bad padding.")
	}
	return out[:len(out)-pad], nil
}

var gcmTagBits = map[int]bool{32: true, 64: true, 96: true, 104: true, 112: true, 120: true, 128: true}

// gcm returns an AEAD for the iv length and tag size, and whether it
// produces a full 16-byte tag that must be truncated to tagSize (Go's GCM
// allows custom tag sizes only from 12 bytes and only with 12-byte nonces).
func gcm(p *params, k *Key) (aead cipher.AEAD, tagSize int, truncate bool, err error) {
	tagBits := 128
	if p.hasTagLength {
		tagBits = p.tagLength
	}
	if !gcmTagBits[tagBits] {
		return nil, 0, false, operationError("%d is not a valid AES-GCM tag length.", tagBits)
	}
	if len(p.iv) == 0 {
		return nil, 0, false, operationError("AES-GCM iv must not be empty.")
	}
	block, err := aesBlock(k)
	if err != nil {
		return nil, 0, false, err
	}
	tagSize = tagBits / 8
	switch {
	case len(p.iv) == 12 && tagSize >= 12:
		aead, err = cipher.NewGCMWithTagSize(block, tagSize)
	case len(p.iv) == 12:
		aead, err = cipher.NewGCM(block)
		truncate = true
	default:
		aead, err = cipher.NewGCMWithNonceSize(block, len(p.iv))
		truncate = tagSize != 16
	}
	if err != nil {
		return nil, 0, false, operationError("%v", err)
	}
	return aead, tagSize, truncate, nil
}

func aesGCMEncrypt(p *params, k *Key, data []byte) ([]byte, error) {
	aead, tagSize, truncate, err := gcm(p, k)
	if err != nil {
		return nil, err
	}
	out := aead.Seal(nil, p.iv, data, p.additionalData)
	if truncate {
		out = out[:len(data)+tagSize]
	}
	return out, nil
}

func aesGCMDecrypt(p *params, k *Key, data []byte) ([]byte, error) {
	aead, tagSize, truncate, err := gcm(p, k)
	if err != nil {
		return nil, err
	}
	if len(data) < tagSize {
		return nil, operationError("AES-GCM ciphertext is shorter than the tag.")
	}
	if !truncate {
		out, err := aead.Open(nil, p.iv, data, p.additionalData)
		if err != nil {
			return nil, operationError("Decryption failed.")
		}
		return out, nil
	}
	// A short tag: GCM's ciphertext is the plaintext XOR a keystream that
	// depends only on key and iv, so sealing zeros recovers the keystream;
	// sealing the recovered plaintext then gives the full tag to compare
	// the short one against.
	ct, tag := data[:len(data)-tagSize], data[len(data)-tagSize:]
	stream := aead.Seal(nil, p.iv, make([]byte, len(ct)), nil)
	plain := make([]byte, len(ct))
	subtle.XORBytes(plain, ct, stream[:len(ct)])
	full := aead.Seal(nil, p.iv, plain, p.additionalData)
	if subtle.ConstantTimeCompare(full[len(ct):len(ct)+tagSize], tag) != 1 {
		return nil, operationError("Decryption failed.")
	}
	return plain, nil
}

// ---- AES-KW (RFC 3394) ----

var kwIV = [8]byte{0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6}

func aesKWWrap(k *Key, plain []byte) ([]byte, error) {
	if len(plain)%8 != 0 || len(plain) < 16 {
		return nil, operationError("AES-KW input must be a multiple of 8 bytes and at least 16 bytes, not %d.", len(plain))
	}
	block, err := aesBlock(k)
	if err != nil {
		return nil, err
	}
	n := len(plain) / 8
	out := make([]byte, 8+len(plain))
	copy(out[8:], plain)
	a := binary.BigEndian.Uint64(kwIV[:])
	var b [16]byte
	for j := 0; j < 6; j++ {
		for i := 1; i <= n; i++ {
			binary.BigEndian.PutUint64(b[:8], a)
			copy(b[8:], out[8*i:8*i+8])
			block.Encrypt(b[:], b[:])
			a = binary.BigEndian.Uint64(b[:8]) ^ uint64(n*j+i)
			copy(out[8*i:], b[8:])
		}
	}
	binary.BigEndian.PutUint64(out[:8], a)
	return out, nil
}

func aesKWUnwrap(k *Key, wrapped []byte) ([]byte, error) {
	if len(wrapped)%8 != 0 || len(wrapped) < 24 {
		return nil, operationError("AES-KW wrapped data must be a multiple of 8 bytes and at least 24 bytes, not %d.", len(wrapped))
	}
	block, err := aesBlock(k)
	if err != nil {
		return nil, err
	}
	n := len(wrapped)/8 - 1
	r := make([]byte, 8*n)
	copy(r, wrapped[8:])
	a := binary.BigEndian.Uint64(wrapped[:8])
	var b [16]byte
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			binary.BigEndian.PutUint64(b[:8], a^uint64(n*j+i))
			copy(b[8:], r[8*(i-1):8*i])
			block.Decrypt(b[:], b[:])
			a = binary.BigEndian.Uint64(b[:8])
			copy(r[8*(i-1):], b[8:])
		}
	}
	var got [8]byte
	binary.BigEndian.PutUint64(got[:], a)
	if subtle.ConstantTimeCompare(got[:], kwIV[:]) != 1 {
		return nil, operationError("AES-KW unwrap failed: integrity check.")
	}
	return r, nil
}
