package syncproto

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
)

func TestReadLen(t *testing.T) {
	const max = 1000
	tests := []struct {
		name     string
		in       []byte
		want     int
		wantErr  []error // all must match; nil: success
		wantRead int     // bytes consumed; 0: all of in
	}{
		{name: "zero", in: []byte{0}, want: 0},
		{name: "one byte", in: []byte{0x7f}, want: 127},
		{name: "two bytes", in: []byte{0x80, 0x01}, want: 128},
		{name: "max", in: []byte{0xe8, 0x07}, want: 1000},
		{name: "max+1", in: []byte{0xe9, 0x07}, wantErr: []error{ErrProtocol, ErrTooLarge}},
		{name: "huge, rejected early", in: []byte{0xff, 0xff, 0xff, 0xff, 0x0f}, wantErr: []error{ErrProtocol, ErrTooLarge}, wantRead: 2},
		{name: "non-minimal zero", in: []byte{0x80, 0x00}, wantErr: []error{ErrProtocol}},
		{name: "non-minimal one", in: []byte{0x81, 0x00}, wantErr: []error{ErrProtocol}},
		{name: "non-minimal long", in: []byte{0x81, 0x80, 0x80, 0x00}, wantErr: []error{ErrProtocol}},
		{name: "overflow", in: []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02}, wantErr: []error{ErrProtocol}},
		{name: "eleven bytes", in: bytes.Repeat([]byte{0x80}, 11), wantErr: []error{ErrProtocol}, wantRead: 10},
		{name: "empty", in: nil, wantErr: []error{ErrProtocol, io.ErrUnexpectedEOF}},
		{name: "truncated", in: []byte{0x80}, wantErr: []error{ErrProtocol, io.ErrUnexpectedEOF}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bytes.NewReader(tt.in)
			got, err := readLen(r, "test", max)
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("readLen(%x) = %v, want %v", tt.in, err, want)
				}
			}
			if tt.wantErr == nil && (err != nil || got != tt.want) {
				t.Errorf("readLen(%x) = %d, %v; want %d, nil", tt.in, got, err, tt.want)
			}
			wantRead := tt.wantRead
			if wantRead == 0 {
				wantRead = len(tt.in)
			}
			if read := len(tt.in) - r.Len(); read != wantRead {
				t.Errorf("readLen(%x) read %d bytes, want %d", tt.in, read, wantRead)
			}
		})
	}
}

// TestReadLenAllLengths checks that every length up to a cap round-trips
// and that every encoding readLen accepts is the one AppendUvarint writes.
func TestReadLenAllLengths(t *testing.T) {
	const max = 1 << 15
	for n := range max + 1 {
		b := appendLen(nil, n)
		got, err := readLen(bytes.NewReader(b), "test", max)
		if err != nil || got != n {
			t.Fatalf("readLen(appendLen(%d)) = %d, %v", n, got, err)
		}
	}
}

// endless is a reader that never ends: a hostile peer that declares a huge
// message and keeps sending.
type endless struct {
	prefix []byte
	read   int
}

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		if e.read < len(e.prefix) {
			p[i] = e.prefix[e.read]
		} else {
			p[i] = 0x80
		}
		e.read++
	}
	return len(p), nil
}

// TestHugeLengthAllocatesNothing checks that a declared length beyond a
// message's cap is rejected after reading the length prefix only, without
// allocating for it.
func TestHugeLengthAllocatesNothing(t *testing.T) {
	huge := appendLen(nil, 1<<40)
	readers := []struct {
		name string
		read func(r io.Reader) error
	}{
		{"ReadRequest", func(r io.Reader) error { _, err := ReadRequest(r); return err }},
		{"ReadNotice", func(r io.Reader) error { _, err := ReadNotice(r); return err }},
		{"Fetch", func(r io.Reader) error {
			_, err := Fetch(r, io.Discard, Request{}, func([]*entry.Entry) error { return nil })
			return err
		}},
	}
	for _, rd := range readers {
		t.Run(rd.name, func(t *testing.T) {
			src := &endless{prefix: huge}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := rd.read(src)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrProtocol) {
				t.Fatalf("%s(huge) = %v, want %v and %v", rd.name, err, ErrProtocol, ErrTooLarge)
			}
			// Fetch reads through a bufio.Reader; the others byte by byte.
			if rd.name != "Fetch" && src.read > len(huge) {
				t.Errorf("%s read %d bytes, want at most %d", rd.name, src.read, len(huge))
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
				t.Errorf("%s allocated %d bytes for a rejected message", rd.name, alloc)
			}
		})
	}
}

// TestReadNothingBeyond checks that the single-message readers leave what
// follows their message in the stream.
func TestReadNothingBeyond(t *testing.T) {
	req := Request{Wants: []Want{{Author: author(alice), Have: 3}}}
	notice := Notice{Entries: [][]byte{newLog(t, alice, 1, nil)[0].Bytes()}, Name: nameRecord(50)}
	var nb bytes.Buffer
	if err := WriteNotice(&nb, notice); err != nil {
		t.Fatal(err)
	}
	after := []byte("after")
	tests := []struct {
		name string
		msg  []byte
		read func(r io.Reader) error
	}{
		{"ReadRequest", requestBytes(req), func(r io.Reader) error { _, err := ReadRequest(r); return err }},
		{"ReadNotice", nb.Bytes(), func(r io.Reader) error { _, err := ReadNotice(r); return err }},
		{"ReadAck", []byte{ack}, ReadAck},
	}
	for _, tt := range tests {
		for _, wrap := range []struct {
			name string
			f    func(io.Reader) io.Reader
		}{
			{"plain reader", func(r io.Reader) io.Reader { return struct{ io.Reader }{r} }},
			{"byte reader", func(r io.Reader) io.Reader { return bufio.NewReader(r) }},
		} {
			t.Run(tt.name+"/"+wrap.name, func(t *testing.T) {
				under := bytes.NewReader(cat(tt.msg, after))
				r := wrap.f(under)
				if err := tt.read(r); err != nil {
					t.Fatalf("%s() = %v", tt.name, err)
				}
				rest, _ := io.ReadAll(r)
				if !bytes.Equal(rest, after) {
					t.Fatalf("after %s, the stream holds %q, want %q", tt.name, rest, after)
				}
			})
		}
	}
}
