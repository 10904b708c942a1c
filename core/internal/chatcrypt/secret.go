package chatcrypt

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Labels of the derivations from an epoch secret. Each is an HKDF-SHA256
// info string (salt empty); the NUL-terminated ones are followed by more
// bytes.
const (
	epochIDInfo = "skein/chat/epoch-id"
	senderInfo  = "skein/chat/sender/v1\x00"
	msgInfo     = "skein/chat/msg/v1"
	sealedInfo  = "skein/chat/sealed/v1\x00"
	wrapInfo    = "skein/chat/wrap/v1\x00"
)

// Sizes.
const (
	// SecretSize is the size of an epoch secret.
	SecretSize = 32
	// EpochIDSize is the size of an epoch ID.
	EpochIDSize = 16
	// TagSize is the AEAD tag every ciphertext carries after its plaintext.
	TagSize = 16
)

// Secret is an epoch secret: 32 random bytes from which a group epoch's
// ID, its per-sender chains and its sealing keys are derived. Whoever holds
// it reads everything sealed under the epoch.
type Secret [SecretSize]byte

// NewSecret returns a new random epoch secret.
func NewSecret() (Secret, error) {
	var s Secret
	if _, err := rand.Read(s[:]); err != nil {
		return s, fmt.Errorf("%w: random secret: %v", ErrMalformed, err)
	}
	return s, nil
}

// ID returns the epoch ID of s: the first 16 bytes of
// HKDF-SHA256(secret s, empty salt, info "skein/chat/epoch-id").
func (s Secret) ID() [EpochIDSize]byte {
	var id [EpochIDSize]byte
	copy(id[:], derive(s, epochIDInfo, EpochIDSize))
	return id
}

// String returns "epoch secret " and the hex epoch ID, never the secret,
// so that a secret formatted by mistake (with %v, %s or %x) is not logged.
func (s Secret) String() string {
	id := s.ID()
	return "epoch secret " + hex.EncodeToString(id[:])
}

// derive returns n bytes of HKDF-SHA256 with secret s, an empty salt and
// the given info. n is at most 255*32, so HKDF cannot fail.
func derive(s Secret, info string, n int) []byte {
	out, err := hkdf.Key(sha256.New, s[:], nil, info, n)
	if err != nil {
		panic("chatcrypt: hkdf: " + err.Error()) // unreachable: n is a constant of this package
	}
	return out
}
