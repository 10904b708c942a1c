package chatcrypt

import "errors"

// Errors. Every error this package returns wraps exactly one of them.
var (
	// ErrDecrypt: a ciphertext or wrap does not open under the given key
	// and context (wrong key, wrong group, epoch, label or aad, or
	// tampered bytes), or a wrapped secret does not match its epoch ID.
	ErrDecrypt = errors.New("chatcrypt: cannot decrypt")
	// ErrMalformed: an encoding is not canonical or out of its limits, or
	// an argument is invalid.
	ErrMalformed = errors.New("chatcrypt: malformed")
	// ErrBadSignature: a prekey record's signature does not verify.
	ErrBadSignature = errors.New("chatcrypt: bad signature")
)
