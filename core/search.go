package core

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
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
	var viewer *entry.Key // whose mutes and blocks apply
	if sess := n.session(); sess != nil {
		viewer = &sess.key
	}
	res := SearchResults{Users: []User{}, Posts: []Post{}}
	if kind == "" || kind == SearchAll || kind == SearchUsers {
		as, err := n.srch.ix.Accounts(q, limit)
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
		serr = n.srch.ix.Tag(q, fn)
	} else {
		serr = n.srch.ix.Posts(q, fn)
	}
	if err = errors.Join(err, serr); err != nil {
		return SearchResults{}, fmt.Errorf("core: search: %w", err)
	}
	return res, ctx.Err()
}

// searching is the node's search index, the goroutine that builds it for
// a store that held entries before it had one, and the one that indexes
// what ingest stored, so that catch-up sync does not wait for the index.
type searching struct {
	ix     *search.Index
	cancel context.CancelFunc
	wg     sync.WaitGroup
	kick   chan struct{} // work was queued

	mu    sync.Mutex
	posts []search.Post // queued by ingest
	gone  []search.Ref  // deletes queued after them
	dirty bool          // the index's dirty mark is set
}

// Bounds of the background build: entries indexed per batch, and the pause
// between batches that leaves the disk to the node.
const (
	searchBuildBatch = 500
	searchBuildPause = 20 * time.Millisecond
	// searchQueue is the most posts queued for the indexer: past it,
	// ingest indexes them itself, which slows it down to the index's pace.
	searchQueue = 20_000
	// searchDrain is the most posts Close indexes before it stops; with
	// more queued, the next start rebuilds the index instead.
	searchDrain = 2_000
	searchBatch = 2_000 // posts the indexer indexes per batch
	// searchIdle is how long ingest must pause before the indexer runs.
	searchIdle = 250 * time.Millisecond
)

// openSearch opens the search index in kv.
func openSearch(kv store.KV) (*search.Index, error) {
	ix, err := search.Open(store.Prefix(kv, []byte{store.SearchPrefix}))
	if err != nil {
		return nil, fmt.Errorf("core: %w", err)
	}
	return ix, nil
}

// startSearch starts the indexer, and the builder unless every held entry
// was indexed; stopSearch stops them.
func (n *Node) startSearch() {
	ctx, cancel := context.WithCancel(context.Background())
	n.srch.cancel = cancel
	ix := n.srch.ix
	if dirty, err := ix.Dirty(); err != nil || dirty {
		// The node stopped with posts queued: index everything again
		// (posts already indexed are skipped).
		if err := errors.Join(err, ix.SetBuildState(false, nil), ix.SetDirty(false)); err != nil {
			n.log.Warn("search index not reset", "err", err)
		}
	}
	n.srch.wg.Add(2)
	go func() {
		defer n.srch.wg.Done()
		if err := n.buildSearch(ctx); err != nil && ctx.Err() == nil {
			n.log.Warn("search index not built", "err", err)
		}
	}()
	go func() {
		defer n.srch.wg.Done()
		n.indexLoop(ctx)
	}()
}

// stopSearch stops the builder and the indexer and waits for them.
func (n *Node) stopSearch() {
	if n.srch.cancel != nil {
		n.srch.cancel()
		n.srch.wg.Wait()
	}
}

// queueSearch queues posts and deletes for the indexer, marking the index
// dirty while any wait. With searchQueue posts queued it indexes them
// itself.
func (n *Node) queueSearch(ps []search.Post, gone []search.Ref) {
	if len(ps) == 0 && len(gone) == 0 {
		return
	}
	s := &n.srch
	s.mu.Lock()
	if len(s.posts)+len(ps) > searchQueue {
		s.mu.Unlock()
		n.indexNow(ps, gone)
		return
	}
	if !s.dirty {
		if err := s.ix.SetDirty(true); err != nil {
			n.log.Warn("search index not marked", "err", err)
		}
		s.dirty = true
	}
	s.posts = append(s.posts, ps...)
	s.gone = append(s.gone, gone...)
	s.mu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// indexLoop indexes what queueSearch queued, in batches, once no more was
// queued for searchIdle, until ctx is done; then it indexes up to searchDrain posts still queued, and leaves
// the index marked dirty if more were.
func (n *Node) indexLoop(ctx context.Context) {
	s := &n.srch
	finish := func() {
		s.mu.Lock()
		small := len(s.posts) <= searchDrain
		s.mu.Unlock()
		if small {
			n.indexQueued()
		}
	}
	for {
		select {
		case <-ctx.Done():
			finish()
			return
		case <-s.kick:
		}
		// Let a burst of ingest end first: the index's writes would slow
		// the store's, which a catch-up waits for.
		idle := time.NewTimer(searchIdle)
	wait:
		for {
			select {
			case <-ctx.Done():
				idle.Stop()
				break wait
			case <-s.kick:
				idle.Reset(searchIdle)
			case <-idle.C:
				break wait
			}
		}
		if ctx.Err() != nil {
			finish()
			return
		}
		n.indexQueued()
	}
}

// indexQueued indexes the queued posts, searchBatch at a time, and clears
// the dirty mark once none is left.
func (n *Node) indexQueued() {
	s := &n.srch
	for {
		s.mu.Lock()
		k := min(len(s.posts), searchBatch)
		ps := s.posts[:k:k]
		s.posts = s.posts[k:]
		var gone []search.Ref
		if len(s.posts) == 0 {
			gone, s.gone = s.gone, nil
			s.posts = nil
		}
		s.mu.Unlock()
		n.indexNow(ps, gone)
		s.mu.Lock()
		empty := len(s.posts) == 0 && len(s.gone) == 0
		if empty && s.dirty {
			if err := s.ix.SetDirty(false); err != nil {
				n.log.Warn("search index not marked", "err", err)
			}
			s.dirty = false
		}
		s.mu.Unlock()
		if empty {
			return
		}
	}
}

// indexNow indexes posts, then applies deletes (a post and its delete
// may come in one batch).
func (n *Node) indexNow(ps []search.Post, gone []search.Ref) {
	var err error
	if len(ps) > 0 {
		err = n.srch.ix.AddPosts(ps)
	}
	for _, r := range gone {
		err = errors.Join(err, n.srch.ix.RemovePost(r))
	}
	if err != nil {
		n.log.Warn("posts not indexed for search", "err", err)
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
	if len(cursor) == 0 {
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
// store: posts and replies are indexed, a delete removes the post it
// deletes. Ingest (gossip, sync, notices) queues them for the indexer
// (wait false); an own entry is indexed before the call returns (wait
// true), so that its author finds it at once.
func (n *Node) indexEntries(es []*entry.Entry, wait bool) {
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
	if wait {
		n.indexNow(ps, gone)
	} else {
		n.queueSearch(ps, gone)
	}
}
