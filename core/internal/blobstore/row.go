package blobstore

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/skein-p2p/skein/core/internal/blob"
	"github.com/skein-p2p/skein/core/internal/store"
)

// The row of a blob in the KV: key the 32-byte root, value
//
//	version  1 byte, rowVersion
//	flags    1 byte: flagComplete, flagOutboard, flagInline
//	tier     1 byte: the Tier set by Add, Begin or SetTier
//	pins     4 bytes big-endian: the Pin reference count
//	size     8 bytes big-endian
//	added    8 bytes big-endian: Unix milliseconds
//	used     8 bytes big-endian: Unix milliseconds of the last Touch
//	have     (Pieces(size)+7)/8 bytes: the durable, verified pieces
//	data     size bytes, only with flagInline: the whole blob
const (
	rowVersion = 1
	rowHeader  = 31

	flagComplete = 1 << 0 // every piece held and durable
	flagOutboard = 1 << 1 // <hex>.obao written, synced and checked
	flagInline   = 1 << 2 // a small blob kept whole in the row, no files
	flagsKnown   = flagComplete | flagOutboard | flagInline
)

// meta is the in-memory form of a row.
type meta struct {
	size     uint64
	tier     Tier
	pins     uint32
	complete bool
	obOK     bool
	have     blob.Bitfield
	added    int64 // Unix ms
	used     int64 // Unix ms
	inline   []byte
}

// effTier returns the tier m is evicted as: own stays own, any pin makes
// it pinned.
func (m *meta) effTier() Tier {
	if m.tier == TierOwn {
		return TierOwn
	}
	if m.pins > 0 {
		return TierPinned
	}
	return m.tier
}

// haveBytes returns the bytes of m held on disk (or inline).
func (m *meta) haveBytes() int64 {
	if m.complete {
		return int64(m.size)
	}
	var n int64
	for i := range blob.Pieces(m.size) {
		if m.have.Has(i) {
			_, k := blob.PieceSpan(m.size, i)
			n += int64(k)
		}
	}
	return n
}

func (m *meta) encode() []byte {
	b := make([]byte, rowHeader, rowHeader+len(m.have)+len(m.inline))
	b[0] = rowVersion
	var f byte
	if m.complete {
		f |= flagComplete
	}
	if m.obOK {
		f |= flagOutboard
	}
	if m.inline != nil {
		f |= flagInline
	}
	b[1] = f
	b[2] = byte(m.tier)
	binary.BigEndian.PutUint32(b[3:], m.pins)
	binary.BigEndian.PutUint64(b[7:], m.size)
	binary.BigEndian.PutUint64(b[15:], uint64(m.added))
	binary.BigEndian.PutUint64(b[23:], uint64(m.used))
	b = append(b, m.have...)
	return append(b, m.inline...)
}

// decodeRow parses a row, checking every field: the KV is ours, but a
// row that does not decode is dropped, never trusted.
func decodeRow(b []byte) (*meta, error) {
	if len(b) < rowHeader || b[0] != rowVersion {
		return nil, fmt.Errorf("%w: blob row of %d bytes, version %d", store.ErrCorrupt, len(b), firstByte(b))
	}
	f := b[1]
	m := &meta{
		tier:     Tier(b[2]),
		pins:     binary.BigEndian.Uint32(b[3:]),
		size:     binary.BigEndian.Uint64(b[7:]),
		added:    int64(binary.BigEndian.Uint64(b[15:])),
		used:     int64(binary.BigEndian.Uint64(b[23:])),
		complete: f&flagComplete != 0,
		obOK:     f&flagOutboard != 0,
	}
	if f&^flagsKnown != 0 || m.tier > TierOwn || m.size > blob.MaxSize {
		return nil, fmt.Errorf("%w: blob row flags %#x, tier %d, size %d", store.ErrCorrupt, f, m.tier, m.size)
	}
	n := blob.Pieces(m.size)
	rest := b[rowHeader:]
	if len(rest) < (n+7)/8 {
		return nil, fmt.Errorf("%w: blob row bitfield short", store.ErrCorrupt)
	}
	m.have = blob.Bitfield(append([]byte(nil), rest[:(n+7)/8]...))
	if r := n % 8; r != 0 && m.have[n/8]<<r != 0 {
		return nil, fmt.Errorf("%w: blob row bitfield has bits past the last piece", store.ErrCorrupt)
	}
	rest = rest[(n+7)/8:]
	if f&flagInline != 0 {
		if m.size > blob.GroupSize || uint64(len(rest)) != m.size || !m.complete {
			return nil, fmt.Errorf("%w: inline blob row of %d bytes for size %d", store.ErrCorrupt, len(rest), m.size)
		}
		m.inline = append([]byte{}, rest...)
	} else if len(rest) != 0 {
		return nil, fmt.Errorf("%w: blob row has %d trailing bytes", store.ErrCorrupt, len(rest))
	}
	if m.complete && !m.have.Full(n) {
		return nil, fmt.Errorf("%w: complete blob row without every piece", store.ErrCorrupt)
	}
	return m, nil
}

func firstByte(b []byte) int {
	if len(b) == 0 {
		return -1
	}
	return int(b[0])
}

func unixMs(t time.Time) int64 { return t.UnixMilli() }
