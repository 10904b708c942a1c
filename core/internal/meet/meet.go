// Package meet connects a device whose account comes back (from power
// off, background mode or a restart) to the peers that should hear from it
// at once: the holders of the account's log that the DHT names, and the
// devices of its latest followers, looking up by name the followers whose
// device did not answer. Each connection makes the peer sync with the
// device, so posts written away reach followers that never went away
// without waiting for their periodic sync.
package meet

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// Follower is a follower of the account and the device its name record
// names.
type Follower struct {
	Name   string
	Key    entry.Key
	Device peer.ID
}

// Config is what a meeting needs. Every function must be safe for
// concurrent use.
type Config struct {
	// Holders returns the peers the DHT names as holders of the
	// account's log.
	Holders func(ctx context.Context) []peer.ID
	// Followers returns up to limit followers whose device is known, the
	// latest first, one per device.
	Followers func(limit int) []Follower
	// MaxFollowers is the limit Followers is called with.
	MaxFollowers int
	// Connected reports whether p is connected already: it is then
	// Nudged (asked to sync) rather than dialled.
	Connected func(p peer.ID) bool
	Nudge     func(p peer.ID)
	// Dial connects to p.
	Dial func(ctx context.Context, p peer.ID) error
	// Workers bounds the dials at once (at least 1).
	Workers int
	// Lookup returns the device the follower's name record names now,
	// for a follower whose device did not answer (a phone on another
	// network, a restart on another port).
	Lookup func(ctx context.Context, f Follower) (peer.ID, bool)
	// MaxLookups bounds the followers looked up in one meeting.
	MaxLookups int
}

// Once meets the holders and followers once, and returns how many it
// reached.
func Once(ctx context.Context, cfg Config) int {
	peers := cfg.Holders(ctx)
	byDevice := make(map[peer.ID]Follower)
	for _, f := range cfg.Followers(cfg.MaxFollowers) {
		byDevice[f.Device] = f
		if !slices.Contains(peers, f.Device) {
			peers = append(peers, f.Device)
		}
	}
	var met atomic.Int64
	var mu sync.Mutex
	var moved []Follower // followers whose device did not answer
	each(ctx, cfg, peers, func(p peer.ID, ok bool) {
		if ok {
			met.Add(1)
			return
		}
		if f, isFollower := byDevice[p]; isFollower {
			mu.Lock()
			moved = append(moved, f)
			mu.Unlock()
		}
	})
	var again []peer.ID
	for _, f := range moved[:min(len(moved), cfg.MaxLookups)] {
		if p, ok := cfg.Lookup(ctx, f); ok && !slices.Contains(again, p) {
			again = append(again, p)
		}
	}
	each(ctx, cfg, again, func(_ peer.ID, ok bool) {
		if ok {
			met.Add(1)
		}
	})
	return int(met.Load())
}

// Retry meets the holders and followers until it reaches one, at most
// tries times, waiting 1, 2, 4, ... s between: coming back online, the DHT
// may not answer yet, or a holder's address may still be in the dial
// backoff of an attempt made while offline.
func Retry(ctx context.Context, cfg Config, tries int) {
	wait := time.Second
	for try := 0; try < tries; try++ {
		if Once(ctx, cfg) > 0 {
			return
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
		wait *= 2
	}
}

// each connects to each of peers, cfg.Workers at a time, and calls done
// with each and whether it is connected now. A peer connected already is
// nudged instead.
func each(ctx context.Context, cfg Config, peers []peer.ID, done func(p peer.ID, ok bool)) {
	sem := make(chan struct{}, max(cfg.Workers, 1))
	var wg sync.WaitGroup
	for _, p := range peers {
		if cfg.Connected(p) {
			cfg.Nudge(p)
			done(p, true)
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			done(p, cfg.Dial(ctx, p) == nil)
		})
	}
	wg.Wait()
}
