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
	node.AddPost("bob", "hi from bob") // [7a05e79a]
	out := runShell(t, home,
		"1", "alice", "pw", // register
		"3", "hello from the shell", // post [5bedd18a]
		"0",         // feed
		"1", "@bob", // follow
		"4", "[7a05e79a]", "welcome, bob", // reply
		"5", "7a05e79a", // repost
		"6", "7a05e79a", // delete bob's post: refused
		"6", "5bedd18a", // delete her own
		"4", "", // reply, cancelled
		"5", "nope", // repost, not an ID
		"0",      // feed
		"7",      // following and followers
		"2", "1", // unfollow bob by number
		"19", "WELCOME", // search
		"21",                  // who holds my posts
		"12",                  // logout
		"0", "alice", "wrong", // login, wrong password
		"login", "alice", "pw",
		"11",   // status
		"nope", // unknown option
		"quit",
	)
	wantInOrder(t, out,
		"Skein shell ("+home+")\n",
		"Not logged in\n\n[0] Login\n[1] Register\n[2] Status\n[3] Web UI\n[q] Quit\n\nOption -> ",
		"Username: Password: \nRegistered and logged in as @alice",
		"Logged in: alice\n\n[0] Feed\n[1] Follow user\n[2] Unfollow user\n[3] Create new post\n"+
			"[4] Reply to a post\n[5] Repost a post\n[6] Delete one of your posts\n[7] See following and followers\n"+
			"[8] Notifications\n[9] User timeline\n[10] Who is\n[11] Status\n[12] Logout\n[13] Profile\n[14] Mute or block\n[15] Bookmarks\n"+
			"[16] Like a post\n[17] Unlike a post\n[18] Open a thread\n[19] Search\n[20] Web UI\n[21] Who holds my posts\n[22] Conversations\n[23] Open a chat\n[24] Send a direct message\n[25] New group\n[26] Invite to a group\n[27] Join a group\n[28] Leave a group\n[29] Group members\n[30] Search groups\n[31] Post with images\n[32] Get a file\n[33] Share a directory as an album\n[34] Mirror an album\n[35] Albums\n[q] Quit\n",
		"Post text: Posted.\n",
		"|= Feed =|\n2026-11-22 03:40  @alice  [5bedd18a]  hello from the shell\n",
		"Username to follow: Now following @bob.\n",
		"Reply to post (its ID from the feed, Enter to cancel): Reply text: Replied:\n2026-11-22 03:40  @alice  [", "]  ↳ @bob: welcome, bob\n",
		"Repost post (its ID from the feed, Enter to cancel): Reposted:\n2026-11-22 03:40  @alice  [", "]  reposted @bob: hi from bob\n",
		"Delete your post (its ID from the feed, Enter to cancel): error: not your post: it is @bob's\n",
		"Delete your post (its ID from the feed, Enter to cancel): Deleted post [5bedd18a].\n",
		"Reply to post (its ID from the feed, Enter to cancel): \nLogged in: alice",
		`error: invalid post ID "nope"`,
		"|= Feed =|\n",
		"reposted @bob: hi from bob\n",
		"↳ @bob: welcome, bob\n",
		"@bob  [7a05e79a]  hi from bob\n\nLogged in",
		"|= Following =|\n@bob  81b637d8  since 2026-11-22 03:40  have 1 (complete)\n\n|= Followers =|\nnobody\n",
		"[1] @bob\nUnfollow (number or username, Enter to cancel): Unfollowed @bob.\n",
		"Search (a #tag finds that hashtag): \n|= Search: WELCOME =|\n", "]  ↳ @bob: welcome, bob\n",
		"Asking the network (up to 15 s)…\nno device announced a copy of your posts yet",
		"Logged out.\n",
		"Not logged in",
		"error: wrong password for alice\n",
		"Logged in as @alice.\n",
		"account: @alice\n",
		"unknown option \"nope\"\n",
		"Bye.\n",
	)
	if n := strings.Count(out, "hello from the shell"); n != 1 {
		t.Errorf("the shell showed the post %d times, want once: the second feed shows it deleted:\n%s", n, out)
	}
	if st, _ := node.Status(t.Context()); st.Account != "alice" || st.Following != 0 || st.Entries != 3 {
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

// TestShellInvalidUTF8: a line that is not UTF-8 is refused with an error,
// nothing is posted, and the shell goes on.
func TestShellInvalidUTF8(t *testing.T) {
	home, _ := fakeDaemon(t)
	mustRun(t, home, "register", "alice")
	out := runShell(t, home, "3", "bad \xff text", "3", "good text", "0", "q")
	wantInOrder(t, out,
		"Post text: error: the line typed is not valid UTF-8 (byte 0xff at offset 4): Skein text is UTF-8",
		"Post text: Posted.", "|= Feed =|", "good text\n", "Bye.")
	if strings.Contains(out, "bad ") {
		t.Errorf("the shell posted the bad line:\n%s", out)
	}
}

// TestShellInert: what peers wrote reaches the shell's output inert.
func TestShellInert(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	mustRun(t, home, "register", "alice")
	mustRun(t, home, "follow", "bob")
	node.AddPost("bob", foreignText)
	out := runShell(t, home, "0", "8", "q")
	if bad := terminalSafe(out); bad != "" {
		t.Errorf("the shell printed %s:\n%s", bad, out)
	}
	wantInOrder(t, out, "|= Feed =|",
		`@bob  [7a05e79a]  @alice look\x1b]0;owned\x07\r`+fakeHeader+"  I am carol\n"+strings.Repeat(" ", 36)+fakeHeader+`  me too\u009b2J\u202eexe.txt\x7f end\u2028tail`,
		"|= Notifications =|",
		`@bob mentioned you: @alice look\x1b]0;owned\x07\r`+fakeHeader+"  I am carol "+fakeHeader+`  me too\u009b2J\u202eexe.txt\x7f end\u2028tail`)
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
	id := "3f2a91c0" + strings.Repeat("ab", 28)
	alice := core.Post{ID: "9c31af01" + strings.Repeat("cd", 28), Kind: core.KindPost, Author: "alice", Time: tm, Text: "hello, skein"}
	tests := []struct{ got, want string }{
		{postLine(core.Post{Author: "alice", Time: tm, Text: "hello, skein"}), "2026-11-22 03:41  @alice  hello, skein"},
		{postLine(core.Post{AuthorKey: "0123456789abcdef", Time: tm, Text: "a\r\nb"}), "2026-11-22 03:41  01234567  a\n                            b"},
		{postLine(core.Post{ID: id, Kind: core.KindPost, Author: "alice", Time: tm, Text: "hello"}), "2026-11-22 03:41  @alice  [3f2a91c0]  hello"},
		{postLine(core.Post{ID: id, Author: "alice", Time: tm, Text: "kind unset"}), "2026-11-22 03:41  @alice  [3f2a91c0]  kind unset"},
		{postLine(core.Post{ID: id, Kind: core.KindReply, Author: "bob", Time: tm, Text: "welcome!",
			ReplyTo: &core.PostRef{ID: alice.ID, Author: "alice", AuthorKey: "e095ac8c11"}}),
			"2026-11-22 03:41  @bob  [3f2a91c0]  ↳ @alice: welcome!"},
		{postLine(core.Post{ID: id, Kind: core.KindReply, Author: "bob", Time: tm, Text: "to whom?",
			ReplyTo: &core.PostRef{AuthorKey: "e095ac8c11"}}),
			"2026-11-22 03:41  @bob  [3f2a91c0]  ↳ e095ac8c: to whom?"},
		{postLine(core.Post{ID: id, Kind: core.KindReply, Author: "bob", Time: tm, Text: "no parent"}),
			"2026-11-22 03:41  @bob  [3f2a91c0]  ↳ no parent"},
		{postLine(core.Post{ID: id, Kind: core.KindReply, Author: "bob", Time: tm, Text: "one\ntwo",
			ReplyTo: &core.PostRef{Author: "alice"}}),
			"2026-11-22 03:41  @bob  [3f2a91c0]  ↳ @alice: one\n" + strings.Repeat(" ", 36) + "two"},
		{postLine(core.Post{ID: id, Kind: core.KindRepost, Author: "bob", Time: tm, RepostOf: &alice}),
			"2026-11-22 03:41  @bob  [3f2a91c0]  reposted @alice: hello, skein"},
		{postLine(core.Post{ID: id, Kind: core.KindRepost, Author: "bob", Time: tm, RepostOf: &core.Post{ID: alice.ID, Author: "alice", Unavailable: true}}),
			"2026-11-22 03:41  @bob  [3f2a91c0]  reposted a post that is not available"},
		{postLine(core.Post{ID: id, Kind: core.KindRepost, Author: "bob", Time: tm}),
			"2026-11-22 03:41  @bob  [3f2a91c0]  reposted a post that is not available"},
		{formatTime(time.Time{}), "-"},
		{shortKey("abc"), "abc"},
		{shortID(id), "3f2a91c0"},
		{shortID("3f2a"), "3f2a"},
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
		{eventLine(core.Event{Kind: core.EventNotification, Notification: &core.Notification{Kind: core.NotifyMention,
			From: core.User{Name: "bob"}, Time: tm.Add(-time.Hour), Post: &core.Post{Text: "hey @alice"}}}, tm),
			"2026-11-22 02:41  @bob mentioned you: hey @alice"},
		// A new follower is its own event: its notification prints nothing.
		{eventLine(core.Event{Kind: core.EventNotification, Notification: &core.Notification{Kind: core.NotifyFollower, From: core.User{Name: "bob"}}}, tm), ""},
		{eventLine(core.Event{Kind: core.EventNotification}, tm), ""},
		{eventLine(core.Event{Kind: core.EventDelete, Post: &core.Post{ID: id, Author: "alice"}}, tm), "2026-11-22 03:41  @alice deleted a post [3f2a91c0]"},
		{eventLine(core.Event{Kind: "future"}, tm), ""},
		{eventLine(core.Event{Kind: core.EventMessage, Message: &core.Message{Author: "bob", Time: tm, Text: "hi"},
			Conversation: &core.Conversation{ID: id, DM: true, Name: "bob"}}, tm), "[3f2a91c0] @bob  2026-11-22 03:41  @bob: hi"},
		{eventLine(core.Event{Kind: core.EventMessage, Message: &core.Message{Author: "me", Mine: true, Time: tm, Text: "hi"},
			Conversation: &core.Conversation{ID: id, Name: "club"}}, tm), ""},
		{eventLine(core.Event{Kind: core.EventInvite, Conversation: &core.Conversation{ID: id, Name: "club"}}, tm),
			"2026-11-22 03:41  invited to club [3f2a91c0]; join with: skein group join 3f2a91c0"},
		{presence(core.Profile{Online: true, LastSeen: tm}), "yes"},
		{presence(core.Profile{LastSeen: tm}), "no (last seen 2026-11-22 03:41)"},
		{presence(core.Profile{}), "no"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}

func TestLogState(t *testing.T) {
	tests := []struct {
		log  core.LogState
		want string
	}{
		{core.LogState{From: 1, To: 40, Latest: 42}, "have 1–40, latest known 42"},
		{core.LogState{From: 1, To: 42, Latest: 42}, "have 1–42 (complete)"},
		{core.LogState{From: 1, To: 43, Latest: 42}, "have 1–43 (complete)"}, // the announcement lags
		{core.LogState{From: 1, To: 1, Latest: 1}, "have 1 (complete)"},
		{core.LogState{From: 0, To: 0, Latest: 42}, "have nothing yet, latest known 42"},
		{core.LogState{}, "have nothing yet"},
		{core.LogState{From: 120, To: 200, Latest: 200}, "have 120–200, latest known 200"},
		{core.LogState{From: 120, To: 200, Latest: 200, Trimmed: true}, "have 120–200 (older entries not kept)"},
		{core.LogState{From: 120, To: 150, Latest: 200, Trimmed: true}, "have 120–150, latest known 200"},
		{core.LogState{From: 120, To: 150, Latest: 200}, "have 120–150, latest known 200"},
		{core.LogState{From: 7, To: 7, Latest: 9}, "have 7, latest known 9"},
	}
	for _, tt := range tests {
		if got := logState(tt.log); got != tt.want {
			t.Errorf("logState(%+v) = %q, want %q", tt.log, got, tt.want)
		}
	}
}

func TestNotificationText(t *testing.T) {
	bob := core.User{Name: "bob", Key: "fec0e501aa"}
	mine := core.Post{Author: "alice", Text: "my post"}
	tests := []struct {
		n    core.Notification
		want string
	}{
		{core.Notification{Kind: core.NotifyFollower, From: bob}, "@bob followed you"},
		{core.Notification{Kind: core.NotifyUnfollow, From: bob}, "@bob unfollowed you"},
		{core.Notification{Kind: core.NotifyFollower, From: core.User{Key: "fec0e501aa"}}, "fec0e501 followed you"},
		{core.Notification{Kind: core.NotifyReply, From: bob, Post: &core.Post{Kind: core.KindReply, Text: "nice"}}, "@bob replied to your post: nice"},
		{core.Notification{Kind: core.NotifyReply, From: bob, Post: &core.Post{Kind: core.KindReply, Text: "two\r\nlines\nhere"}}, "@bob replied to your post: two lines here"},
		{core.Notification{Kind: core.NotifyReply, From: bob}, "@bob replied to your post"},
		{core.Notification{Kind: core.NotifyRepost, From: bob, Post: &core.Post{Kind: core.KindRepost, RepostOf: &mine}}, "@bob reposted your post: my post"},
		{core.Notification{Kind: core.NotifyRepost, From: bob, Post: &core.Post{Kind: core.KindRepost, RepostOf: &core.Post{Unavailable: true}}}, "@bob reposted your post"},
		{core.Notification{Kind: core.NotifyRepost, From: bob}, "@bob reposted your post"},
		{core.Notification{Kind: core.NotifyMention, From: bob, Post: &core.Post{Text: "hi @alice"}}, "@bob mentioned you: hi @alice"},
		{core.Notification{Kind: core.NotifyMention, From: bob}, "@bob mentioned you"},
		{core.Notification{Kind: core.NotifyFork, From: bob}, "@bob's log has two different entries in one place (a fork): their key may be in use on another device"},
		{core.Notification{Kind: "future", From: bob}, "@bob: future"},
	}
	for _, tt := range tests {
		if got := notificationText(tt.n); got != tt.want {
			t.Errorf("notificationText(%s) = %q, want %q", tt.n.Kind, got, tt.want)
		}
	}
	tm := time.Date(2026, 11, 22, 4, 10, 0, 0, time.UTC)
	unread := core.Notification{Kind: core.NotifyReply, From: bob, Time: tm, Post: &core.Post{Text: "nice"}}
	if got, want := notificationLine(unread), "* 2026-11-22 04:10  @bob replied to your post: nice"; got != want {
		t.Errorf("notificationLine(unread) = %q, want %q", got, want)
	}
	unread.Read = true
	if got, want := notificationLine(unread), "  2026-11-22 04:10  @bob replied to your post: nice"; got != want {
		t.Errorf("notificationLine(read) = %q, want %q", got, want)
	}
}

func TestWriteStatus(t *testing.T) {
	tests := []struct {
		st   core.Status
		want string
	}{
		{core.Status{PeerID: "p", DHTMode: "client"},
			"account: (not logged in)\naccounts: none\npower: foreground, network: wifi\npeer: p\ndht: client\npeers: 0\n"},
		{core.Status{PeerID: "p", DHTMode: "server", Account: "alice", Key: "k", Entries: 3, Following: 1, Followers: 2, Unread: 4,
			Accounts: []string{"alice", "bob"}, Peers: 5, Addrs: []string{"/a"}, Power: core.PowerBackground, Network: core.NetworkCellular},
			"account: @alice\nkey: k\nentries: 3\nfollowing: 1\nfollowers: 2\nnotifications: 4 unread\n" +
				"accounts: alice, bob\npower: background, network: cellular\npeer: p\ndht: server\npeers: 5\naddr: /a\n"},
		{core.Status{PeerID: "p", DHTMode: "client", Account: "alice", Key: "k", Restoring: true, Accounts: []string{"alice"}, Power: core.PowerOff},
			"account: @alice\nkey: k\nrestoring: yes\nentries: 0\nfollowing: 0\nfollowers: 0\nnotifications: 0 unread\n" +
				"accounts: alice\npower: off, network: wifi\npeer: p\ndht: client\npeers: 0\n"},
		{core.Status{PeerID: "p", DHTMode: "client", Network: core.NetworkNone},
			"account: (not logged in)\naccounts: none\npower: foreground, network: none (offline until the network returns)\npeer: p\ndht: client\npeers: 0\n"},
	}
	for _, tt := range tests {
		var b syncBuffer
		writeStatus(&b, tt.st)
		if b.String() != tt.want {
			t.Errorf("writeStatus(%+v) =\n%s\nwant:\n%s", tt.st, b.String(), tt.want)
		}
	}
}

func TestPowerLine(t *testing.T) {
	tests := []struct {
		m    core.PowerMode
		n    core.NetworkType
		want string
	}{
		{core.PowerForeground, core.NetworkWiFi, "power: foreground, network: wifi"},
		{core.PowerBackground, core.NetworkCellular, "power: background, network: cellular"},
		{core.PowerOff, core.NetworkNone, "power: off, network: none"},
		{core.PowerBackground, core.NetworkNone, "power: background, network: none (offline until the network returns)"},
	}
	for _, tt := range tests {
		if got := powerLine(tt.m, tt.n); got != tt.want {
			t.Errorf("powerLine(%v, %v) = %q, want %q", tt.m, tt.n, got, tt.want)
		}
	}
}
