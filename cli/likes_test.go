package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core"
)

func TestShellLikes(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	node.AddPost("bob", "hi from bob") // [7a05e79a]
	out := runShell(t, home,
		"1", "alice", "pw", // register
		"1", "bob", // follow
		"16", "7a05e79a", // like
		"0",              // feed
		"17", "7a05e79a", // unlike
		"17", "7a05e79a", // unlike again: not liked
		"16", "nope", // not an ID
		"18", "7a05e79a", // thread
		"quit",
	)
	wantInOrder(t, out,
		"Like post (its ID from the feed, Enter to cancel): Liked:\n", "@bob  [7a05e79a]  hi from bob  ♥ 1, you\n",
		"|= Feed =|\n", "hi from bob  ♥ 1, you\n",
		"Unlike post (its ID from the feed, Enter to cancel): Unliked post [7a05e79a].\n",
		"Unlike post (its ID from the feed, Enter to cancel): error: you have not liked this post",
		`error: invalid post ID "nope"`,
		"|= Thread =|\n▶ 2026-11-22 03:40  @bob  [7a05e79a]  hi from bob\n    no replies\n",
	)
}

func TestLikeThreadCommands(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	root := node.AddPost("bob", "hi from bob") // [7a05e79a]
	mustRun(t, home, "register", "alice")
	mustRun(t, home, "follow", "bob")
	if got := mustRun(t, home, "like", "7a05e79a"); !strings.Contains(got, "liked: ") || !strings.HasSuffix(got, "hi from bob  ♥ 1, you\n") {
		t.Errorf("skein like printed %q", got)
	}
	if got := mustRun(t, home, "feed"); !strings.HasSuffix(got, "hi from bob  ♥ 1, you\n") {
		t.Errorf("skein feed printed %q, want the count", got)
	}
	reply := mustRun(t, home, "reply", "7a05e79a", "first\nsecond line")
	rid := reply[strings.Index(reply, "[")+1 : strings.Index(reply, "]")]
	if _, err := node.AddReply("bob", rid, "deeper"); err != nil {
		t.Fatal(err)
	}
	got := mustRun(t, home, "thread", "7a05e79a")
	wantLines := []string{
		"▶ 2026-11-22 03:40  @bob  [7a05e79a]  hi from bob  ♥ 1, you",
		"    2026-11-22 03:40  @alice  [" + rid + "]  ↳ @bob: first",
		"\n" + strings.Repeat(" ", 42) + "second line\n",
		"      2026-11-22 03:40  @bob  [",
		"]  ↳ @alice: deeper",
	}
	wantInOrder(t, got, wantLines...)
	if strings.Contains(got, "did not answer") {
		t.Errorf("skein thread printed the local-view note for a fetched thread:\n%s", got)
	}
	// The thread of the deepest reply names its ancestors, root first.
	js := mustRun(t, home, "thread", "--json", rid)
	var th core.Thread
	if err := json.Unmarshal([]byte(js), &th); err != nil || len(th.Ancestors) != 1 || th.Ancestors[0].ID != root.ID || len(th.Replies) != 1 || th.Replies[0].Text != "deeper" {
		t.Errorf("skein thread --json = %s, %v", js, err)
	}
	mustRun(t, home, "unlike", "7a05e79a")
	for _, args := range [][]string{{"unlike", "7a05e79a"}, {"thread", "00000000"}, {"like", "00000000"}, {"thread"}} {
		if _, err := run(t, home, args...); err == nil {
			t.Errorf("skein %v succeeded, want an error", args)
		}
	}
}
