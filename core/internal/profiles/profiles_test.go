package profiles

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core/internal/blob"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/media"
	"github.com/skein-p2p/skein/core/internal/store"
)

func key(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

var (
	alice = key(0x01)
	bob   = key(0x02)
)

func author(priv ed25519.PrivateKey) entry.Key { return entry.KeyOf(priv.Public().(ed25519.PublicKey)) }

// profileEntry signs a profile entry of priv's log at seq (its prev is
// made up: the table does not check chains).
func profileEntry(t testing.TB, priv ed25519.PrivateKey, seq uint64, p entry.Profile) *entry.Entry {
	t.Helper()
	var prev entry.ID
	if seq > 1 {
		prev = entry.ID{1}
	}
	e, err := entry.New(priv, seq, prev, hlc.Timestamp{Wall: 1_767_225_600_000 + seq}, entry.KindProfile, p.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestTableLatestWins(t *testing.T) {
	kv := store.NewMemory()
	defer kv.Close()
	tb, err := Open(kv)
	if err != nil {
		t.Fatal(err)
	}
	a := author(alice)
	if _, _, ok, err := tb.Get(a); ok || err != nil {
		t.Fatalf("Get(empty) = ok %v, %v, want none", ok, err)
	}
	steps := []struct {
		seq     uint64
		name    string
		changed bool
		want    string // display name after
	}{
		{3, "Alice", true, "Alice"},
		{2, "Old Alice", false, "Alice"}, // older arrives later: nothing changes
		{3, "Same seq", false, "Alice"},
		{7, "Alice B.", true, "Alice B."},
		{9, "", true, ""}, // cleared
	}
	for _, s := range steps {
		e := profileEntry(t, alice, s.seq, entry.Profile{DisplayName: s.name, Bio: "bio"})
		_, changed, err := tb.Put(e)
		if err != nil || changed != s.changed {
			t.Fatalf("Put(seq %d) = %v, %v, want %v", s.seq, changed, err, s.changed)
		}
		if got := tb.DisplayName(a); got != s.want {
			t.Errorf("after seq %d: DisplayName() = %q, want %q", s.seq, got, s.want)
		}
	}
	p, e, ok, err := tb.Get(a)
	if err != nil || !ok || e.Seq != 9 || p.Bio != "bio" {
		t.Fatalf("Get() = %+v, seq %v, %v, %v, want seq 9", p, e, ok, err)
	}
	if err := e.Verify(); err != nil {
		t.Errorf("stored entry does not verify: %v", err)
	}
	// Reopening loads the cache from the table.
	tb2, err := Open(kv)
	if err != nil {
		t.Fatal(err)
	}
	if tb2.Seq(a) != 9 || tb2.Len() != 1 {
		t.Errorf("reopened: Seq() = %d, Len() = %d, want 9, 1", tb2.Seq(a), tb2.Len())
	}
}

func TestTableRefuses(t *testing.T) {
	tb, err := Open(store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	post, err := entry.New(alice, 1, entry.ID{}, hlc.Timestamp{Wall: 1}, entry.KindPost, []byte("hi"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tb.Put(post); err == nil {
		t.Error("Put(post) = nil error, want refused")
	}
	prof := profileEntry(t, alice, 2, entry.Profile{DisplayName: "A"})
	if _, _, err := tb.Put(prof.Redact()); err == nil {
		t.Error("Put(redacted) = nil error, want refused")
	}
	if tb.Len() != 0 {
		t.Errorf("Len() = %d, want 0", tb.Len())
	}
}

func TestTablePrune(t *testing.T) {
	kv := store.NewMemory()
	tb, err := Open(kv)
	if err != nil {
		t.Fatal(err)
	}
	for i, priv := range []ed25519.PrivateKey{alice, bob} {
		if _, _, err := tb.Put(profileEntry(t, priv, uint64(i+1), entry.Profile{DisplayName: "x"})); err != nil {
			t.Fatal(err)
		}
	}
	n, err := tb.Prune(func(k entry.Key) bool { return k == author(alice) })
	if err != nil || n != 1 {
		t.Fatalf("Prune() = %d, %v, want 1", n, err)
	}
	if _, _, ok, _ := tb.Get(author(bob)); ok || tb.DisplayName(author(bob)) != "" {
		t.Error("bob's profile survived Prune")
	}
	if tb.DisplayName(author(alice)) != "x" {
		t.Error("alice's profile was pruned")
	}
	tb2, _ := Open(kv)
	if tb2.Len() != 1 {
		t.Errorf("reopened after Prune: Len() = %d, want 1", tb2.Len())
	}
}

func TestCheck(t *testing.T) {
	ok := []entry.Profile{
		{},
		{DisplayName: strings.Repeat("é", entry.MaxDisplayNameChars)},
		{Bio: strings.Repeat("b", entry.MaxBioChars)},
		{Bio: "two\nlines\tand a tab"},
		{DisplayName: "Ünïcødé 🌍 שלום", Link: "https://example.org/~alice?x=1#y"},
		{Link: "HTTP://example.org"},
	}
	for _, p := range ok {
		if err := Check(p); err != nil {
			t.Errorf("Check(%+v) = %v, want nil", p, err)
		}
	}
	bad := []struct {
		name string
		p    entry.Profile
		msg  string
	}{
		{"display name 65", entry.Profile{DisplayName: strings.Repeat("a", 65)}, "65 characters, limit 64"},
		{"bio 301", entry.Profile{Bio: strings.Repeat("a", 301)}, "301 characters, limit 300"},
		{"blank display name", entry.Profile{DisplayName: " \t "}, "only white space"},
		{"blank bio", entry.Profile{Bio: "\n\n"}, "only white space"},
		{"newline in display name", entry.Profile{DisplayName: "a\nb"}, "U+000A"},
		{"tab in display name", entry.Profile{DisplayName: "a\tb"}, "U+0009"},
		{"escape in bio", entry.Profile{Bio: "a\x1b[2Jb"}, "U+001B (ESC)"},
		{"bidi override", entry.Profile{DisplayName: "abc\u202edef"}, "U+202E"},
		{"invalid UTF-8", entry.Profile{Bio: "a\xffb"}, "UTF-8"},
		{"javascript link", entry.Profile{Link: "javascript:alert(1)"}, "not an http"},
		{"data link", entry.Profile{Link: "data:text/html,hi"}, "not an http"},
		{"long link", entry.Profile{Link: "https://e.org/" + strings.Repeat("a", 190)}, "link of"},
		{"link with space", entry.Profile{Link: "https://e.org/a b"}, "character"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.p)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Check() = %v, want ErrInvalid saying %q", err, tt.msg)
			}
		})
	}
}

func TestTableDelete(t *testing.T) {
	kv := store.NewMemory()
	tb, err := Open(kv)
	if err != nil {
		t.Fatal(err)
	}
	a := author(alice)
	older := profileEntry(t, alice, 2, entry.Profile{DisplayName: "old"})
	held := profileEntry(t, alice, 4, entry.Profile{DisplayName: "A"})
	tb.Put(held)
	if ok, err := tb.Delete(a, 3, held.ID()); ok || err != nil {
		t.Fatalf("Delete(another seq) = %v, %v, want nothing deleted", ok, err)
	}
	if ok, err := tb.Delete(a, 4, entry.ID{1}); ok || err != nil {
		t.Fatalf("Delete(another ID at the seq held: a fork) = %v, %v, want nothing deleted", ok, err)
	}
	if ok, err := tb.Delete(a, 4, held.ID()); !ok || err != nil || tb.DisplayName(a) != "" || tb.Len() != 0 {
		t.Fatalf("Delete(the entry held) = %v, %v; Len() = %d", ok, err, tb.Len())
	}
	// The deleted profile, or an older one, never comes back, also after
	// a reopen; a newer one is taken.
	reopened, err := Open(kv)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		tb   *Table
	}{{"open", tb}, {"reopened", reopened}} {
		name, tb := c.name, c.tb
		if _, _, ok, _ := tb.Get(a); ok {
			t.Errorf("%s: Get() after Delete found a profile", name)
		}
		if tb.Seq(a) != 4 || tb.Len() != 0 {
			t.Errorf("%s: Seq() = %d, Len() = %d after Delete, want 4, 0", name, tb.Seq(a), tb.Len())
		}
		for _, e := range []*entry.Entry{held, older} {
			if _, stored, err := tb.Put(e); stored || err != nil {
				t.Errorf("%s: Put(seq %d) after its delete = %v, %v, want refused", name, e.Seq, stored, err)
			}
		}
	}
	if _, stored, err := tb.Put(profileEntry(t, alice, 5, entry.Profile{DisplayName: "new"})); !stored || err != nil || tb.DisplayName(a) != "new" {
		t.Errorf("Put(newer) = %v, %v, display name %q", stored, err, tb.DisplayName(a))
	}
}

// TestTableAvatar: the avatar is kept in memory with the display name, as
// put, after reopening, and gone once the profile is deleted.
func TestTableAvatar(t *testing.T) {
	kv := store.NewMemory()
	defer kv.Close()
	tb, err := Open(kv)
	if err != nil {
		t.Fatal(err)
	}
	a := author(alice)
	av := &media.Descriptor{Root: blob.Sum([]byte("face")), Size: 4, Type: "image/png"}
	e := profileEntry(t, alice, 2, entry.Profile{DisplayName: "Alice", Avatar: av})
	if _, _, err := tb.Put(e); err != nil {
		t.Fatal(err)
	}
	if got := tb.Avatar(a); got == nil || got.Root != av.Root {
		t.Fatalf("Avatar() = %+v, want %s", got, av.Root.Short())
	}
	tb2, err := Open(kv)
	if err != nil {
		t.Fatal(err)
	}
	if got := tb2.Avatar(a); got == nil || got.Root != av.Root {
		t.Fatalf("reopened: Avatar() = %+v", got)
	}
	if ok, err := tb2.Delete(a, 2, e.ID()); !ok || err != nil {
		t.Fatalf("Delete() = %v, %v", ok, err)
	}
	if got := tb2.Avatar(a); got != nil {
		t.Errorf("after the delete: Avatar() = %+v, want nil", got)
	}
	if got := tb.Avatar(author(bob)); got != nil {
		t.Errorf("Avatar(unknown) = %+v", got)
	}
}
