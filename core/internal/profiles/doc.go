// Package profiles keeps each author's latest profile entry (entry kind 7:
// display name, bio, link) and speaks the profile request protocol,
// /skein/profile/1.0.0, by which a node asks a peer for the latest profile
// entry of one key.
//
// A Table holds, per author, the whole signed entry, so that it can be
// served to peers and re-verified by them; of two profile entries of one
// author, the one with the higher seq wins, and one arriving later with a
// lower seq changes nothing. The display names are also cached in memory,
// loaded when the Table opens, so that a feed page shows them without a
// read per row. Which authors' profiles are kept is the caller's choice:
// Prune drops the ones it has no reason to hold any more.
//
// # Key layout
//
// The table lives in a node's database under store.ProfilePrefix ('P'),
// through a store.Prefix view:
//
//	P <author>          the author's latest profile entry, its encoding as
//	                    entry.Decode takes it: full, or redacted once its
//	                    author deleted it (no profile, and a floor: no entry
//	                    of that seq or below is taken again)
//
// A Table is safe for concurrent use.
package profiles
