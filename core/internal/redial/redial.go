// Package redial dials peers again after their last connection closed: a
// few attempts, spaced by growing pauses, for a bounded number of peers at
// once.
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
}

// Loop dials again the peers it is told were lost, while Run runs.
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
	for {
		select {
		case <-ctx.Done():
			return
		case p := <-done:
			delete(busy, p)
		case p := <-l.lost:
			if busy[p] || len(busy) >= l.cfg.Max || !l.cfg.Want(p) {
				continue
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
