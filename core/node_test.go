package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/skein-p2p/skein/core/internal/keystore"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// goleveldb's pool drainer outlives DB.Close by up to a second.
		goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"),
	)
}

// cheapKDF keeps password hashing fast in tests; production uses
// keystore.DefaultParams.
var cheapKDF = &keystore.Params{Time: 1, MemoryKiB: 64, Threads: 1}

// loopback listens on 127.0.0.1 only, TCP and QUIC, with system-chosen ports.
var loopback = []string{"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"}

type testNet struct {
	t     *testing.T
	relay *Relay
}

func newTestNet(t *testing.T) *testNet {
	t.Helper()
	r, err := NewRelay(context.Background(), RelayConfig{DataDir: t.TempDir(), ListenAddrs: loopback})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return &testNet{t: t, relay: r}
}

// node starts a node in dir (a new one if dir is "") bootstrapped from the
// relay; it is closed when the test ends.
func (tn *testNet) node(dir string) *Node {
	tn.t.Helper()
	return tn.nodeWith("", func(c *Config) {
		if dir != "" {
			c.DataDir = dir
		}
	})
}

// user starts a node and registers name on it.
func (tn *testNet) user(name string) *Node {
	tn.t.Helper()
	return tn.nodeWith(name, nil)
}

// nodeWith starts a node bootstrapped from the relay, with the test
// defaults changed by mod if it is not nil, waits for it to join, and
// registers name on it unless name is "". It is closed when the test ends.
func (tn *testNet) nodeWith(name string, mod func(*Config)) *Node {
	tn.t.Helper()
	cfg := Config{
		DataDir:        tn.t.TempDir(),
		ListenAddrs:    loopback,
		BootstrapAddrs: tn.relay.Addrs(),
		kdf:            cheapKDF,
		Logger:         testLogger(),
	}
	if mod != nil {
		mod(&cfg)
	}
	n, err := New(context.Background(), cfg)
	if err != nil {
		tn.t.Fatal(err)
	}
	tn.t.Cleanup(func() { n.Close() })
	waitFor(tn.t, "bootstrap", func() bool { return len(n.host.Network().Peers()) > 0 })
	if name != "" {
		if _, err := n.Register(context.Background(), name, "pw-"+name); err != nil {
			tn.t.Fatalf("Register(%s): %v", name, err)
		}
	}
	return n
}

// testLogger logs to stderr at debug level if $SKEIN_TEST_LOG is set.
func testLogger() *slog.Logger {
	if os.Getenv("SKEIN_TEST_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// waitFor polls cond every 20 ms for up to 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func feedTexts(t *testing.T, n *Node) []string {
	t.Helper()
	p, err := n.Feed(context.Background(), "", 100)
	if err != nil {
		t.Fatalf("Feed() error: %v", err)
	}
	var out []string
	for _, post := range p.Posts {
		out = append(out, post.Author+": "+post.Text)
	}
	return out
}

func hasFeed(n *Node, want string) func() bool {
	return func() bool {
		p, err := n.Feed(context.Background(), "", 100)
		if err != nil {
			return false
		}
		for _, post := range p.Posts {
			if post.Author+": "+post.Text == want {
				return true
			}
		}
		return false
	}
}

func mustFollow(t *testing.T, n *Node, name string) {
	t.Helper()
	if _, err := n.Follow(context.Background(), name); err != nil {
		t.Fatalf("Follow(%s): %v", name, err)
	}
}

func mustPost(t *testing.T, n *Node, text string) Post {
	t.Helper()
	p, err := n.Post(context.Background(), text)
	if err != nil {
		t.Fatalf("Post(%q): %v", text, err)
	}
	return p
}

// watch collects events of a node until the test ends.
type watch struct {
	mu     sync.Mutex
	events []Event
}

func watchEvents(t *testing.T, n *Node) *watch {
	w := &watch{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		n.Watch(ctx, func(ev Event) {
			w.mu.Lock()
			w.events = append(w.events, ev)
			w.mu.Unlock()
		})
	}()
	t.Cleanup(func() { cancel(); <-done })
	return w
}

func (w *watch) has(kind EventKind, match func(Event) bool) func() bool {
	return func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, ev := range w.events {
			if ev.Kind == kind && match(ev) {
				return true
			}
		}
		return false
	}
}

func TestAccounts(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	ctx := context.Background()

	if err := alice.Logout(ctx); err != nil {
		t.Fatalf("Logout() = %v", err)
	}
	if _, err := alice.Post(ctx, "hi"); !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("Post() after logout = %v, want ErrNotLoggedIn", err)
	}
	tests := []struct {
		name, user, password string
		want                 error
	}{
		{"wrong password", "alice", "nope", ErrWrongPassword},
		{"no such account", "zed", "pw", ErrNoAccount},
		{"invalid name", "Al", "pw", ErrInvalidName},
		{"right password", "alice", "pw-alice", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := alice.Login(ctx, tt.user, tt.password)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Login(%q) = %v, want %v", tt.user, err, tt.want)
			}
		})
	}
	if _, err := alice.Register(ctx, "alice2", "pw"); !errors.Is(err, ErrLoggedIn) {
		t.Fatalf("Register() while logged in = %v, want ErrLoggedIn", err)
	}
	alice.Logout(ctx)
	if _, err := alice.Register(ctx, "alice", "pw"); !errors.Is(err, ErrAccountExists) {
		t.Fatalf("Register(alice) again = %v, want ErrAccountExists", err)
	}
	// A second account on the same device.
	if _, err := alice.Register(ctx, "alice_work", "pw2"); err != nil {
		t.Fatalf("Register(alice_work) = %v", err)
	}
	st, err := alice.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(st.Accounts, ","); got != "alice,alice_work" || st.Account != "alice_work" {
		t.Fatalf("Status() accounts %q logged in %q, want alice,alice_work and alice_work", got, st.Account)
	}

	// The name is claimed in the DHT: another device cannot take it.
	other := tn.node("")
	var lastErr error
	waitFor(t, "name record", func() bool {
		_, err := other.Whois(ctx, "alice")
		if err != nil && fmt.Sprint(err) != fmt.Sprint(lastErr) {
			t.Logf("whois: %v", err)
		}
		lastErr = err
		return err == nil
	})
	if _, err := other.Register(ctx, "alice", "pw"); !errors.Is(err, ErrNameTaken) {
		t.Fatalf("Register(alice) on another device = %v, want ErrNameTaken", err)
	}
	if _, err := other.Register(ctx, "bad-name", "pw"); !errors.Is(err, ErrInvalidName) {
		t.Fatalf("Register(bad-name) = %v, want ErrInvalidName", err)
	}
}

func TestLiveDeliveryFollowersNotifications(t *testing.T) {
	tn := newTestNet(t)
	alice, bob, carol := tn.user("alice"), tn.user("bob"), tn.user("carol")
	ctx := context.Background()
	aliceEvents := watchEvents(t, alice)
	bobEvents := watchEvents(t, bob)

	mustFollow(t, bob, "alice")
	mustFollow(t, carol, "alice")
	if _, err := bob.Follow(ctx, "nobody_here"); !errors.Is(err, ErrUnknownName) {
		t.Fatalf("Follow(nobody_here) = %v, want ErrUnknownName", err)
	}
	if _, err := bob.Follow(ctx, "bob"); !errors.Is(err, ErrSelfFollow) {
		t.Fatalf("Follow(bob) by bob = %v, want ErrSelfFollow", err)
	}

	// Followers are told directly.
	waitFor(t, "alice's followers", func() bool {
		fs, _ := alice.Followers(ctx)
		return len(fs) == 2
	})
	fs, _ := alice.Followers(ctx)
	if got := fmt.Sprint(fs[0].Name, ",", fs[1].Name); got != "bob,carol" {
		t.Fatalf("Followers() = %s, want bob,carol", got)
	}
	waitFor(t, "follower event", aliceEvents.has(EventFollower, func(ev Event) bool { return ev.User.Name == "bob" }))
	ns, err := alice.Notifications(ctx, 10, true)
	if err != nil || len(ns) != 2 || ns[0].Kind != NotifyFollower || ns[0].Read {
		t.Fatalf("Notifications() = %+v, %v; want 2 unread follower notifications", ns, err)
	}
	ns, _ = alice.Notifications(ctx, 10, false)
	if !ns[0].Read {
		t.Fatalf("Notifications() after marking read: %+v", ns)
	}

	// Wait until the gossip mesh has formed, then a post arrives live.
	waitFor(t, "bob's subscription to reach alice", func() bool {
		return len(alice.host.PubSub.ListPeers(topicOf(alice.session().key))) >= 2
	})
	mustPost(t, alice, "hello from alice")
	waitFor(t, "bob's post event", bobEvents.has(EventPost, func(ev Event) bool { return ev.Post.Text == "hello from alice" }))
	waitFor(t, "carol's feed", hasFeed(carol, "alice: hello from alice"))
	if got, want := feedTexts(t, bob), []string{"alice: hello from alice"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("bob Feed() = %q, want %q", got, want)
	}
	// Own posts are in one's own feed and timeline.
	if got := feedTexts(t, alice); len(got) != 1 {
		t.Fatalf("alice Feed() = %q, want her own post", got)
	}
	tl, err := bob.Timeline(ctx, "alice", "", 10)
	if err != nil || len(tl.Posts) != 1 || tl.Posts[0].Seq != 1 {
		t.Fatalf("Timeline(alice) = %+v, %v", tl, err)
	}
}

func TestFeedPagination(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	ctx := context.Background()
	for i := range 7 {
		mustPost(t, alice, fmt.Sprintf("post %d", i))
	}
	var got []string
	cursor := ""
	for range 10 {
		p, err := alice.Feed(ctx, cursor, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, post := range p.Posts {
			got = append(got, post.Text)
		}
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	want := "[post 6 post 5 post 4 post 3 post 2 post 1 post 0]"
	if fmt.Sprint(got) != want {
		t.Fatalf("Feed() pages = %v, want %v", got, want)
	}
	if _, err := alice.Feed(ctx, "!!!", 3); !errors.Is(err, ErrBadCursor) {
		t.Fatalf("Feed(bad cursor) = %v, want ErrBadCursor", err)
	}
}

func TestPostValidation(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	tests := []struct {
		name string
		text string
		ok   bool
	}{
		{"short", "hi", true},
		{"1000 characters", strings.Repeat("é", 1000), true},
		{"1001 characters", strings.Repeat("a", 1001), false},
		{"empty", "", false},
		{"white space", " \n\t", false},
		{"invalid UTF-8", "\xff\xfe", false},
		{"newlines and tabs", "one\n\ttwo", true},
		{"escape sequence", "\x1b]0;owned\x07hi", false},
		{"carriage return", "hi\r2026-11-22 04:10  @bob  [3f2a91c0]  fake", false},
		{"C1 control", "\u009b2J", false},
		{"bidi override", "txt.\u202eexe", false},
	}
	ctx := context.Background()
	parent := mustPost(t, alice, "a post to reply to")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := alice.Status(ctx)
			_, perr := alice.Post(ctx, tt.text)
			_, rerr := alice.Reply(ctx, parent.ID, tt.text)
			for what, err := range map[string]error{"Post": perr, "Reply": rerr} {
				if tt.ok && err != nil {
					t.Fatalf("%s() = %v, want success", what, err)
				}
				if !tt.ok && !errors.Is(err, ErrInvalidPost) {
					t.Fatalf("%s() = %v, want ErrInvalidPost", what, err)
				}
			}
			if after, _ := alice.Status(ctx); !tt.ok && after.Entries != before.Entries {
				t.Errorf("the log went from %d to %d entries on a refused text", before.Entries, after.Entries)
			}
		})
	}
}
