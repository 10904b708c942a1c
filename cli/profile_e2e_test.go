package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core"
)

// TestProfileEndToEnd: alice sets her profile with skein profile, changes
// one field keeping the others, is refused bad input; bob follows her and
// sees her display name in his feed and in skein profile alice --json.
func TestProfileEndToEnd(t *testing.T) {
	n := newTestNet(t, "alice", "bob")
	for _, u := range []string{"alice", "bob"} {
		n.must(u, "register", u)
	}
	out := n.must("alice", "profile", "--display-name", "Alice Liddell", "--bio", "Down the rabbit hole.", "--link", "https://example.org/alice")
	if !strings.Contains(out, "Alice Liddell @alice\n") || !strings.Contains(out, "bio: Down the rabbit hole.\n") {
		t.Errorf("profile --display-name … printed %q", out)
	}
	// Flags not given keep their value; an empty one clears its field.
	n.must("alice", "profile", "--bio", "")
	var u core.Profile
	if err := json.Unmarshal([]byte(n.must("alice", "profile", "--json")), &u); err != nil ||
		u.DisplayName != "Alice Liddell" || u.Bio != "" || u.Link != "https://example.org/alice" {
		t.Errorf("alice's profile --json = %+v, %v; want the bio cleared and the rest kept", u.User, err)
	}

	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"--link", "javascript:alert(1)"}, "not an http:// or https:// URL"},
		{[]string{"--display-name", strings.Repeat("a", 65)}, "65 characters, limit 64"},
		{[]string{"--bio", strings.Repeat("b", 301)}, "301 characters, limit 300"},
		{[]string{"--display-name", "ring\a"}, "U+0007"},
		{[]string{"bob", "--bio", "x"}, "only to show a profile"},
	} {
		r := n.skein("alice", append([]string{"profile"}, bad.args...)...)
		wantError(t, "profile "+strings.Join(bad.args, " "), r, bad.want)
	}

	n.eventually(deliverWithin, "bob follows alice", func() bool { return n.skein("bob", "follow", "alice").Code == 0 })
	n.must("alice", "post", "hello from alice")
	n.eventually(deliverWithin, "bob's feed shows alice's display name", func() bool {
		return n.feedHas("bob", "  Alice Liddell @alice  [")
	})
	var p core.Profile
	if err := json.Unmarshal([]byte(n.must("bob", "profile", "alice", "--json")), &p); err != nil ||
		p.Name != "alice" || p.DisplayName != "Alice Liddell" || p.Link != "https://example.org/alice" {
		t.Errorf("bob's profile alice --json = %+v, %v", p.User, err)
	}
	var feed core.Page
	if err := json.Unmarshal([]byte(n.must("bob", "feed", "--json")), &feed); err != nil ||
		len(feed.Posts) == 0 || feed.Posts[0].AuthorDisplayName != "Alice Liddell" {
		t.Errorf("bob's feed --json = %+v, %v", feed, err)
	}
}
