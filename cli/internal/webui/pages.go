package webui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/core"
)

// feedPageSize is how many posts a page of the feed shows.
const feedPageSize = 50

// routes returns the UI's handler: every route behind guard.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", s.views.static)
	mux.HandleFunc("GET /auth", s.authForm)
	mux.HandleFunc("POST /auth", s.authTrade)
	mux.HandleFunc("GET /events", s.events)

	mux.HandleFunc("GET /{$}", s.feed)
	mux.HandleFunc("GET /signin", s.signinPage)
	mux.HandleFunc("POST /signin", s.signin)
	mux.HandleFunc("POST /register", s.register)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /post/{id}", s.thread)
	mux.HandleFunc("GET /badge", s.badge)
	s.actionRoutes(mux)
	s.morePages(mux)
	s.chatRoutes(mux)
	s.mediaRoutes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if allow := allowedMethods(mux, r); allow != "" {
			w.Header().Set("Allow", allow)
			s.fail(w, r, http.StatusMethodNotAllowed, "This address does not answer a "+r.Method+" request.")
			return
		}
		s.fail(w, r, http.StatusNotFound, "There is no page at this address.")
	})
	return s.guard(mux)
}

// allowedMethods returns the methods, as an Allow header lists them, that
// mux routes r's path with other than by its "/" catch-all: "" for a path
// it has no page for. The catch-all would otherwise answer 404 to a GET of
// an action's path, where 405 says what is wrong.
func allowedMethods(mux *http.ServeMux, r *http.Request) string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "/" && pattern != "" {
			allow = append(allow, m)
		}
	}
	return strings.Join(allow, ", ")
}

// errorPage is the data of the error page.
type errorPage struct {
	Message string
	Status  int
}

// fail answers a request that cannot be served: a short plain message for
// the page's script, or an error page.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if fromScript(r) || r.URL.Path == "/events" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		w.Write([]byte(msg))
		return
	}
	s.render(w, r, status, "error", errorPage{Message: msg, Status: status})
}

// failErr answers with err: its status and message as the local API would
// give them; an unexpected error is logged and answered 500.
func (s *Server) failErr(w http.ResponseWriter, r *http.Request, err error) {
	_, status, ok := api.CodeOf(err)
	if !ok {
		s.log.Warn("web UI request failed", "path", r.URL.Path, "err", err)
	}
	msg := err.Error()
	if errors.Is(err, core.ErrNotLoggedIn) {
		msg = "No account is signed in: sign in first."
	}
	s.fail(w, r, status, msg)
}

// signedOut sends a browser to the accounts page when no account is
// signed in; it reports whether it did.
func (s *Server) signedOut(w http.ResponseWriter, r *http.Request) bool {
	if s.me(r.Context()) != "" {
		return false
	}
	if fromScript(r) {
		s.fail(w, r, http.StatusUnauthorized, "No account is signed in: sign in first.")
	} else {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
	}
	return true
}

// feedPage is the data of the home page, and of a page of it fetched by
// the script (infinite scroll).
type feedPage struct {
	Posts     []postView
	Next      string // cursor of the next page, "" at the end
	MoreURL   string
	RequestID string // for the compose form: a resubmitted form posts once
	Error     string
}

func (s *Server) feed(w http.ResponseWriter, r *http.Request) {
	if s.signedOut(w, r) {
		return
	}
	cursor := r.URL.Query().Get("cursor")
	pos := atoiOr(r.URL.Query().Get("from"), 0)
	p, err := s.node.Feed(r.Context(), cursor, feedPageSize)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	me := s.me(r.Context())
	data := feedPage{Posts: postViews(p.Posts, me, pos+1), Next: p.Next, RequestID: newRequestID()}
	s.prefetchThumbs(r.Context(), data.Posts)
	if p.Next != "" {
		data.MoreURL = "/?" + url.Values{"cursor": {p.Next}, "from": {itoa(pos + len(p.Posts))}}.Encode()
	}
	if fromScript(r) {
		s.renderFragment(w, http.StatusOK, "postpage", data)
		return
	}
	s.render(w, r, http.StatusOK, "feed", data)
}

// badge answers the number of unread notifications, for a tab catching up.
func (s *Server) badge(w http.ResponseWriter, r *http.Request) {
	st, err := s.status(r.Context())
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(itoa(st.Unread)))
}

// signinPageData is the data of the accounts page.
type signinPageData struct {
	Accounts []string
	Me       string
	Error    string
	Name     string
}

func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) {
	s.renderSignin(w, r, http.StatusOK, "", "")
}

func (s *Server) renderSignin(w http.ResponseWriter, r *http.Request, status int, name, msg string) {
	st, err := s.status(r.Context())
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, status, "signin", signinPageData{Accounts: st.Accounts, Me: st.Account, Error: msg, Name: name})
}

func (s *Server) signin(w http.ResponseWriter, r *http.Request) {
	s.account(w, r, s.node.Login)
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	s.account(w, r, s.node.Register)
}

// account signs an account in with do (Login or Register), signing out
// the account signed in first, if another.
func (s *Server) account(w http.ResponseWriter, r *http.Request, do func(ctx context.Context, name, password string) (core.User, error)) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	password := r.PostFormValue("password")
	if name == "" || password == "" {
		s.renderSignin(w, r, http.StatusBadRequest, name, "Give a username and a password.")
		return
	}
	ctx := r.Context()
	if me := s.me(ctx); me != "" {
		// Signing @me out first would lose that session to a mistyped
		// password: the reader signs out, then in.
		s.renderSignin(w, r, http.StatusConflict, name, "@"+me+" is signed in: sign out first, then sign in to another account.")
		return
	}
	if _, err := do(ctx, name, password); err != nil {
		_, status, _ := api.CodeOf(err)
		s.renderSignin(w, r, status, name, err.Error())
		return
	}
	s.hub.add(uiEvent{local: "account"})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.node.Logout(r.Context()); err != nil && !errors.Is(err, core.ErrNotLoggedIn) {
		s.failErr(w, r, err)
		return
	}
	s.hub.add(uiEvent{local: "account"})
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// threadPage is the data of a thread page.
type threadPage struct {
	Ancestors []postView
	Post      postView
	Replies   []replyView
	Fetched   bool
	RequestID string
}

func (p threadPage) title() string { return "Post by " + p.Post.Name() }

// replyView is a reply in a thread, with its own replies.
type replyView struct {
	postView
	Replies []replyView
}

// View is the reply as the "post" template shows it (a template cannot
// name the unexported embedded field).
func (r replyView) View() postView { return r.postView }

func (s *Server) thread(w http.ResponseWriter, r *http.Request) {
	if s.signedOut(w, r) {
		return
	}
	t, err := s.node.Thread(r.Context(), r.PathValue("id"))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	me := s.me(r.Context())
	data := threadPage{
		Ancestors: postViews(t.Ancestors, me, 0),
		Post:      newPostView(t.Post, me, 0),
		Replies:   replyViews(t.Replies, me),
		Fetched:   t.Fetched,
		RequestID: newRequestID(),
	}
	s.prefetchThumbs(r.Context(), append([]postView{data.Post}, data.Ancestors...))
	s.render(w, r, http.StatusOK, "thread", data)
}

func replyViews(rs []core.ThreadReply, me string) []replyView {
	out := make([]replyView, len(rs))
	for i, r := range rs {
		out[i] = replyView{postView: newPostView(r.Post, me, 0), Replies: replyViews(r.Replies, me)}
	}
	return out
}
