package core

import (
	"crypto/ed25519"
	"crypto/rand"
	"time"

	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/p2p"
)

// simHooks are a simulation's hooks on a node or relay (sim_test.go): what
// it measures and the in-memory network it runs on. Config.sim and
// RelayConfig.sim are nil outside simulations, where they cost nothing.
type simHooks struct {
	// host holds the libp2p host's hooks: byte counts per protocol,
	// GossipSub's RPCs, the transports, unlimited resources.
	host *p2p.SimHooks
	// lookup, if set, is told how long each DHT lookup took: kind
	// "providers" for a search for the holders of a log, "name" for a
	// name lookup.
	lookup func(kind string, took time.Duration)
	// account, if set, gives Register the key of a new account and the
	// proof of work of its claim of name, done beforehand: the work of
	// hundreds of claims would take most of a simulation's time.
	account func(name string) (ed25519.PrivateKey, uint64)
	// names, if set, answers for the DHT when the logged-in account
	// resolves a name it has not pinned (Follow): the record a lookup
	// would find. A simulation's warm start, as if every follow had been
	// looked up in an earlier session: thousands of lookups at once would
	// otherwise take most of its time.
	names func(name string) (names.Record, bool)
}

// directory returns the record the simulation gives for name, if any.
func (s *simHooks) directory(name string) (names.Record, bool) {
	if s == nil || s.names == nil {
		return names.Record{}, false
	}
	return s.names(name)
}

// newAccount returns a new account key and the work of its claim of name:
// the simulation's, or a random key and the work done now.
func (s *simHooks) newAccount(name string) (ed25519.PrivateKey, uint64, error) {
	if s != nil && s.account != nil {
		priv, nonce := s.account(name)
		return priv, nonce, nil
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, 0, err
	}
	return priv, names.Work(keyOf(priv), name), nil
}

// hostHooks returns the host's hooks, nil without a simulation.
func (s *simHooks) hostHooks() *p2p.SimHooks {
	if s == nil {
		return nil
	}
	return s.host
}

// lookupDone reports a DHT lookup of kind started at start, if a
// simulation asked.
func (s *simHooks) lookupDone(kind string, start time.Time) {
	if s != nil && s.lookup != nil {
		s.lookup(kind, time.Since(start))
	}
}
