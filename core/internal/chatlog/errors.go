package chatlog

import "errors"

// Errors returned by Decode, Sign, DecodeBody and DecodePayload. Each
// returned error wraps exactly one of them; callers branch with errors.Is.
var (
	// ErrMalformed is an encoding that breaks the layout: a wrong version,
	// a length that does not match, a field out of order or repeated, an
	// unknown kind or tag, a non-canonical form.
	ErrMalformed = errors.New("chatlog: malformed")
	// ErrTooLarge is an entry, or a body, over its limit.
	ErrTooLarge = errors.New("chatlog: too large")
	// ErrBadSignature is a signature that does not verify against the
	// entry's author, or a private key that is not the author's.
	ErrBadSignature = errors.New("chatlog: bad signature")
	// ErrInvalidBody is a well-formed body that breaks its kind's rules: a
	// required field missing, a forbidden one present, a value out of
	// range.
	ErrInvalidBody = errors.New("chatlog: invalid body")
)
