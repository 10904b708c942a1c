package threads

import (
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
)

func TestBuild(t *testing.T) {
	alice, bob, carol := newAuthor(1), newAuthor(2), newAuthor(3)
	root := alice.post(t, "root")
	r1 := bob.reply(t, root, "one")
	r2 := carol.reply(t, root, "two")
	r11 := carol.reply(t, r1, "one-one")
	r21 := bob.reply(t, r2, "two-one")
	children := map[entry.ID][]*entry.Entry{
		root.ID(): {r2, r1, r2}, // out of order, twice
		r1.ID():   {r11},
		r2.ID():   {r21},
	}
	kids := func(id entry.ID, limit int) []*entry.Entry { return append([]*entry.Entry(nil), children[id]...) }
	none := func(*entry.Entry) bool { return false }
	shape := func(bs []Branch) string {
		var f func([]Branch) string
		f = func(bs []Branch) string {
			s := ""
			for _, b := range bs {
				s += "(" + string(b.Entry.Body[len(b.Entry.Body)-3:]) + f(b.Replies) + ")"
			}
			return s
		}
		return f(bs)
	}
	tests := []struct {
		name     string
		skip     func(*entry.Entry) bool
		max, dep int
		want     string
	}{
		{"whole tree, oldest first, once each", none, 100, 10, "(one(one))(two(one))"},
		{"one level", none, 100, 1, "(one)(two)"},
		{"a level takes the budget first", none, 3, 10, "(one(one))(two)"},
		{"no budget", none, 0, 10, ""},
		{"a skipped author, and what is under it", func(e *entry.Entry) bool { return e.Author == r1.Author }, 100, 10, "(two)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := shape(Build(root.ID(), kids, tt.skip, tt.max, tt.dep)); got != tt.want {
				t.Errorf("Build = %s, want %s", got, tt.want)
			}
		})
	}
}
