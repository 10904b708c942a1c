package chatlog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// TestBodyRules checks every per-kind rule of DecodeBody: each case is a
// well-formed body, so only the kind's rules accept or refuse it.
func TestBodyRules(t *testing.T) {
	a, b, c := keyOf(alice), keyOf(bob), keyOf(carol)
	dm := dmCreate()
	dmBody, err := DecodeBody(KindCreate, dm.Epoch, 1, dm.Group, dm.Body)
	if err != nil {
		t.Fatalf("DecodeBody(DM create) = %v", err)
	}
	dmWith := func(f func(b *Body)) Body {
		x := *dmBody
		x.Members = append([]entry.Key(nil), x.Members...)
		x.Wraps = append([]Wrap(nil), x.Wraps...)
		f(&x)
		return x
	}
	wrapC := wrapsFor(carol)
	inviteBase := Body{Target: b, Role: RoleMember, Expires: 1}
	with := func(base Body, f func(b *Body)) Body { f(&base); return base }
	var zero EpochID
	tests := []struct {
		name  string
		kind  Kind
		epoch EpochID
		seq   uint64
		group GroupID
		body  Body
		want  error // nil: valid
	}{
		// Create, public.
		{"public", KindCreate, zero, 1, testGroup, Body{Flags: FlagPublic, Name: "hikers", Salt: saltA}, nil},
		{"public history shared", KindCreate, zero, 1, testGroup, Body{Flags: FlagPublic | FlagHistoryShared, Name: "hikers", Salt: saltA}, nil},
		{"public seq 2", KindCreate, zero, 2, testGroup, Body{Flags: FlagPublic, Name: "hikers", Salt: saltA}, ErrInvalidBody},
		{"public no name", KindCreate, zero, 1, testGroup, Body{Flags: FlagPublic, Salt: saltA}, ErrInvalidBody},
		{"public with epoch", KindCreate, epoch1, 1, testGroup, Body{Flags: FlagPublic, Name: "hikers", Salt: saltA}, ErrInvalidBody},
		{"public with wraps", KindCreate, epoch1, 1, testGroup, Body{Flags: FlagPublic, Name: "hikers", NewEpoch: epoch1, Wraps: wrapsFor(alice), Salt: saltA}, ErrInvalidBody},
		{"public with sealed", KindCreate, zero, 1, testGroup, Body{Flags: FlagPublic, Name: "hikers", Sealed: []byte{1}, Salt: saltA}, ErrInvalidBody},
		{"public and dm", KindCreate, zero, 1, testGroup, Body{Flags: FlagPublic | FlagDM, Name: "hikers", Salt: saltA}, ErrInvalidBody},
		{"unknown flag", KindCreate, zero, 1, testGroup, Body{Flags: FlagPublic | 8, Name: "hikers", Salt: saltA}, ErrInvalidBody},
		{"name 64 chars", KindCreate, zero, 1, testGroup, Body{Flags: FlagPublic, Name: strings.Repeat("ö", 64), Salt: saltA}, nil},
		{"name 65 chars", KindCreate, zero, 1, testGroup, Body{Flags: FlagPublic, Name: strings.Repeat("ö", 65), Salt: saltA}, ErrInvalidBody},
		{"name blank", KindCreate, zero, 1, testGroup, Body{Flags: FlagPublic, Name: "  ", Salt: saltA}, ErrInvalidBody},
		{"name newline", KindCreate, zero, 1, testGroup, Body{Flags: FlagPublic, Name: "a\nb", Salt: saltA}, ErrInvalidBody},
		{"name bidi", KindCreate, zero, 1, testGroup, Body{Flags: FlagPublic, Name: "a\u202eb", Salt: saltA}, ErrInvalidBody},
		{"name invalid utf-8", KindCreate, zero, 1, testGroup, Body{Flags: FlagPublic, Name: "a\xffb", Salt: saltA}, ErrInvalidBody},
		// Create, private.
		{"private", KindCreate, epoch1, 1, testGroup, Body{NewEpoch: epoch1, Wraps: wrapsFor(alice), Sealed: []byte{1}, Salt: saltA}, nil},
		{"private shared", KindCreate, epoch1, 1, testGroup, Body{Flags: FlagHistoryShared, NewEpoch: epoch1, Wraps: wrapsFor(alice), Sealed: []byte{1}, Salt: saltA}, nil},
		{"private no sealed", KindCreate, epoch1, 1, testGroup, Body{NewEpoch: epoch1, Wraps: wrapsFor(alice), Salt: saltA}, ErrInvalidBody},
		{"private no wraps", KindCreate, epoch1, 1, testGroup, Body{NewEpoch: epoch1, Sealed: []byte{1}, Salt: saltA}, ErrInvalidBody},
		{"private no epoch", KindCreate, epoch1, 1, testGroup, Body{Wraps: wrapsFor(alice), Sealed: []byte{1}}, ErrInvalidBody},
		{"private wrong epoch", KindCreate, epoch2, 1, testGroup, Body{NewEpoch: epoch1, Wraps: wrapsFor(alice), Sealed: []byte{1}, Salt: saltA}, ErrInvalidBody},
		{"private zero epoch", KindCreate, zero, 1, testGroup, Body{NewEpoch: epoch1, Wraps: wrapsFor(alice), Sealed: []byte{1}, Salt: saltA}, ErrInvalidBody},
		{"private with name", KindCreate, epoch1, 1, testGroup, Body{Name: "x", NewEpoch: epoch1, Wraps: wrapsFor(alice), Sealed: []byte{1}, Salt: saltA}, ErrInvalidBody},
		{"private zero recipient", KindCreate, epoch1, 1, testGroup, Body{NewEpoch: epoch1, Wraps: []Wrap{{Sealed: [48]byte{1}}}, Sealed: []byte{1}, Salt: saltA}, ErrInvalidBody},
		{"private with members", KindCreate, epoch1, 1, testGroup, Body{Members: []entry.Key{a}, NewEpoch: epoch1, Wraps: wrapsFor(alice), Sealed: []byte{1}, Salt: saltA}, ErrInvalidBody},
		// Create, DM.
		{"public no salt", KindCreate, zero, 1, testGroup, Body{Flags: FlagPublic, Name: "hikers"}, ErrInvalidBody},
		{"private no salt", KindCreate, epoch1, 1, testGroup, Body{NewEpoch: epoch1, Wraps: wrapsFor(alice), Sealed: []byte{1}}, ErrInvalidBody},
		{"dm with salt", KindCreate, epoch1, 1, dm.Group, dmWith(func(x *Body) { x.Salt = saltA }), ErrInvalidBody},
		{"invite with salt", KindInvite, zero, 2, testGroup, with(inviteBase, func(x *Body) { x.Salt = saltA }), ErrInvalidBody},
		{"dm", KindCreate, epoch1, 1, dm.Group, *dmBody, nil},
		{"dm one wrap", KindCreate, epoch1, 1, dm.Group, dmWith(func(x *Body) { x.Wraps = x.Wraps[:1] }), nil},
		{"dm history shared", KindCreate, epoch1, 1, dm.Group, dmWith(func(x *Body) { x.Flags |= FlagHistoryShared }), nil},
		{"dm wrong group", KindCreate, epoch1, 1, testGroup, *dmBody, ErrInvalidBody},
		{"dm seq 2", KindCreate, epoch1, 2, dm.Group, *dmBody, ErrInvalidBody},
		{"dm one member", KindCreate, epoch1, 1, dm.Group, dmWith(func(x *Body) { x.Members = x.Members[:1] }), ErrInvalidBody},
		{"dm three members", KindCreate, epoch1, 1, dm.Group, dmWith(func(x *Body) { x.Members = append(x.Members, c) }), ErrInvalidBody},
		{"dm same member twice", KindCreate, epoch1, 1, DMGroup(a, a), dmWith(func(x *Body) { x.Members = []entry.Key{a, a} }), ErrInvalidBody},
		{"dm members descending", KindCreate, epoch1, 1, dm.Group, dmWith(func(x *Body) { x.Members[0], x.Members[1] = x.Members[1], x.Members[0] }), ErrInvalidBody},
		{"dm zero member", KindCreate, epoch1, 1, DMGroup(entry.Key{}, a), dmWith(func(x *Body) { x.Members = []entry.Key{{}, a} }), ErrInvalidBody},
		{"dm no members", KindCreate, epoch1, 1, dm.Group, dmWith(func(x *Body) { x.Members = nil }), ErrInvalidBody},
		{"dm wrap for a stranger", KindCreate, epoch1, 1, dm.Group, dmWith(func(x *Body) { x.Wraps = wrapC }), ErrInvalidBody},
		{"dm three wraps", KindCreate, epoch1, 1, dm.Group, dmWith(func(x *Body) { x.Wraps = wrapsFor(alice, bob, carol) }), ErrInvalidBody},
		{"dm no wraps", KindCreate, epoch1, 1, dm.Group, dmWith(func(x *Body) { x.Wraps = nil }), ErrInvalidBody},
		{"dm no epoch", KindCreate, zero, 1, dm.Group, dmWith(func(x *Body) { x.NewEpoch = zero }), ErrInvalidBody},
		{"dm with name", KindCreate, epoch1, 1, dm.Group, dmWith(func(x *Body) { x.Name = "x" }), ErrInvalidBody},
		{"dm with sealed", KindCreate, epoch1, 1, dm.Group, dmWith(func(x *Body) { x.Sealed = []byte{1} }), ErrInvalidBody},
		{"dm wrong epoch", KindCreate, epoch2, 1, dm.Group, *dmBody, ErrInvalidBody},
		{"no members without dm flag", KindCreate, epoch1, 1, dm.Group, dmWith(func(x *Body) { x.Flags = 0 }), ErrInvalidBody},
		// Invite.
		{"invite public", KindInvite, zero, 3, testGroup, inviteBase, nil},
		{"invite admin", KindInvite, zero, 3, testGroup, with(inviteBase, func(x *Body) { x.Role = RoleAdmin }), nil},
		{"invite role 3", KindInvite, zero, 3, testGroup, with(inviteBase, func(x *Body) { x.Role = 3 }), ErrInvalidBody},
		{"invite no role", KindInvite, zero, 3, testGroup, with(inviteBase, func(x *Body) { x.Role = 0 }), ErrInvalidBody},
		{"invite no target", KindInvite, zero, 3, testGroup, with(inviteBase, func(x *Body) { x.Target = entry.Key{} }), ErrInvalidBody},
		{"invite no expiry", KindInvite, zero, 3, testGroup, with(inviteBase, func(x *Body) { x.Expires = 0 }), ErrInvalidBody},
		{"invite public with epoch", KindInvite, epoch1, 3, testGroup, inviteBase, ErrInvalidBody},
		{"invite with name", KindInvite, zero, 3, testGroup, with(inviteBase, func(x *Body) { x.Name = "x" }), ErrInvalidBody},
		{"invite with upto", KindInvite, zero, 3, testGroup, with(inviteBase, func(x *Body) { x.Upto = 1 }), ErrInvalidBody},
		{"invite public with sealed", KindInvite, zero, 3, testGroup, with(inviteBase, func(x *Body) { x.Sealed = []byte{1} }), ErrInvalidBody},
		{"invite shared", KindInvite, epoch1, 3, testGroup, with(inviteBase, func(x *Body) { x.Wraps = wrapsFor(bob) }), nil},
		{"invite shared no epoch", KindInvite, zero, 3, testGroup, with(inviteBase, func(x *Body) { x.Wraps = wrapsFor(bob) }), ErrInvalidBody},
		{"invite shared wrap for another", KindInvite, epoch1, 3, testGroup, with(inviteBase, func(x *Body) { x.Wraps = wrapC }), ErrInvalidBody},
		{"invite shared two wraps", KindInvite, epoch1, 3, testGroup, with(inviteBase, func(x *Body) { x.Wraps = wrapsFor(bob, carol) }), ErrInvalidBody},
		{"invite shared with sealed", KindInvite, epoch1, 3, testGroup, with(inviteBase, func(x *Body) { x.Wraps = wrapsFor(bob); x.Sealed = []byte{1} }), ErrInvalidBody},
		{"invite joined", KindInvite, epoch2, 3, testGroup, with(inviteBase, func(x *Body) { x.NewEpoch = epoch2; x.Wraps = wrapsFor(alice, bob) }), nil},
		{"invite joined bundle", KindInvite, epoch2, 3, testGroup, with(inviteBase, func(x *Body) { x.NewEpoch = epoch2; x.Wraps = wrapsFor(bob); x.Sealed = []byte{1} }), nil},
		{"invite joined no wrap for target", KindInvite, epoch2, 3, testGroup, with(inviteBase, func(x *Body) { x.NewEpoch = epoch2; x.Wraps = wrapsFor(alice, carol) }), ErrInvalidBody},
		{"invite joined no wraps", KindInvite, epoch2, 3, testGroup, with(inviteBase, func(x *Body) { x.NewEpoch = epoch2 }), ErrInvalidBody},
		{"invite joined old epoch", KindInvite, epoch1, 3, testGroup, with(inviteBase, func(x *Body) { x.NewEpoch = epoch2; x.Wraps = wrapsFor(bob) }), ErrInvalidBody},
		// Join, leave.
		{"join invite", KindJoin, zero, 1, testGroup, Body{Invite: someID}, nil},
		{"join public", KindJoin, zero, 1, testGroup, Body{}, nil},
		{"join with epoch", KindJoin, epoch1, 1, testGroup, Body{Invite: someID}, ErrInvalidBody},
		{"join with target", KindJoin, zero, 1, testGroup, Body{Target: a, Invite: someID}, ErrInvalidBody},
		{"leave", KindLeave, zero, 4, testGroup, Body{}, nil},
		{"leave with epoch", KindLeave, epoch1, 4, testGroup, Body{}, ErrInvalidBody},
		{"leave with field", KindLeave, zero, 4, testGroup, Body{Upto: 1}, ErrInvalidBody},
		// Remove.
		{"remove", KindRemove, zero, 4, testGroup, Body{Target: b, Upto: 9}, nil},
		{"remove upto 0", KindRemove, zero, 4, testGroup, Body{Target: b}, nil},
		{"remove rekey", KindRemove, epoch2, 4, testGroup, Body{Target: b, Upto: 9, NewEpoch: epoch2, Wraps: wrapsFor(alice)}, nil},
		{"remove rekey bundle", KindRemove, epoch2, 4, testGroup, Body{Target: b, NewEpoch: epoch2, Wraps: wrapsFor(alice), Sealed: []byte{1}}, nil},
		{"remove no target", KindRemove, zero, 4, testGroup, Body{Upto: 9}, ErrInvalidBody},
		{"remove epoch no wraps", KindRemove, epoch2, 4, testGroup, Body{Target: b, NewEpoch: epoch2}, ErrInvalidBody},
		{"remove wraps no epoch", KindRemove, epoch2, 4, testGroup, Body{Target: b, Wraps: wrapsFor(alice)}, ErrInvalidBody},
		{"remove sealed no epoch", KindRemove, epoch1, 4, testGroup, Body{Target: b, Sealed: []byte{1}}, ErrInvalidBody},
		{"remove with epoch, nothing sealed", KindRemove, epoch1, 4, testGroup, Body{Target: b}, ErrInvalidBody},
		{"remove with role", KindRemove, zero, 4, testGroup, Body{Target: b, Role: RoleMember}, ErrInvalidBody},
		// Role.
		{"role", KindRole, zero, 4, testGroup, Body{Target: b, Role: RoleAdmin}, nil},
		{"role no role", KindRole, zero, 4, testGroup, Body{Target: b}, ErrInvalidBody},
		{"role no target", KindRole, zero, 4, testGroup, Body{Role: RoleAdmin}, ErrInvalidBody},
		{"role unknown", KindRole, zero, 4, testGroup, Body{Target: b, Role: 7}, ErrInvalidBody},
		{"role with epoch", KindRole, epoch1, 4, testGroup, Body{Target: b, Role: RoleAdmin}, ErrInvalidBody},
		// Meta.
		{"meta public", KindMeta, zero, 4, testGroup, Body{Name: "new"}, nil},
		{"meta private", KindMeta, epoch1, 4, testGroup, Body{Sealed: []byte{1}}, nil},
		{"meta both", KindMeta, epoch1, 4, testGroup, Body{Name: "new", Sealed: []byte{1}}, ErrInvalidBody},
		{"meta neither", KindMeta, zero, 4, testGroup, Body{}, ErrInvalidBody},
		{"meta public with epoch", KindMeta, epoch1, 4, testGroup, Body{Name: "new"}, ErrInvalidBody},
		{"meta private no epoch", KindMeta, zero, 4, testGroup, Body{Sealed: []byte{1}}, ErrInvalidBody},
		{"meta bad name", KindMeta, zero, 4, testGroup, Body{Name: "\x07"}, ErrInvalidBody},
		{"meta with flags", KindMeta, zero, 4, testGroup, Body{Flags: FlagPublic, Name: "new"}, ErrInvalidBody},
		// Rekey.
		{"rekey", KindRekey, epoch2, 4, testGroup, Body{NewEpoch: epoch2, Wraps: wrapsFor(alice, bob, carol)}, nil},
		{"rekey bundle", KindRekey, epoch2, 4, testGroup, Body{NewEpoch: epoch2, Wraps: wrapsFor(alice), Sealed: []byte{1}}, nil},
		{"rekey no wraps", KindRekey, epoch2, 4, testGroup, Body{NewEpoch: epoch2}, ErrInvalidBody},
		{"rekey no epoch", KindRekey, zero, 4, testGroup, Body{Wraps: wrapsFor(alice)}, ErrInvalidBody},
		{"rekey old epoch", KindRekey, epoch1, 4, testGroup, Body{NewEpoch: epoch2, Wraps: wrapsFor(alice)}, ErrInvalidBody},
		{"rekey with target", KindRekey, epoch2, 4, testGroup, Body{Target: b, NewEpoch: epoch2, Wraps: wrapsFor(alice)}, ErrInvalidBody},
		// Not control kinds.
		{"msg", KindMsg, zero, 4, testGroup, Body{}, ErrInvalidBody},
		{"kind 0", 0, zero, 4, testGroup, Body{}, ErrMalformed},
		{"kind 10", 10, zero, 4, testGroup, Body{}, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc := tt.body.Encode()
			got, err := DecodeBody(tt.kind, tt.epoch, tt.seq, tt.group, enc)
			if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Fatalf("DecodeBody() = %v, want %v", err, tt.want)
			}
			if err != nil {
				return
			}
			if !bytes.Equal(got.Encode(), enc) {
				t.Errorf("DecodeBody().Encode() = %x, want %x", got.Encode(), enc)
			}
			want := tt.body
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("DecodeBody() = %+v, want %+v", *got, want)
			}
		})
	}
}

// TestBodyMalformed checks the TLV rules, on raw bytes.
func TestBodyMalformed(t *testing.T) {
	b := keyOf(bob)
	target := append([]byte{tagTarget, 32}, b[:]...)
	role := []byte{tagRole, 1, 1}
	expires := []byte{tagExpires, 8, 0, 0, 0, 0, 0, 0, 0, 1}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	wraps := wrapsFor(alice, bob)
	rawWraps := func(ws ...Wrap) []byte {
		out := []byte{tagWraps}
		out = binary.AppendUvarint(out, uint64(WrapSize*len(ws)))
		for i := range ws {
			out = ws[i].appendTo(out)
		}
		return out
	}
	many := make([]Wrap, MaxWraps+1)
	for i := range many {
		binary.BigEndian.PutUint32(many[i].Recipient[:], uint32(i+1))
	}
	invite := cat(target, role, expires)
	if _, err := DecodeBody(KindInvite, EpochID{}, 2, testGroup, invite); err != nil {
		t.Fatalf("DecodeBody(valid raw invite) = %v", err)
	}
	tests := []struct {
		name string
		kind Kind
		b    []byte
		want error
	}{
		{"unknown tag", KindLeave, []byte{12, 1, 1}, ErrMalformed},
		{"tag 0", KindLeave, []byte{0, 0}, ErrMalformed},
		{"tags out of order", KindInvite, cat(role, target, expires), ErrMalformed},
		{"tag repeated", KindInvite, cat(target, target, role, expires), ErrMalformed},
		{"truncated length", KindInvite, []byte{tagTarget}, ErrMalformed},
		{"length past the end", KindInvite, cat(target[:20]), ErrMalformed},
		{"non-minimal length", KindInvite, cat([]byte{tagTarget, 0xa0, 0x00}, b[:], role, expires), ErrMalformed},
		{"overlong varint", KindInvite, []byte{tagTarget, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, ErrMalformed},
		{"flags zero", KindCreate, []byte{tagFlags, 1, 0}, ErrMalformed},
		{"flags 2 bytes", KindCreate, []byte{tagFlags, 2, 1, 1}, ErrMalformed},
		{"target short", KindInvite, cat([]byte{tagTarget, 31}, b[:31], role, expires), ErrMalformed},
		{"target zero", KindInvite, cat([]byte{tagTarget, 32}, make([]byte, 32), role, expires), ErrMalformed},
		{"role zero", KindInvite, cat(target, []byte{tagRole, 1, 0}, expires), ErrMalformed},
		{"expires zero", KindInvite, cat(target, role, []byte{tagExpires, 8, 0, 0, 0, 0, 0, 0, 0, 0}), ErrMalformed},
		{"expires 4 bytes", KindInvite, cat(target, role, []byte{tagExpires, 4, 0, 0, 0, 1}), ErrMalformed},
		{"upto zero", KindRemove, cat(target, []byte{tagUpto, 8, 0, 0, 0, 0, 0, 0, 0, 0}), ErrMalformed},
		{"invite zero", KindJoin, cat([]byte{tagInvite, 32}, make([]byte, 32)), ErrMalformed},
		{"members empty", KindCreate, []byte{tagMembers, 0}, ErrMalformed},
		{"members 33 bytes", KindCreate, cat([]byte{tagMembers, 33}, make([]byte, 33)), ErrMalformed},
		{"name empty", KindMeta, []byte{tagName, 0}, ErrMalformed},
		{"new epoch zero", KindRekey, cat([]byte{tagNewEpoch, 16}, make([]byte, 16)), ErrMalformed},
		{"new epoch 15 bytes", KindRekey, cat([]byte{tagNewEpoch, 15}, epoch1[:15]), ErrMalformed},
		{"wraps empty", KindRekey, []byte{tagWraps, 0}, ErrMalformed},
		{"wraps not a multiple", KindRekey, cat([]byte{tagWraps, 121}, make([]byte, 121)), ErrMalformed},
		{"wraps descending", KindRekey, cat([]byte{tagNewEpoch, 16}, epoch1[:], rawWraps(wraps[1], wraps[0])), ErrMalformed},
		{"wraps repeated", KindRekey, cat([]byte{tagNewEpoch, 16}, epoch1[:], rawWraps(wraps[0], wraps[0])), ErrMalformed},
		{"too many wraps", KindRekey, cat([]byte{tagNewEpoch, 16}, epoch1[:], rawWraps(many...)), ErrTooLarge},
		{"sealed empty", KindMeta, []byte{tagSealed, 0}, ErrMalformed},
		{"body over MaxBody", KindMeta, make([]byte, MaxBody+1), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeBody(tt.kind, epoch1, 2, testGroup, tt.b); !errors.Is(err, tt.want) {
				t.Errorf("DecodeBody(%x) = %v, want %v", tt.b, err, tt.want)
			}
		})
	}
}

// TestMaxWraps checks that a rekey for MaxWraps members fits in an entry.
func TestMaxWraps(t *testing.T) {
	b := Body{NewEpoch: epoch2, Wraps: make([]Wrap, MaxWraps), Sealed: make([]byte, 64*48)}
	for i := range b.Wraps {
		binary.BigEndian.PutUint32(b.Wraps[i].Recipient[:], uint32(i+1))
	}
	e := Entry{Group: testGroup, Seq: 2, Prev: someID, Time: t0, Kind: KindRekey, Epoch: epoch2, Deps: []ID{{1}, {2}, {3}, {4}}, Body: b.Encode()}
	s := signed(t, alice, e)
	if _, err := Decode(s.Encode()); err != nil {
		t.Fatalf("Decode(rekey for %d) = %v", MaxWraps, err)
	}
	t.Logf("rekey for %d members with a 64-epoch bundle: %d bytes", MaxWraps, s.Size())
}
