package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core/internal/blob"
)

// photo returns a full, valid image descriptor.
func photo() Descriptor {
	var sha [32]byte
	sha[0] = 0xaa
	return Descriptor{
		Root:      blob.Sum([]byte("photo")),
		Size:      123456,
		Type:      TypeJPEG,
		Width:     4000,
		Height:    3000,
		Alt:       "a cat on a chair",
		Thumb:     blob.Sum([]byte("thumb")),
		ThumbSize: 9000,
		Blurhash:  "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
		SHA256:    sha,
		Name:      "cat.jpg",
	}
}

// minimal returns a descriptor with only the required fields.
func minimal() Descriptor {
	return Descriptor{Root: blob.Sum([]byte("x")), Size: 1, Type: TypePNG}
}

func TestDescriptorRoundTrip(t *testing.T) {
	withUnknown := photo()
	withUnknown.Unknown = []byte{0, 0, 1, 7, 11, 0, 0, 200, 0, 2, 0xca, 0xfe}
	for _, tt := range []struct {
		name string
		d    Descriptor
	}{
		{"full", photo()},
		{"minimal", minimal()},
		{"unknown fields", withUnknown},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.d.Check(); err != nil {
				t.Fatalf("Check() = %v", err)
			}
			b := tt.d.Bytes()
			got, err := ParseDescriptor(b)
			if err != nil {
				t.Fatalf("ParseDescriptor(Bytes()) = %v", err)
			}
			if !bytes.Equal(got.Bytes(), b) || got.Alt != tt.d.Alt || got.Thumb != tt.d.Thumb || got.ThumbSize != tt.d.ThumbSize ||
				got.Name != tt.d.Name || got.SHA256 != tt.d.SHA256 || !bytes.Equal(got.Unknown, tt.d.Unknown) {
				t.Errorf("ParseDescriptor(Bytes()) = %+v, want %+v", got, tt.d)
			}
		})
	}
}

// tlv encodes one descriptor field.
func tlv(tag byte, v []byte) []byte {
	return append(binary.BigEndian.AppendUint16([]byte{tag}, uint16(len(v))), v...)
}

func TestParseDescriptorRefuses(t *testing.T) {
	root := blob.Sum([]byte("x"))
	size := binary.BigEndian.AppendUint64(nil, 5)
	head := append(append(tlv(1, root[:]), tlv(2, size)...), tlv(3, []byte(TypePNG))...)
	cat := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }
	for _, tt := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"no root", cat(tlv(2, size), tlv(3, []byte(TypePNG)))},
		{"no size", cat(tlv(1, root[:]), tlv(3, []byte(TypePNG)))},
		{"no type", cat(tlv(1, root[:]), tlv(2, size))},
		{"short root", cat(tlv(1, root[:31]), tlv(2, size), tlv(3, []byte(TypePNG)))},
		{"descending", cat(tlv(2, size), tlv(1, root[:]), tlv(3, []byte(TypePNG)))},
		{"repeated", cat(head, tlv(3, []byte(TypePNG)))},
		{"zero width", cat(head, tlv(4, []byte{0, 0}))},
		{"empty alt", cat(head, tlv(6, nil))},
		{"zero thumb", cat(head, tlv(7, make([]byte, 36)))},
		{"zero sha", cat(head, tlv(9, make([]byte, 32)))},
		{"long width", cat(head, tlv(4, []byte{0, 0, 1}))},
		{"overrun", cat(head, []byte{6, 0, 9, 'a'})},
		{"short header", cat(head, []byte{6, 0})},
		{"too long", cat(head, tlv(6, make([]byte, MaxDescriptor)))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if d, err := ParseDescriptor(tt.b); !errors.Is(err, ErrInvalid) {
				t.Errorf("ParseDescriptor() = %+v, %v; want ErrInvalid", d, err)
			}
		})
	}
}

func TestDescriptorCheck(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(*Descriptor)
	}{
		{"zero root", func(d *Descriptor) { d.Root = blob.Root{} }},
		{"zero size", func(d *Descriptor) { d.Size = 0 }},
		{"too large", func(d *Descriptor) { d.Size = blob.MaxSize + 1 }},
		{"svg", func(d *Descriptor) { d.Type = "image/svg+xml" }},
		{"no type", func(d *Descriptor) { d.Type = "" }},
		{"thumb size without thumb", func(d *Descriptor) { d.Thumb = blob.Root{} }},
		{"thumb without size", func(d *Descriptor) { d.ThumbSize = 0 }},
		{"thumb too large", func(d *Descriptor) { d.ThumbSize = MaxThumbSize + 1 }},
		{"alt too long", func(d *Descriptor) { d.Alt = strings.Repeat("é", MaxAltChars+1) }},
		{"alt too many bytes", func(d *Descriptor) { d.Alt = strings.Repeat("€", 700) }},
		{"alt not UTF-8", func(d *Descriptor) { d.Alt = "\xff" }},
		{"blurhash alphabet", func(d *Descriptor) { d.Blurhash = "LEHV6nWB2yk8pyo0adR*.7kCMdn\"" }},
		{"blurhash length", func(d *Descriptor) { d.Blurhash = "LEHV6nWB2yk8pyo0adR*.7kCMd" }},
		{"name slash", func(d *Descriptor) { d.Name = "a/b" }},
		{"name backslash", func(d *Descriptor) { d.Name = `a\b` }},
		{"name dotdot", func(d *Descriptor) { d.Name = ".." }},
		{"name NUL", func(d *Descriptor) { d.Name = "a\x00" }},
		{"name newline", func(d *Descriptor) { d.Name = "a\nb" }},
		{"name too long", func(d *Descriptor) { d.Name = strings.Repeat("a", 256) }},
		{"unknown of known tag", func(d *Descriptor) { d.Unknown = tlv(6, []byte("x")) }},
		{"unknown malformed", func(d *Descriptor) { d.Unknown = []byte{11, 0, 5} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := photo()
			tt.edit(&d)
			if err := d.Check(); !errors.Is(err, ErrInvalid) {
				t.Errorf("Check() = %v, want ErrInvalid", err)
			}
		})
	}
	d := photo()
	d.Alt = strings.Repeat("é", MaxAltChars)
	d.Name = strings.Repeat("n", 255)
	if err := d.Check(); err != nil {
		t.Errorf("Check() at the limits = %v", err)
	}
}

func TestSection(t *testing.T) {
	ds := []Descriptor{photo(), minimal()}
	body := AppendSection([]byte("look"), ds)
	text, sec, ok := SplitSection(body)
	if !ok || string(text) != "look" {
		t.Fatalf("SplitSection() = %q, %v", text, ok)
	}
	got, err := ParseSection(sec)
	if err != nil || len(got) != 2 || !bytes.Equal(got[0].Bytes(), ds[0].Bytes()) || !bytes.Equal(got[1].Bytes(), ds[1].Bytes()) {
		t.Fatalf("ParseSection() = %+v, %v", got, err)
	}
	if b := AppendSection([]byte("x"), nil); string(b) != "x" {
		t.Errorf("AppendSection(nil) = %q", b)
	}
	if text, _, ok := SplitSection([]byte("plain")); ok || string(text) != "plain" {
		t.Errorf("SplitSection(plain) = %q, %v", text, ok)
	}
	video := minimal()
	video.Type = TypeMP4
	bad := minimal()
	bad.Size = 0
	five := make([]Descriptor, MaxPerPost+1)
	for i := range five {
		five[i] = minimal()
	}
	_, good, _ := SplitSection(AppendSection(nil, []Descriptor{minimal()}))
	for _, tt := range []struct {
		name string
		sec  []byte
	}{
		{"empty", nil},
		{"count 0", []byte{0}},
		{"too many", sec1(five)},
		{"video", sec1([]Descriptor{video})},
		{"bad descriptor", sec1([]Descriptor{bad})},
		{"trailing", append(bytes.Clone(good), 0)},
		{"short", good[:len(good)-1]},
		{"count above items", append([]byte{2}, good[1:]...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if ds, err := ParseSection(tt.sec); !errors.Is(err, ErrInvalid) {
				t.Errorf("ParseSection() = %+v, %v; want ErrInvalid", ds, err)
			}
		})
	}
}

// sec1 returns the section AppendSection makes of ds, after its 0x00.
func sec1(ds []Descriptor) []byte { return AppendSection(nil, ds)[1:] }

func TestSniff(t *testing.T) {
	for _, tt := range []struct {
		data, want string
	}{
		{"\xff\xd8\xff\xe0\x00\x10JFIF", TypeJPEG},
		{"\x89PNG\r\n\x1a\n\x00\x00", TypePNG},
		{"GIF89a\x01\x00", TypeGIF},
		{"GIF87a", TypeGIF},
		{"RIFF\x10\x00\x00\x00WEBPVP8 ", TypeWebP},
		{"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00", TypeMP4},
		{"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", ""},
		{"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm\x42\x87", TypeWebM},
		{"\x1a\x45\xdf\xa3\x9f\x42\x82\x88matroska", ""},
		{"<svg xmlns=", ""},
		{"RIFF\x10\x00\x00\x00WAVE", ""},
		{"", ""},
		{"\xff\xd8", ""},
	} {
		if got := Sniff([]byte(tt.data)); got != tt.want {
			t.Errorf("Sniff(%q) = %q, want %q", tt.data, got, tt.want)
		}
	}
	for _, typ := range []string{TypeJPEG, TypePNG, TypeGIF, TypeWebP} {
		if !ImageType(typ) || !AllowedType(typ) {
			t.Errorf("%s: ImageType, AllowedType = false", typ)
		}
	}
	for _, typ := range []string{TypeMP4, TypeWebM, TypeOctet} {
		if ImageType(typ) || !AllowedType(typ) {
			t.Errorf("%s: ImageType = true or AllowedType = false", typ)
		}
	}
	for _, typ := range []string{"image/svg+xml", "text/html", "", "IMAGE/PNG"} {
		if AllowedType(typ) {
			t.Errorf("AllowedType(%q) = true", typ)
		}
	}
}
