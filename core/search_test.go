package core

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// searchTexts returns the texts of the posts found, newest first.
func searchTexts(t *testing.T, n *Node, q string, kind SearchKind) []string {
	t.Helper()
	res, err := n.Search(context.Background(), q, kind, 0)
	if err != nil {
		t.Fatalf("Search(%q, %s) error: %v", q, kind, err)
	}
	var out []string
	for _, p := range res.Posts {
		out = append(out, p.Author+": "+p.Text)
	}
	return out
}

func searchHas(n *Node, q string, kind SearchKind, want string) func() bool {
	return func() bool {
		res, err := n.Search(context.Background(), q, kind, 0)
		if err != nil {
			return false
		}
		for _, p := range res.Posts {
			if p.Author+": "+p.Text == want {
				return true
			}
		}
		return false
	}
}

func TestSearch(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	bob := tn.user("bob")
	mustFollow(t, bob, "alice")
	mustPost(t, alice, "Hello #Skein world, 100% decentralized")
	p := mustPost(t, alice, "second post mentions @bob and #skein")
	ctx := context.Background()
	// Gossip reaches bob's store and index; alice's own posts are indexed
	// as she appends them.
	waitFor(t, "bob finds alice's post", searchHas(bob, "SKEIN WORLD", SearchPosts, "alice: Hello #Skein world, 100% decentralized"))
	for _, n := range []*Node{alice, bob} {
		if got, want := searchTexts(t, n, "#skein", SearchTag), []string{"alice: second post mentions @bob and #skein", "alice: Hello #Skein world, 100% decentralized"}; strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("Search(#skein, tag) = %q, want %q", got, want)
		}
		if got := searchTexts(t, n, "0% d", SearchAll); len(got) != 1 {
			t.Errorf("Search(0%% d) = %q, want the first post", got)
		}
		for _, q := range []string{".*", "\\", "_", "%%"} {
			if got := searchTexts(t, n, q, SearchPosts); len(got) != 0 {
				t.Errorf("Search(%q) = %q, want nothing: a query is literal", q, got)
			}
		}
	}
	res, err := bob.Search(ctx, "ali", SearchUsers, 0)
	if err != nil || len(res.Users) != 1 || res.Users[0].Name != "alice" || len(res.Posts) != 0 {
		t.Errorf("Search(ali, users) = %+v, %v, want alice alone", res, err)
	}
	res, err = bob.Search(ctx, "@bob", SearchAll, 0)
	if err != nil || len(res.Users) != 1 || res.Users[0].Name != "bob" || len(res.Posts) != 1 {
		t.Errorf("Search(@bob) = %+v, %v, want bob and the post mentioning him", res, err)
	}
	// A deleted post leaves every index.
	if err := alice.Delete(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if got := searchTexts(t, alice, "second", SearchPosts); len(got) != 0 {
		t.Errorf("Search(second) after Delete = %q, want nothing", got)
	}
	waitFor(t, "the delete reaches bob's index", func() bool {
		return len(searchTexts(t, bob, "second", SearchPosts)) == 0 && len(searchTexts(t, bob, "skein", SearchTag)) == 1
	})

	bad := []struct {
		q     string
		kind  SearchKind
		limit int
	}{
		{"", SearchAll, 0},
		{"   ", SearchPosts, 0},
		{strings.Repeat("a", 101), SearchAll, 0},
		{"a\x00", SearchAll, 0},
		{"a b", SearchTag, 0},
		{"ok", "people", 0},
		{"ok", SearchAll, -1},
		{"ok", SearchAll, 101},
	}
	for _, tt := range bad {
		if _, err := bob.Search(ctx, tt.q, tt.kind, tt.limit); !errors.Is(err, ErrBadQuery) {
			t.Errorf("Search(%q, %q, %d) = %v, want %v", tt.q, tt.kind, tt.limit, err, ErrBadQuery)
		}
	}
}

// TestSearchRebuild starts a node on a store whose index is gone, or
// marked dirty (the node stopped with posts queued for it): the node
// builds it in the background, and search finds what it held.
func TestSearchRebuild(t *testing.T) {
	for _, dirty := range []bool{false, true} {
		t.Run(fmt.Sprintf("dirty=%v", dirty), func(t *testing.T) { testSearchRebuild(t, dirty) })
	}
}

func testSearchRebuild(t *testing.T, dirty bool) {
	tn := newTestNet(t)
	dir := t.TempDir()
	carol := tn.nodeWith("carol", func(c *Config) { c.DataDir = dir })
	for _, text := range []string{"first of three", "second of three", "third of three"} {
		mustPost(t, carol, text)
	}
	carol.Close()

	// Drop the index; with dirty, keep its build state (done) and set the
	// dirty mark instead.
	kv, err := store.OpenLevelDB(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	rows := store.Prefix(kv, []byte{store.SearchPrefix})
	var b store.Batch
	it := rows.Find(nil, nil, false)
	for it.Next() {
		if !dirty || it.Key()[0] != 'v' {
			b.Delete(it.Key())
		}
	}
	if dirty {
		b.Put([]byte{'w'}, []byte{1})
	}
	if err := errors.Join(it.Close(), rows.Commit(&b, true), kv.Close()); err != nil {
		t.Fatal(err)
	}
	if b.Len() < 3 {
		t.Fatal("no search rows were written")
	}

	carol = tn.node(dir)
	waitFor(t, "the index is rebuilt", func() bool {
		return len(searchTexts(t, carol, "of three", SearchPosts)) == 3
	})
	res, err := carol.Search(context.Background(), "carol", SearchUsers, 0)
	if err != nil || len(res.Users) != 1 {
		t.Fatalf("Search(carol, users) = %+v, %v, want carol", res, err)
	}
	// The profiles code indexes display names and bios.
	k, _ := entry.ParseKey(res.Users[0].Key)
	carol.indexAccount(k, "", "Carol Q. Example", "Writes about Go")
	res, err = carol.Search(context.Background(), "q. ex", SearchUsers, 0)
	if err != nil || len(res.Users) != 1 || res.Users[0].Name != "carol" {
		t.Errorf("Search(q. ex, users) = %+v, %v, want carol", res, err)
	}
}
