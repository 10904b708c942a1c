package syncproto

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core/internal/protocoldoc"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
)

// vectorLog returns the first three entries of alice's log in the entry
// package's test vectors: her post "hello, skein", her follow of bob, and
// her post "grüße aus Köln, 你好 🌍".
func vectorLog(t testing.TB) []*entry.Entry {
	t.Helper()
	bodies := [][]byte{
		[]byte("hello, skein"),
		entry.Follow{Target: author(bob), Name: "bob"}.Bytes(),
		[]byte("grüße aus Köln, 你好 🌍"),
	}
	kinds := []entry.Kind{entry.KindPost, entry.KindFollow, entry.KindPost}
	times := []hlc.Timestamp{{Wall: 1_767_225_600_000}, {Wall: 1_767_225_600_000, Logical: 1}, {Wall: 1_767_225_661_500}}
	var log []*entry.Entry
	var prev entry.ID
	for i := range bodies {
		e, err := entry.New(alice, uint64(i+1), prev, times[i], kinds[i], bodies[i])
		if err != nil {
			t.Fatal(err)
		}
		log = append(log, e)
		prev = e.ID()
	}
	return log
}

// serveTo returns what Serve writes in answer to req from a source holding
// held.
func serveTo(t *testing.T, req Request, held []*entry.Entry) []byte {
	t.Helper()
	c, s := net.Pipe()
	go func() {
		defer c.Close()
		WriteRequest(c, req)
	}()
	var out bytes.Buffer
	if err := Serve(s, &out, newSource(held)); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// wireExample is a message as docs/PROTOCOL.md shows it.
type wireExample struct {
	name string
	hex  string
	make func(t *testing.T) []byte
}

// The requests the response examples answer.
var (
	responseRequest         = Request{Wants: []Want{{Author: author(alice)}}, MaxEntries: 1}
	redactedResponseRequest = Request{Wants: []Want{{Author: author(alice), Have: 2}}}
)

func wireExamples() []wireExample {
	return []wireExample{
		{
			name: "request",
			hex: "58" + // frame length: 88
				"00000064" + "00000000" + // MaxEntries 100, MaxBytes 0 (the maximum)
				"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" + "0000000000000000" + // alice, have 0
				"8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394" + "0000000000000003", // bob, have 3
			make: func(t *testing.T) []byte {
				var b bytes.Buffer
				req := Request{Wants: []Want{{Author: author(alice)}, {Author: author(bob), Have: 3}}, MaxEntries: 100}
				if err := WriteRequest(&b, req); err != nil {
					t.Fatal(err)
				}
				return b.Bytes()
			},
		},
		{
			// Serve's answer to {Wants: [{alice, 0}], MaxEntries: 1}
			// when it holds alice's first two entries.
			name: "response",
			hex: "c501" + "01" + // frame length 197, entry frame
				"018a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" +
				"0000000000000001" +
				"0000000000000000000000000000000000000000000000000000000000000000" +
				"0000019b76daa800" + "00000000" + "01" + "000c" +
				"37b3b1e0de561e7eebf14922b83a0532306db0368afd38c640e7d53db7220895" +
				"3fc4dce2b781fa7420a976ea270b97192dc29074033ff6b40cb56a0381edef03" +
				"acc7e01739b83608677f90d048b6154d710f8886b89875feae0645e6dde2e60e" +
				"68656c6c6f2c20736b65696e" +
				"02" + "02" + "01", // frame length 2, final frame, More
			make: func(t *testing.T) []byte {
				return serveTo(t, responseRequest, vectorLog(t)[:2])
			},
		},
		{
			// Serve's answer to {Wants: [{alice, 2}]} when it holds
			// alice's first three entries, the third redacted.
			name: "redacted response",
			hex: "b901" + "01" + // frame length 185, entry frame
				"018a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" +
				"0000000000000003" +
				"5ecd8a08018b96933d26ffd9967bf95a87f99eed105fdf8666eb5c5e0b40072f" +
				"0000019b76db983c" + "00000000" + "01" + "001e" +
				"1a5108fb57e9d72631ff83a360cb200b51b0756030a6c2eb0a5d8a33eb6e369c" +
				"001d74125daf15721102c10b0a090b1b1d963bcfb52d0ad65a658fd9bd14d3ee" +
				"7a922a2e9414771293d702437ced0f9b8b6d8d91221073a74aa9f9f4f0c61000" +
				"02" + "02" + "00", // frame length 2, final frame, no flags
			make: func(t *testing.T) []byte {
				return serveTo(t, redactedResponseRequest, redacted(vectorLog(t), 2))
			},
		},
		{
			name: "notice",
			hex: "e101" + "01" + // frame length 225, one entry
				"00dc" + // entry length 220
				"018a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" +
				"0000000000000002" +
				"c6eadcae978ad3db23da1ecc3ef557230c5f0a3e8ef61a5904744e3d2c98c2df" +
				"0000019b76daa800" + "00000001" + "02" + "0024" +
				"1d5e55c4641d83c2593095c88fa91669f2124fc95e649bc923d9d53d0b4062ce" +
				"265e2c69a01b34859cf3f078b4b324243802cc0cc731fcf4fea85c1318145db8" +
				"0d497ee96418420861be665d794c3d247055abc669a5aaf2e673352a282af903" +
				"8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394" + "03" + "626f62" +
				"0000", // name record length 0: none
			make: func(t *testing.T) []byte {
				var b bytes.Buffer
				if err := WriteNotice(&b, Notice{Entries: [][]byte{vectorLog(t)[1].Bytes()}}); err != nil {
					t.Fatal(err)
				}
				return b.Bytes()
			},
		},
		{
			name: "ack",
			hex:  "01",
			make: func(t *testing.T) []byte {
				var b bytes.Buffer
				if err := WriteAck(&b); err != nil {
					t.Fatal(err)
				}
				return b.Bytes()
			},
		},
		{
			name: "refusal",
			hex:  "02",
			make: func(t *testing.T) []byte {
				var b bytes.Buffer
				if err := WriteRefusal(&b); err != nil {
					t.Fatal(err)
				}
				return b.Bytes()
			},
		},
	}
}

func TestWireExamples(t *testing.T) {
	for _, ex := range wireExamples() {
		if got := hex.EncodeToString(ex.make(t)); got != ex.hex {
			t.Errorf("%s = %s, want %s", ex.name, got, ex.hex)
		}
	}
	// The examples also decode.
	ex := map[string][]byte{}
	for _, e := range wireExamples() {
		ex[e.name] = mustHex(t, e.hex)
	}
	if _, err := ReadRequest(bytes.NewReader(ex["request"])); err != nil {
		t.Errorf("ReadRequest(example) = %v", err)
	}
	for _, tt := range []struct {
		name     string
		req      Request
		wantMore bool
		redacted bool
	}{
		{"response", responseRequest, true, false},
		{"redacted response", redactedResponseRequest, false, true},
	} {
		var got []*entry.Entry
		more, err := Fetch(bytes.NewReader(ex[tt.name]), io.Discard, tt.req, func(b []*entry.Entry) error {
			got = append(got, b...)
			return nil
		})
		if err != nil || more != tt.wantMore || len(got) != 1 || got[0].Redacted() != tt.redacted {
			t.Errorf("Fetch(%s example) = %v, %v with %d entries; want %v, nil with 1 (redacted %v)", tt.name, more, err, len(got), tt.wantMore, tt.redacted)
		}
	}
	if _, err := ReadNotice(bytes.NewReader(ex["notice"])); err != nil {
		t.Errorf("ReadNotice(example) = %v", err)
	}
	if err := ReadAck(bytes.NewReader(ex["ack"])); err != nil {
		t.Errorf("ReadAck(ack example) = %v", err)
	}
	if err := ReadAck(bytes.NewReader(ex["refusal"])); !errors.Is(err, ErrRefused) {
		t.Errorf("ReadAck(refusal example) = %v, want %v", err, ErrRefused)
	}
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWireExamplesDocumented checks that the protocol document shows the
// examples exactly as the code writes them, so the two cannot drift.
func TestWireExamplesDocumented(t *testing.T) {
	doc := protocoldoc.Flat(t)
	for _, id := range []string{SyncID, NotifyID} {
		if !strings.Contains(doc, id) {
			t.Errorf("docs/PROTOCOL.md does not name protocol %s", id)
		}
	}
	for _, ex := range wireExamples() {
		want := ex.hex
		if len(want) <= 4 {
			// A byte or two is found anywhere: look for the example as
			// the document labels it, e.g. **Ack**: `01`.
			want = "**" + strings.ToUpper(ex.name[:1]) + ex.name[1:] + "**:`" + ex.hex + "`"
		}
		if !strings.Contains(doc, want) {
			t.Errorf("docs/PROTOCOL.md does not hold the %s wire example (line breaks allowed): %s", ex.name, want)
		}
	}
}
