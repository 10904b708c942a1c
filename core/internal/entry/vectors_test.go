package entry

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core/internal/protocoldoc"

	"github.com/skein-p2p/skein/core/internal/hlc"
)

// vector is one entry of the test logs published in docs/PROTOCOL.md:
// alice's (key seed 0x01 repeated 32 times) and bob's (key seed 0x02
// repeated 32 times). Alice follows bob, replies to and reposts his post,
// and deletes her entry 3.
type vector struct {
	name string
	priv ed25519.PrivateKey
	seq  uint64
	time hlc.Timestamp
	kind Kind
	body []byte
	hex  string // the signed encoding
	id   string
}

// IDs of the vectors that bodies of later vectors refer to.
const (
	vectorAlice3 = "eb021a26a7a2634af9302cd982f7ea49b484122b37f58ab60a0a6504191a55cd"
	vectorBob1   = "b29d702acbf1189bf3fef5d1bc3d54d5104cf46c943da6ef1df89187518ae2f5"
)

func mustID(s string) ID {
	var id ID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id
	}
	copy(id[:], b)
	return id
}

func vectors() []vector {
	bob1 := Ref{Author: KeyOf(bob.Public().(ed25519.PublicKey)), Seq: 1, ID: mustID(vectorBob1)}
	return []vector{
		{
			name: "alice 1",
			priv: alice,
			seq:  1,
			time: hlc.Timestamp{Wall: 1_767_225_600_000, Logical: 0},
			kind: KindPost,
			body: []byte("hello, skein"),
			hex: "01" + // version
				"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" + // author
				"0000000000000001" + // seq
				"0000000000000000000000000000000000000000000000000000000000000000" + // prev
				"0000019b76daa800" + // HLC wall
				"00000000" + // HLC counter
				"01" + // kind
				"000c" + // body length
				"37b3b1e0de561e7eebf14922b83a0532306db0368afd38c640e7d53db7220895" + // body hash
				"3fc4dce2b781fa7420a976ea270b97192dc29074033ff6b40cb56a0381edef03" + // signature R
				"acc7e01739b83608677f90d048b6154d710f8886b89875feae0645e6dde2e60e" + // signature S
				"68656c6c6f2c20736b65696e", // body
			id: "c6eadcae978ad3db23da1ecc3ef557230c5f0a3e8ef61a5904744e3d2c98c2df",
		},
		{
			name: "alice 2",
			priv: alice,
			seq:  2,
			time: hlc.Timestamp{Wall: 1_767_225_600_000, Logical: 1},
			kind: KindFollow,
			body: followBody(bob, "bob"),
			hex: "01" + // version
				"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" + // author
				"0000000000000002" + // seq
				"c6eadcae978ad3db23da1ecc3ef557230c5f0a3e8ef61a5904744e3d2c98c2df" + // prev
				"0000019b76daa800" + // HLC wall
				"00000001" + // HLC counter
				"02" + // kind
				"0024" + // body length
				"1d5e55c4641d83c2593095c88fa91669f2124fc95e649bc923d9d53d0b4062ce" + // body hash
				"265e2c69a01b34859cf3f078b4b324243802cc0cc731fcf4fea85c1318145db8" + // signature R
				"0d497ee96418420861be665d794c3d247055abc669a5aaf2e673352a282af903" + // signature S
				"8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394" + // body: target key
				"03" + // body: name length
				"626f62", // body: name
			id: "5ecd8a08018b96933d26ffd9967bf95a87f99eed105fdf8666eb5c5e0b40072f",
		},
		{
			name: "alice 3",
			priv: alice,
			seq:  3,
			time: hlc.Timestamp{Wall: 1_767_225_661_500, Logical: 0},
			kind: KindPost,
			body: []byte("grüße aus Köln, 你好 🌍"),
			hex: "01" + // version
				"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" + // author
				"0000000000000003" + // seq
				"5ecd8a08018b96933d26ffd9967bf95a87f99eed105fdf8666eb5c5e0b40072f" + // prev
				"0000019b76db983c" + // HLC wall
				"00000000" + // HLC counter
				"01" + // kind
				"001e" + // body length
				"1a5108fb57e9d72631ff83a360cb200b51b0756030a6c2eb0a5d8a33eb6e369c" + // body hash
				"001d74125daf15721102c10b0a090b1b1d963bcfb52d0ad65a658fd9bd14d3ee" + // signature R
				"7a922a2e9414771293d702437ced0f9b8b6d8d91221073a74aa9f9f4f0c61000" + // signature S
				"6772c3bcc39f6520617573204bc3b66c6e2c20e4bda0e5a5bd20f09f8c8d", // body
			id: "eb021a26a7a2634af9302cd982f7ea49b484122b37f58ab60a0a6504191a55cd",
		},
		{
			name: "bob 1",
			priv: bob,
			seq:  1,
			time: hlc.Timestamp{Wall: 1_767_225_720_000, Logical: 0},
			kind: KindPost,
			body: []byte("hi @alice, welcome"),
			hex: "01" + // version
				"8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394" + // author
				"0000000000000001" + // seq
				"0000000000000000000000000000000000000000000000000000000000000000" + // prev
				"0000019b76dc7cc0" + // HLC wall
				"00000000" + // HLC counter
				"01" + // kind
				"0012" + // body length
				"a47f9b6a29ecba54961a1fe991c4670549679b8eed1d2c62fe43fe1c055f376b" + // body hash
				"cd61eccc8ce59a9b682193691c1f45497b2c96fbed038d9996b8ff573620afd4" + // signature R
				"ff44578e23f5458a62e71246bcdf0a73b69f46dbc8bf4a1664f1a8ac1c68050c" + // signature S
				"68692040616c6963652c2077656c636f6d65", // body
			id: "b29d702acbf1189bf3fef5d1bc3d54d5104cf46c943da6ef1df89187518ae2f5",
		},
		{
			name: "alice 4",
			priv: alice,
			seq:  4,
			time: hlc.Timestamp{Wall: 1_767_225_780_000, Logical: 0},
			kind: KindReply,
			body: Reply{Parent: bob1, Text: "thanks @bob!"}.Bytes(),
			hex: "01" + // version
				"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" + // author
				"0000000000000004" + // seq
				"eb021a26a7a2634af9302cd982f7ea49b484122b37f58ab60a0a6504191a55cd" + // prev
				"0000019b76dd6720" + // HLC wall
				"00000000" + // HLC counter
				"04" + // kind
				"0054" + // body length
				"f7eead6d7e092dfd91fbbe42dedcc064dd263afad37533f6308dba256c249830" + // body hash
				"03fb0dafe37a9629a0bd9a7f3c2f350f1b319d1a7cc11928034c6aaaff6a02f7" + // signature R
				"9258ab789e6637bba4ff985dd7e31b8ca92d37ebdfea3a2128f7989c9b642b03" + // signature S
				"8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394" + // body: parent author
				"0000000000000001" + // body: parent seq
				"b29d702acbf1189bf3fef5d1bc3d54d5104cf46c943da6ef1df89187518ae2f5" + // body: parent ID
				"7468616e6b732040626f6221", // body: text
			id: "7013d5637ed4fe438822922239856fae30c7b605c01e23fdd9424c658617e3e5",
		},
		{
			name: "alice 5",
			priv: alice,
			seq:  5,
			time: hlc.Timestamp{Wall: 1_767_225_780_000, Logical: 1},
			kind: KindRepost,
			body: Repost{Of: bob1}.Bytes(),
			hex: "01" + // version
				"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" + // author
				"0000000000000005" + // seq
				"7013d5637ed4fe438822922239856fae30c7b605c01e23fdd9424c658617e3e5" + // prev
				"0000019b76dd6720" + // HLC wall
				"00000001" + // HLC counter
				"05" + // kind
				"0048" + // body length
				"dd91b8a8b255848d855e22ffdb61167ffc87dd6eac0028d675209652b6c5400e" + // body hash
				"a82429df4932ee265fc169cbe9773f1d8cd01886ab1efecb8a0b9ba18a6bd2e3" + // signature R
				"21d10ff869bec384de2e77aab0580dee6ea5a0b452905c38be7d846d2108140e" + // signature S
				"8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394" + // body: author
				"0000000000000001" + // body: seq
				"b29d702acbf1189bf3fef5d1bc3d54d5104cf46c943da6ef1df89187518ae2f5", // body: ID
			id: "a3d961bf0540f1584f18977fb22cb8286e73d6eaa7e5a4dec3f08cf55a755ece",
		},
		{
			name: "alice 6",
			priv: alice,
			seq:  6,
			time: hlc.Timestamp{Wall: 1_767_225_840_000, Logical: 0},
			kind: KindDelete,
			body: Delete{Seq: 3, ID: mustID(vectorAlice3)}.Bytes(),
			hex: "01" + // version
				"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" + // author
				"0000000000000006" + // seq
				"a3d961bf0540f1584f18977fb22cb8286e73d6eaa7e5a4dec3f08cf55a755ece" + // prev
				"0000019b76de5180" + // HLC wall
				"00000000" + // HLC counter
				"06" + // kind
				"0028" + // body length
				"cf8b26db789cb17f773b8f3cf4d19b1e1072ca7fa3d1bf34fcf2821f5faf03e5" + // body hash
				"f544533150c4331dbb782baba4e9cc03b9ed2e2ab6a4ddf1fa0b8f533639bc70" + // signature R
				"452ded4e783243de7fa9cfce521d95df4912a508cd69cffcdaf85585ab304e03" + // signature S
				"0000000000000003" + // body: seq
				"eb021a26a7a2634af9302cd982f7ea49b484122b37f58ab60a0a6504191a55cd", // body: ID
			id: "1213765156af2aa5270b011af39526b7f1dc02655fc7f15737fe409376d623cb",
		},
		{
			name: "bob 2",
			priv: bob,
			seq:  2,
			time: hlc.Timestamp{Wall: 1_767_225_900_000, Logical: 0},
			kind: KindProfile,
			body: vectorProfile().Bytes(),
			hex: "01" + // version
				"8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394" + // author
				"0000000000000002" + // seq
				"b29d702acbf1189bf3fef5d1bc3d54d5104cf46c943da6ef1df89187518ae2f5" + // prev
				"0000019b76df3be0" + // HLC wall
				"00000000" + // HLC counter
				"07" + // kind
				"0042" + // body length
				"47ccea93068c5b6ff731115e0175c9f61928c8a88cf01c1d1995102a78223326" + // body hash
				"8b25069762fd5cdd680edac0fa0546e39739ee620b0419c8c299c22535fa7b5f" + // signature R
				"3d2e778887e4b8a8e9390b704e364dbc676fe4bdc586539506b2a016faa74102" + // signature S
				"010007426f6220e29ca8" + // body: display name
				"02001a6275696c647320703270207468696e67730a696e204bc3b66c6e" + // body: bio
				"03001368747470733a2f2f626f622e6578616d706c65" + // body: link
				"c80002cafe", // body: unknown tag 200,
			id: "47081efba1a1d2c0ee85c3bd6bae0c796068d3ecea5280127f46dad15896f6c2",
		},
		{
			name: "alice 7",
			priv: alice,
			seq:  7,
			time: hlc.Timestamp{Wall: 1_767_225_960_000, Logical: 0},
			kind: KindLike,
			body: Like{Of: bob1}.Bytes(),
			hex: "01" + // version
				"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" + // author
				"0000000000000007" + // seq
				"1213765156af2aa5270b011af39526b7f1dc02655fc7f15737fe409376d623cb" + // prev
				"0000019b76e02640" + // HLC wall
				"00000000" + // HLC counter
				"08" + // kind
				"0048" + // body length
				"dd91b8a8b255848d855e22ffdb61167ffc87dd6eac0028d675209652b6c5400e" + // body hash
				"b4ea888ba27ce4f9728f1bc3bdee71ea88a4048d67de6649582e32f66b8823a6" + // signature R
				"a3564873d5b57297dee73eb8fa9589fb4670749d95db06265a26ba2edd000207" + // signature S
				"8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394" + // body: bob 1 key
				"0000000000000001" + // body: seq
				"b29d702acbf1189bf3fef5d1bc3d54d5104cf46c943da6ef1df89187518ae2f5", // body: bob 1 ID,
			id: "b36a0adfd57c0c0d6760089baa15180522683b2ccdcfea42449e3609129cf3a1",
		},
		{
			name: "alice 8",
			priv: alice,
			seq:  8,
			time: hlc.Timestamp{Wall: 1_767_226_020_000, Logical: 0},
			kind: KindUnlike,
			body: Like{Of: bob1}.Bytes(),
			hex: "01" + // version
				"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" + // author
				"0000000000000008" + // seq
				"b36a0adfd57c0c0d6760089baa15180522683b2ccdcfea42449e3609129cf3a1" + // prev
				"0000019b76e110a0" + // HLC wall
				"00000000" + // HLC counter
				"09" + // kind
				"0048" + // body length
				"dd91b8a8b255848d855e22ffdb61167ffc87dd6eac0028d675209652b6c5400e" + // body hash
				"c8b2afc2a8ed717edc0fd0664973b5aabf003861cdea50a1bc4c2c8a1bf498fe" + // signature R
				"a3f923831b3462f521fd0cfc6a90425f9d97b2368070b5850fed961b49800d08" + // signature S
				"8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394" + // body: bob 1 key
				"0000000000000001" + // body: seq
				"b29d702acbf1189bf3fef5d1bc3d54d5104cf46c943da6ef1df89187518ae2f5", // body: bob 1 ID,
			id: "c00ce1ce705c2426a274f1782fc8b94ae98f3e692e086e19c293a34079dc93cc",
		},
	}
}

// vectorProfile is bob's profile in the vector bob 2: all three fields,
// and one of a tag (200) no version knows yet, which readers skip.
func vectorProfile() Profile {
	return Profile{
		DisplayName: "Bob ✨",
		Bio:         "builds p2p things\nin Köln",
		Link:        "https://bob.example",
		Unknown:     []byte{0xc8, 0x00, 0x02, 0xca, 0xfe},
	}
}

// redactedVector is alice's entry 3 as a holder keeps it once it has
// learnt of her entry 6: header and signature, without the body.
func redactedVector() vector {
	return vector{
		name: "alice 3 redacted",
		hex: "01" + // version
			"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" + // author
			"0000000000000003" + // seq
			"5ecd8a08018b96933d26ffd9967bf95a87f99eed105fdf8666eb5c5e0b40072f" + // prev
			"0000019b76db983c" + // HLC wall
			"00000000" + // HLC counter
			"01" + // kind
			"001e" + // body length
			"1a5108fb57e9d72631ff83a360cb200b51b0756030a6c2eb0a5d8a33eb6e369c" + // body hash
			"001d74125daf15721102c10b0a090b1b1d963bcfb52d0ad65a658fd9bd14d3ee" + // signature R
			"7a922a2e9414771293d702437ced0f9b8b6d8d91221073a74aa9f9f4f0c61000", // signature S
		id: vectorAlice3,
	}
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex in test vector: %v", err)
	}
	return b
}

// vectorEntries returns the vectors' entries as New makes them.
func vectorEntries(t *testing.T) []*Entry {
	t.Helper()
	heads := map[Key]*Entry{}
	var es []*Entry
	for _, v := range vectors() {
		var prev ID
		if h := heads[pubKey(v.priv)]; h != nil {
			prev = h.ID()
		}
		e := mustNew(t, v.priv, v.seq, prev, v.time, v.kind, v.body)
		heads[e.Author] = e
		es = append(es, e)
	}
	return es
}

func TestVectors(t *testing.T) {
	heads := map[Key]*Entry{}
	for i, e := range vectorEntries(t) {
		v := vectors()[i]
		if got := hex.EncodeToString(e.Bytes()); got != v.hex {
			t.Errorf("%s: New() = %s, want %s", v.name, got, v.hex)
		}
		if got := e.ID().String(); got != v.id {
			t.Errorf("%s: ID() = %s, want %s", v.name, got, v.id)
		}
		d, err := Decode(mustHex(t, v.hex))
		if err != nil {
			t.Fatalf("%s: Decode(vector) = %v", v.name, err)
		}
		if prev := heads[d.Author]; prev != nil {
			if err := d.Follows(prev); err != nil {
				t.Errorf("%s: Follows() = %v", v.name, err)
			}
		}
		heads[d.Author] = d
	}
}

// TestVectorRedacted checks the redacted vector: it is entry 3 without its
// body, it decodes, and the log still chains through it.
func TestVectorRedacted(t *testing.T) {
	es := vectorEntries(t)
	alice3, alice4 := es[2], es[4]
	v := redactedVector()
	r := alice3.Redact()
	if got := hex.EncodeToString(r.Bytes()); got != v.hex {
		t.Errorf("Redact() = %s, want %s", got, v.hex)
	}
	d, err := Decode(mustHex(t, v.hex))
	if err != nil {
		t.Fatalf("Decode(redacted vector) = %v", err)
	}
	if !d.Redacted() || d.ID().String() != v.id || d.ID() != alice3.ID() {
		t.Errorf("Decode(redacted vector): Redacted() = %v, ID() = %v; want true, %s", d.Redacted(), d.ID(), v.id)
	}
	if err := d.Follows(es[1]); err != nil {
		t.Errorf("redacted entry 3 Follows(entry 2) = %v", err)
	}
	if err := alice4.Follows(d); err != nil {
		t.Errorf("entry 4 Follows(redacted entry 3) = %v", err)
	}
}

// TestVectorBodies checks what the vectors' bodies say, as docs/PROTOCOL.md
// describes them.
func TestVectorBodies(t *testing.T) {
	es := vectorEntries(t)
	alice3, bob1, reply, repost, del := es[2], es[3], es[4], es[5], es[6]
	bob1Ref := Ref{Author: bob1.Author, Seq: 1, ID: bob1.ID()}
	if s, ok := Text(bob1); !ok || s != "hi @alice, welcome" || !slices.Equal(Mentions(s), []string{"alice"}) {
		t.Errorf("bob 1: Text() = %q, %v, Mentions = %q", s, ok, Mentions(s))
	}
	if r, err := ParseReply(reply.Body); err != nil || r.Parent != bob1Ref || r.Text != "thanks @bob!" {
		t.Errorf("alice 4: ParseReply() = %+v, %v; want a reply to bob 1", r, err)
	}
	if r, err := ParseRepost(repost.Body); err != nil || r.Of != bob1Ref {
		t.Errorf("alice 5: ParseRepost() = %+v, %v; want a repost of bob 1", r, err)
	}
	if d, err := ParseDelete(del.Body); err != nil || d.Seq != 3 || d.ID != alice3.ID() {
		t.Errorf("alice 6: ParseDelete() = %+v, %v; want a delete of alice 3", d, err)
	}
	profile, like, unlike := es[7], es[8], es[9]
	want := vectorProfile()
	if p, err := ParseProfile(profile.Body); err != nil || p.DisplayName != want.DisplayName || p.Bio != want.Bio || p.Link != want.Link || !bytes.Equal(p.Unknown, want.Unknown) {
		t.Errorf("bob 2: ParseProfile() = %+v, %v; want %+v", p, err, want)
	}
	for _, e := range []*Entry{like, unlike} {
		if l, err := ParseLike(e.Body); err != nil || l.Of != bob1Ref {
			t.Errorf("alice %d: ParseLike() = %+v, %v; want bob 1", e.Seq, l, err)
		}
	}
}

// TestVectorsDocumented checks that the protocol document carries the test
// vectors exactly as the code produces them, so the two cannot drift.
func TestVectorsDocumented(t *testing.T) {
	doc := protocoldoc.Flat(t)
	for _, v := range append(vectors(), redactedVector()) {
		if !strings.Contains(doc, v.hex) || !strings.Contains(doc, v.id) {
			t.Errorf("docs/PROTOCOL.md does not hold %s of the test vectors (hex and ID, line breaks allowed)", v.name)
		}
	}
}

// TestVectorKeys pins the keys the vectors are made with.
func TestVectorKeys(t *testing.T) {
	for _, tt := range []struct {
		name string
		got  Key
		want string
	}{
		{"alice", pubKey(alice), "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"},
		{"bob", pubKey(bob), "8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394"},
	} {
		if tt.got.String() != tt.want {
			t.Errorf("%s: public key = %s, want %s", tt.name, tt.got, tt.want)
		}
	}
}
