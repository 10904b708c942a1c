package webui

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/skein-p2p/skein/core"
)

// frame is what the layout shows around every page.
type frame struct {
	Title  string
	Page   string // the page's name: nav marks it current
	Me     string // the signed-in account, "" if none
	Unread int    // unread notifications
	// Messages is the nav's Messages badge: unread messages and
	// invitations (chat.go's unreadTotal).
	Messages int
	Peers    int
	Data     any // the page's own data
	// OwnProfile is set on the signed-in account's own profile page: the
	// nav's Profile link (to that page) is marked current only there.
	OwnProfile bool
	// Events is the event stream's position when the request began: the
	// page's script opens its stream from there, so that nothing that
	// happened while the page loaded is missed.
	Events string
}

// titled is page data that names its page.
type titled interface{ title() string }

var titles = map[string]string{
	"feed": "Home", "auth": "Sign in to the web UI", "signin": "Accounts",
	"notifications": "Notifications", "search": "Search", "bookmarks": "Bookmarks",
	"status": "Status", "holders": "Who holds your posts", "moderation": "Muted and blocked", "thread": "Thread",
	"profile": "Profile", "people": "People", "error": "Error",
}

func (s *Server) frame(r *http.Request, name string, data any) frame {
	f := frame{Page: name, Title: titles[name], Data: data}
	if t, ok := data.(titled); ok {
		f.Title = t.title()
	}
	if p, ok := data.(profilePage); ok {
		f.OwnProfile = p.Self
	}
	if name != "auth" && s.signedIn(r) {
		if st, err := s.status(r.Context()); err == nil {
			f.Me, f.Unread, f.Peers = st.Account, st.Unread, st.Peers
		}
		if f.Me != "" {
			f.Messages = s.chatUnread(r.Context())
		}
		f.Events, _ = r.Context().Value(streamKey{}).(string)
	}
	return f
}

// streamKey is the context key of the event stream's position when a
// request began (hub.position).
type streamKey struct{}

// withStreamPosition returns r with the event stream's position now,
// before the handler reads anything from the node.
func (s *Server) withStreamPosition(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), streamKey{}, s.hub.position()))
}

// me returns the signed-in account's name, "" if none.
func (s *Server) me(ctx context.Context) string {
	st, err := s.status(ctx)
	if err != nil {
		return ""
	}
	return st.Account
}

// statusKey is the context key of a request's statusCache.
type statusKey struct{}

// statusCache holds the node's status for one request: a page needs it
// several times (who is signed in, the badge), and reading it costs.
type statusCache struct {
	once sync.Once
	st   core.Status
	err  error
}

// withStatusCache returns r with a fresh statusCache.
func withStatusCache(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), statusKey{}, &statusCache{}))
}

// status returns the node's status, read once per request.
func (s *Server) status(ctx context.Context) (core.Status, error) {
	c, ok := ctx.Value(statusKey{}).(*statusCache)
	if !ok {
		return s.node.Status(ctx)
	}
	c.once.Do(func() { c.st, c.err = s.node.Status(ctx) })
	return c.st, c.err
}

// postView is a post as an <article> shows it.
type postView struct {
	core.Post        // what is shown: the original, for a repost
	Entry     string // the ID of the entry in the list (the repost's own, for a repost)
	RepostBy  string // who reposted it, for a repost
	RepostKey string
	Mine      bool // the signed-in account wrote the entry: it may delete it
	MineShown bool // and the shown post
	Pos       int  // position in a feed (aria-posinset), 0 outside one
}

func newPostView(p core.Post, me string, pos int) postView {
	v := postView{Post: p, Entry: p.ID, Pos: pos, Mine: me != "" && p.Author == me}
	if p.Kind == core.KindRepost && p.RepostOf != nil {
		v.Post = *p.RepostOf
		v.RepostBy, v.RepostKey = p.Author, p.AuthorKey
	}
	v.MineShown = me != "" && v.Post.Author == me
	return v
}

// Name is the name shown for the post's author: the display name, else
// the username, else a short key.
func (v postView) Name() string {
	switch {
	case v.AuthorDisplayName != "":
		return v.AuthorDisplayName
	case v.Author != "":
		return v.Author
	}
	return shortID(v.AuthorKey)
}

// postHTML is what the "post" template reads: flat fields, computed
// beforehand. html/template finds each field by name through reflection,
// slowly through an embedded struct, and calls each function through
// reflection too; this halves the cost of rendering a post.
type postHTML struct {
	Entry, ID, Author, Name string
	Unavailable             bool
	RepostBy                string
	ISO, Full, Ago          string
	ReplyID, ReplyName      string // the post answered, and its author's name or short key
	Segs                    []seg
	Repost                  repostButton
	Like                    likeButton
	Mark                    markButton
	Mine                    bool
	Media                   []mediaView // the images, in a grid of len(Media)
	Avatar                  *mediaView  // the author's avatar thumbnail, nil for none
}

// html returns what the "post" template shows of v.
func (v postView) html() postHTML {
	h := postHTML{
		Entry: v.Entry, ID: v.ID, Author: v.Author, Name: v.Name(), Unavailable: v.Unavailable,
		RepostBy: v.RepostBy, ISO: isoTime(v.Time), Full: fullTime(v.Time), Ago: ago(v.Time),
		Segs:   segments(v.Text),
		Repost: repostButton{ID: v.ID},
		Like:   likeButton{ID: v.ID, Likes: v.Likes, Liked: v.Liked},
		Mark:   markButton{ID: v.ID, Bookmarked: v.Bookmarked},
		Mine:   v.Mine,
		Media:  mediaViews(v.ID, v.Post.Media),
		Avatar: postAvatar(v.Author, v.AuthorAvatar),
	}
	if r := v.ReplyTo; r != nil {
		h.ReplyID, h.ReplyName = r.ID, r.Author
		if h.ReplyName == "" {
			h.ReplyName = shortID(r.AuthorKey)
		}
	}
	return h
}

func postViews(ps []core.Post, me string, from int) []postView {
	out := make([]postView, len(ps))
	for i, p := range ps {
		out[i] = newPostView(p, me, from+i)
	}
	return out
}

// seg is a piece of a post's text: plain text, or a link.
type seg struct {
	Text     string
	Href     string // "" for plain text
	External bool   // Href leaves the UI (an http(s) URL)
}

// segments splits text into plain text and links: http(s) URLs, @names
// (to the profile) and #tags (to the tag's search). Nothing else becomes
// a link, so "javascript:" in a post stays text; html/template escapes
// every piece for its context.
func segments(text string) []seg {
	var out []seg
	plain := 0
	flush := func(end int) {
		if end > plain {
			out = append(out, seg{Text: text[plain:end]})
		}
	}
	for i := 0; i < len(text); {
		if i > 0 && wordByte(text[i-1]) {
			i++
			continue
		}
		var n int
		var href string
		external := false
		switch {
		case strings.HasPrefix(text[i:], "https://") || strings.HasPrefix(text[i:], "http://"):
			n = urlEnd(text[i:])
			if n > len("https://") {
				href = text[i : i+n]
				external = true
			}
		case text[i] == '@':
			n = 1 + nameRun(text[i+1:])
			if n-1 >= 3 && n-1 <= 32 {
				href = "/u/" + text[i+1:i+n]
			}
		case text[i] == '#':
			n = 1 + tagRun(text[i+1:])
			if n > 1 {
				href = "/search?kind=tag&q=" + strings.ToLower(text[i+1:i+n])
			}
		}
		if href == "" {
			i++
			continue
		}
		flush(i)
		out = append(out, seg{Text: text[i : i+n], Href: href, External: external})
		i += n
		plain = i
	}
	flush(len(text))
	return out
}

func wordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// nameRun is the length of the run of username bytes at the start of s.
func nameRun(s string) int {
	n := 0
	for n < len(s) && ('a' <= s[n] && s[n] <= 'z' || '0' <= s[n] && s[n] <= '9' || s[n] == '_') {
		n++
	}
	return n
}

// tagRun is the length of the hashtag at the start of s: ASCII letters,
// digits and _ (a tag's other characters are searched as text).
func tagRun(s string) int {
	n := 0
	for n < len(s) && wordByte(s[n]) {
		n++
	}
	return n
}

// urlEnd is the length of the URL at the start of s: up to white space,
// without trailing punctuation.
func urlEnd(s string) int {
	n := 0
	for n < len(s) && s[n] > ' ' && s[n] != '<' && s[n] != '>' && s[n] != '"' && s[n] < 0x7f {
		n++
	}
	for n > 0 && strings.IndexByte(".,;:!?)]}'", s[n-1]) >= 0 {
		n--
	}
	return n
}
