package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/core"
)

func TestModerationCommands(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	node.AddUser("carol")
	bobs := node.AddPost("bob", "hello from bob")
	mustRun(t, home, "register", "alice")

	for _, tt := range []struct{ args, want string }{
		{"muted", "nobody muted\n"},
		{"mute bob", "muted @bob (key 81b637d8)\n"},
		{"block @carol", "blocked @carol (key 4c26d907)\n"},
		{"unmute bob", "unmuted @bob\n"},
		{"unblock carol", "unblocked @carol\n"},
		{"blocked", "nobody blocked\n"},
		{"bookmarks", "no bookmarks yet: save a post with: skein bookmark ID\n"},
		{"bookmark " + bobs.ID[:8], "bookmarked: 2026-11-22 03:40  @bob  [" + bobs.ID[:8] + "]  hello from bob\n"},
		{"bookmarks", "2026-11-22 03:40  @bob  [" + bobs.ID[:8] + "]  hello from bob\n"},
		{"unbookmark " + bobs.ID[:8], "removed bookmark [" + bobs.ID[:8] + "]\n"},
	} {
		if got := mustRun(t, home, strings.Fields(tt.args)...); got != tt.want {
			t.Errorf("skein %s printed:\n%q\nwant:\n%q", tt.args, got, tt.want)
		}
	}
	mustRun(t, home, "mute", "bob")
	var users api.Users
	if err := json.Unmarshal([]byte(mustRun(t, home, "muted", "--json")), &users); err != nil || len(users.Users) != 1 || users.Users[0].Name != "bob" {
		t.Errorf("muted --json = %+v, %v", users, err)
	}
	mustRun(t, home, "bookmark", bobs.ID)
	var page core.Page
	if err := json.Unmarshal([]byte(mustRun(t, home, "bookmarks", "--json")), &page); err != nil || len(page.Posts) != 1 || !page.Posts[0].Bookmarked {
		t.Errorf("bookmarks --json = %+v, %v", page, err)
	}
	for _, tt := range []struct{ args, want string }{
		{"mute alice", "cannot mute or block yourself"},
		{"block nobody", "no user with this name"},
		{"mute", "NAME"},
		{"bookmark 123", "ID"},
		{"unbookmark 0000000000", "not bookmarked"},
	} {
		if _, err := run(t, home, strings.Fields(tt.args)...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("skein %s = %v, want an error containing %q", tt.args, err, tt.want)
		}
	}
}

func TestShellModeration(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("bob")
	bobs := node.AddPost("bob", "hi from bob")
	out := runShell(t, home,
		"1", "alice", "pw", // register
		"14", "m", "bob", // mute bob
		"14", "b", "@bob", // block him too
		"14", "n", "bob", // unblock
		"14", "", // look only
		"15", "a", bobs.ID[:8], // bookmark
		"15", "r", bobs.ID[:8], // remove it
		"15", "",
		"quit",
	)
	wantInOrder(t, out,
		"|= Muted =|\nnobody\n\n|= Blocked =|\nnobody\n", "Done: m @bob.",
		"Done: b @bob.",
		"Done: n @bob.",
		"|= Muted =|\n@bob", "|= Blocked =|\nnobody\n",
		"|= Bookmarks =|\nNo bookmarks yet.\n", "Bookmarked:\n", "hi from bob",
		"|= Bookmarks =|\n", "hi from bob", "Removed bookmark ["+bobs.ID[:8]+"].",
		"|= Bookmarks =|\nNo bookmarks yet.\n",
	)
}
