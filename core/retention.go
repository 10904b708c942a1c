package core

import (
	"context"
	"time"

	"github.com/skein-p2p/skein/core/internal/store"
)

// Retention says which entries of other accounts a node keeps. The
// account's own entries are always kept. Zero fields mean the default.
type Retention struct {
	// KeepPerAuthor is how many of each followed author's newest entries
	// are kept. Default 1,000.
	KeepPerAuthor int
	// KeepFor keeps every entry younger than this too. Default 30 days.
	KeepFor time.Duration
	// UnfollowGrace is how long the log of an author nobody on this
	// device follows any more is kept. Default 7 days.
	UnfollowGrace time.Duration
}

const (
	gcEvery  = time.Minute // how often a garbage-collection pass starts
	gcBudget = 512         // entries deleted per step of a pass
	gcPause  = 50 * time.Millisecond
)

func (r Retention) store() store.Retention {
	d := store.DefaultRetention()
	if r.KeepPerAuthor > 0 {
		d.KeepPerAuthor = r.KeepPerAuthor
	}
	if r.KeepFor > 0 {
		d.KeepFor = r.KeepFor
	}
	if r.UnfollowGrace > 0 {
		d.UnfollowGrace = r.UnfollowGrace
	}
	return d
}

// gcLoop applies the retention policy: every gcEvery a pass over the held
// logs, in steps of at most gcBudget deletions with a pause between them,
// so that it never holds up posting or syncing for long.
func (n *Node) gcLoop(ctx context.Context) {
	every := gcEvery
	if n.cfg.gcInterval > 0 {
		every = n.cfg.gcInterval
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n.gcPass(ctx)
	}
}

// gcPass runs one garbage-collection pass.
func (n *Node) gcPass(ctx context.Context) {
	policy := n.cfg.Retention.store()
	for done := false; !done; {
		removed, d, err := n.store.GC(ctx, policy, time.Now(), gcBudget)
		if err != nil {
			if ctx.Err() == nil {
				n.log.Warn("garbage collection failed", "err", err)
			}
			break
		}
		done = d
		if done {
			n.pruneProfiles() // of the logs just dropped, among others
		}
		if removed > 0 {
			n.log.Debug("garbage collected", "entries", removed)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(gcPause):
		}
	}
}
