package core

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/skein-p2p/skein/core/internal/entry"
)

func TestParseReachability(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Reachability
		err  bool
	}{
		{"auto", ReachabilityAuto, false},
		{"Private", ReachabilityPrivate, false},
		{"public", ReachabilityPublic, false},
		{"nat", 0, true},
		{"", 0, true},
	} {
		got, err := ParseReachability(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseReachability(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
		if err == nil && got.String() != strings.ToLower(tc.in) {
			t.Errorf("%v.String() = %q", got, got.String())
		}
	}
}

// counter is a slog handler that counts the records whose message is msg.
type counter struct {
	msg string
	n   atomic.Int64
}

func (c *counter) Enabled(context.Context, slog.Level) bool { return true }
func (c *counter) Handle(_ context.Context, r slog.Record) error {
	if r.Message == c.msg {
		c.n.Add(1)
		if os.Getenv("SKEIN_TEST_LOG") != "" {
			r.Attrs(func(a slog.Attr) bool { fmt.Fprint(os.Stderr, a, " "); return true })
			fmt.Fprintln(os.Stderr)
		}
	}
	return nil
}
func (c *counter) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *counter) WithGroup(string) slog.Handler      { return c }

// relayedNet is a relay whose relayed connections carry at most limit
// bytes each way, with two nodes that keep reservations on it.
func relayedNet(t *testing.T, limit int64, aliceLog *slog.Logger) (r *Relay, alice, bob *Node) {
	t.Helper()
	r, err := NewRelay(context.Background(), RelayConfig{
		DataDir:     t.TempDir(),
		ListenAddrs: loopback,
		Limits:      RelayLimits{Data: limit},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	start := func(name string, log *slog.Logger) *Node {
		n, err := New(context.Background(), Config{
			DataDir:        t.TempDir(),
			ListenAddrs:    loopback,
			BootstrapAddrs: r.Addrs(),
			RelayAddrs:     r.Addrs(),
			Reachability:   ReachabilityPrivate,
			Retention:      Retention{KeepPerAuthor: 10_000},
			kdf:            cheapKDF,
			Logger:         log,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { n.Close() })
		waitFor(t, "bootstrap", func() bool { return peers(n) > 0 })
		if _, err := n.Register(context.Background(), name, "pw-"+name); err != nil {
			t.Fatal(err)
		}
		return n
	}
	return r, start("alice", aliceLog), start("bob", testLogger())
}

// circuitTo makes from forget to's direct addresses and dial it through the
// relay only. It waits for to's reservation.
func circuitTo(t *testing.T, r *Relay, from, to *Node) {
	t.Helper()
	from.host.Gate.RelayOnly(to.host.ID())
	to.host.Gate.RelayOnly(from.host.ID())
	rid := r.host.ID()
	circuit, err := ma.NewMultiaddr(fmt.Sprintf("%s/p2p/%s/p2p-circuit", r.host.Addrs()[0], rid))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a reservation on the relay", func() bool {
		from.host.Network().ClosePeer(to.host.ID())
		from.host.Peerstore().ClearAddrs(to.host.ID())
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		err := from.host.Connect(network.WithAllowLimitedConn(ctx, "test"), peer.AddrInfo{ID: to.host.ID(), Addrs: []ma.Multiaddr{circuit}})
		// A direct dial begun before RelayOnly may still land: then again.
		return err == nil && from.host.Network().Connectedness(to.host.ID()) == network.Limited
	})
	// As the name record would have it, if relay addresses on loopback
	// were published.
	from.host.Peerstore().AddAddrs(to.host.ID(), []ma.Multiaddr{circuit}, time.Hour)
	if c := from.host.Network().Connectedness(to.host.ID()); c != network.Limited {
		t.Fatalf("connectedness through the relay = %v, want Limited", c)
	}
}

// TestSyncThroughRelayResumes catches up a log through a relay whose
// relayed connections are cut after 128 KiB: the sync goes on where it was
// cut, over a new connection, until the whole log is held.
func TestSyncThroughRelayResumes(t *testing.T) {
	resumes := &counter{msg: "sync interrupted; resuming"}
	r, alice, bob := relayedNet(t, 128<<10, slog.New(resumes))
	// Alice follows bob, then loses her connection to him; bob writes
	// more than one relayed connection carries, which alice then fetches
	// through the relay.
	waitFor(t, "alice to follow bob", func() bool {
		_, err := alice.Follow(context.Background(), "bob")
		return err == nil
	})
	bobKey := bob.session().key
	alice.host.Gate.RelayOnly(bob.host.ID())
	bob.host.Gate.RelayOnly(alice.host.ID())
	alice.host.Network().ClosePeer(bob.host.ID())
	const posts = 1500 // about 250 KiB of entries
	for i := range posts {
		if _, err := bob.Post(context.Background(), fmt.Sprintf("post %d with some padding to make it longer", i)); err != nil {
			t.Fatal(err)
		}
	}
	circuitTo(t, r, alice, bob)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	before, _ := alice.store.Head(bobKey)
	if _, err := alice.syncPeer(ctx, bob.host.ID(), []entry.Key{bobKey}); err != nil {
		t.Log("sync: ", err)
	}
	head, err := alice.store.Head(bobKey)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("held before the sync: %d; resumed %d times", before.Seq, resumes.n.Load())
	if head.Seq != posts {
		t.Fatalf("alice holds bob's log up to %d (from %d), want %d", head.Seq, before.Seq, posts)
	}
	if before.Seq < posts && resumes.n.Load() == 0 {
		t.Fatal("the catch-up was never cut by the relay's limit: the test proves nothing")
	}
}

// TestPushOverRelayedConnection: GossipSub does not use relayed
// connections, so a new post goes to a follower reached only through a
// relay as a direct notice.
func TestPushOverRelayedConnection(t *testing.T) {
	r, alice, bob := relayedNet(t, 0, testLogger())
	// Status names the relay once the reservation is made.
	waitFor(t, "the reservation in Status", func() bool {
		st, err := alice.Status(context.Background())
		return err == nil && slices.Contains(st.Relays, r.host.ID().String())
	})
	waitFor(t, "alice to follow bob", func() bool {
		_, err := alice.Follow(context.Background(), "bob")
		return err == nil
	})
	circuitTo(t, r, bob, alice)
	mustPost(t, bob, "through the relay")
	waitFor(t, "the post pushed over the relayed connection", hasFeed(alice, "bob: through the relay"))
}

// TestStoreForward: a follower that opted in syncs, on a background wake,
// with the store-and-forward relay alone, and gets a post its author wrote
// while the follower slept and published before going offline.
func TestStoreForward(t *testing.T) {
	r, err := NewRelay(context.Background(), RelayConfig{
		DataDir:      t.TempDir(),
		ListenAddrs:  loopback,
		StoreForward: true,
		SyncInterval: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	tn := &testNet{t: t, relay: r}
	bob := tn.user("bob")
	wakes := &counter{msg: "background wake"}
	alice := tn.nodeWith("alice", func(c *Config) {
		c.StoreForward = true
		c.Logger = slog.New(wakes)
	})
	mustFollow(t, alice, "bob")
	waitFor(t, "the relay to take alice's list", func() bool {
		k, ok := alice.keeperPeer()
		return ok && k.ID == r.host.ID()
	})
	waitFor(t, "the relay to subscribe to bob", func() bool {
		r.keeper.mu.Lock()
		defer r.keeper.mu.Unlock()
		return r.keeper.topics[bob.session().key] != nil
	})

	alice.cfg.BackgroundSync = time.Hour // only the wake on entering background
	setPower(t, alice, PowerBackground)
	waitFor(t, "alice's first wake", func() bool { return wakes.n.Load() >= 1 })
	waitFor(t, "alice asleep", func() bool { return peers(alice) == 0 })

	mustPost(t, bob, "while alice sleeps")
	bobKey := bob.session().key
	waitFor(t, "the relay to keep bob's post", func() bool {
		h, err := r.store.Head(bobKey)
		return err == nil && h.Seq >= 1
	})
	bob.Close() // bob's device is gone: only the relay holds his post

	select {
	case alice.wakeKick <- struct{}{}:
	default: // a wake is asked for already
	}
	waitFor(t, "the post, from the relay", hasFeed(alice, "bob: while alice sleeps"))

	// The relay announces the logs it keeps: someone who is not its client
	// finds it as a holder of bob's.
	dave := tn.user("dave")
	waitFor(t, "the relay among the holders of bob's log", func() bool {
		return slices.Contains(dave.findHolders(context.Background(), bobKey), r.host.ID())
	})
}

// TestBackfill: alice holds only the newest entry of bob's log, as after a
// notice, when she follows him; the part below comes in chunks, each taken
// whole, directly and through a relay that cuts every relayed connection
// after 128 KiB, less than one first chunk.
func TestBackfill(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit int64 // the relay's data limit per relayed connection; 0: direct
	}{
		{"direct", 0},
		{"through a relay cutting connections", 128 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cuts := &counter{msg: "backfill interrupted; asking for smaller chunks"}
			r, alice, bob := relayedNet(t, tc.limit, slog.New(cuts))
			const posts = backfillChunk + 500 // two chunks at least; about 400 KiB
			for i := range posts {
				if _, err := bob.Post(context.Background(), fmt.Sprintf("post %d with some padding to make it longer", i)); err != nil {
					t.Fatal(err)
				}
			}
			bobKey := bob.session().key
			newest, err := bob.store.Entries(bobKey, posts-1, 1, 1<<20)
			if err != nil || len(newest) != 1 {
				t.Fatalf("bob's newest entry: %v, %v", newest, err)
			}
			if got, err := alice.ingest(newest); len(got) != 1 {
				t.Fatalf("alice took %d of bob's newest entry: %v", len(got), err)
			}
			if tc.limit > 0 {
				circuitTo(t, r, alice, bob)
			}
			mustFollow(t, alice, "bob")
			waitFor(t, "alice to hold bob's whole log", func() bool {
				tail, head, _ := alice.store.Span(bobKey)
				return tail == 1 && head == posts
			})
			if tc.limit > 0 && cuts.n.Load() == 0 {
				t.Fatal("the relay never cut a backfill answer: the test proves nothing")
			}
			if got := len(feedTexts(t, alice)); got == 0 {
				t.Fatal("alice's feed is empty")
			}
		})
	}
}
