package chat

import (
	"bytes"
	"slices"

	"github.com/skein-p2p/skein/core/internal/chatlog"
)

// PublicGroup is a public group an engine holds, as a relay's group search
// answers it: the signed create entry (which carries the name) and the
// number of members the engine's fold counts.
type PublicGroup struct {
	Create  *chatlog.Entry
	Members int
}

// PublicGroups returns up to limit public groups whose create entry's name
// match accepts, fewest members last, then by group ID. Private groups and
// DMs are never returned.
func (e *Engine) PublicGroups(match func(name string) bool, limit int) []PublicGroup {
	e.mu.Lock()
	var out []PublicGroup
	for _, g := range e.groups {
		if g.fold == nil || !g.fold.created || !g.fold.public() || g.fold.dm {
			continue
		}
		for _, c := range g.ctl {
			if c.Kind != chatlog.KindCreate {
				continue
			}
			b, err := c.Control()
			if err != nil || b.Flags&chatlog.FlagPublic == 0 || !match(b.Name) {
				break
			}
			members, _ := g.fold.count()
			out = append(out, PublicGroup{Create: c, Members: members})
			break
		}
	}
	e.mu.Unlock()
	slices.SortFunc(out, func(a, b PublicGroup) int {
		if a.Members != b.Members {
			return b.Members - a.Members
		}
		return bytes.Compare(a.Create.Group[:], b.Create.Group[:])
	})
	if len(out) > limit {
		out = out[:max(limit, 0)]
	}
	return out
}
