package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/skein-p2p/skein/core"
)

// Librarian is the part of Node that stores, fetches and publishes media:
// attachments, avatars and banners, and albums (core/media.go,
// core/albums.go).
type Librarian interface {
	ImportMedia(ctx context.Context, r io.Reader, in core.MediaInput) (core.Media, error)
	PostMedia(ctx context.Context, text string, ms []core.Media) (core.Post, error)
	ReplyMedia(ctx context.Context, postID, text string, ms []core.Media) (core.Post, error)
	SetAvatar(ctx context.Context, m *core.Media) (core.User, error)
	SetBanner(ctx context.Context, m *core.Media) (core.User, error)
	FetchMedia(ctx context.Context, root string, progress func(core.MediaProgress)) (core.Media, error)
	OpenMedia(ctx context.Context, root string) (*core.MediaFile, error)
	MediaUsage(ctx context.Context) (core.MediaUsage, error)
	PruneMedia(ctx context.Context) (int64, error)
	CreateAlbum(ctx context.Context, slug, title string) (core.Album, error)
	AddToAlbum(ctx context.Context, slug string, ms []core.Media) (core.Album, error)
	RemoveFromAlbum(ctx context.Context, slug string, roots []string) (core.Album, error)
	DropAlbum(ctx context.Context, slug string) error
	Albums(ctx context.Context, name string) ([]core.Album, error)
	Album(ctx context.Context, name, slug string) (core.Album, error)
	MirrorAlbum(ctx context.Context, name, slug, dir string, progress func(core.MediaProgress)) (core.Album, error)
	Unmirror(ctx context.Context, name, slug string) error
	Mirrors(ctx context.Context) ([]core.Album, error)
}

// MediaHeader is the header of POST /v1/media/import that carries the
// file's description, a MediaHeaderInput in JSON, at most MaxMediaHeader
// bytes. The Client escapes every non-ASCII character (\u00e9), so the
// header is ASCII.
const MediaHeader = "Skein-Media"

// MaxMediaHeader bounds the MediaHeader: a 16 KiB thumbnail in base64 and
// the longest alt text fit.
const MaxMediaHeader = 64 << 10

// MediaHeaderInput is the JSON of the MediaHeader: core.MediaInput, with
// the thumbnail's bytes in base64.
type MediaHeaderInput struct {
	Type     string `json:"type"`
	Width    int    `json:"width,omitempty"`
	Height   int    `json:"height,omitempty"`
	Alt      string `json:"alt,omitempty"`
	Thumb    []byte `json:"thumb,omitempty"`
	Blurhash string `json:"blurhash,omitempty"`
	Name     string `json:"name,omitempty"`
}

// ProfileImageRequest is the body of /v1/profile/avatar and
// /v1/profile/banner: the image to show, null to remove it.
type ProfileImageRequest struct {
	Media *core.Media `json:"media"`
}

// RootRequest is the body of /v1/media/fetch.
type RootRequest struct {
	Root string `json:"root"`
}

// Freed is the answer of /v1/media/prune: the bytes evicted.
type Freed struct {
	Freed int64 `json:"freed"`
}

// AlbumRequest is the body of /v1/albums/create (Slug and Title),
// /v1/albums/add (Slug and Media), /v1/albums/remove (Slug and Roots) and
// /v1/albums/drop (Slug).
type AlbumRequest struct {
	Slug  string       `json:"slug"`
	Title string       `json:"title,omitempty"`
	Media []core.Media `json:"media,omitempty"`
	Roots []string     `json:"roots,omitempty"`
}

// MirrorRequest is the body of /v1/albums/mirror (with Dir, the absolute
// directory the daemon writes the files to, "" for none) and
// /v1/albums/unmirror: the album Slug of the user Name.
type MirrorRequest struct {
	Name string `json:"name"`
	Slug string `json:"slug"`
	Dir  string `json:"dir,omitempty"`
}

// Albums is the answer of /v1/albums and /v1/mirrors.
type Albums struct {
	Albums []core.Album `json:"albums"`
}

// ProgressLine is one line of the streamed answers of /v1/media/fetch and
// /v1/albums/mirror: a report of progress, then a last line with the
// media fetched, the album mirrored, or the error that ended it.
type ProgressLine struct {
	Progress *core.MediaProgress `json:"progress,omitempty"`
	Media    *core.Media         `json:"media,omitempty"`
	Album    *core.Album         `json:"album,omitempty"`
	Error    string              `json:"error,omitempty"`
	Code     string              `json:"code,omitempty"`
}

// progressBuffer is how many progress reports a slow reader may fall
// behind: reports that are not the last of a file are dropped beyond it.
const progressBuffer = 64

// addMediaRoutes adds the routes of Librarian to s.
func (s *Server) addMediaRoutes() {
	m := map[string]route{
		"/v1/profile/avatar":  {http.MethodPost, s.avatar},
		"/v1/profile/banner":  {http.MethodPost, s.banner},
		"/v1/media/usage":     {http.MethodGet, s.mediaUsage},
		"/v1/media/prune":     {http.MethodPost, s.pruneMedia},
		"/v1/albums/create":   {http.MethodPost, s.createAlbum},
		"/v1/albums/add":      {http.MethodPost, s.addToAlbum},
		"/v1/albums/remove":   {http.MethodPost, s.removeFromAlbum},
		"/v1/albums/drop":     {http.MethodPost, s.dropAlbum},
		"/v1/albums":          {http.MethodGet, s.albums},
		"/v1/album":           {http.MethodGet, s.album},
		"/v1/albums/unmirror": {http.MethodPost, s.unmirror},
		"/v1/mirrors":         {http.MethodGet, s.mirrors},
		// Streamed, without MaxBody or RequestTimeout: see streamed.
		"/v1/media/import":  {http.MethodPost, nil},
		"/v1/media/fetch":   {http.MethodPost, nil},
		"/v1/media":         {http.MethodGet, nil},
		"/v1/albums/mirror": {http.MethodPost, nil},
	}
	for path, rt := range m {
		s.routes[path] = rt
	}
	s.streamed = map[string]func(http.ResponseWriter, *http.Request){
		"/v1/media/import":  s.importMedia,
		"/v1/media/fetch":   s.fetchMedia,
		"/v1/media":         s.getMedia,
		"/v1/albums/mirror": s.mirrorAlbum,
	}
}

func (s *Server) avatar(r *http.Request) (any, error) {
	var p ProfileImageRequest
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	return s.node.SetAvatar(r.Context(), p.Media)
}

func (s *Server) banner(r *http.Request) (any, error) {
	var p ProfileImageRequest
	if err := decode(r, &p); err != nil {
		return nil, err
	}
	return s.node.SetBanner(r.Context(), p.Media)
}

func (s *Server) mediaUsage(r *http.Request) (any, error) {
	return s.node.MediaUsage(r.Context())
}

func (s *Server) pruneMedia(r *http.Request) (any, error) {
	n, err := s.node.PruneMedia(r.Context())
	return Freed{Freed: n}, err
}

func (s *Server) createAlbum(r *http.Request) (any, error) {
	var a AlbumRequest
	if err := decode(r, &a); err != nil {
		return nil, err
	}
	return albumOut(s.node.CreateAlbum(r.Context(), a.Slug, a.Title))
}

func (s *Server) addToAlbum(r *http.Request) (any, error) {
	var a AlbumRequest
	if err := decode(r, &a); err != nil {
		return nil, err
	}
	return albumOut(s.node.AddToAlbum(r.Context(), a.Slug, a.Media))
}

func (s *Server) removeFromAlbum(r *http.Request) (any, error) {
	var a AlbumRequest
	if err := decode(r, &a); err != nil {
		return nil, err
	}
	return albumOut(s.node.RemoveFromAlbum(r.Context(), a.Slug, a.Roots))
}

func (s *Server) dropAlbum(r *http.Request) (any, error) {
	var a AlbumRequest
	if err := decode(r, &a); err != nil {
		return nil, err
	}
	return Empty{}, s.node.DropAlbum(r.Context(), a.Slug)
}

func (s *Server) albums(r *http.Request) (any, error) {
	as, err := s.node.Albums(r.Context(), r.FormValue("name"))
	return albumList(as), err
}

func (s *Server) album(r *http.Request) (any, error) {
	return albumOut(s.node.Album(r.Context(), r.FormValue("name"), r.FormValue("slug")))
}

func (s *Server) unmirror(r *http.Request) (any, error) {
	var m MirrorRequest
	if err := decode(r, &m); err != nil {
		return nil, err
	}
	return Empty{}, s.node.Unmirror(r.Context(), m.Name, m.Slug)
}

func (s *Server) mirrors(r *http.Request) (any, error) {
	as, err := s.node.Mirrors(r.Context())
	return albumList(as), err
}

// albumOut makes an album's items [] rather than null.
func albumOut(a core.Album, err error) (any, error) {
	a.Items = nonNil(a.Items)
	return a, err
}

func albumList(as []core.Album) Albums {
	as = nonNil(as)
	for i := range as {
		as[i].Items = nonNil(as[i].Items)
	}
	return Albums{Albums: as}
}

// importMedia answers POST /v1/media/import: the body is the file's bytes,
// the MediaHeader describes it.
func (s *Server) importMedia(w http.ResponseWriter, r *http.Request) {
	fail := func(err error) {
		e, status := s.toError(r, err)
		writeError(w, e, status)
	}
	if r.ContentLength > core.MaxMediaSize {
		fail(fmt.Errorf("%w: the file is %d bytes, limit %d", core.ErrMediaTooLarge, r.ContentLength, core.MaxMediaSize))
		return
	}
	in, err := mediaHeader(r.Header.Values(MediaHeader))
	if err != nil {
		fail(err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), RequestTimeout)
	defer cancel()
	body := http.MaxBytesReader(w, r.Body, core.MaxMediaSize+1)
	m, err := s.node.ImportMedia(ctx, body, in)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		err = fmt.Errorf("%w: the file is larger than %d bytes", core.ErrMediaTooLarge, core.MaxMediaSize)
	}
	if err != nil {
		fail(err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

// mediaHeader decodes the MediaHeader values vs.
func mediaHeader(vs []string) (core.MediaInput, error) {
	bad := func(msg string) error { return &Error{Code: CodeBadRequest, Message: msg} }
	switch {
	case len(vs) != 1:
		return core.MediaInput{}, bad(fmt.Sprintf("want one %s header describing the file, got %d", MediaHeader, len(vs)))
	case len(vs[0]) > MaxMediaHeader:
		return core.MediaInput{}, &Error{Code: CodeTooLarge, Message: fmt.Sprintf("the %s header is larger than %d bytes", MediaHeader, MaxMediaHeader)}
	}
	b := []byte(vs[0])
	if err := checkText(b); err != nil {
		return core.MediaInput{}, bad(MediaHeader + " header " + err.Error())
	}
	var h MediaHeaderInput
	dec := json.NewDecoder(strings.NewReader(vs[0]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return core.MediaInput{}, bad("invalid " + MediaHeader + " header: " + err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return core.MediaInput{}, bad(MediaHeader + " header holds more than one JSON value")
	}
	return core.MediaInput{Type: h.Type, Width: h.Width, Height: h.Height, Alt: h.Alt, Thumb: h.Thumb, Blurhash: h.Blurhash, Name: h.Name}, nil
}

// fetchMedia answers POST /v1/media/fetch with progress lines.
func (s *Server) fetchMedia(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	var q RootRequest
	if err := decode(r, &q); err != nil {
		e, status := s.toError(r, err)
		writeError(w, e, status)
		return
	}
	s.progress(w, r, func(ctx context.Context, progress func(core.MediaProgress)) (ProgressLine, error) {
		m, err := s.node.FetchMedia(ctx, q.Root, progress)
		return ProgressLine{Media: &m}, err
	})
}

// mirrorAlbum answers POST /v1/albums/mirror with progress lines.
func (s *Server) mirrorAlbum(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	var q MirrorRequest
	if err := decode(r, &q); err != nil {
		e, status := s.toError(r, err)
		writeError(w, e, status)
		return
	}
	s.progress(w, r, func(ctx context.Context, progress func(core.MediaProgress)) (ProgressLine, error) {
		a, err := s.node.MirrorAlbum(ctx, q.Name, q.Slug, q.Dir, progress)
		a.Items = nonNil(a.Items)
		return ProgressLine{Album: &a}, err
	})
}

// progress runs do and streams its progress as JSON lines, then its result
// or error. Until the first report, an error is answered with its status,
// as any other request's; after it, as the last line. It ends do when the
// client goes away or the server shuts down.
func (s *Server) progress(w http.ResponseWriter, r *http.Request, do func(context.Context, func(core.MediaProgress)) (ProgressLine, error)) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(s.streams, cancel)
	defer stop()

	reports := make(chan core.MediaProgress, progressBuffer)
	report := func(p core.MediaProgress) {
		if p.Done { // a file's last report is never dropped
			select {
			case reports <- p:
			case <-ctx.Done():
			}
			return
		}
		select {
		case reports <- p:
		default:
		}
	}
	type result struct {
		line ProgressLine
		err  error
	}
	done := make(chan result, 1)
	go func() {
		line, err := do(ctx, report)
		done <- result{line, err}
	}()

	rc := http.NewResponseController(w)
	enc := json.NewEncoder(w)
	started, broken := false, false
	send := func(l ProgressLine) {
		if broken {
			return
		}
		if !started {
			started = true
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.WriteHeader(http.StatusOK)
		}
		if enc.Encode(l) != nil || rc.Flush() != nil {
			broken = true
			cancel()
		}
	}
	for {
		select {
		case p := <-reports:
			send(ProgressLine{Progress: &p})
		case res := <-done:
			for len(reports) > 0 {
				p := <-reports
				send(ProgressLine{Progress: &p})
			}
			if res.err == nil {
				send(res.line)
				return
			}
			if s.streams.Err() != nil {
				res.err = &Error{Code: CodeShutdown, Message: "the daemon is shutting down"}
			}
			e, status := s.toError(r, res.err)
			if !started {
				writeError(w, e, status)
				return
			}
			send(ProgressLine{Error: e.Message, Code: e.Code})
			return
		}
	}
}

// getMedia answers GET /v1/media?root=: the blob's bytes.
func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r); err != nil {
		writeError(w, err, http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(s.streams, cancel)
	defer stop()
	f, err := s.node.OpenMedia(ctx, r.FormValue("root"))
	if err != nil {
		e, status := s.toError(r, err)
		writeError(w, e, status)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.FormatInt(f.Size, 10))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, f); err != nil {
		s.log.Debug("api: media stream ended early", "root", r.FormValue("root"), "err", err)
	}
}

// ImportMedia sends the file r (at most core.MaxMediaSize bytes; size, if
// not negative, is its length) described by in to the daemon, which stores
// it as the account's own media.
func (c *Client) ImportMedia(ctx context.Context, r io.Reader, size int64, in core.MediaInput) (core.Media, error) {
	h, err := json.Marshal(MediaHeaderInput{Type: in.Type, Width: in.Width, Height: in.Height, Alt: in.Alt, Thumb: in.Thumb, Blurhash: in.Blurhash, Name: in.Name})
	if err != nil {
		return core.Media{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/media/import", r)
	if err != nil {
		return core.Media{}, err
	}
	if size >= 0 {
		req.ContentLength = size
		if size == 0 {
			req.Body = http.NoBody
		}
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set(MediaHeader, asciiJSON(h))
	var m core.Media
	resp, err := c.send(ctx, req, "/v1/media/import")
	if err != nil {
		return m, err
	}
	defer resp.Body.Close()
	err = c.answer(ctx, resp, "/v1/media/import", &m)
	return m, err
}

// asciiJSON escapes the non-ASCII characters of the JSON text b as \u
// escapes, so that it can travel in a header.
func asciiJSON(b []byte) string {
	var sb strings.Builder
	for _, r := range string(b) {
		switch {
		case r < 0x80:
			sb.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&sb, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(&sb, `\u%04x`, r)
		}
	}
	return sb.String()
}

// PostMedia publishes text (which may be "") with the images ms, each
// returned by ImportMedia.
func (c *Client) PostMedia(ctx context.Context, text string, ms []core.Media) (core.Post, error) {
	var p core.Post
	err := c.call(ctx, http.MethodPost, "/v1/post", nil, PostRequest{Text: text, Media: ms}, &p)
	return p, err
}

// ReplyMedia replies text (which may be "") with the images ms to the post
// id.
func (c *Client) ReplyMedia(ctx context.Context, id, text string, ms []core.Media) (core.Post, error) {
	var p core.Post
	err := c.call(ctx, http.MethodPost, "/v1/reply", nil, ReplyRequest{ID: id, Text: text, Media: ms}, &p)
	return p, err
}

// SetAvatar sets the account's avatar, nil to remove it.
func (c *Client) SetAvatar(ctx context.Context, m *core.Media) (core.User, error) {
	var u core.User
	err := c.call(ctx, http.MethodPost, "/v1/profile/avatar", nil, ProfileImageRequest{Media: m}, &u)
	return u, err
}

// SetBanner sets the account's banner, nil to remove it.
func (c *Client) SetBanner(ctx context.Context, m *core.Media) (core.User, error) {
	var u core.User
	err := c.call(ctx, http.MethodPost, "/v1/profile/banner", nil, ProfileImageRequest{Media: m}, &u)
	return u, err
}

// FetchMedia has the daemon fetch the blob root whole from whoever holds
// it, calling progress (if not nil) with each report.
func (c *Client) FetchMedia(ctx context.Context, root string, progress func(core.MediaProgress)) (core.Media, error) {
	var l ProgressLine
	if err := c.stream(ctx, "/v1/media/fetch", RootRequest{Root: root}, progress, &l); err != nil {
		return core.Media{}, err
	}
	if l.Media == nil {
		return core.Media{}, errors.New("api: the daemon's answer to /v1/media/fetch has no media")
	}
	return *l.Media, nil
}

// MirrorAlbum has the daemon mirror the album slug of the user name into
// dir (absolute; "" to write no files), calling progress (if not nil) with
// each file's reports, until every file is held.
func (c *Client) MirrorAlbum(ctx context.Context, name, slug, dir string, progress func(core.MediaProgress)) (core.Album, error) {
	var l ProgressLine
	if err := c.stream(ctx, "/v1/albums/mirror", MirrorRequest{Name: name, Slug: slug, Dir: dir}, progress, &l); err != nil {
		return core.Album{}, err
	}
	if l.Album == nil {
		return core.Album{}, errors.New("api: the daemon's answer to /v1/albums/mirror has no album")
	}
	return *l.Album, nil
}

// stream posts in to path and reads its progress lines, passing each
// report to progress, into last the final line.
func (c *Client) stream(ctx context.Context, path string, in any, progress func(core.MediaProgress), last *ProgressLine) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	resp, err := c.do(ctx, http.MethodPost, path, nil, bytes.NewReader(body), "")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), maxAnswer)
	for sc.Scan() {
		var l ProgressLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return fmt.Errorf("api: invalid line from the daemon to %s: %v", path, err)
		}
		switch {
		case l.Error != "":
			return &Error{Message: l.Error, Code: l.Code, Status: resp.StatusCode}
		case l.Progress != nil:
			if progress != nil {
				progress(*l.Progress)
			}
		default:
			*last = l
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return c.failed(ctx, err)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return &BrokenError{Err: io.ErrUnexpectedEOF}
}

// OpenMedia has the daemon send the bytes of the blob root, fetching it
// first if it does not hold it. The caller reads and closes the answer;
// size is its length.
func (c *Client) OpenMedia(ctx context.Context, root string) (rc io.ReadCloser, size int64, err error) {
	resp, err := c.do(ctx, http.MethodGet, "/v1/media", url.Values{"root": {root}}, nil, "")
	if err != nil {
		return nil, 0, err
	}
	return resp.Body, resp.ContentLength, nil
}

// MediaUsage reports the space media takes on the daemon's device.
func (c *Client) MediaUsage(ctx context.Context) (core.MediaUsage, error) {
	var u core.MediaUsage
	err := c.call(ctx, http.MethodGet, "/v1/media/usage", nil, nil, &u)
	return u, err
}

// PruneMedia evicts what the cache budget does not allow and returns the
// bytes freed.
func (c *Client) PruneMedia(ctx context.Context) (int64, error) {
	var f Freed
	err := c.call(ctx, http.MethodPost, "/v1/media/prune", nil, nil, &f)
	return f.Freed, err
}

// CreateAlbum starts the album slug with a title.
func (c *Client) CreateAlbum(ctx context.Context, slug, title string) (core.Album, error) {
	var a core.Album
	err := c.call(ctx, http.MethodPost, "/v1/albums/create", nil, AlbumRequest{Slug: slug, Title: title}, &a)
	return a, err
}

// AddToAlbum adds files, each returned by ImportMedia with a name, to the
// album slug.
func (c *Client) AddToAlbum(ctx context.Context, slug string, ms []core.Media) (core.Album, error) {
	var a core.Album
	err := c.call(ctx, http.MethodPost, "/v1/albums/add", nil, AlbumRequest{Slug: slug, Media: ms}, &a)
	return a, err
}

// RemoveFromAlbum removes the files with the given roots from the album
// slug.
func (c *Client) RemoveFromAlbum(ctx context.Context, slug string, roots []string) (core.Album, error) {
	var a core.Album
	err := c.call(ctx, http.MethodPost, "/v1/albums/remove", nil, AlbumRequest{Slug: slug, Roots: roots}, &a)
	return a, err
}

// DropAlbum deletes the album slug.
func (c *Client) DropAlbum(ctx context.Context, slug string) error {
	return c.call(ctx, http.MethodPost, "/v1/albums/drop", nil, AlbumRequest{Slug: slug}, nil)
}

// Albums lists the albums of the user name ("" for the account's own).
func (c *Client) Albums(ctx context.Context, name string) ([]core.Album, error) {
	var as Albums
	err := c.call(ctx, http.MethodGet, "/v1/albums", url.Values{"name": {name}}, nil, &as)
	return as.Albums, err
}

// Album returns the album slug of the user name ("" for the account).
func (c *Client) Album(ctx context.Context, name, slug string) (core.Album, error) {
	var a core.Album
	err := c.call(ctx, http.MethodGet, "/v1/album", url.Values{"name": {name}, "slug": {slug}}, nil, &a)
	return a, err
}

// Unmirror stops mirroring the album slug of the user name; the files
// written stay.
func (c *Client) Unmirror(ctx context.Context, name, slug string) error {
	return c.call(ctx, http.MethodPost, "/v1/albums/unmirror", nil, MirrorRequest{Name: name, Slug: slug}, nil)
}

// Mirrors lists the albums the daemon mirrors.
func (c *Client) Mirrors(ctx context.Context) ([]core.Album, error) {
	var as Albums
	err := c.call(ctx, http.MethodGet, "/v1/mirrors", nil, nil, &as)
	return as.Albums, err
}

// send sends req and returns its answer if its status is 200, as do.
func (c *Client) send(ctx context.Context, req *http.Request, path string) (*http.Response, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.failed(ctx, err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, c.errorOf(ctx, resp, path)
}

// answer decodes a 200 answer's JSON into out.
func (c *Client) answer(ctx context.Context, resp *http.Response, path string, out any) error {
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return c.failed(ctx, err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("api: invalid answer from the daemon to %s: %v", path, err)
	}
	return nil
}
