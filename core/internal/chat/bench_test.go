package chat

import (
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/chatcrypt"
	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// copyKV returns a new in-memory KV holding every row of src.
func copyKV(tb testing.TB, src store.KV) store.KV {
	tb.Helper()
	dst := store.NewMemory()
	var b store.Batch
	it := src.Find(nil, nil, false)
	for it.Next() {
		b.Put(it.Key(), it.Value())
	}
	if err := it.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := dst.Commit(&b, false); err != nil {
		tb.Fatal(err)
	}
	return dst
}

// BenchmarkDeliver: a member ingests 1,000 messages from 10 authors in
// random order (batches of 100), decrypting each.
func BenchmarkDeliver(b *testing.B) {
	tn := newNet(b)
	authors := make([]*node, 10)
	for i := range authors {
		authors[i] = tn.add(fmt.Sprintf("a%d", i), byte(i+1))
	}
	r := tn.add("r", 99)
	g := tn.privateGroup(true, authors[0], append(authors[1:], r)...)
	snap := copyKV(b, r.kv)
	rng := rand.New(rand.NewPCG(3, 4))
	var all []*chatlog.Entry
	for i := range 1000 {
		w := authors[rng.IntN(len(authors))]
		_, es, err := w.e.Send(g, fmt.Sprintf("message %d", i), nil, tn.keys)
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, es...)
		for _, o := range authors {
			if o != w && rng.IntN(3) > 0 {
				o.e.Ingest(es)
			}
		}
		tn.clock.Advance(time.Millisecond)
	}
	tn.sync(authors...)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		kv := copyKV(b, snap)
		e, err := Open(kv, Options{Self: &Account{Key: r.key, Priv: r.priv}, Now: tn.clock.Now})
		if err != nil {
			b.Fatal(err)
		}
		order := shuffled(rng, all)
		b.StartTimer()
		delivered := 0
		for i := 0; i < len(order); i += 100 {
			delivered += e.Ingest(order[i:min(i+100, len(order))]).Delivered
		}
		b.StopTimer()
		if delivered != len(all) {
			b.Fatalf("delivered %d of %d: %+v", delivered, len(all), e.Stats())
		}
		if s := e.Stats(); s.Undecryptable != 0 {
			b.Fatalf("stats %+v", s)
		}
		e.Close()
		kv.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(all)), "ns/msg")
}

// BenchmarkRemove256: an admin removes one member of a 256-member private
// group: the Remove entry (255 wraps) is the re-key.
func BenchmarkRemove256(b *testing.B) {
	tn := newNet(b)
	a := tn.add("a", 1)
	g, _, err := a.e.CreateGroup("big", false, true)
	if err != nil {
		b.Fatal(err)
	}
	// 255 members who joined (their entries made by hand, as a relay
	// would deliver them).
	for i := range 255 {
		seed := make([]byte, ed25519.SeedSize)
		seed[0], seed[1], seed[2] = byte(i), byte(i>>8), 0xbe // distinct from the network's accounts
		priv := ed25519.NewKeyFromSeed(seed)
		k := keyOf(priv)
		p, _ := chatcrypt.NewPrekey()
		rec, err := chatcrypt.SignPrekey(priv, p.Public, tn.clock.Now(), tn.clock.Now().Add(24*time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		inv, err := a.e.Invite(g, k, false, 0, func(entry.Key) (*chatcrypt.PrekeyRecord, error) { return rec, nil })
		if err != nil {
			b.Fatal(err)
		}
		join := signed(b, priv, chatlog.Entry{Group: g, Author: k, Seq: 1, Time: a.e.clock.Now(), Kind: chatlog.KindJoin,
			Deps: []chatlog.ID{inv[len(inv)-1].ID()}, Body: (&chatlog.Body{Invite: inv[len(inv)-1].ID()}).Encode()})
		if r := a.e.Ingest([]*chatlog.Entry{join}); r.Delivered != 1 {
			b.Fatalf("join %d: %+v", i, r)
		}
	}
	if ms, _ := a.e.Members(g); len(ms) != 256 {
		b.Fatalf("%d members", len(ms))
	}
	ms, _ := a.e.Members(g)
	snap := copyKV(b, a.kv)
	size := 0
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		kv := copyKV(b, snap)
		e, err := Open(kv, Options{Self: &Account{Key: a.key, Priv: a.priv}, Now: tn.clock.Now})
		if err != nil {
			b.Fatal(err)
		}
		target := ms[1+i%255].Key
		b.StartTimer()
		es, err := e.Remove(g, target, nil)
		b.StopTimer()
		if err != nil || len(es) != 1 {
			b.Fatalf("Remove = %d entries, %v", len(es), err)
		}
		size = es[0].Size()
		e.Close()
		kv.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(size), "B/rekey")
}
