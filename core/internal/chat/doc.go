// Package chat is the messaging engine of one member, or of a keyless
// relay: it keeps the entries of group chats and DMs (core/internal/chatlog)
// in a store.KV, delivers them in causal order, folds the membership from
// the control entries, holds the epoch secrets (core/internal/chatcrypt),
// decrypts messages, and builds the account's own entries. It does no
// network I/O: Ingest takes entries the node received, reports what is
// missing (Need), and the actions return the entries to publish. An Engine
// is safe for concurrent use; OnEvent is called without its lock held.
//
// # Delivery
//
// An entry is delivered when its prev (the author's seq-1) and every dep
// are delivered; its HLC time must be strictly after all of theirs, or it
// is dropped, so that display order — (HLC wall, logical, author, seq) —
// is a linear extension of causal order, the same on every member, and
// history is one range scan. Delivery is tried first; entries that must
// wait are kept in pending, bounded per group and per author (over the
// bound they are dropped and counted). Entries of authors the group's fold
// has never seen (not a member, invitee or former one, and not a create,
// a public join or an invite of Self: see Plausible) have a separate
// budget per group (Limits.PendingStrangers) that never crowds out known
// authors' entries, and no Needs are reported for them; a node's gossip
// validator ignores entries Plausible refuses. Result.Needs lists what to
// fetch: an author's seq range for a missing prev, IDs for missing deps;
// Result.DeliveredEntries the entries delivered by the call, the only
// ones a relay forwards or indexes. Tick delivers a Msg pending longer
// than GapAfter anyway (marked after-gap); history then shows a gap row
// ("N missing from X") until the missing entries arrive and take their
// places. Entries delivered over a gap are "incomplete" until their past
// is; control entries never deliver on an incomplete past, so the
// membership is always folded from a complete history (Limits.ControlGapAfter,
// off by default, lets them deliver over a gap after that long: the fold is
// recomputed from scratch when the missing entries arrive, so it then
// converges rather than being exact at every moment). In one Ingest call,
// entries that make their group known (a DM create, an invite of Self, a
// create at a relay) are taken first.
//
// Validity on ingest, before anything is stored: time at most 60 s after
// Options.Now, group known (or: a DM create naming Self, an invite of
// Self, held as below; keyless: any create while there is room, at most
// Limits.GroupsPerCreator groups per creator, DMs apart), a control body
// that parses, no other entry at the same (author, seq) (a fork: dropped; if the other
// entry is delivered and its author known to the fold, the dropped one is
// kept as an alias of it, so that entries naming either side of the fork
// deliver: one member may hold one side and a relay the other; Stats.Forks
// counts them, at most 1,000 per group). A group's ID is
// chatlog.GroupFor(creator, salt) (a DM's chatlog.DMGroup), checked on
// every create, so nobody but the creator can write a create of a known
// group ID: an impostor's create is malformed. At delivery: a second
// create of a non-DM group (its creator's, a fork at seq 1) is dropped as
// a fork, and so is any entry of an account that never took part in the
// group (except a join of a public group). Drops are counted by reason in
// Stats and returned as Result.Err (the first).
//
// An invite of Self for a group not in the table is not a group yet: it
// is held in memory, outside the group table (Limits.HeldGroups groups,
// least recently used evicted, Limits.HeldPerGroup entries each), with
// the entries linked to it (its past, which Result.Needs asks for, and
// what its author sent after it), until the group's create arrives; the
// group is then promoted into the table and what was held ingested. A
// promoted group in which Self never took part after Limits.OrphanAfter
// (its invitation never took effect), or a watched group whose create
// never came, is deleted by Tick. So orphan invitations cannot fill the
// group table, and Groups lists only groups with a create (or watched).
// Held entries are lost on restart (the anchors' inbox brings invitations
// again).
//
// # Tips and deps
//
// Tips are delivered entries no delivered entry references (an entry
// delivered after something referencing it is not one). An own entry
// names as deps up to MaxDeps tips other than its prev, the ones it must
// follow first (the entry that introduced its epoch, the invite a join
// accepts), then the newest in display order.
//
// # Membership fold
//
// Control entries are folded in display order; each takes effect iff its
// author holds the right at that point: create (a group's first; a DM: a
// create by either member naming both, every such create valid), invite
// (admin; target not a member; at most Limits.Members members and
// invitees), join (the invitee, with an invite not expired at the join's
// HLC and not used by an earlier join; or anyone not removed from a public
// group), leave (a member; not in a DM), remove (admin; not the last
// admin), role (admin; not demoting the last admin), meta (admin), rekey
// (any member). Strong removal: Remove(X, upto) voids every control entry
// of X with seq > upto, until X's first join after the removal in display
// order; since voiding can change which removals take effect, the fold is
// repeated until the set of effective removals is stable (at most 8
// passes). So a removed admin's concurrent invites are void, and of two
// concurrent mutual removals the first in display order wins. The fold
// yields, per account, its role and the intervals of its own seqs during
// which it was a member (join seq, leave seq or upto]; a Msg is shown only
// if its author's seq falls in one, so a late removal retroactively hides
// the removed member's concurrent messages.
//
// Expiry is enforced by the admins' devices: the fold compares an
// invite's expiry with the join's HLC time, which the joiner chooses, and
// a deterministic fold cannot know real time. So when an admin Self
// delivers a join that took effect and that it first saw (by Options.Now)
// more than LateGrace (5 min) after its invitation expired, the Result
// lists it in LateJoins, and the node removes that member. An honest join
// that reaches an admin's device late (the device offline) is reported
// too; the invitee is then invited again.
//
// # Epochs
//
// Every entry that carries NewEpoch (private create, DM create, invite of
// policy joined, remove of a private group, rekey) introduces an epoch
// whose recipients are its wraps' recipients and its author, plus the
// targets of history-shared invites that wrapped it. Sending, Self uses
// the newest epoch (display order) whose recipients include every current
// member and nobody who is neither member nor invitee with an unexpired,
// unused invitation (by Self's clock), whose secret Self holds, with
// fewer than 1,000 Msgs (DM: 100) and younger than 7 days; if none, Send
// first emits a Rekey for the current members and live invitees (prekeys
// from the KeyFunc). Remove carries the new epoch for the remaining members.
// Policy joined (no FlagHistoryShared): an invite carries a new epoch for
// every member and the invitee, followed by a Meta sealing the group's
// name under it; policy shared: an invite wraps the current epoch for its
// target, and rekeys and removes carry a history bundle of up to 64
// earlier epochs, sealed under the new secret. Self keeps every secret it
// unwraps (label "bundle" for bundles, "meta" for names) and decrypts the
// Msgs that waited for one. A wrap for Self that does not open (garbage
// from a member, or sealed to a prekey Self no longer holds) marks its
// epoch broken for Self; if the entry took effect, Result.RekeyNeeded
// names the group and the node calls Rekey, whose newer epoch the other
// senders then use (an invitee whose invitation's wrap is broken rekeys
// after joining). A Msg whose key Self lacks is delivered; it is
// shown as "undecryptable" if Self was a member at its display position,
// hidden otherwise; Stats counts both.
//
// # Keyless mode
//
// With Options.Self nil the engine validates, delivers, folds membership
// and stores ciphertext, but never decrypts; GC drops Msgs delivered more
// than Limits.Retention ago (30 days), keeping control entries and the ID
// rows of what it dropped so later entries still deliver, and drops whole
// the groups in which nothing was delivered for longer than the
// retention.
//
// # Store layout
//
// Everything lives under the KV the caller gives (a store.Prefix view).
// Integers are big-endian; <g> is a group ID (32 bytes), <id> an entry ID
// (32), <author> a key (32), <ep> an epoch ID (16), <order> a display
// position: HLC wall (8), HLC logical (4), author (32), seq (8).
//
//	v                          layout version (8 bytes), now 1
//	K                          Self's current prekey record (chatcrypt encoding)
//	k <prekey ID>              Self's prekey private key: created ms (8), X25519 key (32)
//	P <account>                another account's newest prekey record
//	g <g> m                    group state (JSON): how it became known, added, last update,
//	                           arrivals and read marker (unread = arrivals - read), Msgs per
//	                           epoch, private names opened, last delivery, creator
//	g <g> e <author> <seq>     delivered entry: its encoding
//	g <g> i <id>               ID index of a delivered entry: author, seq, HLC wall, HLC
//	                           logical, kind, flags (after gap, gone, undecryptable,
//	                           incomplete), delivered ms
//	g <g> o <order>            display order: ID, kind
//	g <g> c <order>            control entries: author, seq (loaded at Open to fold)
//	g <g> p <id>               pending entry: first seen ms (8), encoding
//	g <g> t <id>               tip (empty)
//	g <g> r <id>               referenced by a delivered entry (empty)
//	g <g> f <author>           frontier: contiguous delivered seq (8), highest delivered seq (8)
//	g <g> u <id>               incomplete entry: the IDs it references
//	g <g> G <id>               gap of an after-gap Msg: author, missing seqs from, to, dep IDs
//	g <g> s <ep>               epoch secret (Self)
//	g <g> n <ep> <author> <seq>  delivered Msg waiting for the secret of ep: its ID (Self)
//	g <g> d <id>               plaintext payload of a Msg (Self; public groups too)
//	g <g> a <ms> <id>          keyless: arrival index for GC
//	g <g> F <id>               fork alias: the delivered entry at the same (author, seq) (32),
//	                           the forking entry's HLC wall (8), logical (4)
//
// # Limits
//
// Limits: pending 10,000 per group and 1,000 per (group, author), 64 per
// group for authors the group has never seen, and no
// longer than the retention (Tick drops older ones: ErrExpired); 10,000
// groups (keyless: 64 per creator, DMs apart); held invitations of 256 groups, 64
// entries each; promoted groups Self never joined kept 24 hours; 1,000 members and invitees per group; 10,000 prekey records
// (the oldest evicted); GapAfter 10 s; keyless retention 30 days. Own
// prekeys rotate every 7 days, records expire after 30, private keys are
// deleted 30 days after rotation.
package chat
