package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// TestSpan appends a log that starts at seq 500, then extends it both ways.
func TestSpan(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	alice, bob := newWriter(t, "alice"), newWriter(t, "bob")
	mustAccount(t, s, alice)
	mustFollow(t, s, alice, bob.following())
	log := bob.posts(502) // log[i] has seq i+1
	at := func(seq uint64) *entry.Entry { return log[seq-1] }

	steps := []struct {
		name             string
		in               []*entry.Entry
		wantAdded        int
		wantErr          error
		wantTail, wantHd uint64
	}{
		{"first entry at seq 500", []*entry.Entry{at(500)}, 1, nil, 500, 500},
		{"next one chains", []*entry.Entry{at(501)}, 1, nil, 500, 501},
		{"seq 499 of another log", []*entry.Entry{bob.entryAt(499, at(498).ID(), at(499).Time, "forged")}, 0, store.ErrBadChain, 500, 501},
		{"seq 499 that seq 500 links to", []*entry.Entry{at(499)}, 1, nil, 499, 501},
		{"seq 300, far below", []*entry.Entry{at(300)}, 0, nil, 499, 501},
		{"a run down to seq 490 and the head", slices.Concat(log[489:498], log[501:]), 10, nil, 490, 502},
		{"a run that stops short of the tail", log[:488], 0, nil, 490, 502},
	}
	for _, st := range steps {
		added, err := s.Append(st.in, false)
		if len(added) != st.wantAdded || !errors.Is(err, st.wantErr) || (err == nil) != (st.wantErr == nil) {
			t.Errorf("%s: Append() added %d, %v, want %d, %v", st.name, len(added), err, st.wantAdded, st.wantErr)
		}
		if tail, head, err := s.Span(bob.key); err != nil || tail != st.wantTail || head != st.wantHd {
			t.Errorf("%s: Span() = %d, %d, %v, want %d, %d", st.name, tail, head, err, st.wantTail, st.wantHd)
		}
	}
	checkHeld(t, s, bob, log[489:])
	checkFeed(t, s, alice, newestFirst(log[489:]...))
	if n, err := s.Usage(); err != nil || n != 13 {
		t.Errorf("Usage() = %d, %v, want 13", n, err)
	}
	if tail, head, err := s.Span(alice.key); err != nil || tail != 0 || head != 0 {
		t.Errorf("Span(nothing held) = %d, %d, %v, want 0, 0", tail, head, err)
	}

	// The tail is persisted.
	s.Close()
	s = openDir(t, dir)
	if tail, head, err := s.Span(bob.key); err != nil || tail != 490 || head != 502 {
		t.Errorf("Span() after reopening = %d, %d, %v, want 490, 502", tail, head, err)
	}
	mustAppend(t, s, at(489))
	checkHeld(t, s, bob, log[488:])
	if added, err := s.Append(log, false); err != nil || len(added) != 488 {
		t.Errorf("Append(whole log) added %d, %v, want 488", len(added), err)
	}
	checkHeld(t, s, bob, log)
}

func TestForks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		a, b, c := newWriter(t, "alice"), newWriter(t, "bob"), newWriter(t, "carol")
		as, bs := a.posts(3), b.posts(2)
		mustAppend(t, s, as...)
		mustAppend(t, s, c.posts(2)...)
		forkA2, forkA2again, forkA3 := a.fork(as[1]), a.entryAt(2, as[0].ID(), now(), "another fork"), a.fork(as[2])
		forkB2 := b.fork(bs[1])

		steps := []struct {
			name string
			in   []*entry.Entry
		}{
			{"below the head", []*entry.Entry{forkA2}},
			{"again at the same seq", []*entry.Entry{forkA2again}},
			{"at the head", []*entry.Entry{forkA3}},
			{"within one call", []*entry.Entry{bs[0], bs[1], forkB2}},
		}
		for _, st := range steps {
			if _, err := s.Append(st.in, false); !errors.Is(err, store.ErrFork) {
				t.Errorf("%s: Append() = %v, want ErrFork", st.name, err)
			}
		}

		tests := []struct {
			w    *writer
			want []store.Fork
		}{
			{a, []store.Fork{{Seq: 2, Held: as[1].Bytes(), Other: forkA2.Bytes()}, {Seq: 3, Held: as[2].Bytes(), Other: forkA3.Bytes()}}},
			{b, []store.Fork{{Seq: 2, Held: bs[1].Bytes(), Other: forkB2.Bytes()}}},
			{c, nil},
		}
		for _, tt := range tests {
			fs, err := s.Forks(tt.w.key)
			if err != nil || !slices.EqualFunc(fs, tt.want, equalFork) {
				t.Errorf("Forks(%s) = %d forks, %v, want %d", tt.w.name, len(fs), err, len(tt.want))
			}
			for _, f := range fs {
				held, err1 := entry.Decode(f.Held)
				other, err2 := entry.Decode(f.Other)
				if err1 != nil || err2 != nil || held.Seq != f.Seq || other.Seq != f.Seq || held.Author != tt.w.key || other.Author != tt.w.key {
					t.Errorf("Forks(%s) seq %d holds entries that do not decode to that position: %v, %v", tt.w.name, f.Seq, err1, err2)
				}
			}
		}
		want := []entry.Key{a.key, b.key}
		sortKeys(want)
		if got, err := s.ForkedAuthors(); err != nil || !slices.Equal(got, want) {
			t.Errorf("ForkedAuthors() = %v, %v, want %v", got, err, want)
		}
		// The held log is unchanged.
		checkHeld(t, s, a, as)
	})
}

func equalFork(a, b store.Fork) bool {
	return a.Seq == b.Seq && bytes.Equal(a.Held, b.Held) && bytes.Equal(a.Other, b.Other)
}

// checkHeld checks that exactly es are held of w's log.
func checkHeld(t *testing.T, s *store.Store, w *writer, es []*entry.Entry) {
	t.Helper()
	got, err := s.Entries(w.key, 0, 1<<20, 1<<30)
	if err != nil || !slices.EqualFunc(got, es, func(a, b *entry.Entry) bool { return a.ID() == b.ID() }) {
		t.Errorf("Entries(%s, 0) = %s, %v, want %s", w.name, seqRange(got), err, seqRange(es))
	}
	tail, head, _ := s.Span(w.key)
	if len(es) > 0 && (tail != es[0].Seq || head != es[len(es)-1].Seq) {
		t.Errorf("Span(%s) = %d, %d, want %d, %d", w.name, tail, head, es[0].Seq, es[len(es)-1].Seq)
	}
	if len(es) == 0 && (tail != 0 || head != 0) {
		t.Errorf("Span(%s) = %d, %d, want 0, 0", w.name, tail, head)
	}
}

// openDir opens a store in dir, closed when the test ends.
func openDir(t *testing.T, dir string) *store.Store {
	t.Helper()
	kv, err := store.OpenLevelDB(dir)
	if err != nil {
		t.Fatalf("OpenLevelDB() = %v", err)
	}
	s, err := store.New(kv)
	if err != nil {
		kv.Close()
		t.Fatalf("New() = %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func sortKeys(keys []entry.Key) {
	slices.SortFunc(keys, func(a, b entry.Key) int { return bytes.Compare(a[:], b[:]) })
}

// seqRange describes es, entries of one log, for messages.
func seqRange(es []*entry.Entry) string {
	if len(es) == 0 {
		return "no entries"
	}
	return fmt.Sprintf("%d entries, seq %d to %d", len(es), es[0].Seq, es[len(es)-1].Seq)
}
