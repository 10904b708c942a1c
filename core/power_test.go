package core

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// peers returns how many peers n is connected to.
func peers(n *Node) int { return len(n.host.Network().Peers()) }

// subscribed returns how many followed authors' topics n's session is
// subscribed to.
func subscribed(n *Node) int {
	sess := n.session()
	sess.mu.Lock()
	defer sess.mu.Unlock()
	return len(sess.subs)
}

// dialFails reports whether from cannot keep a connection to to. A QUIC
// handshake completes before the listener's gater sees the connection, so
// a refused connection may exist for a moment on the dialling side.
func dialFails(from, to *Node) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	ai := peer.AddrInfo{ID: to.host.ID(), Addrs: to.host.Addrs()}
	from.host.Network().ClosePeer(to.host.ID())
	if from.host.Connect(ctx, ai) != nil {
		return true
	}
	for ctx.Err() == nil {
		if from.host.Network().Connectedness(to.host.ID()) != network.Connected {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func setPower(t *testing.T, n *Node, m PowerMode) {
	t.Helper()
	if err := n.SetPowerMode(m); err != nil {
		t.Fatalf("SetPowerMode(%v): %v", m, err)
	}
	st, err := n.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Power != m {
		t.Fatalf("Status().Power = %v after SetPowerMode(%v)", st.Power, m)
	}
}

func TestPowerOffQueuesPosts(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	bob := tn.user("bob")
	mustFollow(t, bob, "alice")
	mustPost(t, alice, "before")
	waitFor(t, "live post", hasFeed(bob, "alice: before"))

	setPower(t, alice, PowerOff)
	if n := peers(alice); n != 0 {
		t.Fatalf("off: %d peers connected, want 0", n)
	}
	if subscribed(bob) != 1 {
		t.Fatal("bob lost his subscription")
	}
	if !dialFails(bob, alice) {
		t.Fatal("off: alice accepted a connection")
	}
	if !dialFails(alice, bob) {
		t.Fatal("off: alice dialled out")
	}
	// Posting while off works and stays local.
	mustPost(t, alice, "written offline")
	if has := hasFeed(alice, "alice: written offline"); !has() {
		t.Fatal("the post written offline is not in alice's own feed")
	}
	if n := peers(alice); n != 0 {
		t.Fatalf("off: posting connected %d peers", n)
	}

	setPower(t, alice, PowerForeground)
	waitFor(t, "queued post delivered", hasFeed(bob, "alice: written offline"))
	waitFor(t, "reconnected", func() bool { return peers(alice) > 0 })
}

func TestPowerBackgroundWakes(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	bob := tn.user("bob")
	mustFollow(t, bob, "alice")
	if subscribed(bob) != 1 {
		t.Fatalf("foreground: %d subscriptions, want 1", subscribed(bob))
	}

	bob.cfg.BackgroundSync = 300 * time.Millisecond
	setPower(t, bob, PowerBackground)
	if n := subscribed(bob); n != 0 {
		t.Fatalf("background: %d subscriptions, want 0", n)
	}
	mustPost(t, alice, "while bob sleeps")
	waitFor(t, "post fetched by a background wake", hasFeed(bob, "alice: while bob sleeps"))
	// The next wakes' connections to alice: over TCP, which costs a
	// phone less than half the bytes of QUIC on a short connection
	// (p2p.Host.PreferTCP).
	var mu sync.Mutex
	var wakeAddrs []ma.Multiaddr
	bgNotify := &network.NotifyBundle{ConnectedF: func(_ network.Network, c network.Conn) {
		if c.RemotePeer() == alice.host.ID() {
			mu.Lock()
			wakeAddrs = append(wakeAddrs, c.RemoteMultiaddr())
			mu.Unlock()
		}
	}}
	bob.host.Network().Notify(bgNotify)
	// Between two wakes (no connection), forget what was recorded: a
	// wake under way could fetch the next post on a connection opened
	// before.
	waitFor(t, "a pause between wakes", func() bool {
		mu.Lock()
		defer mu.Unlock()
		if peers(bob) != 0 {
			return false
		}
		wakeAddrs = nil
		return true
	})
	mustPost(t, alice, "while bob sleeps again")
	waitFor(t, "the next post fetched by a background wake", hasFeed(bob, "alice: while bob sleeps again"))
	bob.host.Network().StopNotify(bgNotify)
	mu.Lock()
	for _, a := range wakeAddrs {
		if _, err := a.ValueForProtocol(ma.P_TCP); err != nil {
			t.Errorf("a background wake connected to alice over %s, want TCP", a)
		}
	}
	if len(wakeAddrs) == 0 {
		t.Error("no wake connected to alice")
	}
	mu.Unlock()
	// Between wakes bob holds no connection and accepts none.
	waitFor(t, "connections closed after the wake", func() bool { return peers(bob) == 0 })
	if !dialFails(alice, bob) {
		t.Fatal("background: bob accepted a connection between wakes")
	}

	// A post in background is kept and reaches alice (who follows bob)
	// by the next wake at the latest.
	mustFollow(t, alice, "bob")
	mustPost(t, bob, "posted in background")
	waitFor(t, "background post delivered", hasFeed(alice, "bob: posted in background"))

	setPower(t, bob, PowerForeground)
	waitFor(t, "resubscribed", func() bool { return subscribed(bob) == 1 })
	mustPost(t, alice, "live again")
	waitFor(t, "live delivery after background", hasFeed(bob, "alice: live again"))
}

func TestPowerStartsInBackground(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	dir := t.TempDir()
	bob := tn.node(dir)
	if _, err := bob.Register(context.Background(), "bob", "pw-bob"); err != nil {
		t.Fatal(err)
	}
	mustFollow(t, bob, "alice")
	mustPost(t, alice, "one")
	waitFor(t, "live post", hasFeed(bob, "alice: one"))
	if err := bob.Close(); err != nil {
		t.Fatal(err)
	}
	mustPost(t, alice, "two")

	// An app woken by the system starts the node straight in background:
	// the first wake comes at once, as the last sync is old.
	bob, err := New(context.Background(), Config{
		DataDir:        dir,
		ListenAddrs:    loopback,
		BootstrapAddrs: tn.relay.Addrs(),
		PowerMode:      PowerBackground,
		BackgroundSync: time.Hour,
		kdf:            cheapKDF,
		Logger:         testLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer bob.Close()
	if _, err := bob.Login(context.Background(), "bob", "pw-bob"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "first wake fetched the missed post", hasFeed(bob, "alice: two"))
}

func TestNetworkType(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	bob := tn.user("bob")
	mustFollow(t, bob, "alice")

	tests := []struct {
		network NetworkType
		live    bool // runs in foreground
		metered bool
	}{
		{NetworkCellular, true, true},
		{NetworkNone, false, false},
		{NetworkWiFi, true, false},
	}
	for _, tt := range tests {
		if err := bob.SetNetworkType(tt.network); err != nil {
			t.Fatal(err)
		}
		st, err := bob.Status(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Network != tt.network || st.Power != PowerForeground {
			t.Errorf("%v: status says network %v power %v", tt.network, st.Network, st.Power)
		}
		if bob.isLive() != tt.live || bob.metered.Load() != tt.metered {
			t.Errorf("%v: live %v metered %v, want %v %v", tt.network, bob.isLive(), bob.metered.Load(), tt.live, tt.metered)
		}
		if !tt.live && peers(bob) != 0 {
			t.Errorf("%v: %d peers connected", tt.network, peers(bob))
		}
	}
	// Back on Wi-Fi after no network, delivery is live again.
	mustPost(t, alice, "back online")
	waitFor(t, "delivery after the network returned", hasFeed(bob, "alice: back online"))

	if err := bob.SetNetworkType(NetworkType(7)); err == nil {
		t.Error("SetNetworkType(7) succeeded")
	}
	if err := bob.SetPowerMode(PowerMode(-1)); err == nil {
		t.Error("SetPowerMode(-1) succeeded")
	}
}

// TestPowerSwitching flips modes quickly, with a session and without; the
// leak check in TestMain fails the package if a switch leaves goroutines.
func TestPowerSwitching(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	bob := tn.user("bob")
	mustFollow(t, bob, "alice")
	bob.cfg.BackgroundSync = 10 * time.Millisecond
	modes := []PowerMode{PowerBackground, PowerOff, PowerForeground, PowerOff, PowerBackground, PowerBackground, PowerForeground}
	for range 3 {
		for _, m := range modes {
			setPower(t, bob, m)
		}
	}
	if err := bob.Logout(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, m := range modes {
		setPower(t, bob, m)
	}
	if _, err := bob.Login(context.Background(), "bob", "pw-bob"); err != nil {
		t.Fatal(err)
	}
	mustPost(t, alice, "still works")
	waitFor(t, "delivery after switching", hasFeed(bob, "alice: still works"))
	if err := bob.Close(); err != nil {
		t.Fatal(err)
	}
	if err := bob.SetPowerMode(PowerBackground); err != ErrClosed {
		t.Fatalf("SetPowerMode after Close: %v, want ErrClosed", err)
	}
}

// TestPowerQuickSwitches switches modes back to back, as screen rotations
// and quick app switches do on a phone, on the author's node and on the
// follower's, then posts: the post must reach the follower live (the
// periodic sync is minutes away) and the follower's watcher must see it.
func TestPowerQuickSwitches(t *testing.T) {
	tests := []struct {
		name       string
		switcher   string // "author" or "follower"
		concurrent bool   // switches from several goroutines at once
	}{
		{"author", "author", false},
		{"follower", "follower", false},
		{"author concurrent", "author", true},
		{"follower concurrent", "follower", true},
	}
	cycle := []PowerMode{PowerBackground, PowerForeground, PowerOff, PowerForeground, PowerBackground}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tn := newTestNet(t)
			alice := tn.user("alice")
			bob := tn.user("bob")
			mustFollow(t, bob, "alice")
			mustPost(t, alice, "before")
			waitFor(t, "the first post", hasFeed(bob, "alice: before"))
			// Back in foreground, alice finds her follower through his
			// holder record (meetHolders). He announces it within
			// announceSpacing of the follow, behind the announcement of
			// his own log at Register: wait for it, since the switches
			// below take less than that.
			waitFor(t, "bob announces that he holds alice's log", func() bool {
				return slices.Contains(alice.findHolders(context.Background(), alice.session().key), bob.host.ID())
			})

			n := alice
			if tt.switcher == "follower" {
				n = bob
			}
			if tt.concurrent {
				var wg sync.WaitGroup
				for g := range 6 {
					wg.Go(func() {
						for i := range 5 {
							n.SetPowerMode(cycle[(g+i)%len(cycle)])
						}
					})
				}
				wg.Wait()
			} else {
				for i := range 29 {
					if err := n.SetPowerMode(cycle[i%len(cycle)]); err != nil {
						t.Fatal(err)
					}
				}
			}
			setPower(t, n, PowerForeground)

			w := watchEvents(t, bob)
			mustPost(t, alice, "after switching")
			waitFor(t, "live delivery after quick switches", hasFeed(bob, "alice: after switching"))
			waitFor(t, "the follower's post event", w.has(EventPost, func(ev Event) bool { return ev.Post.Text == "after switching" }))
			if got := subscribed(bob); got != 1 {
				t.Errorf("bob is subscribed to %d topics, want 1", got)
			}
		})
	}
}

// TestReturnReachesFollowers: an author back from power off, or restarted,
// reaches every follower with what it posted away or on its return, beyond
// the maxHolders the DHT names, and followers that moved meanwhile (a
// restart on another port): GossipSub exchanges no peers, so none of them
// would otherwise hear of it before its periodic sync, minutes later.
func TestReturnReachesFollowers(t *testing.T) {
	// restart closes n and opens its directory again (on another port),
	// logged in as name.
	restart := func(t *testing.T, tn *testNet, n *Node, dir, name string) *Node {
		if err := n.Close(); err != nil {
			t.Fatal(err)
		}
		n = tn.node(dir)
		if _, err := n.Login(context.Background(), name, "pw-"+name); err != nil {
			t.Fatal(err)
		}
		return n
	}
	tests := []struct {
		name string
		// away takes alice away, has her post "written away", and
		// brings her back; it returns the followers as they are then.
		away func(t *testing.T, tn *testNet, alice *Node, dir string, fans []*Node, fanDirs []string) []*Node
	}{
		{"power off", func(t *testing.T, _ *testNet, alice *Node, _ string, fans []*Node, _ []string) []*Node {
			setPower(t, alice, PowerOff)
			mustPost(t, alice, "written away")
			setPower(t, alice, PowerForeground)
			return fans
		}},
		{"restart", func(t *testing.T, tn *testNet, alice *Node, dir string, fans []*Node, _ []string) []*Node {
			alice = restart(t, tn, alice, dir, "alice")
			mustPost(t, alice, "written away")
			return fans
		}},
		{"followers moved", func(t *testing.T, tn *testNet, alice *Node, _ string, fans []*Node, fanDirs []string) []*Node {
			setPower(t, alice, PowerOff)
			for i := range fans {
				fans[i] = restart(t, tn, fans[i], fanDirs[i], fmt.Sprintf("fan%d", i))
			}
			mustPost(t, alice, "written away")
			setPower(t, alice, PowerForeground)
			return fans
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tn := newTestNet(t)
			dir := t.TempDir()
			alice := tn.node(dir)
			if _, err := alice.Register(context.Background(), "alice", "pw-alice"); err != nil {
				t.Fatal(err)
			}
			var fans []*Node
			var fanDirs []string
			for i := range maxHolders + 3 {
				fanDirs = append(fanDirs, t.TempDir())
				f := tn.node(fanDirs[i])
				name := fmt.Sprintf("fan%d", i)
				if _, err := f.Register(context.Background(), name, "pw-"+name); err != nil {
					t.Fatal(err)
				}
				mustFollow(t, f, "alice")
				fans = append(fans, f)
			}
			mustPost(t, alice, "before")
			for i, f := range fans {
				waitFor(t, fmt.Sprintf("fan%d gets the live post", i), hasFeed(f, "alice: before"))
			}
			fans = tt.away(t, tn, alice, dir, fans, fanDirs)
			for i, f := range fans {
				waitFor(t, fmt.Sprintf("fan%d gets the post written away", i), hasFeed(f, "alice: written away"))
			}
		})
	}
}
