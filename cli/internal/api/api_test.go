package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/skein-p2p/skein/cli/internal/api/apitest"
	"github.com/skein-p2p/skein/core"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// serve starts a Server for node on a local HTTP server and returns a
// Client for it. Both stop at the end of the test.
func serve(t *testing.T, node Node) (*Client, *Server, string) {
	t.Helper()
	s := NewServer(node, nil)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	t.Cleanup(s.stopStreams) // before ts.Close, which waits for streams
	return newClient(ts.URL, ts.Client()), s, ts.URL
}

// errNode fails every call with err.
type errNode struct{ err error }

func (n errNode) Register(context.Context, string, string) (core.User, error) {
	return core.User{}, n.err
}
func (n errNode) Login(context.Context, string, string) (core.User, error) {
	return core.User{}, n.err
}
func (n errNode) Logout(context.Context) error                         { return n.err }
func (n errNode) Post(context.Context, string) (core.Post, error)      { return core.Post{}, n.err }
func (n errNode) Follow(context.Context, string) (core.User, error)    { return core.User{}, n.err }
func (n errNode) Unfollow(context.Context, string) error               { return n.err }
func (n errNode) Feed(context.Context, string, int) (core.Page, error) { return core.Page{}, n.err }
func (n errNode) Following(context.Context) ([]core.User, error)       { return nil, n.err }
func (n errNode) Followers(context.Context) ([]core.User, error)       { return nil, n.err }
func (n errNode) Whois(context.Context, string) (core.Profile, error)  { return core.Profile{}, n.err }
func (n errNode) Status(context.Context) (core.Status, error)          { return core.Status{}, n.err }
func (n errNode) Watch(context.Context, func(core.Event)) error        { return n.err }
func (n errNode) Notifications(context.Context, int, bool) ([]core.Notification, error) {
	return nil, n.err
}
func (n errNode) Search(context.Context, string, core.SearchKind, int) (core.SearchResults, error) {
	return core.SearchResults{}, n.err
}
func (n errNode) Timeline(context.Context, string, string, int) (core.Page, error) {
	return core.Page{}, n.err
}
func (n errNode) Reply(context.Context, string, string) (core.Post, error) {
	return core.Post{}, n.err
}
func (n errNode) Repost(context.Context, string) (core.Post, error)    { return core.Post{}, n.err }
func (n errNode) Delete(context.Context, string) error                 { return n.err }
func (n errNode) Like(context.Context, string) (core.Post, error)      { return core.Post{}, n.err }
func (n errNode) Unlike(context.Context, string) error                 { return n.err }
func (n errNode) Thread(context.Context, string) (core.Thread, error)  { return core.Thread{}, n.err }
func (n errNode) ExportPhrase(context.Context, string) (string, error) { return "", n.err }
func (n errNode) ExportKeyFile(context.Context, string) ([]byte, error) {
	return nil, n.err
}
func (n errNode) RestorePhrase(context.Context, string, string, string) (core.User, error) {
	return core.User{}, n.err
}
func (n errNode) RestoreKeyFile(context.Context, []byte, string) (core.User, error) {
	return core.User{}, n.err
}
func (n errNode) SetPowerMode(core.PowerMode) error              { return n.err }
func (n errNode) SetNetworkType(core.NetworkType) error          { return n.err }
func (n errNode) Connections() []core.Connection                 { return nil }
func (n errNode) Holders(context.Context) ([]core.Holder, error) { return nil, n.err }
func (n errNode) SetProfile(context.Context, string, string, string) (core.User, error) {
	return core.User{}, n.err
}

func TestErrorMapping(t *testing.T) {
	for _, c := range codes {
		t.Run(c.code, func(t *testing.T) {
			cause := fmt.Errorf("%w: alice", c.err)
			cl, _, _ := serve(t, errNode{cause})
			_, err := cl.Login(context.Background(), "alice", "pw")
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Login() error = %v (%T), want *Error", err, err)
			}
			if e.Code != c.code || e.Status != c.status || e.Message != cause.Error() {
				t.Errorf("Login() error = %q code %q status %d, want %q code %q status %d",
					e.Message, e.Code, e.Status, cause, c.code, c.status)
			}
			if !errors.Is(err, c.err) {
				t.Errorf("errors.Is(%v, %v) = false, want true", err, c.err)
			}
			for _, other := range codes {
				if other.code != c.code && errors.Is(err, other.err) {
					t.Errorf("errors.Is(%v, %v) = true, want false", err, other.err)
				}
			}
		})
	}
}

func TestOtherErrors(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		code   string
		status int
		msg    string
	}{
		{"internal", errors.New("store: disk on fire"), CodeInternal, 500, "store: disk on fire"},
		{"multi-line", errors.New("line one\nline two"), CodeInternal, 500, "line one; line two"},
		{"timeout", fmt.Errorf("follow: %w", context.DeadlineExceeded), CodeTimeout, 504, "follow: context deadline exceeded"},
		{"bare timeout", context.DeadlineExceeded, CodeTimeout, 504, "the daemon gave up after 2m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl, _, _ := serve(t, errNode{tt.err})
			_, err := cl.Feed(context.Background(), "", 0)
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code || e.Status != tt.status || e.Message != tt.msg {
				t.Fatalf("Feed() error = %#v, want code %q status %d message %q", err, tt.code, tt.status, tt.msg)
			}
		})
	}
}

// rawRequest sends a request and returns the status and decoded Error.
func rawRequest(t *testing.T, url, method, path, body string) (int, Error) {
	t.Helper()
	req, err := http.NewRequest(method, url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e Error
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type = %q, want application/json", method, path, ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatalf("%s %s: decoding the answer: %v", method, path, err)
	}
	return resp.StatusCode, e
}

// TestTextNotUTF8: a body that is not UTF-8, or escapes a lone surrogate,
// is refused before it is decoded (encoding/json would store U+FFFD); text
// that only looks like those is taken as it is.
func TestTextNotUTF8(t *testing.T) {
	node := apitest.NewNode(time.Unix(1e9, 0))
	cl, _, url := serve(t, node)
	if _, err := cl.Register(context.Background(), "alice", "pw"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, body string
		msg              string // in the error; "" for success
		text             string // posted, on success
	}{
		{"invalid byte", "/v1/post", "{\"text\":\"bad \xff\"}", "request body is not valid UTF-8: byte 0xff at offset 13", ""},
		{"Latin-1", "/v1/post", "{\"text\":\"caf\xe9\"}", "not valid UTF-8: byte 0xe9 at offset 12", ""},
		{"encoded surrogate", "/v1/post", "{\"text\":\"\xed\xa0\x80\"}", "not valid UTF-8: byte 0xed", ""},
		{"overlong", "/v1/post", "{\"text\":\"\xc0\xaf\"}", "not valid UTF-8: byte 0xc0", ""},
		{"truncated", "/v1/post", "{\"text\":\"\xe4\xb8\"}", "not valid UTF-8: byte 0xe4", ""},
		{"in a name", "/v1/follow", "{\"name\":\"bob\xff\"}", "not valid UTF-8", ""},
		{"in a reply", "/v1/reply", "{\"id\":\"3f2a91c0\",\"text\":\"\xff\"}", "not valid UTF-8", ""},
		{"lone high surrogate", "/v1/post", `{"text":"a\ud800b"}`, `request body holds \ud800 at offset 10, half of a UTF-16 surrogate pair`, ""},
		{"high surrogate at the end", "/v1/post", `{"text":"\uD83D"}`, `holds \uD83D at offset 9`, ""},
		{"two high surrogates", "/v1/post", `{"text":"\ud83d\ud83d"}`, `holds \ud83d at offset 9`, ""},
		{"lone low surrogate", "/v1/post", `{"text":"\ude00"}`, `holds \ude00 at offset 9`, ""},
		{"reversed pair", "/v1/post", `{"text":"\ude00\ud83d"}`, `holds \ude00`, ""},
		{"surrogate pair", "/v1/post", `{"text":"smile \ud83d\ude00"}`, "", "smile 😀"},
		{"escaped backslash", "/v1/post", `{"text":"\\ud800 is an escape"}`, "", `\ud800 is an escape`},
		{"U+FFFD itself", "/v1/post", `{"text":"\ufffd and �"}`, "", "\ufffd and \ufffd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := node.Status(context.Background())
			status, e := rawRequest(t, url, "POST", tt.path, tt.body)
			after, _ := node.Status(context.Background())
			if tt.msg == "" {
				if status != 200 {
					t.Fatalf("POST %s %q = %d %+v, want 200", tt.path, tt.body, status, e)
				}
				p, _ := node.Feed(context.Background(), "", 1)
				if len(p.Posts) == 0 || p.Posts[0].Text != tt.text {
					t.Errorf("POST %s %q posted %+v, want %q", tt.path, tt.body, p.Posts, tt.text)
				}
				return
			}
			if status != 400 || e.Code != CodeBadRequest || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("POST %s %q = %d %+v, want 400 %s %q", tt.path, tt.body, status, e, CodeBadRequest, tt.msg)
			}
			if after.Entries != before.Entries {
				t.Errorf("POST %s %q appended an entry", tt.path, tt.body)
			}
		})
	}
	status, e := rawRequest(t, url, "GET", "/v1/whois?name=bob%FF", "")
	if status != 400 || e.Code != CodeBadRequest || !strings.Contains(e.Message, `query parameter "name" is not valid UTF-8`) {
		t.Errorf("GET /v1/whois?name=bob%%FF = %d %+v, want 400 bad_request", status, e)
	}
}

func TestBadRequests(t *testing.T) {
	node := apitest.NewNode(time.Unix(1e9, 0))
	_, _, url := serve(t, node)
	tests := []struct {
		method, path, body string
		status             int
		code               string
	}{
		{"GET", "/v1/nope", "", 404, CodeNotFound},
		{"GET", "/v1/post", "", 405, CodeMethodNotAllowed},
		{"POST", "/v1/feed", "", 405, CodeMethodNotAllowed},
		{"POST", "/v1/login", "", 400, CodeBadRequest},
		{"POST", "/v1/login", "{", 400, CodeBadRequest},
		{"POST", "/v1/login", `{"name":"a","password":"b","admin":true}`, 400, CodeBadRequest},
		{"POST", "/v1/login", `{"name":"a"} {"name":"b"}`, 400, CodeBadRequest},
		{"POST", "/v1/post", `{"text":"` + strings.Repeat("x", MaxBody) + `"}`, 413, CodeTooLarge},
		{"GET", "/v1/feed?limit=0", "", 400, CodeBadRequest},
		{"GET", "/v1/feed?limit=501", "", 400, CodeBadRequest},
		{"GET", "/v1/feed?limit=x", "", 400, CodeBadRequest},
		{"GET", "/v1/notifications?mark_read=maybe", "", 400, CodeBadRequest},
		{"GET", "/v1/feed", "", 401, "not_logged_in"},
		{"POST", "/v1/register", `{"name":"A!","password":"pw"}`, 400, "invalid_name"},
		{"GET", "/v1/reply", "", 405, CodeMethodNotAllowed},
		{"POST", "/v1/reply", `{"id":"3f2a91c0","text":"hi","extra":1}`, 400, CodeBadRequest},
		{"POST", "/v1/repost", `{"id":"3f2a91c0"}`, 401, "not_logged_in"},
		{"POST", "/v1/delete", "", 400, CodeBadRequest},
		{"POST", "/v1/export", `{"password":"pw"}`, 401, "not_logged_in"},
		{"POST", "/v1/restore", `{"password":"pw"}`, 400, CodeBadRequest},
		{"POST", "/v1/restore", `{"name":"dave","phrase":"a b","key_file":"eA==","password":"pw"}`, 400, CodeBadRequest},
		{"POST", "/v1/restore", `{"key_file":"not base64!","password":"pw"}`, 400, CodeBadRequest},
		{"POST", "/v1/restore", `{"key_file":"eA==","password":"pw"}`, 400, "bad_secret"},
		{"POST", "/v1/restore", `{"name":"dave","phrase":"a b","password":"pw"}`, 400, "bad_secret"},
		{"GET", "/v1/power", "", 405, CodeMethodNotAllowed},
		{"POST", "/v1/power", "", 400, CodeBadRequest},
		{"POST", "/v1/power", `{}`, 400, CodeBadRequest},
		{"POST", "/v1/power", `{"mode":"turbo"}`, 400, CodeBadRequest},
		{"POST", "/v1/power", `{"mode":"Off"}`, 400, CodeBadRequest},
		{"POST", "/v1/power", `{"mode":2}`, 400, CodeBadRequest},
		{"POST", "/v1/network", `{"type":"5g"}`, 400, CodeBadRequest},
		{"POST", "/v1/network", `{"mode":"wifi"}`, 400, CodeBadRequest},
	}
	for _, tt := range tests {
		status, e := rawRequest(t, url, tt.method, tt.path, tt.body)
		if status != tt.status || e.Code != tt.code || e.Message == "" {
			t.Errorf("%s %s %.20q = %d %+v, want %d code %q", tt.method, tt.path, tt.body, status, e, tt.status, tt.code)
		}
	}
}

func TestClientRoundTrip(t *testing.T) {
	ctx := context.Background()
	node := apitest.NewNode(time.Unix(1e9, 0))
	bob := node.AddUser("bob")
	cl, _, _ := serve(t, node)

	if _, err := cl.Register(ctx, "alice", "pw"); err != nil {
		t.Fatalf("Register() error = %v", err)
	}
	if err := cl.Logout(ctx); err != nil {
		t.Fatalf("Logout() error = %v", err)
	}
	if _, err := cl.Login(ctx, "alice", "nope"); !errors.Is(err, core.ErrWrongPassword) {
		t.Fatalf("Login(wrong password) error = %v, want ErrWrongPassword", err)
	}
	u, err := cl.Login(ctx, "alice", "pw")
	if err != nil || u.Name != "alice" {
		t.Fatalf("Login() = %+v, %v, want alice", u, err)
	}
	if u, err := cl.Follow(ctx, "bob"); err != nil || u.Key != bob.Key {
		t.Fatalf("Follow(bob) = %+v, %v, want key %s", u, err, bob.Key)
	}
	node.AddPost("bob", "from bob")
	if _, err := cl.Post(ctx, "from alice"); err != nil {
		t.Fatalf("Post() error = %v", err)
	}
	p, err := cl.Feed(ctx, "", 1)
	if err != nil || len(p.Posts) != 1 || p.Posts[0].Text != "from alice" || p.Next == "" {
		t.Fatalf("Feed(limit 1) = %+v, %v, want alice's post and a next page", p, err)
	}
	p, err = cl.Feed(ctx, p.Next, 1)
	if err != nil || len(p.Posts) != 1 || p.Posts[0].Text != "from bob" || p.Next != "" {
		t.Fatalf("Feed(next page) = %+v, %v, want bob's post and no next page", p, err)
	}
	if p, err := cl.Timeline(ctx, "bob", "", 0); err != nil || len(p.Posts) != 1 {
		t.Fatalf("Timeline(bob) = %+v, %v, want 1 post", p, err)
	}
	if fl, err := cl.Following(ctx); err != nil || len(fl.Users) != 1 || fl.Users[0].Name != "bob" {
		t.Fatalf("Following() = %+v, %v, want bob", fl, err)
	}
	if fr, err := cl.Followers(ctx); err != nil || fr.Users == nil || len(fr.Users) != 0 {
		t.Fatalf("Followers() = %#v, %v, want an empty list", fr, err)
	}
	if pr, err := cl.Whois(ctx, "bob"); err != nil || pr.Name != "bob" || !pr.Pinned {
		t.Fatalf("Whois(bob) = %+v, %v, want bob, pinned", pr, err)
	}
	if st, err := cl.Status(ctx); err != nil || st.Account != "alice" || st.Following != 1 {
		t.Fatalf("Status() = %+v, %v, want alice following 1", st, err)
	}
	if err := cl.Unfollow(ctx, "bob"); err != nil {
		t.Fatalf("Unfollow(bob) error = %v", err)
	}
	if err := cl.Unfollow(ctx, "bob"); !errors.Is(err, core.ErrNotFollowing) {
		t.Fatalf("Unfollow(bob) again error = %v, want ErrNotFollowing", err)
	}
	if err := cl.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Login(ctx, "bob", "x"); !errors.Is(err, core.ErrNoAccount) {
		t.Fatalf("Login(bob) error = %v, want ErrNoAccount", err)
	}
	// Notifications go to the followed account.
	cl.Register(ctx, "carol", "pw")
	cl.Follow(ctx, "alice")
	cl.Logout(ctx)
	cl.Login(ctx, "alice", "pw")
	n, err := cl.Notifications(ctx, 10, true)
	if err != nil || len(n.Notifications) != 1 || n.Notifications[0].From.Name != "carol" || n.Notifications[0].Read {
		t.Fatalf("Notifications() = %+v, %v, want one unread from carol", n, err)
	}
	n, err = cl.Notifications(ctx, 10, false)
	if err != nil || len(n.Notifications) != 1 || !n.Notifications[0].Read {
		t.Fatalf("Notifications() again = %+v, %v, want it read", n, err)
	}
}

func TestEvents(t *testing.T) {
	node := apitest.NewNode(time.Unix(1e9, 0))
	cl, srv, _ := serve(t, node)
	ctx := context.Background()
	cl.Register(ctx, "alice", "pw")

	got := make(chan core.Event, 10)
	done := make(chan error, 1)
	go func() {
		done <- cl.Events(ctx, nil, func(ev core.Event) error {
			got <- ev
			return nil
		})
	}()
	waitFor(t, func() bool { return node.Watchers() == 1 })
	cl.Post(ctx, "live")
	select {
	case ev := <-got:
		if ev.Kind != core.EventPost || ev.Post == nil || ev.Post.Text != "live" {
			t.Fatalf("Events() got %+v, want alice's post", ev)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Events() got nothing in 10 s")
	}
	// Shutdown ends the stream with an error line.
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		t.Fatalf("Shutdown() error = %v", err)
	}
	select {
	case err := <-done:
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeShutdown {
			t.Fatalf("Events() after Shutdown = %v, want code %s", err, CodeShutdown)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Events() did not end after Shutdown")
	}
}

func TestEventsEnd(t *testing.T) {
	t.Run("node closed", func(t *testing.T) {
		node := apitest.NewNode(time.Unix(1e9, 0))
		cl, _, _ := serve(t, node)
		done := make(chan error, 1)
		go func() {
			done <- cl.Events(context.Background(), nil, func(core.Event) error { return nil })
		}()
		waitFor(t, func() bool { return node.Watchers() == 1 })
		node.Close()
		if err := <-done; !errors.Is(err, core.ErrClosed) {
			t.Fatalf("Events() after Close = %v, want ErrClosed", err)
		}
	})
	t.Run("canceled", func(t *testing.T) {
		node := apitest.NewNode(time.Unix(1e9, 0))
		cl, _, _ := serve(t, node)
		ctx, cancel := context.WithCancel(context.Background())
		started := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- cl.Events(ctx, func() { close(started) }, func(core.Event) error { return nil })
		}()
		<-started
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Events() after cancel = %v, want context.Canceled", err)
		}
		waitFor(t, func() bool { return node.Watchers() == 0 })
	})
	t.Run("watch fails", func(t *testing.T) {
		cl, _, _ := serve(t, errNode{core.ErrNotLoggedIn})
		err := cl.Events(context.Background(), nil, func(core.Event) error { return nil })
		if !errors.Is(err, core.ErrNotLoggedIn) {
			t.Fatalf("Events() = %v, want ErrNotLoggedIn", err)
		}
	})
}

func TestNoDaemon(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	cl := NewClient(filepath.Join(dir, "missing.sock"))
	if _, err := cl.Status(ctx); !errors.Is(err, ErrNoDaemon) {
		t.Errorf("Status() without a socket = %v, want ErrNoDaemon", err)
	}
	// A stale socket: the file exists but nothing listens.
	sock := filepath.Join(dir, "stale.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if _, err := os.Stat(sock); err != nil {
		t.Fatal(err)
	}
	if _, err := NewClient(sock).Status(ctx); !errors.Is(err, ErrNoDaemon) {
		t.Errorf("Status() on a stale socket = %v, want ErrNoDaemon", err)
	}
}

// listenUnix listens on a unix socket in a new temporary directory with a
// short path (socket paths are limited to about 100 bytes), removed when
// the test ends.
func listenUnix(t *testing.T) (string, net.Listener) {
	t.Helper()
	dir, err := os.MkdirTemp("", "sk")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "skein.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	return sock, l
}

func TestUnixSocket(t *testing.T) {
	sock, l := listenUnix(t)
	srv := NewServer(apitest.NewNode(time.Unix(1e9, 0)), nil)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	st, err := NewClient(sock).Status(context.Background())
	if err != nil || st.PeerID == "" || st.Accounts == nil || st.Addrs == nil {
		t.Errorf("Status() = %#v, %v, want a status with empty lists", st, err)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve() = %v, want nil after Shutdown", err)
	}
}

func TestUnexpectedAnswer(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, "<html>nope</html>")
	}))
	defer ts.Close()
	_, err := newClient(ts.URL, ts.Client()).Status(context.Background())
	if err == nil || !strings.Contains(err.Error(), "502") {
		t.Fatalf("Status() = %v, want an error naming the status", err)
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestErrorCodes(t *testing.T) {
	// The codes and statuses are part of the API: pin them.
	tests := []struct {
		err    error
		code   string
		status int
	}{
		{core.ErrBadSecret, "bad_secret", http.StatusBadRequest},
		{core.ErrRestoring, "restoring", http.StatusConflict},
		{core.ErrNoPost, "no_post", http.StatusNotFound},
		{core.ErrNotYours, "not_yours", http.StatusForbidden},
		{core.ErrWrongPassword, "wrong_password", http.StatusUnauthorized},
		{core.ErrNotLoggedIn, "not_logged_in", http.StatusUnauthorized},
		{core.ErrNoSpace, "no_space", http.StatusInsufficientStorage},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			cl, _, _ := serve(t, errNode{fmt.Errorf("%w: details", tt.err)})
			err := cl.Delete(context.Background(), "3f2a91c0")
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code || e.Status != tt.status || !errors.Is(err, tt.err) {
				t.Errorf("Delete() error = %#v, want code %q status %d matching %v", err, tt.code, tt.status, tt.err)
			}
		})
	}
}

func TestPostActionsRoundTrip(t *testing.T) {
	ctx := context.Background()
	node := apitest.NewNode(time.Unix(1e9, 0))
	node.AddUser("bob")
	bobs := node.AddPost("bob", "from bob")
	cl, _, _ := serve(t, node)
	if _, err := cl.Reply(ctx, bobs.ID[:8], "hi"); !errors.Is(err, core.ErrNotLoggedIn) {
		t.Fatalf("Reply() logged out error = %v, want ErrNotLoggedIn", err)
	}
	cl.Register(ctx, "alice", "pw")
	r, err := cl.Reply(ctx, bobs.ID[:8], "hi @bob")
	if err != nil || r.Kind != core.KindReply || r.ReplyTo == nil || r.ReplyTo.ID != bobs.ID || r.ReplyTo.Author != "bob" {
		t.Fatalf("Reply() = %+v, %v, want a reply to bob's post", r, err)
	}
	rp, err := cl.Repost(ctx, bobs.ID)
	if err != nil || rp.Kind != core.KindRepost || rp.RepostOf == nil || rp.RepostOf.Text != "from bob" {
		t.Fatalf("Repost() = %+v, %v, want a repost of bob's post", rp, err)
	}
	if err := cl.Delete(ctx, bobs.ID); !errors.Is(err, core.ErrNotYours) {
		t.Errorf("Delete(bob's) error = %v, want ErrNotYours", err)
	}
	if err := cl.Delete(ctx, r.ID); err != nil {
		t.Errorf("Delete(reply) error = %v", err)
	}
	if err := cl.Delete(ctx, r.ID); !errors.Is(err, core.ErrNoPost) {
		t.Errorf("Delete(reply) again error = %v, want ErrNoPost", err)
	}
	if _, err := cl.Repost(ctx, "ffffffff"); !errors.Is(err, core.ErrNoPost) {
		t.Errorf("Repost(unknown) error = %v, want ErrNoPost", err)
	}
	p, err := cl.Timeline(ctx, "alice", "", 0)
	if err != nil || len(p.Posts) != 1 || p.Posts[0].ID != rp.ID {
		t.Errorf("Timeline(alice) = %+v, %v, want only the repost", p, err)
	}
}

func TestExportRestoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	node := apitest.NewNode(time.Unix(1e9, 0))
	node.AddUser("dave")
	cl, _, _ := serve(t, node)
	if _, err := cl.ExportPhrase(ctx, "pw"); !errors.Is(err, core.ErrNotLoggedIn) {
		t.Fatalf("ExportPhrase() logged out error = %v, want ErrNotLoggedIn", err)
	}
	cl.Register(ctx, "alice", "pw")
	if _, err := cl.ExportPhrase(ctx, "nope"); !errors.Is(err, core.ErrWrongPassword) {
		t.Errorf("ExportPhrase(wrong password) error = %v, want ErrWrongPassword", err)
	}
	if phrase, err := cl.ExportPhrase(ctx, "pw"); err != nil || phrase != apitest.Phrase("alice") {
		t.Errorf("ExportPhrase() = %q, %v", phrase, err)
	}
	if kf, err := cl.ExportKeyFile(ctx, "pw"); err != nil || string(kf) != string(apitest.KeyFile("alice", "pw")) {
		t.Errorf("ExportKeyFile() = %q, %v", kf, err)
	}
	if _, err := cl.RestorePhrase(ctx, "dave", apitest.Phrase("dave"), "pw"); !errors.Is(err, core.ErrLoggedIn) {
		t.Errorf("RestorePhrase() logged in error = %v, want ErrLoggedIn", err)
	}
	cl.Logout(ctx)
	if _, err := cl.RestorePhrase(ctx, "dave", "abandon", "pw"); !errors.Is(err, core.ErrBadSecret) {
		t.Errorf("RestorePhrase(bad phrase) error = %v, want ErrBadSecret", err)
	}
	if _, err := cl.RestoreKeyFile(ctx, []byte("junk"), "pw"); !errors.Is(err, core.ErrBadSecret) {
		t.Errorf("RestoreKeyFile(junk) error = %v, want ErrBadSecret", err)
	}
	u, err := cl.RestorePhrase(ctx, "dave", apitest.Phrase("dave"), "new-pw")
	if err != nil || u.Name != "dave" {
		t.Fatalf("RestorePhrase() = %+v, %v, want dave", u, err)
	}
	if st, err := cl.Status(ctx); err != nil || !st.Restoring {
		t.Errorf("Status() = %+v, %v, want restoring", st, err)
	}
	if _, err := cl.Post(ctx, "too soon"); !errors.Is(err, core.ErrRestoring) {
		t.Errorf("Post() while restoring error = %v, want ErrRestoring", err)
	}
	node.FinishRestore()
	if _, err := cl.Post(ctx, "now"); err != nil {
		t.Errorf("Post() after restoring error = %v", err)
	}
	cl.Logout(ctx)
	u, err = cl.RestoreKeyFile(ctx, apitest.KeyFile("erin", "erin-pw"), "erin-pw")
	if err != nil || u.Name != "erin" {
		t.Errorf("RestoreKeyFile() = %+v, %v, want erin", u, err)
	}
}

func TestPowerRoundTrip(t *testing.T) {
	ctx := context.Background()
	node := apitest.NewNode(time.Unix(1e9, 0))
	cl, _, url := serve(t, node)
	tests := []struct {
		name string
		set  func() (Power, error)
		want Power
	}{
		{"background", func() (Power, error) { return cl.SetPowerMode(ctx, core.PowerBackground) }, Power{core.PowerBackground, core.NetworkWiFi}},
		{"cellular", func() (Power, error) { return cl.SetNetworkType(ctx, core.NetworkCellular) }, Power{core.PowerBackground, core.NetworkCellular}},
		{"off", func() (Power, error) { return cl.SetPowerMode(ctx, core.PowerOff) }, Power{core.PowerOff, core.NetworkCellular}},
		{"none", func() (Power, error) { return cl.SetNetworkType(ctx, core.NetworkNone) }, Power{core.PowerOff, core.NetworkNone}},
		{"foreground", func() (Power, error) { return cl.SetPowerMode(ctx, core.PowerForeground) }, Power{core.PowerForeground, core.NetworkNone}},
		{"wifi", func() (Power, error) { return cl.SetNetworkType(ctx, core.NetworkWiFi) }, Power{core.PowerForeground, core.NetworkWiFi}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.set()
			if err != nil || got != tt.want {
				t.Fatalf("set %s = %+v, %v, want %+v", tt.name, got, err, tt.want)
			}
			st, err := cl.Status(ctx)
			if err != nil || st.Power != tt.want.Power || st.Network != tt.want.Network {
				t.Errorf("Status() = power %v network %v, %v, want %v %v", st.Power, st.Network, err, tt.want.Power, tt.want.Network)
			}
		})
	}

	// On the wire, modes and types are names.
	resp, err := http.Post(url+"/v1/power", "application/json", strings.NewReader(`{"mode":"background"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `{"power":"background","network":"wifi"}` + "\n"; resp.StatusCode != 200 || string(b) != want {
		t.Errorf("POST /v1/power = %d %q, want 200 %q", resp.StatusCode, b, want)
	}
	resp, err = http.Get(url + "/v1/status")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"power":"background","network":"wifi"`) {
		t.Errorf("GET /v1/status = %s, want the power mode and network type by name", b)
	}

	node.Close()
	if _, err := cl.SetPowerMode(ctx, core.PowerOff); !errors.Is(err, core.ErrClosed) {
		t.Errorf("SetPowerMode() after Close error = %v, want ErrClosed", err)
	}
	if _, err := cl.SetNetworkType(ctx, core.NetworkWiFi); !errors.Is(err, core.ErrClosed) {
		t.Errorf("SetNetworkType() after Close error = %v, want ErrClosed", err)
	}
}

func TestPowerUnmarshal(t *testing.T) {
	tests := []struct {
		in      string
		want    Power
		wantErr bool
	}{
		{in: `{"power":"off","network":"cellular"}`, want: Power{core.PowerOff, core.NetworkCellular}},
		{in: `{"power":"background"}`, want: Power{Power: core.PowerBackground}},
		{in: `{}`, want: Power{}},
		{in: `{"power":"turbo","network":"wifi"}`, wantErr: true},
		{in: `{"power":"off","network":"5g"}`, wantErr: true},
		{in: `{"power":1}`, wantErr: true},
	}
	for _, tt := range tests {
		var got Power
		err := json.Unmarshal([]byte(tt.in), &got)
		if tt.wantErr != (err != nil) || !tt.wantErr && got != tt.want {
			t.Errorf("Unmarshal(%s) = %+v, %v, want %+v (error: %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestStatusUnknownPower(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"peer_id":"p","power":"hyperdrive","network":"wifi"}`)
	}))
	defer ts.Close()
	_, err := newClient(ts.URL, ts.Client()).Status(context.Background())
	if err == nil || !strings.Contains(err.Error(), `unknown power mode "hyperdrive"`) {
		t.Fatalf("Status() error = %v, want the unknown power mode named", err)
	}
}
