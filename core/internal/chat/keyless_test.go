package chat

import (
	"slices"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/store"
)

// push gives the relay every entry n holds of g (as members push their
// own entries to their relays).
func push(t testing.TB, n, relay *node, g chatlog.GroupID) {
	t.Helper()
	es, _ := n.e.After(g, nil, 10_000, 64<<20)
	// The relay keeps a group once it holds its create.
	slices.SortStableFunc(es, func(x, y *chatlog.Entry) int {
		return boolInt(y.Kind == chatlog.KindCreate) - boolInt(x.Kind == chatlog.KindCreate)
	})
	if r := relay.e.Ingest(es); r.Err != nil {
		t.Fatalf("relay.Ingest = %+v", r)
	}
}

func countRows(t testing.TB, kv store.KV, g chatlog.GroupID, table byte) int {
	t.Helper()
	p := groupKey(g, table)
	it := kv.Find(p, store.PrefixEnd(p), false)
	defer it.Close()
	n := 0
	for it.Next() {
		n++
	}
	return n
}

// TestKeyless: a relay holds and serves a group's entries without ever
// holding plaintext; a newcomer catches up from the relay alone; GC drops
// old messages but keeps the membership.
func TestKeyless(t *testing.T) {
	tn := newNet(t)
	a, b, c := tn.add("a", 1), tn.add("b", 2), tn.add("c", 3)
	relay := tn.add("relay", 0)
	g := tn.privateGroup(true, a, b)
	names := tn.names()
	other, _ := chatlog.NewGroupID()
	if relay.e.Wants(&chatlog.Entry{Group: other, Kind: chatlog.KindMsg}) {
		t.Fatal("relay wants a message of an unknown group")
	}
	push(t, a, relay, g)
	push(t, b, relay, g)
	for i, n := range []*node{a, b, a} {
		_, es, err := n.e.Send(g, "secret "+n.name, nil, tn.keys)
		if err != nil {
			t.Fatal(i, err)
		}
		tn.send(es, relay, a, b)
	}
	inv, err := a.e.Invite(g, c.key, false, 0, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	tn.send(inv, relay, c)
	tn.sync(relay, c)
	if _, err := c.e.Join(g); err != nil {
		t.Fatalf("c.Join = %v", err)
	}
	want := []string{"a:secret a", "b:secret b", "a:secret a"}
	if got := msgs(t, c, g, names); !slices.Equal(got, want) {
		t.Fatalf("c (from the relay only) shows %q, want %q", got, want)
	}
	if fa, fr := a.e.Frontier(g), relay.e.Frontier(g); len(fa) != len(fr) || fa[a.key] != fr[a.key] || fa[b.key] != fr[b.key] {
		t.Errorf("frontiers: a %v, relay %v", fa, fr)
	}
	if got := relay.e.ByID(g, []chatlog.ID{inv[0].ID()}); len(got) != 1 || got[0].ID() != inv[0].ID() {
		t.Errorf("relay.ByID = %v", got)
	}
	if n := countRows(t, relay.kv, g, gPlain) + countRows(t, relay.kv, g, gSecret); n != 0 {
		t.Fatalf("relay holds %d plaintext or secret rows", n)
	}
	for _, m := range texts(t, relay, g, names) {
		if slicesContainsSecret(m) {
			t.Fatalf("relay history shows %q", m)
		}
	}
	if ms, _ := relay.e.Members(g); len(ms) != 3 {
		t.Errorf("relay.Members = %+v", ms)
	}

	// GC after the retention: messages go, control entries stay; the
	// group stays, since b wrote in it since (a does not see b's message).
	tn.clock.Advance(20 * 24 * time.Hour)
	_, mid, err := b.e.Send(g, "mid", nil, tn.keys)
	if err != nil || relay.e.Ingest(mid).Delivered != len(mid) {
		t.Fatalf("b's message at day 20: %v", err)
	}
	tn.clock.Advance(11 * 24 * time.Hour)
	if n := relay.e.GC(tn.clock.Now()); n != 3 {
		t.Fatalf("GC = %d, want 3", n)
	}
	es, _ := relay.e.After(g, nil, 1000, 1<<20)
	for _, en := range es {
		if en.Kind == chatlog.KindMsg && en.ID() != mid[len(mid)-1].ID() {
			t.Fatalf("relay serves a collected message")
		}
	}
	// A later message naming a collected one still delivers at the relay.
	_, es, err = a.e.Send(g, "a month later", nil, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	r := relay.e.Ingest(es)
	if r.Err != nil || r.Delivered != len(es) {
		t.Fatalf("relay.Ingest after GC = %+v", r)
	}
	if a.e.GC(tn.clock.Now()) != 0 {
		t.Error("a member's GC dropped something")
	}
}

func slicesContainsSecret(s string) bool {
	for i := 0; i+6 <= len(s); i++ {
		if s[i:i+6] == "secret" {
			return true
		}
	}
	return false
}

// TestReopen: an engine reopened on its store has the same history,
// membership, secrets and pending entries.
func TestReopen(t *testing.T) {
	tn := newNet(t)
	a, b := tn.add("a", 1), tn.add("b", 2)
	g := tn.privateGroup(false, a, b)
	names := tn.names()
	var held []*chatlog.Entry
	for i := range 3 {
		_, es, err := a.e.Send(g, "m", nil, tn.keys)
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			held = es
			continue
		}
		tn.send(es, b)
	}
	before := texts(t, b, g, names)
	b.e.Close()
	e, err := Open(b.kv, Options{Self: &Account{Key: b.key, Priv: b.priv}, Now: tn.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	b.e = e
	if got := texts(t, b, g, names); !slices.Equal(got, before) {
		t.Fatalf("after reopen %q, want %q", got, before)
	}
	if s := e.Stats(); s.Pending != 1 {
		t.Fatalf("pending after reopen = %d", s.Pending)
	}
	tn.send(held, b)
	if got := msgs(t, b, g, names); len(got) != 3 {
		t.Fatalf("after the held one: %q", got)
	}
	_, es, err := b.e.Send(g, "back", nil, tn.keys)
	if err != nil {
		t.Fatal(err)
	}
	tn.send(es, a)
	if got := msgs(t, a, g, names); got[len(got)-1] != "b:back" {
		t.Fatalf("a shows %q", got)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
