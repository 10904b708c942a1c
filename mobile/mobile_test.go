package mobile

import (
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// goleveldb's buffer pool drains on a timer after the DB closes.
		goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"),
	)
}

const loopback = "/ip4/127.0.0.1/tcp/0, /ip4/127.0.0.1/udp/0/quic-v1"

func newNode(t *testing.T, bootstrap string, dhtServer bool) *Node {
	t.Helper()
	cfg := NewConfig()
	cfg.DHTServer = dhtServer
	cfg.DataDir = t.TempDir()
	cfg.ListenAddrs = loopback
	cfg.BootstrapAddrs = bootstrap
	n, err := NewNode(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// recorder is a Listener that keeps what it is told.
type recorder struct {
	mu        sync.Mutex
	posts     []*Post
	followers []*User
	notes     []*Notification
	peers     []int
}

func (r *recorder) OnPost(p *Post) { r.mu.Lock(); r.posts = append(r.posts, p); r.mu.Unlock() }
func (r *recorder) OnFollower(u *User) {
	r.mu.Lock()
	r.followers = append(r.followers, u)
	r.mu.Unlock()
}
func (r *recorder) OnNotification(n *Notification) {
	r.mu.Lock()
	r.notes = append(r.notes, n)
	r.mu.Unlock()
}
func (r *recorder) OnConnectivity(peers int) {
	r.mu.Lock()
	r.peers = append(r.peers, peers)
	r.mu.Unlock()
}

func (r *recorder) has(cond func(r *recorder) bool) func() bool {
	return func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return cond(r)
	}
}

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

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  *Config
		want string
	}{
		{"nil", nil, "no configuration"},
		{"no dir", &Config{}, "no data directory"},
		{"bad mode", &Config{DataDir: "x", PowerMode: 9}, "unknown power mode"},
		{"negative interval", &Config{DataDir: "x", BackgroundSyncMinutes: -1}, "must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewNode(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewNode: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestNotStartedAndClosed(t *testing.T) {
	cfg := NewConfig()
	cfg.DataDir = t.TempDir()
	cfg.ListenAddrs = loopback
	n, err := NewNode(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Post("hi"); err == nil || !strings.Contains(err.Error(), "not started") {
		t.Fatalf("Post before Start: %v", err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err == nil {
		t.Fatal("second Start succeeded")
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := n.Feed("", 10); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("Feed after Close: %v", err)
	}
}

func TestTwoNodes(t *testing.T) {
	// a answers DHT queries: without a relay, someone must hold the
	// name records.
	a := newNode(t, "", true)
	b := newNode(t, a.Addrs(), false)
	ra, rb := &recorder{}, &recorder{}
	a.SetListener(ra)
	b.SetListener(rb)

	if _, err := a.Register("alice", "pw-alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Register("bob", "pw-bob"); err != nil {
		t.Fatal(err)
	}
	if err := b.Follow("nobody_here"); err == nil || !strings.Contains(err.Error(), "no user with this name") {
		t.Fatalf("Follow(unknown): %v", err)
	}
	if err := b.Follow("alice"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "onFollower", ra.has(func(r *recorder) bool {
		return len(r.followers) == 1 && r.followers[0].Name == "bob"
	}))
	// A text the terminal of a follower could take as commands is refused,
	// with a message an app can show as it is.
	if _, err := a.Post("hi\x1b]0;owned\x07"); err == nil || err.Error() !=
		"invalid post: character 3 is U+001B (ESC), a control character: a post may hold newlines and tabs but no other control characters, which a terminal could take as commands" {
		t.Fatalf("Post(an escape sequence): %v", err)
	}
	if _, err := a.Post("hello from alice"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "onPost", rb.has(func(r *recorder) bool {
		return len(r.posts) > 0 && r.posts[len(r.posts)-1].Text == "hello from alice"
	}))
	page, err := b.Feed("", 10)
	if err != nil {
		t.Fatal(err)
	}
	if page.Len() != 1 || page.Get(0).Author != "alice" || page.Get(0).Text != "hello from alice" || page.Get(1) != nil {
		t.Fatalf("bob's feed: %d posts, first %+v", page.Len(), page.Get(0))
	}
	following, err := b.Following()
	if err != nil || following.Len() != 1 || following.Get(0).Name != "alice" {
		t.Fatalf("Following: %v", err)
	}
	followers, err := a.Followers()
	if err != nil || followers.Len() != 1 || followers.Get(0).Name != "bob" || followers.Get(0).SinceMillis == 0 {
		t.Fatalf("Followers: %v", err)
	}
	notes, err := a.Notifications(10, true)
	if err != nil || notes.Len() != 1 || notes.Get(0).Kind != "follower" || notes.Get(0).FromName != "bob" {
		t.Fatalf("Notifications: %v", err)
	}

	if err := b.Logout(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Login("bob", "not-it"); err == nil || !strings.HasPrefix(err.Error(), "wrong password") {
		t.Fatalf("Login with a wrong password: %v", err)
	}
	if _, err := b.Login("bob", "pw-bob"); err != nil {
		t.Fatal(err)
	}

	for _, m := range []int{PowerBackground, PowerOff, PowerForeground} {
		if err := b.SetPowerMode(m); err != nil {
			t.Fatal(err)
		}
		st, err := b.Status()
		if err != nil || st.PowerMode != m || st.Account != "bob" {
			t.Fatalf("Status after SetPowerMode(%d): %+v, %v", m, st, err)
		}
	}
	if err := b.SetPowerMode(5); err == nil {
		t.Fatal("SetPowerMode(5) succeeded")
	}
	if err := b.SetNetworkType(NetworkCellular); err != nil {
		t.Fatal(err)
	}
	if st, _ := b.Status(); st.NetworkType != NetworkCellular {
		t.Fatalf("NetworkType %d, want cellular", st.NetworkType)
	}
	b.SetListener(nil)
}
