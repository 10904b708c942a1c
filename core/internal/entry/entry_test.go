package entry

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

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
	version  byte
	author   Key
	seq      uint64
	prev     ID
	time     hlc.Timestamp
	kind     byte
	bodyLen  int       // -1: len(body)
	hash     *[32]byte // nil: the SHA-256 of body
	body     []byte
	redacted bool // leave the body out
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

// header returns the signed part of r's encoding.
func (r raw) header() []byte {
	n := r.bodyLen
	if n < 0 {
		n = len(r.body)
	}
	hash := sha256.Sum256(r.body)
	if r.hash != nil {
		hash = *r.hash
	}
	b := []byte{r.version}
	b = append(b, r.author[:]...)
	b = binary.BigEndian.AppendUint64(b, r.seq)
	b = append(b, r.prev[:]...)
	b = binary.BigEndian.AppendUint64(b, r.time.Wall)
	b = binary.BigEndian.AppendUint32(b, r.time.Logical)
	b = append(b, r.kind)
	b = binary.BigEndian.AppendUint16(b, uint16(n))
	return append(b, hash[:]...)
}

// withSig returns r's encoding with the signature sig.
func (r raw) withSig(sig []byte) []byte {
	b := append(r.header(), sig...)
	if r.redacted {
		return b
	}
	return append(b, r.body...)
}

// signed returns r's encoding signed by priv (whatever r.author says).
func (r raw) signed(priv ed25519.PrivateKey) []byte {
	return r.withSig(ed25519.Sign(priv, append([]byte(SigContext), r.header()...)))
}

func pubKey(priv ed25519.PrivateKey) Key { return KeyOf(priv.Public().(ed25519.PublicKey)) }

func followBody(target ed25519.PrivateKey, name string) []byte {
	return Follow{Target: pubKey(target), Name: name}.Bytes()
}

// bobsPost is a reference to an entry of bob's log, for reply and repost
// bodies.
var bobsPost = Ref{Author: KeyOf(bob.Public().(ed25519.PublicKey)), Seq: 1, ID: ID{0xbb, 1}}

func replyBody(text string) []byte { return Reply{Parent: bobsPost, Text: text}.Bytes() }

func mustNew(t testing.TB, priv ed25519.PrivateKey, seq uint64, prev ID, ts hlc.Timestamp, kind Kind, body []byte) *Entry {
	t.Helper()
	e, err := New(priv, seq, prev, ts, kind, body)
	if err != nil {
		t.Fatalf("New(seq %d, %v) = %v", seq, kind, err)
	}
	return e
}

// sameFields reports whether a and b have the same fields, Body aside.
func sameFields(a, b *Entry) bool {
	return a.Author == b.Author && a.Seq == b.Seq && a.Prev == b.Prev && a.Time == b.Time &&
		a.Kind == b.Kind && a.BodyHash == b.BodyHash && a.Sig == b.Sig
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
		{"reply", 4, prev, KindReply, replyBody("@bob hi")},
		{"repost", 5, prev, KindRepost, Repost{Of: bobsPost}.Bytes()},
		{"delete", 6, prev, KindDelete, Delete{Seq: 5, ID: ID{5}}.Bytes()},
		{"delete of seq 1", 2, prev, KindDelete, Delete{Seq: 1, ID: ID{1}}.Bytes()},
		{"unknown kind 200", 4, prev, 200, []byte{0xff, 0x00}},
		{"unknown kind 255 with empty body", 5, prev, 255, nil},
		{"longest body", 6, prev, 201, bytes.Repeat([]byte{0xfe}, MaxBody)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := hlc.Timestamp{Wall: t0.Wall, Logical: 3}
			e := mustNew(t, alice, tt.seq, tt.prev, ts, tt.kind, tt.body)

			fields := raw{
				version: Version, author: pubKey(alice),
				seq: tt.seq, prev: tt.prev, time: ts, kind: byte(tt.kind), bodyLen: -1, body: tt.body,
			}
			want := fields.signed(alice)
			if !bytes.Equal(e.Bytes(), want) {
				t.Fatalf("New().Bytes() = %x, want %x", e.Bytes(), want)
			}
			if got, want := e.ID(), ID(sha256.Sum256(want[:BaseSize])); got != want {
				t.Fatalf("ID() = %v, want %v", got, want)
			}
			if e.BodyHash != sha256.Sum256(tt.body) || e.Redacted() {
				t.Fatalf("New() BodyHash = %x, Redacted() = %v; want %x, false", e.BodyHash, e.Redacted(), sha256.Sum256(tt.body))
			}

			d, err := Decode(e.Bytes())
			if err != nil {
				t.Fatalf("Decode() = %v", err)
			}
			if !sameFields(d, e) || !bytes.Equal(d.Body, e.Body) || d.Redacted() {
				t.Fatalf("Decode() = %+v, want %+v", d, e)
			}
			if d.ID() != e.ID() || !bytes.Equal(d.Bytes(), e.Bytes()) {
				t.Fatalf("Decode() ID/Bytes differ from New()")
			}

			// The redacted form: the same header and signature, no body.
			r := e.Redact()
			if len(tt.body) == 0 {
				if r != e {
					t.Fatalf("Redact() of an entry without a body = %p, want the entry itself %p", r, e)
				}
				return
			}
			fields.redacted = true
			if !bytes.Equal(r.Bytes(), fields.signed(alice)) {
				t.Fatalf("Redact().Bytes() = %x, want %x", r.Bytes(), fields.signed(alice))
			}
			rd, err := Decode(r.Bytes())
			if err != nil {
				t.Fatalf("Decode(redacted) = %v", err)
			}
			if !sameFields(rd, e) || rd.Body != nil || !rd.Redacted() || rd.ID() != e.ID() {
				t.Fatalf("Decode(redacted) = %+v, Redacted() = %v, ID() = %v; want the fields of %+v without the body", rd, rd.Redacted(), rd.ID(), e)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	e1 := mustNew(t, alice, 1, ID{}, t0, KindPost, []byte("hello"))
	e2 := mustNew(t, alice, 2, e1.ID(), hlc.Timestamp{Wall: t0.Wall + 1}, KindPost, []byte("oops"))
	e3 := mustNew(t, alice, 3, e2.ID(), hlc.Timestamp{Wall: t0.Wall + 2}, KindDelete, Delete{Seq: 2, ID: e2.ID()}.Bytes())
	full := bytes.Clone(e2.Bytes())

	r := e2.Redact()
	if !r.Redacted() || r.Body != nil || r.ID() != e2.ID() || !sameFields(r, e2) {
		t.Fatalf("Redact() = %+v, Redacted() = %v; want %+v without its body", r, r.Redacted(), e2)
	}
	if !bytes.Equal(r.Bytes(), full[:BaseSize]) {
		t.Fatalf("Redact().Bytes() = %x, want %x", r.Bytes(), full[:BaseSize])
	}
	if e2.Redacted() || !bytes.Equal(e2.Bytes(), full) || string(e2.Body) != "oops" {
		t.Fatalf("Redact() changed the original: Bytes() = %x", e2.Bytes())
	}
	if rr := r.Redact(); rr != r {
		t.Fatalf("Redact() of a redacted entry = %p, want the entry itself %p", rr, r)
	}
	if err := r.Verify(); err != nil {
		t.Fatalf("redacted Verify() = %v", err)
	}
	if _, ok := Text(r); ok {
		t.Fatalf("Text(redacted) reports a text")
	}
	if s, ok := Text(e2); !ok || s != "oops" {
		t.Fatalf("Text(original) = %q, %v; want \"oops\", true", s, ok)
	}

	// The chain holds across redacted entries, in either place.
	if err := r.Follows(e1); err != nil {
		t.Fatalf("redacted.Follows(e1) = %v", err)
	}
	if err := e3.Follows(r); err != nil {
		t.Fatalf("e3.Follows(redacted) = %v", err)
	}
	if err := e3.Follows(e2); err != nil {
		t.Fatalf("e3.Follows(e2) = %v", err)
	}
	r1 := e1.Redact()
	if err := r.Follows(r1); err != nil {
		t.Fatalf("redacted.Follows(redacted) = %v", err)
	}

	// ParseStored takes both forms.
	for _, b := range [][]byte{full, r.Bytes()} {
		id := e2.ID()
		for _, id := range []*ID{nil, &id} {
			p, err := ParseStored(b, id)
			if err != nil {
				t.Fatalf("ParseStored(%d bytes) = %v", len(b), err)
			}
			if p.ID() != e2.ID() || !sameFields(p, e2) || p.Redacted() != (len(b) == BaseSize) {
				t.Fatalf("ParseStored(%d bytes) = %+v, Redacted() = %v", len(b), p, p.Redacted())
			}
		}
	}

	// An entry without a body has nothing to remove.
	empty := mustNew(t, alice, 1, ID{}, t0, 201, nil)
	if r := empty.Redact(); r != empty || r.Redacted() {
		t.Fatalf("Redact() of an empty body = %p, Redacted() %v; want the entry itself, false", r, r.Redacted())
	}
}

func TestRedactDoesNotShare(t *testing.T) {
	e := mustNew(t, alice, 1, ID{}, t0, KindPost, []byte("hello"))
	r := e.Redact()
	if &r.Bytes()[0] == &e.Bytes()[0] {
		t.Fatalf("Redact().Bytes() shares memory with the full entry: it keeps the body reachable")
	}
}

func TestNewCopiesBody(t *testing.T) {
	body := []byte("hello")
	e := mustNew(t, alice, 1, ID{}, t0, KindPost, body)
	body[0] = 'j'
	if err := e.Verify(); err != nil || string(e.Body) != "hello" {
		t.Fatalf("after changing the caller's body: Body = %q, Verify() = %v, want \"hello\", nil", e.Body, err)
	}
	if _, err := Parse(e.Bytes()); err != nil {
		t.Fatalf("after changing the caller's body: Parse() = %v", err)
	}
}

func TestDecodeDoesNotRetain(t *testing.T) {
	b := mustNew(t, alice, 1, ID{}, t0, KindPost, []byte("hello")).Bytes()
	for _, b := range [][]byte{b, b[:BaseSize]} {
		in := bytes.Clone(b)
		e, err := Decode(in)
		if err != nil {
			t.Fatal(err)
		}
		for i := range in {
			in[i] = 0
		}
		if !bytes.Equal(e.Bytes(), b) || len(b) > BaseSize && string(e.Body) != "hello" {
			t.Fatalf("Decode retained its input: Bytes() = %x", e.Bytes())
		}
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
		{"time after 9999", alice, 1, ID{}, hlc.Timestamp{Wall: maxWall + 1}, KindPost, []byte("hi"), ErrMalformed},
		{"body too long", alice, 1, ID{}, t0, 9, make([]byte, MaxBody+1), ErrTooLarge},
		{"empty post", alice, 1, ID{}, t0, KindPost, nil, ErrInvalidBody},
		{"bad follow", alice, 1, ID{}, t0, KindFollow, []byte("bob"), ErrInvalidBody},
		{"empty reply", alice, 1, ID{}, t0, KindReply, replyBody(" "), ErrInvalidBody},
		{"repost of seq 0", alice, 1, ID{}, t0, KindRepost, Repost{Of: Ref{Author: bobsPost.Author, ID: ID{1}}}.Bytes(), ErrInvalidBody},
		{"delete of itself", alice, 2, ID{1}, t0, KindDelete, Delete{Seq: 2, ID: ID{1}}.Bytes(), ErrInvalidBody},
		{"delete in seq 1", alice, 1, ID{}, t0, KindDelete, Delete{Seq: 1, ID: ID{1}}.Bytes(), ErrInvalidBody},
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
	// redacted: the entry is valid and redacted.
	redacted bool
}

func decodeCases() []decodeCase {
	valid := validRaw()
	good := valid.signed(alice)
	with := func(f func(r *raw)) []byte {
		r := validRaw()
		f(&r)
		return r.signed(alice)
	}
	redacted := func(f func(r *raw)) []byte {
		return with(func(r *raw) { f(r); r.redacted = true })
	}
	flip := func(b []byte, i int) []byte {
		b = bytes.Clone(b)
		b[i] ^= 0x01
		return b
	}
	post := func(s string) []byte { return with(func(r *raw) { r.body = []byte(s) }) }
	body := func(kind Kind, body []byte) []byte {
		return with(func(r *raw) { r.kind = byte(kind); r.body = body })
	}
	// del is a delete at seq 5 of the given body.
	del := func(body []byte) []byte {
		return with(func(r *raw) { r.seq = 5; r.prev = ID{4}; r.kind = byte(KindDelete); r.body = body })
	}
	ref := func(seq uint64, id ID) []byte { return Ref{Author: bobsPost.Author, Seq: seq, ID: id}.appendTo(nil) }
	bobKey := pubKey(bob)
	otherHash := sha256.Sum256([]byte("hellO"))
	noop := func(*raw) {}

	return []decodeCase{
		{name: "valid", b: good},
		{name: "valid follow", b: body(KindFollow, followBody(bob, "bob"))},
		{name: "valid unfollow", b: body(KindUnfollow, followBody(bob, "b_0b_123"))},
		{name: "follow name of 32", b: body(KindFollow, followBody(bob, strings.Repeat("z", 32)))},
		{name: "valid reply", b: body(KindReply, replyBody("hi @bob"))},
		{name: "reply of 1000 four-byte chars", b: body(KindReply, replyBody(strings.Repeat("😀", 1000)))},
		{name: "valid repost", b: body(KindRepost, Repost{Of: bobsPost}.Bytes())},
		{name: "repost of own entry", b: with(func(r *raw) {
			r.seq, r.prev, r.kind = 2, ID{1}, byte(KindRepost)
			r.body = Repost{Of: Ref{Author: r.author, Seq: 1, ID: ID{1}}}.Bytes()
		})},
		{name: "valid delete", b: del(Delete{Seq: 4, ID: ID{4}}.Bytes())},
		{name: "delete of seq 1", b: del(Delete{Seq: 1, ID: ID{9}}.Bytes())},
		{name: "unknown kind 200 any body", b: with(func(r *raw) { r.kind = 200; r.body = []byte{0xff, 0xfe} })},
		{name: "unknown kind 255 empty body", b: with(func(r *raw) { r.kind = 255; r.body = nil })},
		{name: "unknown kind longest body", b: with(func(r *raw) { r.kind = 200; r.body = make([]byte, MaxBody) })},
		{name: "post of 1000 ASCII", b: post(strings.Repeat("a", 1000))},
		{name: "post of 1000 two-byte chars", b: post(strings.Repeat("é", 1000))},
		{name: "post of 1000 four-byte chars", b: post(strings.Repeat("😀", 1000))},
		{name: "post with surrounding space", b: post("  hi  ")},
		{name: "wall time 0 with a counter", b: with(func(r *raw) { r.time = hlc.Timestamp{Logical: 1} })},
		{name: "wall time in 9999", b: with(func(r *raw) { r.time = hlc.Timestamp{Wall: maxWall} })},
		{name: "seq 2 with prev", b: with(func(r *raw) { r.seq = 2; r.prev = ID{1} })},

		{name: "redacted post", b: redacted(noop), redacted: true},
		{name: "redacted of one byte", b: redacted(func(r *raw) { r.body = []byte("x") }), redacted: true},
		{name: "redacted of the longest body", b: redacted(func(r *raw) { r.kind = 200; r.body = make([]byte, MaxBody) }), redacted: true},
		{name: "redacted with a hash of nothing", b: redacted(func(r *raw) { r.hash = &[32]byte{} }), redacted: true},
		{name: "redacted delete", b: redacted(func(r *raw) {
			r.seq, r.prev, r.kind = 2, ID{1}, byte(KindDelete)
			r.body = Delete{Seq: 1, ID: ID{1}}.Bytes()
		}), redacted: true},
		// A redacted entry's body is gone: nothing checks it, not even
		// against its kind's rules.
		{name: "redacted post with an invalid body", b: redacted(func(r *raw) { r.body = []byte{0xff} }), redacted: true},

		{name: "empty", b: nil, want: ErrMalformed},
		{name: "one short of minimum", b: make([]byte, BaseSize-1), want: ErrMalformed},
		{name: "header only", b: good[:HeaderSize], want: ErrMalformed},
		{name: "truncated by one byte", b: good[:len(good)-1], want: ErrMalformed},
		{name: "trailing byte", b: append(bytes.Clone(good), 0), want: ErrMalformed},
		{name: "redacted with a trailing byte", b: append(redacted(noop), 0), want: ErrMalformed},
		{name: "redacted with a body length of 0", b: redacted(func(r *raw) { r.bodyLen = 0 }), want: ErrMalformed},
		{name: "longer than MaxSize", b: make([]byte, MaxSize+1), want: ErrTooLarge},
		{name: "body length above MaxBody", b: with(func(r *raw) { r.bodyLen = MaxBody + 1 }), want: ErrTooLarge},
		{name: "body length 0xffff", b: with(func(r *raw) { r.bodyLen = 0xffff }), want: ErrTooLarge},
		{name: "redacted with a body length above MaxBody", b: redacted(func(r *raw) { r.bodyLen = MaxBody + 1 }), want: ErrTooLarge},
		{name: "body length one more than body", b: with(func(r *raw) { r.bodyLen = len(r.body) + 1 }), want: ErrMalformed},
		{name: "body length one less than body", b: with(func(r *raw) { r.bodyLen = len(r.body) - 1 }), want: ErrMalformed},
		{name: "body hash of another body", b: with(func(r *raw) { r.hash = &otherHash }), want: ErrMalformed},
		{name: "body hash of nothing", b: with(func(r *raw) { r.hash = &[32]byte{} }), want: ErrMalformed},
		{name: "flipped body byte", b: flip(good, BaseSize), want: ErrMalformed},
		{name: "flipped last body byte", b: flip(good, len(good)-1), want: ErrMalformed},
		{name: "flipped body hash byte", b: flip(good, offBodyHash), want: ErrMalformed},
		{name: "version 0", b: with(func(r *raw) { r.version = 0 }), want: ErrMalformed},
		{name: "version 2", b: with(func(r *raw) { r.version = 2 }), want: ErrMalformed},
		{name: "redacted version 2", b: redacted(func(r *raw) { r.version = 2 }), want: ErrMalformed},
		{name: "seq 0", b: with(func(r *raw) { r.seq = 0 }), want: ErrMalformed},
		{name: "seq 1 with prev", b: with(func(r *raw) { r.prev = ID{1} }), want: ErrMalformed},
		{name: "seq 2 without prev", b: with(func(r *raw) { r.seq = 2 }), want: ErrMalformed},
		{name: "redacted seq 2 without prev", b: redacted(func(r *raw) { r.seq = 2 }), want: ErrMalformed},
		{name: "kind 0", b: with(func(r *raw) { r.kind = 0 }), want: ErrMalformed},
		{name: "zero time", b: with(func(r *raw) { r.time = hlc.Timestamp{} }), want: ErrMalformed},
		{name: "time after 9999", b: with(func(r *raw) { r.time = hlc.Timestamp{Wall: maxWall + 1} }), want: ErrMalformed},

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

		{name: "follow empty body", b: body(KindFollow, nil), want: ErrInvalidBody},
		{name: "follow key only", b: body(KindFollow, bobKey[:]), want: ErrInvalidBody},
		{name: "follow short key", b: body(KindFollow, bobKey[:31]), want: ErrInvalidBody},
		{name: "follow name length 0", b: body(KindFollow, append(bobKey[:], 0)), want: ErrInvalidBody},
		{name: "follow name length too big", b: body(KindFollow, append(append(bobKey[:], 4), "bob"...)), want: ErrInvalidBody},
		{name: "follow name length too small", b: body(KindFollow, append(append(bobKey[:], 3), "bobby"...)), want: ErrInvalidBody},
		{name: "follow name too short", b: body(KindFollow, followBody(bob, "bo")), want: ErrInvalidBody},
		{name: "follow name too long", b: body(KindFollow, followBody(bob, strings.Repeat("b", 33))), want: ErrInvalidBody},
		{name: "follow name upper case", b: body(KindFollow, followBody(bob, "Bob")), want: ErrInvalidBody},
		{name: "follow name with dash", b: body(KindFollow, followBody(bob, "bo-b")), want: ErrInvalidBody},
		{name: "follow name with space", b: body(KindFollow, followBody(bob, "bo b")), want: ErrInvalidBody},
		{name: "follow name non-ASCII", b: body(KindFollow, followBody(bob, "böb")), want: ErrInvalidBody},
		{name: "follow name NUL", b: body(KindFollow, followBody(bob, "bob\x00")), want: ErrInvalidBody},
		{name: "unfollow bad name", b: body(KindUnfollow, followBody(bob, "BOB")), want: ErrInvalidBody},

		{name: "reply empty body", b: body(KindReply, nil), want: ErrInvalidBody},
		{name: "reply short ref", b: body(KindReply, ref(1, ID{1})[:71]), want: ErrInvalidBody},
		{name: "reply without text", b: body(KindReply, ref(1, ID{1})), want: ErrInvalidBody},
		{name: "reply white space", b: body(KindReply, replyBody(" \n")), want: ErrInvalidBody},
		{name: "reply invalid UTF-8", b: body(KindReply, replyBody("hi \xff")), want: ErrInvalidBody},
		{name: "reply of 1001 chars", b: body(KindReply, replyBody(strings.Repeat("é", 1001))), want: ErrInvalidBody},
		{name: "reply to seq 0", b: body(KindReply, append(ref(0, ID{1}), "hi"...)), want: ErrInvalidBody},
		{name: "reply to a zero ID", b: body(KindReply, append(ref(1, ID{}), "hi"...)), want: ErrInvalidBody},
		{name: "repost empty body", b: body(KindRepost, nil), want: ErrInvalidBody},
		{name: "repost short", b: body(KindRepost, ref(1, ID{1})[:71]), want: ErrInvalidBody},
		{name: "repost with a trailing byte", b: body(KindRepost, append(ref(1, ID{1}), 0)), want: ErrInvalidBody},
		{name: "repost with text", b: body(KindRepost, replyBody("hi")), want: ErrInvalidBody},
		{name: "repost of seq 0", b: body(KindRepost, ref(0, ID{1})), want: ErrInvalidBody},
		{name: "repost of a zero ID", b: body(KindRepost, ref(1, ID{})), want: ErrInvalidBody},
		{name: "delete empty body", b: del(nil), want: ErrInvalidBody},
		{name: "delete short", b: del(Delete{Seq: 4, ID: ID{4}}.Bytes()[:39]), want: ErrInvalidBody},
		{name: "delete with a trailing byte", b: del(append(Delete{Seq: 4, ID: ID{4}}.Bytes(), 0)), want: ErrInvalidBody},
		{name: "delete of seq 0", b: del(Delete{Seq: 0, ID: ID{4}}.Bytes()), want: ErrInvalidBody},
		{name: "delete of a zero ID", b: del(Delete{Seq: 4}.Bytes()), want: ErrInvalidBody},
		{name: "delete of itself", b: del(Delete{Seq: 5, ID: ID{5}}.Bytes()), want: ErrInvalidBody},
		{name: "delete of a later entry", b: del(Delete{Seq: 6, ID: ID{6}}.Bytes()), want: ErrInvalidBody},
		{name: "delete in seq 1", b: body(KindDelete, Delete{Seq: 1, ID: ID{1}}.Bytes()), want: ErrInvalidBody},

		{name: "flipped signature bit", b: flip(good, BaseSize-1), want: ErrBadSignature, sigOnly: true},
		{name: "flipped first signature bit", b: flip(good, HeaderSize), want: ErrBadSignature, sigOnly: true},
		{name: "flipped time byte", b: flip(good, 80), want: ErrBadSignature, sigOnly: true},
		{name: "flipped seq byte", b: flip(with(func(r *raw) { r.seq = 2; r.prev = ID{1} }), 40), want: ErrBadSignature, sigOnly: true},
		{name: "flipped kind byte", b: flip(with(func(r *raw) { r.kind = 201 }), 85), want: ErrBadSignature, sigOnly: true},
		{name: "body and hash replaced", b: func() []byte {
			b := bytes.Clone(good[:BaseSize])
			h := sha256.Sum256([]byte("hellO"))
			copy(b[offBodyHash:], h[:])
			return append(b, "hellO"...)
		}(), want: ErrBadSignature, sigOnly: true},
		{name: "redacted flipped time byte", b: flip(redacted(noop), 80), want: ErrBadSignature, sigOnly: true},
		{name: "redacted flipped body length", b: flip(redacted(noop), offBodyLen+1), want: ErrBadSignature, sigOnly: true},
		{name: "redacted flipped body hash", b: flip(redacted(noop), HeaderSize-1), want: ErrBadSignature, sigOnly: true},
		{name: "redacted flipped signature bit", b: flip(redacted(noop), BaseSize-1), want: ErrBadSignature, sigOnly: true},
		{name: "author swapped", b: with(func(r *raw) { r.author = bobKey }), want: ErrBadSignature, sigOnly: true},
		{name: "signed by someone else", b: valid.signed(bob), want: ErrBadSignature, sigOnly: true},
		{name: "signed without context", b: valid.withSig(ed25519.Sign(alice, valid.header())), want: ErrBadSignature, sigOnly: true},
		{name: "signed over the body too", b: valid.withSig(ed25519.Sign(alice, append(append([]byte(SigContext), valid.header()...), valid.body...))), want: ErrBadSignature, sigOnly: true},
		{name: "zero signature", b: valid.withSig(make([]byte, SigSize)), want: ErrBadSignature, sigOnly: true},
		{name: "small-order author", b: with(func(r *raw) { r.author = Key{1} }), want: ErrBadSignature, sigOnly: true},
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
				if e.Redacted() != tt.redacted || tt.redacted && e.Body != nil {
					t.Fatalf("Decode() Redacted() = %v, Body %x; want redacted %v", e.Redacted(), e.Body, tt.redacted)
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

func TestErrorMessages(t *testing.T) {
	good := validRaw().signed(alice)
	bad := bytes.Clone(good)
	bad[BaseSize] ^= 1
	for _, tt := range []struct {
		b    []byte
		want string
	}{
		{bad, "entry: malformed: body does not match its hash"},
		{good[:BaseSize+1], "entry: malformed: length 185 does not match body length 5 (want 189, or 184 without the body)"},
		{good[:BaseSize-1], "entry: malformed: 183 bytes is shorter than the minimum 184"},
		{append(validRaw().withSig(make([]byte, SigSize))[:HeaderSize-34], make([]byte, 34+SigSize+1)...), "entry: malformed: length 185 does not match body length 0 (want 184)"},
	} {
		if _, err := Parse(tt.b); err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%d bytes) = %v, want %q", len(tt.b), err, tt.want)
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
		{"next entry after a redacted one", e2, e1.Redact(), true},
		{"redacted next entry", e2.Redact(), e1, true},
		{"delete of the entry before", mustNew(t, alice, 2, e1.ID(), ts(t0.Wall, 1), KindDelete, Delete{Seq: 1, ID: e1.ID()}.Bytes()), e1.Redact(), true},
		{"itself", e1, e1, false},
		{"itself redacted", e1.Redact(), e1, false},
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
	k := pubKey(alice)
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
}

func TestKindString(t *testing.T) {
	for _, tt := range []struct {
		k    Kind
		want string
	}{
		{0, "kind(0)"},
		{KindPost, "post"},
		{KindFollow, "follow"},
		{KindUnfollow, "unfollow"},
		{KindReply, "reply"},
		{KindRepost, "repost"},
		{KindDelete, "delete"},
		{7, "profile"},
		{8, "like"},
		{9, "unlike"},
		{10, "album"},
		{11, "kind(11)"},
		{255, "kind(255)"},
	} {
		if got := tt.k.String(); got != tt.want {
			t.Errorf("Kind(%d).String() = %q, want %q", tt.k, got, tt.want)
		}
	}
}

func TestSizes(t *testing.T) {
	if HeaderSize != 120 || BaseSize != 184 || MaxBody != 8192 || MaxSize != 8376 {
		t.Fatalf("HeaderSize, BaseSize, MaxBody, MaxSize = %d, %d, %d, %d; docs/PROTOCOL.md says 120, 184, 8192, 8376",
			HeaderSize, BaseSize, MaxBody, MaxSize)
	}
	// The longest valid reply fits in a body.
	if n := len(replyBody(strings.Repeat("😀", MaxPostChars))); n > MaxBody {
		t.Fatalf("longest reply body is %d bytes, more than MaxBody %d", n, MaxBody)
	}
}

func TestParseStored(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	e, err := New(priv, 1, ID{}, hlc.Timestamp{Wall: 1}, KindPost, []byte("stored"))
	if err != nil {
		t.Fatal(err)
	}
	id := e.ID()
	red := e.Redact().Bytes()
	// ParseStored trusts what was stored: it skips the body hash.
	tampered := bytes.Clone(e.Bytes())
	tampered[len(tampered)-1] = 'D'
	tests := []struct {
		name     string
		b        []byte
		id       *ID
		wantErr  error
		wantBody string
	}{
		{"with id", e.Bytes(), &id, nil, "stored"},
		{"hashes without id", e.Bytes(), nil, nil, "stored"},
		{"redacted with id", red, &id, nil, ""},
		{"redacted hashes without id", red, nil, nil, ""},
		{"body not checked", tampered, nil, nil, "storeD"},
		{"truncated", e.Bytes()[:len(e.Bytes())-1], nil, ErrMalformed, ""},
		{"redacted truncated", red[:BaseSize-1], nil, ErrMalformed, ""},
		{"too large", make([]byte, MaxSize+1), nil, ErrTooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStored(tt.b, tt.id)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseStored() error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got.ID() != id || !bytes.Equal(got.Bytes(), tt.b) || string(got.Body) != tt.wantBody || got.Redacted() != (tt.wantBody == "") {
				t.Fatalf("ParseStored() = %+v, want the stored entry", got)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, tt := range decodeCases() {
		f.Add(tt.b)
	}
	for _, v := range vectors() {
		f.Add(mustHex(f, v.hex))
	}
	f.Add(mustHex(f, redactedVector().hex))
	f.Fuzz(func(t *testing.T, b []byte) {
		in := bytes.Clone(b)
		if e, err := Parse(b); err == nil {
			if !bytes.Equal(e.Bytes(), in) {
				t.Fatalf("Parse(%x).Bytes() = %x", in, e.Bytes())
			}
			if e.ID() != sha256.Sum256(in[:BaseSize]) {
				t.Fatalf("Parse(%x).ID() = %v, want SHA-256 of the first %d bytes", in, e.ID(), BaseSize)
			}
			if want := len(in) == BaseSize && in[offBodyLen]|in[offBodyLen+1] != 0; e.Redacted() != want || want != (e.Body == nil) {
				t.Fatalf("Parse(%x).Redacted() = %v, Body %x; want redacted %v", in, e.Redacted(), e.Body, want)
			}
			r := e.Redact()
			if !bytes.Equal(r.Bytes(), in[:BaseSize]) || r.Redacted() != (len(in) > BaseSize || e.Redacted()) {
				t.Fatalf("Parse(%x).Redact() = %x, Redacted() %v", in, r.Bytes(), r.Redacted())
			}
			if p, err := Parse(r.Bytes()); err != nil || p.ID() != e.ID() {
				t.Fatalf("Parse(Redact().Bytes()) = %v, %v; want ID %v", p, err, e.ID())
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
		if e.Verify() != nil || e.Redact().Verify() != nil {
			t.Fatalf("Decode accepted an entry that does not verify, in full or redacted")
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

// smallOrderKeys are the encodings of the points of the curve whose order
// divides 8 (libsodium's list), and an encoding that is not a point.
var smallOrderKeys = []struct {
	name, hex string
}{
	{"identity", "0100000000000000000000000000000000000000000000000000000000000000"},
	{"order 2", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
	{"order 4", "0000000000000000000000000000000000000000000000000000000000000000"},
	{"order 4, other sign", "0000000000000000000000000000000000000000000000000000000000000080"},
	{"order 8", "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"},
	{"order 8, other sign", "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"},
	{"order 8, second", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"},
	{"order 8, second, other sign", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"},
	{"not a point", "0200000000000000000000000000000000000000000000000000000000000000"},
}

func TestVerifySignature(t *testing.T) {
	msg := []byte("skein/test\x00any message")
	good := ed25519.Sign(alice, msg)
	universal := make([]byte, SigSize)
	universal[0] = 1 // R = the identity point, S = 0
	identity := Key{1}
	// The reason for the rule: crypto/ed25519 accepts the universal
	// signature for the identity key, whatever the message.
	if !ed25519.Verify(identity[:], msg, universal) {
		t.Fatal("ed25519.Verify refuses the universal signature: the test no longer shows the attack")
	}
	tests := []struct {
		name string
		key  Key
		msg  []byte
		sig  []byte
		want bool
	}{
		{"valid", pubKey(alice), msg, good, true},
		{"other message", pubKey(alice), append(bytes.Clone(msg), '!'), good, false},
		{"other key", pubKey(bob), msg, good, false},
		{"short signature", pubKey(alice), msg, good[:SigSize-1], false},
		{"long signature", pubKey(alice), msg, append(bytes.Clone(good), 0), false},
		{"no signature", pubKey(alice), msg, nil, false},
		{"non-canonical S", pubKey(alice), msg, func() []byte {
			// S + L, where L is the group order: RFC 8032 refuses it.
			s := bytes.Clone(good)
			l := [32]byte{0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
				0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}
			var carry uint16
			for i := range 32 {
				v := uint16(s[32+i]) + uint16(l[i]) + carry
				s[32+i], carry = byte(v), v>>8
			}
			return s
		}(), false},
	}
	for _, k := range smallOrderKeys {
		b, err := hex.DecodeString(k.hex)
		if err != nil {
			t.Fatal(err)
		}
		tests = append(tests, struct {
			name string
			key  Key
			msg  []byte
			sig  []byte
			want bool
		}{"small order: " + k.name + ", universal signature", Key(b), msg, universal, false})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := VerifySignature(tt.key, tt.msg, tt.sig); got != tt.want {
				t.Errorf("VerifySignature() = %v, want %v", got, tt.want)
			}
		})
	}
}
