package webui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/skein-p2p/skein/core"
)

// Every action is a POST of a form. The page's script sends it with the
// header X-Skein: 1 and gets a fragment to put in place of what changed;
// without the script, the browser follows a redirect to the form's "back"
// field (a path on this site), or home.

func (s *Server) actionRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /post", s.compose)
	mux.HandleFunc("POST /reply", s.compose)
	mux.HandleFunc("POST /repost", s.repost)
	mux.HandleFunc("POST /delete", s.deletePost)
	mux.HandleFunc("POST /like", s.like)
	mux.HandleFunc("POST /unlike", s.like)
	mux.HandleFunc("POST /bookmark", s.bookmark)
	mux.HandleFunc("POST /unbookmark", s.bookmark)
	for _, p := range []string{"/follow", "/unfollow", "/mute", "/unmute", "/block", "/unblock"} {
		mux.HandleFunc("POST "+p, s.relate)
	}
	mux.HandleFunc("POST /profile", s.setProfile)
}

// done ends a successful action: the fragment for the script, or a
// redirect back for a plain form.
func (s *Server) done(w http.ResponseWriter, r *http.Request, frag string, data any) {
	if fromScript(r) {
		if frag == "" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		s.renderFragment(w, http.StatusOK, frag, data)
		return
	}
	http.Redirect(w, r, back(r), http.StatusSeeOther)
}

// back is the form's "back" field if it is a path on this site, else "/".
func back(r *http.Request) string {
	b := r.PostFormValue("back")
	if !strings.HasPrefix(b, "/") || strings.HasPrefix(b, "//") || strings.ContainsFunc(b, func(c rune) bool {
		return c < 0x20 || c == 0x7f || c == '\\' // browsers drop tabs and newlines, and read \ as /
	}) {
		return "/"
	}
	if u, err := url.Parse(b); err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return b
}

// withRequestID adds the form's request ID, if it has a valid one, so that
// a form sent twice (a retry after a lost answer, a double click, a
// reload) posts once.
func withRequestID(r *http.Request) context.Context {
	ctx := r.Context()
	if id := r.PostFormValue("rid"); id != "" {
		ctx = core.WithRequestID(ctx, id)
	}
	return ctx
}

// newRequestID returns a fresh request ID for a form.
func newRequestID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "ui-" + hex.EncodeToString(b)
}

// compose posts, or replies to the form's "id", with the form's images
// if it has any (media.go).
func (s *Server) compose(w http.ResponseWriter, r *http.Request) {
	defer cleanUp(r)
	images, err := uploads(r, postFields...)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, capitalize(err.Error())+". Nothing was posted.")
		return
	}
	text := strings.ReplaceAll(r.PostFormValue("text"), "\r\n", "\n")
	if strings.TrimSpace(text) == "" && len(images) == 0 {
		s.fail(w, r, http.StatusBadRequest, "Write something first: the post is empty.")
		return
	}
	if n := len([]rune(text)); n > core.MaxPostChars {
		s.fail(w, r, http.StatusBadRequest,
			"The post is "+itoa(n)+" characters long; the limit is "+itoa(core.MaxPostChars)+". Nothing was posted.")
		return
	}
	ctx := withRequestID(r)
	var p core.Post
	if len(images) > 0 {
		if p, err = s.postWithMedia(ctx, r, text, images); err != nil {
			s.failMedia(w, r, err)
			return
		}
	} else if r.URL.Path == "/reply" {
		p, err = s.node.Reply(ctx, r.PostFormValue("id"), text)
	} else {
		p, err = s.node.Post(ctx, text)
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if !fromScript(r) {
		http.Redirect(w, r, back(r), http.StatusSeeOther)
		return
	}
	h, err := s.views.post(newPostView(p, p.Author, 0))
	if err != nil {
		s.log.Error("web UI: rendering a new post", "err", err)
		w.WriteHeader(http.StatusNoContent) // it is posted: the feed gets it live
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(h))
}

// likeButton is the data of a post's like button.
type likeButton struct {
	ID    string
	Likes int
	Liked bool
	Back  string
}

func (s *Server) like(w http.ResponseWriter, r *http.Request) {
	id := r.PostFormValue("id")
	b := likeButton{ID: id, Back: back(r)}
	if r.URL.Path == "/like" {
		p, err := s.node.Like(r.Context(), id)
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		b.Likes, b.Liked = p.Likes, true
	} else {
		if err := s.node.Unlike(r.Context(), id); err != nil {
			s.failErr(w, r, err)
			return
		}
		// The count shown was the page's; one fewer now.
		b.Likes = max(0, atoiOr(r.PostFormValue("likes"), 1)-1)
	}
	s.done(w, r, "like", b)
}

// markButton is the data of a post's bookmark button.
type markButton struct {
	ID         string
	Bookmarked bool
	Back       string
}

func (s *Server) bookmark(w http.ResponseWriter, r *http.Request) {
	id := r.PostFormValue("id")
	var err error
	if r.URL.Path == "/bookmark" {
		_, err = s.node.Bookmark(r.Context(), id)
	} else {
		err = s.node.Unbookmark(r.Context(), id)
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.done(w, r, "bookmark", markButton{ID: id, Bookmarked: r.URL.Path == "/bookmark", Back: back(r)})
}

// repostButton is the data of a post's repost button.
type repostButton struct {
	ID       string
	Reposted bool
	Back     string
}

func (s *Server) repost(w http.ResponseWriter, r *http.Request) {
	id := r.PostFormValue("id")
	if _, err := s.node.Repost(withRequestID(r), id); err != nil {
		s.failErr(w, r, err)
		return
	}
	s.done(w, r, "repost", repostButton{ID: id, Reposted: true, Back: back(r)})
}

func (s *Server) deletePost(w http.ResponseWriter, r *http.Request) {
	if err := s.node.Delete(withRequestID(r), r.PostFormValue("id")); err != nil {
		s.failErr(w, r, err)
		return
	}
	s.done(w, r, "", nil)
}

// relation is what the signed-in account does about a user: the data of
// the follow, mute and block buttons.
type relation struct {
	Name      string
	Self      bool
	Following bool
	Muted     bool
	Blocked   bool
	Back      string
}

// relationTo reads the signed-in account's relation to name.
func (s *Server) relationTo(ctx context.Context, me, name string) (relation, error) {
	rel := relation{Name: name, Self: name == me}
	has := func(us []core.User, err error) (bool, error) {
		return slices.ContainsFunc(us, func(u core.User) bool { return u.Name == name }), err
	}
	var err error
	if rel.Following, err = has(s.node.Following(ctx)); err != nil {
		return rel, err
	}
	if rel.Muted, err = has(s.node.Muted(ctx)); err != nil {
		return rel, err
	}
	rel.Blocked, err = has(s.node.Blocked(ctx))
	return rel, err
}

// relate follows, unfollows, mutes, unmutes, blocks or unblocks the form's
// "name", and answers the buttons as they are now.
func (s *Server) relate(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(strings.TrimSpace(r.PostFormValue("name")), "@")
	ctx := withRequestID(r)
	var err error
	switch r.URL.Path {
	case "/follow":
		_, err = s.node.Follow(ctx, name)
	case "/unfollow":
		err = s.node.Unfollow(ctx, name)
	case "/mute":
		_, err = s.node.Mute(ctx, name)
	case "/unmute":
		err = s.node.Unmute(ctx, name)
	case "/block":
		_, err = s.node.Block(ctx, name)
	case "/unblock":
		err = s.node.Unblock(ctx, name)
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	rel, err := s.relationTo(r.Context(), s.me(r.Context()), name)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	rel.Back = back(r)
	s.done(w, r, "relation", rel)
}

// setProfile sets the signed-in account's display name, bio and link.
func (s *Server) setProfile(w http.ResponseWriter, r *http.Request) {
	_, err := s.node.SetProfile(withRequestID(r), strings.TrimSpace(r.PostFormValue("display_name")),
		strings.TrimSpace(r.PostFormValue("bio")), strings.TrimSpace(r.PostFormValue("link")))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	http.Redirect(w, r, back(r), http.StatusSeeOther)
}

func itoa(n int) string { return strconv.Itoa(n) }

// atoiOr parses s as a non-negative int, or returns def.
func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return def
	}
	return n
}
