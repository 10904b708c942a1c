// Package chatlog defines the signed entries of Skein's group chats and
// direct messages: their canonical encoding, signing and verification, the
// bodies of control entries, and the payload of messages. It checks what
// can be checked on one entry alone; the engine (core/internal/chat)
// decides what entries mean in a group's history, and
// core/internal/chatcrypt seals and opens what they carry.
//
// A group's log is one sub-log per (group, author): entry seq of an author
// links to the author's entry seq-1 by ID (Prev) and names up to MaxDeps
// entries of other members it follows (Deps), so members can deliver
// every entry after everything it depends on. Every byte of an entry is
// signed. The layout (integers big-endian, d = len(Deps), n = len(Body)):
//
//	offset      size  field
//	0           1     version, 1
//	1           32    group ID: GroupFor(creator, salt); a DM's DMGroup of its members
//	33          32    author key
//	65          8     seq >= 1
//	73          32    prev: ID of the author's entry seq-1 (zero iff seq 1)
//	105         8     HLC wall, Unix milliseconds (> 0)
//	113         4     HLC logical counter
//	117         1     kind, 1..9
//	118         16    epoch the entry's sealed content is under (zero: none)
//	134         1     d, 0..MaxDeps
//	135         32*d  deps, strictly ascending, none zero, none equal to prev
//	135+32d     4     n, <= MaxBody
//	139+32d     n     body
//	139+32d+n   64    Ed25519 signature over SigContext || every byte before it
//
// An entry's ID is the SHA-256 of its whole encoding. Its header,
// bytes[0 : 135+32d], is the associated data of anything sealed in it.
//
// Kinds 1 to 8 (create, invite, join, leave, remove, role, meta, rekey)
// are control entries, whose body is a Body: a canonical TLV (tag byte in
// strictly ascending order, minimal uvarint length, value; a field present
// iff non-zero) with required and forbidden fields per kind. A public or
// private group's create carries a 16-byte Salt and is valid only if the
// group ID is GroupFor(author, Salt), so only its creator can create a
// group of a given ID. Kind 9 (msg)
// carries a Payload (canonical TLV: text, optional reply-to), in plaintext
// when the entry's epoch is zero (a public group), sealed otherwise.
//
// Limits: MaxDeps 4, MaxBody 128 KiB, MaxSize 131,403 bytes, MaxWraps
// 1,000, MaxTextChars 4,000, MaxNameChars 64. Every decoder checks lengths
// before allocating, accepts exactly one encoding of each value, and
// returns errors wrapping ErrMalformed, ErrTooLarge, ErrBadSignature or
// ErrInvalidBody; none panics on any input. docs/PROTOCOL.md, "Messaging
// entries", has the full rules per kind and test vectors.
//
// Entries returned by Decode share no memory with the input. An Entry is a
// plain value: it is safe for concurrent reads, and the caller must not
// modify one while others read it.
package chatlog
