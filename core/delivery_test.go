package core

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/p2p"
	"github.com/skein-p2p/skein/core/internal/store"
	"github.com/skein-p2p/skein/core/internal/syncproto"
)

func TestCatchUpAfterRestart(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.user("alice")
	carolDir := t.TempDir()
	carol := tn.node(carolDir)
	ctx := context.Background()
	if _, err := carol.Register(ctx, "carol", "pw-carol"); err != nil {
		t.Fatal(err)
	}
	mustFollow(t, carol, "alice")
	mustPost(t, carol, "carol was here")
	// The feed orders by hybrid-logical-clock time, in milliseconds, and
	// breaks a tie by key: let the two posts fall in different ones.
	time.Sleep(5 * time.Millisecond)
	mustPost(t, alice, "before")
	waitFor(t, "first post", hasFeed(carol, "alice: before"))

	if err := carol.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	for i := range 3 {
		mustPost(t, alice, fmt.Sprintf("while carol was away %d", i))
	}

	carol = tn.node(carolDir)
	if _, err := carol.Login(ctx, "carol", "pw-carol"); err != nil {
		t.Fatal(err)
	}
	// Restart keeps state.
	fl, err := carol.Following(ctx)
	if err != nil || len(fl) != 1 || fl[0].Name != "alice" {
		t.Fatalf("Following() after restart = %+v, %v", fl, err)
	}
	st, _ := carol.Status(ctx)
	if st.Entries != 2 { // the follow and the post
		t.Fatalf("Status().Entries after restart = %d, want 2", st.Entries)
	}
	waitFor(t, "catch-up", hasFeed(carol, "alice: while carol was away 2"))
	want := "[alice: while carol was away 2 alice: while carol was away 1 alice: while carol was away 0 alice: before carol: carol was here]"
	if got := fmt.Sprint(feedTexts(t, carol)); got != want {
		t.Fatalf("Feed() after catch-up = %s, want %s", got, want)
	}
	// And the next post still arrives live.
	waitFor(t, "carol's subscription", func() bool {
		return len(alice.host.PubSub.ListPeers(topicOf(alice.session().key))) >= 1
	})
	mustPost(t, alice, "welcome back")
	waitFor(t, "live after restart", hasFeed(carol, "alice: welcome back"))
}

func TestUnfollowStopsDelivery(t *testing.T) {
	tn := newTestNet(t)
	alice, bob, carol := tn.user("alice"), tn.user("bob"), tn.user("carol")
	ctx := context.Background()
	mustFollow(t, bob, "alice")
	mustFollow(t, carol, "alice")
	mustPost(t, alice, "one")
	waitFor(t, "bob gets one", hasFeed(bob, "alice: one"))
	waitFor(t, "carol gets one", hasFeed(carol, "alice: one"))

	if err := bob.Unfollow(ctx, "alice"); err != nil {
		t.Fatalf("Unfollow() = %v", err)
	}
	if err := bob.Unfollow(ctx, "alice"); !errors.Is(err, ErrNotFollowing) {
		t.Fatalf("Unfollow() twice = %v, want ErrNotFollowing", err)
	}
	if got := feedTexts(t, bob); len(got) != 0 {
		t.Fatalf("bob Feed() after unfollow = %q, want empty", got)
	}
	waitFor(t, "alice learns of the unfollow", func() bool {
		fs, _ := alice.Followers(ctx)
		return len(fs) == 1 && fs[0].Name == "carol"
	})
	mustPost(t, alice, "two")
	waitFor(t, "carol gets two", hasFeed(carol, "alice: two"))
	bob.syncAll(ctx) // even a sync must not bring alice back
	if got := feedTexts(t, bob); len(got) != 0 {
		t.Fatalf("bob Feed() after alice posted = %q, want empty", got)
	}
}

// forger is a bare libp2p host that speaks Skein's protocols dishonestly.
type forger struct {
	*p2p.Host
	priv ed25519.PrivateKey // mallory's account key
}

func newForger(t *testing.T) *forger {
	t.Helper()
	k, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h, err := p2p.New(context.Background(), p2p.Config{Key: k, ListenAddrs: loopback, PubSub: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	return &forger{Host: h, priv: priv}
}

// forge returns entry seq of victim's log, signed by mallory's key.
func (f *forger) forge(t *testing.T, victim entry.Key, seq uint64, prev entry.ID, text string) []byte {
	t.Helper()
	e, err := entry.New(f.priv, seq, prev, hlc.Timestamp{Wall: uint64(time.Now().UnixMilli())}, entry.KindPost, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	b := bytes.Clone(e.Bytes())
	copy(b[1:33], victim[:]) // claim to be the victim
	if _, err := entry.Decode(b); !errors.Is(err, entry.ErrBadSignature) {
		t.Fatalf("forged entry decodes with %v, want ErrBadSignature", err)
	}
	return b
}

type forgedSource struct{ entries [][]byte }

func (s forgedSource) Entries(author entry.Key, after uint64, maxCount, maxBytes int) ([]*entry.Entry, error) {
	var out []*entry.Entry
	for _, b := range s.entries {
		e, err := entry.Parse(b)
		if err != nil {
			return nil, err
		}
		if e.Author == author && e.Seq > after {
			out = append(out, e)
		}
	}
	return out, nil
}

func TestForgedEntriesRejected(t *testing.T) {
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	ctx := context.Background()
	mustFollow(t, bob, "alice")
	mustPost(t, alice, "genuine")
	waitFor(t, "genuine post", hasFeed(bob, "alice: genuine"))
	aliceKey := alice.session().key
	head, _ := bob.store.Head(aliceKey)

	mallory := newForger(t)
	if err := mallory.Connect(ctx, peer.AddrInfo{ID: bob.host.ID(), Addrs: bob.host.Addrs()}); err != nil {
		t.Fatal(err)
	}

	t.Run("sync", func(t *testing.T) {
		forged := mallory.forge(t, aliceKey, head.Seq+1, head.ID, "forged by sync")
		mallory.SetStreamHandler(syncproto.SyncID, func(s network.Stream) {
			defer s.Close()
			syncproto.Serve(s, s, forgedSource{entries: [][]byte{forged}})
		})
		if n, err := bob.syncPeer(ctx, mallory.ID(), []entry.Key{aliceKey}); n != 0 || err == nil {
			t.Fatalf("syncPeer(mallory) = %d, %v; want 0 entries and an error", n, err)
		}
		if _, err := bob.store.Entry(aliceKey, head.Seq+1); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("forged entry stored: Entry() error = %v", err)
		}
	})

	t.Run("gossip", func(t *testing.T) {
		topic, err := mallory.PubSub.Join(topicOf(aliceKey))
		if err != nil {
			t.Fatal(err)
		}
		defer topic.Close()
		waitFor(t, "mallory to see bob's subscription", func() bool {
			for _, p := range mallory.PubSub.ListPeers(topicOf(aliceKey)) {
				if p == bob.host.ID() {
					return true
				}
			}
			return false
		})
		forged := mallory.forge(t, aliceKey, head.Seq+1, head.ID, "forged by gossip")
		if err := topic.Publish(ctx, forged); err != nil {
			t.Fatal(err)
		}
		// A genuine post published after the forgery arrives; the forgery
		// must not have been stored before it.
		mustPost(t, alice, "genuine two")
		waitFor(t, "genuine two", hasFeed(bob, "alice: genuine two"))
		e, err := bob.store.Entry(aliceKey, head.Seq+1)
		if err != nil || string(e.Body) != "genuine two" {
			t.Fatalf("Entry(seq %d) = %v, %v; want the genuine post", head.Seq+1, e, err)
		}
	})
}
