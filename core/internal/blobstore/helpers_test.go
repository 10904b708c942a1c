package blobstore

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/skein-p2p/skein/core/internal/blob"
	"github.com/skein-p2p/skein/core/internal/store"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		// The kill -9 child: no leak check, it is killed.
		os.Exit(m.Run())
	}
	goleak.VerifyTestMain(m,
		// goleveldb's pool drainer outlives DB.Close by up to a second.
		goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"),
	)
}

// testData returns size deterministic bytes that differ with seed.
func testData(seed byte, size int) []byte {
	b := make([]byte, size)
	x := uint32(seed)*2654435761 + 12345
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// testLogger logs to t: everything in tests, warnings in benchmarks.
func testLogger(t testing.TB) *slog.Logger {
	level := slog.LevelDebug
	if _, ok := t.(*testing.B); ok {
		level = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: level}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// env is a store under test with its KV and directory.
type env struct {
	t     testing.TB
	dir   string
	kv    store.KV
	disk  bool
	lim   Limits
	clock *clock
	s     *Store
}

// newEnv opens a store on a memory KV, or on LevelDB on disk if disk.
func newEnv(t testing.TB, disk bool, lim Limits) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), disk: disk, lim: lim, clock: &clock{t: t0}}
	if disk {
		kv, err := store.OpenLevelDB(filepath.Join(e.dir, "db"))
		if err != nil {
			t.Fatal(err)
		}
		e.kv = kv
	} else {
		e.kv = store.NewMemory()
	}
	e.open()
	t.Cleanup(func() {
		if e.s != nil {
			e.s.Close()
		}
		e.kv.Close()
	})
	return e
}

func (e *env) open() {
	e.t.Helper()
	s, err := Open(filepath.Join(e.dir, "blobs"), store.Prefix(e.kv, []byte{store.BlobPrefix}), e.lim, testLogger(e.t))
	if err != nil {
		e.t.Fatalf("Open() error %v", err)
	}
	s.now = e.clock.Now
	e.s = s
}

// reopen closes and reopens the store on the same KV.
func (e *env) reopen() {
	e.t.Helper()
	if err := e.s.Close(); err != nil {
		e.t.Fatalf("Close() error %v", err)
	}
	e.open()
}

func (e *env) add(data []byte, tier Tier) blob.Root {
	e.t.Helper()
	root, size, err := e.s.Add(e.t.Context(), bytes.NewReader(data), 0, tier)
	if err != nil {
		e.t.Fatalf("Add(%d bytes) error %v", len(data), err)
	}
	if size != uint64(len(data)) || root != blob.Sum(data) {
		e.t.Fatalf("Add() = %s, %d; want %s, %d", root.Short(), size, blob.Sum(data).Short(), len(data))
	}
	return root
}

// files returns the names in the blob directory.
func (e *env) files() []string {
	ents, err := os.ReadDir(filepath.Join(e.dir, "blobs"))
	if err != nil {
		e.t.Fatal(err)
	}
	var names []string
	for _, d := range ents {
		names = append(names, d.Name())
	}
	return names
}

func (e *env) path(root blob.Root, ext string) string {
	return filepath.Join(e.dir, "blobs", root.String()+ext)
}

// encode returns the root and outboard of data.
func encode(t testing.TB, data []byte) (blob.Root, []byte) {
	t.Helper()
	root, ob, err := blob.Encode(bytes.NewReader(data), uint64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return root, ob
}

// writePiece writes piece i of data through p.
func writePiece(t testing.TB, p *Partial, data []byte, i int) {
	t.Helper()
	off, n := blob.PieceSpan(uint64(len(data)), i)
	if err := p.WriteChunks(off, data[off:off+uint64(n)]); err != nil {
		t.Fatalf("WriteChunks(piece %d) error %v", i, err)
	}
}
