package core

import (
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/chat"
	"github.com/skein-p2p/skein/core/internal/chatcrypt"
	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/chatnet"
	"github.com/skein-p2p/skein/core/internal/entry"
)

// nodeChat answers /skein/chat/1.0.0 for a node: from the logged-in
// account's engine, and nothing while nobody is logged in. Peers push to it
// the entries of the account's groups, DMs and invitations addressed to it,
// and fetch from it what its groups hold: any member serves its groups,
// which is what lets members catch up from each other.
type nodeChat struct{ n *Node }

func (c nodeChat) engine() *chat.Engine {
	sess := c.n.session()
	if sess == nil || sess.chat == nil {
		return nil
	}
	return sess.chat.eng
}

func (c nodeChat) After(g chatlog.GroupID, have map[entry.Key]uint64, maxEntries, maxBytes int) ([]*chatlog.Entry, bool) {
	if e := c.engine(); e != nil {
		return e.After(g, have, maxEntries, maxBytes)
	}
	return nil, false
}

func (c nodeChat) ByID(g chatlog.GroupID, ids []chatlog.ID) []*chatlog.Entry {
	if e := c.engine(); e != nil {
		return e.ByID(g, ids)
	}
	return nil
}

func (c nodeChat) Known(g chatlog.GroupID) bool {
	if e := c.engine(); e != nil {
		return len(e.Frontier(g)) > 0
	}
	return false
}

func (c nodeChat) Prekey(account entry.Key) (*chatcrypt.PrekeyRecord, bool) {
	sess := c.n.session()
	if sess == nil || sess.chat == nil {
		return nil, false
	}
	if account == sess.key {
		r, err := sess.chat.eng.OwnPrekey()
		return r, err == nil
	}
	return nil, false // a device serves only its own account's key
}

// Record answers with the logged-in account's own name record: a device
// vouches for its account only.
func (c nodeChat) Record(account entry.Key) ([]byte, bool) {
	sess := c.n.session()
	if sess == nil || account != sess.key {
		return nil, false
	}
	r, err := c.n.store.OwnRecord(account)
	return r, err == nil && len(r) > 0
}

// PublicGroups is a relay's search; a device answers none.
func (c nodeChat) PublicGroups(string, int) []chatnet.GroupHit { return nil }

func (c nodeChat) Push(from peer.ID, g chatlog.GroupID, es []*chatlog.Entry) (int, error) {
	sess := c.n.session()
	if sess == nil || sess.chat == nil {
		return 0, nil
	}
	// The engine keeps what it has reason to (the account's groups, a DM
	// or an invitation for it, taken first so that the rest of their
	// group in the same push is kept) and drops the rest, counted.
	res := c.n.ingestChat(sess, from, es)
	return res.Stored + res.Duplicate, nil
}

func (c nodeChat) PutPrekey(from peer.ID, r *chatcrypt.PrekeyRecord) error {
	return nil // devices keep the prekeys they fetch, not what is pushed
}
