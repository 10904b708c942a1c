package media

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core/internal/blob"
)

// item returns an album item named name with content content.
func item(name, content string) Descriptor {
	return Descriptor{Root: blob.Sum([]byte(content)), Size: uint64(len(content)), Type: TypeOctet, Name: name}
}

func TestAlbumOpRoundTrip(t *testing.T) {
	for _, op := range []AlbumOp{
		{Op: OpCreate, Album: "memes", Title: "Memes 2026 🐸"},
		{Op: OpAdd, Album: "memes", Items: []Descriptor{item("a.txt", "aaa"), photo()}},
		{Op: OpRemove, Album: "memes", Roots: []blob.Root{blob.Sum([]byte("aaa"))}},
		{Op: OpDrop, Album: "m"},
		{Op: OpCreate, Album: strings.Repeat("z", 32), Title: strings.Repeat("t", MaxTitleChars)},
	} {
		t.Run(op.Op.String(), func(t *testing.T) {
			if err := op.Check(); err != nil {
				t.Fatalf("Check() = %v", err)
			}
			b := op.Bytes()
			got, err := ParseAlbumOp(b)
			if err != nil {
				t.Fatalf("ParseAlbumOp(Bytes()) = %v", err)
			}
			if !bytes.Equal(got.Bytes(), b) || got.Op != op.Op || got.Album != op.Album || got.Title != op.Title ||
				len(got.Items) != len(op.Items) || len(got.Roots) != len(op.Roots) {
				t.Errorf("ParseAlbumOp(Bytes()) = %+v, want %+v", got, op)
			}
		})
	}
}

func TestAlbumOpRefuses(t *testing.T) {
	noName := photo()
	noName.Name = ""
	tooMany := make([]Descriptor, MaxItemsPerAdd+1)
	for i := range tooMany {
		tooMany[i] = item(fmt.Sprint(i), "x")
	}
	svg := item("a.svg", "<svg>")
	svg.Type = "image/svg+xml"
	for _, tt := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"unknown op", AlbumOp{Op: 9, Album: "a"}.Bytes()},
		{"op 0", AlbumOp{Op: 0, Album: "a"}.Bytes()},
		{"no slug", AlbumOp{Op: OpDrop}.Bytes()},
		{"slug upper", AlbumOp{Op: OpDrop, Album: "Memes"}.Bytes()},
		{"slug dash first", AlbumOp{Op: OpDrop, Album: "-a"}.Bytes()},
		{"slug too long", AlbumOp{Op: OpDrop, Album: strings.Repeat("a", 33)}.Bytes()},
		{"slug overrun", []byte{4, 5, 'a'}},
		{"create no title", AlbumOp{Op: OpCreate, Album: "a"}.Bytes()},
		{"create blank title", AlbumOp{Op: OpCreate, Album: "a", Title: "  "}.Bytes()},
		{"create long title", AlbumOp{Op: OpCreate, Album: "a", Title: strings.Repeat("t", MaxTitleChars+1)}.Bytes()},
		{"create control title", AlbumOp{Op: OpCreate, Album: "a", Title: "a\nb"}.Bytes()},
		{"create truncated", []byte{1, 1, 'a', 0}},
		{"add none", AlbumOp{Op: OpAdd, Album: "a"}.Bytes()},
		{"add no name", AlbumOp{Op: OpAdd, Album: "a", Items: []Descriptor{noName}}.Bytes()},
		{"add same name", AlbumOp{Op: OpAdd, Album: "a", Items: []Descriptor{item("x", "1"), item("x", "2")}}.Bytes()},
		{"add too many", AlbumOp{Op: OpAdd, Album: "a", Items: tooMany}.Bytes()},
		{"add svg", AlbumOp{Op: OpAdd, Album: "a", Items: []Descriptor{svg}}.Bytes()},
		{"remove none", []byte{3, 1, 'a', 0}},
		{"remove short", append([]byte{3, 1, 'a', 2}, make([]byte, 40)...)},
		{"drop trailing", append(AlbumOp{Op: OpDrop, Album: "a"}.Bytes(), 0)},
		{"create trailing", append(AlbumOp{Op: OpCreate, Album: "a", Title: "t"}.Bytes(), 0)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if a, err := ParseAlbumOp(tt.b); !errors.Is(err, ErrInvalid) {
				t.Errorf("ParseAlbumOp() = %+v, %v; want ErrInvalid", a, err)
			}
		})
	}
	if err := (AlbumOp{Op: OpDrop, Album: "a", Title: "x"}).Check(); !errors.Is(err, ErrInvalid) {
		t.Errorf("Check(drop with a title) = %v, want ErrInvalid", err)
	}
	// An unknown field of a known tag re-encodes as that field: Check
	// looks at the item as it is.
	odd := item("a", "a")
	odd.Unknown = []byte{6, 0, 1, 'x'}
	if err := (AlbumOp{Op: OpAdd, Album: "a", Items: []Descriptor{odd}}).Check(); !errors.Is(err, ErrInvalid) {
		t.Errorf("Check(add of an item with a known tag in Unknown) = %v, want ErrInvalid", err)
	}
}

func TestAlbumsFold(t *testing.T) {
	var a Albums
	steps := []struct {
		op    AlbumOp
		valid bool
	}{
		{AlbumOp{Op: OpAdd, Album: "x", Items: []Descriptor{item("a", "a")}}, false}, // unknown album
		{AlbumOp{Op: OpCreate, Album: "x", Title: "X"}, true},
		{AlbumOp{Op: OpCreate, Album: "x", Title: "again"}, false},
		{AlbumOp{Op: OpAdd, Album: "x", Items: []Descriptor{item("a", "a"), item("b", "bb"), item("c", "ccc")}}, true},
		{AlbumOp{Op: OpAdd, Album: "x", Items: []Descriptor{item("b", "bbbb")}}, true}, // replaces b in place
		{AlbumOp{Op: OpRemove, Album: "x", Roots: []blob.Root{blob.Sum([]byte("a")), blob.Sum([]byte("nothing"))}}, true},
		{AlbumOp{Op: OpRemove, Album: "y", Roots: []blob.Root{blob.Sum([]byte("a"))}}, false},
		{AlbumOp{Op: OpDrop, Album: "y"}, false},
		{AlbumOp{Op: OpCreate, Album: "y", Title: "Y"}, true},
	}
	for i, s := range steps {
		if err := a.Apply(uint64(i+1), s.op); (err == nil) != s.valid {
			t.Fatalf("step %d: Apply(%s %s) = %v, want valid %v", i+1, s.op.Op, s.op.Album, err, s.valid)
		}
	}
	checkFold(t, &a)
	x, ok := a.Get("x")
	if !ok || x.Title != "X" || x.Created != 2 || x.Updated != 6 || x.Size != 7 || len(x.Items) != 2 ||
		x.Items[0].Name != "b" || x.Items[0].Size != 4 || x.Items[1].Name != "c" {
		t.Fatalf("Get(x) = %+v, %v", x, ok)
	}
	x.Items[0].Name = "changed"
	if again, _ := a.Get("x"); again.Items[0].Name != "b" {
		t.Errorf("Get shares memory with the fold")
	}
	if l := a.List(); len(l) != 2 || l[0].Slug != "x" || l[1].Slug != "y" {
		t.Errorf("List() = %+v", l)
	}
	if err := a.Apply(10, AlbumOp{Op: OpDrop, Album: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.Get("x"); ok {
		t.Errorf("Get(x) after drop found it")
	}
	if err := a.Apply(11, AlbumOp{Op: OpCreate, Album: "x", Title: "X2"}); err != nil {
		t.Errorf("create after drop = %v", err)
	}
	if x, _ := a.Get("x"); len(x.Items) != 0 || x.Title != "X2" {
		t.Errorf("recreated album = %+v", x)
	}
}

func TestAlbumsLimits(t *testing.T) {
	var a Albums
	for i := range MaxAlbums {
		if err := a.Apply(uint64(i+1), AlbumOp{Op: OpCreate, Album: fmt.Sprint("a", i), Title: "t"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Apply(1000, AlbumOp{Op: OpCreate, Album: "one-more", Title: "t"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("create beyond MaxAlbums = %v, want ErrInvalid", err)
	}
	seq := uint64(2000)
	for n := 0; n < MaxAlbumItems; n += MaxItemsPerAdd {
		var items []Descriptor
		for i := n; i < min(n+MaxItemsPerAdd, MaxAlbumItems); i++ {
			items = append(items, item(fmt.Sprint(i), fmt.Sprint(i)))
		}
		seq++
		if err := a.Apply(seq, AlbumOp{Op: OpAdd, Album: "a0", Items: items}); err != nil {
			t.Fatal(err)
		}
	}
	checkFold(t, &a)
	full, _ := a.Get("a0")
	// Replacing an item still fits; a new one does not, and changes nothing.
	if err := a.Apply(seq+1, AlbumOp{Op: OpAdd, Album: "a0", Items: []Descriptor{item("0", "new")}}); err != nil {
		t.Errorf("replace in a full album = %v", err)
	}
	if err := a.Apply(seq+2, AlbumOp{Op: OpAdd, Album: "a0", Items: []Descriptor{item("1", "new"), item("extra", "x")}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("add beyond MaxAlbumItems = %v, want ErrInvalid", err)
	}
	got, _ := a.Get("a0")
	if len(got.Items) != MaxAlbumItems || got.Updated != seq+1 || got.Items[1].Root != full.Items[1].Root {
		t.Errorf("after a refused add: %d items, updated %d", len(got.Items), got.Updated)
	}
}
