package search

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/store"
)

func key(b byte) entry.Key {
	var k entry.Key
	k[0] = b
	return k
}

// fixture indexes one post per text, the first the oldest, and returns
// the index and the refs, in order.
func fixture(t testing.TB, texts ...string) (*Index, []Ref) {
	t.Helper()
	ix, err := Open(store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	var ps []Post
	var refs []Ref
	for i, text := range texts {
		r := Ref{Author: key(byte(i % 3)), Seq: uint64(i + 1)}
		refs = append(refs, r)
		ps = append(ps, Post{Ref: r, Time: hlc.Timestamp{Wall: 1_000 + uint64(i)}, Text: text})
	}
	if err := ix.AddPosts(ps); err != nil {
		t.Fatal(err)
	}
	return ix, refs
}

// found runs a post query and returns the indexes (in refs) of the
// results.
func found(t testing.TB, ix *Index, refs []Ref, q string, tag bool) []int {
	t.Helper()
	var out []int
	fn := func(r Ref) (bool, bool) {
		for i, x := range refs {
			if x == r {
				out = append(out, i)
			}
		}
		return true, true
	}
	var err error
	if tag {
		tq, nerr := NormalizeTag(q)
		if nerr != nil {
			t.Fatal(nerr)
		}
		err = ix.Tag(tq, fn)
	} else {
		nq, nerr := Normalize(q)
		if nerr != nil {
			t.Fatal(nerr)
		}
		err = ix.Posts(nq, fn)
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var texts = []string{
	"Hello world from @alice #Go",             // 0
	"ÉCOLE d'été à Paris #café",               // 1
	"100% sure: use .* and \\d in regex_land", // 2
	"under_score and per%cent",                // 3
	"hi",                                      // 4
	"I love #golang and #Go, says @bob",       // 5
	"x",                                       // 6
	"Straße STRASSE ǅemal",                    // 7
	"日本語のテキスト",                                // 8
	"abc#notatag #tag2 #1",                    // 9
}

func TestPosts(t *testing.T) {
	ix, refs := fixture(t, texts...)
	tests := []struct {
		q    string
		tag  bool
		want []int // newest first
	}{
		{q: "hello", want: []int{0}},
		{q: "HELLO WORLD", want: []int{0}},
		{q: "  world  ", want: []int{0}},
		{q: "@alice", want: []int{0}},
		{q: "@ali", want: []int{0}},
		{q: "#go", want: []int{5, 0}},
		{q: "go", want: []int{5, 0}},
		{q: "o", want: []int{8 - 3, 3, 2, 0}[0:0]}, // filled below
		{q: "é", want: []int{1}},
		{q: "école", want: []int{1}},
		{q: "ÉTÉ À", want: []int{1}},
		{q: "%", want: []int{3, 2}},
		{q: "100%", want: []int{2}},
		{q: ".*", want: []int{2}},
		{q: "\\", want: []int{2}},
		{q: "\\d", want: []int{2}},
		{q: "_", want: []int{3, 2}},
		{q: "r_s", want: []int{3}},
		{q: "d_s", want: nil},
		{q: "er_sc", want: []int{3}},
		{q: "hi", want: []int{4}},
		{q: "x", want: []int{6, 2}},
		{q: "straße", want: []int{7}},
		{q: "strasse", want: []int{7}},
		{q: "ǆemal", want: []int{7}},
		{q: "テキ", want: []int{8}},
		{q: "日本語のテキスト", want: []int{8}},
		{q: "nothing here", want: nil},
		{q: "zz", want: nil},
		{q: "q", want: nil},
		{q: "go", tag: true, want: []int{5, 0}},
		{q: "#GO", tag: true, want: []int{5, 0}},
		{q: "golang", tag: true, want: []int{5}},
		{q: "gol", tag: true, want: nil},
		{q: "café", tag: true, want: []int{1}},
		{q: "notatag", tag: true, want: nil},
		{q: "tag2", tag: true, want: []int{9}},
		{q: "1", tag: true, want: []int{9}},
	}
	for _, tt := range tests {
		if tt.q == "o" {
			for i := len(texts) - 1; i >= 0; i-- {
				if strings.Contains(strings.ToLower(texts[i]), "o") {
					tt.want = append(tt.want, i)
				}
			}
		}
		t.Run(fmt.Sprintf("%q tag=%v", tt.q, tt.tag), func(t *testing.T) {
			if got := found(t, ix, refs, tt.q, tt.tag); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Posts(%q) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		q, want string
		bad     bool
	}{
		{q: "", bad: true},
		{q: "   ", bad: true},
		{q: "a", want: "a"},
		{q: " AbC ", want: "abc"},
		{q: strings.Repeat("é", MaxQueryChars), want: strings.Repeat("é", MaxQueryChars)},
		{q: strings.Repeat("é", MaxQueryChars+1), bad: true},
		{q: "a\x00b", bad: true},
		{q: "a\nb", bad: true},
		{q: "\xff", bad: true},
		{q: "%_.*\\", want: "%_.*\\"},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.q)
		if tt.bad != (err != nil) || err != nil && !errors.Is(err, ErrBadQuery) || got != tt.want {
			t.Errorf("Normalize(%q) = %q, %v, want %q, bad %v", tt.q, got, err, tt.want, tt.bad)
		}
	}
	for _, q := range []string{"", "#", "a b", "a-b", "%", strings.Repeat("a", MaxTagChars+1)} {
		if _, err := NormalizeTag(q); !errors.Is(err, ErrBadQuery) {
			t.Errorf("NormalizeTag(%q) = %v, want %v", q, err, ErrBadQuery)
		}
	}
}

func TestHashtags(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"#Go is #go", []string{"go"}},
		{"a#b #c", []string{"c"}},
		{"(#x) #y_z, #été!", []string{"x", "y_z", "été"}},
		{"# #", nil},
		{"#" + strings.Repeat("a", MaxTagChars+1), nil},
		{"#日本", []string{"日本"}},
	}
	for _, tt := range tests {
		if got := Hashtags(tt.text); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Hashtags(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestRemoveAndStale(t *testing.T) {
	ix, refs := fixture(t, "golang one #go", "golang two #go", "golang three #go")
	if err := ix.RemovePost(refs[1]); err != nil {
		t.Fatal(err)
	}
	if got, want := found(t, ix, refs, "golang", false), []int{2, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("Posts after RemovePost = %v, want %v", got, want)
	}
	if got, want := found(t, ix, refs, "go", true), []int{2, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("Tag after RemovePost = %v, want %v", got, want)
	}
	// The caller reports refs[2] stale: it is deleted.
	err := ix.Posts("golang", func(r Ref) (bool, bool) { return r != refs[2], true })
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := ix.HasPost(refs[2]); ok {
		t.Errorf("HasPost(stale) = true, want false")
	}
	if got, want := found(t, ix, refs, "g", false), []int{0}; !reflect.DeepEqual(got, want) {
		t.Errorf("Posts after stale = %v, want %v", got, want)
	}
	// Re-adding is idempotent.
	if err := ix.AddPosts([]Post{{Ref: refs[0], Text: "other text"}}); err != nil {
		t.Fatal(err)
	}
	if got := found(t, ix, refs, "other", false); got != nil {
		t.Errorf("Posts(other) = %v, want none: an indexed post is not indexed again", got)
	}
}

func TestSameTime(t *testing.T) {
	// Posts of one time get distinct docids.
	ix, err := Open(store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	var ps []Post
	for i := range 50 {
		ps = append(ps, Post{Ref: Ref{Author: key(byte(i)), Seq: 1}, Text: "same time"})
	}
	if err := ix.AddPosts(ps[:25]); err != nil {
		t.Fatal(err)
	}
	if err := ix.AddPosts(ps[25:]); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := ix.Posts("same", func(Ref) (bool, bool) { n++; return true, true }); err != nil {
		t.Fatal(err)
	}
	if n != 50 {
		t.Errorf("Posts(same) found %d, want 50", n)
	}
}

func TestShortQueryManyTrigrams(t *testing.T) {
	// More than maxShortLists trigrams start with "a": the query scans.
	var ts []string
	for i := range maxShortLists + 10 {
		ts = append(ts, fmt.Sprintf("a%c%c", rune(0x100+i/40), rune(0x200+i%40)))
	}
	ix, refs := fixture(t, ts...)
	got := found(t, ix, refs, "a", false)
	if len(got) != len(ts) || got[0] != len(ts)-1 {
		t.Errorf("Posts(a) = %d results starting %v, want %d starting %d", len(got), got[:1], len(ts), len(ts)-1)
	}
}

func TestAccounts(t *testing.T) {
	ix, err := Open(store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	as := []Account{
		{Key: key(1), Name: "ann", DisplayName: "Ann Smith", Bio: "likes %cats%"},
		{Key: key(2), Name: "anna", DisplayName: "Anna"},
		{Key: key(3), Name: "joanne", Bio: "friend of ann"},
		{Key: key(4), Name: "bob", DisplayName: "Bob ÉCLAIR"},
		{Key: key(5), Name: "zed", DisplayName: "Zanna"},
	}
	if err := ix.PutAccounts(as); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q     string
		limit int
		want  []string
	}{
		{"ann", 20, []string{"ann", "anna", "joanne", "zed"}},
		{"@ann", 20, []string{"ann", "anna"}},
		{"ANN", 2, []string{"ann", "anna"}},
		{"an", 20, []string{"ann", "anna", "joanne", "zed"}},
		{"a", 3, []string{"ann", "anna", "bob"}},
		{"@", 20, []string{"ann", "anna", "bob", "joanne", "zed"}},
		{"éclair", 20, []string{"bob"}},
		{"%cats%", 20, []string{"ann"}},
		{"%", 20, []string{"ann"}},
		{"smith ann", 20, nil},
	}
	for _, tt := range tests {
		q := Fold(tt.q)
		got, err := ix.Accounts(q, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range got {
			names = append(names, a.Name)
		}
		if !reflect.DeepEqual(names, tt.want) {
			t.Errorf("Accounts(%q) = %q, want %q", tt.q, names, tt.want)
		}
	}
	// A new name replaces the old; SetName keeps the display name.
	if err := ix.SetName(key(1), "annie"); err != nil {
		t.Fatal(err)
	}
	got, _ := ix.Accounts("smith", 20)
	if len(got) != 1 || got[0].Name != "annie" || got[0].DisplayName != "Ann Smith" {
		t.Errorf("Accounts(smith) after SetName = %+v, want annie, Ann Smith", got)
	}
	if got, _ := ix.Accounts("@ann", 20); len(got) != 2 || got[0].Name != "anna" {
		t.Errorf("Accounts(@ann) after SetName = %+v, want anna, annie", got)
	}
	if err := ix.PutAccount(Account{Key: key(1), Name: "annie"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := ix.Accounts("smith", 20); len(got) != 0 {
		t.Errorf("Accounts(smith) after PutAccount = %+v, want none", got)
	}
}

func TestBuildState(t *testing.T) {
	ix, err := Open(store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	if done, cur, err := ix.BuildState(); done || cur != nil || err != nil {
		t.Fatalf("BuildState() = %v, %v, %v, want false, nil, nil", done, cur, err)
	}
	if err := ix.SetBuildState(false, []byte("abc")); err != nil {
		t.Fatal(err)
	}
	if done, cur, _ := ix.BuildState(); done || string(cur) != "abc" {
		t.Errorf("BuildState() = %v, %q, want false, abc", done, cur)
	}
	ix.SetBuildState(true, nil)
	if done, _, _ := ix.BuildState(); !done {
		t.Errorf("BuildState() = false, want true")
	}
	for _, want := range []bool{true, false} {
		if err := ix.SetDirty(want); err != nil {
			t.Fatal(err)
		}
		if got, err := ix.Dirty(); got != want || err != nil {
			t.Errorf("Dirty() = %v, %v, want %v", got, err, want)
		}
	}
}

// FuzzQuery checks the query path against a plain substring search: every
// query either is refused with ErrBadQuery or finds exactly the texts that
// hold it.
func FuzzQuery(f *testing.F) {
	for _, q := range []string{"a", "go", "%", ".*", "\\", "_", "é", "ÉCOLE", "#go", "@alice", "日本", "", strings.Repeat("x", 101)} {
		f.Add(q)
	}
	ix, refs := fixture(f, texts...)
	f.Fuzz(func(t *testing.T, q string) {
		nq, err := Normalize(q)
		if err != nil {
			if !errors.Is(err, ErrBadQuery) {
				t.Fatalf("Normalize(%q) = %v, want %v", q, err, ErrBadQuery)
			}
			return
		}
		var want []int
		for i := len(texts) - 1; i >= 0; i-- {
			if strings.Contains(Fold(texts[i]), nq) {
				want = append(want, i)
			}
		}
		if got := found(t, ix, refs, q, false); !reflect.DeepEqual(got, want) {
			t.Errorf("Posts(%q) = %v, want %v", q, got, want)
		}
		if _, err := ix.Accounts(nq, MaxLimit); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzIndex indexes a fuzzed text and checks that every substring query
// taken from it finds it: the signatures never rule out a match.
func FuzzIndex(f *testing.F) {
	f.Add("Hello world from @alice #Go", 3, 7)
	f.Add("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", 20, 21)
	f.Add("the cat the dog the cat the end", 4, 12)
	f.Add("ÉCOLE d'été", 0, 5)
	f.Fuzz(func(t *testing.T, text string, from, n int) {
		folded := Fold(text)
		if from < 0 || n <= 0 || from+n > len(folded) {
			return
		}
		q, err := Normalize(folded[from : from+n])
		if err != nil || !strings.Contains(folded, q) {
			return
		}
		ix, refs := fixture(t, append([]string{text}, texts...)...)
		got := found(t, ix, refs, q, false)
		if len(got) == 0 || got[len(got)-1] != 0 {
			t.Errorf("Posts(%q) = %v, want it to find %q (0)", q, got, text)
		}
	})
}
