package mobile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// goleveldb's buffer pool drains on a timer after the DB closes.
		goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"),
	)
}

const loopback = "/ip4/127.0.0.1/tcp/0, /ip4/127.0.0.1/udp/0/quic-v1"

// newNode starts a node on loopback that bootstraps from bootstrap, and
// waits for its first connection. It leaves the process's memory limit as it
// is: TestStartSetsMemoryLimit tests that.
func newNode(t testing.TB, bootstrap string, dhtServer bool) *Node {
	t.Helper()
	cfg := NewConfig()
	cfg.MemoryLimitMiB = -1
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
	if bootstrap != "" {
		waitFor(t, "a bootstrap connection", func() bool {
			st, err := n.Status()
			return err == nil && st.Peers > 0
		})
	}
	return n
}

// recorder is a Listener that keeps what it is told.
type recorder struct {
	mu        sync.Mutex
	posts     []*Post
	followers []*User
	notes     []*Notification
	unfollows []*User
	deleted   []*Post
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
func (r *recorder) OnUnfollow(u *User) {
	r.mu.Lock()
	r.unfollows = append(r.unfollows, u)
	r.mu.Unlock()
}
func (r *recorder) OnDelete(p *Post) { r.mu.Lock(); r.deleted = append(r.deleted, p); r.mu.Unlock() }
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

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wantCode fails unless err carries code.
func wantCode(t *testing.T, what string, err error, code int) {
	t.Helper()
	if got := ErrorCode(err); got != code {
		t.Fatalf("%s: %v (code %s), want code %s", what, err, ErrorCodeName(got), ErrorCodeName(code))
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
		{"bad mode", &Config{DataDir: "x", PowerMode: &PowerMode{Name: "sideways"}}, `unknown power mode "sideways"`},
		{"negative interval", &Config{DataDir: "x", BackgroundSyncMinutes: -1}, "must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewNode(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewNode: %v, want an error containing %q", err, tt.want)
			}
			wantCode(t, "NewNode", err, CodeInvalidInput)
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
	_, err = n.Post("hi")
	wantCode(t, "Post before Start", err, CodeNotStarted)
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "second Start", n.Start(), CodeStarted)
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	_, err = n.Feed("", 10)
	wantCode(t, "Feed after Close", err, CodeClosed)
	wantCode(t, "Start after Close", n.Start(), CodeClosed)
}

// TestDataDirInUse: a second node on a data directory in use is refused
// with a message that says so, not a system call's.
func TestDataDirInUse(t *testing.T) {
	cfg := NewConfig()
	cfg.DataDir = t.TempDir()
	cfg.ListenAddrs = loopback
	first, err := NewNode(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	second, err := NewNode(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = second.Start()
	wantCode(t, "Start on a data directory in use", err, CodeDataDirInUse)
	if want := "this data directory is in use by another node: " + cfg.DataDir; err.Error() != want {
		t.Fatalf("message %q, want %q", err, want)
	}
}

// TestHugeInputNotEchoed: an error about a huge argument quotes at most
// its start.
func TestHugeInputNotEchoed(t *testing.T) {
	n := newNode(t, "", true)
	huge := strings.Repeat("x", 10_000)
	calls := map[string]func() error{
		"Register": func() error { _, err := n.Register(huge, "pw"); return err },
		"Login":    func() error { _, err := n.Login(huge, "pw"); return err },
		"Follow":   func() error { _, err := n.Follow(huge); return err },
		"Whois":    func() error { _, err := n.Whois(huge); return err },
		"Reply":    func() error { _, err := n.Reply(huge, "hi"); return err },
		"Feed":     func() error { _, err := n.Feed(huge, 10); return err },
		"Power":    func() error { return n.SetPowerMode(&PowerMode{Name: huge}) },
		"Network":  func() error { return n.SetNetworkType(&NetworkType{Name: huge}) },
		"Restore":  func() error { _, err := n.RestorePhrase("alice", huge, "pw"); return err },
		"KeyFile":  func() error { _, err := n.RestoreKeyFile([]byte(huge), "pw"); return err },
		"Post":     func() error { _, err := n.Post(huge); return err },
		"Timeline": func() error { _, err := n.Timeline(huge, "", 1); return err },
		"Unfollow": func() error { return n.Unfollow(huge) },
		"Delete":   func() error { return n.Delete(huge) },
		"Repost":   func() error { _, err := n.Repost(huge); return err },
	}
	if _, err := n.Register("huge_tester", "pw"); err != nil {
		t.Fatal(err)
	}
	for name, call := range calls {
		err := call()
		if err == nil {
			t.Errorf("%s(10,000 characters) succeeded", name)
			continue
		}
		if len(err.Error()) > maxMessage+len("…") {
			t.Errorf("%s: a message of %d bytes", name, len(err.Error()))
		}
		if ErrorCode(err) == CodeInternal {
			t.Errorf("%s: %v has no specific code", name, err)
		}
	}
}

func TestErrorCodeNames(t *testing.T) {
	seen := map[string]int{}
	for code := range len(codeNames) {
		name := ErrorCodeName(code)
		if name == "" {
			t.Errorf("code %d has no name", code)
		}
		if c, ok := seen[name]; ok {
			t.Errorf("codes %d and %d are both %q", c, code, name)
		}
		seen[name] = code
	}
	if ErrorCodeName(-1) != "" || ErrorCodeName(len(codeNames)) != "" {
		t.Error("a name for a number that is no code")
	}
	if ErrorCode(nil) != CodeOK || ErrorCode(errors.New("from elsewhere")) != CodeInternal {
		t.Error("ErrorCode of nil or a foreign error")
	}
}

// TestMessages: messages lose Go package prefixes but keep paths.
func TestMessages(t *testing.T) {
	tests := []struct{ in, want string }{
		{"core: store: no space left on device", "no space left on device"},
		{"core: this data directory is in use by another node: /data/core: x", "this data directory is in use by another node: /data/core: x"},
		{"wrong password for bob", "wrong password for bob"},
	}
	for _, tt := range tests {
		if got := coded(errors.New(tt.in)).Error(); got != tt.want {
			t.Errorf("coded(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := coded(fmt.Errorf("core: lookup: %w", context.DeadlineExceeded)); ErrorCode(got) != CodeNetwork ||
		got.Error() != "the network did not answer in time: lookup: context deadline exceeded" {
		t.Errorf("a timeout: %v (%d)", got, ErrorCode(got))
	}
}

// TestTwoNodes runs the whole API on two nodes: every call, every event.
func TestTwoNodes(t *testing.T) {
	// a answers DHT queries: without a relay, someone must hold the
	// name records.
	a := newNode(t, "", true)
	b := newNode(t, a.Addrs(), false)
	ra, rb := &recorder{}, &recorder{}
	a.SetListener(ra)
	b.SetListener(rb)

	_, err := a.Post("before login")
	wantCode(t, "Post before login", err, CodeNotLoggedIn)
	_, err = a.Register("Alice!", "pw")
	wantCode(t, "Register(an invalid name)", err, CodeInvalidName)
	_, err = a.Register("alice", "")
	wantCode(t, "Register(no password)", err, CodeInvalidInput)
	if _, err := a.Register("alice", "pw-alice"); err != nil {
		t.Fatal(err)
	}
	_, err = a.Register("alice2", "pw")
	wantCode(t, "Register while logged in", err, CodeLoggedIn)
	_, err = b.Register("alice", "pw-mallory")
	wantCode(t, "Register(a name taken)", err, CodeNameTaken)
	if _, err := b.Register("bob", "pw-bob"); err != nil {
		t.Fatal(err)
	}
	_, err = b.Follow("nobody_here")
	wantCode(t, "Follow(unknown)", err, CodeUnknownName)
	_, err = b.Follow("bob")
	wantCode(t, "Follow(self)", err, CodeSelfFollow)
	wantCode(t, "Unfollow(not followed)", b.Unfollow("alice"), CodeNotFollowing)
	if u, err := b.Follow("alice"); err != nil || u.Name != "alice" || u.Key == "" {
		t.Fatalf("Follow(alice) = %+v, %v", u, err)
	}
	waitFor(t, "onFollower", ra.has(func(r *recorder) bool {
		return len(r.followers) == 1 && r.followers[0].Name == "bob"
	}))
	// A text the terminal of a follower could take as commands is refused,
	// with a message an app can show as it is.
	_, err = a.Post("hi\x1b]0;owned\x07")
	wantCode(t, "Post(an escape sequence)", err, CodeInvalidPost)
	if err.Error() != "invalid post: character 3 is U+001B (ESC), a control character: a post may hold newlines and tabs but no other control characters, which a terminal could take as commands" {
		t.Fatalf("Post(an escape sequence): %v", err)
	}
	_, err = a.Post("")
	wantCode(t, "Post(null)", err, CodeInvalidInput)
	_, err = a.Post(strings.Repeat("é", MaxPostChars+1))
	wantCode(t, "Post(too long)", err, CodeInvalidPost)
	if _, err := a.Post(strings.Repeat("é", MaxPostChars)); err != nil {
		t.Fatalf("Post(MaxPostChars): %v", err)
	}
	post, err := a.Post("hello from alice")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "onPost", rb.has(func(r *recorder) bool {
		// Gossip keeps no order: the long post before may come after.
		return slices.ContainsFunc(r.posts, func(p *Post) bool { return p.Text == "hello from alice" })
	}))
	page, err := b.Feed("", 1)
	if err != nil {
		t.Fatal(err)
	}
	if page.Len() != 1 || page.Get(0).Author != "alice" || page.Get(0).Text != "hello from alice" || page.Get(1) != nil || page.NextCursor() == "" {
		t.Fatalf("bob's feed: %d posts, first %+v", page.Len(), page.Get(0))
	}
	if next, err := b.Feed(page.NextCursor(), MaxPageSize+1); err != nil || next.Len() != 1 || next.NextCursor() != "" {
		t.Fatalf("bob's feed, page 2: %v", err)
	}
	_, err = b.Feed("not-a-cursor", 10)
	wantCode(t, "Feed(bad cursor)", err, CodeInvalidInput)
	_, err = b.FeedJSON("not-a-cursor", 10)
	wantCode(t, "FeedJSON(bad cursor)", err, CodeInvalidInput)
	// The page as JSON is the page, in core's JSON.
	js, err := b.FeedJSON("", 1)
	var jp core.Page
	if err != nil || json.Unmarshal(js, &jp) != nil || len(jp.Posts) != 1 || jp.Posts[0].ID != page.Get(0).ID || jp.Next != page.NextCursor() {
		t.Fatalf("FeedJSON = %s, %v", js, err)
	}
	if js, err := b.TimelineJSON("alice", "", 1); err != nil || !strings.Contains(string(js), `"text":"hello from alice"`) {
		t.Fatalf("TimelineJSON = %s, %v", js, err)
	}
	_, err = b.TimelineJSON("", "", 1)
	wantCode(t, "TimelineJSON(null)", err, CodeInvalidInput)

	reply, err := b.Reply(post.ID[:8], "hi alice")
	if err != nil || reply.Kind != "reply" || reply.ReplyToID != post.ID || reply.ReplyToAuthor != "alice" {
		t.Fatalf("Reply = %+v, %v", reply, err)
	}
	_, err = b.Reply("00000000deadbeef", "to nothing")
	wantCode(t, "Reply(no such post)", err, CodeNoPost)
	repost, err := b.Repost(post.ID)
	if err != nil || repost.Kind != "repost" || repost.RepostOfID != post.ID || repost.RepostOf == nil || repost.RepostOf.Text != "hello from alice" {
		t.Fatalf("Repost = %+v, %v", repost, err)
	}
	wantCode(t, "Delete(alice's post) by bob", b.Delete(post.ID), CodeNotYours)
	if lp, err := b.Like(post.ID); err != nil || lp.Likes != 1 || !lp.Liked {
		t.Fatalf("Like = %+v, %v", lp, err)
	}
	wantCode(t, "Unlike(not liked)", b.Unlike(reply.ID), CodeNotLiked)
	if th, err := b.Thread(post.ID); err != nil || th.Len() != 2 || th.Get(1).Post.ID != reply.ID || th.Get(1).Depth != 1 || th.Get(1).ParentID != post.ID {
		t.Fatalf("Thread = %+v, %v", th, err)
	}
	_, err = b.Thread("")
	wantCode(t, "Thread(null)", err, CodeInvalidInput)
	waitFor(t, "the reply, repost and like notified", func() bool {
		ns, err := a.Notifications(10, false)
		kinds := map[string]bool{}
		for i := range ns.Len() {
			kinds[ns.Get(i).Kind] = true
		}
		return err == nil && kinds["reply"] && kinds["repost"] && kinds["like"]
	})
	tl, err := b.Timeline("bob", "", 10)
	if err != nil || tl.Len() != 2 || tl.Get(0).Kind != "repost" || tl.Get(1).Kind != "reply" {
		t.Fatalf("bob's own timeline: %v", err)
	}
	tl, err = b.Timeline("alice", "", 10)
	if err != nil || tl.Len() != 2 || tl.Get(0).ID != post.ID {
		t.Fatalf("bob's view of alice's timeline: %v", err)
	}
	if err := a.Delete(post.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "onDelete", rb.has(func(r *recorder) bool {
		return len(r.deleted) == 1 && r.deleted[0].ID == post.ID
	}))

	following, err := b.Following()
	if err != nil || following.Len() != 1 || following.Get(0).Name != "alice" || following.Get(0).Log == nil || following.Get(0).Log.To == 0 {
		t.Fatalf("Following: %v", err)
	}
	followers, err := a.Followers()
	if err != nil || followers.Len() != 1 || followers.Get(0).Name != "bob" || followers.Get(0).SinceMillis == 0 {
		t.Fatalf("Followers: %v", err)
	}
	notes, err := a.Notifications(10, true)
	if err != nil || notes.Len() != 4 || notes.Get(notes.Len()-1).Kind != "follower" || notes.Get(notes.Len()-1).FromName != "bob" {
		t.Fatalf("Notifications: %v", err)
	}
	if p, err := b.Whois("alice"); err != nil || p.Name != "alice" || p.PeerID != a.PeerID() || !p.Pinned || p.Addrs.Len() == 0 {
		t.Fatalf("Whois(alice) = %+v, %v", p, err)
	}
	peers, err := b.Peers()
	if err != nil || peers.Len() == 0 || peers.Get(0).Peer != a.PeerID() || peers.Get(0).Relayed || peers.Get(peers.Len()) != nil {
		t.Fatalf("Peers: %v", err)
	}
	if err := b.Unfollow("alice"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "onUnfollow", ra.has(func(r *recorder) bool {
		return len(r.unfollows) == 1 && r.unfollows[0].Name == "bob"
	}))

	// Accounts, export and logging in again.
	phrase, err := b.ExportPhrase("pw-bob")
	if err != nil || len(strings.Fields(phrase)) != 24 {
		t.Fatalf("ExportPhrase: %d words, %v", len(strings.Fields(phrase)), err)
	}
	_, err = b.ExportPhrase("not-it")
	wantCode(t, "ExportPhrase(wrong password)", err, CodeWrongPassword)
	keyFile, err := b.ExportKeyFile("pw-bob")
	if err != nil || len(keyFile) == 0 {
		t.Fatalf("ExportKeyFile: %v", err)
	}
	if err := b.Logout(); err != nil {
		t.Fatal(err)
	}
	_, err = b.Login("bob", "not-it")
	wantCode(t, "Login(wrong password)", err, CodeWrongPassword)
	if !strings.HasPrefix(err.Error(), "wrong password") {
		t.Fatalf("Login(wrong password): %v", err)
	}
	_, err = b.Login("ghost", "pw")
	wantCode(t, "Login(ghost)", err, CodeNoAccount)
	_, err = b.Register("bob", "pw")
	wantCode(t, "Register(bob) again", err, CodeAccountExists)
	_, err = b.RestorePhrase("bob", "not a phrase", "pw")
	wantCode(t, "RestorePhrase(garbage)", err, CodeBadSecret)
	_, err = b.RestoreKeyFile([]byte("garbage"), "pw")
	wantCode(t, "RestoreKeyFile(garbage)", err, CodeBadSecret)
	if _, err := b.Login("bob", "pw-bob"); err != nil {
		t.Fatal(err)
	}
	accts, err := b.Accounts()
	if err != nil || accts.Len() != 1 || accts.Get(0) != "bob" || accts.Get(1) != "" {
		t.Fatalf("Accounts: %v", err)
	}

	for _, m := range []*PowerMode{PowerBackground(), PowerOff(), PowerForeground()} {
		if err := b.SetPowerMode(m); err != nil {
			t.Fatal(err)
		}
		st, err := b.Status()
		if err != nil || *st.Power != *m || st.Account != "bob" || st.Accounts.Len() != 1 || st.Relays == nil {
			t.Fatalf("Status after SetPowerMode(%s): %+v, %v", m, st, err)
		}
	}
	wantCode(t, "SetPowerMode(null)", b.SetPowerMode(nil), CodeInvalidInput)
	wantCode(t, "SetNetworkType(null)", b.SetNetworkType(nil), CodeInvalidInput)
	if err := b.SetNetworkType(NetworkCellular()); err != nil {
		t.Fatal(err)
	}
	if st, _ := b.Status(); st.Network.Name != "cellular" || st.Reachability == "" || st.Addrs.Len() == 0 || st.DHTMode != "client" {
		t.Fatalf("Status: %+v", st)
	}
	b.SetListener(nil)
}

// TestRestoreOnNewDevice: an account restored from its phrase on another
// device, while nobody holds its log, is restoring and cannot post yet;
// the key file restores on a third.
func TestRestoreOnNewDevice(t *testing.T) {
	s := newNode(t, "", true)
	a := newNode(t, s.Addrs(), false)
	if _, err := a.Register("carol", "pw-carol"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Post("carol's first"); err != nil {
		t.Fatal(err)
	}
	phrase, err := a.ExportPhrase("pw-carol")
	if err != nil {
		t.Fatal(err)
	}
	keyFile, err := a.ExportKeyFile("pw-carol")
	if err != nil {
		t.Fatal(err)
	}
	// The name record announcing the post must reach s before a goes.
	waitFor(t, "carol's record with her post", func() bool {
		p, err := s.Whois("carol")
		return err == nil && p.LatestSeq >= 1
	})
	a.Close()

	c := newNode(t, s.Addrs(), false)
	_, err = c.RestorePhrase("carol", phrase, "")
	wantCode(t, "RestorePhrase(no password)", err, CodeInvalidInput)
	u, err := c.RestorePhrase("carol", phrase, "new-pw")
	if err != nil || u.Name != "carol" {
		t.Fatalf("RestorePhrase = %+v, %v", u, err)
	}
	st, err := c.Status()
	if err != nil || !st.Restoring {
		t.Fatalf("Status after a restore with the log nowhere: %+v, %v", st, err)
	}
	_, err = c.Post("too soon")
	wantCode(t, "Post while restoring", err, CodeRestoring)

	d := newNode(t, s.Addrs(), false)
	_, err = d.RestoreKeyFile(keyFile, "wrong")
	wantCode(t, "RestoreKeyFile(wrong password)", err, CodeWrongPassword)
	if u, err := d.RestoreKeyFile(keyFile, "pw-carol"); err != nil || u.Name != "carol" {
		t.Fatalf("RestoreKeyFile = %+v, %v", u, err)
	}
}

// TestOffline: a lookup with no peer connected is a network error, not an
// unknown name.
func TestOffline(t *testing.T) {
	n := newNode(t, "", false)
	if _, err := n.Register("dave", "pw"); err == nil {
		// Registering needs nobody: the claim is published later.
		_, err = n.Follow("erin")
		wantCode(t, "Follow with no peer", err, CodeNetwork)
	} else {
		wantCode(t, "Register with no peer", err, CodeNetwork)
	}
}

// TestNameConflict: two relays that each hold another key's claim of one
// name leave a node that trusts both unable to decide.
func TestNameConflict(t *testing.T) {
	x, y := newNode(t, "", true), newNode(t, "", true)
	p, q := newNode(t, x.Addrs(), false), newNode(t, y.Addrs(), false)
	if _, err := p.Register("carol", "pw-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Register("carol", "pw-2"); err != nil {
		t.Fatal(err)
	}
	c := newNode(t, x.Addrs()+"\n"+y.Addrs(), false)
	if _, err := c.Register("dave", "pw"); err != nil {
		t.Fatal(err)
	}
	_, err := c.Whois("carol")
	wantCode(t, "Whois(carol) with two claims", err, CodeNameConflict)
	_, err = c.Follow("carol")
	wantCode(t, "Follow(carol) with two claims", err, CodeNameConflict)
}

// TestRequest: a write retried with its request ID is done once.
func TestRequest(t *testing.T) {
	a := newNode(t, "", true)
	b := newNode(t, a.Addrs(), false)
	if _, err := a.Register("alice", "pw"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Register("bob", "pw"); err != nil {
		t.Fatal(err)
	}
	_, err := b.Request("not an id!")
	wantCode(t, "Request(a bad ID)", err, CodeInvalidInput)
	_, err = b.Request("")
	wantCode(t, "Request(null)", err, CodeInvalidInput)
	r, err := b.Request("post-1")
	if err != nil || r.ID() != "post-1" {
		t.Fatal(err)
	}
	first, err := r.Post("once")
	if err != nil {
		t.Fatal(err)
	}
	again, err := r.Post("once")
	if err != nil || again.ID != first.ID {
		t.Fatalf("a retry = %+v, %v; want the first post %s", again, err, first.ID)
	}
	_, err = r.Post("another text")
	wantCode(t, "the ID reused for another post", err, CodeInvalidInput)
	for range 2 {
		f, err := b.Request("follow-1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Follow("alice"); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		reply, err := b.Request("reply-1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := reply.Reply(first.ID, "re"); err != nil {
			t.Fatal(err)
		}
	}
	rp, _ := b.Request("repost-1")
	if _, err := rp.Repost(first.ID); err != nil {
		t.Fatal(err)
	}
	del, _ := b.Request("delete-1")
	for range 2 {
		if err := del.Delete(first.ID); err != nil {
			t.Fatal(err)
		}
	}
	st, err := b.Status()
	// The post, the follow, the reply, the repost, the tombstone.
	if err != nil || st.Entries != 5 {
		t.Fatalf("bob's log holds %d entries, want 5: %v", st.Entries, err)
	}
	un, _ := b.Request("unfollow-1")
	for range 2 {
		if err := un.Unfollow("alice"); err != nil {
			t.Fatal(err)
		}
	}
}
