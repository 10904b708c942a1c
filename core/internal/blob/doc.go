// Package blob identifies and verifies blobs: the bytes of images and other
// media attachments, addressed by their content.
//
// # Root
//
// A blob's Root is the 32-byte BLAKE3 hash of its bytes (Sum); its text
// form is 64 lowercase hex digits (String, ParseRoot). BLAKE3 is itself a
// Merkle tree over 1 KiB chunks, so the same Root also commits to every
// subtree: any aligned range of the blob can be checked against the Root
// alone, given the chaining values of the tree above it, without the rest
// of the bytes.
//
// # Groups and the outboard
//
// Verification works on chunk groups of GroupSize = 16 KiB (2^GroupLog
// chunks of 1 KiB). The outboard is the bao encoding of the tree without
// the data ("outboard", group 4, as in iroh): an 8-byte little-endian
// length header, then the parent nodes of the tree in pre-order, each the
// 32-byte chaining values of its left and right children, 64 bytes per
// parent. A blob of n groups has n-1 parents, so OutboardSize is
// 8 + 64·(n-1): 0.39 % of the blob (65 480 bytes for 16 MiB, about 256 KiB
// for MaxSize). Smaller groups would verify sooner but cost more outboard;
// 16 KiB bounds the damage a bad peer does to one group and makes the
// time to the first verified byte at 1 MB/s about 20 ms.
//
// A blob of at most GroupSize bytes (a thumbnail) is a single group: it has
// no outboard (OutboardSize 0, Encode returns nil) and is verified whole by
// comparing Sum with its Root.
//
// A downloader fetches the outboard once from any peer and runs
// CheckOutboard: it recomputes every parent node from its two children up
// to the Root and checks the length header, so an accepted outboard is the
// one and only outboard of that Root and size. After that, VerifyChunks
// checks any run of whole groups (or the blob's tail) against it; a
// failure is then always the fault of the data and of the peer that sent
// it, never of the outboard.
//
// # Pieces
//
// Peers request and hold blobs in pieces of PieceSize = 256 KiB, 16
// groups (the last piece may be short): small enough to spread a download
// over several peers, large enough that per-request overhead stays small
// (16 KiB requests cost 66 % more CPU per byte in the measurements of
// research §4c). A piece is sent as 16 KiB frames, each verified as it
// arrives. Pieces and PieceSpan give the piece math; a Bitfield records
// which pieces a holder has, bit i (most significant bit first in byte
// i/8) for piece i.
//
// # Limits
//
// No blob is larger than MaxSize = 64 MiB (256 pieces, 4096 groups);
// Encode, CheckOutboard and VerifyChunks refuse larger sizes with
// ErrTooLarge. Every input is treated as hostile: lengths are checked
// before use, and errors wrap ErrBadData, ErrBadOutboard, ErrTooLarge or
// ErrInvalidRoot; nothing panics.
//
// Everything is pure (no I/O but the reader given to Encode) and safe for
// concurrent use.
package blob
