package core

import (
	"bytes"
	"maps"
	"slices"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// maxLiveTopics bounds the followed authors whose GossipSub topics an
// account subscribes to in foreground mode. Each topic costs the node two
// goroutines and, on every connection it opens (an author's device, a DHT
// server met in a lookup), its name in the subscription list GossipSub
// sends first: 83 bytes a topic, 83 KB for 1,000 authors. The authors
// beyond the bound are delivered by the periodic sync, every
// Config.SyncInterval, from their devices (wantsFor): up to that much
// later, for the same cost of one sync request.
const maxLiveTopics = 100

// liveAuthors returns the authors among follows that get a live topic:
// all of them if they are at most limit, else the limit most recently
// active ones, an author's activity being the later of when it was
// followed and the time of the newest entry held of its log (active(a)).
// An author that posts while outside the set is synced, then ranks high
// at the next choice. Ties go to the lower key, so the choice is
// deterministic.
func liveAuthors(follows []store.Follow, active func(entry.Key) time.Time, limit int) []entry.Key {
	out := make([]entry.Key, 0, min(len(follows), limit))
	if len(follows) <= limit {
		for _, f := range follows {
			out = append(out, f.Target)
		}
		return out
	}
	type ranked struct {
		at  time.Time
		key entry.Key
	}
	rs := make([]ranked, len(follows))
	for i, f := range follows {
		at := f.Since
		if t := active(f.Target); t.After(at) {
			at = t
		}
		rs[i] = ranked{at: at, key: f.Target}
	}
	slices.SortFunc(rs, func(a, b ranked) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		return bytes.Compare(a.key[:], b.key[:])
	})
	for _, r := range rs[:limit] {
		out = append(out, r.key)
	}
	return out
}

// rebalanceTopics subscribes the session to the topics of its live
// authors (liveAuthors) and unsubscribes it from the others. It does
// nothing outside foreground mode. The foreground sync pass calls it, so
// that the set follows the authors' activity; a follow calls it past the
// bound. Two running at once may leave one topic too many until the next.
func (n *Node) rebalanceTopics(sess *session) {
	if !n.isLive() {
		return
	}
	follows, err := n.store.Following(sess.key)
	if err != nil {
		n.log.Warn("following list unreadable", "err", err)
		return
	}
	live := liveAuthors(follows, func(a entry.Key) time.Time {
		h, err := n.store.Head(a)
		if err != nil || h.Seq == 0 {
			return time.Time{}
		}
		return h.Time.Time()
	}, n.cfg.liveTopics)
	sess.mu.Lock()
	var drop []entry.Key
	for a := range sess.subs {
		if !slices.Contains(live, a) {
			drop = append(drop, a)
		}
	}
	sess.mu.Unlock()
	for _, a := range drop {
		n.unsubscribe(sess, a)
	}
	for _, a := range live {
		if err := n.subscribe(sess, a); err != nil {
			n.log.Warn("subscribe failed", "author", a.Short(), "err", err)
		}
	}
}

// subscribedAuthors returns the followed authors whose topics the session
// subscribes to.
func (sess *session) subscribedAuthors() []entry.Key {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	return slices.Collect(maps.Keys(sess.subs))
}

// liveTopics returns how many followed authors' topics the session
// subscribes to.
func (sess *session) liveTopics() int {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	return len(sess.subs)
}
