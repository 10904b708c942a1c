package keystore

import "errors"

// Errors returned by this package. Returned errors wrap one of these; callers
// branch with errors.Is.
var (
	// ErrWrongPassword means the sealed key is intact but the password
	// does not open it.
	ErrWrongPassword = errors.New("keystore: wrong password")
	// ErrCorrupt means the sealed key is damaged, truncated or not a
	// sealed key at all; no password will open it.
	ErrCorrupt = errors.New("keystore: corrupt key file")
	// ErrEmptyPassword is returned by Seal for an empty password.
	ErrEmptyPassword = errors.New("keystore: empty password: choose a password to protect the key")
	// ErrBadPhrase is returned by FromPhrase for a phrase that is not 24
	// words of the BIP-39 English word list with a valid checksum. The
	// wrapping error says which word is unknown, or that the checksum
	// fails, without repeating the words.
	ErrBadPhrase = errors.New("keystore: invalid recovery phrase")
	// ErrBadKeyFile is returned by ParseKeyFile for input that is not a
	// well-formed key file, or whose secret is damaged. The wrapping error
	// names the line at fault.
	ErrBadKeyFile = errors.New("keystore: invalid key file")
)
