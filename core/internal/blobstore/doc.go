// Package blobstore keeps blobs on disk: whole ones the user added or
// fetched, and partial ones being downloaded, with resumption after a
// crash, verification of everything served, tiers and eviction.
//
// # Layout
//
// A blob larger than blob.GroupSize (16 KiB) has two files in the store's
// directory: <hex root>.data, its bytes, a sparse file sized with Truncate
// when the download begins and filled piece by piece, and <hex root>.obao,
// its bao outboard (blob.Encode), written once checked. A smaller blob
// (a thumbnail) has no files: its bytes are kept in its row. Files named
// tmp-* are imports or outboards being written; Open deletes them, and
// files no row names.
//
// Each blob has one row in the KV view the store is given (core passes
// the view of prefix 'F'): key the 32-byte root, value
//
//	version 1 byte (1) | flags 1 byte (1 complete, 2 outboard written,
//	4 inline) | tier 1 byte | pins 4 bytes BE | size 8 bytes BE |
//	added 8 bytes BE (Unix ms) | used 8 bytes BE (Unix ms) |
//	have bitfield (blob.Pieces(size)+7)/8 bytes | inline bytes
//
// A row that does not decode is dropped at Open.
//
// # Ordering
//
// Add writes the data and the outboard to temporary files, syncs them,
// renames them into place, syncs the directory, and only then commits the
// row: a crash leaves either no blob (and temporary files Open deletes) or
// a whole one. Remove deletes the row first, then the files.
//
// A download (Begin, Partial) writes only bytes that verified against the
// root (blob.VerifyChunks) and claims a piece in the row only once all its
// bytes were written and the data file synced: every 4 MiB written, or 1 s
// after the first unsynced piece, the file is fdatasync'd and then the
// row's bitfield committed (synchronously). After a kill -9 or a power
// loss the bitfield therefore claims only bytes that are on disk, and at
// most the last unsynced stretch (4 MiB and a piece) is fetched again.
// Partial.Written tells a downloader which pieces it need not fetch now;
// Partial.Have and Store.Have only what is durable.
//
// Only a complete blob proves its size. An incomplete one held with
// another size than a Begin or an Add now names (a lying descriptor, or an
// outboard whose length header is a byte short: every piece but the last
// verifies) is discarded, pieces and all, unless a Partial is open on it
// (ErrInFlight); Add's hashed bytes are authoritative.
//
// # Serving
//
// Store.Have, Outboard and ReadPiece make a Store a blobnet.Source. They
// serve durable pieces only, and ReadPiece (like Reader.Read) verifies
// each piece again before returning it: bytes corrupted on disk are never
// served; the piece is dropped from the bitfield, logged, and fetched
// again by the next download.
//
// # Tiers and eviction
//
// Every blob has a Tier: TierOwn (the user's media) and TierPinned (saved
// and mirrored albums, or any blob with Pin count above zero) are never
// evicted. Evict removes whole blobs: cache blobs unused for Limits.TTL
// (30 days), then the least recently used cache blobs while TierCache is
// over Limits.CacheBudget (min(1 GiB, 10 % of the free space)), then the
// least recently used thumbnails over Limits.ThumbBudget (64 MiB). Blobs
// used within Limits.Immunity (1 h), and blobs with an open Partial or
// Reader, are never evicted by Evict. Touch records use; Add and Begin
// count as use.
//
// Budgets hold at admission too, not only when Evict next runs: a Begin
// or Add of a cache or thumbnail blob that would take its tier (complete
// blobs, and blobs being downloaded at their full size) over its budget
// first evicts blobs of that tier, least recently used first and
// regardless of Immunity, but never one with an open Partial or Reader,
// nor an own or pinned one; if that cannot make room it fails with
// ErrBudget (the tier's budget is full of media in use) and evicts
// nothing. Nor may it take the free space of the directory's file system,
// less what open downloads may still write, below Limits.MinFree
// (max(256 MiB, 2 % of the file system)): it fails with ErrNoSpace. Own
// and pinned blobs are bounded by the disk alone.
//
// # Limits and errors
//
// No blob is larger than blob.MaxSize. Errors wrap ErrNotFound,
// ErrIncomplete, ErrTooLarge, ErrBadData, ErrNoSpace (a full disk, quota or
// file size limit, or the free-space floor: nothing half-written is ever
// claimed), ErrBudget, ErrInFlight or ErrClosed.
//
// A Store is safe for concurrent use, and so is a Partial.
package blobstore
