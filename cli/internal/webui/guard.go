package webui

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// csp is the Content-Security-Policy of every answer: the UI's own script
// and style files only; no inline script or style, no eval, no framing, no
// form posting elsewhere.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// maxForm bounds a form body: a post of MaxPostChars 4-byte characters is
// 4 KB, a profile less; 64 KiB leaves room and no more.
const maxForm = 64 << 10

// guard wraps next in the checks every request passes (see the package
// doc): Host allow-list, security headers, cross-origin protection and,
// except for public paths, the session cookie.
func (s *Server) guard(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusForbidden, "This request came from another site, so it was refused.")
	}))
	checked := cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !public(r.URL.Path) && !s.signedIn(r) {
			s.needKey(w, r)
			return
		}
		if r.Method == http.MethodPost {
			limit := int64(maxForm)
			if mediaForm(r) { // a form that uploads images (media.go)
				limit = maxMediaForm
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, s.withStreamPosition(withChatCache(withStatusCache(r))))
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if !s.allowedHost(r.Host) {
			s.log.Warn("web UI request with a foreign Host refused", "host", quoteHost(r.Host), "path", r.URL.Path)
			h.Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte("403 forbidden: this address is not the Skein web UI's (open it with skein ui)\n"))
			return
		}
		checked.ServeHTTP(w, r)
	})
}

// public reports whether path is served without the session cookie: the
// key exchange and the static files, which hold nothing private.
func public(path string) bool {
	return path == "/auth" || strings.HasPrefix(path, "/static/")
}

// allowedHost reports whether host (a Host header) names this UI:
// 127.0.0.1, [::1] or localhost, at the UI's port.
func (s *Server) allowedHost(host string) bool {
	port := s.Port()
	if port == 0 {
		return false
	}
	h, p, err := net.SplitHostPort(host)
	if err != nil || p != strconv.Itoa(port) {
		return false
	}
	switch h {
	case "127.0.0.1", "::1", "localhost", s.HostName():
		return true
	}
	return false
}

// quoteHost makes a Host header safe for a log line.
func quoteHost(h string) string {
	if len(h) > 64 {
		h = h[:64]
	}
	return strconv.Quote(h)
}

// signedIn reports whether r carries this UI's session cookie.
func (s *Server) signedIn(r *http.Request) bool {
	c, err := r.Cookie(s.cookieName())
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(s.session())) == 1
}

// needKey answers a request without the session cookie: a page saying how
// to get in, or a bare 401 for the script's requests and event streams.
func (s *Server) needKey(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || fromScript(r) || r.URL.Path == "/events" {
		s.fail(w, r, http.StatusUnauthorized, "This browser is not signed in to the Skein web UI: open the link that skein ui prints.")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusUnauthorized, "auth", authPage{Missing: true})
}

// authPage is the key exchange page's data.
type authPage struct {
	Missing bool // reached without a cookie, not through skein ui's link
	Wrong   bool // a key was given and it is not this daemon's
}

// authForm shows the key exchange page. Its script reads the key from the
// address's fragment, removes it from the address bar and posts it.
func (s *Server) authForm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "auth", authPage{})
}

// authTrade trades the key for the session cookie.
func (s *Server) authTrade(w http.ResponseWriter, r *http.Request) {
	if !s.useKey(r.PostFormValue("key")) {
		w.Header().Set("Cache-Control", "no-store")
		s.render(w, r, http.StatusForbidden, "auth", authPage{Wrong: true})
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     s.cookieName(),
		Value:    s.session(),
		Path:     "/",
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
		MaxAge:   400 * 24 * 3600, // browsers cap it at 400 days
	})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// fromScript reports whether the page's script sent r (it marks its
// requests), so that the answer is a fragment or a short message, not a
// whole page.
func fromScript(r *http.Request) bool { return r.Header.Get("X-Skein") == "1" }
