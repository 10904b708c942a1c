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
		_ = al.Apply(2, AlbumOp{Op: OpAdd, Album: a.Album, Items: []Descriptor{item("a", "a"), item("b", "b")}})
		_ = al.Apply(3, a)
		checkFold(t, &al)
	})
}

// checkFold checks the invariants of a fold: each album's Size is the sum
// of its items' sizes, its names are distinct, and its index agrees.
func checkFold(t *testing.T, a *Albums) {
	t.Helper()
	for _, l := range a.List() {
		var size uint64
		names := map[string]bool{}
		for i, d := range l.Items {
			size += d.Size
			if names[d.Name] || a.m[l.Slug].byName[d.Name] != i {
				t.Fatalf("album %s: item %d %q is repeated or misindexed", l.Slug, i, d.Name)
			}
			names[d.Name] = true
		}
		if size != l.Size || len(a.m[l.Slug].byName) != len(l.Items) {
			t.Fatalf("album %s: Size %d, items sum to %d; %d names indexed for %d items", l.Slug, l.Size, size, len(a.m[l.Slug].byName), len(l.Items))
		}
	}
}
