package bookmarks_test

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/bookmarks"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/store"
)

var (
	t0           = time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)
	alice, carol = entry.Key{1}, entry.Key{2}
)

// posts returns n signed posts of one author, with texts "p0", "p1", ….
func posts(t testing.TB, n int) []*entry.Entry {
	_, priv, _ := ed25519.GenerateKey(nil)
	var out []*entry.Entry
	var prev entry.ID
	for i := range n {
		e, err := entry.New(priv, uint64(i+1), prev, hlc.Timestamp{Wall: uint64(t0.UnixMilli()) + uint64(i)}, entry.KindPost, []byte(fmt.Sprintf("p%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		prev = e.ID()
		out = append(out, e)
	}
	return out
}

func texts(es []*entry.Entry) []string {
	out := []string{}
	for _, e := range es {
		if e.Redacted() {
			out = append(out, "-")
			continue
		}
		out = append(out, string(e.Body))
	}
	return out
}

// all reads account's bookmarks page by page of size limit.
func all(t *testing.T, b *bookmarks.Book, account entry.Key, limit int) []string {
	var out []string
	var cur []byte
	for range 100 {
		es, next, err := b.Page(account, cur, limit)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, texts(es)...)
		if next == nil {
			return out
		}
		cur = next
	}
	t.Fatal("Page never ends")
	return nil
}

func TestBook(t *testing.T) {
	ps := posts(t, 5)
	type op struct {
		add     bool // else remove
		account entry.Key
		post    int
		want    bool
	}
	tests := []struct {
		name   string
		ops    []op
		redact []int // posts deleted by their author after the ops
		want   map[entry.Key][]string
	}{
		{name: "empty", want: map[entry.Key][]string{alice: nil}},
		{
			name: "newest saved first, whatever the posts' times",
			ops:  []op{{true, alice, 3, true}, {true, alice, 0, true}, {true, alice, 4, true}},
			want: map[entry.Key][]string{alice: {"p4", "p0", "p3"}, carol: nil},
		},
		{
			name: "per account; twice saves once; remove",
			ops: []op{
				{true, alice, 1, true}, {true, alice, 1, false}, {true, carol, 1, true},
				{true, alice, 2, true}, {false, alice, 1, true}, {false, alice, 1, false},
			},
			want: map[entry.Key][]string{alice: {"p2"}, carol: {"p1"}},
		},
		{
			name:   "a delete redacts every account's copy",
			ops:    []op{{true, alice, 1, true}, {true, carol, 1, true}, {true, alice, 2, true}},
			redact: []int{1, 3},
			want:   map[entry.Key][]string{alice: {"p2", "-"}, carol: {"-"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kv := store.NewMemory()
			b, err := bookmarks.Open(kv)
			if err != nil {
				t.Fatal(err)
			}
			for i, o := range tt.ops {
				var got bool
				if o.add {
					got, err = b.Add(o.account, ps[o.post], t0.Add(time.Duration(i)*time.Second))
				} else {
					got, err = b.Remove(o.account, ps[o.post].ID())
				}
				if err != nil || got != o.want {
					t.Fatalf("op %d = %v, %v, want %v", i, got, err, o.want)
				}
			}
			for _, i := range tt.redact {
				// A delete by another author, or naming another seq,
				// changes nothing; the author's own does.
				other := ps[i].Author
				other[0] ^= 1
				for _, wrong := range []struct {
					author entry.Key
					seq    uint64
				}{{other, ps[i].Seq}, {ps[i].Author, ps[i].Seq + 1}} {
					if n, err := b.Redact(wrong.author, wrong.seq, ps[i].ID()); n != 0 || err != nil {
						t.Fatalf("Redact(not the author's) = %d, %v, want 0", n, err)
					}
				}
				if _, err := b.Redact(ps[i].Author, ps[i].Seq, ps[i].ID()); err != nil {
					t.Fatal(err)
				}
			}
			reopened, err := bookmarks.Open(kv)
			if err != nil {
				t.Fatal(err)
			}
			for which, b := range map[string]*bookmarks.Book{"open": b, "reopened": reopened} {
				for account, want := range tt.want {
					for _, limit := range []int{1, 2, 50} {
						if got := all(t, b, account, limit); fmt.Sprint(got) != fmt.Sprint(want) && len(got)+len(want) > 0 {
							t.Errorf("%s: pages of %d = %v, want %v", which, limit, got, want)
						}
					}
					if got := b.Len(account); got != len(want) {
						t.Errorf("%s: Len() = %d, want %d", which, got, len(want))
					}
				}
				for _, p := range ps {
					in := false
					for _, txt := range tt.want[alice] {
						in = in || txt == string(p.Body)
					}
					if got := b.Has(alice, p.ID()); got != in && !contains(tt.redact, p) {
						t.Errorf("%s: Has(%s) = %v, want %v", which, p.Body, got, in)
					}
				}
			}
		})
	}
}

func contains(idx []int, p *entry.Entry) bool {
	for _, i := range idx {
		if string(p.Body) == fmt.Sprintf("p%d", i) {
			return true
		}
	}
	return false
}

func TestMatch(t *testing.T) {
	ps := posts(t, 2)
	b, _ := bookmarks.Open(store.NewMemory())
	b.Add(alice, ps[0], t0)
	b.Add(alice, ps[1], t0)
	id := ps[0].ID().String()
	if got := b.Match(alice, id[:10], 2); len(got) != 1 || got[0] != ps[0].ID() {
		t.Errorf("Match(%s) = %v, want [%s]", id[:10], got, id)
	}
	if got := b.Match(carol, id[:10], 2); len(got) != 0 {
		t.Errorf("Match(carol) = %v, want none", got)
	}
	if got := b.Match(alice, "", 2); len(got) != 2 {
		t.Errorf("Match(\"\") = %d IDs, want 2", len(got))
	}
}

func TestFull(t *testing.T) {
	ps := posts(t, 1)
	b, _ := bookmarks.Open(store.NewMemory())
	_, priv, _ := ed25519.GenerateKey(nil)
	for i := range bookmarks.MaxPerAccount {
		e, err := entry.New(priv, 1, entry.ID{}, hlc.Timestamp{Wall: 1}, entry.KindPost, fmt.Appendf(nil, "x%d", i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Add(alice, e, t0); err != nil {
			t.Fatalf("Add #%d: %v", i, err)
		}
	}
	if _, err := b.Add(alice, ps[0], t0); !errors.Is(err, bookmarks.ErrFull) {
		t.Fatalf("Add beyond MaxPerAccount = %v, want ErrFull", err)
	}
	if _, err := b.Add(carol, ps[0], t0); err != nil {
		t.Fatalf("Add for another account = %v", err)
	}
}

func TestBadCursor(t *testing.T) {
	b, _ := bookmarks.Open(store.NewMemory())
	for _, c := range [][]byte{{1}, make([]byte, 41), make([]byte, 39)} {
		if _, _, err := b.Page(alice, c, 10); !errors.Is(err, bookmarks.ErrBadCursor) && len(c) != 40 {
			t.Errorf("Page(cursor of %d bytes) = %v, want ErrBadCursor", len(c), err)
		}
	}
}
