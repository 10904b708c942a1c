package core

import (
	"context"
	"fmt"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/likes"
)

// Like likes the post with the given ID (or unique ID prefix of at least 8
// hex digits) and returns it. Liking a repost likes its original. The
// post's author is notified. Liking a post already liked appends nothing
// and returns the post. A request ID in ctx makes a retry return the first
// attempt's result (WithRequestID).
func (n *Node) Like(ctx context.Context, postID string) (Post, error) {
	sess, err := n.requireSession()
	if err != nil {
		return Post{}, err
	}
	req, prior, err := n.replay(ctx, sess, "like", postID)
	switch {
	case err != nil:
		return Post{}, err
	case prior != nil:
		return n.likedPost(prior)
	}
	target, err := n.findOriginal(postID)
	if err != nil {
		return Post{}, err
	}
	if liked, err := n.likes.Liked(target.ID(), sess.key); err != nil {
		return Post{}, err
	} else if liked {
		return n.post(target), nil
	}
	e, replayed, err := n.appendRequest(ctx, sess, req, entry.KindLike, entry.Like{Of: refOf(target)}.Bytes())
	if err != nil {
		return Post{}, err
	}
	if replayed {
		return n.likedPost(e)
	}
	n.tell(sess, e, target.Author)
	return n.post(target), nil
}

// Unlike takes back the account's like of the post with the given ID (or
// unique ID prefix). It fails with ErrNotLiked if the account does not
// like it. The post's author's device is told, so that its count goes
// down. A request ID in ctx makes a retry succeed without a second entry
// (WithRequestID).
func (n *Node) Unlike(ctx context.Context, postID string) error {
	sess, err := n.requireSession()
	if err != nil {
		return err
	}
	req, prior, err := n.replay(ctx, sess, "unlike", postID)
	if err != nil || prior != nil {
		return err
	}
	target, err := n.findOriginal(postID)
	if err != nil {
		return n.settled(sess, req, err)
	}
	if liked, err := n.likes.Liked(target.ID(), sess.key); err != nil {
		return err
	} else if !liked {
		return n.settled(sess, req, fmt.Errorf("%w: %s", ErrNotLiked, target.ID().String()[:minIDPrefix*2]))
	}
	e, replayed, err := n.appendRequest(ctx, sess, req, entry.KindUnlike, entry.Like{Of: refOf(target)}.Bytes())
	if err == nil && !replayed {
		n.tell(sess, e, target.Author)
	}
	return err
}

// likedPost returns the post a like entry of the account is about.
func (n *Node) likedPost(like *entry.Entry) (Post, error) {
	l, err := entry.ParseLike(like.Body)
	if err != nil {
		return Post{}, err
	}
	e, err := n.store.Entry(l.Of.Author, l.Of.Seq)
	if err != nil || e.ID() != l.Of.ID || e.Redacted() {
		return Post{}, fmt.Errorf("%w: the liked post is no longer available", ErrNoPost)
	}
	return n.post(e), nil
}

// noteLike records a like or unlike entry this node accepted, and notifies
// the liked post's author if it is a local account and the like is new.
// name is the liker's, or "" to take it from the names this device knows.
func (n *Node) noteLike(e *entry.Entry, name string) {
	l, err := likes.FromEntry(e)
	if err != nil {
		return
	}
	changed, err := n.likes.Apply(l)
	if err != nil {
		n.log.Warn("like not recorded", "err", err)
		return
	}
	if changed && l.Active && l.Of.Author != e.Author && n.store.IsLocal(l.Of.Author) {
		n.addNotification(l.Of.Author, NotifyLike, e, name)
	}
}

// likeOfLocal reports whether e, a like or unlike by an author nobody
// local follows, is worth recording: it is about a held, undeleted post of
// a local account, and an unlike ends a like recorded before (an unlike
// alone would leave a row per throwaway key).
func (n *Node) likeOfLocal(e *entry.Entry) bool {
	l, err := likes.FromEntry(e)
	if err != nil || l.Of.Author == e.Author || !n.store.IsLocal(l.Of.Author) {
		return false
	}
	post, err := n.store.Entry(l.Of.Author, l.Of.Seq)
	if err != nil || post.ID() != l.Of.ID || post.Redacted() {
		return false
	}
	if !l.Active {
		liked, err := n.likes.Liked(l.Of.ID, e.Author)
		return err == nil && liked
	}
	return true
}

// withLikes sets p's like count, and whether the logged-in account likes
// it, from the likes table.
func (n *Node) withLikes(p *Post, id entry.ID) {
	if c, err := n.likes.Count(id); err == nil {
		p.Likes = c
	}
	if p.Likes == 0 {
		return
	}
	if sess := n.session(); sess != nil {
		p.Liked, _ = n.likes.Liked(id, sess.key)
	}
}

// unlikeDeleted applies a delete, e, to held, the entry of e's log it
// names: if held is a like, in full, the like is taken back as an unlike
// at the delete's seq would take it (docs/PROTOCOL.md, "Likes").
func (n *Node) unlikeDeleted(e, held *entry.Entry) {
	if held.Kind != entry.KindLike || held.Redacted() {
		return
	}
	l, err := likes.FromEntry(held)
	if err != nil {
		return
	}
	l.Seq, l.Active = e.Seq, false
	if _, err := n.likes.Apply(l); err != nil {
		n.log.Warn("deleted like not taken back", "err", err)
	}
}
