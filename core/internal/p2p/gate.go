package p2p

import (
	"net/netip"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"

	"github.com/skein-p2p/skein/core/internal/ratelimit"
)

// Gate is the host's connection gater: it caps how many connections the host
// may have, so that a node in a low-power mode opens few or none. A new
// connection, dialled or accepted, is refused once the host has limit
// connections; inbound ones are refused unless allowed. It also bounds the
// inbound connections of one address, one network and in all, keeping a
// reserve for important peers (SetInbound). A connection is checked when
// it is dialled or accepted, after its handshake, and right before it
// joins the host's connections. The zero Gate, and a limit below zero, let
// everything through.
type Gate struct {
	mu      sync.Mutex
	limit   int // -1: no limit
	inbound bool
	net     network.Network
	// relayOnly holds peers this host dials through circuit relays only.
	relayOnly map[peer.ID]bool

	in        InboundLimits
	important func(peer.ID) bool
	// admitted are inbound connections let through InterceptUpgraded that
	// may not be among the network's connections yet.
	admitted []admission
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

// InboundLimits bound the inbound connections a host keeps, so that one
// peer cannot hold them all with fresh peer IDs. Zero fields mean no limit.
// Connections from the host's own loopback address (127.0.0.1, ::1), which
// only local processes have, are not counted against PerIP or PerNetwork;
// the rest of 127.0.0.0/8 is, like any address, so that tests can put
// attackers there.
type InboundLimits struct {
	// PerIP is how many inbound connections one IP address may have.
	PerIP int
	// PerNetwork is how many inbound connections one network, an IPv4 /24
	// or an IPv6 /48 (ratelimit.Network), may have.
	PerNetwork int
	// Total is how many inbound connections the host keeps in all.
	Total int
	// Reserved is the part of Total only important peers may use.
	Reserved int
}

// SetInbound sets the limits on inbound connections, and which peers are
// important: those are exempt from PerIP and PerNetwork and may use the
// Reserved part of Total. important must be quick and safe for concurrent
// use; it may be nil.
func (g *Gate) SetInbound(l InboundLimits, important func(peer.ID) bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.in, g.important = l, important
}

// admission is an inbound connection let through InterceptUpgraded.
type admission struct {
	c  network.Conn
	at time.Time
}

// admissionWindow is how long an admitted connection is counted while it
// is not among the network's connections: it joins them right after
// InterceptUpgraded, or fails to.
const admissionWindow = 5 * time.Second

// admit reports whether an inbound connection from p at addr may stand
// under the inbound limits. c is the connection, if it exists yet; if it
// is admitted, it is counted until it shows among the network's.
func (g *Gate) admit(p peer.ID, addr ma.Multiaddr, c network.Conn) bool {
	g.mu.Lock()
	l, isImportant, n := g.in, g.important, g.net
	g.mu.Unlock()
	if l == (InboundLimits{}) || n == nil {
		return true
	}
	important := isImportant != nil && isImportant(p)
	ip, hasIP := remoteIP(addr)
	netKey := ratelimit.Network(addr)
	conns := n.Conns()

	g.mu.Lock()
	defer g.mu.Unlock()
	listed := make(map[network.Conn]bool, len(conns))
	var total, fromIP, fromNet int
	count := func(c network.Conn) {
		if c.Stat().Direction != network.DirInbound {
			return
		}
		total++
		a := c.RemoteMultiaddr()
		if other, ok := remoteIP(a); ok && hasIP && other == ip {
			fromIP++
		}
		if netKey != "" && ratelimit.Network(a) == netKey {
			fromNet++
		}
	}
	for _, x := range conns {
		listed[x] = true
		if x != c {
			count(x)
		}
	}
	now := time.Now()
	kept := g.admitted[:0]
	for _, a := range g.admitted {
		if listed[a.c] || a.c.IsClosed() || now.Sub(a.at) > admissionWindow {
			continue
		}
		kept = append(kept, a)
		if a.c != c {
			count(a.c)
		}
	}
	clear(g.admitted[len(kept):])
	g.admitted = kept

	local := hasIP && (ip == netip.AddrFrom4([4]byte{127, 0, 0, 1}) || ip == netip.IPv6Loopback())
	ok := true
	switch {
	case l.Total > 0 && total >= l.Total:
		ok = false
	case important:
	case l.Total > 0 && total >= l.Total-l.Reserved:
		ok = false
	case local:
	case l.PerIP > 0 && hasIP && fromIP >= l.PerIP:
		ok = false
	case l.PerNetwork > 0 && netKey != "" && fromNet >= l.PerNetwork:
		ok = false
	}
	if ok && c != nil {
		g.admitted = append(g.admitted, admission{c: c, at: now})
	}
	return ok
}

// remoteIP returns the IP address of addr, if it has one.
func remoteIP(addr ma.Multiaddr) (netip.Addr, bool) {
	if addr == nil {
		return netip.Addr{}, false
	}
	if _, err := addr.ValueForProtocol(ma.P_CIRCUIT); err == nil {
		return netip.Addr{}, false
	}
	ip, err := manet.ToIP(addr)
	if err != nil {
		return netip.Addr{}, false
	}
	a, ok := netip.AddrFromSlice(ip)
	return a.Unmap(), ok
}

// InterceptPeerDial implements connmgr.ConnectionGater.
func (g *Gate) InterceptPeerDial(peer.ID) bool { return g.allow(false) }

// InterceptAddrDial implements connmgr.ConnectionGater.
func (g *Gate) InterceptAddrDial(p peer.ID, a ma.Multiaddr) bool {
	return g.relayed(p, a)
}

// InterceptAccept implements connmgr.ConnectionGater. Before the handshake
// the peer is unknown: only the cap of the power mode and the inbound
// Total, which nobody may exceed, are checked.
func (g *Gate) InterceptAccept(network.ConnMultiaddrs) bool {
	return g.allow(true) && g.belowTotal()
}

// InterceptSecured implements connmgr.ConnectionGater. A dial let through
// before the cap was lowered, or before its peer was made relay-only, is
// checked again here, once its handshake is done, so that it cannot add a
// connection the gate no longer allows. An inbound connection meets the
// inbound limits here, now that its peer is known.
func (g *Gate) InterceptSecured(dir network.Direction, p peer.ID, addrs network.ConnMultiaddrs) bool {
	in := dir == network.DirInbound
	return g.relayed(p, addrs.RemoteMultiaddr()) && g.allow(in) && (!in || g.admit(p, addrs.RemoteMultiaddr(), nil))
}

// InterceptUpgraded implements connmgr.ConnectionGater: the last check,
// right before the connection joins the host's. The inbound limits are
// checked again, counting the connections admitted concurrently.
func (g *Gate) InterceptUpgraded(c network.Conn) (bool, control.DisconnectReason) {
	in := c.Stat().Direction == network.DirInbound
	return g.relayed(c.RemotePeer(), c.RemoteMultiaddr()) && g.allow(in) && (!in || g.admit(c.RemotePeer(), c.RemoteMultiaddr(), c)), 0
}

// belowTotal reports whether the host has fewer inbound connections than
// the inbound limits' Total.
func (g *Gate) belowTotal() bool {
	g.mu.Lock()
	total, n := g.in.Total, g.net
	g.mu.Unlock()
	if total <= 0 || n == nil {
		return true
	}
	in := 0
	for _, c := range n.Conns() {
		if c.Stat().Direction == network.DirInbound {
			in++
		}
	}
	return in < total
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
