package entry

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core/internal/blob"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/media"
)

// testImage returns a valid image descriptor of content content.
func testImage(content string) media.Descriptor {
	return media.Descriptor{Root: blob.Sum([]byte(content)), Size: uint64(len(content)), Type: media.TypePNG, Width: 2, Height: 1, Alt: "alt " + content}
}

func ptr[T any](v T) *T { return &v }

func TestPostMedia(t *testing.T) {
	img, img2 := testImage("a"), testImage("b")
	video := img
	video.Type = media.TypeMP4
	five := []media.Descriptor{img, img, img, img, img}
	for _, tt := range []struct {
		name string
		body []byte
		text string // "" and ok: media only
		n    int    // descriptors
		ok   bool
	}{
		{"text and image", media.AppendSection([]byte("look"), []media.Descriptor{img}), "look", 1, true},
		{"image only", media.AppendSection(nil, []media.Descriptor{img, img2}), "", 2, true},
		{"four images", media.AppendSection([]byte("x"), five[:4]), "x", 4, true},
		{"five images", media.AppendSection([]byte("x"), five), "", 0, false},
		{"white space and image", media.AppendSection([]byte(" \n"), []media.Descriptor{img}), "", 0, false},
		{"text too long", media.AppendSection([]byte(strings.Repeat("é", MaxPostChars+1)), []media.Descriptor{img}), "", 0, false},
		{"video", media.AppendSection([]byte("x"), []media.Descriptor{video}), "", 0, false},
		{"NUL without section", []byte("x\x00"), "", 0, false},
		{"two sections", append(media.AppendSection([]byte("x"), []media.Descriptor{img}), media.AppendSection(nil, []media.Descriptor{img})...), "", 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			text, err := ParsePost(tt.body)
			if tt.ok != (err == nil) || err != nil && !errors.Is(err, ErrInvalidBody) {
				t.Fatalf("ParsePost() = %q, %v; want ok %v", text, err, tt.ok)
			}
			e, nerr := New(alice, 1, ID{}, t0, KindPost, tt.body)
			if (nerr == nil) != tt.ok {
				t.Fatalf("New() = %v, want ok %v", nerr, tt.ok)
			}
			if !tt.ok {
				return
			}
			if got, ok := Text(e); !ok || got != tt.text || text != tt.text {
				t.Errorf("Text() = %q, %v; ParsePost() = %q; want %q", got, ok, text, tt.text)
			}
			if ds := Media(e); len(ds) != tt.n || ds[0].Root != img.Root {
				t.Errorf("Media() = %+v, want %d descriptors", ds, tt.n)
			}
			if ds := Media(e.Redact()); ds != nil {
				t.Errorf("Media(redacted) = %+v, want nil", ds)
			}
		})
	}
	plain := mustNew(t, alice, 1, ID{}, t0, KindPost, []byte("plain"))
	if ds := Media(plain); ds != nil {
		t.Errorf("Media(plain post) = %+v, want nil", ds)
	}
}

func TestReplyMedia(t *testing.T) {
	img := testImage("a")
	for _, tt := range []struct {
		name, text string
		ok         bool
	}{
		{"text and image", "nice", true},
		{"image only", "", true},
		{"white space and image", " ", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := media.AppendSection(Reply{Parent: bobsPost, Text: tt.text}.Bytes(), []media.Descriptor{img})
			r, err := ParseReply(body)
			if tt.ok != (err == nil) {
				t.Fatalf("ParseReply() = %+v, %v; want ok %v", r, err, tt.ok)
			}
			if !tt.ok {
				return
			}
			if r.Parent != bobsPost || r.Text != tt.text {
				t.Errorf("ParseReply() = %+v", r)
			}
			e := mustNew(t, alice, 1, ID{}, t0, KindReply, body)
			if got, ok := Text(e); !ok || got != tt.text {
				t.Errorf("Text() = %q, %v; want %q", got, ok, tt.text)
			}
			if ds := Media(e); len(ds) != 1 || ds[0].Root != img.Root || ds[0].Alt != img.Alt {
				t.Errorf("Media() = %+v", ds)
			}
		})
	}
	// A parent whose bytes hold 0x00 (as most do) is not a media section.
	e := mustNew(t, alice, 1, ID{}, t0, KindReply, Reply{Parent: bobsPost, Text: "no media"}.Bytes())
	if ds := Media(e); ds != nil {
		t.Errorf("Media(reply without media) = %+v", ds)
	}
}

func TestProfileImages(t *testing.T) {
	avatar, banner := testImage("avatar"), testImage("banner")
	p := Profile{DisplayName: "Bob", Avatar: &avatar, Banner: &banner, Unknown: []byte{0, 0, 1, 'z', 6, 0, 0, 200, 0, 1, 'y'}}
	b := p.Bytes()
	got, err := ParseProfile(b)
	if err != nil {
		t.Fatalf("ParseProfile(Bytes()) = %v", err)
	}
	if got.Avatar == nil || got.Banner == nil || !bytes.Equal(got.Avatar.Bytes(), avatar.Bytes()) ||
		!bytes.Equal(got.Banner.Bytes(), banner.Bytes()) || !bytes.Equal(got.Unknown, p.Unknown) || !bytes.Equal(got.Bytes(), b) {
		t.Fatalf("ParseProfile(Bytes()) = %+v, want %+v", got, p)
	}
	// Tags ascend: unknown 0, display name 1, avatar 4, banner 5, unknown 6 and 200.
	var tags []byte
	for rest := b; len(rest) > 0; rest = rest[3+int(rest[1])<<8+int(rest[2]):] {
		tags = append(tags, rest[0])
	}
	if !bytes.Equal(tags, []byte{0, 1, 4, 5, 6, 200}) {
		t.Errorf("profile tags = %v", tags)
	}
	field := func(tag byte, v []byte) []byte { return append([]byte{tag, byte(len(v) >> 8), byte(len(v))}, v...) }
	big := avatar
	big.Size = media.MaxAvatarSize + 1
	video := avatar
	video.Type = media.TypeWebM
	bad := avatar
	bad.Size = 0
	for _, tt := range []struct {
		name string
		body []byte
		err  string
	}{
		{"avatar too large", field(4, big.Bytes()), "avatar of 4194305 bytes"},
		{"banner video", field(5, video.Bytes()), "banner of type"},
		{"avatar empty", field(4, nil), "avatar"},
		{"avatar malformed", field(4, []byte{1, 0, 1, 2}), "avatar"},
		{"avatar invalid", field(4, bad.Bytes()), "avatar"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if p, err := ParseProfile(tt.body); !errors.Is(err, ErrInvalidBody) || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseProfile() = %+v, %v; want an error with %q", p, err, tt.err)
			}
		})
	}
	big.Size = media.MaxAvatarSize
	if _, err := ParseProfile(field(4, big.Bytes())); err != nil {
		t.Errorf("ParseProfile(avatar of MaxAvatarSize) = %v", err)
	}
}

func TestAlbumKind(t *testing.T) {
	ops := []media.AlbumOp{
		{Op: media.OpCreate, Album: "memes", Title: "Memes"},
		{Op: media.OpAdd, Album: "memes", Items: []media.Descriptor{{Root: blob.Sum([]byte("f")), Size: 1, Type: media.TypeOctet, Name: "f.bin"}}},
		{Op: media.OpRemove, Album: "memes", Roots: []blob.Root{blob.Sum([]byte("f"))}},
		{Op: media.OpDrop, Album: "memes"},
	}
	for _, op := range ops {
		e, err := New(alice, 2, ID{1}, t0, KindAlbum, op.Bytes())
		if err != nil {
			t.Errorf("New(album %s) = %v", op.Op, err)
			continue
		}
		if d, err := Decode(e.Bytes()); err != nil || d.Kind != KindAlbum {
			t.Errorf("Decode(album %s) = %v", op.Op, err)
		}
	}
	for _, body := range [][]byte{nil, {9, 1, 'a'}, {1, 1, 'a'}, media.AlbumOp{Op: media.OpDrop, Album: "A"}.Bytes()} {
		if _, err := New(alice, 2, ID{1}, hlc.Timestamp{Wall: t0.Wall}, KindAlbum, body); !errors.Is(err, ErrInvalidBody) {
			t.Errorf("New(album %x) = %v, want ErrInvalidBody", body, err)
		}
	}
}
