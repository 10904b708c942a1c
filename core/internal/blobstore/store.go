package blobstore

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/skein-p2p/skein/core/internal/blob"
	"github.com/skein-p2p/skein/core/internal/store"
)

// Tier is the eviction class of a blob; lower tiers are evicted first.
type Tier uint8

// The tiers, lowest first.
const (
	// TierCache holds everything fetched for viewing: evicted LRU within
	// Limits.CacheBudget, and after Limits.TTL unused.
	TierCache Tier = iota
	// TierThumb holds thumbnails and avatars: evicted LRU within
	// Limits.ThumbBudget, after the cache.
	TierThumb
	// TierPinned holds saved and mirrored blobs: never evicted. Pin makes a
	// blob pinned while its pin count is above zero.
	TierPinned
	// TierOwn holds the user's own media: never evicted.
	TierOwn
)

// String returns the tier's name.
func (t Tier) String() string {
	switch t {
	case TierCache:
		return "cache"
	case TierThumb:
		return "thumb"
	case TierPinned:
		return "pinned"
	case TierOwn:
		return "own"
	}
	return fmt.Sprintf("tier(%d)", uint8(t))
}

// Limits bounds the space of the evictable tiers. Zero fields take the
// default.
type Limits struct {
	// CacheBudget is the bytes TierCache may fill; 0 means min(1 GiB,
	// 10 % of the free space at Open).
	CacheBudget int64
	// ThumbBudget is the bytes TierThumb may fill; 0 means 64 MiB.
	ThumbBudget int64
	// Immunity protects blobs used (added, fetched, touched) more recently
	// than this from eviction; 0 means 1 h.
	Immunity time.Duration
	// TTL evicts cache blobs unused this long even within budget; 0
	// means 30 days.
	TTL time.Duration
	// MinFree is the free space, in bytes, that Begin and Add of a cache
	// or thumbnail blob never take the file system of the directory
	// below (they fail with ErrNoSpace instead); 0 means max(256 MiB, 2 %
	// of the file system), negative means no floor.
	MinFree int64
}

// Defaults of Limits.
const (
	DefaultMaxCache    = 1 << 30
	DefaultThumbBudget = 64 << 20
	DefaultImmunity    = time.Hour
	DefaultTTL         = 30 * 24 * time.Hour
	DefaultMinFree     = 256 << 20 // or 2 % of the file system, if more
)

// Sync policy of downloads: the data file is synced and the bitfield
// committed after this many bytes or this long, whichever comes first.
const (
	syncBytes = 4 << 20
	syncEvery = time.Second
)

// touchFlush bounds how long Touch keeps last-access times in memory only.
const touchFlush = time.Minute

// maxObCache bounds the bytes of checked outboards kept in memory.
const maxObCache = 4 << 20

// Info describes a blob held, whole or in part.
type Info struct {
	Root     blob.Root
	Size     uint64
	Tier     Tier // as evicted: TierPinned while pinned
	Complete bool
	Pieces   int // blob.Pieces(Size)
	Have     int // pieces held, verified and durable
	Added    time.Time
	Used     time.Time
}

// Store keeps blobs in a directory and their metadata in a KV. It is safe
// for concurrent use. Close it after use; it does not close the KV.
type Store struct {
	dir string
	kv  store.KV
	lim Limits
	log *slog.Logger

	// Test hooks.
	now       func() time.Time
	space     func(dir string) (free, total uint64, ok bool)
	writeAt   func(f *os.File, p []byte, off int64) (int, error)
	syncFile  func(f *os.File) error
	syncBytes int64
	syncEvery time.Duration

	mu        sync.Mutex
	closed    bool
	metas     map[blob.Root]*meta
	dls       map[blob.Root]*download
	busy      map[blob.Root]int // open Readers
	dirty     map[blob.Root]bool
	lastFlush time.Time
	obCache   map[blob.Root][]byte
	obBytes   int
}

// Open opens the store of the blobs under dir (created if missing) with
// their rows in kv. It drops rows that do not decode and rows of complete
// blobs whose files are missing, forgets the pieces of partial blobs whose
// data file is gone, and deletes files no row names (a crash between
// writing a blob and its row, or while removing one). log may be nil.
func Open(dir string, kv store.KV, lim Limits, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("blobstore: %w", err)
	}
	if lim.CacheBudget <= 0 {
		lim.CacheBudget = DefaultMaxCache
		if free, ok := freeSpace(dir); ok {
			lim.CacheBudget = min(lim.CacheBudget, int64(free/10))
		}
	}
	if lim.ThumbBudget <= 0 {
		lim.ThumbBudget = DefaultThumbBudget
	}
	if lim.Immunity <= 0 {
		lim.Immunity = DefaultImmunity
	}
	if lim.TTL <= 0 {
		lim.TTL = DefaultTTL
	}
	if lim.MinFree == 0 {
		lim.MinFree = DefaultMinFree
		if _, total, ok := diskSpace(dir); ok {
			lim.MinFree = max(lim.MinFree, int64(total/50))
		}
	}
	s := &Store{
		dir: dir, kv: kv, lim: lim, log: log,
		now:       time.Now,
		space:     diskSpace,
		writeAt:   func(f *os.File, p []byte, off int64) (int, error) { return f.WriteAt(p, off) },
		syncFile:  dataSync,
		syncBytes: syncBytes,
		syncEvery: syncEvery,
		metas:     make(map[blob.Root]*meta),
		dls:       make(map[blob.Root]*download),
		busy:      make(map[blob.Root]int),
		dirty:     make(map[blob.Root]bool),
		obCache:   make(map[blob.Root][]byte),
	}
	s.lastFlush = s.now()
	if err := s.load(); err != nil {
		return nil, err
	}
	return s, nil
}

// load reads every row and reconciles them with the files.
func (s *Store) load() error {
	var fix store.Batch
	it := s.kv.Find(nil, nil, false)
	for it.Next() {
		var root blob.Root
		if len(it.Key()) != len(root) {
			s.log.Warn("blobstore: dropping a row with a bad key", "key", fmt.Sprintf("%x", it.Key()))
			fix.Delete(it.Key())
			continue
		}
		copy(root[:], it.Key())
		m, err := decodeRow(it.Value())
		if err != nil {
			s.log.Warn("blobstore: dropping a bad row", "root", root.Short(), "err", err)
			fix.Delete(it.Key())
			continue
		}
		if m.inline == nil && m.size > blob.GroupSize {
			st, err := os.Stat(s.path(root, ".data"))
			switch {
			case m.complete && (err != nil || st.Size() != int64(m.size) || !s.hasOutboardFile(root, m.size)):
				s.log.Warn("blobstore: dropping a blob whose files are missing", "root", root.Short(), "err", err)
				fix.Delete(root[:])
				continue
			case !m.complete && (err != nil || st.Size() != int64(m.size)) && m.have.Count() > 0:
				s.log.Warn("blobstore: forgetting the pieces of a partial blob whose data file is gone", "root", root.Short())
				m.have = blob.NewBitfield(blob.Pieces(m.size))
				fix.Put(root[:], m.encode())
			}
			if !m.complete && m.obOK && !s.hasOutboardFile(root, m.size) {
				m.obOK = false
				fix.Put(root[:], m.encode())
			}
		}
		s.metas[root] = m
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("blobstore: reading rows: %w", err)
	}
	if fix.Len() > 0 {
		if err := s.kv.Commit(&fix, true); err != nil {
			return fmt.Errorf("blobstore: fixing rows: %w", err)
		}
	}
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("blobstore: %w", err)
	}
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, "tmp-") {
			os.Remove(filepath.Join(s.dir, name))
			continue
		}
		hexRoot, ext, ok := strings.Cut(name, ".")
		if !ok || (ext != "data" && ext != "obao") {
			continue
		}
		root, err := blob.ParseRoot(hexRoot)
		if err != nil {
			continue
		}
		if m := s.metas[root]; m == nil || m.inline != nil || (ext == "obao" && !m.obOK && !m.complete) {
			s.log.Debug("blobstore: deleting an orphan file", "name", name)
			os.Remove(filepath.Join(s.dir, name))
		}
	}
	return nil
}

func (s *Store) hasOutboardFile(root blob.Root, size uint64) bool {
	st, err := os.Stat(s.path(root, ".obao"))
	return err == nil && st.Size() == int64(blob.OutboardSize(size))
}

// path returns the file of root with the extension ext.
func (s *Store) path(root blob.Root, ext string) string {
	return filepath.Join(s.dir, root.String()+ext)
}

// Close finishes the open downloads (syncing what they wrote), writes the
// pending last-access times and closes the store. It does not close the
// KV. Calling it twice is safe.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	dls := make([]*download, 0, len(s.dls))
	for _, dl := range s.dls {
		dls = append(dls, dl)
	}
	s.dls = make(map[blob.Root]*download)
	s.mu.Unlock()
	var errs []error
	for _, dl := range dls {
		errs = append(errs, dl.finish())
	}
	s.mu.Lock()
	errs = append(errs, s.flushLocked())
	s.mu.Unlock()
	return errors.Join(errs...)
}

// commitLocked writes the row of root (or deletes it if m is nil).
func (s *Store) commitLocked(root blob.Root, m *meta, sync bool) error {
	var b store.Batch
	if m == nil {
		b.Delete(root[:])
	} else {
		b.Put(root[:], m.encode())
	}
	delete(s.dirty, root)
	if err := s.kv.Commit(&b, sync); err != nil {
		return fmt.Errorf("blobstore: writing the row of %s: %w", root.Short(), err)
	}
	return nil
}

// flushLocked writes the last-access times Touch kept in memory.
func (s *Store) flushLocked() error {
	s.lastFlush = s.now()
	if len(s.dirty) == 0 {
		return nil
	}
	var b store.Batch
	for root := range s.dirty {
		if m := s.metas[root]; m != nil {
			b.Put(root[:], m.encode())
		}
	}
	clear(s.dirty)
	if err := s.kv.Commit(&b, false); err != nil {
		return fmt.Errorf("blobstore: writing access times: %w", err)
	}
	return nil
}

// ioErr wraps an error of the file system, marking a full disk.
func ioErr(what string, err error) error {
	if isNoSpace(err) && !errors.Is(err, ErrNoSpace) {
		return fmt.Errorf("blobstore: %s: %w: %w", what, ErrNoSpace, err)
	}
	return fmt.Errorf("blobstore: %s: %w", what, err)
}

// ctxReader stops reading when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Add imports a complete blob from r, at most max bytes (max <= 0 or above
// blob.MaxSize means blob.MaxSize; more returns an error wrapping
// ErrTooLarge). It hashes the bytes and writes data and outboard durably
// before returning the root and size. If the blob is held already, its tier
// only ever rises; if it is being downloaded, the bytes complete the
// download. The bytes hashed prove the size: a partial blob held with
// another size is discarded first (ErrInFlight if a Partial is open on it).
// A cache or thumbnail blob is admitted as by Begin: within its tier's
// budget (ErrBudget) and above Limits.MinFree (ErrNoSpace).
func (s *Store) Add(ctx context.Context, r io.Reader, max int64, tier Tier) (blob.Root, uint64, error) {
	if max <= 0 || max > blob.MaxSize {
		max = blob.MaxSize
	}
	if tier > TierOwn {
		return blob.Root{}, 0, fmt.Errorf("blobstore: unknown tier %d", tier)
	}
	cr := ctxReader{ctx, r}
	head := make([]byte, blob.GroupSize+1)
	n, err := io.ReadFull(cr, head)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		if int64(n) > max {
			return blob.Root{}, 0, fmt.Errorf("blobstore: %w: more than %d bytes", ErrTooLarge, max)
		}
		data := head[:n:n]
		root := blob.Sum(data)
		return root, uint64(n), s.addInline(root, data, tier)
	}
	if err != nil {
		return blob.Root{}, 0, fmt.Errorf("blobstore: reading the blob: %w", err)
	}
	if int64(n) > max {
		return blob.Root{}, 0, fmt.Errorf("blobstore: %w: more than %d bytes", ErrTooLarge, max)
	}

	f, err := os.CreateTemp(s.dir, "tmp-*.data")
	if err != nil {
		return blob.Root{}, 0, ioErr("creating a file", err)
	}
	tmp := f.Name()
	defer func() {
		f.Close()
		os.Remove(tmp)
	}()
	var size int64
	chunk := head[:n]
	buf := make([]byte, 256<<10)
	for len(chunk) > 0 {
		if size+int64(len(chunk)) > max {
			return blob.Root{}, 0, fmt.Errorf("blobstore: %w: more than %d bytes", ErrTooLarge, max)
		}
		if _, err := s.writeAt(f, chunk, size); err != nil {
			return blob.Root{}, 0, ioErr("writing the blob", err)
		}
		size += int64(len(chunk))
		n, err = io.ReadFull(cr, buf)
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return blob.Root{}, 0, fmt.Errorf("blobstore: reading the blob: %w", err)
		}
		chunk = buf[:n]
	}
	root, ob, err := blob.Encode(bufio.NewReaderSize(io.NewSectionReader(f, 0, size), 1<<20), uint64(size))
	if err != nil {
		return blob.Root{}, 0, fmt.Errorf("blobstore: hashing the blob: %w", err)
	}

	s.mu.Lock()
	m, dl, closed := s.metas[root], s.dls[root], s.closed
	if !closed && m != nil && !m.complete && m.size != uint64(size) && dl == nil {
		// Bytes hashed here prove the size; a partial row of another
		// size was begun from a lie and proves nothing.
		if _, err := s.removeLocked(root); err != nil {
			s.mu.Unlock()
			return blob.Root{}, 0, err
		}
		m = nil
	}
	s.mu.Unlock()
	switch {
	case closed:
		return blob.Root{}, 0, ErrClosed
	case m != nil && m.complete:
		return root, uint64(size), s.raise(root, tier)
	case m != nil || dl != nil:
		// Partly held or being downloaded: feed the download.
		return root, uint64(size), s.feed(root, uint64(size), tier, ob, f)
	}

	if err := s.syncFile(f); err != nil {
		return blob.Root{}, 0, ioErr("syncing the blob", err)
	}
	obTmp, err := s.writeTemp(ob)
	if err != nil {
		return blob.Root{}, 0, err
	}
	defer os.Remove(obTmp)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return blob.Root{}, 0, ErrClosed
	}
	if s.metas[root] != nil || s.dls[root] != nil {
		// Raced with another Add or a Begin: complete theirs.
		s.mu.Unlock()
		err := s.feed(root, uint64(size), tier, ob, f)
		s.mu.Lock()
		return root, uint64(size), err
	}
	if err := s.admitLocked(root, uint64(size), tier, 0); err != nil {
		return blob.Root{}, 0, err
	}
	if err := os.Rename(tmp, s.path(root, ".data")); err != nil {
		return blob.Root{}, 0, ioErr("renaming the blob", err)
	}
	if err := os.Rename(obTmp, s.path(root, ".obao")); err != nil {
		os.Remove(s.path(root, ".data"))
		return blob.Root{}, 0, ioErr("renaming the outboard", err)
	}
	fail := func(err error) (blob.Root, uint64, error) {
		os.Remove(s.path(root, ".data"))
		os.Remove(s.path(root, ".obao"))
		return blob.Root{}, 0, err
	}
	if err := syncDir(s.dir); err != nil {
		return fail(ioErr("syncing the directory", err))
	}
	now := unixMs(s.now())
	pieces := blob.Pieces(uint64(size))
	m = &meta{size: uint64(size), tier: tier, complete: true, obOK: true, have: full(pieces), added: now, used: now}
	if err := s.commitLocked(root, m, true); err != nil {
		return fail(err)
	}
	s.metas[root] = m
	s.cacheOutboardLocked(root, ob)
	return root, uint64(size), nil
}

// full returns a Bitfield of n pieces, all set.
func full(n int) blob.Bitfield {
	b := blob.NewBitfield(n)
	for i := range n {
		b.Set(i)
	}
	return b
}

// writeTemp writes b to a new synced temporary file in the directory and
// returns its name.
func (s *Store) writeTemp(b []byte) (string, error) {
	f, err := os.CreateTemp(s.dir, "tmp-*.obao")
	if err != nil {
		return "", ioErr("creating a file", err)
	}
	name := f.Name()
	_, err = s.writeAt(f, b, 0)
	if err == nil {
		err = s.syncFile(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", ioErr("writing the outboard", err)
	}
	return name, nil
}

// addInline keeps a small blob whole in its row.
func (s *Store) addInline(root blob.Root, data []byte, tier Tier) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if m := s.metas[root]; m != nil && m.complete {
		s.mu.Unlock()
		err := s.raise(root, tier)
		s.mu.Lock()
		return err
	}
	if old, dl := s.metas[root], s.dls[root]; old != nil && old.size != uint64(len(data)) {
		// A partial row of another size proves nothing: these bytes
		// hash to the root.
		if dl != nil {
			return fmt.Errorf("blobstore: %s: %w with %d bytes, not %d", root.Short(), ErrInFlight, old.size, len(data))
		}
		if _, err := s.removeLocked(root); err != nil {
			return err
		}
	}
	if s.dls[root] == nil {
		// (A download open on it was admitted by its Begin.)
		if err := s.admitLocked(root, uint64(len(data)), admitTier(s.metas[root], tier), int64(len(data))); err != nil {
			return err
		}
	}
	now := unixMs(s.now())
	m := &meta{size: uint64(len(data)), tier: tier, complete: true, have: full(blob.Pieces(uint64(len(data)))),
		added: now, used: now, inline: bytes.Clone(data)}
	if m.inline == nil {
		m.inline = []byte{}
	}
	if old := s.metas[root]; old != nil {
		m.tier = max(m.tier, old.tier)
		m.pins, m.added = old.pins, old.added
	}
	if err := s.commitLocked(root, m, true); err != nil {
		return err
	}
	s.metas[root] = m
	if dl := s.dls[root]; dl != nil {
		dl.markComplete()
	}
	return nil
}

// feed completes the partial blob root with the verified bytes in f.
func (s *Store) feed(root blob.Root, size uint64, tier Tier, ob []byte, f *os.File) error {
	p, err := s.Begin(root, size, tier)
	if err != nil {
		return err
	}
	if err := p.SetOutboard(ob); err != nil {
		p.Close()
		return err
	}
	buf := make([]byte, blob.PieceSize)
	written := p.Written()
	for i := range blob.Pieces(size) {
		if written.Has(i) {
			continue
		}
		off, n := blob.PieceSpan(size, i)
		if _, err := f.ReadAt(buf[:n], int64(off)); err != nil {
			p.Close()
			return fmt.Errorf("blobstore: reading back the blob: %w", err)
		}
		if err := p.WriteChunks(off, buf[:n]); err != nil {
			p.Close()
			return err
		}
	}
	return p.Close()
}

// raise raises the tier of root to at least t and marks it used.
func (s *Store) raise(root blob.Root, t Tier) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.metas[root]
	if m == nil {
		return ErrNotFound
	}
	m.used = unixMs(s.now())
	if t > m.tier {
		m.tier = t
		return s.commitLocked(root, m, true)
	}
	s.dirty[root] = true
	return nil
}

// Info returns what the store holds of root.
func (s *Store) Info(root blob.Root) (Info, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.metas[root]
	if m == nil {
		return Info{}, false
	}
	n := blob.Pieces(m.size)
	have := m.have.Count()
	if m.complete {
		have = n
	}
	return Info{Root: root, Size: m.size, Tier: m.effTier(), Complete: m.complete, Pieces: n, Have: have,
		Added: time.UnixMilli(m.added).UTC(), Used: time.UnixMilli(m.used).UTC()}, true
}

// Have returns the size of root and the pieces the store can serve:
// verified and durable. have is nil for a complete blob. ok is false if it
// holds nothing of root that it can serve.
func (s *Store) Have(root blob.Root) (size uint64, have blob.Bitfield, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.metas[root]
	switch {
	case m == nil:
		return 0, nil, false
	case m.complete:
		return m.size, nil, true
	case !m.obOK || m.have.Count() == 0:
		return 0, nil, false
	}
	return m.size, m.have.Clone(), true
}

// Outboard returns the checked outboard of root, empty for a blob of at
// most blob.GroupSize bytes. The caller must not modify it.
func (s *Store) Outboard(root blob.Root) ([]byte, error) {
	s.mu.Lock()
	m := s.metas[root]
	if m == nil {
		s.mu.Unlock()
		return nil, ErrNotFound
	}
	size, ok := m.size, m.complete || m.obOK
	s.mu.Unlock()
	if size <= blob.GroupSize {
		if !m.complete {
			return nil, ErrIncomplete
		}
		return []byte{}, nil
	}
	if !ok {
		return nil, fmt.Errorf("blobstore: the outboard of %s: %w", root.Short(), ErrIncomplete)
	}
	return s.outboard(root, size)
}

// outboard returns the outboard of root from memory or its file, checked.
// A file that fails the check is corrupt: the blob's pieces are forgotten.
func (s *Store) outboard(root blob.Root, size uint64) ([]byte, error) {
	s.mu.Lock()
	ob, ok := s.obCache[root]
	s.mu.Unlock()
	if ok {
		return ob, nil
	}
	ob, err := os.ReadFile(s.path(root, ".obao"))
	if err == nil {
		err = blob.CheckOutboard(root, size, ob)
	}
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, blob.ErrBadOutboard) {
			s.log.Error("blobstore: outboard file missing or corrupt: forgetting the blob's pieces", "root", root.Short(), "err", err)
			s.dropAll(root)
			return nil, fmt.Errorf("blobstore: the outboard of %s: %w: %w", root.Short(), ErrBadData, err)
		}
		return nil, fmt.Errorf("blobstore: reading the outboard of %s: %w", root.Short(), err)
	}
	s.mu.Lock()
	s.cacheOutboardLocked(root, ob)
	s.mu.Unlock()
	return ob, nil
}

func (s *Store) cacheOutboardLocked(root blob.Root, ob []byte) {
	if len(ob) == 0 || len(ob) > maxObCache {
		return
	}
	if _, ok := s.obCache[root]; ok {
		return
	}
	if s.obBytes+len(ob) > maxObCache {
		clear(s.obCache)
		s.obBytes = 0
	}
	s.obCache[root] = ob
	s.obBytes += len(ob)
}

func (s *Store) uncacheOutboardLocked(root blob.Root) {
	if ob, ok := s.obCache[root]; ok {
		s.obBytes -= len(ob)
		delete(s.obCache, root)
	}
}

// ReadPiece returns piece i of root, read into buf if it is large enough.
// It serves only pieces that are verified and durable, and verifies them
// again against the outboard before returning: a piece whose bytes on disk
// no longer match is dropped from the blob's pieces, logged, and reported
// with an error wrapping ErrBadData, never returned.
func (s *Store) ReadPiece(root blob.Root, i int, buf []byte) ([]byte, error) {
	s.mu.Lock()
	m := s.metas[root]
	if m == nil {
		s.mu.Unlock()
		return nil, ErrNotFound
	}
	size, inline, ok := m.size, m.inline, m.complete || m.have.Has(i)
	s.mu.Unlock()
	if i < 0 || i >= blob.Pieces(size) {
		return nil, fmt.Errorf("blobstore: piece %d of %s: %w: out of range", i, root.Short(), ErrNotFound)
	}
	if !ok {
		return nil, fmt.Errorf("blobstore: piece %d of %s: %w", i, root.Short(), ErrIncomplete)
	}
	if inline != nil {
		if blob.Sum(inline) != root {
			s.dropPiece(root, 0, "inline row")
			return nil, fmt.Errorf("blobstore: %s: %w", root.Short(), ErrBadData)
		}
		return append(buf[:0], inline...), nil
	}
	ob, err := s.outboard(root, size)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(s.path(root, ".data"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			s.dropAll(root)
			return nil, fmt.Errorf("blobstore: %s: %w: data file gone", root.Short(), ErrBadData)
		}
		return nil, fmt.Errorf("blobstore: %w", err)
	}
	defer f.Close()
	return s.readPiece(f, root, size, ob, i, buf)
}

// readPiece reads piece i of root from f and verifies it.
func (s *Store) readPiece(f *os.File, root blob.Root, size uint64, ob []byte, i int, buf []byte) ([]byte, error) {
	off, n := blob.PieceSpan(size, i)
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	k, err := f.ReadAt(buf, int64(off))
	if k < n && err != nil && err != io.EOF {
		return nil, fmt.Errorf("blobstore: reading piece %d of %s: %w", i, root.Short(), err)
	}
	if k == n {
		err = blob.VerifyChunks(root, size, ob, off, buf)
	} else {
		err = fmt.Errorf("%w: data file short", ErrBadData)
	}
	if err != nil {
		s.dropPiece(root, i, err.Error())
		return nil, fmt.Errorf("blobstore: piece %d of %s on disk: %w", i, root.Short(), ErrBadData)
	}
	return buf, nil
}

// dropPiece forgets piece i of root after its bytes on disk failed
// verification, so that it is never served and is fetched again.
func (s *Store) dropPiece(root blob.Root, i int, why string) {
	s.log.Error("blobstore: piece corrupt on disk: dropped", "root", root.Short(), "piece", i, "why", why)
	s.forget(root, func(have blob.Bitfield) { have.Clear(i) })
}

// dropAll forgets every piece of root.
func (s *Store) dropAll(root blob.Root) {
	s.forget(root, func(have blob.Bitfield) { clear(have) })
}

// forget applies clearBits to the pieces of root, in its row and in its
// download if one is open.
func (s *Store) forget(root blob.Root, clearBits func(blob.Bitfield)) {
	for {
		s.mu.Lock()
		dl := s.dls[root]
		s.mu.Unlock()
		if dl != nil {
			dl.mu.Lock()
		}
		s.mu.Lock()
		if s.dls[root] != dl {
			// A download began or ended meanwhile: retry in lock order.
			s.mu.Unlock()
			if dl != nil {
				dl.mu.Unlock()
			}
			continue
		}
		if m := s.metas[root]; m != nil {
			if m.complete {
				m.complete = false
				m.have = full(blob.Pieces(m.size))
			}
			clearBits(m.have)
			if m.inline != nil {
				delete(s.metas, root)
				s.commitLocked(root, nil, true)
			} else if err := s.commitLocked(root, m, true); err != nil {
				s.log.Error("blobstore: cannot record a dropped piece", "root", root.Short(), "err", err)
			}
			if dl != nil {
				dl.forgetLocked(m.have)
			}
		}
		s.mu.Unlock()
		if dl != nil {
			dl.mu.Unlock()
		}
		return
	}
}

// SetTier sets the tier of root, raising or lowering it.
func (s *Store) SetTier(root blob.Root, t Tier) error {
	if t > TierOwn {
		return fmt.Errorf("blobstore: unknown tier %d", t)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.metas[root]
	if m == nil {
		return ErrNotFound
	}
	if m.tier == t {
		return nil
	}
	m.tier = t
	return s.commitLocked(root, m, true)
}

// Pin counts one more reason to keep root: while its count is above zero
// it is TierPinned (unless own) and never evicted.
func (s *Store) Pin(root blob.Root) error { return s.pin(root, 1) }

// Unpin undoes one Pin. Unpinning a blob with no pins does nothing.
func (s *Store) Unpin(root blob.Root) error { return s.pin(root, -1) }

func (s *Store) pin(root blob.Root, d int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.metas[root]
	if m == nil {
		return ErrNotFound
	}
	switch {
	case d > 0 && m.pins < ^uint32(0):
		m.pins++
	case d < 0 && m.pins > 0:
		m.pins--
	default:
		return nil
	}
	return s.commitLocked(root, m, true)
}

// Touch records that root was used now, for the LRU order of eviction.
// The time is written to the KV in batches (and at Close).
func (s *Store) Touch(root blob.Root) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.metas[root]
	if m == nil {
		return
	}
	now := s.now()
	m.used = unixMs(now)
	s.dirty[root] = true
	if now.Sub(s.lastFlush) >= touchFlush || len(s.dirty) >= 256 {
		if err := s.flushLocked(); err != nil {
			s.log.Warn("blobstore: writing access times", "err", err)
		}
	}
}

// Remove deletes root: its row, then its files. It refuses a blob with an
// open Partial (ErrInFlight). Open Readers keep reading the removed bytes.
func (s *Store) Remove(root blob.Root) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.metas[root] == nil {
		return ErrNotFound
	}
	if s.dls[root] != nil {
		return ErrInFlight
	}
	_, err := s.removeLocked(root)
	return err
}

// removeLocked deletes the row, then the files of root, and returns the
// bytes freed.
func (s *Store) removeLocked(root blob.Root) (int64, error) {
	m := s.metas[root]
	if err := s.commitLocked(root, nil, true); err != nil {
		return 0, err
	}
	delete(s.metas, root)
	s.uncacheOutboardLocked(root)
	freed := m.haveBytes()
	if m.inline == nil {
		for _, ext := range []string{".data", ".obao"} {
			if err := os.Remove(s.path(root, ext)); err != nil && !errors.Is(err, os.ErrNotExist) {
				s.log.Warn("blobstore: removing a file", "root", root.Short(), "err", err)
			}
		}
		if m.obOK || m.complete {
			freed += int64(blob.OutboardSize(m.size))
		}
	}
	return freed, nil
}
