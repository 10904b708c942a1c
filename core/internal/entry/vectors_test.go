package entry

import (
	"crypto/ed25519"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/skein-p2p/skein/core/internal/hlc"
)

// vector is one entry of the test log published in docs/PROTOCOL.md. The
// log is alice's (key seed 0x01 repeated 32 times); entry 2 follows bob (key
// seed 0x02 repeated 32 times).
type vector struct {
	seq  uint64
	time hlc.Timestamp
	kind Kind
	body []byte
	hex  string // the signed encoding
	id   string
}

func vectors() []vector {
	return []vector{
		{
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
				"68656c6c6f2c20736b65696e" + // body
				"36460e11ceed648e5076b704dd61ba81bcd4754f753b5a617014556a29232dd9" + // signature
				"b262de605c79d270c5d7c281ba33914166a8d0ee3085c547e845b572925dfe0b",
			id: "6636d64360b9c1046acf72c77ae12e0ee875383450451dabe47b7b903a76d7f9",
		},
		{
			seq:  2,
			time: hlc.Timestamp{Wall: 1_767_225_600_000, Logical: 1},
			kind: KindFollow,
			body: followBody(bob, "bob"),
			hex: "01" +
				"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" +
				"0000000000000002" +
				"6636d64360b9c1046acf72c77ae12e0ee875383450451dabe47b7b903a76d7f9" +
				"0000019b76daa800" +
				"00000001" +
				"02" +
				"0024" +
				"8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394" + // body: target key
				"03" + // body: name length
				"626f62" + // body: name
				"92c8a2522c3b15880b8cce6f5c940115ded8fd4159d980526f86afd4b903fd5c" +
				"48d86bc48648c02a08dca2c47672c7dc920914aef3d4a74735f01a4b74136c01",
			id: "1e54de792121f0c4eee024a02eb9d4e1681c6ec2f5caeabb33abdda912994eec",
		},
		{
			seq:  3,
			time: hlc.Timestamp{Wall: 1_767_225_661_500, Logical: 0},
			kind: KindPost,
			body: []byte("grüße aus Köln, 你好 🌍"),
			hex: "01" +
				"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" +
				"0000000000000003" +
				"1e54de792121f0c4eee024a02eb9d4e1681c6ec2f5caeabb33abdda912994eec" +
				"0000019b76db983c" +
				"00000000" +
				"01" +
				"001e" +
				"6772c3bcc39f6520617573204bc3b66c6e2c20e4bda0e5a5bd20f09f8c8d" +
				"b65bdc13ce38f8516abe9379c75d96e962aba4621f83c59ef605845d0662c03a" +
				"e2b78eb8d551d02315ee78f68d6eab965270fa98d9fdca0ce8283e33d216f40a",
			id: "d7d5961582b443a56d121b9dea576059de32a9118e81d1ef9f424c3f7b7257bb",
		},
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

func TestVectors(t *testing.T) {
	var prev *Entry
	for _, v := range vectors() {
		var prevID ID
		if prev != nil {
			prevID = prev.ID()
		}
		e := mustNew(t, alice, v.seq, prevID, v.time, v.kind, v.body)
		if got := hex.EncodeToString(e.Bytes()); got != v.hex {
			t.Errorf("entry %d: New() = %s, want %s", v.seq, got, v.hex)
		}
		if got := e.ID().String(); got != v.id {
			t.Errorf("entry %d: ID() = %s, want %s", v.seq, got, v.id)
		}
		d, err := Decode(mustHex(t, v.hex))
		if err != nil {
			t.Fatalf("entry %d: Decode(vector) = %v", v.seq, err)
		}
		if prev != nil {
			if err := d.Follows(prev); err != nil {
				t.Errorf("entry %d: Follows() = %v", v.seq, err)
			}
		}
		prev = d
	}
}

// TestVectorsDocumented checks that the protocol document carries the test
// vectors exactly as the code produces them, so the two cannot drift.
func TestVectorsDocumented(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "PROTOCOL.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, string(b))
	for _, v := range vectors() {
		if !strings.Contains(doc, v.hex) || !strings.Contains(doc, v.id) {
			t.Errorf("docs/PROTOCOL.md does not hold entry %d of the test vectors (hex and ID, line breaks allowed)", v.seq)
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
		{"alice", KeyOf(alice.Public().(ed25519.PublicKey)), "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"},
		{"bob", KeyOf(bob.Public().(ed25519.PublicKey)), "8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394"},
	} {
		if tt.got.String() != tt.want {
			t.Errorf("%s: public key = %s, want %s", tt.name, tt.got, tt.want)
		}
	}
}
