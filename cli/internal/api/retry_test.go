package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api/apitest"
	"github.com/skein-p2p/skein/core"
)

// cutter serves s, except that for the first cuts requests to path it lets
// s do the request, then closes the connection without the answer: the
// answer is lost, as when a connection breaks.
type cutter struct {
	s     *Server
	path  string
	after func() // called after each cut; may be nil

	mu   sync.Mutex
	cuts int      // answers still to cut
	keys []string // the Idempotency-Key of each request to path
}

func (c *cutter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != c.path {
		c.s.ServeHTTP(w, r)
		return
	}
	c.mu.Lock()
	c.keys = append(c.keys, r.Header.Get(RequestIDHeader))
	cut := c.cuts > 0
	if cut {
		c.cuts--
	}
	c.mu.Unlock()
	if !cut {
		c.s.ServeHTTP(w, r)
		return
	}
	c.s.ServeHTTP(httptest.NewRecorder(), r)
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		conn.Close()
	}
	if c.after != nil {
		c.after()
	}
}

func (c *cutter) seen() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.keys...)
}

// serveCut serves a fake node with a logged-in account through a cutter
// of the answers to /v1/post.
func serveCut(t *testing.T, cuts int) (*Client, *apitest.Node, *cutter) {
	t.Helper()
	node := apitest.NewNode(time.Unix(1e9, 0))
	if _, err := node.Register(context.Background(), "alice", "pw"); err != nil {
		t.Fatal(err)
	}
	c := &cutter{s: NewServer(node, nil), path: "/v1/post", cuts: cuts}
	ts := httptest.NewServer(c)
	t.Cleanup(ts.Close)
	return newClient(ts.URL, ts.Client()), node, c
}

func posts(t *testing.T, node *apitest.Node) []string {
	t.Helper()
	p, err := node.Feed(context.Background(), "", MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, post := range p.Posts {
		texts = append(texts, post.Text)
	}
	return texts
}

func TestRetryBrokenConnection(t *testing.T) {
	t.Run("with a request ID", func(t *testing.T) {
		cl, node, c := serveCut(t, 2)
		p, err := cl.Post(core.WithRequestID(context.Background(), "req-1"), "once")
		if err != nil || p.Text != "once" {
			t.Fatalf("Post() = %+v, %v; want the post", p, err)
		}
		if got := posts(t, node); len(got) != 1 {
			t.Errorf("the node holds %q, want the post once", got)
		}
		keys := c.seen()
		if len(keys) != 3 {
			t.Errorf("the daemon got %d requests, want 3 (two answers cut)", len(keys))
		}
		for _, k := range keys {
			if k != `"req-1"` {
				t.Errorf("a request had %s: %q, want %q", RequestIDHeader, k, `"req-1"`)
			}
		}
	})
	t.Run("without a request ID", func(t *testing.T) {
		cl, node, c := serveCut(t, 1)
		_, err := cl.Post(context.Background(), "maybe")
		var broken *BrokenError
		if !errors.As(err, &broken) || broken.RequestID != "" {
			t.Fatalf("Post() = %v, want a *BrokenError without a request ID", err)
		}
		if n := len(c.seen()); n != 1 || c.seen()[0] != "" {
			t.Errorf("the daemon got %q, want one request without %s", c.seen(), RequestIDHeader)
		}
		if got := posts(t, node); len(got) != 1 {
			t.Errorf("the node holds %q, want the post the cut request made", got)
		}
	})
	t.Run("every answer cut", func(t *testing.T) {
		cl, node, c := serveCut(t, 100)
		_, err := cl.Post(core.WithRequestID(context.Background(), "req-2"), "lost")
		var broken *BrokenError
		if !errors.As(err, &broken) || broken.RequestID != "req-2" {
			t.Fatalf("Post() = %v, want a *BrokenError naming req-2", err)
		}
		if n := len(c.seen()); n != 1+retries {
			t.Errorf("the daemon got %d requests, want %d", n, 1+retries)
		}
		if got := posts(t, node); len(got) != 1 {
			t.Errorf("the node holds %q, want the post once", got)
		}
	})
	t.Run("an API error is not retried", func(t *testing.T) {
		cl, _, c := serveCut(t, 0)
		ctx := core.WithRequestID(context.Background(), "req-3")
		if _, err := cl.Post(ctx, "first"); err != nil {
			t.Fatal(err)
		}
		_, err := cl.Post(ctx, "another text")
		if !errors.Is(err, core.ErrRequestIDReused) {
			t.Errorf("Post(reused ID) = %v, want ErrRequestIDReused", err)
		}
		var e *Error
		if errors.As(err, &e) && (e.Status != http.StatusUnprocessableEntity || e.Code != "request_id_reused") {
			t.Errorf("Post(reused ID) = %d %s, want 422 request_id_reused", e.Status, e.Code)
		}
		if n := len(c.seen()); n != 2 {
			t.Errorf("the daemon got %d requests, want 2", n)
		}
	})
}

// TestRetryDaemonGone: the daemon goes away after the request and before
// its answer; the retry finds no daemon, and the error says that the
// request may have been done and names its ID.
func TestRetryDaemonGone(t *testing.T) {
	sock, l := listenUnix(t)
	node := apitest.NewNode(time.Unix(1e9, 0))
	if _, err := node.Register(context.Background(), "alice", "pw"); err != nil {
		t.Fatal(err)
	}
	c := &cutter{s: NewServer(node, nil), path: "/v1/post", cuts: 1, after: func() { l.Close() }}
	srv := &http.Server{Handler: c}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() { srv.Close(); <-served })

	_, err := NewClient(sock).Post(core.WithRequestID(context.Background(), "req-gone"), "done, unanswered")
	var broken *BrokenError
	if !errors.As(err, &broken) || broken.RequestID != "req-gone" || !errors.Is(err, ErrNoDaemon) {
		t.Fatalf("Post() = %v, want a *BrokenError naming req-gone, the daemon gone", err)
	}
	if !strings.Contains(err.Error(), "broke before it answered") {
		t.Errorf("Post() error = %q", err)
	}
	if got := posts(t, node); len(got) != 1 {
		t.Errorf("the node holds %q, want the post once", got)
	}
}

// TestRequestIDHeader: the daemon reads the request ID from the
// Idempotency-Key header, quoted or not, and refuses a bad one.
func TestRequestIDHeader(t *testing.T) {
	node := apitest.NewNode(time.Unix(1e9, 0))
	if _, err := node.Register(context.Background(), "alice", "pw"); err != nil {
		t.Fatal(err)
	}
	_, _, url := serve(t, node)
	post := func(text string, keys ...string) (int, Error) {
		t.Helper()
		req, err := http.NewRequest("POST", url+"/v1/post", strings.NewReader(`{"text":"`+text+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			req.Header.Add(RequestIDHeader, k)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e Error
		if resp.StatusCode != 200 {
			if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
				t.Fatal(err)
			}
		}
		return resp.StatusCode, e
	}
	tests := []struct {
		name   string
		text   string
		keys   []string
		status int
		code   string
	}{
		{"bare", "one", []string{"k-1"}, 200, ""},
		{"the same, quoted", "one", []string{`"k-1"`}, 200, ""},
		{"the same, other text", "two", []string{"k-1"}, 422, "request_id_reused"},
		{"empty", "three", []string{`""`}, 400, "invalid_request_id"},
		{"a space", "three", []string{"k 1"}, 400, "invalid_request_id"},
		{"too long", "three", []string{strings.Repeat("k", 65)}, 400, "invalid_request_id"},
		{"two headers", "three", []string{"k-2", "k-3"}, 400, "invalid_request_id"},
	}
	for _, tt := range tests {
		if status, e := post(tt.text, tt.keys...); status != tt.status || e.Code != tt.code {
			t.Errorf("%s: POST /v1/post = %d %+v, want %d %q", tt.name, status, e, tt.status, tt.code)
		}
	}
	if got := posts(t, node); len(got) != 1 || got[0] != "one" {
		t.Errorf("the node holds %q, want one post", got)
	}
}
