package core

import (
	"context"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// A sync request names every author it asks about (40 bytes each), so
// asking every peer for every followed log costs F × peers × 40 bytes per
// pass: 840 KB every 5 minutes for a phone following 1,000 authors with
// 21 peers, and 120 KB a background wake. A node therefore asks each peer
// only for the logs that peer is known or likely to hold (wantsFor).

// wantsFor returns the authors, among authors, whose logs a sync with p
// asks for: every one from a store-and-forward relay that keeps this
// node's follows; otherwise those whose device p is (from their name
// records), those p was seen to hold or follow (hints.Hints), the
// local accounts' own logs (a restore fetches them from anyone), and
// those whose device this node does not know (yet): after a restart,
// until their name records are looked up again, p may be that device.
// The order of authors is kept. An empty result means p is not worth a
// sync.
func (n *Node) wantsFor(p peer.ID, authors []entry.Key) []entry.Key {
	if k, ok := n.keeperPeer(); ok && k.ID == p {
		return authors
	}
	hinted := n.hints.Of(p)
	var out []entry.Key
	for _, a := range authors {
		device, known := n.deviceOf(a)
		if _, hint := hinted[a]; hint || device == p || !known || n.store.IsLocal(a) {
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
