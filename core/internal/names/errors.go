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
	// ErrClaimed means a DHT server holds a live claim of the name by
	// another account, and keeps it.
	ErrClaimed = errors.New("names: name is claimed by another account")
	// ErrAccountLimit means a DHT server holds as many names for the
	// record's account as it keeps for one account.
	ErrAccountLimit = errors.New("names: too many names for one account")
	// ErrFull means a DHT server holds as many names as it keeps: it takes
	// no new name until claims lapse.
	ErrFull = errors.New("names: name registry is full")
	// ErrConflict means a lookup found more than one account claiming a
	// name and nothing that decides between them (see Resolve).
	ErrConflict = errors.New("names: name is claimed by more than one account")
	// ErrNotFound means no valid record for a name was found.
	ErrNotFound = errors.New("names: no valid record for this name")
)
