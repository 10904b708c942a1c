package p2p

import (
	"github.com/libp2p/go-libp2p/core/connmgr"
	"github.com/libp2p/go-libp2p/core/metrics"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/transport"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
)

// SimHooks are what a simulation (core's sim tests) sets on a host to
// measure it and to run many hosts in one process. A nil *SimHooks, the
// production case, costs nothing; so does every nil field.
type SimHooks struct {
	// Reporter, if set, counts the bytes of every stream, by protocol
	// (swarm.WithMetrics). It is called on every stream read and write.
	Reporter metrics.Reporter
	// Tracer, if set, sees every GossipSub RPC sent and received
	// (pubsub.WithRawTracer); it must not block.
	Tracer pubsub.RawTracer
	// Transports, if set, replaces TCP and QUIC: it returns the transports
	// the host listens and dials with, built on the host's upgrader,
	// resource manager and gater (an in-memory transport, say).
	Transports func(up transport.Upgrader, rm network.ResourceManager, gater connmgr.ConnectionGater) ([]transport.Transport, error)
	// Unlimited gives the host a resource manager without limits: many
	// hosts in one process would otherwise hit the per-process defaults
	// (the auto-scaled limits are sized for a whole machine).
	Unlimited bool
	// PeerExchange turns GossipSub's peer exchange on, sending and
	// accepting it (an experiment: what it costs and what it brings; off
	// in Skein).
	PeerExchange bool
}

func (s *SimHooks) peerExchange() bool { return s != nil && s.PeerExchange }

// limiter returns the resource manager's limiter for hooks s (nil: the
// production one).
func (s *SimHooks) limiter() rcmgr.Limiter {
	if s != nil && s.Unlimited {
		return rcmgr.NewFixedLimiter(rcmgr.InfiniteLimits)
	}
	return rcmgr.NewFixedLimiter(rcmgr.DefaultLimits.AutoScale())
}
