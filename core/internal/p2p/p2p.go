// Package p2p builds Skein's libp2p stack: one host per device (TCP and QUIC,
// Noise and TLS, yamux, a connection manager and a resource manager), a
// Kademlia DHT under the private protocol prefix /skein, and GossipSub.
//
// The host is assembled from go-libp2p's parts (host.go), not by libp2p.New,
// which links every transport go-libp2p has into the mobile library.
//
// Nothing here dials a public address on its own: there are no default
// bootstrap peers, no NAT port mapping and no mDNS. The host only dials the
// bootstrap peers it is given and peers the node asks it to reach.
package p2p

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	ds "github.com/ipfs/go-datastore"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	dhtpb "github.com/libp2p/go-libp2p-kad-dht/pb"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pubsubpb "github.com/libp2p/go-libp2p-pubsub/pb"
	record "github.com/libp2p/go-libp2p-record"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	relayv2 "github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/relay"
	ma "github.com/multiformats/go-multiaddr"
)

// ProtocolPrefix is the DHT protocol prefix: Skein's DHT is separate from
// the public IPFS one. Its one protocol is DHTProtocol.
const ProtocolPrefix = "/skein"

// DHTProtocol is the protocol ID of Skein's Kademlia DHT: kad-dht's
// "/kad/1.0.0" under ProtocolPrefix. Only DHT servers handle it.
const DHTProtocol = ProtocolPrefix + "/kad/1.0.0"

// MaxMessageSize is the largest GossipSub RPC, as its varint-prefixed
// protobuf, a node reads or sends (docs/PROTOCOL.md, "GossipSub on the
// wire"). It is go-libp2p-pubsub's default, set here so that an upgrade
// cannot change it unseen.
const MaxMessageSize = 1 << 20

// DefaultListenAddrs are used when Config.ListenAddrs is empty: every
// interface, a port chosen by the system, TCP and QUIC.
var DefaultListenAddrs = []string{"/ip4/0.0.0.0/tcp/0", "/ip4/0.0.0.0/udp/0/quic-v1"}

// Config configures a Host. Zero fields mean "use the default".
type Config struct {
	Key         crypto.PrivKey  // the device key; required
	ListenAddrs []string        // default DefaultListenAddrs
	Bootstrap   []peer.AddrInfo // DHT bootstrap peers; default none
	DHTMode     dht.ModeOpt     // default dht.ModeAuto
	Validator   record.Validator
	PubSub      bool // start GossipSub
	ConnLow     int  // connection manager low water mark, default 64
	ConnHigh    int  // connection manager high water mark, default 192
	// ManualRefresh turns off the DHT's own routing-table refresh and its
	// dials to bootstrap peers: the caller refreshes when it chooses, so a
	// node in a low-power mode is not woken by DHT timers.
	ManualRefresh bool
	// Values, if set, is where the DHT keeps the value records it stores
	// (dht.ValueDatastore), such as a names.Registry; default kad-dht's
	// map in memory.
	Values ds.Batching
	// MaxRecordAge is how long the DHT serves a value record after storing
	// it (dht.MaxRecordAge); default kad-dht's, 48 h.
	MaxRecordAge time.Duration
	// OnRequest, if set, sees every DHT request before its handler
	// (dht.OnRequestHook), and may drop a PUT_VALUE's record to refuse it.
	// It must not block: it holds up the peer's stream.
	OnRequest func(ctx context.Context, s network.Stream, req *dhtpb.Message)
	// HolePunch runs DCUtR: a connection relayed through a circuit relay
	// is upgraded to a direct one when both NATs allow it.
	HolePunch bool
	// RelayService, if set, runs a circuit relay v2 service with these
	// resources, whatever AutoNAT says: the operator chose to relay.
	RelayService *relayv2.Resources
	// AutoNATService answers other peers' AutoNAT dial-back requests.
	AutoNATService bool
	// Reachability, if not network.ReachabilityUnknown, fixes AutoNAT's
	// answer instead of asking peers, which takes 15 s or more.
	Reachability network.Reachability
	// ScoreDecay is how long GossipSub takes to forget 99% of a peer's
	// invalid messages (score.go). Default DefaultScoreDecay.
	ScoreDecay time.Duration
	// ScoreInspect, if set, is called every second with the GossipSub
	// score of every peer (tests).
	ScoreInspect func(map[peer.ID]float64)
	Logger       *slog.Logger
	// Sim, if set, holds a simulation's measurement and transport hooks
	// (sim.go); nil in production.
	Sim *SimHooks
}

// Host is a running libp2p host with its DHT and, if configured, GossipSub.
// Close stops all of it.
type Host struct {
	host.Host
	DHT    *dht.IpfsDHT
	PubSub *pubsub.PubSub // nil unless Config.PubSub
	// Gate caps the host's connections; it lets everything through until
	// its Set is called.
	Gate *Gate

	relay      *relayv2.Relay // nil unless Config.RelayService
	dials      *dialOrder     // the order of each dial's addresses (PreferTCP)
	scoreDecay time.Duration

	cancel       context.CancelFunc
	identifyDone func() // waits for watchIdentify to stop
	closeOnce    sync.Once
	closeErr     error
}

// New starts a host. ctx bounds start-up only; the host runs until Close.
func New(ctx context.Context, cfg Config) (*Host, error) {
	if cfg.Key == nil {
		return nil, errors.New("p2p: no device key")
	}
	if len(cfg.ListenAddrs) == 0 {
		cfg.ListenAddrs = DefaultListenAddrs
	}
	if cfg.ConnLow == 0 {
		cfg.ConnLow = 64
	}
	if cfg.ConnHigh == 0 {
		cfg.ConnHigh = 192
	}
	if cfg.ScoreDecay <= 0 {
		cfg.ScoreDecay = DefaultScoreDecay
	}
	listen := make([]ma.Multiaddr, 0, len(cfg.ListenAddrs))
	for _, s := range cfg.ListenAddrs {
		m, err := ma.NewMultiaddr(s)
		if err != nil {
			return nil, fmt.Errorf("p2p: invalid listen address %q: %w", s, err)
		}
		listen = append(listen, m)
	}
	cm, err := connmgr.NewConnManager(cfg.ConnLow, cfg.ConnHigh, connmgr.WithGracePeriod(time.Minute))
	if err != nil {
		return nil, fmt.Errorf("p2p: connection manager: %w", err)
	}
	// Without metrics: nothing reads them, and they cost work on every
	// stream and connection.
	rm, err := rcmgr.NewResourceManager(cfg.Sim.limiter(), rcmgr.WithMetricsDisabled())
	if err != nil {
		cm.Close()
		return nil, fmt.Errorf("p2p: resource manager: %w", err)
	}
	gate := &Gate{limit: -1}
	dials := new(dialOrder)
	// The host listens below, once it exists, so that a failed listen
	// leaves a host to close.
	h, err := newBasicHost(hostConfig{
		key:       cfg.Key,
		connMgr:   cm,
		rcmgr:     rm,
		gater:     gate,
		userAgent: "skein/0.1",

		holePunch:      cfg.HolePunch,
		autonatService: cfg.AutoNATService,
		reachability:   cfg.Reachability,
		sim:            cfg.Sim,
		dials:          dials,
	})
	if err != nil {
		return nil, fmt.Errorf("p2p: start host: %w", err) // rm and cm closed
	}
	if err := h.Network().Listen(listen...); err != nil {
		h.Close() // also closes cm and rm
		return nil, fmt.Errorf("p2p: listen on %q: %w", cfg.ListenAddrs, err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	gate.attach(h.Network())
	hh := &Host{Host: h, Gate: gate, dials: dials, cancel: cancel, scoreDecay: cfg.ScoreDecay}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if hh.identifyDone, err = hh.watchIdentify(runCtx, log); err != nil {
		hh.Close()
		return nil, fmt.Errorf("p2p: identify events: %w", err)
	}
	if cfg.RelayService != nil {
		hh.relay, err = relayv2.New(h, relayv2.WithResources(*cfg.RelayService))
		if err != nil {
			hh.Close()
			return nil, fmt.Errorf("p2p: start relay service: %w", err)
		}
	}

	opts := []dht.Option{
		dht.ProtocolPrefix(ProtocolPrefix),
		dht.Mode(cfg.DHTMode),
	}
	if cfg.ManualRefresh {
		opts = append(opts, dht.DisableAutoRefresh(), dht.BootstrapPeers())
	} else {
		opts = append(opts, dht.BootstrapPeers(cfg.Bootstrap...)) // never the public defaults
	}
	if cfg.Validator != nil {
		opts = append(opts, dht.Validator(cfg.Validator))
	}
	if cfg.Values != nil {
		opts = append(opts, dht.ValueDatastore(cfg.Values))
	}
	if cfg.MaxRecordAge > 0 {
		opts = append(opts, dht.MaxRecordAge(cfg.MaxRecordAge))
	}
	if cfg.OnRequest != nil {
		opts = append(opts, dht.OnRequestHook(cfg.OnRequest))
	}
	hh.DHT, err = dht.New(h, opts...)
	if err != nil {
		hh.Close()
		return nil, fmt.Errorf("p2p: start dht: %w", err)
	}
	if cfg.PubSub {
		opts := []pubsub.Option{
			// Entries carry their own signatures; pubsub adds none,
			// and rejects messages that carry a signature, an author,
			// a seqno or a key.
			pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
			pubsub.WithNoAuthor(),
			pubsub.WithMessageIdFn(messageID),
			pubsub.WithMaxMessageSize(MaxMessageSize),
			// Without flood publishing, followers connected only to the
			// author get posts by gossip, seconds later.
			pubsub.WithFloodPublish(true),
			// No peer exchange: a prune names no other peers, and the
			// node dials none that a prune names (scoreOptions). With it,
			// each follower an author's mesh prunes dials up to 16 other
			// followers: in the 200-node simulation 97 of a node's 121
			// connections were such strangers, gossip control was 44
			// MB/node/h and CPU 8.8 times what it is without (issue 16,
			// docs/BENCHMARKS.md). Followers meet each other as holders of
			// the author's log instead, and a returning author meets its
			// followers (core: meetHolders).
			pubsub.WithPeerExchange(cfg.Sim.peerExchange()),
		}
		// Peers that send invalid messages are penalised, then ignored.
		opts = append(opts, scoreOptions(cfg.ScoreDecay, cfg.ScoreInspect, cfg.Sim.peerExchange())...)
		if cfg.Sim != nil && cfg.Sim.Tracer != nil {
			opts = append(opts, pubsub.WithRawTracer(cfg.Sim.Tracer))
		}
		hh.PubSub, err = pubsub.NewGossipSub(runCtx, newGossipHost(h), opts...)
		if err != nil {
			hh.Close()
			return nil, fmt.Errorf("p2p: start gossipsub: %w", err)
		}
	}
	return hh, nil
}

// messageID identifies a pubsub message by its content, so the same entry
// received twice is recognised as one message: the 32 bytes of the
// SHA-256 of its data, as they are (not hex), which is also how IHAVE and
// IWANT name it on the wire.
func messageID(m *pubsubpb.Message) string {
	sum := sha256.Sum256(m.Data)
	return string(sum[:])
}

// Close stops GossipSub, the DHT and the host. It is safe to call twice.
func (h *Host) Close() error {
	h.closeOnce.Do(func() {
		h.cancel() // stops GossipSub, whose context derives from it
		if h.identifyDone != nil {
			h.identifyDone()
		}
		var errs []error
		if h.relay != nil {
			errs = append(errs, h.relay.Close())
		}
		if h.DHT != nil {
			errs = append(errs, h.DHT.Close())
		}
		// The connections go first. go-libp2p (v0.51) stops its observed
		// addresses manager before its swarm and leaves that manager's
		// subscription to identify's events open: identify messages
		// still arriving in between fill it, and every identify handler
		// after the 16th then blocks on the event bus for good (seen at
		// 200 nodes in the simulation, issue 16).
		errs = append(errs, h.Host.Network().Close())
		errs = append(errs, h.Host.Close())
		h.closeErr = errors.Join(errs...)
	})
	return h.closeErr
}

// FullAddrs returns the host's addresses, each ending in /p2p/<id>.
func (h *Host) FullAddrs() []string {
	var out []string
	for _, a := range h.Addrs() {
		out = append(out, a.String()+"/p2p/"+h.ID().String())
	}
	return out
}

// ParseAddrs parses full multiaddrs (each with /p2p/<id>) into AddrInfos,
// merging addresses of the same peer.
func ParseAddrs(addrs []string) ([]peer.AddrInfo, error) {
	var mas []ma.Multiaddr
	for _, s := range addrs {
		m, err := ma.NewMultiaddr(s)
		if err != nil {
			return nil, fmt.Errorf("p2p: invalid address %q: %w", s, err)
		}
		mas = append(mas, m)
	}
	infos, err := peer.AddrInfosFromP2pAddrs(mas...)
	if err != nil {
		return nil, fmt.Errorf("p2p: address without /p2p/<peer id>: %w", err)
	}
	return infos, nil
}

// LoadKey reads the device key at path, creating it on first use. The key
// file holds a marshalled libp2p Ed25519 private key, mode 0600.
func LoadKey(path string) (crypto.PrivKey, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := crypto.UnmarshalPrivateKey(b)
		if err != nil {
			return nil, fmt.Errorf("p2p: device key %s: %w", path, err)
		}
		return k, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("p2p: device key: %w", err)
	}
	k, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return nil, err
	}
	b, err = crypto.MarshalPrivateKey(k)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("p2p: device key: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return nil, fmt.Errorf("p2p: device key: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		return nil, fmt.Errorf("p2p: device key: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, fmt.Errorf("p2p: device key: %w", err)
	}
	return k, nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
