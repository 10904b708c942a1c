package names

import (
	"context"

	dhtpb "github.com/libp2p/go-libp2p-kad-dht/pb"
	"github.com/libp2p/go-libp2p/core/network"

	"github.com/skein-p2p/skein/core/internal/ratelimit"
)

// Rate is a token bucket: PerSecond tokens a second, up to Burst at once.
type Rate struct {
	PerSecond float64
	Burst     int
}

// Rates bound the PUT_VALUE requests a DHT server takes, per peer and per
// network (ratelimit.Network: an IPv4 /24, an IPv6 /48). Puts counts every
// PUT_VALUE; Claims counts those of a name the Registry does not hold yet,
// the ones that make it grow. A zero Rate takes DefaultRates' value.
type Rates struct {
	PeerPuts, NetPuts     Rate
	PeerClaims, NetClaims Rate
}

// DefaultRates leave honest use far below them. A device sends a server
// its own record at most every nameDebounce (5 s) after posts and every 10
// minutes otherwise, twice when the server is also its anchor, and lookups
// push the latest record of a name to servers that lack it; a device makes
// a new claim once per account it registers. Many test nodes share
// 127.0.0.0/24, so a network may make 100 claims at once.
var DefaultRates = Rates{
	PeerPuts:   Rate{PerSecond: 5, Burst: 100},
	NetPuts:    Rate{PerSecond: 50, Burst: 1000},
	PeerClaims: Rate{PerSecond: 0.1, Burst: 5},
	NetClaims:  Rate{PerSecond: 0.5, Burst: 100},
}

func (r Rate) or(d Rate) Rate {
	if r.PerSecond <= 0 || r.Burst <= 0 {
		return d
	}
	return r
}

// Sizes of the guard's tables of buckets: past them, the least recently
// used key is forgotten (see ratelimit.Limiter).
const (
	guardPeers    = 10_000
	guardNetworks = 4096
)

// Guard screens the PUT_VALUE requests of a DHT server before kad-dht
// handles them, as its OnRequestHook: it refuses a request over its peer's
// or its network's rate, a record that does not parse or lacks its work,
// and a record the Registry would not admit (another account's record for
// a name it holds, a new name when it is full), by dropping the request's
// record, so that kad-dht's handler fails it and resets the stream. It never blocks. Refusals are logged through a ratelimit.Log.
// A Guard is safe for concurrent use.
type Guard struct {
	reg                   *Registry
	peerPuts, netPuts     *ratelimit.Limiter
	peerClaims, netClaims *ratelimit.Limiter
	log                   *ratelimit.Log
}

// NewGuard returns a Guard for the server that stores names in reg.
func NewGuard(reg *Registry, rates Rates, log *ratelimit.Log) *Guard {
	d := DefaultRates
	bucket := func(r Rate, keys int) *ratelimit.Limiter { return ratelimit.New(r.PerSecond, r.Burst, keys) }
	return &Guard{
		reg:        reg,
		peerPuts:   bucket(rates.PeerPuts.or(d.PeerPuts), guardPeers),
		netPuts:    bucket(rates.NetPuts.or(d.NetPuts), guardNetworks),
		peerClaims: bucket(rates.PeerClaims.or(d.PeerClaims), guardPeers),
		netClaims:  bucket(rates.NetClaims.or(d.NetClaims), guardNetworks),
		log:        log,
	}
}

// Hook is kad-dht's OnRequestHook: it sees every request of a DHT stream,
// from s's peer, before its handler.
func (g *Guard) Hook(ctx context.Context, s network.Stream, req *dhtpb.Message) {
	if req.GetType() != dhtpb.Message_PUT_VALUE || req.GetRecord() == nil {
		return
	}
	c := s.Conn()
	peerKey := c.RemotePeer().String()
	netKey := ratelimit.Network(c.RemoteMultiaddr())
	refuse := func(why string, args ...any) {
		req.Record = nil
		g.log.Info(peerKey, why, args...)
	}
	if !g.peerPuts.Allow(peerKey) {
		refuse("name record refused: the peer's puts are over their rate")
		return
	}
	if netKey != "" && !g.netPuts.Allow(netKey) {
		refuse("name record refused: the network's puts are over their rate", "network", netKey)
		return
	}
	name, err := nameFromKey(string(req.GetRecord().GetKey()))
	if err != nil {
		return // not a name: the validator refuses it
	}
	r, err := parse(req.GetRecord().GetValue())
	if err != nil {
		refuse("name record refused: invalid", "name", name, "err", err)
		return
	}
	if account, held := g.reg.Holds(name); held && account == r.Account {
		return // an update of a claim held
	}
	if err := g.reg.Admit(name, r.Account); err != nil {
		refuse("name record refused", "name", name, "err", err)
		return
	}
	if !g.peerClaims.Allow(peerKey) {
		refuse("name record refused: the peer's new claims are over their rate", "name", name)
		return
	}
	if netKey != "" && !g.netClaims.Allow(netKey) {
		refuse("name record refused: the network's new claims are over their rate", "name", name, "network", netKey)
	}
}
