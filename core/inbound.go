package core

import (
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/p2p"
)

// Limits on inbound connections (docs/SECURITY.md, "Connections"), which
// the connection gate enforces once a connection's peer is known. Peer IDs
// cost nothing, so they are counted by address and network.
const (
	// inboundPerIP is what one IP address may hold: go-libp2p's resource
	// manager allows 8 connections per IPv4 address too (it exempts
	// loopback, this gate does not), and a user's node rarely has more
	// than a few followers behind one carrier NAT address online at once.
	inboundPerIP = 8
	// inboundPerNetwork is what one IPv4 /24 or IPv6 /48 may hold: room for
	// two full addresses, the devices of a household or a small office.
	inboundPerNetwork = 16
	// inboundReserve is the share of the inbound cap (1/inboundReserve)
	// kept for important peers: bootstrap peers and relays, the
	// store-and-forward keeper, and the devices of followed authors.
	inboundReserve = 4
)

// Limits on inbound connections of a relay: it serves many phones, and a
// carrier NAT puts many of them behind one address (the circuit relay
// service allows 64 reservations per address).
const (
	relayInboundPerIP      = 64
	relayInboundPerNetwork = 256
)

// inboundLimits are a node's limits on inbound connections with a
// connection manager high-water mark of connHigh: it accepts up to connHigh
// inbound connections, a quarter of them for important peers only.
func inboundLimits(connHigh int) p2p.InboundLimits {
	return p2p.InboundLimits{
		PerIP:      inboundPerIP,
		PerNetwork: inboundPerNetwork,
		Total:      connHigh,
		Reserved:   connHigh / inboundReserve,
	}
}

// important reports whether p is a peer the node must stay reachable by
// whoever else connects: a bootstrap peer, a relay, the store-and-forward
// keeper, or the device of an author a local account follows. Such peers
// may use the reserved part of the inbound connections, are exempt from the
// per-address and per-network limits, and are protected from the
// connection manager's trimming.
func (n *Node) important(p peer.ID) bool {
	for _, ai := range n.boot {
		if ai.ID == p {
			return true
		}
	}
	for _, ai := range n.relays {
		if ai.ID == p {
			return true
		}
	}
	n.mu.Lock()
	keeper := n.keeper.ID == p
	n.mu.Unlock()
	return keeper || n.watchedDevice(p)
}

// watchedDevice reports whether p is the device of an author a local
// account follows.
func (n *Node) watchedDevice(p peer.ID) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	for author, dev := range n.devices {
		if dev == p && n.store.Watches(author) {
			return true
		}
	}
	return false
}

// protectImportant keeps the connection manager from trimming a
// connection with an important peer.
func (n *Node) protectImportant(p peer.ID) {
	if n.important(p) {
		n.host.ConnManager().Protect(p, "skein-important")
	}
}
