package core

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
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

// abuseLogText keeps what a logger writes.
type abuseLogText struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *abuseLogText) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *abuseLogText) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// abuseRejections counts the gossip messages a node's log says it
// rejected: the lines written, and those its peer log held back and
// counted.
func abuseRejections(log string) int {
	n := len(regexp.MustCompile(`msg="rejected gossip entry"`).FindAllString(log, -1))
	for _, m := range regexp.MustCompile(`rejected gossip entry ×(\d+)`).FindAllStringSubmatch(log, -1) {
		k, _ := strconv.Atoi(m[1])
		n += k
	}
	return n
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

// abuseGossipJoin joins author's topic on x, connected to n, and waits
// until x sees n subscribed to it.
func abuseGossipJoin(t *testing.T, x *hostile, n *Node, author entry.Key) *pubsub.Topic {
	t.Helper()
	topic, err := x.PubSub.Join(topicOf(author))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { topic.Close() })
	x.connect(n)
	waitFor(t, "the hostile peer to see the victim's subscription", func() bool {
		for _, p := range x.PubSub.ListPeers(topicOf(author)) {
			if p == n.host.ID() {
				return true
			}
		}
		return false
	})
	return topic
}

// abuseGossipJunk publishes messages that are not entries on topic, with
// pause between them, until stop is closed or publishing fails, and
// returns how many it published.
func abuseGossipJunk(topic *pubsub.Topic, pause time.Duration, stop <-chan struct{}) int {
	sent := 0
	for {
		select {
		case <-stop:
			return sent
		default:
		}
		junk := make([]byte, 200)
		rand.Read(junk)
		if topic.Publish(context.Background(), junk) != nil {
			return sent
		}
		sent++
		if pause > 0 {
			time.Sleep(pause)
		}
	}
}

// TestAbuseGossipFlood: a peer floods a followed author's topic with
// messages that are not entries, a thousand a second for five seconds.
// GossipSub graylists it after a few, so the victim validates few of them
// and writes a bounded number of log bytes; the author's honest posts go
// on arriving, unpenalised; the flooder's score recovers once it stops.
func TestAbuseGossipFlood(t *testing.T) {
	tn := newTestNet(t)
	var logged abuseLogText
	scores := &abuseScores{}
	alice := tn.nodeWith("alice", func(c *Config) {
		abuseTCP("127.0.0.1")(c)
		c.Logger = slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelInfo}))
		c.scoreInspect = scores.inspect
		c.scoreDecay = 20 * time.Second // an hour by default
	})
	carol := tn.user("carol")
	mustFollow(t, alice, "carol")
	mustPost(t, carol, "before the flood")
	waitFor(t, "alice gets carol's post", hasFeed(alice, "carol: before the flood"))
	before := len(logged.String())

	x := newHostile(t, "127.0.30.1", dht.ModeClient)
	topic := abuseGossipJoin(t, x, alice, carol.session().key)
	stop, sentc := make(chan struct{}), make(chan int, 1)
	go func() { sentc <- abuseGossipJunk(topic, time.Millisecond, stop) }()
	var sent int
	stopFlood := sync.OnceFunc(func() { close(stop); sent = <-sentc })
	t.Cleanup(stopFlood)
	for i := range 3 {
		time.Sleep(time.Second)
		mustPost(t, carol, fmt.Sprintf("during the flood %d", i))
	}
	waitFor(t, "alice gets carol's posts during the flood", hasFeed(alice, "carol: during the flood 2"))
	time.Sleep(2 * time.Second)
	stopFlood()
	_, low, _ := scores.of(x.ID())
	if low >= p2p.PublishThreshold {
		t.Errorf("the flooder's lowest score = %v, want below %v", low, p2p.PublishThreshold)
	}
	if _, c, _ := scores.of(carol.host.ID()); c < 0 {
		t.Errorf("carol's score fell to %v, want no penalty for honest posts", c)
	}
	waitFor(t, "the flooder's score to recover", func() bool {
		s, _, ok := scores.of(x.ID())
		return ok && s > p2p.GossipThreshold
	})

	alice.Close() // its peer log writes the counts it held back
	log := logged.String()[before:]
	validated := abuseRejections(log)
	t.Logf("%d junk messages in about 5 s: %d validated and rejected, lowest score %.0f, %d log bytes", sent, validated, low, len(log))
	if validated == 0 || validated > sent/20 {
		t.Errorf("%d of %d junk messages validated, want a few: the graylist drops the rest unvalidated", validated, sent)
	}
	if len(log) > 8<<10 {
		t.Errorf("%d junk messages wrote %d log bytes, want at most 8 KiB", sent, len(log))
	}
}
