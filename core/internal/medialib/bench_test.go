package medialib

import (
	"bytes"
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/skein-p2p/skein/core/internal/blob"
	"github.com/skein-p2p/skein/core/internal/blobnet"
	"github.com/skein-p2p/skein/core/internal/blobstore"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/media"
)

// feedPage is the number of posts on a feed page, each with one thumbnail.
const feedPage = 50

// countingHost counts the blob protocol's streams it opens: one a round
// trip (GetMany opens one stream per call and sends its GETMANY at once).
type countingHost struct {
	host.Host
	streams atomic.Int64
}

func (h *countingHost) NewStream(ctx context.Context, p peer.ID, pids ...protocol.ID) (network.Stream, error) {
	if slices.Contains(pids, blobnet.ID) {
		h.streams.Add(1)
	}
	return h.Host.NewStream(ctx, p, pids...)
}

// BenchmarkFeedThumbnails: a holder (the author's device) has imported 50
// thumbnails of about 12 KiB; a reader that noted the 50 posts' descriptors
// fetches them all with Library.Thumbs, the call a feed page makes, and
// stores them. Two real libp2p hosts on 127.0.0.1, already connected. The
// baseline, in the same iterations and order alternating, fetches the same
// 50 with 50 single-root GetMany calls and stores each: the page without
// batching. batch-ms is one GetMany of the 50 without storing them (the
// network's part). Between measurements the reader removes the 50.
func BenchmarkFeedThumbnails(b *testing.B) {
	ctx := context.Background()
	ha := newHost(b)
	hb := &countingHost{Host: newHost(b)}
	if err := hb.Connect(ctx, peer.AddrInfo{ID: ha.ID(), Addrs: ha.Addrs()}); err != nil {
		b.Fatal(err)
	}
	holder := open(b, ha)
	reader := open(b, hb, ha.ID())
	// Only the benchmark's own calls fetch: the background thumbnail loop
	// would take the noted thumbnails first.
	reader.Pause()

	author := entry.Key{1}
	var roots []blob.Root
	var ds []media.Descriptor
	for i := range feedPage {
		data := randomBytes(uint64(100+i), 12<<10-feedPage*8+i*16) // 11.9 to 12.7 KiB
		root, size, err := holder.Import(ctx, bytes.NewReader(data), int64(blob.GroupSize), blobstore.TierOwn)
		if err != nil {
			b.Fatal(err)
		}
		roots = append(roots, root)
		full := blob.Sum(append(data, byte(i))) // the full-size image: never fetched here
		ds = append(ds, media.Descriptor{Root: full, Size: 1 << 20, Type: "image/jpeg", Thumb: root, ThumbSize: uint32(size)})
	}
	reader.Note(author, ds, Seen)

	forget := func() {
		for _, r := range roots {
			if err := reader.Blobs().Remove(r); err != nil {
				b.Fatal(err)
			}
		}
	}
	var page, single, batch []time.Duration
	var streams int64
	thumbs := func() {
		n0 := hb.streams.Load()
		t0 := time.Now()
		if got := reader.Thumbs(ctx, roots); got != feedPage {
			b.Fatalf("Thumbs stored %d of %d", got, feedPage)
		}
		page = append(page, time.Since(t0))
		streams += hb.streams.Load() - n0
		forget()
	}
	singles := func() {
		t0 := time.Now()
		for _, r := range roots {
			got, err := reader.client.GetMany(ctx, ha.ID(), []blob.Root{r})
			if err != nil || got[r] == nil {
				b.Fatalf("GetMany(%s) = %v", r.Short(), err)
			}
			if _, _, err := reader.Blobs().Add(ctx, bytes.NewReader(got[r]), int64(blob.GroupSize), blobstore.TierThumb); err != nil {
				b.Fatal(err)
			}
		}
		single = append(single, time.Since(t0))
		forget()
	}
	// A first page of each, untimed: streams and buffers warmed.
	thumbs()
	singles()
	page, single, streams = nil, nil, 0
	b.ResetTimer()
	for i := range b.N {
		if i%2 == 0 {
			thumbs()
			singles()
		} else {
			singles()
			thumbs()
		}
		t0 := time.Now()
		got, err := reader.client.GetMany(ctx, ha.ID(), roots)
		if err != nil || len(got) != feedPage {
			b.Fatalf("GetMany(50) = %d, %v", len(got), err)
		}
		batch = append(batch, time.Since(t0))
	}
	b.StopTimer()
	ms := func(ds []time.Duration, q float64) float64 {
		s := slices.Clone(ds)
		slices.Sort(s)
		return float64(s[int(q*float64(len(s)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(ms(page, 0.5), "page-p50-ms")
	b.ReportMetric(ms(page, 0.99), "page-p99-ms")
	b.ReportMetric(float64(streams)/float64(b.N), "round-trips/page")
	b.ReportMetric(ms(single, 0.5), "single-p50-ms")
	b.ReportMetric(ms(single, 0.99), "single-p99-ms")
	b.ReportMetric(ms(single, 0.5)/ms(page, 0.5), "single/page")
	b.ReportMetric(ms(batch, 0.5), "getmany50-p50-ms")
}
