package cli

import (
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/cli/internal/api/apitest"
	"github.com/skein-p2p/skein/core"
)

// chatDaemon is a fake daemon with alice logged in, and bob and carol of
// other devices.
func chatDaemon(t *testing.T) (string, *apitest.Node) {
	t.Helper()
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	node.AddUser("carol")
	mustRun(t, home, "register", "alice")
	return home, node
}

// convID returns the ID of the conversation ref, as alice sees it.
func convID(t *testing.T, home, ref string) string {
	t.Helper()
	var cs api.Conversations
	if err := json.Unmarshal([]byte(mustRun(t, home, "conversations", "--json")), &cs); err != nil {
		t.Fatal(err)
	}
	for _, c := range cs.Conversations {
		if c.Name == ref {
			return c.ID
		}
	}
	t.Fatalf("alice has no conversation %q: %+v", ref, cs)
	return ""
}

func TestDMCommands(t *testing.T) {
	home, node := chatDaemon(t)
	if out := mustRun(t, home, "dm", "@bob", "hello", "bob"); out != "2026-11-22 03:40  @alice: hello bob\n" {
		t.Errorf("dm printed %q", out)
	}
	if _, err := node.AddDM("bob", "alice", "hi alice\nsecond line"); err != nil {
		t.Fatal(err)
	}
	id := convID(t, home, "bob")
	out := mustRun(t, home, "inbox")
	if want := "* @bob  [" + id[:8] + "]  direct  1 unread  2026-11-22 03:40  @bob: hi alice second line\n"; out != want {
		t.Errorf("inbox = %q, want %q", out, want)
	}
	out = mustRun(t, home, "messages", "bob")
	want := "2026-11-22 03:40  @alice: hello bob\n" +
		"2026-11-22 03:40  @bob: hi alice\n" +
		"                        second line\n"
	if out != want {
		t.Errorf("messages bob =\n%s\nwant\n%s", out, want)
	}
	if out := mustRun(t, home, "conversations"); !strings.HasPrefix(out, "  @bob  [") || strings.Contains(out, "unread") {
		t.Errorf("conversations after reading = %q, want bob's read", out)
	}
	var p core.MessagePage
	if err := json.Unmarshal([]byte(mustRun(t, home, "messages", "bob", "--json")), &p); err != nil || len(p.Messages) != 2 || p.Messages[0].Author != "bob" || !p.Messages[1].Mine {
		t.Errorf("messages --json = %+v, %v; want the page newest first", p, err)
	}
	if out := mustRun(t, home, "send", id[:8], "by", "ID"); !strings.HasSuffix(out, "@alice: by ID\n") {
		t.Errorf("send by ID printed %q", out)
	}
	if out := mustRun(t, home, "messages", "carol"); out != "no messages yet\n" {
		t.Errorf("messages carol = %q", out)
	}
}

func TestGroupCommands(t *testing.T) {
	home, node := chatDaemon(t)
	out := mustRun(t, home, "group", "create", "book-club", "--history", "joined")
	id := idIn(out)
	if want := "created book-club [" + id + "], a private group, 1 member; invite people with: skein group invite book-club NAME\n"; out != want || len(id) != 8 {
		t.Errorf("group create printed %q, want %q", out, want)
	}
	if out := mustRun(t, home, "group", "invite", "book-club", "bob", "--expires", "72h"); out != "invited @bob to book-club ["+id+"], valid for 72h; they join with: skein group join "+id+"\n" {
		t.Errorf("group invite printed %q", out)
	}
	mustRun(t, home, "group", "invite", id, "carol", "--admin")
	for _, u := range []string{"bob", "carol"} {
		if err := node.AddJoin(u, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := node.AddMessage("bob", id, "hello club"); err != nil {
		t.Fatal(err)
	}
	mustRun(t, home, "send", "book-club", "welcome!")
	out = mustRun(t, home, "group", "members", "book-club")
	var ms api.Members
	if err := json.Unmarshal([]byte(mustRun(t, home, "group", "members", "book-club", "--json")), &ms); err != nil || len(ms.Members) != 3 {
		t.Fatalf("group members --json = %+v, %v", ms, err)
	}
	bob, carol := shortKey(ms.Members[2].Key), shortKey(ms.Members[1].Key)
	want := "@alice  " + shortKey(ms.Members[0].Key) + "  admin  (you)\n@carol  " + carol + "  admin\n@bob  " + bob + "  member\n"
	if out != want {
		t.Errorf("group members =\n%s\nwant\n%s", out, want)
	}
	if out := mustRun(t, home, "group", "admin", "book-club", "bob"); out != "@bob is now an admin of book-club ["+id+"]\n" {
		t.Errorf("group admin printed %q", out)
	}
	if out := mustRun(t, home, "group", "member", "book-club", "@bob"); out != "@bob is now a member of book-club ["+id+"]\n" {
		t.Errorf("group member printed %q", out)
	}
	if out := mustRun(t, home, "group", "remove", "book-club", "carol"); out != "removed @carol from book-club ["+id+"]\n" {
		t.Errorf("group remove printed %q", out)
	}
	out = mustRun(t, home, "messages", "book-club")
	wantInOrder(t, out,
		"03:40  · alice created the conversation\n",
		"03:40  · alice invited bob\n",
		"03:40  · bob joined\n",
		"03:40  @bob: hello club\n",
		"03:40  @alice: welcome!\n",
		"03:40  · alice changed the role of bob\n",
		"03:40  · alice removed carol\n")
	if out := mustRun(t, home, "messages", "book-club", "--limit", "2"); !strings.HasPrefix(out, "earlier: skein messages book-club --limit 2 --before 2\n") || !strings.HasSuffix(out, "· alice removed carol\n") {
		t.Errorf("messages --limit 2 =\n%s", out)
	}
	if out := mustRun(t, home, "messages", "book-club", "--limit", "2", "--before", "2"); !strings.HasPrefix(out, "earlier: skein messages book-club --limit 2 --before 4\n") {
		t.Errorf("messages --before 2 =\n%s", out)
	}

	mustRun(t, home, "dm", "bob", "a DM is not a group")
	if out := mustRun(t, home, "group", "list"); !strings.HasPrefix(out, "  book-club  ["+id+"]  private group, 2 members, admin  2026-11-22 03:40  @alice: welcome!\n") || strings.Count(out, "\n") != 1 {
		t.Errorf("group list = %q", out)
	}
	var cs api.Conversations
	if err := json.Unmarshal([]byte(mustRun(t, home, "group", "list", "--json")), &cs); err != nil || len(cs.Conversations) != 1 || cs.Conversations[0].HistoryShared {
		t.Errorf("group list --json = %+v, %v", cs, err)
	}

	for _, args := range [][]string{{"search", "--messages", "CLUB"}, {"messages", "--search", "club"}} {
		if out := mustRun(t, home, args...); out != "["+id+"]  2026-11-22 03:40  @bob: hello club\n" {
			t.Errorf("%s = %q", args, out)
		}
	}
	var found api.Messages
	if err := json.Unmarshal([]byte(mustRun(t, home, "search", "--messages", "--json", "welcome")), &found); err != nil || len(found.Messages) != 1 {
		t.Errorf("search --messages --json = %+v, %v", found, err)
	}
	if out := mustRun(t, home, "search", "--messages", "nothing like it"); out != "no message found\n" {
		t.Errorf("search --messages with no match = %q", out)
	}

	pub, err := node.AddGroup("carol", "Go readers", true)
	if err != nil {
		t.Fatal(err)
	}
	short := pub.ID[:8]
	if out := mustRun(t, home, "group", "search", "READ"); out != "Go readers  ["+short+"]  1 member  join with: skein group join "+short+"\n" {
		t.Errorf("group search = %q", out)
	}
	if out := mustRun(t, home, "group", "join", short); out != "joined Go readers ["+short+"], public group, 2 members; talk with: skein chat "+short+"\n" {
		t.Errorf("group join = %q", out)
	}
	var gs api.Groups
	if err := json.Unmarshal([]byte(mustRun(t, home, "group", "search", "--json", "go")), &gs); err != nil || len(gs.Groups) != 1 || !gs.Groups[0].Joined {
		t.Errorf("group search --json = %+v, %v", gs, err)
	}
	if out := mustRun(t, home, "group", "leave", "Go readers"); out != "left Go readers ["+short+"]\n" {
		t.Errorf("group leave = %q", out)
	}
}

func TestChatCommandErrors(t *testing.T) {
	home, node := chatDaemon(t)
	g, err := node.AddGroup("bob", "bobs", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := node.AddInvite("bob", g.ID, "alice", false); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"dm", "nobody", "hi"}, "no user with this name: nobody"},
		{[]string{"dm", "alice", "hi"}, "cannot send a direct message to yourself"},
		{[]string{"send", "no-such", "hi"}, "no such conversation"},
		{[]string{"send", "bobs", "hi"}, "not a member"},
		{[]string{"group", "invite", "bobs", "carol"}, "not a member"},
		{[]string{"group", "leave", "bob"}, "is a direct conversation, not a group"},
		{[]string{"messages", "no-such"}, "no such conversation"},
		{[]string{"messages", "bob", "--before", "x"}, "invalid cursor"},
		{[]string{"group", "search", strings.Repeat("x", 101)}, "bad search query"},
	}
	for _, tt := range tests {
		if _, err := run(t, home, tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("skein %s: error %v, want %q", tt.args, err, tt.want)
		}
	}
	mustRun(t, home, "group", "join", "bobs")
	if _, err := run(t, home, "group", "remove", "bobs", "bob"); err == nil || !strings.Contains(err.Error(), "only an admin") {
		t.Errorf("group remove by a member: %v", err)
	}
	mustRun(t, home, "logout")
	if _, err := run(t, home, "inbox"); err == nil || !strings.Contains(err.Error(), "not logged in") {
		t.Errorf("inbox logged out: %v", err)
	}
}

func TestFormatChat(t *testing.T) {
	m := core.Message{Author: "bob", AuthorKey: "b0b0b0b0ff", Time: start, Text: "a\u202eb"}
	tests := []struct {
		got, want string
	}{
		{messageLine(m), "2026-11-22 03:40  @bob: a\\u202eb"},
		{messageLine(core.Message{AuthorKey: "b0b0b0b0ff", Time: start, Text: "x", ReplyTo: "3f2a91c0aa"}), "2026-11-22 03:40  b0b0b0b0: ↳ 3f2a91c0 x"},
		{messageLine(core.Message{Author: "carol", Time: start, Event: "gap", Missing: 2}), "2026-11-22 03:40  · 2 messages from @carol missing; they appear when they arrive"},
		{messageLine(core.Message{Author: "carol", Time: start, Event: "left"}), "2026-11-22 03:40  · @carol left"},
		{messageLine(core.Message{Author: "@6d2b40b5", AuthorKey: "6d2b40b5ff", Time: start, Text: "hi"}), "2026-11-22 03:40  @6d2b40b5: hi"},
		{messageLine(core.Message{Author: "@6d2b40b5\x1b", Time: start, Event: "gap", Missing: 1}), "2026-11-22 03:40  · 1 message from @6d2b40b5\\x1b missing; they appear when they arrive"},
		{messageLine(core.Message{Author: "carol", Time: start, Event: "renamed", Text: "@carol renamed\nthe group"}), "2026-11-22 03:40  · @carol renamed the group"},
		{conversationLine(core.Conversation{ID: "0123456789ab", Name: "club\x1b", Role: "invited", Members: 3}), "* club\\x1b  [01234567]  private group, 3 members, invited: skein group join 01234567"},
		{conversationLine(core.Conversation{ID: "0123456789ab", Name: "pub", Public: true, Members: 1}), "  pub  [01234567]  public group, 1 member, left"},
		{conversationLine(core.Conversation{ID: "0123456789ab", DM: true, Peer: "abcdef0123", Role: "member", Last: &core.Message{Author: "", AuthorKey: "abcdef0123", Time: start, Text: strings.Repeat("é", 70)}}),
			"  abcdef01  [01234567]  direct  2026-11-22 03:40  abcdef01: " + strings.Repeat("é", 59) + "…"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got  %q\nwant %q", tt.got, tt.want)
		}
	}
}

// chatSession runs "skein chat args" with a pipe as stdin until the test
// closes it.
type chatSession struct {
	in     *io.PipeWriter
	stdout *syncBuffer
	done   chan error
}

func startChat(t *testing.T, home string, node *apitest.Node, args ...string) *chatSession {
	t.Helper()
	r, w := io.Pipe()
	e, stdout, _ := testEnv(r, nil)
	s := &chatSession{in: w, stdout: stdout, done: make(chan error, 1)}
	before := node.Watchers()
	go func() { s.done <- e.run(t.Context(), append([]string{"--home", home, "chat"}, args...)) }()
	t.Cleanup(func() { w.Close() })
	waitUntil(t, func() bool { return node.Watchers() > before && strings.Contains(stdout.String(), "chat: ") })
	return s
}

func (s *chatSession) typeLine(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(s.in, line+"\n"); err != nil {
		t.Fatal(err)
	}
}

func TestChatPipe(t *testing.T) {
	home, node := chatDaemon(t)
	if _, err := node.AddDM("bob", "alice", "from before"); err != nil {
		t.Fatal(err)
	}
	s := startChat(t, home, node, "@bob")
	waitUntil(t, func() bool { return strings.Contains(s.stdout.String(), "@bob: from before\n") })
	if _, err := node.AddDM("bob", "alice", "live from bob"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return strings.Contains(s.stdout.String(), "@bob: live from bob\n") })
	s.typeLine(t, "hello from alice")
	waitUntil(t, func() bool { return strings.Contains(s.stdout.String(), "@alice: hello from alice\n") })
	for _, l := range []string{"", "   ", "/members", "/help", "/frob x", "//slash", "\xff"} {
		s.typeLine(t, l)
	}
	s.typeLine(t, "/quit")
	if err := <-s.done; err != nil {
		t.Fatalf("chat returned %v", err)
	}
	out := s.stdout.String()
	wantInOrder(t, out,
		"chat: direct messages with @bob; /help for commands, /quit to leave\n",
		"2026-11-22 03:40  @bob: from before\n",
		"2026-11-22 03:40  @bob: live from bob\n",
		"2026-11-22 03:40  @alice: hello from alice\n",
		"direct messages: you and @bob\n",
		chatHelp+"\n",
		"unknown command /frob: /help lists them",
		"@alice: /slash\n",
		"error: the line typed is not valid UTF-8",
	)
	if n := strings.Count(out, "hello from alice"); n != 1 {
		t.Errorf("the message sent is printed %d times, want once:\n%s", n, out)
	}
	var cs api.Conversations
	if err := json.Unmarshal([]byte(mustRun(t, home, "inbox", "--json")), &cs); err != nil || len(cs.Conversations) != 1 || cs.Conversations[0].Unread != 0 {
		t.Errorf("inbox after the chat = %+v, %v; want it read", cs, err)
	}
}

func TestChatGroupPipe(t *testing.T) {
	home, node := chatDaemon(t)
	id := idIn(mustRun(t, home, "group", "create", "club"))
	mustRun(t, home, "group", "invite", "club", "bob")
	if err := node.AddJoin("bob", id); err != nil {
		t.Fatal(err)
	}
	for i := range 25 {
		mustRun(t, home, "send", "club", "message", string(rune('a'+i)))
	}
	s := startChat(t, home, node, id)
	waitUntil(t, func() bool { return strings.Contains(s.stdout.String(), "@alice: message y\n") })
	if _, err := node.AddMessage("bob", id, "bob is here"); err != nil {
		t.Fatal(err)
	}
	if _, err := node.AddDM("bob", "alice", "elsewhere"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { return strings.Contains(s.stdout.String(), "@bob: bob is here\n") })
	s.typeLine(t, "/members")
	waitUntil(t, func() bool { return strings.Contains(s.stdout.String(), "@bob  ") })
	s.in.Close() // the end of input ends the chat
	if err := <-s.done; err != nil {
		t.Fatalf("chat returned %v", err)
	}
	out := s.stdout.String()
	wantInOrder(t, out, "chat: club ["+id+"], private group, 2 members; /help", "earlier: skein messages "+id+" --before 20\n",
		"@alice: message f\n", "@alice: message y\n", "@bob: bob is here\n", "@alice  ", "  admin  (you)\n", "@bob  ")
	if strings.Contains(out, "message e\n") || strings.Contains(out, "elsewhere") {
		t.Errorf("chat printed more than the last 20 messages, or another conversation's:\n%s", out)
	}
}

func TestChatDaemonStops(t *testing.T) {
	home, node := chatDaemon(t)
	s := startChat(t, home, node, "bob")
	node.Close()
	if err := <-s.done; err == nil || !strings.Contains(err.Error(), "node is closed") {
		t.Errorf("chat returned %v when the node closed, want node is closed", err)
	}
}

func TestChatUnknown(t *testing.T) {
	home, _ := chatDaemon(t)
	if _, err := run(t, home, "chat", "nobody"); err == nil || !strings.Contains(err.Error(), "no such conversation") {
		t.Errorf("chat nobody: %v", err)
	}
}

func TestShellChat(t *testing.T) {
	home, node := chatDaemon(t)
	pub, err := node.AddGroup("carol", "Go readers", true)
	if err != nil {
		t.Fatal(err)
	}
	out := runShell(t, home,
		"22",                             // conversations: none
		"24", "bob", "hi from the shell", // DM
		"25", "club", "n", "n", // new private group, history from the join
		"26", "club", "bob", "y", // invite bob as an admin
		"29", "club", // members
		"30", "readers", // search groups
		"27", pub.ID[:8], // join
		"28", "Go readers", "y", // leave
		"22",                                               // conversations
		"23", "bob", "hello via the shell's chat", "/quit", // chat
		"q")
	wantInOrder(t, out,
		"[22] Conversations\n", "[30] Search groups\n",
		"|= Conversations =|\nNo conversations yet",
		"To (username, Enter to cancel): Message: Sent:\n2026-11-22 03:40  @alice: hi from the shell\n",
		"Group name (Enter to cancel): Public (anyone can find and read it)? [y/N] Can new members read what was sent before they joined? [Y/n] Created club [", "], a private group, 1 member.\n",
		"Invited @bob to club [", "], valid for 7 days.\n",
		"|= Members =|\n@alice  ", "  admin  (you)\n@bob  ", "  invited\n",
		"|= Groups: readers =|\nGo readers  ["+pub.ID[:8]+"]  1 member  join with",
		"Joined Go readers ["+pub.ID[:8]+"], public group, 2 members.\n",
		"Leave Go readers? You will not read what is sent after. [y/N] Left Go readers.\n",
		"|= Conversations =|\n", "club  [", "@bob  [",
		"chat: direct messages with @bob", "@alice: hello via the shell's chat\n",
		"Option -> Bye.\n")
}
