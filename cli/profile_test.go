package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core"
)

func TestProfileCommand(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	mustRun(t, home, "register", "alice")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"profile"}, "@alice\nkey: "},
		{[]string{"profile", "--display-name", "Alice L.", "--link", "https://example.org"},
			"profile set:\nAlice L. @alice\nlink: https://example.org\nkey: "},
		{[]string{"profile", "--bio", "two\nlines"}, "profile set:\nAlice L. @alice\nbio: two\n     lines\nlink: https://example.org\n"},
		{[]string{"profile", "--link="}, "profile set:\nAlice L. @alice\nbio: two\n     lines\nkey: "},
		{[]string{"profile", "@alice", "--json"}, `"display_name": "Alice L.",`},
		{[]string{"profile", "bob"}, "@bob\nkey: "},
	}
	for _, tt := range tests {
		if out := mustRun(t, home, tt.args...); !strings.HasPrefix(out, tt.want) && !strings.Contains(out, tt.want) {
			t.Errorf("skein %q printed:\n%s\nwant it to hold:\n%s", tt.args, out, tt.want)
		}
	}
	if _, err := run(t, home, "profile", "--link", "javascript:alert(1)"); !errors.Is(err, core.ErrInvalidProfile) {
		t.Errorf("profile --link javascript:… = %v, want ErrInvalidProfile", err)
	}
	if _, err := run(t, home, "profile", "bob", "--bio", "x"); err == nil || !strings.Contains(err.Error(), "only to show") {
		t.Errorf("profile bob --bio x = %v, want a usage error", err)
	}
	// A display name a peer set with control characters shows inert.
	node.SetDisplayName("bob", "Bob\x1b[31m")
	node.AddPost("bob", "hi")
	mustRun(t, home, "follow", "bob")
	if out := mustRun(t, home, "feed"); !strings.Contains(out, `Bob\x1b[31m @bob  [`) {
		t.Errorf("feed shows bob's display name as:\n%s", out)
	}
	if out := mustRun(t, home, "following"); !strings.HasPrefix(out, `Bob\x1b[31m @bob  81b637d8`) {
		t.Errorf("following shows bob as:\n%s", out)
	}
}

func TestShellProfile(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	out := runShell(t, home,
		"1", "alice", "pw", // register
		"13", "", "Alice L.", "", "https://example.org", // set own display name and link
		"13", "", "", "-", "-", // clear the link
		"13", "", "", "", "", // unchanged
		"13", "@bob",
		"quit",
	)
	wantInOrder(t, out,
		"Username (Enter for your own): @alice\nkey: ",
		"New display name (Enter to keep, - to clear): New bio (Enter to keep, - to clear): New link (Enter to keep, - to clear): Profile set:\nAlice L. @alice\nlink: https://example.org\n",
		"Profile set:\nAlice L. @alice\nkey: ",
		"Profile unchanged.\n",
		"Username (Enter for your own): @bob\nkey: ",
	)
}
