package core

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

const (
	// deviceDialTimeout bounds the first attempt at a followed author's
	// device before its log's other holders are asked.
	deviceDialTimeout = 2 * time.Second
	presenceTimeout   = 3 * time.Second
)

// Post appends a post to the logged-in account's log, durably, and
// publishes it to followers. The text must pass CheckPostText: valid UTF-8
// of 1 to 1,000 characters, with no control characters but newlines and
// tabs and no bidirectional overrides.
//
// With a request ID in ctx (WithRequestID), a retry of the same post
// returns the post the first attempt stored.
func (n *Node) Post(ctx context.Context, text string) (Post, error) {
	sess, err := n.requireSession()
	if err != nil {
		return Post{}, err
	}
	req, prior, err := n.replay(ctx, sess, "post", text)
	switch {
	case err != nil:
		return Post{}, err
	case prior != nil:
		return n.post(prior), nil
	}
	if err := CheckPostText(text); err != nil {
		return Post{}, err
	}
	e, replayed, err := n.appendRequest(ctx, sess, req, entry.KindPost, []byte(text))
	if err != nil {
		return Post{}, err
	}
	if !replayed {
		n.tell(sess, e, sess.key) // the accounts it mentions
	}
	return n.post(e), nil
}

// Follow resolves name to an account key (pinning it on first use), records
// the follow in the account's log, and starts receiving the author's posts:
// live, and by a catch-up sync of what they wrote before. The followed user
// is notified if reachable. A request ID in ctx makes a retry return the
// first attempt's result (WithRequestID).
func (n *Node) Follow(ctx context.Context, name string) (User, error) {
	sess, err := n.requireSession()
	if err != nil {
		return User{}, err
	}
	req, prior, err := n.replay(ctx, sess, "follow", name)
	switch {
	case err != nil:
		return User{}, err
	case prior != nil:
		f, err := entry.ParseFollow(prior.Body)
		if err != nil {
			return User{}, fmt.Errorf("core: the entry of request %q: %w", req.id, err)
		}
		return User{Name: f.Name, Key: f.Target.String(), Since: prior.Time.Time()}, nil
	}
	if err := entry.ValidName(name); err != nil {
		return User{}, err
	}
	if name == sess.name {
		return User{}, ErrSelfFollow
	}
	target, err := n.resolve(ctx, sess, name)
	if err != nil {
		return User{}, err
	}
	if f, err := n.store.FollowOf(sess.key, target); err == nil && f.Active {
		return User{Name: name, Key: target.String(), Since: f.Since}, nil
	}
	e, replayed, err := n.appendRequest(ctx, sess, req, entry.KindFollow, entry.Follow{Target: target, Name: name}.Bytes())
	if err != nil {
		return User{}, err
	}
	// Appending the entry recorded the follow and subscribed (replayFollow).
	since := e.Time.Time()
	if replayed {
		return User{Name: name, Key: target.String(), Since: since}, nil
	}
	n.announce(target)
	n.keepChanged()
	n.goSession(sess, func(ctx context.Context) { n.notify(ctx, sess, target, e) })
	if n.isLive() { // otherwise the next sync, live or background, catches up
		n.goSession(sess, func(ctx context.Context) { n.catchUpNew(ctx, target) })
		// Retention may have trimmed the profile entry from the log.
		n.goSession(sess, func(ctx context.Context) { n.fetchProfile(ctx, target) })
	}
	return User{Name: name, Key: target.String(), Since: since}, nil
}

// Unfollow records the end of a follow in the account's log and stops
// receiving the author's posts; their posts leave the feed. A request ID
// in ctx makes a retry succeed without a second entry (WithRequestID).
func (n *Node) Unfollow(ctx context.Context, name string) error {
	sess, err := n.requireSession()
	if err != nil {
		return err
	}
	req, prior, err := n.replay(ctx, sess, "unfollow", name)
	if err != nil || prior != nil {
		return err
	}
	if err := entry.ValidName(name); err != nil {
		return err
	}
	target, err := n.followedByName(sess, name)
	if err != nil {
		return n.settled(sess, req, err)
	}
	e, replayed, err := n.appendRequest(ctx, sess, req, entry.KindUnfollow, entry.Follow{Target: target, Name: name}.Bytes())
	if err != nil || replayed {
		return err
	}
	n.keepChanged()
	// Appending the entry ended the follow and the subscription.
	n.goSession(sess, func(ctx context.Context) { n.notify(ctx, sess, target, e) })
	return nil
}

// followedByName finds the followed account with this name.
func (n *Node) followedByName(sess *session, name string) (entry.Key, error) {
	follows, err := n.store.Following(sess.key)
	if err != nil {
		return entry.Key{}, err
	}
	for _, f := range follows {
		if f.Name == name {
			return f.Target, nil
		}
	}
	return entry.Key{}, fmt.Errorf("%w: %s", ErrNotFollowing, name)
}

// appendRequest signs the next entry of the session's log, stores it
// durably and publishes it. For the request r (nil for none), if an
// earlier request with r's ID appended an entry, it returns that entry
// with replayed set and appends nothing; else it stores r with the new
// entry, in the same durable write. Once stored, the entry is published
// even if ctx ends.
func (n *Node) appendRequest(ctx context.Context, sess *session, r *request, kind entry.Kind, body []byte) (e *entry.Entry, replayed bool, err error) {
	if sess.restoring.Load() {
		return nil, false, ErrRestoring
	}
	sess.appendMu.Lock()
	defer sess.appendMu.Unlock()
	// Checked again under the lock: a retry may come while the first
	// attempt is still appending.
	if e, err := n.prior(sess, r); e != nil || err != nil {
		return e, e != nil, err
	}
	head, err := n.store.Head(sess.key)
	if err != nil {
		return nil, false, err
	}
	e, err = entry.New(sess.priv, head.Seq+1, head.ID, n.clock.Now(), kind, body)
	if err != nil {
		return nil, false, err
	}
	var sr *store.Request
	if r != nil {
		sr = &store.Request{ID: r.id, Sum: r.sum}
	}
	if _, err := n.store.AppendOwn(e, sr); err != nil {
		return nil, false, fmt.Errorf("core: store own entry: %w", err)
	}
	// The entry is stored: a client that went away gets it on retry, and
	// followers must get it too. They get it first: the search index and
	// the local reactions (observe) run once GossipSub has it, and
	// still before the call returns.
	ctx = context.WithoutCancel(ctx)
	if n.cfg.publishHook != nil {
		n.cfg.publishHook(e)
	}
	live := n.isLive()
	if live {
		// pubsub keeps the slice it is given: hand it a copy.
		if err := sess.own.Publish(ctx, bytes.Clone(e.Bytes())); err != nil {
			n.log.Warn("publish failed; followers will sync it", "seq", e.Seq, "err", err)
		}
	} else {
		sess.mu.Lock()
		sess.pending = append(sess.pending, e)
		sess.mu.Unlock()
	}
	n.indexEntries([]*entry.Entry{e}, true)
	n.observe(e)
	sess.appended.Add(1)
	select {
	case sess.headMoved <- struct{}{}:
	default:
	}
	if !live {
		return e, false, nil
	}
	if limited := n.limitedPeers(); len(limited) > 0 {
		n.goSession(sess, func(ctx context.Context) { n.pushTo(ctx, sess, limited, e) })
	}
	return e, false, nil
}

// Feed returns a page of the logged-in account's feed, newest first: its own
// posts and those of everyone it follows, without those of the accounts it
// muted or blocked, or reposts of theirs (Mute). Pass the previous page's
// Next as cursor to continue; limit is 1 to 500, default 20.
func (n *Node) Feed(ctx context.Context, cursor string, limit int) (Page, error) {
	sess, err := n.requireSession()
	if err != nil {
		return Page{}, err
	}
	cur, err := decodeCursor(cursor)
	if err != nil {
		return Page{}, err
	}
	es, next, err := n.visibleFeed(sess.key, cur, pageSize(limit))
	if errors.Is(err, store.ErrBadCursor) {
		return Page{}, fmt.Errorf("%w: %s", ErrBadCursor, entry.Quote(cursor))
	} else if err != nil {
		return Page{}, err
	}
	p := Page{Posts: make([]Post, 0, len(es))}
	as := make(authors, len(es))
	for _, e := range es {
		p.Posts = append(p.Posts, n.postFor(sess, as, e))
	}
	if next != nil {
		p.Next = base64.RawURLEncoding.EncodeToString(next)
	}
	return p, nil
}

// Timeline returns a page of one user's posts, newest first. A user this
// account does not follow is fetched from their device on demand. A muted
// user's timeline shows; a blocked user's is refused with ErrBlocked.
func (n *Node) Timeline(ctx context.Context, name, cursor string, limit int) (Page, error) {
	sess, err := n.requireSession()
	if err != nil {
		return Page{}, err
	}
	if err := entry.ValidName(name); err != nil {
		return Page{}, err
	}
	var before uint64
	if cursor != "" {
		if before, err = strconv.ParseUint(cursor, 10, 64); err != nil || before == 0 {
			return Page{}, fmt.Errorf("%w: %s", ErrBadCursor, entry.Quote(cursor))
		}
	}
	author, err := n.resolve(ctx, sess, name)
	if err != nil && !errors.Is(err, ErrNameConflict) {
		return Page{}, err
	}
	if n.blockedBy(sess.key, author) {
		return Page{}, fmt.Errorf("%w: %s", ErrBlocked, name)
	}
	if author != sess.key {
		n.catchUp(ctx, author)
		if n.prof.table.Seq(author) == 0 {
			n.fetchProfile(ctx, author)
		}
	}
	es, err := n.store.Timeline(author, before, pageSize(limit)+1)
	if err != nil {
		return Page{}, err
	}
	p := Page{Posts: make([]Post, 0, len(es))}
	as := make(authors)
	for i, e := range es {
		if i == pageSize(limit) {
			p.Next = strconv.FormatUint(es[i-1].Seq, 10)
			break
		}
		p.Posts = append(p.Posts, n.postFor(sess, as, e))
	}
	return p, nil
}

// catchUpNew fetches a newly followed author's log: from the author's
// device if it answers a short dial, else, or for whatever the device did
// not bring, from the log's other holders. While the device does not
// answer, or nothing of what the author announced is held (the holders
// may not have announced the log yet), both are tried again a few times,
// 2, 4, 8 and 16 s apart: a follow made while the network or the device
// is busy (the 500-node simulation's follows, issue 16) would otherwise
// get the author's posts live only from its next periodic sync on.
func (n *Node) catchUpNew(ctx context.Context, author entry.Key) {
	// Done when the head is what the name record announced and nothing is
	// missing below it: a part fetched from one holder may have failed.
	done := func() bool { return n.caughtUp(author) && (n.metered.Load() || !n.missingStart(author)) }
	for wait := 2 * time.Second; ; wait *= 2 {
		reached := n.syncDevice(ctx, author)
		if !done() {
			n.syncFromHolders(ctx, author)
		}
		if reached && done() || wait > 16*time.Second {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// syncDevice syncs author's log with the author's device, dialling it
// (within deviceDialTimeout) if it is not connected. It reports whether the
// device was reached, or is unknown: then there is nothing to reach.
func (n *Node) syncDevice(ctx context.Context, author entry.Key) bool {
	p, ok := n.deviceOf(author)
	if !ok {
		return true
	}
	if !n.reachable(p) && n.redialPeer(ctx, p, deviceDialTimeout) != nil {
		return false
	}
	n.syncPeer(ctx, p, []entry.Key{author})
	return true
}

// catchUp fetches what the author's record announces beyond what is held,
// from the author's device, within the caller's time.
func (n *Node) catchUp(ctx context.Context, author entry.Key) {
	head, err := n.store.Head(author)
	if err != nil {
		return
	}
	known, err := n.store.Known(author)
	if err != nil || known <= head.Seq {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if p, ok := n.deviceOf(author); ok {
		if _, err := n.syncPeer(ctx, p, []entry.Key{author}); err == nil && n.caughtUp(author) {
			return
		}
	}
	n.syncFromHolders(ctx, author)
}

// Following lists the accounts the logged-in account follows, by name.
func (n *Node) Following(ctx context.Context) ([]User, error) {
	sess, err := n.requireSession()
	if err != nil {
		return nil, err
	}
	fs, err := n.store.Following(sess.key)
	if err != nil {
		return nil, err
	}
	out := make([]User, 0, len(fs))
	for _, f := range fs {
		tail, head, err := n.store.Span(f.Target)
		if err != nil {
			return nil, err
		}
		known, err := n.store.Known(f.Target)
		if err != nil {
			return nil, err
		}
		out = append(out, n.userProfile(User{Name: f.Name, Key: f.Target.String(), Since: f.Since,
			Log: &LogState{From: tail, To: head, Latest: max(known, head), Trimmed: tail > 1 && !n.missingStart(f.Target)}}, f.Target))
	}
	return out, nil
}

// Followers lists the accounts known to follow the logged-in account.
func (n *Node) Followers(ctx context.Context) ([]User, error) {
	sess, err := n.requireSession()
	if err != nil {
		return nil, err
	}
	fs, err := n.store.Followers(sess.key)
	if err != nil {
		return nil, err
	}
	out := make([]User, 0, len(fs))
	for _, f := range fs {
		out = append(out, n.userProfile(User{Name: f.Name, Key: f.Key.String(), Since: f.Since}, f.Key))
	}
	return out, nil
}

// Notifications returns up to limit of the logged-in account's
// notifications, newest first, and marks them read if markRead is set.
func (n *Node) Notifications(ctx context.Context, limit int, markRead bool) ([]Notification, error) {
	sess, err := n.requireSession()
	if err != nil {
		return nil, err
	}
	ns, err := n.store.Notifications(sess.key, pageSize(limit))
	if err != nil {
		return nil, err
	}
	out := make([]Notification, 0, len(ns))
	var ids [][16]byte
	for _, x := range ns {
		if !x.Read {
			ids = append(ids, x.ID)
		}
		if n.hidden(sess.key, x.From) {
			continue // muted or blocked since: read, unseen
		}
		out = append(out, n.notification(x))
	}
	if markRead && len(ids) > 0 {
		if err := n.store.MarkRead(sess.key, ids); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Whois looks a user up by name. A conflict (keys claiming the name that
// nothing decides between, or a key other than the one pinned) is returned
// as an error wrapping ErrNameConflict, together with the profile of the
// pinned key's claim if the name is pinned, or the name alone.
func (n *Node) Whois(ctx context.Context, name string) (Profile, error) {
	if err := n.alive(); err != nil {
		return Profile{}, err
	}
	res, err := n.lookupName(ctx, name)
	if err != nil && !errors.Is(err, ErrNameConflict) {
		return Profile{}, err
	}
	rec := res.Record
	pinned := false
	if sess := n.session(); sess != nil {
		if k, perr := n.store.Pinned(sess.key, name); perr == nil {
			pinned = true
			switch {
			case err == nil && k != rec.Account:
				err = fmt.Errorf("%w: %s is pinned to %s but the network says %s", ErrNameConflict, name, k.Short(), rec.Account.Short())
			case err != nil:
				if c, ok := res.Claim(k); ok {
					rec = c
					n.learnRecord(c)
				}
			}
		}
	}
	if rec.Name == "" {
		return Profile{User: User{Name: name}, Pinned: pinned}, err
	}
	p := Profile{
		User:      User{Name: rec.Name, Key: rec.Account.String()},
		Updated:   time.UnixMilli(int64(rec.Updated)).UTC(),
		LatestSeq: rec.HeadSeq,
		Pinned:    pinned,
	}
	p.LastSeen = p.Updated
	if pid, ok := n.deviceOf(rec.Account); ok {
		p.PeerID = pid.String()
		for _, a := range n.host.Peerstore().Addrs(pid) {
			p.Addrs = append(p.Addrs, a.String())
		}
		// Presence: connected now, or answering a short dial.
		online, _ := n.presence(pid)
		if !online && pid != n.host.ID() {
			dctx, cancel := context.WithTimeout(ctx, presenceTimeout)
			online = n.host.Connect(dctx, peer.AddrInfo{ID: pid}) == nil
			cancel()
		}
		p.Online = online || pid == n.host.ID()
		if _, last := n.presence(pid); last.After(p.LastSeen) {
			p.LastSeen = last.UTC()
		}
	}
	if h, herr := n.store.Head(rec.Account); herr == nil {
		p.Held = h.Seq
	}
	if n.prof.table.Seq(rec.Account) == 0 && !n.store.IsLocal(rec.Account) {
		n.fetchProfile(ctx, rec.Account)
	}
	p.User = n.userProfile(p.User, rec.Account)
	return p, err
}

// post converts a stored post, reply or repost for display.
func (n *Node) post(e *entry.Entry) Post { return n.postWith(nil, e) }

// postWith is post with the authors' strings taken from, and added to, as
// (nil: none shared).
func (n *Node) postWith(as authors, e *entry.Entry) Post {
	a := n.author(as, e.Author)
	p := Post{
		ID:        e.ID().String(),
		Kind:      KindPost,
		Author:    a.name,
		AuthorKey: a.key,
		Seq:       e.Seq,
		Time:      e.Time.Time().UTC(),

		AuthorDisplayName: a.display,
		AuthorAvatar:      a.avatar,
	}
	p.Text, _ = entry.Text(e)
	p.Media = n.mediaList(entry.Media(e))
	switch e.Kind {
	case entry.KindReply:
		p.Kind = KindReply
		if r, err := entry.ParseReply(e.Body); err == nil {
			p.ReplyTo = n.postRef(as, r.Parent)
		}
	case entry.KindRepost:
		p.Kind = KindRepost
		if r, err := entry.ParseRepost(e.Body); err == nil {
			ref := n.postRef(as, r.Of)
			orig := &Post{ID: ref.ID, Author: ref.Author, AuthorKey: ref.AuthorKey, Seq: ref.Seq, Unavailable: true, AuthorDisplayName: ref.AuthorDisplayName}
			if o, err := n.store.Entry(r.Of.Author, r.Of.Seq); err == nil && o.ID() == r.Of.ID && !o.Redacted() && o.Kind != entry.KindRepost {
				full := n.postWith(as, o)
				orig = &full
			}
			p.RepostOf = orig
		}
	}
	if e.Redacted() {
		p.Unavailable = true
	} else {
		n.withLikes(&p, e.ID())
	}
	return p
}

func (n *Node) postRef(as authors, r entry.Ref) *PostRef {
	a := n.author(as, r.Author)
	return &PostRef{ID: r.ID.String(), Author: a.name, AuthorKey: a.key, Seq: r.Seq, AuthorDisplayName: a.display}
}

// authors holds the name, hex key and display name (from memory) of each
// author of a page's posts, so that the posts share one copy of each: a
// page has few authors, and an app may keep the page, and so its strings,
// for long.
type authors map[entry.Key]authorStrings

type authorStrings struct {
	name, key, display string
	avatar             *Media // the profile's avatar, nil if none
}

// author returns k's name, hex key and display name, from as if there,
// else adding them to as unless it is nil.
func (n *Node) author(as authors, k entry.Key) authorStrings {
	if a, ok := as[k]; ok {
		return a
	}
	a := authorStrings{name: n.nameOf(k), key: k.String(), display: n.displayName(k)}
	a.avatar = profileMedia(n.prof.table.Avatar(k))
	if as != nil {
		as[k] = a
	}
	return a
}

// decodeCursor decodes the cursor of a feed or bookmarks page: nil for "",
// the first page.
func decodeCursor(cursor string) ([]byte, error) {
	if cursor == "" {
		return nil, nil
	}
	cur, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrBadCursor, entry.Quote(cursor))
	}
	return cur, nil
}

func pageSize(limit int) int {
	switch {
	case limit <= 0:
		return DefaultPageSize
	case limit > MaxPageSize:
		return MaxPageSize
	}
	return limit
}

func newNotificationID() [16]byte {
	var id [16]byte
	rand.Read(id[:])
	return id
}
