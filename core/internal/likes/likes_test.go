package likes

import (
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

func key(b byte) entry.Key { var k entry.Key; k[0] = b; return k }
func id(b byte) entry.ID   { var i entry.ID; i[0] = b; i[31] = 1; return i }

func ref(b byte) entry.Ref { return entry.Ref{Author: key(0xa0), Seq: 1, ID: id(b)} }

func TestApply(t *testing.T) {
	type step struct {
		liker  byte
		seq    uint64
		post   byte
		active bool
		want   bool // changed
	}
	tests := []struct {
		name   string
		steps  []step
		counts map[byte]int
		liked  map[[2]byte]bool // post, liker
	}{
		{"one like", []step{{1, 5, 1, true, true}}, map[byte]int{1: 1}, map[[2]byte]bool{{1, 1}: true}},
		{"twice the same entry", []step{{1, 5, 1, true, true}, {1, 5, 1, true, false}}, map[byte]int{1: 1}, nil},
		{"like then unlike", []step{{1, 5, 1, true, true}, {1, 6, 1, false, true}}, map[byte]int{1: 0}, map[[2]byte]bool{{1, 1}: false}},
		{"older unlike loses", []step{{1, 6, 1, true, true}, {1, 5, 1, false, false}}, map[byte]int{1: 1}, map[[2]byte]bool{{1, 1}: true}},
		{"unlike arrives before like", []step{{1, 7, 1, false, true}, {1, 6, 1, true, false}}, map[byte]int{1: 0}, map[[2]byte]bool{{1, 1}: false}},
		{"relike", []step{{1, 1, 1, true, true}, {1, 2, 1, false, true}, {1, 3, 1, true, true}}, map[byte]int{1: 1}, nil},
		{"many likers", []step{{1, 1, 1, true, true}, {2, 1, 1, true, true}, {3, 1, 1, true, true}, {2, 2, 1, false, true}}, map[byte]int{1: 2}, map[[2]byte]bool{{1, 2}: false, {1, 3}: true}},
		{"two posts", []step{{1, 1, 1, true, true}, {1, 2, 2, true, true}}, map[byte]int{1: 1, 2: 1, 3: 0}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := Open(store.NewMemory(), Limits{})
			for i, s := range tt.steps {
				got, err := tab.Apply(Like{Liker: key(s.liker), Seq: s.seq, Of: ref(s.post), Active: s.active})
				if err != nil || got != s.want {
					t.Fatalf("step %d: Apply() = %v, %v, want %v", i, got, err, s.want)
				}
			}
			for p, want := range tt.counts {
				if got, err := tab.Count(id(p)); err != nil || got != want {
					t.Errorf("Count(%d) = %d, %v, want %d", p, got, err, want)
				}
			}
			for pl, want := range tt.liked {
				if got, err := tab.Liked(id(pl[0]), key(pl[1])); err != nil || got != want {
					t.Errorf("Liked(%d, %d) = %v, %v, want %v", pl[0], pl[1], got, err, want)
				}
			}
		})
	}
}

func TestLimits(t *testing.T) {
	tab := Open(store.NewMemory(), Limits{PerPost: 2, PerLiker: 3})
	for l := byte(1); l <= 3; l++ {
		tab.Apply(Like{Liker: key(l), Seq: 1, Of: ref(1), Active: true})
	}
	if got, _ := tab.Count(id(1)); got != 2 {
		t.Errorf("Count() = %d, want 2 (PerPost)", got)
	}
	for p := byte(2); p <= 6; p++ {
		tab.Apply(Like{Liker: key(9), Seq: uint64(p), Of: ref(p), Active: true})
	}
	if got, _ := tab.Count(id(6)); got != 0 {
		t.Errorf("Count(6) = %d, want 0 (PerLiker)", got)
	}
	if got := tab.Dropped(); got != 3 {
		t.Errorf("Dropped() = %d, want 3", got)
	}
	// A liker already recorded for a post may still change its mind.
	if ok, _ := tab.Apply(Like{Liker: key(1), Seq: 2, Of: ref(1), Active: false}); !ok {
		t.Errorf("unlike of a recorded liker at the limit not applied")
	}
}

func TestDrop(t *testing.T) {
	tab := Open(store.NewMemory(), Limits{PerLiker: 2})
	tab.Apply(Like{Liker: key(1), Seq: 1, Of: ref(1), Active: true})
	tab.Apply(Like{Liker: key(2), Seq: 1, Of: ref(1), Active: true})
	tab.Apply(Like{Liker: key(1), Seq: 2, Of: ref(2), Active: true})
	if err := tab.DropLiker(key(1)); err != nil {
		t.Fatal(err)
	}
	if got, _ := tab.Count(id(1)); got != 1 {
		t.Errorf("Count(1) after DropLiker = %d, want 1", got)
	}
	if got, _ := tab.Count(id(2)); got != 0 {
		t.Errorf("Count(2) after DropLiker = %d, want 0", got)
	}
	// The liker's rows are free again.
	tab.Apply(Like{Liker: key(1), Seq: 3, Of: ref(3), Active: true})
	tab.Apply(Like{Liker: key(1), Seq: 4, Of: ref(4), Active: true})
	if got, _ := tab.Count(id(4)); got != 1 {
		t.Errorf("Count(4) = %d, want 1", got)
	}
	if err := tab.DropPost(id(1)); err != nil {
		t.Fatal(err)
	}
	if got, _ := tab.Count(id(1)); got != 0 {
		t.Errorf("Count(1) after DropPost = %d, want 0", got)
	}
	if ls, _ := tab.Likers(id(4), 10); len(ls) != 1 || ls[0] != key(1) {
		t.Errorf("Likers(4) = %v, want [key 1]", ls)
	}
}

// TestCacheFollowsWrites: Count and Liked, read before and after each
// write, answer what the table holds.
func TestCacheFollowsWrites(t *testing.T) {
	tab := Open(store.NewMemory(), Limits{})
	check := func(step string, count int, liked bool) {
		t.Helper()
		c, err1 := tab.Count(id(1))
		l, err2 := tab.Liked(id(1), key(1))
		if c != count || l != liked || err1 != nil || err2 != nil {
			t.Errorf("%s: Count() = %d, Liked() = %v (%v, %v), want %d, %v", step, c, l, err1, err2, count, liked)
		}
	}
	check("empty", 0, false)
	tab.Apply(Like{Liker: key(1), Seq: 1, Of: ref(1), Active: true})
	check("liked", 1, true)
	tab.Apply(Like{Liker: key(1), Seq: 2, Of: ref(1), Active: false})
	check("unliked", 0, false)
	tab.Apply(Like{Liker: key(1), Seq: 3, Of: ref(1), Active: true})
	tab.DropPost(id(1))
	check("post dropped", 0, false)
	tab.Apply(Like{Liker: key(1), Seq: 4, Of: ref(1), Active: true})
	tab.DropLiker(key(1))
	check("liker dropped", 0, false)
	// A fresh table over the same rows reads them back.
	kv := store.NewMemory()
	Open(kv, Limits{}).Apply(Like{Liker: key(1), Seq: 1, Of: ref(1), Active: true})
	tab = Open(kv, Limits{})
	check("reopened", 1, true)
}

// TestRangesAllKeys checks that a liker or a post whose key starts with
// 0xff is found: a scan that ended at prefix+0xff missed it.
func TestRangesAllKeys(t *testing.T) {
	tab := Open(store.NewMemory(), Limits{})
	for _, liker := range []byte{0x00, 0x7f, 0xff} {
		if _, err := tab.Apply(Like{Liker: key(liker), Seq: 1, Of: ref(0xff), Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	ls, err := tab.Likers(id(0xff), 10)
	if err != nil || len(ls) != 3 {
		t.Fatalf("Likers = %d, %v, want 3", len(ls), err)
	}
	if err := tab.DropLiker(key(0xff)); err != nil {
		t.Fatal(err)
	}
	if n, err := tab.Count(id(0xff)); err != nil || n != 2 {
		t.Errorf("after DropLiker(0xff…): Count = %d, %v, want 2", n, err)
	}
	if err := tab.DropPost(id(0xff)); err != nil {
		t.Fatal(err)
	}
	if ls, err := tab.Likers(id(0xff), 10); err != nil || len(ls) != 0 {
		t.Errorf("after DropPost: Likers = %d, %v, want 0", len(ls), err)
	}
}
