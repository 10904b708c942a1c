package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/blob"
	"github.com/skein-p2p/skein/core/internal/blobstore"
	"github.com/skein-p2p/skein/core/internal/entry"
)

// noisyPNG returns a PNG of w×h random pixels: it does not compress, so its
// size is about 4·w·h bytes.
func noisyPNG(t testing.TB, seed uint64, w, h int) []byte {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, seed))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(r.Uint32())
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// tinyPNG returns a small one-colour PNG, a thumbnail.
func tinyPNG(t testing.TB, c uint8) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 16, 16))
	for i := range img.Pix {
		img.Pix[i] = c
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	_ = color.Gray{}
	return b.Bytes()
}

func mustImport(t *testing.T, n *Node, data []byte, in MediaInput) Media {
	t.Helper()
	m, err := n.ImportMedia(context.Background(), bytes.NewReader(data), in)
	if err != nil {
		t.Fatalf("ImportMedia(%s, %d bytes): %v", in.Type, len(data), err)
	}
	return m
}

func readMedia(t *testing.T, n *Node, root string) []byte {
	t.Helper()
	f, err := n.OpenMedia(context.Background(), root)
	if err != nil {
		t.Fatalf("OpenMedia(%s): %v", root[:8], err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMediaPost: alice posts a 1.4 MB image with a thumbnail and alt text;
// bob, who follows her, sees the descriptor in his feed, gets the thumbnail
// without asking, and fetches the image, verified, byte for byte. With
// alice gone, carol, another follower, fetches it from bob.
func TestMediaPost(t *testing.T) {
	tn := newTestNet(t)
	alice, bob, carol := tn.user("alice"), tn.user("bob"), tn.user("carol")
	ctx := context.Background()
	img := noisyPNG(t, 1, 600, 600)
	m := mustImport(t, alice, img, MediaInput{Type: "image/png", Width: 600, Height: 600, Alt: "static on a screen", Thumb: tinyPNG(t, 90), Blurhash: "LEHV6nWB2yk8pyo0adR*.7kCMdnj"})
	if !m.Local || m.Size != uint64(len(img)) || m.Root != blob.Sum(img).String() {
		t.Fatalf("ImportMedia() = %+v, want the whole %d bytes under their BLAKE3 root", m, len(img))
	}
	p, err := alice.PostMedia(ctx, "", []Media{m})
	if err != nil {
		t.Fatal(err)
	}
	if p.Text != "" || len(p.Media) != 1 || p.Media[0].Root != m.Root || p.Media[0].Alt != "static on a screen" {
		t.Fatalf("PostMedia() = %+v", p)
	}
	mustFollow(t, bob, "alice")
	var got Post
	waitFor(t, "bob's feed shows alice's image post", func() bool {
		page, err := bob.Feed(ctx, "", 10)
		if err != nil || len(page.Posts) == 0 {
			return false
		}
		got = page.Posts[0]
		return got.ID == p.ID
	})
	if len(got.Media) != 1 || got.Media[0] != (Media{Root: m.Root, Size: m.Size, Type: "image/png", Width: 600, Height: 600,
		Alt: "static on a screen", Thumb: m.Thumb, ThumbSize: m.ThumbSize, Blurhash: m.Blurhash}) {
		t.Fatalf("bob's feed post media = %+v", got.Media)
	}
	thumb, _ := blob.ParseRoot(m.Thumb)
	waitFor(t, "bob fetches the thumbnail unasked", func() bool { return bob.lib.Has(thumb) })

	var reports []MediaProgress
	fm, err := bob.FetchMedia(ctx, m.Root, func(p MediaProgress) { reports = append(reports, p) })
	if err != nil || !fm.Local {
		t.Fatalf("FetchMedia() = %+v, %v", fm, err)
	}
	if len(reports) == 0 || !reports[len(reports)-1].Done {
		t.Errorf("progress reports %+v: want a last one marked done", reports)
	}
	if b := readMedia(t, bob, m.Root); !bytes.Equal(b, img) {
		t.Fatalf("bob read %d bytes, want alice's %d", len(b), len(img))
	}

	// carol follows alice too; when alice is gone, her image comes from
	// bob, a holder of alice's log.
	mustFollow(t, carol, "alice")
	waitFor(t, "carol's feed shows the post", func() bool {
		page, err := carol.Feed(ctx, "", 10)
		return err == nil && len(page.Posts) > 0 && page.Posts[0].ID == p.ID
	})
	aliceKey, _ := entry.ParseKey(p.AuthorKey)
	waitFor(t, "the DHT names bob as a holder of alice's log", func() bool {
		return slices.Contains(carol.findHolders(ctx, aliceKey), bob.host.ID())
	})
	alice.Close()
	if b := readMedia(t, carol, m.Root); !bytes.Equal(b, img) {
		t.Fatalf("carol read %d bytes from bob, want %d", len(b), len(img))
	}
}

// TestMediaRefused: a type that is not allowed, a type the bytes
// contradict, too many images, an image this node does not hold, and an
// unknown root each fail with a clear error and append nothing.
func TestMediaRefused(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	ctx := context.Background()
	img := noisyPNG(t, 2, 64, 64)
	cases := []struct {
		name string
		data []byte
		in   MediaInput
		want error
	}{
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), MediaInput{Type: "image/svg+xml"}, ErrInvalidMedia},
		{"lying type", img, MediaInput{Type: "image/jpeg"}, ErrInvalidMedia},
		{"html as png", []byte("<!doctype html><script>alert(1)</script>"), MediaInput{Type: "image/png"}, ErrInvalidMedia},
		{"thumbnail too large", img, MediaInput{Type: "image/png", Thumb: noisyPNG(t, 3, 100, 100)}, ErrInvalidMedia},
	}
	for _, c := range cases {
		if _, err := alice.ImportMedia(ctx, bytes.NewReader(c.data), c.in); !errors.Is(err, c.want) {
			t.Errorf("%s: ImportMedia() error = %v, want %v", c.name, err, c.want)
		}
	}
	big := io.LimitReader(zeros{}, MaxMediaSize+1)
	if _, err := alice.ImportMedia(ctx, big, MediaInput{Type: "application/octet-stream", Name: "big.bin"}); !errors.Is(err, ErrMediaTooLarge) {
		t.Errorf("ImportMedia(64 MiB + 1) error = %v, want ErrMediaTooLarge", err)
	}
	m := mustImport(t, alice, img, MediaInput{Type: "image/png", Width: 64, Height: 64})
	if _, err := alice.PostMedia(ctx, "five", []Media{m, m, m, m, m}); !errors.Is(err, ErrInvalidMedia) {
		t.Errorf("PostMedia(5 images) error = %v, want ErrInvalidMedia", err)
	}
	stranger := m
	stranger.Root = blob.Sum([]byte("not held here")).String()
	if _, err := alice.PostMedia(ctx, "x", []Media{stranger}); !errors.Is(err, ErrInvalidMedia) {
		t.Errorf("PostMedia(a root not held) error = %v, want ErrInvalidMedia", err)
	}
	if _, err := alice.FetchMedia(ctx, blob.Sum([]byte("nobody has it")).String(), nil); !errors.Is(err, ErrNoMedia) {
		t.Errorf("FetchMedia(unknown) error = %v, want ErrNoMedia", err)
	}
	page, err := alice.Timeline(ctx, "alice", "", 10)
	if err != nil || len(page.Posts) != 0 {
		t.Fatalf("alice's timeline after refusals = %+v, %v; want empty", page.Posts, err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestAlbumMirror: alice shares three files as an album; bob mirrors it to
// a directory and gets the same bytes, pinned; when alice adds a fourth,
// bob's mirror fetches it and writes it too.
func TestAlbumMirror(t *testing.T) {
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	ctx := context.Background()
	files := map[string][]byte{
		"cat.png":   noisyPNG(t, 10, 300, 300),
		"dog.png":   noisyPNG(t, 11, 200, 100),
		"notes.bin": bytes.Repeat([]byte("meme library "), 30000),
	}
	if _, err := alice.CreateAlbum(ctx, "memes", "Memes, 2026"); err != nil {
		t.Fatal(err)
	}
	var ms []Media
	for name, data := range files {
		typ := "image/png"
		if strings.HasSuffix(name, ".bin") {
			typ = "application/octet-stream"
		}
		ms = append(ms, mustImport(t, alice, data, MediaInput{Type: typ, Name: name}))
	}
	a, err := alice.AddToAlbum(ctx, "memes", ms)
	if err != nil || len(a.Items) != 3 || a.Held != 3 {
		t.Fatalf("AddToAlbum() = %+v, %v", a, err)
	}
	mustFollow(t, bob, "alice")
	dir := t.TempDir()
	// A file of bob's own with an item's name is left alone.
	mine := []byte("bob's own notes")
	if err := os.WriteFile(filepath.Join(dir, "notes.bin"), mine, 0o600); err != nil {
		t.Fatal(err)
	}
	var done int
	waitFor(t, "bob sees alice's album", func() bool {
		as, err := bob.Albums(ctx, "alice")
		return err == nil && len(as) == 1 && len(as[0].Items) == 3
	})
	got, err := bob.MirrorAlbum(ctx, "alice", "memes", dir, func(p MediaProgress) {
		if p.Done {
			done++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Mirrored || got.Held != 3 || done < 3 {
		t.Fatalf("MirrorAlbum() = %+v (done reports %d)", got, done)
	}
	rootOf := make(map[string]string)
	for _, m := range ms {
		rootOf[m.Name] = m.Root
	}
	for name, data := range files {
		path := filepath.Join(dir, name)
		if name == "notes.bin" {
			path = filepath.Join(dir, "notes ("+rootOf[name][:8]+").bin")
		}
		b, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(b, data) {
			t.Fatalf("mirrored %s: %d bytes, %v; want %d", path, len(b), err, len(data))
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "notes.bin")); !bytes.Equal(b, mine) {
		t.Fatalf("the mirror replaced bob's own notes.bin with %d bytes", len(b))
	}
	u, _ := bob.MediaUsage(ctx)
	if u.Pinned < int64(len(files["cat.png"])) {
		t.Errorf("MediaUsage() = %+v: the mirror's files are not pinned", u)
	}
	// Mirroring again changes nothing and pins nothing twice.
	if _, err := bob.MirrorAlbum(ctx, "alice", "memes", dir, nil); err != nil {
		t.Fatal(err)
	}
	if u2, _ := bob.MediaUsage(ctx); u2.Pinned != u.Pinned {
		t.Errorf("pinned %d after mirroring again, %d before", u2.Pinned, u.Pinned)
	}

	extra := noisyPNG(t, 12, 100, 100)
	m := mustImport(t, alice, extra, MediaInput{Type: "image/png", Name: "new.png"})
	if _, err := alice.AddToAlbum(ctx, "memes", []Media{m}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "bob's mirror writes the added file", func() bool {
		b, err := os.ReadFile(filepath.Join(dir, "new.png"))
		return err == nil && bytes.Equal(b, extra)
	})
	// alice replaces new.png and adds a dotfile: the mirror replaces the
	// file it wrote, unpins the old version, and hides nothing.
	newer := noisyPNG(t, 13, 100, 100)
	m2 := mustImport(t, alice, newer, MediaInput{Type: "image/png", Name: "new.png"})
	dot := mustImport(t, alice, []byte("alias ls='rm -rf ~'"), MediaInput{Type: "application/octet-stream", Name: ".bashrc"})
	if _, err := alice.AddToAlbum(ctx, "memes", []Media{m2, dot}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "bob's mirror replaces new.png and writes _.bashrc", func() bool {
		b, err := os.ReadFile(filepath.Join(dir, "new.png"))
		_, derr := os.Stat(filepath.Join(dir, "_.bashrc"))
		return err == nil && bytes.Equal(b, newer) && derr == nil
	})
	if _, err := os.Stat(filepath.Join(dir, ".bashrc")); err == nil {
		t.Error("the mirror wrote a hidden file")
	}
	old, _ := blob.ParseRoot(m.Root)
	waitFor(t, "the replaced version is unpinned", func() bool {
		info, ok := bob.lib.Blobs().Info(old)
		return ok && info.Tier < blobstore.TierPinned
	})
	ms2, err := bob.Mirrors(ctx)
	if err != nil || len(ms2) != 1 || ms2[0].Slug != "memes" || ms2[0].MirrorDir != dir {
		t.Fatalf("Mirrors() = %+v, %v", ms2, err)
	}
	// alice drops the album: bob's mirror lets go of every file (the
	// files it wrote stay), and the mirror can still be ended.
	if err := alice.DropAlbum(ctx, "memes"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "bob's mirror unpins the dropped album", func() bool {
		u, err := bob.MediaUsage(ctx)
		return err == nil && u.Pinned == 0
	})
	if _, err := os.Stat(filepath.Join(dir, "cat.png")); err != nil {
		t.Errorf("a file the mirror wrote is gone after the drop: %v", err)
	}
	if err := bob.Unmirror(ctx, "alice", "memes"); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Album(ctx, "alice", "nope"); !errors.Is(err, ErrNoAlbum) {
		t.Errorf("Album(nope) error = %v, want ErrNoAlbum", err)
	}
}

// TestAvatar: alice sets an avatar and a banner; bob sees them in Whois and
// gets the avatar's thumbnail.
func TestAvatar(t *testing.T) {
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	ctx := context.Background()
	av := mustImport(t, alice, noisyPNG(t, 20, 128, 128), MediaInput{Type: "image/png", Width: 128, Height: 128, Thumb: tinyPNG(t, 7)})
	bn := mustImport(t, alice, noisyPNG(t, 21, 300, 100), MediaInput{Type: "image/png", Width: 300, Height: 100})
	if _, err := alice.SetAvatar(ctx, &av); err != nil {
		t.Fatal(err)
	}
	u, err := alice.SetBanner(ctx, &bn)
	if err != nil || u.Avatar == nil || u.Avatar.Root != av.Root || u.Banner == nil || u.Banner.Root != bn.Root {
		t.Fatalf("SetBanner() = %+v, %v", u, err)
	}
	mustFollow(t, bob, "alice")
	waitFor(t, "bob sees alice's avatar", func() bool {
		p, err := bob.Whois(ctx, "alice")
		return err == nil && p.Avatar != nil && p.Avatar.Root == av.Root && p.Banner != nil
	})
	thumb, _ := blob.ParseRoot(av.Thumb)
	waitFor(t, "bob fetches the avatar's thumbnail", func() bool { return bob.lib.Has(thumb) })
	if u, err := alice.SetAvatar(ctx, nil); err != nil || u.Avatar != nil || u.Banner == nil {
		t.Fatalf("SetAvatar(nil) = %+v, %v: want the avatar gone and the banner kept", u, err)
	}
}

// TestMediaEviction: bob's cache holds 1 MiB. Fetching three images of
// about 600 KB evicts the least recently used beyond the budget, never his
// own image nor a mirrored album's file, and never beyond what is in
// flight.
func TestMediaEviction(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	bob := tn.nodeWith("bob", func(c *Config) {
		c.Media = MediaLimits{CacheBudget: 1 << 20}
		c.mediaImmunity = time.Nanosecond
	})
	ctx := context.Background()
	var posts []Media
	for i := range 3 {
		m := mustImport(t, alice, noisyPNG(t, uint64(30+i), 380, 380), MediaInput{Type: "image/png"})
		if _, err := alice.PostMedia(ctx, fmt.Sprintf("picture %d", i), []Media{m}); err != nil {
			t.Fatal(err)
		}
		posts = append(posts, m)
	}
	if _, err := alice.CreateAlbum(ctx, "keep", "Kept"); err != nil {
		t.Fatal(err)
	}
	item := mustImport(t, alice, noisyPNG(t, 40, 380, 380), MediaInput{Type: "image/png", Name: "kept.png"})
	if _, err := alice.AddToAlbum(ctx, "keep", []Media{item}); err != nil {
		t.Fatal(err)
	}
	own := mustImport(t, bob, noisyPNG(t, 41, 380, 380), MediaInput{Type: "image/png"})
	mustFollow(t, bob, "alice")
	waitFor(t, "bob sees alice's pictures and album", func() bool {
		page, err := bob.Feed(ctx, "", 10)
		as, aerr := bob.Albums(ctx, "alice")
		return err == nil && aerr == nil && len(page.Posts) == 3 && len(as) == 1
	})
	if _, err := bob.MirrorAlbum(ctx, "alice", "keep", "", nil); err != nil {
		t.Fatal(err)
	}
	for _, m := range posts {
		if _, err := bob.FetchMedia(ctx, m.Root, nil); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond) // distinct last-use times
	}
	if _, err := bob.PruneMedia(ctx); err != nil {
		t.Fatal(err)
	}
	u, err := bob.MediaUsage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if u.Cache > 1<<20 {
		t.Errorf("cache holds %d bytes after pruning, budget %d", u.Cache, 1<<20)
	}
	held := func(root string) bool {
		r, _ := blob.ParseRoot(root)
		return bob.lib.Has(r)
	}
	if held(posts[0].Root) || !held(posts[2].Root) {
		t.Errorf("after pruning: oldest held %v, newest held %v; want the least recently used evicted", held(posts[0].Root), held(posts[2].Root))
	}
	if !held(own.Root) || !held(item.Root) {
		t.Errorf("own image held %v, mirrored file held %v: neither may be evicted", held(own.Root), held(item.Root))
	}
}
