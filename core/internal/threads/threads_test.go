package threads

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/store"
)

// author signs entries for the tests, seq after seq.
type author struct {
	priv ed25519.PrivateKey
	seq  uint64
	prev entry.ID
}

func newAuthor(seed byte) *author {
	return &author{priv: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32))}
}

func (a *author) sign(t testing.TB, kind entry.Kind, body []byte) *entry.Entry {
	t.Helper()
	a.seq++
	e, err := entry.New(a.priv, a.seq, a.prev, hlc.Timestamp{Wall: 1_780_000_000_000 + a.seq}, kind, body)
	if err != nil {
		t.Fatal(err)
	}
	a.prev = e.ID()
	return e
}

func (a *author) post(t testing.TB, text string) *entry.Entry {
	return a.sign(t, entry.KindPost, []byte(text))
}

func (a *author) reply(t testing.TB, to *entry.Entry, text string) *entry.Entry {
	return a.sign(t, entry.KindReply, entry.Reply{Parent: entry.Ref{Author: to.Author, Seq: to.Seq, ID: to.ID()}, Text: text}.Bytes())
}

func TestTable(t *testing.T) {
	alice, bob, carol := newAuthor(1), newAuthor(2), newAuthor(3)
	root := alice.post(t, "root")
	r1 := bob.reply(t, root, "one")
	r2 := carol.reply(t, root, "two")
	r3 := carol.reply(t, r1, "three")
	tab := Open(store.NewMemory(), Limits{PerPost: 2})
	steps := []struct {
		name string
		e    *entry.Entry
		held bool
		want bool
	}{
		{"held reply", r1, true, true},
		{"kept copy", r2, false, true},
		{"again as a copy", r2, false, false},
		{"copy becomes held", r2, true, false},
		{"reply to a reply", r3, false, true},
	}
	for _, s := range steps {
		if got, err := tab.Add(s.e, s.held); err != nil || got != s.want {
			t.Fatalf("%s: Add() = %v, %v, want %v", s.name, got, err, s.want)
		}
	}
	if _, err := tab.Add(root, true); err == nil {
		t.Errorf("Add(a post) = nil error, want one")
	}
	// The limit: root has two replies already.
	if got, _ := tab.Add(alice.reply(t, root, "four"), true); got || tab.Dropped() != 1 {
		t.Errorf("Add() past the limit = %v, Dropped() = %d, want false, 1", got, tab.Dropped())
	}
	kids, err := tab.Children(root.ID(), 10)
	if err != nil || len(kids) != 2 {
		t.Fatalf("Children(root) = %v, %v, want 2", kids, err)
	}
	for _, k := range kids {
		if !k.Held || k.Raw != nil {
			t.Errorf("Children(root): %x held %v raw %d bytes, want held", k.ID[:4], k.Held, len(k.Raw))
		}
	}
	got, ok, err := tab.Lookup(r3.ID())
	if err != nil || !ok || got.Held || !bytes.Equal(got.Raw, r3.Bytes()) || got.Parent != r1.ID() {
		t.Errorf("Lookup(r3) = %+v, %v, %v, want its kept copy under r1", got, ok, err)
	}
	// Only r1's author's delete of r1 removes it.
	if err := tab.Remove(root.Author, r1.Seq, r1.ID()); err != nil {
		t.Fatal(err)
	}
	if err := tab.Remove(r1.Author, r1.Seq+1, r1.ID()); err != nil {
		t.Fatal(err)
	}
	if kids, _ := tab.Children(root.ID(), 10); len(kids) != 2 {
		t.Fatalf("Children(root) after a stranger's Remove = %d replies, want 2", len(kids))
	}
	if err := tab.Remove(r1.Author, r1.Seq, r1.ID()); err != nil {
		t.Fatal(err)
	}
	if kids, _ := tab.Children(root.ID(), 10); len(kids) != 1 {
		t.Errorf("Children(root) after Remove = %d replies, want 1", len(kids))
	}
	if got, _ := tab.Add(alice.reply(t, root, "five"), true); !got {
		t.Errorf("Add() after Remove freed room = false, want true")
	}
	if done, err := tab.Backfilled(); done || err != nil {
		t.Errorf("Backfilled() of a new table = %v, %v, want false", done, err)
	}
	if err := tab.SetBackfilled(); err != nil {
		t.Fatal(err)
	}
	if done, err := tab.Backfilled(); !done || err != nil {
		t.Errorf("Backfilled() after SetBackfilled = %v, %v, want true", done, err)
	}
}

func TestVerify(t *testing.T) {
	alice, bob, carol := newAuthor(1), newAuthor(2), newAuthor(3)
	root := alice.post(t, "root")
	other := alice.post(t, "another post")
	r1 := bob.reply(t, root, "one")
	r2 := carol.reply(t, r1, "two")
	stray := carol.reply(t, other, "elsewhere")
	forged := bytes.Clone(bob.reply(t, root, "forged").Bytes())
	forged[len(forged)-1] ^= 1 // the text no longer matches the signed hash
	badSig := bytes.Clone(bob.reply(t, root, "bad signature").Bytes())
	badSig[entry.HeaderSize] ^= 1
	post := alice.post(t, "a post, not a reply")
	items := func(es ...[]byte) Answer {
		var a Answer
		for i, e := range es {
			a.Replies = append(a.Replies, Item{Likes: uint32(i), Entry: e})
		}
		return a
	}
	tests := []struct {
		name    string
		a       Answer
		want    []entry.ID
		dropped int
	}{
		{"empty", Answer{}, nil, 0},
		{"a reply and its reply", items(r1.Bytes(), r2.Bytes()), []entry.ID{r1.ID(), r2.ID()}, 0},
		{"child before parent", items(r2.Bytes(), r1.Bytes()), []entry.ID{r2.ID(), r1.ID()}, 0},
		{"orphan", items(r2.Bytes()), nil, 1},
		{"reply to another post", items(r1.Bytes(), stray.Bytes()), []entry.ID{r1.ID()}, 1},
		{"forged body", items(forged), nil, 1},
		{"bad signature", items(badSig, r1.Bytes()), []entry.ID{r1.ID()}, 1},
		{"not a reply", items(post.Bytes()), nil, 1},
		{"redacted", items(r1.Redact().Bytes()), nil, 1},
		{"duplicate", items(r1.Bytes(), r1.Bytes()), []entry.ID{r1.ID()}, 1},
		{"garbage", items([]byte("hello")), nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, dropped := Verify(root.ID(), tt.a)
			var got []entry.ID
			for _, v := range ok {
				got = append(got, v.Entry.ID())
			}
			if len(got) != len(tt.want) || dropped != tt.dropped {
				t.Fatalf("Verify() = %d replies, %d dropped, want %d, %d", len(got), dropped, len(tt.want), tt.dropped)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("Verify()[%d] = %x, want %x", i, got[i][:4], tt.want[i][:4])
				}
			}
		})
	}
}

func TestWire(t *testing.T) {
	alice, bob := newAuthor(1), newAuthor(2)
	root := alice.post(t, "root")
	r1 := bob.reply(t, root, "one")
	ref := entry.Ref{Author: root.Author, Seq: root.Seq, ID: root.ID()}
	req := AppendRequest(nil, ref)
	if got, err := ReadRequest(bytes.NewReader(req)); err != nil || got != ref {
		t.Fatalf("ReadRequest(AppendRequest()) = %v, %v, want %v", got, err, ref)
	}
	a := Answer{Likes: 3, Replies: []Item{{Likes: 1, Entry: r1.Bytes()}}}
	b, err := AppendAnswer(nil, a)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadAnswer(bytes.NewReader(b))
	if err != nil || got.Likes != 3 || len(got.Replies) != 1 || !bytes.Equal(got.Replies[0].Entry, r1.Bytes()) || got.Replies[0].Likes != 1 {
		t.Fatalf("ReadAnswer(AppendAnswer()) = %+v, %v", got, err)
	}
	bad := []struct {
		name string
		b    string // hex
		want error
	}{
		{"empty", "", ErrMalformed},
		{"unknown", "01", ErrUnknown},
		{"refused", "02", ErrRefused},
		{"bad status", "07", ErrMalformed},
		{"short head", "000000", ErrMalformed},
		{"too many replies", "00000000000101", ErrMalformed},
		{"reply missing", "00000000000001", ErrMalformed},
		{"zero-length entry", "00000000000001000000000000", ErrMalformed},
		{"oversize entry", "00000000000001000000007fff", ErrMalformed},
		{"truncated entry", "000000000000010000000000100102", ErrMalformed},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := hex.DecodeString(tt.b)
			if _, err := ReadAnswer(bytes.NewReader(b)); !errors.Is(err, tt.want) {
				t.Errorf("ReadAnswer(%s) = %v, want %v", tt.b, err, tt.want)
			}
		})
	}
	for _, b := range []string{"", "00", hex.EncodeToString(make([]byte, RequestSize))} {
		raw, _ := hex.DecodeString(b)
		if _, err := ReadRequest(bytes.NewReader(raw)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ReadRequest(%q) = %v, want ErrMalformed", b, err)
		}
	}
	big := Answer{Replies: make([]Item, MaxReplies+1)}
	if _, err := AppendAnswer(nil, big); err == nil {
		t.Errorf("AppendAnswer(%d replies) = nil error, want one", MaxReplies+1)
	}
}

func FuzzReadAnswer(f *testing.F) {
	alice, bob := newAuthor(1), newAuthor(2)
	root := alice.post(f, "root")
	r1 := bob.reply(f, root, "one")
	b, _ := AppendAnswer(nil, Answer{Likes: 1, Replies: []Item{{Likes: 2, Entry: r1.Bytes()}}})
	f.Add(b)
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ReadAnswer(bytes.NewReader(b))
		if err != nil {
			return
		}
		if len(a.Replies) > MaxReplies {
			t.Fatalf("ReadAnswer() = %d replies, limit %d", len(a.Replies), MaxReplies)
		}
		ok, dropped := Verify(root.ID(), a)
		if len(ok)+dropped != len(a.Replies) {
			t.Fatalf("Verify() = %d + %d dropped, of %d", len(ok), dropped, len(a.Replies))
		}
		again, err := AppendAnswer(nil, a)
		if err != nil || !bytes.Equal(again, b[:len(again)]) {
			t.Fatalf("AppendAnswer(ReadAnswer(b)) = %x, %v; b = %x", again, err, b)
		}
	})
}

func FuzzReadRequest(f *testing.F) {
	f.Add(AppendRequest(nil, entry.Ref{Seq: 1, ID: entry.ID{1}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		ref, err := ReadRequest(bytes.NewReader(b))
		if err == nil && !bytes.Equal(AppendRequest(nil, ref), b[:RequestSize]) {
			t.Fatalf("AppendRequest(ReadRequest(%x)) differs", b)
		}
	})
}

func TestCollect(t *testing.T) {
	alice, bob := newAuthor(1), newAuthor(2)
	root := alice.post(t, "root")
	r1 := bob.reply(t, root, "one")
	r2 := alice.reply(t, root, "two")
	r11 := alice.reply(t, r1, "one-one")
	kids := map[entry.ID][]*entry.Entry{root.ID(): {r1, r2}, r1.ID(): {r11}}
	children := func(id entry.ID, limit int) []*entry.Entry { return kids[id][:min(limit, len(kids[id]))] }
	likes := func(id entry.ID) uint32 { return uint32(len(kids[id])) } // any figure per entry
	a := Collect(root.ID(), children, likes)
	if a.Likes != 2 {
		t.Errorf("Collect().Likes = %d, want the root's 2", a.Likes)
	}
	want := []*entry.Entry{r1, r2, r11} // breadth first
	if len(a.Replies) != len(want) {
		t.Fatalf("Collect() = %d replies, want %d", len(a.Replies), len(want))
	}
	for i, e := range want {
		if it := a.Replies[i]; !bytes.Equal(it.Entry, e.Bytes()) || it.Likes != likes(e.ID()) {
			t.Errorf("reply %d = %x… (likes %d), want %x… (likes %d)", i, it.Entry[:8], it.Likes, e.Bytes()[:8], likes(e.ID()))
		}
	}
	if b, err := AppendAnswer(nil, a); err != nil || len(b) != a.Size() {
		t.Errorf("AppendAnswer(Collect()) = %d bytes, %v; want %d", len(b), err, a.Size())
	}
}

// TestChildrenAllIDs checks that a reply is listed whatever its ID: a scan
// that ended at parent+0xff missed the replies whose ID starts with 0xff.
func TestChildrenAllIDs(t *testing.T) {
	alice, bob := newAuthor(1), newAuthor(2)
	root := alice.post(t, "root")
	tab := Open(store.NewMemory(), Limits{PerPost: 1000})
	firsts := map[byte]bool{}
	for i := 0; !(firsts[0x00] && firsts[0xff]) && i < 5000; i++ {
		r := bob.reply(t, root, "reply")
		if _, err := tab.Add(r, true); err != nil {
			t.Fatal(err)
		}
		firsts[r.ID()[0]] = true
	}
	if !firsts[0xff] {
		t.Fatal("no reply ID starting with 0xff in 5,000")
	}
	rs, err := tab.Children(root.ID(), 10000)
	if err != nil {
		t.Fatal(err)
	}
	got := map[byte]bool{}
	for _, r := range rs {
		got[r.ID[0]] = true
	}
	if !got[0xff] || !got[0x00] {
		t.Errorf("Children lists first bytes 0x00: %v, 0xff: %v", got[0x00], got[0xff])
	}
}
