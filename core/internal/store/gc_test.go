package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/store"
)

// hourly returns n posts by w stamped an hour apart, the first at base
// plus an hour.
func hourly(w *writer, base time.Time, n int) []*entry.Entry {
	es := make([]*entry.Entry, n)
	for i := range es {
		es[i] = w.nextAt(stamp(base.Add(time.Duration(i+1)*time.Hour)), entry.KindPost, []byte(fmt.Sprintf("hour %d by %s", i+1, w.name)))
	}
	return es
}

func stamp(t time.Time) hlc.Timestamp { return hlc.Timestamp{Wall: uint64(t.UnixMilli())} }

// gcAll runs GC until it is done and returns the number of entries removed.
func gcAll(t *testing.T, s *store.Store, r store.Retention, now time.Time) int {
	t.Helper()
	total := 0
	for range 1000 {
		n, done, err := s.GC(context.Background(), r, now, 100)
		total += n
		if err != nil {
			t.Fatalf("GC() = %v", err)
		}
		if done {
			return total
		}
	}
	t.Fatalf("GC() not done after 1000 calls")
	return 0
}

// retentionBase and retentionNow are the times of retentionTests: bob's
// 10 hourly posts, the first at retentionBase plus an hour, are 9h to 0h
// old at retentionNow, and a minute.
var (
	retentionBase = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	retentionNow  = retentionBase.Add(10*time.Hour + time.Minute)
)

// retentionTests are policies applied to bob's 10 hourly posts, with the
// seq of the first one each keeps. Of the posts older than KeepFor below
// the count floor, the newest stays: it tells a node filling the log in
// from below where to stop.
var retentionTests = []struct {
	name     string
	r        store.Retention
	wantTail uint64
}{
	{"newest 3", store.Retention{KeepPerAuthor: 3}, 8},
	{"newest 3 and younger than 5h30", store.Retention{KeepPerAuthor: 3, KeepFor: 5*time.Hour + 30*time.Minute}, 4},
	{"younger than 2h", store.Retention{KeepFor: 2 * time.Hour}, 8},
	{"younger than 2h and the newest 2", store.Retention{KeepPerAuthor: 2, KeepFor: 2 * time.Hour}, 8},
	{"younger than 2h30 and the newest 2", store.Retention{KeepPerAuthor: 2, KeepFor: 2*time.Hour + 30*time.Minute}, 7},
	{"newest 3 and younger than 1h", store.Retention{KeepPerAuthor: 3, KeepFor: time.Hour}, 8},
	{"none but the head", store.Retention{}, 10},
	{"negative counts as zero", store.Retention{KeepPerAuthor: -5, KeepFor: -time.Hour}, 10},
	{"more than held", store.Retention{KeepPerAuthor: 20}, 1},
	{"all younger", store.Retention{KeepFor: 100 * time.Hour}, 1},
	{"all younger but the first", store.Retention{KeepFor: 9*time.Hour + 30*time.Minute}, 1},
	{"default", store.DefaultRetention(), 1},
}

func TestGCRetention(t *testing.T) {
	base, now, tests := retentionBase, retentionNow, retentionTests
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := newStore(t)
				alice, ann, bob := newWriter(t, "alice"), newWriter(t, "ann"), newWriter(t, "bob")
				mustAccount(t, s, alice, ann)
				mustFollow(t, s, alice, bob.following())
				mustFollow(t, s, alice, ann.following()) // followed and local
				// A millisecond apart, so that feeds have one order.
				own, annLog, bobLog := hourly(alice, base, 10), hourly(ann, base.Add(time.Millisecond), 10), hourly(bob, base.Add(2*time.Millisecond), 10)
				mustAppend(t, s, slices.Concat(own, annLog, bobLog)...)

				removed := gcAll(t, s, tt.r, now)
				kept := bobLog[tt.wantTail-1:]
				if want := int(tt.wantTail - 1); removed != want {
					t.Errorf("GC() removed %d entries, want %d", removed, want)
				}
				checkHeld(t, s, bob, kept)
				checkHeld(t, s, alice, own) // local logs are kept whole
				checkHeld(t, s, ann, annLog)
				checkFeed(t, s, alice, newestFirst(slices.Concat(own, annLog, kept)...))
				if h, _ := s.Head(bob.key); h.Seq != 10 || h.ID != bobLog[9].ID() {
					t.Errorf("Head(bob) = seq %d, want 10", h.Seq)
				}
				if n, err := s.Usage(); err != nil || n != 20+len(kept) {
					t.Errorf("Usage() = %d, %v, want %d", n, err, 20+len(kept))
				}
				if n := gcAll(t, s, tt.r, now); n != 0 {
					t.Errorf("GC() again removed %d entries, want 0", n)
				}

				// The log goes on from the head, and can be filled in again
				// below the tail.
				next := bob.nextAt(stamp(now), entry.KindPost, []byte("after GC"))
				mustAppend(t, s, next)
				if added, err := s.Append(bobLog, false); err != nil || len(added) != int(tt.wantTail-1) {
					t.Errorf("Append(bob's log again) added %d, %v, want %d", len(added), err, tt.wantTail-1)
				}
				checkHeld(t, s, bob, append(slices.Clone(bobLog), next))
			})
		}
	})
}

// TestRetentionBackfill fills bob's log in from below, starting from his
// newest post, in chunks of several sizes, keeping of each chunk what
// Retention.Kept keeps and going on while Retention.KeepsBelow says so, as
// a node back-filling a log from a peer does. It must stop where GC stops:
// holding what GC keeps, so that GC then has nothing to collect and the
// next backfill nothing to fetch.
func TestRetentionBackfill(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		for _, tt := range retentionTests {
			for _, chunk := range []uint64{1, 3, 16} {
				t.Run(fmt.Sprintf("%s/chunks of %d", tt.name, chunk), func(t *testing.T) {
					s := newStore(t)
					alice, bob := newWriter(t, "alice"), newWriter(t, "bob")
					mustAccount(t, s, alice)
					mustFollow(t, s, alice, bob.following())
					bobLog := hourly(bob, retentionBase, 10)
					mustAppend(t, s, bobLog[9])
					const head = 10
					for range head {
						tail, _, _ := s.Span(bob.key)
						first, err := s.Entry(bob.key, tail)
						if err != nil {
							t.Fatalf("Entry(bob, %d) = %v", tail, err)
						}
						if !tt.r.KeepsBelow(first, head, retentionNow) {
							break
						}
						from := uint64(1)
						if tail > chunk {
							from = tail - chunk
						}
						kept := tt.r.Kept(bobLog[from-1:tail-1], first, head, retentionNow)
						if len(kept) == 0 {
							t.Fatalf("Kept(%d–%d) = none, but KeepsBelow(%d) = true", from, tail-1, tail)
						}
						mustAppend(t, s, kept...)
					}
					checkHeld(t, s, bob, bobLog[tt.wantTail-1:])
					if n := gcAll(t, s, tt.r, retentionNow); n != 0 {
						t.Errorf("GC() after backfill removed %d entries, want 0", n)
					}
				})
			}
		}
	})
}

// TestGCIncremental checks that GC respects its budget and picks up where
// it stopped while appends go on.
func TestGCIncremental(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		alice := newWriter(t, "alice")
		mustAccount(t, s, alice)
		authors := make([]*writer, 3)
		for i := range authors {
			authors[i] = newWriter(t, fmt.Sprint("author", i))
			mustFollow(t, s, alice, authors[i].following())
			mustAppend(t, s, authors[i].posts(300)...)
		}
		r := store.Retention{KeepPerAuthor: 10}
		const budget = 70
		ctx := context.Background()

		total, calls := 0, 0
		for done := false; !done; {
			var n int
			var err error
			n, done, err = s.GC(ctx, r, time.Now(), budget)
			if err != nil {
				t.Fatalf("GC() = %v", err)
			}
			if n > budget {
				t.Errorf("GC() removed %d entries, budget %d", n, budget)
			}
			if !done && n != budget {
				t.Errorf("GC() removed %d entries and is not done, want the whole budget %d", n, budget)
			}
			total += n
			calls++
			if calls > 100 {
				t.Fatal("GC() not done after 100 calls")
			}
			mustAppend(t, s, authors[calls%3].post("while collecting"))
		}
		if want := 3 * 290; total < want {
			t.Errorf("GC() removed %d entries in all, want at least %d", total, want)
		}
		if want := (3*290 + budget - 1) / budget; calls < want {
			t.Errorf("GC() took %d calls, want at least %d", calls, want)
		}
		gcAll(t, s, r, time.Now())
		for _, w := range authors {
			tail, head, _ := s.Span(w.key)
			if head-tail+1 != 10 {
				t.Errorf("Span(%s) = %d, %d, want the newest 10", w.name, tail, head)
			}
		}

		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		mustAppend(t, s, authors[0].posts(5)...)
		if n, done, err := s.GC(cancelled, r, time.Now(), 0); !errors.Is(err, context.Canceled) || done || n != 0 {
			t.Errorf("GC(cancelled) = %d, %v, %v, want context.Canceled", n, done, err)
		}
	})
}

// TestGCUnfollowed checks that logs nobody follows are dropped after the
// grace period, and only then.
func TestGCUnfollowed(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	alice, ann := newWriter(t, "alice"), newWriter(t, "ann")
	bob, carol, dave, erin := newWriter(t, "bob"), newWriter(t, "carol"), newWriter(t, "dave"), newWriter(t, "erin")
	mustAccount(t, s, alice, ann)
	for _, w := range []*writer{bob, dave, erin} {
		mustFollow(t, s, alice, w.following())
	}
	mustFollow(t, s, ann, dave.following())
	logs := map[*writer][]*entry.Entry{}
	for _, w := range []*writer{alice, bob, carol, dave, erin} {
		logs[w] = w.posts(300)
		mustAppend(t, s, logs[w]...)
	}
	if err := s.SetKnown(bob.key, 400); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append([]*entry.Entry{bob.fork(logs[bob][5])}, false); !errors.Is(err, store.ErrFork) {
		t.Fatalf("Append(fork) = %v, want ErrFork", err)
	}
	mustFollow(t, s, alice, bob.unfollowing())  // bob: nobody follows any more
	mustFollow(t, s, alice, dave.unfollowing()) // dave: ann still does
	mustFollow(t, s, alice, erin.unfollowing()) // erin: followed again
	mustFollow(t, s, alice, erin.following())
	// carol: fetched without being followed.

	r := store.Retention{KeepPerAuthor: 1000, UnfollowGrace: time.Hour}
	unfollowed := time.Now()
	if n := gcAll(t, s, r, unfollowed.Add(time.Minute)); n != 0 {
		t.Errorf("GC() within the grace removed %d entries, want 0", n)
	}

	// The times survive a restart.
	s.Close()
	s = openDir(t, dir)
	for _, w := range []*writer{alice, bob, carol, dave, erin} {
		checkHeld(t, s, w, logs[w])
	}
	if n := gcAll(t, s, r, unfollowed.Add(50*time.Minute)); n != 0 {
		t.Errorf("GC() within the grace removed %d entries, want 0", n)
	}

	// Past the grace, bob's and carol's logs go, a few entries a call.
	total := 0
	for done := false; !done; {
		n, d, err := s.GC(context.Background(), r, unfollowed.Add(2*time.Hour), 100)
		if err != nil || n > 100 {
			t.Fatalf("GC() = %d, %v, want at most 100", n, err)
		}
		total, done = total+n, d
	}
	if total != 600 {
		t.Errorf("GC() past the grace removed %d entries, want 600", total)
	}
	for _, w := range []*writer{bob, carol} {
		checkHeld(t, s, w, nil)
		if h, _ := s.Head(w.key); h != (store.Head{}) {
			t.Errorf("Head(%s) = %+v, want none", w.name, h)
		}
	}
	if k, _ := s.Known(bob.key); k != 0 {
		t.Errorf("Known(bob) = %d, want 0", k)
	}
	if fs, _ := s.Forks(bob.key); len(fs) != 0 {
		t.Errorf("Forks(bob) = %d forks, want none", len(fs))
	}
	if ks, _ := s.ForkedAuthors(); len(ks) != 0 {
		t.Errorf("ForkedAuthors() = %v, want none", ks)
	}
	for _, w := range []*writer{alice, dave, erin} {
		checkHeld(t, s, w, logs[w])
	}
	checkFeed(t, s, alice, newestFirst(slices.Concat(logs[alice], logs[erin])...))
	checkFeed(t, s, ann, newestFirst(logs[dave]...))
	if n, _ := s.Usage(); n != 900 {
		t.Errorf("Usage() = %d, want 900", n)
	}

	// A dropped log can be fetched again from anywhere.
	mustAppend(t, s, logs[bob][250:]...)
	checkHeld(t, s, bob, logs[bob][250:])

	// A log that was followed again after the grace is not dropped.
	mustFollow(t, s, alice, bob.following())
	if n := gcAll(t, s, r, unfollowed.Add(3*time.Hour)); n != 0 {
		t.Errorf("GC() of a followed log removed %d entries, want 0", n)
	}
}

// TestGCBounded appends a long stream of entries of followed authors,
// collecting as it goes, and checks that the store stays small.
func TestGCBounded(t *testing.T) {
	const (
		authors  = 5
		total    = 20_000
		perRound = 50 // appended between GC calls: no more than budget
		keep     = 100
		budget   = 64
	)
	s := openDir(t, t.TempDir())
	alice := newWriter(t, "alice")
	mustAccount(t, s, alice)
	ws := make([]*writer, authors)
	for i := range ws {
		ws[i] = newWriter(t, fmt.Sprint("author", i))
		mustFollow(t, s, alice, ws[i].following())
	}
	r := store.Retention{KeepPerAuthor: keep}
	ctx := context.Background()
	for round := range total / perRound {
		es := make([]*entry.Entry, perRound)
		for i := range es {
			es[i] = ws[i%authors].post(fmt.Sprint("post ", round, i))
		}
		mustAppend(t, s, es...)
		if _, _, err := s.GC(ctx, r, time.Now(), budget); err != nil {
			t.Fatalf("GC() = %v", err)
		}
		if n, _ := s.Usage(); n > authors*keep+budget {
			t.Fatalf("Usage() = %d after %d entries, want at most %d", n, (round+1)*perRound, authors*keep+budget)
		}
	}
	gcAll(t, s, r, time.Now())
	stored := 0
	for _, w := range ws {
		es, err := s.Entries(w.key, 0, 1<<20, 1<<30)
		if err != nil || len(es) != keep || es[len(es)-1].ID() != w.last.ID() {
			t.Fatalf("Entries(%s, 0) = %s, %v, want the newest %d", w.name, seqRange(es), err, keep)
		}
		stored += len(es)
	}
	if n, _ := s.Usage(); n != stored || n != authors*keep {
		t.Errorf("Usage() = %d, %d stored, want %d", n, stored, authors*keep)
	}
	if got := len(feed(t, s, alice.key, 1000)); got != authors*keep {
		t.Errorf("Feed() has %d posts, want %d", got, authors*keep)
	}
}

// TestGCSync checks that a store that collected the start of a log still
// serves it to one that holds none of it, and goes on syncing with it.
func TestGCSync(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		holder, fresh := newStore(t), newStore(t)
		alice, bob := newWriter(t, "alice"), newWriter(t, "bob")
		mustAccount(t, holder, alice)
		mustFollow(t, holder, alice, bob.following())
		mustAppend(t, holder, bob.posts(500)...)
		gcAll(t, holder, store.Retention{KeepPerAuthor: 120}, time.Now())

		sync := func() {
			t.Helper()
			_, after, _ := fresh.Span(bob.key)
			es, err := holder.Entries(bob.key, after, 1000, 1<<30)
			if err != nil {
				t.Fatalf("Entries() = %v", err)
			}
			if added, err := fresh.Append(es, false); err != nil || len(added) != len(es) {
				t.Fatalf("Append() added %d of %d, %v", len(added), len(es), err)
			}
		}
		sync()
		if tail, head, _ := fresh.Span(bob.key); tail != 381 || head != 500 {
			t.Errorf("Span() of the fresh store = %d, %d, want 381, 500", tail, head)
		}
		mustAppend(t, holder, bob.posts(30)...)
		sync()
		want, _ := holder.Entries(bob.key, 0, 1000, 1<<30)
		checkHeld(t, fresh, bob, want)
	})
}

// TestGCConcurrent collects while other goroutines append, follow, unfollow
// and redact, and checks that the store stays consistent.
func TestGCConcurrent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		alice := newWriter(t, "alice")
		mustAccount(t, s, alice)
		ws := make([]*writer, 4)
		logs := make([][]*entry.Entry, len(ws))
		for i := range ws {
			ws[i] = newWriter(t, fmt.Sprint("author", i))
			logs[i] = ws[i].posts(400)
			mustFollow(t, s, alice, ws[i].following())
		}
		r := store.Retention{KeepPerAuthor: 50, UnfollowGrace: -1}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for i := range ws {
			wg.Go(func() {
				for j := 0; j < len(logs[i]); j += 20 {
					if _, err := s.Append(logs[i][j:j+20], false); err != nil {
						t.Errorf("Append() = %v", err)
					}
					if j%100 == 0 {
						s.Redact(ws[i].key, uint64(j+1), logs[i][j].ID())
					}
				}
			})
		}
		wg.Go(func() { // author0 is unfollowed and followed again
			for k := range 20 {
				f := ws[0].following()
				f.Seq, f.Active = uint64(k+2), k%2 == 1
				if err := s.SetFollowing(alice.key, f); err != nil {
					t.Errorf("SetFollowing() = %v", err)
				}
			}
		})
		var collector sync.WaitGroup
		collector.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, _, err := s.GC(context.Background(), r, time.Now(), 30); err != nil {
					t.Errorf("GC() = %v", err)
				}
			}
		})
		wg.Wait()
		close(stop)
		collector.Wait()

		gcAll(t, s, r, time.Now())
		total := 0
		for i, w := range ws {
			es, err := s.Entries(w.key, 0, 1<<20, 1<<30)
			if err != nil {
				t.Fatalf("Entries() = %v", err)
			}
			tail, head, _ := s.Span(w.key)
			if head == 0 && len(es) > 0 || head > 0 && (len(es) != int(head-tail+1) || es[0].Seq != tail || es[len(es)-1].Seq != head) {
				t.Errorf("Entries(%s) = %s, want seq %d to %d", w.name, seqRange(es), tail, head)
			}
			if i > 0 && (head != 400 || len(es) != 50) {
				t.Errorf("Span(%s) = %d, %d, want the newest 50 of 400", w.name, tail, head)
			}
			total += len(es)
		}
		if n, _ := s.Usage(); n != total {
			t.Errorf("Usage() = %d, want %d", n, total)
		}
		var want []*entry.Entry
		for i, w := range ws {
			if s.Shows(alice.key, w.key) {
				es, _ := s.Entries(w.key, 0, 1<<20, 1<<30)
				want = append(want, es...)
			} else if i != 0 {
				t.Errorf("Shows(alice, %s) = false, want true", w.name)
			}
		}
		checkFeed(t, s, alice, newestFirst(want...))
	})
}
