package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/store"
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
	if err := n.host.ScoreTopic(t); err != nil {
		n.log.Warn("gossip peers not scored on a topic", "author", author.Short(), "err", err)
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
			// A follower of the author: ask it for the log. By the
			// sync loop, not here: a peer that never answers would
			// hold up every join after its own.
			n.hints.Add(ev.Peer, author)
			n.requestSync(ev.Peer)
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
// the part of the author's log already held. A rejection counts against the
// peer's GossipSub score, which graylists a peer that keeps sending such
// messages; an entry dated too far ahead is only ignored, since the peer
// judged it by its own clock. Lines about rejections go to the peer log.
func (n *Node) validator(author entry.Key) pubsub.ValidatorEx {
	return func(ctx context.Context, from peer.ID, m *pubsub.Message) pubsub.ValidationResult {
		if from == n.host.ID() {
			return pubsub.ValidationAccept // our own, just signed and stored
		}
		e, err := entry.Decode(m.Data)
		if err != nil {
			n.plog.Warn(from.String(), "rejected gossip entry", "err", err)
			return pubsub.ValidationReject
		}
		if e.Author != author {
			n.plog.Warn(from.String(), "rejected gossip entry: wrong author for topic")
			return pubsub.ValidationReject
		}
		if n.tooNew(e) {
			n.plog.Info(from.String(), "ignored gossip entry: dated in the future", "time", e.Time)
			return pubsub.ValidationIgnore
		}
		if head, err := n.store.Head(author); err == nil && e.Seq <= head.Seq {
			held, err := n.store.Entry(author, e.Seq)
			if err == nil && held.ID() != e.ID() {
				n.plog.Warn(from.String(), "rejected gossip entry: forks the log", "author", author.Short(), "seq", e.Seq)
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
		n.hints.Add(m.ReceivedFrom, e.Author)
		if _, err := n.ingest([]*entry.Entry{e}); errors.Is(err, store.ErrGap) || n.missingStart(e.Author) {
			// Missed something: pull the rest from whoever sent this.
			n.requestSync(m.ReceivedFrom)
		} else if err != nil {
			n.plog.Warn(m.ReceivedFrom.String(), "gossip entry not stored", "author", e.Author.Short(), "seq", e.Seq, "err", err)
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
	// The entries, and the highest seq seen of each author where the held
	// head falls short of it: how complete the held logs are.
	added, err := n.store.AppendSeen(es)
	if errors.Is(err, store.ErrFork) {
		n.reportForks(es)
	}
	err = errors.Join(err, errFuture)
	n.indexEntries(added, false)
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
				n.addNotification(a, NotifyFork, other, "")
			}
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
	n.noteMedia(e)
	switch e.Kind {
	case entry.KindPost, entry.KindReply, entry.KindRepost:
		if e.Redacted() {
			return
		}
		n.indexReply(e, true)
		for account, kind := range n.concerns(e) {
			n.addNotification(account, kind, e, "")
		}
		sess := n.session()
		if sess == nil || !n.store.Shows(sess.key, e.Author) || n.hiddenEntry(sess.key, e) {
			return
		}
		p := n.post(e)
		n.events.emit(Event{Kind: EventPost, Post: &p})
	case entry.KindDelete:
		n.redact(e)
		n.deleteProfile(e)
	case entry.KindProfile:
		n.applyProfile(e)
	case entry.KindLike, entry.KindUnlike:
		n.noteLike(e, "")
	case entry.KindFollow, entry.KindUnfollow:
		f, err := entry.ParseFollow(e.Body)
		if err != nil {
			return
		}
		if n.store.IsLocal(e.Author) {
			n.replayFollow(e, f)
		}
		if n.store.IsLocal(f.Target) && f.Target != e.Author {
			n.noteFollower(f.Target, e, "")
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
	n.indexName(f.Target, f.Name)
	n.store.Pin(e.Author, f.Name, f.Target)
	if sess := n.session(); sess != nil && sess.key == e.Author {
		if active {
			n.subscribe(sess, f.Target)
			if sess.liveTopics() > n.cfg.liveTopics {
				n.rebalanceTopics(sess) // the least active author leaves
			}
		} else {
			n.unsubscribe(sess, f.Target)
		}
	}
}

// noteFollower records a follow or unfollow of a local account, notifying
// it if this changes its followers. name is the follower's, or "" to take
// it from the names this device knows.
func (n *Node) noteFollower(account entry.Key, e *entry.Entry, name string) {
	if n.blockedBy(account, e.Author) {
		return // dropped silently
	}
	active := e.Kind == entry.KindFollow
	if name == "" {
		name = n.nameOf(e.Author)
	}
	n.indexName(e.Author, name)
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
	n.addNotification(account, kind, e, name)
	if sess := n.session(); sess != nil && sess.key == account && !n.hidden(account, e.Author) {
		u := n.userProfile(User{Name: name, Key: e.Author.String()}, e.Author)
		n.events.emit(Event{Kind: evKind, User: &u})
	}
}
