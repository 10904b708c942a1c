package store

import "errors"

// Errors returned by the store. Returned errors wrap one of these where a
// caller may want to branch on the cause; test with errors.Is.
var (
	// ErrNotFound reports that a key, entry or record is not stored.
	ErrNotFound = errors.New("store: not found")

	// ErrExists reports that a record that must be unique is already stored.
	ErrExists = errors.New("store: already exists")

	// ErrClosed reports an operation on a closed KV or Store.
	ErrClosed = errors.New("store: closed")

	// ErrNoSpace reports a write refused because the disk is full (or
	// the quota used up). Nothing acknowledged before is lost, and writes
	// work again by themselves once space is freed.
	ErrNoSpace = errors.New("store: no space left on device")

	// ErrInUse reports a database that another store, in this process or
	// another, holds open.
	ErrInUse = errors.New("store: database in use by another process")

	// ErrCorrupt reports a stored value that cannot be decoded.
	ErrCorrupt = errors.New("store: corrupt value")

	// ErrFork reports an entry whose position in its author's log is
	// already held by a different entry.
	ErrFork = errors.New("store: fork: a different entry is stored at this position")

	// ErrBadChain reports an entry that does not link to the head of its
	// author's log: its previous ID or its time does not follow the head.
	ErrBadChain = errors.New("store: entry does not extend the log")

	// ErrGap reports an entry past the head of its author's log with
	// entries missing in between; fetch the missing ones and retry.
	ErrGap = errors.New("store: entries missing before this one")

	// ErrBadCursor reports a feed cursor that was not returned by Feed for
	// the same account.
	ErrBadCursor = errors.New("store: bad feed cursor")
)
