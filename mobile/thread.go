package mobile

import (
	"context"
	"encoding/json"

	"github.com/skein-p2p/skein/core"
)

// PostThread is a post in its conversation (Node.Thread; named so as not
// to clash with java.lang.Thread) as a flat list in reading order:
// the ancestors, root first (Role "ancestor"), the post (Role "post"),
// then its replies depth first, oldest first at each level (Role
// "reply"), each with its Depth under the post and its parent's ID.
type PostThread struct {
	items []threadRow
	// Fetched says that the post's author's device, or a holder of the
	// author's log, answered with the replies and like counts it knows.
	Fetched bool
}

type threadRow struct {
	post     core.Post
	role     string
	depth    int
	parentID string
}

// ThreadItem is one post of a PostThread.
type ThreadItem struct {
	Post *Post
	// Role is "ancestor", "post" or "reply".
	Role string
	// Depth is 0 for the ancestors and the post, 1 for a reply to the
	// post, 2 for a reply to that reply, and so on.
	Depth int
	// ParentID is the ID of the post a reply answers, "" for the
	// ancestors and the post.
	ParentID string
}

func newThread(th core.Thread) *PostThread {
	t := &PostThread{Fetched: th.Fetched}
	for _, p := range th.Ancestors {
		t.items = append(t.items, threadRow{post: p, role: "ancestor"})
	}
	t.items = append(t.items, threadRow{post: th.Post, role: "post"})
	var walk func(rs []core.ThreadReply, parent string, depth int)
	walk = func(rs []core.ThreadReply, parent string, depth int) {
		for _, r := range rs {
			t.items = append(t.items, threadRow{post: r.Post, role: "reply", depth: depth, parentID: parent})
			walk(r.Replies, r.ID, depth+1)
		}
	}
	walk(th.Replies, th.Post.ID, 1)
	return t
}

// Len returns the number of posts in the thread.
func (t *PostThread) Len() int { return len(t.items) }

// Get returns item i, 0 ≤ i < Len, or null if i is out of range.
func (t *PostThread) Get(i int) *ThreadItem {
	if i < 0 || i >= len(t.items) {
		return nil
	}
	r := t.items[i]
	return &ThreadItem{Post: newPost(r.post), Role: r.role, Depth: r.depth, ParentID: r.parentID}
}

// Thread returns the post postID (a Post's ID, or its first 8 or more hex
// digits) in its conversation: its ancestors and its replies, including
// those of accounts not followed, fetched from the author's device when it
// answers within a few seconds (else what this device holds). Errors:
// CodeNoPost (unknown or deleted).
func (n *Node) Thread(postID string) (*PostThread, error) {
	if err := required("post ID", postID); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.Thread, error) {
		return cn.Thread(ctx, postID)
	}, newThread)
}

// ThreadJSON is Thread as one JSON document, the one the daemon's API and
// `skein thread --json` give: {"ancestors", "post", "replies", "fetched"},
// each reply a post with its own "replies".
func (n *Node) ThreadJSON(postID string) ([]byte, error) {
	if err := required("post ID", postID); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.Thread, error) {
		return cn.Thread(ctx, postID)
	}, threadJSON)
}

// threadJSON encodes a thread; a thread always encodes.
func threadJSON(th core.Thread) []byte {
	b, err := json.Marshal(th)
	if err != nil {
		panic("mobile: a thread does not encode: " + err.Error())
	}
	return b
}
