package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/cli/internal/api/apitest"
	"github.com/skein-p2p/skein/core"
)

// start is the fake node's clock: its first entry is at 03:40:01.
var start = time.Date(2026, 11, 22, 3, 40, 0, 0, time.UTC)

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// shortTempDir returns a new directory short enough for a unix socket in
// it, removed at the end of the test.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "sk")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// fakeDaemon serves the API for a fake node on the socket of a new home
// directory, until the end of the test.
func fakeDaemon(t *testing.T) (home string, node *apitest.Node) {
	t.Helper()
	home = shortTempDir(t)
	node = apitest.NewNode(start)
	l, err := net.Listen("unix", filepath.Join(home, "skein.sock"))
	if err != nil {
		t.Fatal(err)
	}
	srv := api.NewServer(node, nil)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Shutdown(context.Background())
		<-served
	})
	return home, node
}

// testEnv returns an env like Run's, with stdin and the environment vars,
// writing to buffers.
func testEnv(stdin io.Reader, vars map[string]string) (*env, *syncBuffer, *syncBuffer) {
	var stdout, stderr syncBuffer
	e := &env{
		stdin:   stdin,
		stdout:  &stdout,
		stderr:  &stderr,
		getenv:  func(k string) string { return vars[k] },
		newNode: func(context.Context, core.Config) (daemonNode, error) { return nil, errors.New("no node in tests") },
		newRelay: func(context.Context, core.RelayConfig) (relayNode, error) {
			return nil, errors.New("no relay in tests")
		},
	}
	return e, &stdout, &stderr
}

// run runs skein --home home args with SKEIN_PASSWORD=pw.
func run(t *testing.T, home string, args ...string) (string, error) {
	t.Helper()
	e, stdout, _ := testEnv(strings.NewReader(""), map[string]string{"SKEIN_PASSWORD": "pw"})
	err := e.run(t.Context(), append([]string{"--home", home}, args...))
	return stdout.String(), err
}

// mustRun is run for commands that must succeed.
func mustRun(t *testing.T, home string, args ...string) string {
	t.Helper()
	out, err := run(t, home, args...)
	if err != nil {
		t.Fatalf("skein %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func TestCommands(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	node.AddUser("carol")

	check := func(args, want string) {
		t.Helper()
		if got := mustRun(t, home, strings.Fields(args)...); got != want {
			t.Errorf("skein %s printed:\n%s\nwant:\n%s", args, got, want)
		}
	}
	check("register alice", "registered @alice (key 2bd806c9) and logged in\n")
	check("logout", "logged out\n")
	check("login alice", "logged in as @alice\n")
	check("feed", "no posts yet: follow someone with: skein follow NAME\n")
	check("follow @bob", "following @bob (key 81b637d8)\n")
	check("follow carol", "following @carol (key 4c26d907)\n")
	node.AddPost("bob", "hello from bob")
	if got := mustRun(t, home, "post", "hello,", "skein"); got != "2026-11-22 03:40  @alice  [5bedd18a]  hello, skein\n" {
		t.Errorf("skein post printed %q", got)
	}
	node.AddPost("carol", "line one\nline two")
	check("feed", ""+
		"2026-11-22 03:40  @carol  [761f2df6]  line one\n"+
		"                                      line two\n"+
		"2026-11-22 03:40  @alice  [5bedd18a]  hello, skein\n"+
		"2026-11-22 03:40  @bob  [7a05e79a]  hello from bob\n")
	check("feed --limit 2", ""+
		"2026-11-22 03:40  @carol  [761f2df6]  line one\n"+
		"                                      line two\n"+
		"2026-11-22 03:40  @alice  [5bedd18a]  hello, skein\n"+
		"more: skein feed --limit 2 --cursor 2\n")
	check("feed --limit 2 --cursor 2", "2026-11-22 03:40  @bob  [7a05e79a]  hello from bob\n")
	check("timeline bob", "2026-11-22 03:40  @bob  [7a05e79a]  hello from bob\n")
	check("following", ""+
		"@bob  81b637d8  since 2026-11-22 03:40  have 1 (complete)\n"+
		"@carol  4c26d907  since 2026-11-22 03:40  have 1 (complete)\n")
	check("followers", "no followers yet\n")
	check("notifications", "no notifications\n")
	check("whois bob", ""+
		"name: @bob\n"+
		"key: 81b637d8fcd2c6da6359e6963113a1170de795e4b725b84d1e0b4cfd9ec58ce9\n"+
		"pinned: yes\n"+
		"online: no (last seen 2026-11-22 03:40)\n"+
		"entries: 1 announced, 1 held here\n"+
		"updated: -\n"+
		"peer: 12D3KooWFake\n"+
		"addr: /ip4/127.0.0.1/tcp/4001\n")
	check("unfollow carol", "unfollowed @carol\n")

	// --json prints the API's document.
	var page core.Page
	if err := json.Unmarshal([]byte(mustRun(t, home, "feed", "--json", "--limit", "1")), &page); err != nil {
		t.Fatalf("feed --json: %v", err)
	}
	if len(page.Posts) != 1 || page.Posts[0].Text != "hello, skein" || page.Next == "" {
		t.Errorf("feed --json = %+v, want alice's post and a next page", page)
	}
	var users api.Users
	out := mustRun(t, home, "following", "--json")
	if err := json.Unmarshal([]byte(out), &users); err != nil || len(users.Users) != 1 || users.Users[0].Name != "bob" {
		t.Errorf("following --json = %s (%v), want bob", out, err)
	}
	if !strings.Contains(out, "\n  \"users\": [") {
		t.Errorf("following --json is not indented:\n%s", out)
	}
	var st core.Status
	if err := json.Unmarshal([]byte(mustRun(t, home, "status", "--json")), &st); err != nil ||
		st.Account != "alice" || st.Power != core.PowerForeground || st.Network != core.NetworkWiFi {
		t.Errorf("status --json = %+v, %v, want alice, foreground, wifi", st, err)
	}
	var pr core.Profile
	if err := json.Unmarshal([]byte(mustRun(t, home, "whois", "bob", "--json")), &pr); err != nil || pr.Name != "bob" || !pr.Pinned {
		t.Errorf("whois --json = %+v, %v, want bob, pinned", pr, err)
	}
	var ns api.Notifications
	if err := json.Unmarshal([]byte(mustRun(t, home, "notifications", "--json")), &ns); err != nil || ns.Notifications == nil {
		t.Errorf("notifications --json = %+v, %v, want an empty list", ns, err)
	}
	status := mustRun(t, home, "status")
	for _, want := range []string{"account: @alice\n", "entries: 1\n", "following: 1\n", "accounts: alice\n",
		"power: foreground, network: wifi\n", "addr: /ip4/127.0.0.1/tcp/4001/p2p/12D3KooWFake\n"} {
		if !strings.Contains(status, want) {
			t.Errorf("status does not say %q:\n%s", want, status)
		}
	}
}

func TestPower(t *testing.T) {
	home, node := fakeDaemon(t)
	tests := []struct{ args, want string }{
		{"power", "power: foreground, network: wifi\n"},
		{"power background", "power: background, network: wifi\n"},
		{"network cellular", "power: background, network: cellular\n"},
		{"power", "power: background, network: cellular\n"},
		{"power off --json", "{\n  \"power\": \"off\",\n  \"network\": \"cellular\"\n}\n"},
		{"network --json none", "{\n  \"power\": \"off\",\n  \"network\": \"none\"\n}\n"},
		{"power foreground", "power: foreground, network: none (offline until the network returns)\n"},
		{"network wifi", "power: foreground, network: wifi\n"},
		{"power --json", "{\n  \"power\": \"foreground\",\n  \"network\": \"wifi\"\n}\n"},
	}
	for _, tt := range tests {
		if got := mustRun(t, home, strings.Fields(tt.args)...); got != tt.want {
			t.Errorf("skein %s printed %q, want %q", tt.args, got, tt.want)
		}
	}
	// Logged out or in, the mode is the node's; status shows it.
	mustRun(t, home, "power", "background")
	mustRun(t, home, "register", "alice")
	if st, _ := node.Status(t.Context()); st.Power != core.PowerBackground || st.Network != core.NetworkWiFi {
		t.Errorf("the node's power = %v, network %v, want background, wifi", st.Power, st.Network)
	}
	if out := mustRun(t, home, "status"); !strings.Contains(out, "\npower: background, network: wifi\n") {
		t.Errorf("status does not show the power mode:\n%s", out)
	}
	var st struct{ Power, Network string }
	if err := json.Unmarshal([]byte(mustRun(t, home, "status", "--json")), &st); err != nil || st.Power != "background" || st.Network != "wifi" {
		t.Errorf("status --json = %+v, %v, want background, wifi", st, err)
	}
	node.Close()
	for _, args := range [][]string{{"power", "off"}, {"network", "wifi"}, {"power"}} {
		if _, err := run(t, home, args...); err == nil || err.Error() != "node is closed" {
			t.Errorf("skein %s on a closed node error = %v, want node is closed", args, err)
		}
	}
}

func TestNotifications(t *testing.T) {
	home, _ := fakeDaemon(t)
	mustRun(t, home, "register", "bob")
	mustRun(t, home, "logout")
	mustRun(t, home, "register", "alice")
	mustRun(t, home, "follow", "bob")
	mustRun(t, home, "logout")
	mustRun(t, home, "login", "bob")
	want := "* 2026-11-22 03:40  @alice followed you\n"
	if got := mustRun(t, home, "notifications"); got != want {
		t.Errorf("notifications = %q, want %q", got, want)
	}
	want = "  2026-11-22 03:40  @alice followed you\n"
	if got := mustRun(t, home, "notifications"); got != want {
		t.Errorf("notifications again = %q, want %q (read)", got, want)
	}
	if got := mustRun(t, home, "followers"); !strings.HasPrefix(got, "@alice  ") {
		t.Errorf("followers = %q, want alice", got)
	}
}

func TestCommandErrors(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	tests := []struct {
		args string
		want string
	}{
		{"feed", "not logged in: run login or register first"},
		{"post hi", "not logged in"},
		{"login nobody", "no such account on this device: register it first: nobody"},
		{"register Bad!", `invalid username "Bad!"`},
		{"register bob", "username is already claimed by another key"},
	}
	for _, tt := range tests {
		if _, err := run(t, home, strings.Fields(tt.args)...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("skein %s error = %v, want %q", tt.args, err, tt.want)
		}
	}
	mustRun(t, home, "register", "alice")
	tests = []struct {
		args string
		want string
	}{
		{"register carol", "already logged in"},
		{"follow nobody", "no user with this name"},
		{"follow alice", "cannot follow yourself"},
		{"unfollow bob", "not following this user"},
		{"post " + strings.Repeat("é", 1001), "invalid post: post is 1001 characters, limit 1000"},
		{"feed --cursor nope", `invalid cursor: "nope"`},
		{"timeline nobody", "no user with this name"},
	}
	for _, tt := range tests {
		_, err := run(t, home, strings.Fields(tt.args)...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("skein %.30s error = %v, want %q", tt.args, err, tt.want)
		}
	}
	mustRun(t, home, "logout")
	e, _, _ := testEnv(strings.NewReader(""), map[string]string{"SKEIN_PASSWORD": "wrong"})
	err := e.run(t.Context(), []string{"--home", home, "login", "alice"})
	if err == nil || err.Error() != "wrong password for alice" {
		t.Errorf("login with a wrong password error = %v, want the fake's wrong password error", err)
	}
}

func TestNoDaemon(t *testing.T) {
	home := shortTempDir(t)
	want := "no daemon running for " + home + " (start it with: skein --home " + home + " daemon)"
	for _, args := range [][]string{
		{"feed"}, {"status", "--json"}, {"post", "hi"}, {"login", "alice"}, {"register", "alice"},
		{"logout"}, {"follow", "bob"}, {"whois", "bob"}, {"watch"}, {"shell"}, {"notifications"},
		{"export"}, {"export", "--key-file", filepath.Join(home, "k")}, {"restore", "alice"}, {"restore", "--key-file", "/nonexistent"},
		{"reply", "3f2a91c0", "hi"}, {"repost", "3f2a91c0"}, {"delete", "3f2a91c0"},
		{"power"}, {"power", "off"}, {"network", "cellular"},
	} {
		e, stdout, stderr := testEnv(strings.NewReader("secret\n"), nil)
		err := e.run(t.Context(), append([]string{"--home", home}, args...))
		if err == nil || err.Error() != want {
			t.Errorf("skein %s error = %v, want %q", args, err, want)
		}
		if stdout.String() != "" || stderr.String() != "" {
			t.Errorf("skein %s printed %q and %q, want nothing", args, stdout, stderr)
		}
	}
	// A stale socket file (no daemon listening) reads the same.
	l, err := net.Listen("unix", filepath.Join(home, "skein.sock"))
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if _, err := run(t, home, "feed"); err == nil || err.Error() != want {
		t.Errorf("skein feed with a stale socket error = %v, want %q", err, want)
	}
}

func TestPassword(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good", "from-file\nsecond line\n")
	crlf := write("crlf", "windows\r\n")
	noNewline := write("bare", "bare")
	empty := write("empty", "\nlater")
	tests := []struct {
		name    string
		file    string
		env     string
		stdin   string
		confirm bool
		want    string
		err     string
	}{
		{name: "env", env: "from-env", stdin: "from-stdin\n", want: "from-env"},
		{name: "file", file: good, want: "from-file"},
		{name: "file wins over env", file: good, env: "from-env", want: "from-file"},
		{name: "crlf file", file: crlf, want: "windows"},
		{name: "file without newline", file: noNewline, want: "bare"},
		{name: "empty file", file: empty, err: "the first line is empty"},
		{name: "missing file", file: filepath.Join(dir, "missing"), err: "password file: open"},
		{name: "pipe", stdin: "typed\n", want: "typed"},
		{name: "pipe crlf", stdin: "typed\r\n", want: "typed"},
		{name: "pipe without newline", stdin: "typed", want: "typed"},
		{name: "pipe confirm reads one line", stdin: "typed\nother\n", confirm: true, want: "typed"},
		{name: "pipe empty line", stdin: "\n", err: "empty password"},
		{name: "pipe ended", stdin: "", err: "no password: the input ended"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _, stderr := testEnv(strings.NewReader(tt.stdin), map[string]string{"SKEIN_PASSWORD": tt.env})
			defer e.closeInput()
			got, err := e.password(t.Context(), tt.file, tt.confirm)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("password() = %q, %v, want error %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("password() = %q, %v, want %q", got, err, tt.want)
			}
			if stderr.String() != "" {
				t.Errorf("password() prompted %q without a terminal", stderr)
			}
		})
	}
}

func TestPasswordFromStdin(t *testing.T) {
	home, _ := fakeDaemon(t)
	e, stdout, _ := testEnv(strings.NewReader("s3cret\n"), nil)
	if err := e.run(t.Context(), []string{"--home", home, "register", "alice"}); err != nil {
		t.Fatalf("register with the password on stdin: %v", err)
	}
	if !strings.HasPrefix(stdout.String(), "registered @alice") {
		t.Errorf("register printed %q", stdout)
	}
	mustRun(t, home, "logout")
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte("s3cret\n"), 0o600)
	// The file wins over the (wrong) SKEIN_PASSWORD that run sets.
	if out := mustRun(t, home, "login", "alice", "--password-file", pwFile); out != "logged in as @alice\n" {
		t.Errorf("login --password-file printed %q", out)
	}
}

func TestLineReader(t *testing.T) {
	pr, pw := io.Pipe()
	l := newLineReader(pr)
	defer func() {
		pw.Close()
		l.close()
	}()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := l.readLine(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("readLine(canceled) error = %v, want context.Canceled", err)
	}
	go io.WriteString(pw, "first\nsecond\n")
	// The line asked for before the cancel is the one returned next.
	for _, want := range []string{"first", "second"} {
		if got, err := l.readLine(t.Context()); got != want || err != nil {
			t.Fatalf("readLine() = %q, %v, want %q", got, err, want)
		}
	}
	go pw.Close()
	for range 2 {
		if _, err := l.readLine(t.Context()); err != io.EOF {
			t.Fatalf("readLine() at the end = %v, want io.EOF", err)
		}
	}
}

func TestWatch(t *testing.T) {
	home, node := fakeDaemon(t)
	mustRun(t, home, "register", "alice")
	node.AddUser("bob")
	mustRun(t, home, "follow", "bob")

	for _, jsonOut := range []bool{false, true} {
		ctx, cancel := context.WithCancel(t.Context())
		e, stdout, stderr := testEnv(strings.NewReader(""), nil)
		args := []string{"--home", home, "watch"}
		if jsonOut {
			args = append(args, "--json")
		}
		done := make(chan error, 1)
		go func() { done <- e.run(ctx, args) }()
		waitUntil(t, func() bool { return strings.Contains(stderr.String(), "skein watch: watching") && node.Watchers() == 1 })
		node.AddPost("bob", "live from bob")
		waitUntil(t, func() bool { return strings.Contains(stdout.String(), "live from bob") })
		cancel()
		if err := <-done; err != nil {
			t.Errorf("watch returned %v after an interrupt, want nil", err)
		}
		out := stdout.String()
		if jsonOut {
			var ev core.Event
			if err := json.Unmarshal([]byte(out), &ev); err != nil || ev.Kind != core.EventPost || ev.Post.Author != "bob" {
				t.Errorf("watch --json printed %q (%v), want one post event", out, err)
			}
		} else if !strings.HasSuffix(out, "  @bob  [7a05e79a]  live from bob\n") {
			t.Errorf("watch printed %q, want bob's post", out)
		}
	}
}

func TestWatchDaemonStops(t *testing.T) {
	home, node := fakeDaemon(t)
	e, _, stderr := testEnv(strings.NewReader(""), nil)
	done := make(chan error, 1)
	go func() { done <- e.run(t.Context(), []string{"--home", home, "watch"}) }()
	waitUntil(t, func() bool { return strings.Contains(stderr.String(), "watching") && node.Watchers() == 1 })
	node.Close()
	if err := <-done; err == nil || err.Error() != "node is closed" {
		t.Errorf("watch returned %v when the node closed, want node is closed", err)
	}
}

func waitUntil(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRequestIDFlag: a command run again with the request ID of the first
// run is done once and prints the same; each run without the flag sends a
// new ID.
func TestRequestIDFlag(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	mustRun(t, home, "register", "alice")
	first := mustRun(t, home, "post", "--request-id", "r-1", "hello", "once")
	if again := mustRun(t, home, "post", "--request-id", "r-1", "hello", "once"); again != first {
		t.Errorf("post again with its request ID printed %q, want %q", again, first)
	}
	if _, err := run(t, home, "post", "--request-id", "r-1", "another"); !errors.Is(err, core.ErrRequestIDReused) {
		t.Errorf("post with a used request ID = %v, want ErrRequestIDReused", err)
	}
	mustRun(t, home, "post", "twice")
	mustRun(t, home, "post", "twice")
	mustRun(t, home, "follow", "--request-id", "f-1", "bob")
	mustRun(t, home, "unfollow", "--request-id", "u-1", "bob")
	if out := mustRun(t, home, "unfollow", "--request-id", "u-1", "bob"); out != "unfollowed @bob\n" {
		t.Errorf("unfollow again with its request ID printed %q", out)
	}
	out := mustRun(t, home, "feed")
	if strings.Count(out, "hello once") != 1 || strings.Count(out, "twice") != 2 {
		t.Errorf("feed =\n%s\nwant \"hello once\" once and \"twice\" twice", out)
	}
}

func TestExplain(t *testing.T) {
	e := &env{home: "/h"}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		ctx  context.Context
		err  error
		want string
	}{
		{t.Context(), api.ErrNoDaemon, "no daemon running for /h (start it with: skein --home /h daemon)"},
		{ctx, context.Canceled, "interrupted"},
		{t.Context(), errors.New("one\ntwo  three"), "one two three"},
		{t.Context(), &api.Error{Message: "wrong password for alice", Code: "wrong_password"}, "wrong password for alice"},
		{t.Context(), &api.BrokenError{RequestID: "c0ffee", Err: io.ErrUnexpectedEOF},
			"the daemon did not answer (unexpected EOF): the request may have been done; to finish it without doing it twice, run the same command again with --request-id c0ffee"},
		{t.Context(), &api.BrokenError{Err: io.EOF}, "the daemon did not answer (EOF): the request may have been done"},
	}
	for _, tt := range tests {
		if got := e.explain(tt.ctx, tt.err); got == nil || got.Error() != tt.want {
			t.Errorf("explain(%v) = %v, want %q", tt.err, got, tt.want)
		}
	}
	if got := e.explain(t.Context(), nil); got != nil {
		t.Errorf("explain(nil) = %v, want nil", got)
	}
}

func TestReplyRepostDelete(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	node.AddUser("carol")
	bobs := node.AddPost("bob", "hello from bob") // [7a05e79a]
	mustRun(t, home, "register", "alice")
	mustRun(t, home, "follow", "bob")

	tests := []struct {
		args string
		want string // the output, or the error
		err  bool
	}{
		{args: "reply 7a05e79a welcome, @bob", want: "2026-11-22 03:40  @alice  [5bedd18a]  ↳ @bob: welcome, @bob\n"},
		{args: "reply [7A05E79A] again", want: "2026-11-22 03:40  @alice  [ac324657]  ↳ @bob: again\n"},
		{args: "reply " + bobs.ID + " in full", want: "  ↳ @bob: in full\n"},
		{args: "repost 7a05e79a", want: "  reposted @bob: hello from bob\n"},
		{args: "repost 5bedd18a", want: "  reposted @alice: welcome, @bob\n"},
		{args: "delete ac324657", want: "deleted post [ac324657]\n"},
		{args: "reply 00000000 hello?", want: "no such post: 00000000", err: true},
		{args: "repost ac324657", want: "no such post: ac324657 was deleted", err: true},
		{args: "delete 7a05e79a", want: "not your post: it is @bob's", err: true},
		{args: "reply 7a05e79a " + strings.Repeat("é", 1001), want: "invalid post: post is 1001 characters, limit 1000", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.args[:min(len(tt.args), 30)], func(t *testing.T) {
			out, err := run(t, home, strings.Fields(tt.args)...)
			switch {
			case tt.err && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("skein %s error = %v, want %q", tt.args, err, tt.want)
			case !tt.err && err != nil:
				t.Errorf("skein %s error = %v", tt.args, err)
			case !tt.err && !strings.HasSuffix(out, tt.want):
				t.Errorf("skein %s printed %q, want it to end in %q", tt.args, out, tt.want)
			}
		})
	}

	// bob deletes the post alice reposted: her repost stays, its original
	// is gone.
	if err := node.AddDelete("bob", bobs.ID); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, home, "feed")
	for _, want := range []string{
		"  @alice  [", "]  reposted a post that is not available\n",
		"  reposted @alice: welcome, @bob\n",
		"  @alice  [5bedd18a]  ↳ @bob: welcome, @bob\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("feed lacks %q:\n%s", want, out)
		}
	}
	for _, gone := range []string{"hello from bob", "again"} {
		if strings.Contains(out, gone) {
			t.Errorf("feed still shows the deleted %q:\n%s", gone, out)
		}
	}
}

func TestNotificationKinds(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	mustRun(t, home, "register", "alice")
	mine := mustRun(t, home, "post", "my first post")
	id := mine[strings.Index(mine, "[")+1 : strings.Index(mine, "]")]
	if _, err := node.AddReply("bob", id, "nice\npost"); err != nil {
		t.Fatal(err)
	}
	if _, err := node.AddRepost("bob", id); err != nil {
		t.Fatal(err)
	}
	node.AddPost("bob", "say hi to @alice")
	if st := mustRun(t, home, "status"); !strings.Contains(st, "notifications: 3 unread\n") {
		t.Errorf("status does not count 3 unread notifications:\n%s", st)
	}
	want := "" +
		"* 2026-11-22 03:40  @bob mentioned you: say hi to @alice\n" +
		"* 2026-11-22 03:40  @bob reposted your post: my first post\n" +
		"* 2026-11-22 03:40  @bob replied to your post: nice post\n"
	if got := mustRun(t, home, "notifications"); got != want {
		t.Errorf("notifications =\n%s\nwant:\n%s", got, want)
	}
	if got := mustRun(t, home, "notifications", "--limit", "1"); got != "  2026-11-22 03:40  @bob mentioned you: say hi to @alice\n" {
		t.Errorf("notifications after reading them = %q", got)
	}
	if st := mustRun(t, home, "status"); !strings.Contains(st, "notifications: 0 unread\n") {
		t.Errorf("status after reading = \n%s", st)
	}
	var ns api.Notifications
	if err := json.Unmarshal([]byte(mustRun(t, home, "notifications", "--json")), &ns); err != nil ||
		len(ns.Notifications) != 3 || ns.Notifications[2].Post == nil || ns.Notifications[2].Post.Text != "nice\npost" {
		t.Errorf("notifications --json = %+v, %v, want the reply's post in the third", ns, err)
	}
}

func TestWhoisOnline(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	node.AddUser("carol")
	mustRun(t, home, "register", "alice")
	node.SetOnline("bob", false, time.Date(2026, 11, 22, 4, 10, 0, 0, time.UTC))
	node.SetOnline("carol", true, time.Time{})
	tests := []struct{ name, want string }{
		{"alice", "online: yes\n"},
		{"bob", "online: no (last seen 2026-11-22 04:10)\n"},
		{"carol", "online: yes\n"},
	}
	for _, tt := range tests {
		if out := mustRun(t, home, "whois", tt.name); !strings.Contains(out, tt.want) {
			t.Errorf("whois %s does not say %q:\n%s", tt.name, tt.want, out)
		}
	}
	var p core.Profile
	if err := json.Unmarshal([]byte(mustRun(t, home, "whois", "bob", "--json")), &p); err != nil || p.Online || p.LastSeen.IsZero() {
		t.Errorf("whois bob --json = %+v, %v, want offline with a last-seen time", p, err)
	}
}

func TestFollowingJSONLog(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	mustRun(t, home, "register", "alice")
	mustRun(t, home, "follow", "bob")
	if out := mustRun(t, home, "following"); out != "@bob  81b637d8  since 2026-11-22 03:40  have nothing yet\n" {
		t.Errorf("following = %q", out)
	}
	node.AddPost("bob", "one")
	node.AddPost("bob", "two")
	var users api.Users
	if err := json.Unmarshal([]byte(mustRun(t, home, "following", "--json")), &users); err != nil || len(users.Users) != 1 ||
		users.Users[0].Log == nil || *users.Users[0].Log != (core.LogState{From: 1, To: 2, Latest: 2}) {
		t.Errorf("following --json = %+v, %v, want bob's log 1–2 of 2", users, err)
	}
}

func TestWatchNotificationsAndDeletes(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	mustRun(t, home, "register", "alice")
	mustRun(t, home, "follow", "bob")
	mine := mustRun(t, home, "post", "mine")
	id := mine[strings.Index(mine, "[")+1 : strings.Index(mine, "]")]
	bobs := node.AddPost("bob", "soon gone")

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	e, stdout, stderr := testEnv(strings.NewReader(""), nil)
	done := make(chan error, 1)
	go func() { done <- e.run(ctx, []string{"--home", home, "watch"}) }()
	waitUntil(t, func() bool { return strings.Contains(stderr.String(), "watching") && node.Watchers() == 1 })
	if _, err := node.AddReply("bob", id, "a reply"); err != nil {
		t.Fatal(err)
	}
	if err := node.AddDelete("bob", bobs.ID); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return strings.Contains(stdout.String(), "deleted a post") })
	cancel()
	if err := <-done; err != nil {
		t.Errorf("watch returned %v after an interrupt, want nil", err)
	}
	wantInOrder(t, stdout.String(),
		"2026-11-22 03:40  @bob replied to your post: a reply\n", // the notification
		"  @bob  [", "]  ↳ @alice: a reply\n", // and the reply, in the feed
		"  @bob deleted a post ["+shortID(bobs.ID)+"]\n",
	)
}
