package medialib

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/blob"
	"github.com/skein-p2p/skein/core/internal/blobnet"
	"github.com/skein-p2p/skein/core/internal/blobstore"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/media"
	"github.com/skein-p2p/skein/core/internal/store"
)

// Errors a caller may branch on.
var (
	// ErrUnknown reports a root the library has no descriptor for and
	// whose size no provider told.
	ErrUnknown = errors.New("medialib: unknown media: no entry this node holds names it and no peer has it")
	// ErrUnavailable reports a blob no provider could supply.
	ErrUnavailable = errors.New("medialib: no peer that holds this media could be reached")
)

// Why says why the node holds a blob, which decides its tier and whether
// the library fetches it unasked.
type Why uint8

// Reasons for noting descriptors.
const (
	// Seen: an entry in a held log names it. Thumbnails are fetched in the
	// background; the full blob only on request. The index keeps the first
	// description of a root it saw: a later entry cannot re-describe
	// another author's blob (its size or type).
	Seen Why = iota
	// Own: an entry of a local account names it; its description replaces
	// any other.
	Own
	// Keep: a relay keeps the log; it fetches the blob and its thumbnail
	// into its cache, within its budget.
	Keep
)

// Config configures a Library.
type Config struct {
	Dir    string   // where blob files go
	KV     store.KV // a view for blobstore rows
	Index  store.KV // a view for the index and mirror rows
	Host   host.Host
	Limits blobstore.Limits
	Serve  blobnet.ServerLimits
	// Providers returns the peers to ask for a blob of author's (a zero
	// key: the author is not known): the node's policy, not the library's.
	// deep allows a lookup in the network (the DHT), which a download
	// makes and the background thumbnail batches do not.
	Providers func(ctx context.Context, author entry.Key, deep bool) []peer.ID
	Log       *slog.Logger
	// Workers bounds concurrent background downloads (default 2).
	Workers int
}

// maxQueue bounds the background queue; the oldest jobs beyond it are
// dropped (they are fetched on demand if anyone looks).
const maxQueue = 4096

// thumbBatch is how long the library collects thumbnail jobs before asking
// for them in one GETMANY, and maxBatch how many roots one asks for.
const (
	thumbBatch = 50 * time.Millisecond
	maxBatch   = 64
)

// viewWindow is how many pieces from the start a download for viewing
// fetches in order before the rest, rarest first.
const viewWindow = 4

// evictEvery is how often the library evicts what outlived the cache's
// TTL: the budgets themselves are kept when a download begins.
const evictEvery = time.Hour

// fetchTimeout bounds a background download.
const fetchTimeout = 10 * time.Minute

// Library is a node's media library. Its methods are safe for concurrent
// use.
type Library struct {
	cfg    Config
	log    *slog.Logger
	blobs  *blobstore.Store
	srv    *blobnet.Server
	client *blobnet.Client

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	flights   map[blob.Root]*flight
	queue     []job
	thumbs    []job
	paused    bool
	kick      chan struct{} // wakes a download worker
	thumbKick chan struct{} // wakes the thumbnail loop
	progress  map[blob.Root]func(blobnet.Progress)
}

// job is one background fetch.
type job struct {
	root   blob.Root
	size   uint64
	author entry.Key
	tier   blobstore.Tier
}

// flight is one download in progress, shared by its callers.
type flight struct {
	done chan struct{}
	err  error
	subs []func(blobnet.Progress)
}

// Open opens the blob store and starts serving and the background fetcher.
func Open(cfg Config) (*Library, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = 2
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	bs, err := blobstore.Open(cfg.Dir, cfg.KV, cfg.Limits, log)
	if err != nil {
		return nil, fmt.Errorf("medialib: %w", err)
	}
	l := &Library{
		cfg:       cfg,
		log:       log,
		blobs:     bs,
		flights:   make(map[blob.Root]*flight),
		kick:      make(chan struct{}, 1),
		thumbKick: make(chan struct{}, 1),
	}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	if cfg.Host != nil {
		l.srv = blobnet.NewServer(cfg.Host, bs, cfg.Serve, log)
		l.client = blobnet.NewClient(cfg.Host, log)
		l.wg.Add(cfg.Workers + 1)
		for range cfg.Workers {
			go l.worker()
		}
		go l.thumbLoop()
	}
	return l, nil
}

// Close stops the fetcher and the server and closes the blob store.
func (l *Library) Close() error {
	l.cancel()
	var errs []error
	if l.srv != nil {
		errs = append(errs, l.srv.Close())
	}
	if l.client != nil {
		errs = append(errs, l.client.Close())
	}
	l.wg.Wait()
	errs = append(errs, l.blobs.Close())
	return errors.Join(errs...)
}

// Blobs returns the blob store.
func (l *Library) Blobs() *blobstore.Store { return l.blobs }

// SetServe changes what the server allows (power modes).
func (l *Library) SetServe(lim blobnet.ServerLimits) {
	if l.srv != nil {
		l.srv.SetLimits(lim)
	}
}

// Pause stops background fetching (a phone in the background); Resume
// starts it again. Requested fetches still run.
func (l *Library) Pause() {
	l.mu.Lock()
	l.paused = true
	l.mu.Unlock()
}

// Resume undoes Pause.
func (l *Library) Resume() {
	l.mu.Lock()
	l.paused = false
	l.mu.Unlock()
	l.poke()
}

// poke wakes a download worker and the thumbnail loop, if asleep.
func (l *Library) poke() {
	for _, c := range []chan struct{}{l.kick, l.thumbKick} {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

// Import stores a local file as a complete blob of the given tier, at most
// max bytes.
func (l *Library) Import(ctx context.Context, r io.Reader, max int64, tier blobstore.Tier) (blob.Root, uint64, error) {
	return l.blobs.Add(ctx, r, max, tier)
}

// Note records the descriptors an entry of author's names, and queues what
// the node should fetch unasked for why.
func (l *Library) Note(author entry.Key, ds []media.Descriptor, why Why) {
	var b store.Batch
	put := func(root blob.Root, row []byte) {
		if why != Own {
			if _, err := l.cfg.Index.Get(indexKey(root)); err == nil {
				return
			}
		}
		b.Put(indexKey(root), row)
	}
	for _, d := range ds {
		put(d.Root, indexRow(author, d.Size, false, d.Type))
		if !d.Thumb.IsZero() {
			// A thumbnail's type is what its bytes are: any image type.
			put(d.Thumb, indexRow(author, uint64(d.ThumbSize), true, ""))
		}
	}
	if err := l.cfg.Index.Commit(&b, false); err != nil {
		l.log.Warn("media index not written", "err", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range ds {
		if !d.Thumb.IsZero() && !l.has(d.Thumb) {
			l.thumbs = append(l.thumbs, job{root: d.Thumb, size: uint64(d.ThumbSize), author: author, tier: blobstore.TierThumb})
		}
		if why == Keep && !l.has(d.Root) {
			l.queue = append(l.queue, job{root: d.Root, size: d.Size, author: author, tier: blobstore.TierCache})
		}
	}
	if n := len(l.thumbs) - maxQueue; n > 0 {
		l.thumbs = slices.Delete(l.thumbs, 0, n)
	}
	if n := len(l.queue) - maxQueue; n > 0 {
		l.queue = slices.Delete(l.queue, 0, n)
	}
	l.poke()
}

// has reports whether the blob is held whole.
func (l *Library) has(root blob.Root) bool {
	info, ok := l.blobs.Info(root)
	return ok && info.Complete
}

// Has reports whether the blob is held whole.
func (l *Library) Has(root blob.Root) bool { return l.has(root) }

// Lookup returns what the index knows of root: the author whose entry
// named it, its size and type.
func (l *Library) Lookup(root blob.Root) (author entry.Key, size uint64, typ string, ok bool) {
	v, err := l.cfg.Index.Get(indexKey(root))
	if err != nil {
		return entry.Key{}, 0, "", false
	}
	author, size, _, typ, ok = parseIndexRow(v)
	return author, size, typ, ok
}

// Fetch makes sure the blob is held whole, downloading it from the
// providers of its author if it is not, and raises it to tier. progress,
// if not nil, receives the download's progress. Concurrent fetches of one
// root share one download.
func (l *Library) Fetch(ctx context.Context, root blob.Root, tier blobstore.Tier, progress func(blobnet.Progress)) error {
	if l.has(root) {
		l.blobs.Touch(root)
		return l.raise(root, tier)
	}
	author, size, _, known := l.Lookup(root)
	if !known {
		author = entry.Key{}
	}
	f, leader := l.join(root, progress)
	if leader {
		go func() {
			// The download outlives a caller that gives up: others
			// may be waiting, and what it fetched stays.
			dctx, cancel := context.WithTimeout(l.ctx, fetchTimeout)
			defer cancel()
			err := l.download(dctx, root, size, author, tier)
			l.finish(root, f, err)
		}()
	}
	select {
	case <-f.done:
		if f.err != nil {
			return f.err
		}
		return l.raise(root, tier)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// raise lifts a held blob to at least tier. Pinning is not a tier a fetch
// sets: callers pin with Blobs().Pin, once per reason to keep a blob.
func (l *Library) raise(root blob.Root, tier blobstore.Tier) error {
	info, ok := l.blobs.Info(root)
	if ok && info.Tier < tier && tier < blobstore.TierPinned {
		return l.blobs.SetTier(root, tier)
	}
	return nil
}

// join returns the flight for root, starting one if none runs (leader).
func (l *Library) join(root blob.Root, progress func(blobnet.Progress)) (*flight, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.flights[root]
	if !ok {
		f = &flight{done: make(chan struct{})}
		l.flights[root] = f
	}
	if progress != nil {
		f.subs = append(f.subs, progress)
	}
	return f, !ok
}

func (l *Library) finish(root blob.Root, f *flight, err error) {
	l.mu.Lock()
	delete(l.flights, root)
	f.err = err
	l.mu.Unlock()
	close(f.done)
}

// report sends p to every subscriber of root's flight.
func (l *Library) report(root blob.Root, p blobnet.Progress) {
	l.mu.Lock()
	var subs []func(blobnet.Progress)
	if f := l.flights[root]; f != nil {
		subs = slices.Clone(f.subs)
	}
	l.mu.Unlock()
	for _, fn := range subs {
		fn(p)
	}
}

// download fetches root from the providers of author. A size of 0 means
// unknown: the providers' HAVE answers tell it.
func (l *Library) download(ctx context.Context, root blob.Root, size uint64, author entry.Key, tier blobstore.Tier) error {
	if l.client == nil {
		return fmt.Errorf("%w: %s", ErrUnavailable, root.Short())
	}
	providers := l.cfg.Providers(ctx, author, true)
	if len(providers) == 0 {
		return fmt.Errorf("%w: %s: no peers to ask", ErrUnavailable, root.Short())
	}
	if size == 0 {
		// No held entry names it: the providers' word is all there is,
		// and the download checks it (the root verifies only with the
		// true size).
		s, err := l.client.Size(ctx, providers, root)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrUnknown, root.Short(), err)
		}
		size = s
	}
	if size > blob.MaxSize {
		return fmt.Errorf("medialib: %s: %w", root.Short(), blob.ErrTooLarge)
	}
	if size <= blob.GroupSize {
		for _, p := range providers {
			got, err := l.client.GetMany(ctx, p, []blob.Root{root})
			if err != nil || got[root] == nil {
				continue
			}
			_, _, err = l.blobs.Add(ctx, bytes.NewReader(got[root]), int64(size), tier)
			if err == nil {
				l.report(root, blobnet.Progress{Root: root, Size: int64(size), Verified: int64(size), Pieces: 1, Done: 1, Peers: 1})
			}
			return err
		}
		return fmt.Errorf("%w: %s", ErrUnavailable, root.Short())
	}
	part, err := l.blobs.Begin(root, size, tier)
	if err != nil {
		return fmt.Errorf("medialib: %w", err)
	}
	window := 0
	if tier == blobstore.TierCache {
		// Someone is looking at it: its first pieces come first.
		window = viewWindow
	}
	err = l.client.Get(ctx, blobnet.Fetch{
		Root:      root,
		Size:      size,
		Sink:      part,
		Providers: providers,
		Window:    window,
		Progress:  func(p blobnet.Progress) { l.report(root, p) },
	})
	if cerr := part.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if errors.Is(err, blobnet.ErrNoProviders) {
			return fmt.Errorf("%w: %s: %w", ErrUnavailable, root.Short(), err)
		}
		return fmt.Errorf("medialib: %s: %w", root.Short(), err)
	}
	return nil
}

// Thumbs fetches the small blobs among roots that are not held, in one
// GETMANY per provider, and returns how many it stored.
func (l *Library) Thumbs(ctx context.Context, roots []blob.Root) int {
	var js []job
	for _, r := range roots {
		if l.has(r) {
			continue
		}
		author, size, _, ok := l.Lookup(r)
		if !ok || size > blob.GroupSize {
			continue
		}
		js = append(js, job{root: r, size: size, author: author, tier: blobstore.TierThumb})
	}
	return l.fetchSmall(ctx, js)
}

// fetchSmall asks the providers of each author for its jobs' small blobs,
// up to maxBatch roots per request.
func (l *Library) fetchSmall(ctx context.Context, js []job) int {
	byAuthor := make(map[entry.Key][]job)
	for _, j := range js {
		byAuthor[j.author] = append(byAuthor[j.author], j)
	}
	stored := 0
	for author, js := range byAuthor {
		providers := l.cfg.Providers(ctx, author, false)
		for len(js) > 0 && len(providers) > 0 {
			batch := js[:min(len(js), maxBatch)]
			roots := make([]blob.Root, len(batch))
			for i, j := range batch {
				roots[i] = j.root
			}
			got, err := l.client.GetMany(ctx, providers[0], roots)
			if err != nil {
				providers = providers[1:]
				continue
			}
			var missing []job
			for _, j := range batch {
				b, ok := got[j.root]
				if !ok {
					missing = append(missing, j)
					continue
				}
				if _, _, err := l.blobs.Add(ctx, bytes.NewReader(b), int64(blob.GroupSize), j.tier); err == nil {
					stored++
				}
			}
			js = append(missing, js[len(batch):]...)
			if len(missing) > 0 {
				providers = providers[1:]
			}
		}
	}
	return stored
}

// worker runs background downloads.
func (l *Library) worker() {
	defer l.wg.Done()
	for {
		j, more, ok := l.next()
		if !ok {
			select {
			case <-l.ctx.Done():
				return
			case <-l.kick:
			}
			continue
		}
		if more {
			l.poke() // the other worker takes the next
		}
		if err := l.Fetch(l.ctx, j.root, j.tier, nil); err != nil && l.ctx.Err() == nil {
			l.log.Info("background media fetch failed", "root", j.root.Short(), "err", err)
		}
	}
}

// next takes the next background job, if fetching is not paused, and says
// whether more are waiting.
func (l *Library) next() (j job, more, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.paused || len(l.queue) == 0 {
		return job{}, false, false
	}
	j = l.queue[0]
	l.queue = l.queue[1:]
	return j, len(l.queue) > 0, true
}

// thumbLoop fetches queued thumbnails in batches: woken by the first one
// queued, it waits thumbBatch for the others of the page. It sleeps while
// nothing is queued, and evicts beyond the budgets every evictEvery.
func (l *Library) thumbLoop() {
	defer l.wg.Done()
	evict := time.NewTicker(evictEvery)
	defer evict.Stop()
	for {
		select {
		case <-l.ctx.Done():
			return
		case <-evict.C:
			if freed, err := l.blobs.Evict(); err != nil {
				l.log.Warn("media eviction failed", "err", err)
			} else if freed > 0 {
				l.log.Info("media evicted", "bytes", freed)
			}
			continue
		case <-l.thumbKick:
		}
		select {
		case <-l.ctx.Done():
			return
		case <-time.After(thumbBatch):
		}
		l.mu.Lock()
		var js []job
		if !l.paused {
			js, l.thumbs = l.thumbs, nil
		}
		l.mu.Unlock()
		if len(js) > 0 {
			ctx, cancel := context.WithTimeout(l.ctx, time.Minute)
			l.fetchSmall(ctx, js)
			cancel()
		}
	}
}

// Queued returns the number of background jobs waiting.
func (l *Library) Queued() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.queue) + len(l.thumbs)
}

func indexKey(r blob.Root) []byte { return append([]byte{'r'}, r[:]...) }

func indexRow(author entry.Key, size uint64, thumb bool, typ string) []byte {
	b := append([]byte(nil), author[:]...)
	b = binary.BigEndian.AppendUint64(b, size)
	var flags byte
	if thumb {
		flags = 1
	}
	typ = typ[:min(len(typ), 255)]
	b = append(b, flags, byte(len(typ)))
	return append(b, typ...)
}

func parseIndexRow(v []byte) (author entry.Key, size uint64, thumb bool, typ string, ok bool) {
	if len(v) < 32+8+2 || len(v) != 32+8+2+int(v[41]) {
		return entry.Key{}, 0, false, "", false
	}
	copy(author[:], v)
	size = binary.BigEndian.Uint64(v[32:])
	return author, size, v[40]&1 != 0, string(v[42:]), true
}
