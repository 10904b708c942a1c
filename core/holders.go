package core

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ipfs/go-cid"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multihash"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
	"github.com/skein-p2p/skein/core/internal/syncproto"
)

const (
	// announceEvery is how often each held log is announced again. Provider
	// records live 48 hours on DHT servers.
	announceEvery = 6 * time.Hour
	// announceSpacing is the least time between two announcements, so a
	// node holding many logs never floods the DHT.
	announceSpacing = 2 * time.Second
	// maxHolders bounds how many holders of one log a node asks for.
	maxHolders = 8
	// findTimeout bounds one provider lookup.
	findTimeout = 10 * time.Second
)

// Holders asks the DHT which devices hold a copy of the signed-in
// account's log: at most 8, within 10 seconds. Each is named by the
// follower that uses it when this node knows that follower's device. It
// fails with ErrNotLoggedIn, or ErrOffline when the node has no peer to
// ask (power off, no network, bootstrap peers unreachable).
func (n *Node) Holders(ctx context.Context) ([]Holder, error) {
	if err := n.alive(); err != nil {
		return nil, err
	}
	sess := n.session()
	if sess == nil {
		return nil, ErrNotLoggedIn
	}
	if len(n.host.Network().Peers()) == 0 {
		return nil, fmt.Errorf("core: holders: %w", ErrOffline)
	}
	ids := n.findHolders(ctx, sess.key)
	names := n.followerDevices(ctx, sess.key, ids)
	hs := []Holder{}
	for _, p := range ids {
		hs = append(hs, Holder{PeerID: p.String(), Account: names[p], Online: n.reachable(p)})
	}
	return hs, ctx.Err()
}

// maxNameLookups bounds the followers whose name records Holders looks up
// to name the devices it found.
const maxNameLookups = 16

// followerDevices maps the devices in ids to the names of the account's
// followers that use them. For followers whose device this node does not
// know, it looks up the name records of up to maxNameLookups of them, the
// newest followers first, while a device in ids is still unnamed.
func (n *Node) followerDevices(ctx context.Context, account entry.Key, ids []peer.ID) map[peer.ID]string {
	names := make(map[peer.ID]string)
	fs, err := n.store.Followers(account)
	if err != nil || len(ids) == 0 {
		return names
	}
	var unknown []store.Follower
	for _, f := range fs {
		if !f.Active {
			continue
		}
		if p, ok := n.deviceOf(f.Key); ok {
			names[p] = f.Name
		} else {
			unknown = append(unknown, f)
		}
	}
	unnamed := func() bool {
		return slices.ContainsFunc(ids, func(p peer.ID) bool { return names[p] == "" })
	}
	if !unnamed() || len(unknown) == 0 {
		return names
	}
	slices.SortFunc(unknown, func(a, b store.Follower) int { return b.Since.Compare(a.Since) })
	unknown = unknown[:min(len(unknown), maxNameLookups)]
	ctx, cancel := context.WithTimeout(ctx, findTimeout/2)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, f := range unknown {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if _, ok := n.lookupAccount(ctx, f.Name, f.Key); !ok {
				return
			}
			if p, ok := n.deviceOf(f.Key); ok {
				mu.Lock()
				names[p] = f.Name
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return names
}

// logKey is the DHT provider key under which holders of an author's log
// announce themselves: a CIDv1 (raw) of SHA-256("skein/log/v1/" || key).
func logKey(author entry.Key) cid.Cid {
	mh, err := multihash.Sum(append([]byte("skein/log/v1/"), author[:]...), multihash.SHA2_256, -1)
	if err != nil {
		panic(err) // SHA2_256 is always available
	}
	return cid.NewCidV1(cid.Raw, mh)
}

// announce asks the announce loop to announce author's log soon, unless it
// did within announceEvery or the log is not among those the node
// announces (announcedLogs). In a mode other than foreground the request
// waits, up to cap(n.announceReq) of them, for the loop to start.
func (n *Node) announce(author entry.Key) {
	if !n.store.IsLocal(author) {
		watched, err := n.store.Watched()
		if err != nil || !slices.Contains(announcedFollowed(n.host.ID(), watched, maxAnnouncedFollowed), author) {
			return
		}
	}
	select {
	case n.announceReq <- author:
	default: // the periodic pass will get to it
	}
}

// announceLoop announces, with DHT provider records, every log this node
// holds for someone: the local accounts' own logs and the logs they follow.
// It waits while the network is metered or no DHT server is known.
func (n *Node) announceLoop(ctx context.Context) {
	a := announcer{
		dht:   n.host.DHT,
		log:   n.log,
		held:  n.announcedLogs,
		req:   n.announceReq,
		pause: n.metered.Load,
		last:  n.announced, // kept across power-mode switches
	}
	a.run(ctx)
}

// announcer announces, with DHT provider records, the logs that held lists:
// each when first listed or asked for on req (unless announced within
// announceEvery), then every announceEvery; one
// announcement at a time, at most one per announceSpacing; the list read
// again every minute.
type announcer struct {
	dht  *dht.IpfsDHT
	log  *slog.Logger
	held func() []entry.Key
	req  <-chan entry.Key // logs to announce soon; may be nil
	// pause, if set, holds announcements back while it reports true.
	pause func() bool
	// local makes a record in the host's own provider store enough while
	// it knows no other DHT server: a relay's, where lookups reach it.
	// Otherwise announcing waits for a DHT server to tell.
	local bool
	last  map[entry.Key]time.Time // when each log was last announced
}

func (a *announcer) run(ctx context.Context) {
	var queue []entry.Key
	queued := make(map[entry.Key]bool)
	enqueue := func(k entry.Key) {
		if !queued[k] {
			queued[k] = true
			queue = append(queue, k)
		}
	}
	scan := func() {
		listed := a.held()
		still := make(map[entry.Key]bool, len(listed))
		for _, k := range listed {
			still[k] = true
			if time.Since(a.last[k]) >= announceEvery {
				enqueue(k)
			}
		}
		for k := range a.last { // logs no longer held
			if !still[k] {
				delete(a.last, k)
			}
		}
	}
	tick := time.NewTicker(announceSpacing)
	defer tick.Stop()
	rescan := time.NewTicker(time.Minute)
	defer rescan.Stop()
	scan()
	var lastAnnounce time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case k := <-a.req:
			if time.Since(a.last[k]) < announceEvery {
				continue // its record is still fresh
			}
			enqueue(k)
			if time.Since(lastAnnounce) < announceSpacing {
				continue // the next tick gets to it
			}
		case <-rescan.C:
			scan()
			continue
		case <-tick.C:
		}
		alone := a.dht.RoutingTable().Size() == 0
		if len(queue) == 0 || (alone && !a.local) || (a.pause != nil && a.pause()) {
			continue
		}
		lastAnnounce = time.Now()
		k := queue[0]
		queue = queue[1:]
		delete(queued, k)
		actx, cancel := context.WithTimeout(ctx, findTimeout)
		err := a.dht.Provide(actx, logKey(k), true)
		cancel()
		if err != nil && !alone {
			a.log.Debug("announce failed", "author", k.Short(), "err", err)
			continue // retried by the next scan
		}
		// Alone, the record is in the host's own provider store.
		a.last[k] = time.Now()
	}
}

// maxAnnouncedFollowed bounds the followed logs a node announces as held.
// Each announcement is a DHT provide (a lookup, then a record on the 20
// closest servers) every announceEvery: announcing every followed log
// would cost a phone following 1,000 authors 167 provides an hour, and a
// connection to each new DHT server met, whose opening carries the
// GossipSub subscriptions. A few holders of a log are enough for readers
// to find a copy (findHolders asks for 8), and an author's followers
// each announce a different share of their follows (announcedFollowed),
// so a log followed by many is still announced by many.
const maxAnnouncedFollowed = 64

// announcedLogs lists the logs this node announces as held: every local
// account's own, and up to maxAnnouncedFollowed of the logs local
// accounts follow (announcedFollowed).
func (n *Node) announcedLogs() []entry.Key {
	var out []entry.Key
	if accts, err := n.store.Accounts(); err == nil {
		for _, a := range accts {
			out = append(out, a.Key)
		}
	}
	if watched, err := n.store.Watched(); err == nil {
		out = append(out, announcedFollowed(n.host.ID(), watched, maxAnnouncedFollowed)...)
	}
	return out
}

// announcedFollowed returns the followed logs, among watched, that the node
// self announces: all of them if they are at most limit, else the limit
// ones whose SHA-256(self || author) is least. The choice is stable (a new
// follow displaces at most one log) and differs from node to node, so the
// followers of an author share the announcing of its log among them.
func announcedFollowed(self peer.ID, watched []entry.Key, limit int) []entry.Key {
	if len(watched) <= limit {
		return watched
	}
	type ranked struct {
		rank [32]byte
		key  entry.Key
	}
	rs := make([]ranked, len(watched))
	for i, a := range watched {
		rs[i] = ranked{rank: sha256.Sum256(append([]byte(self), a[:]...)), key: a}
	}
	slices.SortFunc(rs, func(x, y ranked) int { return bytes.Compare(x.rank[:], y.rank[:]) })
	out := make([]entry.Key, limit)
	for i := range out {
		out[i] = rs[i].key
	}
	return out
}

// heldLogs lists the logs this node holds on someone's behalf: every local
// account's own, and every log a local account follows.
func (n *Node) heldLogs() []entry.Key {
	var out []entry.Key
	if accts, err := n.store.Accounts(); err == nil {
		for _, a := range accts {
			out = append(out, a.Key)
		}
	}
	if watched, err := n.store.Watched(); err == nil {
		out = append(out, watched...)
	}
	return out
}

// findHolders looks up, through the DHT, peers that announced they hold
// author's log, and remembers their addresses.
func (n *Node) findHolders(ctx context.Context, author entry.Key) []peer.ID {
	ctx, cancel := context.WithTimeout(ctx, findTimeout)
	defer cancel()
	n.waitRouting(ctx)
	defer n.cfg.sim.lookupDone("providers", time.Now())
	var out []peer.ID
	for ai := range n.host.DHT.FindProvidersAsync(ctx, logKey(author), maxHolders+1) {
		if ai.ID == n.host.ID() || ai.ID == "" {
			continue
		}
		n.host.Peerstore().AddAddrs(ai.ID, ai.Addrs, time.Hour)
		n.hints.Add(ai.ID, author)
		out = append(out, ai.ID)
		if len(out) == maxHolders {
			break
		}
	}
	return out
}

// syncFromHolders pulls author's log from the holders the DHT names. When
// several hold it and much is missing, the missing range is split among
// them and fetched in parallel; then, and for whatever that left, holders
// are asked one after another until what is held reaches the latest seq
// known. It returns the number of entries added.
func (n *Node) syncFromHolders(ctx context.Context, author entry.Key) int {
	holders := n.findHolders(ctx, author)
	total := n.fetchSplit(ctx, author, holders)
	for _, p := range holders {
		if n.caughtUp(author) {
			break
		}
		added, _ := n.syncPeer(ctx, p, []entry.Key{author})
		total += added
	}
	return total
}

// minSplit is the least number of missing entries per holder worth a
// parallel fetch: below it, connecting to more holders costs more than the
// transfer saves (on loopback, 1,000 entries from 3 holders took 109 ms
// against 86 ms from 1).
const minSplit = 1024

// fetchSplit fetches the entries of author between the held head and the
// latest known seq from several holders at once, one contiguous range
// each, verifies them as they arrive and stores them in order.
func (n *Node) fetchSplit(ctx context.Context, author entry.Key, holders []peer.ID) int {
	head, err := n.store.Head(author)
	if err != nil {
		return 0
	}
	known, err := n.store.Known(author)
	if err != nil || known <= head.Seq {
		return 0
	}
	missing := known - head.Seq
	parts := min(uint64(len(holders)), missing/minSplit, 4)
	if parts < 2 {
		return 0
	}
	ranges := make([][]*entry.Entry, parts)
	var wg sync.WaitGroup
	for i := range parts {
		from := head.Seq + missing*i/parts // Have: the range starts after it
		to := head.Seq + missing*(i+1)/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := syncproto.Request{
				Wants:      []syncproto.Want{{Author: author, Have: from}},
				MaxEntries: uint32(to - from),
			}
			n.fetch(ctx, holders[i], req, func(good []*entry.Entry) {
				ranges[i] = append(ranges[i], good...)
			})
		}()
	}
	wg.Wait()
	total := 0
	for _, r := range ranges {
		added, err := n.ingest(r)
		total += len(added)
		if err != nil {
			break // a range came short: the sequential pass fills in
		}
	}
	return total
}

// caughtUp reports whether the log held of author reaches the latest seq
// seen announced for it (trivially so if nothing was announced).
func (n *Node) caughtUp(author entry.Key) bool {
	h, err := n.store.Head(author)
	if err != nil {
		return false
	}
	known, err := n.store.Known(author)
	return err == nil && h.Seq >= known
}
