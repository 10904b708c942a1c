package webui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api/apitest"
	"github.com/skein-p2p/skein/core"
)

// hostileText is text a peer could send to make a page run its script.
const hostileText = `<script>alert(1)</script> javascript:alert(1) &amp; "quoted"`

// pagesFixture is a UI over a fake node where alice is signed in, follows
// bob and mallory, and mallory (the attacker) has a hostile profile and
// posts.
type pagesFixture struct {
	node *apitest.Node
	s    *Server
	c    *http.Client
	base string
	post core.Post // alice's post, replied to and liked
}

func newPagesFixture(t *testing.T) *pagesFixture {
	t.Helper()
	ctx := context.Background()
	node := apitest.NewNode(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	for _, n := range []string{"bob", "mallory"} {
		node.AddUser(n)
	}
	node.SetDisplayName("mallory", hostileText)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// carol is an account of this device too, so that she can follow alice.
	_, err := node.Register(ctx, "carol", "pw")
	must(err)
	_, err = node.Register(ctx, "alice", "pw")
	if !errors.Is(err, core.ErrLoggedIn) {
		t.Fatalf("Register while signed in = %v", err)
	}
	must(node.Logout(ctx))
	_, err = node.Register(ctx, "alice", "pw")
	must(err)
	must(node.Logout(ctx))
	_, err = node.Login(ctx, "carol", "pw")
	must(err)
	_, err = node.Follow(ctx, "alice")
	must(err)
	must(node.Logout(ctx))
	_, err = node.Login(ctx, "alice", "pw")
	must(err)
	_, err = node.SetProfile(ctx, "Alice A.", "I write tests.", "https://example.com/alice")
	must(err)
	for _, n := range []string{"bob", "mallory"} {
		_, err = node.Follow(ctx, n)
		must(err)
	}
	node.AddPost("bob", "hello from bob #skein")
	node.AddPost("mallory", hostileText+" https://example.com/ok")
	f := &pagesFixture{node: node}
	f.post, err = node.Post(ctx, "alice's first post")
	must(err)
	_, err = node.AddReply("mallory", f.post.ID, hostileText)
	must(err)
	node.AddPost("mallory", "hey @alice "+hostileText)

	f.s, err = New(pagesNode{node}, Options{})
	must(err)
	f.base, err = f.s.Listen(0)
	must(err)
	f.c = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(func() {
		f.c.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := f.s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown() = %v", err)
		}
		node.Close()
	})
	return f
}

// do sends a request with the session cookie; form, if not nil, makes it
// a POST of that form. It returns the status, the Location header and the
// body.
func (f *pagesFixture) do(t *testing.T, path string, form url.Values, header ...string) (int, string, string) {
	t.Helper()
	method, body := http.MethodGet, io.Reader(nil)
	if form != nil {
		method, body = http.MethodPost, strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, strings.TrimSuffix(f.base, "/")+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	req.AddCookie(&http.Cookie{Name: f.s.cookieName(), Value: f.s.session()})
	res, err := f.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header.Get("Location"), string(b)
}

func (f *pagesFixture) get(t *testing.T, path string) (int, string) {
	t.Helper()
	status, _, body := f.do(t, path, nil)
	return status, body
}

// checkEscaped fails if body holds peer markup unescaped.
func checkEscaped(t *testing.T, body string) {
	t.Helper()
	for _, bad := range []string{"<script>alert", `href="javascript:`, `href='javascript:`} {
		if strings.Contains(body, bad) {
			t.Errorf("the page holds %q unescaped", bad)
		}
	}
}

func TestMorePages(t *testing.T) {
	f := newPagesFixture(t)
	tests := []struct {
		path        string
		status      int
		want        []string
		hostileText bool // the page shows mallory's text: it must be escaped
	}{
		{"/u/alice", 200, []string{"Alice A.", "I write tests.", `href="https://example.com/alice"`,
			"alice&#39;s first post", `href="/following"`, `href="/followers"`, `action="/profile"`,
			`name="display_name"`, `name="bio"`, `name="link"`, "Up to 64 characters", "Up to 300 characters", "up to 200 characters",
			"This is you.", `href="/moderation"`}, false},
		{"/u/mallory", 200, []string{"@mallory", `action="/unfollow"`, `action="/mute"`, `action="/block"`, `role="feed"`,
			`<p class="bio">&lt;script&gt;`, `<p class="link">javascript:alert(1)</p>`}, true},
		{"/u/@bob", 303, nil, false},
		{"/u/nobody", 404, []string{"There is no user @nobody"}, false},
		{"/following", 200, []string{"@bob", "@mallory", "<progress", "Holds entries 1 to", `action="/unfollow"`, "&lt;script&gt;"}, true},
		{"/followers", 200, []string{"@carol", `action="/follow"`}, false},
		{"/notifications", 200, []string{`id="notifications"`, "data-unread", "replied to your post", "mentioned you", "followed you", `class="new"`, "&lt;script&gt;"}, true},
		{"/search", 200, []string{`id="q"`, `name="q"`, `for="q"`, `value="users"`}, false},
		{"/search?q=bob&kind=users", 200, []string{"@bob", `action="/unfollow"`}, false},
		{"/search?q=car", 200, []string{"@carol", `action="/follow"`}, false},
		{"/search?q=skein&kind=tag", 200, []string{"hello from bob"}, false},
		{"/search?q=script&kind=posts", 200, []string{"&lt;script&gt;"}, true},
		{"/search?q=x&kind=nonsense", 400, []string{`id="q"`, "This search cannot be made", `role="alert"`}, false},
		{"/bookmarks", 200, []string{"No bookmarks yet"}, false},
		{"/moderation", 200, []string{`action="/mute"`, `formaction="/block"`, "You muted nobody.", "You blocked nobody."}, false},
		{"/status", 200, []string{"12D3KooWFake", `action="/power"`, `action="/network"`, `value="background"`, "12D3KooWPee", "relayed", "Followed logs", "<progress", `href="/holders"`}, false},
		{"/holders", 200, []string{"@carol</a>'s device", "12D3KooWDeviceOfcarol", "connected now"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			status, body := f.get(t, tt.path)
			if status != tt.status {
				t.Fatalf("GET %s = %d, want %d\n%s", tt.path, status, tt.status, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s: the page lacks %q", tt.path, w)
				}
			}
			checkEscaped(t, body)
			if tt.hostileText && (!strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") || !strings.Contains(body, "&amp;amp;")) {
				t.Errorf("GET %s: mallory's text is not shown escaped, as text", tt.path)
			}
		})
	}
}

// TestMorePagesNotificationsRead checks that showing the notifications
// leaves them unread, and that POST /notifications/read marks them read,
// for the script (204) and for a plain form (a redirect back).
func TestMorePagesNotificationsRead(t *testing.T) {
	f := newPagesFixture(t)
	unread := func() int {
		st, err := f.node.Status(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return st.Unread
	}
	if n := unread(); n == 0 {
		t.Fatal("the fixture has no unread notification")
	}
	_, page := f.get(t, "/notifications")
	if n := unread(); n == 0 {
		t.Fatal("GET /notifications marked the notifications read")
	}
	m := regexp.MustCompile(`data-newest="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the page does not name its newest notification")
	}
	// A notification the page did not show: nothing is marked read.
	status, _, _ := f.do(t, "/notifications/read", url.Values{"newest": {"not-the-newest"}}, "X-Skein", "1")
	if n := unread(); status != http.StatusNoContent || n == 0 {
		t.Errorf("POST /notifications/read for an older page = %d, %d unread; want 204 and nothing marked", status, n)
	}
	status, _, _ = f.do(t, "/notifications/read", url.Values{"newest": {m[1]}}, "X-Skein", "1")
	if status != http.StatusNoContent {
		t.Errorf("POST /notifications/read from the script = %d, want 204", status)
	}
	if n := unread(); n != 0 {
		t.Errorf("after POST /notifications/read, %d unread, want 0", n)
	}
	_, body := f.get(t, "/notifications")
	if strings.Contains(body, "data-unread") || strings.Contains(body, `class="new"`) {
		t.Error("the notifications page still marks notifications unread")
	}
	status, loc, _ := f.do(t, "/notifications/read", url.Values{"back": {"/notifications"}})
	if status != http.StatusSeeOther || loc != "/notifications" {
		t.Errorf("POST /notifications/read from a form = %d to %q, want 303 to /notifications", status, loc)
	}
}

func TestMorePagesSettings(t *testing.T) {
	f := newPagesFixture(t)
	status, loc, _ := f.do(t, "/power", url.Values{"mode": {"background"}, "back": {"/status"}})
	if status != http.StatusSeeOther || loc != "/status" {
		t.Errorf("POST /power = %d to %q, want 303 to /status", status, loc)
	}
	status, _, _ = f.do(t, "/network", url.Values{"type": {"cellular"}}, "X-Skein", "1")
	if status != http.StatusNoContent {
		t.Errorf("POST /network from the script = %d, want 204", status)
	}
	st, err := f.node.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Power != core.PowerBackground || st.Network != core.NetworkCellular {
		t.Errorf("Status() = %v, %v; want background, cellular", st.Power, st.Network)
	}
	_, body := f.get(t, "/status")
	for _, w := range []string{`<option value="background" selected>`, `<option value="cellular" selected>`} {
		if !strings.Contains(body, w) {
			t.Errorf("the status page lacks %q", w)
		}
	}
	for _, tt := range []struct{ path, field, value string }{
		{"/power", "mode", "turbo"},
		{"/network", "type", "<script>"},
	} {
		status, _, body := f.do(t, tt.path, url.Values{tt.field: {tt.value}})
		if status != http.StatusBadRequest {
			t.Errorf("POST %s %s=%s = %d, want 400", tt.path, tt.field, tt.value, status)
		}
		checkEscaped(t, body)
	}
}

// TestMorePagesProfileLinks checks that a profile link is a link only when
// it is an http(s) URL: core refuses other links, but a peer's profile
// comes from the network.
func TestMorePagesProfileLinks(t *testing.T) {
	for _, tt := range []struct {
		link, want string
	}{
		{"https://example.com/a?b=c", "https://example.com/a?b=c"},
		{"http://example.com", "http://example.com"},
		{"HTTPS://example.com", "HTTPS://example.com"},
		{"javascript:alert(1)", ""},
		{"JavaScript://example.com/%0aalert(1)", ""},
		{"data:text/html,<script>alert(1)</script>", ""},
		{"//example.com", ""},
		{"https://", ""},
		{"https://example.com/ x", ""},
		{"", ""},
	} {
		if got := safeLink(tt.link); got != tt.want {
			t.Errorf("safeLink(%q) = %q, want %q", tt.link, got, tt.want)
		}
	}
}

func TestMorePagesPaging(t *testing.T) {
	f := newPagesFixture(t)
	for i := range feedPageSize + 5 {
		f.node.AddPost("bob", "bob's post "+itoa(i))
	}
	_, body := f.get(t, "/u/bob")
	if !strings.Contains(body, `data-more`) || !strings.Contains(body, `href="/u/bob?cursor=`) {
		t.Fatalf("the profile has no Load more link to its next page")
	}
	i := strings.Index(body, `href="/u/bob?cursor=`) + len(`href="`)
	next := body[i : i+strings.IndexByte(body[i:], '"')]
	next = strings.ReplaceAll(next, "&amp;", "&")
	status, _, frag := f.do(t, next, nil, "X-Skein", "1")
	if status != http.StatusOK {
		t.Fatalf("GET %s from the script = %d", next, status)
	}
	if strings.Contains(frag, "<html") || !strings.Contains(frag, "bob&#39;s post 0") {
		t.Errorf("GET %s from the script is not the next page's fragment:\n%s", next, frag)
	}
	if !strings.Contains(frag, `aria-posinset="`+itoa(feedPageSize+1)+`"`) {
		t.Errorf("the next page does not number its posts from %d", feedPageSize+1)
	}

	// Bookmarks page the same way.
	ctx := context.Background()
	page, err := f.node.Timeline(ctx, "bob", "", feedPageSize+5)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range page.Posts {
		if _, err := f.node.Bookmark(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	_, body = f.get(t, "/bookmarks")
	if !strings.Contains(body, `href="/bookmarks?cursor=`) || !strings.Contains(body, `aria-pressed="true">Bookmark`) {
		t.Errorf("the bookmarks page lacks its bookmarks or its next page's link")
	}
}

// pagesNode is the fake with two changes: mallory's profile has a hostile
// bio and link (which core's SetProfile would refuse, but a profile from
// the network is only what its author signed), and the timelines of the
// users the account blocked are refused, as core does.
type pagesNode struct{ *apitest.Node }

// hostileLink is mallory's profile link.
const hostileLink = "javascript:alert(1)"

func (n pagesNode) Whois(ctx context.Context, name string) (core.Profile, error) {
	p, err := n.Node.Whois(ctx, name)
	if name == "mallory" {
		p.Bio, p.Link = hostileText, hostileLink
	}
	return p, err
}

func (n pagesNode) Timeline(ctx context.Context, name, cursor string, limit int) (core.Page, error) {
	bs, err := n.Blocked(ctx)
	if err != nil {
		return core.Page{}, err
	}
	for _, b := range bs {
		if b.Name == name {
			return core.Page{}, fmt.Errorf("%w: %s", core.ErrBlocked, name)
		}
	}
	return n.Node.Timeline(ctx, name, cursor, limit)
}

func TestMorePagesModeration(t *testing.T) {
	f := newPagesFixture(t)
	status, loc, _ := f.do(t, "/mute", url.Values{"name": {"bob"}, "back": {"/moderation"}})
	if status != http.StatusSeeOther || loc != "/moderation" {
		t.Fatalf("POST /mute = %d to %q", status, loc)
	}
	if status, _, _ := f.do(t, "/block", url.Values{"name": {"mallory"}, "back": {"/moderation"}}); status != http.StatusSeeOther {
		t.Fatalf("POST /block = %d", status)
	}
	_, body := f.get(t, "/moderation")
	for _, w := range []string{"@bob", `action="/unmute"`, "@mallory", `action="/unblock"`} {
		if !strings.Contains(body, w) {
			t.Errorf("the moderation page lacks %q", w)
		}
	}
	checkEscaped(t, body)
	status, body = f.get(t, "/u/mallory")
	if status != http.StatusOK || !strings.Contains(body, "You blocked @mallory") {
		t.Errorf("a blocked user's profile = %d without the block's note", status)
	}
}

func TestMorePagesSignedOut(t *testing.T) {
	f := newPagesFixture(t)
	if err := f.node.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/u/bob", "/following", "/followers", "/notifications", "/search?q=x", "/bookmarks", "/moderation"} {
		status, loc, _ := f.do(t, p, nil)
		if status != http.StatusSeeOther || loc != "/signin" {
			t.Errorf("GET %s signed out = %d to %q, want 303 to /signin", p, status, loc)
		}
	}
	if status, _ := f.get(t, "/status"); status != http.StatusOK {
		t.Errorf("GET /status signed out = %d, want 200", status)
	}
}

// TestMorePagesNotificationsOnce checks that a post two notifications are
// about is shown once, so that the page's element IDs stay unique.
func TestMorePagesNotificationsOnce(t *testing.T) {
	f := newPagesFixture(t)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.node.Logout(ctx))
	for _, n := range []string{"carol", "dave"} {
		if n == "dave" {
			_, err := f.node.Register(ctx, n, "pw")
			must(err)
		} else {
			_, err := f.node.Login(ctx, n, "pw")
			must(err)
		}
		_, err := f.node.Like(ctx, f.post.ID)
		must(err)
		must(f.node.Logout(ctx))
	}
	_, err := f.node.Login(ctx, "alice", "pw")
	must(err)
	_, body := f.get(t, "/notifications")
	if n := strings.Count(body, `id="p-`+f.post.ID+`"`); n != 1 {
		t.Errorf("the liked post is shown %d times, want 1", n)
	}
	if n := strings.Count(body, "liked your post"); n != 2 {
		t.Errorf("%d like notifications shown, want 2", n)
	}
	if !strings.Contains(body, `href="/post/`+f.post.ID+`">the post shown above</a>`) {
		t.Error("the second like does not link to the post shown above")
	}
}
