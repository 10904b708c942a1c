package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core"
)

// pngFile writes a w×h PNG image to dir/name and returns its path and
// bytes.
func pngFile(t *testing.T, dir, name string, w, h int) (string, []byte) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 5), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p, b.Bytes()
}

func TestParseMediaFlags(t *testing.T) {
	tests := []struct {
		args   []string
		images []imageArg
		text   string
		err    string
	}{
		{args: []string{"post", "--image", "a.png", "hi", "there"}, images: []imageArg{{path: "a.png"}}, text: "hi there"},
		{args: []string{"post", "--image", "a.png"}, images: []imageArg{{path: "a.png"}}},
		{args: []string{"post", "--image", "a.png", "--alt", "a cat", "--image", "b.png", "--image", "c.png", "--alt", "a dog", "x"},
			images: []imageArg{{path: "a.png", alt: "a cat", hasAlt: true}, {path: "b.png"}, {path: "c.png", alt: "a dog", hasAlt: true}}, text: "x"},
		{args: []string{"post", "--alt", "a cat", "--image", "a.png"}, err: "give --image FILE first"},
		{args: []string{"post", "--image", "a.png", "--alt", "x", "--alt", "y"}, err: "has an --alt already"},
		{args: []string{"post", "--image", "a", "--image", "b", "--image", "c", "--image", "d", "--image", "e"}, err: "at most 4 images"},
		{args: []string{"post"}, err: "missing TEXT (or an --image)"},
		{args: []string{"post", "--image", "a.png", "--alt", "bad\xff"}, err: "not valid UTF-8"},
		{args: []string{"reply", "--image", "a.png", "3f2a91c0"}, images: []imageArg{{path: "a.png"}}},
		{args: []string{"reply", "3f2a91c0"}, err: "missing TEXT (or an --image)"},
	}
	for _, tt := range tests {
		inv, err := parse(tt.args, func(string) string { return "/tmp/skein-test" })
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parse(%q) error = %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parse(%q) error = %v", tt.args, err)
			continue
		}
		var images []imageArg
		var text string
		switch r := inv.runner.(type) {
		case *postCmd:
			images, text = r.images.images, r.text
		case *replyCmd:
			images, text = r.images.images, r.text
		}
		if !equalImages(images, tt.images) || text != tt.text {
			t.Errorf("parse(%q) = images %+v text %q, want %+v %q", tt.args, images, text, tt.images, tt.text)
		}
	}
}

func equalImages(a, b []imageArg) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestParseMediaCommands(t *testing.T) {
	root := strings.Repeat("3f", 32)
	tests := []struct {
		args []string
		err  string
		want any
	}{
		{args: []string{"media", "get", root, "-o", "x.png"}, want: &mediaCmd{sub: "get", root: root, out: "x.png"}},
		{args: []string{"media", "get", strings.ToUpper(root)}, want: &mediaCmd{sub: "get", root: root}},
		{args: []string{"media", "get", "3f2a"}, err: "invalid media root"},
		{args: []string{"media", "usage", "--json"}, want: &mediaCmd{sub: "usage", json: true}},
		{args: []string{"media", "prune", "-o", "x"}, err: "-o: only for media get"},
		{args: []string{"media", "frob"}, err: `unknown media command "frob"`},
		{args: []string{"album", "share", "/tmp/My Memes!", "--title", "Mine"}, want: &albumCmd{sub: "share", dir: "/tmp/My Memes!", slug: "my-memes", title: "Mine"}},
		{args: []string{"album", "share", "pics", "--name", "Bad"}, err: "invalid album name"},
		{args: []string{"album", "mirror", "@alice/memes", "out"}, want: &albumCmd{sub: "mirror", name: "alice", slug: "memes", dir: "out"}},
		{args: []string{"album", "mirror", "alice/memes"}, err: "missing NAME/ALBUM and DIR"},
		{args: []string{"album", "show", "alice/memes", "--json"}, want: &albumCmd{sub: "show", name: "alice", slug: "memes", json: true}},
		{args: []string{"album", "list", "bob"}, want: &albumCmd{sub: "list", name: "bob"}},
		{args: []string{"album", "unmirror", "alice/memes", "--json"}, err: "--json: only for album list and show"},
		{args: []string{"album", "remove", "memes", root}, want: &albumCmd{sub: "remove", slug: "memes", roots: []string{root}}},
		{args: []string{"album", "remove", "memes"}, err: "missing SLUG and ROOT"},
		{args: []string{"album", "drop", "memes"}, want: &albumCmd{sub: "drop", slug: "memes"}},
		{args: []string{"album", "mirror", "alice/memes", "out", "--name", "x"}, err: "only for album share"},
		{args: []string{"mirrors", "--json"}, want: &mirrorsCmd{json: true}},
		{args: []string{"profile", "--avatar", "a.png", "--no-avatar"}, err: "--avatar and --no-avatar"},
	}
	for _, tt := range tests {
		inv, err := parse(tt.args, func(string) string { return "/tmp/skein-test" })
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parse(%q) error = %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parse(%q) error = %v", tt.args, err)
			continue
		}
		got, _ := json.Marshal(inv.runner)
		want, _ := json.Marshal(tt.want)
		if g, w := describe(inv.runner), describe(tt.want); g != w {
			t.Errorf("parse(%q) = %s, want %s (%s %s)", tt.args, g, w, got, want)
		}
	}
}

// describe prints a runner's fields.
func describe(v any) string {
	switch r := v.(type) {
	case *mediaCmd:
		return strings.Join([]string{r.sub, r.root, r.out, boolStr(r.json)}, "|")
	case *albumCmd:
		return strings.Join([]string{r.sub, r.dir, r.name, r.slug, r.title, strings.Join(r.roots, ","), boolStr(r.json)}, "|")
	case *mirrorsCmd:
		return boolStr(r.json)
	}
	return "?"
}

func boolStr(b bool) string {
	if b {
		return "json"
	}
	return "-"
}

func TestAttachmentLine(t *testing.T) {
	root := "3f2a9c1b" + strings.Repeat("0", 56)
	tests := []struct {
		m    core.Media
		want string
	}{
		{core.Media{Root: root, Size: 143_000, Type: "image/jpeg", Width: 1200, Height: 800, Alt: "a grey cat"},
			"[image 1200×800 jpeg, 143 KB: a grey cat] 3f2a9c1b"},
		{core.Media{Root: root, Size: 12, Type: "application/octet-stream", Name: "notes.txt"},
			"[file, 12 B: notes.txt] 3f2a9c1b"},
		{core.Media{Root: root, Size: 2_500_000, Type: "video/mp4"}, "[video mp4, 2.5 MB] 3f2a9c1b"},
		// Hostile alt text: escapes inert, lines joined, long text cut.
		{core.Media{Root: root, Size: 1000, Type: "image/png", Width: 1, Height: 1, Alt: "\x1b[2J\x1b]0;pwned\x07evil\r\nline two\u202e"},
			`[image 1×1 png, 1.0 KB: \x1b[2J\x1b]0;pwned\x07evil line two\u202e] 3f2a9c1b`},
		{core.Media{Root: root, Size: 1, Type: "image/gif", Alt: strings.Repeat("é", 100)},
			"[image gif, 1 B: " + strings.Repeat("é", maxAlt) + "…] 3f2a9c1b"},
		// A hostile type or root cannot reach the terminal either.
		{core.Media{Root: "\x1b[31m", Size: 1, Type: "image\x1b/x\u2028"}, `[image\x1b x\u2028, 1 B] \x1b[31m`},
	}
	for _, tt := range tests {
		if got := attachmentLine(tt.m); got != tt.want {
			t.Errorf("attachmentLine(%+v) =\n%q, want\n%q", tt.m, got, tt.want)
		}
	}
}

func TestPostLineAttachments(t *testing.T) {
	at := time.Date(2026, 11, 22, 4, 15, 0, 0, time.Local)
	m := core.Media{Root: strings.Repeat("ab", 32), Size: 143_000, Type: "image/jpeg", Width: 1200, Height: 800, Alt: "cat\x1b[31m"}
	p := core.Post{ID: strings.Repeat("5b", 32), Kind: core.KindPost, Author: "alice", Time: at, Text: "my cat", Media: []core.Media{m, m}}
	want := "2026-11-22 04:15  @alice  [5b5b5b5b]  my cat\n" +
		`  [image 1200×800 jpeg, 143 KB: cat\x1b[31m] abababab` + "\n" +
		`  [image 1200×800 jpeg, 143 KB: cat\x1b[31m] abababab`
	if got := postLine(p); got != want {
		t.Errorf("postLine() =\n%s\nwant\n%s", got, want)
	}
	rp := core.Post{ID: strings.Repeat("7c", 32), Kind: core.KindRepost, Author: "bob", Time: at, RepostOf: &p}
	if got := postLine(rp); !strings.HasSuffix(got, "reposted @alice: my cat\n"+`  [image 1200×800 jpeg, 143 KB: cat\x1b[31m] abababab`+"\n"+`  [image 1200×800 jpeg, 143 KB: cat\x1b[31m] abababab`) {
		t.Errorf("postLine(repost) =\n%s\nwant the original's attachments", got)
	}
}

func TestProgressViewPlain(t *testing.T) {
	var b bytes.Buffer
	v := newProgressView(&b, 2)
	clock := time.Unix(1e9, 0)
	v.now = func() time.Time { return clock }
	root := strings.Repeat("ab", 32)
	v.report(core.MediaProgress{Root: root, Name: "cat\x1b.png", Size: 1_000_000, Verified: 500_000, Pieces: 4, Have: 2, Peers: 3, Rate: 2_400_000})
	v.report(core.MediaProgress{Root: root, Name: "cat\x1b.png", Size: 1_000_000, Verified: 750_000, Pieces: 4, Have: 3, Peers: 3}) // too soon: not shown
	v.report(core.MediaProgress{Root: root, Name: "cat\x1b.png", Size: 1_000_000, Verified: 1_000_000, Pieces: 4, Have: 4, Peers: 3, Bad: 1, Done: true})
	v.report(core.MediaProgress{Root: root, Name: "cat\x1b.png", Done: true}) // again: not shown
	v.end()
	want := `cat\x1b.png: 2/4 pieces, 500 KB of 1.0 MB, 2.4 MB/s from 3 peers` + "\n" +
		`cat\x1b.png: done, 1.0 MB from 3 peers (file 1 of 2), 1 peer dropped for bad data` + "\n"
	if b.String() != want {
		t.Errorf("progress lines =\n%s\nwant\n%s", b.String(), want)
	}
}

func TestProgressBar(t *testing.T) {
	v := newProgressView(&bytes.Buffer{}, 4)
	v.done["x"], v.done["y"] = true, true
	p := core.MediaProgress{Root: "z", Pieces: 10, Have: 5, Peers: 3, Rate: 1_500_000}
	v.cur["z"] = p
	want := "[###############.........]  62%  5/10 pieces  1.5 MB/s  3 peers  files 2/4"
	if got := v.bar(p); got != want {
		t.Errorf("bar() =\n%q, want\n%q", got, want)
	}
}

func TestSniffType(t *testing.T) {
	tests := []struct {
		data []byte
		want string
	}{
		{[]byte("\x89PNG\r\n\x1a\n...."), "image/png"},
		{[]byte("\xff\xd8\xff\xe0"), "image/jpeg"},
		{[]byte("GIF89a"), "image/gif"},
		{[]byte("RIFF\x00\x00\x00\x00WEBPVP8 "), "image/webp"},
		{[]byte("\x00\x00\x00\x18ftypisom...."), "video/mp4"},
		{[]byte("\x00\x00\x00\x18ftypheic...."), "application/octet-stream"},
		{[]byte("<svg xmlns='http://www.w3.org/2000/svg'/>"), "application/octet-stream"},
		{nil, "application/octet-stream"},
	}
	for _, tt := range tests {
		if got := sniffType(tt.data, "x"); got != tt.want {
			t.Errorf("sniffType(%q) = %q, want %q", tt.data, got, tt.want)
		}
	}
}

func TestSlugOf(t *testing.T) {
	for in, want := range map[string]string{
		"Memes":                  "memes",
		"My Memes 2026":          "my-memes-2026",
		"_hidden":                "hidden",
		"ÄÖ":                     "album",
		strings.Repeat("a", 40):  strings.Repeat("a", 32),
		"cats_and-dogs":          "cats_and-dogs",
		"--":                     "album",
		"a -- b":                 "a-b",
		"Ünïcödé photos (best!)": "n-c-d-photos-best",
	} {
		got := slugOf(in)
		if got != want || checkSlug(got) != nil {
			t.Errorf("slugOf(%q) = %q (%v), want %q", in, got, checkSlug(got), want)
		}
	}
}

// TestMediaCommands runs the media commands against the fake daemon.
func TestMediaCommands(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	mustRun(t, home, "register", "alice")
	dir := t.TempDir()
	img, data := pngFile(t, dir, "cat.png", 64, 48)

	out := mustRun(t, home, "post", "--image", img, "--alt", "a cat\x1b[31m", "look")
	if !strings.Contains(out, "look\n  [image 64×48 png, ") || !strings.Contains(out, `: a cat\x1b[31m]`) {
		t.Errorf("post --image printed:\n%s", out)
	}
	if out := mustRun(t, home, "post", "--image", img); !strings.Contains(out, "  [image 64×48 png") {
		t.Errorf("post --image (no text) printed:\n%s", out)
	}
	var page core.Page
	if err := json.Unmarshal([]byte(mustRun(t, home, "feed", "--json")), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Posts) != 2 || len(page.Posts[1].Media) != 1 || page.Posts[1].Media[0].Thumb == "" || page.Posts[1].Media[0].Blurhash == "" {
		t.Fatalf("feed --json = %+v, want two posts with their image, thumbnail and blurhash", page.Posts)
	}
	root := page.Posts[1].Media[0].Root

	// Not an image.
	txt := filepath.Join(dir, "notes.txt")
	os.WriteFile(txt, []byte("hello"), 0o644)
	if _, err := run(t, home, "post", "--image", txt, "x"); err == nil || !strings.Contains(err.Error(), "is not a JPEG, PNG, GIF or WebP image") {
		t.Errorf("post --image notes.txt error = %v", err)
	}

	// media get: the bytes, through a temporary file.
	dst := filepath.Join(dir, "got.png")
	if out := mustRun(t, home, "media", "get", root, "-o", dst); !strings.Contains(out, "saved "+root[:8]) {
		t.Errorf("media get printed:\n%s", out)
	}
	if got, err := os.ReadFile(dst); err != nil || !bytes.Equal(got, data) {
		t.Errorf("media get wrote %d bytes, %v; want the image", len(got), err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 3 {
		t.Errorf("after media get, %s holds %d files, want 3 (no temporary file left)", dir, len(ents))
	}
	cwd := t.TempDir()
	t.Chdir(cwd)
	mustRun(t, home, "media", "get", root)
	if got, err := os.ReadFile(filepath.Join(cwd, root+".png")); err != nil || !bytes.Equal(got, data) {
		t.Errorf("media get without -o wrote %d bytes, %v; want the image in ROOT.png", len(got), err)
	}
	if _, err := run(t, home, "media", "get", strings.Repeat("0", 64), "-o", filepath.Join(dir, "none")); !errors.Is(err, core.ErrNoMedia) {
		t.Errorf("media get (unknown) error = %v, want ErrNoMedia", err)
	}
	if out := mustRun(t, home, "media", "usage"); !strings.Contains(out, "own:") {
		t.Errorf("media usage printed:\n%s", out)
	}

	// Avatar.
	if out := mustRun(t, home, "profile", "--avatar", img); !strings.Contains(out, "avatar: [image 64×48 png") {
		t.Errorf("profile --avatar printed:\n%s", out)
	}
	if out := mustRun(t, home, "profile", "--no-avatar", "--json"); strings.Contains(out, `"avatar"`) {
		t.Errorf("profile --no-avatar printed:\n%s", out)
	}

	// Albums: share a directory, again with a new file, then bob's mirrored.
	share := t.TempDir()
	os.WriteFile(filepath.Join(share, "a.txt"), []byte("aaa"), 0o644)
	os.WriteFile(filepath.Join(share, ".hidden"), []byte("no"), 0o644)
	os.Mkdir(filepath.Join(share, "sub"), 0o755)
	pngFile(t, share, "b.png", 8, 8)
	out = mustRun(t, home, "album", "share", share, "--name", "stuff", "--title", "My stuff")
	wantInOrder(t, out, "created album stuff (My stuff)\n", "1/2 a.txt: file, 3 B (new)\n", "2/2 b.png: image 8×8 png, ", "album stuff: 2 files, ",
		"skein album mirror alice/stuff DIR\n")
	os.WriteFile(filepath.Join(share, "c.txt"), []byte("ccc"), 0o644)
	out = mustRun(t, home, "album", "share", share, "--name", "stuff")
	wantInOrder(t, out, "1/3 a.txt: file, 3 B (already shared)\n", "3/3 c.txt: file, 3 B (new)\n", "album stuff: 3 files")
	if out := mustRun(t, home, "album", "list"); !strings.Contains(out, "alice/stuff  My stuff  3 files") {
		t.Errorf("album list printed:\n%s", out)
	}

	f := node.AddRemoteMedia([]byte("one"), core.MediaInput{Type: "application/octet-stream", Name: "one.txt"})
	node.AddAlbum("bob", "pics", "Pics\x1b[2J", f)
	mirror := filepath.Join(t.TempDir(), "m")
	out = mustRun(t, home, "album", "mirror", "bob/pics", mirror)
	wantInOrder(t, out, `mirroring bob/pics (Pics\x1b[2J): 1 file`, "one.txt: done, 3 B from 1 peer\n", "mirrored bob/pics: 1 of 1 file held")
	if got, err := os.ReadFile(filepath.Join(mirror, "one.txt")); err != nil || string(got) != "one" {
		t.Errorf("mirrored one.txt = %q, %v", got, err)
	}
	if out := mustRun(t, home, "mirrors"); !strings.Contains(out, "bob/pics  Pics\\x1b[2J  1 file, 3 B  (mirrored into "+mirror) {
		t.Errorf("mirrors printed:\n%s", out)
	}
	if out := mustRun(t, home, "album", "show", "bob/pics"); !strings.Contains(out, "  [file, 3 B: one.txt] ") || !strings.Contains(out, "(held)") {
		t.Errorf("album show printed:\n%s", out)
	}
	mustRun(t, home, "album", "unmirror", "bob/pics")
	mustRun(t, home, "album", "drop", "stuff")
	if _, err := run(t, home, "album", "show", "stuff"); !errors.Is(err, core.ErrNoAlbum) {
		t.Errorf("album show (dropped) error = %v, want ErrNoAlbum", err)
	}
}

func TestShellMedia(t *testing.T) {
	home, node := fakeDaemon(t)
	dir := t.TempDir()
	img, _ := pngFile(t, dir, "cat.png", 16, 16)
	f := node.AddRemoteMedia([]byte("remote bytes"), core.MediaInput{Type: "application/octet-stream"})
	node.AddUser("bob")
	node.AddAlbum("bob", "pics", "Pics", node.AddRemoteMedia([]byte("one"), core.MediaInput{Type: "application/octet-stream", Name: "one.txt"}))
	share := t.TempDir()
	os.WriteFile(filepath.Join(share, "x.txt"), []byte("x"), 0o644)
	mirror := filepath.Join(t.TempDir(), "m")
	out := runShell(t, home,
		"1", "alice", "pw", // register
		"31", img, "a cat", "", "hello", // post with an image
		"32", f.Root, filepath.Join(dir, "got"), // get a file
		"33", share, "mine", // share an album
		"34", "bob/pics", mirror, // mirror one
		"35", "", // albums: mine, and the mirrors
		"q",
	)
	wantInOrder(t, out,
		"[31] Post with images\n[32] Get a file\n[33] Share a directory as an album\n[34] Mirror an album\n[35] Albums\n",
		"Image file 1 (Enter when done): Alt text (what it shows, Enter for none): Image file 2 (Enter when done): Post text (Enter for none): Posted:\n",
		"hello\n  [image 16×16 png, ", ": a cat] ",
		"saved "+f.Root[:8]+" (12 B) to ",
		"created album mine (", "1/1 x.txt: file, 1 B (new)\n",
		"mirroring bob/pics (Pics)", "mirrored bob/pics: 1 of 1 file held",
		"|= Albums =|\nalice/mine  ", "|= Mirrored here =|\nbob/pics  Pics  1 file, 3 B  (mirrored into "+mirror,
	)
	if got, err := os.ReadFile(filepath.Join(dir, "got")); err != nil || string(got) != "remote bytes" {
		t.Errorf("shell get wrote %q, %v", got, err)
	}
}
