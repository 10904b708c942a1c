package core

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/skein-p2p/skein/core/internal/bookmarks"
	"github.com/skein-p2p/skein/core/internal/entry"
)

// MaxBookmarks is the most bookmarks an account keeps.
const MaxBookmarks = bookmarks.MaxPerAccount

// Bookmark saves the post with the given ID (or unique ID prefix of at
// least 8 hex digits) to the logged-in account's bookmarks, on this device
// only. The bookmark keeps a copy of the signed post: it stays when the
// author is unfollowed and retention collects their log, and loses its
// text only if the author deletes the post. Bookmarking a repost saves the
// reposted post. Saving a post twice keeps the first; beyond MaxBookmarks
// it fails with an error wrapping ErrListFull.
func (n *Node) Bookmark(ctx context.Context, postID string) (Post, error) {
	sess, err := n.requireSession()
	if err != nil {
		return Post{}, err
	}
	e, err := n.findOriginal(postID)
	if err != nil {
		return Post{}, err
	}
	if _, err := n.marks.Add(sess.key, e, time.Now()); errors.Is(err, bookmarks.ErrFull) {
		return Post{}, fmt.Errorf("%w: %w", ErrListFull, err)
	} else if err != nil {
		return Post{}, err
	}
	p := n.post(e)
	p.Bookmarked = true
	return p, nil
}

// Unbookmark removes the post with the given ID (or unique ID prefix of at
// least 8 hex digits) from the logged-in account's bookmarks. A post that
// is not bookmarked is an error wrapping ErrNoPost.
func (n *Node) Unbookmark(ctx context.Context, postID string) error {
	sess, err := n.requireSession()
	if err != nil {
		return err
	}
	postID = strings.ToLower(strings.TrimSpace(postID))
	if len(postID) < minIDPrefix || len(postID) > 2*len(entry.ID{}) {
		return fmt.Errorf("%w: %s: give the post's ID or its first %d or more hex digits", ErrNoPost, entry.Quote(postID), minIDPrefix)
	}
	switch ids := n.marks.Match(sess.key, postID, 2); len(ids) {
	case 0:
		return fmt.Errorf("%w: %s is not bookmarked", ErrNoPost, entry.Quote(postID))
	case 1:
		_, err := n.marks.Remove(sess.key, ids[0])
		return err
	default:
		return fmt.Errorf("%w: %s matches more than one bookmark; give more digits", ErrNoPost, postID)
	}
}

// Bookmarks returns a page of the logged-in account's bookmarks, newest
// saved first. A post its author deleted since shows Unavailable, without
// its text. Pass the previous page's Next as cursor to continue; limit is
// 1 to 500, default 20.
func (n *Node) Bookmarks(ctx context.Context, cursor string, limit int) (Page, error) {
	sess, err := n.requireSession()
	if err != nil {
		return Page{}, err
	}
	cur, err := decodeCursor(cursor)
	if err != nil {
		return Page{}, err
	}
	es, next, err := n.marks.Page(sess.key, cur, pageSize(limit))
	if errors.Is(err, bookmarks.ErrBadCursor) {
		return Page{}, fmt.Errorf("%w: %s", ErrBadCursor, entry.Quote(cursor))
	} else if err != nil {
		return Page{}, err
	}
	p := Page{Posts: make([]Post, 0, len(es))}
	as := make(authors)
	for _, e := range es {
		if gone, err := n.store.Tombstoned(e.Author, e.Seq); err == nil && gone {
			e = e.Redact() // a tombstone this node holds, learnt before the bookmark
		}
		post := n.postWith(as, e)
		post.Bookmarked = true
		p.Posts = append(p.Posts, post)
	}
	if next != nil {
		p.Next = base64.RawURLEncoding.EncodeToString(next)
	}
	return p, nil
}

// postFor is postWith for a row shown to the session's account, which
// may have bookmarked it.
func (n *Node) postFor(sess *session, as authors, e *entry.Entry) Post {
	p := n.postWith(as, e)
	p.Bookmarked = n.marks.Has(sess.key, e.ID())
	return p
}

// redactBookmarks removes the text of the bookmarked copies of the entry
// that author's delete d names, if it is author's.
func (n *Node) redactBookmarks(author entry.Key, d entry.Delete) {
	if _, err := n.marks.Redact(author, d.Seq, d.ID); err != nil {
		n.log.Warn("bookmark not redacted", "id", d.ID, "err", err)
	}
}
