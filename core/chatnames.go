package core

import (
	"context"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/chatnet"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/names"
)

// maxNameWants bounds the accounts whose names wait to be looked up.
const maxNameWants = 256

// chatName returns the name to show for an account in messaging: its
// username if the device knows it, else the first digits of its key, and
// then the name is looked up in the background (learnNames).
func (n *Node) chatName(sess *session, k entry.Key) string {
	if name := n.nameOf(k); name != "" {
		return name
	}
	if sess != nil && sess.chat != nil {
		cs := sess.chat
		cs.mu.Lock()
		if cs.nameWants == nil {
			cs.nameWants = make(map[entry.Key]bool)
		}
		if !cs.nameWants[k] && len(cs.nameWants) < maxNameWants {
			cs.nameWants[k] = false // wanted, not asked yet
			select {
			case cs.kick <- struct{}{}:
			default:
			}
		}
		cs.mu.Unlock()
	}
	return "@" + k.Short()
}

// learnNames asks the anchors for the signed name records of the accounts
// chatName could not name, and keeps each that verifies and is the asked
// account's: a member of a group need not be anyone the device follows.
// Each account is asked once per session.
func (n *Node) learnNames(ctx context.Context, sess *session) {
	cs := sess.chat
	cs.mu.Lock()
	var ask []entry.Key
	for k, asked := range cs.nameWants {
		if !asked {
			ask = append(ask, k)
			cs.nameWants[k] = true
		}
	}
	cs.mu.Unlock()
	for _, k := range ask {
		for _, p := range n.connectedAnchors() {
			if n.learnNameFrom(ctx, p, k) {
				break
			}
		}
	}
}

// learnNameFrom asks p for k's name record.
func (n *Node) learnNameFrom(ctx context.Context, p peer.ID, k entry.Key) bool {
	cctx, cancel := context.WithTimeout(ctx, chatTimeout)
	defer cancel()
	raw, err := chatnet.FetchRecord(cctx, n.host, p, k)
	if err != nil {
		return false
	}
	r, err := names.Decode(raw)
	if err != nil || r.Account != k || (names.Validator{}).Validate(names.Key(r.Name), raw) != nil {
		n.plog.Warn(p.String(), "bad name record for a chat member", "err", err)
		return false
	}
	if _, err := n.learnRecord(r); err != nil {
		return false
	}
	return true
}
