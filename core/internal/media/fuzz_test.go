package media

import (
	"bytes"
	"testing"

	"github.com/skein-p2p/skein/core/internal/blob"
)

func FuzzDescriptor(f *testing.F) {
	f.Add(photo().Bytes())
	f.Add(minimal().Bytes())
	u := photo()
	u.Unknown = []byte{0, 0, 1, 7, 200, 0, 2, 0xca, 0xfe}
	f.Add(u.Bytes())
	f.Add([]byte{1, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ParseDescriptor(b)
		if err != nil {
			return
		}
		if got := d.Bytes(); !bytes.Equal(got, b) {
			t.Fatalf("Bytes() = %x, want %x", got, b)
		}
		_ = d.Check()
	})
}

func FuzzSection(f *testing.F) {
	f.Add(sec1([]Descriptor{photo()}))
	f.Add(sec1([]Descriptor{photo(), minimal(), minimal(), photo()}))
	f.Add([]byte{1, 0, 3})
	f.Fuzz(func(t *testing.T, sec []byte) {
		ds, err := ParseSection(sec)
		if err != nil {
			return
		}
		for _, d := range ds {
			if err := d.Check(); err != nil || !ImageType(d.Type) {
				t.Fatalf("ParseSection() passed %+v: %v", d, err)
			}
		}
		if got := AppendSection(nil, ds)[1:]; !bytes.Equal(got, sec) {
			t.Fatalf("AppendSection() = %x, want %x", got, sec)
		}
	})
}

func FuzzAlbumOp(f *testing.F) {
	for _, op := range []AlbumOp{
		{Op: OpCreate, Album: "memes", Title: "Memes"},
		{Op: OpAdd, Album: "memes", Items: []Descriptor{item("a.txt", "aaa"), photo()}},
		{Op: OpRemove, Album: "memes", Roots: []blob.Root{blob.Sum([]byte("aaa")), {1}}},
		{Op: OpDrop, Album: "m"},
	} {
		f.Add(op.Bytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseAlbumOp(b)
		if err != nil {
			return
		}
		if got := a.Bytes(); !bytes.Equal(got, b) {
			t.Fatalf("Bytes() = %x, want %x", got, b)
		}
		if err := a.Check(); err != nil {
			t.Fatalf("Check() = %v after ParseAlbumOp passed", err)
		}
		var al Albums
		_ = al.Apply(1, AlbumOp{Op: OpCreate, Album: a.Album, Title: "t"})
		_ = al.Apply(2, a)
		al.List()
	})
}
