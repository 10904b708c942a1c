package core

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
)

// appendDated appends n posts to the logged-in account's own log, stamped
// a minute apart from start on, as if written then.
func appendDated(t *testing.T, n *Node, start time.Time, count int) {
	t.Helper()
	sess := n.session()
	head, err := n.store.Head(sess.key)
	if err != nil {
		t.Fatal(err)
	}
	es := make([]*entry.Entry, count)
	prev, seq := head.ID, head.Seq
	for i := range es {
		at := hlc.Timestamp{Wall: uint64(start.Add(time.Duration(i) * time.Minute).UnixMilli())}
		seq++
		e, err := entry.New(sess.priv, seq, prev, at, entry.KindPost, fmt.Appendf(nil, "dated post %d", seq))
		if err != nil {
			t.Fatal(err)
		}
		es[i], prev = e, e.ID()
	}
	if added, err := n.store.Append(es, true); len(added) != count {
		t.Fatalf("appended %d of %d dated posts: %v", len(added), count, err)
	}
}

// TestBackfillRetention: alice holds only the newest entry of bob's log, as
// after a notice, when she follows him, keeping the newest 5 entries of
// each author and everything younger than 30 days. The part below comes
// by backfill: every entry younger than 30 days, however many, and the
// newest 5 whatever their age, but not the older ones beyond those,
// except the newest of them, which marks where the kept part starts. GC
// then has nothing to collect and the next sync nothing to fetch.
func TestBackfillRetention(t *testing.T) {
	const keep = 5
	old := time.Now().Add(-40 * 24 * time.Hour)
	tests := []struct {
		name       string
		old, young int    // bob's posts 40 days old, then of now
		wantFrom   uint64 // the first seq alice holds in the end
	}{
		{"young ones beyond the count are all fetched", 0, 30, 1},
		{"old ones beyond the count are not", 20, 10, 20},
		{"old ones within the count are", 20, 3, 19},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tn := newTestNet(t)
			bob := tn.user("bob")
			ctx := context.Background()
			alice := tn.nodeWith("alice", func(c *Config) { c.Retention = Retention{KeepPerAuthor: keep} })

			appendDated(t, bob, old, tt.old)
			for i := range tt.young {
				mustPost(t, bob, fmt.Sprintf("young post %d", i))
			}
			bobKey := bob.session().key
			total := uint64(tt.old + tt.young)
			newest, err := bob.store.Entries(bobKey, total-1, 1, 1<<20)
			if err != nil || len(newest) != 1 {
				t.Fatalf("bob's newest entry: %v, %v", newest, err)
			}
			if got, err := alice.ingest(newest); len(got) != 1 {
				t.Fatalf("alice took %d of bob's newest entry: %v", len(got), err)
			}

			mustFollow(t, alice, "bob")
			waitFor(t, fmt.Sprintf("alice to hold bob's %d–%d", tt.wantFrom, total), func() bool {
				tail, head, _ := alice.store.Span(bobKey)
				return tail <= tt.wantFrom && head == total
			})
			// Whatever sync was under way has stopped at the same place:
			// one more, then garbage collection, then one more change
			// nothing.
			for i, step := range []func(){
				func() { alice.syncPeer(ctx, bob.host.ID(), []entry.Key{bobKey}) },
				func() { alice.gcPass(ctx) },
				func() { alice.syncPeer(ctx, bob.host.ID(), []entry.Key{bobKey}) },
			} {
				step()
				if tail, head, _ := alice.store.Span(bobKey); tail != tt.wantFrom || head != total {
					t.Fatalf("after step %d, alice holds bob's %d–%d, want %d–%d", i, tail, head, tt.wantFrom, total)
				}
			}
			if alice.missingStart(bobKey) {
				t.Error("missingStart(bob) = true, want false: nothing retention keeps is missing")
			}
			fl, err := alice.Following(ctx)
			if err != nil || len(fl) != 1 || fl[0].Log == nil {
				t.Fatalf("Following() = %+v, %v", fl, err)
			}
			want := LogState{From: tt.wantFrom, To: total, Latest: total, Trimmed: tt.wantFrom > 1}
			if *fl[0].Log != want {
				t.Errorf("Following() log state = %+v, want %+v", *fl[0].Log, want)
			}
		})
	}
}

// TestKeeperBackfill: a store-and-forward relay whose first entry of bob's
// log came by gossip fills the rest in from the holders it syncs with,
// down to what its retention keeps, as a node does.
func TestKeeperBackfill(t *testing.T) {
	const keep = 5
	old := time.Now().Add(-40 * 24 * time.Hour)
	tests := []struct {
		name       string
		old, young int
		wantFrom   uint64
	}{
		{"young ones beyond the count are all fetched", 0, 30, 1},
		{"old ones beyond the count are not", 20, 10, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewRelay(context.Background(), RelayConfig{
				DataDir:      t.TempDir(),
				ListenAddrs:  loopback,
				StoreForward: true,
				SyncInterval: 200 * time.Millisecond,
				Retention:    Retention{KeepPerAuthor: keep},
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Close() })
			tn := &testNet{t: t, relay: r}
			bob := tn.user("bob")
			appendDated(t, bob, old, tt.old)
			for i := range tt.young {
				mustPost(t, bob, fmt.Sprintf("young post %d", i))
			}
			bobKey := bob.session().key
			total := uint64(tt.old + tt.young)
			newest, err := bob.store.Entries(bobKey, total-1, 1, 1<<20)
			if err != nil || len(newest) != 1 {
				t.Fatalf("bob's newest entry: %v, %v", newest, err)
			}
			if got := r.keeper.ingest(newest); got != 1 {
				t.Fatalf("the relay took %d of bob's newest entry", got)
			}

			alice := tn.nodeWith("alice", func(c *Config) { c.StoreForward = true })
			mustFollow(t, alice, "bob")
			waitFor(t, fmt.Sprintf("the relay to keep bob's %d–%d", tt.wantFrom, total), func() bool {
				tail, head, _ := r.store.Span(bobKey)
				return tail <= tt.wantFrom && head == total
			})
			fill := r.keeper.filler()
			for i, step := range []func(){
				func() { r.keeper.syncFrom(context.Background(), bob.host.ID(), []entry.Key{bobKey}) },
				r.keeper.gc,
				func() { r.keeper.syncFrom(context.Background(), bob.host.ID(), []entry.Key{bobKey}) },
			} {
				step()
				if tail, head, _ := r.store.Span(bobKey); tail != tt.wantFrom || head != total {
					t.Fatalf("after step %d, the relay keeps bob's %d–%d, want %d–%d", i, tail, head, tt.wantFrom, total)
				}
			}
			if fill.missing(bobKey, time.Now()) {
				t.Error("the relay's backfiller says bob's log misses its start, want not")
			}
		})
	}
}
