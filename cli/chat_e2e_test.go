package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/core"
)

// TestChatEndToEnd runs the messaging commands against real daemons: a DM
// both ways, a private group with invitations, joins and messages in the
// same order on every member, skein chat fed by a pipe, the shell's DM
// item, a removal that the removed member reads nothing after, a public
// group found by search, and a member offline while messages are sent who
// gets them when back.
func TestChatEndToEnd(t *testing.T) {
	n := newTestNet(t, "alice", "bob", "carol")
	step := func(name string, f func(t *testing.T, n *testNet)) {
		if !t.Run(name, func(t *testing.T) { f(t, n.with(t)) }) {
			t.FailNow() // later steps build on this one
		}
	}
	for _, u := range []string{"alice", "bob", "carol"} {
		n.must(u, "register", u)
	}

	step("dm", func(t *testing.T, n *testNet) {
		// The name record and the encryption key may take a moment to
		// reach the network.
		var r string
		n.eventually(deliverWithin, "alice writes to bob", func() bool {
			res := n.skein("alice", "dm", "bob", "hi bob, it's alice")
			r = res.Stdout
			return res.Code == 0
		})
		if !strings.HasPrefix(r, "20") || !strings.HasSuffix(r, "  @alice: hi bob, it's alice\n") {
			t.Errorf("dm printed %q", r)
		}
		n.eventually(deliverWithin, "bob reads alice's DM", func() bool {
			return strings.Contains(n.must("bob", "messages", "alice"), "  @alice: hi bob, it's alice\n")
		})
		n.must("bob", "dm", "@alice", "hello alice")
		n.eventually(deliverWithin, "alice reads bob's answer", func() bool {
			return strings.Contains(n.must("alice", "conversations"), "@bob: hello alice")
		})
		out := n.must("alice", "messages", "bob")
		wantInOrder(t, out, "  @alice: hi bob, it's alice\n", "  @bob: hello alice\n")
		p := messagesJSON(t, n, "alice", "bob")
		if texts := texts(p); !slices.Equal(texts, []string{"hello alice", "hi bob, it's alice"}) {
			t.Errorf("alice's messages bob --json = %q, want newest first", texts)
		}
		if out := n.must("alice", "inbox"); !strings.HasPrefix(out, "  @bob  [") || strings.Contains(out, "unread") {
			t.Errorf("alice's inbox after reading = %q", out)
		}
		wantError(t, "a DM to oneself", n.skein("alice", "dm", "alice", "me"), "yourself")
		wantError(t, "a DM to nobody", n.skein("alice", "dm", "nosuchuser", "hi"), "no user")
	})

	var club string // the group's ID, 8 hex digits
	step("group", func(t *testing.T, n *testNet) {
		out := n.must("alice", "group", "create", "book-club")
		club = idIn(out)
		if !strings.HasPrefix(out, "created book-club ["+club+"], a private group, 1 member;") {
			t.Fatalf("group create printed %q", out)
		}
		for _, u := range []string{"bob", "carol"} {
			n.eventually(deliverWithin, "alice invites "+u, func() bool {
				return n.skein("alice", "group", "invite", "book-club", u).Code == 0
			})
			n.eventually(deliverWithin, u+" joins", func() bool {
				return n.skein(u, "group", "join", club).Code == 0
			})
		}
		n.eventually(deliverWithin, "alice sees three members", func() bool {
			var ms api.Members
			if json.Unmarshal([]byte(n.must("alice", "group", "members", "book-club", "--json")), &ms) != nil {
				return false
			}
			roles := map[string]string{}
			for _, m := range ms.Members {
				roles[m.Name] = m.Role
			}
			return len(ms.Members) == 3 && roles["alice"] == "admin" && roles["bob"] == "member" && roles["carol"] == "member"
		})
		n.must("alice", "send", "book-club", "welcome, both")
		n.must("bob", "send", club, "thanks alice")
		n.must("carol", "send", club, "hello from carol")
		want := []string{"welcome, both", "thanks alice", "hello from carol"}
		var orders [][]string
		for _, u := range []string{"alice", "bob", "carol"} {
			n.eventually(deliverWithin, u+" has the three messages", func() bool {
				return containsAll(texts(messagesJSON(t, n, u, club)), want)
			})
			orders = append(orders, ids(messagesJSON(t, n, u, club)))
		}
		if !slices.Equal(orders[0], orders[1]) || !slices.Equal(orders[0], orders[2]) {
			t.Errorf("the members show different orders:\nalice %q\nbob   %q\ncarol %q", orders[0], orders[1], orders[2])
		}
		out = n.must("bob", "messages", club)
		wantInOrder(t, out, "  @alice: welcome, both\n")
		// bob may not know carol's name: the node then shows her short key.
		if !strings.Contains(out, "  @bob: thanks alice\n") || !strings.Contains(out, ": hello from carol\n") {
			t.Errorf("bob's messages:\n%s", out)
		}
		if out := n.must("carol", "group", "list"); !strings.Contains(out, "book-club  ["+club+"]  private group, 3 members") {
			t.Errorf("carol's group list = %q", out)
		}
	})

	step("chat from a pipe", func(t *testing.T, n *testNet) {
		r := n.skeinEnv("bob", nil, "a line typed in skein chat\n/quit\n", "chat", club)
		if r.Code != 0 || !strings.HasPrefix(r.Stdout, "chat: book-club ["+club+"]") || !strings.Contains(r.Stdout, "  @bob: a line typed in skein chat\n") {
			t.Fatalf("chat: %s", r)
		}
		n.eventually(deliverWithin, "alice gets the line", func() bool {
			return strings.Contains(n.must("alice", "messages", club), "  @bob: a line typed in skein chat\n")
		})
	})

	step("shell", func(t *testing.T, n *testNet) {
		r := n.skeinEnv("bob", nil, "24\nalice\nsent from the shell\n22\nq\n", "shell")
		if r.Code != 0 || r.Stderr != "" {
			t.Fatalf("shell: %s", r)
		}
		wantInOrder(t, r.Stdout, "[24] Send a direct message\n", "Sent:\n", "  @bob: sent from the shell\n", "|= Conversations =|\n", "book-club  ["+club+"]", "Bye.\n")
		n.eventually(deliverWithin, "alice gets the DM sent from bob's shell", func() bool {
			return strings.Contains(n.must("alice", "messages", "bob"), "  @bob: sent from the shell\n")
		})
	})

	step("remove", func(t *testing.T, n *testNet) {
		if out := n.must("alice", "group", "remove", "book-club", "carol"); out != "removed @carol from book-club ["+club+"]\n" {
			t.Errorf("group remove printed %q", out)
		}
		n.must("alice", "send", "book-club", "now without carol")
		n.eventually(deliverWithin, "bob gets the message sent after the removal", func() bool {
			return strings.Contains(n.must("bob", "messages", club), "  @alice: now without carol\n")
		})
		time.Sleep(3 * time.Second) // time enough for it to reach carol, were it sent to her
		if r := n.skein("carol", "messages", club); strings.Contains(r.Stdout, "now without carol") {
			t.Errorf("carol reads a message sent after her removal:\n%s", r.Stdout)
		}
		wantError(t, "carol sends after her removal", n.skein("carol", "send", club, "still here?"), "not a member")
	})

	step("public group search", func(t *testing.T, n *testNet) {
		out := n.must("alice", "group", "create", "readers-corner", "--public")
		id := idIn(out)
		n.eventually(deliverWithin, "bob finds the public group", func() bool {
			var gs api.Groups
			r := n.skein("bob", "group", "search", "readers", "--json")
			return r.Code == 0 && json.Unmarshal([]byte(r.Stdout), &gs) == nil && len(gs.Groups) == 1 && gs.Groups[0].ID[:8] == id
		})
		if out := n.must("bob", "group", "search", "CORNER"); !strings.HasPrefix(out, "readers-corner  ["+id+"]  1 member") {
			t.Errorf("group search printed %q", out)
		}
		if out := n.must("bob", "group", "join", id); !strings.HasPrefix(out, "joined readers-corner ["+id+"], public group") {
			t.Errorf("joining the public group printed %q", out)
		}
		if out := n.must("alice", "group", "search", "book-club"); out != "no public group found\n" {
			t.Errorf("a search for the private group's name = %q", out)
		}
	})

	step("offline member", func(t *testing.T, n *testNet) {
		n.stop("bob")
		n.must("alice", "dm", "bob", "while you were away, one")
		n.must("alice", "dm", "bob", "while you were away, two")
		n.must("alice", "send", club, "the club talked while bob was away")
		n.start("bob")
		n.must("bob", "login", "bob")
		n.eventually(deliverWithin, "bob gets what he missed", func() bool {
			out := n.must("bob", "messages", "alice")
			return strings.Contains(out, "while you were away, two") &&
				strings.Contains(n.must("bob", "messages", club), "the club talked while bob was away")
		})
		wantInOrder(t, n.must("bob", "messages", "alice"), "hi bob, it's alice", "hello alice", "while you were away, one", "while you were away, two")
		if out := n.must("bob", "search", "--messages", "away"); strings.Count(out, "\n") != 3 {
			t.Errorf("bob's search --messages away =\n%s", out)
		}
	})
}

// messagesJSON returns user's messages --json of conv.
func messagesJSON(t *testing.T, n *testNet, user, conv string) core.MessagePage {
	t.Helper()
	var p core.MessagePage
	if err := json.Unmarshal([]byte(n.must(user, "messages", conv, "--json", "--limit", "200")), &p); err != nil {
		t.Fatalf("%s's messages %s --json: %v", user, conv, err)
	}
	return p
}

// texts returns the texts of the messages of p, not the events.
func texts(p core.MessagePage) []string {
	var out []string
	for _, m := range p.Messages {
		if m.Event == "" {
			out = append(out, m.Text)
		}
	}
	return out
}

// ids returns the IDs of the messages of p, not the events.
func ids(p core.MessagePage) []string {
	var out []string
	for _, m := range p.Messages {
		if m.Event == "" {
			out = append(out, m.ID)
		}
	}
	return out
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}
