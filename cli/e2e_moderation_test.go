package cli

import (
	"strings"
	"testing"
)

// TestEndToEndModeration: with real daemons, alice follows bob and carol,
// mutes bob (his posts leave her feed, his timeline still shows),
// bookmarks carol's post, blocks carol (her timeline is refused), and
// after a restart of her daemon the mute, the block and the bookmark are
// still there.
func TestEndToEndModeration(t *testing.T) {
	n := newTestNet(t, "alice", "bob", "carol")
	for _, u := range []string{"alice", "bob", "carol"} {
		n.must(u, "register", u)
	}
	for _, u := range []string{"bob", "carol"} {
		n.eventually(deliverWithin, "alice follows "+u, func() bool { return n.skein("alice", "follow", u).Code == 0 })
	}
	n.must("bob", "post", "loud", "post", "from", "bob")
	n.must("carol", "post", "quiet", "post", "from", "carol")
	n.eventually(deliverWithin, "the posts reach alice", func() bool {
		return n.feedHas("alice", "loud post from bob", "quiet post from carol")
	})

	if out := n.must("alice", "mute", "bob"); !strings.HasPrefix(out, "muted @bob (key ") {
		t.Errorf("mute printed %q", out)
	}
	if feed := n.must("alice", "feed"); strings.Contains(feed, "loud post") || !strings.Contains(feed, "quiet post") {
		t.Errorf("feed after the mute:\n%s", feed)
	}
	if tl := n.must("alice", "timeline", "bob"); !strings.Contains(tl, "loud post from bob") {
		t.Errorf("timeline bob of a muted bob:\n%s", tl)
	}
	id := n.postID("alice", "quiet post from carol")
	if out := n.must("alice", "bookmark", id[:8]); !strings.Contains(out, "bookmarked: ") || !strings.Contains(out, "quiet post from carol") {
		t.Errorf("bookmark printed %q", out)
	}
	if out := n.must("alice", "block", "carol"); !strings.HasPrefix(out, "blocked @carol (key ") {
		t.Errorf("block printed %q", out)
	}
	wantError(t, "timeline of a blocked user", n.skein("alice", "timeline", "carol"), "you blocked this user")
	wantError(t, "mute yourself", n.skein("alice", "mute", "alice"), "cannot mute or block yourself")
	if out := n.must("alice", "following"); strings.Contains(out, "carol") {
		t.Errorf("following after blocking carol:\n%s", out)
	}

	n.stop("alice")
	n.start("alice")
	n.must("alice", "login", "alice")
	if out := n.must("alice", "muted"); !strings.Contains(out, "@bob") {
		t.Errorf("muted after a restart: %q", out)
	}
	if out := n.must("alice", "blocked", "--json"); !strings.Contains(out, `"name": "carol"`) {
		t.Errorf("blocked --json after a restart: %q", out)
	}
	if out := n.must("alice", "bookmarks"); !strings.Contains(out, "quiet post from carol") {
		t.Errorf("bookmarks after a restart: %q", out)
	}
	n.must("alice", "unmute", "bob")
	if feed := n.must("alice", "feed"); !strings.Contains(feed, "loud post from bob") {
		t.Errorf("feed after the unmute:\n%s", feed)
	}
}
