package core

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	record "github.com/libp2p/go-libp2p-record"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/store"
)

// Names: an account's username is a claim, a record signed by the account
// key with proof of work, stored by the DHT servers under the name's key.
// A server keeps the first claim it stores (names.Registry); the relays and
// bootstrap peers the user configured are anchors, asked directly on every
// publication and lookup, and their claim decides a lookup (names.Resolve).

// anchorWait bounds the wait for connected anchors to be identified.
const anchorWait = 5 * time.Second

// anchors returns the peers the user configured, bootstrap peers and
// relays: the servers whose claims decide a lookup.
func (n *Node) anchors() []peer.ID {
	var ids []peer.ID
	for _, ai := range slices.Concat(n.boot, n.relays) {
		if !slices.Contains(ids, ai.ID) {
			ids = append(ids, ai.ID)
		}
	}
	return ids
}

// anchorPeers returns the anchors connected now that serve the DHT. It
// waits, within ctx and anchorWait, for connected anchors whose protocols
// are not known yet: right after connecting, identify may still run.
func (n *Node) anchorPeers(ctx context.Context) []peer.ID {
	ctx, cancel := context.WithTimeout(ctx, anchorWait)
	defer cancel()
	for {
		var servers []peer.ID
		pending := false
		for _, p := range n.anchors() {
			if n.host.Network().Connectedness(p) != network.Connected {
				continue
			}
			protos, err := n.host.Peerstore().GetProtocols(p)
			switch {
			case err != nil || len(protos) == 0:
				pending = true
			case slices.Contains(protos, dhtProtocol):
				servers = append(servers, p)
			}
		}
		if !pending {
			return servers
		}
		select {
		case <-ctx.Done():
			return servers
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// claimResult is what the anchors said to a name record put to them.
type claimResult struct {
	tried    int       // anchors asked
	accepted int       // anchors that stored it
	holder   entry.Key // another account whose claim an anchor holds, if taken
	taken    bool
	err      error // the first failure
}

// putAnchors puts a name record directly to each connected anchor. An
// anchor that refuses it is asked for its own record of the name, to tell
// a name taken by another account (the refusal itself carries no reason)
// from a failure.
func (n *Node) putAnchors(ctx context.Context, name string, value []byte) claimResult {
	key := names.Key(name)
	rec := record.MakePutRecord(key, value)
	own, err := names.Decode(value)
	if err != nil {
		return claimResult{err: err}
	}
	var (
		mu  sync.Mutex
		res claimResult
		wg  sync.WaitGroup
	)
	anchors := n.anchorPeers(ctx)
	res.tried = len(anchors)
	for _, p := range anchors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, cancel := context.WithTimeout(ctx, dialTimeout)
			defer cancel()
			err := n.dhtMsg.PutValue(pctx, p, rec)
			var holder *names.Record
			if err != nil {
				if got, _, gerr := n.dhtMsg.GetValue(pctx, p, key); gerr == nil && got != nil {
					if r, derr := names.Decode(got.GetValue()); derr == nil && r.Name == name {
						if r.Account == own.Account {
							err = nil // it holds our claim: this record, or a newer one
						} else {
							holder = &r
						}
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				res.accepted++
			case holder != nil:
				res.taken, res.holder = true, holder.Account
				n.log.Warn("name claimed by another key at an anchor", "name", name, "anchor", p, "holder", holder.Account.Short())
			default:
				if res.err == nil {
					res.err = fmt.Errorf("anchor %s: %w", p.ShortString(), err)
				}
				n.log.Debug("name record not put to an anchor", "name", name, "anchor", p, "err", err)
			}
		}()
	}
	wg.Wait()
	return res
}

// waitRouting waits, within ctx, until the DHT routing table has a peer,
// as long as a connected peer may still enter it: right after connecting,
// identify may not have finished yet.
func (n *Node) waitRouting(ctx context.Context) {
	for n.host.DHT.RoutingTable().Size() == 0 && n.dhtPeerPending() {
		select {
		case <-ctx.Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// dhtPeerPending reports whether a connected peer serves the DHT or has not
// been identified yet. Peers in DHT client mode never enter the routing
// table: with only those connected, there is nothing to wait for.
func (n *Node) dhtPeerPending() bool {
	for _, p := range n.host.Network().Peers() {
		protos, err := n.host.Peerstore().GetProtocols(p)
		if err != nil || len(protos) == 0 || slices.Contains(protos, dhtProtocol) {
			return true
		}
	}
	return false
}

// publishName signs and stores the account's name record in the DHT and at
// each connected anchor, and reports whether that reached the network.
// Errors are logged: the record is republished periodically.
func (n *Node) publishName(ctx context.Context, sess *session) bool {
	// Publications in turn: the DHT stores a record locally before sending
	// it, so one cut short would leave a newer local record that makes a
	// concurrent, older one fail ("old record") without reaching anyone.
	sess.publishMu.Lock()
	defer sess.publishMu.Unlock()
	version := sess.appended.Load()
	val, err := n.ownRecord(sess)
	if err != nil {
		n.log.Warn("publish name", "err", err)
		return false
	}
	// Kept to go with the account's notices sent while it is logged out.
	if err := n.store.PutOwnRecord(sess.key, val); err != nil {
		n.log.Warn("name record not kept", "err", err)
	}
	anchored := n.putAnchors(ctx, sess.name, val)
	if anchored.accepted > 0 { // they hold the record the profile needs
		n.publishOwnProfile(ctx, sess)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	n.waitRouting(wctx)
	cancel()
	err = n.host.DHT.PutValue(ctx, names.Key(sess.name), val)
	if err != nil && anchored.accepted == 0 {
		n.log.Warn("name record not published", "name", sess.name, "err", err, "anchors", anchored.tried)
		return false
	}
	sess.published.Store(version)
	n.log.Debug("name record published", "name", sess.name, "anchors", anchored.accepted, "dht_err", err)
	return true
}

// lookupName asks for every record claiming name: each connected anchor
// directly, the node's own store, and each of the servers closest to the
// name's key, found by a DHT walk. It resolves them with names.Resolve: the
// anchors' claim decides; without one, the account all records name. It
// returns ErrNameConflict with the claims found when nothing decides, and
// ErrUnknownName if nobody claims the name. The record decided on is
// learnt (device, addresses, latest seq).
func (n *Node) lookupName(ctx context.Context, name string) (names.Resolution, error) {
	if err := entry.ValidName(name); err != nil {
		return names.Resolution{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	key := names.Key(name)
	anchors := n.anchorPeers(ctx)
	n.waitRouting(ctx)
	defer n.cfg.sim.lookupDone("name", time.Now())

	var (
		mu              sync.Mutex
		anchored, found [][]byte
		wg              sync.WaitGroup
	)
	add := func(anchor bool, v []byte) {
		mu.Lock()
		defer mu.Unlock()
		if anchor {
			anchored = append(anchored, v)
		} else {
			found = append(found, v)
		}
	}
	ask := func(p peer.ID, anchor bool) {
		wg.Add(1)
		go func() { // the peer's own copy, to see conflicts
			defer wg.Done()
			if rec, _, err := n.dhtMsg.GetValue(ctx, p, key); err == nil && rec != nil {
				add(anchor, rec.GetValue())
			}
		}()
	}
	for _, p := range anchors {
		ask(p, true)
	}
	if v, ok := n.names.Record(name); ok { // this node's own store
		add(false, v)
	}
	// Not kad-dht's GetValue: after a search it puts the value it found
	// best (the first account it heard from) to the servers that lack it,
	// which would spread an attacker's claim to fresh servers.
	if closest, err := n.host.DHT.GetClosestPeers(ctx, key); err == nil {
		for _, p := range closest {
			if !slices.Contains(anchors, p) {
				ask(p, false)
			}
		}
	}
	wg.Wait()

	res, err := names.Resolve(key, anchored, found)
	switch {
	case errors.Is(err, names.ErrNotFound):
		if len(n.host.Network().Peers()) == 0 {
			return res, fmt.Errorf("%w: cannot look up %s", ErrOffline, name)
		}
		return res, fmt.Errorf("%w: %s", ErrUnknownName, name)
	case errors.Is(err, names.ErrConflict):
		how := "the records found"
		if res.Anchored {
			how = "your relays"
		}
		return res, fmt.Errorf("%w: %s is claimed by %d keys and %s disagree", ErrNameConflict, name, len(res.Claims), how)
	case err != nil:
		return res, err
	}
	if _, err := n.learnRecord(res.Record); err != nil {
		return res, err
	}
	if len(res.Claims) > 1 {
		n.log.Info("name contested; the anchors decided", "name", name, "key", res.Record.Account.Short(), "claims", len(res.Claims))
	}
	return res, nil
}

// lookupAccount looks name up for a known account key, such as a followed
// author's: it returns the account's latest record found, whether the
// lookup decided for it or found it among contested claims, and learns it.
func (n *Node) lookupAccount(ctx context.Context, name string, account entry.Key) (names.Record, bool) {
	res, err := n.lookupName(ctx, name)
	if err != nil && !errors.Is(err, ErrNameConflict) {
		return names.Record{}, false
	}
	r, ok := res.Claim(account)
	if ok && err != nil {
		if _, err := n.learnRecord(r); err != nil {
			return names.Record{}, false
		}
	}
	return r, ok
}

// resolve maps a name to an account key for the logged-in account: the key
// pinned on first use if there is one, else the lookup's answer, which is
// then pinned. A pinned name reports ErrNameConflict, with the pinned key,
// when the lookup decided for another key or found claims that do not
// include the pinned one.
func (n *Node) resolve(ctx context.Context, sess *session, name string) (entry.Key, error) {
	if name == sess.name {
		return sess.key, nil
	}
	pinned, err := n.store.Pinned(sess.key, name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return entry.Key{}, err
	}
	havePin := err == nil
	if r, ok := n.cfg.sim.directory(name); ok && !havePin {
		// A simulation's warm start: the name as an earlier lookup
		// would have found it.
		if _, err := n.learnRecord(r); err != nil {
			return entry.Key{}, err
		}
		return r.Account, n.store.Pin(sess.key, name, r.Account)
	}
	res, err := n.lookupName(ctx, name)
	if havePin {
		_, claims := res.Claim(pinned)
		switch {
		case err == nil && res.Record.Account != pinned:
			return pinned, fmt.Errorf("%w: %s is pinned to %s but the network says %s", ErrNameConflict, name, pinned.Short(), res.Record.Account.Short())
		case errors.Is(err, ErrNameConflict) && !claims:
			return pinned, fmt.Errorf("%w: %s is pinned to %s, which no longer claims it", ErrNameConflict, name, pinned.Short())
		case errors.Is(err, ErrNameConflict):
			r, _ := res.Claim(pinned)
			n.learnRecord(r) // the pinned account's own record says where it is
		}
		return pinned, nil // lookups may fail offline; the pin stands
	}
	if err != nil {
		return entry.Key{}, err
	}
	if err := n.store.Pin(sess.key, name, res.Record.Account); err != nil {
		return entry.Key{}, err
	}
	return res.Record.Account, nil
}

// ownRecord signs a fresh name record of the session's account: its
// device, addresses and latest seq, with an update time later than that of
// any record signed before, and the claim's work.
func (n *Node) ownRecord(sess *session) ([]byte, error) {
	head, err := n.store.Head(sess.key)
	if err != nil {
		return nil, err
	}
	sess.mu.Lock()
	updated := max(uint64(time.Now().UnixMilli()), sess.lastUpdated+1)
	sess.lastUpdated = updated
	sess.mu.Unlock()
	return names.Sign(sess.priv, names.Record{
		Name:    sess.name,
		Nonce:   sess.nonce,
		Created: uint64(sess.created.UnixMilli()),
		Updated: updated,
		HeadSeq: head.Seq,
		PeerID:  []byte(n.host.ID()),
		Addrs:   n.recordAddrs(),
	})
}

// recordAddrs returns the addresses a name record of this device carries.
func (n *Node) recordAddrs() [][]byte {
	var addrs [][]byte
	for _, a := range n.host.Addrs() {
		if len(addrs) == names.MaxAddrs {
			break
		}
		addrs = append(addrs, a.Bytes())
	}
	return addrs
}

// workMeta is the store setting that keeps the work nonce of an account's
// name claim: the account key, then the nonce.
func workMeta(name string) string { return "name-work/" + name }

// nameWork returns the work nonce for account's claim of name: the one
// kept in the store if it is valid, else a new one (about 2^20 hashes),
// which is kept.
func (n *Node) nameWork(account entry.Key, name string) (uint64, error) {
	if v, err := n.store.Meta(workMeta(name)); err == nil && len(v) == 40 && entry.Key(v[:32]) == account {
		if nonce := binary.BigEndian.Uint64(v[32:]); names.HasWork(account, name, nonce) {
			return nonce, nil
		}
	}
	nonce := names.Work(account, name)
	return nonce, n.keepWork(account, name, nonce)
}

// keepWork stores the work nonce of account's claim of name.
func (n *Node) keepWork(account entry.Key, name string, nonce uint64) error {
	return n.store.PutMeta(workMeta(name), binary.BigEndian.AppendUint64(bytes.Clone(account[:]), nonce))
}

// unclaimed reports whether lookupName's error leaves the name free to claim
// here: nobody claims it, or no peer could be asked (offline, the claim is
// published once the node is online).
func unclaimed(err error) bool {
	return errors.Is(err, ErrUnknownName) || errors.Is(err, ErrOffline)
}
