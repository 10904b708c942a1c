// Package hints remembers which peers were seen to hold, or to follow,
// which logs, so that a node asks each peer in a sync only for the logs it
// is likely to hold (docs/ARCHITECTURE.md, "Sync").
package hints

import (
	"sync"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// Hints remembers which peers were seen to hold, or to follow, which
// logs: a peer that subscribed to an author's topic, sent one of its
// entries by gossip or notice, or was named a holder by the DHT. The zero
// value is ready to use; it is safe for concurrent use and bounded: past
// MaxPeers peers, or MaxAuthors authors for one peer, an arbitrary
// one is forgotten.
type Hints struct {
	mu    sync.Mutex
	peers map[peer.ID]map[entry.Key]struct{}
}

// Bounds of a Hints.
const (
	MaxPeers   = 1024 // peers remembered
	MaxAuthors = 4096 // authors remembered for one peer
)

// Add records that p holds or follows author's log.
func (h *Hints) Add(p peer.ID, author entry.Key) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.peers == nil {
		h.peers = make(map[peer.ID]map[entry.Key]struct{})
	}
	as, ok := h.peers[p]
	if !ok {
		if len(h.peers) >= MaxPeers {
			for q := range h.peers {
				delete(h.peers, q)
				break
			}
		}
		as = make(map[entry.Key]struct{})
		h.peers[p] = as
	}
	if _, ok := as[author]; !ok && len(as) >= MaxAuthors {
		for a := range as {
			delete(as, a)
			break
		}
	}
	as[author] = struct{}{}
}

// Of returns a copy of the authors recorded for p.
func (h *Hints) Of(p peer.ID) map[entry.Key]struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[entry.Key]struct{}, len(h.peers[p]))
	for a := range h.peers[p] {
		out[a] = struct{}{}
	}
	return out
}
