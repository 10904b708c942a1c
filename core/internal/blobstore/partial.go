package blobstore

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/skein-p2p/skein/core/internal/blob"
)

// groupsPerPiece is the number of chunk groups in a full piece.
const groupsPerPiece = blob.PieceSize / blob.GroupSize

// download is the state of a blob being written, shared by every Partial
// open on it. Lock order: io, then syncMu, then mu, then Store.mu.
type download struct {
	s    *Store
	root blob.Root
	size uint64
	refs int // Partials open; guarded by Store.mu

	ready   chan struct{} // closed when Begin has opened the file
	initErr error

	complete atomic.Bool

	syncMu sync.Mutex   // one sync at a time
	io     sync.RWMutex // writers share it; finish takes it to close f

	mu       sync.Mutex
	f        *os.File // nil for a small blob, and after finish
	ob       []byte
	obOK     bool
	groups   blob.Bitfield // groups written (durable or not)
	have     blob.Bitfield // pieces durable: mirrors the row
	pending  blob.Bitfield // pieces written whole, not yet synced
	unsynced int64
	lastSync time.Time
	timer    *time.Timer
	closed   bool
}

// Partial is a handle on a blob being downloaded, from Begin. It is safe
// for concurrent use: several goroutines may write different ranges at
// once. Close it after use.
type Partial struct {
	dl     *download
	closed atomic.Bool
}

// Begin creates the partial blob root of size bytes, or resumes it from its
// durable pieces, and marks it in flight: it is never evicted while any
// Partial on it is open. Several Begins of the same root share its state.
// Its tier only ever rises. Beginning a blob held whole returns a Partial
// that is already Complete; beginning it with another size than a complete
// blob's fails with ErrBadData. An incomplete blob held with another size
// is discarded, pieces and all (its size was never proven), unless a
// Partial is open on it (ErrInFlight). A cache or thumbnail blob is
// admitted within its tier's budget, evicting that tier's least recently
// used blobs not in use (regardless of Limits.Immunity) or failing with
// ErrBudget, and never takes the free space below Limits.MinFree
// (ErrNoSpace).
func (s *Store) Begin(root blob.Root, size uint64, tier Tier) (*Partial, error) {
	if size > blob.MaxSize {
		return nil, fmt.Errorf("blobstore: %w: %d bytes", ErrTooLarge, size)
	}
	if tier > TierOwn {
		return nil, fmt.Errorf("blobstore: unknown tier %d", tier)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	m := s.metas[root]
	if m != nil && m.size != size && !m.complete {
		// Only a complete blob proves its size: pieces verified under
		// another, unproven size (a descriptor or a crafted outboard may
		// lie, and every piece but the last verifies under a size one
		// byte short) prove nothing. Start over with this one.
		if s.dls[root] != nil {
			s.mu.Unlock()
			return nil, fmt.Errorf("blobstore: %s: %w with %d bytes, not %d", root.Short(), ErrInFlight, m.size, size)
		}
		if _, err := s.removeLocked(root); err != nil {
			s.mu.Unlock()
			return nil, err
		}
		m = nil
	}
	if m != nil && m.size != size {
		s.mu.Unlock()
		return nil, fmt.Errorf("blobstore: %s: %w: it has %d bytes, not %d", root.Short(), ErrBadData, m.size, size)
	}
	if dl := s.dls[root]; dl != nil {
		dl.refs++
		s.mu.Unlock()
		<-dl.ready
		if dl.initErr != nil {
			s.release(dl)
			return nil, dl.initErr
		}
		if err := s.raise(root, tier); err != nil {
			s.release(dl)
			return nil, err
		}
		return &Partial{dl: dl}, nil
	}
	if m == nil || !m.complete {
		var held int64
		if m != nil {
			held = diskBytes(m)
		}
		if err := s.admitLocked(root, size, admitTier(m, tier), blobBytes(size)-held); err != nil {
			s.mu.Unlock()
			return nil, err
		}
	}
	now := unixMs(s.now())
	created := m == nil
	if m == nil {
		m = &meta{size: size, tier: tier, have: blob.NewBitfield(blob.Pieces(size)), added: now, used: now}
		if err := s.commitLocked(root, m, true); err != nil {
			s.mu.Unlock()
			return nil, err
		}
		s.metas[root] = m
	} else {
		m.used = now
		if tier > m.tier {
			m.tier = tier
			if err := s.commitLocked(root, m, true); err != nil {
				s.mu.Unlock()
				return nil, err
			}
		}
	}
	dl := &download{s: s, root: root, size: size, refs: 1, ready: make(chan struct{}),
		have: m.have.Clone(), obOK: m.obOK, lastSync: s.now()}
	if m.complete {
		dl.have = full(blob.Pieces(size))
		dl.complete.Store(true)
	}
	dl.pending = blob.NewBitfield(blob.Pieces(size))
	s.dls[root] = dl
	s.mu.Unlock()

	dl.initErr = dl.open()
	close(dl.ready)
	if dl.initErr != nil {
		s.release(dl)
		if created {
			// Nothing was downloaded: leave no row and no file behind.
			s.mu.Lock()
			if s.dls[root] == nil && s.metas[root] == m && m.have.Count() == 0 {
				s.removeLocked(root)
			}
			s.mu.Unlock()
		}
		return nil, dl.initErr
	}
	return &Partial{dl: dl}, nil
}

// open opens (creating and sizing) the data file and loads the outboard.
func (dl *download) open() error {
	s := dl.s
	if dl.size <= blob.GroupSize {
		return nil
	}
	path := s.path(dl.root, ".data")
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return ioErr("opening the data file", err)
	}
	st, err := f.Stat()
	if err == nil && st.Size() != int64(dl.size) {
		err = f.Truncate(int64(dl.size))
		dl.mu.Lock()
		lost := err == nil && st.Size() < int64(dl.size) && dl.have.Count() > 0
		dl.mu.Unlock()
		if lost {
			// A shorter file lost pieces the row claims: forget them all.
			f.Close()
			s.dropAll(dl.root)
			return dl.open()
		}
	}
	if err == nil && errors.Is(statErr, os.ErrNotExist) {
		err = syncDir(s.dir)
	}
	if err != nil {
		f.Close()
		return ioErr("sizing the data file", err)
	}
	dl.mu.Lock()
	obOK := dl.obOK
	dl.mu.Unlock()
	var ob []byte
	if obOK {
		// On failure the pieces were forgotten (Store.forget); the
		// outboard is fetched again.
		ob, err = s.outboard(dl.root, dl.size)
	}
	dl.mu.Lock()
	defer dl.mu.Unlock()
	if obOK && err != nil {
		dl.obOK = false
		dl.have = blob.NewBitfield(blob.Pieces(dl.size))
	}
	dl.ob = ob
	dl.groups = blob.NewBitfield(int((dl.size + blob.GroupSize - 1) / blob.GroupSize))
	for i := range blob.Pieces(dl.size) {
		if dl.have.Has(i) {
			dl.setPieceGroups(i, true)
		}
	}
	dl.f = f
	return nil
}

// pieceGroups returns the range of groups of piece i.
func (dl *download) pieceGroups(i int) (lo, hi int) {
	n := int((dl.size + blob.GroupSize - 1) / blob.GroupSize)
	return i * groupsPerPiece, min((i+1)*groupsPerPiece, n)
}

func (dl *download) setPieceGroups(i int, on bool) {
	lo, hi := dl.pieceGroups(i)
	for g := lo; g < hi; g++ {
		if on {
			dl.groups.Set(g)
		} else {
			dl.groups.Clear(g)
		}
	}
}

// forgetLocked makes the download forget the pieces not in have, after
// Store.forget dropped them. dl.mu and Store.mu are held.
func (dl *download) forgetLocked(have blob.Bitfield) {
	dl.complete.Store(false)
	for i := range blob.Pieces(dl.size) {
		if dl.have.Has(i) && !have.Has(i) {
			dl.have.Clear(i)
			dl.pending.Clear(i)
			if dl.groups != nil {
				dl.setPieceGroups(i, false)
			}
		}
	}
}

func (dl *download) markComplete() { dl.complete.Store(true) }

// release drops one reference to dl, finishing it with the last.
func (s *Store) release(dl *download) error {
	s.mu.Lock()
	dl.refs--
	last := dl.refs == 0
	if last && s.dls[dl.root] == dl {
		delete(s.dls, dl.root)
	}
	s.mu.Unlock()
	if last {
		return dl.finish()
	}
	return nil
}

// finish syncs what was written, commits it and closes the file.
func (dl *download) finish() error {
	dl.mu.Lock()
	if dl.closed {
		dl.mu.Unlock()
		return nil
	}
	if dl.timer != nil {
		dl.timer.Stop()
		dl.timer = nil
	}
	dl.mu.Unlock()
	err := dl.sync()
	dl.io.Lock()
	defer dl.io.Unlock()
	dl.syncMu.Lock()
	defer dl.syncMu.Unlock()
	dl.mu.Lock()
	defer dl.mu.Unlock()
	dl.closed = true
	if dl.f != nil {
		if cerr := dl.f.Close(); err == nil {
			err = cerr
		}
		dl.f = nil
	}
	return err
}

// Outboard returns the outboard set on the blob, if any (always, empty, for
// a blob of at most blob.GroupSize bytes). The caller must not modify it.
func (p *Partial) Outboard() ([]byte, bool) {
	dl := p.dl
	if dl.size <= blob.GroupSize {
		return []byte{}, true
	}
	dl.mu.Lock()
	defer dl.mu.Unlock()
	return dl.ob, dl.obOK
}

// SetOutboard checks ob with blob.CheckOutboard (errors wrap
// blob.ErrBadOutboard) and stores it durably. Setting it again does
// nothing.
func (p *Partial) SetOutboard(ob []byte) error {
	if p.closed.Load() {
		return ErrClosed
	}
	dl := p.dl
	if err := blob.CheckOutboard(dl.root, dl.size, ob); err != nil {
		return fmt.Errorf("blobstore: %w", err)
	}
	if dl.size <= blob.GroupSize {
		return nil
	}
	dl.mu.Lock()
	defer dl.mu.Unlock()
	if dl.obOK {
		return nil
	}
	s := dl.s
	ob = bytes.Clone(ob)
	tmp, err := s.writeTemp(ob)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, s.path(dl.root, ".obao")); err != nil {
		os.Remove(tmp)
		return ioErr("renaming the outboard", err)
	}
	if err := syncDir(s.dir); err != nil {
		return ioErr("syncing the directory", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.metas[dl.root]
	if m == nil {
		return ErrNotFound
	}
	m.obOK = true
	if err := s.commitLocked(dl.root, m, true); err != nil {
		m.obOK = false
		return err
	}
	s.cacheOutboardLocked(dl.root, ob)
	dl.ob, dl.obOK = ob, true
	return nil
}

// WriteChunks verifies data, the bytes at offset off (see
// blob.VerifyChunks), and only then writes them. Bytes that fail return an
// error wrapping ErrBadData and nothing is written. A piece counts in
// Written once all its bytes are written, and in Have once they are also
// synced: every 4 MiB or 1 s the data file is synced and then the row
// updated. A full disk returns an error wrapping ErrNoSpace; what was
// durable is kept.
func (p *Partial) WriteChunks(off uint64, data []byte) error {
	if p.closed.Load() {
		return ErrClosed
	}
	dl := p.dl
	s := dl.s
	if dl.complete.Load() {
		return blobErr(blob.VerifyChunks(dl.root, dl.size, p.obOrNil(), off, data))
	}
	if dl.size <= blob.GroupSize {
		if err := blob.VerifyChunks(dl.root, dl.size, nil, off, data); err != nil {
			return blobErr(err)
		}
		if err := s.addInline(dl.root, data, TierCache); err != nil {
			return err
		}
		dl.mu.Lock()
		dl.have = full(blob.Pieces(dl.size))
		dl.mu.Unlock()
		return nil
	}
	ob, ok := p.Outboard()
	if !ok {
		return fmt.Errorf("blobstore: %s: no outboard yet: call SetOutboard first", dl.root.Short())
	}
	if err := blob.VerifyChunks(dl.root, dl.size, ob, off, data); err != nil {
		return blobErr(err)
	}

	dl.io.RLock()
	defer dl.io.RUnlock()
	dl.mu.Lock()
	f, closed := dl.f, dl.closed
	dl.mu.Unlock()
	if closed || f == nil {
		return ErrClosed
	}
	if _, err := s.writeAt(f, data, int64(off)); err != nil {
		return ioErr("writing "+dl.root.Short(), err)
	}

	dl.mu.Lock()
	g0 := int(off / blob.GroupSize)
	g1 := int((off + uint64(len(data)) + blob.GroupSize - 1) / blob.GroupSize)
	for g := g0; g < g1; g++ {
		dl.groups.Set(g)
	}
	for i := g0 / groupsPerPiece; i <= (g1-1)/groupsPerPiece; i++ {
		if dl.have.Has(i) || dl.pending.Has(i) {
			continue
		}
		lo, hi := dl.pieceGroups(i)
		whole := true
		for g := lo; g < hi && whole; g++ {
			whole = dl.groups.Has(g)
		}
		if whole {
			dl.pending.Set(i)
		}
	}
	dl.unsynced += int64(len(data))
	now := s.now()
	due := dl.unsynced >= s.syncBytes || now.Sub(dl.lastSync) >= s.syncEvery
	if !due && dl.timer == nil && !dl.closed {
		dl.timer = time.AfterFunc(s.syncEvery, dl.timerSync)
	}
	dl.mu.Unlock()
	if due {
		return dl.syncLocked()
	}
	return nil
}

// syncLocked is sync for a caller holding dl.io shared.
func (dl *download) syncLocked() error { return dl.syncWith(false) }

// sync makes the pieces written so far durable: it syncs the data file,
// then adds them to the row.
func (dl *download) sync() error { return dl.syncWith(true) }

func (dl *download) syncWith(lockIO bool) error {
	if lockIO {
		dl.io.RLock()
		defer dl.io.RUnlock()
	}
	dl.syncMu.Lock()
	defer dl.syncMu.Unlock()
	dl.mu.Lock()
	f := dl.f
	if f == nil || dl.closed {
		dl.mu.Unlock()
		return nil
	}
	snap := dl.pending.Clone()
	unsynced := dl.unsynced
	dl.unsynced = 0
	dl.lastSync = dl.s.now()
	dl.mu.Unlock()
	if snap.Count() == 0 && unsynced == 0 {
		return nil
	}
	if err := dl.s.syncFile(f); err != nil {
		dl.mu.Lock()
		dl.unsynced += unsynced
		dl.mu.Unlock()
		return ioErr("syncing "+dl.root.Short(), err)
	}
	if snap.Count() == 0 {
		return nil
	}
	dl.mu.Lock()
	defer dl.mu.Unlock()
	s := dl.s
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.metas[dl.root]
	if m == nil {
		return ErrNotFound
	}
	have := m.have.Clone()
	for i := range blob.Pieces(dl.size) {
		if snap.Has(i) && dl.pending.Has(i) {
			have.Set(i)
		}
	}
	old, oldComplete := m.have, m.complete
	m.have = have
	m.complete = have.Full(blob.Pieces(dl.size))
	if err := s.commitLocked(dl.root, m, true); err != nil {
		m.have, m.complete = old, oldComplete
		return err
	}
	for i := range blob.Pieces(dl.size) {
		if have.Has(i) {
			dl.pending.Clear(i)
		}
	}
	dl.have = have.Clone()
	if m.complete {
		dl.complete.Store(true)
		s.log.Debug("blobstore: blob complete", "root", dl.root.Short(), "size", dl.size)
	}
	return nil
}

// timerSync syncs a second after unsynced pieces appeared.
func (dl *download) timerSync() {
	dl.mu.Lock()
	dl.timer = nil
	closed := dl.closed
	dl.mu.Unlock()
	if closed {
		return
	}
	if err := dl.sync(); err != nil {
		dl.s.log.Warn("blobstore: syncing a download", "root", dl.root.Short(), "err", err)
	}
}

func (p *Partial) obOrNil() []byte {
	ob, _ := p.Outboard()
	return ob
}

// blobErr prefixes an error of package blob.
func blobErr(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("blobstore: %w", err)
}

// Have returns the pieces written, verified and durable (a copy).
func (p *Partial) Have() blob.Bitfield {
	dl := p.dl
	dl.mu.Lock()
	defer dl.mu.Unlock()
	return dl.have.Clone()
}

// Written returns the pieces written whole, durable or not yet (a copy):
// a downloader need not fetch them again.
func (p *Partial) Written() blob.Bitfield {
	dl := p.dl
	dl.mu.Lock()
	defer dl.mu.Unlock()
	w := dl.have.Clone()
	for i := range blob.Pieces(dl.size) {
		if dl.pending.Has(i) {
			w.Set(i)
		}
	}
	return w
}

// Complete reports whether every piece is written and durable.
func (p *Partial) Complete() bool { return p.dl.complete.Load() }

// Close syncs what was written, commits it and releases the in-flight mark
// (with the last Partial open on the blob). Calling it twice is safe.
func (p *Partial) Close() error {
	if p.closed.Swap(true) {
		return nil
	}
	dl := p.dl
	err := dl.sync()
	if rerr := dl.s.release(dl); err == nil {
		err = rerr
	}
	return err
}
