// Package store keeps a Skein node's data: the logs of entries it holds,
// each local account's feed and social graph, notifications, and device
// settings. It runs over KV, a small sorted key-value interface, so the
// storage engine can change; OpenLevelDB returns one on disk (goleveldb)
// and NewMemory one in memory.
//
// Entries reach the store already signature-checked; the store checks that
// each one extends its author's log and indexes it. A Store is safe for
// concurrent use.
//
// # Key layout
//
// Every key starts with a one-byte prefix naming its table. Account and
// entry keys are the 32-byte Ed25519 public keys, integers are big-endian
// so that byte order is numeric order, and times are nanoseconds since the
// Unix epoch (0 for no time). Names are raw bytes to the end of the key.
//
//	v                                      layout version (8 bytes), now 1
//	a <name>                               local account: key, created, encrypted secret
//	m <name>                               device setting: opaque value
//	e <author> <seq>                       entry: its signed encoding
//	h <author>                             head of the log: seq, ID, HLC wall, HLC logical
//	f <account> <^wall> <^logical> <author> <seq>
//	                                       feed row: the entry's ID, then its signed encoding again
//	w <author> <account>                   watcher: account follows author (empty value)
//	g <account> <target>                   following: seq, since, active, name
//	r <account> <follower>                 follower: seq, since, active, name
//	n <account> <^time> <id>               notification: read, from, kind length, kind, from name
//	u <account>                            number of unread notifications
//	p <account> <name>                     pinned key of name, for account
//	d <key>                                display name of key (device-wide)
//	k <author>                             highest seq announced for author
//
// The feed and notification keys store time reversed: ^wall is
// MaxUint64-wall and ^logical is MaxUint32-logical (HLC time of the entry),
// and ^time is MaxUint64-time. An ascending scan of an account's rows
// therefore yields the newest first, and a feed page of n posts is one
// range scan of n rows, with no merge across authors and no second read:
// the row's value is a copy of the entry with its ID, so reading a page
// needs neither re-validation nor hashing. The author and seq at the end
// keep rows of equal time distinct. A feed cursor is the full key of the
// last row of a page; the next page starts just after it.
//
// A post is written to the feed of every local account that shows its
// author: the author itself when it is local, and each account with a
// watcher row for it. Following an author adds rows for the posts already
// held; unfollowing removes them. Heads, local accounts, watchers and
// display names are also cached in memory, loaded when the Store opens.
//
// Every change that one method makes is committed in one atomic batch
// (Append splits very large inputs into several, each leaving the logs
// consistent), so a crash at any moment leaves a consistent store.
package store
