package keystore

import "errors"

// Errors returned by Seal and Open. Returned errors wrap one of these; callers
// branch with errors.Is.
var (
	// ErrWrongPassword means the key file is intact but the password does
	// not open it.
	ErrWrongPassword = errors.New("keystore: wrong password")
	// ErrCorrupt means the key file is damaged, truncated or not a key
	// file at all; no password will open it.
	ErrCorrupt = errors.New("keystore: corrupt key file")
	// ErrEmptyPassword is returned by Seal for an empty password.
	ErrEmptyPassword = errors.New("keystore: empty password: choose a password to protect the key")
)
