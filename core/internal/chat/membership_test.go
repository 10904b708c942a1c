package chat

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
)

func roles(t testing.TB, n *node, g chatlog.GroupID, names map[entry.Key]string) []string {
	t.Helper()
	ms, err := n.e.Members(g)
	if err != nil {
		t.Fatalf("%s.Members = %v", n.name, err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, names[m.Key]+"="+m.Role)
	}
	slices.Sort(out)
	return out
}

// TestRemove: the removed member decrypts nothing sent causally after the
// removal, and can no longer send.
func TestRemove(t *testing.T) {
	for _, shared := range []bool{true, false} {
		t.Run(map[bool]string{true: "shared", false: "joined"}[shared], func(t *testing.T) {
			tn := newNet(t)
			a, b, c := tn.add("a", 1), tn.add("b", 2), tn.add("c", 3)
			g := tn.privateGroup(shared, a, b, c)
			names := tn.names()
			_, es, err := a.e.Send(g, "before", nil, tn.keys)
			if err != nil {
				t.Fatal(err)
			}
			tn.send(es, b, c)
			rm, err := a.e.Remove(g, b.key, tn.keys)
			if err != nil {
				t.Fatalf("Remove = %v", err)
			}
			tn.send(rm, b, c)
			for _, n := range []*node{a, c} {
				_, es, err := n.e.Send(g, "after "+n.name, nil, tn.keys)
				if err != nil {
					t.Fatalf("%s.Send = %v", n.name, err)
				}
				if len(es) != 1 {
					t.Errorf("%s.Send emitted %d entries, want 1 (the removal re-keyed)", n.name, len(es))
				}
				tn.send(es, a, b, c)
			}
			tn.sync()
			if got := b.e.Search("after", 10); len(got) != 0 {
				t.Fatalf("removed member decrypted %d messages sent after: %+v", len(got), got)
			}
			if got, want := msgs(t, b, g, names), []string{"a:before"}; !slices.Equal(got, want) {
				t.Errorf("b shows %q, want %q", got, want)
			}
			if got, want := msgs(t, c, g, names), []string{"a:before", "a:after a", "c:after c"}; !slices.Equal(got, want) {
				t.Errorf("c shows %q, want %q", got, want)
			}
			if _, _, err := b.e.Send(g, "still here?", nil, tn.keys); !errors.Is(err, ErrNotMember) {
				t.Errorf("b.Send = %v, want ErrNotMember", err)
			}
			want := []string{"a=admin", "c=member"}
			for _, n := range []*node{a, b, c} {
				if got := roles(t, n, g, names); !slices.Equal(got, want) {
					t.Errorf("%s: members %q, want %q", n.name, got, want)
				}
			}
			if conv, _ := b.e.Conversation(g); conv.Role != "" {
				t.Errorf("b's role = %q", conv.Role)
			}
		})
	}
}

// TestRemovedAdminAddIsVoid: an admin removed concurrently with its own
// invite: the invite is void everywhere.
func TestRemovedAdminAddIsVoid(t *testing.T) {
	tn := newNet(t)
	a, b, c, d := tn.add("a", 1), tn.add("b", 2), tn.add("c", 3), tn.add("d", 4)
	g := tn.privateGroup(true, a, b, c)
	names := tn.names()
	if _, err := a.e.SetRole(g, b.key, true); err != nil {
		t.Fatal(err)
	}
	tn.sync(a, b, c)
	rm, err := a.e.Remove(g, b.key, tn.keys) // b does not see it yet
	if err != nil {
		t.Fatal(err)
	}
	tn.clock.Advance(time.Millisecond)
	inv, err := b.e.Invite(g, d.key, false, 0, tn.keys)
	if err != nil {
		t.Fatalf("b.Invite = %v", err)
	}
	tn.send(rm, c)
	tn.send(inv, c, d)
	tn.sync()
	want := []string{"a=admin", "c=member"}
	for _, n := range []*node{a, b, c, d} {
		if got := roles(t, n, g, names); !slices.Equal(got, want) {
			t.Errorf("%s: members %q, want %q", n.name, got, want)
		}
	}
	if _, err := d.e.Join(g); !errors.Is(err, ErrInviteInvalid) {
		t.Errorf("d.Join = %v, want ErrInviteInvalid", err)
	}
}

// TestMutualRemoval: two admins remove each other concurrently; the first
// in display order wins, the same on every member.
func TestMutualRemoval(t *testing.T) {
	tn := newNet(t)
	a, b, c := tn.add("a", 1), tn.add("b", 2), tn.add("c", 3)
	g := tn.privateGroup(true, a, b, c)
	names := tn.names()
	if _, err := a.e.SetRole(g, b.key, true); err != nil {
		t.Fatal(err)
	}
	tn.sync()
	ra, err := a.e.Remove(g, b.key, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	tn.clock.Advance(time.Millisecond)
	rb, err := b.e.Remove(g, a.key, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	tn.send(rb, c)
	tn.send(ra, c)
	tn.sync()
	// a's removal has the earlier time: it wins, b's is void.
	want := []string{"a=admin", "c=member"}
	for _, n := range []*node{a, b, c} {
		if got := roles(t, n, g, names); !slices.Equal(got, want) {
			t.Errorf("%s: members %q, want %q", n.name, got, want)
		}
	}
	if ta, tc := texts(t, a, g, names), texts(t, c, g, names); !slices.Equal(ta, tc) {
		t.Errorf("histories differ: %q vs %q", ta, tc)
	}
}

// TestJoinHistory: with history shared a newcomer reads the messages sent
// before its invite; with policy joined it reads none of them.
func TestJoinHistory(t *testing.T) {
	for _, shared := range []bool{true, false} {
		t.Run(map[bool]string{true: "shared", false: "joined"}[shared], func(t *testing.T) {
			tn := newNet(t)
			a, b, c := tn.add("a", 1), tn.add("b", 2), tn.add("c", 3)
			g := tn.privateGroup(shared, a, b)
			names := tn.names()
			var old []string
			for i := range 3 {
				_, es, err := a.e.Send(g, "old", nil, tn.keys)
				if err != nil {
					t.Fatal(err)
				}
				tn.send(es, b)
				old = append(old, "a:old")
				_ = i
			}
			// Force an epoch change among the old messages.
			if _, err := a.e.Remove(g, b.key, tn.keys); err != nil {
				t.Fatal(err)
			}
			_, _, err := a.e.Send(g, "old", nil, tn.keys)
			if err != nil {
				t.Fatal(err)
			}
			old = append(old, "a:old")
			inv, err := a.e.Invite(g, c.key, false, time.Hour, tn.keys)
			if err != nil {
				t.Fatal(err)
			}
			tn.send(inv, c)
			tn.sync(a, c)
			if _, err := c.e.Join(g); err != nil {
				t.Fatalf("c.Join = %v", err)
			}
			tn.sync(a, c)
			_, es, err := a.e.Send(g, "new", nil, tn.keys)
			if err != nil {
				t.Fatal(err)
			}
			tn.send(es, c)
			want := []string{"a:new"}
			if shared {
				want = append(old, "a:new")
			}
			if got := msgs(t, c, g, names); !slices.Equal(got, want) {
				t.Errorf("c shows %q, want %q", got, want)
			}
			conv, err := c.e.Conversation(g)
			if err != nil || conv.Name != "team" || conv.Role != "member" {
				t.Errorf("c.Conversation = %+v, %v", conv, err)
			}
			if s := c.e.Stats(); shared && s.Undecryptable != 0 {
				t.Errorf("c.Stats = %+v", s)
			}
		})
	}
}

// TestInviteRules: invites are single-use, expire, and only admins'
// count.
func TestInviteRules(t *testing.T) {
	tn := newNet(t)
	a, b, c, d := tn.add("a", 1), tn.add("b", 2), tn.add("c", 3), tn.add("d", 4)
	g := tn.privateGroup(true, a, b)
	names := tn.names()

	t.Run("by a non-admin", func(t *testing.T) {
		if _, err := b.e.Invite(g, d.key, false, 0, tn.keys); !errors.Is(err, ErrNotAdmin) {
			t.Fatalf("b.Invite = %v, want ErrNotAdmin", err)
		}
		forged := forge(t, b, g, bodyDraft(chatlog.KindInvite, chatlog.Body{Target: d.key, Role: chatlog.RoleMember,
			Expires: uint64(tn.clock.Now().Add(time.Hour).UnixMilli())}))
		tn.send([]*chatlog.Entry{forged}, a, d)
		tn.sync(a, b, d)
		if _, err := d.e.Join(g); !errors.Is(err, ErrInviteInvalid) {
			t.Fatalf("d.Join after a member's invite = %v, want ErrInviteInvalid", err)
		}
		if got := roles(t, a, g, names); slices.Contains(got, "d=invited") {
			t.Fatalf("a's members %q include d", got)
		}
	})
	t.Run("expired", func(t *testing.T) {
		inv, err := a.e.Invite(g, c.key, false, time.Minute, tn.keys)
		if err != nil {
			t.Fatal(err)
		}
		tn.send(inv, c)
		tn.sync(a, b, c)
		if got := c.eventCount("invite"); got != 1 {
			t.Errorf("c got %d invite events, want 1", got)
		}
		tn.clock.Advance(2 * time.Minute)
		if _, err := c.e.Join(g); !errors.Is(err, ErrInviteInvalid) {
			t.Fatalf("c.Join after expiry = %v, want ErrInviteInvalid", err)
		}
	})
	t.Run("used twice", func(t *testing.T) {
		inv, err := a.e.Invite(g, c.key, false, time.Hour, tn.keys)
		if err != nil {
			t.Fatal(err)
		}
		tn.send(inv, c)
		tn.sync(a, b, c)
		if _, err := c.e.Join(g); err != nil {
			t.Fatalf("c.Join = %v", err)
		}
		if _, err := c.e.Leave(g); err != nil {
			t.Fatalf("c.Leave = %v", err)
		}
		if _, err := c.e.Join(g); !errors.Is(err, ErrInviteInvalid) {
			t.Fatalf("second c.Join = %v, want ErrInviteInvalid", err)
		}
		// A join forged with the used invite takes no effect anywhere.
		forged := forge(t, c, g, draft{kind: chatlog.KindJoin, must: []chatlog.ID{inv[0].ID()},
			body: func([]byte) ([]byte, error) { return (&chatlog.Body{Invite: inv[0].ID()}).Encode(), nil }})
		tn.send([]*chatlog.Entry{forged}, a)
		tn.sync(a, b, c)
		for _, n := range []*node{a, b, c} {
			if got := roles(t, n, g, names); slices.Contains(got, "c=member") {
				t.Fatalf("%s: members %q include c", n.name, got)
			}
		}
	})
	t.Run("last admin", func(t *testing.T) {
		if _, err := a.e.Leave(g); !errors.Is(err, ErrLastAdmin) {
			t.Fatalf("a.Leave = %v, want ErrLastAdmin", err)
		}
		if _, err := a.e.SetRole(g, a.key, false); !errors.Is(err, ErrLastAdmin) {
			t.Fatalf("a.SetRole(a, member) = %v, want ErrLastAdmin", err)
		}
	})
}

// TestDM: both sides create the DM concurrently; both creates are valid,
// both epochs usable, and each reads the other.
func TestDM(t *testing.T) {
	tn := newNet(t)
	a, b := tn.add("a", 1), tn.add("b", 2)
	names := tn.names()
	ga, ca, err := a.e.StartDM(b.key, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	gb, cb, err := b.e.StartDM(a.key, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	if ga != gb || len(ca) != 1 || len(cb) != 1 {
		t.Fatalf("StartDM: %v %d / %v %d", ga, len(ca), gb, len(cb))
	}
	_, ma, err := a.e.Send(ga, "hi b", nil, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	_, mb, err := b.e.Send(gb, "hi a", nil, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	if !b.e.Wants(ca[0]) {
		t.Fatal("b does not want a's DM create")
	}
	tn.send(append(ca, ma...), b)
	tn.send(append(cb, mb...), a)
	for _, n := range []*node{a, b} {
		got := msgs(t, n, ga, names)
		if len(got) != 2 || !slices.Contains(got, "a:hi b") || !slices.Contains(got, "b:hi a") {
			t.Errorf("%s: %q", n.name, got)
		}
		conv, err := n.e.Conversation(ga)
		if err != nil || !conv.DM || conv.Members != 2 || conv.Role != "admin" {
			t.Errorf("%s: %+v %v", n.name, conv, err)
		}
	}
	if ca, _ := a.e.Conversation(ga); ca.Peer != b.key || ca.Unread != 1 {
		t.Errorf("a's DM: peer %s unread %d", ca.Peer.Short(), ca.Unread)
	}
	if err := a.e.MarkRead(ga); err != nil {
		t.Fatal(err)
	}
	if ca, _ := a.e.Conversation(ga); ca.Unread != 0 {
		t.Errorf("unread after MarkRead = %d", ca.Unread)
	}
	if _, es, _ := a.e.StartDM(b.key, tn.keys); len(es) != 0 {
		t.Errorf("StartDM again emitted %d entries", len(es))
	}
	if got := a.eventCount("message"); got != 2 {
		t.Errorf("a got %d message events, want 2 (its own and b's)", got)
	}
	// A third account's entries are refused.
	x := privOf(9)
	en := signed(t, x, chatlog.Entry{Group: ga, Author: keyOf(x), Seq: 1, Time: a.e.clock.Now(), Kind: chatlog.KindMsg,
		Body: chatlog.Payload{Text: "let me in"}.Encode()})
	if r := a.e.Ingest([]*chatlog.Entry{en}); !errors.Is(r.Err, ErrNonMember) {
		t.Errorf("Ingest(third party) = %+v", r)
	}
	// Rotation: a DM re-keys after 100 messages per epoch (two epochs
	// here, one per create).
	rekeys := 0
	for i := range 200 {
		_, es, err := a.e.Send(ga, "m", nil, tn.keys)
		if err != nil {
			t.Fatal(i, err)
		}
		rekeys += len(es) - 1
		tn.send(es, b)
	}
	if rekeys != 1 {
		t.Errorf("%d rekeys in 200 DM messages, want 1", rekeys)
	}
	if s := b.e.Stats(); s.Undecryptable != 0 {
		t.Errorf("b.Stats = %+v", s)
	}
}

// TestRemovalHidesConcurrent: a removed member's messages concurrent with
// the removal are hidden once the removal arrives, wherever they fall.
func TestRemovalHidesConcurrent(t *testing.T) {
	tn := newNet(t)
	a, b, c := tn.add("a", 1), tn.add("b", 2), tn.add("c", 3)
	g := tn.privateGroup(true, a, b, c)
	names := tn.names()
	rm, err := a.e.Remove(g, b.key, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	tn.clock.Advance(time.Millisecond)
	_, es, err := b.e.Send(g, "concurrent", nil, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	tn.send(es, c)
	if got := msgs(t, c, g, names); !slices.Equal(got, []string{"b:concurrent"}) {
		t.Fatalf("before the removal arrives c shows %q", got)
	}
	tn.send(rm, c)
	if got := msgs(t, c, g, names); len(got) != 0 {
		t.Fatalf("after the removal c shows %q", got)
	}
	tn.sync()
	if got := msgs(t, a, g, names); len(got) != 0 {
		t.Fatalf("a shows %q", got)
	}
}
