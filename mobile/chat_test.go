package mobile

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/skein-p2p/skein/core"
)

// The social tests' recorder ignores messaging events; chatRecorder keeps
// them.
func (r *recorder) OnMessage(*Message, *Conversation) {}
func (r *recorder) OnMembers(*Conversation)           {}
func (r *recorder) OnInvite(*Conversation)            {}

// chatEvent is one messaging callback.
type chatEvent struct {
	kind string // "message", "members" or "invite"
	msg  *Message
	conv *Conversation
}

// chatRecorder is a Listener that keeps the messaging events.
type chatRecorder struct {
	recorder
	mu     sync.Mutex
	events []chatEvent
}

func (r *chatRecorder) add(e chatEvent) { r.mu.Lock(); r.events = append(r.events, e); r.mu.Unlock() }

func (r *chatRecorder) OnMessage(m *Message, c *Conversation) {
	r.add(chatEvent{kind: "message", msg: m, conv: c})
}
func (r *chatRecorder) OnMembers(c *Conversation) { r.add(chatEvent{kind: "members", conv: c}) }
func (r *chatRecorder) OnInvite(c *Conversation)  { r.add(chatEvent{kind: "invite", conv: c}) }

// await waits for an event of kind that matches.
func (r *chatRecorder) await(t *testing.T, what, kind string, match func(chatEvent) bool) chatEvent {
	t.Helper()
	var got chatEvent
	waitFor(t, what, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		i := slices.IndexFunc(r.events, func(e chatEvent) bool { return e.kind == kind && match(e) })
		if i >= 0 {
			got = r.events[i]
		}
		return i >= 0
	})
	return got
}

// newRelay starts a relay on loopback, closed when the test ends.
func newRelay(t *testing.T) string {
	t.Helper()
	r, err := core.NewRelay(context.Background(), core.RelayConfig{
		DataDir:     t.TempDir(),
		ListenAddrs: splitAddrs(loopback),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return strings.Join(r.Addrs(), "\n")
}

// texts returns the texts of conv's messages on n, oldest first, as
// "author: text" with the author named by names from their key, without
// change rows.
func texts(t *testing.T, n *Node, conv string, names map[string]string) []string {
	t.Helper()
	p, err := n.Messages(conv, "", MaxMessagePage)
	if err != nil {
		t.Fatalf("Messages(%s): %v", conv, err)
	}
	var out []string
	for i := p.Len() - 1; i >= 0; i-- {
		if m := p.Get(i); m.Event == "" {
			out = append(out, names[m.AuthorKey]+": "+m.Text)
		}
	}
	return out
}

// waitTexts waits until conv on n shows exactly want, oldest first.
func waitTexts(t *testing.T, n *Node, conv string, names map[string]string, want ...string) {
	t.Helper()
	waitFor(t, conv+" to show "+strings.Join(want, " / "), func() bool { return slices.Equal(texts(t, n, conv, names), want) })
}

// members returns group's members on n as "name:role", sorted, with
// " (me)" after the account's own, each
// named by names from its key: a phone shows the names it knows, and
// "@" and a key prefix for the others.
func members(t *testing.T, n *Node, group string, names map[string]string) []string {
	t.Helper()
	l, err := n.Members(group)
	if err != nil {
		t.Fatalf("Members(%s): %v", group, err)
	}
	var out []string
	for i := range l.Len() {
		m := l.Get(i)
		if m.Name != names[m.Key] && m.Name != "@"+m.Key[:8] {
			t.Fatalf("member %s is named %q", m.Key, m.Name)
		}
		row := names[m.Key] + ":" + m.Role
		if m.Me {
			row += " (me)"
		}
		out = append(out, row)
	}
	slices.Sort(out)
	return out
}

// TestChatDM: a DM both ways through the mobile API, each side's listener
// told, then the conversation's list, history, unread count and search.
func TestChatDM(t *testing.T) {
	relay := newRelay(t)
	a, b := newNode(t, relay, false), newNode(t, relay, false)
	ra, rb := &chatRecorder{}, &chatRecorder{}
	a.SetListener(ra)
	b.SetListener(rb)
	alice, err := a.Register("alice", "pw-alice")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := b.Register("bob", "pw-bob")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{alice.Key: "alice", bob.Key: "bob"}

	sent, err := a.SendDM("bob", "the eagle lands at nine")
	if err != nil {
		t.Fatal(err)
	}
	if !sent.Mine || sent.Text != "the eagle lands at nine" || sent.AuthorKey != alice.Key || sent.Event != "" ||
		len(sent.ID) != 64 || len(sent.ConversationID) != 64 || sent.TimeMillis == 0 || sent.Seq < 1 {
		t.Fatalf("SendDM = %+v", sent)
	}
	ev := rb.await(t, "bob's OnMessage", "message", func(e chatEvent) bool { return e.msg.ID == sent.ID })
	// bob's phone may not know alice's name yet: it then shows her key's
	// first digits.
	if ev.msg.Mine || ev.msg.AuthorKey != alice.Key || ev.msg.Text != sent.Text || ev.conv.ID != sent.ConversationID ||
		!ev.conv.DM || ev.conv.Peer != alice.Key || ev.conv.Unread != 1 ||
		ev.conv.Name != ev.msg.Author || (ev.msg.Author != "alice" && ev.msg.Author != "@"+alice.Key[:8]) {
		t.Fatalf("bob's event: message %+v in %+v", ev.msg, ev.conv)
	}
	// The sender's listener is told of its own message too.
	ev = ra.await(t, "alice's OnMessage for her own DM", "message", func(e chatEvent) bool { return e.msg.ID == sent.ID })
	if !ev.msg.Mine || ev.conv.Unread != 0 {
		t.Fatalf("alice's event for her own DM: message %+v in %+v", ev.msg, ev.conv)
	}
	reply, err := b.SendMessage("alice", "roger")
	if err != nil {
		t.Fatal(err)
	}
	if reply.ConversationID != sent.ConversationID {
		t.Fatalf("bob's reply went to %s, alice's DM is %s", reply.ConversationID, sent.ConversationID)
	}
	ev = ra.await(t, "alice's OnMessage", "message", func(e chatEvent) bool { return e.msg.ID == reply.ID })
	if ev.msg.Author != "bob" || ev.msg.AuthorKey != bob.Key || ev.msg.Text != "roger" || ev.conv.Last == nil || ev.conv.Last.ID != reply.ID {
		t.Fatalf("alice's event: message %+v in %+v", ev.msg, ev.conv)
	}
	waitTexts(t, a, "bob", names, "alice: the eagle lands at nine", "bob: roger")

	// The conversation list, its unread count, and MarkRead.
	convs, err := b.Conversations()
	if err != nil || convs.Len() != 1 || convs.Get(1) != nil {
		t.Fatalf("bob's conversations: %v", err)
	}
	c := convs.Get(0)
	if !c.DM || c.Name != "alice" || c.Peer != alice.Key || c.ID != sent.ConversationID || c.Role == "invited" || c.Members != 2 || c.UpdatedMillis == 0 || c.Last == nil {
		t.Fatalf("bob's DM = %+v", c)
	}
	if err := b.MarkRead(sent.ConversationID[:8]); err != nil {
		t.Fatal(err)
	}
	if c, err := b.Conversation("alice"); err != nil || c.Unread != 0 || c.ID != sent.ConversationID {
		t.Fatalf("bob's DM after MarkRead = %+v, %v", c, err)
	}

	// Paging: one message per page, to the start.
	var ids []string
	for cursor := ""; ; {
		p, err := b.Messages(sent.ConversationID, cursor, 1)
		if err != nil {
			t.Fatal(err)
		}
		for i := range p.Len() {
			if m := p.Get(i); m.Event == "" {
				ids = append(ids, m.ID)
			}
		}
		if p.Get(p.Len()) != nil {
			t.Fatal("MessagePage.Get(Len) is not null")
		}
		if cursor = p.NextCursor(); cursor == "" {
			break
		}
	}
	if !slices.Equal(ids, []string{reply.ID, sent.ID}) {
		t.Fatalf("paged history %q, want bob's reply then alice's DM", ids)
	}
	// The same history as JSON, in core's JSON.
	js, err := b.MessagesJSON("alice", "", 0)
	var jp core.MessagePage
	if err != nil || json.Unmarshal(js, &jp) != nil {
		t.Fatalf("MessagesJSON = %s, %v", js, err)
	}
	var jids []string
	for _, m := range jp.Messages {
		if m.Event == "" {
			jids = append(jids, m.ID)
		}
	}
	if !slices.Equal(jids, ids) || jp.Next != "" || jp.Messages[0].Conversation != sent.ConversationID {
		t.Fatalf("MessagesJSON = %s", js)
	}
	_, err = b.MessagesJSON("alice", "not a cursor!", 0)
	wantCode(t, "MessagesJSON(a bad cursor)", err, CodeInvalidInput)
	_, err = b.MessagesJSON("", "", 0)
	wantCode(t, "MessagesJSON(null)", err, CodeInvalidInput)
	found, err := a.SearchMessages("EAGLE", 0)
	if err != nil || found.Len() != 1 || found.Get(0).ID != sent.ID || found.Get(1) != nil {
		t.Fatalf("SearchMessages(EAGLE): %v", err)
	}
}

// TestChatGroup: a private group's whole life on three phones: create,
// invite (each invitee's listener told), join, send, members, roles,
// removal by an admin only, leave.
func TestChatGroup(t *testing.T) {
	relay := newRelay(t)
	a, b, c := newNode(t, relay, false), newNode(t, relay, false), newNode(t, relay, false)
	ra, rb, rc := &chatRecorder{}, &chatRecorder{}, &chatRecorder{}
	a.SetListener(ra)
	b.SetListener(rb)
	c.SetListener(rc)
	names := map[string]string{} // key → name
	for n, name := range map[*Node]string{a: "alice", b: "bob", c: "carol"} {
		u, err := n.Register(name, "pw-"+name)
		if err != nil {
			t.Fatal(err)
		}
		names[u.Key] = name
	}

	g, err := a.CreateGroup("book club", false, false)
	if err != nil {
		t.Fatal(err)
	}
	if g.Role != "admin" || g.Members != 1 || g.Public || g.DM || !g.HistoryShared || g.Name != "book club" {
		t.Fatalf("CreateGroup = %+v", g)
	}
	if err := a.Invite(g.ID, "bob", false, 0); err != nil {
		t.Fatal(err)
	}
	if err := a.Invite("book club", "carol", false, 60); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		n *Node
		r *chatRecorder
	}{{b, rb}, {c, rc}} {
		ev := p.r.await(t, "OnInvite", "invite", func(e chatEvent) bool { return e.conv.ID == g.ID })
		if ev.conv.Role != "invited" || ev.conv.Name != "book club" {
			t.Fatalf("OnInvite(%+v)", ev.conv)
		}
		joined, err := p.n.Join(g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if joined.Role != "member" || joined.ID != g.ID {
			t.Fatalf("Join = %+v", joined)
		}
	}
	ra.await(t, "alice's OnMembers", "members", func(e chatEvent) bool { return e.conv.ID == g.ID && e.conv.Members == 3 })
	waitFor(t, "three members on every phone", func() bool {
		return slices.Equal(members(t, a, g.ID, names), []string{"alice:admin (me)", "bob:member", "carol:member"}) &&
			slices.Equal(members(t, b, g.ID, names), []string{"alice:admin", "bob:member (me)", "carol:member"}) &&
			slices.Equal(members(t, c, g.ID, names), []string{"alice:admin", "bob:member", "carol:member (me)"})
	})

	if _, err := a.SendMessage("book club", "first chapter?"); err != nil {
		t.Fatal(err)
	}
	rc.await(t, "carol's OnMessage", "message", func(e chatEvent) bool {
		return e.msg.Text == "first chapter?" && names[e.msg.AuthorKey] == "alice" && e.conv.ID == g.ID
	})
	if _, err := b.SendMessage(g.ID, "read it"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, c, g.ID, names, "alice: first chapter?", "bob: read it")

	// Only an admin removes or changes roles.
	wantCode(t, "Remove by a member", b.Remove(g.ID, "carol"), CodeNotAdmin)
	wantCode(t, "SetRole by a member", b.SetRole(g.ID, "bob", true), CodeNotAdmin)
	if err := a.SetRole(g.ID, "bob", true); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "bob an admin on bob's phone", func() bool {
		return slices.Equal(members(t, b, g.ID, names), []string{"alice:admin", "bob:admin (me)", "carol:member"})
	})
	if err := b.Remove(g.ID, "carol"); err != nil {
		t.Fatal(err)
	}
	ev := rc.await(t, "carol's OnMembers for her removal", "members", func(e chatEvent) bool { return e.conv.ID == g.ID && e.conv.Role == "" })
	if ev.conv.Members != 2 {
		t.Fatalf("carol's view after her removal: %+v", ev.conv)
	}
	waitFor(t, "carol removed on alice's phone", func() bool {
		return slices.Equal(members(t, a, g.ID, names), []string{"alice:admin (me)", "bob:admin"})
	})
	_, err = c.SendMessage(g.ID, "still here?")
	wantCode(t, "SendMessage by a removed member", err, CodeNotMember)
	_, err = c.Join(g.ID)
	wantCode(t, "Join again with a used invitation", err, CodeInviteInvalid)
	if _, err := a.SendMessage(g.ID, "after carol"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, b, g.ID, names, "alice: first chapter?", "bob: read it", "alice: after carol")
	if err := b.Leave(g.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "alice alone", func() bool { return slices.Equal(members(t, a, g.ID, names), []string{"alice:admin (me)"}) })
	_, err = b.SendMessage(g.ID, "gone")
	wantCode(t, "SendMessage after Leave", err, CodeNotMember)
}

// TestChatPublicGroup: a public group is found through the relay's
// directory by a phone that never heard of it, and joined without an
// invitation; a private group is never found.
func TestChatPublicGroup(t *testing.T) {
	relay := newRelay(t)
	a, b := newNode(t, relay, false), newNode(t, relay, false)
	if _, err := a.Register("alice", "pw-alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Register("bob", "pw-bob"); err != nil {
		t.Fatal(err)
	}
	pub, err := a.CreateGroup("chess lovers", true, false)
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Public || pub.Role != "admin" {
		t.Fatalf("CreateGroup(public) = %+v", pub)
	}
	if _, err := a.CreateGroup("secret chess", false, false); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SendMessage(pub.ID, "welcome"); err != nil {
		t.Fatal(err)
	}
	if l, err := a.SearchGroups("chess", 0); err != nil || l.Len() != 1 || !l.Get(0).Joined || l.Get(0).ID != pub.ID {
		t.Fatalf("alice's SearchGroups(chess): %v", err)
	}
	var found *GroupResultList
	waitFor(t, "bob to find the public group", func() bool {
		found, err = b.SearchGroups("CHESS", 0)
		return err == nil && found.Len() > 0
	})
	if r := found.Get(0); found.Len() != 1 || r.ID != pub.ID || r.Name != "chess lovers" || r.Joined || found.Get(1) != nil {
		t.Fatalf("SearchGroups(CHESS): %d, first %+v", found.Len(), found.Get(0))
	}
	joined, err := b.Join(pub.ID)
	if err != nil || !joined.Public || joined.Role != "member" || joined.Name != "chess lovers" {
		t.Fatalf("Join(public) = %+v, %v", joined, err)
	}
	waitFor(t, "bob reads the welcome", func() bool {
		p, err := b.Messages(pub.ID, "", 0)
		if err != nil {
			return false
		}
		for i := range p.Len() {
			if p.Get(i).Text == "welcome" && !p.Get(i).Mine {
				return true
			}
		}
		return false
	})
}

// TestChatErrors: each messaging error has its code.
func TestChatErrors(t *testing.T) {
	// No relay: an offline user's encryption key is nowhere to fetch.
	s := newNode(t, "", true)
	a, c := newNode(t, s.Addrs(), false), newNode(t, s.Addrs(), false)
	if _, err := a.Register("alice", "pw"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Register("carol", "pw"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "carol's name record on the server", func() bool { _, err := s.Whois("carol"); return err == nil })
	c.Close()

	_, err := a.SendDM("alice", "me")
	wantCode(t, "SendDM(self)", err, CodeSelfMessage)
	_, err = a.Conversation("alice")
	wantCode(t, "Conversation(self)", err, CodeSelfMessage)
	t.Run("no prekey", func(t *testing.T) {
		_, err := a.SendDM("carol", "are you there?")
		wantCode(t, "SendDM(offline, no relay)", err, CodeNoPrekey)
	})
	_, err = a.SendMessage("nobody_here", "x")
	wantCode(t, "SendMessage(unknown)", err, CodeNoConversation)
	_, err = a.Messages(strings.Repeat("ab", 32), "", 0)
	wantCode(t, "Messages(unknown ID)", err, CodeNoConversation)
	_, err = a.SendDM("nobody_here", "x")
	wantCode(t, "SendDM(unknown name)", err, CodeUnknownName)
	_, err = a.SendDM("carol", "")
	wantCode(t, "SendDM(null)", err, CodeInvalidInput)
	_, err = a.CreateGroup("", false, false)
	wantCode(t, "CreateGroup(null)", err, CodeInvalidInput)
	for _, name := range []string{"dup", "dup"} {
		if _, err := a.CreateGroup(name, false, false); err != nil {
			t.Fatal(err)
		}
	}
	_, err = a.SendMessage("dup", "x")
	wantCode(t, "SendMessage(an ambiguous name)", err, CodeAmbiguous)
	g, err := a.CreateGroup("solo", false, false)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := a.SendMessage("solo", strings.Repeat("é", MaxMessageChars)); err != nil || m.Text == "" {
		t.Fatalf("SendMessage(MaxMessageChars) = %v", err)
	}
	_, err = a.SendMessage("solo", strings.Repeat("é", MaxMessageChars+1))
	wantCode(t, "SendMessage(too long)", err, CodeInvalidMessage)
	_, err = a.SendMessage("solo", "hi\x1b[2J")
	wantCode(t, "SendMessage(ESC)", err, CodeInvalidMessage)
	_, err = a.Messages(g.ID, "not a cursor!", 0)
	wantCode(t, "Messages(a bad cursor)", err, CodeInvalidInput)
	wantCode(t, "Invite(-1 minutes)", a.Invite(g.ID, "carol", false, -1), CodeInvalidInput)
	wantCode(t, "Remove(nobody)", a.Remove(g.ID, "nobody_here"), CodeUnknownName)
	_, err = a.Join(g.ID)
	if code := ErrorCode(err); code != CodeOK && code != CodeInviteInvalid {
		t.Fatalf("Join(a group one is in) = %v", err)
	}
	_, err = a.SearchGroups("  ", 0)
	wantCode(t, "SearchGroups(spaces)", err, CodeBadQuery)
	_, err = a.SearchMessages("", 0)
	wantCode(t, "SearchMessages(null)", err, CodeBadQuery)
	_, err = a.Conversation("")
	wantCode(t, "Conversation(null)", err, CodeInvalidInput)
	wantCode(t, "MarkRead(unknown)", a.MarkRead(strings.Repeat("cd", 32)), CodeNoConversation)
	if l, err := a.Conversations(); err != nil || l.Len() != 3 {
		t.Fatalf("Conversations: %v (3 groups, no DM: none was sent)", err)
	}

	// Joining without an invitation.
	d := newNode(t, s.Addrs(), false)
	if _, err := d.Register("dave", "pw"); err != nil {
		t.Fatal(err)
	}
	_, err = d.Join(g.ID)
	if code := ErrorCode(err); code != CodeInviteInvalid && code != CodeNoConversation {
		t.Fatalf("Join uninvited = %v (code %s)", err, ErrorCodeName(code))
	}
}

// TestChatHugeInput: an error about a huge argument of a messaging call
// quotes at most its start and has a code of its own. Not here, as core
// does not refuse them with an error of its own: a group name over 64
// characters (an error without a code), a cursor that is base64 but not
// one of the engine's (an error without a code), and search queries over
// 100 characters (searched for).
func TestChatHugeInput(t *testing.T) {
	n := newNode(t, "", true)
	if _, err := n.Register("huge_tester", "pw"); err != nil {
		t.Fatal(err)
	}
	if _, err := n.CreateGroup("solo", false, false); err != nil {
		t.Fatal(err)
	}
	huge := strings.Repeat("x", 10_000)
	calls := map[string]func() error{
		"SendDM(name)":       func() error { _, err := n.SendDM(huge, "hi"); return err },
		"SendMessage(conv)":  func() error { _, err := n.SendMessage(huge, "hi"); return err },
		"SendMessage(text)":  func() error { _, err := n.SendMessage("solo", huge); return err },
		"Invite":             func() error { return n.Invite(huge, "bob", false, 0) },
		"Join":               func() error { _, err := n.Join(huge); return err },
		"Leave":              func() error { return n.Leave(huge) },
		"Remove":             func() error { return n.Remove(huge, "bob") },
		"SetRole":            func() error { return n.SetRole(huge, "bob", true) },
		"Members":            func() error { _, err := n.Members(huge); return err },
		"Conversation":       func() error { _, err := n.Conversation(huge); return err },
		"Messages(conv)":     func() error { _, err := n.Messages(huge, "", 0); return err },
		"MessagesJSON(conv)": func() error { _, err := n.MessagesJSON(huge, "", 0); return err },
		"MarkRead":           func() error { return n.MarkRead(huge) },
	}
	for name, call := range calls {
		err := call()
		if err == nil {
			t.Errorf("%s(10,000 characters) succeeded", name)
			continue
		}
		if len(err.Error()) > maxMessage+len("…") {
			t.Errorf("%s: a message of %d bytes", name, len(err.Error()))
		}
		if ErrorCode(err) == CodeInternal {
			t.Errorf("%s: %v has no specific code", name, err)
		}
	}
}
