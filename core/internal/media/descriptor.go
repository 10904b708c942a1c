package media

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/skein-p2p/skein/core/internal/blob"
)

// Descriptor tags. Tags 1 to 3 are always present; the others are left
// out when their field is zero. Tags this version does not know are kept
// in Unknown.
const (
	tagRoot     = 1
	tagSize     = 2
	tagType     = 3
	tagWidth    = 4
	tagHeight   = 5
	tagAlt      = 6
	tagThumb    = 7
	tagBlurhash = 8
	tagSHA256   = 9
	tagName     = 10
	lastTag     = tagName
)

// Descriptor names one blob and says how to show it: what a post, a
// profile or an album carries for each image or file.
type Descriptor struct {
	// Root is the blob's BLAKE3 root; Size its length in bytes.
	Root blob.Root
	Size uint64
	// Type is the blob's MIME type, one AllowedType accepts.
	Type string
	// Width and Height are the image's pixel dimensions; 0 is unknown.
	Width, Height uint16
	// Alt is the alt text: at most MaxAltChars code points and 2000
	// bytes of UTF-8.
	Alt string
	// Thumb is the root of a thumbnail blob of ThumbSize bytes (1 to
	// MaxThumbSize); a zero Thumb means none, with ThumbSize 0.
	Thumb     blob.Root
	ThumbSize uint32
	// Blurhash is a placeholder: a blurhash of at most 64 characters, or
	// empty.
	Blurhash string
	// SHA256 is the SHA-256 of the blob, for bridging to other systems
	// only; all zero means absent. Nothing verifies transfers with it.
	SHA256 [32]byte
	// Name is a file name: at most 255 bytes of UTF-8, without '/', '\\'
	// or control characters, and not "." or "..". Album items have one.
	Name string
	// Unknown holds the fields this version does not know, as encoded
	// (tag, length, value), in tag order. Bytes keeps them.
	Unknown []byte
}

// Bytes encodes d as a list of fields in ascending tag order, each a tag
// (1 byte), a value length (2 bytes, big-endian) and the value. Root, size
// and type are always present; the other fields only when not zero.
// Unknown fields are merged in by tag.
func (d Descriptor) Bytes() []byte {
	b := make([]byte, 0, 64+len(d.Type)+len(d.Alt)+len(d.Blurhash)+len(d.Name)+len(d.Unknown))
	unknown := d.Unknown
	flush := func(t byte) {
		for len(unknown) >= 3 && unknown[0] < t {
			n := min(3+int(binary.BigEndian.Uint16(unknown[1:])), len(unknown))
			b = append(b, unknown[:n]...)
			unknown = unknown[n:]
		}
	}
	field := func(t byte, v []byte) {
		flush(t)
		b = append(b, t)
		b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
		b = append(b, v...)
	}
	field(tagRoot, d.Root[:])
	field(tagSize, binary.BigEndian.AppendUint64(nil, d.Size))
	field(tagType, []byte(d.Type))
	if d.Width != 0 {
		field(tagWidth, binary.BigEndian.AppendUint16(nil, d.Width))
	}
	if d.Height != 0 {
		field(tagHeight, binary.BigEndian.AppendUint16(nil, d.Height))
	}
	if d.Alt != "" {
		field(tagAlt, []byte(d.Alt))
	}
	if !d.Thumb.IsZero() {
		field(tagThumb, binary.BigEndian.AppendUint32(d.Thumb[:len(d.Thumb):len(d.Thumb)], d.ThumbSize))
	}
	if d.Blurhash != "" {
		field(tagBlurhash, []byte(d.Blurhash))
	}
	if d.SHA256 != ([32]byte{}) {
		field(tagSHA256, d.SHA256[:])
	}
	if d.Name != "" {
		field(tagName, []byte(d.Name))
	}
	return append(b, unknown...)
}

// fixedLen is the exact value length of each fixed-width tag.
var fixedLen = [lastTag + 1]int{
	tagRoot:   len(blob.Root{}),
	tagSize:   8,
	tagWidth:  2,
	tagHeight: 2,
	tagThumb:  len(blob.Root{}) + 4,
	tagSHA256: 32,
}

// ParseDescriptor decodes b, at most MaxDescriptor bytes, into a
// Descriptor. The encoding must be canonical, the one Bytes makes: tags
// ascending, each at most once, fixed-width fields of their exact length,
// tags 1 to 3 present, the optional fields not zero, every field within b.
// It does not check the limits; call Check for them.
func ParseDescriptor(b []byte) (Descriptor, error) {
	var d Descriptor
	if len(b) > MaxDescriptor {
		return d, fmt.Errorf("%w: descriptor of %d bytes, limit %d", ErrInvalid, len(b), MaxDescriptor)
	}
	last, seen := -1, 0
	for rest := b; len(rest) > 0; {
		if len(rest) < 3 {
			return Descriptor{}, fmt.Errorf("%w: descriptor field header of %d bytes", ErrInvalid, len(rest))
		}
		t := rest[0]
		n := int(binary.BigEndian.Uint16(rest[1:]))
		if 3+n > len(rest) {
			return Descriptor{}, fmt.Errorf("%w: descriptor field %d of %d bytes overruns the descriptor", ErrInvalid, t, n)
		}
		if int(t) <= last {
			return Descriptor{}, fmt.Errorf("%w: descriptor field %d after field %d: tags must ascend", ErrInvalid, t, last)
		}
		last = int(t)
		f, v := rest[:3+n], rest[3:3+n]
		rest = rest[3+n:]
		if t > lastTag || t == 0 {
			d.Unknown = append(d.Unknown, f...)
			continue
		}
		seen |= 1 << t
		if w := fixedLen[t]; w != 0 && n != w {
			return Descriptor{}, fmt.Errorf("%w: descriptor field %d of %d bytes, want %d", ErrInvalid, t, n, w)
		}
		if n == 0 && t != tagType {
			return Descriptor{}, fmt.Errorf("%w: empty descriptor field %d: leave it out", ErrInvalid, t)
		}
		switch t {
		case tagRoot:
			copy(d.Root[:], v)
		case tagSize:
			d.Size = binary.BigEndian.Uint64(v)
		case tagType:
			d.Type = string(v)
		case tagWidth:
			d.Width = binary.BigEndian.Uint16(v)
		case tagHeight:
			d.Height = binary.BigEndian.Uint16(v)
		case tagAlt:
			d.Alt = string(v)
		case tagThumb:
			copy(d.Thumb[:], v)
			d.ThumbSize = binary.BigEndian.Uint32(v[len(d.Thumb):])
		case tagBlurhash:
			d.Blurhash = string(v)
		case tagSHA256:
			copy(d.SHA256[:], v)
		case tagName:
			d.Name = string(v)
		}
		// A zero optional field is left out by Bytes, so sending one is
		// not canonical.
		zero := t == tagWidth && d.Width == 0 || t == tagHeight && d.Height == 0 ||
			t == tagThumb && d.Thumb.IsZero() || t == tagSHA256 && d.SHA256 == [32]byte{}
		if zero {
			return Descriptor{}, fmt.Errorf("%w: zero descriptor field %d: leave it out", ErrInvalid, t)
		}
	}
	for _, t := range []int{tagRoot, tagSize, tagType} {
		if seen&(1<<t) == 0 {
			return Descriptor{}, fmt.Errorf("%w: descriptor lacks field %d", ErrInvalid, t)
		}
	}
	return d, nil
}

// Check validates d's limits: a non-zero root; a size of 1 to
// blob.MaxSize; a type AllowedType accepts; a thumbnail root with a size
// of 1 to MaxThumbSize, or neither; alt text, blurhash and name within
// their rules; well-formed unknown fields of unknown tags; and an encoding
// of at most MaxDescriptor bytes.
func (d Descriptor) Check() error {
	switch {
	case d.Root.IsZero():
		return fmt.Errorf("%w: zero root", ErrInvalid)
	case d.Size == 0 || d.Size > blob.MaxSize:
		return fmt.Errorf("%w: size %d, want 1 to %d bytes", ErrInvalid, d.Size, blob.MaxSize)
	case !AllowedType(d.Type):
		return fmt.Errorf("%w: type %q is not allowed", ErrInvalid, clip(d.Type))
	case d.Thumb.IsZero() && d.ThumbSize != 0:
		return fmt.Errorf("%w: thumbnail size %d without a thumbnail", ErrInvalid, d.ThumbSize)
	case !d.Thumb.IsZero() && (d.ThumbSize == 0 || d.ThumbSize > MaxThumbSize):
		return fmt.Errorf("%w: thumbnail of %d bytes, want 1 to %d", ErrInvalid, d.ThumbSize, MaxThumbSize)
	}
	if err := checkAlt(d.Alt); err != nil {
		return err
	}
	if d.Blurhash != "" && !validBlurhash(d.Blurhash) {
		return fmt.Errorf("%w: blurhash %q is not valid", ErrInvalid, clip(d.Blurhash))
	}
	if d.Name != "" {
		if err := CheckName(d.Name); err != nil {
			return err
		}
	}
	if err := checkUnknown(d.Unknown); err != nil {
		return err
	}
	if n := len(d.Bytes()); n > MaxDescriptor {
		return fmt.Errorf("%w: descriptor of %d bytes, limit %d", ErrInvalid, n, MaxDescriptor)
	}
	return nil
}

// checkAlt validates alt text: UTF-8 of at most MaxAltChars code points
// and maxAltBytes bytes.
func checkAlt(alt string) error {
	switch {
	case len(alt) > maxAltBytes:
		return fmt.Errorf("%w: alt text of %d bytes, limit %d", ErrInvalid, len(alt), maxAltBytes)
	case !utf8.ValidString(alt):
		return fmt.Errorf("%w: alt text is not valid UTF-8", ErrInvalid)
	case utf8.RuneCountInString(alt) > MaxAltChars:
		return fmt.Errorf("%w: alt text of %d characters, limit %d", ErrInvalid, utf8.RuneCountInString(alt), MaxAltChars)
	}
	return nil
}

// CheckName validates a file name: 1 to 255 bytes of UTF-8 without '/',
// '\\', NUL or other control characters, and not "." or "..".
func CheckName(name string) error {
	switch {
	case name == "" || len(name) > maxNameBytes:
		return fmt.Errorf("%w: file name of %d bytes, want 1 to %d", ErrInvalid, len(name), maxNameBytes)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: file name is not valid UTF-8", ErrInvalid)
	case name == "." || name == "..":
		return fmt.Errorf("%w: file name %q", ErrInvalid, name)
	}
	for _, r := range name {
		switch {
		case r == '/' || r == '\\' || r < 0x20 || r == 0x7f || 0x80 <= r && r < 0xa0:
			return fmt.Errorf("%w: file name %q holds %q: leave out slashes and control characters", ErrInvalid, clip(name), r)
		case r == 0x200e || r == 0x200f || 0x202a <= r && r <= 0x202e || 0x2066 <= r && r <= 0x2069:
			// A bidi control shows photo\u202egpj.exe as photoexe.jpg.
			return fmt.Errorf("%w: file name %q holds the bidirectional control %U", ErrInvalid, clip(name), r)
		case strings.ContainsRune(`:*?"<>|`, r):
			return fmt.Errorf("%w: file name %q holds %q, which some systems do not allow in file names", ErrInvalid, clip(name), r)
		}
	}
	if strings.HasSuffix(name, ".") || strings.HasSuffix(name, " ") {
		return fmt.Errorf("%w: file name %q ends with a dot or a space, which some systems drop", ErrInvalid, clip(name))
	}
	base := strings.ToUpper(name)
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	if windowsReserved(base) {
		return fmt.Errorf("%w: file name %q is reserved on Windows", ErrInvalid, clip(name))
	}
	return nil
}

// windowsReserved reports whether base (upper case, without extension) is
// a device name Windows reserves.
func windowsReserved(base string) bool {
	switch base {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	return len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) && '1' <= base[3] && base[3] <= '9'
}

// checkUnknown validates unknown fields: a well-formed list of fields in
// strictly ascending order, of tags this version does not know.
func checkUnknown(u []byte) error {
	last := -1
	for rest := u; len(rest) > 0; {
		if len(rest) < 3 {
			return fmt.Errorf("%w: unknown field header of %d bytes", ErrInvalid, len(rest))
		}
		t := rest[0]
		n := 3 + int(binary.BigEndian.Uint16(rest[1:]))
		switch {
		case n > len(rest):
			return fmt.Errorf("%w: unknown field %d overruns", ErrInvalid, t)
		case int(t) <= last:
			return fmt.Errorf("%w: unknown field %d after %d: tags must ascend", ErrInvalid, t, last)
		case 1 <= t && t <= lastTag:
			return fmt.Errorf("%w: unknown field of known tag %d", ErrInvalid, t)
		}
		last = int(t)
		rest = rest[n:]
	}
	return nil
}

// clip returns s cut to 40 bytes, for error messages.
func clip(s string) string {
	if len(s) > 40 {
		s = s[:40]
		for !utf8.ValidString(s) && len(s) > 0 {
			s = s[:len(s)-1]
		}
		return s + "…"
	}
	return s
}
