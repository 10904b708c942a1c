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
// [new, stored] when a PUT arrives and [best so far, received] during a
// lookup.
//
// Validate accepts a value if it decodes, carries its work, its account key
// is a valid key and the signature verifies, its name is the one in the
// DHT key and neither timestamp is more than MaxClockSkew ahead of the local
// clock.
//
// Created is self-asserted and a key is chosen at will, so no order between
// two accounts' records is one an attacker could not win. Select therefore
// never chooses between accounts: it keeps the account of the first valid
// value, and of its records the latest Updated (then the smaller encoding).
// Identical values compare equal and Select returns index 0, so republishing
// the same bytes succeeds.
//
// # Servers: the first claim holds
//
// A DHT server stores name records in a Registry, the datastore of kad-dht's
// value store (dht.ValueDatastore). The first valid record of a name it
// stores makes its account the name's holder there, and the Registry
// refuses any other account's record of the name (ErrClaimed) until the
// claim lapses, ClaimLifetime after the holder's last record. It is
// persisted, and bounded (Limits): when full it refuses new names and never
// evicts a live claim. A Guard, kad-dht's OnRequestHook, bounds the rate of
// PUT_VALUE requests and of new claims per peer and per network (Rates).
//
// # Lookups
//
// A lookup collects the records held by the node's anchors (the peers its
// user configured) and every other record it finds, and Resolve decides:
// the account the anchors' records name; without anchor records, the
// account every record names; otherwise a conflict (ErrConflict), never a
// guess. A follow is pinned to the key it first resolved to (trust on first
// use) by the caller.
//
// All functions and the methods of Validator, Registry and Guard are safe
// for concurrent use.
package names
