package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	record "github.com/libp2p/go-libp2p-record"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	relayv2 "github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/relay"

	"github.com/skein-p2p/skein/core/internal/blobstore"
	"github.com/skein-p2p/skein/core/internal/chatrelay"
	"github.com/skein-p2p/skein/core/internal/directory"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/medialib"
	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/p2p"
	"github.com/skein-p2p/skein/core/internal/ratelimit"
	"github.com/skein-p2p/skein/core/internal/store"
)

// RelayConfig configures a Relay. Zero fields mean "use the default".
type RelayConfig struct {
	// DataDir holds the relay's device key, so its address stays the same
	// across restarts, and the kept logs of store-and-forward. Required.
	DataDir string
	// ListenAddrs default to every interface, port 4001, TCP and QUIC:
	// a relay's address must not change between restarts.
	ListenAddrs []string
	// BootstrapAddrs are other relays to peer with. Default none.
	BootstrapAddrs []string
	// Limits bound the circuit relay service. Zero fields take the values
	// of DefaultRelayLimits.
	Limits RelayLimits
	// StoreForward keeps the logs that registered clients follow and
	// serves them. Clients opt in (Config.StoreForward). Default off.
	StoreForward bool
	// MaxKeepClients bounds the accounts store-and-forward keeps logs for.
	// Default 1000.
	MaxKeepClients int
	// Retention bounds what store-and-forward keeps of each log: by
	// default, as on a node, the newest 1,000 entries of each author and
	// everything younger than 30 days.
	Retention Retention
	// SyncInterval is how often store-and-forward pulls the kept logs from
	// the connected peers that hold them. Default 1 minute.
	SyncInterval time.Duration
	// MaxNames bounds the name claims the relay holds as a DHT server.
	// Default 100,000. When full it takes no new name until claims lapse
	// (30 days after their owner last published); it never drops a live
	// claim.
	MaxNames int
	// MediaQuota bounds the bytes of media store-and-forward keeps for the
	// logs it keeps (images, album files and their thumbnails), least
	// recently used evicted first. Default 1 GiB.
	MediaQuota int64
	// Logger receives the relay's logs. Default: discard.
	Logger *slog.Logger

	// nameRates overrides the rates of DHT puts the relay takes (tests).
	nameRates names.Rates
	// sim holds a simulation's hooks (simhooks.go).
	sim *simHooks
}

// RelayLimits bound the circuit relay service: what one relayed
// connection may carry, and how many the relay serves. A relayed
// connection that reaches its limit is closed; both ends may open another,
// or by then have a direct one.
type RelayLimits struct {
	// Duration is how long one relayed connection may last.
	Duration time.Duration
	// Data is how many bytes one relayed connection may carry each way.
	Data int64
	// MaxReservations is how many peers may hold a reservation at once.
	MaxReservations int
	// MaxCircuits is how many relayed connections one peer may have open
	// at once.
	MaxCircuits int
	// MaxReservationsPerIP is how many peers behind one IP address may
	// hold a reservation: carrier NATs put many phones behind one address.
	MaxReservationsPerIP int
	// BufferSize is the size of each relayed connection's buffer, each way.
	BufferSize int
}

// DefaultRelayLimits are sized for Skein's sync traffic. go-libp2p's own
// defaults, 2 minutes and 128 KiB per relayed connection, cut a catch-up
// of a few thousand entries short. At these, the worst case of buffer
// memory is MaxReservations × MaxCircuits × 2 × BufferSize, 1 GiB; the
// resource manager caps streams and memory well before that.
var DefaultRelayLimits = RelayLimits{
	Duration:             time.Hour,
	Data:                 64 << 20,
	MaxReservations:      1024,
	MaxCircuits:          16,
	MaxReservationsPerIP: 64,
	BufferSize:           16 << 10,
}

// withDefaults fills the zero fields of l from DefaultRelayLimits.
func (l RelayLimits) withDefaults() RelayLimits {
	d := DefaultRelayLimits
	if l.Duration > 0 {
		d.Duration = l.Duration
	}
	if l.Data > 0 {
		d.Data = l.Data
	}
	if l.MaxReservations > 0 {
		d.MaxReservations = l.MaxReservations
	}
	if l.MaxCircuits > 0 {
		d.MaxCircuits = l.MaxCircuits
	}
	if l.MaxReservationsPerIP > 0 {
		d.MaxReservationsPerIP = l.MaxReservationsPerIP
	}
	if l.BufferSize > 0 {
		d.BufferSize = l.BufferSize
	}
	return d
}

func (l RelayLimits) resources() relayv2.Resources {
	r := relayv2.DefaultResources()
	r.Limit = &relayv2.RelayLimit{Duration: l.Duration, Data: l.Data}
	r.MaxReservations = l.MaxReservations
	r.MaxCircuits = l.MaxCircuits
	r.MaxReservationsPerIP = l.MaxReservationsPerIP
	r.MaxReservationsPerASN = max(r.MaxReservationsPerASN, l.MaxReservationsPerIP)
	r.BufferSize = l.BufferSize
	return r
}

// Relay is an always-on node with a stable, public address: a DHT server
// that others bootstrap from and that stores and answers name records,
// provider records and peer lookups; a circuit relay v2 service through
// which peers behind NATs reach each other, until hole punching gives them
// a direct connection; an AutoNAT service that tells peers whether they
// are reachable; and, with RelayConfig.StoreForward, a store of the logs
// its registered clients follow. It holds no accounts. A Relay is safe for
// concurrent use.
type Relay struct {
	host   *p2p.Host
	kv     store.KV             // the relay's database: name claims, and kept logs
	names  *names.Registry      // the name claims it holds
	dir    *directory.Directory // the accounts it indexes for search
	plog   *ratelimit.Log       // lines about peers: refused DHT puts, the keeper's
	store  *store.Store         // nil without store-and-forward
	keeper *keeper              // nil without store-and-forward
	chat   *chatrelay.Store     // groups' ciphertext, inboxes and prekeys kept for members
	lib    *medialib.Library    // nil without store-and-forward: the media of the kept logs
	limits RelayLimits
}

// NewRelay starts a relay. ctx bounds start-up only.
func NewRelay(ctx context.Context, cfg RelayConfig) (*Relay, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("core: no relay data directory configured")
	}
	if len(cfg.ListenAddrs) == 0 {
		cfg.ListenAddrs = []string{"/ip4/0.0.0.0/tcp/4001", "/ip4/0.0.0.0/udp/4001/quic-v1"}
	}
	if cfg.MaxKeepClients <= 0 {
		cfg.MaxKeepClients = 1000
	}
	if cfg.SyncInterval <= 0 {
		cfg.SyncInterval = time.Minute
	}
	limits := cfg.Limits.withDefaults()
	res := limits.resources()
	log := orDiscard(cfg.Logger)
	boot, err := p2p.ParseAddrs(cfg.BootstrapAddrs)
	if err != nil {
		return nil, fmt.Errorf("core: bootstrap: %w", err)
	}
	key, err := p2p.LoadKey(filepath.Join(cfg.DataDir, "device.key"))
	if err != nil {
		return nil, fmt.Errorf("core: %w", err)
	}
	// One database holds the name claims, which must survive a restart (a
	// relay that forgot them would take a claim of any name), and the kept
	// logs of store-and-forward.
	kv, err := store.OpenLevelDB(filepath.Join(cfg.DataDir, "kept"))
	if err != nil {
		if errors.Is(err, store.ErrInUse) {
			return nil, fmt.Errorf("core: %w: %s", ErrDataDirInUse, cfg.DataDir)
		}
		return nil, fmt.Errorf("core: %w", err)
	}
	reg, err := names.OpenRegistry(store.Prefix(kv, []byte{store.NamePrefix}), names.Limits{MaxNames: cfg.MaxNames})
	if err != nil {
		kv.Close()
		return nil, fmt.Errorf("core: %w", err)
	}
	var st *store.Store
	if cfg.StoreForward {
		if st, err = store.New(kv); err != nil {
			kv.Close()
			return nil, fmt.Errorf("core: %w", err)
		}
	}
	plog := ratelimit.NewLog(log)
	h, err := p2p.New(ctx, p2p.Config{
		Key:         key,
		ListenAddrs: cfg.ListenAddrs,
		Bootstrap:   boot,
		DHTMode:     dht.ModeServer,
		Validator:   record.NamespacedValidator{names.Namespace: names.Validator{}},
		// Name records go to the registry, which keeps the first claim of
		// a name; claims outlive kad-dht's 48 h.
		Values:       reg,
		MaxRecordAge: names.ClaimLifetime,
		OnRequest:    names.NewGuard(reg, cfg.nameRates, plog).Hook,
		PubSub:       cfg.StoreForward,
		ConnLow:      512,
		ConnHigh:     1024,
		// A relay is run where it is reachable: it says so rather than
		// waiting for peers to confirm it.
		Reachability:   network.ReachabilityPublic,
		RelayService:   &res,
		AutoNATService: true,
		Logger:         log,
		Sim:            cfg.sim.hostHooks(),
	})
	if err != nil {
		plog.Close()
		kv.Close()
		return nil, fmt.Errorf("core: %w", err)
	}
	h.Gate.SetInbound(p2p.InboundLimits{PerIP: relayInboundPerIP, PerNetwork: relayInboundPerNetwork}, nil)
	r := &Relay{host: h, kv: kv, names: reg, plog: plog, store: st, limits: limits}
	if r.dir, err = openDirectory(h, kv, reg, cfg.MaxNames, plog); err != nil {
		r.Close()
		return nil, fmt.Errorf("core: directory: %w", err)
	}
	if r.chat, err = chatrelay.New(h, store.Prefix(kv, []byte{store.ChatPrefix}), r.dir, log, plog); err != nil {
		r.Close()
		return nil, fmt.Errorf("core: messages: %w", err)
	}
	if st != nil {
		if r.lib, err = openRelayMedia(cfg, kv, h, log); err != nil {
			r.Close()
			return nil, fmt.Errorf("core: store-and-forward: %w", err)
		}
		if r.keeper, err = newKeeper(h, st, cfg, log, plog); err != nil {
			r.Close()
			return nil, fmt.Errorf("core: store-and-forward: %w", err)
		}
		r.keeper.lib = r.lib
	}
	for _, ai := range boot {
		if err := h.Connect(ctx, ai); err != nil {
			log.Warn("bootstrap peer unreachable", "peer", ai.ID, "err", err)
		}
	}
	log.Info("relay started", "peer", h.ID(), "addrs", h.Addrs(), "store_forward", cfg.StoreForward,
		"limit_duration", limits.Duration, "limit_data", limits.Data)
	return r, nil
}

// PeerID returns the relay's libp2p peer ID.
func (r *Relay) PeerID() string { return r.host.ID().String() }

// Addrs returns the relay's listen addresses, each ending in /p2p/<id>:
// what clients pass as bootstrap and relay addresses.
func (r *Relay) Addrs() []string { return r.host.FullAddrs() }

// Limits returns the relay service's limits in effect.
func (r *Relay) Limits() RelayLimits { return r.limits }

// Close stops the relay. It is safe to call more than once.
func (r *Relay) Close() error {
	if r.keeper != nil {
		r.keeper.close()
		r.keeper = nil
	}
	r.host.RemoveStreamHandler(directory.ProtocolID) // no new searches or publications
	if r.chat != nil {
		r.chat.Close()
		r.chat = nil
	}
	var mediaErr error
	if r.lib != nil {
		mediaErr = r.lib.Close()
		r.lib = nil
	}
	err := errors.Join(mediaErr, r.host.Close())
	if r.kv != nil {
		r.plog.Close()
		err = errors.Join(err, r.kv.Close()) // the store's too
		r.kv, r.store = nil, nil
	}
	return err
}

// defaultMediaQuota is the media a store-and-forward relay keeps by
// default.
const defaultMediaQuota = 1 << 30

// openRelayMedia opens the media library of a store-and-forward relay:
// its blobs come from the connected peers, which are the kept logs'
// followers and authors.
func openRelayMedia(cfg RelayConfig, kv store.KV, h *p2p.Host, log *slog.Logger) (*medialib.Library, error) {
	quota := cfg.MediaQuota
	if quota <= 0 {
		quota = defaultMediaQuota
	}
	return medialib.Open(medialib.Config{
		Dir:    filepath.Join(cfg.DataDir, "blobs"),
		KV:     store.Prefix(kv, []byte{store.BlobPrefix}),
		Index:  store.Prefix(kv, []byte{store.MediaPrefix}),
		Host:   h.Host,
		Limits: blobstore.Limits{CacheBudget: quota, ThumbBudget: quota / 8},
		Providers: func(context.Context, entry.Key, bool) []peer.ID {
			ps := h.Network().Peers()
			return ps[:min(len(ps), maxMediaProviders)]
		},
		Log: log,
	})
}
