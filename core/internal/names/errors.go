package names

import "errors"

// Errors returned by this package. Returned errors wrap one of these; callers
// branch with errors.Is.
var (
	// ErrMalformed means a record does not decode or breaks a field rule.
	ErrMalformed = errors.New("names: malformed record")
	// ErrNoWork means a record's nonce is not proof of work for its
	// account's claim of its name (see HasWork).
	ErrNoWork = errors.New("names: not enough proof of work")
	// ErrBadSignature means a record's signature does not verify, or its
	// account key is not a valid key (see entry.VerifySignature).
	ErrBadSignature = errors.New("names: bad signature")
	// ErrWrongKey means a DHT key is not a name key, or a record is stored
	// under another name's key.
	ErrWrongKey = errors.New("names: record does not match its DHT key")
	// ErrFuture means a record's timestamp is ahead of the local clock by
	// more than MaxClockSkew; check the publishing device's clock.
	ErrFuture = errors.New("names: record time is in the future")
	// ErrNotFound means no valid record for a name was found.
	ErrNotFound = errors.New("names: no valid record for this name")
)
