package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api/apitest"
	"github.com/skein-p2p/skein/core"
)

func (n errNode) ImportMedia(context.Context, io.Reader, core.MediaInput) (core.Media, error) {
	return core.Media{}, n.err
}
func (n errNode) PostMedia(context.Context, string, []core.Media) (core.Post, error) {
	return core.Post{}, n.err
}
func (n errNode) ReplyMedia(context.Context, string, string, []core.Media) (core.Post, error) {
	return core.Post{}, n.err
}
func (n errNode) SetAvatar(context.Context, *core.Media) (core.User, error) {
	return core.User{}, n.err
}
func (n errNode) SetBanner(context.Context, *core.Media) (core.User, error) {
	return core.User{}, n.err
}
func (n errNode) FetchMedia(context.Context, string, func(core.MediaProgress)) (core.Media, error) {
	return core.Media{}, n.err
}
func (n errNode) OpenMedia(context.Context, string) (*core.MediaFile, error) { return nil, n.err }
func (n errNode) MediaUsage(context.Context) (core.MediaUsage, error) {
	return core.MediaUsage{}, n.err
}
func (n errNode) PruneMedia(context.Context) (int64, error) { return 0, n.err }
func (n errNode) CreateAlbum(context.Context, string, string) (core.Album, error) {
	return core.Album{}, n.err
}
func (n errNode) AddToAlbum(context.Context, string, []core.Media) (core.Album, error) {
	return core.Album{}, n.err
}
func (n errNode) RemoveFromAlbum(context.Context, string, []string) (core.Album, error) {
	return core.Album{}, n.err
}
func (n errNode) DropAlbum(context.Context, string) error              { return n.err }
func (n errNode) Albums(context.Context, string) ([]core.Album, error) { return nil, n.err }
func (n errNode) Album(context.Context, string, string) (core.Album, error) {
	return core.Album{}, n.err
}
func (n errNode) MirrorAlbum(context.Context, string, string, string, func(core.MediaProgress)) (core.Album, error) {
	return core.Album{}, n.err
}
func (n errNode) Unmirror(context.Context, string, string) error { return n.err }
func (n errNode) Mirrors(context.Context) ([]core.Album, error)  { return nil, n.err }

// testPNG returns a small PNG image.
func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{200, 30, 90, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestMediaUploadAndPost(t *testing.T) {
	ctx := context.Background()
	node, cl := chatNode(t)
	data := testPNG(t, 40, 30)
	thumb := testPNG(t, 4, 3)
	in := core.MediaInput{Type: "image/png", Width: 40, Height: 30, Alt: "a café ☕ \U0001F600 \"quoted\"", Thumb: thumb, Blurhash: "LEHV6nWB2yk8pyo0adR*.7kCMdnj"}
	m, err := cl.ImportMedia(ctx, bytes.NewReader(data), int64(len(data)), in)
	if err != nil || m.Size != uint64(len(data)) || m.Type != "image/png" || m.Width != 40 || m.Alt != in.Alt || m.Thumb == "" || m.ThumbSize != len(thumb) || !m.Local {
		t.Fatalf("ImportMedia() = %+v, %v", m, err)
	}
	// Unknown length: chunked.
	m2, err := cl.ImportMedia(ctx, io.MultiReader(bytes.NewReader(data[:10]), bytes.NewReader(data[10:])), -1, core.MediaInput{Type: "image/png"})
	if err != nil || m2.Root != m.Root {
		t.Fatalf("ImportMedia(chunked) = %+v, %v, want root %s", m2, err, m.Root)
	}

	p, err := cl.PostMedia(ctx, "look", []core.Media{m})
	if err != nil || p.Text != "look" || len(p.Media) != 1 || p.Media[0].Root != m.Root || p.Media[0].Alt != in.Alt {
		t.Fatalf("PostMedia() = %+v, %v", p, err)
	}
	// Text may be empty with an image, not without.
	if p, err := cl.PostMedia(ctx, "", []core.Media{m}); err != nil || len(p.Media) != 1 {
		t.Fatalf("PostMedia(no text) = %+v, %v", p, err)
	}
	if _, err := cl.PostMedia(ctx, "", nil); !errors.Is(err, core.ErrInvalidPost) {
		t.Errorf("PostMedia(nothing) error = %v, want ErrInvalidPost", err)
	}
	r, err := cl.ReplyMedia(ctx, p.ID, "", []core.Media{m})
	if err != nil || r.Kind != core.KindReply || len(r.Media) != 1 {
		t.Fatalf("ReplyMedia() = %+v, %v", r, err)
	}
	feed, err := cl.Feed(ctx, "", 10)
	if err != nil || len(feed.Posts) != 3 || len(feed.Posts[2].Media) != 1 || feed.Posts[2].Media[0].Root != m.Root {
		t.Fatalf("Feed() = %+v, %v, want the posts with their media", feed, err)
	}

	u, err := cl.SetAvatar(ctx, &m)
	if err != nil || u.Avatar == nil || u.Avatar.Root != m.Root {
		t.Fatalf("SetAvatar() = %+v, %v", u, err)
	}
	if u, err := cl.SetAvatar(ctx, nil); err != nil || u.Avatar != nil {
		t.Fatalf("SetAvatar(nil) = %+v, %v", u, err)
	}
	if u, err := cl.SetBanner(ctx, &m); err != nil || u.Banner == nil {
		t.Fatalf("SetBanner() = %+v, %v", u, err)
	}

	// The bytes come back as they went.
	rc, size, err := cl.OpenMedia(ctx, m.Root)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, data) || size != int64(len(data)) {
		t.Fatalf("OpenMedia() = %d bytes (size %d), %v; want the %d imported", len(got), size, err, len(data))
	}
	us, err := cl.MediaUsage(ctx)
	if err != nil || us.Own != int64(len(data)+len(thumb)) || us.Blobs != 2 {
		t.Errorf("MediaUsage() = %+v, %v", us, err)
	}
	_ = node
}

func TestMediaErrors(t *testing.T) {
	ctx := context.Background()
	node, cl := chatNode(t)
	data := testPNG(t, 10, 10)
	tests := []struct {
		name string
		in   core.MediaInput
		body []byte
		want error
		code string
	}{
		{"type not allowed", core.MediaInput{Type: "image/svg+xml"}, data, core.ErrInvalidMedia, "invalid_media"},
		{"type lies", core.MediaInput{Type: "image/jpeg"}, data, core.ErrInvalidMedia, "invalid_media"},
		{"bad thumbnail", core.MediaInput{Type: "image/png", Thumb: []byte("not an image")}, data, core.ErrInvalidMedia, "invalid_media"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cl.ImportMedia(ctx, bytes.NewReader(tt.body), int64(len(tt.body)), tt.in)
			var e *Error
			if !errors.Is(err, tt.want) || !errors.As(err, &e) || e.Code != tt.code {
				t.Errorf("ImportMedia() error = %#v, want %s", err, tt.code)
			}
		})
	}
	t.Run("too many images", func(t *testing.T) {
		m, err := cl.ImportMedia(ctx, bytes.NewReader(data), int64(len(data)), core.MediaInput{Type: "image/png"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = cl.PostMedia(ctx, "x", []core.Media{m, m, m, m, m})
		if !errors.Is(err, core.ErrInvalidMedia) {
			t.Errorf("PostMedia(5 images) error = %v, want ErrInvalidMedia", err)
		}
	})
	t.Run("not imported", func(t *testing.T) {
		other := node.AddRemoteMedia([]byte("elsewhere"), core.MediaInput{Type: "application/octet-stream"})
		if _, err := cl.SetAvatar(ctx, &other); !errors.Is(err, core.ErrInvalidMedia) {
			t.Errorf("SetAvatar(not imported) error = %v, want ErrInvalidMedia", err)
		}
	})
	t.Run("nobody has it", func(t *testing.T) {
		root := strings.Repeat("ab", 32)
		_, err := cl.FetchMedia(ctx, root, nil)
		var e *Error
		if !errors.Is(err, core.ErrNoMedia) || !errors.As(err, &e) || e.Status != http.StatusNotFound {
			t.Errorf("FetchMedia(unknown) error = %#v, want 404 no_media", err)
		}
		if _, _, err := cl.OpenMedia(ctx, root); !errors.Is(err, core.ErrNoMedia) {
			t.Errorf("OpenMedia(unknown) error = %v, want ErrNoMedia", err)
		}
	})
	t.Run("no album", func(t *testing.T) {
		if _, err := cl.Album(ctx, "", "nope"); !errors.Is(err, core.ErrNoAlbum) {
			t.Errorf("Album(nope) error = %v, want ErrNoAlbum", err)
		}
	})
}

// TestMediaImportHeader checks the import route's refusals that the Client
// cannot make: a missing, oversized or malformed header, a body over the
// limit.
func TestMediaImportHeader(t *testing.T) {
	ctx := context.Background()
	_, cl := chatNode(t)
	tests := []struct {
		name   string
		header []string
		length int64
		status int
		code   string
	}{
		{"no header", nil, 3, http.StatusBadRequest, CodeBadRequest},
		{"two headers", []string{`{"type":"image/png"}`, `{"type":"image/png"}`}, 3, http.StatusBadRequest, CodeBadRequest},
		{"not JSON", []string{`{"type":`}, 3, http.StatusBadRequest, CodeBadRequest},
		{"unknown field", []string{`{"type":"image/png","evil":1}`}, 3, http.StatusBadRequest, CodeBadRequest},
		{"lone surrogate", []string{`{"type":"image/png","alt":"\ud800"}`}, 3, http.StatusBadRequest, CodeBadRequest},
		{"too long", []string{`{"type":"image/png","alt":"` + strings.Repeat("a", MaxMediaHeader) + `"}`}, 3, http.StatusRequestEntityTooLarge, CodeTooLarge},
		{"too large", []string{`{"type":"application/octet-stream"}`}, core.MaxMediaSize + 1, http.StatusRequestEntityTooLarge, "media_too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, cl.base+"/v1/media/import", strings.NewReader("abc"))
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = tt.length
			if tt.length > 3 {
				req.Body = io.NopCloser(io.LimitReader(zeros{}, tt.length))
			}
			for _, h := range tt.header {
				req.Header.Add(MediaHeader, h)
			}
			resp, err := cl.hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var e Error
			json.NewDecoder(resp.Body).Decode(&e)
			if resp.StatusCode != tt.status || e.Code != tt.code {
				t.Errorf("status %d code %q (%s), want %d %q", resp.StatusCode, e.Code, e.Message, tt.status, tt.code)
			}
		})
	}
}

type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

func TestMediaFetchProgress(t *testing.T) {
	ctx := context.Background()
	node, cl := chatNode(t)
	data := bytes.Repeat([]byte("skein"), 200_000) // 1 MB: 4 pieces
	m := node.AddRemoteMedia(data, core.MediaInput{Type: "application/octet-stream"})
	var reports []core.MediaProgress
	got, err := cl.FetchMedia(ctx, m.Root, func(p core.MediaProgress) { reports = append(reports, p) })
	if err != nil || got.Root != m.Root || !got.Local {
		t.Fatalf("FetchMedia() = %+v, %v", got, err)
	}
	if len(reports) != 2 || reports[0].Done || !reports[1].Done || reports[1].Verified != int64(len(data)) || reports[1].Pieces != 4 {
		t.Fatalf("FetchMedia() reports = %+v, want half then done", reports)
	}
	if !node.Held(m.Root) {
		t.Error("the blob is not held after FetchMedia")
	}
	// The stream itself: JSON lines, the last one the media.
	resp, err := cl.do(ctx, http.MethodPost, "/v1/media/fetch", nil, strings.NewReader(`{"root":"`+m.Root+`"}`), "")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-ndjson" || len(lines) != 2 ||
		!strings.HasPrefix(lines[0], `{"progress":`) || !strings.HasPrefix(lines[1], `{"media":`) {
		t.Errorf("stream = %s %q, want a progress line and a media line", ct, lines)
	}
	// Pruning drops what was only fetched.
	freed, err := cl.PruneMedia(ctx)
	if err != nil || freed != int64(len(data)) || node.Held(m.Root) {
		t.Errorf("PruneMedia() = %d, %v; want %d freed", freed, err, len(data))
	}
}

func TestAlbumsRoundTrip(t *testing.T) {
	ctx := context.Background()
	node, cl := chatNode(t)
	if _, err := cl.CreateAlbum(ctx, "Bad Slug", "t"); !errors.Is(err, core.ErrInvalidMedia) {
		t.Errorf("CreateAlbum(bad slug) error = %v, want ErrInvalidMedia", err)
	}
	a, err := cl.CreateAlbum(ctx, "memes", "Memes")
	if err != nil || a.Slug != "memes" || a.Items == nil {
		t.Fatalf("CreateAlbum() = %+v, %v", a, err)
	}
	var ms []core.Media
	for i := range 3 {
		b := fmt.Appendf(nil, "file %d", i)
		m, err := cl.ImportMedia(ctx, bytes.NewReader(b), int64(len(b)), core.MediaInput{Type: "application/octet-stream", Name: fmt.Sprintf("f%d.txt", i)})
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	if a, err = cl.AddToAlbum(ctx, "memes", ms); err != nil || len(a.Items) != 3 || a.Held != 3 {
		t.Fatalf("AddToAlbum() = %+v, %v", a, err)
	}
	if a, err = cl.RemoveFromAlbum(ctx, "memes", []string{ms[0].Root}); err != nil || len(a.Items) != 2 {
		t.Fatalf("RemoveFromAlbum() = %+v, %v", a, err)
	}
	as, err := cl.Albums(ctx, "")
	if err != nil || len(as) != 1 || as[0].Slug != "memes" {
		t.Fatalf("Albums() = %+v, %v", as, err)
	}

	// bob's album, mirrored with progress.
	f1 := node.AddRemoteMedia([]byte("one"), core.MediaInput{Type: "application/octet-stream", Name: "one.txt"})
	f2 := node.AddRemoteMedia([]byte("two"), core.MediaInput{Type: "application/octet-stream", Name: "two.txt"})
	node.AddAlbum("bob", "pics", "Pics", f1, f2)
	dir := t.TempDir()
	var done []string
	b, err := cl.MirrorAlbum(ctx, "bob", "pics", dir, func(p core.MediaProgress) {
		if p.Done {
			done = append(done, p.Name)
		}
	})
	if err != nil || b.Held != 2 || !b.Mirrored || len(done) != 2 {
		t.Fatalf("MirrorAlbum() = %+v, %v; done %v", b, err, done)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "two.txt")); err != nil || string(got) != "two" {
		t.Errorf("mirrored two.txt = %q, %v", got, err)
	}
	mirrors, err := cl.Mirrors(ctx)
	if err != nil || len(mirrors) != 1 || mirrors[0].Author != "bob" {
		t.Fatalf("Mirrors() = %+v, %v", mirrors, err)
	}
	if err := cl.Unmirror(ctx, "bob", "pics"); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.MirrorAlbum(ctx, "bob", "nope", dir, nil); !errors.Is(err, core.ErrNoAlbum) {
		t.Errorf("MirrorAlbum(nope) error = %v, want ErrNoAlbum", err)
	}
	if err := cl.DropAlbum(ctx, "memes"); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Album(ctx, "", "memes"); !errors.Is(err, core.ErrNoAlbum) {
		t.Errorf("Album(dropped) error = %v, want ErrNoAlbum", err)
	}
}

// slowMirror reports progress until its context ends, so that a stream
// whose reader goes away is seen to end it.
type slowMirror struct {
	*apitest.Node
	ended chan struct{}
}

func (s slowMirror) MirrorAlbum(ctx context.Context, name, slug, dir string, progress func(core.MediaProgress)) (core.Album, error) {
	defer close(s.ended)
	for i := 0; ctx.Err() == nil; i++ {
		progress(core.MediaProgress{Root: strings.Repeat("0", 64), Have: i, Pieces: 1 << 30})
		select {
		case <-ctx.Done():
		case <-time.After(time.Millisecond):
		}
	}
	return core.Album{}, ctx.Err()
}

func TestMirrorStreamEndsWithClient(t *testing.T) {
	node := apitest.NewNode(time.Unix(1e9, 0))
	slow := slowMirror{Node: node, ended: make(chan struct{})}
	cl, _, _ := serve(t, slow)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := cl.MirrorAlbum(ctx, "bob", "pics", "", func(core.MediaProgress) {
		if n++; n == 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("MirrorAlbum() error = %v, want context.Canceled", err)
	}
	<-slow.ended // the daemon's side ended too
}

// FuzzMediaHeader: the import header's decoder never panics, and what it
// accepts the Client sends again as the same input, in ASCII.
func FuzzMediaHeader(f *testing.F) {
	for _, s := range []string{`{"type":"image/png"}`, `{"type":"image/png","width":3,"height":2,"alt":"caf\u00e9 \ud83d\ude00","thumb":"iVBORw0KGgo=","blurhash":"L","name":"a.png"}`,
		`{"type":1}`, `{"thumb":"!!"}`, `{"alt":"\ud800"}`, `{}{}`, `null`, `[]`, "{\"alt\":\"\xff\"}", `{"type":"x","evil":true}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		in, err := mediaHeader([]string{h})
		if err != nil {
			return
		}
		b, err := json.Marshal(MediaHeaderInput{Type: in.Type, Width: in.Width, Height: in.Height, Alt: in.Alt, Thumb: in.Thumb, Blurhash: in.Blurhash, Name: in.Name})
		if err != nil {
			t.Fatal(err)
		}
		a := asciiJSON(b)
		for i := range len(a) {
			if a[i] >= 0x80 || a[i] < 0x20 {
				t.Fatalf("asciiJSON(%q) = %q holds byte %#x", b, a, a[i])
			}
		}
		again, err := mediaHeader([]string{a})
		if err != nil || again.Type != in.Type || again.Alt != in.Alt || again.Name != in.Name || !bytes.Equal(again.Thumb, in.Thumb) || again.Width != in.Width {
			t.Fatalf("mediaHeader(%q) = %+v, %v; want %+v", a, again, err, in)
		}
	})
}
