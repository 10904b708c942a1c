package p2p

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// TestInboundLimits: the gate keeps the inbound connections of one address
// and one network, and of unknown peers in all, within its limits, counts
// none from 127.0.0.1 per address, and lets important peers use the
// reserve and pass the per-address limits.
func TestInboundLimits(t *testing.T) {
	victim := newHost(t, Config{ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}})
	var important sync.Map // peer.ID → true
	victim.Gate.SetInbound(InboundLimits{PerIP: 1, PerNetwork: 2, Total: 7, Reserved: 2}, func(p peer.ID) bool {
		_, ok := important.Load(p)
		return ok
	})

	// join starts a host on ip and reports whether the victim keeps its
	// connection: a refusal shows on the victim's side only.
	join := func(ip string, vip bool) bool {
		t.Helper()
		h := newHost(t, Config{ListenAddrs: []string{"/ip4/" + ip + "/tcp/0"}})
		if vip {
			important.Store(h.ID(), true)
		}
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := h.Connect(ctx, peer.AddrInfo{ID: victim.ID(), Addrs: victim.Addrs()}); err != nil {
			return false
		}
		time.Sleep(100 * time.Millisecond)
		return len(victim.Network().ConnsToPeer(h.ID())) > 0
	}
	steps := []struct {
		what      string
		ip        string
		important bool
		want      bool
	}{
		{"first from an address", "127.0.60.1", false, true},
		{"second from that address", "127.0.60.1", false, false},
		{"another address of the network", "127.0.60.2", false, true},
		{"a third from the network", "127.0.60.3", false, false},
		{"an important peer from the network", "127.0.60.4", true, true},
		{"the host's own address", "127.0.0.1", false, true},
		{"the host's own address again: not counted per address", "127.0.0.1", false, true},
		{"the host's own address: unknown peers' share (5) is full", "127.0.0.1", false, false},
		{"another network: full too", "127.0.61.1", false, false},
		{"an important peer: the reserve", "127.0.61.2", true, true},
		{"another important peer: the reserve", "127.0.61.3", true, true},
		{"an important peer: Total reached", "127.0.61.4", true, false},
	}
	for _, s := range steps {
		if got := join(s.ip, s.important); got != s.want {
			t.Fatalf("%s (%s): joined = %v, want %v", s.what, s.ip, got, s.want)
		}
	}
}

// fakeNet is a network whose connections a test sets; only Conns is
// implemented.
type fakeNet struct {
	network.Network
	conns []network.Conn
}

func (f *fakeNet) Conns() []network.Conn { return f.conns }

// fakeConn is an inbound connection from an address; only what the gate
// reads is implemented.
type fakeConn struct {
	network.Conn
	p    peer.ID
	addr ma.Multiaddr
}

func (c *fakeConn) RemotePeer() peer.ID           { return c.p }
func (c *fakeConn) RemoteMultiaddr() ma.Multiaddr { return c.addr }
func (c *fakeConn) Stat() network.ConnStats {
	return network.ConnStats{Stats: network.Stats{Direction: network.DirInbound}}
}
func (c *fakeConn) IsClosed() bool                     { return false }
func (c *fakeConn) ConnState() network.ConnectionState { return network.ConnectionState{} }

// TestInboundLimitsConcurrent: connections let through at once are counted
// against each other before they join the network's connections, which
// they do only after the gate's last check.
func TestInboundLimitsConcurrent(t *testing.T) {
	net := &fakeNet{}
	g := &Gate{limit: -1}
	g.attach(net)
	g.SetInbound(InboundLimits{PerIP: 2}, nil)
	addr := ma.StringCast("/ip4/127.0.62.1/tcp/4001")
	var admitted []network.Conn
	for i := range 3 {
		c := &fakeConn{p: peer.ID(fmt.Sprint("peer", i)), addr: addr}
		if ok, _ := g.InterceptUpgraded(c); ok {
			admitted = append(admitted, c)
		}
	}
	if len(admitted) != 2 {
		t.Fatalf("%d of 3 connections from one address admitted before any joined, want 2", len(admitted))
	}
	// Once they have joined, they are counted as connections, once.
	net.conns = admitted
	if ok, _ := g.InterceptUpgraded(&fakeConn{p: "late", addr: addr}); ok {
		t.Error("a third connection admitted after two joined")
	}
	net.conns = nil // both closed
	if ok, _ := g.InterceptUpgraded(&fakeConn{p: "later", addr: addr}); !ok {
		t.Error("a connection refused after the others left")
	}
}
