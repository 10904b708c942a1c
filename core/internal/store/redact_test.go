package store_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// TestFeedKinds checks which entries feeds and timelines show.
func TestFeedKinds(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		alice, bob, carol := newWriter(t, "alice"), newWriter(t, "bob"), newWriter(t, "carol")
		mustAccount(t, s, alice)
		mustFollow(t, s, alice, bob.following())
		p1 := bob.post("p1")
		r2, rp3 := bob.reply(p1, "r2"), bob.repost(p1)
		f4, u5 := bob.follow(carol), bob.unfollow(carol)
		p6 := bob.post("deleted by its author")
		d7, x8 := bob.del(p6), bob.next(entry.Kind(99), []byte("a kind from the future"))
		p9, p10 := bob.post("p9").Redact(), bob.post("p10")
		mustAppend(t, s, p1, r2, rp3, f4, u5, p6, d7, x8, p9, p10)
		// p6 shows until Redact is called for it.
		want := []*entry.Entry{p10, p6, rp3, r2, p1}
		checkFeed(t, s, alice, want)
		tl, err := s.Timeline(bob.key, 0, 100)
		if err != nil || !slices.Equal(ids(tl), ids(want)) {
			t.Errorf("Timeline(bob) = %v, %v, want %v", ids(tl), err, ids(want))
		}

		// Following backfills the same kinds.
		mustFollow(t, s, alice, bob.unfollowing())
		checkFeed(t, s, alice, nil)
		mustFollow(t, s, alice, bob.following())
		checkFeed(t, s, alice, want)
	})
}

func TestRedact(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		alice, ann, bob := newWriter(t, "alice"), newWriter(t, "ann"), newWriter(t, "bob")
		mustAccount(t, s, alice, ann)
		mustFollow(t, s, alice, bob.following())
		mustFollow(t, s, ann, bob.following())
		b1 := bob.post("b1")
		b2, b3, b4 := bob.reply(b1, "reply"), bob.repost(b1), bob.post("b4")
		log := []*entry.Entry{b1, b2, b3, b4}
		mustAppend(t, s, log...)
		own := alice.posts(2)
		mustAppend(t, s, own...)

		steps := []struct {
			name     string
			author   *writer
			seq      uint64
			id       entry.ID
			want     bool
			redacted []*entry.Entry // of log, once the step is done
		}{
			{"a post", bob, 1, b1.ID(), true, []*entry.Entry{b1}},
			{"the same again", bob, 1, b1.ID(), false, []*entry.Entry{b1}},
			{"a reply", bob, 2, b2.ID(), true, []*entry.Entry{b1, b2}},
			{"a repost", bob, 3, b3.ID(), true, []*entry.Entry{b1, b2, b3}},
			{"another ID at a held seq", bob, 4, b1.ID(), true, []*entry.Entry{b1, b2, b3}},
			{"that again", bob, 4, b1.ID(), false, []*entry.Entry{b1, b2, b3}},
			{"the head", bob, 4, b4.ID(), true, log},
			{"own post", alice, 2, own[1].ID(), true, log},
		}
		for _, st := range steps {
			changed, err := s.Redact(st.author.key, st.seq, st.id)
			if err != nil || changed != st.want {
				t.Errorf("%s: Redact() = %v, %v, want %v", st.name, changed, err, st.want)
			}
			var shown []*entry.Entry
			for _, e := range log {
				if slices.Contains(st.redacted, e) {
					checkRedacted(t, s, e)
				} else {
					shown = append(shown, e)
				}
			}
			checkFeed(t, s, ann, newestFirst(shown...))
		}
		checkRedacted(t, s, own[1])
		checkFeed(t, s, alice, newestFirst(own[0]))

		for _, tt := range []struct {
			seq  uint64
			want bool
		}{{1, true}, {4, true}, {5, false}} {
			if got, err := s.Tombstoned(bob.key, tt.seq); err != nil || got != tt.want {
				t.Errorf("Tombstoned(bob, %d) = %v, %v, want %v", tt.seq, got, err, tt.want)
			}
		}

		// The log goes on after a redacted head, and Entries serves the
		// redacted forms.
		b5 := bob.post("b5")
		mustAppend(t, s, b5)
		got, err := s.Entries(bob.key, 0, 10, 1<<20)
		if err != nil || len(got) != 5 {
			t.Fatalf("Entries(bob) = %d entries, %v, want 5", len(got), err)
		}
		for i, e := range got[:4] {
			if !bytes.Equal(e.Bytes(), log[i].Redact().Bytes()) {
				t.Errorf("Entries(bob)[%d] = %d bytes, want the %d of the redacted entry", i, len(e.Bytes()), entry.BaseSize)
			}
		}
		if !bytes.Equal(got[4].Bytes(), b5.Bytes()) {
			t.Errorf("Entries(bob)[4] is not b5 in full")
		}
		checkFeed(t, s, ann, []*entry.Entry{b5})
	})
}

// TestRedactBeforeArrival checks that an entry redacted before it is held
// is stored redacted, and that redacted entries from other holders are
// stored as they come.
func TestRedactBeforeArrival(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	alice, bob, carol := newWriter(t, "alice"), newWriter(t, "bob"), newWriter(t, "carol")
	mustAccount(t, s, alice)
	mustFollow(t, s, alice, bob.following())
	mustFollow(t, s, alice, carol.following())
	b1, b2 := bob.post("b1"), bob.post("b2")
	b3 := bob.del(b2)
	if changed, err := s.Redact(bob.key, 2, b2.ID()); err != nil || !changed {
		t.Fatalf("Redact() = %v, %v, want true", changed, err)
	}

	// The tombstone survives a restart.
	s.Close()
	s = openDir(t, dir)
	added, err := s.Append([]*entry.Entry{b1, b2, b3}, false)
	if err != nil || len(added) != 3 || !added[1].Redacted() || added[1].ID() != b2.ID() {
		t.Fatalf("Append() = %d added, %v, want 3 with b2 redacted", len(added), err)
	}
	checkRedacted(t, s, b2)
	if got, _ := s.Entry(bob.key, 1); got.Redacted() {
		t.Errorf("Entry(bob, 1) is redacted, want it in full")
	}

	// Entries a holder redacted already are stored as they are, and
	// still chain.
	c1, c2, c3 := carol.post("c1"), carol.post("c2"), carol.post("c3")
	mustAppend(t, s, c1.Redact(), c2, c3.Redact())
	checkRedacted(t, s, c1)
	checkRedacted(t, s, c3)
	mustAppend(t, s, carol.post("c4"))
	// The full form arriving later changes nothing.
	if added, err := s.Append([]*entry.Entry{c1}, false); err != nil || len(added) != 0 {
		t.Errorf("Append(c1 in full) = %d added, %v, want none", len(added), err)
	}
	checkRedacted(t, s, c1)
	checkFeed(t, s, alice, []*entry.Entry{carol.last, c2, b1})
}

// TestRedactForkEvidence checks that evidence holding a redacted entry is
// redacted too, and that tombstones go with a dropped log.
func TestRedactForkEvidence(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		bob := newWriter(t, "bob")
		b1, b2 := bob.post("b1"), bob.post("b2")
		mustAppend(t, s, b1, b2)
		fork := bob.fork(b2)
		if _, err := s.Append([]*entry.Entry{fork}, false); !errors.Is(err, store.ErrFork) {
			t.Fatalf("Append(fork) = %v, want ErrFork", err)
		}
		for _, e := range []*entry.Entry{b2, fork} {
			if _, err := s.Redact(bob.key, 2, e.ID()); err != nil {
				t.Fatalf("Redact() = %v", err)
			}
		}
		fs, err := s.Forks(bob.key)
		want := store.Fork{Seq: 2, Held: b2.Redact().Bytes(), Other: fork.Redact().Bytes()}
		if err != nil || len(fs) != 1 || !equalFork(fs[0], want) {
			t.Errorf("Forks() = %d forks, %v, want one with both entries redacted", len(fs), err)
		}

		// Nobody follows bob: his log goes after the grace, tombstones too.
		gcAll(t, s, store.Retention{UnfollowGrace: time.Hour}, time.Now())
		if _, _, err := s.GC(context.Background(), store.Retention{}, time.Now().Add(2*time.Hour), 0); err != nil {
			t.Fatalf("GC() = %v", err)
		}
		checkHeld(t, s, bob, nil)
		if got, err := s.Tombstoned(bob.key, 2); err != nil || got {
			t.Errorf("Tombstoned() after the log was dropped = %v, %v, want false", got, err)
		}
		mustAppend(t, s, b1, b2)
		if got, _ := s.Entry(bob.key, 2); got.Redacted() {
			t.Errorf("Entry(bob, 2) fetched again after the drop is redacted, want it in full")
		}
	})
}

// checkRedacted checks that e is held in redacted form.
func checkRedacted(t *testing.T, s *store.Store, e *entry.Entry) {
	t.Helper()
	got, err := s.Entry(e.Author, e.Seq)
	if err != nil {
		t.Fatalf("Entry(%s, %d) = %v", e.Author.Short(), e.Seq, err)
	}
	if !got.Redacted() || got.Body != nil || got.ID() != e.ID() || !bytes.Equal(got.Bytes(), e.Redact().Bytes()) {
		t.Errorf("Entry(%s, %d) = %d bytes, redacted %v, want the redacted form of %s", e.Author.Short(), e.Seq, len(got.Bytes()), got.Redacted(), e.ID().String()[:8])
	}
	if text, ok := entry.Text(got); ok {
		t.Errorf("entry.Text(Entry(%s, %d)) = %q, want none", e.Author.Short(), e.Seq, text)
	}
}

func TestLocate(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		testLocate(t, newStore(t))
	})
}

func testLocate(t *testing.T, s *store.Store) {
	alice := newWriter(t, "alice")
	es := alice.posts(3)
	if _, err := s.Append(es, false); err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		id := e.ID()
		got, err := s.Locate(id[:4], 5)
		if err != nil || len(got) < 1 {
			t.Fatalf("Locate(%x) = %v, %v", id[:4], got, err)
		}
		found := false
		for _, l := range got {
			found = found || l == (store.Loc{Author: alice.key, Seq: e.Seq})
		}
		if !found {
			t.Fatalf("Locate(%x) = %v, want %s seq %d", id[:4], got, alice.key.Short(), e.Seq)
		}
	}
	if got, _ := s.Locate([]byte{0xff, 0xff, 0xff, 0xff, 0xff}, 5); len(got) != 0 {
		t.Fatalf("Locate(no such prefix) = %v, want none", got)
	}
}

func TestNoticeQueue(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		alice, bob, carol := newWriter(t, "alice"), newWriter(t, "bob"), newWriter(t, "carol")
		f1, f2 := bob.follow(alice), carol.follow(alice)
		for _, e := range []*entry.Entry{f2, f1} {
			if err := s.QueueNotice(alice.key, e); err != nil {
				t.Fatal(err)
			}
		}
		s.QueueNotice(bob.key, carol.post("hi @bob"))
		targets, err := s.NoticeTargets()
		if err != nil || len(targets) != 2 {
			t.Fatalf("NoticeTargets() = %v, %v; want alice and bob", targets, err)
		}
		got, err := s.QueuedNotices(alice.key, 10)
		if err != nil || len(got) != 2 {
			t.Fatalf("QueuedNotices(alice) = %d, %v; want 2", len(got), err)
		}
		if err := s.DropNotice(alice.key, f1); err != nil {
			t.Fatal(err)
		}
		got, _ = s.QueuedNotices(alice.key, 10)
		if len(got) != 1 || got[0].ID() != f2.ID() {
			t.Fatalf("QueuedNotices(alice) after drop = %v, want carol's follow", got)
		}
	})
}
