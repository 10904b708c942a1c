package core

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

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
	res := SearchResults{Users: []User{}, Posts: []Post{}}
	if kind == "" || kind == SearchAll || kind == SearchUsers {
		as, err := n.srch.ix.Accounts(q, limit)
		if err != nil {
			return SearchResults{}, fmt.Errorf("core: search: %w", err)
		}
		for _, a := range as {
			res.Users = append(res.Users, User{Name: a.Name, Key: a.Key.String()})
		}
		// Network users from the relays' directory are merged here,
		// after the local ones, which rank first.
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
		res.Posts = append(res.Posts, n.postWith(as, e))
		return true, len(res.Posts) < limit && ctx.Err() == nil
	}
	var serr error
	if kind == SearchTag {
		serr = n.srch.ix.Tag(q, fn)
	} else {
		serr = n.srch.ix.Posts(q, fn)
	}
	if err = errors.Join(err, serr); err != nil {
		return SearchResults{}, fmt.Errorf("core: search: %w", err)
	}
	return res, ctx.Err()
}

// searching is the node's search index and the goroutine that builds it
// for a store that held entries before it had one.
type searching struct {
	ix     *search.Index
	cancel context.CancelFunc
	done   chan struct{}
}

// Bounds of the background build: entries indexed per batch, and the pause
// between batches that leaves the disk to the node.
const (
	searchBuildBatch = 500
	searchBuildPause = 20 * time.Millisecond
)

// openSearch opens the search index in kv.
func openSearch(kv store.KV) (searching, error) {
	ix, err := search.Open(store.Prefix(kv, []byte{store.SearchPrefix}))
	if err != nil {
		return searching{}, fmt.Errorf("core: %w", err)
	}
	return searching{ix: ix}, nil
}

// startSearch builds the search index in the background unless every held
// entry was indexed; stopSearch stops it.
func (n *Node) startSearch() {
	ctx, cancel := context.WithCancel(context.Background())
	n.srch.cancel, n.srch.done = cancel, make(chan struct{})
	go func() {
		defer close(n.srch.done)
		if err := n.buildSearch(ctx); err != nil && ctx.Err() == nil {
			n.log.Warn("search index not built", "err", err)
		}
	}()
}

// stopSearch stops the background build and waits for it.
func (n *Node) stopSearch() {
	if n.srch.cancel != nil {
		n.srch.cancel()
		<-n.srch.done
	}
}

// buildSearch indexes every name the store knows and every post and reply
// it holds, in batches, saving its place after each, unless the index
// says it was done. Entries that arrive meanwhile are indexed by observe;
// indexing one twice is harmless.
func (n *Node) buildSearch(ctx context.Context) error {
	ix := n.srch.ix
	done, cursor, err := ix.BuildState()
	if err != nil || done {
		return err
	}
	n.log.Info("building the search index")
	start := time.Now()
	if cursor == nil {
		var as []search.Account
		for k, name := range n.store.Names() {
			as = append(as, search.Account{Key: k, Name: name})
			if len(as) == searchBuildBatch {
				if err := n.indexNames(as); err != nil {
					return err
				}
				as = as[:0]
			}
		}
		if err := n.indexNames(as); err != nil {
			return err
		}
	}
	var after entry.Key
	var seq uint64
	if len(cursor) == len(after)+8 {
		after, seq = entry.Key(cursor), binary.BigEndian.Uint64(cursor[len(after):])
	}
	indexed := 0
	for _, author := range n.store.Authors() {
		if c := bytes.Compare(author[:], after[:]); cursor != nil && c < 0 {
			continue
		} else if c > 0 {
			seq = 0
		}
		for {
			if ctx.Err() != nil {
				return nil
			}
			es, err := n.store.Entries(author, seq, searchBuildBatch, 1<<20)
			if err != nil || len(es) == 0 {
				break // a log GC dropped meanwhile, or done
			}
			var ps []search.Post
			for _, e := range es {
				if p, ok := search.PostOf(e); ok {
					ps = append(ps, p)
				}
			}
			if err := ix.AddPosts(ps); err != nil {
				return err
			}
			seq = es[len(es)-1].Seq
			indexed += len(ps)
			if err := ix.SetBuildState(false, binary.BigEndian.AppendUint64(bytes.Clone(author[:]), seq)); err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(searchBuildPause):
			}
		}
		n.log.Debug("search index: log indexed", "author", author.Short(), "posts", indexed)
	}
	n.log.Info("search index built", "posts", indexed, "took", time.Since(start).Round(time.Millisecond))
	return ix.SetBuildState(true, nil)
}

// indexNames indexes names, keeping what else is indexed of each account.
func (n *Node) indexNames(as []search.Account) error {
	for _, a := range as {
		if err := n.srch.ix.SetName(a.Key, a.Name); err != nil {
			return err
		}
	}
	return nil
}

// indexName indexes k's name as learned, keeping its display name and bio.
func (n *Node) indexName(k entry.Key, name string) {
	if name == "" {
		return
	}
	if err := n.srch.ix.SetName(k, name); err != nil {
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
	if err := n.srch.ix.PutAccount(search.Account{Key: k, Name: name, DisplayName: displayName, Bio: bio}); err != nil {
		n.log.Warn("account not indexed for search", "err", err)
	}
}

// indexEntries keeps the search index true to entries just added to the
// store, in one batch: posts and replies are indexed, a delete removes the
// post it deletes. Every path that adds entries calls it: ingest (gossip,
// sync, notices) and appending an own entry.
func (n *Node) indexEntries(es []*entry.Entry) {
	var ps []search.Post
	var gone []search.Ref
	for _, e := range es {
		if p, ok := search.PostOf(e); ok {
			ps = append(ps, p)
		} else if e.Kind == entry.KindDelete {
			if d, err := entry.ParseDelete(e.Body); err == nil {
				gone = append(gone, search.Ref{Author: e.Author, Seq: d.Seq})
			}
		}
	}
	var err error
	if len(ps) > 0 {
		err = n.srch.ix.AddPosts(ps)
	}
	// After adding: a post and its delete may come in one batch.
	for _, r := range gone {
		err = errors.Join(err, n.srch.ix.RemovePost(r))
	}
	if err != nil {
		n.log.Warn("posts not indexed for search", "err", err)
	}
}
