package core

import (
	"context"
	"errors"
	"fmt"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/search"
	"github.com/skein-p2p/skein/core/internal/store"
)

// SearchKind selects what Search looks for.
type SearchKind string

// Search kinds.
const (
	SearchAll   SearchKind = "all"   // accounts and posts (the default)
	SearchUsers SearchKind = "users" // accounts: name, display name, bio
	SearchPosts SearchKind = "posts" // posts and replies: text, #hashtags, @mentions
	SearchTag   SearchKind = "tag"   // posts carrying one #hashtag exactly
)

// SearchResults is what Search found.
type SearchResults struct {
	Users []User `json:"users"` // exact name first, then names that start with the query, then others
	Posts []Post `json:"posts"` // newest first
}

// Search looks for query in what this node holds: the accounts it knows
// (local ones, followed, followers and every name it learned) and the
// posts and replies in its store. Matching is case-insensitive substring
// matching, literal ('%', '_', '.*' and '\' match themselves); SearchTag
// matches one hashtag exactly, with or without its '#'. The query is
// trimmed and must be 1 to 100 characters; limit is 1 to 100 results of
// each kind, 0 meaning 20. Errors wrap ErrBadQuery for a query, kind or
// limit that is not valid.
//
// The index follows the store: posts and replies are indexed as they are
// stored, deletes remove them at once, and posts that GC collected are
// removed lazily, when a search meets them (they are never returned).
func (n *Node) Search(ctx context.Context, query string, kind SearchKind, limit int) (SearchResults, error) {
	if err := n.alive(); err != nil {
		return SearchResults{}, err
	}
	if limit < 0 || limit > search.MaxLimit {
		return SearchResults{}, fmt.Errorf("%w: ask for 1 to %d results, not %d", ErrBadQuery, search.MaxLimit, limit)
	}
	limit = search.Limit(limit)
	var q string
	var err error
	switch kind {
	case "", SearchAll, SearchUsers, SearchPosts:
		q, err = search.Normalize(query)
	case SearchTag:
		q, err = search.NormalizeTag(query)
	default:
		return SearchResults{}, fmt.Errorf("%w: unknown kind %s: use all, users, posts or tag", ErrBadQuery, entry.Quote(string(kind)))
	}
	if err != nil {
		return SearchResults{}, err
	}
	var viewer *entry.Key // whose mutes and blocks apply
	if sess := n.session(); sess != nil {
		viewer = &sess.key
	}
	res := SearchResults{Users: []User{}, Posts: []Post{}}
	if kind == "" || kind == SearchAll || kind == SearchUsers {
		as, err := n.srch.Index().Accounts(q, limit)
		if err != nil {
			return SearchResults{}, fmt.Errorf("core: search: %w", err)
		}
		seen := make(map[entry.Key]bool, len(as))
		for _, a := range as {
			seen[a.Key] = true
			if viewer == nil || !n.blockedBy(*viewer, a.Key) {
				res.Users = append(res.Users, n.userProfile(User{Name: a.Name, Key: a.Key.String()}, a.Key))
			}
		}
		// Then the accounts the relays' directories know, verified, after
		// the local ones, which rank first.
		if len(res.Users) < limit {
			found, err := n.directoryUsers(ctx, query, limit)
			if err != nil {
				return SearchResults{}, err
			}
			for _, u := range found {
				k, _ := entry.ParseKey(u.Key)
				if len(res.Users) == limit || seen[k] || viewer != nil && n.blockedBy(*viewer, k) {
					continue
				}
				seen[k] = true
				res.Users = append(res.Users, u)
			}
		}
	}
	if kind == SearchUsers {
		return res, ctx.Err()
	}
	as := make(authors)
	fn := func(r search.Ref) (live, more bool) {
		e, gerr := n.store.Entry(r.Author, r.Seq)
		if errors.Is(gerr, store.ErrNotFound) {
			return false, true // collected by GC: the index forgets it
		} else if gerr != nil {
			err = gerr
			return true, false
		}
		if _, ok := search.PostOf(e); !ok {
			return false, true // deleted
		}
		if viewer != nil && n.hiddenEntry(*viewer, e) {
			return true, true // muted or blocked: not shown, still indexed
		}
		res.Posts = append(res.Posts, n.postWith(as, e))
		return true, len(res.Posts) < limit && ctx.Err() == nil
	}
	var serr error
	if kind == SearchTag {
		serr = n.srch.Index().Tag(q, fn)
	} else {
		serr = n.srch.Index().Posts(q, fn)
	}
	if err = errors.Join(err, serr); err != nil {
		return SearchResults{}, fmt.Errorf("core: search: %w", err)
	}
	return res, ctx.Err()
}

// openSearch opens the search index in kv.
func openSearch(kv store.KV) (*search.Index, error) {
	ix, err := search.Open(store.Prefix(kv, []byte{store.SearchPrefix}))
	if err != nil {
		return nil, fmt.Errorf("core: %w", err)
	}
	return ix, nil
}

// indexName indexes k's name as learned, keeping its display name and bio.
func (n *Node) indexName(k entry.Key, name string) {
	if name == "" {
		return
	}
	if err := n.srch.Index().SetName(k, name); err != nil {
		n.log.Warn("name not indexed for search", "err", err)
	}
}

// indexAccount indexes what is known of an account: its name, display name
// and bio, replacing what was indexed of it. The profiles code calls it
// whenever it learns a profile.
func (n *Node) indexAccount(k entry.Key, name, displayName, bio string) {
	if name == "" {
		name = n.nameOf(k)
	}
	if err := n.srch.Index().PutAccount(search.Account{Key: k, Name: name, DisplayName: displayName, Bio: bio}); err != nil {
		n.log.Warn("account not indexed for search", "err", err)
	}
}

// indexEntries keeps the search index true to entries just added to the
// store: posts and replies are indexed, a delete removes the post it
// deletes. Ingest (gossip, sync, notices) queues them for the indexer
// (wait false); an own entry is indexed before the call returns (wait
// true), so that its author finds it at once.
func (n *Node) indexEntries(es []*entry.Entry, wait bool) {
	ps, gone := search.Changes(es)
	if wait {
		n.srch.Now(ps, gone)
	} else {
		n.srch.Queue(ps, gone)
	}
}
