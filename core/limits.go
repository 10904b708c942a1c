package core

import "github.com/skein-p2p/skein/core/internal/entry"

// Limits an app may show, or check before calling.
const (
	// MaxPostChars is the longest post or reply text, in Unicode code
	// points (not bytes, not UTF-16 units).
	MaxPostChars = entry.MaxPostChars
	// DefaultPageSize is the page size of Feed and Timeline for a limit
	// of 0 or less.
	DefaultPageSize = 20
	// MaxPageSize is the largest page of Feed and Timeline; a larger limit
	// gets a page this size.
	MaxPageSize = 500
	// WatchBuffer is how many events a slow Watch callback may fall
	// behind before newer events are dropped for it.
	WatchBuffer = 256
)
