package blobnet

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/skein-p2p/skein/core/internal/blob"
	"github.com/skein-p2p/skein/core/internal/protocoldoc"
)

type vector struct {
	name string
	m    msg
}

// vectorMsgs returns the messages of docs/PROTOCOL.md ("Blob transfer")'s test
// vectors: the small blob "hello, skein" (12 bytes) and a blob of 40000
// bytes (byte i = i mod 251: three chunk groups, one piece).
func vectorMsgs(t testing.TB) []vector {
	small := []byte("hello, skein")
	rs := blob.Sum(small)
	big := make([]byte, 40000)
	for i := range big {
		big[i] = byte(i % 251)
	}
	rb, ob, err := blob.Encode(bytes.NewReader(big), uint64(len(big)))
	if err != nil {
		t.Fatal(err)
	}
	some := blob.NewBitfield(3)
	some.Set(0)
	some.Set(2)
	return []vector{
		{"HAVE? small", msg{Type: tHaveQ, Root: rs}},
		{"HAVE all small", msg{Type: tHave, Root: rs, Size: 12, Form: haveAll}},
		{"HAVE none", msg{Type: tHave, Root: rs, Form: haveNone}},
		{"HAVE some (pieces 0 and 2 of 3)", msg{Type: tHave, Root: rb, Size: 2*blob.PieceSize + 1, Form: haveSome, Bits: some}},
		{"OUTBOARD? big", msg{Type: tOutboardQ, Root: rb}},
		{"OUTBOARD big", msg{Type: tOutboard, Root: rb, Data: ob}},
		{"GET id 7 piece 0 of big", msg{Type: tGet, ID: 7, Root: rb, Piece: 0}},
		{"DATA id 1 small", msg{Type: tData, ID: 1, Root: rs, Offset: 0, Data: small}},
		{"GETMANY small big", msg{Type: tGetMany, Roots: []blob.Root{rs, rb}}},
		{"BLOB small", msg{Type: tBlob, Root: rs, Data: small}},
		{"CANCEL id 7", msg{Type: tCancel, ID: 7}},
		{"REJECT busy id 7", msg{Type: tReject, Reason: ReasonBusy, ID: 7}},
		{"REJECT invalid big", msg{Type: tReject, Reason: ReasonInvalid, ByRoot: true, Root: rb}},
	}
}

// TestVectors prints every vector (go test -run TestVectors -v) and checks
// that docs/PROTOCOL.md ("Blob transfer") shows it.
func TestVectors(t *testing.T) {
	doc := protocoldoc.Flat(t)
	for _, v := range vectorMsgs(t) {
		h := hex.EncodeToString(appendMsg(nil, &v.m))
		t.Logf("%s:\n%s", v.name, wrap(h))
		if !bytes.Contains([]byte(doc), []byte(h)) {
			t.Errorf("docs/PROTOCOL.md (\"Blob transfer\") lacks the vector %q", v.name)
		}
	}
}

func wrap(h string) string {
	var b bytes.Buffer
	for len(h) > 64 {
		b.WriteString(h[:64] + "\n")
		h = h[64:]
	}
	b.WriteString(h)
	return b.String()
}
