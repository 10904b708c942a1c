package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

type chatlogKey = entry.Key

// chatTexts returns the texts of a conversation's messages, oldest first,
// without membership events.
func chatTexts(t *testing.T, n *Node, conv string) []string {
	t.Helper()
	p, err := n.Messages(context.Background(), conv, "", 200)
	if err != nil {
		t.Fatalf("Messages(%s): %v", conv, err)
	}
	var out []string
	for i := len(p.Messages) - 1; i >= 0; i-- {
		m := p.Messages[i]
		if m.Event == "" {
			out = append(out, m.Author+": "+m.Text)
		}
	}
	return out
}

// waitTexts waits until conv on n shows exactly want, oldest first.
func waitTexts(t *testing.T, n *Node, conv string, want ...string) {
	t.Helper()
	var got []string
	deadline := time.Now().Add(20 * time.Second)
	for {
		got = chatTexts(t, n, conv)
		if slices.Equal(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("messages of %s: got %q, want %q", conv, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// relayHolds reports whether any value in the relay's database contains b.
func relayHolds(t *testing.T, r *Relay, b []byte) bool {
	t.Helper()
	it := r.kv.Find(nil, nil, false)
	found := false
	for it.Next() && !found {
		found = bytes.Contains(it.Value(), b) || bytes.Contains(it.Key(), b)
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	return found
}

func TestChatDM(t *testing.T) {
	ctx := context.Background()
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")

	var mu sync.Mutex
	var events []Event
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	go bob.Watch(wctx, func(ev Event) {
		if ev.Kind == EventMessage {
			mu.Lock()
			events = append(events, ev)
			mu.Unlock()
		}
	})

	secret := "the eagle lands at nine"
	m, err := alice.SendDM(ctx, "bob", secret)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Mine || m.Text != secret {
		t.Fatalf("sent message = %+v", m)
	}
	waitTexts(t, bob, "alice", "alice: "+secret)
	waitFor(t, "bob's message event", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(events) > 0 && events[0].Message.Text == secret
	})
	if _, err := bob.SendMessage(ctx, "alice", "roger"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, alice, "bob", "alice: "+secret, "bob: roger")

	convs, err := bob.Conversations(ctx)
	if err != nil || len(convs) != 1 || !convs[0].DM || convs[0].Name != "alice" {
		t.Fatalf("bob's conversations = %+v, %v", convs, err)
	}
	// The relay keeps the DM for bob's next wake, and only as ciphertext.
	waitFor(t, "the relay to hold the DM", func() bool { return len(tn.relay.chat.Groups()) == 1 })
	if relayHolds(t, tn.relay, []byte(secret)) {
		t.Fatal("the relay's database holds the DM's plaintext")
	}
	if _, err := alice.SendDM(ctx, "alice", "me"); !errors.Is(err, ErrSelfMessage) {
		t.Fatalf("DM to self: %v", err)
	}
	if _, err := alice.SendMessage(ctx, "nobody-here", "x"); !errors.Is(err, ErrNoConversation) {
		t.Fatalf("message to an unknown name: %v", err)
	}
}

func TestChatGroupLifecycle(t *testing.T) {
	ctx := context.Background()
	tn := newTestNet(t)
	alice, bob, carol := tn.user("alice"), tn.user("bob"), tn.user("carol")

	g, err := alice.CreateGroup(ctx, "book club", GroupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g.Role != "admin" || g.Members != 1 || g.Public {
		t.Fatalf("created %+v", g)
	}
	for _, name := range []string{"bob", "carol"} {
		if err := alice.Invite(ctx, g.ID, name, InviteOptions{}); err != nil {
			t.Fatalf("Invite(%s): %v", name, err)
		}
	}
	for _, n := range []*Node{bob, carol} {
		waitFor(t, "the invitation", func() bool {
			c, err := n.Conversation(ctx, g.ID)
			return err == nil && c.Role == "invited"
		})
		c, err := n.Join(ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != "book club" {
			t.Fatalf("joined %+v", c)
		}
	}
	waitFor(t, "three members on alice", func() bool {
		ms, err := alice.Members(ctx, g.ID)
		return err == nil && len(ms) == 3 && !slices.ContainsFunc(ms, func(m Member) bool { return m.Role == "invited" })
	})
	if _, err := alice.SendMessage(ctx, "book club", "first chapter?"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, carol, g.ID, "alice: first chapter?")
	if _, err := bob.SendMessage(ctx, g.ID, "read it"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, carol, g.ID, "alice: first chapter?", "bob: read it")

	// Only an admin removes; the removal re-keys.
	if err := bob.Remove(ctx, g.ID, "carol"); !errors.Is(err, ErrNotAdmin) {
		t.Fatalf("a member removing: %v", err)
	}
	if err := alice.Remove(ctx, g.ID, "carol"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "bob to see carol removed", func() bool {
		ms, _ := bob.Members(ctx, g.ID)
		return len(ms) == 2
	})
	if _, err := bob.SendMessage(ctx, g.ID, "after carol left"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, alice, g.ID, "alice: first chapter?", "bob: read it", "bob: after carol left")
	// carol gets the entry (the relay and gossip carry it) but cannot read it.
	time.Sleep(500 * time.Millisecond)
	for _, m := range chatTextsAll(t, carol, g.ID) {
		if m == "bob: after carol left" {
			t.Fatal("a removed member read a message sent after the removal")
		}
	}
	if _, err := carol.SendMessage(ctx, g.ID, "still here?"); !errors.Is(err, ErrNotMember) {
		t.Fatalf("a removed member sending: %v", err)
	}
	if err := bob.Leave(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "alice alone", func() bool {
		ms, _ := alice.Members(ctx, g.ID)
		return len(ms) == 1
	})
}

// chatTextsAll is chatTexts including what the account cannot show.
func chatTextsAll(t *testing.T, n *Node, conv string) []string {
	return chatTexts(t, n, conv)
}

func TestChatOfflineMember(t *testing.T) {
	ctx := context.Background()
	tn := newTestNet(t)
	alice := tn.user("alice")
	bobDir := t.TempDir()
	bob := tn.nodeWith("bob", func(c *Config) { c.DataDir = bobDir })
	if _, err := alice.SendDM(ctx, "bob", "hello"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, bob, "alice", "alice: hello")
	bob.Close()

	var want []string
	want = append(want, "alice: hello")
	for i := range 20 {
		text := fmt.Sprintf("while you were away %d", i)
		if _, err := alice.SendMessage(ctx, "bob", text); err != nil {
			t.Fatal(err)
		}
		want = append(want, "alice: "+text)
	}
	bob = tn.nodeWith("", func(c *Config) { c.DataDir = bobDir })
	if _, err := bob.Login(ctx, "bob", "pw-bob"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, bob, "alice", want...)
}

func TestChatCausalDelay(t *testing.T) {
	ctx := context.Background()
	tn := newTestNet(t)
	// The seed's -delay: alice's first message is held back on the wire
	// towards carol only, by every path (gossip, the relay, fetches from
	// bob); bob sees it at once and answers. carol must never show bob's
	// answer before it, and every member shows the same order.
	alice, bob := tn.user("alice"), tn.user("bob")
	var aliceKey chatlogKey
	var once sync.Once
	carol := tn.nodeWith("carol", func(c *Config) {
		c.chatHold = func(e *chatlog.Entry) time.Duration {
			held := time.Duration(0)
			if e.Author == aliceKey && e.Kind == chatlog.KindMsg {
				once.Do(func() { held = 3 * time.Second })
			}
			return held
		}
	})
	aliceKey = alice.session().key
	g, err := alice.CreateGroup(ctx, "ordering", GroupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []*Node{bob, carol} {
		if err := alice.Invite(ctx, g.ID, n.session().name, InviteOptions{}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the invitation", func() bool {
			c, err := n.Conversation(ctx, g.ID)
			return err == nil && c.Role == "invited"
		})
		if _, err := n.Join(ctx, g.ID); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "everyone joined", func() bool {
		for _, n := range []*Node{alice, bob, carol} {
			ms, _ := n.Members(ctx, g.ID)
			if len(ms) != 3 || slices.ContainsFunc(ms, func(m Member) bool { return m.Role == "invited" }) {
				return false
			}
		}
		return true
	})
	var order []string
	var mu sync.Mutex
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	go carol.Watch(wctx, func(ev Event) {
		if ev.Kind == EventMessage && ev.Message.Event == "" {
			mu.Lock()
			order = append(order, ev.Message.Text)
			mu.Unlock()
		}
	})
	if _, err := alice.SendMessage(ctx, g.ID, "question"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, bob, g.ID, "alice: question")
	if _, err := bob.SendMessage(ctx, g.ID, "answer"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, carol, g.ID, "alice: question", "bob: answer")
	// Events follow delivery: wait for both, then check their order.
	waitFor(t, "carol's two message events", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(order) >= 2
	})
	mu.Lock()
	if !slices.Equal(order, []string{"question", "answer"}) {
		t.Fatalf("carol was shown %q", order)
	}
	mu.Unlock()
	for _, n := range []*Node{alice, bob} {
		waitTexts(t, n, g.ID, "alice: question", "bob: answer")
	}
}

func TestChatJoinHistory(t *testing.T) {
	ctx := context.Background()
	tn := newTestNet(t)
	alice, bob, carol := tn.user("alice"), tn.user("bob"), tn.user("carol")
	for _, tc := range []struct {
		name   string
		opts   GroupOptions
		joiner *Node
		want   []string
	}{
		{"shared", GroupOptions{}, bob, []string{"alice: before", "alice: after"}},
		{"joined", GroupOptions{HistoryJoined: true}, carol, []string{"alice: after"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := alice.CreateGroup(ctx, "history "+tc.name, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := alice.SendMessage(ctx, g.ID, "before"); err != nil {
				t.Fatal(err)
			}
			name := tc.joiner.session().name
			if err := alice.Invite(ctx, g.ID, name, InviteOptions{}); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the invitation", func() bool {
				c, err := tc.joiner.Conversation(ctx, g.ID)
				return err == nil && c.Role == "invited"
			})
			if _, err := tc.joiner.Join(ctx, g.ID); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the join", func() bool {
				ms, _ := alice.Members(ctx, g.ID)
				return len(ms) == 2 && !slices.ContainsFunc(ms, func(m Member) bool { return m.Role == "invited" })
			})
			if _, err := alice.SendMessage(ctx, g.ID, "after"); err != nil {
				t.Fatal(err)
			}
			waitTexts(t, tc.joiner, g.ID, tc.want...)
		})
	}
}

func TestChatPublicGroupSearch(t *testing.T) {
	ctx := context.Background()
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	g, err := alice.CreateGroup(ctx, "Go Programmers", GroupOptions{Public: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.CreateGroup(ctx, "secret programmers", GroupOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.SendMessage(ctx, g.ID, "welcome"); err != nil {
		t.Fatal(err)
	}
	var found []GroupResult
	waitFor(t, "the public group in search", func() bool {
		found, err = bob.SearchGroups(ctx, "programmers", 10)
		return err == nil && len(found) > 0
	})
	if len(found) != 1 || found[0].ID != g.ID || found[0].Name != "Go Programmers" {
		t.Fatalf("SearchGroups = %+v (a private group must never be listed)", found)
	}
	if _, err := bob.Join(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, bob, g.ID, "alice: welcome")
	if _, err := bob.SendMessage(ctx, g.ID, "hi all"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, alice, g.ID, "alice: welcome", "bob: hi all")
	res, err := bob.SearchMessages(ctx, "WELCOME", 10)
	if err != nil || len(res) != 1 || res[0].Text != "welcome" {
		t.Fatalf("SearchMessages = %+v, %v", res, err)
	}
}

var _ = store.ChatPrefix

func TestChatErrors(t *testing.T) {
	ctx := context.Background()
	tn := newTestNet(t)
	alice, _ := tn.user("alice"), tn.user("bob")
	if _, err := alice.SendDM(ctx, "bob", "hi"); err != nil {
		t.Fatal(err)
	}
	g, err := alice.CreateGroup(ctx, "solo", GroupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"group name too long", func() error { _, err := alice.CreateGroup(ctx, strings.Repeat("n", 65), GroupOptions{}); return err }(), ErrInvalidGroupName},
		{"group name on two lines", func() error { _, err := alice.CreateGroup(ctx, "a\nb", GroupOptions{}); return err }(), ErrInvalidGroupName},
		{"the last admin steps down", alice.SetRole(ctx, g.ID, "alice", false), ErrLastAdmin},
		{"leaving a DM", alice.Leave(ctx, "bob"), ErrNotInDM},
		{"a cursor not made by Messages", func() error { _, err := alice.Messages(ctx, g.ID, "AAAA", 10); return err }(), ErrBadCursor},
		{"a cursor that is not base64", func() error { _, err := alice.Messages(ctx, g.ID, "%%", 10); return err }(), ErrBadCursor},
		{"an empty message search", func() error { _, err := alice.SearchMessages(ctx, " ", 10); return err }(), ErrBadQuery},
		{"a group search of 101 characters", func() error { _, err := alice.SearchGroups(ctx, strings.Repeat("q", 101), 10); return err }(), ErrBadQuery},
		{"an empty message", func() error { _, err := alice.SendMessage(ctx, g.ID, ""); return err }(), ErrInvalidMessage},
		{"an unknown group ID", func() error { _, err := alice.Members(ctx, strings.Repeat("ab", 32)); return err }(), ErrNoConversation},
		{"an invitation for nobody", alice.Invite(ctx, g.ID, "nobody_here", InviteOptions{}), ErrUnknownName},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, tt.err, tt.want)
		}
	}
}

// TestChatBackgroundWake: a phone in background mode holds no connection;
// a DM and a group message sent meanwhile wait at the relay and arrive at
// its next wake, and what it writes in background goes out at a wake too.
func TestChatBackgroundWake(t *testing.T) {
	ctx := context.Background()
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	if _, err := alice.SendDM(ctx, "bob", "before"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, bob, "alice", "alice: before")
	g, err := alice.CreateGroup(ctx, "night owls", GroupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := alice.Invite(ctx, g.ID, "bob", InviteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the invitation", func() bool {
		c, err := bob.Conversation(ctx, g.ID)
		return err == nil && c.Role == "invited"
	})
	if _, err := bob.Join(ctx, g.ID); err != nil {
		t.Fatal(err)
	}

	bob.cfg.BackgroundSync = 300 * time.Millisecond
	setPower(t, bob, PowerBackground)
	waitFor(t, "bob's connections closed", func() bool { return peers(bob) == 0 })
	if _, err := alice.SendDM(ctx, "bob", "while you sleep"); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.SendMessage(ctx, g.ID, "owls awake"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, bob, "alice", "alice: before", "alice: while you sleep")
	waitTexts(t, bob, g.ID, "alice: owls awake")
	if _, err := bob.SendMessage(ctx, g.ID, "hoot from the background"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, alice, g.ID, "alice: owls awake", "bob: hoot from the background")
}
