package entry

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/skein-p2p/skein/core/internal/hlc"
)

// key returns the deterministic test key whose seed is b repeated 32 times.
func key(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

var (
	alice = key(0x01)
	bob   = key(0x02)
	t0    = hlc.Timestamp{Wall: 1_767_225_600_000} // 2026-01-01T00:00:00Z
)

// raw is an entry written field by field, independently of the package's
// encoder, so tests can build encodings New refuses to produce.
type raw struct {
	version byte
	author  Key
	seq     uint64
	prev    ID
	time    hlc.Timestamp
	kind    byte
	bodyLen int // -1: len(body)
	body    []byte
}

// validRaw returns the fields of a valid seq-1 post by alice.
func validRaw() raw {
	return raw{
		version: Version,
		author:  KeyOf(alice.Public().(ed25519.PublicKey)),
		seq:     1,
		time:    t0,
		kind:    byte(KindPost),
		bodyLen: -1,
		body:    []byte("hello"),
	}
}

func (r raw) unsigned() []byte {
	n := r.bodyLen
	if n < 0 {
		n = len(r.body)
	}
	b := []byte{r.version}
	b = append(b, r.author[:]...)
	b = binary.BigEndian.AppendUint64(b, r.seq)
	b = append(b, r.prev[:]...)
	b = binary.BigEndian.AppendUint64(b, r.time.Wall)
	b = binary.BigEndian.AppendUint32(b, r.time.Logical)
	b = append(b, r.kind)
	b = binary.BigEndian.AppendUint16(b, uint16(n))
	return append(b, r.body...)
}

// signed returns r's encoding signed by priv (whatever r.author says).
func (r raw) signed(priv ed25519.PrivateKey) []byte {
	u := r.unsigned()
	sig := ed25519.Sign(priv, append([]byte(SigContext), u...))
	return append(u, sig...)
}

func followBody(target ed25519.PrivateKey, name string) []byte {
	return Follow{Target: KeyOf(target.Public().(ed25519.PublicKey)), Name: name}.Bytes()
}

func mustNew(t testing.TB, priv ed25519.PrivateKey, seq uint64, prev ID, ts hlc.Timestamp, kind Kind, body []byte) *Entry {
	t.Helper()
	e, err := New(priv, seq, prev, ts, kind, body)
	if err != nil {
		t.Fatalf("New(seq %d, %v) = %v", seq, kind, err)
	}
	return e
}

func TestRoundTrip(t *testing.T) {
	prev := ID{0xaa}
	tests := []struct {
		name string
		seq  uint64
		prev ID
		kind Kind
		body []byte
	}{
		{"post", 1, ID{}, KindPost, []byte("hello, skein")},
		{"post later in the log", 7, prev, KindPost, []byte("grüße 🌍")},
		{"follow", 2, prev, KindFollow, followBody(bob, "bob")},
		{"unfollow", 3, prev, KindUnfollow, followBody(bob, "bob")},
		{"unknown kind 4", 4, prev, 4, []byte{0xff, 0x00}},
		{"unknown kind 255 with empty body", 5, prev, 255, nil},
		{"longest body", 6, prev, 9, bytes.Repeat([]byte{0xfe}, MaxBody)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := hlc.Timestamp{Wall: t0.Wall, Logical: 3}
			e := mustNew(t, alice, tt.seq, tt.prev, ts, tt.kind, tt.body)

			want := raw{
				version: Version, author: KeyOf(alice.Public().(ed25519.PublicKey)),
				seq: tt.seq, prev: tt.prev, time: ts, kind: byte(tt.kind), bodyLen: -1, body: tt.body,
			}.signed(alice)
			if !bytes.Equal(e.Bytes(), want) {
				t.Fatalf("New().Bytes() = %x, want %x", e.Bytes(), want)
			}
			if got, want := e.ID(), ID(sha256.Sum256(want)); got != want {
				t.Fatalf("ID() = %v, want %v", got, want)
			}

			d, err := Decode(e.Bytes())
			if err != nil {
				t.Fatalf("Decode() = %v", err)
			}
			if d.Author != e.Author || d.Seq != e.Seq || d.Prev != e.Prev || d.Time != e.Time ||
				d.Kind != e.Kind || !bytes.Equal(d.Body, e.Body) || d.Sig != e.Sig {
				t.Fatalf("Decode() = %+v, want %+v", d, e)
			}
			if d.ID() != e.ID() || !bytes.Equal(d.Bytes(), e.Bytes()) {
				t.Fatalf("Decode() ID/Bytes differ from New()")
			}
		})
	}
}

func TestNewCopiesBody(t *testing.T) {
	body := []byte("hello")
	e := mustNew(t, alice, 1, ID{}, t0, KindPost, body)
	body[0] = 'j'
	if err := e.Verify(); err != nil || string(e.Body) != "hello" {
		t.Fatalf("after changing the caller's body: Body = %q, Verify() = %v, want \"hello\", nil", e.Body, err)
	}
}

func TestDecodeDoesNotRetain(t *testing.T) {
	b := mustNew(t, alice, 1, ID{}, t0, KindPost, []byte("hello")).Bytes()
	in := bytes.Clone(b)
	e, err := Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		in[i] = 0
	}
	if !bytes.Equal(e.Bytes(), b) || string(e.Body) != "hello" {
		t.Fatalf("Decode retained its input: Bytes() = %x", e.Bytes())
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		priv ed25519.PrivateKey
		seq  uint64
		prev ID
		ts   hlc.Timestamp
		kind Kind
		body []byte
		want error // nil: any error
	}{
		{"short private key", alice[:32], 1, ID{}, t0, KindPost, []byte("hi"), nil},
		{"seq 0", alice, 0, ID{}, t0, KindPost, []byte("hi"), ErrMalformed},
		{"seq 1 with prev", alice, 1, ID{1}, t0, KindPost, []byte("hi"), ErrMalformed},
		{"seq 2 without prev", alice, 2, ID{}, t0, KindPost, []byte("hi"), ErrMalformed},
		{"kind 0", alice, 1, ID{}, t0, 0, []byte("hi"), ErrMalformed},
		{"zero time", alice, 1, ID{}, hlc.Timestamp{}, KindPost, []byte("hi"), ErrMalformed},
		{"body too long", alice, 1, ID{}, t0, 9, make([]byte, MaxBody+1), ErrTooLarge},
		{"empty post", alice, 1, ID{}, t0, KindPost, nil, ErrInvalidBody},
		{"bad follow", alice, 1, ID{}, t0, KindFollow, []byte("bob"), ErrInvalidBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.priv, tt.seq, tt.prev, tt.ts, tt.kind, tt.body)
			if err == nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("New() = %v, want %v", err, tt.want)
			}
		})
	}
}

// decodeCase is one encoding and the sentinel Decode must reject it with
// (nil: it must be accepted).
type decodeCase struct {
	name string
	b    []byte
	want error
	// sigOnly: the encoding is well formed and only the signature is
	// wrong, so Parse accepts it and Decode does not.
	sigOnly bool
}

func decodeCases() []decodeCase {
	valid := validRaw()
	good := valid.signed(alice)
	with := func(f func(r *raw)) []byte {
		r := validRaw()
		f(&r)
		return r.signed(alice)
	}
	flip := func(b []byte, i int) []byte {
		b = bytes.Clone(b)
		b[i] ^= 0x01
		return b
	}
	post := func(s string) []byte { return with(func(r *raw) { r.body = []byte(s) }) }
	follow := func(kind Kind, body []byte) []byte {
		return with(func(r *raw) { r.kind = byte(kind); r.body = body })
	}
	bobKey := KeyOf(bob.Public().(ed25519.PublicKey))

	return []decodeCase{
		{name: "valid", b: good},
		{name: "valid follow", b: follow(KindFollow, followBody(bob, "bob"))},
		{name: "valid unfollow", b: follow(KindUnfollow, followBody(bob, "b_0b_123"))},
		{name: "follow name of 32", b: follow(KindFollow, followBody(bob, strings.Repeat("z", 32)))},
		{name: "unknown kind 4 any body", b: with(func(r *raw) { r.kind = 4; r.body = []byte{0xff, 0xfe} })},
		{name: "unknown kind 255 empty body", b: with(func(r *raw) { r.kind = 255; r.body = nil })},
		{name: "post of 1000 ASCII", b: post(strings.Repeat("a", 1000))},
		{name: "post of 1000 two-byte chars", b: post(strings.Repeat("é", 1000))},
		{name: "post of 1000 four-byte chars", b: post(strings.Repeat("😀", 1000))},
		{name: "post with surrounding space", b: post("  hi  ")},
		{name: "wall time 0 with a counter", b: with(func(r *raw) { r.time = hlc.Timestamp{Logical: 1} })},
		{name: "seq 2 with prev", b: with(func(r *raw) { r.seq = 2; r.prev = ID{1} })},

		{name: "empty", b: nil, want: ErrMalformed},
		{name: "one short of minimum", b: make([]byte, HeaderSize+SigSize-1), want: ErrMalformed},
		{name: "truncated by one byte", b: good[:len(good)-1], want: ErrMalformed},
		{name: "trailing byte", b: append(bytes.Clone(good), 0), want: ErrMalformed},
		{name: "longer than MaxSize", b: make([]byte, MaxSize+1), want: ErrTooLarge},
		{name: "body length above MaxBody", b: with(func(r *raw) { r.bodyLen = 0xffff }), want: ErrTooLarge},
		{name: "body length one more than body", b: with(func(r *raw) { r.bodyLen = len(r.body) + 1 }), want: ErrMalformed},
		{name: "body length one less than body", b: with(func(r *raw) { r.bodyLen = len(r.body) - 1 }), want: ErrMalformed},
		{name: "version 0", b: with(func(r *raw) { r.version = 0 }), want: ErrMalformed},
		{name: "version 2", b: with(func(r *raw) { r.version = 2 }), want: ErrMalformed},
		{name: "seq 0", b: with(func(r *raw) { r.seq = 0 }), want: ErrMalformed},
		{name: "seq 1 with prev", b: with(func(r *raw) { r.prev = ID{1} }), want: ErrMalformed},
		{name: "seq 2 without prev", b: with(func(r *raw) { r.seq = 2 }), want: ErrMalformed},
		{name: "kind 0", b: with(func(r *raw) { r.kind = 0 }), want: ErrMalformed},
		{name: "zero time", b: with(func(r *raw) { r.time = hlc.Timestamp{} }), want: ErrMalformed},

		{name: "post invalid UTF-8", b: post("hi \xff"), want: ErrInvalidBody},
		{name: "post overlong encoding", b: post("\xc0\x80x"), want: ErrInvalidBody},
		{name: "post surrogate half", b: post("\xed\xa0\x80x"), want: ErrInvalidBody},
		{name: "post truncated rune", b: post("hi \xe2\x82"), want: ErrInvalidBody},
		{name: "post empty", b: post(""), want: ErrInvalidBody},
		{name: "post white space", b: post(" \t\r\n"), want: ErrInvalidBody},
		{name: "post Unicode white space", b: post("\u00a0\u3000\u2003"), want: ErrInvalidBody},
		{name: "post of 1001 ASCII", b: post(strings.Repeat("a", 1001)), want: ErrInvalidBody},
		{name: "post of 1001 two-byte chars", b: post(strings.Repeat("é", 1001)), want: ErrInvalidBody},
		{name: "post of 1001 mixed chars", b: post(strings.Repeat("😀", 1000) + "a"), want: ErrInvalidBody},

		{name: "follow empty body", b: follow(KindFollow, nil), want: ErrInvalidBody},
		{name: "follow key only", b: follow(KindFollow, bobKey[:]), want: ErrInvalidBody},
		{name: "follow short key", b: follow(KindFollow, bobKey[:31]), want: ErrInvalidBody},
		{name: "follow name length 0", b: follow(KindFollow, append(bobKey[:], 0)), want: ErrInvalidBody},
		{name: "follow name length too big", b: follow(KindFollow, append(append(bobKey[:], 4), "bob"...)), want: ErrInvalidBody},
		{name: "follow name length too small", b: follow(KindFollow, append(append(bobKey[:], 3), "bobby"...)), want: ErrInvalidBody},
		{name: "follow name too short", b: follow(KindFollow, followBody(bob, "bo")), want: ErrInvalidBody},
		{name: "follow name too long", b: follow(KindFollow, followBody(bob, strings.Repeat("b", 33))), want: ErrInvalidBody},
		{name: "follow name upper case", b: follow(KindFollow, followBody(bob, "Bob")), want: ErrInvalidBody},
		{name: "follow name with dash", b: follow(KindFollow, followBody(bob, "bo-b")), want: ErrInvalidBody},
		{name: "follow name with space", b: follow(KindFollow, followBody(bob, "bo b")), want: ErrInvalidBody},
		{name: "follow name non-ASCII", b: follow(KindFollow, followBody(bob, "böb")), want: ErrInvalidBody},
		{name: "follow name NUL", b: follow(KindFollow, followBody(bob, "bob\x00")), want: ErrInvalidBody},
		{name: "unfollow bad name", b: follow(KindUnfollow, followBody(bob, "BOB")), want: ErrInvalidBody},

		{name: "flipped signature bit", b: flip(good, len(good)-1), want: ErrBadSignature, sigOnly: true},
		{name: "flipped first signature bit", b: flip(good, len(good)-SigSize), want: ErrBadSignature, sigOnly: true},
		{name: "flipped time byte", b: flip(good, 80), want: ErrBadSignature, sigOnly: true},
		{name: "flipped seq byte", b: flip(with(func(r *raw) { r.seq = 2; r.prev = ID{1} }), 40), want: ErrBadSignature, sigOnly: true},
		{name: "flipped kind byte", b: flip(with(func(r *raw) { r.kind = 4 }), 85), want: ErrBadSignature, sigOnly: true},
		{name: "flipped body byte", b: flip(good, HeaderSize), want: ErrBadSignature, sigOnly: true},
		{name: "author swapped", b: with(func(r *raw) { r.author = bobKey }), want: ErrBadSignature, sigOnly: true},
		{name: "signed by someone else", b: valid.signed(bob), want: ErrBadSignature, sigOnly: true},
		{name: "signed without context", b: func() []byte {
			u := valid.unsigned()
			return append(u, ed25519.Sign(alice, u)...)
		}(), want: ErrBadSignature, sigOnly: true},
		{name: "zero signature", b: append(valid.unsigned(), make([]byte, SigSize)...), want: ErrBadSignature, sigOnly: true},
	}
}

func TestDecode(t *testing.T) {
	for _, tt := range decodeCases() {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Decode(tt.b)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Decode() = %v, want nil", err)
				}
				if !bytes.Equal(e.Bytes(), tt.b) {
					t.Fatalf("Decode().Bytes() = %x, want %x", e.Bytes(), tt.b)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode() = %v, want %v", err, tt.want)
			}
			if e != nil {
				t.Fatalf("Decode() returned an entry with error %v", err)
			}
			_, perr := Parse(tt.b)
			switch {
			case tt.sigOnly && perr != nil:
				t.Fatalf("Parse() = %v, want nil: only the signature is wrong", perr)
			case !tt.sigOnly && !errors.Is(perr, tt.want):
				t.Fatalf("Parse() = %v, want %v", perr, tt.want)
			}
		})
	}
}

// TestErrorsWrapOneSentinel checks the package's promise that every error
// wraps exactly one of its sentinels.
func TestErrorsWrapOneSentinel(t *testing.T) {
	sentinels := []error{ErrMalformed, ErrTooLarge, ErrBadSignature, ErrInvalidBody, ErrBadChain}
	for _, tt := range decodeCases() {
		if tt.want == nil {
			continue
		}
		_, err := Decode(tt.b)
		n := 0
		for _, s := range sentinels {
			if errors.Is(err, s) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: Decode() = %v wraps %d sentinels, want 1", tt.name, err, n)
		}
	}
}

func TestParsePost(t *testing.T) {
	tests := []struct {
		body string
		ok   bool
	}{
		{"hello", true},
		{"x", true},
		{" x ", true},
		{"héllo, 世界", true},
		{strings.Repeat("世", 1000), true},
		{strings.Repeat("世", 1001), false},
		{"", false},
		{"\n\n", false},
		{"\xff", false},
	}
	for _, tt := range tests {
		got, err := ParsePost([]byte(tt.body))
		if tt.ok != (err == nil) || tt.ok && got != tt.body {
			t.Errorf("ParsePost(%.20q) = %.20q, %v; want ok=%v", tt.body, got, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidBody) {
			t.Errorf("ParsePost(%.20q) = %v, want %v", tt.body, err, ErrInvalidBody)
		}
	}
}

func TestParseFollow(t *testing.T) {
	want := Follow{Target: KeyOf(bob.Public().(ed25519.PublicKey)), Name: "bob"}
	got, err := ParseFollow(want.Bytes())
	if err != nil || got != want {
		t.Fatalf("ParseFollow(Bytes()) = %+v, %v; want %+v, nil", got, err, want)
	}
	_, err = ParseFollow(followBody(bob, "Bob"))
	if !errors.Is(err, ErrInvalidBody) || !errors.Is(err, ErrInvalidName) {
		t.Fatalf("ParseFollow(bad name) = %v, want %v and %v", err, ErrInvalidBody, ErrInvalidName)
	}
}

func TestValidName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"bob", true},
		{"a_1", true},
		{strings.Repeat("a", 32), true},
		{"ab", false},
		{strings.Repeat("a", 33), false},
		{"", false},
		{"Bob", false},
		{"b.b", false},
		{"bö", false},
		{"bob ", false},
	}
	for _, tt := range tests {
		if err := ValidName(tt.name); tt.ok != (err == nil) || err != nil && !errors.Is(err, ErrInvalidName) {
			t.Errorf("ValidName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestFollows(t *testing.T) {
	ts := func(wall uint64, logical uint32) hlc.Timestamp { return hlc.Timestamp{Wall: wall, Logical: logical} }
	post := []byte("hi")
	e1 := mustNew(t, alice, 1, ID{}, ts(t0.Wall, 0), KindPost, post)
	e2 := mustNew(t, alice, 2, e1.ID(), ts(t0.Wall, 1), KindPost, post)
	other1 := mustNew(t, bob, 1, ID{}, ts(t0.Wall, 0), KindPost, post)

	tests := []struct {
		name string
		next *Entry
		prev *Entry
		ok   bool
	}{
		{"next entry", e2, e1, true},
		{"next entry in a later millisecond", mustNew(t, alice, 2, e1.ID(), ts(t0.Wall+1, 0), KindPost, post), e1, true},
		{"unknown kind extends the log", mustNew(t, alice, 2, e1.ID(), ts(t0.Wall, 1), 42, nil), e1, true},
		{"itself", e1, e1, false},
		{"reversed", e1, e2, false},
		{"other author", mustNew(t, bob, 2, other1.ID(), ts(t0.Wall, 1), KindPost, post), e1, false},
		{"other author's seq 1", other1, e1, false},
		{"skips a seq", mustNew(t, alice, 3, e2.ID(), ts(t0.Wall, 2), KindPost, post), e1, false},
		{"wrong prev", mustNew(t, alice, 2, ID{1}, ts(t0.Wall, 1), KindPost, post), e1, false},
		{"fork: links to a sibling", mustNew(t, alice, 2, other1.ID(), ts(t0.Wall, 1), KindPost, post), e1, false},
		{"same time", mustNew(t, alice, 2, e1.ID(), ts(t0.Wall, 0), KindPost, post), e1, false},
		{"earlier time", mustNew(t, alice, 2, e1.ID(), ts(t0.Wall-1, 5), KindPost, post), e1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.next.Follows(tt.prev)
			if tt.ok && err != nil {
				t.Fatalf("Follows() = %v, want nil", err)
			}
			if !tt.ok && !errors.Is(err, ErrBadChain) {
				t.Fatalf("Follows() = %v, want %v", err, ErrBadChain)
			}
		})
	}
}

func TestKeyAndID(t *testing.T) {
	k := KeyOf(alice.Public().(ed25519.PublicKey))
	got, err := ParseKey(k.String())
	if err != nil || got != k {
		t.Fatalf("ParseKey(String()) = %v, %v; want %v", got, err, k)
	}
	if k.Short() != k.String()[:8] {
		t.Fatalf("Short() = %q, want %q", k.Short(), k.String()[:8])
	}
	for _, s := range []string{"", "zz", k.String()[:62], k.String() + "00", strings.ToUpper(k.String())[:63] + "g"} {
		if _, err := ParseKey(s); err == nil {
			t.Errorf("ParseKey(%q) = nil error", s)
		}
	}
	if !(Key{}).IsZero() || k.IsZero() || !(ID{}).IsZero() {
		t.Fatalf("IsZero is wrong")
	}
	for _, tt := range []struct {
		k    Kind
		want string
	}{{KindPost, "post"}, {KindFollow, "follow"}, {KindUnfollow, "unfollow"}, {9, "kind(9)"}} {
		if got := tt.k.String(); got != tt.want {
			t.Errorf("Kind(%d).String() = %q, want %q", tt.k, got, tt.want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, tt := range decodeCases() {
		f.Add(tt.b)
	}
	for _, v := range vectors() {
		f.Add(mustHex(f, v.hex))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		in := bytes.Clone(b)
		if e, err := Parse(b); err == nil {
			if !bytes.Equal(e.Bytes(), in) {
				t.Fatalf("Parse(%x).Bytes() = %x", in, e.Bytes())
			}
			if e.ID() != sha256.Sum256(in) {
				t.Fatalf("Parse(%x).ID() = %v, want SHA-256 of the input", in, e.ID())
			}
		}
		e, err := Decode(b)
		if err != nil {
			if e != nil {
				t.Fatalf("Decode() returned an entry and %v", err)
			}
			return
		}
		if !bytes.Equal(e.Bytes(), in) {
			t.Fatalf("Decode(%x).Bytes() = %x", in, e.Bytes())
		}
		if e.Verify() != nil {
			t.Fatalf("Decode accepted an entry that does not verify")
		}
	})
}

func FuzzParsePost(f *testing.F) {
	for _, s := range []string{"hello", "", " ", "\xff", "héllo 🌍", strings.Repeat("é", 1000), strings.Repeat("é", 1001), "\u3000x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParsePost(b)
		if err != nil {
			if !errors.Is(err, ErrInvalidBody) {
				t.Fatalf("ParsePost() = %v, want %v", err, ErrInvalidBody)
			}
			return
		}
		if s != string(b) || !utf8.ValidString(s) || strings.TrimSpace(s) == "" || utf8.RuneCountInString(s) > MaxPostChars {
			t.Fatalf("ParsePost(%q) accepted an invalid post", b)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	msg := bytes.Repeat([]byte{0x5a}, 200)
	pub := alice.Public().(ed25519.PublicKey)
	sig := ed25519.Sign(alice, msg)
	for b.Loop() {
		if !ed25519.Verify(pub, msg, sig) {
			b.Fatal("Verify failed")
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	e := mustNew(b, alice, 1, ID{}, t0, KindPost, []byte(strings.Repeat("hello, skein ", 8)))
	raw := e.Bytes()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	e := mustNew(b, alice, 1, ID{}, t0, KindPost, []byte(strings.Repeat("hello, skein ", 8)))
	raw := e.Bytes()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseStored(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	e, err := New(priv, 1, ID{}, hlc.Timestamp{Wall: 1}, KindPost, []byte("stored"))
	if err != nil {
		t.Fatal(err)
	}
	id := e.ID()
	tests := []struct {
		name    string
		b       []byte
		id      *ID
		wantErr error
	}{
		{"with id", e.Bytes(), &id, nil},
		{"hashes without id", e.Bytes(), nil, nil},
		{"truncated", e.Bytes()[:len(e.Bytes())-1], nil, ErrMalformed},
		{"too large", make([]byte, MaxSize+1), nil, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStored(tt.b, tt.id)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseStored() error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && (got.ID() != id || !bytes.Equal(got.Bytes(), e.Bytes()) || string(got.Body) != "stored") {
				t.Fatalf("ParseStored() = %+v, want the stored entry", got)
			}
		})
	}
}
