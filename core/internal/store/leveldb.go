package store

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/syndtr/goleveldb/leveldb"
	lerrors "github.com/syndtr/goleveldb/leveldb/errors"
	"github.com/syndtr/goleveldb/leveldb/filter"
	"github.com/syndtr/goleveldb/leveldb/iterator"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/storage"
	"github.com/syndtr/goleveldb/leveldb/util"
)

// levelOptions suit a phone as well as a desktop: a bloom filter saves disk
// reads on lookups of absent keys, and the caches stay small.
func levelOptions() *opt.Options {
	return &opt.Options{
		Filter:                 filter.NewBloomFilter(10),
		BlockCacheCapacity:     8 * opt.MiB,
		WriteBuffer:            4 * opt.MiB,
		OpenFilesCacheCapacity: 200,
	}
}

// OpenLevelDB opens or creates a LevelDB database in dir.
//
// A database left behind by a crashed or killed process opens normally:
// LevelDB replays its journal and drops a torn last write. If the database
// files are corrupted, OpenLevelDB tries to rebuild the database from its
// tables, keeping what can still be read.
//
// A write that fails (a full disk) leaves goleveldb unable to write again:
// its journal keeps the error. The KV then reopens the database, which
// replays the journal and starts a new one, before a later write: as soon as
// the disk shows room for it again, else with a backoff; until then
// writes fail with an error wrapping ErrNoSpace (or the cause) and reads
// go on. See levelDB.
func OpenLevelDB(dir string) (KV, error) {
	return openLevel(levelConfig{dir: dir, open: fileOpener(dir), free: freeSpace})
}

// fileOpener returns the function that opens the database in dir, read-only
// if asked, which writes nothing to the disk.
func fileOpener(dir string) func(readOnly bool) (*leveldb.DB, error) {
	return func(readOnly bool) (*leveldb.DB, error) {
		o := levelOptions()
		o.ReadOnly = readOnly
		db, err := leveldb.OpenFile(dir, o)
		if lerrors.IsCorrupted(err) && !readOnly {
			db, err = leveldb.RecoverFile(dir, o)
		}
		if errors.Is(err, syscall.EWOULDBLOCK) || errors.Is(err, syscall.EAGAIN) {
			// goleveldb's lock file is taken.
			err = fmt.Errorf("%w: %s", ErrInUse, dir)
		}
		return db, err
	}
}

// NewMemory returns a KV held in memory, for tests and for nodes that keep
// nothing. Its contents are lost when it is closed.
func NewMemory() KV {
	db, err := leveldb.Open(storage.NewMemStorage(), levelOptions())
	if err != nil {
		// Opening an empty memory storage cannot fail.
		panic("store: open memory database: " + err.Error())
	}
	return &levelDB{db: db, now: time.Now}
}

// Reopening after a failed write: the backoff after attempts that
// failed, and how long an attempt waits for the reads in progress.
const (
	minReopenBackoff = 100 * time.Millisecond
	maxReopenBackoff = 30 * time.Second
	reopenWait       = 2 * time.Second
	// reopenMargin is the free space asked for on top of the journals'
	// size before a reopen is tried on a disk that was full.
	reopenMargin = 1 << 20
)

// levelConfig says how to open a levelDB.
type levelConfig struct {
	dir  string                                   // the database's directory
	open func(readOnly bool) (*leveldb.DB, error) // opens it
	now  func() time.Time                         // default time.Now
	// free returns the bytes free on the disk holding a directory, and
	// whether it could tell; nil if it never can.
	free func(dir string) (uint64, bool)
	wait time.Duration // default reopenWait
}

// openLevel opens a levelDB as c says.
func openLevel(c levelConfig) (KV, error) {
	db, err := c.open(false)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", c.dir, err)
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.wait <= 0 {
		c.wait = reopenWait
	}
	return &levelDB{db: db, dir: c.dir, open: c.open, now: c.now, free: c.free, wait: c.wait}, nil
}

// levelDB is a KV backed by goleveldb.
//
// goleveldb keeps the first error of a journal write for good: after a
// disk filled up, every later write fails with it until the database is
// reopened (LevelDB does the same with its background error). So a failed
// write marks the levelDB broken, and a later write reopens it first:
// closing it lets the journal go, and opening it replays every journal
// (dropping the torn record of the failed write) and starts a new one.
// Every write acknowledged before is in a journal or a table, so none is
// lost. The reopen waits for the reads and iterators in progress on the
// old database to end (it gives up after wait and tries later, so an
// iterator held across a write cannot deadlock it; calls made meanwhile
// wait for it, then use the old database if it gave up, which still
// reads). The first attempt is made by the next write, except that after
// a write failed for want of space it waits until the disk shows room for
// the journals again, or maxReopenBackoff (the room a disk shows is not
// always what the process may use); after an attempt that failed, the next
// waits for an exponential backoff too. If the database cannot be reopened
// for writing, it is opened read-only, so reads go on. Nothing runs in the
// background: writes drive the recovery.
type levelDB struct {
	dir  string
	open func(readOnly bool) (*leveldb.DB, error) // nil in memory: never reopened
	now  func() time.Time
	free func(dir string) (uint64, bool)
	wait time.Duration

	batches sync.Pool // of *leveldb.Batch, for Commit

	mu        sync.Mutex
	db        *leveldb.DB   // nil after Close, or after a reopen failed
	users     int           // calls and iterators using db
	idle      chan struct{} // closed when users drops to 0, if a reopen waits
	gate      chan struct{} // closed when a reopen stops waiting; nil unless one waits
	closed    bool
	reopening bool
	broken    error     // why writes need a reopen first; nil while they work
	failures  int       // reopen attempts that failed since writes last worked
	last      time.Time // when writes broke, or the last attempt failed
	next      time.Time // the backoff after the last failed attempt ends
}

func (l *levelDB) Get(key []byte) ([]byte, error) {
	db, err := l.acquire()
	if err != nil {
		return nil, err
	}
	defer l.release()
	v, err := db.Get(key, nil)
	if err != nil {
		return nil, levelError(err)
	}
	return v, nil
}

func (l *levelDB) Find(start, end []byte, reverse bool) Iterator {
	db, err := l.acquire()
	if err != nil {
		return &levelIter{closed: true, err: err}
	}
	return &levelIter{
		it:      db.NewIterator(&util.Range{Start: start, Limit: end}, nil),
		reverse: reverse,
		release: l.release,
	}
}

func (l *levelDB) Commit(b *Batch, sync bool) error {
	if err := l.recover(); err != nil {
		return err
	}
	db, err := l.acquire()
	if err != nil {
		return err
	}
	// Each write costs LevelDB a type byte and up to two 5-byte lengths.
	lb := l.getBatch(b.Size() + 11*b.Len())
	b.Replay(lb)
	err = db.Write(lb, &opt.WriteOptions{Sync: sync})
	l.putBatch(lb)
	l.release()
	return l.wrote(err)
}

// maxPooledBatch is the largest batch, in bytes, kept for reuse.
const maxPooledBatch = 64 << 10

// getBatch returns an empty LevelDB batch with room for size bytes. Every
// write to the store needs one, and LevelDB copies what it writes (to its
// journal and memtable) before Write returns: batches are reused.
func (l *levelDB) getBatch(size int) *leveldb.Batch {
	if size <= maxPooledBatch {
		if lb, ok := l.batches.Get().(*leveldb.Batch); ok {
			return lb // grown by earlier writes
		}
	}
	return leveldb.MakeBatch(size)
}

// putBatch returns lb, which LevelDB is done with, for reuse.
func (l *levelDB) putBatch(lb *leveldb.Batch) {
	if cap(lb.Dump()) > maxPooledBatch {
		return
	}
	lb.Reset()
	l.batches.Put(lb)
}

// wrote records the outcome of a write and returns the error for it.
func (l *levelDB) wrote(err error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case err == nil:
		l.broken, l.failures, l.next = nil, 0, time.Time{}
		return nil
	case errors.Is(err, leveldb.ErrClosed):
		return ErrClosed
	case errors.Is(err, leveldb.ErrReadOnly) && l.broken != nil:
		return l.broken // another write broke it and it was reopened read-only meanwhile
	}
	if l.broken == nil {
		l.last = l.now()
	} else {
		l.backoff() // a reopen did not help
	}
	l.broken = l.writeError(err)
	return l.broken
}

// writeError says what a failed write means for the user.
func (l *levelDB) writeError(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return &noSpaceError{dir: l.dir, err: err}
	}
	return fmt.Errorf("store: write failed, retried with later writes: %w", err)
}

// recover reopens the database before a write if writes are broken and an
// attempt is due. It returns nil if the write may go ahead, or the error
// that broke writes.
func (l *levelDB) recover() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.closed:
		return ErrClosed
	case l.broken == nil:
		return nil
	case l.open == nil || l.reopening || !l.due():
		return l.broken
	}
	l.reopening = true
	defer func() { l.reopening = false }()
	if !l.drain() {
		if l.closed {
			return ErrClosed
		}
		l.backoff()
		return l.broken
	}
	return l.reopen()
}

// due reports whether a reopen may be tried now: not before the backoff
// after a failed attempt ends; and after a write failed for want of space,
// only once the disk shows room for the journals again, or
// maxReopenBackoff after writes broke or the last attempt. l.mu is held.
func (l *levelDB) due() bool {
	now := l.now()
	if now.Before(l.next) {
		return false
	}
	if errors.Is(l.broken, ErrNoSpace) && l.free != nil && now.Sub(l.last) < maxReopenBackoff {
		if free, ok := l.free(l.dir); ok && free < l.journalSize()+reopenMargin {
			return false // still full: do not churn the disk
		}
	}
	return true
}

// journalSize returns the size of the database's journals, which opening
// it writes into a table.
func (l *levelDB) journalSize() uint64 {
	files, err := os.ReadDir(l.dir)
	if err != nil {
		return 0
	}
	var n uint64
	for _, f := range files {
		if info, err := f.Info(); err == nil && strings.HasSuffix(f.Name(), ".log") && info.Mode().IsRegular() {
			n += uint64(info.Size())
		}
	}
	return n
}

// backoff records a failed attempt. l.mu is held.
func (l *levelDB) backoff() {
	d := min(minReopenBackoff<<min(l.failures, 16), maxReopenBackoff)
	l.failures++
	l.last = l.now()
	l.next = l.last.Add(d)
}

// drain waits, for up to l.wait, until nothing uses l.db, and reports
// whether that happened. Calls made meanwhile wait until it is over, so
// that busy readers cannot starve it; one made by a caller that holds an
// iterator waits for it to give up. l.mu is held, and released while
// waiting.
func (l *levelDB) drain() bool {
	gate := make(chan struct{})
	l.gate = gate
	defer func() {
		close(gate)
		l.gate = nil
	}()
	timer := time.NewTimer(l.wait)
	defer timer.Stop()
	for l.users > 0 && !l.closed {
		if l.idle == nil {
			l.idle = make(chan struct{})
		}
		idle := l.idle
		l.mu.Unlock()
		select {
		case <-idle:
		case <-timer.C:
			l.mu.Lock()
			return false
		}
		l.mu.Lock()
	}
	return !l.closed
}

// reopen closes the database and opens it again; if that fails, it opens
// it read-only so that reads go on. It returns nil if writes may be tried.
// Nothing uses l.db, and l.mu is held.
func (l *levelDB) reopen() error {
	if l.db != nil {
		l.db.Close() // the error is the one that broke writes
		l.db = nil
	}
	db, err := l.open(false)
	if err == nil {
		l.db = db
		return nil
	}
	l.backoff()
	l.broken = l.writeError(err)
	if db, rerr := l.open(true); rerr == nil {
		l.db = db
	}
	return l.broken
}

// acquire returns the database for one call or iterator, which must call
// release when done. It waits while a reopen waits for the calls in
// progress to end.
func (l *levelDB) acquire() (*leveldb.DB, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.gate != nil && !l.closed {
		gate := l.gate
		l.mu.Unlock()
		<-gate
		l.mu.Lock()
	}
	if l.closed {
		return nil, ErrClosed
	}
	if l.db == nil && l.open != nil && !l.reopening && l.due() {
		l.reopen() // a reopen failed for reads as well: try again
	}
	if l.db == nil {
		return nil, fmt.Errorf("store: database not open: %w", l.broken)
	}
	l.users++
	return l.db, nil
}

// release ends a use of the database that acquire returned.
func (l *levelDB) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.users--
	if l.users == 0 && l.idle != nil {
		close(l.idle)
		l.idle = nil
	}
}

func (l *levelDB) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	if l.idle != nil {
		close(l.idle) // a waiting reopen gives up
		l.idle = nil
	}
	if l.db == nil {
		return nil
	}
	err := l.db.Close()
	if errors.Is(err, leveldb.ErrClosed) {
		return nil
	}
	if l.broken != nil {
		return nil // the write that failed said why
	}
	return levelError(err)
}

// noSpaceError is a write refused for want of space on the disk holding
// dir. Its message says what to do.
type noSpaceError struct {
	dir string
	err error
}

func (e *noSpaceError) Error() string {
	where := ""
	if e.dir != "" {
		where = " on the disk holding " + e.dir
	}
	return ErrNoSpace.Error() + ": free some space" + where + "; writes resume by themselves"
}

func (e *noSpaceError) Unwrap() []error { return []error{ErrNoSpace, e.err} }

// levelError translates goleveldb's errors into the store's.
func levelError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, leveldb.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, leveldb.ErrClosed):
		return ErrClosed
	}
	return fmt.Errorf("store: leveldb: %w", err)
}

// levelIter adapts a goleveldb iterator, which needs First or Last to
// start, to the Iterator interface, where Next also starts.
type levelIter struct {
	it      iterator.Iterator
	reverse bool
	started bool
	closed  bool
	err     error
	release func() // ends the iterator's use of the database; nil if none
}

func (i *levelIter) Next() bool {
	switch {
	case i.closed:
		return false
	case !i.started:
		i.started = true
		if i.reverse {
			return i.it.Last()
		}
		return i.it.First()
	case i.reverse:
		return i.it.Prev()
	}
	return i.it.Next()
}

func (i *levelIter) Key() []byte   { return i.it.Key() }
func (i *levelIter) Value() []byte { return i.it.Value() }

func (i *levelIter) Close() error {
	if !i.closed {
		i.closed = true
		i.err = levelError(i.it.Error())
		i.it.Release()
		if i.release != nil {
			i.release()
		}
	}
	return i.err
}
