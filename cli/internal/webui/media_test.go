package webui

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/core"
)

// newMediaUI is a web UI over a real node (no network: the media routes
// need the node's blob store) with alice signed in.
func newMediaUI(t *testing.T) (*testUI, *core.Node) {
	t.Helper()
	return newMediaUIWith(t, nil)
}

// newMediaUIWith is newMediaUI with the UI over wrap(node), if wrap is
// not nil.
func newMediaUIWith(t *testing.T, wrap func(*core.Node) api.Node) (*testUI, *core.Node) {
	t.Helper()
	ctx := context.Background()
	node, err := core.New(ctx, core.Config{DataDir: t.TempDir(), ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := node.Register(ctx, "alice", "pw-alice"); err != nil {
		node.Close()
		t.Fatal(err)
	}
	var n api.Node = node
	if wrap != nil {
		n = wrap(node)
	}
	srv, err := New(n, Options{})
	if err != nil {
		node.Close()
		t.Fatal(err)
	}
	u, err := srv.Listen(0)
	if err != nil {
		node.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		node.Close()
	})
	return &testUI{t: t, srv: srv, base: strings.TrimSuffix(u, "/")}, node
}

// testPNG returns a w×h PNG of a colour gradient with some noise, so that
// it does not compress to nothing.
func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	seed := uint32(1)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			seed = seed*1664525 + 1013904223
			n := uint8(seed >> 26)
			img.Set(x, y, color.NRGBA{uint8(x*255/w) ^ n&7, uint8(y*255/h) ^ n>>3, 128 + n, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// testJPEG returns a small JPEG.
func testJPEG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// importBlob stores data on node as its account's media of type typ.
func importBlob(t *testing.T, node *core.Node, data []byte, in core.MediaInput) core.Media {
	t.Helper()
	m, err := node.ImportMedia(context.Background(), bytes.NewReader(data), in)
	if err != nil {
		t.Fatalf("ImportMedia(%s): %v", in.Type, err)
	}
	return m
}

// typedNode is a node whose OpenMedia says the types in types, whatever
// the node says: a node that trusts a peer's lying descriptor.
type typedNode struct {
	*core.Node
	types map[string]string // root -> type
}

func (n typedNode) OpenMedia(ctx context.Context, root string) (*core.MediaFile, error) {
	f, err := n.Node.OpenMedia(ctx, root)
	if err == nil && n.types[root] != "" {
		f.Type = n.types[root]
	}
	return f, err
}

func TestMediaRoute(t *testing.T) {
	types := map[string]string{}
	u, node := newMediaUIWith(t, func(n *core.Node) api.Node { return typedNode{n, types} })
	pic := testPNG(t, 64, 48)
	img := importBlob(t, node, pic, core.MediaInput{Type: "image/png", Width: 64, Height: 48})
	// Blobs that are not images are an album's files, of no type.
	htmlBytes := []byte("<!doctype html><html><body><script>alert(document.cookie)</script></body></html>")
	page := importBlob(t, node, htmlBytes, core.MediaInput{Type: "application/octet-stream", Name: "x.html"})
	svgBytes := []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
	svg := importBlob(t, node, svgBytes, core.MediaInput{Type: "application/octet-stream", Name: "x.svg"})
	// A node that believed a descriptor's lie, or served SVG as itself.
	lyingBytes := append([]byte("<html><script>alert(2)</script>"), make([]byte, 40)...)
	lying := importBlob(t, node, lyingBytes, core.MediaInput{Type: "application/octet-stream", Name: "y.html"})
	types[lying.Root] = "image/png"
	svgTyped := importBlob(t, node, append(svgBytes, ' '), core.MediaInput{Type: "application/octet-stream", Name: "z.svg"})
	types[svgTyped.Root] = "image/svg+xml"

	t.Run("image", func(t *testing.T) {
		res, body := u.do(request{method: "GET", path: "/media/" + img.Root, signed: true})
		if res.StatusCode != http.StatusOK || body != string(pic) {
			t.Fatalf("GET: %d, %d bytes, want 200 and the %d bytes", res.StatusCode, len(body), len(pic))
		}
		want := map[string]string{
			"Content-Type":            "image/png",
			"X-Content-Type-Options":  "nosniff",
			"Content-Security-Policy": mediaCSP,
			"Content-Disposition":     "inline",
			"Cache-Control":           "private, max-age=31536000, immutable",
			"ETag":                    `"` + img.Root + `"`,
		}
		for k, v := range want {
			if got := res.Header.Get(k); got != v {
				t.Errorf("%s: %q, want %q", k, got, v)
			}
		}
		res, body = u.do(request{method: "GET", path: "/media/" + img.Root, signed: true, header: map[string]string{"Range": "bytes=8-15"}})
		if res.StatusCode != http.StatusPartialContent || body != string(pic[8:16]) {
			t.Errorf("a range: %d %q, want 206 and bytes 8 to 15", res.StatusCode, body)
		}
		res, _ = u.do(request{method: "GET", path: "/media/" + img.Root, signed: true, header: map[string]string{"If-None-Match": `"` + img.Root + `"`}})
		if res.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match: %d, want 304", res.StatusCode)
		}
	})

	for _, c := range []struct {
		name string
		m    core.Media
		data []byte
	}{
		{"HTML", page, htmlBytes},
		{"SVG", svg, svgBytes},
		{"HTML declared as a PNG", lying, lyingBytes},
		{"SVG declared as SVG", svgTyped, append(svgBytes, ' ')},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, body := u.do(request{method: "GET", path: "/media/" + c.m.Root, signed: true})
			if res.StatusCode != http.StatusOK || body != string(c.data) {
				t.Fatalf("GET: %d %q", res.StatusCode, body)
			}
			if got := res.Header.Get("Content-Type"); got != "application/octet-stream" {
				t.Errorf("Content-Type %q, want application/octet-stream", got)
			}
			if got := res.Header.Get("Content-Disposition"); !strings.HasPrefix(got, "attachment") {
				t.Errorf("Content-Disposition %q, want an attachment", got)
			}
			if got := res.Header.Get("Content-Security-Policy"); got != mediaCSP {
				t.Errorf("CSP %q, want %q", got, mediaCSP)
			}
			if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
		})
	}

	refusals := []struct {
		name   string
		req    request
		status int
		says   string
	}{
		{"not signed in", request{method: "GET", path: "/media/" + img.Root}, http.StatusUnauthorized, "not signed in"},
		{"unknown root", request{method: "GET", path: "/media/" + strings.Repeat("ab", 32), signed: true}, http.StatusNotFound, "Nobody this device can reach has the image"},
		{"not a root", request{method: "GET", path: "/media/xyz", signed: true}, http.StatusNotFound, "64 hexadecimal digits"},
		{"upper case", request{method: "GET", path: "/media/" + strings.ToUpper(img.Root), signed: true}, http.StatusNotFound, "64 hexadecimal digits"},
		{"a POST", request{method: "POST", path: "/media/" + img.Root, signed: true, form: map[string][]string{"x": {"1"}}}, http.StatusMethodNotAllowed, "does not answer a POST"},
	}
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			res, body := u.do(c.req)
			if res.StatusCode != c.status || !strings.Contains(body, c.says) {
				t.Errorf("%d, want %d saying %q:\n%.400s", res.StatusCode, c.status, c.says, body)
			}
			if strings.Contains(body, string(pic[:8])) {
				t.Error("the answer holds the image's bytes")
			}
			if ct := res.Header.Get("Content-Type"); strings.HasPrefix(ct, "image/") {
				t.Errorf("Content-Type %q", ct)
			}
			if res.Header.Get("Content-Security-Policy") != csp {
				t.Errorf("CSP %q, want the pages'", res.Header.Get("Content-Security-Policy"))
			}
		})
	}
}

// part is a field of a multipart form: a file when name is set.
type part struct {
	field, file, ctype string
	data               []byte
}

// multipartForm encodes parts, returning the body and its Content-Type.
func multipartForm(t testing.TB, parts []part) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		if p.file == "" {
			w.WriteField(p.field, string(p.data))
			continue
		}
		h := make(textproto.MIMEHeader)
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, p.field, p.file))
		h.Set("Content-Type", p.ctype)
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(p.data)
	}
	w.Close()
	return b.Bytes(), w.FormDataContentType()
}

// postMultipart posts parts to path, signed in, and returns the answer.
func (u *testUI) postMultipart(path string, parts []part, header map[string]string) (*http.Response, string) {
	u.t.Helper()
	body, ctype := multipartForm(u.t, parts)
	req, err := http.NewRequest("POST", u.base+path, bytes.NewReader(body))
	if err != nil {
		u.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	req.AddCookie(&http.Cookie{Name: u.srv.cookieName(), Value: u.srv.session()})
	for k, v := range header {
		req.Header.Set(k, v)
	}
	c := http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// hostileAlt is alt text that would break out of the attribute, and the
// page, if it were not escaped.
const hostileAlt = `"><script>alert("alt")</script><img src=x onerror=alert(1) alt="`

func TestMediaUpload(t *testing.T) {
	u, node := newMediaUI(t)
	ctx := context.Background()
	pic := testPNG(t, 400, 300) // over the 64 KiB of other forms
	if len(pic) <= maxForm {
		t.Fatalf("the test image is %d bytes: it must exceed maxForm", len(pic))
	}
	res, body := u.postMultipart("/post", []part{
		{field: "text", data: []byte("A picture of a gradient")},
		{field: "image1", file: "gradient.png", ctype: "image/png", data: pic},
		{field: "alt1", data: []byte(hostileAlt)},
		{field: "rid", data: []byte("ui-upload-test")},
		{field: "back", data: []byte("/")},
	}, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("posting with an image: %d\n%.500s", res.StatusCode, body)
	}
	feed, err := node.Feed(ctx, "", 10)
	if err != nil || len(feed.Posts) != 1 {
		t.Fatalf("feed: %v, %d posts", err, len(feed.Posts))
	}
	p := feed.Posts[0]
	if p.Text != "A picture of a gradient" || len(p.Media) != 1 {
		t.Fatalf("posted %q with %d images", p.Text, len(p.Media))
	}
	m := p.Media[0]
	if m.Type != "image/png" || m.Width != 400 || m.Height != 300 || m.Alt != hostileAlt || m.Thumb == "" || m.Blurhash == "" {
		t.Fatalf("the image's descriptor: %+v", m)
	}

	page := u.get("/")
	want := fmt.Sprintf(`<a class="media-link" href="/post/%s/image/1"><img class="%s" src="/media/%s" alt="%s" width="400" height="300" loading="lazy" decoding="async"></a>`,
		p.ID, tone(m.Blurhash), m.Thumb, html.EscapeString(hostileAlt))
	if !strings.Contains(page, `<div class="media n1">`) || !strings.Contains(page, `src="/media/`+m.Thumb+`"`) ||
		!strings.Contains(page, `href="/post/`+p.ID+`/image/1"`) {
		t.Fatalf("the feed does not show the thumbnail:\n%s", page)
	}
	if strings.Contains(page, `<script>alert("alt")`) || strings.Contains(page, `onerror=alert(1) alt="`) {
		t.Errorf("the alt text is not escaped:\n%s", page)
	}
	if !strings.Contains(page, `alt="&#34;&gt;&lt;script&gt;alert(&#34;alt&#34;)&lt;/script&gt;`) {
		t.Errorf("the feed does not show the alt text, escaped; want something like\n%s\nin\n%s", want, page)
	}
	if !strings.Contains(page, `width="400" height="300"`) {
		t.Error("the thumbnail has no width and height")
	}
	// The image's page shows it whole, with its alt text.
	page = u.get("/post/" + p.ID + "/image/1")
	for _, want := range []string{`src="/media/` + m.Root + `"`, `width="400" height="300"`, `<figcaption id="image-alt">&#34;&gt;&lt;script&gt;`, `href="/media/` + m.Root + `" download`} {
		if !strings.Contains(page, want) {
			t.Errorf("the image's page lacks %s:\n%s", want, page)
		}
	}
	if strings.Contains(page, `<script>alert("alt")`) {
		t.Error("the image's page does not escape the alt text")
	}
	for _, path := range []string{"/post/" + p.ID + "/image/2", "/post/" + p.ID + "/image/0", "/post/" + p.ID + "/image/x"} {
		if res, body := u.do(request{method: "GET", path: path, signed: true}); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404\n%.300s", path, res.StatusCode, body)
		}
	}
	res, thumb := u.do(request{method: "GET", path: "/media/" + m.Thumb, signed: true})
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(thumb, "\xff\xd8\xff") {
		t.Errorf("the thumbnail: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}

	// The page's script gets the new post's article, with its image; a
	// post may be an image alone.
	res, body = u.postMultipart("/post", []part{
		{field: "text", data: []byte("")},
		{field: "image1", file: "a.jpg", ctype: "image/jpeg", data: testJPEG(t)},
		{field: "image2", file: "", ctype: "application/octet-stream"},
		{field: "image3", file: "b.png", ctype: "image/png", data: testPNG(t, 20, 20)},
		{field: "alt3", data: []byte("A small square")},
	}, map[string]string{"X-Skein": "1"})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `<div class="media n2">`) || !strings.Contains(body, `alt="A small square"`) ||
		!strings.Contains(body, "An image without a description") {
		t.Errorf("an image-only post from the script: %d\n%s", res.StatusCode, body)
	}

	refused := []struct {
		name   string
		parts  []part
		status int
		says   string
	}{
		{"a type that lies", []part{{field: "text", data: []byte("x")}, {field: "image1", file: "fake.png", ctype: "image/png", data: testJPEG(t)}},
			http.StatusBadRequest, "Image 1 (fake.png) says it is image/png but its bytes are image/jpeg"},
		{"not an image", []part{{field: "text", data: []byte("x")}, {field: "image2", file: "notes.png", ctype: "image/png", data: []byte("just some text, not a picture")}},
			http.StatusBadRequest, "Image 2 (notes.png) is not a JPEG, PNG, GIF or WebP image"},
		{"SVG", []part{{field: "text", data: []byte("x")}, {field: "image1", file: "x.svg", ctype: "image/svg+xml", data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)}},
			http.StatusBadRequest, "is not a JPEG, PNG, GIF or WebP image"},
		{"alt text too long", []part{{field: "text", data: []byte("x")}, {field: "image1", file: "a.png", ctype: "image/png", data: testPNG(t, 8, 8)}, {field: "alt1", data: bytes.Repeat([]byte("a"), 1001)}},
			http.StatusBadRequest, "the limit is 1000"},
		{"empty", []part{{field: "text", data: []byte(" ")}}, http.StatusBadRequest, "the post is empty"},
		{"two files for one image", []part{{field: "text", data: []byte("x")}, {field: "image1", file: "a.png", ctype: "image/png", data: testPNG(t, 8, 8)},
			{field: "image1", file: "b.png", ctype: "image/png", data: testPNG(t, 9, 9)}}, http.StatusBadRequest, "Give one file for the image 1"},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			res, body := u.postMultipart("/post", c.parts, map[string]string{"X-Skein": "1"})
			if res.StatusCode != c.status || !strings.Contains(body, c.says) {
				t.Errorf("%d %q, want %d saying %q", res.StatusCode, body, c.status, c.says)
			}
		})
	}
	t.Run("too large", func(t *testing.T) {
		huge := make([]byte, core.MaxMediaSize+1)
		copy(huge, pic)
		res, body := u.postMultipart("/post", []part{{field: "text", data: []byte("x")}, {field: "image1", file: "huge.png", ctype: "image/png", data: huge}}, map[string]string{"X-Skein": "1"})
		if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "Image 1 (huge.png) is larger than the limit of 64 MiB") {
			t.Errorf("%d %q, want 413 saying the image is too large", res.StatusCode, body)
		}
	})
	if feed, _ := node.Feed(ctx, "", 10); len(feed.Posts) != 2 {
		t.Errorf("%d posts after the refusals, want 2", len(feed.Posts))
	}

	// Other forms keep their 64 KiB limit.
	res, _ = u.postMultipart("/like", []part{{field: "id", data: []byte(p.ID)}, {field: "pad", file: "pad.png", ctype: "image/png", data: pic}}, nil)
	if res.StatusCode < 400 {
		t.Errorf("a %d-byte multipart form to /like: %d, want it refused", len(pic), res.StatusCode)
	}
}

func TestMediaReply(t *testing.T) {
	u, node := newMediaUI(t)
	p, err := node.Post(context.Background(), "Show me a picture")
	if err != nil {
		t.Fatal(err)
	}
	res, body := u.postMultipart("/reply", []part{
		{field: "id", data: []byte(p.ID)}, {field: "text", data: []byte("Here")},
		{field: "image1", file: "a.png", ctype: "image/png", data: testPNG(t, 30, 60)}, {field: "alt1", data: []byte("Tall")},
		{field: "back", data: []byte("/post/" + p.ID)},
	}, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("replying with an image: %d %s", res.StatusCode, body)
	}
	page := u.get("/post/" + p.ID)
	if !strings.Contains(page, `alt="Tall" width="30" height="60"`) {
		t.Errorf("the thread does not show the reply's image:\n%s", page)
	}
}

func TestMediaProfileImages(t *testing.T) {
	u, _ := newMediaUI(t)
	page := u.get("/u/alice")
	if !strings.Contains(page, `action="/profile/images" enctype="multipart/form-data"`) || strings.Contains(page, `class="avatar"`) {
		t.Fatalf("the profile page before:\n%s", page)
	}
	if res, _ := u.do(request{method: "GET", path: "/u/alice/avatar", signed: true}); res.StatusCode != http.StatusNotFound {
		t.Errorf("the page of an avatar not set: %d, want 404", res.StatusCode)
	}
	// Another site's form cannot upload, as it cannot post.
	for _, path := range []string{"/profile/images", "/post"} {
		res, _ := u.postMultipart(path, []part{
			{field: "avatar", file: "me.png", ctype: "image/png", data: testPNG(t, 50, 50)},
			{field: "image1", file: "me.png", ctype: "image/png", data: testPNG(t, 50, 50)},
		}, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("a cross-site upload to %s: %d, want 403", path, res.StatusCode)
		}
	}
	if page := u.get("/u/alice"); strings.Contains(page, `class="avatar"`) {
		t.Error("the cross-site upload set an avatar")
	}
	if page := u.get("/"); strings.Contains(page, `class="media`) {
		t.Error("the cross-site upload posted")
	}
	res, body := u.postMultipart("/profile/images", []part{
		{field: "avatar", file: "me.png", ctype: "image/png", data: testPNG(t, 50, 50)},
		{field: "avatar_alt", data: []byte("My face")},
		{field: "banner", file: "wide.png", ctype: "image/png", data: testPNG(t, 300, 100)},
		{field: "back", data: []byte("/u/alice")},
	}, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/u/alice" {
		t.Fatalf("setting the images: %d %s", res.StatusCode, body)
	}
	page = u.get("/u/alice")
	for _, want := range []string{`<a class="avatar" href="/u/alice/avatar">`, `alt="My face" width="96" height="96"`, `<a class="banner" href="/u/alice/banner">`, `width="300" height="100"`, `The banner, without a description`, `name="remove_avatar"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the profile page lacks %s", want)
		}
	}
	if page := u.get("/u/alice/avatar"); !strings.Contains(page, `<figcaption id="image-alt">My face</figcaption>`) {
		t.Errorf("the avatar's page:\n%s", page)
	}
	if page := u.get("/u/alice/banner"); !strings.Contains(page, "The author gave no description of this image.") || !strings.Contains(page, `width="300" height="100"`) {
		t.Errorf("the banner's page:\n%s", page)
	}
	res, body = u.postMultipart("/profile/images", []part{{field: "remove_avatar", data: []byte("1")}}, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("removing the avatar: %d %s", res.StatusCode, body)
	}
	page = u.get("/u/alice")
	if strings.Contains(page, `class="avatar"`) || !strings.Contains(page, `class="banner"`) {
		t.Error("removing the avatar did not remove it alone")
	}
	res, body = u.postMultipart("/profile/images", []part{{field: "avatar", file: "x.gif", ctype: "image/gif", data: testJPEG(t)}}, map[string]string{"X-Skein": "1"})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "The avatar (x.gif) says it is image/gif but its bytes are image/jpeg") {
		t.Errorf("a lying avatar: %d %q", res.StatusCode, body)
	}
}

// TestMediaRender: what a post shows of its media, whatever a peer put in
// the descriptors: only images with valid roots, the alt text escaped.
func TestMediaRender(t *testing.T) {
	v, err := loadViews()
	if err != nil {
		t.Fatal(err)
	}
	root := strings.Repeat("1f", 32)
	thumb := strings.Repeat("2e", 32)
	p := core.Post{ID: "p1", Author: "mallory", AuthorKey: "k", Kind: core.KindPost, Text: "look", Time: time.Now(), Media: []core.Media{
		{Root: root, Type: "image/png", Width: 10, Height: 20, Alt: hostileAlt, Thumb: thumb, Blurhash: "LEHV6nWB2yk8pyo0adR*.7kCMdnj"},
		{Root: root, Type: "image/svg+xml", Alt: "svg"},
		{Root: "javascript:alert(1)", Type: "image/png", Alt: "bad root"},
		{Root: root, Type: "image/jpeg", Thumb: "javascript:alert(2)", Alt: "bad thumb", Blurhash: `"><x`},
	}}
	h, err := v.post(newPostView(p, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	s := string(h)
	for _, bad := range []string{"<script>", "<img src=x", "javascript:", "svg", "bad root", `"><x`} {
		if strings.Contains(s, bad) {
			t.Errorf("the post shows %q:\n%s", bad, s)
		}
	}
	for _, want := range []string{`<div class="media n2">`, `src="/media/` + thumb + `"`, `width="10" height="20"`, `alt="bad thumb"`, `src="/media/` + root + `" alt="bad thumb"`, `class="ph-none"`} {
		if !strings.Contains(s, want) {
			t.Errorf("the post lacks %s:\n%s", want, s)
		}
	}
}

// TestMediaTones: every placeholder class tone makes is in media.css.
func TestMediaTones(t *testing.T) {
	css, err := os.ReadFile("static/media.css")
	if err != nil {
		t.Fatal(err)
	}
	for r := 0; r < 256; r += 5 {
		for g := 0; g < 256; g += 5 {
			for b := 0; b < 256; b += 5 {
				q := func(c int) int { return c * toneLevels / 256 }
				class := fmt.Sprintf("ph-%d%d%d", q(r), q(g), q(b))
				if !bytes.Contains(css, []byte("."+class+" {")) {
					t.Fatalf("media.css has no .%s", class)
				}
			}
		}
	}
	for _, c := range []struct{ hash, want string }{
		{"", "ph-none"},
		{"abc", "ph-none"},
		{"<script>", "ph-none"},
		{"L00000fQfQfQfQfQfQfQfQfQfQfQ", "ph-000"}, // black
		{"L~TSUA~qfQ~q~qfQfQfQfQfQfQfQ", "ph-333"}, // white-ish
	} {
		if got := tone(c.hash); got != c.want {
			t.Errorf("tone(%q) = %s, want %s", c.hash, got, c.want)
		}
	}
	if !bytes.Contains(css, []byte(".ph-none {")) {
		t.Error("media.css has no .ph-none")
	}
}

// TestMediaForm: the compose form uploads images, and a multipart post
// without any is a post (over the fake node).
func TestMediaForm(t *testing.T) {
	u := newTestUI(t)
	if page := u.get("/"); !strings.Contains(page, `enctype="multipart/form-data"`) || !strings.Contains(page, `name="image4"`) || !strings.Contains(page, `name="alt4"`) {
		t.Error("the compose form cannot upload images")
	}
	res, body := u.postMultipart("/post", []part{{field: "text", data: []byte("A multipart post without images")}}, map[string]string{"X-Skein": "1"})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "A multipart post without images") || strings.Contains(body, `class="media`) {
		t.Errorf("a multipart post without images: %d %q", res.StatusCode, body)
	}
}

// FuzzMediaView: whatever a peer's descriptor holds, a post shows an image
// only from this UI's routes, with a placeholder class media.css has.
func FuzzMediaView(f *testing.F) {
	root := strings.Repeat("1f", 32)
	f.Add(root, "image/png", root, "LEHV6nWB2yk8pyo0adR*.7kCMdnj", 10, 20)
	f.Add("javascript:alert(1)", "image/svg+xml", "", `"><x`, -1, 0)
	f.Add(root, "image/jpeg", "../../etc", "~~~~~~", 0, 70000)
	f.Fuzz(func(t *testing.T, root, typ, thumb, hash string, w, h int) {
		v, ok := newMediaView(core.Media{Root: root, Type: typ, Thumb: thumb, Blurhash: hash, Width: w, Height: h}, "/post/x/image/1")
		if !ok {
			return
		}
		if !inlineTypes[typ] || !validRoot(root) {
			t.Fatalf("shows a %q of root %q", typ, root)
		}
		for _, u := range []string{v.Src, v.Full} {
			if !strings.HasPrefix(u, "/media/") || !validRoot(strings.TrimPrefix(u, "/media/")) {
				t.Fatalf("an image from %q", u)
			}
		}
		if v.Tone != "ph-none" && (len(v.Tone) != 6 || strings.Trim(v.Tone[3:], "0123") != "") {
			t.Fatalf("placeholder class %q", v.Tone)
		}
		if (v.Width == 0) != (v.Height == 0) || v.Width < 0 || v.Height < 0 {
			t.Fatalf("size %d×%d", v.Width, v.Height)
		}
	})
}

// TestMediaViewThumbless: a list loads a thumbless image whole only when it
// is small; a large one shows a link to open it.
func TestMediaViewThumbless(t *testing.T) {
	root := strings.Repeat("ab", 32)
	tests := []struct {
		size    uint64
		wantSrc string
	}{
		{size: 500 << 10, wantSrc: "/media/" + root},
		{size: maxThumbless, wantSrc: "/media/" + root},
		{size: 64 << 20, wantSrc: ""},
	}
	for _, tt := range tests {
		v, ok := newMediaView(core.Media{Root: root, Size: tt.size, Type: "image/png"}, "/post/x/image/1")
		if !ok || v.Src != tt.wantSrc || v.Full != "/media/"+root {
			t.Errorf("size %d: %+v, %v; want Src %q", tt.size, v, ok, tt.wantSrc)
		}
	}
}
