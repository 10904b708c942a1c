// Package blobnet moves blobs between peers over the libp2p protocol
// /skein/blob/1.0.0 (ID): a Server answers from a Source (the blob store's
// verified pieces), and a Client downloads one blob from many providers at
// once into a Sink, verifying every 16 KiB chunk group as it arrives.
//
// # Wire
//
// A downloader opens one stream per provider per blob and sends frames;
// every frame is a type byte, the payload length as a minimal uvarint, and
// the payload. Integers are big-endian; a root is 32 bytes.
//
//	HAVE?     0x01  root
//	HAVE      0x02  root, size (8), form (0 none: size 0 | 1 all | 2 some: bitfield)
//	OUTBOARD? 0x03  root
//	OUTBOARD  0x04  root, outboard (bao, group 4; empty for blobs <= 16 KiB)
//	GET       0x05  id (4), root, piece (4)
//	DATA      0x06  id (4), root, offset (8), 1 to 16384 bytes
//	GETMANY   0x07  1 to 64 distinct roots of small blobs
//	BLOB      0x08  root, the whole small blob (0 to 16384 bytes)
//	CANCEL    0x09  id (4)
//	REJECT    0x0a  reason (1), then id (4) or root (32)
//
// A GET asks for one 256 KiB piece (blob.PieceSize); the server answers it
// with the piece's chunk groups in order, one DATA frame each, or with one
// REJECT. Every request gets its DATA or a REJECT, except one the client
// cancelled. GETMANY is answered with one BLOB or REJECT per root, in order.
// docs/PROTOCOL.md ("Blob transfer") is the full specification, with test vectors.
//
// # Limits
//
// A Server holds per peer at most ServerLimits.MaxOutstanding (4 MiB)
// bytes of accepted but unsent pieces and MaxRequests (64) open requests,
// serves at most MaxPeers peers at once and 8 streams of one peer, sends at
// most Rate bytes a second to each peer, and closes a stream on which no
// GET or GETMANY was admitted for Idle (30 s) and nothing is being sent:
// HAVE?, OUTBOARD? and CANCEL do not keep it open. With MaxPeers served, a
// new peer takes the place of the one with no request in flight for
// longest, if for at least 2 s (its streams are reset). Over a limit it
// answers REJECT busy or too many.
//
// Memory: a stream takes about 10 KiB of buffers when it opens; its first
// GET takes 512 KiB more (a 256 KiB write buffer and a piece), from a
// pool, returned when the stream ends; and up to 512 KiB of answers other
// than DATA may wait for a peer that does not read. The worst case is
// thus about MaxPeers × 8 streams × 1 MiB: 128 MiB at the defaults,
// 16 MiB with MaxPeers 2.
//
// # Downloader
//
// Client.Get asks every provider HAVE? in parallel, fetches the outboard
// from the first that has the blob (the Sink checks it), then requests
// pieces: the sequential window first when Fetch.Window is set, then the
// last piece alone (the one piece that proves the size: under a size a
// little short every other piece verifies, so a wrong size fails before
// more is stored), then the first 4 at random, then rarest first (random
// among equals). Each peer's
// pipeline holds its measured rate × 3 s of pieces, 2 to 16; a snubbed
// peer gets 1. When every missing piece is in flight, the endgame asks a
// second peer for the slowest and cancels the loser. A peer that sends
// bytes failing verification is dropped at once; one that rejects or
// stalls on pieces its HAVE claimed is dropped after two strikes.
// GetMany and Size give each peer AnswerTimeout (10 s) for each answer: a
// peer that accepts the stream and never answers fails with an error
// wrapping os.ErrDeadlineExceeded.
//
// Client and Server are safe for concurrent use.
package blobnet
