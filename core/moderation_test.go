package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// allFeed reads n's whole feed in pages of size limit, checking that every
// page but the last is full.
func allFeed(t *testing.T, n *Node, limit int) []string {
	t.Helper()
	var out []string
	cursor := ""
	for range 100 {
		p, err := n.Feed(context.Background(), cursor, limit)
		if err != nil {
			t.Fatalf("Feed(%q) error: %v", cursor, err)
		}
		for _, post := range p.Posts {
			out = append(out, post.Author+": "+post.Text)
		}
		if p.Next == "" {
			return out
		}
		if len(p.Posts) != limit {
			t.Fatalf("Feed(%q, %d) = %d posts and a next page, want a full page", cursor, limit, len(p.Posts))
		}
		cursor = p.Next
	}
	t.Fatal("Feed never ends")
	return nil
}

func userNames(us []User) []string {
	out := []string{}
	for _, u := range us {
		out = append(out, u.Name)
	}
	return out
}

// TestMuteFeed: alice mutes bob, who posts much more than carol. Her feed
// pages stay full, their cursors go through every post of carol's and
// none of bob's, nor carol's repost of bob; bob's timeline still shows
// when asked for, and unmuting brings everything back.
func TestMuteFeed(t *testing.T) {
	ctx := context.Background()
	tn := newTestNet(t)
	bob, carol := tn.user("bob"), tn.user("carol")
	alice := tn.user("alice")
	mustFollow(t, alice, "bob")
	mustFollow(t, alice, "carol")
	mustFollow(t, carol, "bob")
	var last Post
	for i := range 12 {
		last = mustPost(t, bob, fmt.Sprintf("bob %d", i))
		if i%4 == 0 {
			mustPost(t, carol, fmt.Sprintf("carol %d", i/4))
		}
	}
	waitFor(t, "carol to hold bob's last post", hasFeed(carol, "bob: bob 11"))
	if _, err := carol.Repost(ctx, last.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "alice's feed to fill", func() bool { return len(feedTexts(t, alice)) == 16 })

	u, err := alice.Mute(ctx, "bob")
	if err != nil || u.Name != "bob" || u.Key != bob.session().key.String() || u.Since.IsZero() {
		t.Fatalf("Mute(bob) = %+v, %v", u, err)
	}
	want := []string{"carol: carol 2", "carol: carol 1", "carol: carol 0"}
	for _, limit := range []int{1, 2, 3, 50} {
		if got := allFeed(t, alice, limit); !slices.Equal(got, want) {
			t.Errorf("muted: feed in pages of %d = %q, want %q", limit, got, want)
		}
	}
	if tl, err := alice.Timeline(ctx, "bob", "", 50); err != nil || len(tl.Posts) != 12 {
		t.Errorf("Timeline(bob) of a muted bob = %d posts, %v, want 12", len(tl.Posts), err)
	}
	if m, err := alice.Muted(ctx); err != nil || !slices.Equal(userNames(m), []string{"bob"}) {
		t.Errorf("Muted() = %v, %v, want [bob]", userNames(m), err)
	}
	if _, err := alice.Mute(ctx, "bob"); err != nil {
		t.Errorf("Mute(bob) again = %v, want nil", err)
	}
	// His mention of her, sent straight to her device and taken, does not
	// notify her.
	mustPost(t, bob, "hey @alice")
	noticeOf(t, bob, alice, 1)
	waitFor(t, "alice to hold bob's mention", func() bool {
		h, _ := alice.store.Head(bob.session().key)
		return h.Seq == 13
	})
	if ns, _ := alice.Notifications(ctx, 100, false); len(ns) != 0 {
		t.Errorf("notifications from a muted bob: %+v", ns)
	}
	if err := alice.Unmute(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	if got := allFeed(t, alice, 5); len(got) != 17 {
		t.Errorf("unmuted: feed = %d posts, want 17", len(got))
	}
	if m, _ := alice.Muted(ctx); len(m) != 0 {
		t.Errorf("Muted() after Unmute = %v, want none", userNames(m))
	}
}

// TestModerationErrors: bad names, yourself, unknown users.
func TestModerationErrors(t *testing.T) {
	ctx := context.Background()
	tn := newTestNet(t)
	alice := tn.user("alice")
	for _, tt := range []struct {
		name string
		want error
	}{
		{"alice", ErrSelfMute},
		{"nobody_here", ErrUnknownName},
		{"Bad Name", ErrInvalidName},
	} {
		if _, err := alice.Mute(ctx, tt.name); !errors.Is(err, tt.want) {
			t.Errorf("Mute(%q) = %v, want %v", tt.name, err, tt.want)
		}
		if _, err := alice.Block(ctx, tt.name); !errors.Is(err, tt.want) {
			t.Errorf("Block(%q) = %v, want %v", tt.name, err, tt.want)
		}
	}
	alice.Logout(ctx)
	if _, err := alice.Mute(ctx, "bob"); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("Mute() logged out = %v, want ErrNotLoggedIn", err)
	}
}

// noticeOf sends, from n, its newest count entries to to's device as a
// direct notice, and waits for the answer.
func noticeOf(t *testing.T, n, to *Node, count int) {
	t.Helper()
	sess := n.session()
	head, _ := n.store.Head(sess.key)
	es, err := n.store.Entries(sess.key, head.Seq-uint64(count), count, 1<<20)
	if err != nil || len(es) != count {
		t.Fatalf("entries to send: %d, %v", len(es), err)
	}
	if err := n.sendNotice(context.Background(), sess, to.host.ID(), es); err != nil {
		t.Fatalf("notice to %s: %v, want it taken (silently)", to.session().name, err)
	}
}

// TestBlock: alice blocks bob, who follows her and whom she follows. He
// leaves her followers and her following, his timeline is refused, and
// his follow, reply, mention and repost notices are taken, answered as
// any other, and dropped without a trace; carol's, sent the same way,
// still count.
func TestBlock(t *testing.T) {
	ctx := context.Background()
	tn := newTestNet(t)
	alice, bob, carol := tn.user("alice"), tn.user("bob"), tn.user("carol")
	mustFollow(t, bob, "alice")
	mustFollow(t, alice, "bob")
	waitFor(t, "bob to follow alice", func() bool { fs, _ := alice.Followers(ctx); return len(fs) == 1 })
	hello := mustPost(t, alice, "hello")
	waitFor(t, "bob to see hello", hasFeed(bob, "alice: hello"))
	mustPost(t, bob, "before the block")
	waitFor(t, "alice to see bob's post", hasFeed(alice, "bob: before the block"))

	if _, err := alice.Block(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	if fs, _ := alice.Followers(ctx); len(fs) != 0 {
		t.Errorf("Followers() after the block = %v, want none", userNames(fs))
	}
	if fs, _ := alice.Following(ctx); len(fs) != 0 {
		t.Errorf("Following() after the block = %v, want none", userNames(fs))
	}
	if b, _ := alice.Blocked(ctx); !slices.Equal(userNames(b), []string{"bob"}) {
		t.Errorf("Blocked() = %v, want [bob]", userNames(b))
	}
	if _, err := alice.Timeline(ctx, "bob", "", 10); !errors.Is(err, ErrBlocked) {
		t.Errorf("Timeline(bob) = %v, want ErrBlocked", err)
	}
	before, _ := alice.Notifications(ctx, 100, false)

	// What bob does, each also sent straight to alice and answered.
	if err := bob.Unfollow(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	mustFollow(t, bob, "alice")
	if _, err := bob.Reply(ctx, hello.ID, "a reply"); err != nil {
		t.Fatal(err)
	}
	mustPost(t, bob, "hey @alice")
	if _, err := bob.Repost(ctx, hello.ID); err != nil {
		t.Fatal(err)
	}
	noticeOf(t, bob, alice, 5)
	// carol does the same, and counts.
	mustFollow(t, carol, "alice")
	mustPost(t, carol, "hey @alice")
	noticeOf(t, carol, alice, 2)

	ns, err := alice.Notifications(ctx, 100, false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range ns[:len(ns)-len(before)] {
		got = append(got, x.From.Name+" "+string(x.Kind))
	}
	slices.Sort(got)
	if want := []string{"carol follower", "carol mention"}; !slices.Equal(got, want) {
		t.Errorf("notifications after the block = %q, want %q", got, want)
	}
	if fs, _ := alice.Followers(ctx); !slices.Equal(userNames(fs), []string{"carol"}) {
		t.Errorf("Followers() = %v, want [carol]", userNames(fs))
	}
	// Back online, alice would dial carol, not bob.
	var devs []peer.ID
	for _, f := range alice.recentFollowerDevices(alice.session().key, maxMeetFollowers) {
		devs = append(devs, f.Device)
	}
	if slices.Contains(devs, bob.host.ID()) || !slices.Contains(devs, carol.host.ID()) {
		t.Errorf("followers' devices met on return = %v, want carol's %v and not bob's %v", devs, carol.host.ID(), bob.host.ID())
	}
	if got := allFeed(t, alice, 10); slices.Contains(got, "bob: before the block") {
		t.Errorf("feed after the block = %q, has bob's post", got)
	}

	// Unblocking lets his next follow count again; what the block ended
	// stays ended.
	if err := alice.Unblock(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	if err := bob.Unfollow(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	mustFollow(t, bob, "alice")
	noticeOf(t, bob, alice, 1)
	if fs, _ := alice.Followers(ctx); !slices.Equal(userNames(fs), []string{"bob", "carol"}) {
		t.Errorf("Followers() after unblocking = %v, want [bob carol]", userNames(fs))
	}
	if fs, _ := alice.Following(ctx); len(fs) != 0 {
		t.Errorf("Following() after unblocking = %v, want none", userNames(fs))
	}
}

// TestModerationRestart: mutes, blocks and bookmarks survive a restart of
// the node (real LevelDB), and belong to the account that made them.
func TestModerationRestart(t *testing.T) {
	ctx := context.Background()
	tn := newTestNet(t)
	tn.user("bob")
	tn.user("carol")
	dir := t.TempDir()
	alice := tn.node(dir)
	if _, err := alice.Register(ctx, "alice", "pw-alice"); err != nil {
		t.Fatal(err)
	}
	post := mustPost(t, alice, "keep me")
	if _, err := alice.Mute(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Block(ctx, "carol"); err != nil {
		t.Fatal(err)
	}
	if p, err := alice.Bookmark(ctx, post.ID[:10]); err != nil || !p.Bookmarked || p.ID != post.ID {
		t.Fatalf("Bookmark() = %+v, %v", p, err)
	}
	if err := alice.Close(); err != nil {
		t.Fatal(err)
	}
	alice = tn.node(dir)
	if _, err := alice.Login(ctx, "alice", "pw-alice"); err != nil {
		t.Fatal(err)
	}
	if m, _ := alice.Muted(ctx); !slices.Equal(userNames(m), []string{"bob"}) {
		t.Errorf("Muted() after restart = %v, want [bob]", userNames(m))
	}
	if b, _ := alice.Blocked(ctx); !slices.Equal(userNames(b), []string{"carol"}) {
		t.Errorf("Blocked() after restart = %v, want [carol]", userNames(b))
	}
	if p, err := alice.Bookmarks(ctx, "", 10); err != nil || len(p.Posts) != 1 || p.Posts[0].Text != "keep me" {
		t.Errorf("Bookmarks() after restart = %+v, %v", p, err)
	}
	if p, _ := alice.Feed(ctx, "", 10); len(p.Posts) != 1 || !p.Posts[0].Bookmarked {
		t.Errorf("Feed() = %+v, want the post bookmarked", p.Posts)
	}
	// Another account on the device has lists of its own.
	alice.Logout(ctx)
	if _, err := alice.Register(ctx, "dave", "pw-dave"); err != nil {
		t.Fatal(err)
	}
	if m, _ := alice.Muted(ctx); len(m) != 0 {
		t.Errorf("dave's Muted() = %v, want none", userNames(m))
	}
	if p, _ := alice.Bookmarks(ctx, "", 10); len(p.Posts) != 0 {
		t.Errorf("dave's Bookmarks() = %d posts, want none", len(p.Posts))
	}
}

// TestBookmarksOutliveGC: alice bookmarks two of bob's posts; bob deletes
// one, which loses its text in the bookmark too; alice unfollows bob and
// garbage collection drops his log past the grace; the bookmarks still
// show both, the deleted one without text.
func TestBookmarksOutliveGC(t *testing.T) {
	ctx := context.Background()
	tn := newTestNet(t)
	bob := tn.user("bob")
	alice := tn.nodeWith("alice", func(c *Config) { c.Retention = Retention{UnfollowGrace: time.Millisecond} })
	mustFollow(t, alice, "bob")
	kept := mustPost(t, bob, "kept")
	gone := mustPost(t, bob, "gone")
	// Gossip may bring "gone" before "kept", which a sync then fills in.
	waitFor(t, "alice to see bob's posts", func() bool { return hasFeed(alice, "bob: kept")() && hasFeed(alice, "bob: gone")() })
	for _, p := range []Post{kept, gone} {
		if _, err := alice.Bookmark(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := alice.Unbookmark(ctx, "00000000"); !errors.Is(err, ErrNoPost) {
		t.Errorf("Unbookmark(unknown) = %v, want ErrNoPost", err)
	}
	if _, err := alice.Bookmark(ctx, "0000000000"); !errors.Is(err, ErrNoPost) {
		t.Errorf("Bookmark(unknown) = %v, want ErrNoPost", err)
	}
	if err := bob.Delete(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the bookmark's copy to be redacted", func() bool {
		es, _, _ := alice.marks.Page(alice.session().key, nil, 10)
		return len(es) == 2 && es[0].Redacted()
	})
	if err := alice.Unfollow(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	bobKey := bob.session().key
	waitFor(t, "GC to drop bob's log", func() bool {
		alice.gcPass(ctx)
		_, head, _ := alice.store.Span(bobKey)
		return head == 0
	})
	p, err := alice.Bookmarks(ctx, "", 1)
	if err != nil || len(p.Posts) != 1 || p.Next == "" {
		t.Fatalf("Bookmarks(1) = %+v, %v", p, err)
	}
	first := p.Posts[0]
	if p, err = alice.Bookmarks(ctx, p.Next, 1); err != nil || len(p.Posts) != 1 || p.Next != "" {
		t.Fatalf("Bookmarks(next) = %+v, %v", p, err)
	}
	second := p.Posts[0]
	if first.ID != gone.ID || !first.Unavailable || first.Text != "" || !first.Bookmarked {
		t.Errorf("deleted bookmark = %+v, want %s unavailable without text", first, gone.ID)
	}
	if second.ID != kept.ID || second.Text != "kept" || second.Author != "bob" || second.Unavailable {
		t.Errorf("kept bookmark = %+v, want bob's %q", second, "kept")
	}
	if err := alice.Unbookmark(ctx, kept.ID[:12]); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Bookmarks(ctx, "!!", 1); !errors.Is(err, ErrBadCursor) {
		t.Errorf("Bookmarks(bad cursor) = %v, want ErrBadCursor", err)
	}
}
