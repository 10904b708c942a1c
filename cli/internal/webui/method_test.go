package webui

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api/apitest"
)

// TestWrongMethod: a path the UI routes for another method answers 405
// with an Allow header, not the catch-all's 404; an unknown path 404.
func TestWrongMethod(t *testing.T) {
	s, err := New(apitest.NewNode(time.Unix(1e9, 0)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	base, err := s.Listen(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(t.Context()) })
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "post", http.StatusMethodNotAllowed, "POST"},
		{"GET", "like", http.StatusMethodNotAllowed, "POST"},
		{"GET", "follow", http.StatusMethodNotAllowed, "POST"},
		{"GET", "logout", http.StatusMethodNotAllowed, "POST"},
		{"POST", "badge", http.StatusMethodNotAllowed, "GET"},
		{"GET", "signin", http.StatusOK, ""},
		{"GET", "no/such/page", http.StatusNotFound, ""},
		{"POST", "no/such/page", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			var body *strings.Reader
			if tt.method == "POST" {
				body = strings.NewReader(url.Values{"back": {"/"}}.Encode())
			} else {
				body = strings.NewReader("")
			}
			req, err := http.NewRequest(tt.method, base+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: s.cookieName(), Value: s.session()})
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status || resp.Header.Get("Allow") != tt.allow {
				t.Errorf("%s /%s = %d Allow %q, want %d Allow %q", tt.method, tt.path, resp.StatusCode, resp.Header.Get("Allow"), tt.status, tt.allow)
			}
		})
	}
}
