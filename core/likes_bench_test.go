package core

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/likes"
	"github.com/skein-p2p/skein/core/internal/store"
)

// BenchmarkFeedWithLikes reads the newest page of 50 posts of a feed that
// merges 1,000 followed authors (SKEIN_BENCH_ENTRIES entries in all,
// default 20,000), every post of the newest 2,000 liked by three accounts
// and by the reader on every other one, every author with a profile,
// through Node.Feed (author names, display names, like counts, liked,
// bookmarked), against the raw range scan of the same 50 feed rows
// in the same run: each iteration does both, and Store.Feed of the page
// between them (the entries without names or likes). It reports the
// p50s and the ratio of Node.Feed's to the raw scan's (target ≤ 1.5,
// issue 12).
func BenchmarkFeedWithLikes(b *testing.B) {
	const authors, page, liked = 1000, 50, 2000
	total := 20_000
	if v := os.Getenv("SKEIN_BENCH_ENTRIES"); v != "" {
		var err error
		if total, err = strconv.Atoi(v); err != nil || total < authors {
			b.Fatalf("SKEIN_BENCH_ENTRIES=%q: want a number of at least %d", v, authors)
		}
	}
	ctx := context.Background()
	n, err := New(ctx, Config{DataDir: b.TempDir(), ListenAddrs: loopback[:1], kdf: cheapKDF})
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	if _, err := n.Register(ctx, "reader", "pw"); err != nil {
		b.Fatal(err)
	}
	reader := n.session().key
	privs := make([]ed25519.PrivateKey, authors)
	last := make([]*entry.Entry, authors)
	for i := range privs {
		privs[i] = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(i), byte(i >> 8), 7}, 11)[:32])
		k := entry.KeyOf(privs[i].Public().(ed25519.PublicKey))
		name := fmt.Sprintf("author%d", i)
		if err := n.store.SetFollowing(reader, store.Follow{Target: k, Name: name, Seq: uint64(i + 1), Active: true}); err != nil {
			b.Fatal(err)
		}
		n.store.PutName(k, name)
		// A profile, so that rows carry display names.
		prof, err := entry.New(privs[i], 1<<40, entry.ID{1}, hlc.Timestamp{Wall: uint64(time.Now().UnixMilli())}, entry.KindProfile,
			entry.Profile{DisplayName: fmt.Sprintf("Author %d ✨", i), Bio: "writes benchmark posts"}.Bytes())
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := n.prof.table.Put(prof); err != nil {
			b.Fatal(err)
		}
	}
	text := strings.Repeat("x", 80)
	base := uint64(time.Now().Add(-24 * time.Hour).UnixMilli())
	var newest []*entry.Entry
	for r := range total / authors {
		for i := range authors {
			var prev entry.ID
			if last[i] != nil {
				prev = last[i].ID()
			}
			e, err := entry.New(privs[i], uint64(r+1), prev, hlc.Timestamp{Wall: base + uint64(r*authors+i)}, entry.KindPost, fmt.Appendf(nil, "%d %d %s", r, i, text))
			if err != nil {
				b.Fatal(err)
			}
			last[i] = e
		}
		if _, err := n.store.Append(last, false); err != nil {
			b.Fatal(err)
		}
		newest = append(newest, last...)
		if len(newest) > liked {
			newest = newest[len(newest)-liked:]
		}
	}
	likers := []entry.Key{reader}
	for i := range 3 {
		likers = append(likers, entry.KeyOf(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(i + 1)}, 32)).Public().(ed25519.PublicKey)))
	}
	for j, e := range newest {
		for i, l := range likers {
			if i == 0 && j%2 == 1 {
				continue
			}
			if _, err := n.likes.Apply(likes.Like{Liker: l, Seq: uint64(j + 1), Of: refOf(e), Active: true}); err != nil {
				b.Fatal(err)
			}
		}
	}
	start := append([]byte{'f'}, reader[:]...) // the feed rows, see store/doc.go
	end := bytes.Clone(start)
	for i := len(end) - 1; i >= 0; i-- { // the first key past the reader's rows
		if end[i]++; end[i] != 0 {
			end = end[:i+1]
			break
		}
	}
	var raw, stored, feed []time.Duration
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
		es, _, err := n.store.Feed(reader, nil, page)
		stored = append(stored, time.Since(t))
		if err != nil || len(es) != page {
			b.Fatalf("store.Feed() = %d entries, %v, want %d", len(es), err, page)
		}
		t = time.Now()
		p, err := n.Feed(ctx, "", page)
		feed = append(feed, time.Since(t))
		if err != nil || len(p.Posts) != page || p.Posts[0].Likes < 3 || p.Posts[0].Author == "" || p.Posts[0].AuthorDisplayName == "" {
			b.Fatalf("Feed() = %d posts (first %+v), %v", len(p.Posts), p.Posts[0], err)
		}
	}
	slices.Sort(raw)
	slices.Sort(stored)
	slices.Sort(feed)
	r, f := raw[len(raw)/2], feed[len(feed)/2]
	b.ReportMetric(float64(r.Nanoseconds()), "raw-p50-ns")
	b.ReportMetric(float64(stored[len(stored)/2].Nanoseconds()), "store-p50-ns")
	b.ReportMetric(float64(f.Nanoseconds()), "feed-p50-ns")
	b.ReportMetric(float64(f)/float64(r), "feed/raw")
}
