package syncproto

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// manyWants returns n wants for distinct made-up authors.
func manyWants(n int) []Want {
	ws := make([]Want, n)
	for i := range ws {
		binary.BigEndian.PutUint32(ws[i].Author[:], uint32(i))
		ws[i].Have = uint64(i) * 7
	}
	return ws
}

func requestCases() []Request {
	return []Request{
		{},
		{Wants: []Want{{Author: author(alice)}}},
		{Wants: []Want{{Author: author(alice), Have: 3}, {Author: author(bob), Have: 1<<64 - 1}}, MaxEntries: 100, MaxBytes: 1 << 20},
		{Wants: manyWants(MaxWants), MaxEntries: 1<<32 - 1, MaxBytes: 1<<32 - 1},
	}
}

func TestRequestRoundTrip(t *testing.T) {
	for _, req := range requestCases() {
		var buf bytes.Buffer
		if err := WriteRequest(&buf, req); err != nil {
			t.Fatalf("WriteRequest(%d wants) = %v", len(req.Wants), err)
		}
		if want := requestBytes(req); !bytes.Equal(buf.Bytes(), want) {
			t.Fatalf("WriteRequest() wrote %x, want %x", buf.Bytes(), want)
		}
		got, err := ReadRequest(&buf)
		if err != nil {
			t.Fatalf("ReadRequest() = %v", err)
		}
		if !reflect.DeepEqual(got, req) {
			t.Fatalf("ReadRequest() = %+v, want %+v", got, req)
		}
	}
}

func TestWriteRequestRejects(t *testing.T) {
	dup := []Want{{Author: author(alice)}, {Author: author(bob)}, {Author: author(alice), Have: 2}}
	tests := []struct {
		name string
		req  Request
		want error // nil: any error
	}{
		{"too many wants", Request{Wants: manyWants(MaxWants + 1)}, ErrTooLarge},
		{"duplicate author", Request{Wants: dup}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteRequest(&buf, tt.req)
			if err == nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("WriteRequest() = %v, want %v", err, tt.want)
			}
			if errors.Is(err, ErrProtocol) {
				t.Errorf("WriteRequest() = %v: a local mistake is not a protocol violation", err)
			}
			if buf.Len() != 0 {
				t.Errorf("WriteRequest() wrote %d bytes of a rejected request", buf.Len())
			}
			_, err = Fetch(bytes.NewReader(nil), &buf, tt.req, func([]*entry.Entry) error { return nil })
			if err == nil || buf.Len() != 0 {
				t.Errorf("Fetch() = %v and wrote %d bytes, want an error and nothing written", err, buf.Len())
			}
		})
	}
}

// badRequests are encodings ReadRequest and Serve must reject, with the
// sentinels the error must wrap besides ErrProtocol.
func badRequests() []struct {
	name string
	b    []byte
	also error
} {
	good := requestBytes(Request{Wants: []Want{{Author: author(alice)}}})
	withLen := func(n int, payload []byte) []byte { return append(appendLen(nil, n), payload...) }
	dup := requestBytes(Request{Wants: []Want{{Author: author(alice)}, {Author: author(bob)}, {Author: author(alice), Have: 2}}})
	return []struct {
		name string
		b    []byte
		also error
	}{
		{"empty stream", nil, io.ErrUnexpectedEOF},
		{"empty payload", withLen(0, nil), nil},
		{"payload of 7", withLen(7, make([]byte, 7)), nil},
		{"payload of 8+39", withLen(8+39, make([]byte, 8+39)), nil},
		{"payload of 8+41", withLen(8+41, make([]byte, 8+41)), nil},
		{"truncated payload", good[:len(good)-1], io.ErrUnexpectedEOF},
		{"truncated length", []byte{0x80}, io.ErrUnexpectedEOF},
		{"non-minimal length", append([]byte{0x80 | byte(len(good)-1), 0x00}, good[1:]...), nil},
		{"duplicate author", dup, nil},
		{"too many wants", requestBytes(Request{Wants: manyWants(MaxWants + 1)}), ErrTooLarge},
		{"huge length", withLen(1<<31, nil), ErrTooLarge},
	}
}

func TestReadRequestRejects(t *testing.T) {
	for _, tt := range badRequests() {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadRequest(bytes.NewReader(tt.b))
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("ReadRequest() = %v, want %v", err, ErrProtocol)
			}
			if tt.also != nil && !errors.Is(err, tt.also) {
				t.Fatalf("ReadRequest() = %v, want %v", err, tt.also)
			}
		})
	}
}

func TestReadRequestIOError(t *testing.T) {
	errBroken := errors.New("stream reset")
	_, err := ReadRequest(io.MultiReader(bytes.NewReader([]byte{40}), &failReader{errBroken}))
	if !errors.Is(err, errBroken) || errors.Is(err, ErrProtocol) {
		t.Fatalf("ReadRequest() = %v, want %v and no protocol violation", err, errBroken)
	}
}

type failReader struct{ err error }

func (f *failReader) Read([]byte) (int, error) { return 0, f.err }

func TestLimits(t *testing.T) {
	tests := []struct {
		maxEntries, maxBytes uint32
		wantEntries          int
		wantBytes            int
	}{
		{0, 0, MaxEntries, MaxBytes},
		{1, 1, 1, entry.MaxSize},
		{100, entry.MaxSize - 1, 100, entry.MaxSize},
		{100, entry.MaxSize + 1, 100, entry.MaxSize + 1},
		{MaxEntries - 1, MaxBytes - 1, MaxEntries - 1, MaxBytes - 1},
		{MaxEntries, MaxBytes, MaxEntries, MaxBytes},
		{MaxEntries + 1, MaxBytes + 1, MaxEntries, MaxBytes},
		{1<<32 - 1, 1<<32 - 1, MaxEntries, MaxBytes},
	}
	for _, tt := range tests {
		req := Request{MaxEntries: tt.maxEntries, MaxBytes: tt.maxBytes}
		if n, b := req.Limits(); n != tt.wantEntries || b != tt.wantBytes {
			t.Errorf("Request{MaxEntries: %d, MaxBytes: %d}.Limits() = %d, %d; want %d, %d",
				tt.maxEntries, tt.maxBytes, n, b, tt.wantEntries, tt.wantBytes)
		}
	}
}
