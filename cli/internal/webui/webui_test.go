package webui

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api/apitest"
	"github.com/skein-p2p/skein/core"
)

// testUI is a web UI over the fake node, listening on loopback, with alice
// signed in (following bob, a user of another device).
type testUI struct {
	t    *testing.T
	srv  *Server
	node *apitest.Node
	base string // http://127.0.0.1:P
}

func newTestUI(t *testing.T) *testUI {
	t.Helper()
	node := apitest.NewNode(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	node.AddUser("bob")
	ctx := context.Background()
	if _, err := node.Register(ctx, "alice", "pw-alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := node.Follow(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	srv, err := New(node, Options{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := srv.Listen(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		node.Close()
	})
	return &testUI{t: t, srv: srv, node: node, base: strings.TrimSuffix(u, "/")}
}

// request is one request to the UI: Host defaults to the UI's own, and
// the session cookie is sent when signed.
type request struct {
	method, path string
	host         string
	signed       bool
	form         url.Values
	header       map[string]string
}

func (u *testUI) do(r request) (*http.Response, string) {
	u.t.Helper()
	var body io.Reader
	if r.form != nil {
		body = strings.NewReader(r.form.Encode())
	}
	req, err := http.NewRequest(r.method, u.base+r.path, body)
	if err != nil {
		u.t.Fatal(err)
	}
	if r.host != "" {
		req.Host = r.host
	}
	if r.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if r.signed {
		req.AddCookie(&http.Cookie{Name: u.srv.cookieName(), Value: u.srv.session()})
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	c := http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		u.t.Fatal(err)
	}
	return res, string(b)
}

func (u *testUI) get(path string) string {
	u.t.Helper()
	res, body := u.do(request{method: "GET", path: path, signed: true})
	if res.StatusCode != http.StatusOK {
		u.t.Fatalf("GET %s: %d\n%s", path, res.StatusCode, body)
	}
	return body
}

func TestHostAllowList(t *testing.T) {
	u := newTestUI(t)
	port := u.srv.Port()
	hosts := []struct {
		host string
		ok   bool
	}{
		{fmt.Sprintf("127.0.0.1:%d", port), true},
		{fmt.Sprintf("localhost:%d", port), true},
		{fmt.Sprintf("[::1]:%d", port), true},
		{"evil.example", false},
		{fmt.Sprintf("evil.example:%d", port), false},
		{fmt.Sprintf("127.0.0.1:%d", port+1), false},
		{"127.0.0.1", false},
		{fmt.Sprintf("localhost.evil.example:%d", port), false},
		{fmt.Sprintf("0.0.0.0:%d", port), false},
	}
	for _, h := range hosts {
		for _, path := range []string{"/", "/static/app.js", "/auth", "/events", "/post/abc", "/nope"} {
			if h.ok && path == "/events" {
				continue // it streams; TestEventsResume reads it
			}
			res, body := u.do(request{method: "GET", path: path, host: h.host, signed: true})
			if got := res.StatusCode == http.StatusForbidden; got == h.ok {
				t.Errorf("Host %q, GET %s: %d, want 403 = %v\n%.200s", h.host, path, res.StatusCode, !h.ok, body)
			}
			if res.Header.Get("Content-Security-Policy") != csp {
				t.Errorf("Host %q, GET %s: no CSP", h.host, path)
			}
		}
	}
}

func TestSessionCookie(t *testing.T) {
	u := newTestUI(t)
	for _, tc := range []struct {
		path   string
		signed bool
		want   int
	}{
		{"/", false, http.StatusUnauthorized},
		{"/", true, http.StatusOK},
		{"/events", false, http.StatusUnauthorized},
		{"/post/0123456789ab", false, http.StatusUnauthorized},
		{"/signin", false, http.StatusUnauthorized},
		{"/static/app.js", false, http.StatusOK},
		{"/static/style.css", false, http.StatusOK},
		{"/auth", false, http.StatusOK},
	} {
		res, body := u.do(request{method: "GET", path: tc.path, signed: tc.signed})
		if res.StatusCode != tc.want {
			t.Errorf("GET %s signed=%v: %d, want %d\n%.300s", tc.path, tc.signed, res.StatusCode, tc.want, body)
		}
	}
	// The page without a cookie says how to get in.
	_, body := u.do(request{method: "GET", path: "/"})
	if !strings.Contains(body, "skein ui") {
		t.Errorf("the page without a cookie does not mention skein ui:\n%s", body)
	}
	// A wrong cookie is no cookie.
	req := request{method: "GET", path: "/", header: map[string]string{"Cookie": u.srv.cookieName() + "=" + strings.Repeat("0", 64)}}
	if res, _ := u.do(req); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong cookie: %d, want 401", res.StatusCode)
	}
}

func TestAuthTrade(t *testing.T) {
	u := newTestUI(t)
	res, body := u.do(request{method: "POST", path: "/auth", form: url.Values{"key": {"wrong"}}})
	if res.StatusCode != http.StatusForbidden || len(res.Cookies()) != 0 || !strings.Contains(body, "does not open this web UI") {
		t.Fatalf("wrong key: %d, cookies %v\n%s", res.StatusCode, res.Cookies(), body)
	}
	login := u.srv.LoginURL()
	prefix := fmt.Sprintf("http://%s:%d/auth#", u.srv.HostName(), u.srv.Port())
	key, ok := strings.CutPrefix(login, prefix)
	if !ok || len(key) != 32 || !strings.HasSuffix(u.srv.HostName(), ".localhost") {
		t.Fatalf("LoginURL %q, want %s<32 hex digits>", login, prefix)
	}
	if other := u.srv.LoginURL(); other == login {
		t.Errorf("two LoginURLs give the same key")
	}
	res, _ = u.do(request{method: "POST", path: "/auth", form: url.Values{"key": {key}}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("right key: %d, want 303", res.StatusCode)
	}
	cs := res.Cookies()
	if len(cs) != 1 {
		t.Fatalf("cookies %v", cs)
	}
	c := cs[0]
	if c.Name != u.srv.cookieName() || c.Value != u.srv.session() || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" {
		t.Errorf("cookie %+v", c)
	}
	if strings.Contains(c.Value, key) {
		t.Error("the cookie holds the login key")
	}
	// A key works once.
	if res, _ := u.do(request{method: "POST", path: "/auth", form: url.Values{"key": {key}}}); res.StatusCode != http.StatusForbidden || len(res.Cookies()) != 0 {
		t.Errorf("the key used again: %d, cookies %v", res.StatusCode, res.Cookies())
	}
	// The UI's own host name is allowed; the cookie of another port is not
	// this one's.
	if res, _ := u.do(request{method: "GET", path: "/", host: fmt.Sprintf("%s:%d", u.srv.HostName(), u.srv.Port()), signed: true}); res.StatusCode != http.StatusOK {
		t.Errorf("GET / on the UI's host name: %d", res.StatusCode)
	}
	other := &Server{secret: u.srv.secret, port: u.srv.Port() + 1}
	if other.session() == u.srv.session() {
		t.Error("the session cookie is the same on another port")
	}
}

func TestBack(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/u/bob", "/u/bob"},
		{"/post/abc#reply", "/post/abc#reply"},
		{"", "/"},
		{"https://evil.example/", "/"},
		{"//evil.example/", "/"},
		{"/\\evil.example/", "/"},
		{"/\t/evil.example/x", "/"},
		{"/\n/evil.example", "/"},
		{"/%09/x", "/%09/x"},
	} {
		r := httptestRequest(url.Values{"back": {tc.in}})
		if got := back(r); got != tc.want {
			t.Errorf("back(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// httptestRequest is a POST of form.
func httptestRequest(form url.Values) *http.Request {
	r, _ := http.NewRequest("POST", "/", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestCrossOrigin(t *testing.T) {
	u := newTestUI(t)
	posts := func() int {
		p, err := u.node.Feed(context.Background(), "", 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Posts)
	}
	form := url.Values{"text": {"hello"}}
	for _, tc := range []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"cross-site fetch metadata", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"same-site other port", map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"foreign origin", map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"other local port", map[string]string{"Origin": "http://127.0.0.1:1"}, http.StatusForbidden},
		{"same origin", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
	} {
		before := posts()
		res, body := u.do(request{method: "POST", path: "/post", signed: true, form: form, header: tc.header})
		if res.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d\n%.300s", tc.name, res.StatusCode, tc.want, body)
		}
		if added := posts() - before; (added == 1) != (tc.want == http.StatusSeeOther) {
			t.Errorf("%s: %d posts added", tc.name, added)
		}
	}
	// Actions are POSTs only.
	for _, path := range []string{"/post", "/like", "/follow", "/logout", "/delete"} {
		res, _ := u.do(request{method: "GET", path: path + "?id=x&text=x&name=bob", signed: true})
		if res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET %s: %d, want 405", path, res.StatusCode)
		}
	}
	if n := posts(); n != 1 {
		t.Errorf("%d posts, want 1", n)
	}
}

// hostile is text a peer could post: every piece must render as text.
const hostile = `<script>alert(1)</script> <img src=x onerror=alert(1)> javascript:alert(1) &amp; "quoted" 'single' @bob #tag https://example.com/a?b=1&c=<x>`

func TestHostileTextRendersAsText(t *testing.T) {
	u := newTestUI(t)
	u.node.SetDisplayName("bob", `<b onmouseover=alert(1)>Bob</b>`)
	p := u.node.AddPost("bob", hostile)
	for _, path := range []string{"/", "/post/" + p.ID} {
		body := u.get(path)
		for _, bad := range []string{"<script>alert", "<img src=x", `href="javascript:`, "<b onmouseover", `onerror=alert(1)>`} {
			if strings.Contains(body, bad) {
				t.Errorf("GET %s contains %q", path, bad)
			}
		}
		for _, good := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&amp;amp;", "&lt;b onmouseover=alert(1)&gt;Bob&lt;/b&gt;",
			`<a href="/u/bob">@bob</a>`, `<a href="/search?kind=tag&amp;q=tag">#tag</a>`, `href="https://example.com/a?b=1&amp;c="`} {
			if !strings.Contains(body, good) {
				t.Errorf("GET %s lacks %q", path, good)
			}
		}
	}
}

func TestSegments(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []seg
	}{
		{"plain", []seg{{Text: "plain"}}},
		{"hi @bob!", []seg{{Text: "hi "}, {Text: "@bob", Href: "/u/bob"}, {Text: "!"}}},
		{"mail a@bob.com", []seg{{Text: "mail a@bob.com"}}},
		{"@ab too short", []seg{{Text: "@ab too short"}}},
		{"#Go and #", []seg{{Text: "#Go", Href: "/search?kind=tag&q=go"}, {Text: " and #"}}},
		{"see https://x.org/a.", []seg{{Text: "see "}, {Text: "https://x.org/a", Href: "https://x.org/a", External: true}, {Text: "."}}},
		{"javascript:alert(1)", []seg{{Text: "javascript:alert(1)"}}},
		{"xhttps://x.org", []seg{{Text: "xhttps://x.org"}}},
		{"https://", []seg{{Text: "https://"}}},
	} {
		if got := segments(tc.in); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("segments(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestCompose(t *testing.T) {
	u := newTestUI(t)
	script := map[string]string{"X-Skein": "1"}
	for _, tc := range []struct {
		name string
		text string
		want int
		msg  string
	}{
		{"empty", "  ", http.StatusBadRequest, "empty"},
		{"too long", strings.Repeat("é", core.MaxPostChars+1), http.StatusBadRequest, "limit is 1000"},
		{"at the limit", strings.Repeat("é", core.MaxPostChars), http.StatusOK, "<article"},
	} {
		res, body := u.do(request{method: "POST", path: "/post", signed: true, header: script, form: url.Values{"text": {tc.text}}})
		if res.StatusCode != tc.want || !strings.Contains(body, tc.msg) {
			t.Errorf("%s: %d %.200q, want %d with %q", tc.name, res.StatusCode, body, tc.want, tc.msg)
		}
	}
	// A form sent twice with its request ID posts once.
	form := url.Values{"text": {"once"}, "rid": {"ui-test-1"}}
	for range 2 {
		if res, body := u.do(request{method: "POST", path: "/post", signed: true, header: script, form: form}); res.StatusCode != http.StatusOK {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
	}
	p, err := u.node.Feed(context.Background(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, q := range p.Posts {
		if q.Text == "once" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the form sent twice posted %d times", n)
	}
	// A stale or forged cursor is a clear 400, not a blank page.
	res, body := u.do(request{method: "GET", path: "/?cursor=zzzz", signed: true})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "role=\"alert\"") {
		t.Errorf("bad cursor: %d\n%.300s", res.StatusCode, body)
	}
}

// sse reads Server-Sent Events from the UI.
type sse struct {
	res *http.Response
	r   *bufio.Reader
}

func (u *testUI) stream(ctx context.Context, last string) *sse {
	u.t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", u.base+"/events", nil)
	req.AddCookie(&http.Cookie{Name: u.srv.cookieName(), Value: u.srv.session()})
	if last != "" {
		req.Header.Set("Last-Event-ID", last)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		u.t.Fatalf("GET /events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	u.t.Cleanup(func() { res.Body.Close() })
	return &sse{res: res, r: bufio.NewReader(res.Body)}
}

// next returns the next event (id, name, data), skipping comments and
// events without a name.
func (s *sse) next(t *testing.T) (id, name, data string) {
	t.Helper()
	var lines []string
	for {
		l, err := s.r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the stream: %v", err)
		}
		l = strings.TrimSuffix(l, "\n")
		switch {
		case l == "":
			if name != "" {
				return id, name, strings.Join(lines, "\n")
			}
			lines = nil
		case strings.HasPrefix(l, "id: "):
			id = l[4:]
		case strings.HasPrefix(l, "event: "):
			name = l[7:]
		case strings.HasPrefix(l, "data: "):
			lines = append(lines, l[6:])
		}
	}
}

func TestEventsResume(t *testing.T) {
	u := newTestUI(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Wait until the hub watches the node: a post before that is not seen.
	for u.node.Watchers() == 0 {
		if ctx.Err() != nil {
			t.Fatal("the hub never watched the node")
		}
		time.Sleep(10 * time.Millisecond)
	}
	s := u.stream(ctx, "")
	p1 := u.node.AddPost("bob", "first <live> post")
	id1, name, data := s.next(t)
	if name != "post" || !strings.Contains(data, "first &lt;live&gt; post") || !strings.Contains(data, p1.ID) {
		t.Fatalf("first event %q %q", name, data)
	}
	// A tab that reconnects gets what it missed, in order.
	p2 := u.node.AddPost("bob", "second")
	p3 := u.node.AddPost("bob", "third")
	r := u.stream(ctx, id1)
	for _, want := range []string{p2.ID, p3.ID} {
		if _, name, data := r.next(t); name != "post" || !strings.Contains(data, want) {
			t.Fatalf("resumed: %q %.100q, want the post %s", name, data, want)
		}
	}
	// An ID of another epoch (the daemon restarted) gets reset.
	o := u.stream(ctx, "0000-5")
	if _, name, _ := o.next(t); name != "reset" {
		t.Fatalf("foreign ID: %q, want reset", name)
	}
	// So does one whose events left the ring.
	for range ringSize + 1 {
		u.srv.hub.add(uiEvent{local: "ignore"})
	}
	old := u.stream(ctx, id1)
	if _, name, _ := old.next(t); name != "reset" {
		t.Fatalf("ID before the ring: %q, want reset", name)
	}
	// A deletion is an event with the post's ID. r first reads up to the
	// hub's head (the last ignore, or a reset to it if r fell behind): a
	// reset read after the deletion would skip it.
	head := fmt.Sprintf("%s-%d", u.srv.hub.epoch, u.srv.hub.head())
	for {
		if id, _, _ := r.next(t); id == head {
			break
		}
	}
	if err := u.node.AddDelete("bob", p3.ID); err != nil {
		t.Fatal(err)
	}
	for {
		_, name, data := r.next(t)
		if name == "delete" {
			if data != p3.ID {
				t.Fatalf("delete %q, want %q", data, p3.ID)
			}
			break
		}
	}
}

func TestBadInputPages(t *testing.T) {
	u := newTestUI(t)
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/post/ffffffffffff", http.StatusNotFound},
		{"/nowhere", http.StatusNotFound},
	} {
		res, body := u.do(request{method: "GET", path: tc.path, signed: true})
		if res.StatusCode != tc.want || !strings.Contains(body, `role="alert"`) || !strings.Contains(body, "</html>") {
			t.Errorf("GET %s: %d, want %d and a whole page with the message\n%.300s", tc.path, res.StatusCode, tc.want, body)
		}
	}
	// Signed out: the feed sends the browser to the accounts page.
	if err := u.node.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	res, _ := u.do(request{method: "GET", path: "/", signed: true})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin" {
		t.Errorf("signed out: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res, body := u.do(request{method: "POST", path: "/signin", signed: true, form: url.Values{"name": {"alice"}, "password": {"wrong"}}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "password") {
		t.Errorf("wrong password: %d\n%.300s", res.StatusCode, body)
	}
	res, _ = u.do(request{method: "POST", path: "/signin", signed: true, form: url.Values{"name": {"alice"}, "password": {"pw-alice"}}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Errorf("sign in: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}
