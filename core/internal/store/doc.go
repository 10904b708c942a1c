// Package store keeps a Skein node's data: the logs of entries it holds,
// each local account's feed and social graph, notifications, and device
// settings. It runs over KV, a small sorted key-value interface, so the
// storage engine can change; OpenLevelDB returns one on disk (goleveldb)
// and NewMemory one in memory.
//
// Entries reach the store already signature-checked; the store checks that
// each one extends the part of its author's log it holds, and indexes it.
// The part held is a contiguous run of seqs, from the log's tail to its
// head: it starts past seq 1 when the first entries were never fetched or
// were collected by GC, which trims followed logs to a Retention and drops
// logs nobody local follows. Redact records a delete and removes the body
// of the deleted entry, leaving its redacted form, which still chains and
// verifies. A Store is safe for concurrent use.
//
// # Key layout
//
// Every key starts with a one-byte prefix naming its table. Account and
// entry keys are the 32-byte Ed25519 public keys, integers are big-endian
// so that byte order is numeric order, and times are nanoseconds since the
// Unix epoch (0 for no time). Names are raw bytes to the end of the key.
//
//	v                                      layout version (8 bytes), now 2
//	a <name>                               local account: key, created, encrypted secret
//	m <name>                               device setting: opaque value; "record/<hex key>" is
//	                                       the name record a local account last signed,
//	                                       "follower/<hex key>" the one a follower of a local
//	                                       account sent with its last follow notice
//	e <author> <seq>                       entry: its encoding, full or redacted
//	h <author>                             head of the log: seq, ID, HLC wall, HLC logical
//	t <author>                             tail of the log: seq of the first entry held (8 bytes)
//	f <account> <^wall> <^logical> <author> <seq>
//	                                       feed row: the entry's ID, then its encoding again
//	w <author> <account>                   watcher: account follows author (empty value)
//	g <account> <target>                   following: seq, since, active, name
//	r <account> <follower>                 follower: seq, since, active, name
//	n <account> <^time> <id>               notification: flags, from, entry ID, kind length, kind, then
//	                                       the from name (flags 0 or 1), or (flag 2) the from name's
//	                                       length, the from name and the entry's encoding
//	i <entry ID>                           ID index: author, seq of the held entry with this ID
//	q <target> <author> <seq>              notice queued for target's device: the entry
//	u <account>                            number of notifications unread, then in all (8 bytes each)
//	p <account> <name>                     pinned key of name, for account
//	d <key>                                display name of key (device-wide)
//	k <author>                             highest seq announced for author
//	c <author> <seq>                       fork evidence: length of the held entry (4 bytes),
//	                                       the held entry, the first conflicting entry
//	o <author>                             unwatched since: when the log became neither local
//	                                       nor followed by a local account (8 bytes)
//	x <author> <seq> <id>                  tombstone: the entry at seq with ID id is deleted (empty value)
//	R <account> i <request ID>             request: seq of the own entry it appended (8 bytes),
//	                                       digest of what it asked for (16 bytes)
//	R <account> s <seq>                    request of the own entry at seq: its ID
//	R <account> p                          requests forgotten: seq up to which the s and i rows
//	                                       are deleted (8 bytes)
//	N c <name>                             name claim this node holds as a DHT server: account
//	                                       (32 bytes), stored at (8, ms), kad-dht's record
//	N a <account> <name>                   the account's claims (empty value)
//	D r|p <account>                        a relay's directory (core/internal/directory): name record, profile entry
//	P <author>                             core/internal/profiles: the author's latest profile entry
//	M <account> <kind> <key>               mute (kind m) or block (kind b): since, name
//	                                       (core/internal/moderation)
//	B <account> s <^saved> <id>            bookmark: the entry's encoding, full or redacted
//	B <account> i <id>                     bookmark index: saved (core/internal/bookmarks)
//	L …                                    likes seen, per post: core/internal/likes (its doc has the layout)
//	T …                                    replies seen, per parent: core/internal/threads (its doc has the layout)
//	S ...                                  search index of core/internal/search (SearchPrefix; its doc.go)
//	C <account> e …                        an account's groups: core/internal/chat (its doc has the layout)
//	C <account> n p|i …                    the node's marks: own chat entries pushed to the anchors, inbox cursors
//	C e …, C i …                           a relay's core/internal/chatrelay: kept groups (keyless engine), inbox per recipient
//	F …                                    blobs held: core/internal/blobstore (its doc has the layout)
//	I r <root>, I m <author> <slug>        media index and mirrored albums: core/internal/medialib
//
// The N rows belong to core/internal/names.Registry, which reaches them
// through a Prefix view (NamePrefix); the Store never reads them. A relay
// keeps them in its database even without store-and-forward.
//
// Every entry from a log's tail to its head is held, and the e rows of a
// log change in the same batch as its h and t rows. The layout version
// changed to 2 with the entry encoding that carries a body hash; a
// database of version 1 is refused.
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
// Notification flags: 1 read, 2 the entry's encoding follows the name.
// An account keeps at most MaxNotifications n rows; AddNotification drops
// the oldest beyond that, in the batch that adds the new one and updates
// the counts. A u row of 8 bytes, from before the total was kept, holds the
// unread count alone; the total is counted when it is read. Rows with flag
// 2 and u rows of 16 bytes are not read by builds older than them.
//
// A post, reply or repost that is not redacted is written to the feed of
// every local account that shows its author: the author itself when it is
// local, and each account with a watcher row for it. Following an author
// adds rows for the entries already held; unfollowing removes them, as do
// Redact and GC. Heads, tails, local accounts, watchers, unwatched times,
// the authors with tombstones and display names are also cached in memory,
// loaded when the Store opens.
//
// The R rows make a local API request that appends an own entry
// idempotent: a client retrying a request whose answer it lost gets the
// entry the first attempt appended. AppendOwn writes both rows of a
// request in the batch of its entry, and forgets, in that batch, every
// request older than the account's RequestWindow (1,000) newest entries,
// from the p row on, so an account has at most that many i and s rows
// (and Request ignores rows that entries appended by sync put out of the
// window before the next AppendOwn). i, s and p are literal bytes naming
// the kinds; a request ID is 1 to 64 bytes.
//
// GC deletes the start of each followed log, outside the newest
// Retention.KeepPerAuthor entries and older than Retention.KeepFor, moving
// the tail up, but keeps the newest of the entries older than KeepFor: a
// node that fills a log in from below cannot know an entry's age before
// fetching it, and stops once the first entry it holds is that old and
// outside the newest KeepPerAuthor (Retention.KeepsBelow), so the two
// agree and nothing is fetched only to be collected again. GC never
// deletes a head or any entry of a local account. A
// log that is neither local nor followed gets an o row, written when the
// last local follower unfollows or when Append first adds an entry of it,
// and removed when it is followed again; once that time is older than
// Retention.UnfollowGrace, GC drops the log's e, h, t, k, o, c and x rows,
// and its feed rows if any. Tombstones and fork evidence of a followed log
// stay when its entries are collected.
//
// Every change that one method makes is committed in one atomic batch
// (Append splits very large inputs into several, and GC works in small
// batches, each leaving the logs consistent), so a crash at any moment
// leaves a consistent store.
package store
