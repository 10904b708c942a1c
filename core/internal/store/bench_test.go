package store_test

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/store"
)

// benchEntriesEnv sets the number of entries in the benchmark database.
const benchEntriesEnv = "SKEIN_BENCH_ENTRIES"

const (
	benchAuthors  = 1000
	benchPageSize = 50
)

// bench is the database both benchmarks read, built once per process: one
// local account following benchAuthors authors who wrote the entries.
var bench struct {
	once   sync.Once
	dir    string
	kv     store.KV
	s      *store.Store
	reader entry.Key
	err    error
}

func benchStore(b *testing.B) *store.Store {
	b.Helper()
	bench.once.Do(func() { bench.err = setupBench() })
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.s
}

func closeBench() {
	if bench.s != nil {
		bench.s.Close()
		os.RemoveAll(bench.dir)
	}
}

func setupBench() error {
	total := 100_000
	if v := os.Getenv(benchEntriesEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < benchAuthors {
			return fmt.Errorf("%s=%q: want a number of at least %d", benchEntriesEnv, v, benchAuthors)
		}
		total = n
	}
	start := time.Now()
	var err error
	if bench.dir, err = os.MkdirTemp("", "skein-store-bench-"); err != nil {
		return err
	}
	if bench.kv, err = store.OpenLevelDB(bench.dir); err != nil {
		return err
	}
	if bench.s, err = store.New(bench.kv); err != nil {
		return err
	}
	_, readerPriv, _ := ed25519.GenerateKey(nil)
	bench.reader = entry.KeyOf(readerPriv.Public().(ed25519.PublicKey))
	if err := bench.s.PutAccount(store.Account{Name: "reader", Key: bench.reader}); err != nil {
		return err
	}

	privs := make([]ed25519.PrivateKey, benchAuthors)
	last := make([]*entry.Entry, benchAuthors)
	for i := range privs {
		_, privs[i], _ = ed25519.GenerateKey(nil)
		f := store.Follow{Target: entry.KeyOf(privs[i].Public().(ed25519.PublicKey)), Name: fmt.Sprintf("author%d", i), Seq: uint64(i + 1), Active: true}
		if err := bench.s.SetFollowing(bench.reader, f); err != nil {
			return err
		}
	}

	// Round r holds each author's entry r+1, all stamped later than those
	// of round r-1; it is signed on every core and appended as one
	// unsynced batch of benchAuthors entries.
	text := strings.Repeat("x", 80)
	base := uint64(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	for r := range total / benchAuthors {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := w; i < benchAuthors; i += workers {
					var prev entry.ID
					if last[i] != nil {
						prev = last[i].ID()
					}
					t := hlc.Timestamp{Wall: base + uint64(r*benchAuthors+i)}
					e, err := entry.New(privs[i], uint64(r+1), prev, t, entry.KindPost, fmt.Appendf(nil, "%d %d %s", r, i, text))
					if err != nil {
						errs[w] = err
						return
					}
					last[i] = e
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
		if _, err := bench.s.Append(last, false); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "store benchmark: %d entries by %d authors written in %v\n", total/benchAuthors*benchAuthors, benchAuthors, time.Since(start).Round(time.Millisecond))
	return nil
}

// reportP50 reports the median of ds.
func reportP50(b *testing.B, ds []time.Duration) {
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds()), "p50-ns")
}

// BenchmarkFeedPage reads the newest page of 50 posts of a feed merging
// 1,000 authors.
func BenchmarkFeedPage(b *testing.B) {
	s := benchStore(b)
	var ds []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t := time.Now()
		es, _, err := s.Feed(bench.reader, nil, benchPageSize)
		ds = append(ds, time.Since(t))
		if err != nil || len(es) != benchPageSize {
			b.Fatalf("Feed() = %d posts, %v, want %d", len(es), err, benchPageSize)
		}
	}
	reportP50(b, ds)
}

// BenchmarkRawRangeScan reads the keys and values of the same 50 rows as
// BenchmarkFeedPage straight from the KV: the floor for a feed page.
func BenchmarkRawRangeScan(b *testing.B) {
	benchStore(b)
	start := append([]byte{'f'}, bench.reader[:]...) // the feed prefix, see doc.go
	end := bytes.Clone(start)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i]++; end[i] != 0 {
			end = end[:i+1]
			break
		}
	}
	var ds []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t := time.Now()
		n, size := 0, 0
		it := bench.kv.Find(start, end, false)
		for n < benchPageSize && it.Next() {
			size += len(it.Key()) + len(it.Value())
			n++
		}
		err := it.Close()
		ds = append(ds, time.Since(t))
		if err != nil || n != benchPageSize || size == 0 {
			b.Fatalf("scan = %d rows, %v, want %d", n, err, benchPageSize)
		}
	}
	reportP50(b, ds)
}
