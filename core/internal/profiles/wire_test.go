package profiles

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/protocoldoc"
)

func TestRequestRoundTrip(t *testing.T) {
	for _, req := range []Request{{}, {Author: author(alice)}, {Author: author(bob), Have: 1<<64 - 1}} {
		var buf bytes.Buffer
		if err := WriteRequest(&buf, req); err != nil {
			t.Fatal(err)
		}
		buf.WriteString("trailing bytes are never read")
		got, err := ReadRequest(&buf)
		if err != nil || got != req {
			t.Errorf("ReadRequest(WriteRequest(%+v)) = %+v, %v", req, got, err)
		}
		if !strings.HasPrefix(buf.String(), "trailing") {
			t.Errorf("ReadRequest read beyond its frame: %q left", buf.String())
		}
	}
}

func TestReadRequestBad(t *testing.T) {
	valid := "28" + strings.Repeat("11", 32) + "0000000000000001"
	tests := []struct{ name, hex, msg string }{
		{"empty stream", "", "unexpected EOF"},
		{"short payload", "27" + strings.Repeat("11", 39), "request of 39 bytes, want 40"},
		{"oversized length", "29", "41 bytes or more, limit 40"},
		{"huge length", "ffffffffffffffffffff01", "limit 40"},
		{"non-minimal length", "a800", "not minimally encoded"},
		{"non-minimal zero", "8000", "not minimally encoded"},
		{"truncated payload", valid[:40], "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := hex.DecodeString(tt.hex)
			_, err := ReadRequest(bytes.NewReader(b))
			if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("ReadRequest(%s) = %v, want ErrProtocol saying %q", tt.hex, err, tt.msg)
			}
		})
	}
}

// answer returns the answer frame holding raw.
func answer(t testing.TB, raw []byte) []byte {
	var buf bytes.Buffer
	if err := WriteAnswer(&buf, raw); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadAnswer(t *testing.T) {
	a := author(alice)
	prof := profileEntry(t, alice, 5, entry.Profile{DisplayName: "Alice"})
	e, p, err := ReadAnswer(bytes.NewReader(answer(t, prof.Bytes())), Request{Author: a, Have: 4})
	if err != nil || e.ID() != prof.ID() || p.DisplayName != "Alice" {
		t.Fatalf("ReadAnswer(valid) = %v, %+v, %v", e, p, err)
	}
	if e, _, err := ReadAnswer(bytes.NewReader([]byte{0}), Request{Author: a}); e != nil || err != nil {
		t.Errorf("ReadAnswer(empty) = %v, %v, want nil, nil", e, err)
	}

	post, err := entry.New(alice, 6, entry.ID{1}, hlc.Timestamp{Wall: 9}, entry.KindPost, []byte("hi"))
	if err != nil {
		t.Fatal(err)
	}
	badSig := bytes.Clone(prof.Bytes())
	badSig[entry.HeaderSize] ^= 1
	hostile := []struct {
		name string
		raw  []byte
		req  Request
		want error
		msg  string
	}{
		{"wrong key", prof.Bytes(), Request{Author: author(bob)}, ErrProtocol, "not of"},
		{"older seq", prof.Bytes(), Request{Author: a, Have: 6}, ErrProtocol, "not newer than 6"},
		{"same seq", prof.Bytes(), Request{Author: a, Have: 5}, ErrProtocol, "not newer than 5"},
		{"bad signature", badSig, Request{Author: a}, entry.ErrBadSignature, "signature"},
		{"not a profile", post.Bytes(), Request{Author: a}, ErrProtocol, "not a profile"},
		{"redacted", prof.Redact().Bytes(), Request{Author: a}, ErrProtocol, "redacted"},
		{"garbage", []byte("not an entry"), Request{Author: a}, entry.ErrMalformed, ""},
	}
	for _, tt := range hostile {
		t.Run(tt.name, func(t *testing.T) {
			e, _, err := ReadAnswer(bytes.NewReader(answer(t, tt.raw)), tt.req)
			if e != nil || !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("ReadAnswer() = %v, %v, want %v saying %q", e, err, tt.want, tt.msg)
			}
		})
	}
	// A frame over the limit is refused before it is read.
	var big bytes.Buffer
	big.Write([]byte{0xb9, 0x41}) // 8,377
	if _, _, err := ReadAnswer(io.MultiReader(&big, strings.NewReader(strings.Repeat("x", 9000))), Request{Author: a}); !errors.Is(err, ErrProtocol) {
		t.Errorf("ReadAnswer(oversized) = %v, want ErrProtocol", err)
	}
	if err := WriteAnswer(io.Discard, make([]byte, MaxAnswer+1)); err == nil {
		t.Error("WriteAnswer(oversized) = nil, want an error")
	}
}

// vectorProfile is the profile entry of the documented answer: alice's
// seq 4, "Alice Liddell", a bio and a link.
func vectorProfile(t testing.TB) *entry.Entry {
	t.Helper()
	p := entry.Profile{DisplayName: "Alice Liddell", Bio: "Down the rabbit hole.", Link: "https://example.org/alice"}
	prev, _ := hex.DecodeString(strings.Repeat("ab", 32))
	e, err := entry.New(alice, 4, entry.ID(prev), hlc.Timestamp{Wall: 1_767_225_700_000}, entry.KindProfile, p.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func wireVectors(t *testing.T) []struct{ name, hex string } {
	var req bytes.Buffer
	WriteRequest(&req, Request{Author: author(alice), Have: 2})
	return []struct{ name, hex string }{
		{"request", hex.EncodeToString(req.Bytes())},
		{"empty answer", hex.EncodeToString(answer(t, nil))},
		{"answer", hex.EncodeToString(answer(t, vectorProfile(t).Bytes()))},
	}
}

// TestWireVectors pins the vectors docs/PROTOCOL.md shows, and checks that
// the document shows them.
func TestWireVectors(t *testing.T) {
	want := map[string]string{
		"request":      "28" + "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c" + "0000000000000002",
		"empty answer": "00",
	}
	doc := protocoldoc.Flat(t)
	for _, v := range wireVectors(t) {
		if w, ok := want[v.name]; ok && v.hex != w {
			t.Errorf("%s = %s, want %s", v.name, v.hex, w)
		}
		if !strings.Contains(doc, v.hex) {
			t.Errorf("docs/PROTOCOL.md does not show the %s vector:\n%s", v.name, v.hex)
		}
	}
	if !strings.Contains(doc, ProtocolID) {
		t.Errorf("docs/PROTOCOL.md does not name %s", ProtocolID)
	}
}

func FuzzReadRequest(f *testing.F) {
	var buf bytes.Buffer
	WriteRequest(&buf, Request{Author: author(alice), Have: 3})
	f.Add(buf.Bytes())
	f.Add([]byte{})
	f.Add([]byte{0x80, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := ReadRequest(bytes.NewReader(b))
		if err != nil {
			return
		}
		var out bytes.Buffer
		WriteRequest(&out, req)
		if !bytes.HasPrefix(b, out.Bytes()) {
			t.Errorf("request %x re-encodes as %x", b, out.Bytes())
		}
	})
}

func FuzzReadAnswer(f *testing.F) {
	prof := profileEntry(f, alice, 5, entry.Profile{DisplayName: "Alice", Bio: "b", Link: "http://a.b"})
	f.Add(answer(f, prof.Bytes()), uint64(0))
	f.Add(answer(f, nil), uint64(0))
	f.Add(answer(f, prof.Redact().Bytes()), uint64(9))
	f.Add([]byte{0xff, 0xff, 0x03}, uint64(0))
	f.Fuzz(func(t *testing.T, b []byte, have uint64) {
		req := Request{Author: author(alice), Have: have}
		e, p, err := ReadAnswer(bytes.NewReader(b), req)
		if err != nil || e == nil {
			return
		}
		if e.Author != req.Author || e.Seq <= have || e.Kind != entry.KindProfile || e.Redacted() || e.Verify() != nil {
			t.Errorf("ReadAnswer accepted %v", e)
		}
		if len([]rune(p.DisplayName)) > entry.MaxDisplayNameChars || len(p.Link) > entry.MaxLinkLen {
			t.Errorf("ReadAnswer accepted an over-long profile %+v", p)
		}
	})
}
