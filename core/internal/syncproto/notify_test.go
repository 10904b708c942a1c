package syncproto

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"reflect"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
)

// followEntry returns priv's seq-1 entry following target by name.
func followEntry(t testing.TB, priv, target ed25519.PrivateKey, name string) *entry.Entry {
	t.Helper()
	body := entry.Follow{Target: author(target), Name: name}.Bytes()
	e, err := entry.New(priv, 1, entry.ID{}, t0, entry.KindFollow, body)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func noticeCases(t testing.TB) []Notice {
	raws := func(es []*entry.Entry) [][]byte {
		var out [][]byte
		for _, e := range es {
			out = append(out, e.Bytes())
		}
		return out
	}
	follow := followEntry(t, alice, bob, "bob").Bytes()
	return []Notice{
		{Entries: [][]byte{follow}},
		{Entries: [][]byte{follow}, Name: nameRecord(100)},
		{Entries: [][]byte{follow}, Name: nameRecord(1)},
		{Entries: raws(newLog(t, alice, MaxNoticeEntries, bigPost))},
		{Entries: raws(newLog(t, carol, 3, nil)), Name: nameRecord(177)},
		{Entries: raws(redacted(newLog(t, carol, 3, nil), 1))},
		{Entries: raws(redacted(bigLog(t, bob, MaxNoticeEntries), 0, 5, 15)), Name: nameRecord(MaxNoticeName)},
		largestNotice(t),
	}
}

// nameRecord returns n bytes standing in for a signed name record: the
// package carries the record without parsing it.
func nameRecord(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + 1)
	}
	return b
}

// largestNotice returns a notice of the greatest size allowed:
// MaxNoticeEntries entries of entry.MaxSize bytes and a name record of
// MaxNoticeName bytes.
func largestNotice(t testing.TB) Notice {
	t.Helper()
	n := Notice{Name: nameRecord(MaxNoticeName)}
	var prev entry.ID
	for seq := uint64(1); seq <= MaxNoticeEntries; seq++ {
		e, err := entry.New(alice, seq, prev, hlc.Timestamp{Wall: t0.Wall + seq}, entry.Kind(200), nameRecord(entry.MaxBody))
		if err != nil {
			t.Fatalf("entry.New(seq %d) = %v", seq, err)
		}
		if len(e.Bytes()) != entry.MaxSize {
			t.Fatalf("entry of %d bytes, want %d", len(e.Bytes()), entry.MaxSize)
		}
		n.Entries = append(n.Entries, e.Bytes())
		prev = e.ID()
	}
	return n
}

func TestNoticeRoundTrip(t *testing.T) {
	for _, n := range noticeCases(t) {
		c, s := net.Pipe()
		done := make(chan error, 1)
		go func() {
			defer c.Close()
			if err := WriteNotice(c, n); err != nil {
				done <- err
				return
			}
			done <- ReadAck(c)
		}()
		got, err := ReadNotice(s)
		if err != nil {
			t.Fatalf("ReadNotice() = %v", err)
		}
		if err := WriteAck(s); err != nil {
			t.Fatalf("WriteAck() = %v", err)
		}
		if err := <-done; err != nil {
			t.Fatalf("WriteNotice()/ReadAck() = %v", err)
		}
		s.Close()
		if !reflect.DeepEqual(got, n) {
			t.Fatalf("ReadNotice() = %d entries and a %d-byte name, want %d and %d, or they differ",
				len(got.Entries), len(got.Name), len(n.Entries), len(n.Name))
		}
		for i, b := range got.Entries {
			if _, err := entry.Decode(b); err != nil {
				t.Fatalf("entry %d: Decode() = %v", i, err)
			}
		}
	}
}

// TestNoticeName checks the name field's encoding: a 2-byte length after
// the entries, 0 when there is no name record.
func TestNoticeName(t *testing.T) {
	e := followEntry(t, alice, bob, "bob").Bytes()
	for _, tt := range []struct {
		name string
		in   []byte
		want []byte // ReadNotice's Name
	}{
		{"nil", nil, nil},
		{"empty", []byte{}, nil},
		{"one byte", []byte{0xab}, []byte{0xab}},
		{"largest", nameRecord(MaxNoticeName), nameRecord(MaxNoticeName)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteNotice(&b, Notice{Entries: [][]byte{e}, Name: tt.in}); err != nil {
				t.Fatalf("WriteNotice() = %v", err)
			}
			if want := noticeBytes(1, [][]byte{e}, nameField(tt.in)); !bytes.Equal(b.Bytes(), want) {
				t.Fatalf("WriteNotice() = %x, want %x", b.Bytes(), want)
			}
			got, err := ReadNotice(&b)
			if err != nil {
				t.Fatalf("ReadNotice() = %v", err)
			}
			if !reflect.DeepEqual(got.Name, tt.want) || len(got.Entries) != 1 || !bytes.Equal(got.Entries[0], e) {
				t.Fatalf("ReadNotice() = %d entries, name %x; want 1, %x", len(got.Entries), got.Name, tt.want)
			}
		})
	}
}

// TestNoticeFrameCap checks that the largest notice WriteNotice writes
// fills the notice frame cap exactly, and that ReadNotice reads it.
func TestNoticeFrameCap(t *testing.T) {
	n := largestNotice(t)
	var b bytes.Buffer
	if err := WriteNotice(&b, n); err != nil {
		t.Fatalf("WriteNotice(largest) = %v", err)
	}
	if want := len(appendLen(nil, maxNoticeFrame)) + maxNoticeFrame; b.Len() != want {
		t.Fatalf("largest notice is %d bytes, want %d (frame cap %d)", b.Len(), want, maxNoticeFrame)
	}
	if _, err := ReadNotice(&b); err != nil {
		t.Fatalf("ReadNotice(largest) = %v", err)
	}
	if maxNoticeFrame != 142_243 {
		t.Errorf("notice frame cap = %d, docs/PROTOCOL.md says 142,243", maxNoticeFrame)
	}
}

func TestWriteNoticeRejects(t *testing.T) {
	e := newLog(t, alice, 1, nil)[0].Bytes()
	many := make([][]byte, MaxNoticeEntries+1)
	for i := range many {
		many[i] = e
	}
	tests := []struct {
		name string
		n    Notice
		want error
	}{
		{"no entries", Notice{}, nil},
		{"too many entries", Notice{Entries: many}, ErrTooLarge},
		{"garbage entry", Notice{Entries: [][]byte{e, []byte("hello")}}, entry.ErrMalformed},
		{"oversized entry", Notice{Entries: [][]byte{make([]byte, entry.MaxSize+1)}}, entry.ErrTooLarge},
		{"oversized name", Notice{Entries: [][]byte{e}, Name: nameRecord(MaxNoticeName + 1)}, ErrTooLarge},
		{"name of 64 KiB", Notice{Entries: [][]byte{e}, Name: nameRecord(1 << 16)}, ErrTooLarge},
		{"name without entries", Notice{Name: nameRecord(10)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteNotice(&buf, tt.n)
			if err == nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("WriteNotice() = %v, want %v", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Fatalf("WriteNotice() wrote %d bytes of a rejected notice", buf.Len())
			}
		})
	}
}

// noticeBytes encodes a notice frame by hand: the count byte, then each
// entry with the length given (-1: its real length), then tail as it is:
// normally nameField's encoding of the name record.
func noticeBytes(count int, entries [][]byte, tail []byte, lens ...int) []byte {
	p := []byte{byte(count)}
	for i, e := range entries {
		n := len(e)
		if i < len(lens) && lens[i] >= 0 {
			n = lens[i]
		}
		p = binary.BigEndian.AppendUint16(p, uint16(n))
		p = append(p, e...)
	}
	p = append(p, tail...)
	return append(appendLen(nil, len(p)), p...)
}

// nameField encodes a notice's name field: 2-byte length, then name.
func nameField(name []byte) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(name))), name...)
}

// noName is the name field of a notice without a name record.
var noName = []byte{0, 0}

func badNotices(t testing.TB) []struct {
	name string
	b    []byte
	also error
} {
	e := newLog(t, alice, 2, nil)
	e1, e2 := e[0].Bytes(), e[1].Bytes()
	seventeen := make([][]byte, MaxNoticeEntries+1)
	for i := range seventeen {
		seventeen[i] = e1
	}
	bad := bytes.Clone(e1)
	bad[0] = 9 // version
	name := nameRecord(40)
	return []struct {
		name string
		b    []byte
		also error
	}{
		{"empty stream", nil, io.ErrUnexpectedEOF},
		{"empty payload", []byte{0}, nil},
		{"zero entries", noticeBytes(0, nil, noName), nil},
		{"zero entries with a name", noticeBytes(0, nil, nameField(name)), nil},
		{"count above entries", noticeBytes(2, [][]byte{e1}, noName), nil},
		{"count below entries", noticeBytes(1, [][]byte{e1, e2}, noName), nil},
		{"count of 17", noticeBytes(17, seventeen[:1], noName), ErrTooLarge},
		{"17 entries", noticeBytes(17, seventeen, noName), ErrTooLarge},
		{"entry length too long", noticeBytes(1, [][]byte{e1}, noName, len(e1)+1), nil},
		{"entry length too short", noticeBytes(1, [][]byte{e1}, noName, len(e1)-1), nil},
		{"entry length cut", append(appendLen(nil, 2), 1, 0), nil},
		{"malformed entry", noticeBytes(1, [][]byte{bad}, noName), entry.ErrMalformed},
		{"short entry", noticeBytes(1, [][]byte{e1[:40]}, noName), entry.ErrMalformed},
		{"truncated", noticeBytes(1, [][]byte{e1}, noName)[:50], io.ErrUnexpectedEOF},
		{"huge length", appendLen(nil, 1<<30), ErrTooLarge},
		{"non-minimal length", []byte{0x81, 0x00, 0}, nil},

		// The name field.
		{"no name field", noticeBytes(1, [][]byte{e1}, nil), nil},
		{"half a name length", noticeBytes(1, [][]byte{e1}, []byte{0}), nil},
		{"bytes after no name", noticeBytes(1, [][]byte{e1}, []byte{0, 0, 0}), nil},
		{"bytes after the name", noticeBytes(1, [][]byte{e1}, cat(nameField(name), []byte{0})), nil},
		{"name length too long", noticeBytes(1, [][]byte{e1}, cat(nameField(name)[:2], name[1:])), nil},
		{"name length too short", noticeBytes(1, [][]byte{e1}, cat(nameField(name[1:])[:2], name)), nil},
		{"name without its length", noticeBytes(1, [][]byte{e1}, name), nil},
		{"second name", noticeBytes(1, [][]byte{e1}, cat(nameField(name), nameField(name))), nil},
		{"name truncated", noticeBytes(1, [][]byte{e1}, nameField(name))[:len(e1)+20], io.ErrUnexpectedEOF},
		{"oversized name", noticeBytes(1, [][]byte{e1}, nameField(nameRecord(MaxNoticeName+1))), ErrTooLarge},
		{"name length 65535", noticeBytes(1, [][]byte{e1}, []byte{0xff, 0xff}), ErrTooLarge},
		{"frame over the cap", appendLen(nil, maxNoticeFrame+1), ErrTooLarge},
	}
}

func TestReadNoticeRejects(t *testing.T) {
	for _, tt := range badNotices(t) {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadNotice(bytes.NewReader(tt.b))
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("ReadNotice() = %v, want %v", err, ErrProtocol)
			}
			if tt.also != nil && !errors.Is(err, tt.also) {
				t.Fatalf("ReadNotice() = %v, want %v", err, tt.also)
			}
		})
	}
}

func TestReadAck(t *testing.T) {
	tests := []struct {
		in   []byte
		want error
	}{
		{[]byte{ack}, nil},
		{[]byte{ack, 0xff}, nil},
		{[]byte{refusal}, ErrRefused},
		{nil, io.ErrUnexpectedEOF},
		{[]byte{0}, ErrProtocol},
		{[]byte{3}, ErrProtocol},
		{[]byte{0xff}, ErrProtocol},
	}
	for _, tt := range tests {
		if err := ReadAck(bytes.NewReader(tt.in)); !errors.Is(err, tt.want) {
			t.Errorf("ReadAck(%x) = %v, want %v", tt.in, err, tt.want)
		}
	}
	var b bytes.Buffer
	if err := WriteAck(&b); err != nil || !bytes.Equal(b.Bytes(), []byte{ack}) {
		t.Errorf("WriteAck() wrote %x, %v; want %x", b.Bytes(), err, []byte{ack})
	}
	b.Reset()
	if err := WriteRefusal(&b); err != nil || !bytes.Equal(b.Bytes(), []byte{refusal}) {
		t.Errorf("WriteRefusal() wrote %x, %v; want %x", b.Bytes(), err, []byte{refusal})
	}
	if err := ReadAck(&b); !errors.Is(err, ErrRefused) || errors.Is(err, ErrProtocol) {
		t.Errorf("ReadAck(refusal) = %v, want %v and no protocol violation", err, ErrRefused)
	}
}
