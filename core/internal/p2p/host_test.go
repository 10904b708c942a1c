package p2p

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/config"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	yamux "github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"
	noise "github.com/libp2p/go-libp2p/p2p/security/noise"
	tls "github.com/libp2p/go-libp2p/p2p/security/tls"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
)

// The tests in this file hold newBasicHost to what libp2p.New built for the
// options p2p.New gave it before it assembled the host itself. They may
// import go-libp2p's top-level package: tests are not linked into the
// mobile library.

// managers returns a connection manager and a resource manager as p2p.New
// makes them.
func managers(t *testing.T) (*connmgr.BasicConnMgr, network.ResourceManager) {
	t.Helper()
	cm, err := connmgr.NewConnManager(64, 192)
	if err != nil {
		t.Fatal(err)
	}
	rm, err := rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(rcmgr.DefaultLimits.AutoScale()), rcmgr.WithMetricsDisabled())
	if err != nil {
		t.Fatal(err)
	}
	return cm, rm
}

// libp2pHost starts a host with libp2p.New and the options p2p.New used
// to pass it (metrics off, which adds no protocol), listening on loopback.
func libp2pHost(t *testing.T) host.Host {
	t.Helper()
	cm, rm := managers(t)
	h, err := libp2p.New(
		libp2p.Identity(newKey(t)),
		libp2p.NoListenAddrs,
		libp2p.EnableRelay(),
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Transport(quic.NewTransport),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Security(tls.ID, tls.New),
		libp2p.Muxer(yamux.ID, yamux.DefaultTransport),
		libp2p.ConnectionManager(cm),
		libp2p.ResourceManager(rm),
		libp2p.ConnectionGater(&Gate{limit: -1}),
		libp2p.UserAgent("skein/0.1"),
		libp2p.DisableMetrics(),
	)
	if err != nil {
		t.Fatalf("libp2p.New() error = %v", err)
	}
	t.Cleanup(func() { h.Close() })
	listen(t, h)
	return h
}

// basicTestHost starts a host with newBasicHost, listening on loopback.
func basicTestHost(t *testing.T) host.Host {
	t.Helper()
	cm, rm := managers(t)
	h, err := newBasicHost(hostConfig{key: newKey(t), connMgr: cm, rcmgr: rm, gater: &Gate{limit: -1}, userAgent: "skein/0.1"})
	if err != nil {
		t.Fatalf("newBasicHost() error = %v", err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Errorf("Close() error = %v", err)
		}
	})
	listen(t, h)
	return h
}

func listen(t *testing.T, h host.Host) {
	t.Helper()
	for _, s := range loopback {
		if err := h.Network().Listen(ma.StringCast(s)); err != nil {
			t.Fatalf("Listen(%s) error = %v", s, err)
		}
	}
}

func TestBasicHostLikeLibp2pNew(t *testing.T) {
	ours, theirs := basicTestHost(t), libp2pHost(t)

	t.Run("protocols", func(t *testing.T) {
		got, want := ours.Mux().Protocols(), theirs.Mux().Protocols()
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("Mux().Protocols() = %v, want %v", got, want)
		}
	})

	t.Run("transports", func(t *testing.T) {
		relayed := "/ip4/127.0.0.1/tcp/1/p2p/" + theirs.ID().String() + "/p2p-circuit"
		for _, s := range []string{
			"/ip4/127.0.0.1/tcp/1",
			"/ip4/127.0.0.1/udp/1/quic-v1",
			relayed,
			"/ip4/127.0.0.1/tcp/1/ws",
			"/ip4/127.0.0.1/udp/1/quic-v1/webtransport",
			"/ip4/127.0.0.1/udp/1/webrtc-direct",
			"/ip4/127.0.0.1/udp/1/quic", // draft-29 QUIC: gone from go-libp2p
		} {
			a := ma.StringCast(s)
			got := ours.Network().(*swarm.Swarm).TransportForDialing(a) != nil
			want := theirs.Network().(*swarm.Swarm).TransportForDialing(a) != nil
			if got != want {
				t.Errorf("TransportForDialing(%s) != nil is %v, want %v", s, got, want)
			}
		}
		if ours.Network().(*swarm.Swarm).TransportForDialing(ma.StringCast(relayed)) == nil {
			t.Errorf("no circuit relay transport")
		}
	})

	// Each dials the other, over TCP and over QUIC: the two stacks agree
	// on security, muxer and identify.
	tests := []struct {
		name         string
		proto        int
		wantSecurity protocol.ID
		wantMuxer    protocol.ID
	}{
		{"tcp", ma.P_TCP, noise.ID, yamux.ID},
		{"quic", ma.P_QUIC_V1, "", ""}, // QUIC brings its own TLS and streams
	}
	for _, tt := range tests {
		for _, dir := range []struct {
			name     string
			from, to host.Host
		}{{"ours to theirs", ours, theirs}, {"theirs to ours", theirs, ours}} {
			t.Run(tt.name+" "+dir.name, func(t *testing.T) {
				from, to := dir.from, dir.to
				// Start without the connection an earlier case left, and
				// dial only the addresses given here.
				from.Peerstore().ClearAddrs(to.ID())
				from.Network().ClosePeer(to.ID())
				to.Network().ClosePeer(from.ID())
				waitFor(t, "no connections", func() bool {
					return len(from.Network().ConnsToPeer(to.ID())) == 0 && len(to.Network().ConnsToPeer(from.ID())) == 0
				})
				var addrs []ma.Multiaddr
				for _, a := range to.Addrs() {
					if hasProtocol(a, tt.proto) {
						addrs = append(addrs, a)
					}
				}
				ctx, cancel := context.WithTimeout(context.Background(), wait)
				defer cancel()
				if err := from.Connect(ctx, peer.AddrInfo{ID: to.ID(), Addrs: addrs}); err != nil {
					t.Fatalf("Connect() error = %v", err)
				}
				for _, c := range from.Network().ConnsToPeer(to.ID()) {
					st := c.ConnState()
					if st.Security != tt.wantSecurity || st.StreamMultiplexer != tt.wantMuxer {
						t.Errorf("connection to %s: security, muxer = %q, %q, want %q, %q", c.RemoteMultiaddr(), st.Security, st.StreamMultiplexer, tt.wantSecurity, tt.wantMuxer)
					}
				}
				waitFor(t, "identify", func() bool {
					v, err := to.Peerstore().Get(from.ID(), "AgentVersion")
					return err == nil && v == "skein/0.1"
				})
			})
		}
	}
}

func TestQUICKeys(t *testing.T) {
	k := newKey(t)
	reset, token, err := quicKeys(k)
	if err != nil {
		t.Fatalf("quicKeys() error = %v", err)
	}
	wantReset, err := config.PrivKeyToStatelessResetKey(k)
	if err != nil {
		t.Fatal(err)
	}
	wantToken, err := config.PrivKeyToTokenGeneratorKey(k)
	if err != nil {
		t.Fatal(err)
	}
	if reset != wantReset || token != wantToken {
		t.Errorf("quicKeys() differ from go-libp2p config's keys")
	}
	// The same key gives the same keys after a restart.
	k2, err := crypto.UnmarshalEd25519PrivateKey(must(k.Raw()))
	if err != nil {
		t.Fatal(err)
	}
	reset2, token2, _ := quicKeys(k2)
	if reset2 != reset || token2 != token {
		t.Errorf("quicKeys() of the same key differ")
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestBasicHostFailure checks that a failed newBasicHost closes what it
// made and what it was given: TestMain's leak check fails otherwise, as
// both managers run goroutines until closed.
func TestBasicHostFailure(t *testing.T) {
	cm, rm := managers(t)
	// A key whose Raw fails cannot derive QUIC's keys.
	_, err := newBasicHost(hostConfig{key: badKey{newKey(t)}, connMgr: cm, rcmgr: rm, gater: &Gate{limit: -1}})
	if err == nil {
		t.Fatal("newBasicHost() error = nil, want an error")
	}
}

// badKey is a private key whose Raw fails.
type badKey struct{ crypto.PrivKey }

func (badKey) Raw() ([]byte, error) { return nil, errors.New("no raw key") }
