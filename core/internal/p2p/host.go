package p2p

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"slices"

	"github.com/libp2p/go-libp2p/core/connmgr"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/libp2p/go-libp2p/core/sec"
	"github.com/libp2p/go-libp2p/core/transport"
	"github.com/libp2p/go-libp2p/p2p/host/autonat"
	bhost "github.com/libp2p/go-libp2p/p2p/host/basic"
	"github.com/libp2p/go-libp2p/p2p/host/eventbus"
	"github.com/libp2p/go-libp2p/p2p/host/observedaddrs"
	"github.com/libp2p/go-libp2p/p2p/host/peerstore/pstoremem"
	yamux "github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"
	tptu "github.com/libp2p/go-libp2p/p2p/net/upgrader"
	relay "github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/client"
	noise "github.com/libp2p/go-libp2p/p2p/security/noise"
	tls "github.com/libp2p/go-libp2p/p2p/security/tls"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/quicreuse"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
	quicgo "github.com/quic-go/quic-go"
	"golang.org/x/crypto/hkdf"
)

// This file assembles the libp2p host from its parts rather than through
// libp2p.New. go-libp2p's top-level package, and the config package behind
// it, import every transport go-libp2p has (WebRTC with the pion stack,
// WebSocket, WebTransport with HTTP/3) and the fx dependency injector, and
// libp2p.New keeps all of them reachable, so each is linked into every
// binary that calls it: 6.6 MB of the 32 MB phone library went to
// transports Skein never uses. docs/DEPENDENCIES.md has the measurements.
//
// newBasicHost builds what go-libp2p v0.51.0's libp2p.New built for the
// options p2p.New used to give it (Identity, NoListenAddrs, EnableRelay,
// TCP and QUIC, Noise then TLS, yamux, a connection manager, a resource
// manager, a connection gater and a user agent), with its defaults for the
// rest: an in-memory peerstore, the UDP and IPv6 black-hole detectors, the
// default dial timeouts, dial ranker, backoff and DNS resolver of the
// swarm, the QUIC connection manager with the resource manager's admission
// checks, identify with observed-address discovery, ping, the circuit v2
// relay client and an AutoNAT v1 client. As there: no NAT port mapping and
// no AutoNAT v2. Hole punching (DCUtR) and the AutoNAT service are options
// (hostConfig); the circuit relay service and AutoRelay are started on the
// host by p2p.New and Host.StartAutoRelay. The one difference is metrics:
// libp2p.New registered Prometheus metrics on the global registry, which
// nothing here reads; this host has none.

// hostConfig is what newBasicHost needs. Every field is required.
type hostConfig struct {
	key       crypto.PrivKey
	connMgr   connmgr.ConnManager
	rcmgr     network.ResourceManager
	gater     connmgr.ConnectionGater
	userAgent string

	// Optional.
	holePunch      bool                 // run DCUtR: upgrade relayed connections to direct ones
	autonatService bool                 // answer other peers' AutoNAT dial-back requests
	reachability   network.Reachability // if not Unknown, AutoNAT's answer, fixed
	sim            *SimHooks            // a simulation's hooks; nil in production
	dials          *dialOrder           // ranks each dial's addresses; nil: go-libp2p's order
}

// basicHost is the host newBasicHost returns. Its Close stops what
// libp2p.New's dependency injector stopped before closing the BasicHost.
type basicHost struct {
	*bhost.BasicHost
	stop []io.Closer // in order
}

// Close stops the host. Like libp2p.New's host it reports only the
// BasicHost's error.
func (h *basicHost) Close() error {
	for _, c := range h.stop {
		c.Close()
	}
	return h.BasicHost.Close()
}

// newBasicHost starts a host that listens on nothing yet. On failure it
// closes everything it made, cfg.connMgr and cfg.rcmgr included.
func newBasicHost(cfg hostConfig) (_ *basicHost, err error) {
	// undo closes what was made so far, last first, if newBasicHost fails.
	var undo []io.Closer
	defer func() {
		if err != nil {
			for _, c := range slices.Backward(undo) {
				c.Close()
			}
			cfg.rcmgr.Close() // both are safe to close twice
			cfg.connMgr.Close()
		}
	}()

	id, err := peer.IDFromPrivateKey(cfg.key)
	if err != nil {
		return nil, err
	}
	ps, err := pstoremem.NewPeerstore()
	if err != nil {
		return nil, err
	}
	undo = append(undo, ps)
	if err := ps.AddPrivKey(id, cfg.key); err != nil {
		return nil, err
	}
	if err := ps.AddPubKey(id, cfg.key.GetPublic()); err != nil {
		return nil, err
	}
	bus := eventbus.NewBus()
	swOpts := []swarm.Option{
		swarm.WithUDPBlackHoleSuccessCounter(&swarm.BlackHoleSuccessCounter{N: 100, MinSuccesses: 5, Name: "UDP"}),
		swarm.WithIPv6BlackHoleSuccessCounter(&swarm.BlackHoleSuccessCounter{N: 100, MinSuccesses: 5, Name: "IPv6"}),
	}
	if cfg.dials != nil {
		swOpts = append(swOpts, swarm.WithDialRanker(cfg.dials.rank))
	}
	var transports simTransports
	if cfg.sim != nil {
		if cfg.sim.Reporter != nil {
			swOpts = append(swOpts, swarm.WithMetrics(cfg.sim.Reporter))
		}
		transports = cfg.sim.Transports
	}
	sw, up, closers, err := newSwarm(cfg.key, ps, bus, cfg.rcmgr, cfg.gater, transports, swOpts...)
	undo = append(undo, closers...)
	if err != nil {
		return nil, err
	}

	oam, err := observedaddrs.NewManager(bus, sw)
	if err != nil {
		return nil, err
	}
	undo = append(undo, oam)
	bh, err := bhost.NewHost(sw, &bhost.HostOpts{
		EventBus:             bus,
		ConnManager:          cfg.connMgr,
		EnablePing:           true,
		UserAgent:            cfg.userAgent,
		ObservedAddrsManager: oam,
		EnableHolePunching:   cfg.holePunch,
	})
	if err != nil {
		return nil, err
	}
	h := &basicHost{BasicHost: bh, stop: []io.Closer{oam}}
	for _, c := range slices.Backward(closers) {
		h.stop = append(h.stop, c) // the swarm, then QUIC's manager
	}
	// From here h.Close stops everything: it closes the BasicHost, which
	// closes the swarm, the peerstore and both managers.
	undo = []io.Closer{h}
	if err := relay.AddTransport(bh, up); err != nil {
		return nil, err
	}
	oam.Start(sw)
	bh.Start()

	// AutoNAT v1 client: asks peers that run the service whether this
	// host's public addresses are reachable; the DHT's auto mode and
	// AutoRelay follow the answer.
	anOpts := []autonat.Option{autonat.UsingAddresses(func() []ma.Multiaddr {
		return slices.DeleteFunc(slices.Clone(bh.AllAddrs()), func(a ma.Multiaddr) bool { return !manet.IsPublicAddr(a) })
	})}
	if cfg.autonatService {
		// The service dials back from a swarm of its own, under a key of
		// its own, so that a dial-back proves the address reachable by a
		// stranger rather than through an existing connection.
		dialer, err := newDialer(cfg.rcmgr, cfg.gater)
		if err != nil {
			return nil, fmt.Errorf("autonat service: %w", err)
		}
		h.stop = append([]io.Closer{dialer}, h.stop...)
		anOpts = append(anOpts, autonat.EnableService(dialer.Swarm))
	}
	if cfg.reachability != network.ReachabilityUnknown {
		anOpts = append(anOpts, autonat.WithReachability(cfg.reachability))
	}
	an, err := autonat.New(bh, anOpts...)
	if err != nil {
		return nil, fmt.Errorf("autonat: %w", err)
	}
	bh.SetAutoNat(an)
	return h, nil
}

// newSwarm makes a swarm for key with Skein's transports (TCP and QUIC),
// security (Noise, then TLS) and muxer (yamux), and the upgrader its relay
// transport needs. It returns what it made that needs closing, in the
// order it made them, also when it fails.
// A simulation's transports, if given, replace TCP and QUIC.
func newSwarm(key crypto.PrivKey, ps peerstore.Peerstore, bus event.Bus, rm network.ResourceManager, gater connmgr.ConnectionGater, simTpts simTransports, opts ...swarm.Option) (_ *swarm.Swarm, _ transport.Upgrader, closers []io.Closer, err error) {
	var qcm *quicreuse.ConnManager
	if simTpts == nil {
		if qcm, err = newQUICManager(key, rm); err != nil {
			return nil, nil, closers, err
		}
		closers = append(closers, qcm)
	}

	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return nil, nil, closers, err
	}
	sw, err := swarm.NewSwarm(id, ps, bus, append(opts, swarm.WithConnectionGater(gater), swarm.WithResourceManager(rm))...)
	if err != nil {
		return nil, nil, closers, err
	}
	closers = append(closers, sw)

	// Noise first: the first security protocol is the one a dialler offers.
	muxers := []tptu.StreamMuxer{{ID: yamux.ID, Muxer: yamux.DefaultTransport}}
	nt, err := noise.New(noise.ID, key, muxers)
	if err != nil {
		return nil, nil, closers, err
	}
	tt, err := tls.New(tls.ID, key, muxers)
	if err != nil {
		return nil, nil, closers, err
	}
	up, err := tptu.New([]sec.SecureTransport{nt, tt}, muxers, nil, rm, gater)
	if err != nil {
		return nil, nil, closers, err
	}
	var tpts []transport.Transport
	if simTpts != nil {
		tpts, err = simTpts(up, rm, gater)
	} else {
		tpts, err = tcpQUIC(key, qcm, up, rm, gater)
	}
	if err != nil {
		return nil, nil, closers, err
	}
	for _, t := range tpts {
		if err := sw.AddTransport(t); err != nil {
			return nil, nil, closers, err
		}
	}

	return sw, up, closers, nil
}

// newQUICManager makes the QUIC connection manager: one UDP socket per
// local address for every QUIC connection.
func newQUICManager(key crypto.PrivKey, rm network.ResourceManager) (*quicreuse.ConnManager, error) {
	// The stateless-reset and token keys derive from the device key.
	resetKey, tokenKey, err := quicKeys(key)
	if err != nil {
		return nil, err
	}
	qcm, err := quicreuse.NewConnManager(resetKey, tokenKey,
		quicreuse.ConnContext(func(ctx context.Context, ci *quicgo.ClientInfo) (context.Context, error) {
			// Even without a multiaddr, the resource manager decides.
			addr, err := quicreuse.ToQuicMultiaddr(ci.RemoteAddr, quicgo.Version1)
			if err != nil {
				addr = nil
			}
			scope, err := rm.OpenConnection(network.DirInbound, false, addr)
			if err != nil {
				return ctx, err
			}
			ctx = network.WithConnManagementScope(ctx, scope)
			context.AfterFunc(ctx, scope.Done)
			return ctx, nil
		}),
		quicreuse.VerifySourceAddress(func(addr net.Addr) bool { return rm.VerifySourceAddress(addr) }),
	)
	if err != nil {
		return nil, err
	}
	return qcm, nil
}

// tcpQUIC makes Skein's TCP and QUIC transports.
func tcpQUIC(key crypto.PrivKey, qcm *quicreuse.ConnManager, up transport.Upgrader, rm network.ResourceManager, gater connmgr.ConnectionGater) ([]transport.Transport, error) {
	tcpt, err := tcp.NewTCPTransport(up, rm, nil)
	if err != nil {
		return nil, err
	}
	quict, err := quic.NewTransport(key, qcm, nil, gater, rm)
	if err != nil {
		return nil, err
	}
	return []transport.Transport{tcpt, quict}, nil
}

// simTransports is SimHooks.Transports.
type simTransports = func(transport.Upgrader, network.ResourceManager, connmgr.ConnectionGater) ([]transport.Transport, error)

// dialer is a swarm that only dials, under a throwaway key: what the AutoNAT
// service dials back with.
type dialer struct {
	*swarm.Swarm
	closers []io.Closer
}

func newDialer(rm network.ResourceManager, gater connmgr.ConnectionGater) (*dialer, error) {
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return nil, err
	}
	ps, err := pstoremem.NewPeerstore()
	if err != nil {
		return nil, err
	}
	sw, _, closers, err := newSwarm(key, ps, eventbus.NewBus(), rm, gater, nil,
		swarm.WithDialRanker(swarm.NoDelayDialRanker),
		swarm.WithUDPBlackHoleSuccessCounter(nil),
		swarm.WithIPv6BlackHoleSuccessCounter(nil),
	)
	d := &dialer{Swarm: sw, closers: append([]io.Closer{ps}, closers...)}
	if err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// Close closes the swarm, QUIC's manager and the peerstore.
func (d *dialer) Close() error {
	for _, c := range slices.Backward(d.closers) {
		c.Close()
	}
	return nil
}

// quicKeys derives QUIC's stateless-reset and token-generator keys from
// the device key, as go-libp2p's config package does, so that they survive
// restarts.
func quicKeys(key crypto.PrivKey) (quicgo.StatelessResetKey, quicgo.TokenGeneratorKey, error) {
	var reset quicgo.StatelessResetKey
	var token quicgo.TokenGeneratorKey
	raw, err := key.Raw()
	if err != nil {
		return reset, token, err
	}
	if _, err := io.ReadFull(hkdf.New(sha256.New, raw, nil, []byte("libp2p quic stateless reset key")), reset[:]); err != nil {
		return reset, token, err
	}
	if _, err := io.ReadFull(hkdf.New(sha256.New, raw, nil, []byte("libp2p quic token generator key")), token[:]); err != nil {
		return reset, token, err
	}
	return reset, token, nil
}
