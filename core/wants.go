package core

import (
	"context"
	"sync"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// A sync request names every author it asks about (40 bytes each), so
// asking every peer for every followed log costs F × peers × 40 bytes per
// pass: 840 KB every 5 minutes for a phone following 1,000 authors with
// 21 peers, and 120 KB a background wake. A node therefore asks each peer
// only for the logs that peer is known or likely to hold (wantsFor).

// holderHints remembers which peers were seen to hold, or to follow, which
// logs: a peer that subscribed to an author's topic, sent one of its
// entries by gossip or notice, or was named a holder by the DHT. The zero
// value is ready to use; it is safe for concurrent use and bounded: past
// maxHintPeers peers, or maxHintAuthors authors for one peer, an arbitrary
// one is forgotten.
type holderHints struct {
	mu    sync.Mutex
	peers map[peer.ID]map[entry.Key]struct{}
}

const (
	maxHintPeers   = 1024
	maxHintAuthors = 4096
)

// add records that p holds or follows author's log.
func (h *holderHints) add(p peer.ID, author entry.Key) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.peers == nil {
		h.peers = make(map[peer.ID]map[entry.Key]struct{})
	}
	as, ok := h.peers[p]
	if !ok {
		if len(h.peers) >= maxHintPeers {
			for q := range h.peers {
				delete(h.peers, q)
				break
			}
		}
		as = make(map[entry.Key]struct{})
		h.peers[p] = as
	}
	if _, ok := as[author]; !ok && len(as) >= maxHintAuthors {
		for a := range as {
			delete(as, a)
			break
		}
	}
	as[author] = struct{}{}
}

// of returns a copy of the authors recorded for p.
func (h *holderHints) of(p peer.ID) map[entry.Key]struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[entry.Key]struct{}, len(h.peers[p]))
	for a := range h.peers[p] {
		out[a] = struct{}{}
	}
	return out
}

// wantsFor returns the authors, among authors, whose logs a sync with p
// asks for: every one from a store-and-forward relay that keeps this
// node's follows; otherwise those whose device p is (from their name
// records), those p was seen to hold or follow (holderHints), the
// local accounts' own logs (a restore fetches them from anyone), and
// those whose device this node does not know (yet): after a restart,
// until their name records are looked up again, p may be that device.
// The order of authors is kept. An empty result means p is not worth a
// sync.
func (n *Node) wantsFor(p peer.ID, authors []entry.Key) []entry.Key {
	if k, ok := n.keeperPeer(); ok && k.ID == p {
		return authors
	}
	hinted := n.hints.of(p)
	n.mu.Lock()
	device := make(map[entry.Key]bool, len(n.devices)) // author → whether p is its device
	for a, q := range n.devices {
		device[a] = q == p
	}
	n.mu.Unlock()
	var out []entry.Key
	for _, a := range authors {
		isDevice, known := device[a]
		if _, hint := hinted[a]; hint || isDevice || !known || n.store.IsLocal(a) {
			out = append(out, a)
		}
	}
	return out
}

// syncWanted syncs with p the logs among authors worth asking it for
// (wantsFor), if there are any.
func (n *Node) syncWanted(ctx context.Context, p peer.ID, authors []entry.Key) (int, error) {
	as := n.wantsFor(p, authors)
	if len(as) == 0 {
		return 0, nil
	}
	return n.syncPeer(ctx, p, as)
}
