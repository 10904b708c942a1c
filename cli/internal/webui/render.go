package webui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/skein-p2p/skein/core"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// views holds the parsed pages (each the layout plus its own file), the
// shared fragments, and the static files with their content hashes.
type views struct {
	pages  map[string]*template.Template
	frags  *template.Template
	hashes map[string]string // static file name -> short content hash
	static http.Handler
	posts  postCache
}

// partials are the files every page and fragment set includes.
var partials = []string{"templates/partials.html", "templates/chatparts.html", "templates/mediaparts.html"}

func loadViews() (*views, error) {
	v := &views{pages: make(map[string]*template.Template), hashes: make(map[string]string)}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		v.hashes[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		return nil, err
	}
	files := http.FileServerFS(sub)
	v.static = http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Addresses carry the content hash (asset), so a file may be
		// cached for good: a new build links new addresses.
		if r.URL.Query().Get("v") != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		files.ServeHTTP(w, r)
	}))
	funcs := v.funcs()
	v.frags, err = template.New("frags").Funcs(funcs).ParseFS(templateFS, partials...)
	if err != nil {
		return nil, fmt.Errorf("webui: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || slices.Contains(partials, n) {
			continue
		}
		name := strings.TrimSuffix(base, ".html")
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS,
			append([]string{"templates/layout.html", n}, partials...)...)
		if err != nil {
			return nil, fmt.Errorf("webui: %w", err)
		}
		v.pages[name] = t
	}
	return v, nil
}

func (v *views) funcs() template.FuncMap {
	return template.FuncMap{
		"asset":     func(name string) string { return "/static/" + name + "?v=" + v.hashes[name] },
		"ago":       ago,
		"iso":       isoTime,
		"full":      fullTime,
		"segs":      segments,
		"article":   v.post,
		"postsMark": func() template.HTML { return articlesMark },
		"short":     func(id string) string { return shortID(id) },
		"maxChars": func() int {
			return core.MaxPostChars
		},
		"add":    func(a, b int) int { return a + b },
		"slots":  func() []int { return uploadSlots },
		"bytes":  humanBytes,
		"avatar": func(name string, m *core.Media) *mediaView { return profileImage(name, m, false) },
		"banner": func(name string, m *core.Media) *mediaView { return profileImage(name, m, true) },
		"composeNew": func(rid string) composeForm {
			return composeForm{FormID: "compose", RequestID: rid}
		},
		"composeReply": func(id, rid string) composeForm {
			return composeForm{FormID: "compose-reply", ReplyTo: id, RequestID: rid, Back: "/post/" + id}
		},
		"pct": func(held, latest uint64) int {
			if latest == 0 {
				return 100
			}
			return int(min(100, held*100/latest))
		},
	}
}

// composeForm is the data of a compose form.
type composeForm struct {
	FormID    string
	ReplyTo   string // the post answered, "" for a new post
	RequestID string
	Back      string
}

// rendered is a page or fragment: the template's output, with the list
// of posts, if any, in place of articlesMark. Its parts are written one
// after the other, so that the posts are not copied again.
type rendered struct {
	head  []byte
	posts string
	tail  []byte
}

func (r rendered) writeTo(w io.Writer) {
	w.Write(r.head)
	if r.posts != "" {
		io.WriteString(w, r.posts)
	}
	if r.tail != nil {
		w.Write(r.tail)
	}
}

// page renders a whole page named name with data.
func (v *views) page(name string, data frame) (rendered, error) {
	t, ok := v.pages[name]
	if !ok {
		return rendered{}, fmt.Errorf("webui: no page %q", name)
	}
	return v.spliced(data.Data, func(w io.Writer) error { return t.ExecuteTemplate(w, "layout", data) })
}

// fragment renders the shared template name (a post, a user row, a
// button) with data.
func (v *views) fragment(name string, data any) (rendered, error) {
	return v.spliced(data, func(w io.Writer) error { return v.frags.ExecuteTemplate(w, name, data) })
}

// spliced runs exec, and renders data's posts, if the output has
// articlesMark.
func (v *views) spliced(data any, exec func(io.Writer) error) (rendered, error) {
	b := bytes.NewBuffer(make([]byte, 0, 16<<10))
	if err := exec(b); err != nil {
		return rendered{}, err
	}
	out := b.Bytes()
	i := bytes.Index(out, []byte(articlesMark))
	if i < 0 {
		return rendered{head: out}, nil
	}
	l, ok := data.(lister)
	if !ok {
		return rendered{}, fmt.Errorf("webui: a template lists posts, but its data (%T) has none", data)
	}
	var posts strings.Builder
	if err := v.articles(&posts, l.postList()); err != nil {
		return rendered{}, err
	}
	return rendered{head: out[:i], posts: posts.String(), tail: out[i+len(articlesMark):]}, nil
}

// shortID is the first 12 hex digits of a post ID: enough to be unique
// in practice, and what links show.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// isoTime is t for a <time datetime>.
func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// fullTime is t as a person reads it, in the daemon's time zone.
func fullTime(t time.Time) string { return t.Local().Format("2 Jan 2006, 15:04") }

// ago is a short relative time: "now", "5m", "3h", "2d", or a date.
func ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	case d < 7*24*time.Hour:
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	}
	return t.Local().Format("2 Jan 2006")
}

// render writes the page name with data and status; a template error
// becomes a plain 500, never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	out, err := s.views.page(name, s.frame(r, name, data))
	if err != nil {
		s.log.Error("web UI: rendering a page", "page", name, "err", err)
		http.Error(w, "500 internal error: the page could not be rendered", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	out.writeTo(w)
}

// renderFragment writes the shared template name with data, for the
// page's script.
func (s *Server) renderFragment(w http.ResponseWriter, status int, name string, data any) {
	out, err := s.views.fragment(name, data)
	if err != nil {
		s.log.Error("web UI: rendering a fragment", "fragment", name, "err", err)
		http.Error(w, "500 internal error: the answer could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	out.writeTo(w)
}
