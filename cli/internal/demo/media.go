package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
)

// media tells the part about pictures and albums: alice posts a picture,
// bob fetches it whole, alice shares a directory as an album, and carol
// mirrors it with a progress bar, from everyone who holds it.
func (d *story) media(ctx context.Context) error {
	pics := filepath.Join(d.root, "pictures")
	if err := os.MkdirAll(pics, 0o755); err != nil {
		return err
	}
	sunset := filepath.Join(pics, "sunset.png")
	if err := os.WriteFile(sunset, picture(640, 400, 1), 0o644); err != nil {
		return err
	}
	d.say("alice posts a picture with alt text. Her CLI makes a thumbnail of at most 16 KiB and a blurhash; the picture is named by its BLAKE3 root.")
	if _, err := d.skein(ctx, "alice", "post", "--image", sunset, "--alt", "A sunset in bands of orange and violet", "the view tonight"); err != nil {
		return err
	}
	d.say("bob's feed shows it, and his daemon has already fetched the thumbnail:")
	if err := d.feedWith(ctx, "bob", "the view tonight", "A sunset in bands"); err != nil {
		return err
	}
	root, err := d.imageRoot(ctx, "bob", "the view tonight")
	if err != nil {
		return err
	}
	d.say("bob opens the full picture: it comes in 256 KiB pieces, each 16 KiB verified against the root before it is kept.")
	if _, err := d.skein(ctx, "bob", "media", "get", root, "-o", filepath.Join(d.root, "bob-sunset.png")); err != nil {
		return err
	}

	d.say("alice shares a directory of memes as an album: a signed entry in her log lists every file.")
	memes := filepath.Join(d.root, "memes")
	if err := os.MkdirAll(memes, 0o755); err != nil {
		return err
	}
	for i := range 6 {
		if err := os.WriteFile(filepath.Join(memes, fmt.Sprintf("meme-%d.png", i+1)), picture(700, 500, uint8(10+i)), 0o644); err != nil {
			return err
		}
	}
	if _, err := d.skein(ctx, "alice", "album", "share", memes, "--name", "memes", "--title", "The good memes"); err != nil {
		return err
	}
	d.say("bob mirrors it too, so there are two holders. carol mirrors it into a directory of her own, fetching from both at once:")
	if err := d.untilOK(ctx, "bob", "album", "mirror", "alice/memes", filepath.Join(d.root, "bob-memes")); err != nil {
		return err
	}
	if err := d.untilOK(ctx, "carol", "album", "mirror", "alice/memes", filepath.Join(d.root, "carol-memes")); err != nil {
		return err
	}
	d.say("alice adds a file; the mirrors follow the album and fetch it as the entry arrives.")
	if err := os.WriteFile(filepath.Join(memes, "meme-7.png"), picture(700, 500, 42), 0o644); err != nil {
		return err
	}
	if _, err := d.skein(ctx, "alice", "album", "share", memes, "--name", "memes"); err != nil {
		return err
	}
	want := filepath.Join(d.root, "carol-memes", "meme-7.png")
	if err := d.poll(ctx, func() bool { _, err := os.Stat(want); return err == nil }); err != nil {
		return fmt.Errorf("carol's mirror did not get meme-7.png within %v", d.cfg.Wait)
	}
	return d.until(ctx, "carol", []string{"meme-7.png"}, "album", "show", "alice/memes")
}

// untilOK runs "skein args..." as user until it succeeds (a name or an
// album may take a moment to arrive), then prints the command and output.
func (d *story) untilOK(ctx context.Context, user string, args ...string) error {
	d.cmd("skein --home ~" + user + " " + quoteArgs(args))
	var out, errOut string
	err := d.poll(ctx, func() bool {
		r := d.run(ctx, user, args...)
		out, errOut = r.Stdout, r.Stderr+errString(r.Err)
		return r.Err == nil && r.Code == 0
	})
	if err != nil {
		return fmt.Errorf("skein %v as %s kept failing: %s", args, user, errOut)
	}
	d.output(out)
	return nil
}

// imageRoot returns the root of the first image of the post with this text
// in user's feed.
func (d *story) imageRoot(ctx context.Context, user, text string) (string, error) {
	r := d.run(ctx, user, "feed", "--json")
	var page struct {
		Posts []struct {
			Text  string `json:"text"`
			Media []struct {
				Root string `json:"root"`
			} `json:"media"`
		} `json:"posts"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &page); err != nil {
		return "", fmt.Errorf("%s's feed --json: %v", user, err)
	}
	for _, p := range page.Posts {
		if p.Text == text && len(p.Media) > 0 {
			return p.Media[0].Root, nil
		}
	}
	return "", fmt.Errorf("%s's feed has no picture post %q", user, text)
}

// picture returns a PNG of w×h pixels in bands of colour, with noise so
// that it does not compress to nothing: about 3·w·h bytes.
func picture(w, h int, seed uint8) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	x := uint32(seed) * 2654435761
	for py := range h {
		band := color.NRGBA{R: uint8(200 + py*55/h), G: uint8(60 + int(seed)*20 + py*80/h), B: uint8(120 + py*100/h), A: 255}
		for px := range w {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			n := uint8(x) & 31
			img.SetNRGBA(px, py, color.NRGBA{R: band.R - n, G: band.G - n, B: band.B - n, A: 255})
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}
