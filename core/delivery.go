package core

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/p2p"
	"github.com/skein-p2p/skein/core/internal/store"
	"github.com/skein-p2p/skein/core/internal/syncproto"
)

// topicOf is the GossipSub topic on which an author's new entries travel.
func topicOf(author entry.Key) string { return "/skein/log/1/" + author.String() }

// subscription is a followed author's topic, joined and subscribed.
type subscription struct {
	topic  *pubsub.Topic
	sub    *pubsub.Subscription
	joins  *pubsub.TopicEventHandler
	cancel context.CancelFunc
	done   chan struct{}
	ps     *pubsub.PubSub
	name   string
}

func (s *subscription) close() {
	s.cancel()
	s.sub.Cancel()
	if s.joins != nil {
		s.joins.Cancel()
	}
	<-s.done
	s.topic.Close()
	s.ps.UnregisterTopicValidator(s.name)
}

// subscribe starts receiving an author's entries live.
func (n *Node) subscribe(sess *session, author entry.Key) error {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if _, ok := sess.subs[author]; ok || sess.ctx.Err() != nil || !n.isLive() {
		return nil // only foreground mode subscribes
	}
	ps := n.host.PubSub
	name := topicOf(author)
	if err := ps.RegisterTopicValidator(name, n.validator(author), pubsub.WithValidatorInline(true)); err != nil {
		return err
	}
	t, err := ps.Join(name)
	if err != nil {
		ps.UnregisterTopicValidator(name)
		return err
	}
	sub, err := t.Subscribe()
	if err != nil {
		t.Close()
		ps.UnregisterTopicValidator(name)
		return err
	}
	joins, err := t.EventHandler()
	if err != nil {
		sub.Cancel()
		t.Close()
		ps.UnregisterTopicValidator(name)
		return err
	}
	ctx, cancel := context.WithCancel(sess.ctx)
	s := &subscription{topic: t, sub: sub, joins: joins, cancel: cancel, done: make(chan struct{}), ps: ps, name: name}
	sess.subs[author] = s
	go func() {
		defer close(s.done)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.watchJoins(ctx, sess, joins, author)
		}()
		n.readTopic(ctx, sub)
		wg.Wait()
	}()
	return nil
}

// watchJoins reacts to each peer that joins the author's topic. On a
// followed author's topic it syncs the log with the peer. On the account's
// own topic it sends the peer the newest own entry: a follower that missed
// entries published just before this device learned of its subscription
// sees the gap and syncs. Without this, such entries would wait for the
// next entry or the periodic sync.
func (n *Node) watchJoins(ctx context.Context, sess *session, joins *pubsub.TopicEventHandler, author entry.Key) {
	for {
		ev, err := joins.NextPeerEvent(ctx)
		if err != nil {
			return
		}
		if ev.Type != pubsub.PeerJoin {
			continue
		}
		if author != sess.key {
			n.syncPeer(ctx, ev.Peer, []entry.Key{author})
			continue
		}
		head, err := n.store.Head(author)
		if err != nil || head.Seq == 0 {
			continue
		}
		if e, err := n.store.Entry(author, head.Seq); err == nil {
			if err := n.sendNotice(ctx, sess, ev.Peer, []*entry.Entry{e}); err != nil {
				n.log.Debug("head not sent to new subscriber", "peer", ev.Peer, "err", err)
			}
		}
	}
}

// joinOwn joins the session's own topic, to publish on it, and watches who
// subscribes to it. The session loop closes both when the session ends.
func (n *Node) joinOwn(sess *session) error {
	t, err := n.host.PubSub.Join(topicOf(sess.key))
	if err != nil {
		return err
	}
	joins, err := t.EventHandler()
	if err != nil {
		t.Close()
		return err
	}
	sess.own, sess.ownJoins = t, joins
	n.goSession(sess, func(ctx context.Context) { n.watchJoins(ctx, sess, joins, sess.key) })
	return nil
}

// unsubscribe stops receiving an author's entries live.
func (n *Node) unsubscribe(sess *session, author entry.Key) {
	sess.mu.Lock()
	s, ok := sess.subs[author]
	delete(sess.subs, author)
	sess.mu.Unlock()
	if ok {
		s.close()
	}
}

// validator checks an entry before GossipSub accepts or forwards it: it must
// decode, carry a valid signature by the topic's author, and not contradict
// the part of the author's log already held.
func (n *Node) validator(author entry.Key) pubsub.ValidatorEx {
	return func(ctx context.Context, from peer.ID, m *pubsub.Message) pubsub.ValidationResult {
		if from == n.host.ID() {
			return pubsub.ValidationAccept // our own, just signed and stored
		}
		e, err := entry.Decode(m.Data)
		if err != nil {
			n.log.Warn("rejected gossip entry", "from", from, "err", err)
			return pubsub.ValidationReject
		}
		if e.Author != author {
			n.log.Warn("rejected gossip entry: wrong author for topic", "from", from)
			return pubsub.ValidationReject
		}
		if n.tooNew(e) {
			n.log.Warn("rejected gossip entry: dated in the future", "from", from, "time", e.Time)
			return pubsub.ValidationReject
		}
		if head, err := n.store.Head(author); err == nil && e.Seq <= head.Seq {
			held, err := n.store.Entry(author, e.Seq)
			if err == nil && held.ID() != e.ID() {
				n.log.Warn("rejected gossip entry: forks the log", "from", from, "author", author.Short(), "seq", e.Seq)
				return pubsub.ValidationReject
			}
			return pubsub.ValidationIgnore // already held
		}
		m.ValidatorData = e
		return pubsub.ValidationAccept
	}
}

// readTopic ingests validated entries from a followed author's topic.
func (n *Node) readTopic(ctx context.Context, sub *pubsub.Subscription) {
	for {
		m, err := sub.Next(ctx)
		if err != nil {
			return
		}
		e, ok := m.ValidatorData.(*entry.Entry)
		if !ok || m.ReceivedFrom == n.host.ID() {
			continue
		}
		if _, err := n.ingest([]*entry.Entry{e}); errors.Is(err, store.ErrGap) || n.missingStart(e.Author) {
			// Missed something: pull the rest from whoever sent this.
			n.requestSync(m.ReceivedFrom)
		} else if err != nil {
			n.log.Warn("gossip entry not stored", "author", e.Author.Short(), "seq", e.Seq, "err", err)
		}
	}
}

// ingest stores verified entries of other authors and reacts to the ones
// that were new. Entries stamped more than hlc.MaxDrift ahead of the local
// clock are refused: they would sit on top of every feed.
func (n *Node) ingest(es []*entry.Entry) ([]*entry.Entry, error) {
	var errFuture error
	for i, e := range es {
		if n.tooNew(e) {
			errFuture = fmt.Errorf("core: %s seq %d is dated %v, in the future: %w", e.Author.Short(), e.Seq, e.Time, errFromFuture)
			es = es[:i:i]
			break
		}
	}
	added, err := n.store.Append(es, false)
	if errors.Is(err, store.ErrFork) {
		n.reportForks(es)
	}
	err = errors.Join(err, errFuture)
	n.noteLatest(es)
	for _, e := range added {
		n.observe(e)
	}
	return added, err
}

// reportForks notifies the local accounts concerned (the author, if local,
// and its followers) of every fork recorded in the logs of es's authors:
// two different entries signed for one seq. The store keeps the first
// entry and the conflicting one as evidence.
func (n *Node) reportForks(es []*entry.Entry) {
	seen := map[entry.Key]bool{}
	for _, e := range es {
		if seen[e.Author] {
			continue
		}
		seen[e.Author] = true
		forks, err := n.store.Forks(e.Author)
		if err != nil {
			continue
		}
		var concerned []entry.Key
		if n.store.IsLocal(e.Author) {
			concerned = append(concerned, e.Author)
		}
		if accts, err := n.store.Accounts(); err == nil {
			for _, a := range accts {
				if a.Key != e.Author && n.store.Shows(a.Key, e.Author) {
					concerned = append(concerned, a.Key)
				}
			}
		}
		for _, f := range forks {
			other, err := entry.ParseStored(f.Other, nil)
			if err != nil {
				continue
			}
			n.log.Warn("forked log", "author", e.Author.Short(), "seq", f.Seq)
			for _, a := range concerned {
				n.addNotification(a, NotifyFork, other)
			}
		}
	}
}

// noteLatest records the highest seq seen of each author in es: it tells how
// complete the held logs are.
func (n *Node) noteLatest(es []*entry.Entry) {
	latest := map[entry.Key]uint64{}
	for _, e := range es {
		latest[e.Author] = max(latest[e.Author], e.Seq)
	}
	for a, seq := range latest {
		if err := n.store.SetKnown(a, seq); err != nil {
			n.log.Debug("known seq not recorded", "err", err)
		}
	}
}

// errFromFuture marks entries refused for their timestamp.
var errFromFuture = errors.New("entry dated in the future")

// tooNew reports whether e is dated more than hlc.MaxDrift ahead of now.
func (n *Node) tooNew(e *entry.Entry) bool {
	return e.Time.Time().After(time.Now().Add(hlc.MaxDrift))
}

// observe reacts to an entry just added to the store.
func (n *Node) observe(e *entry.Entry) {
	n.clock.Observe(e.Time)
	switch e.Kind {
	case entry.KindPost, entry.KindReply, entry.KindRepost:
		if e.Redacted() {
			return
		}
		for account, kind := range n.concerns(e) {
			n.addNotification(account, kind, e)
		}
		sess := n.session()
		if sess == nil || !n.store.Shows(sess.key, e.Author) {
			return
		}
		p := n.post(e)
		n.events.emit(Event{Kind: EventPost, Post: &p})
	case entry.KindDelete:
		n.redact(e)
	case entry.KindFollow, entry.KindUnfollow:
		f, err := entry.ParseFollow(e.Body)
		if err != nil {
			return
		}
		if n.store.IsLocal(e.Author) {
			n.replayFollow(e, f)
		}
		if n.store.IsLocal(f.Target) && f.Target != e.Author {
			n.noteFollower(f.Target, e)
		}
	}
}

// replayFollow applies a local account's own follow or unfollow entry that
// arrived from elsewhere, as when the account's log is fetched back after a
// restore: the newest entry about a target decides.
func (n *Node) replayFollow(e *entry.Entry, f entry.Follow) {
	if cur, err := n.store.FollowOf(e.Author, f.Target); err == nil && cur.Seq >= e.Seq {
		return
	}
	active := e.Kind == entry.KindFollow
	err := n.store.SetFollowing(e.Author, store.Follow{Target: f.Target, Name: f.Name, Seq: e.Seq, Since: e.Time.Time(), Active: active})
	if err != nil {
		n.log.Warn("follow not replayed", "err", err)
		return
	}
	n.store.PutName(f.Target, f.Name)
	n.store.Pin(e.Author, f.Name, f.Target)
	if sess := n.session(); sess != nil && sess.key == e.Author {
		if active {
			n.subscribe(sess, f.Target)
		} else {
			n.unsubscribe(sess, f.Target)
		}
	}
}

// noteFollower records a follow or unfollow of a local account, notifying
// it if this changes its followers.
func (n *Node) noteFollower(account entry.Key, e *entry.Entry) {
	active := e.Kind == entry.KindFollow
	name, _ := n.store.Name(e.Author)
	changed, err := n.store.SetFollower(account, store.Follower{
		Key: e.Author, Name: name, Seq: e.Seq, Since: e.Time.Time().UTC(), Active: active,
	})
	if err != nil {
		n.log.Warn("follower not recorded", "err", err)
		return
	}
	if !changed {
		return
	}
	kind, evKind := NotifyFollower, EventFollower
	if !active {
		kind, evKind = NotifyUnfollow, EventUnfollow
	}
	n.addNotification(account, kind, e)
	if sess := n.session(); sess != nil && sess.key == account {
		n.events.emit(Event{Kind: evKind, User: &User{Name: name, Key: e.Author.String()}})
	}
}

// notify tells the account target about e (a follow, unfollow, reply,
// repost or mention) directly on its device. If the device is unknown or
// unreachable, the notice is queued and delivered when it can be: when the
// device connects, or at the next periodic sync.
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

// sendNotice sends es to device p and waits for its acknowledgement. The
// notice carries the logged-in account's signed name record when the
// entries are its own, so the receiver can tell who they are from.
func (n *Node) sendNotice(ctx context.Context, sess *session, p peer.ID, es []*entry.Entry) error {
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
	var notice syncproto.Notice
	for _, e := range es {
		notice.Entries = append(notice.Entries, e.Bytes())
	}
	if sess != nil && es[0].Author == sess.key {
		if rec, err := n.ownRecord(sess); err == nil {
			notice.Name = rec
		}
	}
	if err := syncproto.WriteNotice(s, notice); err != nil {
		s.Reset()
		return err
	}
	s.CloseWrite()
	return syncproto.ReadAck(s)
}

// flushNotices delivers the notices queued for the accounts whose device is
// p, or for every account with queued notices if p is "" (looking their
// devices up by name when unknown).
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
				if rec, _, err := n.lookupName(ctx, name); err == nil && rec.Account == t {
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

// serveNotice handles a direct notice from a peer: follow and unfollow
// entries naming a local account.
func (n *Node) serveNotice(s network.Stream) {
	defer s.Close()
	s.SetDeadline(time.Now().Add(noticeTimeout))
	notice, err := syncproto.ReadNotice(bufio.NewReader(s))
	if err != nil {
		n.log.Warn("bad notice", "peer", s.Conn().RemotePeer(), "err", err)
		s.Reset()
		return
	}
	var sender *names.Record
	if len(notice.Name) > 0 {
		if r, err := names.Decode(notice.Name); err == nil {
			sender = &r
		}
	}
	for _, raw := range notice.Entries {
		e, err := entry.Decode(raw)
		if err != nil {
			n.log.Warn("bad notice entry", "peer", s.Conn().RemotePeer(), "err", err)
			s.Reset()
			return
		}
		if n.tooNew(e) {
			continue
		}
		if sender != nil && sender.Account == e.Author {
			if _, err := n.learnRecord(*sender); err != nil {
				n.log.Debug("notice name record", "err", err)
			}
		}
		// Store it if it extends what we hold of the sender's log; either
		// way the signed entry proves what it says.
		_, err = n.ingest([]*entry.Entry{e})
		if errors.Is(err, store.ErrGap) || n.missingStart(e.Author) {
			n.requestSync(s.Conn().RemotePeer()) // the sender holds the rest
		}
		if err == nil {
			continue // ingesting it notified whoever it concerns
		}
		switch e.Kind {
		case entry.KindFollow, entry.KindUnfollow:
			if f, err := entry.ParseFollow(e.Body); err == nil && n.store.IsLocal(f.Target) && f.Target != e.Author {
				n.noteFollower(f.Target, e)
			}
		case entry.KindPost, entry.KindReply, entry.KindRepost:
			for account, kind := range n.concerns(e) {
				n.addNotification(account, kind, e)
			}
		}
	}
	syncproto.WriteAck(s)
}

// ownRecord signs a fresh name record of the session's account: its
// device, addresses and latest seq, with an update time later than that of
// any record signed before.
func (n *Node) ownRecord(sess *session) ([]byte, error) {
	head, err := n.store.Head(sess.key)
	if err != nil {
		return nil, err
	}
	var addrs [][]byte
	for _, a := range n.host.Addrs() {
		if len(addrs) == names.MaxAddrs {
			break
		}
		addrs = append(addrs, a.Bytes())
	}
	sess.mu.Lock()
	updated := max(uint64(time.Now().UnixMilli()), sess.lastUpdated+1)
	sess.lastUpdated = updated
	sess.mu.Unlock()
	return names.Sign(sess.priv, names.Record{
		Name:    sess.name,
		Created: uint64(sess.created.UnixMilli()),
		Updated: updated,
		HeadSeq: head.Seq,
		PeerID:  []byte(n.host.ID()),
		Addrs:   addrs,
	})
}

// serveSync answers a sync request from the store.
func (n *Node) serveSync(s network.Stream) { serveSync(s, n.store, n.log) }

// serveSync answers one sync request on s from src. Relays with
// store-and-forward serve their kept logs with it too.
func serveSync(s network.Stream, src syncproto.Source, log *slog.Logger) {
	defer s.Close()
	s.SetDeadline(time.Now().Add(syncTimeout))
	if err := syncproto.Serve(bufio.NewReader(s), s, src); err != nil {
		log.Debug("sync request failed", "peer", s.Conn().RemotePeer(), "err", err)
		s.Reset()
	}
}

// requestSync asks the sync loop to sync with p soon. Requests for a peer
// already waiting are merged; a request made while a sync with p runs
// causes one more after it, so nothing announced in between is missed.
func (n *Node) requestSync(p peer.ID) {
	n.syncMu.Lock()
	n.syncWant[p] = true
	n.syncMu.Unlock()
	select {
	case n.syncKick <- struct{}{}:
	default: // the loop has been kicked already
	}
}

// syncLoop runs syncs: with peers as they connect or are asked for, and with
// everyone every SyncInterval.
func (n *Node) syncLoop(ctx context.Context) {
	t := time.NewTicker(n.cfg.SyncInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.syncKick:
			for {
				n.syncMu.Lock()
				var p peer.ID
				for q := range n.syncWant {
					p = q
					break
				}
				delete(n.syncWant, p)
				n.syncMu.Unlock()
				if p == "" || ctx.Err() != nil {
					break
				}
				n.flushNotices(ctx, p)
				if authors, err := n.store.Watched(); err == nil && len(authors) > 0 {
					n.syncPeer(ctx, p, authors)
				}
			}
		case <-t.C:
			n.flushNotices(ctx, "")
			n.syncAll(ctx)
		}
	}
}

// syncAll pulls every followed log from the authors' devices and from the
// other connected peers.
func (n *Node) syncAll(ctx context.Context) {
	authors, err := n.store.Watched()
	if err != nil || len(authors) == 0 {
		return
	}
	seen := make(map[peer.ID]bool)
	var peers []peer.ID
	for _, a := range authors {
		if p, ok := n.deviceOf(a); ok && !seen[p] {
			seen[p] = true
			peers = append(peers, p)
		}
	}
	for _, p := range n.host.Network().Peers() {
		if !seen[p] {
			seen[p] = true
			peers = append(peers, p)
		}
	}
	for _, p := range peers {
		if ctx.Err() != nil {
			return
		}
		n.syncPeer(ctx, p, authors)
	}
	// Whatever is still behind what was announced, ask the other holders.
	for _, a := range authors {
		if ctx.Err() != nil {
			return
		}
		if !n.caughtUp(a) {
			n.syncFromHolders(ctx, a)
		}
	}
}

// syncPeer pulls from p whatever it holds of the authors' logs beyond what
// this node holds, verifying every entry before storing it. It returns the
// number of entries added, and the error that ended the exchange early, if
// any (p unreachable, or misbehaving).
func (n *Node) syncPeer(ctx context.Context, p peer.ID, authors []entry.Key) (int, error) {
	if p == n.host.ID() {
		return 0, nil
	}
	total := 0
	stalled := 0 // interrupted answers in a row that brought nothing
	var err error
	for round := 0; round < maxSyncRounds; round++ {
		var added int
		var more bool
		held := n.heldSeqs(authors)
		added, more, err = n.syncRound(ctx, p, authors)
		total += added
		// Progress is what is held now, whoever fetched it: another sync
		// with p may share the connection.
		if n.heldSeqs(authors) > held {
			stalled = 0
		} else {
			stalled++
		}
		if errors.Is(err, errInterrupted) && ctx.Err() == nil && stalled <= maxStalls {
			// The connection went away mid-answer: a relayed connection
			// that reached its limit, or one replaced by a direct one.
			// What arrived is stored; ask again from there, for as long
			// as asking again brings entries.
			n.log.Info("sync interrupted; resuming", "peer", p, "entries", total, "err", err)
			continue
		}
		if err != nil {
			n.log.Debug("sync failed", "peer", p, "err", err)
			break
		}
		if !more || added == 0 {
			break
		}
	}
	if total > 0 {
		n.log.Info("synced", "peer", p, "entries", total)
	}
	return total, err
}

// heldSeqs sums the head seqs of the authors' logs held.
func (n *Node) heldSeqs(authors []entry.Key) uint64 {
	var sum uint64
	for _, a := range authors {
		if h, err := n.store.Head(a); err == nil {
			sum += h.Seq
		}
	}
	return sum
}

// syncRound is one request/response exchange of syncPeer.
func (n *Node) syncRound(ctx context.Context, p peer.ID, authors []entry.Key) (added int, more bool, err error) {
	req := syncproto.Request{Wants: make([]syncproto.Want, 0, len(authors))}
	for _, a := range authors {
		h, err := n.store.Head(a)
		if err != nil {
			return 0, false, err
		}
		req.Wants = append(req.Wants, syncproto.Want{Author: a, Have: h.Seq})
	}
	more, err = n.fetch(ctx, p, req, func(good []*entry.Entry) {
		got, _ := n.ingest(good)
		added += len(got)
	})
	if err != nil {
		return added, more, err
	}
	// Logs whose start is missing (the first entry held came by gossip or
	// a notice): ask for the part below, down to what retention keeps.
	for _, a := range authors {
		if ctx.Err() != nil {
			break
		}
		if n.metered.Load() || !n.missingStart(a) { // no backfill on a metered network
			continue
		}
		added += n.backfill(ctx, p, a)
	}
	return added, more, nil
}

// Backfill chunk sizes, in entries: the first asked for, and the least a
// chunk shrinks to after answers cut short.
const (
	backfillChunk    = 2048
	minBackfillChunk = 16
)

// backfill fetches from p the part of author's log below the first entry
// held, down to what retention keeps, and returns the number of entries
// added. The store takes entries below the held part only as a run that
// ends just below it, so each answer is collected whole before it is
// stored, and the part is asked for in chunks, the newest first: an answer
// cut short (a relay's limit) loses one chunk, and the next chunk asked
// for is half the size. It stops when the start is no longer missing, or
// when p has nothing more of it.
func (n *Node) backfill(ctx context.Context, p peer.ID, author entry.Key) int {
	total := 0
	chunk := uint64(backfillChunk)
	for range maxSyncRounds {
		if ctx.Err() != nil || !n.missingStart(author) {
			break
		}
		floor, tail := n.startWanted(author)
		from := floor
		if tail-floor > chunk {
			from = tail - chunk
		}
		req := syncproto.Request{Wants: []syncproto.Want{{Author: author, Have: from - 1}}, MaxEntries: uint32(tail - from)}
		var got []*entry.Entry
		_, err := n.fetch(ctx, p, req, func(good []*entry.Entry) { got = append(got, good...) })
		added, _ := n.ingest(got)
		total += len(added)
		switch {
		case errors.Is(err, errInterrupted) && chunk > minBackfillChunk:
			chunk /= 2
			n.log.Info("backfill interrupted; asking for smaller chunks", "peer", p, "author", author.Short(), "chunk", chunk, "err", err)
		case err != nil, len(added) == 0:
			return total
		}
	}
	return total
}

// startWanted returns the lowest seq of author's log this node wants to
// hold under its retention policy, and the lowest it holds.
func (n *Node) startWanted(author entry.Key) (floor, tail uint64) {
	tail, head, err := n.store.Span(author)
	if err != nil || head == 0 {
		return 1, 1
	}
	keep := uint64(n.cfg.Retention.store().KeepPerAuthor)
	floor = 1
	if head > keep {
		floor = head - keep + 1
	}
	return floor, tail
}

// missingStart reports whether a followed author's log lacks entries below
// the first one held that retention would keep.
func (n *Node) missingStart(author entry.Key) bool {
	floor, tail := n.startWanted(author)
	return tail > floor && n.store.Watches(author)
}

// fetch runs one sync exchange with p, connecting first if need be, and
// hands fn each batch of entries once their signatures are verified. A
// forged entry ends the exchange with an error after the good ones before
// it were handed over.
func (n *Node) fetch(ctx context.Context, p peer.ID, req syncproto.Request, fn func([]*entry.Entry)) (more bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	if !n.reachable(p) {
		dctx, dcancel := context.WithTimeout(ctx, dialTimeout)
		err := n.connect(dctx, peer.AddrInfo{ID: p})
		dcancel()
		if err != nil {
			return false, err
		}
	}
	return fetchFrom(ctx, n.host, p, req, fn)
}

// fetchFrom runs one sync exchange with p, which must be connected, over a
// relayed connection if that is all there is, and hands fn each batch of
// entries once their signatures are verified. An answer cut off mid-stream
// returns an error wrapping errInterrupted.
func fetchFrom(ctx context.Context, h *p2p.Host, p peer.ID, req syncproto.Request, fn func([]*entry.Entry)) (more bool, err error) {
	s, err := h.NewStream(network.WithAllowLimitedConn(ctx, "sync"), p, syncproto.SyncID)
	if err != nil {
		return false, err
	}
	defer s.Close()
	if dl, ok := ctx.Deadline(); ok {
		s.SetDeadline(dl)
	}
	forged := false
	more, err = syncproto.Fetch(bufio.NewReader(s), s, req, func(batch []*entry.Entry) error {
		good, verr := verifyAll(batch)
		fn(good)
		if verr != nil {
			forged = true
			return fmt.Errorf("core: peer %s sent a forged entry: %w", p, verr)
		}
		return nil
	})
	if err != nil {
		s.Reset()
		// A stream that ends mid-frame was cut, as a relay cuts a
		// connection at its limit: worth asking again, unlike a
		// malformed answer.
		cut := !errors.Is(err, syncproto.ErrProtocol) || errors.Is(err, io.ErrUnexpectedEOF)
		if !forged && cut && ctx.Err() == nil {
			err = fmt.Errorf("%w: %w", errInterrupted, err)
		}
	}
	return more, err
}

// errInterrupted marks a sync answer cut off by its stream or connection
// ending, rather than refused or malformed: worth asking again.
var errInterrupted = errors.New("core: sync interrupted")
