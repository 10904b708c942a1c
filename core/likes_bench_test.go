package core

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/likes"
)

// BenchmarkFeedWithLikes reads the newest page of 50 posts of a feed whose
// every post has likes (three likers each, the account among them on every
// other post), through Node.Feed, against the raw range scan of the same
// 50 feed rows in the same run: each iteration does both. It reports both
// p50s and their ratio (target ≤ 1.5, issue 12).
func BenchmarkFeedWithLikes(b *testing.B) {
	const posts, page = 2000, 50
	ctx := context.Background()
	n, err := New(ctx, Config{DataDir: b.TempDir(), ListenAddrs: loopback[:1], kdf: cheapKDF})
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	if _, err := n.Register(ctx, "reader", "pw"); err != nil {
		b.Fatal(err)
	}
	sess := n.session()
	var prev entry.ID
	ts := hlc.Timestamp{Wall: uint64(time.Now().Add(-time.Hour).UnixMilli())}
	for seq := uint64(1); seq <= posts; seq++ {
		ts.Logical++
		e, err := entry.New(sess.priv, seq, prev, ts, entry.KindPost, fmt.Appendf(nil, "post number %d of the benchmark, about as long as a short post", seq))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := n.store.AppendOwn(e, nil); err != nil {
			b.Fatal(err)
		}
		prev = e.ID()
	}
	likers := []entry.Key{sess.key}
	for i := range 3 {
		likers = append(likers, entry.KeyOf(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(i + 1)}, 32)).Public().(ed25519.PublicKey)))
	}
	for seq := uint64(1); seq <= posts; seq++ {
		e, err := n.store.Entry(sess.key, seq)
		if err != nil {
			b.Fatal(err)
		}
		ref := refOf(e)
		for i, l := range likers {
			if i == 0 && seq%2 == 1 {
				continue
			}
			if _, err := n.likes.Apply(likes.Like{Liker: l, Seq: seq, Of: ref, Active: true}); err != nil {
				b.Fatal(err)
			}
		}
	}
	start := append([]byte{'f'}, sess.key[:]...) // the feed rows, see store/doc.go
	end := append([]byte{'f'}, sess.key[:]...)
	for i := len(end) - 1; i >= 0; i-- { // the first key past the account's rows
		if end[i]++; end[i] != 0 {
			end = end[:i+1]
			break
		}
	}
	var raw, feed []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t := time.Now()
		rows, size := 0, 0
		it := n.kv.Find(start, end, false)
		for rows < page && it.Next() {
			size += len(it.Key()) + len(it.Value())
			rows++
		}
		err := it.Close()
		raw = append(raw, time.Since(t))
		if err != nil || rows != page || size == 0 {
			b.Fatalf("scan = %d rows, %v, want %d", rows, err, page)
		}
		t = time.Now()
		p, err := n.Feed(ctx, "", page)
		feed = append(feed, time.Since(t))
		if err != nil || len(p.Posts) != page || p.Posts[0].Likes < 3 {
			b.Fatalf("Feed() = %d posts (first with %d likes), %v", len(p.Posts), p.Posts[0].Likes, err)
		}
	}
	slices.Sort(raw)
	slices.Sort(feed)
	r, f := raw[len(raw)/2], feed[len(feed)/2]
	b.ReportMetric(float64(r.Nanoseconds()), "raw-p50-ns")
	b.ReportMetric(float64(f.Nanoseconds()), "feed-p50-ns")
	b.ReportMetric(float64(f)/float64(r), "feed/raw")
}
