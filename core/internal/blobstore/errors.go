package blobstore

import (
	"errors"

	"github.com/skein-p2p/skein/core/internal/blob"
	"github.com/skein-p2p/skein/core/internal/store"
)

// Errors returned by the package; test with errors.Is.
var (
	// ErrNotFound reports a blob the store does not hold.
	ErrNotFound = errors.New("blobstore: blob not found")
	// ErrIncomplete reports a blob, or a piece of one, not (yet) held
	// whole: it is being downloaded, or part of it was lost.
	ErrIncomplete = errors.New("blobstore: blob not complete")
	// ErrTooLarge is blob.ErrTooLarge: a blob above the size allowed.
	ErrTooLarge = blob.ErrTooLarge
	// ErrBadData is blob.ErrBadData: bytes that do not match the blob's
	// root, received or found on disk.
	ErrBadData = blob.ErrBadData
	// ErrNoSpace is store.ErrNoSpace: the disk is full (or the file size
	// limit or quota reached). What was durable before is kept.
	ErrNoSpace = store.ErrNoSpace
	// ErrInFlight reports a Remove of a blob with an open Partial.
	ErrInFlight = errors.New("blobstore: blob is being downloaded")
	// ErrBudget reports a Begin or an Add refused because the tier's
	// budget is full of media in use: the cache or thumbnail blobs that
	// would have to be evicted to make room are being downloaded or read.
	ErrBudget = errors.New("blobstore: the tier's budget is full of media in use")
	// ErrClosed reports a use of a closed Store, Partial or Reader.
	ErrClosed = errors.New("blobstore: closed")
)
