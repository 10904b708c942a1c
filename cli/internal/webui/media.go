package webui

// Images: the /media/{root} route that gives the browser a verified blob,
// the thumbnails a post, a profile and its avatar and banner show, and the
// forms that upload images (a post's, with alt text, and the profile's).
//
// Only the four image types media allows inline (JPEG, PNG, GIF, WebP) are
// ever served as themselves, and only when the node's sniffing of the
// blob's first bytes agrees with the type its descriptor declares
// (core.MediaFile.Type); anything else, SVG and HTML included, is a
// download (application/octet-stream, attachment). Every blob answer has
// its own Content-Security-Policy, "default-src 'none'; sandbox", so that
// even a blob a browser opened as a document could run nothing.
//
// A placeholder colour stands in for an image until its thumbnail
// arrives: the blurhash's average colour, rounded to one of 64 classes of
// static/media.css (the page's CSP allows no inline style).

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/cli/internal/imaging"
	"github.com/skein-p2p/skein/core"
)

// Limits of the media routes.
const (
	// mediaCSP is the Content-Security-Policy of a blob: nothing loads,
	// nothing runs, whatever the bytes are.
	mediaCSP = "default-src 'none'; sandbox"
	// mediaOpenTimeout bounds fetching a blob for the browser: a browser
	// keeps six connections to the UI, and images that wait for slow peers
	// would hold them from the page's own requests. A blob fetched in part
	// keeps its verified pieces: the next request goes on from there.
	mediaOpenTimeout = 30 * time.Second
	// thumbWait bounds how long a page waits for its thumbnails before it
	// is rendered (the browser asks for those still missing itself).
	thumbWait = 800 * time.Millisecond
	// thumbFetchers bounds the thumbnails fetched at once for a page.
	thumbFetchers = 8
	// maxUploads is how many images one form uploads: a post's limit.
	maxUploads = core.MaxMediaPerPost
	// maxMediaForm bounds the body of a form that uploads images: four
	// files of the largest size, and the fields around them.
	maxMediaForm = maxUploads*core.MaxMediaSize + 1<<20
	// uploadMemory is how much of an upload is held in memory; the rest
	// of the files goes to temporary files, removed after the request.
	uploadMemory = 8 << 20
	// maxAltChars is the longest alt text the node takes, in code points.
	maxAltChars = 1000
)

// inlineTypes are the only types a blob is ever served as.
var inlineTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// mediaRoutes adds the blob route and the profile images' form.
func (s *Server) mediaRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /media/{root}", s.serveMedia)
	mux.HandleFunc("GET /post/{id}/image/{n}", s.postImagePage)
	mux.HandleFunc("GET /u/{name}/avatar", s.profileImagePage)
	mux.HandleFunc("GET /u/{name}/banner", s.profileImagePage)
	mux.HandleFunc("POST /profile/images", s.setProfileImages)
}

// validRoot reports whether s is a blob root as addresses carry it: 64
// lowercase hex digits.
func validRoot(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// serveMedia answers GET /media/{root}: the verified blob, fetched first
// from whoever holds it if this node does not.
func (s *Server) serveMedia(w http.ResponseWriter, r *http.Request) {
	root := r.PathValue("root")
	if !validRoot(root) {
		s.fail(w, r, http.StatusNotFound, "There is no image at this address: an image's address is its root, 64 hexadecimal digits.")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), mediaOpenTimeout)
	defer cancel()
	f, err := s.node.OpenMedia(ctx, root)
	switch {
	case err == nil:
	case errors.Is(err, core.ErrNoMedia):
		s.fail(w, r, http.StatusNotFound, "Nobody this device can reach has the image "+shortID(root)+
			": its author's device and the peers that keep their posts may be offline. Try again later.")
		return
	case errors.Is(err, core.ErrInvalidMedia):
		s.fail(w, r, http.StatusNotFound, "There is no image "+shortID(root)+" here: "+err.Error())
		return
	case ctx.Err() != nil && r.Context().Err() == nil:
		s.fail(w, r, http.StatusGatewayTimeout, "The image "+shortID(root)+" did not arrive in time: the peers that have it are slow or gone. Try again later.")
		return
	default:
		s.failErr(w, r, err)
		return
	}
	defer f.Close()
	typ := f.Type
	if inlineTypes[typ] {
		// The node checked the bytes against the declared type; so does
		// the UI, which serves nothing inline on another's word (a node
		// may trust a peer's lying descriptor), with the same sniffer.
		var head [16]byte
		n, _ := io.ReadFull(f, head[:])
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			s.failErr(w, r, err)
			return
		}
		if core.MediaType(head[:n]) != typ {
			typ = "application/octet-stream"
		}
	}
	h := w.Header()
	h.Set("Content-Security-Policy", mediaCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", `"`+root+`"`)
	if inlineTypes[typ] {
		// The blob is named by its content: it never changes. Private:
		// it is behind the session cookie.
		h.Set("Cache-Control", "private, max-age=31536000, immutable")
		h.Set("Content-Type", typ)
		h.Set("Content-Disposition", "inline")
	} else {
		// How it is served depends on a description a peer may have
		// given wrongly: the browser keeps none of it.
		h.Set("Cache-Control", "no-store")
		// Not an image whose bytes agree with its declared type: SVG,
		// HTML, a type that lies, something unknown. Never shown inline.
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", `attachment; filename="`+root[:16]+`.bin"`)
	}
	http.ServeContent(w, r, "", time.Time{}, f)
}

// ---- showing images -----------------------------------------------------------

// mediaView is an image as a post or a profile shows it: its thumbnail,
// linked to the image's page.
type mediaView struct {
	Src           string // the thumbnail's address (the image's when it has none)
	Href          string // the image's page, which shows it whole
	Full          string // the whole image's address
	Alt           string
	Width, Height int    // the image's, for the box's aspect ratio; 0 when unknown
	Tone          string // the placeholder's class
}

// maxThumbless is the largest image without a thumbnail that a list of
// posts loads whole.
const maxThumbless = 1 << 20

// newMediaView returns how m is shown, linked to page; ok is false for
// media no page shows (not an image, or a bad root).
func newMediaView(m core.Media, page string) (mediaView, bool) {
	if !inlineTypes[m.Type] || !validRoot(m.Root) {
		return mediaView{}, false
	}
	full := "/media/" + m.Root
	v := mediaView{Href: page, Full: full, Alt: m.Alt, Tone: tone(m.Blurhash)}
	switch {
	case validRoot(m.Thumb):
		v.Src = "/media/" + m.Thumb
	case m.Size <= maxThumbless:
		v.Src = full
	}
	// Otherwise a list shows the placeholder and a link: it never loads a
	// large image nobody opened.

	if m.Width > 0 && m.Height > 0 {
		v.Width, v.Height = m.Width, m.Height
	}
	return v, true
}

// mediaViews returns the images of the post id, as its grid shows them;
// each links to its page, /post/ID/image/N (N counts from 1 in ms).
func mediaViews(id string, ms []core.Media) []mediaView {
	var out []mediaView
	for i, m := range ms {
		if v, ok := newMediaView(m, "/post/"+url.PathEscape(id)+"/image/"+itoa(i+1)); ok && len(out) < maxUploads {
			out = append(out, v)
		}
	}
	return out
}

// profileImage returns how name's avatar or banner is shown, nil for
// none. The avatar shows its thumbnail; the banner its whole image (at
// most 4 MiB), which a page shows wide.
func profileImage(name string, m *core.Media, banner bool) *mediaView {
	if m == nil {
		return nil
	}
	which := "avatar"
	if banner {
		which = "banner"
	}
	v, ok := newMediaView(*m, "/u/"+url.PathEscape(name)+"/"+which)
	if !ok {
		return nil
	}
	if banner {
		v.Src = v.Full
	}
	return &v
}

// postAvatar returns how a post shows its author's avatar: its
// thumbnail, nil when it has none (a post never loads a whole avatar).
func postAvatar(name string, m *core.Media) *mediaView {
	if m == nil || !validRoot(m.Thumb) {
		return nil
	}
	return profileImage(name, m, false)
}

// imagePage is the data of an image's page: the image whole, its alt
// text, and the way back.
type imagePage struct {
	Image mediaView
	What  string // "An image of @bob's post", "@bob's avatar"
	Back  string
	Size  uint64
}

func (p imagePage) title() string { return p.What }

// postImagePage shows the n-th image of the post id whole.
func (s *Server) postImagePage(w http.ResponseWriter, r *http.Request) {
	if s.signedOut(w, r) {
		return
	}
	id := r.PathValue("id")
	n := atoiOr(r.PathValue("n"), 0)
	th, err := s.node.Thread(r.Context(), id)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	p := th.Post
	if p.Kind == core.KindRepost && p.RepostOf != nil {
		p = *p.RepostOf
	}
	if n < 1 || n > len(p.Media) {
		s.fail(w, r, http.StatusNotFound, "The post has no image "+r.PathValue("n")+".")
		return
	}
	m := p.Media[n-1]
	v, ok := newMediaView(m, "")
	if !ok {
		s.fail(w, r, http.StatusNotFound, "This attachment is not an image this page shows.")
		return
	}
	v.Src = v.Full
	what := "Image " + itoa(n) + " of a post by @" + p.Author
	if p.Author == "" {
		what = "Image " + itoa(n) + " of a post"
	}
	s.render(w, r, http.StatusOK, "image", imagePage{Image: v, What: what, Back: "/post/" + url.PathEscape(p.ID), Size: m.Size})
}

// profileImagePage shows a user's avatar or banner whole.
func (s *Server) profileImagePage(w http.ResponseWriter, r *http.Request) {
	if s.signedOut(w, r) {
		return
	}
	name := r.PathValue("name")
	banner := strings.HasSuffix(r.URL.Path, "/banner")
	prof, err := s.node.Whois(r.Context(), name)
	if err != nil && !errors.Is(err, core.ErrNameConflict) {
		s.failErr(w, r, err)
		return
	}
	m, which := prof.Avatar, "avatar"
	if banner {
		m, which = prof.Banner, "banner"
	}
	v := profileImage(name, m, banner)
	if v == nil {
		s.fail(w, r, http.StatusNotFound, "@"+name+" has no "+which+".")
		return
	}
	v.Src = v.Full
	s.render(w, r, http.StatusOK, "image", imagePage{Image: *v, What: "@" + name + "'s " + which, Back: "/u/" + url.PathEscape(name), Size: m.Size})
}

// toneLevels are the levels of each channel of a placeholder colour;
// media.css has a class for each of the 4×4×4 colours.
const toneLevels = 4

// tone returns the placeholder class of a blurhash: its average colour,
// each channel rounded to one of toneLevels levels; "ph-none" without one.
func tone(blurhash string) string {
	if blurhash == "" {
		return "ph-none"
	}
	r, g, b, ok := blurhashColor(blurhash)
	if !ok {
		return "ph-none"
	}
	q := func(c uint8) byte { return byte('0' + int(c)*toneLevels/256) }
	return string([]byte{'p', 'h', '-', q(r), q(g), q(b)})
}

// blurhashColor is imaging.BlurhashColor, which does not decide what a
// malformed hash is: the average colour is in the hash's first six
// characters.
func blurhashColor(hash string) (r, g, b uint8, ok bool) {
	if len(hash) < 6 || len(hash) > 64 {
		return 0, 0, 0, false
	}
	for i := 0; i < len(hash); i++ {
		if !strings.ContainsRune(blurhashAlphabet, rune(hash[i])) {
			return 0, 0, 0, false
		}
	}
	r, g, b = imaging.BlurhashColor(hash)
	return r, g, b, true
}

// blurhashAlphabet is the base-83 alphabet of blurhash.
const blurhashAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"

// prefetchThumbs asks the node for the thumbnails of a page's posts, in
// parallel, and waits for them at most thumbWait: most pages then render
// with their thumbnails held, which the node fetches together. The
// browser asks for the others.
func (s *Server) prefetchThumbs(ctx context.Context, ps []postView) {
	seen := make(map[string]bool)
	var roots []string
	for _, p := range ps {
		ms := p.Post.Media
		if a := p.AuthorAvatar; a != nil {
			ms = append(ms[:len(ms):len(ms)], *a)
		}
		for _, m := range ms {
			if validRoot(m.Thumb) && !seen[m.Thumb] {
				seen[m.Thumb] = true
				roots = append(roots, m.Thumb)
			}
		}
	}
	if len(roots) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, thumbWait)
	defer cancel()
	sem := make(chan struct{}, thumbFetchers)
	var wg sync.WaitGroup
	for _, root := range roots {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			s.node.FetchMedia(ctx, root, nil) // a miss is the browser's to retry
		})
	}
	wg.Wait()
}

// ---- uploading images -----------------------------------------------------------

// upload is an image a form sends, with its alt text.
type upload struct {
	n     int    // its place in the form, from 1
	label string // how messages name it: "Image 2 (cat.png)", "The avatar (me.jpg)"
	file  *multipart.FileHeader
	alt   string
}

// isMultipart reports whether r's body is a multipart form: a form that
// uploads files.
func isMultipart(r *http.Request) bool {
	t, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && t == "multipart/form-data"
}

// mediaForm reports whether r may carry images: a multipart form posted
// to a path that takes them. Only these get maxMediaForm.
func mediaForm(r *http.Request) bool {
	switch r.URL.Path {
	case "/post", "/reply", "/profile/images":
		return isMultipart(r)
	}
	return false
}

// uploads parses a multipart form and returns its images: the fields
// image1…image4 (each with alt1…alt4). A form that is not multipart has
// none. Call r.MultipartForm.RemoveAll after use (cleanUp).
func uploads(r *http.Request, fields ...string) ([]upload, error) {
	if !isMultipart(r) {
		return nil, nil
	}
	if err := r.ParseMultipartForm(uploadMemory); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, fmt.Errorf("the images are too large together: the limit is %d MiB each", core.MaxMediaSize>>20)
		}
		return nil, fmt.Errorf("the form could not be read: %v", err)
	}
	var out []upload
	for i, f := range fields {
		fhs := r.MultipartForm.File[f]
		if len(fhs) == 0 || fhs[0].Size == 0 && fhs[0].Filename == "" {
			continue
		}
		if len(fhs) > 1 {
			return nil, fmt.Errorf("give one file for the %s", fieldName(f))
		}
		alt := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(altField(f)), "\r\n", "\n"))
		if n := len([]rune(alt)); n > maxAltChars {
			return nil, fmt.Errorf("the description of the %s is %d characters long; the limit is %d", fieldName(f), n, maxAltChars)
		}
		label := fmt.Sprintf("Image %d", i+1)
		if !strings.HasPrefix(f, "image") {
			label = "The " + f
		}
		out = append(out, upload{n: i + 1, label: label + " (" + fhs[0].Filename + ")", file: fhs[0], alt: alt})
	}
	return out, nil
}

// altField is the name of the alt text field of the file field f:
// alt2 for image2, avatar_alt for avatar.
func altField(f string) string {
	if n, ok := strings.CutPrefix(f, "image"); ok {
		return "alt" + n
	}
	return f + "_alt"
}

// fieldName is how a message names the file field f.
func fieldName(f string) string {
	if n, ok := strings.CutPrefix(f, "image"); ok {
		return "image " + n
	}
	return f
}

// postFields are the image fields of the compose form.
var postFields = []string{"image1", "image2", "image3", "image4"}

// cleanUp removes the temporary files of r's multipart form, if any.
func cleanUp(r *http.Request) {
	if r.MultipartForm != nil {
		r.MultipartForm.RemoveAll()
	}
}

// uploadError is an image refused before it reached the node: the
// message says which and why.
type uploadError struct {
	status int
	msg    string
}

func (e *uploadError) Error() string { return e.msg }

// importUpload reads an uploaded image, makes its thumbnail, dimensions
// and blurhash, and stores it on the node.
func importUpload(ctx context.Context, mn api.Librarian, u upload) (core.Media, error) {
	which := u.label
	if u.file.Size > core.MaxMediaSize {
		return core.Media{}, &uploadError{http.StatusRequestEntityTooLarge,
			fmt.Sprintf("%s is larger than the limit of %d MiB (%d bytes). Nothing was saved.", which, core.MaxMediaSize>>20, u.file.Size)}
	}
	f, err := u.file.Open()
	if err != nil {
		return core.Media{}, fmt.Errorf("webui: opening an upload: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, core.MaxMediaSize+1))
	if err != nil {
		return core.Media{}, fmt.Errorf("webui: reading an upload: %w", err)
	}
	img, err := imaging.Prepare(data)
	if err != nil {
		return core.Media{}, &uploadError{http.StatusBadRequest,
			which + " is not a JPEG, PNG, GIF or WebP image that can be read (" + err.Error() + "). Nothing was saved."}
	}
	// The browser names the type from the file's name: a type that the
	// bytes say otherwise is refused, as the node refuses a lying type.
	if declared, _, _ := mime.ParseMediaType(u.file.Header.Get("Content-Type")); inlineTypes[declared] && declared != img.Type {
		return core.Media{}, &uploadError{http.StatusBadRequest,
			which + " says it is " + declared + " but its bytes are " + img.Type + ". Nothing was saved."}
	}
	m, err := mn.ImportMedia(ctx, bytes.NewReader(data), core.MediaInput{
		Type: img.Type, Width: img.Width, Height: img.Height, Alt: u.alt, Thumb: img.Thumb, Blurhash: img.Blurhash,
	})
	if err != nil {
		return core.Media{}, fmt.Errorf("%s: %w", which, err)
	}
	return m, nil
}

// importAll imports every upload, in order.
func importAll(ctx context.Context, mn api.Librarian, us []upload) ([]core.Media, error) {
	ms := make([]core.Media, 0, len(us))
	for _, u := range us {
		m, err := importUpload(ctx, mn, u)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// failMedia answers an upload that failed: its own message for a refused
// image or media the node refused, else as failErr.
func (s *Server) failMedia(w http.ResponseWriter, r *http.Request, err error) {
	var ue *uploadError
	switch {
	case errors.As(err, &ue):
		s.fail(w, r, ue.status, ue.msg)
	case errors.Is(err, core.ErrMediaTooLarge):
		s.fail(w, r, http.StatusRequestEntityTooLarge, err.Error()+". Nothing was saved.")
	case errors.Is(err, core.ErrInvalidMedia):
		s.fail(w, r, http.StatusBadRequest, err.Error()+". Nothing was saved.")
	default:
		s.failErr(w, r, err)
	}
}

// postWithMedia posts (or replies to the form's "id") text with images.
func (s *Server) postWithMedia(ctx context.Context, r *http.Request, text string, us []upload) (core.Post, error) {
	ms, err := importAll(ctx, s.node, us)
	if err != nil {
		return core.Post{}, err
	}
	if r.URL.Path == "/reply" {
		return s.node.ReplyMedia(ctx, r.PostFormValue("id"), text, ms)
	}
	return s.node.PostMedia(ctx, text, ms)
}

// profileFields are the image fields of the profile images form.
var profileFields = []string{"avatar", "banner"}

// setProfileImages sets or removes the signed-in account's avatar and
// banner: a new file replaces one, the "remove_avatar" and
// "remove_banner" boxes remove one.
func (s *Server) setProfileImages(w http.ResponseWriter, r *http.Request) {
	defer cleanUp(r)
	mn := s.node
	us, err := uploads(r, profileFields...)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, capitalize(err.Error())+".")
		return
	}
	ctx := withRequestID(r)
	byField := map[int]upload{}
	for _, u := range us {
		byField[u.n] = u
	}
	for i, set := range []func(context.Context, *core.Media) (core.User, error){mn.SetAvatar, mn.SetBanner} {
		what := profileFields[i]
		if u, ok := byField[i+1]; ok {
			m, err := importUpload(ctx, mn, u)
			if err != nil {
				s.failMedia(w, r, err)
				return
			}
			if _, err := set(ctx, &m); err != nil {
				s.failMedia(w, r, err)
				return
			}
		} else if r.PostFormValue("remove_"+what) != "" {
			if _, err := set(ctx, nil); err != nil {
				s.failMedia(w, r, err)
				return
			}
		}
	}
	http.Redirect(w, r, back(r), http.StatusSeeOther)
}

// capitalize returns s with its first letter upper case.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// uploadSlots are the numbers of the compose form's image fields.
var uploadSlots = []int{1, 2, 3, 4}

// humanBytes is a size as people read it: "512 bytes", "3.4 MiB".
func humanBytes(n uint64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
