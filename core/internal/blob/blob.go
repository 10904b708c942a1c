package blob

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/bits"

	"lukechampine.com/blake3"
	"lukechampine.com/blake3/bao"
	"lukechampine.com/blake3/guts"
)

// Fixed sizes of the blob layer; doc.go explains them.
const (
	// GroupLog is the bao chunk-group parameter: a group is 2^GroupLog
	// BLAKE3 chunks of 1 KiB.
	GroupLog = 4
	// GroupSize is the unit of verification: 16 KiB. A blob of at most
	// GroupSize bytes has no outboard and is verified by its root alone.
	GroupSize = guts.ChunkSize << GroupLog
	// PieceSize is the unit of scheduling and requests: 256 KiB, 16
	// groups. The last piece of a blob may be short.
	PieceSize = 256 << 10
	// MaxSize is the size of the largest blob anywhere: 64 MiB.
	MaxSize = 64 << 20
)

// Errors returned by the package; callers branch on them with errors.Is.
var (
	// ErrBadData is returned when bytes do not hash to what the root and
	// outboard say, or are not a well-formed range of the blob.
	ErrBadData = errors.New("blob: data does not match its root")
	// ErrBadOutboard is returned for an outboard that is not the one of
	// the blob with the given root and size.
	ErrBadOutboard = errors.New("blob: outboard does not match its root")
	// ErrTooLarge is returned for a size above MaxSize.
	ErrTooLarge = errors.New("blob: larger than the largest blob allowed")
	// ErrInvalidRoot is returned by ParseRoot for text that is not 64
	// lowercase hex digits.
	ErrInvalidRoot = errors.New("blob: invalid root")
)

// Root identifies a blob: the 32-byte BLAKE3 hash of its bytes, which is
// also the root of its bao tree.
type Root [32]byte

// Sum returns the Root of data.
func Sum(data []byte) Root { return blake3.Sum256(data) }

// ParseRoot parses the text form of a root: 64 lowercase hex digits.
func ParseRoot(s string) (Root, error) {
	var r Root
	if len(s) != 2*len(r) {
		return r, fmt.Errorf("%w: want %d hex digits, got %d characters", ErrInvalidRoot, 2*len(r), len(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return r, fmt.Errorf("%w: want lowercase hex digits", ErrInvalidRoot)
		}
	}
	if _, err := hex.Decode(r[:], []byte(s)); err != nil {
		return r, fmt.Errorf("%w: %v", ErrInvalidRoot, err)
	}
	return r, nil
}

// String returns r as 64 lowercase hex digits.
func (r Root) String() string {
	var buf [64]byte
	hex.Encode(buf[:], r[:])
	return string(buf[:])
}

// Short returns the first 8 hex digits of r, for display and logs.
func (r Root) Short() string { return hex.EncodeToString(r[:4]) }

// IsZero reports whether r is all zeros (no blob).
func (r Root) IsZero() bool { return r == Root{} }

// Pieces returns the number of pieces of a blob of size bytes: 0 for an
// empty blob.
func Pieces(size uint64) int {
	return int((size + PieceSize - 1) / PieceSize)
}

// PieceSpan returns the byte range of piece i of a blob of size bytes:
// offset off and length n. It returns n = 0 for an i out of range.
func PieceSpan(size uint64, i int) (off uint64, n int) {
	if i < 0 || i >= Pieces(size) {
		return 0, 0
	}
	off = uint64(i) * PieceSize
	return off, int(min(size-off, PieceSize))
}

// groups returns the number of chunk groups of a blob of size bytes (at
// least 1: the empty blob is one empty group).
func groups(size uint64) uint64 {
	if size == 0 {
		return 1
	}
	return (size + GroupSize - 1) / GroupSize
}

// OutboardSize returns the length of the outboard of a blob of size bytes:
// an 8-byte little-endian length header and 64 bytes per parent node of
// the tree, 0 when size <= GroupSize (no outboard). It returns -1 for a
// size above MaxSize.
func OutboardSize(size uint64) int {
	if size > MaxSize {
		return -1
	}
	if size <= GroupSize {
		return 0
	}
	return 8 + 64*int(groups(size)-1)
}

// Encode reads exactly size bytes from r and returns their root and
// outboard (nil when size <= GroupSize). It returns an error wrapping
// ErrTooLarge for a size above MaxSize, and io.ErrUnexpectedEOF if r ends
// early.
func Encode(r io.Reader, size uint64) (Root, []byte, error) {
	if size > MaxSize {
		return Root{}, nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, size)
	}
	if size <= GroupSize {
		buf := make([]byte, size)
		if _, err := io.ReadFull(r, buf); err != nil {
			return Root{}, nil, eofErr(err)
		}
		return Sum(buf), nil, nil
	}
	ob := make([]byte, OutboardSize(size))
	root, err := bao.Encode(writerAt(ob), r, int64(size), GroupLog, true)
	if err != nil {
		return Root{}, nil, eofErr(err)
	}
	return root, ob, nil
}

func eofErr(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// writerAt is an io.WriterAt over a slice already of the right length.
type writerAt []byte

func (w writerAt) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(w)) || len(p) > len(w)-int(off) {
		return 0, errors.New("blob: outboard write out of range")
	}
	return copy(w[off:], p), nil
}

// CheckOutboard checks that ob is the outboard of the blob with the given
// root and size: its length and length header match size, and every
// parent node hashes, with its children's chaining values, to the value
// its parent (or the root) holds. After it succeeds, a chunk group that
// fails VerifyChunks is always the data's fault, never the outboard's. A
// blob of at most GroupSize bytes has an empty outboard. Errors wrap
// ErrBadOutboard or ErrTooLarge.
func CheckOutboard(root Root, size uint64, ob []byte) error {
	if size > MaxSize {
		return fmt.Errorf("%w: %d bytes", ErrTooLarge, size)
	}
	want := OutboardSize(size)
	if len(ob) != want {
		return fmt.Errorf("%w: %d bytes, want %d", ErrBadOutboard, len(ob), want)
	}
	if want == 0 {
		return nil
	}
	if binary.LittleEndian.Uint64(ob) != size {
		return fmt.Errorf("%w: length header %d, want %d", ErrBadOutboard, binary.LittleEndian.Uint64(ob), size)
	}
	nodes := ob[8:]
	// Pre-order walk: each parent is its two children's chaining values,
	// followed by the left subtree's parents, then the right's.
	var rec func(cv [8]uint32, span uint64, flags uint32) bool
	rec = func(cv [8]uint32, span uint64, flags uint32) bool {
		if span <= GroupSize {
			return true // a leaf: checked against the data later
		}
		l, r := bytesToCV(nodes[:32]), bytesToCV(nodes[32:64])
		nodes = nodes[64:]
		if guts.ChainingValue(guts.ParentNode(l, r, &guts.IV, flags)) != cv {
			return false
		}
		mid := uint64(1) << (bits.Len64(span-1) - 1)
		return rec(l, mid, 0) && rec(r, span-mid, 0)
	}
	if !rec(bytesToCV(root[:]), size, guts.FlagRoot) {
		return fmt.Errorf("%w: a parent node does not hash to its parent", ErrBadOutboard)
	}
	return nil
}

// VerifyChunks verifies data, the bytes of the blob at offset off, against
// the root and an outboard already checked with CheckOutboard. off must be
// a multiple of GroupSize and data a whole number of groups or reach the
// end of the blob exactly. For a blob of at most GroupSize bytes, off is 0,
// data the whole blob and ob empty: data is checked with Sum. Errors wrap
// ErrBadData (or ErrBadOutboard for an outboard of the wrong length).
func VerifyChunks(root Root, size uint64, ob []byte, off uint64, data []byte) error {
	if size > MaxSize {
		return fmt.Errorf("%w: %d bytes", ErrTooLarge, size)
	}
	if size <= GroupSize {
		if off != 0 || uint64(len(data)) != size {
			return fmt.Errorf("%w: a blob of %d bytes is verified whole", ErrBadData, size)
		}
		if Sum(data) != root {
			return ErrBadData
		}
		return nil
	}
	if len(ob) != OutboardSize(size) {
		return fmt.Errorf("%w: %d bytes, want %d", ErrBadOutboard, len(ob), OutboardSize(size))
	}
	if binary.LittleEndian.Uint64(ob) != size {
		return fmt.Errorf("%w: length header does not match the size", ErrBadOutboard)
	}
	n := uint64(len(data))
	switch {
	case off%GroupSize != 0:
		return fmt.Errorf("%w: offset %d is not a multiple of %d", ErrBadData, off, GroupSize)
	case n == 0 || off >= size || n > size-off:
		return fmt.Errorf("%w: range %d+%d outside the blob of %d bytes", ErrBadData, off, n, size)
	case n%GroupSize != 0 && off+n != size:
		return fmt.Errorf("%w: %d bytes is neither whole groups nor the end of the blob", ErrBadData, n)
	}
	if !bao.VerifyChunk(data, ob, GroupLog, off, root) {
		return fmt.Errorf("%w: bytes %d+%d", ErrBadData, off, n)
	}
	return nil
}

func bytesToCV(b []byte) (cv [8]uint32) {
	_ = b[31]
	for i := range cv {
		cv[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return cv
}
