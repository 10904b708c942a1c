// Package redial dials peers again after their last connection closed (a
// few attempts, spaced by growing pauses, for a bounded number of peers at
// once), and closes and dials again the connections that stay open but
// broken.
package redial

import (
	"context"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Config is what a Loop needs. Every function must be safe for concurrent
// use.
type Config struct {
	// Waits are the pauses before each attempt.
	Waits []time.Duration
	// Max bounds the peers being dialled again at once; a peer lost
	// while Max are is not dialled again.
	Max int
	// Want reports whether p is worth dialling again.
	Want func(p peer.ID) bool
	// Connected reports whether p is connected: the attempts stop.
	Connected func(p peer.ID) bool
	// Dial makes one attempt.
	Dial func(ctx context.Context, p peer.ID) error

	// Check is how often the connected peers worth keeping are checked
	// for a broken connection; 0 never checks them.
	Check time.Duration
	// Peers returns the connected peers worth keeping.
	Peers func() []peer.ID
	// Broken reports whether the connection to p, though open, does not
	// serve. A peer found broken at two checks in a row is dropped and
	// dialled again, at most once per Quiet.
	Broken func(p peer.ID) bool
	// Drop closes the connections to p.
	Drop func(p peer.ID)
	// Quiet is the least time between two drops of one peer: a
	// connection that breaks again at once is left as it is meanwhile.
	Quiet time.Duration
}

// Loop dials again the peers it is told were lost, and drops and dials
// again those whose connection stays broken, while Run runs.
type Loop struct {
	cfg  Config
	lost chan peer.ID
}

// New returns a loop with cfg; Run starts it.
func New(cfg Config) *Loop {
	return &Loop{cfg: cfg, lost: make(chan peer.ID, max(cfg.Max, 1))}
}

// Lost tells the loop that p's last connection closed. It never blocks:
// when the loop is behind (many peers lost at once), p is not dialled
// again.
func (l *Loop) Lost(p peer.ID) {
	select {
	case l.lost <- p:
	default:
	}
}

// Run dials the lost peers again until ctx ends, and returns once its
// attempts have stopped.
func (l *Loop) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	busy := make(map[peer.ID]bool)
	done := make(chan peer.ID)
	start := func(p peer.ID) {
		if busy[p] || len(busy) >= l.cfg.Max || !l.cfg.Want(p) {
			return
		}
		busy[p] = true
		wg.Go(func() {
			l.redial(ctx, p)
			select {
			case done <- p:
			case <-ctx.Done():
			}
		})
	}
	var tick <-chan time.Time
	if l.cfg.Check > 0 {
		t := time.NewTicker(l.cfg.Check)
		defer t.Stop()
		tick = t.C
	}
	var c checker
	for {
		select {
		case <-ctx.Done():
			return
		case p := <-done:
			delete(busy, p)
		case p := <-l.lost:
			start(p)
		case now := <-tick:
			for _, p := range c.check(l.cfg, now) {
				l.cfg.Drop(p)
				start(p)
			}
		}
	}
}

// redial dials p after each of the waits until it is connected.
func (l *Loop) redial(ctx context.Context, p peer.ID) {
	for _, wait := range l.cfg.Waits {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if l.cfg.Connected(p) {
			return
		}
		if l.cfg.Dial(ctx, p) == nil {
			return
		}
	}
}

// checker remembers, from one check to the next, the peers found broken
// and those dropped within Quiet.
type checker struct {
	broken  map[peer.ID]bool
	dropped map[peer.ID]time.Time
}

// check returns the peers to drop at now: broken now and at the check
// before, and not dropped within Quiet.
func (c *checker) check(cfg Config, now time.Time) []peer.ID {
	for p, at := range c.dropped {
		if now.Sub(at) >= cfg.Quiet {
			delete(c.dropped, p)
		}
	}
	if c.dropped == nil {
		c.dropped = make(map[peer.ID]time.Time)
	}
	var drop []peer.ID
	broken := make(map[peer.ID]bool)
	for _, p := range cfg.Peers() {
		if !cfg.Broken(p) {
			continue
		}
		broken[p] = true
		if _, ok := c.dropped[p]; ok || !c.broken[p] {
			continue
		}
		c.dropped[p] = now
		drop = append(drop, p)
	}
	c.broken = broken
	return drop
}
