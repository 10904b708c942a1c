package cli

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core"
)

// runShell runs "skein shell" with input as stdin and returns its output.
func runShell(t *testing.T, home string, input ...string) string {
	t.Helper()
	e, stdout, stderr := testEnv(strings.NewReader(strings.Join(input, "\n")+"\n"), nil)
	if err := e.run(t.Context(), []string{"--home", home, "shell"}); err != nil {
		t.Fatalf("shell error = %v; output:\n%s", err, stdout)
	}
	if stderr.String() != "" {
		t.Errorf("shell wrote to stderr: %q", stderr)
	}
	return stdout.String()
}

func wantInOrder(t *testing.T, out string, wants ...string) {
	t.Helper()
	rest := out
	for _, w := range wants {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("output lacks %q (after the previous checks); output:\n%s", w, out)
		}
		rest = rest[i+len(w):]
	}
}

func TestShell(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	out := runShell(t, home,
		"1", "alice", "pw", // register
		"3", "hello from the shell", // post
		"0",         // feed
		"1", "@bob", // follow
		"4",      // following and followers
		"2", "1", // unfollow bob by number
		"9",                   // logout
		"0", "alice", "wrong", // login, wrong password
		"login", "alice", "pw",
		"8",    // status
		"nope", // unknown option
		"quit",
	)
	wantInOrder(t, out,
		"Skein shell ("+home+")\n",
		"Not logged in\n\n[0] Login\n[1] Register\n[2] Status\n[q] Quit\n\nOption -> ",
		"Username: Password: \nRegistered and logged in as @alice",
		"Logged in: alice\n\n[0] Feed\n[1] Follow user\n[2] Unfollow user\n[3] Create new post\n[4] See following and followers\n",
		"Post text: Posted.\n",
		"|= Feed =|\n2026-11-22 03:40  @alice  hello from the shell\n",
		"Username to follow: Now following @bob.\n",
		"|= Following =|\n@bob  81b637d8  since 2026-11-22 03:40\n\n|= Followers =|\nnobody\n",
		"[1] @bob\nUnfollow (number or username, Enter to cancel): Unfollowed @bob.\n",
		"Logged out.\n",
		"Not logged in",
		"error: wrong password for alice\n",
		"Logged in as @alice.\n",
		"account: @alice\n",
		"unknown option \"nope\"\n",
		"Bye.\n",
	)
	if st, _ := node.Status(t.Context()); st.Account != "alice" || st.Following != 0 || st.Entries != 1 {
		t.Errorf("after the shell the node is %+v", st)
	}
}

func TestShellEOF(t *testing.T) {
	home, _ := fakeDaemon(t)
	for _, input := range []string{"", "1", "1\nalice", "1\nalice\n"} {
		e, stdout, _ := testEnv(strings.NewReader(input), nil)
		if err := e.run(t.Context(), []string{"--home", home, "shell"}); err != nil {
			t.Errorf("shell with input %q error = %v, want nil at the end of input", input, err)
		}
		if !strings.HasSuffix(stdout.String(), "\n") {
			t.Errorf("shell with input %q output ends without a newline: %q", input, stdout)
		}
	}
}

func TestShellFeedPages(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	mustRun(t, home, "register", "alice")
	mustRun(t, home, "follow", "bob")
	for i := range 25 {
		node.AddPost("bob", fmt.Sprintf("post %02d", i))
	}
	out := runShell(t, home, "0", "y", "q")
	wantInOrder(t, out, "post 24", "post 05", "More? [y/N] ", "post 04", "post 00", "Bye.")
	if strings.Count(out, "More?") != 1 {
		t.Errorf("the shell asked for more %d times, want 1:\n%s", strings.Count(out, "More?"), out)
	}
}

func TestFormat(t *testing.T) {
	tm := time.Date(2026, 11, 22, 3, 41, 59, 0, time.UTC)
	tests := []struct{ got, want string }{
		{postLine(core.Post{Author: "alice", Time: tm, Text: "hello, skein"}), "2026-11-22 03:41  @alice  hello, skein"},
		{postLine(core.Post{AuthorKey: "0123456789abcdef", Time: tm, Text: "a\r\nb"}), "2026-11-22 03:41  01234567  a\n                            b"},
		{formatTime(time.Time{}), "-"},
		{shortKey("abc"), "abc"},
		{shellQuote("abc-_/:=+.,@%"), "abc-_/:=+.,@%"},
		{shellQuote("a b'c"), `'a b'\''c'`},
		{shellQuote(""), "''"},
		{moreCommand("feed", 20), "skein feed"},
		{moreCommand("timeline bob", 5), "skein timeline bob --limit 5"},
		{eventLine(core.Event{Kind: core.EventPost, Post: &core.Post{Author: "bob", Time: tm, Text: "hi"}}, tm), "2026-11-22 03:41  @bob  hi"},
		{eventLine(core.Event{Kind: core.EventFollower, User: &core.User{Name: "bob"}}, tm), "2026-11-22 03:41  @bob followed you"},
		{eventLine(core.Event{Kind: core.EventUnfollow, User: &core.User{Name: "bob"}}, tm), "2026-11-22 03:41  @bob unfollowed you"},
		{eventLine(core.Event{Kind: core.EventConnectivity, Peers: 1}, tm), "2026-11-22 03:41  connected to 1 peer"},
		{eventLine(core.Event{Kind: core.EventConnectivity, Peers: 3}, tm), "2026-11-22 03:41  connected to 3 peers"},
		{eventLine(core.Event{Kind: "future"}, tm), ""},
		{notificationText(core.Notification{Kind: "mention", From: core.User{Name: "bob"}}), "@bob: mention"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d: got %q, want %q", i, tt.got, tt.want)
		}
	}
	var b syncBuffer
	writeStatus(&b, core.Status{PeerID: "p", DHTMode: "client"})
	if want := "account: (not logged in)\naccounts: none\npeer: p\ndht: client\npeers: 0\n"; b.String() != want {
		t.Errorf("writeStatus(logged out) = %q, want %q", b.String(), want)
	}
}
