package p2p

import (
	"context"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

func TestDialOrder(t *testing.T) {
	quic := ma.StringCast("/ip4/192.0.2.1/udp/4001/quic-v1")
	tcp := ma.StringCast("/ip4/192.0.2.1/tcp/4001")
	relayed := ma.StringCast("/ip4/192.0.2.9/tcp/4001/p2p/12D3KooWBjPoq49aywTCyrqaJ78FD9VhudNdyCxRbHdue2BL5TB6/p2p-circuit")
	tests := []struct {
		name     string
		tcpFirst bool
		first    ma.Multiaddr // the address dialled at once
		later    []ma.Multiaddr
	}{
		{"go-libp2p's order: QUIC first", false, quic, []ma.Multiaddr{tcp, relayed}},
		{"TCP first", true, tcp, []ma.Multiaddr{quic, relayed}},
		{"TCP first, no TCP address: QUIC at once", true, quic, []ma.Multiaddr{relayed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o dialOrder
			o.tcpFirst.Store(tt.tcpFirst)
			addrs := append([]ma.Multiaddr{tt.first}, tt.later...)
			delays := map[string]time.Duration{}
			for _, d := range o.rank(addrs) {
				delays[d.Addr.String()] = d.Delay
			}
			if len(delays) != len(addrs) {
				t.Fatalf("ranked %d addresses, want %d", len(delays), len(addrs))
			}
			if d := delays[tt.first.String()]; d != 0 {
				t.Errorf("%s waits %v, want 0", tt.first, d)
			}
			for _, a := range tt.later {
				if delays[a.String()] == 0 {
					t.Errorf("%s dialled at once with %s", a, tt.first)
				}
			}
			if tt.tcpFirst && tt.first.Equal(tcp) && delays[quic.String()] < tcpFirstDelay {
				t.Errorf("QUIC waits %v, want at least %v", delays[quic.String()], tcpFirstDelay)
			}
		})
	}
}

// TestPreferTCP: a host that prefers TCP connects to a peer listening on
// TCP and QUIC over TCP, and over QUIC once it no longer does.
func TestPreferTCP(t *testing.T) {
	for _, tcpFirst := range []bool{true, false} {
		a, b := newHost(t, Config{}), newHost(t, Config{})
		a.PreferTCP(tcpFirst)
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		err := a.Connect(ctx, peer.AddrInfo{ID: b.ID(), Addrs: b.Addrs()})
		cancel()
		if err != nil {
			t.Fatalf("Connect() error = %v", err)
		}
		conns := a.Network().ConnsToPeer(b.ID())
		if len(conns) != 1 {
			t.Fatalf("%d connections, want 1", len(conns))
		}
		if got := directTCP(conns[0].RemoteMultiaddr()); got != tcpFirst {
			t.Errorf("PreferTCP(%v): connected over %s", tcpFirst, conns[0].RemoteMultiaddr())
		}
	}
}
