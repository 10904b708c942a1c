package search

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// Source is what an Indexer builds an index from when the index does not
// cover every entry held yet: the node's store.
type Source interface {
	// Names returns every name the store knows, by key.
	Names() map[entry.Key]string
	// Authors returns the authors whose logs are held.
	Authors() []entry.Key
	// Entries returns up to maxCount entries of author's log after seq
	// after, within maxBytes.
	Entries(author entry.Key, after uint64, maxCount, maxBytes int) ([]*entry.Entry, error)
}

// Bounds of an Indexer's work.
const (
	// buildBatch is the entries indexed per batch of the background build,
	// and buildPause the pause between batches that leaves the disk to the
	// node.
	buildBatch = 500
	buildPause = 20 * time.Millisecond
	// maxQueued is the most posts queued. Past it, Queue drops the queue
	// (keeping the deletes) and restarts the background build from the
	// start instead of indexing in its caller, so that a catch-up sync
	// goes at the store's pace, not the index's: the posts dropped become
	// findable when the build reaches their authors' logs.
	maxQueued = 20_000
	// maxDrain is the most posts Close indexes before it stops; with more
	// queued, the next Start rebuilds the index instead.
	maxDrain = 2_000
	// indexBatch is the posts indexed per batch of the queue.
	indexBatch = 2_000
	// idleBefore is how long Queue must not be called before the queue is
	// indexed.
	idleBefore = 250 * time.Millisecond
)

// Indexer keeps an Index true to what a node stores: it indexes what ingest
// queues once a burst is over (so that catch-up sync does not wait for the
// index), and builds the index in the background for a store that held
// entries before it had one, or when more than maxQueued posts were
// queued. Its methods are safe for concurrent use.
type Indexer struct {
	ix        *Index
	src       Source
	log       *slog.Logger
	maxQueued int // maxQueued, smaller in tests

	cancel  context.CancelFunc
	wg      sync.WaitGroup
	kick    chan struct{} // work was queued
	rebuild chan struct{} // the build was restarted

	mu    sync.Mutex
	posts []Post // queued
	gone  []Ref  // deletes queued after them
	dirty bool   // the index's dirty mark is set
	// gen counts the restarts of the build; a build pass saves its place
	// only while gen is the one it started under. Writes of the build
	// state happen with mu held.
	gen uint64
}

// NewIndexer returns an Indexer of ix that builds from src and logs to
// log. Queue works before Start; what it queues is indexed once Start ran.
func NewIndexer(ix *Index, src Source, log *slog.Logger) *Indexer {
	return &Indexer{
		ix: ix, src: src, log: log, maxQueued: maxQueued,
		kick: make(chan struct{}, 1), rebuild: make(chan struct{}, 1),
	}
}

// Index returns the index the Indexer keeps.
func (x *Indexer) Index() *Index { return x.ix }

// Start starts the goroutine that indexes the queue and the one that
// builds the index, unless every held entry was indexed, and again each
// time Queue restarts the build. Close stops them.
func (x *Indexer) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	x.cancel = cancel
	x.mu.Lock()
	if dirty, err := x.ix.Dirty(); err != nil || dirty {
		// The node stopped with posts queued: index everything again
		// (posts already indexed are skipped). The mark stays while posts
		// queued before Start wait.
		err = errors.Join(err, x.restartBuild())
		if !x.dirty {
			err = errors.Join(err, x.ix.SetDirty(false))
		}
		if err != nil {
			x.log.Warn("search index not reset", "err", err)
		}
	}
	x.mu.Unlock()
	x.wg.Add(2)
	go func() {
		defer x.wg.Done()
		for {
			if err := x.build(ctx); err != nil && ctx.Err() == nil {
				x.log.Warn("search index not built", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-x.rebuild:
			}
		}
	}()
	go func() {
		defer x.wg.Done()
		x.loop(ctx)
	}()
}

// Close stops the Indexer's goroutines and waits for them; the queue is
// indexed first if it holds at most maxDrain posts, else the index stays
// marked dirty and the next Start rebuilds it. Close without Start does
// nothing.
func (x *Indexer) Close() {
	if x.cancel != nil {
		x.cancel()
		x.wg.Wait()
	}
}

// Changes returns what entries just stored change in the index: the posts
// and replies to index, and the posts their authors' deletes remove.
func Changes(es []*entry.Entry) (ps []Post, gone []Ref) {
	for _, e := range es {
		if p, ok := PostOf(e); ok {
			ps = append(ps, p)
		} else if e.Kind == entry.KindDelete {
			if d, err := entry.ParseDelete(e.Body); err == nil {
				gone = append(gone, Ref{Author: e.Author, Seq: d.Seq})
			}
		}
	}
	return ps, gone
}

// Queue queues posts and deletes to be indexed, marking the index dirty
// while any wait; the posts must be in the store already. When the queue
// would pass maxQueued posts, Queue does not index them in its caller: it
// drops the queued posts and ps, restarts the background build from the
// start (marking the index not built, so a crash or Close does not lose
// them) and returns. Those posts are then found once the build reaches
// them; the deletes stay queued.
func (x *Indexer) Queue(ps []Post, gone []Ref) {
	if len(ps) == 0 && len(gone) == 0 {
		return
	}
	x.mu.Lock()
	if len(x.posts)+len(ps) > x.maxQueued {
		if err := x.restartBuild(); err != nil {
			x.mu.Unlock()
			x.log.Warn("search index rebuild not started: indexing in place", "err", err)
			x.Now(ps, gone)
			return
		}
		x.posts, ps = nil, nil // the build indexes them
	}
	if !x.dirty && (len(ps) > 0 || len(gone) > 0) {
		if err := x.ix.SetDirty(true); err != nil {
			x.log.Warn("search index not marked", "err", err)
		}
		x.dirty = true
	}
	x.posts = append(x.posts, ps...)
	x.gone = append(x.gone, gone...)
	x.mu.Unlock()
	select {
	case x.kick <- struct{}{}:
	default:
	}
}

// Now indexes posts, then applies deletes (a post and its delete may come
// in one batch), before it returns.
func (x *Indexer) Now(ps []Post, gone []Ref) {
	var err error
	if len(ps) > 0 {
		err = x.ix.AddPosts(ps)
	}
	for _, r := range gone {
		err = errors.Join(err, x.ix.RemovePost(r))
	}
	if err != nil {
		x.log.Warn("posts not indexed for search", "err", err)
	}
}

// loop indexes what Queue queued, in batches, once nothing more was queued
// for idleBefore, until ctx is done; then it indexes up to maxDrain posts
// still queued, and leaves the index marked dirty if more were.
func (x *Indexer) loop(ctx context.Context) {
	finish := func() {
		x.mu.Lock()
		small := len(x.posts) <= maxDrain
		x.mu.Unlock()
		if small {
			x.indexQueued()
		}
	}
	for {
		select {
		case <-ctx.Done():
			finish()
			return
		case <-x.kick:
		}
		// Let a burst of ingest end first: the index's writes would slow
		// the store's, which a catch-up waits for.
		idle := time.NewTimer(idleBefore)
	wait:
		for {
			select {
			case <-ctx.Done():
				idle.Stop()
				break wait
			case <-x.kick:
				idle.Reset(idleBefore)
			case <-idle.C:
				break wait
			}
		}
		if ctx.Err() != nil {
			finish()
			return
		}
		x.indexQueued()
	}
}

// indexQueued indexes the queued posts, indexBatch at a time, and clears
// the dirty mark once none is left.
func (x *Indexer) indexQueued() {
	for {
		x.mu.Lock()
		k := min(len(x.posts), indexBatch)
		ps := x.posts[:k:k]
		x.posts = x.posts[k:]
		var gone []Ref
		if len(x.posts) == 0 {
			gone, x.gone = x.gone, nil
			x.posts = nil
		}
		x.mu.Unlock()
		x.Now(ps, gone)
		x.mu.Lock()
		empty := len(x.posts) == 0 && len(x.gone) == 0
		if empty && x.dirty {
			if err := x.ix.SetDirty(false); err != nil {
				x.log.Warn("search index not marked", "err", err)
			}
			x.dirty = false
		}
		x.mu.Unlock()
		if empty {
			return
		}
	}
}

// restartBuild marks the index not built, from the start, and wakes the
// builder. x.mu must be held.
func (x *Indexer) restartBuild() error {
	if err := x.ix.SetBuildState(false, nil); err != nil {
		return err
	}
	x.gen++
	select {
	case x.rebuild <- struct{}{}:
	default:
	}
	return nil
}

// saveBuild records the build's progress unless the build was restarted
// since gen g, which it reports.
func (x *Indexer) saveBuild(g uint64, done bool, cursor []byte) (restarted bool, err error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.gen != g {
		return true, nil
	}
	return false, x.ix.SetBuildState(done, cursor)
}

// build indexes every name the source knows and every post and reply it
// holds, in batches, saving its place after each, unless the index says
// it was done. Entries that arrive meanwhile are queued as usual; indexing
// one twice is harmless. It returns early when the build is restarted:
// the caller runs it again.
func (x *Indexer) build(ctx context.Context) error {
	ix := x.ix
	x.mu.Lock()
	g := x.gen
	done, cursor, err := ix.BuildState()
	x.mu.Unlock()
	if err != nil || done {
		return err
	}
	x.log.Info("building the search index")
	start := time.Now()
	if len(cursor) == 0 {
		for k, name := range x.src.Names() {
			if err := ix.SetName(k, name); err != nil {
				return err
			}
		}
	}
	var after entry.Key
	var seq uint64
	if len(cursor) == len(after)+8 {
		after, seq = entry.Key(cursor), binary.BigEndian.Uint64(cursor[len(after):])
	}
	indexed := 0
	for _, author := range x.src.Authors() {
		if c := bytes.Compare(author[:], after[:]); cursor != nil && c < 0 {
			continue
		} else if c > 0 {
			seq = 0
		}
		for {
			if ctx.Err() != nil {
				return nil
			}
			es, err := x.src.Entries(author, seq, buildBatch, 1<<20)
			if err != nil || len(es) == 0 {
				break // a log GC dropped meanwhile, or done
			}
			ps, _ := Changes(es)
			if err := ix.AddPosts(ps); err != nil {
				return err
			}
			seq = es[len(es)-1].Seq
			indexed += len(ps)
			if restarted, err := x.saveBuild(g, false, binary.BigEndian.AppendUint64(bytes.Clone(author[:]), seq)); err != nil || restarted {
				return err
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(buildPause):
			}
		}
		x.log.Debug("search index: log indexed", "author", author.Short(), "posts", indexed)
	}
	if restarted, err := x.saveBuild(g, true, nil); err != nil || restarted {
		return err
	}
	x.log.Info("search index built", "posts", indexed, "took", time.Since(start).Round(time.Millisecond))
	return nil
}
