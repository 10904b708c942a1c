package chatlog

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/protocoldoc"
)

// vector is one entry of the test vectors in docs/PROTOCOL.md, "Messaging
// entries". Alice (seed 0x01…) creates a private group (ID 0x47…), invites
// bob (seed 0x02…) with the current epoch, bob joins, alice sends a
// message that depends on bob's join and then removes bob with a new
// epoch; carol (seed 0x03…) creates a public group (ID 0x50…). Wraps and
// ciphertexts are fixed fake bytes: chatlog never opens them.
type vector struct {
	name string
	priv ed25519.PrivateKey
	e    Entry
	id   string // pinned ID
}

// Fixed inputs of the vectors.
var (
	publicGroup = GroupID(bytes.Repeat([]byte{0x50}, 32))
	// sealedName stands for a private group's name sealed under epoch1.
	sealedName = bytes.Repeat([]byte{0x5e}, 40)
	// msgPayload is what vector alice 3's ciphertext stands for.
	msgPayload = Payload{Text: "welcome, bob"}
)

// Pinned IDs of the vectors, which later vectors refer to.
const (
	vecAlice1 = "ee2d5f3e6c480afb209ca99a62bcdf13b9ce5099e9a9c223890330e6619c1b7e"
	vecAlice2 = "eb613fba359326779514a2bfddbc7dceecece8ed7af9f5aff501ebd5acfeeb0d"
	vecBob1   = "1750398d20119cbd8f5eee38e7b2ce731050867c7d686d73fb48e1ef50e18027"
	vecAlice3 = "cd7bb9e8bbb0ad8d4e2ce9808c6bb136bd94d8941fce9f7518e179a0423568b3"
	vecAlice4 = "c9df61656d3acd9678686871c302ab44bffd287c65954ec34df0f3039c057feb"
	vecCarol1 = "844b95f50918c2215c60f3f12189d187a227fdd9c0d6decd17c9eb2e4ca5be4c"
)

func idOf(s string) ID {
	var id ID
	b, _ := hex.DecodeString(s)
	copy(id[:], b)
	return id
}

func vectors() []vector {
	minute := func(n uint64) hlc.Timestamp { return hlc.Timestamp{Wall: t0.Wall + n*60_000} }
	body := func(b Body) []byte { return b.Encode() }
	return []vector{
		{"alice 1: private create", alice, Entry{Group: testGroup, Seq: 1, Time: t0, Kind: KindCreate, Epoch: epoch1,
			Body: body(Body{Flags: FlagHistoryShared, NewEpoch: epoch1, Wraps: []Wrap{fakeWrap(alice, 0xa0)}, Sealed: sealedName})}, vecAlice1},
		{"alice 2: invite", alice, Entry{Group: testGroup, Seq: 2, Prev: idOf(vecAlice1), Time: minute(1), Kind: KindInvite, Epoch: epoch1,
			Body: body(Body{Target: keyOf(bob), Role: RoleMember, Expires: minute(1).Wall + 7*24*3600_000, Wraps: []Wrap{fakeWrap(bob, 0xb0)}})}, vecAlice2},
		{"bob 1: join", bob, Entry{Group: testGroup, Seq: 1, Time: minute(2), Kind: KindJoin, Deps: []ID{idOf(vecAlice2)},
			Body: body(Body{Invite: idOf(vecAlice2)})}, vecBob1},
		{"alice 3: msg", alice, Entry{Group: testGroup, Seq: 3, Prev: idOf(vecAlice2), Time: minute(3), Kind: KindMsg, Epoch: epoch1, Deps: []ID{idOf(vecBob1)},
			Body: bytes.Repeat([]byte{0xc1}, len(msgPayload.Encode())+16)}, vecAlice3},
		{"alice 4: remove", alice, Entry{Group: testGroup, Seq: 4, Prev: idOf(vecAlice3), Time: minute(4), Kind: KindRemove, Epoch: epoch2,
			Body: body(Body{Target: keyOf(bob), Upto: 1, NewEpoch: epoch2, Wraps: []Wrap{fakeWrap(alice, 0xd0)}})}, vecAlice4},
		{"carol 1: public create", carol, Entry{Group: publicGroup, Seq: 1, Time: minute(5), Kind: KindCreate,
			Body: body(Body{Flags: FlagPublic | FlagHistoryShared, Name: "Köln hikers"})}, vecCarol1},
	}
}

// entry signs the vector.
func (v vector) entry(t testing.TB) *Entry { return signed(t, v.priv, v.e) }

// TestVectors builds each vector, checks its pinned ID and that it
// decodes, and with -v prints it as docs/PROTOCOL.md shows it.
func TestVectors(t *testing.T) {
	for _, v := range vectors() {
		e := v.entry(t)
		enc := e.Encode()
		if got := e.ID().String(); got != v.id {
			t.Errorf("%s: ID() = %s, want %s", v.name, got, v.id)
		}
		d, err := Decode(enc)
		if err != nil {
			t.Fatalf("%s: Decode() = %v", v.name, err)
		}
		if !bytes.Equal(d.Encode(), enc) {
			t.Errorf("%s: Decode().Encode() differs", v.name)
		}
		t.Logf("\n**%s** (%d bytes, body %d bytes)\n\n```\n%s```\n\nID: `%s`\n", v.name, len(enc), len(e.Body), wrapHex(enc), e.ID())
	}
}

// wrapHex returns b in hex, 64 digits a line.
func wrapHex(b []byte) string {
	h := hex.EncodeToString(b)
	var s strings.Builder
	for len(h) > 64 {
		s.WriteString(h[:64] + "\n")
		h = h[64:]
	}
	s.WriteString(h + "\n")
	return s.String()
}

// TestVectorsDocumented checks that docs/PROTOCOL.md holds each vector
// and its ID exactly as the code makes them.
func TestVectorsDocumented(t *testing.T) {
	doc := protocoldoc.Flat(t)
	for _, v := range vectors() {
		e := v.entry(t)
		if !strings.Contains(doc, hex.EncodeToString(e.Encode())) || !strings.Contains(doc, e.ID().String()) {
			t.Errorf("docs/PROTOCOL.md does not hold vector %s (hex and ID, line breaks allowed)", v.name)
		}
	}
	for what, s := range map[string]string{
		"SigContext in hex": hex.EncodeToString([]byte(SigContext)),
		"MaxSize formula":   "131,403bytes:203+4×32+`MaxBody`",
		"MaxBody":           "≤131,072(`MaxBody`",
	} {
		if !strings.Contains(doc, s) {
			t.Errorf("docs/PROTOCOL.md does not state %s: %s", what, s)
		}
	}
}

// TestVectorKeys pins the keys of the vectors' accounts.
func TestVectorKeys(t *testing.T) {
	for _, k := range []struct {
		priv ed25519.PrivateKey
		want string
	}{
		{alice, "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"},
		{bob, "8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394"},
		{carol, "ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1"},
	} {
		if got := keyOf(k.priv).String(); got != k.want {
			t.Errorf("key = %s, want %s", got, k.want)
		}
	}
}

// TestVectorBodies checks what the vectors' bodies say.
func TestVectorBodies(t *testing.T) {
	vs := vectors()
	es := make([]*Entry, len(vs))
	for i, v := range vs {
		es[i] = v.entry(t)
	}
	create, invite, join, msg, remove, public := es[0], es[1], es[2], es[3], es[4], es[5]
	if b, err := create.Control(); err != nil || b.NewEpoch != create.Epoch || len(b.Wraps) != 1 || b.Wraps[0].Recipient != create.Author {
		t.Errorf("private create: Control() = %+v, %v", b, err)
	}
	if b, err := invite.Control(); err != nil || b.Target != keyOf(bob) || b.Wraps[0].Recipient != b.Target || invite.Prev != create.ID() {
		t.Errorf("invite: Control() = %+v, %v", b, err)
	}
	if b, err := join.Control(); err != nil || b.Invite != invite.ID() || join.Deps[0] != invite.ID() {
		t.Errorf("join: Control() = %+v, %v", b, err)
	}
	if msg.Deps[0] != join.ID() || msg.Prev != invite.ID() || len(msg.Body) != len(msgPayload.Encode())+16 {
		t.Errorf("msg: deps %v, prev %v", msg.Deps, msg.Prev)
	}
	if b, err := remove.Control(); err != nil || b.Target != keyOf(bob) || b.Upto != join.Seq || remove.Epoch != b.NewEpoch {
		t.Errorf("remove: Control() = %+v, %v", b, err)
	}
	if b, err := public.Control(); err != nil || b.Name != "Köln hikers" || public.Epoch != (EpochID{}) {
		t.Errorf("public create: Control() = %+v, %v", b, err)
	}
}

// TestOverhead computes the bytes of ordering and crypto per message, as
// docs/PROTOCOL.md states them: a message with one dep whose payload is N
// bytes is an entry of N+16 (AEAD tag) body bytes; beyond the payload it
// carries seq, prev, HLC, ndeps and the dep (ordering) and epoch, tag and
// signature (crypto).
func TestOverhead(t *testing.T) {
	const tag = 16
	for _, n := range []int{1, 100, 4000} {
		e := Entry{Group: testGroup, Seq: 2, Prev: someID, Time: t0, Kind: KindMsg, Epoch: epoch1, Deps: []ID{{1}}, Body: make([]byte, n+tag)}
		s := signed(t, alice, e)
		header := len(s.Header())
		total := s.Size()
		ordering := 8 + 32 + 12 + 1 + 32 // seq, prev, HLC, ndeps, one dep
		crypto := 16 + tag + SigSize     // epoch, AEAD tag, signature
		addressing := 1 + 32 + 32 + 1 + 4
		if total-n != ordering+crypto+addressing {
			t.Errorf("payload %d: entry %d bytes, overhead %d, want %d", n, total, total-n, ordering+crypto+addressing)
		}
		if ordering+crypto != 181 {
			t.Errorf("ordering+crypto overhead = %d, want 181 as documented", ordering+crypto)
		}
		if header != 167 {
			t.Errorf("header with one dep = %d bytes, want 167", header)
		}
		t.Logf("payload %d B: entry %d B = header %d + length 4 + ciphertext %d + signature %d; ordering %d + crypto %d = %d, addressing %d",
			n, total, header, n+tag, SigSize, ordering, crypto, ordering+crypto, addressing)
	}
	doc := protocoldoc.Flat(t)
	if !strings.Contains(doc, "181bytes") {
		t.Error("docs/PROTOCOL.md does not state the 181 bytes of ordering and crypto overhead")
	}
}
