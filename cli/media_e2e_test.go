package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core"
)

// TestMediaEndToEnd runs the media commands against real daemons: alice
// posts a generated PNG, bob sees it in feed --json with its root and gets
// the same bytes with skein media get; alice shares a directory as an
// album, bob mirrors it into a directory, and a file alice shares later
// reaches bob's mirror by itself.
func TestMediaEndToEnd(t *testing.T) {
	n := newTestNet(t, "alice", "bob")
	step := func(name string, f func(t *testing.T, n *testNet)) {
		if !t.Run(name, func(t *testing.T) { f(t, n.with(t)) }) {
			t.FailNow() // later steps build on this one
		}
	}
	for _, u := range []string{"alice", "bob"} {
		n.must(u, "register", u)
	}
	files := t.TempDir()

	step("post an image", func(t *testing.T, n *testNet) {
		img, data := pngFile(t, files, "cat.png", 120, 80)
		out := n.must("alice", "post", "--image", img, "--alt", "a generated cat", "my cat")
		if !strings.Contains(out, "my cat\n  [image 120×80 png, ") || !strings.Contains(out, ": a generated cat] ") {
			t.Fatalf("post --image printed:\n%s", out)
		}
		n.eventually(deliverWithin, "bob follows alice", func() bool {
			return n.skein("bob", "follow", "alice").Code == 0
		})
		var m core.Media
		n.eventually(deliverWithin, "bob's feed has alice's image", func() bool {
			var p core.Page
			if json.Unmarshal([]byte(n.must("bob", "feed", "--json")), &p) != nil {
				return false
			}
			for _, post := range p.Posts {
				if post.Text == "my cat" && len(post.Media) == 1 {
					m = post.Media[0]
					return true
				}
			}
			return false
		})
		if m.Type != "image/png" || m.Width != 120 || m.Height != 80 || m.Size != uint64(len(data)) || m.Alt != "a generated cat" || len(m.Root) != 64 || m.Thumb == "" {
			t.Errorf("the image in bob's feed --json = %+v", m)
		}
		if out := n.must("bob", "feed"); !strings.Contains(out, "  [image 120×80 png, ") {
			t.Errorf("bob's feed:\n%s", out)
		}
		dst := filepath.Join(files, "bobs-cat.png")
		out = n.must("bob", "media", "get", m.Root, "-o", dst)
		if !strings.Contains(out, "saved "+m.Root[:8]) {
			t.Errorf("media get printed:\n%s", out)
		}
		if got, err := os.ReadFile(dst); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("bob's copy: %d bytes, %v; want the %d alice posted", len(got), err, len(data))
		}
		wantError(t, "media get of nothing", n.skein("bob", "media", "get", strings.Repeat("0", 64), "-o", filepath.Join(files, "none")), "media not found")
	})

	share := filepath.Join(files, "share")
	mirror := filepath.Join(files, "mirror")
	want := map[string][]byte{}
	step("share and mirror an album", func(t *testing.T, n *testNet) {
		os.Mkdir(share, 0o755)
		_, want["a.png"] = pngFile(t, share, "a.png", 30, 20)
		want["b.txt"] = []byte("plain text, an album may hold any file\n")
		want["c.bin"] = bytes.Repeat([]byte{0, 1, 2, 3, 4, 5, 6, 7}, 100_000) // 800 KB: several pieces
		for name, b := range want {
			if name != "a.png" {
				os.WriteFile(filepath.Join(share, name), b, 0o644)
			}
		}
		os.WriteFile(filepath.Join(share, ".DS_Store"), []byte("left out"), 0o644)
		out := n.must("alice", "album", "share", share, "--name", "stuff", "--title", "Alice's stuff")
		wantInOrder(t, out, "created album stuff (Alice's stuff)\n", "1/3 a.png: image 30×20 png, ", "3/3 c.bin: file, 800 KB (new)\n", "album stuff: 3 files")

		n.eventually(deliverWithin, "bob sees alice's album", func() bool {
			return n.skein("bob", "album", "show", "alice/stuff").Code == 0
		})
		out = n.must("bob", "album", "mirror", "alice/stuff", mirror)
		wantInOrder(t, out, "mirroring alice/stuff (Alice's stuff): 3 files", "mirrored alice/stuff: 3 of 3 files held")
		for name, b := range want {
			if got, err := os.ReadFile(filepath.Join(mirror, name)); err != nil || !bytes.Equal(got, b) {
				t.Errorf("bob's mirror of %s: %d bytes, %v; want %d", name, len(got), err, len(b))
			}
		}
		if _, err := os.Stat(filepath.Join(mirror, ".DS_Store")); err == nil {
			t.Error("the dotfile was shared")
		}
		if out := n.must("bob", "mirrors"); !strings.Contains(out, "alice/stuff  Alice's stuff  3 files") {
			t.Errorf("bob's mirrors:\n%s", out)
		}
		// Running it again resumes: there is nothing left to fetch.
		out = n.must("bob", "album", "mirror", "alice/stuff", mirror)
		wantInOrder(t, out, "3 held here", "mirrored alice/stuff: 3 of 3 files held")
	})

	step("the mirror follows what is added", func(t *testing.T, n *testNet) {
		want["d.txt"] = []byte("added later\n")
		os.WriteFile(filepath.Join(share, "d.txt"), want["d.txt"], 0o644)
		out := n.must("alice", "album", "share", share, "--name", "stuff")
		wantInOrder(t, out, "1/4 a.png: ", "(already shared)", "4/4 d.txt: file, 12 B (new)\n", "album stuff: 4 files")
		n.eventually(deliverWithin, "d.txt reaches bob's mirror", func() bool {
			got, err := os.ReadFile(filepath.Join(mirror, "d.txt"))
			return err == nil && bytes.Equal(got, want["d.txt"])
		})
		var as struct{ Albums []core.Album }
		if err := json.Unmarshal([]byte(n.must("bob", "mirrors", "--json")), &as); err != nil || len(as.Albums) != 1 {
			t.Fatalf("mirrors --json: %+v, %v", as, err)
		}
		if a := as.Albums[0]; len(a.Items) != 4 || a.MirrorDir != mirror {
			t.Errorf("bob's mirror = %s", fmt.Sprintf("%d items into %s", len(a.Items), a.MirrorDir))
		}
	})
}
