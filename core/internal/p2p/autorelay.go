package p2p

import (
	"context"
	"slices"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/host/autorelay"
	"github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/proto"
	"github.com/libp2p/go-libp2p/p2p/protocol/holepunch"
	ma "github.com/multiformats/go-multiaddr"
)

// HopProtocol is the protocol a circuit relay v2 service speaks.
const HopProtocol = proto.ProtoIDv2Hop

// AutoRelay keeps reservations on circuit relays while the host is not
// publicly reachable, so that peers can reach it through them: its
// addresses then include the relays' /p2p-circuit addresses.
type AutoRelay struct {
	ar *autorelay.AutoRelay
}

// StartAutoRelay starts keeping up to 2 relay reservations. Candidates are
// the static relays first, then peers the host knows, through the DHT or
// otherwise, that identify says run a relay service. Reservations are only
// sought while AutoNAT finds the host private (or fixed so by
// Config.Reachability). Close stops it.
func (h *Host) StartAutoRelay(static []peer.AddrInfo) (*AutoRelay, error) {
	static = slices.Clone(static)
	source := func(ctx context.Context, num int) <-chan peer.AddrInfo {
		out := make(chan peer.AddrInfo, num)
		defer close(out)
		seen := make(map[peer.ID]bool)
		add := func(ai peer.AddrInfo) {
			if len(out) < num && !seen[ai.ID] && ai.ID != h.ID() {
				seen[ai.ID] = true
				out <- ai
			}
		}
		for _, ai := range static {
			add(ai)
		}
		known := h.Network().Peers()
		if h.DHT != nil {
			known = append(known, h.DHT.RoutingTable().ListPeers()...)
		}
		for _, p := range known {
			if ok, _ := h.Peerstore().SupportsProtocols(p, HopProtocol); len(ok) > 0 {
				add(peer.AddrInfo{ID: p, Addrs: h.Peerstore().Addrs(p)})
			}
		}
		return out
	}
	ar, err := autorelay.NewAutoRelay(h.Host,
		autorelay.WithPeerSource(source),
		autorelay.WithMinCandidates(1),
		autorelay.WithNumRelays(2),
		autorelay.WithBootDelay(0),
		// A relay that refused or was unreachable is tried again soon: a
		// phone's network comes and goes, and its relays are few.
		autorelay.WithBackoff(time.Minute),
		autorelay.WithMinInterval(10*time.Second),
	)
	if err != nil {
		return nil, err
	}
	ar.Start()
	return &AutoRelay{ar: ar}, nil
}

// Close stops seeking reservations. Reservations already made lapse with
// their connections.
func (a *AutoRelay) Close() error { return a.ar.Close() }

// Relayed reports whether c goes through a circuit relay: it is limited in
// time and bytes, and GossipSub and the DHT do not use it.
func Relayed(c network.Conn) bool {
	_, err := c.RemoteMultiaddr().ValueForProtocol(ma.P_CIRCUIT)
	return err == nil
}

// autorelayTag is the tag go-libp2p's AutoRelay protects the connection to
// a relay with while it holds a reservation there (relay_finder.go).
// TestPushOverRelayedConnection in core sees a reservation through it.
const autorelayTag = "autorelay"

// Relays returns the relays the host holds a reservation on, sorted. The
// host may not advertise their circuit addresses: AutoRelay leaves out
// relays it only knows private addresses of.
func (h *Host) Relays() []peer.ID {
	var out []peer.ID
	for _, p := range h.Network().Peers() {
		if h.ConnManager().IsProtected(p, autorelayTag) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// HolePunchReady reports whether the host answers hole punching (DCUtR)
// requests. go-libp2p starts to once the host knows a public address of its
// own, as peers observed it; before, a peer reached through a relay cannot
// upgrade its connection to a direct one.
func (h *Host) HolePunchReady() bool {
	return slices.Contains(h.Mux().Protocols(), holepunch.Protocol)
}

// Reachability returns what AutoNAT found out about the host, or was told
// by Config.Reachability.
func (h *Host) Reachability() network.Reachability {
	if bh, ok := h.Host.(*basicHost); ok {
		if an := bh.GetAutoNat(); an != nil {
			return an.Status()
		}
	}
	return network.ReachabilityUnknown
}
