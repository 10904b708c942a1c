package core

import (
	"context"

	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/chatnet"
)

// relayGroups asks the connected anchors for public groups whose name
// contains query; each answer is checked by chatnet (signed public
// creates whose name holds the query), the member counts are the relays'.
func (n *Node) relayGroups(ctx context.Context, query string, limit int) []GroupResult {
	var out []GroupResult
	seen := make(map[chatlog.GroupID]bool)
	for _, p := range n.connectedAnchors() {
		cctx, cancel := context.WithTimeout(ctx, chatTimeout)
		hits, err := chatnet.SearchGroups(cctx, n.host, p, query, limit)
		cancel()
		if err != nil {
			n.log.Debug("group search failed", "peer", p, "err", err)
			continue
		}
		for _, h := range hits {
			g := h.Create.Group
			if seen[g] {
				continue
			}
			seen[g] = true
			b, err := h.Create.Control()
			if err != nil {
				continue
			}
			out = append(out, GroupResult{ID: g.String(), Name: b.Name, Members: h.Members})
		}
	}
	return out
}
