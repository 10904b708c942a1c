// Package names maps usernames to account keys with signed records stored in
// the libp2p kad-dht.
//
// # Records
//
// A name claim is a Record signed by the account's Ed25519 key and stored
// under the DHT key Key(name), "/skein-name/<name>". Besides the name and the
// account key it carries proof of work for the claim (Nonce), when the
// account says it claimed the name (Created, informative only), when this
// record was published (Updated), the account's log head at publish time
// (HeadSeq) and the publishing device's peer ID and addresses, so that one
// lookup both resolves a name and says where to sync from. The wire layout
// (all integers big-endian, lengths in bytes) is:
//
//	offset    size  field
//	0         1     format version, 2
//	1         32    account Ed25519 public key
//	33        8     work nonce (see HasWork)
//	41        8     Created, ms since the Unix epoch, >= 1
//	49        8     Updated, ms since the Unix epoch, >= Created
//	57        8     HeadSeq
//	65        1     name length n, 3 to 32
//	66        n     name: a-z, 0-9 and _
//	66+n      1     peer ID length p, 1 to 64
//	67+n      p     peer ID (binary multihash)
//	67+n+p    1     address count c, 0 to 16
//	68+n+p    ...   c times: 2-byte length l (1 to 256), l bytes of binary multiaddr
//	end-64    64    Ed25519 signature over SigContext || every byte before it
//
// The encoding is canonical: every field has one representation (fixed-width
// integers, exact lengths, multiaddrs in their canonical binary form) and no
// byte may follow the signature, so a Record has exactly one encoding. A
// record is at most MaxSize bytes.
//
// # Work
//
// A claim costs work: the nonce must make SHA-256(WorkContext ‖ account ‖
// len(name) ‖ name ‖ nonce) start with WorkBits zero bits, about a million
// hashes. The work binds the account and the name only, so Work runs once
// per claim and every later record of the claim reuses the nonce. A record
// without enough work is invalid everywhere: Decode, Validate and Resolve
// refuse it. The account key follows the signature rule of entries
// (entry.VerifySignature): a small-order key is refused.
//
// # Validation and selection
//
// Validator implements record.Validator; register it with
// dht.NamespacedValidator(Namespace, names.Validator{}). kad-dht calls
// Validate on every value it stores or receives, and Select with two values,
// [new, stored] when a PUT arrives (index 0 replaces the stored value) and
// [best so far, received] during a lookup.
//
// Validate accepts a value if it decodes, its signature verifies, its name is
// the one in the DHT key and neither timestamp is more than MaxClockSkew
// ahead of the local clock.
//
// Select orders claims by Created (earliest first), then account key (bytes,
// smaller first), then Updated (latest first), then the encoding's bytes
// (smaller first), and returns the first of the best. So the earliest claim
// holds the name, a later claim by another key never displaces it, and the
// holder's own latest record replaces its older ones: only the claiming key
// can update a name. Clients must carry Created over unchanged into every
// update (look the record up first when publishing from a new device): a
// record with a later Created loses even to the same account's older record.
// Identical values compare equal and Select returns index 0, so republishing
// the same bytes (needed within kad-dht's 48 h record age) succeeds.
//
// # Trust
//
// Created is self-asserted: anyone can sign a back-dated claim for a name
// that is already taken, and that claim wins wherever the DHT stores it. The
// DHT alone cannot tell the first claimant from a liar. Skein therefore does
// not let the DHT decide who a name means once a user has seen it: a follow is
// pinned to the key it first resolved to (trust on first use), and lookups
// collect every value the DHT returns and call Resolve, which reports the
// other keys that also claim the name so the caller can report a conflict
// instead of silently switching keys.
//
// All functions and Validator's methods are safe for concurrent use.
package names
