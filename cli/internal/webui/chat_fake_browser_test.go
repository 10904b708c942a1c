package webui

// The messaging pages in a real browser over the API's fake (apitest):
// every state is set up at once and messages from other devices are
// injected as the network would deliver them, so these cases test the
// pages alone; chat_browser_test.go runs the same flows between real
// daemons.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/cli/internal/api/apitest"
	"github.com/skein-p2p/skein/core"
)

// fakeDaemon serves a UI over a fake node where alice is signed in, and
// bob and mallory are users of other devices. The returned daemon has no
// core node: use it only with a tab's signIn, open and url.
func fakeDaemon(t *testing.T) (*daemon, *apitest.Node) {
	t.Helper()
	return fakeDaemonOf(t, func(n *apitest.Node) api.Node { return n })
}

// fakeDaemonOf is fakeDaemon with the UI over wrap(node).
func fakeDaemonOf(t *testing.T, wrap func(*apitest.Node) api.Node) (*daemon, *apitest.Node) {
	t.Helper()
	needBrowser(t)
	node := apitest.NewNode(time.Now().Add(-time.Hour))
	node.AddUser("bob")
	node.AddUser("mallory")
	if _, err := node.Register(context.Background(), "alice", "pw-alice"); err != nil {
		t.Fatal(err)
	}
	srv, err := New(wrap(node), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Listen(0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		node.Close()
	})
	if err := poll(waitLimit, func() bool { return node.Watchers() > 0 }); err != nil {
		t.Fatal("the hub never watched the fake node")
	}
	return &daemon{name: "alice", srv: srv, port: srv.Port()}, node
}

// TestBrowserChatFake: the conversations list with its unread counts and
// an invitation (hostile names as text), the chat view with a message
// arriving live, Enter and Shift+Enter, "Load older", and a group made
// from the list's form, with bob invited and shown a member live when he
// joins. axe passes on every page in both themes; 320 px fits.
func TestBrowserChatFake(t *testing.T) {
	d, node := fakeDaemon(t)
	ctx := context.Background()
	for i := range 60 {
		if _, err := node.AddDM("bob", "alice", fmt.Sprintf("bob's message %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := node.AddDM("mallory", "alice", hostileText+" https://example.com/x"); err != nil {
		t.Fatal(err)
	}
	g, err := node.AddGroup("mallory", hostileName, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := node.AddInvite("mallory", g.ID, "alice", false); err != nil {
		t.Fatal(err)
	}
	bobDM, err := node.Conversation(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}

	tb := newTab(t)
	tb.open(d, "/messages")
	tb.until("the list", `document.body.dataset.page === "messages"`)
	if got := tb.str(`document.querySelector("#c-` + bobDM.ID + ` .conv-n").textContent`); got != "60" {
		t.Errorf("bob's DM shows %q unread, want 60", got)
	}
	if got := tb.str(`document.querySelector("#msg-badge-n").textContent`); got != "62" {
		t.Errorf("the nav's badge = %q, want 62 (61 unread and an invitation)", got)
	}
	if got := tb.str(`document.querySelector("#invites .cname").textContent`); got != hostileName {
		t.Errorf("the invitation's name = %q, want it as text", got)
	}
	if tb.is(`!!document.querySelector("script:not([src])")`) {
		t.Error("a peer's name made a script element")
	}
	for _, scheme := range []string{"light", "dark"} {
		tb.scheme(scheme)
		tb.axe("/messages, " + scheme)
	}
	tb.light()
	tb.narrow("/messages")

	// A live message moves its conversation to the top of the list.
	tb.mark()
	if _, err := node.AddDM("mallory", "alice", "top of the list"); err != nil {
		t.Fatal(err)
	}
	tb.until("mallory's DM at the top", `document.querySelector("#convs li.conv .preview").textContent.includes("top of the list")`)
	tb.until("the badge counts it", `document.querySelector("#msg-badge-n").textContent === "63"`)
	// So does an invitation, in its own list.
	g2, err := node.AddGroup("bob", "Second <group>", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := node.AddInvite("bob", g2.ID, "alice", false); err != nil {
		t.Fatal(err)
	}
	tb.until("the new invitation", `document.querySelector("#invites li.conv.invite .cname").textContent === "Second <group>"`)
	tb.until("the badge counts it", `document.querySelector("#msg-badge-n").textContent === "64"`)
	if !tb.marked() {
		t.Error("the list reloaded")
	}

	// A hostile message is text.
	tb.click(`#convs li.conv a.conv-link`)
	tb.until("mallory's DM", `document.body.dataset.page === "chat"`)
	if !tb.is(`[...document.querySelectorAll("#messages li.msg .text")].some(p => p.textContent.startsWith(`+js(hostileText)+`))`) || tb.is(`!!document.querySelector("main script, #messages a[href^='javascript']")`) {
		t.Error("mallory's message is not shown as text")
	}
	tb.nav(d.url("/messages"))

	// The chat view: the newest page, oldest at the top, marked read.
	tb.click(`#c-` + bobDM.ID + ` a.conv-link`)
	tb.until("bob's DM", `document.body.dataset.page === "chat" && `+msgHas("bob's message 59", false))
	if n := tb.num(`document.querySelectorAll("#messages li.msg").length`); n != msgPageSize {
		t.Errorf("the view shows %v messages, want %d", n, msgPageSize)
	}
	if err := poll(waitLimit, func() bool {
		c, err := node.Conversation(ctx, "bob")
		return err == nil && c.Unread == 0
	}); err != nil {
		t.Errorf("showing the DM did not mark it read")
	}
	tb.until("the badge: only the invitations left", `document.querySelector("#msg-badge-n").textContent === "2"`)
	tb.click(`a[data-older]`)
	tb.until("the older page", msgHas("bob's message 0", false))
	if got := tb.str(`document.querySelector("#messages li.msg .text").textContent`); got != "bob's message 0" {
		t.Errorf("the first row after Load older = %q", got)
	}
	if tb.is(`!!document.querySelector("#older")`) {
		t.Error("Load older stays at the start of the history")
	}
	// A live message, at the bottom, read at once in a visible tab.
	tb.mark()
	if _, err := node.AddDM("bob", "alice", "live <i>one</i>"); err != nil {
		t.Fatal(err)
	}
	tb.until("bob's live message", msgHas("live <i>one</i>", false))
	if got := tb.str(`document.querySelector("#messages li.msg:last-child .text").textContent`); got != "live <i>one</i>" {
		t.Errorf("the last row = %q", got)
	}
	if err := poll(waitLimit, func() bool {
		c, err := node.Conversation(ctx, "bob")
		return err == nil && c.Unread == 0
	}); err != nil {
		t.Error("a live message in a visible tab stayed unread")
	}
	// Enter sends, Shift+Enter is a new line; the message shows once.
	tb.typeIn("#send-text", "first line")
	tb.enter(true)
	tb.typeIn("#send-text", "second line")
	tb.enter(false)
	tb.until("alice's message", msgHas("first line\nsecond line", true))
	// The row may come first on the event stream; the box empties when
	// the send's answer comes.
	tb.until("the compose box to empty", `document.querySelector("#send-text").value === ""`)
	if n := tb.num(`[...document.querySelectorAll("#messages li.msg.mine")].length`); n != 1 {
		t.Errorf("alice's message shows %v times", n)
	}
	if !tb.marked() {
		t.Error("the page reloaded")
	}
	for _, scheme := range []string{"light", "dark"} {
		tb.scheme(scheme)
		tb.axe("a DM, " + scheme)
	}
	tb.light()
	tb.narrow("a DM")

	// A group from the list's form; bob invited from the panel.
	tb.nav(d.url("/messages"))
	tb.typeIn("#group-name", "Knitting circle")
	tb.click(`#new-group button[type=submit]`)
	tb.until("the new group", `document.body.dataset.page === "chat" && !!document.querySelector("#members")`)
	conv := tb.str(`document.querySelector("#chat").dataset.conv`)
	tb.click(`#members > summary`)
	tb.typeIn("#invite-name", "bob")
	tb.click(`#invite-form button[type=submit]`)
	bobRow := `[...document.querySelectorAll("#members .member")].find(li => li.textContent.includes("@bob"))`
	tb.until("bob invited", bobRow+` && `+bobRow+`.querySelector(".role-invited")`)
	tb.mark()
	if err := node.AddJoin("bob", conv); err != nil {
		t.Fatal(err)
	}
	tb.until("bob a member, live", bobRow+` && `+bobRow+`.querySelector(".role-member")`)
	tb.until("the header's count", `document.querySelector(".chat-head .ckind").textContent.includes("2 members")`)
	if _, err := node.AddMessage("bob", conv, "hi knitters"); err != nil {
		t.Fatal(err)
	}
	tb.until("bob's message in the group", msgHas("hi knitters", false))
	if !tb.marked() {
		t.Error("the group's page reloaded")
	}
	tb.click(`details.leave summary`)
	tb.until("the Leave button", `document.querySelector("details.leave button").checkVisibility()`)
	for _, scheme := range []string{"light", "dark"} {
		tb.scheme(scheme)
		tb.axe("a group, " + scheme)
	}
	tb.light()
	tb.narrow("a group")
	// Make bob an admin: the page comes back with the button turned.
	tb.click(`#members form[action="/messages/role"] button`)
	tb.until("bob an admin", bobRow+` && `+bobRow+`.querySelector(".role-admin")`)

	// The group search.
	if _, err := node.AddGroup("bob", "Knitting in public", true); err != nil {
		t.Fatal(err)
	}
	tb.nav(d.url("/messages/search?q=knit"))
	tb.until("the search", `!!document.querySelector("#groups")`)
	for _, scheme := range []string{"light", "dark"} {
		tb.scheme(scheme)
		tb.axe("the group search, " + scheme)
	}
	tb.light()
	tb.narrow("the group search")
	tb.click(`#groups form[action="/messages/join"] button`)
	tb.until("the joined group", `document.body.dataset.page === "chat" && document.querySelector("#chat-title").textContent === "Knitting in public"`)
}

// gapNode is the fake with a gap: while gap is set, the newest page of a
// history has a row saying 2 of bob's messages are missing, just before
// its newest message.
type gapNode struct {
	*apitest.Node
	gap *atomic.Bool
}

// Messages implements api.Node.
func (n gapNode) Messages(ctx context.Context, conv, cursor string, limit int) (core.MessagePage, error) {
	p, err := n.Node.Messages(ctx, conv, cursor, limit)
	if err != nil || cursor != "" || !n.gap.Load() || len(p.Messages) == 0 {
		return p, err
	}
	newest := p.Messages[0]
	gap := core.Message{Conversation: newest.Conversation, Author: "bob", Event: "gap", Missing: 2, Time: newest.Time}
	p.Messages = slices.Insert(slices.Clone(p.Messages), 1, gap)
	return p, nil
}

// TestBrowserChatGap: a gap's row stands out; when a message arrives in
// the conversation, the newest page is read again and the gap's row goes
// if the gap was filled.
func TestBrowserChatGap(t *testing.T) {
	var gap atomic.Bool
	gap.Store(true)
	d, node := fakeDaemonOf(t, func(n *apitest.Node) api.Node { return gapNode{n, &gap} })
	for _, text := range []string{"one", "four"} {
		if _, err := node.AddDM("bob", "alice", text); err != nil {
			t.Fatal(err)
		}
	}
	tb := newTab(t)
	tb.open(d, "/messages/@bob")
	tb.until("the gap's row", `!!document.querySelector("#messages li.msg.gap")`)
	if got := tb.str(`document.querySelector("#messages li.msg.gap").textContent`); !strings.Contains(got, "2 messages from @bob missing") {
		t.Errorf("the gap's row says %q", got)
	}
	for _, scheme := range []string{"light", "dark"} {
		tb.scheme(scheme)
		tb.axe("a gap, " + scheme)
	}
	tb.light()
	tb.mark()
	gap.Store(false)
	if _, err := node.AddDM("bob", "alice", "five"); err != nil {
		t.Fatal(err)
	}
	tb.until("the gap gone and five shown", `!document.querySelector("#messages li.msg.gap") && `+msgHas("five", false))
	if got := tb.str(`[...document.querySelectorAll("#messages li.msg .text")].map(p => p.textContent).join(",")`); got != "one,four,five" {
		t.Errorf("the history after the refresh: %s", got)
	}
	if !tb.marked() {
		t.Error("the page reloaded")
	}
}
