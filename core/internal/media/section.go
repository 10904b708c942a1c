package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// AppendSection appends to body, the text of a post or a reply's parent
// and text, the media section: 0x00, the number of descriptors (1 byte),
// then each descriptor as its length (2 bytes, big-endian) and its Bytes.
// It appends nothing when ds is empty. The caller checks the descriptors
// (an entry with a section ParseSection refuses is itself refused).
func AppendSection(body []byte, ds []Descriptor) []byte {
	if len(ds) == 0 {
		return body
	}
	return appendList(append(body, 0), ds)
}

// appendList appends the number of descriptors (1 byte), then each as its
// length (2 bytes, big-endian) and its Bytes.
func appendList(b []byte, ds []Descriptor) []byte {
	b = append(b, byte(len(ds)))
	for _, d := range ds {
		e := d.Bytes()
		b = binary.BigEndian.AppendUint16(b, uint16(len(e)))
		b = append(b, e...)
	}
	return b
}

// SplitSection splits a post's text (or a reply's, after its parent) at
// the first 0x00: text is what comes before it, section what comes after.
// ok reports whether there was a 0x00; if not, text is all of body.
func SplitSection(body []byte) (text, section []byte, ok bool) {
	i := bytes.IndexByte(body, 0)
	if i < 0 {
		return body, nil, false
	}
	return body[:i], body[i+1:], true
}

// ParseSection decodes and validates a media section, the bytes after the
// 0x00: 1 to MaxPerPost descriptors, each canonical, passing Check and of
// an ImageType, filling the section exactly.
func ParseSection(section []byte) ([]Descriptor, error) {
	if len(section) == 0 {
		return nil, fmt.Errorf("%w: empty media section", ErrInvalid)
	}
	n := int(section[0])
	if n == 0 || n > MaxPerPost {
		return nil, fmt.Errorf("%w: %d media items, want 1 to %d", ErrInvalid, n, MaxPerPost)
	}
	ds, rest, err := parseList(section[1:], n)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the media section", ErrInvalid, len(rest))
	}
	for i, d := range ds {
		if !ImageType(d.Type) {
			return nil, fmt.Errorf("%w: media item %d is of type %q: posts carry only images", ErrInvalid, i+1, clip(d.Type))
		}
	}
	return ds, nil
}

// parseList decodes n length-prefixed descriptors from the start of b,
// each canonical and passing Check, and returns them and the bytes after
// them.
func parseList(b []byte, n int) ([]Descriptor, []byte, error) {
	ds := make([]Descriptor, 0, n)
	for i := range n {
		if len(b) < 2 {
			return nil, nil, fmt.Errorf("%w: media item %d: length header of %d bytes", ErrInvalid, i+1, len(b))
		}
		m := int(binary.BigEndian.Uint16(b))
		if m > MaxDescriptor || 2+m > len(b) {
			return nil, nil, fmt.Errorf("%w: media item %d of %d bytes overruns its list or the limit %d", ErrInvalid, i+1, m, MaxDescriptor)
		}
		d, err := ParseDescriptor(b[2 : 2+m])
		if err == nil {
			err = d.Check()
		}
		if err != nil {
			return nil, nil, fmt.Errorf("media item %d: %w", i+1, err)
		}
		ds = append(ds, d)
		b = b[2+m:]
	}
	return ds, b, nil
}
