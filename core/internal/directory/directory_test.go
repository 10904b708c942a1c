package directory

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

func TestSearch(t *testing.T) {
	d, _ := fill(t, newRegistry(), alice, bob, carol, alina)
	tests := []struct {
		query string
		limit int
		want  []string
		err   error
	}{
		{"alice", 10, []string{"alice", "bob"}, nil}, // exact name, then bob's bio
		{"ali", 10, []string{"alice", "alina", "bob"}, nil},
		{"ALI", 10, []string{"alice", "alina", "bob"}, nil},
		{"ali", 2, []string{"alice", "alina"}, nil},
		{"rabbit", 10, []string{"alice"}, nil},
		{"RABBIT HOLE", 10, []string{"alice"}, nil},
		{"b", 10, []string{"bob", "alice", "alina"}, nil}, // a short query scans: bob, "rabbit", "bio"
		{"ro", 10, []string{"carol"}, nil},
		{"a", 2, []string{"alice", "alina"}, nil}, // names that start with it suffice
		{"al", 1, []string{"alice"}, nil},
		{"a", 4, []string{"alice", "alina", "carol", "bob"}, nil},
		{"lin", 10, []string{"alina"}, nil},
		{"алина", 10, []string{"alina"}, nil},
		{"ÜNÏ", 10, []string{"alina"}, nil},
		{"lice liddell", 10, []string{"alice"}, nil},
		{"e\x00a", 10, nil, ErrQuery}, // no match across fields
		{"zzz", 10, nil, nil},
		{".*", 10, nil, nil},
		{"%", 10, nil, nil},
		{`\`, 10, nil, nil},
		{"", 10, nil, ErrQuery},
		{strings.Repeat("a", MaxQueryChars+1), 10, nil, ErrQuery},
		{strings.Repeat("é", MaxQueryChars), 10, nil, nil},
		{"a\nb", 10, nil, ErrQuery},
		{"\xff\xfe", 10, nil, ErrQuery},
		{"alice", 0, nil, ErrQuery},
		{"alice", MaxLimit + 1, nil, ErrQuery},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			raw, err := d.Search(tt.query, tt.limit)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Search(%q) error = %v, want %v", tt.query, err, tt.err)
			}
			if got := resultNames(t, tt.query, raw); !slices.Equal(got, tt.want) {
				t.Errorf("Search(%q, %d) = %q, want %q", tt.query, tt.limit, got, tt.want)
			}
		})
	}
}

func TestPublish(t *testing.T) {
	reg := newRegistry()
	d, _ := fill(t, reg, alice, bob)
	newer := entry.Profile{DisplayName: "Alice in Wonderland"}
	forged := profileEntry(t, alice.seed, 5, newer)
	forged[entry.HeaderSize] ^= 1 // the signature
	altered := profileEntry(t, alice.seed, 6, entry.Profile{Bio: "honest bio"})
	copy(altered[len(altered)-6:], "hacked")
	tests := []struct {
		name  string
		entry []byte
		want  Status
		err   bool
	}{
		{"same seq", profileEntry(t, alice.seed, 2, *alice.profile), StatusStale, false},
		{"older", profileEntry(t, alice.seed, 1, newer), StatusStale, false},
		{"newer", profileEntry(t, alice.seed, 3, newer), StatusOK, false},
		{"unknown account", profileEntry(t, 9, 3, newer), StatusUnknown, false},
		{"a post", newEntry(t, alice.seed, 4, entry.KindPost, []byte("hi")), StatusInvalid, true},
		{"forged signature", forged, StatusInvalid, true},
		{"altered body", altered, StatusInvalid, true},
		{"garbage", []byte("garbage"), StatusInvalid, true},
		{"oversize", make([]byte, MaxProfileEntry+1), StatusInvalid, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := d.Publish(tt.entry)
			if st != tt.want || (err != nil) != tt.err {
				t.Fatalf("Publish() = %v, %v; want %v, error %v", st, err, tt.want, tt.err)
			}
		})
	}
	if got := found(t, d, "wonderland"); !slices.Equal(got, []string{"alice"}) {
		t.Errorf("Search(wonderland) = %q after the newer profile, want [alice]", got)
	}
	if got := found(t, d, "rabbit"); got != nil {
		t.Errorf("Search(rabbit) = %q after the newer profile, want none", got)
	}
	reg.lapse("bob")
	if st, err := d.Publish(profileEntry(t, bob.seed, 3, newer)); st != StatusUnknown || err != nil {
		t.Errorf("Publish() of a lapsed claim = %v, %v; want %v", st, err, StatusUnknown)
	}
}

func found(t *testing.T, d *Directory, q string) []string {
	t.Helper()
	raw, err := d.Search(q, MaxLimit)
	if err != nil {
		t.Fatalf("Search(%q) = %v", q, err)
	}
	return resultNames(t, q, raw)
}

func TestRecords(t *testing.T) {
	reg := newRegistry()
	d, _ := fill(t, reg, alice, bob)

	// A record of a name the registry does not hold for its account.
	if err := d.AddRecord(record(t, 9, "alice", t0+5000)); !errors.Is(err, ErrNotHeld) {
		t.Errorf("AddRecord(another account's alice) = %v, want ErrNotHeld", err)
	}
	// An older record changes nothing.
	if err := d.AddRecord(record(t, alice.seed, "alice", t0)); err != nil {
		t.Errorf("AddRecord(older) = %v", err)
	}
	// The claim lapsed and another account took it: alice goes.
	reg.set("alice", 9)
	if err := d.AddRecord(record(t, 9, "alice", t0+5000)); err != nil {
		t.Fatalf("AddRecord(new holder) = %v", err)
	}
	raw, err := d.Search("alice", MaxLimit)
	if err != nil || len(raw) != 2 {
		t.Fatalf("Search(alice) = %d results, %v; want the new holder and bob", len(raw), err)
	}
	if r, _ := Verify("alice", raw[0], testNow); r.Account != account(9) || r.Entry != nil {
		t.Errorf("Search(alice)[0] = %s with entry %v, want the new holder, no profile", r.Account.Short(), r.Entry != nil)
	}
	// Bob's claim lapses: the search drops him.
	reg.lapse("bob")
	if got := found(t, d, "builder"); got != nil {
		t.Errorf("Search(builder) = %q after bob's claim lapsed, want none", got)
	}
	if d.Len() != 1 {
		t.Errorf("Len() = %d, want 1", d.Len())
	}
	if err := d.AddRecord([]byte("junk")); err == nil {
		t.Error("AddRecord(junk) = nil, want an error")
	}
}

func TestFull(t *testing.T) {
	reg := newRegistry()
	kv := store.NewMemory()
	defer kv.Close()
	d, err := Open(kv, 2, reg.holds)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range []testAccount{alice, bob, carol} {
		reg.set(a.name, a.seed)
		err := d.AddRecord(record(t, a.seed, a.name, t0+1000))
		if wantFull := i == 2; errors.Is(err, ErrFull) != wantFull {
			t.Errorf("AddRecord(%s) = %v, want full %v", a.name, err, wantFull)
		}
	}
	// An update of an account held is taken when full.
	if err := d.AddRecord(record(t, alice.seed, "alice", t0+2000)); err != nil {
		t.Errorf("AddRecord(alice update) = %v", err)
	}
}

func TestReopen(t *testing.T) {
	reg := newRegistry()
	_, kv := fill(t, reg, alice, bob, carol, alina)
	reg.lapse("carol")
	d, err := Open(kv, 0, reg.holds)
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 3 {
		t.Errorf("Len() = %d after reopening, want 3 (carol lapsed)", d.Len())
	}
	if got := found(t, d, "ali"); !slices.Equal(got, []string{"alice", "alina", "bob"}) {
		t.Errorf("Search(ali) = %q after reopening", got)
	}
	if got := found(t, d, "rabbit"); !slices.Equal(got, []string{"alice"}) {
		t.Errorf("Search(rabbit) = %q after reopening", got)
	}
	// carol's rows are gone: another reopen with her claim back has no carol.
	reg.set("carol", carol.seed)
	d, err = Open(kv, 0, reg.holds)
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 3 {
		t.Errorf("Len() = %d, want 3", d.Len())
	}
}

// TestReopenWithoutRegistry: a directory with no registry to ask keeps
// every account it holds.
func TestReopenWithoutRegistry(t *testing.T) {
	kv := store.NewMemory()
	defer kv.Close()
	d, err := Open(kv, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []testAccount{alice, bob} {
		if err := d.AddRecord(record(t, a.seed, a.name, t0+1000)); err != nil {
			t.Fatal(err)
		}
	}
	if d, err = Open(kv, 0, nil); err != nil || d.Len() != 2 {
		t.Fatalf("Open() again = %d accounts, %v; want 2", d.Len(), err)
	}
}

// TestOpenDropsBadRows: rows a directory cannot read are dropped, not
// trusted, and cause no panic.
func TestOpenDropsBadRows(t *testing.T) {
	reg := newRegistry()
	_, kv := fill(t, reg, alice, bob)
	var b store.Batch
	b.Put([]byte("pshort"), []byte("x"))
	b.Put([]byte{'r', 1}, []byte("x"))
	b.Put(row(rowRecord, account(7)), []byte{0, 0, 0, 0, 0, 0, 0, 0, 40, 'a'})
	b.Put(row(rowProfile, account(alice.seed)), []byte("not an entry"))
	if err := kv.Commit(&b, false); err != nil {
		t.Fatal(err)
	}
	d, err := Open(kv, 0, reg.holds)
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 2 {
		t.Errorf("Len() = %d, want 2", d.Len())
	}
	if got := found(t, d, "ali"); !slices.Equal(got, []string{"alice", "bob"}) {
		t.Errorf("Search(ali) = %q, want alice (her profile row dropped) and bob", got)
	}
	for _, k := range [][]byte{[]byte("pshort"), {'r', 1}, row(rowRecord, account(7)), row(rowProfile, account(alice.seed))} {
		if _, err := kv.Get(k); err == nil {
			t.Errorf("row %q kept", k)
		}
	}
}

func TestGrams(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0}, {"ab", 0}, {"abc", 1}, {"abcd", 2}, {"aaaa", 1}, {"алина", 3},
	}
	for _, tt := range tests {
		if got := len(grams(tt.s)); got != tt.want {
			t.Errorf("len(grams(%q)) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

func TestIntersect(t *testing.T) {
	long := make([]uint32, 100)
	for i := range long {
		long[i] = uint32(2 * i)
	}
	tests := []struct {
		a, b, want []uint32
	}{
		{nil, nil, nil},
		{[]uint32{1, 2, 3}, []uint32{2, 3, 4}, []uint32{2, 3}},
		{[]uint32{1, 4, 7}, long, []uint32{4}}, // looked up
		{[]uint32{0, 198, 199}, long, []uint32{0, 198}},
		{[]uint32{5}, []uint32{1, 2, 3}, nil},
	}
	for _, tt := range tests {
		if got := intersect(tt.a, tt.b); !slices.Equal(got, tt.want) {
			t.Errorf("intersect(%v, %d ids) = %v, want %v", tt.a, len(tt.b), got, tt.want)
		}
	}
}
