package syncproto

import (
	"bytes"
	"encoding/hex"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
)

// vectorLog returns the first two entries of the entry package's test
// vectors: alice's post "hello, skein" and her follow of bob.
func vectorLog(t testing.TB) (post, follow *entry.Entry) {
	t.Helper()
	post, err := entry.New(alice, 1, entry.ID{}, hlc.Timestamp{Wall: 1_767_225_600_000}, entry.KindPost, []byte("hello, skein"))
	if err != nil {
		t.Fatal(err)
	}
	body := entry.Follow{Target: author(bob), Name: "bob"}.Bytes()
	follow, err = entry.New(alice, 2, post.ID(), hlc.Timestamp{Wall: 1_767_225_600_000, Logical: 1}, entry.KindFollow, body)
	if err != nil {
		t.Fatal(err)
	}
	return post, follow
}

// wireExample is a message as docs/PROTOCOL.md shows it.
type wireExample struct {
	name string
	hex  string
	make func(t *testing.T) []byte
}

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
			hex: "a501" + "01" + // frame length 165, entry frame
				"018a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" +
				"0000000000000001" +
				"0000000000000000000000000000000000000000000000000000000000000000" +
				"0000019b76daa800" + "00000000" + "01" + "000c" +
				"68656c6c6f2c20736b65696e" +
				"36460e11ceed648e5076b704dd61ba81bcd4754f753b5a617014556a29232dd9" +
				"b262de605c79d270c5d7c281ba33914166a8d0ee3085c547e845b572925dfe0b" +
				"02" + "02" + "01", // frame length 2, final frame, More
			make: func(t *testing.T) []byte {
				post, follow := vectorLog(t)
				c, s := net.Pipe()
				go func() {
					defer c.Close()
					WriteRequest(c, Request{Wants: []Want{{Author: author(alice)}}, MaxEntries: 1})
				}()
				var out bytes.Buffer
				if err := Serve(s, &out, newSource([]*entry.Entry{post, follow})); err != nil {
					t.Fatal(err)
				}
				return out.Bytes()
			},
		},
		{
			name: "notice",
			hex: "c101" + "01" + // frame length 193, one entry
				"00bc" + // entry length 188
				"018a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" +
				"0000000000000002" +
				"6636d64360b9c1046acf72c77ae12e0ee875383450451dabe47b7b903a76d7f9" +
				"0000019b76daa800" + "00000001" + "02" + "0024" +
				"8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394" + "03" + "626f62" +
				"92c8a2522c3b15880b8cce6f5c940115ded8fd4159d980526f86afd4b903fd5c" +
				"48d86bc48648c02a08dca2c47672c7dc920914aef3d4a74735f01a4b74136c01" +
				"0000", // name record length 0: none
			make: func(t *testing.T) []byte {
				_, follow := vectorLog(t)
				var b bytes.Buffer
				if err := WriteNotice(&b, Notice{Entries: [][]byte{follow.Bytes()}}); err != nil {
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
	}
}

func TestWireExamples(t *testing.T) {
	for _, ex := range wireExamples() {
		if got := hex.EncodeToString(ex.make(t)); got != ex.hex {
			t.Errorf("%s = %s, want %s", ex.name, got, ex.hex)
		}
	}
	// The examples also decode.
	ex := wireExamples()
	if _, err := ReadRequest(bytes.NewReader(mustHex(t, ex[0].hex))); err != nil {
		t.Errorf("ReadRequest(example) = %v", err)
	}
	more, err := Fetch(bytes.NewReader(mustHex(t, ex[1].hex)), io.Discard, Request{Wants: []Want{{Author: author(alice)}}, MaxEntries: 1},
		func([]*entry.Entry) error { return nil })
	if err != nil || !more {
		t.Errorf("Fetch(example) = %v, %v; want true, nil", more, err)
	}
	if _, err := ReadNotice(bytes.NewReader(mustHex(t, ex[2].hex))); err != nil {
		t.Errorf("ReadNotice(example) = %v", err)
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
	for _, id := range []string{SyncID, NotifyID} {
		if !strings.Contains(doc, id) {
			t.Errorf("docs/PROTOCOL.md does not name protocol %s", id)
		}
	}
	for _, ex := range wireExamples() {
		if !strings.Contains(doc, ex.hex) {
			t.Errorf("docs/PROTOCOL.md does not hold the %s wire example (line breaks allowed): %s", ex.name, ex.hex)
		}
	}
}
