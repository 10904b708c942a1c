package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api/apitest"
	"github.com/skein-p2p/skein/core"
)

func (n errNode) SendDM(context.Context, string, string) (core.Message, error) {
	return core.Message{}, n.err
}
func (n errNode) SendMessage(context.Context, string, string) (core.Message, error) {
	return core.Message{}, n.err
}
func (n errNode) CreateGroup(context.Context, string, core.GroupOptions) (core.Conversation, error) {
	return core.Conversation{}, n.err
}
func (n errNode) Invite(context.Context, string, string, core.InviteOptions) error { return n.err }
func (n errNode) Join(context.Context, string) (core.Conversation, error) {
	return core.Conversation{}, n.err
}
func (n errNode) Leave(context.Context, string) error                 { return n.err }
func (n errNode) Remove(context.Context, string, string) error        { return n.err }
func (n errNode) SetRole(context.Context, string, string, bool) error { return n.err }
func (n errNode) Members(context.Context, string) ([]core.Member, error) {
	return nil, n.err
}
func (n errNode) Conversations(context.Context) ([]core.Conversation, error) { return nil, n.err }
func (n errNode) Conversation(context.Context, string) (core.Conversation, error) {
	return core.Conversation{}, n.err
}
func (n errNode) Messages(context.Context, string, string, int) (core.MessagePage, error) {
	return core.MessagePage{}, n.err
}
func (n errNode) MarkRead(context.Context, string) error { return n.err }
func (n errNode) SearchGroups(context.Context, string, int) ([]core.GroupResult, error) {
	return nil, n.err
}
func (n errNode) SearchMessages(context.Context, string, int) ([]core.Message, error) {
	return nil, n.err
}

// chatNode is a fake with alice logged in and bob and carol of other
// devices.
func chatNode(t *testing.T) (*apitest.Node, *Client) {
	t.Helper()
	node := apitest.NewNode(time.Unix(1e9, 0))
	node.AddUser("bob")
	node.AddUser("carol")
	cl, _, _ := serve(t, node)
	if _, err := cl.Register(context.Background(), "alice", "pw"); err != nil {
		t.Fatal(err)
	}
	return node, cl
}

func TestChatRoundTrip(t *testing.T) {
	ctx := context.Background()
	node, cl := chatNode(t)

	// A DM, both ways.
	m, err := cl.SendDM(ctx, "bob", "hi bob")
	if err != nil || m.Text != "hi bob" || m.Author != "alice" || m.Conversation == "" || m.Seq != 1 {
		t.Fatalf("SendDM() = %+v, %v", m, err)
	}
	if _, err := node.AddDM("bob", "alice", "hi alice"); err != nil {
		t.Fatal(err)
	}
	cv, err := cl.Conversation(ctx, "bob")
	if err != nil || !cv.DM || cv.Name != "bob" || cv.ID != m.Conversation || cv.Unread != 1 || cv.Last == nil || cv.Last.Text != "hi alice" {
		t.Fatalf("Conversation(bob) = %+v, %v", cv, err)
	}
	p, err := cl.Messages(ctx, "bob", "", 0)
	if err != nil || len(p.Messages) != 2 || p.Messages[0].Text != "hi alice" || p.Messages[1].Text != "hi bob" || !p.Messages[1].Mine || p.Next != "" {
		t.Fatalf("Messages(bob) = %+v, %v; want newest first", p, err)
	}
	if err := cl.MarkRead(ctx, cv.ID[:8]); err != nil {
		t.Fatal(err)
	}
	if cv, _ := cl.Conversation(ctx, cv.ID); cv.Unread != 0 {
		t.Errorf("Unread after MarkRead = %d", cv.Unread)
	}

	// A group: create, invite, join, talk, roles, members, remove, leave.
	g, err := cl.CreateGroup(ctx, "book club", core.GroupOptions{HistoryJoined: true})
	if err != nil || g.Name != "book club" || g.DM || g.Public || g.HistoryShared || g.Role != "admin" || g.Members != 1 {
		t.Fatalf("CreateGroup() = %+v, %v", g, err)
	}
	if err := cl.Invite(ctx, "book club", "bob", core.InviteOptions{Expires: 72 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	if err := cl.Invite(ctx, g.ID[:10], "carol", core.InviteOptions{Admin: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.SendMessage(ctx, "book club", "before the others"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"bob", "carol"} {
		if err := node.AddJoin(u, g.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := node.AddMessage("bob", g.ID, "hello all"); err != nil {
		t.Fatal(err)
	}
	ms, err := cl.Members(ctx, "book club")
	if err != nil || len(ms.Members) != 3 || ms.Members[0].Name != "alice" || !ms.Members[0].Me || ms.Members[1].Role != "admin" || ms.Members[2].Name != "bob" {
		t.Fatalf("Members() = %+v, %v; want alice and carol admins, then bob", ms, err)
	}
	if err := cl.SetRole(ctx, "book club", "bob", true); err != nil {
		t.Fatal(err)
	}
	if err := cl.SetRole(ctx, "book club", "carol", false); err != nil {
		t.Fatal(err)
	}
	if err := cl.Remove(ctx, "book club", "carol"); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.SendMessage(ctx, "book club", "after carol"); err != nil {
		t.Fatal(err)
	}
	p, err = cl.Messages(ctx, "book club", "", 2)
	if err != nil || len(p.Messages) != 2 || p.Messages[0].Text != "after carol" || p.Messages[1].Event != "removed" || p.Next != "2" {
		t.Fatalf("Messages(book club, limit 2) = %+v, %v", p, err)
	}
	cs, err := cl.Conversations(ctx)
	if err != nil || len(cs.Conversations) != 2 || cs.Conversations[0].ID != g.ID || cs.Conversations[1].ID != cv.ID {
		t.Fatalf("Conversations() = %+v, %v; want the group, then the DM", cs, err)
	}
	found, err := cl.SearchMessages(ctx, "HELLO", 0)
	if err != nil || len(found.Messages) != 1 || found.Messages[0].Author != "bob" {
		t.Errorf("SearchMessages(HELLO) = %+v, %v", found, err)
	}
	if err := cl.Leave(ctx, "book club"); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.SendMessage(ctx, g.ID, "gone"); !errors.Is(err, core.ErrNotMember) {
		t.Errorf("SendMessage() after leaving = %v, want ErrNotMember", err)
	}

	// Public groups: search and join.
	pub, err := node.AddGroup("bob", "Go readers", true)
	if err != nil {
		t.Fatal(err)
	}
	gs, err := cl.SearchGroups(ctx, "reader", 5)
	if err != nil || len(gs.Groups) != 1 || gs.Groups[0].ID != pub.ID || gs.Groups[0].Joined || gs.Groups[0].Members != 1 {
		t.Fatalf("SearchGroups(reader) = %+v, %v", gs, err)
	}
	if j, err := cl.Join(ctx, pub.ID); err != nil || j.Role != "member" || j.Members != 2 {
		t.Fatalf("Join(public) = %+v, %v", j, err)
	}
}

// TestChatEmptyLists: lists answer [] rather than null.
func TestChatEmptyLists(t *testing.T) {
	_, cl := chatNode(t)
	_, _, base := serve(t, errNode{})
	for _, path := range []string{"/v1/conversations", "/v1/groups/members?group=x", "/v1/groups/search?q=x", "/v1/messages/search?q=x", "/v1/messages?conv=x"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), ":[]") || strings.Contains(string(b), "null") {
			t.Errorf("GET %s = %d %s, want an empty list", path, resp.StatusCode, b)
		}
	}
	if p, err := cl.Messages(context.Background(), "bob", "", 0); err != nil || p.Messages == nil || len(p.Messages) != 0 {
		t.Errorf("Messages(bob) before any DM = %+v, %v, want an empty page", p, err)
	}
}

func TestChatErrors(t *testing.T) {
	ctx := context.Background()
	node, cl := chatNode(t)
	g, err := node.AddGroup("bob", "bobs", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.CreateGroup(ctx, "dup", core.GroupOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.CreateGroup(ctx, "dup", core.GroupOptions{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
		want error
		code string
	}{
		{"DM to nobody", func() error { _, err := cl.SendDM(ctx, "nobody", "x"); return err }, core.ErrUnknownName, "unknown_name"},
		{"DM to self", func() error { _, err := cl.SendDM(ctx, "alice", "x"); return err }, core.ErrSelfMessage, "self_message"},
		{"empty DM", func() error { _, err := cl.SendDM(ctx, "bob", "  "); return err }, core.ErrInvalidMessage, "invalid_message"},
		{"long DM", func() error { _, err := cl.SendDM(ctx, "bob", strings.Repeat("x", 4001)); return err }, core.ErrInvalidMessage, "invalid_message"},
		{"unknown conversation", func() error { _, err := cl.Messages(ctx, "no-such-group", "", 0); return err }, core.ErrNoConversation, "no_conversation"},
		{"ambiguous name", func() error { _, err := cl.SendMessage(ctx, "dup", "x"); return err }, core.ErrAmbiguous, "ambiguous"},
		{"not a member", func() error { _, err := cl.SendMessage(ctx, g.ID, "x"); return err }, core.ErrNotMember, "not_member"},
		{"join uninvited", func() error { _, err := cl.Join(ctx, g.ID); return err }, core.ErrInviteInvalid, "invite_invalid"},
		{"bad cursor", func() error { _, err := cl.Messages(ctx, "bob", "x", 0); return err }, core.ErrBadCursor, "bad_cursor"},
		{"bad group query", func() error { _, err := cl.SearchGroups(ctx, " ", 0); return err }, core.ErrBadQuery, "bad_query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code || !errors.Is(err, tt.want) {
				t.Errorf("error = %#v, want code %q matching %v", err, tt.code, tt.want)
			}
		})
	}
	// Not an admin of a group one is a member of.
	if err := node.AddInvite("bob", g.ID, "alice", false); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Join(ctx, g.ID[:8]); err != nil {
		t.Fatal(err)
	}
	if err := cl.Invite(ctx, g.ID, "carol", core.InviteOptions{}); !errors.Is(err, core.ErrNotAdmin) {
		t.Errorf("Invite() by a member = %v, want ErrNotAdmin", err)
	}
	if err := cl.Remove(ctx, g.ID, "bob"); !errors.Is(err, core.ErrNotAdmin) {
		t.Errorf("Remove() by a member = %v, want ErrNotAdmin", err)
	}
}

// TestChatErrorCodes pins the codes and statuses of the messaging errors.
func TestChatErrorCodes(t *testing.T) {
	tests := []struct {
		err    error
		code   string
		status int
	}{
		{core.ErrNoConversation, "no_conversation", http.StatusNotFound},
		{core.ErrAmbiguous, "ambiguous", http.StatusBadRequest},
		{core.ErrNotMember, "not_member", http.StatusForbidden},
		{core.ErrNotAdmin, "not_admin", http.StatusForbidden},
		{core.ErrInviteInvalid, "invite_invalid", http.StatusConflict},
		{core.ErrInvalidMessage, "invalid_message", http.StatusBadRequest},
		{core.ErrNoPrekey, "no_prekey", http.StatusServiceUnavailable},
		{core.ErrSelfMessage, "self_message", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			cl, _, _ := serve(t, errNode{fmt.Errorf("%w: details", tt.err)})
			_, err := cl.SendMessage(context.Background(), "bob", "hi")
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code || e.Status != tt.status || !errors.Is(err, tt.err) {
				t.Errorf("SendMessage() error = %#v, want code %q status %d matching %v", err, tt.code, tt.status, tt.err)
			}
		})
	}
}

func TestChatBadRequests(t *testing.T) {
	_, _, base := serve(t, errNode{errors.New("not reached")})
	tests := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"GET", "/v1/messages?conv=x&limit=0", "", 400, "invalid limit"},
		{"GET", "/v1/messages?conv=x&limit=201", "", 400, "use 1 to 200"},
		{"GET", "/v1/groups/search?q=x&limit=101", "", 400, "use 1 to 100"},
		{"GET", "/v1/messages/search?q=x&limit=z", "", 400, "invalid limit"},
		{"POST", "/v1/groups/role", `{"group":"g","name":"bob","role":"owner"}`, 400, "invalid role"},
		{"POST", "/v1/groups/remove", `{"group":"g","name":"bob","role":"admin"}`, 400, "remove takes no role"},
		{"POST", "/v1/groups/invite", `{"group":"g","name":"bob","expires":"3 days"}`, 400, "invalid expiry"},
		{"POST", "/v1/groups/invite", `{"group":"g","name":"bob","expires":"800h"}`, 400, "use 1m to 720h"},
		{"POST", "/v1/send", `{"conv":"g","text":"x","extra":1}`, 400, "unknown field"},
		{"GET", "/v1/send", "", 405, "needs method POST"},
		{"POST", "/v1/conversations", "", 405, "needs method GET"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, base+tt.path, strings.NewReader(tt.body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || !strings.Contains(string(b), tt.want) {
				t.Errorf("%s %s = %d %s, want %d and %q", tt.method, tt.path, resp.StatusCode, b, tt.status, tt.want)
			}
		})
	}
}

// TestChatEvents: a message and an invitation reach /v1/events.
func TestChatEvents(t *testing.T) {
	node, cl := chatNode(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	evs := make(chan core.Event, 16)
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- cl.Events(ctx, func() { close(started) }, func(ev core.Event) error { evs <- ev; return nil })
	}()
	<-started
	for node.Watchers() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := node.AddDM("bob", "alice", "psst"); err != nil {
		t.Fatal(err)
	}
	g, _ := node.AddGroup("carol", "carols", false)
	if err := node.AddInvite("carol", g.ID, "alice", false); err != nil {
		t.Fatal(err)
	}
	ev := <-evs
	if ev.Kind != core.EventMessage || ev.Message == nil || ev.Message.Text != "psst" || ev.Conversation == nil || ev.Conversation.Name != "bob" || ev.Conversation.Unread != 1 {
		t.Errorf("first event = %+v, want bob's DM", ev)
	}
	ev = <-evs
	if ev.Kind != core.EventInvite || ev.Conversation == nil || ev.Conversation.Role != "invited" || ev.Conversation.Name != "carols" {
		t.Errorf("second event = %+v, want the invitation", ev)
	}
	cancel()
	<-done
}
