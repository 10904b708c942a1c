package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// BenchmarkFeedPageHidden reads the newest page of 50 posts of the
// benchmark feed with the posts of about a tenth, and of nine tenths, of
// its 1,000 authors skipped, as mutes do (core's visibleFeed): compare
// with BenchmarkFeedPage.
func BenchmarkFeedPageHidden(b *testing.B) {
	s := benchStore(b)
	for _, tt := range []struct {
		share string
		below byte // authors whose key starts with a byte below it are hidden
	}{{"10%", 26}, {"90%", 230}} {
		b.Run(fmt.Sprintf("hidden=%s", tt.share), func(b *testing.B) {
			keep := func(e *entry.Entry) bool { return e.Author[0] >= tt.below }
			var ds []time.Duration
			b.ReportAllocs()
			for b.Loop() {
				t := time.Now()
				es, _, err := s.FeedWhere(bench.reader, nil, benchPageSize, keep, 2000)
				ds = append(ds, time.Since(t))
				if err != nil || len(es) != benchPageSize {
					b.Fatalf("FeedWhere() = %d posts, %v, want %d", len(es), err, benchPageSize)
				}
			}
			reportP50(b, ds)
		})
	}
}
