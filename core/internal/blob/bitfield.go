package blob

import "math/bits"

// Bitfield records which pieces of a blob are held: bit i, counted from the
// most significant bit of byte i/8, is piece i. A Bitfield of n pieces is
// (n+7)/8 bytes long. Methods never panic on an index out of range: Has
// reports false and Set does nothing.
type Bitfield []byte

// NewBitfield returns an empty Bitfield for n pieces.
func NewBitfield(n int) Bitfield {
	if n < 0 {
		n = 0
	}
	return make(Bitfield, (n+7)/8)
}

// Has reports whether bit i is set.
func (b Bitfield) Has(i int) bool {
	if i < 0 || i/8 >= len(b) {
		return false
	}
	return b[i/8]&(0x80>>(i%8)) != 0
}

// Set sets bit i.
func (b Bitfield) Set(i int) {
	if i < 0 || i/8 >= len(b) {
		return
	}
	b[i/8] |= 0x80 >> (i % 8)
}

// Clear clears bit i.
func (b Bitfield) Clear(i int) {
	if i < 0 || i/8 >= len(b) {
		return
	}
	b[i/8] &^= 0x80 >> (i % 8)
}

// Count returns the number of bits set.
func (b Bitfield) Count() int {
	n := 0
	for _, x := range b {
		n += bits.OnesCount8(x)
	}
	return n
}

// Clone returns a copy of b.
func (b Bitfield) Clone() Bitfield {
	if b == nil {
		return nil
	}
	return append(Bitfield(make([]byte, 0, len(b))), b...)
}

// Full reports whether bits 0 to n-1 are all set.
func (b Bitfield) Full(n int) bool {
	if n < 0 || (n+7)/8 > len(b) {
		return false
	}
	for i := 0; i < n/8; i++ {
		if b[i] != 0xff {
			return false
		}
	}
	if r := n % 8; r != 0 {
		mask := byte(0xff) << (8 - r)
		return b[n/8]&mask == mask
	}
	return true
}
