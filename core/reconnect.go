package core

import (
	"context"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"
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

// lost is the network's notice that a connection to p closed; it hands p
// to reconnectLoop when that was the last one and the node is live. It
// must not block: it runs in the swarm's notification.
func (n *Node) lost(p peer.ID) {
	if !n.isLive() || n.host.Network().Connectedness(p) == network.Connected {
		return
	}
	select {
	case n.lostPeers <- p:
	default: // a burst (the node went offline): the periodic sync reconnects
	}
}

// reconnectLoop dials again, in foreground mode (ctx), the followed
// authors' devices whose connections closed (lost).
func (n *Node) reconnectLoop(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	busy := make(map[peer.ID]bool)
	done := make(chan peer.ID)
	for {
		select {
		case <-ctx.Done():
			return
		case p := <-done:
			delete(busy, p)
		case p := <-n.lostPeers:
			if busy[p] || len(busy) >= maxReconnects || !n.watchedDevice(p) {
				continue
			}
			busy[p] = true
			wg.Go(func() {
				n.reconnect(ctx, p)
				select {
				case done <- p:
				case <-ctx.Done():
				}
			})
		}
	}
}

// reconnect dials p after each of reconnectWaits until it is connected.
func (n *Node) reconnect(ctx context.Context, p peer.ID) {
	for _, wait := range reconnectWaits {
		if !sleepCtx(ctx, wait) || n.reachable(p) {
			return
		}
		if sw, ok := n.host.Network().(*swarm.Swarm); ok {
			sw.Backoff().Clear(p) // the waits above space the attempts
		}
		dctx, cancel := context.WithTimeout(ctx, deviceDialTimeout)
		err := n.connect(dctx, peer.AddrInfo{ID: p})
		cancel()
		if err == nil {
			return
		}
	}
}
