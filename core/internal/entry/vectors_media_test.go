package entry

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core/internal/blob"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/media"
	"github.com/skein-p2p/skein/core/internal/protocoldoc"
)

// mediaDoc is the document that specifies the media entries and their
// vectors.
const mediaDoc = "docs/PROTOCOL.md"

// vectorPhoto is the image of alice's post in the vector alice 9: every
// field an image descriptor of a post has.
func vectorPhoto() media.Descriptor {
	return media.Descriptor{
		Root:      blob.Sum([]byte("skein test image")),
		Size:      245_760,
		Type:      media.TypeJPEG,
		Width:     1600,
		Height:    1200,
		Alt:       "a heron on the Rhine",
		Thumb:     blob.Sum([]byte("skein test thumbnail")),
		ThumbSize: 9_412,
		Blurhash:  "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
	}
}

// vectorAvatar is bob's avatar in the vector bob 3.
func vectorAvatar() media.Descriptor {
	return media.Descriptor{
		Root:      blob.Sum([]byte("skein test avatar")),
		Size:      48_213,
		Type:      media.TypePNG,
		Width:     400,
		Height:    400,
		Thumb:     blob.Sum([]byte("skein test avatar thumbnail")),
		ThumbSize: 6_020,
		Blurhash:  "LKO2?U%2Tw=w]~RBVZRi};RPxuwH",
	}
}

// vectorAlbumItems are the files alice adds to her album in alice 11.
func vectorAlbumItems() []media.Descriptor {
	return []media.Descriptor{
		{Root: blob.Sum([]byte("skein test meme 1")), Size: 81_920, Type: media.TypeGIF, Width: 480, Height: 270, Name: "dancing-heron.gif"},
		{Root: blob.Sum([]byte("skein test meme 2")), Size: 1_048_576, Type: media.TypeOctet, Name: "notes.txt",
			SHA256: [32]byte{0: 0x5e, 31: 0xed}},
	}
}

// mediaVectors continue the logs of vectors(): alice posts an image,
// bob sets an avatar, alice creates an album, adds two files to it and
// removes one.
func mediaVectors() []vector {
	return []vector{
		{
			name: "alice 9",
			priv: alice,
			seq:  9,
			time: hlc.Timestamp{Wall: 1_767_226_080_000, Logical: 0},
			kind: KindPost,
			body: media.AppendSection([]byte("look 📷"), []media.Descriptor{vectorPhoto()}),
		},
		{
			name: "bob 3",
			priv: bob,
			seq:  3,
			time: hlc.Timestamp{Wall: 1_767_226_140_000, Logical: 0},
			kind: KindProfile,
			body: Profile{DisplayName: "Bob ✨", Avatar: ptr(vectorAvatar())}.Bytes(),
		},
		{
			name: "alice 10",
			priv: alice,
			seq:  10,
			time: hlc.Timestamp{Wall: 1_767_226_200_000, Logical: 0},
			kind: KindAlbum,
			body: media.AlbumOp{Op: media.OpCreate, Album: "memes", Title: "Memes"}.Bytes(),
		},
		{
			name: "alice 11",
			priv: alice,
			seq:  11,
			time: hlc.Timestamp{Wall: 1_767_226_200_000, Logical: 1},
			kind: KindAlbum,
			body: media.AlbumOp{Op: media.OpAdd, Album: "memes", Items: vectorAlbumItems()}.Bytes(),
		},
		{
			name: "alice 12",
			priv: alice,
			seq:  12,
			time: hlc.Timestamp{Wall: 1_767_226_260_000, Logical: 0},
			kind: KindAlbum,
			body: media.AlbumOp{Op: media.OpRemove, Album: "memes", Roots: []blob.Root{vectorAlbumItems()[1].Root}}.Bytes(),
		},
	}
}

// mediaVectorEntries returns the media vectors' entries, chained to the
// heads of vectors().
func mediaVectorEntries(t *testing.T) []*Entry {
	t.Helper()
	heads := map[Key]*Entry{}
	for _, e := range vectorEntries(t) {
		heads[e.Author] = e
	}
	var es []*Entry
	for _, v := range mediaVectors() {
		prev := heads[pubKey(v.priv)]
		e := mustNew(t, v.priv, v.seq, prev.ID(), v.time, v.kind, v.body)
		if err := e.Follows(prev); err != nil {
			t.Fatalf("%s: Follows() = %v", v.name, err)
		}
		heads[e.Author] = e
		es = append(es, e)
	}
	return es
}

// TestVectorsMedia prints the media vectors (go test -run TestVectors -v)
// and checks that mediaDoc shows each exactly, with its body fields and
// ID, and that each decodes to what it was made of.
func TestVectorsMedia(t *testing.T) {
	doc := protocoldoc.FlatFile(t, mediaDoc)
	for i, e := range mediaVectorEntries(t) {
		v := mediaVectors()[i]
		h := hex.EncodeToString(e.Bytes())
		t.Logf("%s (%s):\n  body %s\n  entry %s\n  id %s", v.name, v.kind, hex.EncodeToString(e.Body), h, e.ID())
		if !strings.Contains(doc, h) || !strings.Contains(doc, e.ID().String()) {
			t.Errorf("%s does not hold %s (entry hex and ID, line breaks allowed)", mediaDoc, v.name)
		}
		d, err := Decode(e.Bytes())
		if err != nil {
			t.Fatalf("%s: Decode() = %v", v.name, err)
		}
		if !bytes.Equal(d.Body, v.body) {
			t.Errorf("%s: body changed", v.name)
		}
	}
	es := mediaVectorEntries(t)
	if text, ok := Text(es[0]); !ok || text != "look 📷" {
		t.Errorf("alice 9: Text() = %q, %v", text, ok)
	}
	if ds := Media(es[0]); len(ds) != 1 || !bytes.Equal(ds[0].Bytes(), vectorPhoto().Bytes()) {
		t.Errorf("alice 9: Media() = %+v", ds)
	}
	if p, err := ParseProfile(es[1].Body); err != nil || p.Avatar == nil || !bytes.Equal(p.Avatar.Bytes(), vectorAvatar().Bytes()) {
		t.Errorf("bob 3: ParseProfile() = %+v, %v", p, err)
	}
	var albums media.Albums
	for _, e := range es[2:] {
		op, err := media.ParseAlbumOp(e.Body)
		if err != nil {
			t.Fatalf("alice %d: ParseAlbumOp() = %v", e.Seq, err)
		}
		if err := albums.Apply(e.Seq, op); err != nil {
			t.Fatalf("alice %d: Apply() = %v", e.Seq, err)
		}
	}
	if a, ok := albums.Get("memes"); !ok || a.Title != "Memes" || len(a.Items) != 1 || a.Items[0].Name != "dancing-heron.gif" || a.Created != 10 || a.Updated != 12 {
		t.Errorf("album memes = %+v, %v", a, ok)
	}
}
