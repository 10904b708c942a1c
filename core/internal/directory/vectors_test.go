package directory

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/protocoldoc"
)

// The vectors of docs/PROTOCOL.md ("Directory"). alice is the account of
// seed 01 × 32, with the name record of the name record test vectors.
const (
	vectorSearch  = "05020a616c69"
	vectorBusy    = "0104"
	vectorStale   = "0101"
	vectorProfile = "" +
		"018a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f" +
		"5c00000000000000010000000000000000000000000000000000000000000000" +
		"0000000000000000000000019b76daa8000000000007001f37f9b98e835f0de7" +
		"9cb074e3d990542f403fe23ca07319cfbb7c7249c1330c890a690bc660b893ec" +
		"6e9705d2e7efaf04f9400bc0aec229222a87b1243a0fbed7d58ed6f7d1aef7e2" +
		"a1c6e3902f6d214cd8b280fdddae053e08a4bb8885b94300010005416c696365" +
		"020014446f776e207468652072616262697420686f6c65"
	vectorPublish = "" +
		"d80101018a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801" +
		"b40f6f5c00000000000000010000000000000000000000000000000000000000" +
		"0000000000000000000000000000019b76daa8000000000007001f37f9b98e83" +
		"5f0de79cb074e3d990542f403fe23ca07319cfbb7c7249c1330c890a690bc660" +
		"b893ec6e9705d2e7efaf04f9400bc0aec229222a87b1243a0fbed7d58ed6f7d1" +
		"aef7e2a1c6e3902f6d214cd8b280fdddae053e08a4bb8885b94300010005416c" +
		"696365020014446f776e207468652072616262697420686f6c65"
	vectorResponse = "" +
		"9603000100b9028a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3" +
		"748801b40f6f5c000000000010d3250000019b76daa8000000019b7711968000" +
		"0000000000002a05616c696365260024080112208139770ea87d175f56a35466" +
		"c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394010008047f000001060fa18c" +
		"be0ed178384069f6d9c3e0cd304f2fa020657f76eac09c7666456f06c06bf863" +
		"9eb00e077fdcc0f93a850257828f1ec001904a17ef97a53718eb9a38f2e80800" +
		"d7018a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f" +
		"6f5c000000000000000100000000000000000000000000000000000000000000" +
		"000000000000000000000000019b76daa8000000000007001f37f9b98e835f0d" +
		"e79cb074e3d990542f403fe23ca07319cfbb7c7249c1330c890a690bc660b893" +
		"ec6e9705d2e7efaf04f9400bc0aec229222a87b1243a0fbed7d58ed6f7d1aef7" +
		"e2a1c6e3902f6d214cd8b280fdddae053e08a4bb8885b94300010005416c6963" +
		"65020014446f776e207468652072616262697420686f6c65"
)

// vectorRecord returns the name record of docs/PROTOCOL.md's name record
// test vector.
func vectorRecord(t testing.TB) []byte {
	t.Helper()
	ck, err := crypto.UnmarshalEd25519PrivateKey(key(2))
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(ck)
	if err != nil {
		t.Fatal(err)
	}
	v, err := names.Sign(key(1), names.Record{
		Name: "alice", Nonce: 1102629, Created: t0, Updated: t0 + 3600*1000, HeadSeq: 42,
		PeerID: []byte(id), Addrs: [][]byte{multiaddr.StringCast("/ip4/127.0.0.1/tcp/4001").Bytes()},
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// vectorProfileEntry returns alice's profile entry of the vectors: seq 1, at
// t0, display name "Alice", bio "Down the rabbit hole".
func vectorProfileEntry(t testing.TB) []byte {
	t.Helper()
	e, err := entry.New(key(1), 1, entry.ID{}, hlc.Timestamp{Wall: t0}, entry.KindProfile,
		entry.Profile{DisplayName: "Alice", Bio: "Down the rabbit hole"}.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return e.Bytes()
}

func TestVectors(t *testing.T) {
	rec, prof := vectorRecord(t), vectorProfileEntry(t)
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"profile entry", prof, vectorProfile},
		{"search request", AppendSearch(nil, "ali", 10), vectorSearch},
		{"publish request", AppendPublish(nil, prof), vectorPublish},
		{"search response", AppendResponse(nil, StatusOK, []Raw{{Record: rec, Entry: prof}}), vectorResponse},
		{"busy response", AppendResponse(nil, StatusBusy, nil), vectorBusy},
		{"stale response", AppendResponse(nil, StatusStale, nil), vectorStale},
	}
	doc := protocoldoc.Flat(t)
	for _, tt := range tests {
		if got := hex.EncodeToString(tt.got); got != tt.want {
			t.Errorf("%s = %s, want %s", tt.name, got, tt.want)
		}
		if !strings.Contains(doc, tt.want) {
			t.Errorf("docs/PROTOCOL.md does not show the %s %s", tt.name, tt.want)
		}
	}
	// The response decodes and verifies as alice's profile.
	b, _ := hex.DecodeString(vectorResponse)
	p, err := ReadFrame(bufio.NewReader(bytes.NewReader(b)), MaxResponse)
	if err != nil {
		t.Fatal(err)
	}
	st, raw, err := ParseResults(p, 10)
	if err != nil || st != StatusOK || len(raw) != 1 {
		t.Fatalf("ParseResults(vector) = %v, %d, %v", st, len(raw), err)
	}
	r, err := Verify("ali", raw[0], testNow)
	if err != nil || r.Name != "alice" || r.Profile.DisplayName != "Alice" || r.Seq != 1 {
		t.Errorf("Verify(vector) = %+v, %v; want alice, Alice, seq 1", r, err)
	}
}
