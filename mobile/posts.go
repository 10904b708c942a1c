package mobile

import (
	"context"
	"encoding/json"

	"github.com/skein-p2p/skein/core"
)

// Post publishes a post of the logged-in account: 1 to MaxPostChars
// characters, with no control characters but newlines and tabs
// (CodeInvalidPost otherwise).
func (n *Node) Post(text string) (*Post, error) { return n.post("", text) }

func (n *Node) post(id, text string) (*Post, error) {
	if err := required("post text", text); err != nil {
		return nil, err
	}
	return getID(n, id, func(ctx context.Context, cn *core.Node) (core.Post, error) {
		return cn.Post(ctx, text)
	}, newPost)
}

// Reply posts text as a reply to the post postID (a Post's ID, or its
// first 8 or more hex digits); the post's author is notified. The text
// follows Post's rules. Errors: CodeNoPost, CodeInvalidPost.
func (n *Node) Reply(postID, text string) (*Post, error) { return n.reply("", postID, text) }

func (n *Node) reply(id, postID, text string) (*Post, error) {
	if err := firstMissing("post ID", postID, "reply text", text); err != nil {
		return nil, err
	}
	return getID(n, id, func(ctx context.Context, cn *core.Node) (core.Post, error) {
		return cn.Reply(ctx, postID, text)
	}, newPost)
}

// Repost shares the post postID with the account's followers; reposting a
// repost reposts its original. Errors: CodeNoPost.
func (n *Node) Repost(postID string) (*Post, error) { return n.repost("", postID) }

func (n *Node) repost(id, postID string) (*Post, error) {
	if err := required("post ID", postID); err != nil {
		return nil, err
	}
	return getID(n, id, func(ctx context.Context, cn *core.Node) (core.Post, error) {
		return cn.Repost(ctx, postID)
	}, newPost)
}

// Delete deletes one of the account's own posts, replies or reposts, here
// and on every device that copied it. Errors: CodeNoPost, CodeNotYours.
func (n *Node) Delete(postID string) error { return n.delete("", postID) }

func (n *Node) delete(id, postID string) error {
	if err := required("post ID", postID); err != nil {
		return err
	}
	return n.callID(id, func(ctx context.Context, cn *core.Node) error { return cn.Delete(ctx, postID) })
}

// Feed returns a page of the merged feed of the followed users and the
// account itself, newest first. Pass "" (or null) for the first page and
// the page's NextCursor for the next; limit ≤ 0 means DefaultPageSize,
// more than MaxPageSize means MaxPageSize.
func (n *Node) Feed(cursor string, limit int) (*FeedPage, error) {
	return get(n, func(ctx context.Context, cn *core.Node) (core.Page, error) {
		return cn.Feed(ctx, cursor, limit)
	}, newFeedPage)
}

// FeedJSON is Feed with the page as one JSON document, the one the
// daemon's API and `skein feed --json` give (see "Pages as JSON" in the
// package doc). Use it where an app pages a lot: nothing of the page stays
// in Go after the call, so the platform's collector sees all the memory,
// and a page is one call into Go rather than one per post and field.
func (n *Node) FeedJSON(cursor string, limit int) ([]byte, error) {
	return get(n, func(ctx context.Context, cn *core.Node) (core.Page, error) {
		return cn.Feed(ctx, cursor, limit)
	}, pageJSON)
}

// TimelineJSON is Timeline with the page as JSON, as FeedJSON.
func (n *Node) TimelineJSON(name, cursor string, limit int) ([]byte, error) {
	if err := required("name", name); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.Page, error) {
		return cn.Timeline(ctx, name, cursor, limit)
	}, pageJSON)
}

// pageJSON encodes a page; a page always encodes.
func pageJSON(pg core.Page) []byte {
	if pg.Posts == nil {
		pg.Posts = []core.Post{}
	}
	b, err := json.Marshal(pg)
	if err != nil {
		panic("mobile: a page does not encode: " + err.Error())
	}
	return b
}

// Timeline returns a page of one user's posts (the account's own too),
// newest first, fetching them from the network if this device does not
// hold them; paged as Feed. Errors: CodeInvalidName, CodeUnknownName.
func (n *Node) Timeline(name, cursor string, limit int) (*FeedPage, error) {
	if err := required("name", name); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.Page, error) {
		return cn.Timeline(ctx, name, cursor, limit)
	}, newFeedPage)
}
