package chatlog

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
)

// validEntries returns one valid entry of every kind and form, unsigned.
func validEntries() map[string]Entry {
	pub := Payload{Text: "hello, group"}.Encode()
	second := func(kind Kind, epoch EpochID, body []byte, deps ...ID) Entry {
		return Entry{Group: testGroup, Seq: 2, Prev: someID, Time: hlc.Timestamp{Wall: t0.Wall, Logical: 1}, Kind: kind, Epoch: epoch, Deps: deps, Body: body}
	}
	b := func(b Body) []byte { return b.Encode() }
	return map[string]Entry{
		"create private": privateCreate(),
		"create public":  publicCreate(),
		"create dm":      dmCreate(),
		"create private no flags": {Group: testGroup, Seq: 1, Time: t0, Kind: KindCreate, Epoch: epoch1,
			Body: b(Body{NewEpoch: epoch1, Wraps: wrapsFor(alice, bob, carol), Sealed: []byte{1}, Salt: saltA})},
		"invite public": second(KindInvite, EpochID{}, b(Body{Target: keyOf(bob), Role: RoleMember, Expires: t0.Wall + 1})),
		"invite shared": second(KindInvite, epoch1, b(Body{Target: keyOf(bob), Role: RoleAdmin, Expires: t0.Wall + 1, Wraps: wrapsFor(bob)})),
		"invite joined": second(KindInvite, epoch2, b(Body{Target: keyOf(bob), Role: RoleMember, Expires: t0.Wall + 1, NewEpoch: epoch2, Wraps: wrapsFor(alice, bob, carol)})),
		"invite joined history": second(KindInvite, epoch2, b(Body{Target: keyOf(bob), Role: RoleMember, Expires: t0.Wall + 1,
			NewEpoch: epoch2, Wraps: wrapsFor(bob), Sealed: []byte("bundle")})),
		"join invite":      second(KindJoin, EpochID{}, b(Body{Invite: someID}), ID{0xff}),
		"join public":      second(KindJoin, EpochID{}, nil),
		"leave":            second(KindLeave, EpochID{}, nil),
		"remove":           second(KindRemove, EpochID{}, b(Body{Target: keyOf(bob), Upto: 7})),
		"remove upto 0":    second(KindRemove, EpochID{}, b(Body{Target: keyOf(bob)})),
		"remove rekey":     second(KindRemove, epoch2, b(Body{Target: keyOf(bob), Upto: 3, NewEpoch: epoch2, Wraps: wrapsFor(alice, carol), Sealed: []byte{9}})),
		"role":             second(KindRole, EpochID{}, b(Body{Target: keyOf(bob), Role: RoleAdmin})),
		"meta public":      second(KindMeta, EpochID{}, b(Body{Name: "new name"})),
		"meta private":     second(KindMeta, epoch1, b(Body{Sealed: []byte("sealed name")})),
		"rekey":            second(KindRekey, epoch2, b(Body{NewEpoch: epoch2, Wraps: wrapsFor(alice)})),
		"rekey bundle":     second(KindRekey, epoch2, b(Body{NewEpoch: epoch2, Wraps: wrapsFor(alice, bob), Sealed: []byte("bundle")})),
		"msg public":       second(KindMsg, EpochID{}, pub, ID{1}, ID{2}, ID{3}, ID{4}),
		"msg public reply": second(KindMsg, EpochID{}, Payload{Text: "yes\nand no", ReplyTo: someID}.Encode(), ID{1}),
		"msg sealed":       second(KindMsg, epoch1, bytes.Repeat([]byte{0xcc}, 40), ID{1}),
		"msg max body":     second(KindMsg, epoch1, bytes.Repeat([]byte{0xcc}, MaxBody), ID{1}, ID{2}, ID{3}, ID{4}),
	}
}

func TestRoundTrip(t *testing.T) {
	for name, e := range validEntries() {
		t.Run(name, func(t *testing.T) {
			s := signed(t, alice, e)
			enc := s.Encode()
			if len(enc) != s.Size() {
				t.Errorf("len(Encode()) = %d, Size() = %d", len(enc), s.Size())
			}
			if !bytes.Equal(s.Header(), enc[:headerBase+32*len(s.Deps)]) {
				t.Errorf("Header() is not the start of Encode()")
			}
			d, err := Decode(enc)
			if err != nil {
				t.Fatalf("Decode() = %v", err)
			}
			if d.Body == nil {
				t.Errorf("Decode().Body is nil, want non-nil")
			}
			if len(s.Body) == 0 {
				s.Body = []byte{}
			}
			if !reflect.DeepEqual(d, s) {
				t.Errorf("Decode() = %+v, want %+v", d, s)
			}
			if !bytes.Equal(d.Encode(), enc) || d.ID() != s.ID() {
				t.Errorf("Decode().Encode() differs from the encoding")
			}
			if d.ID() != ID(sha256Sum(enc)) {
				t.Errorf("ID() is not the SHA-256 of the encoding")
			}
			if e.Kind.Control() {
				body, err := d.Control()
				if err != nil {
					t.Fatalf("Control() = %v", err)
				}
				if !bytes.Equal(body.Encode(), d.Body) {
					t.Errorf("Control().Encode() = %x, want %x", body.Encode(), d.Body)
				}
			} else if _, err := d.Control(); !errors.Is(err, ErrInvalidBody) {
				t.Errorf("Control() of a msg = %v, want ErrInvalidBody", err)
			}
		})
	}
}

func TestDecodeDoesNotRetain(t *testing.T) {
	e := validEntries()["msg sealed"]
	enc := signed(t, alice, e).Encode()
	d, err := Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	for i := range enc {
		enc[i] = 0
	}
	if !bytes.Equal(d.Body, e.Body) {
		t.Error("Decode() retained its input")
	}
}

func TestMaxSize(t *testing.T) {
	e := validEntries()["msg max body"]
	if got := signed(t, alice, e).Size(); got != MaxSize {
		t.Errorf("largest entry Size() = %d, want MaxSize %d", got, MaxSize)
	}
	if MaxSize != 131403 {
		t.Errorf("MaxSize = %d, want 131403 as documented", MaxSize)
	}
}

// TestDecodeRejects checks each structural rule: every broken encoding is
// signed by its author, so only the rule can refuse it.
func TestDecodeRejects(t *testing.T) {
	valid := validEntries()["msg sealed"]
	with := func(f func(e *Entry)) []byte {
		e := valid
		e.Deps = append([]ID(nil), e.Deps...)
		f(&e)
		return forge(alice, e)
	}
	good := forge(alice, valid)
	setBodyLen := func(b []byte, n uint32) []byte {
		b = bytes.Clone(b)
		binary.BigEndian.PutUint32(b[headerBase+32:], n)
		return resign(alice, b)
	}
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"short", good[:minSize-1], ErrMalformed},
		{"too large", make([]byte, MaxSize+1), ErrTooLarge},
		{"version 0", resign(alice, append([]byte{0}, good[1:]...)), ErrMalformed},
		{"version 2", resign(alice, append([]byte{2}, good[1:]...)), ErrMalformed},
		{"seq 0", with(func(e *Entry) { e.Seq = 0 }), ErrMalformed},
		{"seq 1 with prev", with(func(e *Entry) { e.Seq = 1 }), ErrMalformed},
		{"seq 2 without prev", with(func(e *Entry) { e.Prev = ID{} }), ErrMalformed},
		{"kind 0", with(func(e *Entry) { e.Kind = 0 }), ErrMalformed},
		{"kind 10", with(func(e *Entry) { e.Kind = 10 }), ErrMalformed},
		{"zero wall", with(func(e *Entry) { e.Time = hlc.Timestamp{Logical: 5} }), ErrMalformed},
		{"wall after 9999", with(func(e *Entry) { e.Time.Wall = maxWall + 1 }), ErrMalformed},
		{"5 deps", with(func(e *Entry) { e.Deps = []ID{{1}, {2}, {3}, {4}, {5}} }), ErrMalformed},
		{"zero dep", with(func(e *Entry) { e.Deps = []ID{{}} }), ErrMalformed},
		{"dep is prev", with(func(e *Entry) { e.Deps = []ID{e.Prev} }), ErrMalformed},
		{"deps descending", with(func(e *Entry) { e.Deps = []ID{{2}, {1}} }), ErrMalformed},
		{"deps repeated", with(func(e *Entry) { e.Deps = []ID{{2}, {2}} }), ErrMalformed},
		{"ndeps past the end", with(func(e *Entry) { e.Deps = []ID{{1}, {2}, {3}, {4}}; e.Body = nil })[:headerBase+32*3], ErrMalformed},
		{"body length over MaxBody", setBodyLen(good, MaxBody+1), ErrTooLarge},
		{"body length too long", setBodyLen(good, uint32(len(valid.Body)+1)), ErrMalformed},
		{"body length too short", setBodyLen(good, uint32(len(valid.Body)-1)), ErrMalformed},
		{"trailing byte", resign(alice, append(bytes.Clone(good), 0)), ErrMalformed},
		{"empty msg", with(func(e *Entry) { e.Body = nil }), ErrInvalidBody},
		{"public msg not a payload", with(func(e *Entry) { e.Epoch = EpochID{} }), ErrMalformed},
		{"public msg bad text", with(func(e *Entry) { e.Epoch = EpochID{}; e.Body = Payload{Text: "\x1b[2J"}.Encode() }), ErrInvalidBody},
		{"control body invalid", with(func(e *Entry) { e.Kind = KindLeave }), ErrMalformed},
		{"bad signature", func() []byte { b := bytes.Clone(good); b[len(b)-1] ^= 1; return b }(), ErrBadSignature},
		{"signed by another", resign(bob, good), ErrBadSignature},
		{"body changed", func() []byte { b := bytes.Clone(good); b[len(b)-SigSize-1] ^= 1; return b }(), ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Decode(tt.b); !errors.Is(err, tt.want) {
				t.Errorf("Decode() = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := Decode(good); err != nil {
		t.Errorf("Decode(good) = %v", err)
	}
}

// TestSmallOrderAuthor checks that an author key of small order, for which
// one signature fits every message, never verifies.
func TestSmallOrderAuthor(t *testing.T) {
	e := validEntries()["msg sealed"]
	var identity entry.Key
	identity[0] = 1 // the identity point
	e.Author = identity
	var sig [SigSize]byte
	sig[0] = 1 // R = identity, S = 0
	e.Sig = sig
	if _, err := Decode(e.Encode()); !errors.Is(err, ErrBadSignature) {
		t.Errorf("Decode(small-order author) = %v, want ErrBadSignature", err)
	}
}

func TestSignRejects(t *testing.T) {
	e := validEntries()["msg sealed"]
	e.Author = keyOf(alice)
	if err := Sign(&e, bob); !errors.Is(err, ErrBadSignature) {
		t.Errorf("Sign(another key) = %v, want ErrBadSignature", err)
	}
	if err := Sign(&e, ed25519.PrivateKey{1, 2}); !errors.Is(err, ErrBadSignature) {
		t.Errorf("Sign(short key) = %v, want ErrBadSignature", err)
	}
	bad := e
	bad.Seq = 0
	if err := Sign(&bad, alice); !errors.Is(err, ErrMalformed) || bad.Sig != ([SigSize]byte{}) {
		t.Errorf("Sign(seq 0) = %v, sig set %v; want ErrMalformed, no signature", err, bad.Sig != [SigSize]byte{})
	}
	big := e
	big.Body = make([]byte, MaxBody+1)
	if err := Sign(&big, alice); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Sign(body over MaxBody) = %v, want ErrTooLarge", err)
	}
	inv := validEntries()["invite public"]
	inv.Time.Wall = t0.Wall + 1 // the invite expires at t0+1
	inv.Author = keyOf(alice)
	if err := Sign(&inv, alice); !errors.Is(err, ErrInvalidBody) {
		t.Errorf("Sign(invite expiring at its own time) = %v, want ErrInvalidBody", err)
	}
	dm := dmCreate()
	dm.Author = keyOf(carol)
	if err := Sign(&dm, carol); !errors.Is(err, ErrInvalidBody) {
		t.Errorf("Sign(DM create by a non-member) = %v, want ErrInvalidBody", err)
	}
}

func TestDMGroup(t *testing.T) {
	a, b := keyOf(alice), keyOf(bob)
	if DMGroup(a, b) != DMGroup(b, a) {
		t.Error("DMGroup(a, b) != DMGroup(b, a)")
	}
	if DMGroup(a, b) == DMGroup(a, keyOf(carol)) {
		t.Error("DMGroup is the same for two pairs")
	}
	lo, hi := a, b
	if bytes.Compare(lo[:], hi[:]) > 0 {
		lo, hi = hi, lo
	}
	want := sha256Sum([]byte("skein/dm/v1\x00" + string(lo[:]) + string(hi[:])))
	if DMGroup(a, b) != GroupID(want) {
		t.Errorf("DMGroup() = %v, want %x", DMGroup(a, b), want)
	}
}

func TestIDs(t *testing.T) {
	g, err := NewGroupID()
	if err != nil || g.IsZero() {
		t.Fatalf("NewGroupID() = %v, %v", g, err)
	}
	if g2, _ := NewGroupID(); g2 == g {
		t.Error("NewGroupID() twice gave the same ID")
	}
	if p, err := ParseGroupID(g.String()); err != nil || p != g {
		t.Errorf("ParseGroupID(String()) = %v, %v", p, err)
	}
	if len(g.Short()) != 8 || !strings.HasPrefix(g.String(), g.Short()) {
		t.Errorf("Short() = %q", g.Short())
	}
	if p, err := ParseID(someID.String()); err != nil || p != someID {
		t.Errorf("ParseID(String()) = %v, %v", p, err)
	}
	for _, s := range []string{"", "zz", strings.Repeat("a", 62), strings.Repeat("a", 66)} {
		if _, err := ParseGroupID(s); err == nil {
			t.Errorf("ParseGroupID(%q) = nil error", s)
		}
		if _, err := ParseID(s); err == nil {
			t.Errorf("ParseID(%q) = nil error", s)
		}
	}
	if !(EpochID{}).IsZero() || epoch1.IsZero() || len(epoch1.String()) != 32 {
		t.Error("EpochID IsZero/String")
	}
}

func TestKindsAndRoles(t *testing.T) {
	names := map[Kind]string{KindCreate: "create", KindInvite: "invite", KindJoin: "join", KindLeave: "leave",
		KindRemove: "remove", KindRole: "role", KindMeta: "meta", KindRekey: "rekey", KindMsg: "msg", 0: "kind(0)", 10: "kind(10)"}
	for k, want := range names {
		if k.String() != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, k.String(), want)
		}
		if got := k >= 1 && k <= 8; k.Control() != got {
			t.Errorf("Kind(%d).Control() = %v", k, k.Control())
		}
	}
	for r, want := range map[Role]string{RoleMember: "member", RoleAdmin: "admin", 3: "role(3)"} {
		if r.String() != want {
			t.Errorf("Role(%d).String() = %q, want %q", r, r.String(), want)
		}
	}
}

func TestDecodeStored(t *testing.T) {
	for name, e := range validEntries() {
		enc := signed(t, alice, e).Encode()
		d, err := DecodeStored(enc)
		if err != nil {
			t.Fatalf("%s: DecodeStored() = %v", name, err)
		}
		if !bytes.Equal(d.Encode(), enc) {
			t.Errorf("%s: DecodeStored().Encode() differs", name)
		}
	}
	good := signed(t, alice, validEntries()["msg sealed"]).Encode()
	for _, b := range [][]byte{nil, good[:len(good)-1], append(bytes.Clone(good), 0), make([]byte, MaxSize+1)} {
		if _, err := DecodeStored(b); err == nil {
			t.Errorf("DecodeStored(%d bytes) = nil error", len(b))
		}
	}
}

// TestCreateGroupID checks that a non-DM create is valid only for the
// group GroupFor(author, salt): an impostor who knows a group's ID cannot
// write a create for it.
func TestCreateGroupID(t *testing.T) {
	for name, e := range map[string]Entry{"private": privateCreate(), "public": publicCreate()} {
		if _, err := Decode(signed(t, alice, e).Encode()); err != nil {
			t.Errorf("%s: alice's create = %v", name, err)
		}
		// Bob signs the same create of alice's group.
		e.Author = keyOf(bob)
		if err := Sign(&e, bob); !errors.Is(err, ErrInvalidBody) {
			t.Errorf("%s: bob's create of alice's group: Sign() = %v, want ErrInvalidBody", name, err)
		}
		if _, err := Decode(forge(bob, e)); !errors.Is(err, ErrInvalidBody) {
			t.Errorf("%s: bob's create of alice's group: Decode() = %v, want ErrInvalidBody", name, err)
		}
		// Another salt gives another group.
		b, err := DecodeBody(KindCreate, e.Epoch, 1, e.Group, e.Body)
		if err != nil {
			t.Fatal(err)
		}
		b.Salt[0] ^= 1
		e.Body = b.Encode()
		if _, err := Decode(forge(alice, e)); !errors.Is(err, ErrInvalidBody) {
			t.Errorf("%s: create with another salt: Decode() = %v, want ErrInvalidBody", name, err)
		}
	}
	if g := GroupFor(keyOf(alice), saltA); g == GroupFor(keyOf(bob), saltA) || g == GroupFor(keyOf(alice), [SaltSize]byte{1}) {
		t.Error("GroupFor does not depend on both author and salt")
	}
	s1, err1 := NewSalt()
	s2, err2 := NewSalt()
	if err1 != nil || err2 != nil || s1 == s2 || s1 == ([SaltSize]byte{}) {
		t.Errorf("NewSalt() = %x %v, %x %v", s1, err1, s2, err2)
	}
}
