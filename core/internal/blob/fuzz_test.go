package blob

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// maxFuzzSize bounds the genuine blobs the fuzz targets build: 40 groups
// and a bit, enough for trees several levels deep.
const maxFuzzSize = 40*GroupSize + 123

// FuzzCheckOutboard feeds CheckOutboard hostile outboards: arbitrary bytes
// for an arbitrary root and size (it must not panic), and genuine
// outboards with bytes XORed (it must accept only the genuine one: an
// outboard is canonical).
func FuzzCheckOutboard(f *testing.F) {
	data := testData(9, 3*GroupSize+1)
	root, ob := encodeBytes(f, data)
	f.Add(uint64(len(data)), root[:], ob, false)
	f.Add(uint64(len(data)), root[:], []byte{}, true)
	f.Add(uint64(len(data)), root[:], []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, true)
	f.Add(uint64(GroupSize+1), []byte{}, make([]byte, 72), false)
	f.Add(uint64(MaxSize+1), []byte{}, []byte{}, false)
	f.Add(uint64(0), []byte{}, []byte{}, true)
	f.Fuzz(func(t *testing.T, size uint64, rootb, ob []byte, genuine bool) {
		if !genuine {
			var r Root
			copy(r[:], rootb)
			if err := CheckOutboard(r, size, ob); err != nil && !errors.Is(err, ErrBadOutboard) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("CheckOutboard() error %v wraps no sentinel", err)
			}
			return
		}
		size %= maxFuzzSize
		data := testData(byte(size), int(size))
		root, real := encodeBytes(t, data)
		// ob is a mask XORed over the genuine outboard; rootb[0], if
		// any, changes its length.
		edited := bytes.Clone(real)
		if len(rootb) > 0 {
			switch d := int(int8(rootb[0])); {
			case d < 0 && -d <= len(edited):
				edited = edited[:len(edited)+d]
			case d > 0:
				edited = append(edited, make([]byte, d)...)
			}
		}
		for i, m := range ob {
			if len(edited) > 0 {
				edited[i%len(edited)] ^= m
			}
		}
		err := CheckOutboard(root, size, edited)
		if (err == nil) != bytes.Equal(edited, real) {
			t.Fatalf("CheckOutboard(size %d, edited %v) = %v", size, !bytes.Equal(edited, real), err)
		}
	})
}

// FuzzVerifyChunks feeds VerifyChunks hostile ranges and bytes of a
// genuine blob, and arbitrary outboards: it must never panic, and accept
// only the blob's own bytes at a well-formed range.
func FuzzVerifyChunks(f *testing.F) {
	f.Add(uint32(5*GroupSize+7), uint32(GroupSize), uint32(2*GroupSize), []byte{}, []byte{})
	f.Add(uint32(5*GroupSize+7), uint32(5*GroupSize), uint32(7), []byte{}, []byte{})
	f.Add(uint32(5*GroupSize+7), uint32(5*GroupSize), uint32(7), []byte{0, 1}, []byte{})
	f.Add(uint32(100), uint32(0), uint32(100), []byte{}, []byte{})
	f.Add(uint32(5*GroupSize+7), uint32(0), uint32(GroupSize), []byte{}, []byte{1, 2, 3})
	f.Add(uint32(5*GroupSize+7), uint32(3), uint32(GroupSize), []byte{}, make([]byte, 72))
	f.Fuzz(func(t *testing.T, size, off, n uint32, mask, ob []byte) {
		size %= maxFuzzSize
		data := testData(byte(size), int(size))
		root, real := encodeBytes(t, data)
		// The range is clipped to the blob so that the bytes come from it;
		// VerifyChunks still sees the unclipped offset.
		lo := min(uint64(off), uint64(size))
		hi := min(lo+uint64(n), uint64(size))
		piece := bytes.Clone(data[lo:hi])
		for i, m := range mask {
			if len(piece) > 0 {
				piece[i%len(piece)] ^= m
			}
		}
		useOb := real
		if len(ob) > 0 {
			useOb = ob // arbitrary outboard: must not panic
			if len(ob) >= 8 && len(ob) == OutboardSize(uint64(size)) {
				binary.LittleEndian.PutUint64(ob, uint64(size))
			}
		}
		err := VerifyChunks(root, uint64(size), useOb, uint64(off), piece)
		if err != nil {
			if !errors.Is(err, ErrBadData) && !errors.Is(err, ErrBadOutboard) {
				t.Fatalf("VerifyChunks() error %v wraps no sentinel", err)
			}
			return
		}
		// Accepted: genuine bytes at a well-formed range.
		if uint64(off) != lo || !bytes.Equal(piece, data[lo:hi]) {
			t.Fatalf("VerifyChunks accepted off %d, %d bytes (changed %v)", off, len(piece), !bytes.Equal(piece, data[lo:hi]))
		}
		if size > GroupSize && (off%GroupSize != 0 || len(piece) == 0 || (len(piece)%GroupSize != 0 && hi != uint64(size))) {
			t.Fatalf("VerifyChunks accepted a malformed range %d+%d of %d", off, len(piece), size)
		}
		if size <= GroupSize && (off != 0 || len(piece) != int(size)) {
			t.Fatalf("VerifyChunks accepted part %d+%d of a small blob of %d", off, len(piece), size)
		}
	})
}
