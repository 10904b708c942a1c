package store_test

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// countingKV counts the writes committed to a KV.
type countingKV struct {
	store.KV
	commits atomic.Int64
}

func (c *countingKV) Commit(b *store.Batch, sync bool) error {
	c.commits.Add(1)
	return c.KV.Commit(b, sync)
}

// TestAppendSeen checks that AppendSeen stores what Append stores and
// records the highest seq seen of each author as known unless the held
// head of a log that is not local reaches it, with no write for that.
func TestAppendSeen(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			a, b := newWriter(t, "alice"), newWriter(t, "bob")
			a1, a2, a3, a4 := a.post("a1"), a.post("a2"), a.post("a3"), a.post("a4")
			b1 := b.post("b1")
			tests := []struct {
				name       string
				local      bool           // alice is a local account
				before     []*entry.Entry // appended first, with AppendSeen
				knownFirst uint64         // SetKnown(alice) first
				in         []*entry.Entry
				added      int
				wantErr    error
				known      [2]uint64 // of alice and bob afterwards
				writes     int64     // by the AppendSeen of in
			}{
				{name: "new head", before: []*entry.Entry{a1}, in: []*entry.Entry{a2}, added: 1, writes: 1},
				{name: "two authors", in: []*entry.Entry{a1, a2, b1}, added: 3, writes: 1},
				{name: "known higher", knownFirst: 9, before: []*entry.Entry{a1}, in: []*entry.Entry{a2}, added: 1, known: [2]uint64{9, 0}, writes: 1},
				{name: "gap", before: []*entry.Entry{a1}, in: []*entry.Entry{a4}, wantErr: store.ErrGap, known: [2]uint64{4, 0}, writes: 1},
				{name: "held already", before: []*entry.Entry{a1, a2, a3}, in: []*entry.Entry{a2}, writes: 0},
				{name: "local new head", local: true, before: []*entry.Entry{a1}, in: []*entry.Entry{a2}, added: 1, known: [2]uint64{2, 0}, writes: 2},
				{name: "local held already", local: true, before: []*entry.Entry{a1, a2, a3}, in: []*entry.Entry{a2}, known: [2]uint64{3, 0}, writes: 0},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					kv := &countingKV{KV: eng.open(t)}
					s, err := store.New(kv)
					if err != nil {
						t.Fatalf("New() = %v", err)
					}
					defer s.Close()
					if tt.local {
						if err := s.PutAccount(a.account()); err != nil {
							t.Fatal(err)
						}
					}
					if tt.knownFirst > 0 {
						if err := s.SetKnown(a.key, tt.knownFirst); err != nil {
							t.Fatal(err)
						}
					}
					if len(tt.before) > 0 {
						if _, err := s.AppendSeen(tt.before); err != nil {
							t.Fatalf("AppendSeen(before) = %v", err)
						}
					}
					before := kv.commits.Load()
					added, err := s.AppendSeen(tt.in)
					if len(added) != tt.added || !errors.Is(err, tt.wantErr) || tt.wantErr == nil && err != nil {
						t.Errorf("AppendSeen() added %d, err %v; want %d, %v", len(added), err, tt.added, tt.wantErr)
					}
					if got := kv.commits.Load() - before; got != tt.writes {
						t.Errorf("AppendSeen() made %d writes, want %d", got, tt.writes)
					}
					for i, k := range []entry.Key{a.key, b.key} {
						if got, err := s.Known(k); err != nil || got != tt.known[i] {
							t.Errorf("Known(%d) = %d, %v, want %d", i, got, err, tt.known[i])
						}
					}
				})
			}
		})
	}
}

// BenchmarkAppendSeen measures storing one gossip entry of a followed
// author at a time, as live delivery does.
func BenchmarkAppendSeen(b *testing.B) {
	kv, err := store.OpenLevelDB(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	s, err := store.New(kv)
	if err != nil {
		kv.Close()
		b.Fatal(err)
	}
	defer s.Close()
	me, author := newWriter(b, "me"), newWriter(b, "author")
	if err := s.PutAccount(me.account()); err != nil {
		b.Fatal(err)
	}
	if err := s.SetFollowing(me.key, author.following()); err != nil {
		b.Fatal(err)
	}
	es := make([]*entry.Entry, b.N)
	for i := range es {
		es[i] = author.post("a post of about the length of a short post, in the benchmark")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range es {
		if added, err := s.AppendSeen(es[i : i+1]); err != nil || len(added) != 1 {
			b.Fatalf("AppendSeen() added %d, err %v", len(added), err)
		}
	}
}
