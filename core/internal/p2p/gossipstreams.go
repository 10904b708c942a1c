package p2p

import (
	"strings"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

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
