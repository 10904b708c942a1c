package webui

// The messaging pages in a real browser, between real daemons (harness in
// browser_test.go): alice on daemon A and bob on daemon B.
//
//	go test -race -run BrowserChat ./cli/internal/webui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/skein-p2p/skein/core"
)

// enter presses Enter on the focused element, with Shift if shift.
func (tb *tab) enter(shift bool) {
	tb.t.Helper()
	k := kb.Keys['\r']
	down := input.DispatchKeyEventParams{
		Type: input.DispatchKeyEventTypeKeyDown, Key: k.Key, Code: k.Code,
		WindowsVirtualKeyCode: k.Windows, NativeVirtualKeyCode: k.Native,
		Text: k.Text, UnmodifiedText: k.Unmodified,
	}
	if shift {
		down.Modifiers = int64(kb.ModifierShift)
	}
	up := down
	up.Type, up.Text, up.UnmodifiedText = input.DispatchKeyEventTypeKeyUp, "", ""
	tb.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		for _, p := range []input.DispatchKeyEventParams{down, up} {
			if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, p); err != nil {
				return err
			}
		}
		return nil
	}))
}

// msgHas is a JavaScript test: the history shows a message whose text is
// text (mine: one of the account's own).
func msgHas(text string, mine bool) string {
	sel := "#messages li.msg"
	if mine {
		sel += ".mine"
	}
	return `[...document.querySelectorAll(` + js(sel+" .text") + `)].some(p => p.textContent === ` + js(text) + `)`
}

// waitMessage waits until d's conversation ref holds a message whose text
// is text, and returns it.
func (d *daemon) waitMessage(t testing.TB, ref, text string) core.Message {
	t.Helper()
	var found core.Message
	err := poll(waitLimit, func() bool {
		p, err := d.node.Messages(context.Background(), ref, "", 100)
		if err != nil {
			return false
		}
		i := slices.IndexFunc(p.Messages, func(m core.Message) bool { return m.Text == text })
		if i >= 0 {
			found = p.Messages[i]
		}
		return i >= 0
	})
	if err != nil {
		t.Fatalf("%s's conversation %s never got %q: %v", d.name, ref, text, err)
	}
	return found
}

// narrow checks that the page reflows to 320 px without scrolling
// sideways, with the compose box's button in reach.
func (tb *tab) narrow(where string) {
	tb.t.Helper()
	tb.do(chromedp.EmulateViewport(320, 640))
	defer tb.do(chromedp.EmulateViewport(800, 600))
	tb.until("the narrow layout", `innerWidth === 320`)
	if !tb.is(`document.documentElement.scrollWidth <= document.documentElement.clientWidth`) {
		tb.t.Errorf("%s at 320 px scrolls sideways; widest: %s", where, tb.str(`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > 320).map(e => e.tagName + "." + e.className).slice(0, 5).join(", ")`))
	}
	if tb.is(`!!document.querySelector("#send")`) && !tb.is(`(() => { const r = document.querySelector("#send button[type=submit]").getBoundingClientRect(); return r.width > 0 && r.right <= 320 })()`) {
		tb.t.Errorf("%s at 320 px: the Send button is out of reach", where)
	}
}

// TestBrowserChatLive: a DM from bob shows in alice's conversations list
// with its unread count; opening it marks it read; bob's next message
// arrives live; alice answers with Enter (Shift+Enter for a new line),
// and bob gets it. Every page passes axe in both themes and at 320 px.
func TestBrowserChatLive(t *testing.T) {
	_, alice, bob := sharedNet(t)
	ctx := context.Background()
	first, live := once("hello alice, it's bob"), once("bob, live <b>now</b>")
	m, err := bob.node.SendDM(ctx, "alice", first)
	if err != nil {
		t.Fatal(err)
	}
	conv := m.Conversation
	alice.waitMessage(t, conv, first)

	tb := newTab(t)
	tb.open(alice, "/messages")
	row := `document.getElementById(` + js("c-"+conv) + `)`
	tb.until("the DM's row with its unread count", row+` && +(`+row+`.querySelector(".conv-n") || {}).textContent > 0`)
	tb.until("the nav's badge", `!document.querySelector("#msg-badge").hidden`)
	if got := tb.str(row + `.querySelector(".preview").textContent`); !strings.Contains(got, first) {
		t.Errorf("the row's preview = %q", got)
	}
	tb.light()
	tb.axe("/messages")
	tb.dark()
	tb.axe("/messages, dark")
	tb.light()
	tb.narrow("/messages")

	tb.click(`#c-` + conv + ` a.conv-link`)
	tb.until("the chat view", `document.body.dataset.page === "chat" && `+msgHas(first, false))
	if err := poll(waitLimit, func() bool {
		c, err := alice.node.Conversation(ctx, conv)
		return err == nil && c.Unread == 0
	}); err != nil {
		t.Errorf("showing the conversation did not mark it read: %v", err)
	}
	tb.mark()
	if _, err := bob.node.SendDM(ctx, "alice", live); err != nil {
		t.Fatal(err)
	}
	tb.until("bob's message, live", msgHas(live, false))
	if !tb.marked() {
		t.Error("the page reloaded to show the message")
	}
	if got := tb.str(`document.querySelector("#messages li.msg:last-child .text").textContent`); got != live {
		t.Errorf("the newest row = %q, want bob's live message at the bottom", got)
	}
	if got := tb.str(`document.querySelector("#chat-live").textContent`); !strings.Contains(got, "New message from @bob") {
		t.Errorf("the live region says %q", got)
	}
	// A message that arrives in a visible tab is read.
	if err := poll(waitLimit, func() bool {
		c, err := alice.node.Conversation(ctx, conv)
		return err == nil && c.Unread == 0
	}); err != nil {
		t.Errorf("a live message in a visible tab stayed unread: %v", err)
	}
	tb.until("the badge to clear", `document.querySelector("#msg-badge").hidden || +document.querySelector("#msg-badge-n").textContent === 0`)

	// Enter sends; Shift+Enter is a new line.
	reply := once("thanks bob")
	tb.typeIn("#send-text", reply)
	tb.enter(false)
	tb.until("alice's message", msgHas(reply, true))
	// The row may come first on the event stream; the box empties when
	// the send's answer comes.
	tb.until("the compose box to empty", `document.querySelector("#send-text").value === ""`)
	two := once("line one")
	tb.typeIn("#send-text", two)
	tb.enter(true)
	tb.typeIn("#send-text", "line two")
	if v := tb.str(`document.querySelector("#send-text").value`); v != two+"\nline two" {
		t.Errorf("after Shift+Enter the box holds %q", v)
	}
	tb.enter(false)
	tb.until("the two lines", msgHas(two+"\nline two", true))
	if n := tb.num(`[...document.querySelectorAll("#messages li.msg .text")].filter(p => p.textContent === ` + js(reply) + `).length`); n != 1 {
		t.Errorf("alice's message shows %v times, want once", n)
	}
	bob.waitMessage(t, conv, reply)
	bob.waitMessage(t, conv, two+"\nline two")

	tb.axe("the chat view")
	tb.dark()
	tb.axe("the chat view, dark")
	tb.light()
	tb.narrow("the chat view")
}

// TestBrowserChatGroup: alice creates a group from the list's form,
// invites bob from the members panel; bob accepts on his daemon and the
// panel shows him a member without a reload; his message arrives live.
func TestBrowserChatGroup(t *testing.T) {
	_, alice, bob := sharedNet(t)
	ctx := context.Background()
	name := once("Knitting circle")
	tb := newTab(t)
	tb.open(alice, "/messages")
	tb.typeIn("#group-name", name)
	tb.click(`#new-group button[type=submit]`)
	tb.until("the new group", `document.body.dataset.page === "chat" && !!document.querySelector("#members")`)
	if got := tb.str(`document.querySelector("#chat-title").textContent`); got != name {
		t.Errorf("the chat's title = %q", got)
	}
	if !tb.is(`[...document.querySelectorAll("#members .member")].some(li => li.textContent.includes("@alice") && li.querySelector(".role-admin"))`) {
		t.Errorf("the members panel does not show alice as admin: %s", tb.summary())
	}
	conv := tb.str(`document.querySelector("#chat").dataset.conv`)

	tb.click(`#members > summary`)
	tb.typeIn("#invite-name", "bob")
	tb.click(`#invite-form button[type=submit]`)
	bobRow := `[...document.querySelectorAll("#members .member")].find(li => li.textContent.includes("@bob"))`
	tb.until("bob invited", bobRow+` && `+bobRow+`.querySelector(".role-invited")`)
	tb.axe("a group's chat view")
	tb.dark()
	tb.axe("a group's chat view, dark")
	tb.light()
	tb.narrow("a group's chat view")

	tb.mark()
	if err := poll(waitLimit, func() bool {
		c, err := bob.node.Conversation(ctx, conv)
		return err == nil && c.Role == "invited"
	}); err != nil {
		t.Fatalf("bob never got the invitation: %v", err)
	}
	if _, err := bob.node.Join(ctx, conv); err != nil {
		t.Fatalf("bob joining: %v", err)
	}
	tb.until("bob a member, live", bobRow+` && `+bobRow+`.querySelector(".role-member")`)
	hi := once("hi knitters")
	if _, err := bob.node.SendMessage(ctx, conv, hi); err != nil {
		t.Fatal(err)
	}
	tb.until("bob's message, live", msgHas(hi, false))
	if !tb.marked() {
		t.Error("the page reloaded")
	}
	// Leave asks first, without a dialog.
	if tb.is(`document.querySelector("details.leave button").checkVisibility()`) {
		t.Error("the Leave button shows before its confirmation step")
	}
	tb.click(`details.leave summary`)
	tb.until("the Leave button", `document.querySelector("details.leave button").checkVisibility()`)
}

// clubLast is the last message of chatScene's group.
const clubLast = "Step 12 looks right to me. The harder question is whether it ever halts: https://example.com/halting"

// chatScene makes the group chat of the screenshots: ada's private group
// with grace and alan, a few messages, one of ada's own. It returns the
// group's ID once ada holds every message.
func chatScene(t *testing.T, ada, grace, alan *daemon) string {
	t.Helper()
	ctx := context.Background()
	club, err := ada.node.CreateGroup(ctx, "Analytical Engine club", core.GroupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []*daemon{grace, alan} {
		if err := ada.node.Invite(ctx, club.ID, d.name, core.InviteOptions{}); err != nil {
			t.Fatalf("inviting %s: %v", d.name, err)
		}
		if err := poll(waitLimit, func() bool {
			c, err := d.node.Conversation(ctx, club.ID)
			return err == nil && c.Role == "invited"
		}); err != nil {
			t.Fatalf("%s never got the invitation: %v", d.name, err)
		}
		if _, err := d.node.Join(ctx, club.ID); err != nil {
			t.Fatalf("%s joining: %v", d.name, err)
		}
	}
	// Every member knows the others before anyone speaks, so that the
	// joins show above the messages.
	for _, d := range []*daemon{ada, grace, alan} {
		if err := poll(waitLimit, func() bool {
			ms, err := d.node.Members(ctx, club.ID)
			return err == nil && len(ms) == 3 && !slices.ContainsFunc(ms, func(m core.Member) bool { return m.Role == "invited" })
		}); err != nil {
			t.Fatalf("%s never saw all three members: %v", d.name, err)
		}
	}
	say := func(d *daemon, text string) {
		t.Helper()
		if _, err := d.node.SendMessage(ctx, club.ID, text); err != nil {
			t.Fatalf("%s sending: %v", d.name, err)
		}
		for _, o := range []*daemon{ada, grace, alan} {
			o.waitMessage(t, club.ID, text)
		}
	}
	say(ada, "Welcome, both! Thursday's agenda: the Bernoulli numbers program, Note G.")
	say(grace, "I'll bring the punched cards. Has anyone checked the loop in step 12?")
	say(ada, "I traced it twice by hand.\nThe variable cards need one more pass.")
	say(alan, clubLast)
	return club.ID
}
