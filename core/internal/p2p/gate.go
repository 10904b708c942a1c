package p2p

import (
	"sync"

	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// Gate is the host's connection gater: it caps how many connections the host
// may have, so that a node in a low-power mode opens few or none. A new
// connection, dialled or accepted, is refused once the host has limit
// connections; inbound ones are refused unless allowed. A connection is
// checked when it is dialled or accepted, after its handshake, and right
// before it joins the host's connections. The zero Gate, and a limit below
// zero, let everything through.
type Gate struct {
	mu      sync.Mutex
	limit   int // -1: no limit
	inbound bool
	net     network.Network
	// relayOnly holds peers this host dials through circuit relays only.
	relayOnly map[peer.ID]bool
}

// RelayOnly makes the host reach p only through circuit relays, never
// directly, as if p sat behind a NAT that drops unsolicited packets: direct
// dials to p are refused, and so is any direct connection with p, either
// way, that completes its handshake afterwards (a dial already in flight,
// an inbound one, a hole punch). Tests use it to keep two hosts on one
// machine on a relayed connection.
func (g *Gate) RelayOnly(p peer.ID) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.relayOnly == nil {
		g.relayOnly = make(map[peer.ID]bool)
	}
	g.relayOnly[p] = true
}

// Set changes the cap. Existing connections are kept; the caller closes
// those it no longer wants.
func (g *Gate) Set(limit int, inbound bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.limit, g.inbound = limit, inbound
}

// attach gives the gate the network whose connections it counts.
func (g *Gate) attach(n network.Network) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.net = n
}

func (g *Gate) allow(inbound bool) bool {
	g.mu.Lock()
	limit, in, n := g.limit, g.inbound, g.net
	g.mu.Unlock()
	if limit < 0 || n == nil {
		return true
	}
	if inbound && !in {
		return false
	}
	return len(n.Conns()) < limit
}

// InterceptPeerDial implements connmgr.ConnectionGater.
func (g *Gate) InterceptPeerDial(peer.ID) bool { return g.allow(false) }

// InterceptAddrDial implements connmgr.ConnectionGater.
func (g *Gate) InterceptAddrDial(p peer.ID, a ma.Multiaddr) bool {
	return g.relayed(p, a)
}

// InterceptAccept implements connmgr.ConnectionGater.
func (g *Gate) InterceptAccept(network.ConnMultiaddrs) bool { return g.allow(true) }

// InterceptSecured implements connmgr.ConnectionGater. A dial let through
// before the cap was lowered, or before its peer was made relay-only, is
// checked again here, once its handshake is done, so that it cannot add a
// connection the gate no longer allows.
func (g *Gate) InterceptSecured(dir network.Direction, p peer.ID, addrs network.ConnMultiaddrs) bool {
	return g.relayed(p, addrs.RemoteMultiaddr()) && g.allow(dir == network.DirInbound)
}

// InterceptUpgraded implements connmgr.ConnectionGater: the last check,
// right before the connection joins the host's.
func (g *Gate) InterceptUpgraded(c network.Conn) (bool, control.DisconnectReason) {
	return g.relayed(c.RemotePeer(), c.RemoteMultiaddr()) && g.allow(c.Stat().Direction == network.DirInbound), 0
}

// relayed reports whether a connection with p at addr may stand: any may,
// unless p is relay-only and addr is not a circuit.
func (g *Gate) relayed(p peer.ID, addr ma.Multiaddr) bool {
	g.mu.Lock()
	only := g.relayOnly[p]
	g.mu.Unlock()
	if !only {
		return true
	}
	_, err := addr.ValueForProtocol(ma.P_CIRCUIT)
	return err == nil
}
