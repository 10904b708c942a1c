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
	// saltC is the salt of carol's create of publicGroup.
	saltC       = [SaltSize]byte(bytes.Repeat([]byte{0x5c}, SaltSize))
	publicGroup = GroupFor(keyOf(carol), saltC)
	// sealedName stands for a private group's name sealed under epoch1.
	sealedName = bytes.Repeat([]byte{0x5e}, 40)
	// msgPayload is what vector alice 3's ciphertext stands for.
	msgPayload = Payload{Text: "welcome, bob"}
)

// Pinned IDs of the vectors, which later vectors refer to.
const (
	vecAlice1 = "a849e48b890b0f9ad98c0ffbcd53c7671dd81b5db1955e11861e6fa070872090"
	vecAlice2 = "f8568725d19fa530a8939cb084539348c0cca7d9f936009ad7ddb439514e9bc3"
	vecBob1   = "090245ea526c0b062d64ad43091ec40b5e7509dcebff1e3e20ac3ff83f2eea87"
	vecAlice3 = "13ede4fb5aed4a0fb3893d344c2db0ce62ba98b54b92e0fbeb527f1c6c91e972"
	vecAlice4 = "32fd2d8ffedb32a92eb61f97dc27c48c913ddefefb018c70dba8b95db947fad2"
	vecCarol1 = "1fd6fd0f466c10494605bce13eb57c6bd2ed0f3b28f6ebb03e762cc6f24c611d"
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
			Body: body(Body{Flags: FlagHistoryShared, NewEpoch: epoch1, Wraps: []Wrap{fakeWrap(alice, 0xa0)}, Sealed: sealedName, Salt: saltA})}, vecAlice1},
		{"alice 2: invite", alice, Entry{Group: testGroup, Seq: 2, Prev: idOf(vecAlice1), Time: minute(1), Kind: KindInvite, Epoch: epoch1,
			Body: body(Body{Target: keyOf(bob), Role: RoleMember, Expires: minute(1).Wall + 7*24*3600_000, Wraps: []Wrap{fakeWrap(bob, 0xb0)}})}, vecAlice2},
		{"bob 1: join", bob, Entry{Group: testGroup, Seq: 1, Time: minute(2), Kind: KindJoin, Deps: []ID{idOf(vecAlice2)},
			Body: body(Body{Invite: idOf(vecAlice2)})}, vecBob1},
		{"alice 3: msg", alice, Entry{Group: testGroup, Seq: 3, Prev: idOf(vecAlice2), Time: minute(3), Kind: KindMsg, Epoch: epoch1, Deps: []ID{idOf(vecBob1)},
			Body: bytes.Repeat([]byte{0xc1}, len(msgPayload.Encode())+16)}, vecAlice3},
		{"alice 4: remove", alice, Entry{Group: testGroup, Seq: 4, Prev: idOf(vecAlice3), Time: minute(4), Kind: KindRemove, Epoch: epoch2,
			Body: body(Body{Target: keyOf(bob), Upto: 1, NewEpoch: epoch2, Wraps: []Wrap{fakeWrap(alice, 0xd0)}})}, vecAlice4},
		{"carol 1: public create", carol, Entry{Group: publicGroup, Seq: 1, Time: minute(5), Kind: KindCreate,
			Body: body(Body{Flags: FlagPublic | FlagHistoryShared, Name: "Köln hikers", Salt: saltC})}, vecCarol1},
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
