package mobile

import (
	"context"

	"github.com/skein-p2p/skein/core"
)

// Mute hides the user with this name from the account: their posts,
// reposts and notifications; their timeline still shows when opened.
// Local and private. Errors: CodeInvalidName, CodeUnknownName,
// CodeSelfMute, CodeListFull.
func (n *Node) Mute(name string) (*User, error) {
	return n.moderate(name, (*core.Node).Mute)
}

// Unmute ends a mute.
func (n *Node) Unmute(name string) error { return n.unmoderate(name, (*core.Node).Unmute) }

// Block does what Mute does, removes the user from the account's
// followers, unfollows them, refuses their timeline (CodeBlocked) and
// drops their follows, replies and mentions silently. Their log still
// holds their follow, and the account's public log stays readable by
// them. Errors as Mute.
func (n *Node) Block(name string) (*User, error) {
	return n.moderate(name, (*core.Node).Block)
}

// Unblock ends a block.
func (n *Node) Unblock(name string) error { return n.unmoderate(name, (*core.Node).Unblock) }

// Muted returns the users the account muted, by name.
func (n *Node) Muted() (*UserList, error) {
	return get(n, func(ctx context.Context, cn *core.Node) ([]core.User, error) {
		return cn.Muted(ctx)
	}, newUserList)
}

// Blocked returns the users the account blocked, by name.
func (n *Node) Blocked() (*UserList, error) {
	return get(n, func(ctx context.Context, cn *core.Node) ([]core.User, error) {
		return cn.Blocked(ctx)
	}, newUserList)
}

func (n *Node) moderate(name string, do func(*core.Node, context.Context, string) (core.User, error)) (*User, error) {
	if err := required("name", name); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.User, error) {
		return do(cn, ctx, name)
	}, newUser)
}

func (n *Node) unmoderate(name string, do func(*core.Node, context.Context, string) error) error {
	if err := required("name", name); err != nil {
		return err
	}
	return n.callID("", func(ctx context.Context, cn *core.Node) error { return do(cn, ctx, name) })
}

// Bookmark saves the post with this ID to the account's bookmarks on this
// device, with a copy that outlives the author's log here. Errors:
// CodeNoPost, CodeListFull.
func (n *Node) Bookmark(postID string) (*Post, error) {
	if err := required("post ID", postID); err != nil {
		return nil, err
	}
	return get(n, func(ctx context.Context, cn *core.Node) (core.Post, error) {
		return cn.Bookmark(ctx, postID)
	}, newPost)
}

// Unbookmark removes the post with this ID from the bookmarks. Errors:
// CodeNoPost (not bookmarked).
func (n *Node) Unbookmark(postID string) error {
	if err := required("post ID", postID); err != nil {
		return err
	}
	return n.callID("", func(ctx context.Context, cn *core.Node) error { return cn.Unbookmark(ctx, postID) })
}

// Bookmarks returns a page of the account's bookmarks, newest saved
// first; paged as Feed.
func (n *Node) Bookmarks(cursor string, limit int) (*FeedPage, error) {
	return get(n, func(ctx context.Context, cn *core.Node) (core.Page, error) {
		return cn.Bookmarks(ctx, cursor, limit)
	}, newFeedPage)
}
