package core

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
	"github.com/skein-p2p/skein/core/internal/threads"
)

// replyTexts returns the texts of a thread's replies, depth first, each
// prefixed by ">" per level.
func replyTexts(rs []ThreadReply, prefix string) []string {
	var out []string
	for _, r := range rs {
		out = append(out, prefix+r.Text)
		out = append(out, replyTexts(r.Replies, prefix+">")...)
	}
	return out
}

func TestThread(t *testing.T) {
	tn := newTestNet(t)
	alice, bob, carol := tn.user("alice"), tn.user("bob"), tn.user("carol")
	ctx := context.Background()
	mustFollow(t, bob, "alice")
	hi := mustPost(t, alice, "start a thread")
	waitFor(t, "bob gets alice's post", hasFeed(bob, "alice: start a thread"))
	r1, err := bob.Reply(ctx, hi.ID, "first reply")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Like(ctx, hi.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "alice gets the reply", hasNotification(alice, NotifyReply, "bob", "first reply"))
	waitFor(t, "alice gets the like", hasNotification(alice, NotifyLike, "bob", ""))
	r2, err := alice.Reply(ctx, r1.ID, "answer to bob")
	if err != nil {
		t.Fatal(err)
	}

	// alice does not follow bob: his reply is a kept copy on her device.
	th, err := alice.Thread(ctx, hi.ID)
	if err != nil {
		t.Fatalf("alice Thread() = %v", err)
	}
	if got := replyTexts(th.Replies, ""); len(got) != 2 || got[0] != "first reply" || got[1] != ">answer to bob" || th.Post.Likes != 1 || len(th.Ancestors) != 0 {
		t.Fatalf("alice Thread() = %v, likes %d, ancestors %d; want [first reply >answer to bob], 1 like, none", got, th.Post.Likes, len(th.Ancestors))
	}
	// The thread of the deepest reply: its ancestors, root first.
	th, err = alice.Thread(ctx, r2.ID)
	if err != nil || len(th.Ancestors) != 2 || th.Ancestors[0].ID != hi.ID || th.Ancestors[1].ID != r1.ID || th.Post.ID != r2.ID {
		t.Fatalf("alice Thread(r2) = %+v, %v, want ancestors [hi, r1]", th, err)
	}

	// carol follows nobody: she reads alice's post, and the thread comes
	// from alice's device, bob's reply and the like count with it.
	waitFor(t, "carol reads alice's timeline", func() bool {
		p, _ := carol.Timeline(ctx, "alice", "", 10)
		for _, x := range p.Posts {
			if x.ID == hi.ID {
				return true
			}
		}
		return false
	})
	th, err = carol.Thread(ctx, hi.ID[:12])
	if err != nil {
		t.Fatalf("carol Thread() = %v", err)
	}
	if got := replyTexts(th.Replies, ""); !th.Fetched || len(got) != 2 || got[0] != "first reply" || th.Replies[0].AuthorKey != r1.AuthorKey || th.Post.Likes != 1 {
		t.Fatalf("carol Thread() = %v, fetched %v, likes %d; want bob's reply and alice's, fetched, 1 like", got, th.Fetched, th.Post.Likes)
	}

	// A hostile server: a forged reply and one under another post are
	// dropped, the honest one shown.
	other := mustPost(t, alice, "another post")
	waitFor(t, "bob gets alice's other post", hasFeed(bob, "alice: another post"))
	stranger, err := bob.Reply(ctx, other.ID, "not in this thread")
	if err != nil {
		t.Fatal(err)
	}
	honest, _ := bob.store.Entry(bob.session().key, r1.Seq)
	straying, _ := bob.store.Entry(bob.session().key, stranger.Seq)
	forged := bytes.Clone(honest.Bytes())
	forged[len(forged)-1] ^= 'x' ^ 'y'
	alice.host.SetStreamHandler(threads.ID, func(s network.Stream) {
		defer s.Close()
		threads.ReadRequest(s)
		b, _ := threads.AppendAnswer(nil, threads.Answer{Likes: 7, Replies: []threads.Item{
			{Entry: forged}, {Entry: straying.Bytes()}, {Entry: honest.Bytes(), Likes: 2},
		}})
		s.Write(b)
	})
	before := carol.threadDropped.Load()
	th, err = carol.Thread(ctx, hi.ID)
	if err != nil {
		t.Fatalf("carol Thread() from a hostile server = %v", err)
	}
	// alice's answer is in her log, which carol holds since she read the
	// timeline.
	if got := replyTexts(th.Replies, ""); len(got) != 2 || got[0] != "first reply" || th.Replies[0].Likes != 2 || th.Post.Likes != 7 {
		t.Fatalf("carol Thread() from a hostile server = %v, want bob's honest reply and alice's answer", got)
	}
	if d := carol.threadDropped.Load() - before; d != 2 {
		t.Errorf("replies dropped = %d, want 2", d)
	}

	// A garbage answer: counted, and the local view (or a holder's: bob
	// holds alice's log).
	alice.host.SetStreamHandler(threads.ID, func(s network.Stream) {
		defer s.Close()
		threads.ReadRequest(s)
		s.Write([]byte{0, 0, 0, 0, 0, 0xff, 0xff})
	})
	if th, err = carol.Thread(ctx, hi.ID); err != nil || carol.threadDropped.Load() < before+3 {
		t.Fatalf("carol Thread() from a garbage answer = %+v, %v, dropped %d; want no error, more dropped", th, err, carol.threadDropped.Load()-before)
	}

	tests := []struct {
		name, id string
		want     error
	}{
		{"unknown ID", "0123456789abcdef", ErrNoPost},
		{"unknown full ID", entry.ID{1}.String(), ErrNoPost},
		{"not hex", "zzzzzzzzzz", ErrNoPost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := carol.Thread(ctx, tt.id); !errors.Is(err, tt.want) {
				t.Errorf("Thread(%q) = %v, want %v", tt.id, err, tt.want)
			}
		})
	}
	if err := alice.Delete(ctx, hi.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Thread(ctx, hi.ID); !errors.Is(err, ErrNoPost) {
		t.Errorf("Thread(deleted) = %v, want ErrNoPost", err)
	}
}

// TestThreadServeLimits: a peer asking too often is refused for now, and a
// request for a post the server does not hold is answered as unknown.
func TestThreadServeLimits(t *testing.T) {
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	ctx := context.Background()
	hi := mustPost(t, alice, "ask me")
	e, _ := alice.store.Entry(alice.session().key, hi.Seq)
	if err := bob.host.Connect(ctx, peer.AddrInfo{ID: alice.host.ID(), Addrs: alice.host.Addrs()}); err != nil {
		t.Fatal(err)
	}
	unknown := refOf(e)
	unknown.ID[0] ^= 1
	if _, err := bob.askThread(ctx, alice.host.ID(), unknown); !errors.Is(err, threads.ErrUnknown) {
		t.Fatalf("askThread(an unknown post) = %v, want ErrUnknown", err)
	}
	refused := false
	for range threadPeerBurst + 1 {
		_, err := bob.askThread(ctx, alice.host.ID(), refOf(e))
		if errors.Is(err, threads.ErrRefused) {
			refused = true
			break
		} else if err != nil {
			t.Fatalf("askThread() = %v", err)
		}
	}
	if !refused {
		t.Errorf("%d requests in a burst were all answered, want the last refused", threadPeerBurst+1)
	}
}

// TestThreadBackfill: a database from before the reply index gets its
// held replies indexed when the node starts.
func TestThreadBackfill(t *testing.T) {
	tn := newTestNet(t)
	dir := t.TempDir()
	alice := tn.node(dir)
	ctx := context.Background()
	if _, err := alice.Register(ctx, "alice", "pw-alice"); err != nil {
		t.Fatal(err)
	}
	hi := mustPost(t, alice, "an old post")
	if _, err := alice.Reply(ctx, hi.ID, "an old reply"); err != nil {
		t.Fatal(err)
	}
	// Forget the index, as a database of an older version has none.
	var b store.Batch
	it := alice.kv.Find([]byte{store.ThreadPrefix}, []byte{store.ThreadPrefix + 1}, false)
	for it.Next() {
		b.Delete(bytes.Clone(it.Key()))
	}
	it.Close()
	if err := alice.kv.Commit(&b, true); err != nil {
		t.Fatal(err)
	}
	if th, err := alice.Thread(ctx, hi.ID); err != nil || len(th.Replies) != 0 {
		t.Fatalf("Thread() without the index = %d replies, %v, want none", len(th.Replies), err)
	}
	alice.Close()
	alice = tn.node(dir)
	if _, err := alice.Login(ctx, "alice", "pw-alice"); err != nil {
		t.Fatal(err)
	}
	if th, err := alice.Thread(ctx, hi.ID); err != nil || len(th.Replies) != 1 || th.Replies[0].Text != "an old reply" {
		t.Fatalf("Thread() after the backfill = %+v, %v, want the old reply", th.Replies, err)
	}
}

// TestThreadHidesMuted: the replies of an account the viewer muted or
// blocked are not in the thread, and come back when unmuted.
func TestThreadHidesMuted(t *testing.T) {
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	ctx := context.Background()
	mustFollow(t, bob, "alice")
	hi := mustPost(t, alice, "reply to me")
	waitFor(t, "bob gets alice's post", hasFeed(bob, "alice: reply to me"))
	if _, err := bob.Reply(ctx, hi.ID, "bob was here"); err != nil {
		t.Fatal(err)
	}
	replies := func() int {
		th, err := alice.Thread(ctx, hi.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(th.Replies)
	}
	waitFor(t, "alice's thread to hold bob's reply", func() bool { return replies() == 1 })
	if _, err := alice.Mute(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	if n := replies(); n != 0 {
		t.Errorf("Thread() after muting bob = %d replies, want 0", n)
	}
	if err := alice.Unmute(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	if n := replies(); n != 1 {
		t.Errorf("Thread() after unmuting bob = %d replies, want 1", n)
	}
}
