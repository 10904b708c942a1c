package mobile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/skein-p2p/skein/core"
)

// pngOf encodes a w×h PNG whose pixels depend on seed, so that images of
// different seeds have different roots.
func pngOf(t *testing.T, w, h int, seed byte) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{R: byte(x) + seed, G: byte(y) * seed, B: seed, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// progressRecorder is a MediaListener that keeps what it is told.
type progressRecorder struct {
	mu      sync.Mutex
	reports []MediaProgress
}

func (r *progressRecorder) OnProgress(p *MediaProgress) {
	r.mu.Lock()
	r.reports = append(r.reports, *p)
	r.mu.Unlock()
}

// done returns the roots reported done.
func (r *progressRecorder) done() map[string]bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]bool{}
	for _, p := range r.reports {
		if p.Done {
			out[p.Root] = true
		}
	}
	return out
}

// importPNG imports a PNG of w×h with a thumbnail and returns its
// descriptor and bytes.
func importPNG(t *testing.T, n *Node, w, h int, seed byte, alt, name string) (*Media, []byte, []byte) {
	t.Helper()
	data, thumb := pngOf(t, w, h, seed), pngOf(t, 4, 4, seed)
	in := NewMediaInput("image/png", w, h)
	in.SetAlt(alt)
	in.SetThumb(thumb)
	in.SetBlurhash("LEHV6nWB2yk8pyo0adR*.7kCMdnj")
	in.SetName(name)
	m, err := n.ImportMedia(data, in)
	if err != nil {
		t.Fatalf("ImportMedia: %v", err)
	}
	return m, data, thumb
}

// TestMedia: alice posts an image with a thumbnail; bob's node sees it in
// the feed, fetches it with progress and gets the same bytes; avatars; the
// errors.
func TestMedia(t *testing.T) {
	a := newNode(t, "", true)
	b := newNode(t, a.Addrs(), false)

	_, err := a.ImportMedia(pngOf(t, 2, 2, 1), NewMediaInput("image/png", 2, 2))
	wantCode(t, "ImportMedia before login", err, CodeNotLoggedIn)
	if _, err := a.Register("alice", "pw-alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Register("bob", "pw-bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Follow("alice"); err != nil {
		t.Fatal(err)
	}

	bad := []struct {
		what string
		data []byte
		in   *MediaInput
		code int
	}{
		{"null input", pngOf(t, 2, 2, 1), nil, CodeInvalidInput},
		{"no bytes", nil, NewMediaInput("image/png", 2, 2), CodeInvalidInput},
		{"a PNG declared image/jpeg", pngOf(t, 2, 2, 1), NewMediaInput("image/jpeg", 2, 2), CodeInvalidMedia},
		{"a type not allowed", []byte("<svg/>"), NewMediaInput("image/svg+xml", 2, 2), CodeInvalidMedia},
		{"negative width", pngOf(t, 2, 2, 1), NewMediaInput("image/png", -2, 2), CodeInvalidMedia},
		{"over 64 MiB", make([]byte, MaxMediaSize+1), NewMediaInput("image/png", 2, 2), CodeMediaTooLarge},
	}
	for _, tt := range bad {
		_, err := a.ImportMedia(tt.data, tt.in)
		wantCode(t, "ImportMedia("+tt.what+")", err, tt.code)
		if strings.HasPrefix(err.Error(), "core: ") {
			t.Errorf("ImportMedia(%s): a Go prefix in %q", tt.what, err)
		}
	}
	big := NewMediaInput("image/png", 2, 2)
	big.SetThumb(make([]byte, MaxThumbSize+1))
	_, err = a.ImportMedia(pngOf(t, 2, 2, 1), big)
	wantCode(t, "ImportMedia(a thumbnail over 16 KiB)", err, CodeInvalidMedia)

	m, data, thumb := importPNG(t, a, 40, 30, 7, "a gradient", "")
	if len(m.Root) != 64 || m.Size != int64(len(data)) || m.Type != "image/png" || m.Width != 40 || m.Height != 30 ||
		m.Alt != "a gradient" || len(m.Thumb) != 64 || m.ThumbSize != len(thumb) || !m.Local {
		t.Fatalf("ImportMedia = %+v", m)
	}
	var fromJSON map[string]any
	if err := json.Unmarshal(m.JSON(), &fromJSON); err != nil || fromJSON["root"] != m.Root {
		t.Fatalf("Media.JSON = %s, %v", m.JSON(), err)
	}
	list := NewMediaList()
	wantCode(t, "MediaList.Add(null)", list.Add(nil), CodeInvalidInput)
	if err := list.Add(m); err != nil {
		t.Fatal(err)
	}
	post, err := a.PostWithMedia("", list)
	if err != nil {
		t.Fatalf("PostWithMedia(no text): %v", err)
	}
	if post.Media.Len() != 1 || post.Media.Get(0).Root != m.Root || post.Media.Get(1) != nil {
		t.Fatalf("PostWithMedia: %d media", post.Media.Len())
	}
	five := NewMediaList()
	for range MaxMediaPerPost + 1 {
		five.Add(m)
	}
	_, err = a.PostWithMedia("too many", five)
	wantCode(t, "PostWithMedia(5 images)", err, CodeInvalidMedia)
	if p, err := a.PostWithMedia("no images", nil); err != nil || p.Media == nil || p.Media.Len() != 0 {
		t.Fatalf("PostWithMedia(null list) = %+v, %v", p, err)
	}

	// Bob's node holds the post, not the image: it fetches it.
	var seen *Post
	waitFor(t, "alice's post with an image in bob's feed", func() bool {
		pg, err := b.Feed("", 10)
		if err != nil {
			return false
		}
		for i := range pg.Len() {
			if p := pg.Get(i); p.ID == post.ID {
				seen = p
				return true
			}
		}
		return false
	})
	if seen.Media.Len() != 1 {
		t.Fatalf("bob's copy has %d media", seen.Media.Len())
	}
	got := seen.Media.Get(0)
	if got.Root != m.Root || got.Alt != "a gradient" || got.Thumb != m.Thumb || got.Width != 40 || got.Blurhash == "" {
		t.Fatalf("bob's copy of the media: %+v", got)
	}
	feed, err := b.FeedJSON("", 10)
	if err != nil || !bytes.Contains(feed, []byte(`"root":"`+m.Root+`"`)) {
		t.Fatalf("FeedJSON has no media root: %s, %v", feed, err)
	}
	prog := &progressRecorder{}
	fetched, err := b.FetchMedia(m.Root, prog)
	if err != nil {
		t.Fatalf("FetchMedia: %v", err)
	}
	if !fetched.Local || fetched.Root != m.Root {
		t.Fatalf("FetchMedia = %+v", fetched)
	}
	if !prog.done()[m.Root] && len(prog.reports) > 0 {
		t.Errorf("FetchMedia reported %d times, never done: %+v", len(prog.reports), prog.reports)
	}
	if bs, err := b.MediaBytes(m.Root); err != nil || !bytes.Equal(bs, data) {
		t.Fatalf("MediaBytes(root): %d bytes, %v; want the %d imported", len(bs), err, len(data))
	}
	if bs, err := b.MediaBytes(m.Thumb); err != nil || !bytes.Equal(bs, thumb) {
		t.Fatalf("MediaBytes(thumb): %d bytes, %v", len(bs), err)
	}
	_, err = b.MediaBytes("")
	wantCode(t, "MediaBytes(null)", err, CodeInvalidInput)
	_, err = b.MediaBytes("not a root")
	wantCode(t, "MediaBytes(not a root)", err, CodeInvalidMedia)
	_, err = b.FetchMedia(strings.Repeat("ab", 32), nil)
	wantCode(t, "FetchMedia(a root nobody has)", err, CodeNoMedia)

	// A reply with an image, and a post retried with its request ID.
	m2, _, _ := importPNG(t, b, 8, 8, 9, "", "")
	l2 := NewMediaList()
	l2.Add(m2)
	reply, err := b.ReplyWithMedia(post.ID, "mine too", l2)
	if err != nil || reply.Media.Len() != 1 || reply.ReplyToID != post.ID {
		t.Fatalf("ReplyWithMedia = %+v, %v", reply, err)
	}
	r, err := b.Request("media-1")
	if err != nil {
		t.Fatal(err)
	}
	p1, err := r.PostWithMedia("once", l2)
	if err != nil {
		t.Fatal(err)
	}
	if p2, err := r.PostWithMedia("once", l2); err != nil || p2.ID != p1.ID {
		t.Fatalf("a retried PostWithMedia = %+v, %v; want post %s", p2, err, p1.ID)
	}
	if rp, err := r.ReplyWithMedia(post.ID, "x", nil); ErrorCode(err) != CodeInvalidInput || rp != nil {
		t.Fatalf("a request ID reused for a reply = %v, %v", rp, err)
	}

	// Avatars and banners.
	_, err = a.SetAvatar(nil)
	wantCode(t, "SetAvatar(null)", err, CodeInvalidInput)
	u, err := a.SetAvatar(m)
	if err != nil || u.Avatar == nil || u.Avatar.Root != m.Root || u.Banner != nil {
		t.Fatalf("SetAvatar = %+v, %v", u, err)
	}
	if u, err = a.SetBanner(m); err != nil || u.Banner == nil || u.Avatar == nil {
		t.Fatalf("SetBanner = %+v, %v", u, err)
	}
	waitFor(t, "alice's avatar at bob's", func() bool {
		p, err := b.Whois("alice")
		return err == nil && p.Avatar != nil && p.Avatar.Root == m.Root && p.Banner != nil
	})
	if u, err = a.RemoveAvatar(); err != nil || u.Avatar != nil || u.Banner == nil {
		t.Fatalf("RemoveAvatar = %+v, %v", u, err)
	}
	if u, err = a.RemoveBanner(); err != nil || u.Banner != nil {
		t.Fatalf("RemoveBanner = %+v, %v", u, err)
	}

	use, err := a.MediaUsage()
	if err != nil || use.Own < int64(len(data)) || use.Blobs < 2 {
		t.Fatalf("MediaUsage = %+v, %v", use, err)
	}
	if _, err := b.PruneMedia(); err != nil {
		t.Fatalf("PruneMedia: %v", err)
	}
}

// TestAlbums: alice makes an album of two files, bob mirrors it and holds
// both, with their progress reported.
func TestAlbums(t *testing.T) {
	a := newNode(t, "", true)
	b := newNode(t, a.Addrs(), false)
	if _, err := a.Register("alice", "pw-alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Register("bob", "pw-bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Follow("alice"); err != nil {
		t.Fatal(err)
	}
	_, err := a.CreateAlbum("Memes!", "Memes")
	wantCode(t, "CreateAlbum(a bad slug)", err, CodeInvalidMedia)
	_, err = a.CreateAlbum("memes", "")
	wantCode(t, "CreateAlbum(no title)", err, CodeInvalidInput)
	al, err := a.CreateAlbum("memes", "Memes")
	if err != nil || al.Slug != "memes" || al.Title != "Memes" || al.Items.Len() != 0 || al.Author != "alice" {
		t.Fatalf("CreateAlbum = %+v, %v", al, err)
	}
	_, err = a.CreateAlbum("memes", "Again")
	wantCode(t, "CreateAlbum(twice)", err, CodeInvalidMedia)

	files := map[string][]byte{}
	list := NewMediaList()
	for i, name := range []string{"cat.png", "dog.png"} {
		m, data, _ := importPNG(t, a, 20+i, 10, byte(30+i), "", name)
		files[m.Root] = data
		list.Add(m)
	}
	_, err = a.AddToAlbum("nope", list)
	wantCode(t, "AddToAlbum(no album)", err, CodeNoAlbum)
	_, err = a.AddToAlbum("memes", NewMediaList())
	wantCode(t, "AddToAlbum(nothing)", err, CodeInvalidInput)
	if al, err = a.AddToAlbum("memes", list); err != nil || al.Items.Len() != 2 || al.Held != 2 {
		t.Fatalf("AddToAlbum = %+v, %v", al, err)
	}
	if as, err := a.Albums(""); err != nil || as.Len() != 1 || as.Get(0).Slug != "memes" || as.Get(1) != nil {
		t.Fatalf("Albums(mine) = %v, %v", as, err)
	}

	_, err = b.Album("alice", "nope")
	wantCode(t, "Album(no such album)", err, CodeNoAlbum)
	waitFor(t, "bob sees alice's album", func() bool {
		al, err := b.Album("alice", "memes")
		return err == nil && al.Items.Len() == 2
	})
	prog := &progressRecorder{}
	mir, err := b.MirrorAlbum("alice", "memes", prog)
	if err != nil {
		t.Fatalf("MirrorAlbum: %v", err)
	}
	if !mir.Mirrored || mir.Held != 2 || mir.MirrorDir != "" {
		t.Fatalf("MirrorAlbum = %+v", mir)
	}
	done := prog.done()
	for root, data := range files {
		if !done[root] {
			t.Errorf("MirrorAlbum reported no end of %s: %+v", root[:8], prog.reports)
		}
		if bs, err := b.MediaBytes(root); err != nil || !bytes.Equal(bs, data) {
			t.Errorf("MediaBytes(%s) after the mirror: %d bytes, %v", root[:8], len(bs), err)
		}
	}
	if ms, err := b.Mirrors(); err != nil || ms.Len() != 1 || ms.Get(0).Slug != "memes" {
		t.Fatalf("Mirrors = %v, %v", ms, err)
	}
	use, err := b.MediaUsage()
	if err != nil || use.Pinned == 0 {
		t.Fatalf("MediaUsage while mirroring = %+v, %v", use, err)
	}
	if err := b.Unmirror("alice", "memes"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "Unmirror(not mirrored)", b.Unmirror("alice", "memes"), CodeNoAlbum)
	if ms, err := b.Mirrors(); err != nil || ms.Len() != 0 {
		t.Fatalf("Mirrors after Unmirror = %v, %v", ms, err)
	}

	first := list.Get(0).Root
	if al, err = a.RemoveFromAlbum("memes", first); err != nil || al.Items.Len() != 1 || al.Items.Get(0).Root == first {
		t.Fatalf("RemoveFromAlbum = %+v, %v", al, err)
	}
	if err := a.DropAlbum("memes"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "DropAlbum(dropped)", a.DropAlbum("memes"), CodeNoAlbum)
}

// TestNoImageDecoders: the phone library links no image decoder; apps
// decode natively and pass bytes, dimensions and thumbnails.
func TestNoImageDecoders(t *testing.T) {
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	forbidden := []string{"image/jpeg", "image/png", "image/gif", "image/draw",
		"golang.org/x/image/", "github.com/skein-p2p/skein/cli/"}
	for _, goos := range []string{"android", "ios"} {
		cmd := exec.Command(gocmd, "list", "-deps", ".")
		cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=arm64", "CGO_ENABLED=0")
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("go list -deps for %s: %v\n%s", goos, err, stderr)
		}
		for dep := range strings.SplitSeq(string(out), "\n") {
			for _, f := range forbidden {
				if dep == f || (strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f)) {
					t.Errorf("the %s library links %s: decode images in the app, not in Go", goos, dep)
				}
			}
		}
	}
}

// TestMediaCodes: core's media errors carry their stable codes and names,
// and lose the Go package prefixes of the layers below.
func TestMediaCodes(t *testing.T) {
	for _, tt := range []struct {
		err  error
		code int
		name string
	}{
		{core.ErrInvalidMedia, CodeInvalidMedia, "invalid_media"},
		{core.ErrMediaTooLarge, CodeMediaTooLarge, "media_too_large"},
		{core.ErrNoMedia, CodeNoMedia, "no_media"},
		{core.ErrNoAlbum, CodeNoAlbum, "no_album"},
	} {
		err := coded(fmt.Errorf("core: %w: details", tt.err))
		if got := ErrorCode(err); got != tt.code || ErrorCodeName(got) != tt.name {
			t.Errorf("ErrorCode(%v) = %d %q, want %d %q", tt.err, got, ErrorCodeName(got), tt.code, tt.name)
		}
		if strings.HasPrefix(err.Error(), "core: ") || strings.HasPrefix(err.Error(), "blob: ") {
			t.Errorf("a Go prefix in %q", err)
		}
	}
}

// slowListener is a MediaListener that takes its time.
type slowListener struct {
	progressRecorder
	gate chan struct{}
}

func (l *slowListener) OnProgress(p *MediaProgress) {
	<-l.gate
	l.progressRecorder.OnProgress(p)
}

// TestProgressRelay: a slow listener misses intermediate reports but gets
// each file's last one, in order, and close waits for the last call.
func TestProgressRelay(t *testing.T) {
	l := &slowListener{gate: make(chan struct{})}
	r := newProgressRelay(l)
	report := r.fn()
	for _, root := range []string{"a", "b"} {
		for i := range 50 {
			report(core.MediaProgress{Root: root, Have: i + 1, Pieces: 50, Done: i == 49})
		}
	}
	close(l.gate)
	r.close()
	if r := newProgressRelay(nil); r != nil || r.fn() != nil {
		t.Fatal("a null listener has a relay")
	}
	var last []string
	for _, p := range l.reports {
		if p.Done {
			last = append(last, p.Root)
		}
	}
	if len(last) != 2 || last[0] != "a" || last[1] != "b" {
		t.Fatalf("done reports %v of %d reports; want a then b", last, len(l.reports))
	}
	if n := len(l.reports); n > 100 || n < 2 {
		t.Fatalf("%d reports", n)
	}
	for i := 1; i < len(l.reports); i++ {
		p, q := l.reports[i-1], l.reports[i]
		if p.Root == q.Root && q.Have < p.Have {
			t.Fatalf("report %d goes back: %+v after %+v", i, q, p)
		}
	}
}
