package blob

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"testing"

	"lukechampine.com/blake3/bao"
)

// testData returns size deterministic bytes that differ with seed.
func testData(seed byte, size int) []byte {
	b := make([]byte, size)
	x := uint32(seed)*2654435761 + 12345
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func encodeBytes(t testing.TB, data []byte) (Root, []byte) {
	t.Helper()
	root, ob, err := Encode(bytes.NewReader(data), uint64(len(data)))
	if err != nil {
		t.Fatalf("Encode(%d bytes) error %v", len(data), err)
	}
	return root, ob
}

var testSizes = []int{0, 1, 1023, 1024, GroupSize - 1, GroupSize, GroupSize + 1, 2 * GroupSize,
	3*GroupSize + 7, PieceSize - 1, PieceSize, PieceSize + 1, 5*PieceSize + 3*GroupSize + 100}

func TestEmptyRoot(t *testing.T) {
	// The BLAKE3 hash of no bytes, from the BLAKE3 test vectors.
	const want = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
	if got := Sum(nil).String(); got != want {
		t.Fatalf("Sum(nil) = %s, want %s", got, want)
	}
}

func TestEncode(t *testing.T) {
	for _, size := range testSizes {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			data := testData(1, size)
			root, ob := encodeBytes(t, data)
			if want := Sum(data); root != want {
				t.Fatalf("Encode root = %s, want Sum = %s", root, want)
			}
			if len(ob) != OutboardSize(uint64(size)) {
				t.Fatalf("len(outboard) = %d, want OutboardSize = %d", len(ob), OutboardSize(uint64(size)))
			}
			if size <= GroupSize {
				if ob != nil {
					t.Fatalf("outboard of a %d-byte blob = %d bytes, want none", size, len(ob))
				}
				return
			}
			if want := bao.EncodedSize(size, GroupLog, true); len(ob) != want {
				t.Fatalf("len(outboard) = %d, want bao.EncodedSize = %d", len(ob), want)
			}
			if !bao.VerifyBuf(data, ob, GroupLog, root) {
				t.Fatal("bao.VerifyBuf rejects the outboard")
			}
			if err := CheckOutboard(root, uint64(size), ob); err != nil {
				t.Fatalf("CheckOutboard() = %v, want nil", err)
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name string
		r    io.Reader
		size uint64
		want error
	}{
		{"too large", bytes.NewReader(nil), MaxSize + 1, ErrTooLarge},
		{"short small", bytes.NewReader(make([]byte, 10)), 11, io.ErrUnexpectedEOF},
		{"empty small", bytes.NewReader(nil), 11, io.ErrUnexpectedEOF},
		{"short large", bytes.NewReader(make([]byte, 3*GroupSize)), 4 * GroupSize, io.ErrUnexpectedEOF},
		{"empty large", bytes.NewReader(nil), 4 * GroupSize, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := Encode(tt.r, tt.size); !errors.Is(err, tt.want) {
				t.Fatalf("Encode() error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCheckOutboardRejects(t *testing.T) {
	data := testData(2, 37*GroupSize+5)
	size := uint64(len(data))
	root, ob := encodeBytes(t, data)
	// Every single-byte change anywhere in the outboard is caught.
	for i := range ob {
		bad := bytes.Clone(ob)
		bad[i] ^= 0x40
		if err := CheckOutboard(root, size, bad); !errors.Is(err, ErrBadOutboard) {
			t.Fatalf("CheckOutboard(byte %d flipped) = %v, want ErrBadOutboard", i, err)
		}
	}
	other := root
	other[0] ^= 1
	tests := []struct {
		name string
		root Root
		size uint64
		ob   []byte
		want error
	}{
		{"wrong root", other, size, ob, ErrBadOutboard},
		{"size one less", root, size - 1, ob, ErrBadOutboard},
		{"size one more", root, size + 1, ob, ErrBadOutboard},
		{"size one group less", root, size - GroupSize, ob, ErrBadOutboard},
		{"truncated", root, size, ob[:len(ob)-1], ErrBadOutboard},
		{"extended", root, size, append(bytes.Clone(ob), 0), ErrBadOutboard},
		{"nil", root, size, nil, ErrBadOutboard},
		{"small blob with outboard", Sum(data[:100]), 100, ob[:8], ErrBadOutboard},
		{"too large", root, MaxSize + 1, ob, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckOutboard(tt.root, tt.size, tt.ob); !errors.Is(err, tt.want) {
				t.Fatalf("CheckOutboard() = %v, want %v", err, tt.want)
			}
		})
	}
	if err := CheckOutboard(Sum(data[:100]), 100, nil); err != nil {
		t.Fatalf("CheckOutboard(small blob, no outboard) = %v, want nil", err)
	}
}

func TestVerifyChunks(t *testing.T) {
	for _, size := range testSizes {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			data := testData(3, size)
			root, ob := encodeBytes(t, data)
			for i := range Pieces(uint64(size)) {
				off, n := PieceSpan(uint64(size), i)
				piece := data[off : off+uint64(n)]
				if err := VerifyChunks(root, uint64(size), ob, off, piece); err != nil {
					t.Fatalf("VerifyChunks(piece %d) = %v, want nil", i, err)
				}
				bad := bytes.Clone(piece)
				bad[len(bad)/2] ^= 1
				if err := VerifyChunks(root, uint64(size), ob, off, bad); !errors.Is(err, ErrBadData) {
					t.Fatalf("VerifyChunks(piece %d, one bit flipped) = %v, want ErrBadData", i, err)
				}
			}
			if size <= GroupSize {
				return
			}
			// Every group on its own verifies too.
			for off := 0; off < size; off += GroupSize {
				end := min(off+GroupSize, size)
				if err := VerifyChunks(root, uint64(size), ob, uint64(off), data[off:end]); err != nil {
					t.Fatalf("VerifyChunks(group at %d) = %v, want nil", off, err)
				}
			}
		})
	}
}

func TestVerifyChunksRejects(t *testing.T) {
	data := testData(4, 3*PieceSize+GroupSize+10)
	size := uint64(len(data))
	root, ob := encodeBytes(t, data)
	small := data[:500]
	tests := []struct {
		name string
		root Root
		size uint64
		ob   []byte
		off  uint64
		data []byte
		want error
	}{
		{"empty", root, size, ob, 0, nil, ErrBadData},
		{"misaligned", root, size, ob, 1, data[1 : 1+GroupSize], ErrBadData},
		{"partial group mid-blob", root, size, ob, 0, data[:GroupSize+1], ErrBadData},
		{"past the end", root, size, ob, size + GroupSize - 10, data[size-10:], ErrBadData},
		{"at the end", root, size, ob, size - 10 + GroupSize, data[:GroupSize], ErrBadData},
		{"offset beyond", root, size, ob, 1 << 40, data[:GroupSize], ErrBadData},
		{"runs past the end", root, size, ob, size - 10 - GroupSize, append(bytes.Clone(data[size-10-GroupSize:]), 0), ErrBadData},
		{"wrong group", root, size, ob, GroupSize, data[:GroupSize], ErrBadData},
		{"last group short", root, size, ob, size - 10, data[size-10 : size-1], ErrBadData},
		{"outboard short", root, size, ob[:len(ob)-64], 0, data[:GroupSize], ErrBadOutboard},
		{"outboard header", root, size, append(binary.LittleEndian.AppendUint64(nil, size+1), ob[8:]...), 0, data[:GroupSize], ErrBadOutboard},
		{"wrong root", Sum(nil), size, ob, 0, data[:GroupSize], ErrBadData},
		{"too large", root, MaxSize + 1, ob, 0, data[:GroupSize], ErrTooLarge},
		{"small wrong", Sum(small), 500, nil, 0, data[1:501], ErrBadData},
		{"small partial", Sum(small), 500, nil, 0, small[:499], ErrBadData},
		{"small offset", Sum(small), 500, nil, 16, small, ErrBadData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := VerifyChunks(tt.root, tt.size, tt.ob, tt.off, tt.data); !errors.Is(err, tt.want) {
				t.Fatalf("VerifyChunks() = %v, want %v", err, tt.want)
			}
		})
	}
	if err := VerifyChunks(Sum(small), 500, nil, 0, small); err != nil {
		t.Fatalf("VerifyChunks(small blob) = %v, want nil", err)
	}
	if err := VerifyChunks(Sum(nil), 0, nil, 0, nil); err != nil {
		t.Fatalf("VerifyChunks(empty blob) = %v, want nil", err)
	}
}

func TestParseRoot(t *testing.T) {
	r := Sum([]byte("skein"))
	s := r.String()
	tests := []struct {
		in   string
		ok   bool
		want Root
	}{
		{s, true, r},
		{"af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", true, Sum(nil)},
		{"AF1349B9F5F9A1A6A0404DEA36DCC9499BCB25C9ADC112B7CC9A93CAE41F3262", false, Root{}},
		{s[:63], false, Root{}},
		{s + "0", false, Root{}},
		{"", false, Root{}},
		{"g" + s[1:], false, Root{}},
		{" " + s[1:], false, Root{}},
	}
	for _, tt := range tests {
		got, err := ParseRoot(tt.in)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("ParseRoot(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidRoot) {
			t.Errorf("ParseRoot(%q) error %v does not wrap ErrInvalidRoot", tt.in, err)
		}
	}
	if got := r.Short(); got != s[:8] {
		t.Errorf("Short() = %s, want %s", got, s[:8])
	}
	if r.IsZero() || !(Root{}).IsZero() {
		t.Error("IsZero wrong")
	}
}

func TestPieces(t *testing.T) {
	tests := []struct {
		size   uint64
		pieces int
		lastN  int
	}{
		{0, 0, 0},
		{1, 1, 1},
		{PieceSize - 1, 1, PieceSize - 1},
		{PieceSize, 1, PieceSize},
		{PieceSize + 1, 2, 1},
		{MaxSize, 256, PieceSize},
		{MaxSize - 5, 256, PieceSize - 5},
	}
	for _, tt := range tests {
		if got := Pieces(tt.size); got != tt.pieces {
			t.Errorf("Pieces(%d) = %d, want %d", tt.size, got, tt.pieces)
		}
		if tt.pieces == 0 {
			continue
		}
		off, n := PieceSpan(tt.size, tt.pieces-1)
		if off != uint64(tt.pieces-1)*PieceSize || n != tt.lastN {
			t.Errorf("PieceSpan(%d, last) = %d, %d; want %d, %d", tt.size, off, n, uint64(tt.pieces-1)*PieceSize, tt.lastN)
		}
		if _, n := PieceSpan(tt.size, tt.pieces); n != 0 {
			t.Errorf("PieceSpan(%d, %d) n = %d, want 0", tt.size, tt.pieces, n)
		}
		if _, n := PieceSpan(tt.size, -1); n != 0 {
			t.Errorf("PieceSpan(%d, -1) n = %d, want 0", tt.size, n)
		}
	}
	if got, want := OutboardSize(MaxSize), 8+64*(MaxSize/GroupSize-1); got != want {
		t.Errorf("OutboardSize(MaxSize) = %d, want %d", got, want)
	}
	if got := OutboardSize(MaxSize + 1); got != -1 {
		t.Errorf("OutboardSize(MaxSize+1) = %d, want -1", got)
	}
}

func TestBitfield(t *testing.T) {
	tests := []struct {
		n    int
		set  []int
		want []byte
		full bool
	}{
		{0, nil, []byte{}, true},
		{1, nil, []byte{0}, false},
		{1, []int{0}, []byte{0x80}, true},
		{8, []int{0, 7}, []byte{0x81}, false},
		{9, []int{0, 1, 2, 3, 4, 5, 6, 7, 8}, []byte{0xff, 0x80}, true},
		{10, []int{0, 1, 2, 3, 4, 5, 6, 7, 8}, []byte{0xff, 0x80}, false},
		{3, []int{-1, 8, 100, 2}, []byte{0x20}, false}, // beyond its bytes: ignored
	}
	for _, tt := range tests {
		b := NewBitfield(tt.n)
		for _, i := range tt.set {
			b.Set(i)
		}
		if !bytes.Equal(b, tt.want) {
			t.Errorf("NewBitfield(%d)+Set(%v) = %x, want %x", tt.n, tt.set, []byte(b), tt.want)
		}
		if got := b.Full(tt.n); got != tt.full {
			t.Errorf("Full(%d) of %x = %v, want %v", tt.n, []byte(b), got, tt.full)
		}
		count := 0
		for i := -1; i <= tt.n+8; i++ {
			if b.Has(i) {
				count++
			}
		}
		if b.Count() != count {
			t.Errorf("Count() = %d, want %d", b.Count(), count)
		}
		c := b.Clone()
		c.Set(0)
		c.Clear(0)
		if b.Has(0) && !bytes.Equal(c[1:], b[1:]) {
			t.Error("Clone shares memory")
		}
	}
	if NewBitfield(-3).Full(1) || Bitfield(nil).Has(0) {
		t.Error("empty bitfield claims bits")
	}
	if Bitfield(nil).Clone() != nil {
		t.Error("Clone(nil) != nil")
	}
}
