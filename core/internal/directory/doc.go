// Package directory is the account directory of Skein relays: a relay
// indexes the accounts it knows, each by its name record and its latest
// profile entry, and answers substring queries over the stream protocol
// ProtocolID; a client asks its relays, verifies every result and merges
// them.
//
// # The relay's index
//
// A Directory holds, per account, the name record its relay's registry
// stored (names.Registry: the claim the relay holds for the name, the
// record with the latest Updated if the account has several) and the
// profile entry (entry kind 7) with the highest seq a client published for
// it, if any. It holds no account whose claim the registry does not hold,
// at most a maximum number of accounts (as many as the registry's names by
// default), and profile entries of at most MaxProfileEntry bytes, verified
// before they are stored. Its rows, in the KV it is given (a Prefix view
// under store.DirectoryPrefix in a relay's database):
//
//	r <account>   name record: Updated (8), name length (1), name, the record as signed
//	p <account>   profile entry, as signed
//
// Open reads them into an in-memory index: the lower-case text of each
// account (name, display name, bio, separated by NUL) and, for each
// trigram of code points, the ascending list of accounts whose text has
// it; a second such index covers names alone, with lists of the names
// that start with each one or two bytes. A search of three or more code
// points intersects the lists of its trigrams and checks each candidate's
// text; a shorter one scans. Results rank exact names first, then names
// that start with the query, other names, then display names and bios; by
// name within each. So names are searched first (for a short query, the
// names that start with it before all names), and the texts only when
// fewer than the limit of names match.
//
// # The protocol
//
// A client opens a stream, writes one request frame and closes its write
// side; the relay answers with one response frame and closes the stream.
// A frame is a minimal uvarint length and that many bytes. docs/PROTOCOL.md
// ("Directory") gives the layouts and test vectors. A Server bounds the
// requests of each peer and network (Limits) and the streams a peer has
// open at once.
//
// # Verification
//
// Nothing a relay says is trusted: Verify checks a result's name record
// (signature, work, clock), its profile entry (signed by the record's
// account, a full profile entry) and that it contains the query, and Merge
// drops and counts what fails. A relay can leave accounts out or serve an
// account's older profile; it cannot invent or alter one.
//
// Every type here is safe for concurrent use.
package directory
