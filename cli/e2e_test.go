package cli

// End-to-end tests: the real skein binary (built in TestMain), a relay and
// three daemons as processes on 127.0.0.1. Skipped with -short.

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/cli/internal/demo"
	"github.com/skein-p2p/skein/cli/internal/localnet"
)

// Bounds of the end-to-end tests.
const (
	startTimeout   = 30 * time.Second // a process until ready
	commandTimeout = 60 * time.Second // one command
	stopGrace      = 10 * time.Second // SIGTERM until exit
	deliverWithin  = 20 * time.Second // a post or follow to arrive
	restoreWithin  = 90 * time.Second // a restored account's log to be fetched back
)

// testNet is a relay and daemons in homes under one short temporary
// directory. Every process is stopped at the end of the test.
type testNet struct {
	t       *testing.T // fails
	top     *testing.T // owns the processes
	root    string
	relay   []string
	daemons map[string]*localnet.Proc
}

func newTestNet(t *testing.T, users ...string) *testNet {
	t.Helper()
	if skeinBin == "" {
		t.Skip("-short: no end-to-end tests")
	}
	n := &testNet{t: t, top: t, root: shortTempDir(t), daemons: map[string]*localnet.Proc{}}
	ctx, cancel := context.WithTimeout(t.Context(), startTimeout)
	defer cancel()
	relay, addrs, err := localnet.StartRelay(ctx, skeinBin, filepath.Join(n.root, "relay"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.logOnFailure("relay", relay); relay.Stop(stopGrace) })
	n.relay = addrs
	for _, u := range users {
		n.start(u)
	}
	return n
}

// with returns n failing t, a subtest of n's test.
func (n *testNet) with(t *testing.T) *testNet {
	c := *n
	c.t = t
	return &c
}

func (n *testNet) home(user string) string { return filepath.Join(n.root, user) }

// start starts user's daemon, with the extra daemon flags, and waits until
// it is ready.
func (n *testNet) start(user string, extra ...string) {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(n.t.Context(), startTimeout)
	defer cancel()
	p, err := localnet.StartDaemon(ctx, user+"'s daemon", skeinBin, n.home(user), n.relay, nil, extra...)
	if err != nil {
		n.t.Fatal(err)
	}
	n.daemons[user] = p
	n.top.Cleanup(func() { n.logOnFailure(user, p); p.Stop(stopGrace) })
}

// stop stops user's daemon with SIGTERM; it must exit 0 and remove its
// socket.
func (n *testNet) stop(user string) {
	n.t.Helper()
	if err := n.daemons[user].Stop(stopGrace); err != nil {
		n.t.Fatalf("stopping %s's daemon: %v", user, err)
	}
	if _, err := os.Stat(filepath.Join(n.home(user), "skein.sock")); !errors.Is(err, os.ErrNotExist) {
		n.t.Errorf("%s's socket after the daemon stopped: %v, want it removed", user, err)
	}
}

func (n *testNet) logOnFailure(name string, p *localnet.Proc) {
	if n.top.Failed() {
		n.t.Logf("the output of %s ends with:\n%s", name, p.Tail(40))
	}
}

// skein runs "skein --home <user's home> args..." with user's password in
// $SKEIN_PASSWORD.
func (n *testNet) skein(user string, args ...string) localnet.Result {
	return n.skeinEnv(user, []string{"SKEIN_PASSWORD=" + user + "-pw"}, "", args...)
}

func (n *testNet) skeinEnv(user string, env []string, stdin string, args ...string) localnet.Result {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(n.t.Context(), commandTimeout)
	defer cancel()
	r := localnet.Run(ctx, skeinBin, env, stdin, append([]string{"--home", n.home(user)}, args...)...)
	if r.Err != nil {
		n.t.Fatalf("skein %s as %s: %v", strings.Join(args, " "), user, r.Err)
	}
	return r
}

// must runs a command that must succeed and returns its stdout.
func (n *testNet) must(user string, args ...string) string {
	n.t.Helper()
	r := n.skein(user, args...)
	if r.Code != 0 {
		n.t.Fatalf("skein %s as %s: %s", strings.Join(args, " "), user, r)
	}
	return r.Stdout
}

// eventually runs check every 200 ms until it returns true, failing the
// test after within.
func (n *testNet) eventually(within time.Duration, what string, check func() bool) {
	n.t.Helper()
	deadline := time.Now().Add(within)
	for !check() {
		if time.Now().After(deadline) {
			n.t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// feedHas reports whether user's feed has every one of texts.
func (n *testNet) feedHas(user string, texts ...string) bool {
	n.t.Helper()
	r := n.skein(user, "feed", "--limit", "100")
	if r.Code != 0 {
		return false
	}
	for _, s := range texts {
		if !strings.Contains(r.Stdout, s) {
			return false
		}
	}
	return true
}

// wantError checks that r failed with exit status 1 and one line on stderr,
// "skein: " and then a reason containing want.
func wantError(t *testing.T, what string, r localnet.Result, want string) {
	t.Helper()
	line, rest, _ := strings.Cut(r.Stderr, "\n")
	if r.Code != 1 || rest != "" || !strings.HasPrefix(line, "skein: ") || !strings.Contains(line, want) {
		t.Errorf("%s: %s; want exit 1 and one line \"skein: …%s…\"", what, r, want)
	}
}

func TestEndToEnd(t *testing.T) {
	n := newTestNet(t, "alice", "bob", "carol")
	step := func(name string, f func(t *testing.T, n *testNet)) {
		if !t.Run(name, func(t *testing.T) { f(t, n.with(t)) }) {
			t.FailNow() // later steps build on this one
		}
	}

	step("register", func(t *testing.T, n *testNet) {
		for _, u := range []string{"alice", "bob", "carol"} {
			if out := n.must(u, "register", u); !strings.HasPrefix(out, "registered @"+u+" (key ") {
				t.Errorf("register %s printed %q", u, out)
			}
		}
	})

	step("follow", func(t *testing.T, n *testNet) {
		for _, u := range []string{"bob", "carol"} {
			// The name record may take a moment to reach the DHT.
			var r localnet.Result
			n.eventually(deliverWithin, u+" follows alice", func() bool {
				r = n.skein(u, "follow", "alice")
				return r.Code == 0
			})
			if !strings.HasPrefix(r.Stdout, "following @alice (key ") {
				t.Errorf("follow printed %q", r.Stdout)
			}
		}
	})

	step("holders", func(t *testing.T, n *testNet) {
		// bob and carol announce that they hold alice's log.
		n.eventually(deliverWithin, "bob and carol among alice's holders", func() bool {
			var hs api.Holders
			out := n.must("alice", "holders", "--json")
			if err := json.Unmarshal([]byte(out), &hs); err != nil {
				t.Fatalf("holders --json printed %q: %v", out, err)
			}
			return len(hs.Holders) >= 2
		})
		if out := n.must("alice", "holders"); !strings.Contains(out, "connected") {
			t.Errorf("holders printed %q", out)
		}
	})

	step("post and watch", func(t *testing.T, n *testNet) {
		ctx, cancel := context.WithTimeout(t.Context(), startTimeout)
		defer cancel()
		watchers := map[string]*localnet.Proc{}
		for u, args := range map[string][]string{"bob": {"watch"}, "carol": {"watch", "--json"}} {
			p, err := localnet.Start(ctx, u+"'s watch", skeinBin, nil, "skein watch: watching",
				append([]string{"--home", n.home(u)}, args...)...)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { p.Stop(stopGrace) })
			watchers[u] = p
		}
		if out := n.must("alice", "post", "hello", "from", "alice"); !strings.HasPrefix(out, "20") || !strings.HasSuffix(out, "  @alice  ["+idIn(out)+"]  hello from alice\n") {
			t.Errorf("post printed %q", out)
		}
		wctx, wcancel := context.WithTimeout(t.Context(), deliverWithin)
		defer wcancel()
		if err := watchers["bob"].WaitFor(wctx, "]  hello from alice"); err != nil {
			t.Error(err)
		}
		if err := watchers["carol"].WaitFor(wctx, `"text":"hello from alice"`); err != nil {
			t.Error(err)
		}
		for u, p := range watchers {
			if err := p.Stop(stopGrace); err != nil {
				t.Errorf("%s's watch did not exit 0 on SIGTERM: %v", u, err)
			}
		}
		for _, l := range watchers["carol"].Lines() {
			if strings.HasPrefix(l, "{") && !json.Valid([]byte(l)) {
				t.Errorf("watch --json printed invalid JSON %q", l)
			}
		}
	})

	step("feed", func(t *testing.T, n *testNet) {
		n.eventually(deliverWithin, "bob's feed has alice's post", func() bool { return n.feedHas("bob", "hello from alice") })
		var p struct {
			Posts []struct{ ID, Author, Text string }
		}
		if err := json.Unmarshal([]byte(n.must("bob", "feed", "--json")), &p); err != nil || len(p.Posts) == 0 ||
			p.Posts[0].Author != "alice" || p.Posts[0].Text != "hello from alice" {
			t.Errorf("bob's feed --json = %+v, %v; want alice's post first", p, err)
		}
		if out := n.must("bob", "feed"); !strings.Contains(out, "  @alice  ["+shortID(p.Posts[0].ID)+"]  hello from alice\n") {
			t.Errorf("bob's feed = %q", out)
		}
	})

	step("followers and notifications", func(t *testing.T, n *testNet) {
		n.eventually(deliverWithin, "alice's followers are bob and carol", func() bool {
			var u api.Users
			if json.Unmarshal([]byte(n.must("alice", "followers", "--json")), &u) != nil {
				return false
			}
			var names []string
			for _, f := range u.Users {
				names = append(names, f.Name)
			}
			slices.Sort(names)
			return slices.Equal(names, []string{"bob", "carol"})
		})
		out := n.must("alice", "followers")
		if !strings.Contains(out, "@bob  ") || !strings.Contains(out, "@carol  ") {
			t.Errorf("alice's followers = %q", out)
		}
		out = n.must("alice", "notifications")
		for _, who := range []string{"@bob", "@carol"} {
			if l := lineWith(out, who+" followed you"); !strings.HasPrefix(l, "* ") {
				t.Errorf("alice's notifications = %q, want %s's follow marked unread", out, who)
			}
		}
		if out := n.must("alice", "notifications"); strings.Contains(out, "* ") {
			t.Errorf("alice's notifications after reading them = %q, want none unread", out)
		}
		if out := n.must("alice", "status"); !strings.Contains(out, "notifications: 0 unread\n") {
			t.Errorf("alice's status after reading her notifications:\n%s", out)
		}
	})

	step("reply, repost, delete", func(t *testing.T, n *testNet) {
		n.eventually(deliverWithin, "alice follows bob", func() bool { return n.skein("alice", "follow", "bob").Code == 0 })
		ctx, cancel := context.WithTimeout(t.Context(), startTimeout)
		defer cancel()
		watch, err := localnet.Start(ctx, "alice's watch", skeinBin, nil, "skein watch: watching", "--home", n.home("alice"), "watch")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { watch.Stop(stopGrace) })

		hello := n.postID("bob", "hello from alice")
		out := n.must("bob", "reply", hello[:8], "welcome,", "alice")
		if !strings.HasSuffix(out, "]  ↳ @alice: welcome, alice\n") {
			t.Errorf("reply printed %q", out)
		}
		reply := idIn(out)
		if out := n.must("bob", "repost", "["+hello[:8]+"]"); !strings.HasSuffix(out, "]  reposted @alice: hello from alice\n") {
			t.Errorf("repost printed %q", out)
		}
		wctx, wcancel := context.WithTimeout(t.Context(), deliverWithin)
		defer wcancel()
		for _, want := range []string{"  @bob replied to your post: welcome, alice", "  @bob reposted your post: hello from alice"} {
			if err := watch.WaitFor(wctx, want); err != nil {
				t.Error(err)
			}
		}
		n.eventually(deliverWithin, "alice's feed has bob's reply and repost", func() bool {
			return n.feedHas("alice", "  @bob  ["+reply+"]  ↳ @alice: welcome, alice\n", "]  reposted @alice: hello from alice\n")
		})
		out = n.must("alice", "notifications")
		for _, want := range []string{"@bob replied to your post: welcome, alice", "@bob reposted your post: hello from alice"} {
			if l := lineWith(out, want); !strings.HasPrefix(l, "* ") {
				t.Errorf("alice's notifications = %q, want %q unread", out, want)
			}
		}

		// A deletion reaches the followers' feeds: bob's reply leaves
		// alice's, alice's post leaves carol's.
		if out := n.must("bob", "delete", reply); out != "deleted post ["+reply+"]\n" {
			t.Errorf("delete printed %q", out)
		}
		doomed := idIn(n.must("alice", "post", "a post to delete"))
		n.eventually(deliverWithin, "carol's feed has the post to delete", func() bool { return n.feedHas("carol", "a post to delete") })
		wantError(t, "carol deletes alice's post", n.skein("carol", "delete", doomed), "not your post")
		n.must("alice", "delete", doomed)
		n.eventually(deliverWithin, "the deleted posts leave the feeds", func() bool {
			return !n.feedHas("carol", "a post to delete") && !n.feedHas("bob", "a post to delete") && !n.feedHas("alice", "welcome, alice")
		})
		if err := watch.WaitFor(wctx, "@bob deleted a post ["+reply+"]"); err != nil {
			t.Error(err)
		}
		wantError(t, "a reply to a deleted post", n.skein("bob", "reply", doomed, "too late"), "no such post")
		wantError(t, "a reply to an unknown post", n.skein("bob", "reply", "00000000", "hello?"), "no such post")
		wantError(t, "a bad post ID", n.skein("bob", "repost", "xyz"), `invalid post ID "xyz"`)
	})

	step("like and thread", func(t *testing.T, n *testNet) {
		hello := n.postID("bob", "hello from alice")
		if out := n.must("bob", "like", hello[:8]); !strings.HasSuffix(out, "hello from alice  ♥ 1, you\n") {
			t.Errorf("like printed %q", out)
		}
		n.eventually(deliverWithin, "alice is notified of the like and counts it", func() bool {
			return strings.Contains(n.must("alice", "notifications"), "@bob liked your post: hello from alice") &&
				n.feedHas("alice", "hello from alice  ♥ 1\n")
		})
		reply := idIn(n.must("bob", "reply", hello[:8], "a", "reply", "in", "the", "thread"))
		n.eventually(deliverWithin, "alice's feed has bob's reply", func() bool { return n.feedHas("alice", "a reply in the thread") })
		// carol does not follow bob: the reply comes from alice's device.
		out := n.must("carol", "thread", hello[:8])
		if !strings.HasPrefix(out, "▶ ") || !strings.Contains(out, "hello from alice  ♥ 1\n") || !strings.Contains(out, "["+reply+"]  ↳ @alice: a reply in the thread\n") {
			t.Errorf("carol's thread of alice's post:\n%s", out)
		}
		var th struct {
			Post    struct{ ID string }
			Replies []struct{ ID, Text string }
			Fetched bool
		}
		if err := json.Unmarshal([]byte(n.must("carol", "thread", "--json", hello)), &th); err != nil || th.Post.ID != hello || !th.Fetched || len(th.Replies) == 0 {
			t.Errorf("carol's thread --json = %+v, %v", th, err)
		}
		if out := n.must("bob", "unlike", hello[:8]); out != "unliked post ["+hello[:8]+"]\n" {
			t.Errorf("unlike printed %q", out)
		}
		wantError(t, "unlike again", n.skein("bob", "unlike", hello[:8]), "you have not liked this post")
		wantError(t, "a thread of an unknown post", n.skein("carol", "thread", "00000000"), "no such post")
	})

	step("offline catch-up", func(t *testing.T, n *testNet) {
		n.stop("carol")
		if out := n.must("bob", "whois", "carol"); !strings.Contains(out, "\nonline: no (last seen 20") {
			t.Errorf("bob's whois carol while she is away:\n%s", out)
		}
		n.must("alice", "post", "while carol is away, one")
		n.must("alice", "post", "while carol is away, two")
		n.start("carol")
		if out := n.must("carol", "login", "carol"); out != "logged in as @carol\n" {
			t.Errorf("login printed %q", out)
		}
		n.eventually(deliverWithin, "carol's feed catches up", func() bool {
			return n.feedHas("carol", "hello from alice", "while carol is away, one", "while carol is away, two")
		})
		n.eventually(deliverWithin, "carol holds all of alice's log", func() bool {
			out := n.must("carol", "following")
			return strings.HasPrefix(out, "@alice  ") && strings.HasSuffix(out, " (complete)\n")
		})
		if out := n.must("carol", "whois", "alice"); !strings.Contains(out, "\nonline: yes\n") {
			t.Errorf("carol's whois alice:\n%s", out)
		}
	})

	step("unfollow", func(t *testing.T, n *testNet) {
		if out := n.must("bob", "unfollow", "alice"); out != "unfollowed @alice\n" {
			t.Errorf("unfollow printed %q", out)
		}
		n.must("alice", "post", "after bob left")
		n.eventually(deliverWithin, "carol gets the post", func() bool { return n.feedHas("carol", "after bob left") })
		time.Sleep(3 * time.Second) // time enough for a post to reach bob, were it sent
		if n.feedHas("bob", "after bob left") {
			t.Error("bob's feed got a post of alice after he unfollowed her")
		}
		if out := n.must("bob", "following"); !strings.HasPrefix(out, "not following anyone") {
			t.Errorf("bob's following = %q, want nobody", out)
		}
	})

	step("restart keeps state", func(t *testing.T, n *testNet) {
		n.stop("alice")
		n.start("alice")
		wantError(t, "feed before login", n.skein("alice", "feed"), "not logged in")
		n.must("alice", "login", "alice")
		out := n.must("alice", "timeline", "alice")
		for _, s := range []string{"hello from alice", "while carol is away, two", "after bob left"} {
			if !strings.Contains(out, s) {
				t.Errorf("alice's timeline after a restart lacks %q:\n%s", s, out)
			}
		}
		var st struct {
			Account  string
			Accounts []string
		}
		if err := json.Unmarshal([]byte(n.must("alice", "status", "--json")), &st); err != nil || st.Account != "alice" || !slices.Contains(st.Accounts, "alice") {
			t.Errorf("alice's status = %+v, %v", st, err)
		}
		if out := n.must("alice", "followers"); !strings.Contains(out, "@carol  ") {
			t.Errorf("alice's followers after a restart = %q, want carol", out)
		}
	})

	step("errors", func(t *testing.T, n *testNet) {
		n.must("alice", "logout")
		wantError(t, "login with a wrong password", n.skeinEnv("alice", []string{"SKEIN_PASSWORD=nope"}, "", "login", "alice"), "wrong password")
		n.must("alice", "login", "alice")
		wantError(t, "follow an unknown name", n.skein("alice", "follow", "nosuchuser"), "no user")
		wantError(t, "a 1,001-character post", n.skein("alice", "post", strings.Repeat("x", 1001)), "1001 characters, limit 1000")
		wantError(t, "unknown command", n.skein("alice", "frobnicate"), `unknown command "frobnicate" (commands: daemon, relay, register`)
		wantError(t, "bad flag", n.skein("alice", "feed", "--limit", "0"), "invalid --limit 0")
		nd := n.home("nobody")
		wantError(t, "no daemon", n.skein("nobody", "feed"), "no daemon running for "+nd+" (start it with: skein --home "+nd+" daemon)")
		wantError(t, "a second daemon", n.skein("alice", "daemon"), "a daemon is already running for "+n.home("alice"))
	})

	step("help", func(t *testing.T, n *testNet) {
		for _, args := range [][]string{{"help"}, {"-h"}, {"feed", "-h"}} {
			r := n.skein("alice", args...)
			if r.Code != 0 || !strings.HasPrefix(r.Stdout, "Usage: skein ") || r.Stderr != "" {
				t.Errorf("skein %s: %s", args, r)
			}
		}
	})

	step("shell", func(t *testing.T, n *testNet) {
		input := strings.Join([]string{
			"12",                 // logout
			"0", "bob", "bob-pw", // login
			"3", "posted from the shell", // post
			"0",    // feed
			"quit", //
		}, "\n") + "\n"
		r := n.skeinEnv("bob", nil, input, "shell")
		if r.Code != 0 || r.Stderr != "" {
			t.Fatalf("shell: %s", r)
		}
		wantInOrder(t, r.Stdout,
			"Logged in: bob", "Option -> ", "Logged out.", "Not logged in", "Username: Password: \nLogged in as @bob.",
			"Post text: Posted.\n", "|= Feed =|", "  @bob  [", "]  posted from the shell\n", "Bye.\n")
		// The end of input ends the shell too.
		if r := n.skeinEnv("bob", nil, "", "shell"); r.Code != 0 || !strings.HasSuffix(r.Stdout, "Option -> \n") {
			t.Errorf("shell at the end of input: %s", r)
		}
	})

	step("export", func(t *testing.T, n *testNet) {
		r := n.skein("alice", "export")
		if r.Code != 0 || len(strings.Fields(r.Stdout)) != 24 || !strings.HasPrefix(r.Stderr, "skein export: anyone who has these 24 words owns @alice") {
			t.Fatalf("export: %s", r)
		}
		if err := os.WriteFile(filepath.Join(n.root, "phrase"), []byte(r.Stdout), 0o600); err != nil {
			t.Fatal(err)
		}
		keyFile := filepath.Join(n.root, "alice.key")
		if out := n.must("alice", "export", "--key-file", keyFile); !strings.HasPrefix(out, "wrote the key file of @alice to "+keyFile) {
			t.Errorf("export --key-file printed %q", out)
		}
		if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 || fi.Size() == 0 {
			t.Errorf("the key file: %v, %v; want a file with mode 0600", fi, err)
		}
		wantError(t, "export over a file", n.skein("alice", "export", "--key-file", keyFile), "already exists")
		wantError(t, "export with a wrong password", n.skeinEnv("alice", []string{"SKEIN_PASSWORD=nope"}, "", "export"), "wrong password")
	})

	step("restore on a new device", func(t *testing.T, n *testNet) {
		// alice's device is gone, and so, for now, are the others holding
		// her log: the new device must wait for them.
		for _, u := range []string{"alice", "bob", "carol"} {
			n.stop(u)
		}
		n.start("alice2")
		out := n.must("alice2", "restore", "alice", "--phrase-file", filepath.Join(n.root, "phrase"))
		if !strings.HasPrefix(out, "restored @alice (key ") || !strings.Contains(out, "\nrestoring: ") {
			t.Errorf("restore printed %q", out)
		}
		if out := n.must("alice2", "status"); !strings.Contains(out, "account: @alice\n") || !strings.Contains(out, "\nrestoring: yes\n") {
			t.Errorf("status right after the restore:\n%s", out)
		}
		wantError(t, "a post while restoring", n.skein("alice2", "post", "too soon"), "account is being restored")
		// carol comes back, with her copy of alice's log.
		n.start("carol")
		n.must("carol", "login", "carol")
		n.eventually(restoreWithin, "the restore ends", func() bool {
			return !strings.Contains(n.must("alice2", "status"), "restoring")
		})
		if out := n.must("alice2", "timeline", "alice"); !strings.Contains(out, "while carol is away, two") || strings.Contains(out, "a post to delete") {
			t.Errorf("alice's restored timeline:\n%s", out)
		}
		if out := n.must("alice2", "following"); !strings.HasPrefix(out, "@bob  ") {
			t.Errorf("alice's restored following = %q, want bob", out)
		}
		if out := n.must("alice2", "post", "hello from my new device"); !strings.HasSuffix(out, "]  hello from my new device\n") {
			t.Errorf("post after the restore printed %q", out)
		}
		n.eventually(deliverWithin, "carol gets the post from alice's new device", func() bool {
			return n.feedHas("carol", "hello from my new device")
		})
	})
}

// idIn returns the short post ID in brackets in out, as post, reply and
// repost print it.
func idIn(out string) string {
	i, j := strings.Index(out, "["), strings.Index(out, "]")
	if i < 0 || j < i {
		return ""
	}
	return out[i+1 : j]
}

// lineWith returns the first line of out containing s, "" if none.
func lineWith(out, s string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// postID returns the full ID of the post with text in user's feed.
func (n *testNet) postID(user, text string) string {
	n.t.Helper()
	var p struct{ Posts []struct{ ID, Text string } }
	if err := json.Unmarshal([]byte(n.must(user, "feed", "--json", "--limit", "100")), &p); err != nil {
		n.t.Fatalf("%s's feed --json: %v", user, err)
	}
	for _, post := range p.Posts {
		if post.Text == text {
			return post.ID
		}
	}
	n.t.Fatalf("%s's feed has no post %q", user, text)
	return ""
}

func TestDemo(t *testing.T) {
	if skeinBin == "" {
		t.Skip("-short: no end-to-end tests")
	}
	var out syncBuffer
	err := demo.Run(t.Context(), demo.Config{Skein: skeinBin, Out: &out, Timeout: 2 * time.Minute})
	if err != nil {
		t.Fatalf("demo: %v; output:\n%s", err, out.String())
	}
	wantInOrder(t, out.String(),
		"$ skein --home ~alice register alice\nregistered @alice",
		"$ skein --home ~bob follow alice\nfollowing @alice",
		"$ skein --home ~alice profile --display-name 'Alice Liddell'",
		"$ skein --home ~bob like ", "♥ 1, you",
		"@bob liked your post: hello, skein! my first post",
		"$ skein --home ~bob thread ", "↳ @alice: welcome to skein, alice!",
		"$ skein --home ~bob search --users rabbit\nAlice Liddell @alice",
		"$ skein --home ~alice mute bob\nmuted @bob",
		"$ skein --home ~carol daemon",
		"$ skein --home ~carol login carol\nlogged in as @carol",
		"$ skein --home ~carol feed\n",
		"@alice  [", "]  seriously, there is cake",
		"That's Skein",
	)
	// The story says where it ran; that directory must be gone.
	s := out.String()
	i := strings.Index(s, " in /")
	if i < 0 {
		t.Fatalf("the demo does not say where it runs:\n%s", s)
	}
	root := strings.TrimSuffix(strings.Fields(s[i+4:])[0], ".")
	if _, err := os.Stat(root); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the demo's directory %s: %v, want it removed", root, err)
	}
}
