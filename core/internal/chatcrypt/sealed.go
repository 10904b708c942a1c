package chatcrypt

import (
	"fmt"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"
)

// MaxLabel bounds the length of a SealWith label.
const MaxLabel = 64

// sealedKey derives the key and nonce of SealWith:
// HKDF-SHA256(s, salt empty, info "skein/chat/sealed/v1\x00" || label || 0x00 || aad, 56).
func sealedKey(s Secret, label string, aad []byte) (key [32]byte, nonce [24]byte, err error) {
	if label == "" || len(label) > MaxLabel || strings.IndexByte(label, 0) >= 0 {
		return key, nonce, fmt.Errorf("%w: label of %d bytes: want 1..%d bytes without NUL", ErrMalformed, len(label), MaxLabel)
	}
	info := make([]byte, 0, len(sealedInfo)+len(label)+1+len(aad))
	info = append(append(append(append(info, sealedInfo...), label...), 0), aad...)
	m := derive(s, string(info), 56)
	copy(key[:], m[:32])
	copy(nonce[:], m[32:])
	return key, nonce, nil
}

// SealWith encrypts plaintext under epoch secret s for one use named by
// label (1..MaxLabel bytes, no NUL, e.g. "meta" or "bundle") and aad (the
// entry header): key and nonce are
// HKDF-SHA256(s, info "skein/chat/sealed/v1\x00" || label || 0x00 || aad, 56)
// and the AEAD is XChaCha20-Poly1305 with aad as associated data. The
// result is the ciphertext followed by a 16-byte tag. The same (s, label,
// aad) must seal one plaintext only; an entry header, unique per entry,
// makes that so.
func SealWith(s Secret, label string, aad, plaintext []byte) ([]byte, error) {
	key, nonce, err := sealedKey(s, label, aad)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.NewX(key[:])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return aead.Seal(nil, nonce[:], plaintext, aad), nil
}

// OpenWith decrypts a ciphertext made by SealWith with the same secret,
// label and aad.
func OpenWith(s Secret, label string, aad, ciphertext []byte) ([]byte, error) {
	if len(ciphertext) < TagSize {
		return nil, fmt.Errorf("%w: ciphertext of %d bytes is shorter than its tag", ErrDecrypt, len(ciphertext))
	}
	key, nonce, err := sealedKey(s, label, aad)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.NewX(key[:])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	pt, err := aead.Open(nil, nonce[:], ciphertext, aad)
	if err != nil {
		return nil, fmt.Errorf("%w: sealed %q", ErrDecrypt, label)
	}
	return pt, nil
}
