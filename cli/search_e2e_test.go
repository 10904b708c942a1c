package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core"
)

// TestSearchEndToEnd runs skein search against real daemons: bob finds
// alice's post, which reached his store by gossip, by text and by tag, and
// alice by name.
func TestSearchEndToEnd(t *testing.T) {
	n := newTestNet(t, "alice", "bob")
	for _, u := range []string{"alice", "bob"} {
		n.must(u, "register", u)
	}
	n.eventually(deliverWithin, "bob follows alice", func() bool { return n.skein("bob", "follow", "alice").Code == 0 })
	n.must("alice", "post", "Trying #Skein search, 100% literal")
	n.eventually(deliverWithin, "bob finds alice's post", func() bool {
		r := n.skein("bob", "search", "--posts", "SKEIN SEARCH")
		return r.Code == 0 && strings.Contains(r.Stdout, "@alice  [") && strings.Contains(r.Stdout, "Trying #Skein search, 100% literal")
	})

	var res core.SearchResults
	out := n.must("bob", "search", "--tag", "#skein", "--json")
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Posts) != 1 || res.Posts[0].Author != "alice" || len(res.Users) != 0 {
		t.Errorf("search --tag #skein --json = %s (%v), want alice's post", out, err)
	}
	if out := n.must("bob", "search", "--users", "ali"); !strings.HasPrefix(out, "@alice  ") {
		t.Errorf("search --users ali = %q, want @alice", out)
	}
	if out := n.must("bob", "search", "0%", "lit"); !strings.HasPrefix(out, "posts:\n") || !strings.Contains(out, "100% literal") {
		t.Errorf("search 0%% lit = %q, want the post under posts:", out)
	}
	if out := n.must("bob", "search", ".*"); out != "nothing found\n" {
		t.Errorf("search .* = %q, want nothing found: a query is literal", out)
	}
	wantError(t, "search of spaces", n.skein("bob", "search", "   "), "bad search query")
	wantError(t, "search of 101 characters", n.skein("bob", "search", strings.Repeat("x", 101)), "bad search query")
	wantError(t, "search --tag a-b", n.skein("bob", "search", "--tag", "a-b"), "hashtag")
	if r := n.skein("bob", "search", "--users", "--posts", "x"); r.Code == 0 {
		t.Errorf("search --users --posts x = %s, want a usage error", r)
	}
}
