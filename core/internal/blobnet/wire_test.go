package blobnet

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/skein-p2p/skein/core/internal/blob"
)

// frame returns type, length and payload.
func frame(t msgType, p []byte) []byte {
	return append(binary.AppendUvarint([]byte{byte(t)}, uint64(len(p))), p...)
}

func TestDecodeMsg(t *testing.T) {
	root := blob.Sum([]byte("hello, skein"))
	r := root[:]
	cat := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }
	u64 := func(x uint64) []byte { return binary.BigEndian.AppendUint64(nil, x) }
	u32 := func(x uint32) []byte { return binary.BigEndian.AppendUint32(nil, x) }
	size3 := uint64(2*blob.PieceSize + 1) // 3 pieces
	tests := []struct {
		name string
		t    msgType
		p    []byte
		ok   bool
	}{
		{"have?", tHaveQ, r, true},
		{"have? short", tHaveQ, r[:31], false},
		{"have all", tHave, cat(r, u64(12), []byte{haveAll}), true},
		{"have none", tHave, cat(r, u64(0), []byte{haveNone}), true},
		{"have none with a size", tHave, cat(r, u64(12), []byte{haveNone}), false},
		{"have some", tHave, cat(r, u64(size3), []byte{haveSome, 0xa0}), true},
		{"have some, spare bit", tHave, cat(r, u64(size3), []byte{haveSome, 0xb0}), false},
		{"have some, all set", tHave, cat(r, u64(size3), []byte{haveSome, 0xe0}), false},
		{"have some, none set", tHave, cat(r, u64(size3), []byte{haveSome, 0x00}), false},
		{"have some, long", tHave, cat(r, u64(size3), []byte{haveSome, 0xa0, 0}), false},
		{"have all, trailing", tHave, cat(r, u64(12), []byte{haveAll, 0}), false},
		{"have too large", tHave, cat(r, u64(blob.MaxSize+1), []byte{haveAll}), false},
		{"have unknown form", tHave, cat(r, u64(12), []byte{3}), false},
		{"outboard", tOutboard, cat(r, make([]byte, 72)), true},
		{"outboard short", tOutboard, r[:20], false},
		{"get", tGet, cat(u32(7), r, u32(255)), true},
		{"get piece over", tGet, cat(u32(7), r, u32(256)), false},
		{"get long", tGet, cat(u32(7), r, u32(2), []byte{0}), false},
		{"data", tData, cat(u32(7), r, u64(blob.GroupSize), []byte("x")), true},
		{"data empty", tData, cat(u32(7), r, u64(0)), false},
		{"data unaligned", tData, cat(u32(7), r, u64(1), []byte("x")), false},
		{"data beyond", tData, cat(u32(7), r, u64(blob.MaxSize), []byte("x")), false},
		{"data too long", tData, cat(u32(7), r, u64(0), make([]byte, blob.GroupSize+1)), false},
		{"getmany", tGetMany, cat(r, make([]byte, 32)), true},
		{"getmany twice", tGetMany, cat(r, r), false},
		{"getmany empty", tGetMany, nil, false},
		{"getmany partial", tGetMany, cat(r, []byte{1}), false},
		{"getmany 65", tGetMany, make([]byte, 65*32), false},
		{"blob", tBlob, cat(r, []byte("hello, skein")), true},
		{"blob too long", tBlob, cat(r, make([]byte, blob.GroupSize+1)), false},
		{"cancel", tCancel, u32(9), true},
		{"cancel long", tCancel, u32(9)[:3], false},
		{"reject id", tReject, cat([]byte{byte(ReasonBusy)}, u32(7)), true},
		{"reject root", tReject, cat([]byte{byte(ReasonNotFound)}, r), true},
		{"reject reason 0", tReject, cat([]byte{0}, u32(7)), false},
		{"reject reason 6", tReject, cat([]byte{6}, u32(7)), false},
		{"reject 6 bytes", tReject, cat([]byte{1}, u32(7), []byte{0}), false},
		{"unknown type", 0x42, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := decodeMsg(tt.t, tt.p)
			if tt.ok != (err == nil) || err != nil && !errors.Is(err, ErrProtocol) {
				t.Fatalf("decodeMsg(%s, %x) error = %v, want ok %v", tt.t, tt.p, err, tt.ok)
			}
			if err == nil {
				if got := appendMsg(nil, &m); !bytes.Equal(got, frame(tt.t, tt.p)) {
					t.Errorf("re-encoded %x, want %x", got, frame(tt.t, tt.p))
				}
			}
		})
	}
}

func TestReadFrame(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		err  error
	}{
		{"ok", frame(tCancel, []byte{0, 0, 0, 1}), nil},
		{"eof", nil, nil},
		{"wrong direction", frame(tData, nil), ErrProtocol},
		{"unknown", []byte{0x77, 0}, ErrProtocol},
		{"over limit", []byte{byte(tCancel), 5}, ErrProtocol},
		{"non-minimal length", []byte{byte(tCancel), 0x84, 0x00}, ErrProtocol},
		{"overflow", append([]byte{byte(tGetMany)}, bytes.Repeat([]byte{0x80}, 11)...), ErrProtocol},
		{"truncated", []byte{byte(tCancel), 4, 0}, ErrProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readFrame(bufio.NewReader(bytes.NewReader(tt.in)), serverBound, nil)
			if tt.in == nil {
				if err.Error() != "EOF" {
					t.Fatalf("readFrame() = %v, want io.EOF", err)
				}
				return
			}
			if tt.err == nil && err != nil || tt.err != nil && !errors.Is(err, tt.err) {
				t.Fatalf("readFrame(%x) = %v, want %v", tt.in, err, tt.err)
			}
		})
	}
}

// FuzzDecode reads frames both ways: no panic, and every frame accepted
// re-encodes to the same bytes (one encoding per value).
func FuzzDecode(f *testing.F) {
	root := blob.Sum([]byte("hello, skein"))
	for _, m := range vectorMsgs(f) {
		f.Add(appendMsg(nil, &m.m))
	}
	f.Add(frame(tHave, append(append(root[:], 0, 0, 0, 0, 0, 8, 0, 1), haveSome, 0x80)))
	f.Add([]byte{byte(tGetMany), 0xff, 0x7f})
	f.Fuzz(func(t *testing.T, in []byte) {
		br := bufio.NewReader(bytes.NewReader(in))
		all := func(t msgType) bool { return maxPayload(t) >= 0 }
		for {
			typ, p, err := readFrame(br, all, nil)
			if err != nil {
				return
			}
			m, err := decodeMsg(typ, p)
			if err != nil {
				continue
			}
			if got, want := appendMsg(nil, &m), frame(typ, p); !bytes.Equal(got, want) {
				t.Fatalf("%s re-encoded %x, want %x", typ, got, want)
			}
		}
	})
}
