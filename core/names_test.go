package core

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	dhtpb "github.com/libp2p/go-libp2p-kad-dht/pb"
	record "github.com/libp2p/go-libp2p-record"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/p2p"
	"github.com/skein-p2p/skein/core/internal/store"
)

// nameForge signs a record of name by priv, as an attacker can: any
// Created, any Updated, any device. It carries the claim's work.
func nameForge(t *testing.T, priv ed25519.PrivateKey, name string, created, updated uint64, device peer.ID) []byte {
	t.Helper()
	b, err := names.Sign(priv, names.Record{Name: name, Created: created, Updated: updated, PeerID: []byte(device)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// nameKeyBelow returns a new account key that is bytewise smaller than k:
// the winner of a tie broken by key order.
func nameKeyBelow(t *testing.T, k entry.Key) ed25519.PrivateKey {
	t.Helper()
	for range 1000 {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if pk := keyOf(priv); bytes.Compare(pk[:], k[:]) < 0 {
			return priv
		}
	}
	t.Fatalf("no key below %s in 1000 tries", k.Short())
	return nil
}

// namePutter is a hostile host that puts records directly to a DHT
// server, as one PUT_VALUE request, the way a peer with a modified
// kad-dht would.
type namePutter struct {
	*hostile
	pm  *dhtpb.ProtocolMessenger
	reg *names.Registry // a server's own store; nil for a client
}

func newNamePutter(t *testing.T, ip string, mode dht.ModeOpt) *namePutter {
	t.Helper()
	x := newHostile(t, ip, mode)
	pm, err := dhtpb.NewProtocolMessenger(x.DHT.MessageSender())
	if err != nil {
		t.Fatal(err)
	}
	return &namePutter{hostile: x, pm: pm}
}

// newNameServer starts a hostile DHT server on ip whose value store is a
// name registry of its own, so that it keeps the first claim it stores,
// the attacker's, as a faithful server would keep the owner's: lookups'
// corrections do not wash it out.
func newNameServer(t *testing.T, ip string) *namePutter {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	kv := store.NewMemory()
	reg, err := names.OpenRegistry(kv, names.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := p2p.New(context.Background(), p2p.Config{
		Key:          key,
		ListenAddrs:  []string{"/ip4/" + ip + "/tcp/0", "/ip4/" + ip + "/udp/0/quic-v1"},
		DHTMode:      dht.ModeServer,
		Validator:    record.NamespacedValidator{names.Namespace: names.Validator{}},
		Values:       reg,
		MaxRecordAge: names.ClaimLifetime,
	})
	if err != nil {
		kv.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close(); kv.Close() })
	pm, err := dhtpb.NewProtocolMessenger(h.DHT.MessageSender())
	if err != nil {
		t.Fatal(err)
	}
	return &namePutter{hostile: &hostile{t: t, Host: h}, pm: pm, reg: reg}
}

// hold stores value, a record of name, in the hostile server's own store,
// before it meets anyone who could correct it.
func (x *namePutter) hold(name string, value []byte) {
	x.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := x.DHT.PutValue(ctx, names.Key(name), value) // fails past the local store: no peers yet
	r, _ := names.Decode(value)
	if k, ok := x.reg.Holds(name); !ok || k != r.Account {
		x.t.Fatalf("the hostile server does not hold its claim of %s: %v", name, err)
	}
}

// connectRelay connects the hostile host to the relay.
func (x *namePutter) connectRelay(r *Relay) {
	x.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := x.Connect(ctx, peer.AddrInfo{ID: r.host.ID(), Addrs: r.host.Addrs()}); err != nil {
		x.t.Fatalf("connect to the relay: %v", err)
	}
}

// put sends value for name to server p.
func (x *namePutter) put(p peer.ID, name string, value []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return x.pm.PutValue(ctx, p, record.MakePutRecord(names.Key(name), value))
}

// served returns the account of the record server p serves for name, or
// the zero key.
func (x *namePutter) served(p peer.ID, name string) entry.Key {
	x.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rec, _, err := x.pm.GetValue(ctx, p, names.Key(name))
	if err != nil || rec == nil {
		return entry.Key{}
	}
	r, err := names.Decode(rec.GetValue())
	if err != nil {
		x.t.Fatalf("the server serves an invalid record: %v", err)
	}
	return r.Account
}

// nameFollowKey registers a new user bootstrapped from the relay, who
// follows name, and returns the key followed.
func nameFollowKey(t *testing.T, tn *testNet, user, name string) string {
	t.Helper()
	n := tn.user(user)
	u, err := n.Follow(context.Background(), name)
	if err != nil {
		t.Fatalf("%s: Follow(%s) = %v", user, name, err)
	}
	return u.Key
}

// TestNameTakeover: one PUT to the relay of another key's record for a
// name, back-dated or made at the same millisecond with a key that wins a
// bytewise tie, replaced the owner's record, and a new user then followed
// the attacker. The relay now keeps the first claim, and the new user
// follows the owner.
func TestNameTakeover(t *testing.T) {
	tests := []struct {
		name  string
		forge func(t *testing.T, alice *Node) []byte
	}{
		{"back-dated", func(t *testing.T, alice *Node) []byte {
			_, mallory, _ := ed25519.GenerateKey(rand.Reader)
			return nameForge(t, mallory, "alice", 1, 1, alice.host.ID())
		}},
		{"same time, smaller key", func(t *testing.T, alice *Node) []byte {
			sess := alice.session()
			created := uint64(sess.created.UnixMilli())
			mallory := nameKeyBelow(t, sess.key)
			return nameForge(t, mallory, "alice", created, uint64(time.Now().UnixMilli()), alice.host.ID())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tn := newTestNet(t)
			alice := tn.user("alice")
			aliceKey := alice.session().key
			x := newNamePutter(t, "127.0.1.1", dht.ModeClient)
			x.connectRelay(tn.relay)
			relay := tn.relay.host.ID()
			waitFor(t, "the relay to hold alice's claim", func() bool { return x.served(relay, "alice") == aliceKey })

			if err := x.put(relay, "alice", tt.forge(t, alice)); err == nil {
				t.Error("the relay took another key's claim of alice")
			}
			if got := x.served(relay, "alice"); got != aliceKey {
				t.Errorf("the relay serves alice as %s, want alice's key %s", got.Short(), aliceKey.Short())
			}
			if got := nameFollowKey(t, tn, "carol", "alice"); got != aliceKey.String() {
				t.Errorf("carol follows alice as %.8s, want alice's key %s", got, aliceKey.Short())
			}
		})
	}
}

// TestNameFreshServers: an attacker runs DHT servers of its own, in
// networks of their own, each holding a back-dated claim of alice, next to
// the relay everyone bootstraps from. A new user's lookup meets those
// claims, and the relay, the user's anchor, decides: the user follows
// alice.
func TestNameFreshServers(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	aliceKey := alice.session().key
	_, mallory, _ := ed25519.GenerateKey(rand.Reader)
	forged := nameForge(t, mallory, "alice", 1, 1, alice.host.ID())
	var servers []*namePutter
	for i := range 3 {
		x := newNameServer(t, fmt.Sprintf("127.0.%d.1", i+1))
		x.hold("alice", forged)
		x.connectRelay(tn.relay)
		servers = append(servers, x)
	}
	ctx := context.Background()
	waitFor(t, "the relay's routing table to hold the attacker's servers", func() bool {
		return tn.relay.host.DHT.RoutingTable().Size() >= len(servers)
	})

	carol := tn.user("carol")
	res, err := carol.lookupName(ctx, "alice")
	if err != nil {
		t.Fatalf("carol's lookup of alice = %v", err)
	}
	if _, seen := res.Claim(keyOf(mallory)); !seen || !res.Anchored {
		t.Fatalf("carol's lookup saw claims %d, anchored %v: the attacker's servers were not asked, so the test shows nothing", len(res.Claims), res.Anchored)
	}
	u, err := carol.Follow(ctx, "alice")
	if err != nil {
		t.Fatalf("Follow(alice) = %v", err)
	}
	if u.Key != aliceKey.String() {
		t.Errorf("carol follows alice as %.8s, want alice's key %s", u.Key, aliceKey.Short())
	}
}

// TestNameConflictReported: the pin stands whatever a lookup says, and a
// user whose anchors disagree gets a conflict, never a guess.
func TestNameConflictReported(t *testing.T) {
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	ctx := context.Background()
	mustFollow(t, bob, "alice")
	aliceKey := alice.session().key

	// An attacker's DHT server holds a back-dated claim of alice.
	x := newNameServer(t, "127.0.1.1")
	_, mallory, _ := ed25519.GenerateKey(rand.Reader)
	x.hold("alice", nameForge(t, mallory, "alice", 1, 1, x.ID()))
	x.connectRelay(tn.relay)

	// bob's anchor, the relay, decides: alice is the key he pinned.
	p, err := bob.Whois(ctx, "alice")
	if err != nil || p.Key != aliceKey.String() || !p.Pinned {
		t.Fatalf("bob's Whois(alice) = %+v, %v; want alice's pinned key", p, err)
	}
	if _, err := bob.Follow(ctx, "alice"); err != nil {
		t.Fatalf("bob's Follow(alice) again = %v", err)
	}

	// dave was told of two relays, the real one and the attacker's: they
	// disagree, and dave cannot follow alice by name.
	dave, err := New(ctx, Config{
		DataDir:        t.TempDir(),
		ListenAddrs:    loopback,
		BootstrapAddrs: append(tn.relay.Addrs(), x.FullAddrs()...),
		kdf:            cheapKDF,
		Logger:         testLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dave.Close() })
	waitFor(t, "dave's anchors", func() bool { return len(dave.anchorPeers(ctx)) == 2 })
	if _, err := dave.Register(ctx, "dave", "pw"); err != nil {
		t.Fatal(err)
	}
	if u, err := dave.Follow(ctx, "alice"); !errors.Is(err, ErrNameConflict) {
		t.Fatalf("dave's Follow(alice) = %+v, %v; want ErrNameConflict", u, err)
	}
	if fl, _ := dave.Following(ctx); len(fl) != 0 {
		t.Errorf("dave follows %+v after a conflict, want nobody", fl)
	}
	if _, err := dave.Whois(ctx, "alice"); !errors.Is(err, ErrNameConflict) {
		t.Errorf("dave's Whois(alice) = %v, want ErrNameConflict", err)
	}
}

// TestNameRegisterRace: three devices register one name at once. The
// relay keeps the first claim it stores; the others learn from it that
// the name is taken and keep no account.
func TestNameRegisterRace(t *testing.T) {
	tn := newTestNet(t)
	var nodes []*Node
	for range 3 {
		nodes = append(nodes, tn.node(""))
	}
	errs := make([]error, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = n.Register(context.Background(), "zoe", "pw")
		}()
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		st, serr := nodes[i].Status(context.Background())
		if serr != nil {
			t.Fatal(serr)
		}
		switch {
		case err == nil:
			won++
		case errors.Is(err, ErrNameTaken):
			if len(st.Accounts) != 0 {
				t.Errorf("node %d lost the race (%v) but keeps accounts %q", i, err, st.Accounts)
			}
		default:
			t.Errorf("node %d: Register(zoe) = %v, want success or ErrNameTaken", i, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d of 3 concurrent registrations of zoe succeeded, want 1: %v", won, errs)
	}
}

// nameLogLines is a slog handler that keeps the messages logged.
type nameLogLines struct {
	mu    sync.Mutex
	lines []string
}

func (h *nameLogLines) Enabled(context.Context, slog.Level) bool { return true }
func (h *nameLogLines) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *nameLogLines) WithGroup(string) slog.Handler            { return h }
func (h *nameLogLines) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lines = append(h.lines, r.Message)
	return nil
}

func (h *nameLogLines) count(prefix string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, l := range h.lines {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

// TestNameFlood: hostile peers put fresh-name claims, each with its work,
// to a relay as fast as they can. A peer gets no more claims than its
// budget, the relay holds no more names than its bound and still holds
// alice's, refusals are logged a few lines per peer, and once the relay is
// full a newcomer's registration fails without leaving an account.
func TestNameFlood(t *testing.T) {
	const maxNames = 7
	logs := &nameLogLines{}
	r, err := NewRelay(context.Background(), RelayConfig{
		DataDir:     t.TempDir(),
		ListenAddrs: loopback,
		MaxNames:    maxNames,
		Logger:      slog.New(logs),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	tn := &testNet{t: t, relay: r}
	alice := tn.user("alice")
	aliceKey := alice.session().key

	// The claims, work included, are made before the flood starts.
	sign := func(n int, device peer.ID, prefix string) [][]byte {
		out := make([][]byte, n)
		var wg sync.WaitGroup
		for i := range out {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, priv, _ := ed25519.GenerateKey(rand.Reader)
				now := uint64(time.Now().UnixMilli())
				out[i] = nameForge(t, priv, fmt.Sprintf("%s%d", prefix, i), now, now, device)
			}()
		}
		wg.Wait()
		return out
	}
	flood := func(x *namePutter, claims [][]byte) (accepted int) {
		for _, v := range claims {
			rec, _ := names.Decode(v)
			if x.put(r.host.ID(), rec.Name, v) == nil {
				accepted++
			}
		}
		return accepted
	}
	x1 := newNamePutter(t, "127.0.1.1", dht.ModeClient)
	x1.connectRelay(r)
	x2 := newNamePutter(t, "127.0.2.1", dht.ModeClient)
	x2.connectRelay(r)
	claims1, claims2 := sign(7, x1.ID(), "flood_a"), sign(3, x2.ID(), "flood_b")

	start := time.Now()
	got1 := flood(x1, claims1)
	got2 := flood(x2, claims2)
	elapsed := time.Since(start)
	burst := names.DefaultRates.PeerClaims
	if limit := burst.Burst + int(elapsed.Seconds()*burst.PerSecond) + 1; got1 > limit || got1 < burst.Burst {
		t.Errorf("one peer got %d of %d claims in %v, want its burst %d up to %d", got1, len(claims1), elapsed, burst.Burst, limit)
	}
	held, _ := r.names.Len()
	if held != maxNames {
		t.Errorf("the relay holds %d names, want its bound %d", held, maxNames)
	}
	if got1+got2 != maxNames-1 {
		t.Errorf("the peers got %d + %d claims, want %d: the relay's bound less alice", got1, got2, maxNames-1)
	}
	if k, ok := r.names.Holds("alice"); !ok || k != aliceKey {
		t.Errorf("the relay holds alice as %s, %v; want alice's key", k.Short(), ok)
	}
	// Refusals of each peer are logged a few lines at a time.
	if n := logs.count("name record refused"); n == 0 || n > 2*5 {
		t.Errorf("%d refusal lines logged for 2 peers, want 1 to 10", n)
	}

	// Full: a newcomer cannot claim a name there, and keeps no account.
	n := tn.node("")
	if _, err := n.Register(context.Background(), "newcomer", "pw"); err == nil {
		t.Fatal("Register(newcomer) on a full relay succeeded")
	}
	if st, _ := n.Status(context.Background()); len(st.Accounts) != 0 {
		t.Errorf("the failed registration left accounts %q", st.Accounts)
	}
}
