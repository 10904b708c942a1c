package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	record "github.com/libp2p/go-libp2p-record"

	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/p2p"
)

// RelayConfig configures a Relay. Zero fields mean "use the default".
type RelayConfig struct {
	// DataDir holds the relay's device key, so its address stays the same
	// across restarts. Required.
	DataDir string
	// ListenAddrs default to every interface, port 4001, TCP and QUIC:
	// a relay's address must not change between restarts.
	ListenAddrs []string
	// BootstrapAddrs are other relays to peer with. Default none.
	BootstrapAddrs []string
	// Logger receives the relay's logs. Default: discard.
	Logger *slog.Logger
}

// Relay is an always-on node with a stable address that others bootstrap
// from: a DHT server that stores and answers name records and peer
// lookups. It holds no accounts. A Relay is safe for concurrent use.
type Relay struct {
	host *p2p.Host
}

// NewRelay starts a relay. ctx bounds start-up only.
func NewRelay(ctx context.Context, cfg RelayConfig) (*Relay, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("core: no relay data directory configured")
	}
	if len(cfg.ListenAddrs) == 0 {
		cfg.ListenAddrs = []string{"/ip4/0.0.0.0/tcp/4001", "/ip4/0.0.0.0/udp/4001/quic-v1"}
	}
	log := orDiscard(cfg.Logger)
	boot, err := p2p.ParseAddrs(cfg.BootstrapAddrs)
	if err != nil {
		return nil, fmt.Errorf("core: bootstrap: %w", err)
	}
	key, err := p2p.LoadKey(filepath.Join(cfg.DataDir, "device.key"))
	if err != nil {
		return nil, fmt.Errorf("core: %w", err)
	}
	h, err := p2p.New(ctx, p2p.Config{
		Key:         key,
		ListenAddrs: cfg.ListenAddrs,
		Bootstrap:   boot,
		DHTMode:     dht.ModeServer,
		Validator:   record.NamespacedValidator{names.Namespace: names.Validator{}},
		ConnLow:     512,
		ConnHigh:    1024,
		Logger:      log,
	})
	if err != nil {
		return nil, fmt.Errorf("core: %w", err)
	}
	for _, ai := range boot {
		if err := h.Connect(ctx, ai); err != nil {
			log.Warn("bootstrap peer unreachable", "peer", ai.ID, "err", err)
		}
	}
	log.Info("relay started", "peer", h.ID(), "addrs", h.Addrs())
	return &Relay{host: h}, nil
}

// PeerID returns the relay's libp2p peer ID.
func (r *Relay) PeerID() string { return r.host.ID().String() }

// Addrs returns the relay's listen addresses, each ending in /p2p/<id>:
// what clients pass as bootstrap addresses.
func (r *Relay) Addrs() []string { return r.host.FullAddrs() }

// Close stops the relay. It is safe to call more than once.
func (r *Relay) Close() error { return r.host.Close() }
