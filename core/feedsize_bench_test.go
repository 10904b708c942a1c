package core

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// feedSizesEnv, set to a number of entries such as 10000000, adds that
// store size to BenchmarkFeedStoreSize's 100k and 1M (building 10M takes
// minutes: see docs/BENCHMARKS.md).
const feedSizesEnv = "SKEIN_BENCH_FEED_MAX"

// feedAuthors is the number of authors whose logs the benchmark store
// holds, all followed by its one local account.
const feedAuthors = 1000

// BenchmarkFeedStoreSize measures the time to read the newest page of 50
// posts of a feed merging 1,000 followed authors, as the store grows from
// 100k to 1M entries (and to SKEIN_BENCH_FEED_MAX, if set), in one store
// filled in place. Each size reports the median page time of 300 reads and
// its ratio to the 100k size measured in the same run (page/base), which
// should stay near 1, and its ratio to a raw range scan of the same 50 feed
// rows interleaved with it (page/raw): LevelDB's own cost of a seek grows
// with its levels, Skein's on top of it should not. The entries carry no valid signature: the store does
// not verify (its callers do), and signing 10M entries would take longer
// than the benchmark. With SKEIN_BENCH_PLOTS=dir, it writes
// dir/feed-store-size.svg.
func BenchmarkFeedStoreSize(b *testing.B) {
	sizes := []int{100_000, 1_000_000}
	if v := os.Getenv(feedSizesEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= sizes[len(sizes)-1] {
			b.Fatalf("%s=%q: want a number of entries above %d", feedSizesEnv, v, sizes[len(sizes)-1])
		}
		sizes = append(sizes, n)
	}
	kv, err := store.OpenLevelDB(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	s, err := store.New(kv)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	reader := entry.Key{0xfe, 1}
	if err := s.PutAccount(store.Account{Name: "reader", Key: reader}); err != nil {
		b.Fatal(err)
	}
	logs := make([]feedLog, feedAuthors)
	for i := range logs {
		logs[i].author = entry.Key{0xa0, byte(i >> 8), byte(i)}
		f := store.Follow{Target: logs[i].author, Name: fmt.Sprintf("author%d", i), Seq: uint64(i + 1), Active: true}
		if err := s.SetFollowing(reader, f); err != nil {
			b.Fatal(err)
		}
	}
	var base, rawBase float64
	var pts, rawPts []point
	held := 0
	fillStart := time.Now()
	for _, size := range sizes {
		b.Run(fmt.Sprintf("entries=%d", size), func(b *testing.B) {
			b.StopTimer()
			held = fillFeedStore(b, s, logs, held, size)
			fill := time.Since(fillStart)
			time.Sleep(time.Second) // let the compaction the writes started settle
			b.StartTimer()
			var ds, raws []time.Duration
			for range max(b.N, 300) {
				t := time.Now()
				es, _, err := s.Feed(reader, nil, 50)
				ds = append(ds, time.Since(t))
				if err != nil || len(es) != 50 {
					b.Fatalf("Feed() = %d posts, %v; want 50", len(es), err)
				}
				raws = append(raws, rawFeedScan(b, kv, reader))
			}
			slices.Sort(ds)
			slices.Sort(raws)
			p50 := float64(ds[len(ds)/2].Nanoseconds())
			raw := float64(raws[len(raws)/2].Nanoseconds())
			if base == 0 {
				base, rawBase = p50, raw
			}
			pts = append(pts, point{x: float64(size), y: p50 / base})
			rawPts = append(rawPts, point{x: float64(size), y: raw / rawBase})
			b.ReportMetric(float64(size), "entries")
			b.ReportMetric(p50/1e3, "p50-µs")
			b.ReportMetric(float64(ds[len(ds)*9/10].Nanoseconds())/1e3, "p90-µs")
			b.ReportMetric(p50/base, "page/base")
			b.ReportMetric(raw/1e3, "raw-p50-µs")
			b.ReportMetric(p50/raw, "page/raw")
			b.ReportMetric(fill.Seconds(), "filled-s")
		})
	}
	if dir := os.Getenv(plotDirEnv); dir != "" && len(pts) == len(sizes) {
		p := plot{
			title:  "Feed page (50 posts of 1,000 authors) against store size",
			xLabel: "entries in the store",
			yLabel: "median time ÷ median at 100k",
			logX:   true,
			series: []series{
				{name: "flat (1)", color: "#888", dash: true, points: []point{{x: float64(sizes[0]), y: 1}, {x: float64(sizes[len(sizes)-1]), y: 1}}},
				{name: "feed page (Store.Feed)", color: "#1565c0", points: pts},
				{name: "raw 50-row LevelDB range scan of the same rows", color: "#2e7d32", points: rawPts},
			},
		}
		path := filepath.Join(dir, "feed-store-size.svg")
		if err := os.WriteFile(path, []byte(p.svg()), 0o644); err != nil {
			b.Fatal(err)
		}
		b.Logf("wrote %s", path)
	}
}

// rawFeedScan times reading the first 50 rows of reader's feed rows
// straight from kv (prefix 'f' and the account, store/doc.go): the floor
// of a feed page, as store's BenchmarkRawRangeScan.
func rawFeedScan(b *testing.B, kv store.KV, reader entry.Key) time.Duration {
	start := append([]byte{'f'}, reader[:]...)
	t := time.Now()
	it := kv.Find(start, store.PrefixEnd(start), false)
	n := 0
	for n < 50 && it.Next() {
		n++
	}
	err := it.Close()
	d := time.Since(t)
	if err != nil || n != 50 {
		b.Fatalf("raw scan = %d rows, %v; want 50", n, err)
	}
	return d
}

// feedLog is the head of one author's log in the benchmark store.
type feedLog struct {
	author entry.Key
	seq    uint64
	prev   entry.ID
}

// fillFeedStore appends entries to s, one per author in turn, until it
// holds size, and returns size. Round r's entries are stamped after round
// r-1's, as in store's BenchmarkFeedPage.
func fillFeedStore(b *testing.B, s *store.Store, logs []feedLog, held, size int) int {
	base := uint64(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
	batch := make([]*entry.Entry, 0, len(logs))
	raw := make([]byte, 0, entry.MaxSize)
	for n := held; n < size; {
		batch = batch[:0]
		for i := range logs {
			l := &logs[i]
			l.seq++
			raw = unsignedPost(raw[:0], l.author, l.seq, l.prev, base+uint64(n), fmt.Appendf(nil, "%d %d a post about as long as a short post, with some words to search", l.seq, i))
			e, err := entry.Parse(raw)
			if err != nil {
				b.Fatal(err)
			}
			l.prev = e.ID()
			batch = append(batch, e)
			n++
		}
		if _, err := s.Append(batch, false); err != nil {
			b.Fatal(err)
		}
	}
	return size
}

// unsignedPost appends to dst the encoding of a post entry with a zero
// signature, laid out as entry.New lays it out.
func unsignedPost(dst []byte, author entry.Key, seq uint64, prev entry.ID, wall uint64, body []byte) []byte {
	dst = append(dst, entry.Version)
	dst = append(dst, author[:]...)
	dst = binary.BigEndian.AppendUint64(dst, seq)
	dst = append(dst, prev[:]...)
	dst = binary.BigEndian.AppendUint64(dst, wall)
	dst = binary.BigEndian.AppendUint32(dst, 0)
	dst = append(dst, byte(entry.KindPost))
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(body)))
	h := sha256.Sum256(body)
	dst = append(dst, h[:]...)
	dst = append(dst, make([]byte, entry.SigSize)...)
	return append(dst, body...)
}
