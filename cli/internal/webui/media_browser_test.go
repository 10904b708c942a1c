package webui

// Images in a real browser (harness in browser_test.go): uploading with
// alt text through the compose form, the thumbnail in the feed (held, and
// fetched from the author's daemon by a follower's), the whole image, and
// the screenshots of a feed with images.

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/skein-p2p/skein/cli/internal/imaging"
	"github.com/skein-p2p/skein/core"
)

// scenePNG draws a w×h landscape of the given sky and ground colours: a
// picture that reads as one at thumbnail size.
func scenePNG(t testing.TB, w, h int, sky, sun, ground color.NRGBA) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	mix := func(a, b uint8, f float64) uint8 { return uint8(float64(a)*(1-f) + float64(b)*f) }
	horizon := h * 3 / 5
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var c color.NRGBA
			if y < horizon+int(12*math.Sin(float64(x)/float64(w)*7)) {
				f := float64(y) / float64(horizon)
				c = color.NRGBA{mix(sky.R, 255, f*.6), mix(sky.G, 230, f*.6), mix(sky.B, 200, f*.6), 255}
				dx, dy := float64(x-w*2/3), float64(y-horizon*2/3)
				if d := math.Hypot(dx, dy); d < float64(h)/9 {
					c = sun
				}
			} else {
				f := float64(y-horizon) / float64(h-horizon)
				c = color.NRGBA{mix(ground.R, 0, f*.5), mix(ground.G, 0, f*.5), mix(ground.B, 0, f*.5), 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// writeTemp writes data to a file in a test's temporary directory.
func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// imgOf is a JavaScript expression: the <img> of the post whose text is
// text, with the alt text alt.
func imgOf(text, alt string) string {
	return `(() => { const a = ` + articleOf(text) + `; return a && [...a.querySelectorAll(".media img")].find(i => i.alt === ` + js(alt) + `) })()`
}

// loaded is a JavaScript test: the image img (an expression) is shown.
func loaded(img string) string {
	return `(() => { const i = ` + img + `; return !!i && i.complete && i.naturalWidth > 0 })()`
}

// TestBrowserMedia: alice uploads an image with alt text through the
// compose form; it shows in her feed at once, with its alt text and its
// size reserved; bob's feed shows it too, its thumbnail fetched from
// alice's daemon; the link opens the whole image.
func TestBrowserMedia(t *testing.T) {
	_, alice, bob := sharedNet(t)
	text := once("A sunset over the hills, taken from the browser")
	alt := `Orange sky over green hills, with a "sun" <b>not bold</b>`
	pic := scenePNG(t, 640, 400, color.NRGBA{255, 120, 40, 255}, color.NRGBA{255, 240, 170, 255}, color.NRGBA{40, 120, 60, 255})
	file := writeTemp(t, "sunset.png", pic)

	tb := newTab(t)
	tb.open(alice, "/")
	tb.click("#compose details.attach summary")
	tb.do(chromedp.SetUploadFiles(chromedp.CSS("#compose-image1"), []string{file}))
	tb.typeIn("#compose-alt1", alt)
	tb.typeIn("#compose-text", text)
	tb.until("the Post button", `!document.querySelector("#compose button[type=submit]").disabled`)
	tb.mark()
	tb.click("#compose button[type=submit]")
	img := imgOf(text, alt)
	tb.until("the new post's image, loaded", loaded(img))
	if !tb.marked() {
		t.Error("posting with an image reloaded the page")
	}
	if w, h := tb.num(`+`+img+`.getAttribute("width")`), tb.num(`+`+img+`.getAttribute("height")`); w != 640 || h != 400 {
		t.Errorf("the <img> says %v×%v, want the image's 640×400", w, h)
	}
	if nw := tb.num(img + `.naturalWidth`); nw <= 0 || nw > imaging.ThumbSide {
		t.Errorf("the feed shows an image %v pixels wide, want the thumbnail (at most %d)", nw, imaging.ThumbSide)
	}
	if !tb.is(`document.querySelector("#compose-image1").value === "" && document.querySelector("#compose-alt1").value === "" && !document.querySelector("#compose details.attach").open`) {
		t.Error("the compose form kept the image after posting")
	}
	tb.axe("the feed with an image")

	// The post in alice's node has the image, with its alt text.
	p := alice.waitFeed(t, text)
	if len(p.Media) != 1 || p.Media[0].Alt != alt || p.Media[0].Width != 640 {
		t.Fatalf("alice's post has %+v", p.Media)
	}
	root := p.Media[0].Root

	t.Run("a follower", func(t *testing.T) {
		bob.waitPost(t, p.ID)
		tb := newTab(t)
		tb.open(bob, "/")
		tb.until("the image in bob's feed, fetched from alice's daemon", loaded(imgOf(text, alt)))
	})

	t.Run("the whole image", func(t *testing.T) {
		tb.click(`#p-` + p.ID + ` .media a`)
		tb.until("the image's page", `location.pathname === "/post/`+p.ID+`/image/1" && document.readyState === "complete"`)
		full := `document.querySelector(".full-image img")`
		tb.until("the image, whole", loaded(full)+` && `+full+`.naturalWidth === 640`)
		if got := tb.str(`document.querySelector(".full-image figcaption").textContent`); got != alt {
			t.Errorf("the caption is %q, want the alt text %q", got, alt)
		}
		if got := tb.str(full + `.getAttribute("src")`); got != "/media/"+root {
			t.Errorf("the page shows %s, want /media/%s", got, root)
		}
		if got := tb.str(`fetch("/media/` + root + `").then(r => r.headers.get("content-type") + " " + r.headers.get("content-security-policy"))`); got != "image/png "+mediaCSP {
			t.Errorf("the whole image is served as %q", got)
		}
		tb.axe("an image's page")
	})
}

// TestBrowserMediaRefused: an image whose type lies is refused with the
// form's usual alert, and nothing is posted.
func TestBrowserMediaRefused(t *testing.T) {
	_, alice, _ := sharedNet(t)
	text := once("This one is not what it claims")
	file := writeTemp(t, "fake.png", testJPEG(t))
	tb := newTab(t)
	tb.allow("Failed to load resource") // the 400 answer to the form
	tb.open(alice, "/")
	tb.click("#compose details.attach summary")
	tb.do(chromedp.SetUploadFiles(chromedp.CSS("#compose-image1"), []string{file}))
	tb.typeIn("#compose-text", text)
	tb.click("#compose button[type=submit]")
	tb.until("the alert", `!document.querySelector("#alert").hidden && document.querySelector("#alert").textContent.includes("says it is image/png but its bytes are image/jpeg")`)
	if tb.str(`document.querySelector("#compose-text").value`) != text {
		t.Error("the refused post's text is gone from the form")
	}
	if tb.is(feedHas(text)) {
		t.Error("the refused post is in the feed")
	}
}

// postImages posts text with pics as d's account, through the node, each
// prepared as the web UI prepares an upload.
func (d *daemon) postImages(t testing.TB, text string, pics [][]byte, alts []string) core.Post {
	t.Helper()
	ctx := context.Background()
	var ms []core.Media
	for i, pic := range pics {
		img, err := imaging.Prepare(pic)
		if err != nil {
			t.Fatal(err)
		}
		m, err := d.node.ImportMedia(ctx, bytes.NewReader(pic), core.MediaInput{Type: img.Type, Width: img.Width, Height: img.Height,
			Alt: alts[i], Thumb: img.Thumb, Blurhash: img.Blurhash})
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	p, err := d.node.PostMedia(ctx, text, ms)
	if err != nil {
		t.Fatalf("%s PostMedia: %v", d.name, err)
	}
	return p
}

// TestBrowserMediaLive: a post with four images from bob reaches alice's
// open feed live, in a grid of four, each thumbnail fetched and shown.
func TestBrowserMediaLive(t *testing.T) {
	_, alice, bob := sharedNet(t)
	tb := newTab(t)
	tb.open(alice, "/")
	text := once("Four pictures, live")
	var pics [][]byte
	alts := []string{"one", "two", "three", "four"}
	for i := range alts {
		pics = append(pics, scenePNG(t, 300+40*i, 200, color.NRGBA{uint8(60 * i), 120, 200, 255}, color.NRGBA{255, 240, 200, 255}, color.NRGBA{40, uint8(100 + 30*i), 60, 255}))
	}
	bob.postImages(t, text, pics, alts)
	tb.until("bob's post, live", feedHas(text))
	grid := articleOf(text) + `.querySelector(".media.n4")`
	tb.until("its four thumbnails", `(() => { const g = `+grid+`; return !!g && [...g.querySelectorAll("img")].map(i => i.complete && i.naturalWidth > 0 && i.alt).join() === "one,two,three,four" })()`)
}

// mediaScreenshots adds the feed with images to TestBrowserScreenshots:
// grace posts three pictures, ada one, and ada's feed shows them, light
// and dark (feed-media-light.png, feed-media-dark.png).
func mediaScreenshots(t *testing.T, tb *tab, ada, grace *daemon) {
	t.Helper()
	post := func(d *daemon, text string, pics [][]byte, alts []string) core.Post {
		t.Helper()
		return d.postImages(t, text, pics, alts)
	}
	trip := post(grace, "Three days of hiking along the coast. Every evening the sky put on a different show. #outdoors", [][]byte{
		scenePNG(t, 900, 600, color.NRGBA{250, 110, 60, 255}, color.NRGBA{255, 236, 160, 255}, color.NRGBA{30, 70, 120, 255}),
		scenePNG(t, 600, 800, color.NRGBA{90, 150, 230, 255}, color.NRGBA{255, 255, 220, 255}, color.NRGBA{60, 140, 70, 255}),
		scenePNG(t, 900, 600, color.NRGBA{120, 60, 160, 255}, color.NRGBA{255, 200, 120, 255}, color.NRGBA{20, 40, 60, 255}),
	}, []string{"Sunset over the sea, orange sky", "Blue sky over green meadows", "Purple dusk over a dark bay"})
	ada.waitPost(t, trip.ID)
	mine := post(ada, "A sketch of the loom's punched cards, in colour.", [][]byte{
		scenePNG(t, 1000, 560, color.NRGBA{40, 90, 160, 255}, color.NRGBA{250, 250, 250, 255}, color.NRGBA{160, 120, 60, 255}),
	}, []string{"Blue sky above golden fields"})
	tb.nav(ada.url("/"))
	tb.until("the feed's images", `document.querySelectorAll("#feed .media img").length >= 4 && [...document.querySelectorAll("#feed .media img")].every(i => i.complete && i.naturalWidth > 0)`)
	tb.until("ada's post first", `document.querySelector("#feed article.post").id === "p-`+mine.ID+`"`)
	// Grace's grid at the top, below the sticky header.
	tb.is(`(document.activeElement && document.activeElement.blur(), scrollTo(0, 0),
  scrollBy(0, document.querySelector("#p-` + trip.ID + `").getBoundingClientRect().top - document.querySelector("header.top").offsetHeight), true)`)
	tb.light()
	tb.screenshot("feed-media-light")
	tb.dark()
	tb.screenshot("feed-media-dark")
	tb.light()
	tb.axe("the feed with images")

	// Grace's profile with an avatar and a banner.
	ctx := context.Background()
	image := func(pic []byte, alt string) *core.Media {
		img, err := imaging.Prepare(pic)
		if err != nil {
			t.Fatal(err)
		}
		m, err := grace.node.ImportMedia(ctx, bytes.NewReader(pic), core.MediaInput{Type: img.Type, Width: img.Width, Height: img.Height,
			Alt: alt, Thumb: img.Thumb, Blurhash: img.Blurhash})
		if err != nil {
			t.Fatal(err)
		}
		return &m
	}
	if _, err := grace.node.SetAvatar(ctx, image(scenePNG(t, 240, 240, color.NRGBA{70, 130, 200, 255}, color.NRGBA{255, 245, 200, 255}, color.NRGBA{50, 120, 70, 255}), "A meadow under a blue sky")); err != nil {
		t.Fatal(err)
	}
	if _, err := grace.node.SetBanner(ctx, image(scenePNG(t, 1200, 360, color.NRGBA{240, 130, 70, 255}, color.NRGBA{255, 236, 170, 255}, color.NRGBA{30, 60, 110, 255}), "Sunset over the harbour")); err != nil {
		t.Fatal(err)
	}
	if err := poll(waitLimit, func() bool {
		p, err := ada.node.Whois(ctx, "grace")
		return err == nil && p.Avatar != nil && p.Banner != nil
	}); err != nil {
		t.Fatalf("ada never learned grace's avatar and banner: %v", err)
	}
	tb.nav(ada.url("/u/grace"))
	tb.until("grace's avatar and banner", loaded(`document.querySelector(".profile-head .avatar img")`)+` && `+loaded(`document.querySelector(".profile-head .banner img")`))
	tb.is(`(document.activeElement && document.activeElement.blur(), scrollTo(0, 0), true)`)
	tb.light()
	tb.screenshot("profile-media-light")
	tb.dark()
	tb.screenshot("profile-media-dark")
	tb.light()
	tb.axe("a profile with an avatar and a banner")
}

// TestBrowserProfileImages: a user sets an avatar and a banner through the
// profile's form (a plain multipart form, no script involved), sees both
// on their page, and opens the avatar's page.
func TestBrowserProfileImages(t *testing.T) {
	n, _, _ := sharedNet(t)
	d, err := n.daemon(fresh("dora"))
	if err != nil {
		t.Fatal(err)
	}
	avatar := writeTemp(t, "me.png", scenePNG(t, 200, 200, color.NRGBA{60, 140, 220, 255}, color.NRGBA{255, 250, 200, 255}, color.NRGBA{50, 110, 50, 255}))
	banner := writeTemp(t, "wide.png", scenePNG(t, 900, 300, color.NRGBA{230, 120, 80, 255}, color.NRGBA{255, 240, 170, 255}, color.NRGBA{30, 60, 110, 255}))
	tb := newTab(t)
	tb.open(d, "/u/"+d.name)
	tb.until("the profile", `document.body.dataset.page === "profile" && !document.querySelector(".profile-head .avatar")`)
	tb.click("details.card summary")
	tb.do(chromedp.SetUploadFiles(chromedp.CSS("#avatar-file"), []string{avatar}))
	tb.typeIn("#avatar-alt", "A sunny meadow")
	tb.do(chromedp.SetUploadFiles(chromedp.CSS("#banner-file"), []string{banner}))
	tb.click("#profile-images button[type=submit]")
	av := `document.querySelector(".profile-head .avatar img")`
	bn := `document.querySelector(".profile-head .banner img")`
	tb.until("the avatar and the banner", loaded(av)+` && `+loaded(bn))
	if got := tb.str(av + `.alt`); got != "A sunny meadow" {
		t.Errorf("the avatar's alt text is %q", got)
	}
	if got := tb.num(bn + `.naturalWidth`); got != 900 {
		t.Errorf("the banner shows an image %v pixels wide, want the whole 900", got)
	}
	tb.axe("a profile with an avatar and a banner")
	tb.click(".profile-head .avatar")
	tb.until("the avatar's page", `location.pathname === "/u/`+d.name+`/avatar" && `+loaded(`document.querySelector(".full-image img")`))
	if got := tb.str(`document.querySelector(".full-image figcaption").textContent`); got != "A sunny meadow" {
		t.Errorf("the avatar's page says %q", got)
	}
}
