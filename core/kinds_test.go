package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/syncproto"
)

func hasNotification(n *Node, kind NotificationKind, from, text string) func() bool {
	return func() bool {
		ns, err := n.Notifications(context.Background(), 50, false)
		if err != nil {
			return false
		}
		for _, x := range ns {
			if x.Kind == kind && x.From.Name == from && (text == "" || x.Post != nil && x.Post.Text == text) {
				return true
			}
		}
		return false
	}
}

func TestRepliesRepostsMentions(t *testing.T) {
	tn := newTestNet(t)
	alice, bob, carol := tn.user("alice"), tn.user("bob"), tn.user("carol")
	ctx := context.Background()
	mustFollow(t, bob, "alice")
	mustFollow(t, carol, "bob")
	hi := mustPost(t, alice, "hi all")
	waitFor(t, "bob gets alice's post", hasFeed(bob, "alice: hi all"))

	reply, err := bob.Reply(ctx, hi.ID[:10], "hi alice")
	if err != nil {
		t.Fatalf("Reply() = %v", err)
	}
	if reply.Kind != KindReply || reply.ReplyTo == nil || reply.ReplyTo.ID != hi.ID || reply.ReplyTo.Author != "alice" {
		t.Fatalf("Reply() = %+v, want a reply to alice's post", reply)
	}
	waitFor(t, "alice notified of the reply", hasNotification(alice, NotifyReply, "bob", "hi alice"))

	rp, err := bob.Repost(ctx, hi.ID)
	if err != nil {
		t.Fatalf("Repost() = %v", err)
	}
	if rp.Kind != KindRepost || rp.RepostOf == nil || rp.RepostOf.Text != "hi all" {
		t.Fatalf("Repost() = %+v, want a repost of alice's post", rp)
	}
	waitFor(t, "alice notified of the repost", hasNotification(alice, NotifyRepost, "bob", ""))
	// carol follows bob, not alice: she sees the repost and the reply.
	waitFor(t, "carol sees bob's repost", func() bool {
		p, _ := carol.Feed(ctx, "", 10)
		for _, x := range p.Posts {
			if x.Kind == KindRepost && x.Author == "bob" {
				return true
			}
		}
		return false
	})

	// carol mentions alice, who does not follow her: a direct notice.
	mustPost(t, carol, "have you met @alice? and @nobody_at_all")
	waitFor(t, "alice notified of the mention", hasNotification(alice, NotifyMention, "carol", "have you met @alice? and @nobody_at_all"))

	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"reply to unknown post", func() error { _, err := bob.Reply(ctx, "00000000", "x"); return err }, ErrNoPost},
		{"too short an ID", func() error { _, err := bob.Reply(ctx, "abc", "x"); return err }, ErrNoPost},
		{"empty reply", func() error { _, err := bob.Reply(ctx, hi.ID, " "); return err }, ErrInvalidPost},
		{"delete someone else's post", func() error { return bob.Delete(ctx, hi.ID) }, ErrNotYours},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// TestDeletePropagates: alice deletes a post; every holder drops its text
// and stops serving it, including one that was offline at the time and a
// new follower who only reaches another holder.
func TestDeletePropagates(t *testing.T) {
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	ctx := context.Background()
	carolDir := t.TempDir()
	carol := tn.node(carolDir)
	if _, err := carol.Register(ctx, "carol", "pw-carol"); err != nil {
		t.Fatal(err)
	}
	mustFollow(t, bob, "alice")
	mustFollow(t, carol, "alice")
	oops := mustPost(t, alice, "oops, my password is hunter2")
	mustPost(t, alice, "keep this one")
	waitFor(t, "bob has it", hasFeed(bob, "alice: oops, my password is hunter2"))
	waitFor(t, "carol has it", hasFeed(carol, "alice: oops, my password is hunter2"))
	carol.Close()

	bobEvents := watchEvents(t, bob)
	if err := alice.Delete(ctx, oops.ID); err != nil {
		t.Fatalf("Delete() = %v", err)
	}
	if err := alice.Delete(ctx, oops.ID); !errors.Is(err, ErrNoPost) {
		t.Fatalf("Delete() twice = %v, want ErrNoPost", err)
	}
	gone := func(n *Node) func() bool {
		return func() bool {
			return !hasFeed(n, "alice: oops, my password is hunter2")() && hasFeed(n, "alice: keep this one")()
		}
	}
	if !gone(alice)() {
		t.Fatalf("alice's feed still shows the deleted post: %q", feedTexts(t, alice))
	}
	waitFor(t, "bob drops it", gone(bob))
	waitFor(t, "bob's delete event", bobEvents.has(EventDelete, func(ev Event) bool { return ev.Post.ID == oops.ID }))
	aliceKey := alice.session().key
	e, err := bob.store.Entry(aliceKey, oops.Seq)
	if err != nil || !e.Redacted() || bytes.Contains(e.Bytes(), []byte("hunter2")) {
		t.Fatalf("bob's copy = %v, %v; want it redacted", e, err)
	}

	// carol was away; she learns of the delete when she syncs.
	carol = tn.node(carolDir)
	if _, err := carol.Login(ctx, "carol", "pw-carol"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "carol drops it", gone(carol))

	// A new follower served by bob alone gets the log without the text.
	alice.Close()
	dave := tn.user("dave")
	mustFollow(t, dave, "alice")
	waitFor(t, "dave gets alice's log", hasFeed(dave, "alice: keep this one"))
	e, err = dave.store.Entry(aliceKey, oops.Seq)
	if err != nil || !e.Redacted() {
		t.Fatalf("dave's copy = %v, %v; want it redacted", e, err)
	}
}

// TestForgedTombstoneRejected: mallory forges a delete of alice's post in
// alice's name; no path (gossip, sync, notice) lets it remove the post.
func TestForgedTombstoneRejected(t *testing.T) {
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	ctx := context.Background()
	mustFollow(t, bob, "alice")
	post := mustPost(t, alice, "mine to delete, not yours")
	waitFor(t, "bob has it", hasFeed(bob, "alice: mine to delete, not yours"))
	aliceKey := alice.session().key
	head, _ := bob.store.Head(aliceKey)
	target, _ := bob.store.Entry(aliceKey, post.Seq)

	mallory := newForger(t)
	if err := mallory.Connect(ctx, peer.AddrInfo{ID: bob.host.ID(), Addrs: bob.host.Addrs()}); err != nil {
		t.Fatal(err)
	}
	forged := func() []byte {
		e, err := entry.New(mallory.priv, head.Seq+1, head.ID, bob.clock.Now(), entry.KindDelete, entry.Delete{Seq: target.Seq, ID: target.ID()}.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		b := bytes.Clone(e.Bytes())
		copy(b[1:33], aliceKey[:])
		return b
	}()

	// By gossip.
	topic, err := mallory.PubSub.Join(topicOf(aliceKey))
	if err != nil {
		t.Fatal(err)
	}
	defer topic.Close()
	waitFor(t, "mallory sees bob's subscription", func() bool {
		for _, p := range mallory.PubSub.ListPeers(topicOf(aliceKey)) {
			if p == bob.host.ID() {
				return true
			}
		}
		return false
	})
	if err := topic.Publish(ctx, forged); err != nil {
		t.Fatal(err)
	}
	// By sync.
	mallory.SetStreamHandler(syncproto.SyncID, func(s network.Stream) {
		defer s.Close()
		syncproto.Serve(s, s, forgedSource{entries: [][]byte{forged}})
	})
	if n, err := bob.syncPeer(ctx, mallory.ID(), []entry.Key{aliceKey}); n != 0 || err == nil {
		t.Fatalf("syncPeer(mallory) = %d, %v; want nothing and an error", n, err)
	}
	// By a direct notice.
	s, err := mallory.NewStream(ctx, bob.host.ID(), syncproto.NotifyID)
	if err != nil {
		t.Fatal(err)
	}
	syncproto.WriteNotice(s, syncproto.Notice{Entries: [][]byte{forged}})
	s.Close()

	// A genuine post after all that still arrives, and the target stands.
	mustPost(t, alice, "still here")
	waitFor(t, "genuine post", hasFeed(bob, "alice: still here"))
	if !hasFeed(bob, "alice: mine to delete, not yours")() {
		t.Fatalf("the forged tombstone removed the post: %q", feedTexts(t, bob))
	}
	if e, _ := bob.store.Entry(aliceKey, post.Seq); e == nil || e.Redacted() {
		t.Fatalf("bob's copy of the post = %v, want it intact", e)
	}
}

// TestRetentionKeepsStorageBounded: a follower keeps only the newest
// entries of a prolific author, and a new follower can still sync from it
// (the log it serves starts after a gap).
func TestRetentionKeepsStorageBounded(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	ctx := context.Background()
	bob, err := New(ctx, Config{
		DataDir: t.TempDir(), ListenAddrs: loopback, BootstrapAddrs: tn.relay.Addrs(), kdf: cheapKDF,
		Retention:  Retention{KeepPerAuthor: 20, KeepFor: time.Millisecond},
		gcInterval: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer bob.Close()
	waitFor(t, "bootstrap", func() bool { return len(bob.host.Network().Peers()) > 0 })
	if _, err := bob.Register(ctx, "bob", "pw"); err != nil {
		t.Fatal(err)
	}
	mustFollow(t, bob, "alice")
	const posts = 150
	maxUsage := 0
	for i := range posts {
		mustPost(t, alice, fmt.Sprintf("post %d", i))
		if u, _ := bob.store.Usage(); u > maxUsage {
			maxUsage = u
		}
	}
	waitFor(t, "bob gets the last post", hasFeed(bob, fmt.Sprintf("alice: post %d", posts-1)))
	aliceKey := alice.session().key
	waitFor(t, "retention trims alice's log at bob", func() bool {
		tail, head, _ := bob.store.Span(aliceKey)
		return head-tail+1 <= 20
	})
	// Storage stayed bounded all along: alice's kept entries, bob's own
	// (never collected) and at most one GC step behind.
	if bound := 20 + 2 + gcBudget; maxUsage > bound {
		t.Fatalf("bob stored up to %d entries, want at most %d", maxUsage, bound)
	}
	if u, _ := bob.store.Usage(); u > 22 {
		t.Fatalf("bob stores %d entries after GC, want at most 22", u)
	}
	// bob's own log is never collected.
	if tail, head, _ := bob.store.Span(bob.session().key); tail != 1 || head != 1 {
		t.Fatalf("bob's own log spans %d–%d, want 1–1", tail, head)
	}

	// alice goes away; carol follows her and syncs the trimmed log from bob.
	alice.Close()
	carol := tn.user("carol")
	mustFollow(t, carol, "alice")
	waitFor(t, "carol syncs from bob", hasFeed(carol, fmt.Sprintf("alice: post %d", posts-1)))
	tail, head, _ := carol.store.Span(aliceKey)
	if tail <= 1 || head != posts {
		t.Fatalf("carol holds alice's %d–%d, want a gap at the start and head %d", tail, head, posts)
	}
	fl, _ := carol.Following(ctx)
	if fl[0].Log == nil || fl[0].Log.From != tail || fl[0].Log.To != head {
		t.Fatalf("Following() log state = %+v, want %d–%d", fl[0].Log, tail, head)
	}
}

// TestForkReported: two different entries signed by alice's key for one
// seq (her key used on two devices at once) are reported to her followers,
// and the first one stays.
func TestForkReported(t *testing.T) {
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	ctx := context.Background()
	mustFollow(t, bob, "alice")
	first := mustPost(t, alice, "the real one")
	waitFor(t, "bob has it", hasFeed(bob, "alice: the real one"))
	sess := alice.session()
	held, _ := alice.store.Entry(sess.key, first.Seq)
	fork, err := entry.New(sess.priv, held.Seq, held.Prev, alice.clock.Now(), entry.KindPost, []byte("the other one"))
	if err != nil {
		t.Fatal(err)
	}
	mallory := newForger(t)
	if err := mallory.Connect(ctx, peer.AddrInfo{ID: bob.host.ID(), Addrs: bob.host.Addrs()}); err != nil {
		t.Fatal(err)
	}
	s, err := mallory.NewStream(ctx, bob.host.ID(), syncproto.NotifyID)
	if err != nil {
		t.Fatal(err)
	}
	if err := syncproto.WriteNotice(s, syncproto.Notice{Entries: [][]byte{fork.Bytes()}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	waitFor(t, "fork notification", hasNotification(bob, NotifyFork, "alice", ""))
	if e, _ := bob.store.Entry(sess.key, first.Seq); e == nil || e.ID() != held.ID() {
		t.Fatalf("bob's entry at seq %d = %v, want the first one kept", first.Seq, e)
	}
}
