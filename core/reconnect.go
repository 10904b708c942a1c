package core

import (
	"context"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/redial"
)

// reconnectWaits are the pauses before each attempt to dial again, in
// foreground mode, the device of a followed author whose last connection
// closed: its posts come live only over a connection to it (GossipSub
// exchanges no peers), and the periodic sync is minutes away. A device
// that went away for longer is left to that sync, and to its own return
// (meetHolders).
var reconnectWaits = []time.Duration{time.Second, 4 * time.Second, 16 * time.Second}

// maxReconnects bounds the devices being dialled again at once; others
// lost meanwhile are left to the periodic sync.
const maxReconnects = 8

// newRedial returns the node's loop that dials followed authors' devices
// again (redial.Loop); foreground mode runs it.
func (n *Node) newRedial() *redial.Loop {
	return redial.New(redial.Config{
		Waits:     reconnectWaits,
		Max:       maxReconnects,
		Want:      n.watchedDevice,
		Connected: n.reachable,
		Dial: func(ctx context.Context, p peer.ID) error {
			return n.redialPeer(ctx, p, deviceDialTimeout)
		},
	})
}

// lost is the network's notice that a connection to p closed; it hands p
// to the redial loop when that was the last one and the node is live. It
// runs in the swarm's notification, and does not block.
func (n *Node) lost(p peer.ID) {
	if !n.isLive() || n.host.Network().Connectedness(p) == network.Connected {
		return
	}
	n.redial.Lost(p)
}
