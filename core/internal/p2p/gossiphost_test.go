package p2p

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// fakeStream is an incoming stream from a peer that records its reset.
type fakeStream struct {
	network.Stream
	name  string
	from  peer.ID
	reset atomic.Bool
}

func (s *fakeStream) Conn() network.Conn { return &fakeConn{p: s.from} }
func (s *fakeStream) Reset() error       { s.reset.Store(true); return nil }

// TestInboundOrder: the handler of a peer's new stream starts only once
// the handler of its previous one returned, which the new stream made
// return by resetting its stream; another peer's stream does not wait.
func TestInboundOrder(t *testing.T) {
	o := newGossipHost(nil)
	var mu sync.Mutex
	var events []string
	record := func(e string) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}
	a0 := &fakeStream{name: "a0", from: "a"}
	a1 := &fakeStream{name: "a1", from: "a"}
	b0 := &fakeStream{name: "b0", from: "b"}
	release := make(chan struct{})
	started := make(chan struct{})
	h := o.ordered(func(s network.Stream) {
		fs := s.(*fakeStream)
		if fs == a0 {
			close(started)
			// Like GossipSub's handler once its stream ended: it
			// forgets the peer's subscriptions through an event loop
			// that is busy.
			<-release
			record("a0 ended")
			return
		}
		record(fs.name + " started")
	})
	var wg sync.WaitGroup
	wg.Go(func() { h(a0) })
	<-started
	wg.Go(func() { h(a1) })
	h(b0) // another peer's: at once
	deadline := time.Now().Add(10 * time.Second)
	for !a0.reset.Load() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if !a0.reset.Load() {
		t.Fatal("a's new stream did not reset its previous one")
	}
	time.Sleep(20 * time.Millisecond) // a1's handler must still wait
	close(release)
	wg.Wait()
	if want := []string{"b0 started", "a0 ended", "a1 started"}; !slices.Equal(events, want) {
		t.Errorf("events %v, want %v", events, want)
	}
	if len(o.active) != 0 {
		t.Errorf("%d handlers still recorded, want 0", len(o.active))
	}
}

// gossipStream returns h's GossipSub stream to p in direction dir, or nil.
func gossipStream(h *Host, p peer.ID, dir network.Direction) network.Stream {
	for _, c := range h.Network().ConnsToPeer(p) {
		for _, s := range c.GetStreams() {
			if gossipProtocol(s.Protocol()) && s.Stat().Direction == dir {
				return s
			}
		}
	}
	return nil
}

// TestGossipStreamOpenedAgain: when a's GossipSub stream to b dies while
// b's stream to a lives on, a's GossipSub forgets that b subscribed and
// b never says it again; a closes the connection instead, and once b
// dials again a knows b subscribed. Before, a stayed connected to b
// without sending it anything.
func TestGossipStreamOpenedAgain(t *testing.T) {
	a, b, ta, _ := subscribedPair(t)
	waitFor(t, "both streams", func() bool {
		return gossipStream(a, b.ID(), network.DirOutbound) != nil && gossipStream(a, b.ID(), network.DirInbound) != nil
	})
	if a.GossipHalfOpen(b.ID()) || b.GossipHalfOpen(a.ID()) {
		t.Fatal("GossipHalfOpen with both streams open")
	}

	gossipStream(a, b.ID(), network.DirOutbound).Reset()
	waitFor(t, "a to close the connection to b", func() bool {
		return a.Network().Connectedness(b.ID()) != network.Connected
	})
	connect(t, b, a)
	waitFor(t, "a to see b subscribed again", func() bool { return slices.Contains(ta.ListPeers(), b.ID()) })
}
