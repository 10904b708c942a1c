package core

import (
	"context"
	"slices"
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

// gossipCheck is how often, in foreground mode, the connections to the
// devices of the authors with a live topic are checked for GossipSub
// streams half open (p2p.Host.GossipHalfOpen): a connection half open at
// two checks in a row is closed and dialled again, at most once per
// device per sync interval. GossipSub does not mend such a connection, and
// the follower would get the author's posts only from the periodic sync,
// or from other followers (0 to 3 of the 3,000 live deliveries of the
// 500-node simulation, issue 16). Between checks the node does nothing.
const gossipCheck = 10 * time.Second

// msgHalfOpen is the log message of a connection closed with its
// GossipSub streams half open.
const msgHalfOpen = "connection closed and dialled again: GossipSub streams half open"

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
		Check:  n.cfg.gossipCheck,
		Peers:  n.liveDevices,
		Broken: n.host.GossipHalfOpen,
		Drop: func(p peer.ID) {
			n.log.Info(msgHalfOpen, "peer", p)
			n.host.Network().ClosePeer(p)
		},
		Quiet: n.cfg.SyncInterval,
	})
}

// liveDevices returns the devices, connected now, of the authors the
// session has a live topic of.
func (n *Node) liveDevices() []peer.ID {
	sess := n.session()
	if sess == nil {
		return nil
	}
	var devs []peer.ID
	for _, a := range sess.subscribedAuthors() {
		if d, ok := n.deviceOf(a); ok && !slices.Contains(devs, d) && n.host.Network().Connectedness(d) == network.Connected {
			devs = append(devs, d)
		}
	}
	return devs
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
