package core

import (
	"context"
	"net/netip"
	"testing"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	manet "github.com/multiformats/go-multiaddr/net"
)

// abuseInbound counts n's inbound connections from addresses in prefix.
func abuseInbound(n *Node, prefix netip.Prefix) int {
	c := 0
	for _, conn := range n.host.Network().Conns() {
		if conn.Stat().Direction != network.DirInbound {
			continue
		}
		ip, err := manet.ToIP(conn.RemoteMultiaddr())
		if err != nil {
			continue
		}
		if a, ok := netip.AddrFromSlice(ip); ok && prefix.Contains(a.Unmap()) {
			c++
		}
	}
	return c
}

// abuseHold connects count fresh hostile hosts listening on ip to n, and
// leaves them connected if n lets them.
func abuseHold(t *testing.T, n *Node, ip string, count int) {
	t.Helper()
	for range count {
		x := newHostile(t, ip, dht.ModeClient)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		x.Connect(ctx, addrInfo(n))
		cancel()
	}
}

// abuseJoins connects h to n and reports whether n keeps the connection. A
// refusal shows on n's side only: h's handshake is done before n's gate
// looks at the peer, so h's Connect succeeds either way.
func abuseJoins(h host.Host, n *Node) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Connect(ctx, addrInfo(n)); err != nil {
		return false
	}
	time.Sleep(300 * time.Millisecond)
	return len(n.host.Network().ConnsToPeer(h.ID())) > 0
}

// TestAbuseConnectionHold: fresh peer IDs from one network try to hold the
// victim's inbound connections. They get at most the per-IP and
// per-network limits; a newcomer from another network still connects, and
// so does a followed author from the attacker's own network.
func TestAbuseConnectionHold(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.nodeWith("alice", abuseTCP("127.0.0.1"))
	dave := tn.nodeWith("dave", abuseTCP("127.0.40.9"))
	mustFollow(t, alice, "dave")
	waitFor(t, "alice knows dave's device", func() bool { _, ok := alice.deviceOf(dave.session().key); return ok })
	dave.host.Network().ClosePeer(alice.host.ID())

	attack := netip.MustParsePrefix("127.0.40.0/24")
	for _, ip := range []string{"127.0.40.1", "127.0.40.2", "127.0.40.3"} {
		abuseHold(t, alice, ip, 10)
	}
	held := abuseInbound(alice, attack)
	t.Logf("30 fresh peers from %s hold %d inbound connections", attack, held)
	if held > inboundPerNetwork {
		t.Errorf("the attacking network holds %d inbound connections, want at most %d", held, inboundPerNetwork)
	}
	if one := abuseInbound(alice, netip.MustParsePrefix("127.0.40.1/32")); one > inboundPerIP {
		t.Errorf("one attacking address holds %d inbound connections, want at most %d", one, inboundPerIP)
	}

	if !abuseJoins(newHostile(t, "127.0.41.1", dht.ModeClient), alice) {
		t.Error("a newcomer from another network was refused")
	}
	if !abuseJoins(dave.host, alice) {
		t.Error("the followed author from the attacking network was refused")
	}
}

// TestAbuseConnectionReserve: fresh peer IDs from several networks take
// every inbound connection an unknown peer may have. That is the limit of
// the defence: a newcomer nobody knows is refused until they leave. A
// followed author still connects, on the reserve.
func TestAbuseConnectionReserve(t *testing.T) {
	tn := newTestNet(t)
	const maxConns = 32 // 24 inbound for anyone, 8 more for important peers
	alice := tn.nodeWith("alice", func(c *Config) { abuseTCP("127.0.0.1")(c); c.MaxConns = maxConns })
	dave := tn.nodeWith("dave", abuseTCP("127.0.46.9"))
	mustFollow(t, alice, "dave")
	waitFor(t, "alice knows dave's device", func() bool { _, ok := alice.deviceOf(dave.session().key); return ok })
	dave.host.Network().ClosePeer(alice.host.ID())

	for _, ip := range []string{"127.0.44.1", "127.0.44.2", "127.0.45.1", "127.0.45.2"} {
		abuseHold(t, alice, ip, inboundPerIP)
	}
	held := abuseInbound(alice, netip.MustParsePrefix("127.0.44.0/23"))
	limits := inboundLimits(maxConns)
	if held > limits.Total-limits.Reserved {
		t.Errorf("attackers hold %d inbound connections, want at most %d", held, limits.Total-limits.Reserved)
	}
	joined := abuseJoins(newHostile(t, "127.0.47.1", dht.ModeClient), alice)
	t.Logf("attackers from 2 networks hold %d inbound connections; a newcomer from a third joins: %v", held, joined)
	if !abuseJoins(dave.host, alice) {
		t.Error("the followed author was refused")
	}
}
