package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/syndtr/goleveldb/leveldb/storage"

	"github.com/skein-p2p/skein/core/internal/store"
)

// fullDisk is a database's storage on a real disk that can be made to
// fill up: while full is set, every write fails with ENOSPC after writing
// half of what it was given, as a disk that fills in the middle of a write
// does, and so do syncs and the rename of a new CURRENT file. While
// unreadable is set, opening a file fails too.
type fullDisk struct {
	storage.Storage
	full, unreadable atomic.Bool
	closed           atomic.Bool
}

// Close closes the storage underneath; calling it twice is safe.
func (d *fullDisk) Close() error {
	if d.closed.Swap(true) {
		return nil
	}
	return d.Storage.Close()
}

func (d *fullDisk) noSpace(op string, fd storage.FileDesc) error {
	return &os.PathError{Op: op, Path: fd.String(), Err: syscall.ENOSPC}
}

func (d *fullDisk) Create(fd storage.FileDesc) (storage.Writer, error) {
	w, err := d.Storage.Create(fd)
	if err != nil {
		return nil, err
	}
	return &fullWriter{Writer: w, disk: d, fd: fd}, nil
}

func (d *fullDisk) Open(fd storage.FileDesc) (storage.Reader, error) {
	if d.unreadable.Load() {
		return nil, &os.PathError{Op: "open", Path: fd.String(), Err: syscall.EIO}
	}
	return d.Storage.Open(fd)
}

func (d *fullDisk) SetMeta(fd storage.FileDesc) error {
	if d.full.Load() {
		return d.noSpace("write", fd)
	}
	return d.Storage.SetMeta(fd)
}

type fullWriter struct {
	storage.Writer
	disk *fullDisk
	fd   storage.FileDesc
}

func (w *fullWriter) Write(p []byte) (int, error) {
	if w.disk.full.Load() {
		n, _ := w.Writer.Write(p[:len(p)/2])
		return n, w.disk.noSpace("write", w.fd)
	}
	return w.Writer.Write(p)
}

func (w *fullWriter) Sync() error {
	if w.disk.full.Load() {
		return w.disk.noSpace("sync", w.fd)
	}
	return w.Writer.Sync()
}

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// openFullDisk opens a LevelDB KV in a new directory over a fullDisk. Its
// storage is closed after the KV when the test ends, or by disk.Close.
func openFullDisk(t *testing.T) (kv store.KV, disk *fullDisk, clock *fakeClock, dir string) {
	t.Helper()
	dir = t.TempDir()
	fs, err := storage.OpenFile(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	disk = &fullDisk{Storage: fs}
	clock = &fakeClock{now: time.Unix(1e9, 0)}
	kv, err = store.OpenLevelDBOn(dir, disk, clock.Now, 50*time.Millisecond)
	if err != nil {
		fs.Close()
		t.Fatalf("OpenLevelDBOn() = %v", err)
	}
	t.Cleanup(func() {
		kv.Close()
		disk.Close()
	})
	return kv, disk, clock, dir
}

// ledger writes numbered keys to a KV and remembers which writes were
// acknowledged and which failed.
type ledger struct {
	kv     store.KV
	n      int
	acked  map[string][]byte
	failed []string
}

// write commits one key, synced every other time, with a value large
// enough that a few hundred fill LevelDB's write buffer's first blocks.
func (l *ledger) write() error {
	key := fmt.Sprintf("k%06d", l.n)
	value := bytes.Repeat([]byte{byte('a' + l.n%26)}, 700)
	var b store.Batch
	b.Put([]byte(key), value)
	b.Put([]byte(key+"/twin"), value) // the batch is atomic: both or neither
	err := l.kv.Commit(&b, l.n%2 == 0)
	if err == nil {
		l.acked[key] = value
	} else {
		l.failed = append(l.failed, key)
	}
	l.n++
	return err
}

// check verifies that kv holds every acknowledged write and no failed
// one.
func (l *ledger) check(t *testing.T, kv store.KV, when string) {
	t.Helper()
	for key, want := range l.acked {
		for _, k := range []string{key, key + "/twin"} {
			if got, err := kv.Get([]byte(k)); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%s: Get(%s) = %d bytes, %v, want the acknowledged write", when, k, len(got), err)
			}
		}
	}
	for _, key := range l.failed {
		for _, k := range []string{key, key + "/twin"} {
			if _, err := kv.Get([]byte(k)); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("%s: Get(%s) = %v, want ErrNotFound: its write failed", when, k, err)
			}
		}
	}
}

// TestLevelDBFullDisk fills the disk under a LevelDB KV while readers and
// an iterator are at work, then frees it: writes fail with an error that
// says what to do while it is full, reads go on all along, writes work
// again without the caller reopening anything, and every acknowledged
// write is there, after a real close and reopen too.
func TestLevelDBFullDisk(t *testing.T) {
	kv, disk, clock, dir := openFullDisk(t)
	l := &ledger{kv: kv, acked: make(map[string][]byte)}
	for range 300 {
		if err := l.write(); err != nil {
			t.Fatalf("Commit() before the disk fills = %v", err)
		}
	}

	// Readers of what was written before the disk filled, all along.
	stop := make(chan struct{})
	var readers sync.WaitGroup
	var reads atomic.Int64
	stopReaders := sync.OnceFunc(func() {
		close(stop)
		readers.Wait()
	})
	defer stopReaders()
	for r := range 4 {
		readers.Go(func() {
			for i := 0; i < 1_000_000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("k%06d", (i*7+r*53)%300)
				if _, err := kv.Get([]byte(key)); err != nil {
					t.Errorf("reader: Get(%s) = %v", key, err)
					return
				}
				if i%50 == 0 {
					it := kv.Find([]byte(key), []byte(key+"0"), false)
					n := 0
					for it.Next() {
						n++
					}
					if err := it.Close(); err != nil || n != 2 {
						t.Errorf("reader: Find(%s) = %d keys, %v, want 2", key, n, err)
						return
					}
				}
				reads.Add(1)
			}
		})
	}
	// An iterator held open across the failure: a reopen must wait for it.
	held := kv.Find([]byte("k"), []byte("l"), false)
	if !held.Next() {
		t.Fatalf("Find().Next() = false, want the first key")
	}

	disk.full.Store(true)
	err := l.write()
	if !errors.Is(err, store.ErrNoSpace) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Commit() on a full disk = %v, want ErrNoSpace wrapping ENOSPC", err)
	}
	for _, says := range []string{"no space left on device", "free some space", dir, "writes resume by themselves"} {
		if !strings.Contains(err.Error(), says) {
			t.Errorf("Commit() on a full disk = %q, want it to say %q", err, says)
		}
	}
	// Writes go on failing while the disk is full, whether a reopen is
	// tried (the disk this test runs on shows room) or not: with the
	// iterator open, it waits for it and gives up; once it is closed,
	// the database cannot be reopened for writing and is opened
	// read-only.
	for i := range 6 {
		if i == 3 {
			if !held.Next() || string(held.Key()) != "k000000/twin" {
				t.Errorf("the held iterator's Next() = %q, want k000000/twin", held.Key())
			}
			if err := held.Close(); err != nil {
				t.Errorf("the held iterator's Close() = %v", err)
			}
		}
		clock.Advance(time.Second)
		if err := l.write(); !errors.Is(err, store.ErrNoSpace) {
			t.Fatalf("Commit() %d on a full disk = %v, want ErrNoSpace", i+2, err)
		}
		l.check(t, kv, "while the disk is full")
	}

	disk.full.Store(false)
	clock.Advance(time.Minute) // past the backoff after the attempts that failed
	for i := range 300 {
		if err := l.write(); err != nil {
			t.Fatalf("Commit() %d after space returned = %v, want it to work", i, err)
		}
	}
	stopReaders()
	if reads.Load() == 0 {
		t.Error("the readers read nothing: the test proves nothing about them")
	}
	l.check(t, kv, "after space returned")
	if len(l.failed) != 7 || len(l.acked) != 600 {
		t.Errorf("%d writes failed and %d were acknowledged, want 7 and 600", len(l.failed), len(l.acked))
	}

	// A real close and reopen, without the wrapper.
	if err := kv.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
	disk.Close()
	reopened, err := store.OpenLevelDB(dir)
	if err != nil {
		t.Fatalf("OpenLevelDB() after the disk filled = %v", err)
	}
	defer reopened.Close()
	l.check(t, reopened, "after a reopen")
}

// TestLevelDBUnreadable: when the database can be opened neither for
// writing nor read-only after a write failed, calls fail with an error,
// and work again once it can be opened.
func TestLevelDBUnreadable(t *testing.T) {
	kv, disk, clock, _ := openFullDisk(t)
	l := &ledger{kv: kv, acked: make(map[string][]byte)}
	for range 50 {
		if err := l.write(); err != nil {
			t.Fatalf("Commit() = %v", err)
		}
	}
	disk.full.Store(true)
	if err := l.write(); !errors.Is(err, store.ErrNoSpace) {
		t.Fatalf("Commit() on a full disk = %v, want ErrNoSpace", err)
	}
	disk.unreadable.Store(true)
	clock.Advance(time.Second)
	if err := l.write(); err == nil {
		t.Fatal("Commit() on an unreadable disk worked")
	}
	if _, err := kv.Get([]byte("k000000")); err == nil {
		t.Fatal("Get() with no database open worked")
	}
	disk.full.Store(false)
	disk.unreadable.Store(false)
	clock.Advance(time.Minute)
	if err := l.write(); err != nil {
		t.Fatalf("Commit() once the disk works = %v", err)
	}
	l.check(t, kv, "once the disk works")
}
