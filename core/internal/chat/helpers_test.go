package chat

import (
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/chatcrypt"
	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/store"
)

// fakeClock is a settable wall clock shared by a test's engines.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.UnixMilli(1_767_225_600_000)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func privOf(seed byte) ed25519.PrivateKey {
	s := make([]byte, ed25519.SeedSize)
	s[0] = seed
	s[1] = 0x5c
	return ed25519.NewKeyFromSeed(s)
}

func keyOf(priv ed25519.PrivateKey) entry.Key {
	return entry.KeyOf(priv.Public().(ed25519.PublicKey))
}

// node is one member (or relay) in a test network.
type node struct {
	name   string
	e      *Engine
	kv     store.KV
	key    entry.Key
	priv   ed25519.PrivateKey
	events []Event
	mu     sync.Mutex
}

func (n *node) eventCount(kind string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := 0
	for _, ev := range n.events {
		if ev.Kind == kind {
			c++
		}
	}
	return c
}

// testNet is an in-memory network of engines: entries are passed by the
// test, which may delay, drop, reorder or duplicate them.
type testNet struct {
	t     testing.TB
	clock *fakeClock
	nodes []*node
	lim   Limits
}

func newNet(t testing.TB) *testNet { return &testNet{t: t, clock: newFakeClock()} }

func (tn *testNet) add(name string, seed byte) *node {
	tn.t.Helper()
	n := &node{name: name, kv: store.NewMemory()}
	var self *Account
	if seed != 0 {
		n.priv = privOf(seed)
		n.key = keyOf(n.priv)
		self = &Account{Key: n.key, Priv: n.priv}
	}
	e, err := Open(n.kv, Options{Self: self, Now: tn.clock.Now, Limits: tn.lim, OnEvent: func(ev Event) {
		n.mu.Lock()
		n.events = append(n.events, ev)
		n.mu.Unlock()
	}})
	if err != nil {
		tn.t.Fatalf("Open(%s) = %v", name, err)
	}
	n.e = e
	tn.t.Cleanup(func() { e.Close(); n.kv.Close() })
	if self != nil {
		if _, err := e.OwnPrekey(); err != nil {
			tn.t.Fatalf("OwnPrekey(%s) = %v", name, err)
		}
	}
	tn.nodes = append(tn.nodes, n)
	return n
}

// keys is the KeyFunc of the network: any node's own prekey.
func (tn *testNet) keys(k entry.Key) (*chatcrypt.PrekeyRecord, error) {
	for _, n := range tn.nodes {
		if n.key == k && n.e.self != nil {
			return n.e.OwnPrekey()
		}
	}
	return nil, fmt.Errorf("no such account %s", k.Short())
}

// send passes entries to each of to, in order, checking nothing is refused.
func (tn *testNet) send(es []*chatlog.Entry, to ...*node) {
	tn.t.Helper()
	for _, n := range to {
		r := n.e.Ingest(es)
		if r.Err != nil {
			tn.t.Fatalf("%s.Ingest = %+v", n.name, r)
		}
		// What an invitation held for a group not yet known needs is
		// fetched at once (tn.sync only syncs known groups).
		var held []Need
		for _, nd := range r.Needs {
			if !slices.Contains(n.e.Groups(), nd.Group) {
				held = append(held, nd)
			}
		}
		tn.fetch(n, held)
	}
}

// fetch gets what n needs from the other nodes, as a node does from the
// sender and the anchors, until nothing more is needed or found.
func (tn *testNet) fetch(n *node, needs []Need) {
	for round := 0; round < 20 && len(needs) > 0; round++ {
		var got []*chatlog.Entry
		for _, nd := range needs {
			for _, y := range tn.nodes {
				if y == n {
					continue
				}
				if len(nd.IDs) > 0 {
					got = append(got, y.e.ByID(nd.Group, nd.IDs)...)
					continue
				}
				all, _ := y.e.After(nd.Group, nil, 100000, 64<<20)
				for _, en := range all {
					if en.Author == nd.Author && en.Seq >= nd.From && en.Seq <= nd.To {
						got = append(got, en)
					}
				}
			}
		}
		r := n.e.Ingest(got)
		if r.Stored == 0 {
			return
		}
		needs = r.Needs
	}
}

// sync pulls every group each node knows from every other node, by
// frontier and by the IDs still needed, until nothing moves.
func (tn *testNet) sync(nodes ...*node) {
	tn.t.Helper()
	if len(nodes) == 0 {
		nodes = tn.nodes
	}
	for round := 0; round < 50; round++ {
		moved := 0
		for _, x := range nodes {
			for _, g := range x.e.Groups() {
				for _, y := range nodes {
					if x == y {
						continue
					}
					for more := true; more; {
						var es []*chatlog.Entry
						es, more = y.e.After(g, x.e.Frontier(g), 1000, 4<<20)
						if len(es) == 0 {
							break
						}
						r := x.e.Ingest(es)
						moved += r.Stored
						for _, nd := range r.Needs {
							if len(nd.IDs) > 0 {
								got := y.e.ByID(g, nd.IDs)
								moved += x.e.Ingest(got).Stored
							}
						}
						if r.Stored == 0 {
							break
						}
					}
				}
			}
		}
		if moved == 0 {
			return
		}
	}
	tn.t.Fatalf("sync did not settle")
}

// texts returns the history of g on n, oldest first, as "author:text"
// (events as "author:@event>target").
func texts(t testing.TB, n *node, g chatlog.GroupID, names map[entry.Key]string) []string {
	t.Helper()
	var all []Message
	var cur []byte
	for {
		ms, next, err := n.e.Messages(g, cur, 7)
		if err != nil {
			t.Fatalf("%s.Messages = %v", n.name, err)
		}
		all = append(all, ms...)
		if next == nil {
			break
		}
		cur = next
	}
	slices.Reverse(all)
	var out []string
	for _, m := range all {
		switch m.Event {
		case "":
			out = append(out, names[m.Author]+":"+m.Text)
		case "gap":
			out = append(out, fmt.Sprintf("gap:%s:%d", names[m.Target], m.Missing))
		default:
			out = append(out, names[m.Author]+":@"+m.Event+">"+names[m.Target])
		}
	}
	return out
}

// msgs returns only the message rows of texts.
func msgs(t testing.TB, n *node, g chatlog.GroupID, names map[entry.Key]string) []string {
	var out []string
	for _, s := range texts(t, n, g, names) {
		if !containsAt(s) && !hasPrefix(s, "gap:") {
			out = append(out, s)
		}
	}
	return out
}

func containsAt(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == ':' && s[i+1] == '@' {
			return true
		}
	}
	return false
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

func (tn *testNet) names() map[entry.Key]string {
	m := make(map[entry.Key]string)
	for _, n := range tn.nodes {
		m[n.key] = n.name
	}
	return m
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func shuffled(rng *rand.Rand, es []*chatlog.Entry) []*chatlog.Entry {
	out := slices.Clone(es)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// privateGroup makes a group of A with the others invited and joined,
// synced on every node.
func (tn *testNet) privateGroup(shared bool, admin *node, others ...*node) chatlog.GroupID {
	tn.t.Helper()
	g, es, err := admin.e.CreateGroup("team", false, shared)
	if err != nil {
		tn.t.Fatalf("CreateGroup = %v", err)
	}
	_ = es
	for _, o := range others {
		inv, err := admin.e.Invite(g, o.key, false, 0, tn.keys)
		if err != nil {
			tn.t.Fatalf("Invite(%s) = %v", o.name, err)
		}
		tn.send(inv, o)
		tn.sync(append([]*node{admin}, others...)...)
		if _, err := o.e.Join(g); err != nil {
			tn.t.Fatalf("%s.Join = %v", o.name, err)
		}
		tn.sync(append([]*node{admin}, others...)...)
	}
	return g
}

// forge builds an own entry of n without the rights checks of the
// actions, as a misbehaving client would.
func forge(t testing.TB, n *node, g chatlog.GroupID, d draft) *chatlog.Entry {
	t.Helper()
	n.e.mu.Lock()
	defer n.e.mu.Unlock()
	en, err := n.e.build(n.e.groups[g], d)
	if err != nil {
		t.Fatalf("forge: %v", err)
	}
	return en
}

func bodyDraft(kind chatlog.Kind, b chatlog.Body) draft {
	return draft{kind: kind, body: func([]byte) ([]byte, error) { return b.Encode(), nil }}
}

// signed returns en signed by priv, for hand-made entries.
func signed(t testing.TB, priv ed25519.PrivateKey, en chatlog.Entry) *chatlog.Entry {
	t.Helper()
	if err := chatlog.Sign(&en, priv); err != nil {
		t.Fatalf("Sign = %v", err)
	}
	return &en
}

func hlcAt(t time.Time) hlc.Timestamp { return hlc.Timestamp{Wall: uint64(t.UnixMilli())} }

func (e *Engine) nextSeqOf(g chatlog.GroupID) uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.nextSeq(e.groups[g])
}

func (e *Engine) lastOwn(g chatlog.GroupID) chatlog.ID {
	e.mu.Lock()
	defer e.mu.Unlock()
	gr := e.groups[g]
	en, _ := e.entryAt(g, e.self.Key, gr.front[e.self.Key].max)
	return en.ID()
}
