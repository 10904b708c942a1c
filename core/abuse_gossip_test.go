package core

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/p2p"
)

// abuseLogBytes counts the bytes a logger writes.
type abuseLogBytes struct{ n atomic.Int64 }

func (c *abuseLogBytes) Write(p []byte) (int, error) {
	c.n.Add(int64(len(p)))
	return len(p), nil
}

// abuseScores collects the peer scores a node's GossipSub reports each
// second: the latest and the lowest of each peer.
type abuseScores struct {
	mu     sync.Mutex
	latest map[peer.ID]float64
	lowest map[peer.ID]float64
}

func (s *abuseScores) inspect(m map[peer.ID]float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lowest == nil {
		s.lowest = make(map[peer.ID]float64)
	}
	s.latest = m
	for p, v := range m {
		if old, ok := s.lowest[p]; !ok || v < old {
			s.lowest[p] = v
		}
	}
}

// of returns p's latest and lowest score, and whether it has one.
func (s *abuseScores) of(p peer.ID) (latest, lowest float64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	latest, ok = s.latest[p]
	return latest, s.lowest[p], ok
}

// abuseGossipFlood publishes count messages that are not entries on
// author's topic from x, once x sees n subscribed.
func abuseGossipFlood(t testing.TB, x *hostile, n *Node, author entry.Key, count int, stop <-chan struct{}) int {
	t.Helper()
	topic, err := x.PubSub.Join(topicOf(author))
	if err != nil {
		t.Fatal(err)
	}
	defer topic.Close()
	x.connect(n)
	deadline := time.Now().Add(20 * time.Second)
	for !abuseHasPeer(x.PubSub.ListPeers(topicOf(author)), n.host.ID()) {
		if time.Now().After(deadline) {
			t.Fatal("the hostile peer never saw the victim's subscription")
		}
		time.Sleep(20 * time.Millisecond)
	}
	sent := 0
	for i := 0; i < count; i++ {
		select {
		case <-stop:
			return sent
		default:
		}
		junk := make([]byte, 200)
		rand.Read(junk)
		if err := topic.Publish(context.Background(), junk); err != nil {
			t.Fatalf("publish: %v", err)
		}
		sent++
		if i%50 == 49 {
			time.Sleep(5 * time.Millisecond) // let the victim's validation keep up
		}
	}
	return sent
}

func abuseHasPeer(ps []peer.ID, p peer.ID) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

// TestAbuseGossipFlood: a peer floods a followed author's topic with
// messages that are not entries. The victim writes a bounded number of log
// bytes, GossipSub graylists the peer, its score recovers once it stops,
// and the author's honest traffic is never penalised.
func TestAbuseGossipFlood(t *testing.T) {
	tn := newTestNet(t)
	var logged abuseLogBytes
	scores := &abuseScores{}
	alice := tn.abuseNode("alice", func(c *Config) {
		abuseTCP("127.0.0.1")(c)
		c.Logger = slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelInfo}))
		c.scoreInspect = scores.inspect
		c.scoreDecay = 20 * time.Second // an hour by default
	})
	carol := tn.user("carol")
	mustFollow(t, alice, "carol")
	carolKey := carol.session().key
	mustPost(t, carol, "before the flood")
	waitFor(t, "alice gets carol's post", hasFeed(alice, "carol: before the flood"))
	start := logged.n.Load()

	x := newHostile(t, "127.0.30.1", dht.ModeClient)
	sent := abuseGossipFlood(t, x, alice, carolKey, 2000, nil)
	waitFor(t, "the flooder graylisted", func() bool {
		_, low, ok := scores.of(x.ID())
		return ok && low < p2p.GraylistThreshold
	})
	if got := logged.n.Load() - start; got > 8<<10 {
		t.Errorf("%d junk messages wrote %d log bytes, want at most 8 KiB", sent, got)
	}
	for i := range 3 {
		mustPost(t, carol, fmt.Sprintf("during the flood %d", i))
	}
	waitFor(t, "alice gets carol's posts during the flood", hasFeed(alice, "carol: during the flood 2"))
	if _, low, _ := scores.of(carol.host.ID()); low < 0 {
		t.Errorf("carol's score fell to %v, want no penalty for honest posts", low)
	}
	// The score is -100 × (invalid messages)²: once graylisted, the peer's
	// messages were dropped unvalidated, so few of them were counted.
	_, low, _ := scores.of(x.ID())
	if validated := math.Sqrt(-low / 100); validated > float64(sent)/10 {
		t.Errorf("about %.0f of %d junk messages validated, want graylisting to stop most", validated, sent)
	}
	t.Logf("%d junk messages: lowest score %.0f (about %.0f validated), %d log bytes", sent, low, math.Sqrt(-low/100), logged.n.Load()-start)
	waitFor(t, "the flooder's score to recover", func() bool {
		s, _, ok := scores.of(x.ID())
		return ok && s >= p2p.GraylistThreshold
	})
}
