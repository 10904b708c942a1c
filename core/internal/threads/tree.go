package threads

import (
	"cmp"
	"slices"
	"strings"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// Branch is a reply in a tree Build makes, with the replies to it.
type Branch struct {
	Entry   *entry.Entry
	Replies []Branch
}

// Build makes the tree of replies under the post root. kids returns the
// replies to a post that the caller knows, at most limit of them counted
// from what is left of the tree's budget, in any order and possibly twice;
// skip drops one (a muted author's), with the replies under it. Each
// level is oldest first (equal times by ID); the tree holds at most
// maxReplies replies and maxDepth levels. A level takes its share of the
// budget before the levels under it.
func Build(root entry.ID, kids func(id entry.ID, limit int) []*entry.Entry, skip func(*entry.Entry) bool, maxReplies, maxDepth int) []Branch {
	budget := maxReplies
	var build func(id entry.ID, depth int) []Branch
	build = func(id entry.ID, depth int) []Branch {
		if depth >= maxDepth || budget <= 0 {
			return nil
		}
		es := slices.DeleteFunc(kids(id, budget), skip)
		slices.SortFunc(es, func(a, b *entry.Entry) int {
			return cmp.Or(a.Time.Compare(b.Time), strings.Compare(a.ID().String(), b.ID().String()))
		})
		es = slices.CompactFunc(es, func(a, b *entry.Entry) bool { return a.ID() == b.ID() })
		var out []Branch
		for _, e := range es {
			if budget == 0 {
				break
			}
			budget--
			out = append(out, Branch{Entry: e})
		}
		for i := range out {
			out[i].Replies = build(out[i].Entry.ID(), depth+1)
		}
		return out
	}
	return build(root, 0)
}
