package webui

// The messaging pages and actions against the API's fake (apitest): alice
// is signed in; bob and mallory are users of other devices, and mallory
// names things to make a page run her script.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core"
)

// hostileName is a group name a peer could choose to make a page run its
// script.
const hostileName = `<script>alert(2)</script>`

// chatUI is the test UI with mallory added.
func chatUI(t *testing.T) *testUI {
	t.Helper()
	u := newTestUI(t)
	u.node.AddUser("mallory")
	return u
}

// post sends form to path, from the page's script if script, and returns
// the status, the Location and the body.
func (u *testUI) post(path string, form url.Values, script bool) (int, string, string) {
	u.t.Helper()
	r := request{method: "POST", path: path, signed: true, form: form}
	if script {
		r.header = map[string]string{"X-Skein": "1"}
	}
	res, body := u.do(r)
	return res.StatusCode, res.Header.Get("Location"), body
}

// ok returns v, failing the test on err.
func ok[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// convOf returns alice's conversation ref.
func (u *testUI) convOf(ref string) core.Conversation {
	u.t.Helper()
	c, err := u.node.Conversation(context.Background(), ref)
	if err != nil {
		u.t.Fatal(err)
	}
	return c
}

// count is how many times re matches s.
func count(s, re string) int { return len(regexp.MustCompile(re).FindAllStringIndex(s, -1)) }

func TestChatList(t *testing.T) {
	u := chatUI(t)
	dm := ok[core.Message](t)(u.node.AddDM("mallory", "alice", "hi "+hostileText))
	g := ok[core.Conversation](t)(u.node.AddGroup("mallory", hostileName, false))
	if err := u.node.AddInvite("mallory", g.ID, "alice", false); err != nil {
		t.Fatal(err)
	}
	body := u.get("/messages")
	checkEscaped(t, body)
	for _, want := range []string{
		`id="c-` + dm.Conversation + `"`, // the DM's row
		`<span class="cname">@mallory</span>`,
		`<span class="conv-n">1</span>`,                               // its unread count
		`<p class="preview">hi &lt;script&gt;alert(1)&lt;/script&gt;`, // the preview, as text
		`&lt;script&gt;alert(2)&lt;/script&gt;`,                       // the group's name, as text
		`action="/messages/join"`,                                     // Accept
		`id="msg-badge"><span id="msg-badge-n">2</span>`,              // 1 unread + 1 invitation
		`action="/messages/dm"`, `action="/messages/group"`,
		`name="history_joined"`, `name="public"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/messages lacks %s", want)
		}
	}
	if !strings.Contains(body, `<h3 id="invites-title">Invitations</h3>`) {
		t.Error("/messages does not list the invitation apart")
	}
	// The badge's number, for a tab catching up, is the same.
	if got := u.get("/messages/badge"); got != "2" {
		t.Errorf("/messages/badge = %q, want 2", got)
	}
	// Every page's nav has it.
	if body := u.get("/"); !strings.Contains(body, `<span id="msg-badge-n">2</span>`) {
		t.Error("the feed's nav lacks the Messages badge")
	}
	// Accepting opens the group.
	status, loc, _ := u.post("/messages/join", url.Values{"group": {g.ID}, "back": {"/messages"}}, false)
	if status != http.StatusSeeOther || loc != "/messages/"+g.ID {
		t.Fatalf("Accept: %d %q", status, loc)
	}
	if c := u.convOf(g.ID); c.Role != "member" {
		t.Errorf("after Accept alice is %q", c.Role)
	}
}

func TestChatView(t *testing.T) {
	u := chatUI(t)
	ok[core.Message](t)(u.node.AddDM("mallory", "alice", hostileText+" see https://example.com/x and @bob #tag"))
	own := ok[core.Message](t)(u.node.SendDM(context.Background(), "mallory", "my answer"))
	ok[core.Message](t)(u.node.AddDM("mallory", "alice", "third"))
	body := u.get("/messages/" + own.Conversation)
	checkEscaped(t, body)
	i1, i2, i3 := strings.Index(body, "alert(1)"), strings.Index(body, "my answer"), strings.Index(body, ">third<")
	if i1 < 0 || i2 < 0 || i3 < 0 || !(i1 < i2 && i2 < i3) {
		t.Errorf("the history is not oldest first: %d %d %d", i1, i2, i3)
	}
	for _, want := range []string{
		`data-conv="` + own.Conversation + `"`,
		`class="msg mine" id="m-` + own.ID + `"`,
		`<a href="https://example.com/x" rel="nofollow noopener noreferrer" target="_blank">`,
		`<a href="/u/bob">@bob</a>`,
		`<a href="/search?kind=tag&amp;q=tag">#tag</a>`,
		`data-max="4000" data-enter`,
		`<input type="hidden" name="conv" value="` + own.Conversation + `">`,
		`<input type="hidden" name="back" value="/messages/` + own.Conversation + `">`,
		`aria-current="page">Messages`,
		`data-unread`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the chat view lacks %s", want)
		}
	}
	if strings.Contains(body, `id="members"`) || strings.Contains(body, `name="to"`) {
		t.Error("a DM shows a members panel, or names its peer to send (a started DM sends by ID)")
	}
	// A conversation opened by a username, and one not started yet (the
	// profile's Message button).
	if body := u.get("/messages/@mallory"); !strings.Contains(body, `id="m-`+own.ID+`"`) {
		t.Error("/messages/@mallory does not show the DM")
	}
	body = u.get("/messages/@bob")
	if !strings.Contains(body, `No messages yet.`) || !strings.Contains(body, `name="to" value="bob"`) {
		t.Errorf("the DM not started with bob: %s", body)
	}
	if body := u.get("/u/bob"); !strings.Contains(body, `href="/messages/@bob"`) {
		t.Error("bob's profile has no Message button")
	}
	if body := u.get("/u/alice"); strings.Contains(body, `id="message-user"`) {
		t.Error("one's own profile has a Message button")
	}
	// Unknown conversations are 404.
	res, _ := u.do(request{method: "GET", path: "/messages/nobody_here", signed: true})
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown conversation: %d", res.StatusCode)
	}
}

func TestChatSend(t *testing.T) {
	u := chatUI(t)
	// The first message to bob, from a page whose DM is not started.
	status, loc, _ := u.post("/messages/send", url.Values{"to": {"bob"}, "conv": {"x"}, "text": {"hello\r\nbob"}, "back": {"/messages/@bob"}}, false)
	if status != http.StatusSeeOther || loc != "/messages/@bob" {
		t.Fatalf("send without the script: %d %q", status, loc)
	}
	c := u.convOf("bob")
	p := ok[core.MessagePage](t)(u.node.Messages(context.Background(), c.ID, "", 10))
	if len(p.Messages) != 1 || p.Messages[0].Text != "hello\nbob" {
		t.Fatalf("bob's DM holds %+v", p.Messages)
	}
	// From the script: the message's row.
	status, _, body := u.post("/messages/send", url.Values{"conv": {c.ID}, "text": {"<b>two</b>"}}, true)
	if status != http.StatusOK || !strings.Contains(body, `class="msg mine"`) || !strings.Contains(body, "&lt;b&gt;two&lt;/b&gt;") {
		t.Fatalf("send from the script: %d %s", status, body)
	}
	for _, tc := range []struct {
		text string
		want int
	}{
		{"", http.StatusBadRequest},
		{"   \n", http.StatusBadRequest},
		{strings.Repeat("é", 4001), http.StatusBadRequest},
		{strings.Repeat("é", 4000), http.StatusOK},
	} {
		status, _, body := u.post("/messages/send", url.Values{"conv": {c.ID}, "text": {tc.text}}, true)
		if status != tc.want {
			t.Errorf("send %d characters: %d %s, want %d", len([]rune(tc.text)), status, body, tc.want)
		}
	}
	// Not a member: the node's refusal, as the API gives it.
	g := ok[core.Conversation](t)(u.node.AddGroup("bob", "bob's", false))
	if status, _, _ := u.post("/messages/send", url.Values{"conv": {g.ID}, "text": {"hi"}}, true); status != http.StatusNotFound && status != http.StatusForbidden {
		t.Errorf("send to a group alice is not in: %d", status)
	}
	// The list's New message form opens the conversation.
	status, loc, _ = u.post("/messages/dm", url.Values{"name": {"@mallory"}, "text": {"hi"}}, false)
	if status != http.StatusSeeOther || loc != "/messages/"+u.convOf("mallory").ID {
		t.Errorf("New message: %d %q", status, loc)
	}
	if status, _, _ := u.post("/messages/dm", url.Values{"name": {"nobody_here"}, "text": {"hi"}}, false); status != http.StatusNotFound {
		t.Errorf("New message to nobody: %d", status)
	}
	if status, _, _ := u.post("/messages/dm", url.Values{"name": {""}, "text": {"hi"}}, false); status != http.StatusBadRequest {
		t.Errorf("New message without a name: %d", status)
	}
	// A GET of an action is refused.
	if res, _ := u.do(request{method: "GET", path: "/messages/send", signed: true}); res.StatusCode == http.StatusOK {
		t.Error("GET /messages/send answered 200")
	}
}

func TestChatGroups(t *testing.T) {
	u := chatUI(t)
	u.node.AddUser("carol")
	status, loc, _ := u.post("/messages/group", url.Values{"name": {hostileName}, "public": {"1"}, "history_joined": {"1"}}, false)
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/messages/") {
		t.Fatalf("New group: %d %q", status, loc)
	}
	id := strings.TrimPrefix(loc, "/messages/")
	c := u.convOf(id)
	if !c.Public || c.HistoryShared || c.Role != "admin" || c.Name != hostileName {
		t.Fatalf("the new group: %+v", c)
	}
	back := "/messages/" + id
	for _, name := range []string{"bob", "@carol"} {
		status, loc, _ = u.post("/messages/invite", url.Values{"group": {id}, "name": {name}, "back": {back}}, false)
		if status != http.StatusSeeOther || loc != back {
			t.Fatalf("Invite %s: %d %q", name, status, loc)
		}
	}
	if err := u.node.AddJoin("bob", id); err != nil {
		t.Fatal(err)
	}
	body := u.get(back)
	checkEscaped(t, body)
	for _, want := range []string{
		`id="members"`, `<a href="/u/bob">@bob</a>`, `<span class="role role-member">Member</span>`,
		`<span class="role role-invited">Invited</span>`, `<span class="role role-admin">Admin</span>`,
		`action="/messages/role"`, `action="/messages/remove"`, `id="invite-form"`,
		`<summary>Leave the group…</summary>`, `Leave &lt;script&gt;alert(2)&lt;/script&gt;`,
		`&lt;script&gt;alert(2)&lt;/script&gt;</h2>`,
		`alice invited bob`, // an event row
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the group's page lacks %s", want)
		}
	}
	if !strings.Contains(body, `name="back" value="/messages/`+id+`?members=1#members"`) || strings.Contains(body, `id="members" open`) {
		t.Error("the panel's forms do not come back to it open, or it shows open at first")
	}
	if body := u.get(back + "?members=1"); !strings.Contains(body, `<details class="card members" id="members" open>`) {
		t.Error("the panel is closed after one of its forms")
	}
	if n := count(body, `action="/messages/remove"`); n != 1 {
		t.Errorf("%d Remove buttons, want 1 (bob: not alice, not carol the invitee)", n)
	}
	if !strings.Contains(body, `class="msg event ev-joined"`) {
		t.Error("bob's join is not an event row")
	}
	// The panel alone, for a page whose group changed.
	res, panel := u.do(request{method: "GET", path: back + "/members", signed: true, header: map[string]string{"X-Skein": "1"}})
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(panel, `<details class="card members" id="members">`) {
		t.Errorf("the members panel: %d %.80s", res.StatusCode, panel)
	}
	if res, _ := u.do(request{method: "GET", path: back + "/members", signed: true}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != back+"?members=1#members" {
		t.Errorf("the panel's address without the script: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	// Make admin, make member, remove.
	roleOf := func(name string) string {
		for _, m := range ok[[]core.Member](t)(u.node.Members(context.Background(), id)) {
			if m.Name == name {
				return m.Role
			}
		}
		return ""
	}
	for _, tc := range []struct{ path, role, want string }{
		{"/messages/role", "admin", "admin"},
		{"/messages/role", "member", "member"},
		{"/messages/remove", "", ""},
	} {
		status, loc, body := u.post(tc.path, url.Values{"group": {id}, "name": {"bob"}, "role": {tc.role}, "back": {back}}, false)
		if status != http.StatusSeeOther || loc != back {
			t.Fatalf("%s %s: %d %q %s", tc.path, tc.role, status, loc, body)
		}
		if got := roleOf("bob"); got != tc.want {
			t.Errorf("after %s %s bob is %q", tc.path, tc.role, got)
		}
	}
	if status, _, _ := u.post("/messages/role", url.Values{"group": {id}, "name": {"bob"}, "role": {"owner"}}, false); status != http.StatusBadRequest {
		t.Errorf("role owner: %d", status)
	}
	// A member sees the members but no admin's buttons.
	g := ok[core.Conversation](t)(u.node.AddGroup("bob", "bob's group", false))
	if err := u.node.AddInvite("bob", g.ID, "alice", false); err != nil {
		t.Fatal(err)
	}
	if _, err := u.node.Join(context.Background(), g.ID); err != nil {
		t.Fatal(err)
	}
	body = u.get("/messages/" + g.ID)
	if strings.Contains(body, `id="invite-form"`) || strings.Contains(body, `action="/messages/remove"`) || !strings.Contains(body, `action="/messages/leave"`) {
		t.Error("a member's panel shows an admin's forms, or no Leave")
	}
	// A member cannot remove: the node says so.
	if status, _, _ := u.post("/messages/remove", url.Values{"group": {g.ID}, "name": {"bob"}}, false); status != http.StatusForbidden {
		t.Errorf("a member's Remove: %d", status)
	}
	// Leave goes back to the list.
	status, loc, _ = u.post("/messages/leave", url.Values{"group": {g.ID}, "back": {"/messages"}}, false)
	if status != http.StatusSeeOther || loc != "/messages" {
		t.Fatalf("Leave: %d %q", status, loc)
	}
	if c := u.convOf(g.ID); c.Role == "member" || c.Role == "admin" {
		t.Errorf("after Leave alice is %q", c.Role)
	}
}

func TestChatSearch(t *testing.T) {
	u := chatUI(t)
	g := ok[core.Conversation](t)(u.node.AddGroup("mallory", "go "+hostileName, true))
	ok[core.Conversation](t)(u.node.AddGroup("bob", "go private", false))
	body := u.get("/messages/search?q=GO")
	checkEscaped(t, body)
	if !strings.Contains(body, `<span class="cname">go &lt;script&gt;alert(2)&lt;/script&gt;</span>`) || strings.Contains(body, "go private") {
		t.Errorf("the search shows: %s", body)
	}
	if !strings.Contains(body, `value="/messages/search?q=GO"`) || !strings.Contains(body, `value="`+g.ID+`"`) {
		t.Error("the Join form lacks its group or its way back")
	}
	status, loc, _ := u.post("/messages/join", url.Values{"group": {g.ID}}, false)
	if status != http.StatusSeeOther || loc != "/messages/"+g.ID {
		t.Fatalf("Join: %d %q", status, loc)
	}
	if body := u.get("/messages/search?q=go"); !strings.Contains(body, `href="/messages/`+g.ID+`"`) {
		t.Error("a joined group has no Open link")
	}
	// The account's own messages, searched too.
	m := ok[core.Message](t)(u.node.AddMessage("mallory", g.ID, "let's GO now "+hostileText))
	body = u.get("/messages/search?q=go+now")
	checkEscaped(t, body)
	if !strings.Contains(body, `<a href="/messages/`+m.Conversation+`">open the conversation</a>`) || !strings.Contains(body, "let&#39;s GO now &lt;script&gt;") {
		t.Errorf("the message search shows: %s", body)
	}
	// No query: only the form. A bad one: the node's message.
	if body := u.get("/messages/search"); strings.Contains(body, "No public group") {
		t.Error("an empty search searched")
	}
	res, body := u.do(request{method: "GET", path: "/messages/search?q=" + strings.Repeat("x", 101), signed: true})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `role="alert"`) {
		t.Errorf("a long query: %d", res.StatusCode)
	}
}

func TestChatPaging(t *testing.T) {
	u := chatUI(t)
	for i := range 120 {
		ok[core.Message](t)(u.node.AddDM("bob", "alice", fmt.Sprintf("message number %03d", i)))
	}
	c := u.convOf("bob")
	body := u.get("/messages/" + c.ID)
	if n := count(body, `class="msg"`); n != msgPageSize {
		t.Errorf("the first page shows %d messages, want %d", n, msgPageSize)
	}
	if !strings.Contains(body, "message number 119") || strings.Contains(body, "message number 069") {
		t.Error("the first page is not the newest")
	}
	m := regexp.MustCompile(`href="(/messages/[0-9a-f]+\?cursor=[^"]+)" data-older`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no Load older link")
	}
	older := strings.ReplaceAll(m[1], "&amp;", "&")
	res, frag := u.do(request{method: "GET", path: older, signed: true, header: map[string]string{"X-Skein": "1"}})
	if res.StatusCode != http.StatusOK || strings.Contains(frag, "<html") {
		t.Fatalf("the older page for the script: %d", res.StatusCode)
	}
	if n := count(frag, `class="msg"`); n != msgPageSize || !strings.Contains(frag, "message number 069") || !strings.Contains(frag, "data-older") {
		t.Errorf("the older page: %d messages", n)
	}
	if i, j := strings.Index(frag, "number 020"), strings.Index(frag, "number 069"); i < 0 || j < i {
		t.Error("the older page is not oldest first")
	}
	// Without the script, the older page is a page, with a way back.
	page := u.get(older)
	if !strings.Contains(page, "Back to the newest messages") || strings.Contains(page, "data-live") {
		t.Error("an older page lacks its way back, or takes live messages")
	}
	if res, _ := u.do(request{method: "GET", path: "/messages/" + c.ID + "?cursor=bogus", signed: true}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad cursor: %d", res.StatusCode)
	}
}

func TestChatMarkRead(t *testing.T) {
	u := chatUI(t)
	m := ok[core.Message](t)(u.node.AddDM("bob", "alice", "unread"))
	if c := u.convOf(m.Conversation); c.Unread != 1 {
		t.Fatalf("unread = %d", c.Unread)
	}
	// Showing the page changes nothing (no state change on GET)…
	u.get("/messages/" + m.Conversation)
	if c := u.convOf(m.Conversation); c.Unread != 1 {
		t.Fatalf("after GET unread = %d", c.Unread)
	}
	// …the page's script marks it read.
	if status, _, _ := u.post("/messages/read", url.Values{"conv": {m.Conversation}}, true); status != http.StatusNoContent {
		t.Fatalf("read: %d", status)
	}
	if c := u.convOf(m.Conversation); c.Unread != 0 {
		t.Errorf("after read unread = %d", c.Unread)
	}
	if got := u.get("/messages/badge"); got != "0" {
		t.Errorf("badge %q", got)
	}
}

// TestChatRows renders each kind of row: a gap's and a change's rows are
// told apart from messages, and every peer string is text.
func TestChatRows(t *testing.T) {
	u := chatUI(t)
	now := time.Now()
	for _, tc := range []struct {
		m    core.Message
		want []string
	}{
		{core.Message{ID: "aa", Author: "mallory", Event: "gap", Missing: 3, Time: now},
			[]string{`class="msg gap"`, "3 messages from @mallory missing"}},
		{core.Message{ID: "bb", AuthorKey: "0123456789abcdef0123", Event: "gap", Missing: 1, Time: now},
			[]string{"1 message from 0123456789ab missing: it takes its place"}},
		{core.Message{ID: "cc", Author: "mallory", Event: "removed", Text: "@mallory removed " + hostileName, Time: now},
			[]string{`class="msg event ev-removed"`, "@mallory removed &lt;script&gt;alert(2)&lt;/script&gt;"}},
		{core.Message{ID: "dd", Author: "mallory", Text: hostileText, Time: now},
			[]string{`class="msg"`, `<a href="/u/mallory">@mallory</a>`, "&lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(1)"}},
		{core.Message{ID: "ee", Author: "alice", Mine: true, Text: "mine", Time: now},
			[]string{`class="msg mine"`, `<span class="sr-only">You</span>`}},
		// An author whose name the node does not know: as the node names it, no link.
		{core.Message{ID: "ff", Author: "@0123456789ab", Text: "who?", Time: now},
			[]string{`<p class="msg-by">@0123456789ab <time`}},
		{core.Message{ID: "ab", Author: "@0123456789ab", Event: "gap", Missing: 2, Time: now},
			[]string{"2 messages from @0123456789ab missing"}},
	} {
		out, err := u.srv.views.fragment("msgrow", newMsgView(tc.m))
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		out.writeTo(&b)
		checkEscaped(t, b.String())
		for _, w := range tc.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s's row lacks %s:\n%s", tc.m.ID, w, b.String())
			}
		}
	}
}

func TestChatEvents(t *testing.T) {
	u := chatUI(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for u.node.Watchers() == 0 {
		if ctx.Err() != nil {
			t.Fatal("the hub never watched the node")
		}
		time.Sleep(10 * time.Millisecond)
	}
	s := u.stream(ctx, "")
	next := func(want string) string {
		t.Helper()
		for {
			_, name, data := s.next(t)
			if name == want {
				return data
			}
			if name != "ignore" && name != "peers" {
				t.Fatalf("event %q (%.200s), want %q", name, data, want)
			}
		}
	}
	m := ok[core.Message](t)(u.node.AddDM("mallory", "alice", hostileText))
	data := next("chat")
	checkEscaped(t, data)
	for _, want := range []string{
		`data-conv="` + m.Conversation + `" data-total="1"`,
		`id="c-` + m.Conversation + `"`, `id="m-` + m.ID + `"`,
		`New message from @mallory: &lt;script&gt;`,
	} {
		if !strings.Contains(data, want) {
			t.Errorf("the chat event lacks %s:\n%s", want, data)
		}
	}
	g := ok[core.Conversation](t)(u.node.AddGroup("mallory", hostileName, false))
	if err := u.node.AddInvite("mallory", g.ID, "alice", false); err != nil {
		t.Fatal(err)
	}
	data = next("invite")
	checkEscaped(t, data)
	if !strings.Contains(data, `class="conv invite"`) || !strings.Contains(data, `data-total="2"`) || !strings.Contains(data, "invited to the group &lt;script&gt;") {
		t.Errorf("the invite event: %s", data)
	}
	if _, err := u.node.Join(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	// alice's own join: a change row, then the members.
	next("chat")
	data = next("members")
	if !strings.Contains(data, `data-conv="`+g.ID+`"`) {
		t.Errorf("the members event: %s", data)
	}
}

// TestChatUnknownNames: a DM or a member whose name the node does not know
// ("@" and a short key) is named as the node gives it, links nowhere, and
// gets no admin's buttons (the API names members by username).
func TestChatUnknownNames(t *testing.T) {
	u := chatUI(t)
	v := newConvView(core.Conversation{ID: "aa", DM: true, Name: "@0123456789ab"})
	if v.Label() != "@0123456789ab" || v.Named() {
		t.Errorf("an unknown DM peer: %q named %v", v.Label(), v.Named())
	}
	if v := newConvView(core.Conversation{ID: "aa", DM: true, Name: "bob"}); v.Label() != "@bob" || !v.Named() {
		t.Errorf("bob: %q named %v", v.Label(), v.Named())
	}
	panel := &membersView{ID: "g", Name: "g", Admin: true, Member: true, Back: "/messages/g", Members: []memberView{
		{Member: core.Member{Name: "alice", Role: "admin", Me: true}, Named: true},
		{Member: core.Member{Name: "@0123456789ab", Role: "member"}, Named: named("@0123456789ab")},
	}}
	out, err := u.srv.views.fragment("members", panel)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	out.writeTo(&b)
	if s := b.String(); !strings.Contains(s, `<span class="mname">@0123456789ab</span>`) || strings.Contains(s, `action="/messages/remove"`) || strings.Contains(s, `/u/@`) {
		t.Errorf("the panel with an unknown member:\n%s", s)
	}
}
