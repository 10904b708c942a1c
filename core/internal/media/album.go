package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/skein-p2p/skein/core/internal/blob"
)

// Op is what an album entry does.
type Op uint8

// Album operations.
const (
	// OpCreate creates an album with a slug and a title.
	OpCreate Op = 1
	// OpAdd adds items to an album; an item named like one the album
	// holds replaces it.
	OpAdd Op = 2
	// OpRemove removes the items with the given roots.
	OpRemove Op = 3
	// OpDrop deletes the album; a later create may reuse its slug.
	OpDrop Op = 4
)

// String returns the op's name.
func (o Op) String() string {
	switch o {
	case OpCreate:
		return "create"
	case OpAdd:
		return "add"
	case OpRemove:
		return "remove"
	case OpDrop:
		return "drop"
	}
	return fmt.Sprintf("op(%d)", uint8(o))
}

// maxRemove is the most roots one remove carries (a 1-byte count).
const maxRemove = 255

// AlbumOp is the body of an album entry (entry kind 10). Only the fields
// of its Op are encoded: Title for create, Items for add, Roots for
// remove.
type AlbumOp struct {
	Op Op
	// Album is the album's slug: 1 to 32 characters of a-z, 0-9, '-'
	// and '_', starting with a letter or digit.
	Album string
	// Title is the album's title (create): 1 to MaxTitleChars code points
	// of UTF-8, not only white space, without control characters.
	Title string
	// Items are the items added (add): 1 to MaxItemsPerAdd descriptors,
	// each with a Name, no two with the same Name.
	Items []Descriptor
	// Roots are the roots of the items removed (remove): 1 to 255.
	Roots []blob.Root
}

// Bytes encodes a as: op (1 byte), slug length (1 byte), slug, then for
// create the title length (2 bytes) and title; for add the number of
// items (1 byte) and each as its length (2 bytes) and Descriptor.Bytes;
// for remove the number of roots (1 byte) and the roots (32 bytes each);
// for drop nothing.
func (a AlbumOp) Bytes() []byte {
	b := []byte{byte(a.Op), byte(len(a.Album))}
	b = append(b, a.Album...)
	switch a.Op {
	case OpCreate:
		b = binary.BigEndian.AppendUint16(b, uint16(len(a.Title)))
		b = append(b, a.Title...)
	case OpAdd:
		b = appendList(b, a.Items)
	case OpRemove:
		b = append(b, byte(len(a.Roots)))
		for _, r := range a.Roots {
			b = append(b, r[:]...)
		}
	}
	return b
}

// ParseAlbumOp decodes and validates an album entry's body: a known op, a
// valid slug, and the fields of the op within their limits (every item
// canonical, passing Check, with a Name), filling the body exactly.
func ParseAlbumOp(b []byte) (AlbumOp, error) {
	var a AlbumOp
	if len(b) < 2 {
		return a, fmt.Errorf("%w: album body of %d bytes is too short", ErrInvalid, len(b))
	}
	a.Op = Op(b[0])
	n := int(b[1])
	if 2+n > len(b) {
		return AlbumOp{}, fmt.Errorf("%w: album slug of %d bytes overruns the body", ErrInvalid, n)
	}
	a.Album = string(b[2 : 2+n])
	if err := CheckSlug(a.Album); err != nil {
		return AlbumOp{}, err
	}
	rest := b[2+n:]
	switch a.Op {
	case OpCreate:
		if len(rest) < 2 {
			return AlbumOp{}, fmt.Errorf("%w: album create without a title", ErrInvalid)
		}
		m := int(binary.BigEndian.Uint16(rest))
		if 2+m > len(rest) {
			return AlbumOp{}, fmt.Errorf("%w: album title of %d bytes overruns the body", ErrInvalid, m)
		}
		a.Title = string(rest[2 : 2+m])
		if err := checkTitle(a.Title); err != nil {
			return AlbumOp{}, err
		}
		rest = rest[2+m:]
	case OpAdd:
		if len(rest) < 1 || rest[0] == 0 || rest[0] > MaxItemsPerAdd {
			return AlbumOp{}, fmt.Errorf("%w: album add of no items or more than %d", ErrInvalid, MaxItemsPerAdd)
		}
		var err error
		if a.Items, rest, err = parseList(rest[1:], int(rest[0])); err != nil {
			return AlbumOp{}, err
		}
		if err := checkItems(a.Items); err != nil {
			return AlbumOp{}, err
		}
	case OpRemove:
		if len(rest) < 1 || rest[0] == 0 {
			return AlbumOp{}, fmt.Errorf("%w: album remove of no items", ErrInvalid)
		}
		m := int(rest[0])
		rest = rest[1:]
		if len(rest) < m*len(blob.Root{}) {
			return AlbumOp{}, fmt.Errorf("%w: album remove of %d roots in %d bytes", ErrInvalid, m, len(rest))
		}
		a.Roots = make([]blob.Root, m)
		for i := range a.Roots {
			copy(a.Roots[i][:], rest)
			rest = rest[len(blob.Root{}):]
		}
	case OpDrop:
	default:
		return AlbumOp{}, fmt.Errorf("%w: unknown album op %d", ErrInvalid, a.Op)
	}
	if len(rest) != 0 {
		return AlbumOp{}, fmt.Errorf("%w: %d bytes after the album %s", ErrInvalid, len(rest), a.Op)
	}
	return a, nil
}

// Check validates a as ParseAlbumOp would its encoding, and checks that a
// has no fields of another op and that each item passes Descriptor.Check
// as it is (not only as re-encoded).
func (a AlbumOp) Check() error {
	_, err := ParseAlbumOp(a.Bytes())
	for i := 0; err == nil && i < len(a.Items); i++ {
		err = a.Items[i].Check()
	}
	if err == nil {
		switch {
		case a.Op != OpCreate && a.Title != "", a.Op != OpAdd && len(a.Items) > 0, a.Op != OpRemove && len(a.Roots) > 0:
			err = fmt.Errorf("%w: album %s with fields of another op", ErrInvalid, a.Op)
		case a.Op == OpAdd && len(a.Items) > MaxItemsPerAdd, a.Op == OpRemove && len(a.Roots) > maxRemove:
			err = fmt.Errorf("%w: album %s of too many items", ErrInvalid, a.Op)
		}
	}
	return err
}

// CheckSlug validates an album slug: 1 to 32 bytes of a-z, 0-9, '-' and
// '_', the first a letter or digit.
func CheckSlug(s string) error {
	if s == "" || len(s) > maxSlug {
		return fmt.Errorf("%w: album name %q: use 1 to %d characters", ErrInvalid, clip(s), maxSlug)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || i > 0 && (c == '-' || c == '_')) {
			return fmt.Errorf("%w: album name %q: use a-z, 0-9, '-' and '_', starting with a letter or digit", ErrInvalid, clip(s))
		}
	}
	return nil
}

// checkTitle validates an album title.
func checkTitle(t string) error {
	switch {
	case len(t) > maxTitleBytes || !utf8.ValidString(t):
		return fmt.Errorf("%w: album title is not UTF-8 of at most %d bytes", ErrInvalid, maxTitleBytes)
	case utf8.RuneCountInString(t) > MaxTitleChars:
		return fmt.Errorf("%w: album title of %d characters, limit %d", ErrInvalid, utf8.RuneCountInString(t), MaxTitleChars)
	case len(bytes.TrimSpace([]byte(t))) == 0:
		return fmt.Errorf("%w: empty album title", ErrInvalid)
	}
	for _, r := range t {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: album title holds a control character", ErrInvalid)
		}
	}
	return nil
}

// checkItems checks that every item of an add has a Name, no two the
// same.
func checkItems(items []Descriptor) error {
	names := make(map[string]struct{}, len(items))
	for i, d := range items {
		if d.Name == "" {
			return fmt.Errorf("%w: album item %d has no file name", ErrInvalid, i+1)
		}
		if _, dup := names[d.Name]; dup {
			return fmt.Errorf("%w: album add names %q twice", ErrInvalid, clip(d.Name))
		}
		names[d.Name] = struct{}{}
	}
	return nil
}

// Album is the state of one album: what its ops, folded in log order,
// made of it.
type Album struct {
	Slug, Title string
	// Items are the album's items in the order they were first added; an
	// item replaced by name keeps its place.
	Items []Descriptor
	// Size is the sum of the items' sizes.
	Size uint64
	// Created and Updated are the seqs of the create and of the latest op
	// that changed the album.
	Created, Updated uint64
}

// album is an Album with an index of its items by name.
type album struct {
	Album
	byName map[string]int
}

// Albums folds one author's album ops, applied in log order, into their
// albums. The zero value is an empty fold, ready to use. It is not safe
// for concurrent use.
type Albums struct {
	m map[string]*album
}

// Apply applies op, the body of the album entry at seq. An op that
// cannot apply (create of an existing album or beyond MaxAlbums; add,
// remove or drop of an unknown album; an add that would make the album
// hold more than MaxAlbumItems) returns an error wrapping ErrInvalid and
// leaves the state unchanged. Removing a root the album does not hold is
// not an error.
func (a *Albums) Apply(seq uint64, op AlbumOp) error {
	if err := op.Check(); err != nil {
		return err
	}
	if a.m == nil {
		a.m = make(map[string]*album)
	}
	al := a.m[op.Album]
	if op.Op == OpCreate {
		switch {
		case al != nil:
			return fmt.Errorf("%w: album %s exists", ErrInvalid, op.Album)
		case len(a.m) >= MaxAlbums:
			return fmt.Errorf("%w: %d albums, limit %d: drop one first", ErrInvalid, len(a.m), MaxAlbums)
		}
		a.m[op.Album] = &album{Album: Album{Slug: op.Album, Title: op.Title, Created: seq, Updated: seq}, byName: map[string]int{}}
		return nil
	}
	if al == nil {
		return fmt.Errorf("%w: no album %s", ErrInvalid, op.Album)
	}
	switch op.Op {
	case OpAdd:
		added := 0
		for _, d := range op.Items {
			if _, ok := al.byName[d.Name]; !ok {
				added++
			}
		}
		if len(al.Items)+added > MaxAlbumItems {
			return fmt.Errorf("%w: album %s would hold %d items, limit %d", ErrInvalid, op.Album, len(al.Items)+added, MaxAlbumItems)
		}
		for _, d := range op.Items {
			if i, ok := al.byName[d.Name]; ok {
				al.Size -= al.Items[i].Size
				al.Items[i] = d
			} else {
				al.byName[d.Name] = len(al.Items)
				al.Items = append(al.Items, d)
			}
			al.Size += d.Size
		}
	case OpRemove:
		gone := make(map[blob.Root]struct{}, len(op.Roots))
		for _, r := range op.Roots {
			gone[r] = struct{}{}
		}
		kept := al.Items[:0]
		for _, d := range al.Items {
			if _, ok := gone[d.Root]; ok {
				al.Size -= d.Size
				delete(al.byName, d.Name)
				continue
			}
			al.byName[d.Name] = len(kept)
			kept = append(kept, d)
		}
		clear(al.Items[len(kept):])
		al.Items = kept
	case OpDrop:
		delete(a.m, op.Album)
		return nil
	}
	al.Updated = seq
	return nil
}

// List returns every album, oldest created first. The Albums share no
// memory with a.
func (a *Albums) List() []Album {
	out := make([]Album, 0, len(a.m))
	for _, al := range a.m {
		out = append(out, al.copy())
	}
	slices.SortFunc(out, func(x, y Album) int {
		if x.Created != y.Created {
			if x.Created < y.Created {
				return -1
			}
			return 1
		}
		if x.Slug < y.Slug {
			return -1
		}
		return 1
	})
	return out
}

// Get returns the album with slug slug. It shares no memory with a.
func (a *Albums) Get(slug string) (Album, bool) {
	al, ok := a.m[slug]
	if !ok {
		return Album{}, false
	}
	return al.copy(), true
}

// copy returns al's Album with its own Items.
func (al *album) copy() Album {
	c := al.Album
	c.Items = slices.Clone(al.Items)
	return c
}
