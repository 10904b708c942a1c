// Package demo tells the story of Skein with real processes: a relay and
// the daemons of alice, bob and carol on 127.0.0.1, in temporary homes. It
// prints each command it runs, as "$ skein --home ~alice post ...", with its
// output and a narrator's line between steps. It is the program behind
// "make demo" (cmd/skein-demo).
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/skein-p2p/skein/cli/internal/localnet"
)

// Config configures Run. Zero fields mean "use the default".
type Config struct {
	Skein   string        // path of the skein binary; required
	Out     io.Writer     // where the story goes; default os.Stdout
	Timeout time.Duration // the whole story; default 3 minutes
	// Wait is how long one step may wait for the network (a post to
	// arrive, a name to resolve). Default 30 seconds.
	Wait time.Duration
}

// Run tells the story. It returns nil if every step worked and stops every
// process it started and removes its temporary directory in any case,
// including when ctx is done.
func Run(ctx context.Context, cfg Config) (err error) {
	if cfg.Skein == "" {
		return errors.New("no skein binary: use --skein PATH")
	}
	if _, err := os.Stat(cfg.Skein); err != nil {
		return fmt.Errorf("the skein binary: %v", err)
	}
	if cfg.Out == nil {
		cfg.Out = os.Stdout
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Minute
	}
	if cfg.Wait <= 0 {
		cfg.Wait = 30 * time.Second
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()

	root, err := os.MkdirTemp("", "skein-demo")
	if err != nil {
		return err
	}
	d := &story{cfg: cfg, root: root, procs: map[string]*localnet.Proc{}}
	defer func() {
		switch {
		case err == nil:
		case parent.Err() != nil:
			err = fmt.Errorf("stopped: %v", context.Cause(parent))
		case ctx.Err() != nil:
			err = fmt.Errorf("gave up after %v: %v", cfg.Timeout, err)
			d.dumpLogs()
		default:
			d.dumpLogs()
		}
		if cerr := d.cleanup(); err == nil {
			err = cerr
		}
	}()
	return d.tell(ctx)
}

// story is the state of one telling.
type story struct {
	cfg   Config
	root  string
	relay []string // the relay's addresses
	procs map[string]*localnet.Proc
}

var users = []string{"alice", "bob", "carol"}

func (d *story) tell(ctx context.Context) error {
	d.say("Skein is a decentralized timeline: every user's device runs a daemon; a relay helps them find each other.")
	d.say("This demo runs a relay and the daemons of alice, bob and carol on 127.0.0.1, in " + d.root + ".")
	if err := d.startRelay(ctx); err != nil {
		return err
	}
	for _, u := range users {
		if err := d.startDaemon(ctx, u); err != nil {
			return err
		}
	}

	d.say("Everyone registers an account (the password comes from $SKEIN_PASSWORD).")
	for _, u := range users {
		if _, err := d.skein(ctx, u, "register", u); err != nil {
			return err
		}
	}

	d.say("bob and carol follow alice; alice follows bob. Names are found through the DHT.")
	for _, f := range [][2]string{{"bob", "alice"}, {"carol", "alice"}, {"alice", "bob"}} {
		if err := d.follow(ctx, f[0], f[1]); err != nil {
			return err
		}
	}

	d.say("Everyone posts.")
	posts := map[string]string{
		"alice": "hello, skein! my first post",
		"bob":   "bob here: no servers were harmed in the making of this timeline",
		"carol": "carol checking in",
	}
	for _, u := range users {
		if _, err := d.skein(ctx, u, "post", posts[u]); err != nil {
			return err
		}
	}

	d.say("Posts travel to followers within moments. bob's feed has alice's post and his own:")
	if err := d.feedWith(ctx, "bob", posts["alice"], posts["bob"]); err != nil {
		return err
	}
	d.say("carol's feed:")
	if err := d.feedWith(ctx, "carol", posts["alice"], posts["carol"]); err != nil {
		return err
	}
	d.say("alice follows bob, so her feed has both:")
	if err := d.feedWith(ctx, "alice", posts["alice"], posts["bob"]); err != nil {
		return err
	}
	d.say("alice sees who follows her:")
	if _, err := d.skein(ctx, "alice", "followers"); err != nil {
		return err
	}

	if err := d.social(ctx, posts["alice"], posts["bob"]); err != nil {
		return err
	}
	if err := d.messaging(ctx); err != nil {
		return err
	}
	if err := d.media(ctx); err != nil {
		return err
	}
	if err := d.webUI(ctx); err != nil {
		return err
	}

	d.say("carol closes her laptop: her daemon stops.")
	d.cmd(fmt.Sprintf("kill -TERM %d  # carol's daemon", d.procs["carol"].Pid()))
	if err := d.procs["carol"].Stop(10 * time.Second); err != nil {
		return err
	}
	delete(d.procs, "carol")

	d.say("While carol is away, alice and bob keep posting.")
	away := []string{"carol, you are missing the party", "seriously, there is cake"}
	for _, text := range away {
		if _, err := d.skein(ctx, "alice", "post", text); err != nil {
			return err
		}
	}
	if _, err := d.skein(ctx, "bob", "post", "the cake is a lie"); err != nil {
		return err
	}
	d.say("bob also writes to carol directly. Her device is off, so the relay keeps the message, encrypted, for her:")
	if _, err := d.skein(ctx, "bob", "dm", "carol", "save me a slice?"); err != nil {
		return err
	}

	d.say("carol is back: her daemon restarts and she logs in.")
	if err := d.startDaemon(ctx, "carol"); err != nil {
		return err
	}
	if _, err := d.skein(ctx, "carol", "login", "carol"); err != nil {
		return err
	}
	d.say("Her daemon catches up with what she missed from alice (bob's post is not for her: she does not follow him):")
	if err := d.feedWith(ctx, "carol", away...); err != nil {
		return err
	}
	d.say("and bob's message waited for her at the relay:")
	if err := d.until(ctx, "carol", []string{"save me a slice?"}, "messages", "bob"); err != nil {
		return err
	}
	d.say("That's Skein: no server, and nothing lost while offline. The demo stops every process and removes " + d.root + ".")
	return nil
}

// social tells the part about profiles, likes, threads, search and
// mutes, around alice's first post.
func (d *story) social(ctx context.Context, alicePost, bobPost string) error {
	d.say("alice sets up her profile. Her followers' feeds show her display name from now on.")
	if _, err := d.skein(ctx, "alice", "profile", "--display-name", "Alice Liddell", "--bio", "Down the rabbit hole, building p2p things."); err != nil {
		return err
	}
	id, err := d.postID(ctx, "bob", alicePost)
	if err != nil {
		return err
	}
	d.say("bob likes alice's post (by the 8 hex digits in brackets); carol replies to it.")
	if _, err := d.skein(ctx, "bob", "like", id); err != nil {
		return err
	}
	if _, err := d.skein(ctx, "carol", "reply", id, "welcome to skein, alice!"); err != nil {
		return err
	}
	d.say("alice is told, straight from their devices:")
	if err := d.until(ctx, "alice", []string{"@bob liked your post", "@carol replied"}, "notifications"); err != nil {
		return err
	}
	d.say("bob opens the thread. He does not follow carol, so her reply comes from alice's device, checked against carol's key; bob's device knows her only by that key, and shows its first digits:")
	if err := d.until(ctx, "bob", []string{"welcome to skein, alice!", "♥ 1"}, "thread", id); err != nil {
		return err
	}
	d.say("bob searches the posts his device holds, and finds alice by her bio in the relay's directory (each result is signed by its account, so the relay cannot forge one):")
	if err := d.until(ctx, "bob", []string{"hello, skein"}, "search", "--posts", "skein"); err != nil {
		return err
	}
	if err := d.until(ctx, "bob", []string{"@alice"}, "search", "--users", "rabbit"); err != nil {
		return err
	}
	d.say("alice mutes bob for a while: his posts leave her feed, and nobody is told. Then she unmutes him.")
	if _, err := d.skein(ctx, "alice", "mute", "bob"); err != nil {
		return err
	}
	out, err := d.skein(ctx, "alice", "feed")
	if err != nil {
		return err
	}
	if strings.Contains(out, bobPost) {
		return fmt.Errorf("alice muted bob, but her feed still shows his post")
	}
	_, err = d.skein(ctx, "alice", "unmute", "bob")
	return err
}

// messaging tells the part about direct messages and group chats.
func (d *story) messaging(ctx context.Context) error {
	d.say("Direct messages are end-to-end encrypted: only alice's and bob's devices can read them; the relay sees ciphertext.")
	if _, err := d.skein(ctx, "alice", "dm", "bob", "lunch tomorrow?"); err != nil {
		return err
	}
	d.say("bob's inbox lists the conversation with its unread count; he reads it and answers:")
	if err := d.until(ctx, "bob", []string{"1 unread"}, "inbox"); err != nil {
		return err
	}
	if err := d.until(ctx, "bob", []string{"lunch tomorrow?"}, "messages", "alice"); err != nil {
		return err
	}
	if _, err := d.skein(ctx, "bob", "dm", "alice", "sure, noon at the usual place"); err != nil {
		return err
	}
	if err := d.until(ctx, "alice", []string{"lunch tomorrow?", "sure, noon"}, "messages", "bob"); err != nil {
		return err
	}
	d.say("alice starts a private group and invites bob and carol; each accepts with group join.")
	if _, err := d.skein(ctx, "alice", "group", "create", "book-club"); err != nil {
		return err
	}
	for _, u := range []string{"bob", "carol"} {
		if _, err := d.skein(ctx, "alice", "group", "invite", "book-club", u); err != nil {
			return err
		}
	}
	for _, u := range []string{"bob", "carol"} {
		if err := d.until(ctx, u, []string{"book-club", "invited"}, "conversations"); err != nil {
			return err
		}
		if _, err := d.skein(ctx, u, "group", "join", "book-club"); err != nil {
			return err
		}
	}
	if err := d.until(ctx, "alice", []string{"@bob", "@carol"}, "group", "members", "book-club"); err != nil {
		return err
	}
	d.say("They talk. Every member shows the messages in the same order: a reply never appears before what it answers.")
	if _, err := d.skein(ctx, "alice", "send", "book-club", "first book: Middlemarch. thoughts?"); err != nil {
		return err
	}
	if err := d.until(ctx, "bob", []string{"Middlemarch"}, "messages", "book-club"); err != nil {
		return err
	}
	if _, err := d.skein(ctx, "bob", "send", "book-club", "long, but worth it"); err != nil {
		return err
	}
	return d.until(ctx, "carol", []string{"Middlemarch", "long, but worth it"}, "messages", "book-club")
}

// postID returns the ID (its first 8 hex digits) of the post with this text
// in user's feed, waiting for it to arrive. It prints nothing.
func (d *story) postID(ctx context.Context, user, text string) (string, error) {
	var id string
	err := d.poll(ctx, func() bool {
		r := d.run(ctx, user, "feed", "--json")
		if r.Err != nil || r.Code != 0 {
			return false
		}
		var page struct {
			Posts []struct{ ID, Text string } `json:"posts"`
		}
		if json.Unmarshal([]byte(r.Stdout), &page) != nil {
			return false
		}
		for _, p := range page.Posts {
			if p.Text == text && len(p.ID) >= 8 {
				id = p.ID[:8]
				return true
			}
		}
		return false
	})
	if err != nil {
		return "", fmt.Errorf("%s's feed did not get %q within %v", user, text, d.cfg.Wait)
	}
	return id, nil
}

// until runs "skein args..." as user until its output holds every one of
// want, then prints the command and that output.
func (d *story) until(ctx context.Context, user string, want []string, args ...string) error {
	d.cmd("skein --home ~" + user + " " + quoteArgs(args))
	var last localnet.Result
	err := d.poll(ctx, func() bool {
		last = d.run(ctx, user, args...)
		if last.Err != nil || last.Code != 0 {
			return false
		}
		for _, w := range want {
			if !strings.Contains(last.Stdout, w) {
				return false
			}
		}
		return true
	})
	if err != nil {
		return fmt.Errorf("skein %s as %s did not show %q within %v; it shows: %s", strings.Join(args, " "), user, want, d.cfg.Wait, strings.TrimSpace(last.Stdout+last.Stderr))
	}
	d.output(last.Stdout)
	return nil
}

func (d *story) startRelay(ctx context.Context) error {
	d.cmd("skein --home ~relay relay --listen /ip4/127.0.0.1/tcp/0 --listen /ip4/127.0.0.1/udp/0/quic-v1")
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Wait)
	defer cancel()
	p, addrs, err := localnet.StartRelay(ctx, d.cfg.Skein, filepath.Join(d.root, "relay"), []string{"SKEIN_LOG=warn"})
	if err != nil {
		return err
	}
	d.procs["relay"] = p
	d.relay = addrs
	d.output(strings.Join(addrs, "\n"))
	return nil
}

func (d *story) startDaemon(ctx context.Context, user string) error {
	d.cmd(fmt.Sprintf("skein --home ~%s daemon --listen /ip4/127.0.0.1/tcp/0 --bootstrap %s &", user, d.relay[0]))
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Wait)
	defer cancel()
	p, err := localnet.StartDaemon(ctx, user+"'s daemon", d.cfg.Skein, filepath.Join(d.root, user), d.relay, []string{"SKEIN_LOG=warn"})
	if err != nil {
		return err
	}
	d.procs[user] = p
	d.output("skein daemon: ready")
	return nil
}

// skein runs "skein --home ~user args..." as user, prints it and its output
// and returns its stdout; a failure is an error.
func (d *story) skein(ctx context.Context, user string, args ...string) (string, error) {
	d.cmd("skein --home ~" + user + " " + quoteArgs(args))
	r := d.run(ctx, user, args...)
	if r.Err != nil || r.Code != 0 {
		return "", fmt.Errorf("skein %s as %s failed: %s", strings.Join(args, " "), user, strings.TrimSpace(r.Stderr+" "+errString(r.Err)))
	}
	d.output(r.Stdout)
	return r.Stdout, nil
}

func (d *story) run(ctx context.Context, user string, args ...string) localnet.Result {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Wait)
	defer cancel()
	full := append([]string{"--home", filepath.Join(d.root, user)}, args...)
	return localnet.Run(ctx, d.cfg.Skein, []string{"SKEIN_PASSWORD=" + user + "-secret"}, "", full...)
}

// follow makes who follow whom, retrying while the name is not yet found:
// a new name record takes a moment to reach the DHT.
func (d *story) follow(ctx context.Context, who, whom string) error {
	d.cmd("skein --home ~" + who + " follow " + whom)
	var last localnet.Result
	err := d.poll(ctx, func() bool {
		last = d.run(ctx, who, "follow", whom)
		return last.Err == nil && last.Code == 0
	})
	if err != nil {
		return fmt.Errorf("%s could not follow %s: %s", who, whom, strings.TrimSpace(last.Stderr+" "+errString(last.Err)))
	}
	d.output(last.Stdout)
	return nil
}

// feedWith prints user's feed once it has every one of texts.
func (d *story) feedWith(ctx context.Context, user string, texts ...string) error {
	d.cmd("skein --home ~" + user + " feed")
	var last localnet.Result
	err := d.poll(ctx, func() bool {
		last = d.run(ctx, user, "feed")
		if last.Err != nil || last.Code != 0 {
			return false
		}
		for _, t := range texts {
			if !strings.Contains(last.Stdout, t) {
				return false
			}
		}
		return true
	})
	if err != nil {
		return fmt.Errorf("%s's feed did not get %q within %v; it shows: %s", user, texts, d.cfg.Wait, strings.TrimSpace(last.Stdout+last.Stderr))
	}
	d.output(last.Stdout)
	return nil
}

// poll calls ok every 250 ms until it returns true, for at most cfg.Wait.
func (d *story) poll(ctx context.Context, ok func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Wait)
	defer cancel()
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		if ok() {
			return nil
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (d *story) say(s string) { fmt.Fprintf(d.cfg.Out, "\n# %s\n", s) }

func (d *story) cmd(s string) { fmt.Fprintf(d.cfg.Out, "$ %s\n", s) }

func (d *story) output(s string) {
	if s = strings.TrimRight(s, "\n"); s != "" {
		fmt.Fprintln(d.cfg.Out, s)
	}
}

// dumpLogs prints the end of every process's output, after a failure.
func (d *story) dumpLogs() {
	for _, name := range append(users, "relay") {
		p := d.procs[name]
		if p == nil {
			continue
		}
		fmt.Fprintf(d.cfg.Out, "\n# the output of %s ends with:\n%s\n", name, p.Tail(15))
	}
}

// cleanup stops every process and removes the temporary directory.
func (d *story) cleanup() error {
	var errs []error
	for _, name := range append(users, "relay") { // the relay last
		if p := d.procs[name]; p != nil {
			if err := p.Stop(10 * time.Second); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := os.RemoveAll(d.root); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// quoteArgs joins args as a POSIX shell would read them.
func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"$!&|;<>()*?[]{}#~`\\") {
			q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		} else {
			q[i] = a
		}
	}
	return strings.Join(q, " ")
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
