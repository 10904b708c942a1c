package core

import (
	"context"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/chatnet"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/names"
)

// Name lookups of chat members: at most maxNameWants accounts wait or
// were asked lately; an account is asked again after nameRetry.
const (
	maxNameWants = 256
	nameRetry    = 10 * time.Minute
)

// chatName returns the name to show for an account in messaging: its
// username if the device knows it, else the first digits of its key, and
// then the name is looked up in the background (learnNames).
func (n *Node) chatName(sess *session, k entry.Key) string {
	if name := n.nameOf(k); name != "" {
		return name
	}
	if sess != nil && sess.chat != nil {
		cs := sess.chat
		now := time.Now()
		cs.mu.Lock()
		if cs.nameWants == nil {
			cs.nameWants = make(map[entry.Key]time.Time)
		}
		if len(cs.nameWants) >= maxNameWants {
			for w, at := range cs.nameWants {
				if !at.IsZero() && now.Sub(at) > nameRetry {
					delete(cs.nameWants, w)
				}
			}
		}
		if _, ok := cs.nameWants[k]; !ok && len(cs.nameWants) < maxNameWants {
			cs.nameWants[k] = time.Time{} // wanted, not asked yet
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
	now := time.Now()
	cs.mu.Lock()
	var ask []entry.Key
	for k, at := range cs.nameWants {
		switch {
		case at.IsZero():
			ask = append(ask, k)
			cs.nameWants[k] = now
		case now.Sub(at) > nameRetry:
			delete(cs.nameWants, k) // asked long ago: chatName may want it again
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
	// A name this account pinned to another key stays that key's: a
	// member cannot pass for someone the user already knows.
	if sess := n.session(); sess != nil {
		if pinned, err := n.store.Pinned(sess.key, r.Name); err == nil && pinned != k {
			n.plog.Warn(p.String(), "chat member's name record claims a name pinned to another key", "name", r.Name)
			return false
		}
	}
	if _, err := n.learnRecord(r); err != nil {
		return false
	}
	return true
}
