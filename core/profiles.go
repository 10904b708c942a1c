package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/profiles"
	"github.com/skein-p2p/skein/core/internal/ratelimit"
	"github.com/skein-p2p/skein/core/internal/store"
)

// Profiles: each author's latest profile entry (kind 7) is kept in a table
// of its own (core/internal/profiles), fed by every profile entry the node
// accepts, on any path (observe), and by the profile request protocol when
// one is missing: retention trims old entries, so a follower may never get
// an old profile entry by sync.

const (
	// profileTimeout bounds one profile request to one peer, either side.
	profileTimeout = 5 * time.Second
	// profileFetchTimeout bounds looking for a missing profile in all.
	profileFetchTimeout = 10 * time.Second
	// maxProfileAsks is the most peers asked for one profile.
	maxProfileAsks = 4
	// Profile requests served per peer: a few a second, in bursts of a
	// feed page's authors.
	profileServeRate  = 4
	profileServeBurst = 50
	profileServeKeys  = 4096
)

// profileState is the node's share of profiles.
type profileState struct {
	table *profiles.Table
	rates *ratelimit.Limiter // profile requests served, per peer
	// dropped counts answers refused: a bad frame, an entry of another
	// key, not newer than asked, or badly signed.
	dropped atomic.Uint64

	mu       sync.Mutex
	fetching map[entry.Key]bool // profiles being fetched now
}

func openProfiles(kv store.KV) (*profileState, error) {
	t, err := profiles.Open(store.Prefix(kv, []byte{store.ProfilePrefix}))
	if err != nil {
		return nil, err
	}
	return &profileState{
		table:    t,
		rates:    ratelimit.New(profileServeRate, profileServeBurst, profileServeKeys),
		fetching: make(map[entry.Key]bool),
	}, nil
}

// SetProfile sets the logged-in account's profile: it appends a profile
// entry holding all three fields, so that it replaces the whole previous
// profile (fields this version does not know, such as those a later one
// adds, are carried over). An empty field is not set. The display name is
// at most 64 characters on one line, the bio at most 300 and may hold
// newlines and tabs, and the link is an http:// or https:// URL of at most
// 200 bytes; neither text may be only white space or hold control
// characters or bidirectional overrides. Anything else is refused with an
// error wrapping ErrInvalidProfile, and nothing is appended. A request ID in
// ctx makes a retry return the first attempt's result (WithRequestID).
func (n *Node) SetProfile(ctx context.Context, displayName, bio, link string) (User, error) {
	sess, err := n.requireSession()
	if err != nil {
		return User{}, err
	}
	req, prior, err := n.replay(ctx, sess, "profile", displayName, bio, link)
	switch {
	case err != nil:
		return User{}, err
	case prior != nil:
		p, err := entry.ParseProfile(prior.Body)
		if err != nil {
			return User{}, fmt.Errorf("core: the entry of request %q: %w", req.id, err)
		}
		return withProfile(User{Name: sess.name, Key: sess.key.String()}, p), nil
	}
	p := entry.Profile{DisplayName: displayName, Bio: bio, Link: link}
	if err := CheckProfile(displayName, bio, link); err != nil {
		return User{}, err
	}
	if cur, _, ok := n.profileOf(sess.key); ok {
		p.Unknown = cur.Unknown
	}
	e, _, err := n.appendRequest(ctx, sess, req, entry.KindProfile, p.Bytes())
	if err != nil {
		return User{}, err
	}
	got, err := entry.ParseProfile(e.Body)
	if err != nil {
		return User{}, fmt.Errorf("core: own profile entry: %w", err)
	}
	return withProfile(User{Name: sess.name, Key: sess.key.String()}, got), nil
}

// CheckProfile checks a profile as SetProfile does, and returns nil or an
// error wrapping ErrInvalidProfile that says what to change. Apps may call
// it to check a profile before setting it.
func CheckProfile(displayName, bio, link string) error {
	return profiles.Check(entry.Profile{DisplayName: displayName, Bio: bio, Link: link})
}

// withProfile returns u with p's fields.
func withProfile(u User, p entry.Profile) User {
	u.DisplayName, u.Bio, u.Link = p.DisplayName, p.Bio, p.Link
	u.Avatar, u.Banner = profileMedia(p.Avatar), profileMedia(p.Banner)
	return u
}

// userProfile returns u with the profile held for k, if any.
func (n *Node) userProfile(u User, k entry.Key) User {
	if p, _, ok := n.profileOf(k); ok {
		return withProfile(u, p)
	}
	return u
}

// profileOf returns the latest profile held for k and its signed entry; ok
// is false if none is held.
func (n *Node) profileOf(k entry.Key) (entry.Profile, *entry.Entry, bool) {
	p, e, ok, err := n.prof.table.Get(k)
	if err != nil {
		n.log.Warn("profile not read", "author", k.Short(), "err", err)
		return entry.Profile{}, nil, false
	}
	return p, e, ok
}

// displayName returns k's display name from memory, "" if none is known.
func (n *Node) displayName(k entry.Key) string { return n.prof.table.DisplayName(k) }

// applyProfile stores e, a profile entry the node accepted, as its author's
// profile if it is the newest held.
func (n *Node) applyProfile(e *entry.Entry) {
	if e.Kind != entry.KindProfile || e.Redacted() {
		return
	}
	p, changed, err := n.prof.table.Put(e)
	if err != nil {
		n.log.Warn("profile not stored", "author", e.Author.Short(), "seq", e.Seq, "err", err)
		return
	}
	if changed {
		n.profileChanged(e, p)
	}
}

// deleteProfile applies a delete entry to the profile held: if it names
// the profile entry held, its author deleted the profile, which is no
// longer shown or served (Skein's own clients clear a profile by setting an
// empty one instead).
func (n *Node) deleteProfile(e *entry.Entry) {
	d, err := entry.ParseDelete(e.Body)
	if err != nil {
		return
	}
	deleted, err := n.prof.table.Delete(e.Author, d.Seq, d.ID)
	if err != nil {
		n.log.Warn("deleted profile not dropped", "author", e.Author.Short(), "err", err)
	}
	if deleted {
		n.indexAccount(e.Author, "", "", "")
	}
}

// profileChanged is called whenever a newer profile entry is stored, from
// any path: an own SetProfile, gossip, sync, a notice or a profile request.
// It is the one place that reacts to a profile changing: the account is
// indexed for search by its display name and bio. (An own profile reaches
// the relays' directories with the next name publication:
// publishOwnProfile.)
func (n *Node) profileChanged(e *entry.Entry, p entry.Profile) {
	n.log.Debug("profile changed", "author", e.Author.Short(), "seq", e.Seq)
	n.indexAccount(e.Author, "", p.DisplayName, p.Bio)
}

// pruneProfiles drops the profiles of authors the node has no reason to
// hold any more: neither a local account, nor followed, nor with a log
// held, nor the sender of one of a local account's notifications. It runs
// after each garbage-collection pass, which drops the logs.
func (n *Node) pruneProfiles() {
	notified := map[entry.Key]bool{}
	if accts, err := n.store.Accounts(); err == nil {
		for _, a := range accts {
			ns, err := n.store.Notifications(a.Key, store.MaxNotifications)
			if err != nil {
				return // keep everything rather than drop on a read error
			}
			for _, x := range ns {
				notified[x.From] = true
			}
		}
	} else {
		return
	}
	keep := func(k entry.Key) bool {
		if notified[k] || n.store.IsLocal(k) || n.store.Watches(k) {
			return true
		}
		h, err := n.store.Head(k)
		return err != nil || h.Seq > 0
	}
	if dropped, err := n.prof.table.Prune(keep); err != nil {
		n.log.Warn("profiles not pruned", "err", err)
	} else if dropped > 0 {
		n.log.Debug("profiles pruned", "dropped", dropped)
	}
}

// serveProfile answers a profile request: the latest profile entry held of
// the key asked for, if newer than what the peer has, else an empty
// answer. A peer over its rate gets its stream reset.
func (n *Node) serveProfile(s network.Stream) {
	defer s.Close()
	s.SetDeadline(time.Now().Add(profileTimeout))
	p := s.Conn().RemotePeer().String()
	if !n.prof.rates.Allow(p) {
		n.plog.Info(p, "profile request refused: the peer is over its rate")
		s.Reset()
		return
	}
	req, err := profiles.ReadRequest(s)
	if err != nil {
		n.plog.Warn(p, "bad profile request", "err", err)
		s.Reset()
		return
	}
	var raw []byte
	if _, e, ok := n.profileOf(req.Author); ok && e.Seq > req.Have {
		raw = e.Bytes()
	}
	if err := profiles.WriteAnswer(s, raw); err != nil {
		s.Reset()
	}
}

// fetchProfile asks for author's latest profile entry newer than the one
// held: its device first, then the holders of its log, at most
// maxProfileAsks peers within profileFetchTimeout, until one has it. The
// device's answer that it has none newer ends the search: it holds the
// latest. Only one fetch of an author runs at a time; another returns at
// once. Peers in hints are asked right after the device. It reports
// whether a newer profile was stored.
func (n *Node) fetchProfile(ctx context.Context, author entry.Key, hints ...peer.ID) bool {
	if n.store.IsLocal(author) {
		return false // its profile is written here
	}
	n.prof.mu.Lock()
	if n.prof.fetching[author] {
		n.prof.mu.Unlock()
		return false
	}
	n.prof.fetching[author] = true
	n.prof.mu.Unlock()
	defer func() {
		n.prof.mu.Lock()
		delete(n.prof.fetching, author)
		n.prof.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(ctx, profileFetchTimeout)
	defer cancel()
	asked := map[peer.ID]bool{n.host.ID(): true}
	var answered bool
	try := func(p peer.ID) bool {
		if asked[p] || len(asked) > maxProfileAsks {
			return false
		}
		asked[p] = true
		var ok bool
		var err error
		ok, answered, err = n.askProfile(ctx, p, author)
		if err != nil {
			n.log.Debug("profile request failed", "peer", p, "author", author.Short(), "err", err)
		}
		return ok
	}
	if p, ok := n.deviceOf(author); ok {
		if try(p) {
			return true
		}
		if answered {
			return false // the device holds the latest: none is newer
		}
	}
	for _, p := range hints {
		if try(p) {
			return true
		}
	}
	if k, ok := n.keeperPeer(); ok && try(k.ID) {
		return true
	}
	for _, p := range n.findHolders(ctx, author) {
		if try(p) {
			return true
		}
	}
	return false
}

// fetchProfileLater fetches author's profile in the background if none is
// held, within the session, asking hint first.
func (n *Node) fetchProfileLater(author entry.Key, hint peer.ID) {
	sess := n.session()
	if sess == nil || n.prof.table.Seq(author) > 0 {
		return
	}
	n.goSession(sess, func(ctx context.Context) { n.fetchProfile(ctx, author, hint) })
}

// errProfileAnswer marks an answer to a profile request that was dropped.
var errProfileAnswer = errors.New("core: profile answer dropped")

// askProfile asks peer p for author's latest profile entry newer than the
// one held, and stores it if the answer is one: a full profile entry signed
// by author, newer than held. Any other answer is dropped and counted. It
// reports whether a newer profile was stored, and whether p gave a valid
// answer (an entry, or none).
func (n *Node) askProfile(ctx context.Context, p peer.ID, author entry.Key) (stored, answered bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, profileTimeout)
	defer cancel()
	s, err := n.host.NewStream(network.WithAllowLimitedConn(ctx, "profile"), p, profiles.ProtocolID)
	if err != nil {
		return false, false, err
	}
	defer s.Close()
	if dl, ok := ctx.Deadline(); ok {
		s.SetDeadline(dl)
	}
	req := profiles.Request{Author: author, Have: n.prof.table.Seq(author)}
	if err := profiles.WriteRequest(s, req); err != nil {
		s.Reset()
		return false, false, err
	}
	s.CloseWrite()
	e, _, err := profiles.ReadAnswer(s, req)
	if err != nil {
		n.prof.dropped.Add(1)
		n.plog.Warn(p.String(), "profile answer dropped", "author", author.Short(), "err", err)
		s.Reset()
		return false, false, fmt.Errorf("%w: %w", errProfileAnswer, err)
	}
	if e == nil {
		return false, true, nil
	}
	if n.tooNew(e) {
		n.prof.dropped.Add(1)
		return false, false, fmt.Errorf("%w: dated in the future", errProfileAnswer)
	}
	n.clock.Observe(e.Time)
	before := n.prof.table.Seq(author)
	n.applyProfile(e)
	return n.prof.table.Seq(author) > before, true, nil
}
