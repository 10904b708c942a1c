package core

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	record "github.com/libp2p/go-libp2p-record"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/p2p"
)

// hostile is a libp2p host with no Skein node behind it. Tests use it as an
// attacker would: to open Skein's streams and write whatever bytes they
// like, to publish on GossipSub, or to run a DHT server of its own.
type hostile struct {
	t *testing.T
	*p2p.Host
}

// newHostile starts a hostile host with a fresh peer ID, listening on ip
// (TCP, a system-chosen port), such as "127.0.1.1": a loopback address
// outside 127.0.0.0/24, where test nodes listen, puts it in a network of its
// own for per-network limits. It speaks TCP only, because its connections
// then come from ip (go-libp2p dials QUIC from an unbound socket, which
// loopback gives the address 127.0.0.1). mode is its DHT role. It is closed
// when the test ends.
func newHostile(t *testing.T, ip string, mode dht.ModeOpt) *hostile {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h, err := p2p.New(context.Background(), p2p.Config{
		Key:         key,
		ListenAddrs: []string{"/ip4/" + ip + "/tcp/0"},
		DHTMode:     mode,
		Validator:   record.NamespacedValidator{names.Namespace: names.Validator{}},
		PubSub:      true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return &hostile{t: t, Host: h}
}

// addrInfo returns how to reach n.
func addrInfo(n *Node) peer.AddrInfo {
	return peer.AddrInfo{ID: n.host.ID(), Addrs: n.host.Addrs()}
}

// tcpInfo returns how to reach n over TCP only.
func tcpInfo(n *Node) peer.AddrInfo {
	ai := peer.AddrInfo{ID: n.host.ID()}
	for _, a := range n.host.Addrs() {
		if _, err := a.ValueForProtocol(ma.P_TCP); err == nil {
			ai.Addrs = append(ai.Addrs, a)
		}
	}
	return ai
}

// connect connects the hostile host to n.
func (x *hostile) connect(n *Node) {
	x.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := x.Connect(ctx, tcpInfo(n)); err != nil {
		x.t.Fatalf("hostile connect: %v", err)
	}
}

// open opens a stream to n for proto, connecting first.
func (x *hostile) open(n *Node, proto protocol.ID) (network.Stream, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := x.Connect(ctx, tcpInfo(n)); err != nil {
		return nil, err
	}
	return x.NewStream(ctx, n.host.ID(), proto)
}
