package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// minIDPrefix is the shortest post ID prefix commands accept.
const minIDPrefix = 8

// Reply posts text as a reply to the post with the given ID (or unique ID
// prefix of at least 8 hex digits). The post's author is notified. The
// text must pass CheckPostText, as a post's. A request ID in ctx makes a
// retry return the first attempt's reply (WithRequestID).
func (n *Node) Reply(ctx context.Context, postID, text string) (Post, error) {
	sess, err := n.requireSession()
	if err != nil {
		return Post{}, err
	}
	req, prior, err := n.replay(ctx, sess, "reply", postID, text)
	switch {
	case err != nil:
		return Post{}, err
	case prior != nil:
		return n.post(prior), nil
	}
	if err := CheckPostText(text); err != nil {
		return Post{}, err
	}
	parent, err := n.findPost(postID)
	if errors.Is(err, ErrNoPost) {
		parent, err = n.keptReply(postID, err) // a stranger's reply to this account
	}
	if err != nil {
		return Post{}, err
	}
	body := entry.Reply{Parent: refOf(parent), Text: text}.Bytes()
	if _, err := entry.ParseReply(body); err != nil {
		return Post{}, fmt.Errorf("%w: %w", ErrInvalidPost, err)
	}
	e, replayed, err := n.appendRequest(ctx, sess, req, entry.KindReply, body)
	if err != nil {
		return Post{}, err
	}
	if !replayed {
		n.tell(sess, e, parent.Author)
	}
	return n.post(e), nil
}

// Repost shares the post with the given ID (or unique ID prefix) with the
// account's followers. Reposting a repost reposts its original. A request
// ID in ctx makes a retry return the first attempt's repost
// (WithRequestID).
func (n *Node) Repost(ctx context.Context, postID string) (Post, error) {
	sess, err := n.requireSession()
	if err != nil {
		return Post{}, err
	}
	req, prior, err := n.replay(ctx, sess, "repost", postID)
	switch {
	case err != nil:
		return Post{}, err
	case prior != nil:
		return n.post(prior), nil
	}
	target, err := n.findOriginal(postID)
	if err != nil {
		return Post{}, err
	}
	e, replayed, err := n.appendRequest(ctx, sess, req, entry.KindRepost, entry.Repost{Of: refOf(target)}.Bytes())
	if err != nil {
		return Post{}, err
	}
	if !replayed {
		n.tell(sess, e, target.Author)
	}
	return n.post(e), nil
}

// Delete deletes one of the account's own posts, replies or reposts: it
// appends a signed tombstone to the log, and every node that learns it
// (this one at once) removes the post's text, stops serving it and never
// shows it again. A request ID in ctx makes a retry succeed without a
// second tombstone (WithRequestID).
func (n *Node) Delete(ctx context.Context, postID string) error {
	sess, err := n.requireSession()
	if err != nil {
		return err
	}
	req, prior, err := n.replay(ctx, sess, "delete", postID)
	if err != nil || prior != nil {
		return err
	}
	target, err := n.findPost(postID)
	if err != nil {
		return n.settled(sess, req, err)
	}
	if target.Author != sess.key {
		return fmt.Errorf("%w: it is @%s's", ErrNotYours, n.nameOf(target.Author))
	}
	_, _, err = n.appendRequest(ctx, sess, req, entry.KindDelete, entry.Delete{Seq: target.Seq, ID: target.ID()}.Bytes())
	return err // appending it redacted the post (observe)
}

// findPost finds a held, undeleted post, reply or repost by its ID or a
// unique prefix of it.
func (n *Node) findPost(postID string) (*entry.Entry, error) {
	postID = strings.ToLower(strings.TrimSpace(postID))
	if len(postID) < minIDPrefix || len(postID) > 2*len(entry.ID{}) {
		return nil, fmt.Errorf("%w: %s: give the post's ID or its first %d or more hex digits", ErrNoPost, entry.Quote(postID), minIDPrefix)
	}
	prefix, err := hex.DecodeString(postID[:len(postID)&^1])
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not a hex post ID", ErrNoPost, entry.Quote(postID))
	}
	matches, err := n.store.Locate(prefix, 2)
	if err != nil {
		return nil, err
	}
	var found []*entry.Entry
	for _, m := range matches {
		if e, err := n.store.Entry(m.Author, m.Seq); err == nil && strings.HasPrefix(e.ID().String(), postID) {
			found = append(found, e)
		}
	}
	switch {
	case len(found) == 0:
		return nil, fmt.Errorf("%w: %s", ErrNoPost, postID)
	case len(found) > 1:
		return nil, fmt.Errorf("%w: %s matches more than one post; give more digits", ErrNoPost, postID)
	}
	e := found[0]
	switch {
	case e.Redacted():
		return nil, fmt.Errorf("%w: %s was deleted", ErrNoPost, postID)
	case e.Kind != entry.KindPost && e.Kind != entry.KindReply && e.Kind != entry.KindRepost:
		return nil, fmt.Errorf("%w: %s is not a post", ErrNoPost, postID)
	}
	return e, nil
}

// findOriginal finds a post as findPost does, and for a repost the post it
// reposts, which must be held and not deleted: what a repost, like,
// bookmark or thread of a repost is about.
func (n *Node) findOriginal(postID string) (*entry.Entry, error) {
	e, err := n.findPost(postID)
	if err != nil || e.Kind != entry.KindRepost {
		return e, err
	}
	r, err := entry.ParseRepost(e.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoPost, err)
	}
	if e, err = n.store.Entry(r.Of.Author, r.Of.Seq); err != nil || e.ID() != r.Of.ID || e.Redacted() {
		return nil, fmt.Errorf("%w: the reposted post is not available", ErrNoPost)
	}
	return e, nil
}

func refOf(e *entry.Entry) entry.Ref { return entry.Ref{Author: e.Author, Seq: e.Seq, ID: e.ID()} }

// tell sends e directly to the devices of the accounts it concerns, besides
// to: the replied-to or reposted author, and everyone it mentions. Names are
// resolved through the account's pins, else the DHT; all of it runs in the
// background and failures only mean they learn it later, by sync.
func (n *Node) tell(sess *session, e *entry.Entry, to entry.Key) {
	if to != sess.key {
		n.goSession(sess, func(ctx context.Context) { n.notify(ctx, sess, to, e) })
	}
	text, _ := entry.Text(e)
	for _, name := range entry.Mentions(text) {
		if name == sess.name {
			continue
		}
		n.goSession(sess, func(ctx context.Context) {
			if k, err := n.resolve(ctx, sess, name); err == nil && k != sess.key && k != to {
				n.notify(ctx, sess, k, e)
			}
		})
	}
}

// concerns lists the local accounts an entry by someone else is about, and
// how: a reply to, a repost of, or a mention of their posts or names.
func (n *Node) concerns(e *entry.Entry) map[entry.Key]NotificationKind {
	out := map[entry.Key]NotificationKind{}
	switch e.Kind {
	case entry.KindReply:
		if r, err := entry.ParseReply(e.Body); err == nil && n.store.IsLocal(r.Parent.Author) {
			out[r.Parent.Author] = NotifyReply
		}
	case entry.KindRepost:
		if r, err := entry.ParseRepost(e.Body); err == nil && n.store.IsLocal(r.Of.Author) {
			out[r.Of.Author] = NotifyRepost
		}
	}
	if text, ok := entry.Text(e); ok {
		if names := entry.Mentions(text); len(names) > 0 {
			accts, _ := n.store.Accounts()
			for _, a := range accts {
				for _, name := range names {
					if a.Name == name {
						if _, ok := out[a.Key]; !ok {
							out[a.Key] = NotifyMention
						}
					}
				}
			}
		}
	}
	delete(out, e.Author)
	return out
}

// addNotification records a notification for a local account once per
// cause (the same entry never notifies twice, whether it came by notice,
// gossip or sync) and emits it to watchers if the account is logged in.
// name is the author's, or "" to take it from the names this device knows.
// A reply, repost or mention keeps the entry's bytes: its author may not be
// followed, and then the entry is not in the logs.
func (n *Node) addNotification(account entry.Key, kind NotificationKind, e *entry.Entry, name string) {
	if n.hidden(account, e.Author) {
		return // muted or blocked: dropped silently
	}
	if name == "" {
		name = n.nameOf(e.Author)
	}
	id := sha256.Sum256(append([]byte(kind), e.Bytes()[:entry.BaseSize]...))
	x := store.Notification{Kind: string(kind), From: e.Author, FromName: name, Time: e.Time.Time().UTC()}
	copy(x.ID[:], id[:])
	if kind == NotifyReply || kind == NotifyRepost || kind == NotifyMention {
		x.Entry = e.ID()
		x.Raw = e.Bytes()
	}
	if l, err := entry.ParseLike(e.Body); err == nil && kind == NotifyLike {
		x.Entry = l.Of.ID // the liked post, held: it is the account's own
	}
	added, err := n.store.AddNotification(account, x)
	if err != nil {
		n.log.Warn("notification not recorded", "err", err)
		return
	}
	if !added {
		return
	}
	if sess := n.session(); sess != nil && sess.key == account {
		nt := n.notification(x)
		n.events.emit(Event{Kind: EventNotification, Notification: &nt})
	}
}

// notification converts a stored notification for display. The entry it
// is about is taken from the logs if held there (in the form held: a
// deleted one shows nothing), else from the notification's own copy unless
// a tombstone names it.
func (n *Node) notification(x store.Notification) Notification {
	name := x.FromName
	if name == "" {
		name = n.nameOf(x.From)
	}
	nt := Notification{
		ID:   hex.EncodeToString(x.ID[:]),
		Kind: NotificationKind(x.Kind),
		From: User{Name: name, Key: x.From.String(), DisplayName: n.displayName(x.From)},
		Time: x.Time,
		Read: x.Read,
	}
	if x.Entry.IsZero() {
		return nt
	}
	var e *entry.Entry
	if ms, err := n.store.Locate(x.Entry[:], 1); err == nil && len(ms) == 1 {
		e, _ = n.store.Entry(ms[0].Author, ms[0].Seq)
	} else if len(x.Raw) > 0 {
		if c, err := entry.ParseStored(x.Raw, nil); err == nil && c.ID() == x.Entry {
			if gone, err := n.store.Tombstoned(c.Author, c.Seq); err == nil && !gone {
				e = c
			}
		}
	}
	if e != nil && e.ID() == x.Entry && !e.Redacted() {
		p := n.post(e)
		nt.Post = &p
	}
	return nt
}

// redact applies a tombstone: the deleted entry loses its text here, leaves
// every feed, and is served only without it from now on.
func (n *Node) redact(e *entry.Entry) {
	d, err := entry.ParseDelete(e.Body)
	if err != nil {
		return
	}
	// Each table checks, or is only told when, the named entry is the
	// delete's author's: a delete cannot take back someone else's post.
	n.redactBookmarks(e.Author, d)
	held, herr := n.store.Entry(e.Author, d.Seq)
	own := herr == nil && held.ID() == d.ID
	if own {
		n.unlikeDeleted(e, held)
	}
	changed, err := n.store.Redact(e.Author, d.Seq, d.ID)
	if err != nil {
		n.log.Warn("delete not applied", "author", e.Author.Short(), "seq", d.Seq, "err", err)
		return
	}
	if err := n.threads.Remove(e.Author, d.Seq, d.ID); err != nil {
		n.log.Warn("deleted reply not unindexed", "err", err)
	}
	if own {
		if err := n.likes.DropPost(d.ID); err != nil {
			n.log.Warn("likes of a deleted post not dropped", "err", err)
		}
	}
	if changed {
		n.events.emit(Event{Kind: EventDelete, Post: &Post{ID: d.ID.String(), AuthorKey: e.Author.String(), Author: n.nameOf(e.Author), Seq: d.Seq, AuthorDisplayName: n.displayName(e.Author)}})
	}
}

// nameOf returns the display name of an account, "" if unknown.
func (n *Node) nameOf(k entry.Key) string {
	name, _ := n.store.Name(k)
	return name
}
