package core

import (
	"context"
	"slices"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/meet"
	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/store"
)

// meetTries bounds meetHolders' attempts: 1+2+4+8 s of waiting at most.
const meetTries = 4

// maxMeetFollowers bounds the followers, beyond the holders the DHT names,
// that a returning account connects to. GossipSub exchanges no peers
// (p2p.New), so these connections are how followers that never went away
// learn at once of what the account posted away: each makes the follower
// sync with this device (connected). 128 covers every follower of 99 % of
// the authors in the 500-node simulation's power-law graph, and keeps a
// return under the connection manager's high-water mark (192); with 32, an
// author of 85 followers left 9 of them without its post written in
// background (the 100-node run). A more popular account's other followers
// get it from the followers they hold the log with, or at their periodic
// sync.
const maxMeetFollowers = 128

// meetWorkers bounds meetHolders' dials at once.
const meetWorkers = 4

// meetHolders connects to the holders the DHT names for the account's own
// log and to the devices of up to maxMeetFollowers of its followers, the
// latest first, looking up by name up to maxNameLookups followers whose
// device does not answer (meet.Retry). Connecting prompts them to deliver
// the notices they queued while this device was away (follows, replies),
// and to sync what it posted away.
func (n *Node) meetHolders(ctx context.Context, sess *session) {
	meet.Retry(ctx, meet.Config{
		Holders:      func(ctx context.Context) []peer.ID { return n.findHolders(ctx, sess.key) },
		Followers:    func(limit int) []meet.Follower { return n.recentFollowerDevices(sess.key, limit) },
		MaxFollowers: maxMeetFollowers,
		Connected:    n.reachable,
		Nudge:        n.requestSync,
		Dial: func(ctx context.Context, p peer.ID) error {
			return n.redialPeer(ctx, p, dialTimeout)
		},
		Workers: meetWorkers,
		Lookup: func(ctx context.Context, f meet.Follower) (peer.ID, bool) {
			r, ok := n.lookupAccount(ctx, f.Name, f.Key)
			if !ok {
				return "", false
			}
			p, err := n.recordPeer(r)
			return p, err == nil && p != n.host.ID()
		},
		MaxLookups: maxNameLookups,
	}, meetTries)
}

// recentFollowerDevices returns up to limit followers of account whose
// device is known, those who followed it last first, one per device: the
// device of a follower's name record, learned since the node started (an
// account it follows back) or kept from its follow notice
// (keepFollowerRecord).
func (n *Node) recentFollowerDevices(account entry.Key, limit int) []meet.Follower {
	fs, err := n.store.Followers(account)
	if err != nil {
		return nil
	}
	slices.SortStableFunc(fs, func(a, b store.Follower) int { return b.Since.Compare(a.Since) })
	var out []meet.Follower
	for _, f := range fs {
		if len(out) == limit {
			break
		}
		p, ok := n.deviceOf(f.Key)
		if !ok {
			p, ok = n.keptDevice(f.Key)
		}
		if ok && !slices.ContainsFunc(out, func(d meet.Follower) bool { return d.Device == p }) {
			out = append(out, meet.Follower{Name: f.Name, Key: f.Key, Device: p})
		}
	}
	return out
}

// keptDevice returns the device of follower that the name record its
// follow notice brought names (keepFollowerRecord), if one was kept. It
// is not added to the devices of accounts (n.devices): those are the
// accounts this node resolved, which every inbound connection is checked
// against (important), and a popular account has thousands of followers.
func (n *Node) keptDevice(follower entry.Key) (peer.ID, bool) {
	raw, err := n.store.FollowerRecord(follower)
	if err != nil {
		return "", false
	}
	r, err := names.Decode(raw)
	if err != nil || r.Account != follower {
		return "", false
	}
	p, err := n.recordPeer(r)
	return p, err == nil && p != n.host.ID()
}
