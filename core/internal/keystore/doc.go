// Package keystore protects an account's Ed25519 private key: it encrypts the
// key at rest with a password, and exports it for restoring the account on
// another device, as a recovery phrase or as a key file.
//
// # Sealed keys
//
// Seal encrypts a key with a password; Open decrypts it. The password is
// stretched with argon2id into a 32-byte key that seals the 32-byte Ed25519
// seed with XChaCha20-Poly1305. A sealed key is Size bytes; all integers are
// big-endian:
//
//	offset  size  field
//	0       1     format version, 1
//	1       4     argon2id time (passes)
//	5       4     argon2id memory, KiB
//	9       1     argon2id threads
//	10      16    random salt
//	26      24    random XChaCha20-Poly1305 nonce
//	50      48    sealed seed: 32-byte ciphertext, 16-byte tag
//	98      8     checksum: SHA-256(bytes[0:98])[0:8]
//
// The first 50 bytes (the header) are the AEAD's associated data, so a changed
// parameter, salt or nonce makes decryption fail. The unkeyed checksum lets
// Open tell a damaged file (ErrCorrupt) from a wrong password
// (ErrWrongPassword) without running argon2; it is no defence against a
// deliberate forger, whose edited file fails with ErrWrongPassword.
//
// Passwords are normalized to Unicode NFC before use, so a password typed
// on keyboards that compose accents differently opens the same file.
//
// # Recovery phrases
//
// Phrase writes a key as 24 words of the BIP-39 English word list and
// FromPhrase reads them back. The 32-byte seed is the BIP-39 entropy: 256
// bits followed by an 8-bit checksum, the first byte of the seed's SHA-256,
// read as 24 11-bit indexes into the word list. Unlike a BIP-39 wallet, Skein
// does not run the phrase through BIP-39's PBKDF2 "mnemonic to seed"
// derivation: the words decode straight back to the seed, so
// FromPhrase(Phrase(k)) is k, and the phrase can be shown again at any time
// from the key alone. A Skein phrase is still a valid BIP-39 mnemonic, so
// wallet software accepts it, but derives unrelated keys from it.
//
// A recovery phrase is the key itself, not protected by the password: anyone
// who reads it controls the account.
//
// The encoding is done by github.com/tyler-smith/go-bip39, which keeps its
// word list in a package variable; nothing in this program may call its
// SetWordList.
//
// # Key files
//
// MarshalKeyFile writes an account's name, creation time and sealed key as a
// short text a user can copy, save or send to themselves; ParseKeyFile reads
// it back. The key stays sealed with the account's password:
//
//	skein-key-file v1
//	name: alice
//	created: 2024-05-01T12:34:56.789Z
//	secret: <the sealed key in standard, padded base64>
//
// Only the secret is protected against tampering; the name and creation
// time are plain text that anyone may edit, so an importer identifies the
// account by the key that Open returns.
//
// Functions in this package are safe for concurrent use.
package keystore
