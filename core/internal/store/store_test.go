package store_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/store"
)

func TestAppend(t *testing.T) {
	a, b := newWriter(t, "alice"), newWriter(t, "bob")
	a1, a2, a3, a4 := a.post("a1"), a.post("a2"), a.post("a3"), a.post("a4")
	b1, b2 := b.post("b1"), b.post("b2")
	b3 := b.post("b3")
	badPrev := a.entryAt(2, b1.ID(), now(), "links to another log")
	sameTime := a.entryAt(2, a1.ID(), a1.Time, "not after a1")
	earlier := a.entryAt(2, a1.ID(), hlc.Timestamp{Wall: a1.Time.Wall - 1}, "before a1")
	otherFirst := a.entryAt(1, entry.ID{}, a1.Time, "another first post")
	// c2 links to c1 but is stamped before it: a log no honest author signs.
	c := newWriter(t, "carol")
	c1 := c.nextAt(hlc.Timestamp{Wall: a1.Time.Wall + 10}, entry.KindPost, []byte("c1"))
	c2 := c.nextAt(hlc.Timestamp{Wall: a1.Time.Wall + 5}, entry.KindPost, []byte("c2"))
	sentinels := []error{store.ErrFork, store.ErrBadChain, store.ErrGap}

	tests := []struct {
		name     string
		before   []*entry.Entry // appended first
		in       []*entry.Entry
		want     []*entry.Entry // added
		wantErrs []error
		wantMsg  string    // in the error
		heads    [2]uint64 // of a and b afterwards
	}{
		{
			name:  "new log",
			in:    []*entry.Entry{a1, a2, a3},
			want:  []*entry.Entry{a1, a2, a3},
			heads: [2]uint64{3, 0},
		},
		{
			name:   "continue",
			before: []*entry.Entry{a1},
			in:     []*entry.Entry{a2, a3},
			want:   []*entry.Entry{a2, a3},
			heads:  [2]uint64{3, 0},
		},
		{
			name:   "duplicates",
			before: []*entry.Entry{a1, a2, a3},
			in:     []*entry.Entry{a1, a2, a3},
			heads:  [2]uint64{3, 0},
		},
		{
			name:  "duplicates in input",
			in:    []*entry.Entry{a1, a1, a2, a2},
			want:  []*entry.Entry{a1, a2},
			heads: [2]uint64{2, 0},
		},
		{
			name:     "fork at head",
			before:   []*entry.Entry{a1, a2},
			in:       []*entry.Entry{a.fork(a2)},
			wantErrs: []error{store.ErrFork},
			wantMsg:  a.key.Short() + " seq 2",
			heads:    [2]uint64{2, 0},
		},
		{
			name:     "fork below head",
			before:   []*entry.Entry{a1, a2, a3},
			in:       []*entry.Entry{a.fork(a2)},
			wantErrs: []error{store.ErrFork},
			heads:    [2]uint64{3, 0},
		},
		{
			name:     "fork in input",
			in:       []*entry.Entry{a1, a2, a.fork(a2)},
			want:     []*entry.Entry{a1, a2},
			wantErrs: []error{store.ErrFork},
			heads:    [2]uint64{2, 0},
		},
		{
			name:     "gap",
			before:   []*entry.Entry{a1},
			in:       []*entry.Entry{a3, a4},
			wantErrs: []error{store.ErrGap},
			wantMsg:  a.key.Short() + " seq 4",
			heads:    [2]uint64{1, 0},
		},
		{
			name:  "start past seq 1",
			in:    []*entry.Entry{a3, a4},
			want:  []*entry.Entry{a3, a4},
			heads: [2]uint64{4, 0},
		},
		{
			name:   "entry below the tail",
			before: []*entry.Entry{a3, a4},
			in:     []*entry.Entry{a2},
			want:   []*entry.Entry{a2},
			heads:  [2]uint64{4, 0},
		},
		{
			name:   "run below the tail",
			before: []*entry.Entry{a3},
			in:     []*entry.Entry{a1, b1, a2, a4, b2},
			want:   []*entry.Entry{a1, b1, a2, a4, b2},
			heads:  [2]uint64{4, 2},
		},
		{
			name:   "unlinked far below the tail",
			before: []*entry.Entry{a3, a4},
			in:     []*entry.Entry{a1},
			heads:  [2]uint64{4, 0},
		},
		{
			name:     "below the tail, not linked",
			before:   []*entry.Entry{a2, a3},
			in:       []*entry.Entry{otherFirst},
			wantErrs: []error{store.ErrBadChain},
			wantMsg:  a.key.Short() + " seq 1",
			heads:    [2]uint64{3, 0},
		},
		{
			name:     "below the tail, not earlier",
			before:   []*entry.Entry{c2},
			in:       []*entry.Entry{c1},
			wantErrs: []error{store.ErrBadChain},
			wantMsg:  c.key.Short() + " seq 1",
		},
		{
			name:     "bad prev",
			before:   []*entry.Entry{a1},
			in:       []*entry.Entry{badPrev},
			wantErrs: []error{store.ErrBadChain},
			heads:    [2]uint64{1, 0},
		},
		{
			name:     "same time as head",
			before:   []*entry.Entry{a1},
			in:       []*entry.Entry{sameTime},
			wantErrs: []error{store.ErrBadChain},
			heads:    [2]uint64{1, 0},
		},
		{
			name:     "earlier than head",
			before:   []*entry.Entry{a1},
			in:       []*entry.Entry{earlier},
			wantErrs: []error{store.ErrBadChain},
			heads:    [2]uint64{1, 0},
		},
		{
			name:  "mixed authors",
			in:    []*entry.Entry{a1, b1, a2, b2},
			want:  []*entry.Entry{a1, b1, a2, b2},
			heads: [2]uint64{2, 2},
		},
		{
			name:     "partial success",
			before:   []*entry.Entry{b1},
			in:       []*entry.Entry{a1, b.fork(b1), a2, b3, a3},
			want:     []*entry.Entry{a1, a2, a3},
			wantErrs: []error{store.ErrFork, store.ErrGap},
			wantMsg:  b.key.Short() + " seq 3",
			heads:    [2]uint64{3, 1},
		},
	}
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := newStore(t)
				if len(tt.before) > 0 {
					mustAppend(t, s, tt.before...)
				}
				added, err := s.Append(tt.in, true)
				if !slices.Equal(ids(added), ids(tt.want)) {
					t.Errorf("Append() added %v, want %v", ids(added), ids(tt.want))
				}
				for _, sentinel := range sentinels {
					if got, want := errors.Is(err, sentinel), slices.Contains(tt.wantErrs, sentinel); got != want {
						t.Errorf("Append() error = %v; errors.Is(err, %v) = %v, want %v", err, sentinel, got, want)
					}
				}
				if (err != nil) != (len(tt.wantErrs) > 0) {
					t.Errorf("Append() error = %v, want errors %v", err, tt.wantErrs)
				}
				if err != nil && !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("Append() error = %q, want it to mention %q", err, tt.wantMsg)
				}
				for i, w := range []*writer{a, b} {
					h, err := s.Head(w.key)
					if err != nil || h.Seq != tt.heads[i] {
						t.Errorf("Head(%s) = seq %d, %v, want seq %d", w.name, h.Seq, err, tt.heads[i])
					}
					if h.Seq == 0 {
						continue
					}
					e, err := s.Entry(w.key, h.Seq)
					if err != nil || e.ID() != h.ID || e.Time != h.Time {
						t.Errorf("Entry(%s, %d) = %v, %v, want the head %v", w.name, h.Seq, e, err, h)
					}
				}
				for _, e := range slices.Concat(tt.before, tt.want) {
					got, err := s.Entry(e.Author, e.Seq)
					if err != nil || got.ID() != e.ID() {
						t.Errorf("Entry(%s, %d) = %v, want the appended entry", e.Author.Short(), e.Seq, err)
					}
				}
			})
		}
	})
}

// TestAppendLarge appends more than fits one batch.
func TestAppendLarge(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		alice := newWriter(t, "alice")
		mustAccount(t, s, alice)
		text := strings.Repeat("long post ", 100)
		es := make([]*entry.Entry, 2500) // ~2.3 KB of writes each
		for i := range es {
			es[i] = alice.post(text)
		}
		in := append(slices.Clone(es), es[:10]...) // and duplicates of committed ones
		added, err := s.Append(in, false)
		if err != nil || len(added) != len(es) {
			t.Fatalf("Append() added %d entries, %v, want %d", len(added), err, len(es))
		}
		if h, _ := s.Head(alice.key); h.Seq != uint64(len(es)) {
			t.Errorf("Head() = seq %d, want %d", h.Seq, len(es))
		}
		if got := feed(t, s, alice.key, 500); len(got) != len(es) {
			t.Errorf("Feed() has %d posts, want %d", len(got), len(es))
		}
	})
}

func TestFeed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		alice, ann := newWriter(t, "alice"), newWriter(t, "ann")
		bob, carol, dave := newWriter(t, "bob"), newWriter(t, "carol"), newWriter(t, "dave")
		mustAccount(t, s, alice, ann)
		mustFollow(t, s, alice, bob.following())
		mustFollow(t, s, alice, carol.following())
		mustFollow(t, s, ann, dave.following())

		es := []*entry.Entry{
			bob.post("b1"), alice.post("a1"), carol.post("c1"), dave.post("d1"),
			alice.follow(bob), bob.post("b2"), ann.post("n1"), carol.follow(alice),
			dave.post("d2"), carol.post("c2"), alice.post("a2"), bob.post("b3"),
		}
		mustAppend(t, s, es[:5]...) // several appends, several authors in each
		mustAppend(t, s, es[5:]...)

		var aliceFeed, annFeed []*entry.Entry
		for _, e := range es {
			switch e.Author {
			case alice.key, bob.key, carol.key:
				aliceFeed = append(aliceFeed, e)
			case ann.key, dave.key:
				annFeed = append(annFeed, e)
			}
		}
		checkFeed(t, s, alice, newestFirst(aliceFeed...))
		checkFeed(t, s, ann, newestFirst(annFeed...))
		checkFeed(t, s, bob, nil) // not local, follows no one

		// An account of another device, as a relay's store-and-forward
		// client: its follows keep logs watched, and it has no feed here,
		// for logs held before it followed or after.
		zed, eve := newWriter(t, "zed"), newWriter(t, "eve")
		mustFollow(t, s, zed, eve.following())
		mustAppend(t, s, eve.post("e1"))
		mustFollow(t, s, zed, bob.following())
		if !s.Watches(eve.key) {
			t.Error("Watches(eve) = false, followed by zed")
		}
		checkFeed(t, s, zed, nil)
	})
}

func TestFeedPages(t *testing.T) {
	tests := []struct {
		posts, limit int
	}{
		{23, 5},
		{20, 5},
		{3, 10},
		{5, 1},
		{0, 5},
	}
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%d posts by %d", tt.posts, tt.limit), func(t *testing.T) {
				s := newStore(t)
				alice, bob := newWriter(t, "alice"), newWriter(t, "bob")
				mustAccount(t, s, alice)
				mustFollow(t, s, alice, bob.following())
				var es []*entry.Entry
				for i := range tt.posts {
					w := []*writer{alice, bob}[i%2]
					es = append(es, w.post(fmt.Sprint("post ", i)))
				}
				if len(es) > 0 {
					mustAppend(t, s, es...)
				}
				want := newestFirst(es...)

				var got []*entry.Entry
				var cursor []byte
				pages := 0
				for {
					page, next, err := s.Feed(alice.key, cursor, tt.limit)
					if err != nil {
						t.Fatalf("Feed() = %v", err)
					}
					pages++
					if next != nil && len(page) != tt.limit {
						t.Errorf("Feed() page %d has %d posts and a next page, want %d", pages, len(page), tt.limit)
					}
					got = append(got, page...)
					if next == nil {
						break
					}
					if pages > tt.posts {
						t.Fatalf("Feed() returned more pages than posts")
					}
					cursor = next
				}
				if !slices.Equal(ids(got), ids(want)) {
					t.Errorf("Feed() pages = %v, want %v", ids(got), ids(want))
				}
				if wantPages := max(1, (tt.posts+tt.limit-1)/tt.limit); pages != wantPages {
					t.Errorf("Feed() took %d pages, want %d", pages, wantPages)
				}
			})
		}
	})
}

func TestFeedBadCursor(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		alice, bob := newWriter(t, "alice"), newWriter(t, "bob")
		mustAccount(t, s, alice, bob)
		mustAppend(t, s, alice.posts(3)...)
		mustAppend(t, s, bob.posts(3)...)
		_, cursor, err := s.Feed(alice.key, nil, 1)
		if err != nil || cursor == nil {
			t.Fatalf("Feed() = cursor %x, %v, want a cursor", cursor, err)
		}
		_, bobCursor, _ := s.Feed(bob.key, nil, 1)

		edit := func(f func(c []byte) []byte) []byte { return f(slices.Clone(cursor)) }
		tests := []struct {
			name   string
			cursor []byte
		}{
			{"short", cursor[:len(cursor)-1]},
			{"long", edit(func(c []byte) []byte { return append(c, 0) })},
			{"other account", bobCursor},
			{"not a feed key", edit(func(c []byte) []byte { c[0] = 'e'; return c })},
			{"garbage", []byte("garbage")},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				es, next, err := s.Feed(alice.key, tt.cursor, 10)
				if !errors.Is(err, store.ErrBadCursor) || es != nil || next != nil {
					t.Errorf("Feed(%x) = %d posts, %x, %v, want ErrBadCursor", tt.cursor, len(es), next, err)
				}
			})
		}
		if es, _, err := s.Feed(alice.key, []byte{}, 10); err != nil || len(es) != 3 {
			t.Errorf("Feed(empty cursor) = %d posts, %v, want 3", len(es), err)
		}
	})
}

func TestFollowing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		alice, ann := newWriter(t, "alice"), newWriter(t, "ann")
		bob, carol := newWriter(t, "bob"), newWriter(t, "carol")
		mustAccount(t, s, alice, ann)
		own := alice.posts(2)
		bobOld := append(bob.posts(3), bob.follow(carol))
		mustAppend(t, s, own...)
		mustAppend(t, s, bobOld...)
		checkFeed(t, s, alice, newestFirst(own...))

		// Following backfills the posts already held, and later ones follow.
		mustFollow(t, s, alice, bob.following())
		mustFollow(t, s, ann, bob.following())
		checkFeed(t, s, alice, newestFirst(slices.Concat(own, bobOld)...))
		bobNew := bob.post("after the follow")
		mustAppend(t, s, bobNew)
		checkFeed(t, s, alice, newestFirst(slices.Concat(own, bobOld, []*entry.Entry{bobNew})...))
		if w, _ := s.Watched(); !slices.Equal(w, []entry.Key{bob.key}) {
			t.Errorf("Watched() = %v, want [bob]", w)
		}

		// Following again changes nothing.
		mustFollow(t, s, alice, bob.following())
		checkFeed(t, s, alice, newestFirst(slices.Concat(own, bobOld, []*entry.Entry{bobNew})...))

		// Unfollowing removes them, from alice's feed only.
		mustFollow(t, s, alice, bob.unfollowing())
		checkFeed(t, s, alice, newestFirst(own...))
		checkFeed(t, s, ann, newestFirst(slices.Concat(bobOld, []*entry.Entry{bobNew})...))
		if w, _ := s.Watched(); !slices.Equal(w, []entry.Key{bob.key}) {
			t.Errorf("Watched() = %v, want [bob], still followed by ann", w)
		}
		mustAppend(t, s, bob.post("after the unfollow"))
		checkFeed(t, s, alice, newestFirst(own...))

		f, err := s.FollowOf(alice.key, bob.key)
		if want := bob.unfollowing(); err != nil || f.Active || f.Seq != want.Seq || f.Name != "bob" || !f.Since.Equal(want.Since) {
			t.Errorf("FollowOf(alice, bob) = %+v, %v, want %+v", f, err, want)
		}
		if _, err := s.FollowOf(alice.key, carol.key); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("FollowOf(alice, carol) = %v, want ErrNotFound", err)
		}
		mustFollow(t, s, ann, bob.unfollowing())
		if w, _ := s.Watched(); len(w) != 0 {
			t.Errorf("Watched() = %v, want none", w)
		}

		// Following lists active follows by name.
		for _, w := range []*writer{carol, bob, newWriter(t, "aaron")} {
			mustFollow(t, s, alice, w.following())
		}
		mustFollow(t, s, alice, newWriter(t, "zed").unfollowing())
		fs, err := s.Following(alice.key)
		var names []string
		for _, f := range fs {
			names = append(names, f.Name)
		}
		if want := []string{"aaron", "bob", "carol"}; err != nil || !slices.Equal(names, want) {
			t.Errorf("Following(alice) = %v, %v, want %v", names, err, want)
		}
	})
}

func TestFollowSelf(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		alice := newWriter(t, "alice")
		mustAccount(t, s, alice)
		own := alice.posts(3)
		mustAppend(t, s, own...)
		mustFollow(t, s, alice, alice.following())
		checkFeed(t, s, alice, newestFirst(own...))
		mustFollow(t, s, alice, alice.unfollowing())
		checkFeed(t, s, alice, newestFirst(own...))
	})
}

func TestEntries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		a, b := newWriter(t, "alice"), newWriter(t, "bob")
		es := a.posts(9)
		es = append(es, a.post("ten!!!!!!!")) // all the same size
		mustAppend(t, s, es...)
		mustAppend(t, s, b.posts(3)...)
		size := len(es[0].Bytes())
		seqs := func(from, to uint64) []uint64 {
			var s []uint64
			for i := from; i <= to; i++ {
				s = append(s, i)
			}
			return s
		}
		tests := []struct {
			after              uint64
			maxCount, maxBytes int
			want               []uint64
		}{
			{0, 100, 1 << 20, seqs(1, 10)},
			{3, 100, 1 << 20, seqs(4, 10)},
			{0, 4, 1 << 20, seqs(1, 4)},
			{0, 100, 3 * size, seqs(1, 3)},
			{0, 100, 3*size - 1, seqs(1, 2)},
			{5, 100, 1, seqs(6, 6)},
			{0, 100, 0, seqs(1, 1)},
			{9, 100, 1 << 20, seqs(10, 10)},
			{10, 100, 1 << 20, nil},
			{1 << 63, 100, 1 << 20, nil},
			{^uint64(0), 100, 1 << 20, nil},
			{0, 0, 1 << 20, nil},
		}
		for _, tt := range tests {
			got, err := s.Entries(a.key, tt.after, tt.maxCount, tt.maxBytes)
			var gotSeqs []uint64
			for _, e := range got {
				if e.Author != a.key || e.ID() != es[e.Seq-1].ID() {
					t.Errorf("Entries() returned %s/%d, not an entry of alice's log", e.Author.Short(), e.Seq)
				}
				gotSeqs = append(gotSeqs, e.Seq)
			}
			if err != nil || !slices.Equal(gotSeqs, tt.want) {
				t.Errorf("Entries(%d, %d, %d) = %v, %v, want %v", tt.after, tt.maxCount, tt.maxBytes, gotSeqs, err, tt.want)
			}
		}
		if got, err := s.Entries(newWriter(t, "nobody").key, 0, 10, 1<<20); err != nil || len(got) != 0 {
			t.Errorf("Entries(unknown author) = %d entries, %v, want none", len(got), err)
		}
	})
}

func TestTimeline(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		a, b := newWriter(t, "alice"), newWriter(t, "bob")
		mustAppend(t, s, a.post("1"), a.post("2"), a.follow(b), a.post("4"), a.post("5"), a.unfollow(b), a.post("7"))
		mustAppend(t, s, b.posts(2)...)
		tests := []struct {
			before uint64
			limit  int
			want   []uint64
		}{
			{0, 10, []uint64{7, 5, 4, 2, 1}},
			{0, 2, []uint64{7, 5}},
			{5, 10, []uint64{4, 2, 1}},
			{4, 1, []uint64{2}},
			{100, 10, []uint64{7, 5, 4, 2, 1}},
			{1, 10, nil},
			{0, 0, nil},
		}
		for _, tt := range tests {
			got, err := s.Timeline(a.key, tt.before, tt.limit)
			var seqs []uint64
			for _, e := range got {
				if e.Author != a.key || e.Kind != entry.KindPost {
					t.Errorf("Timeline() returned %s/%d of kind %v, want alice's posts", e.Author.Short(), e.Seq, e.Kind)
				}
				seqs = append(seqs, e.Seq)
			}
			if err != nil || !slices.Equal(seqs, tt.want) {
				t.Errorf("Timeline(%d, %d) = %v, %v, want %v", tt.before, tt.limit, seqs, err, tt.want)
			}
		}
	})
}

func TestFollowers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		alice := newWriter(t, "alice")
		bob, carol, dave := newWriter(t, "bob"), newWriter(t, "carol"), newWriter(t, "dave")
		since := time.UnixMilli(1700000000000)
		follower := func(w *writer, seq uint64, active bool) store.Follower {
			return store.Follower{Key: w.key, Name: w.name, Seq: seq, Since: since.Add(time.Duration(seq) * time.Second), Active: active}
		}
		steps := []struct {
			name string
			f    store.Follower
			want bool
		}{
			{"bob follows", follower(bob, 5, true), true},
			{"bob's follow replayed", follower(bob, 5, true), false},
			{"bob's older unfollow", follower(bob, 3, false), false},
			{"dave follows", follower(dave, 2, true), true},
			{"carol follows", follower(carol, 9, true), true},
			{"bob unfollows", follower(bob, 7, false), true},
			{"bob's follow replayed again", follower(bob, 5, true), false},
		}
		for _, st := range steps {
			if got, err := s.SetFollower(alice.key, st.f); err != nil || got != st.want {
				t.Errorf("%s: SetFollower() = %v, %v, want %v", st.name, got, err, st.want)
			}
		}
		fs, err := s.Followers(alice.key)
		want := []store.Follower{follower(carol, 9, true), follower(dave, 2, true)}
		if err != nil || len(fs) != len(want) {
			t.Fatalf("Followers() = %+v, %v, want %+v", fs, err, want)
		}
		for i := range fs {
			if fs[i].Key != want[i].Key || fs[i].Name != want[i].Name || fs[i].Seq != want[i].Seq || !fs[i].Since.Equal(want[i].Since) || !fs[i].Active {
				t.Errorf("Followers()[%d] = %+v, want %+v", i, fs[i], want[i])
			}
		}
		if fs, _ := s.Followers(bob.key); len(fs) != 0 {
			t.Errorf("Followers(bob) = %+v, want none", fs)
		}
	})
}

func TestNotifications(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		alice, bob := newWriter(t, "alice"), newWriter(t, "bob")
		t0 := time.UnixMilli(1700000000000)
		n := func(id byte, sec int, kind string) store.Notification {
			return store.Notification{ID: [16]byte{id}, Kind: kind, From: bob.key, FromName: "bob", Time: t0.Add(time.Duration(sec) * time.Second)}
		}
		for _, x := range []store.Notification{n(1, 10, "follow"), n(3, 30, "post"), n(2, 20, "unfollow"), n(4, 20, "post")} {
			if added, err := s.AddNotification(alice.key, x); !added || err != nil {
				t.Fatalf("AddNotification() = %v, %v; want added", added, err)
			}
		}
		ids := func(ns []store.Notification) []string {
			var s []string
			for _, n := range ns {
				r := ""
				if n.Read {
					r = " read"
				}
				s = append(s, fmt.Sprintf("%d %s%s", n.ID[0], n.Kind, r))
			}
			return s
		}
		unread := func(want int) {
			t.Helper()
			if got, err := s.Unread(alice.key); err != nil || got != want {
				t.Errorf("Unread() = %d, %v, want %d", got, err, want)
			}
		}
		list := func(limit int, want ...string) {
			t.Helper()
			ns, err := s.Notifications(alice.key, limit)
			if err != nil || !slices.Equal(ids(ns), want) {
				t.Errorf("Notifications(%d) = %q, %v, want %q", limit, ids(ns), err, want)
			}
		}

		list(10, "3 post", "2 unfollow", "4 post", "1 follow")
		list(2, "3 post", "2 unfollow")
		unread(4)
		ns, _ := s.Notifications(alice.key, 1)
		if got, want := ns[0], n(3, 30, "post"); got.From != want.From || got.FromName != want.FromName || !got.Time.Equal(want.Time) {
			t.Errorf("Notifications()[0] = %+v, want %+v", got, want)
		}

		if err := s.MarkRead(alice.key, [][16]byte{{3}, {1}, {99}}); err != nil {
			t.Fatalf("MarkRead() = %v", err)
		}
		list(10, "3 post read", "2 unfollow", "4 post", "1 follow read")
		unread(2)
		s.MarkRead(alice.key, [][16]byte{{3}})
		unread(2)

		// Adding a notification again changes nothing: a read one stays read.
		if added, err := s.AddNotification(alice.key, n(1, 10, "follow")); added || err != nil {
			t.Fatalf("AddNotification(again) = %v, %v; want not added", added, err)
		}
		unread(2)
		list(10, "3 post read", "2 unfollow", "4 post", "1 follow read")
		read := n(5, 40, "follow")
		read.Read = true
		s.AddNotification(alice.key, read)
		unread(2)
		list(1, "5 follow read")
		e := n(6, 50, "reply")
		e.Entry = entry.ID{7}
		s.AddNotification(alice.key, e)
		if ns, _ := s.Notifications(alice.key, 1); len(ns) != 1 || ns[0].Entry != (entry.ID{7}) {
			t.Fatalf("Notifications() = %+v, want the reply with its entry ID", ns)
		}
		unread(3)
		s.MarkRead(alice.key, [][16]byte{{6}})
		unread(2)

		if ns, _ := s.Notifications(bob.key, 10); len(ns) != 0 {
			t.Errorf("Notifications(bob) = %q, want none", ids(ns))
		}
		if got, _ := s.Unread(bob.key); got != 0 {
			t.Errorf("Unread(bob) = %d, want 0", got)
		}
	})
}

func TestAccounts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		bob, alice, carol := newWriter(t, "bob"), newWriter(t, "alice"), newWriter(t, "carol")
		mustAccount(t, s, bob, alice)
		if err := s.PutAccount(alice.account()); !errors.Is(err, store.ErrExists) {
			t.Errorf("PutAccount(alice again) = %v, want ErrExists", err)
		}
		if err := s.PutAccount(store.Account{}); err == nil {
			t.Errorf("PutAccount(no name) = nil, want an error")
		}
		got, err := s.Account("alice")
		want := alice.account()
		if err != nil || got.Name != want.Name || got.Key != want.Key || string(got.Secret) != string(want.Secret) || !got.Created.Equal(want.Created) {
			t.Errorf("Account(alice) = %+v, %v, want %+v", got, err, want)
		}
		if _, err := s.Account("carol"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Account(carol) = %v, want ErrNotFound", err)
		}
		as, err := s.Accounts()
		var names []string
		for _, a := range as {
			names = append(names, a.Name)
		}
		if err != nil || !slices.Equal(names, []string{"alice", "bob"}) {
			t.Errorf("Accounts() = %v, %v, want [alice bob]", names, err)
		}
		for _, tt := range []struct {
			w    *writer
			want bool
		}{{alice, true}, {bob, true}, {carol, false}} {
			if got := s.IsLocal(tt.w.key); got != tt.want {
				t.Errorf("IsLocal(%s) = %v, want %v", tt.w.name, got, tt.want)
			}
		}

		// An account restored after its posts arrived gets them in its feed.
		own := append(carol.posts(2), carol.follow(bob))
		mustAppend(t, s, own...)
		checkFeed(t, s, carol, nil)
		mustAccount(t, s, carol)
		checkFeed(t, s, carol, newestFirst(own...))
	})
}

func TestSettings(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		alice, bob, bob2 := newWriter(t, "alice"), newWriter(t, "bob"), newWriter(t, "bob")

		t.Run("pins", func(t *testing.T) {
			if _, err := s.Pinned(alice.key, "bob"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Pinned(bob) = %v, want ErrNotFound", err)
			}
			if err := s.Pin(alice.key, "bob", bob.key); err != nil {
				t.Fatalf("Pin() = %v", err)
			}
			if got, err := s.Pinned(alice.key, "bob"); err != nil || got != bob.key {
				t.Errorf("Pinned(bob) = %v, %v, want %v", got.Short(), err, bob.key.Short())
			}
			if _, err := s.Pinned(bob.key, "bob"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Pinned() by another account = %v, want ErrNotFound", err)
			}
			if _, err := s.Pinned(alice.key, "bo"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Pinned(bo) = %v, want ErrNotFound", err)
			}
			s.Pin(alice.key, "bob", bob2.key)
			if got, _ := s.Pinned(alice.key, "bob"); got != bob2.key {
				t.Errorf("Pinned(bob) after a new pin = %v, want %v", got.Short(), bob2.key.Short())
			}
		})

		t.Run("names", func(t *testing.T) {
			if _, err := s.Name(bob.key); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Name(bob) = %v, want ErrNotFound", err)
			}
			for _, name := range []string{"bob", "bob", "robert"} {
				if err := s.PutName(bob.key, name); err != nil {
					t.Fatalf("PutName() = %v", err)
				}
				if got, err := s.Name(bob.key); err != nil || got != name {
					t.Errorf("Name(bob) = %q, %v, want %q", got, err, name)
				}
			}
		})

		t.Run("known", func(t *testing.T) {
			for _, tt := range []struct{ set, want uint64 }{{0, 0}, {5, 5}, {3, 5}, {9, 9}} {
				if err := s.SetKnown(bob.key, tt.set); err != nil {
					t.Fatalf("SetKnown() = %v", err)
				}
				if got, err := s.Known(bob.key); err != nil || got != tt.want {
					t.Errorf("Known() after SetKnown(%d) = %d, %v, want %d", tt.set, got, err, tt.want)
				}
			}
			if got, _ := s.Known(alice.key); got != 0 {
				t.Errorf("Known(alice) = %d, want 0", got)
			}
		})

		t.Run("meta", func(t *testing.T) {
			if _, err := s.Meta("peer-key"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Meta() = %v, want ErrNotFound", err)
			}
			for _, v := range []string{"secret", "other"} {
				if err := s.PutMeta("peer-key", []byte(v)); err != nil {
					t.Fatalf("PutMeta() = %v", err)
				}
				if got, err := s.Meta("peer-key"); err != nil || string(got) != v {
					t.Errorf("Meta() = %q, %v, want %q", got, err, v)
				}
			}
		})
	})
}

// TestReopen closes a store on disk and checks that a new one over the
// same directory holds everything.
func TestReopen(t *testing.T) {
	dir := t.TempDir()
	open := func() *store.Store {
		t.Helper()
		kv, err := store.OpenLevelDB(dir)
		if err != nil {
			t.Fatalf("OpenLevelDB() = %v", err)
		}
		s, err := store.New(kv)
		if err != nil {
			t.Fatalf("New() = %v", err)
		}
		return s
	}
	alice, bob, carol := newWriter(t, "alice"), newWriter(t, "bob"), newWriter(t, "carol")

	s := open()
	mustAccount(t, s, alice)
	mustFollow(t, s, alice, bob.following())
	es := slices.Concat(alice.posts(2), bob.posts(3), carol.posts(2))
	mustAppend(t, s, es...)
	s.SetFollower(alice.key, store.Follower{Key: carol.key, Name: "carol", Seq: 4, Active: true})
	s.AddNotification(alice.key, store.Notification{ID: [16]byte{1}, Kind: "follow", From: carol.key, Time: time.Now()})
	s.Pin(alice.key, "bob", bob.key)
	s.PutName(bob.key, "bob")
	s.SetKnown(carol.key, 7)
	s.PutMeta("peer-key", []byte("secret"))
	wantFeed := feed(t, s, alice.key, 10)
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close() twice = %v", err)
	}

	s = open()
	defer s.Close()
	for _, w := range []*writer{alice, bob, carol} {
		if h, err := s.Head(w.key); err != nil || h.Seq != w.last.Seq || h.ID != w.last.ID() || h.Time != w.last.Time {
			t.Errorf("Head(%s) = %+v, %v, want seq %d", w.name, h, err, w.last.Seq)
		}
	}
	if !s.IsLocal(alice.key) || s.IsLocal(bob.key) {
		t.Errorf("IsLocal(alice, bob) = %v, %v, want true, false", s.IsLocal(alice.key), s.IsLocal(bob.key))
	}
	if as, err := s.Accounts(); err != nil || len(as) != 1 || as[0].Name != "alice" {
		t.Errorf("Accounts() = %+v, %v, want alice", as, err)
	}
	if w, err := s.Watched(); err != nil || !slices.Equal(w, []entry.Key{bob.key}) {
		t.Errorf("Watched() = %v, %v, want [bob]", w, err)
	}
	if fs, err := s.Following(alice.key); err != nil || len(fs) != 1 || fs[0].Target != bob.key {
		t.Errorf("Following() = %+v, %v, want bob", fs, err)
	}
	checkFeed(t, s, alice, wantFeed)
	// The watchers were loaded: bob's new post reaches alice's feed.
	bobNew, carolNew := bob.post("after reopening"), carol.post("after reopening")
	mustAppend(t, s, bobNew, carolNew)
	checkFeed(t, s, alice, append([]*entry.Entry{bobNew}, wantFeed...))

	if fs, err := s.Followers(alice.key); err != nil || len(fs) != 1 || fs[0].Key != carol.key {
		t.Errorf("Followers() = %+v, %v, want carol", fs, err)
	}
	if n, err := s.Unread(alice.key); err != nil || n != 1 {
		t.Errorf("Unread() = %d, %v, want 1", n, err)
	}
	if k, err := s.Pinned(alice.key, "bob"); err != nil || k != bob.key {
		t.Errorf("Pinned() = %v, %v, want bob", k.Short(), err)
	}
	if name, err := s.Name(bob.key); err != nil || name != "bob" {
		t.Errorf("Name() = %q, %v, want bob", name, err)
	}
	if n, err := s.Known(carol.key); err != nil || n != 7 {
		t.Errorf("Known() = %d, %v, want 7", n, err)
	}
	if v, err := s.Meta("peer-key"); err != nil || string(v) != "secret" {
		t.Errorf("Meta() = %q, %v, want secret", v, err)
	}
}

// TestConcurrent appends logs from several goroutines while others follow
// them and read feeds.
func TestConcurrent(t *testing.T) {
	const writers, perWriter = 8, 40
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		alice, ann := newWriter(t, "alice"), newWriter(t, "ann")
		mustAccount(t, s, alice, ann)
		ws := make([]*writer, writers)
		logs := make([][]*entry.Entry, writers)
		for i := range ws {
			ws[i] = newWriter(t, fmt.Sprint("writer", i))
			logs[i] = ws[i].posts(perWriter)
			mustFollow(t, s, alice, ws[i].following())
		}

		var wg sync.WaitGroup
		for i := range ws {
			wg.Go(func() {
				for j := 0; j < perWriter; j += 3 {
					if added, err := s.Append(logs[i][j:min(j+3, perWriter)], false); err != nil || len(added) == 0 {
						t.Errorf("Append() = %d added, %v", len(added), err)
					}
				}
			})
		}
		wg.Go(func() { // ann follows the writers while they write
			for _, w := range ws {
				if err := s.SetFollowing(ann.key, w.following()); err != nil {
					t.Errorf("SetFollowing() = %v", err)
				}
			}
		})
		wg.Go(func() {
			for range 50 {
				es, _, err := s.Feed(alice.key, nil, 20)
				if err != nil {
					t.Errorf("Feed() = %v", err)
				}
				for i := 1; i < len(es); i++ {
					if !es[i].Time.Less(es[i-1].Time) {
						t.Errorf("Feed() is not newest first at %d", i)
					}
				}
				s.Head(ws[0].key)
				s.Watched()
			}
		})
		wg.Wait()

		all := slices.Concat(logs...)
		checkFeed(t, s, alice, newestFirst(all...))
		checkFeed(t, s, ann, newestFirst(all...))
		for _, w := range ws {
			if h, _ := s.Head(w.key); h.Seq != perWriter {
				t.Errorf("Head(%s) = seq %d, want %d", w.name, h.Seq, perWriter)
			}
		}
	})
}

func TestLayoutVersion(t *testing.T) {
	tests := []struct {
		version uint64
		wantMsg string // in New's error; "" for none
	}{
		{1, "start with a new data directory"},
		{2, ""},
		{3, "use a newer program"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.version), func(t *testing.T) {
			kv := store.NewMemory()
			defer kv.Close()
			var b store.Batch
			b.Put([]byte{'v'}, binary.BigEndian.AppendUint64(nil, tt.version)) // see doc.go
			if err := kv.Commit(&b, false); err != nil {
				t.Fatal(err)
			}
			s, err := store.New(kv)
			if tt.wantMsg == "" && err != nil || tt.wantMsg != "" && (err == nil || !strings.Contains(err.Error(), tt.wantMsg)) {
				t.Errorf("New() over version %d = %v, want an error mentioning %q", tt.version, err, tt.wantMsg)
			}
			if s != nil {
				s.Close()
			}
		})
	}
}
