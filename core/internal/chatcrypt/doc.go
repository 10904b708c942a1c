// Package chatcrypt provides the cryptography of Skein's end-to-end
// encrypted group chats and DMs: signed X25519 prekeys, epoch secrets,
// HPKE wraps of a secret to a member's prekey, per-sender hash-ratchet
// message keys, one-use sealing of metadata and history bundles, and the
// history bundle encoding. It holds no state but the Chains cache, does no
// I/O and knows nothing of entries beyond the bytes it is given.
//
// Primitives: HKDF-SHA256 and HMAC-SHA256, X25519, Ed25519, HPKE (RFC
// 9180, base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
// ChaCha20-Poly1305) and XChaCha20-Poly1305. Every HKDF below has an empty
// salt.
//
//	epoch ID    = HKDF(S, "skein/chat/epoch-id", 16)
//	wrap        = HPKE.Seal(prekey, info "skein/chat/wrap/v1\x00" || group || epoch ID, aad empty, S)
//	              → enc (32) || sealed secret (48)
//	CK(0)       = HKDF(S, "skein/chat/sender/v1\x00" || author, 32)
//	CK(i+1)     = HMAC-SHA256(CK(i), 0x02)
//	MK(i)       = HKDF-Expand(HMAC-SHA256(CK(i), 0x01), "skein/chat/msg/v1", 56) = key(32) || nonce(24)
//	sealed      = HKDF(S, "skein/chat/sealed/v1\x00" || label || 0x00 || aad, 56) = key(32) || nonce(24)
//	prekey ID   = SHA-256(X25519 public key)[:8]
//
// A message or sealed blob is its XChaCha20-Poly1305 ciphertext and 16-byte
// tag, with no nonce: each key and nonce seals one plaintext only.
//
// Encodings (see PrekeyRecord and EncodeBundle): a prekey record is
// PrekeyRecordSize (145) bytes; a history bundle is a count byte and up to
// MaxBundle (64) pairs of epoch ID (16) and secret (32).
//
// A Chains caches, per (epoch, author), the highest chain key reached and up
// to 32 checkpoints below it, for at most a given number of chains.
//
// Limits: a chain restarts every ChainBlock (4,096) indexes, so a key is at
// most 4,095 ratchet steps from its block's start whatever the sender's
// seq; prekey lifetime at most 30 days, created at most 60 s in the
// future; sealing labels 1..64 bytes.
//
// Every error wraps one of ErrDecrypt, ErrMalformed and ErrBadSignature.
package chatcrypt
