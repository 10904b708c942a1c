package chatlog

import (
	"encoding/binary"
	"fmt"
)

// tlvReader reads a canonical TLV sequence: a tag byte, a minimal uvarint
// length and the value, tags strictly ascending.
type tlvReader struct {
	b    []byte
	last byte // the previous tag; 0 before the first
}

// next returns the next field; done is true at the end of the input. A
// tag not above the previous one, a non-minimal or overlong length, or a
// value past the end is ErrMalformed. Values alias the input.
func (r *tlvReader) next() (tag byte, val []byte, done bool, err error) {
	if len(r.b) == 0 {
		return 0, nil, true, nil
	}
	tag = r.b[0]
	if tag <= r.last {
		return 0, nil, false, fmt.Errorf("%w: tag %d after tag %d: tags must be strictly ascending", ErrMalformed, tag, r.last)
	}
	n, k := binary.Uvarint(r.b[1:])
	if k <= 0 {
		return 0, nil, false, fmt.Errorf("%w: tag %d: bad length", ErrMalformed, tag)
	}
	if k != uvarintLen(n) {
		return 0, nil, false, fmt.Errorf("%w: tag %d: non-minimal length", ErrMalformed, tag)
	}
	rest := r.b[1+k:]
	if n > uint64(len(rest)) {
		return 0, nil, false, fmt.Errorf("%w: tag %d: length %d past the end", ErrMalformed, tag, n)
	}
	r.last = tag
	r.b = rest[n:]
	return tag, rest[:n], false, nil
}

// uvarintLen returns the size of n's minimal uvarint encoding.
func uvarintLen(n uint64) int {
	k := 1
	for n >= 0x80 {
		n >>= 7
		k++
	}
	return k
}

// appendField appends one TLV field.
func appendField(b []byte, tag byte, val []byte) []byte {
	b = append(b, tag)
	b = binary.AppendUvarint(b, uint64(len(val)))
	return append(b, val...)
}

// fixed checks that a fixed-size field has its size and is not all zero.
func fixed(tag byte, val []byte, size int) error {
	if len(val) != size {
		return fmt.Errorf("%w: tag %d: %d bytes, want %d", ErrMalformed, tag, len(val), size)
	}
	for _, c := range val {
		if c != 0 {
			return nil
		}
	}
	return fmt.Errorf("%w: tag %d: a zero value must be left out", ErrMalformed, tag)
}
