package directory

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
)

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name string
		p    []byte
		want Request
		err  error
	}{
		{"search", []byte("\x02\x0aali"), Request{Op: OpSearch, Limit: 10, Query: "ali"}, nil},
		{"publish", []byte("\x01abc"), Request{Op: OpPublish, Entry: []byte("abc")}, nil},
		{"empty", nil, Request{}, ErrProtocol},
		{"unknown op", []byte("\x03abc"), Request{}, ErrProtocol},
		{"search without limit", []byte("\x02"), Request{}, ErrProtocol},
		{"empty query", []byte("\x02\x0a"), Request{}, ErrQuery},
		{"limit 0", []byte("\x02\x00ali"), Request{}, ErrQuery},
		{"limit 51", []byte("\x02\x33ali"), Request{}, ErrQuery},
		{"long query", append([]byte("\x02\x0a"), strings.Repeat("x", MaxQueryChars+1)...), Request{}, ErrQuery},
		{"control", []byte("\x02\x0aa\x00b"), Request{}, ErrQuery},
		{"empty publish", []byte("\x01"), Request{}, ErrProtocol},
		{"oversize publish", append([]byte{OpPublish}, make([]byte, MaxProfileEntry+1)...), Request{}, ErrProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRequest(tt.p)
			if !errors.Is(err, tt.err) {
				t.Fatalf("ParseRequest(%q) error = %v, want %v", tt.p, err, tt.err)
			}
			if got.Op != tt.want.Op || got.Query != tt.want.Query || got.Limit != tt.want.Limit || !bytes.Equal(got.Entry, tt.want.Entry) {
				t.Errorf("ParseRequest(%q) = %+v, want %+v", tt.p, got, tt.want)
			}
		})
	}
}

func TestParseResults(t *testing.T) {
	ok := AppendResponse(nil, StatusOK, []Raw{{Record: []byte("rec"), Entry: []byte("ent")}, {Record: []byte("r2")}})
	payload := func(frame []byte) []byte {
		_, n := binary.Uvarint(frame)
		return frame[n:]
	}
	oversizeEntry := append([]byte{0, 1, 0, 1, 'r'}, binary.BigEndian.AppendUint16(nil, MaxProfileEntry+1)...)
	oversizeEntry = append(oversizeEntry, make([]byte, MaxProfileEntry+1)...)
	tests := []struct {
		name  string
		p     []byte
		limit int
		st    Status
		n     int
		err   bool
	}{
		{"two", payload(ok), 10, StatusOK, 2, false},
		{"over the limit", payload(ok), 1, 0, 0, true},
		{"none", payload(AppendResponse(nil, StatusOK, []Raw{})), 10, StatusOK, 0, false},
		{"busy", []byte{byte(StatusBusy)}, 10, StatusBusy, 0, false},
		{"busy with bytes", []byte{byte(StatusBusy), 0}, 10, 0, 0, true},
		{"empty", nil, 10, 0, 0, true},
		{"no count", []byte{0}, 10, 0, 0, true},
		{"truncated", payload(ok)[:8], 10, 0, 0, true},
		{"trailing", append(slices.Clone(payload(ok)), 0), 10, 0, 0, true},
		{"empty record", []byte{0, 1, 0, 0, 0, 0}, 10, 0, 0, true},
		{"oversize entry", oversizeEntry, 10, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, res, err := ParseResults(tt.p, tt.limit)
			if (err != nil) != tt.err || st != tt.st || len(res) != tt.n {
				t.Errorf("ParseResults() = %v, %d results, %v; want %v, %d, error %v", st, len(res), err, tt.st, tt.n, tt.err)
			}
		})
	}
}

func TestReadFrame(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		max  int
		want []byte
		err  bool
	}{
		{"one", []byte("\x03abc"), 10, []byte("abc"), false},
		{"empty payload", []byte{0}, 10, []byte{}, false},
		{"over max", []byte("\x0babcdefghijk"), 10, nil, true},
		{"huge length", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 1 << 30, nil, true},
		{"not minimal", []byte{0x83, 0x00, 'a', 'b', 'c'}, 10, nil, true},
		{"truncated", []byte("\x05ab"), 10, nil, true},
		{"nothing", nil, 10, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadFrame(bufio.NewReader(bytes.NewReader(tt.in)), tt.max)
			if (err != nil) != tt.err || !bytes.Equal(got, tt.want) {
				t.Errorf("ReadFrame(%x) = %x, %v; want %x, error %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func FuzzParseRequest(f *testing.F) {
	f.Add([]byte("\x02\x0aali"))
	f.Add([]byte("\x01abc"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, p []byte) {
		r, err := ParseRequest(p)
		if err != nil {
			return
		}
		var again []byte
		if r.Op == OpSearch {
			again = AppendSearch(nil, r.Query, r.Limit)
		} else {
			again = AppendPublish(nil, r.Entry)
		}
		if _, n := binary.Uvarint(again); !bytes.Equal(again[n:], p) {
			t.Fatalf("ParseRequest(%x) re-encodes as %x", p, again[n:])
		}
	})
}

func FuzzParseResults(f *testing.F) {
	f.Add(AppendResponse(nil, StatusOK, []Raw{{Record: []byte("rec"), Entry: []byte("ent")}})[1:], 10)
	f.Add([]byte{byte(StatusBusy)}, 10)
	f.Add([]byte{0, 0}, 0)
	f.Fuzz(func(t *testing.T, p []byte, limit int) {
		st, res, err := ParseResults(p, limit)
		if err != nil || st != StatusOK {
			return
		}
		again := AppendResponse(nil, st, res)
		if _, n := binary.Uvarint(again); !bytes.Equal(again[n:], p) {
			t.Fatalf("ParseResults(%x) re-encodes as %x", p, again[n:])
		}
		for _, r := range res {
			_, _ = Verify("a", r, testNow)
		}
	})
}

func FuzzReadFrame(f *testing.F) {
	f.Add([]byte("\x03abc"))
	f.Add([]byte{0x83, 0x00})
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := ReadFrame(bufio.NewReader(bytes.NewReader(in)), 64)
		if err == nil && len(p) > 64 {
			t.Fatalf("ReadFrame() = %d bytes, max 64", len(p))
		}
	})
}

// FuzzPublish feeds a directory published entries: whatever it is given,
// it stores only a valid profile entry of an account it holds.
func FuzzPublish(f *testing.F) {
	reg := newRegistry()
	d, _ := fill(f, reg, alice)
	f.Add(profileEntry(f, alice.seed, 3, entry.Profile{Bio: "x"}))
	f.Add(vectorProfileBytes(f))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := d.Publish(b)
		if st == StatusOK {
			if e, derr := entry.Decode(b); derr != nil || e.Kind != entry.KindProfile || e.Author != account(alice.seed) {
				t.Fatalf("Publish(%x) = ok, %v; the entry is not alice's profile: %v", b, err, derr)
			}
		}
	})
}

func vectorProfileBytes(t testing.TB) []byte {
	b, err := hex.DecodeString(vectorProfile)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzVerify feeds Verify results as a relay could send them: it accepts
// only a valid record, with a profile entry of the record's account if any,
// that matches the query.
func FuzzVerify(f *testing.F) {
	rec, prof := vectorRecord(f), vectorProfileBytes(f)
	f.Add(rec, prof, "ali")
	f.Add(rec, []byte{}, "alice")
	f.Add(rec, profileEntry(f, bob.seed, 2, *bob.profile), "ali")
	f.Add([]byte{}, prof, "a")
	f.Fuzz(func(t *testing.T, rec, ent []byte, q string) {
		r, err := Verify(q, Raw{Record: rec, Entry: ent}, testNow)
		if err != nil {
			return
		}
		if !strings.Contains(docText(r.Name, r.Profile), strings.ToLower(q)) {
			t.Fatalf("Verify(%q) accepted %q, which does not match", q, r.Name)
		}
		if len(ent) > 0 {
			e, err := entry.Decode(ent)
			if err != nil || e.Author != r.Account || e.Kind != entry.KindProfile {
				t.Fatalf("Verify() accepted an entry that is not the account's profile: %v", err)
			}
		}
	})
}
