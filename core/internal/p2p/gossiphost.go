package p2p

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// errReopened is NewStream's error when GossipSub opens its stream to a
// peer again and the connections to the peer were closed instead.
var errReopened = errors.New("p2p: GossipSub stream opened again while the peer's lives on: connections closed so that both start anew")

// gossipHost is the host GossipSub is given: the same host, mending two
// ways in which GossipSub (go-libp2p-pubsub v0.16 to v0.19) forgets a
// connected peer's subscriptions for as long as the connection lasts, so
// that it sends the peer nothing on them: a follower gets no post live
// (3 to 27 of 4,866 follows in each 500-node simulation, issue 16).
// GossipSub keeps one stream each way per peer, and learns a peer's
// subscriptions from the first message of the peer's stream only.
//
//   - Incoming streams in order: when a peer's stream ends, GossipSub's
//     handler forgets the peer's subscriptions, in GossipSub's event loop,
//     after it has stopped being the peer's stream: the first message of
//     the peer's next stream (a new connection replacing one that closed)
//     can reach the loop before that, and be forgotten. Here the handler
//     of a peer's stream starts only once the handler of its previous
//     one has returned.
//   - Its own stream opened again: when GossipSub's stream to a peer dies
//     and the peer is still connected, GossipSub forgets the peer's
//     subscriptions and opens another stream; if the peer's stream lives
//     on, the peer never sends them again. Here the connections to the
//     peer are then closed: whoever needs the other dials again (core's
//     redial loop), and both streams start anew.
type gossipHost struct {
	host.Host
	mu     sync.Mutex
	active map[peer.ID]*inboundHandler
	wrote  map[peer.ID]bool // GossipSub opened a stream to the peer since it connected
}

// inboundHandler is one running handler of an incoming stream.
type inboundHandler struct {
	s    network.Stream
	done chan struct{}
}

func newGossipHost(h host.Host) *gossipHost {
	g := &gossipHost{Host: h, active: make(map[peer.ID]*inboundHandler), wrote: make(map[peer.ID]bool)}
	if h != nil {
		h.Network().Notify(&network.NotifyBundle{DisconnectedF: func(n network.Network, c network.Conn) {
			p := c.RemotePeer()
			if n.Connectedness(p) == network.Connected {
				return
			}
			g.mu.Lock()
			delete(g.wrote, p)
			g.mu.Unlock()
		}})
	}
	return g
}

// SetStreamHandler sets h, in order, for pid.
func (g *gossipHost) SetStreamHandler(pid protocol.ID, h network.StreamHandler) {
	g.Host.SetStreamHandler(pid, g.ordered(h))
}

// SetStreamHandlerMatch sets h, in order, for the protocols m matches.
func (g *gossipHost) SetStreamHandlerMatch(pid protocol.ID, m func(protocol.ID) bool, h network.StreamHandler) {
	g.Host.SetStreamHandlerMatch(pid, m, g.ordered(h))
}

// ordered returns h run after the handler of the peer's previous stream
// has returned. That handler is first made to return as GossipSub would
// make it, by resetting its stream: the newest stream is the peer's.
func (g *gossipHost) ordered(h network.StreamHandler) network.StreamHandler {
	return func(s network.Stream) {
		p := s.Conn().RemotePeer()
		me := &inboundHandler{s: s, done: make(chan struct{})}
		g.mu.Lock()
		prev := g.active[p]
		g.active[p] = me
		g.mu.Unlock()
		defer func() {
			g.mu.Lock()
			if g.active[p] == me {
				delete(g.active, p)
			}
			g.mu.Unlock()
			close(me.done)
		}()
		if prev != nil {
			prev.s.Reset()
			<-prev.done
		}
		h(s)
	}
}

// NewStream opens a stream to p. When GossipSub opens its stream to p a
// second time while p stayed connected, and p's stream to this node lives
// on, it closes the connections to p (see gossipHost).
func (g *gossipHost) NewStream(ctx context.Context, p peer.ID, pids ...protocol.ID) (network.Stream, error) {
	s, err := g.Host.NewStream(ctx, p, pids...)
	if err != nil || len(pids) == 0 || !gossipProtocol(pids[0]) {
		return s, err
	}
	g.mu.Lock()
	again := g.wrote[p]
	g.wrote[p] = true
	_, in := g.active[p]
	g.mu.Unlock()
	if again && in {
		s.Reset()
		g.Network().ClosePeer(p)
		return nil, errReopened
	}
	return s, nil
}

// gossipProtocol reports whether id is one of GossipSub's protocols.
func gossipProtocol(id protocol.ID) bool { return strings.HasPrefix(string(id), "/meshsub/") }

// GossipHalfOpen reports whether p, a peer that runs GossipSub (a Skein
// device does, in every power mode), is connected but one of the two
// GossipSub streams between them is missing. GossipSub (go-libp2p-pubsub
// v0.16) keeps one stream each way per peer, sends this node's
// subscriptions only as the first message of this node's stream, and
// opens a stream once per identified connection: when opening it fails
// (on a connection that was closing, go-libp2p-pubsub#433; or identify
// failed on this connection, and GossipSub never tried), it is not tried
// again while the connection lives. Without this node's stream, p never
// learns what this node subscribes to; without p's, the same holds the
// other way. Only closing the connections, and dialling p again, opens
// both anew (go-libp2p-pubsub#128).
func (h *Host) GossipHalfOpen(p peer.ID) bool {
	if h.PubSub == nil {
		return false
	}
	conns := h.Network().ConnsToPeer(p)
	if len(conns) == 0 {
		return false
	}
	var out, in bool
	for _, c := range conns {
		for _, s := range c.GetStreams() {
			if !gossipProtocol(s.Protocol()) {
				continue
			}
			switch s.Stat().Direction {
			case network.DirOutbound:
				out = true
			case network.DirInbound:
				in = true
			}
		}
	}
	return !out || !in
}
