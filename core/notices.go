package core

import (
	"bufio"
	"context"
	"errors"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/ratelimit"
	"github.com/skein-p2p/skein/core/internal/store"
	"github.com/skein-p2p/skein/core/internal/syncproto"
)

// Rates a receiver keeps on notices (docs/PROTOCOL.md, "Notify"). A notice
// over one is refused; its sender keeps it and sends it again later.
// Honest traffic stays well within them: a follow, a reply or a mention is
// one entry, and queued notices go out at most 16 entries at a time.
const (
	// Entries from one peer: a burst of 64 (four full notices), then one
	// a second.
	noticePeerBurst = 64
	noticePeerRate  = 1.0
	// Entries from one network (IPv4 /24, IPv6 /48): what many peer IDs
	// of one operator share. Room for dozens of honest devices behind one
	// carrier NAT, or on one test machine.
	noticeNetBurst = 256
	noticeNetRate  = 4.0
	// Notifications of one local account by one author it does not
	// follow: 16, a full queued notice, then one every 10 seconds.
	noticeKeyBurst = 16
	noticeKeyRate  = 0.1
	// Keys each table tracks; the least recently used go first.
	noticeRateKeys = 4096
)

// noticeRates are the token buckets of the notice rates.
type noticeRates struct {
	peers, nets, keys *ratelimit.Limiter
}

func newNoticeRates() noticeRates {
	return noticeRates{
		peers: ratelimit.New(noticePeerRate, noticePeerBurst, noticeRateKeys),
		nets:  ratelimit.New(noticeNetRate, noticeNetBurst, noticeRateKeys),
		keys:  ratelimit.New(noticeKeyRate, noticeKeyBurst, noticeRateKeys),
	}
}

// allow takes the tokens of a notice of k entries from peer p at addr.
func (r noticeRates) allow(p peer.ID, addr ma.Multiaddr, k int) bool {
	if !r.peers.AllowN(string(p), k) {
		return false
	}
	net := ratelimit.Network(addr)
	return net == "" || r.nets.AllowN(net, k)
}

// errNoRecord means a notice could not be sent: its author has no name
// record on this device to go with it, and a receiver would not count it.
var errNoRecord = errors.New("core: no name record of the notice's author on this device")

// notify tells the account target about e (a follow, unfollow, reply,
// repost or mention) directly on its device. If the device is unknown or
// unreachable, or refuses the notice for now, the notice is queued and
// delivered when it can be: when the device connects, or at the next
// periodic sync.
func (n *Node) notify(ctx context.Context, sess *session, target entry.Key, e *entry.Entry) {
	if p, ok := n.deviceOf(target); ok {
		if err := n.sendNotice(ctx, sess, p, []*entry.Entry{e}); err == nil {
			return
		} else {
			n.log.Debug("notice not delivered; queued", "peer", p, "err", err)
		}
	}
	if err := n.store.QueueNotice(target, e); err != nil {
		n.log.Warn("notice lost", "err", err)
	}
}

// sendNotice sends es, entries of one author, to device p and waits for
// its answer: an error wrapping syncproto.ErrRefused if p refuses them for
// now. The notice carries the author's signed name record, so that the
// receiver can tell who the entries are from: a fresh one if the author is
// the logged-in account, else the last one the author signed on this
// device; without one it is not sent (errNoRecord).
func (n *Node) sendNotice(ctx context.Context, sess *session, p peer.ID, es []*entry.Entry) error {
	var notice syncproto.Notice
	for _, e := range es {
		notice.Entries = append(notice.Entries, e.Bytes())
	}
	notice.Name = n.noticeRecord(sess, es[0].Author)
	if notice.Name == nil {
		return errNoRecord
	}
	ctx, cancel := context.WithTimeout(ctx, noticeTimeout)
	defer cancel()
	s, err := n.host.NewStream(network.WithAllowLimitedConn(ctx, "notify"), p, syncproto.NotifyID)
	if err != nil {
		return err
	}
	defer s.Close()
	if dl, ok := ctx.Deadline(); ok {
		s.SetDeadline(dl)
	}
	if err := syncproto.WriteNotice(s, notice); err != nil {
		s.Reset()
		return err
	}
	s.CloseWrite()
	return syncproto.ReadAck(s)
}

// noticeRecord returns the name record to send with a notice of author's
// entries, or nil if this device has none.
func (n *Node) noticeRecord(sess *session, author entry.Key) []byte {
	if sess != nil && author == sess.key {
		if rec, err := n.ownRecord(sess); err == nil {
			return rec
		}
	}
	rec, err := n.store.OwnRecord(author)
	if err != nil {
		return nil
	}
	return rec
}

// flushNotices delivers the notices queued for the accounts whose device is
// p, or for every account with queued notices if p is "" (looking their
// devices up by name when unknown). Notices refused for now stay queued.
func (n *Node) flushNotices(ctx context.Context, p peer.ID) {
	targets, err := n.store.NoticeTargets()
	if err != nil {
		return
	}
	sess := n.session()
	for _, t := range targets {
		dev, ok := n.deviceOf(t)
		if p == "" && !ok {
			if name := n.nameOf(t); name != "" {
				if _, found := n.lookupAccount(ctx, name, t); found {
					dev, ok = n.deviceOf(t)
				}
			}
		}
		if !ok || p != "" && dev != p {
			continue
		}
		queued, err := n.store.QueuedNotices(t, syncproto.MaxNoticeEntries)
		if err != nil || len(queued) == 0 {
			continue
		}
		// One notice per author, as the name record is the author's.
		byAuthor := map[entry.Key][]*entry.Entry{}
		for _, e := range queued {
			byAuthor[e.Author] = append(byAuthor[e.Author], e)
		}
		for _, es := range byAuthor {
			if err := n.sendNotice(ctx, sess, dev, es); err != nil {
				n.log.Debug("queued notices still not delivered", "peer", dev, "err", err)
				continue
			}
			for _, e := range es {
				n.store.DropNotice(t, e)
			}
		}
	}
}

// serveNotice handles a direct notice from a peer. It takes only what this
// device has a reason to hold (docs/PROTOCOL.md, "Notify"): entries of
// local accounts and of the authors they follow go into the logs; an entry
// of anyone else that concerns a local account, with its author's name
// record, counts a follower or adds a notification and is not stored;
// everything else is dropped. A notice over a rate is refused, untouched.
func (n *Node) serveNotice(s network.Stream) {
	defer s.Close()
	s.SetDeadline(time.Now().Add(noticeTimeout))
	p := s.Conn().RemotePeer()
	key := p.String()
	notice, err := syncproto.ReadNotice(bufio.NewReader(s))
	if err != nil {
		n.plog.Warn(key, "bad notice", "err", err)
		s.Reset()
		return
	}
	if !n.noticeRates.allow(p, s.Conn().RemoteMultiaddr(), len(notice.Entries)) {
		n.plog.Info(key, "notice refused: the peer or its network is over its rate", "entries", len(notice.Entries))
		syncproto.WriteRefusal(s)
		return
	}
	es := make([]*entry.Entry, 0, len(notice.Entries))
	for _, raw := range notice.Entries {
		e, err := entry.Decode(raw)
		if err != nil {
			n.plog.Warn(key, "bad notice entry", "err", err)
			s.Reset()
			return
		}
		if !n.tooNew(e) {
			es = append(es, e)
		}
	}
	var sender *names.Record
	if len(notice.Name) > 0 {
		if r, err := names.Decode(notice.Name); err == nil {
			sender = &r
		}
	}
	var held, foreign []*entry.Entry
	for _, e := range es {
		if n.store.IsLocal(e.Author) || n.store.Watches(e.Author) {
			held = append(held, e)
		} else {
			foreign = append(foreign, e)
		}
	}
	effects := n.unhiddenEffects(n.foreignEffects(foreign, sender))
	if !n.allowEffects(effects) {
		n.plog.Info(key, "notice refused: an author is over its rate of notifications")
		syncproto.WriteRefusal(s)
		return
	}
	for _, e := range held {
		n.heldNotice(p, e, sender)
		n.keepFollowerRecord(e, sender, notice.Name)
	}
	for _, x := range effects {
		x.apply(n)
		n.fetchProfileLater(x.e.Author, p) // the sender's device, or one that holds its log
		if x.kind == NotifyFollower {
			// Not a blocked account's: unhiddenEffects dropped those.
			n.keepFollowerRecord(x.e, sender, notice.Name)
		}
	}
	syncproto.WriteAck(s)
}

// keepFollowerRecord keeps, if e is a follow of a local account by
// sender's account, sender's name record (raw): its device is where the
// account finds the follower when it comes back from away
// (recentFollowerDevices). An unfollow forgets it.
func (n *Node) keepFollowerRecord(e *entry.Entry, sender *names.Record, raw []byte) {
	if sender == nil || sender.Account != e.Author || e.Kind != entry.KindFollow && e.Kind != entry.KindUnfollow {
		return
	}
	f, err := entry.ParseFollow(e.Body)
	if err != nil || f.Target == e.Author || !n.store.IsLocal(f.Target) {
		return
	}
	if e.Kind == entry.KindUnfollow {
		if err := n.store.DropFollowerRecord(e.Author); err != nil {
			n.log.Warn("follower's name record not dropped", "err", err)
		}
		return
	}
	if err := n.store.PutFollowerRecord(e.Author, raw); err != nil {
		n.log.Warn("follower's name record not kept", "err", err)
	}
}

// heldNotice takes, from a notice sent by p, an entry of a local account or
// of an author a local account follows, as if it had come by gossip.
func (n *Node) heldNotice(p peer.ID, e *entry.Entry, sender *names.Record) {
	if sender != nil && sender.Account == e.Author {
		if _, err := n.learnRecord(*sender); err != nil {
			n.log.Debug("notice name record", "err", err)
		}
	}
	// Store it if it extends what we hold of the log; either way the
	// signed entry proves what it says.
	_, err := n.ingest([]*entry.Entry{e})
	n.hints.Add(p, e.Author)
	if errors.Is(err, store.ErrGap) || n.missingStart(e.Author) {
		n.requestSync(p) // the sender holds the rest
	}
	if err == nil {
		return // ingesting it notified whoever it concerns
	}
	switch e.Kind {
	case entry.KindFollow, entry.KindUnfollow:
		if f, err := entry.ParseFollow(e.Body); err == nil && n.store.IsLocal(f.Target) && f.Target != e.Author {
			n.noteFollower(f.Target, e, "")
		}
	case entry.KindPost, entry.KindReply, entry.KindRepost:
		for account, kind := range n.concerns(e) {
			if kind == NotifyReply {
				n.indexReply(e, false)
			}
			n.addNotification(account, kind, e, "")
		}
	case entry.KindLike, entry.KindUnlike:
		if n.likeOfLocal(e) {
			n.noteLike(e, "")
		}
	}
}

// foreignEffect is what an entry of an author nobody local follows does to
// a local account it concerns: a follower counted or ended, or a
// notification.
type foreignEffect struct {
	account entry.Key
	kind    NotificationKind // NotifyFollower for a follow or an unfollow
	e       *entry.Entry
	name    string // the author's, from its name record
}

func (x foreignEffect) apply(n *Node) {
	if x.kind == NotifyLike {
		n.noteLike(x.e, x.name) // records an unlike too, and notifies of a like
		return
	}
	if x.kind == NotifyReply {
		n.indexReply(x.e, false) // the reply is in no log held here
	}
	if x.kind == NotifyFollower {
		n.noteFollower(x.account, x.e, x.name)
		return
	}
	n.addNotification(x.account, x.kind, x.e, x.name)
}

// foreignEffects lists what the entries of authors nobody local follows do:
// each counts only if it concerns a local account and sender is its
// author's valid name record, the cost of entry of a follower. Nothing of
// them is stored in the logs.
func (n *Node) foreignEffects(es []*entry.Entry, sender *names.Record) []foreignEffect {
	var out []foreignEffect
	for _, e := range es {
		if sender == nil || sender.Account != e.Author {
			continue
		}
		switch e.Kind {
		case entry.KindFollow, entry.KindUnfollow:
			f, err := entry.ParseFollow(e.Body)
			if err != nil || !n.store.IsLocal(f.Target) || f.Target == e.Author {
				continue
			}
			if e.Kind == entry.KindUnfollow {
				// Only ends a follow counted before: an unfollow alone
				// would leave a row per throwaway key.
				if old, err := n.store.FollowerOf(f.Target, e.Author); err != nil || !old.Active {
					continue
				}
			}
			out = append(out, foreignEffect{account: f.Target, kind: NotifyFollower, e: e, name: sender.Name})
		case entry.KindPost, entry.KindReply, entry.KindRepost:
			if e.Redacted() {
				continue
			}
			for account, kind := range n.concerns(e) {
				out = append(out, foreignEffect{account: account, kind: kind, e: e, name: sender.Name})
			}
		case entry.KindLike, entry.KindUnlike:
			if n.likeOfLocal(e) {
				l, _ := entry.ParseLike(e.Body)
				out = append(out, foreignEffect{account: l.Of.Author, kind: NotifyLike, e: e, name: sender.Name})
			}
		}
	}
	return out
}

// allowEffects takes, for each effect, a token from the bucket of its
// account and author, and reports whether every bucket had one.
func (n *Node) allowEffects(effects []foreignEffect) bool {
	ok := true
	for _, x := range effects {
		if !n.noticeRates.keys.Allow(string(x.account[:]) + string(x.e.Author[:])) {
			ok = false
		}
	}
	return ok
}
