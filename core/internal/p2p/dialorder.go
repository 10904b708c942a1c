package p2p

import (
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"
	ma "github.com/multiformats/go-multiaddr"
)

// tcpFirstDelay is how long, with TCP first (Host.PreferTCP), a dial waits
// for the TCP addresses before it tries the others (QUIC, relayed): a
// peer that UDP reaches and TCP does not is still reached, a second late.
const tcpFirstDelay = time.Second

// dialOrder ranks the addresses of each dial: go-libp2p's default order
// (QUIC first, TCP 250 ms later, relayed addresses last), or, while
// tcpFirst is set and the peer has a TCP address, TCP first.
type dialOrder struct{ tcpFirst atomic.Bool }

// rank is the swarm's dial ranker.
func (o *dialOrder) rank(addrs []ma.Multiaddr) []network.AddrDelay {
	if !o.tcpFirst.Load() {
		return swarm.DefaultDialRanker(addrs)
	}
	var tcp, other []ma.Multiaddr
	for _, a := range addrs {
		if directTCP(a) {
			tcp = append(tcp, a)
		} else {
			other = append(other, a)
		}
	}
	if len(tcp) == 0 {
		return swarm.DefaultDialRanker(addrs)
	}
	out := swarm.DefaultDialRanker(tcp)
	for _, d := range swarm.DefaultDialRanker(other) {
		d.Delay += tcpFirstDelay
		out = append(out, d)
	}
	return out
}

// directTCP reports whether a is a TCP address of the peer itself: not
// relayed, not a websocket.
func directTCP(a ma.Multiaddr) bool {
	tcp := false
	for _, c := range a {
		switch c.Code() {
		case ma.P_TCP:
			tcp = true
		case ma.P_CIRCUIT, ma.P_WS, ma.P_WSS, ma.P_TLS:
			return false
		}
	}
	return tcp
}

// PreferTCP makes the host's dials try the peer's TCP addresses first,
// and its other addresses tcpFirstDelay later, while on is true; false
// restores go-libp2p's order, QUIC first. A phone in background mode
// opens a few short connections at each wake, and a short QUIC
// connection costs it more than twice the bytes of a TCP one: its
// handshake is padded to full-size datagrams (the post-quantum key share
// takes two), and quic-go probes the path MTU with four or five more of
// 1.4 KB on every connection, which go-libp2p does not let a caller turn
// off. Measured on a background wake of three connections
// (cli/internal/powerbench, BenchmarkFollowCost, F = 10): 43.8 KB over
// QUIC, 18.3 KB over TCP (docs/BENCHMARKS.md, "Following many authors").
func (h *Host) PreferTCP(on bool) { h.dials.tcpFirst.Store(on) }
