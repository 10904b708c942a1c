package core

import (
	"context"
	"errors"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// postLikes returns the likes and liked of the post with id in n's feed,
// -1 if it is not there.
func postLikes(n *Node, id string) (int, bool) {
	p, err := n.Feed(context.Background(), "", 50)
	if err != nil {
		return -1, false
	}
	for _, x := range p.Posts {
		if x.ID == id {
			return x.Likes, x.Liked
		}
	}
	return -1, false
}

func TestLikes(t *testing.T) {
	tn := newTestNet(t)
	alice, bob, dave := tn.user("alice"), tn.user("bob"), tn.user("dave")
	ctx := context.Background()
	mustFollow(t, bob, "alice")
	hi := mustPost(t, alice, "like me")
	waitFor(t, "bob gets alice's post", hasFeed(bob, "alice: like me"))

	p, err := bob.Like(ctx, hi.ID[:10])
	if err != nil || p.ID != hi.ID || p.Likes != 1 || !p.Liked {
		t.Fatalf("Like() = %+v, %v, want alice's post with 1 like, liked", p, err)
	}
	waitFor(t, "alice notified of the like", hasNotification(alice, NotifyLike, "bob", "like me"))
	waitFor(t, "alice counts 1 like", func() bool { c, liked := postLikes(alice, hi.ID); return c == 1 && !liked })
	if c, liked := postLikes(bob, hi.ID); c != 1 || !liked {
		t.Errorf("bob's feed: likes %d, liked %v, want 1, true", c, liked)
	}

	// Liking again appends nothing.
	head, _ := bob.store.Head(bob.session().key)
	if p, err := bob.Like(ctx, hi.ID); err != nil || p.Likes != 1 {
		t.Fatalf("second Like() = %+v, %v, want the post with 1 like", p, err)
	}
	if h, _ := bob.store.Head(bob.session().key); h.Seq != head.Seq {
		t.Errorf("second Like() appended seq %d, want nothing", h.Seq)
	}
	// With a request ID, a retry returns the first attempt's post.
	rctx := WithRequestID(ctx, "like-1")
	waitFor(t, "dave reads alice's timeline", func() bool {
		p, _ := dave.Timeline(ctx, "alice", "", 10)
		return len(p.Posts) > 0 && p.Posts[0].ID == hi.ID
	})
	for i := range 2 {
		if p, err := dave.Like(rctx, hi.ID); err != nil || p.ID != hi.ID {
			t.Fatalf("dave Like() attempt %d = %+v, %v", i, p, err)
		}
	}
	// dave is a stranger to alice: his like reaches her as a notice.
	waitFor(t, "alice notified of dave's like", hasNotification(alice, NotifyLike, "dave", "like me"))
	waitFor(t, "alice counts 2 likes", func() bool { c, _ := postLikes(alice, hi.ID); return c == 2 })

	if err := bob.Unlike(ctx, hi.ID); err != nil {
		t.Fatalf("Unlike() = %v", err)
	}
	waitFor(t, "alice counts 1 like after the unlike", func() bool { c, _ := postLikes(alice, hi.ID); return c == 1 })
	if c, liked := postLikes(bob, hi.ID); c != 0 || liked {
		t.Errorf("bob's feed after Unlike: likes %d, liked %v, want 0, false", c, liked)
	}

	gone := mustPost(t, alice, "soon gone")
	waitFor(t, "bob gets the second post", hasFeed(bob, "alice: soon gone"))
	if err := alice.Delete(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "bob learns the delete", func() bool { c, _ := postLikes(bob, gone.ID); return c == -1 })
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"unlike not liked", func() error { return bob.Unlike(ctx, hi.ID) }, ErrNotLiked},
		{"like unknown post", func() error { _, err := bob.Like(ctx, "00000000"); return err }, ErrNoPost},
		{"like deleted post", func() error { _, err := bob.Like(ctx, gone.ID); return err }, ErrNoPost},
		{"unlike unknown post", func() error { return bob.Unlike(ctx, "0000000000") }, ErrNoPost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// TestLikeDeleted: a delete naming a like entry takes the like back, on the
// liker's node and on the liked author's, as an unlike would.
func TestLikeDeleted(t *testing.T) {
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	ctx := context.Background()
	mustFollow(t, bob, "alice")
	mustFollow(t, alice, "bob")
	hi := mustPost(t, alice, "like me, then take it back")
	waitFor(t, "bob gets alice's post", hasFeed(bob, "alice: like me, then take it back"))
	if _, err := bob.Like(ctx, hi.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "alice counts bob's like", func() bool { c, _ := postLikes(alice, hi.ID); return c == 1 })
	sess := bob.session()
	like, err := bob.store.Head(sess.key)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := bob.appendRequest(ctx, sess, nil, entry.KindDelete, entry.Delete{Seq: like.Seq, ID: like.ID}.Bytes()); err != nil {
		t.Fatal(err)
	}
	if c, liked := postLikes(bob, hi.ID); c != 0 || liked {
		t.Errorf("bob's feed after the delete: likes %d, liked %v, want 0, false", c, liked)
	}
	waitFor(t, "alice's count to drop to 0", func() bool { c, _ := postLikes(alice, hi.ID); return c == 0 })
}

// TestDeleteOfAnothersPost: a delete names an entry by seq and ID in its
// own author's log, so bob's delete naming alice's post takes back nothing
// of hers: not its likes, not bob's bookmark of it, not a reply to it.
func TestDeleteOfAnothersPost(t *testing.T) {
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	ctx := context.Background()
	mustFollow(t, bob, "alice")
	mustFollow(t, alice, "bob")
	hi := mustPost(t, alice, "mine, not bob's")
	waitFor(t, "bob gets alice's post", hasFeed(bob, "alice: mine, not bob's"))
	if _, err := bob.Like(ctx, hi.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Bookmark(ctx, hi.ID); err != nil {
		t.Fatal(err)
	}
	reply, err := bob.Reply(ctx, hi.ID, "a reply of bob's")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "alice counts bob's like", func() bool { c, _ := postLikes(alice, hi.ID); return c == 1 })
	id, err := entry.ParseKey(hi.ID) // an ID is 64 hex digits, as a key is
	if err != nil {
		t.Fatal(err)
	}
	sess := bob.session()
	if _, _, err := bob.appendRequest(ctx, sess, nil, entry.KindDelete, entry.Delete{Seq: hi.Seq, ID: entry.ID(id)}.Bytes()); err != nil {
		t.Fatal(err)
	}
	mustPost(t, bob, "after the forged delete") // alice has bob's delete once she has this
	waitFor(t, "alice gets bob's later post", hasFeed(alice, "bob: after the forged delete"))
	for _, n := range []*Node{alice, bob} {
		if c, _ := postLikes(n, hi.ID); c != 1 {
			t.Errorf("%s: likes = %d after bob's delete of alice's post, want 1", n.session().name, c)
		}
		th, err := n.Thread(ctx, hi.ID)
		if err != nil || len(th.Replies) != 1 || th.Replies[0].ID != reply.ID {
			t.Errorf("%s: Thread() = %+v, %v, want bob's reply", n.session().name, th.Replies, err)
		}
	}
	page, err := bob.Bookmarks(ctx, "", 10)
	if err != nil || len(page.Posts) != 1 || page.Posts[0].Text != "mine, not bob's" {
		t.Errorf("bob's Bookmarks() = %+v, %v, want alice's post with its text", page.Posts, err)
	}
}
