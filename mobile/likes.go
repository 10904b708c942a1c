package mobile

import (
	"context"

	"github.com/skein-p2p/skein/core"
)

// Like likes the post postID (a Post's ID, or its first 8 or more hex
// digits) and returns it with its new count; liking a repost likes its
// original, and liking a post already liked changes nothing. The post's
// author is notified. Errors: CodeNoPost (unknown or deleted).
func (n *Node) Like(postID string) (*Post, error) { return n.like("", postID) }

func (n *Node) like(id, postID string) (*Post, error) {
	if err := required("post ID", postID); err != nil {
		return nil, err
	}
	return getID(n, id, func(ctx context.Context, cn *core.Node) (core.Post, error) {
		return cn.Like(ctx, postID)
	}, newPost)
}

// Unlike takes back the account's like of the post postID. Errors:
// CodeNotLiked (the account does not like it), CodeNoPost.
func (n *Node) Unlike(postID string) error { return n.unlike("", postID) }

func (n *Node) unlike(id, postID string) error {
	if err := required("post ID", postID); err != nil {
		return err
	}
	return n.callID(id, func(ctx context.Context, cn *core.Node) error { return cn.Unlike(ctx, postID) })
}

// Like is Node.Like, done at most once for this request.
func (r *Request) Like(postID string) (*Post, error) { return r.n.like(r.id, postID) }

// Unlike is Node.Unlike, done at most once for this request.
func (r *Request) Unlike(postID string) error { return r.n.unlike(r.id, postID) }
