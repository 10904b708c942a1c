package cli

import "testing"

func TestShellLikes(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	node.AddPost("bob", "hi from bob") // [7a05e79a]
	out := runShell(t, home,
		"1", "alice", "pw", // register
		"1", "bob", // follow
		"13", "7a05e79a", // like
		"0",              // feed
		"14", "7a05e79a", // unlike
		"14", "7a05e79a", // unlike again: not liked
		"13", "nope", // not an ID
		"quit",
	)
	wantInOrder(t, out,
		"Like post (its ID from the feed, Enter to cancel): Liked:\n", "@bob  [7a05e79a]  hi from bob  ♥ 1, you\n",
		"|= Feed =|\n", "hi from bob  ♥ 1, you\n",
		"Unlike post (its ID from the feed, Enter to cancel): Unliked post [7a05e79a].\n",
		"Unlike post (its ID from the feed, Enter to cancel): error: you have not liked this post",
		`error: invalid post ID "nope"`,
	)
}
