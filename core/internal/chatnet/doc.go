// Package chatnet is the stream protocol of Skein chat, ProtocolID
// (/skein/chat/1.0.0), by which members and relays exchange the entries of
// groups (package chatlog), prekey records (package chatcrypt) and name
// records (package names) and search public groups, and the relay's inbox
// index.
//
// # Frames
//
// A client opens a stream, writes one request frame and closes its write
// side; the server answers with one response frame and closes the stream.
// A frame is a minimal uvarint length and that many bytes of payload: at
// most MaxRequest (1 MiB) for a request, MaxResponse (8 MiB) for a
// response. A request starts with its Op, a response with its Status; a
// response other than StatusOK is its status byte alone. Integers are
// big-endian; each entry travels with a 4-byte length, at most
// chatlog.MaxSize. docs/PROTOCOL.md ("Chat network") gives each
// operation's layout and test vectors:
//
//	push    group, ≤ 256 entries of it        → count kept
//	sync    group, frontier {author → seq}    → entries beyond it (≤ 1,000, ≤ 4 MiB), more
//	get     group, ≤ 64 entry IDs             → the entries held (≤ 4 MiB)
//	prekey  account                           → its latest prekey record
//	putkey  a prekey record                   → ok
//	inbox   account, cursor, signed           → groups with entries for it, next cursor
//	record  account                           → its signed name record (≤ 8 KiB)
//	groups  limit (≤ 50), query               → public groups whose name contains it:
//	                                            member count, create entry (≤ 4 MiB)
//
// Every decoder is canonical: lists are strictly ascending where their
// order carries no meaning, counts match lengths exactly, nothing follows
// the last field.
//
// # Server
//
// NewServer registers a Server on a host. It answers from a Source and
// into a Sink, which the chat engine of a node or a relay implements, and
// bounds each peer (Limits): streams served at once, requests a minute,
// response bytes a minute (a groups answer counts like any other), and the
// time to read a request. A peer over a
// limit is answered StatusRefused, counted (Stats) and logged through a
// ratelimit.Log. Pushed entries and prekey records are decoded and
// verified before the Sink sees them.
//
// # Clients
//
// Push, Sync, Get, FetchPrekey, PutPrekey, FetchInbox, FetchRecord and
// SearchGroups each make one request (Push as many as its entries need)
// and check the answer against it: every entry decodes and verifies
// (chatlog.Decode), is of the group asked, is beyond the frontier (sync)
// or one of the IDs asked (get), and comes once; a push is not answered
// with more kept than sent; a prekey record verifies and is of the account
// asked; an inbox lists each group once; a name record verifies
// (names.Decode) and is of the account asked; a groups answer has at most
// the limit of creates of distinct public groups whose name contains the
// query (NameMatches). Anything else is ErrBadAnswer: a peer can withhold,
// never forge or pad. A groups answer's member counts alone are the
// peer's word, unverified.
//
// # Inbox
//
// An inbox request is signed by the account's Ed25519 key over
// InboxSigContext and its fields, including its time (within InboxSkew of
// the server's clock) and the server's peer ID, so that it is good for one
// relay for a few minutes only. An Inbox is a relay's index, in a KV view
// of its own, of the groups with entries addressed to each recipient (a
// DM's entries to both members, an invite to its target): at most
// PerRecipient items per recipient (the item updated longest ago is
// dropped), Recipients recipients, kept Retention after their newest entry
// (GC), fed at most SenderRate entries an hour per sender (Allow). Its
// rows:
//
//	m <recipient>                    last cursor (8), item count (4)
//	i <recipient> <cursor>           group (32), newest entry's time in Unix ms (8)
//	g <recipient> <group>            cursor (8)
//	t <newest> <recipient> <cursor>  (empty): retention order
//
// Every type here is safe for concurrent use.
package chatnet
