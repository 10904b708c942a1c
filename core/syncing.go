package core

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/p2p"
	"github.com/skein-p2p/skein/core/internal/ratelimit"
	"github.com/skein-p2p/skein/core/internal/syncproto"
)

// serveSync answers a sync request from the store.
func (n *Node) serveSync(s network.Stream) { serveSync(s, n.store, n.plog) }

// serveSync answers one sync request on s from src, logging a failure to
// plog, the log of lines about peers. Relays with store-and-forward serve
// their kept logs with it too.
func serveSync(s network.Stream, src syncproto.Source, plog *ratelimit.Log) {
	defer s.Close()
	s.SetDeadline(time.Now().Add(syncTimeout))
	if err := syncproto.Serve(bufio.NewReader(s), s, src); err != nil {
		plog.Debug(s.Conn().RemotePeer().String(), "sync request failed", "err", err)
		s.Reset()
	}
}

// requestSync asks the sync loop to sync with p soon. Requests for a peer
// already waiting are merged; a request made while a sync with p runs
// causes one more after it, so nothing announced in between is missed.
func (n *Node) requestSync(p peer.ID) {
	n.syncMu.Lock()
	n.syncWant[p] = true
	n.syncMu.Unlock()
	select {
	case n.syncKick <- struct{}{}:
	default: // the loop has been kicked already
	}
}

// syncLoop runs syncs: with peers as they connect or are asked for, and with
// everyone every SyncInterval.
func (n *Node) syncLoop(ctx context.Context) {
	t := time.NewTicker(n.cfg.SyncInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.syncKick:
			for {
				n.syncMu.Lock()
				var p peer.ID
				for q := range n.syncWant {
					p = q
					break
				}
				delete(n.syncWant, p)
				n.syncMu.Unlock()
				if p == "" || ctx.Err() != nil {
					break
				}
				n.flushNotices(ctx, p)
				if authors, err := n.store.Watched(); err == nil && len(authors) > 0 {
					n.syncPeer(ctx, p, authors)
				}
			}
		case <-t.C:
			n.flushNotices(ctx, "")
			n.syncAll(ctx)
		}
	}
}

// syncAll pulls every followed log from the authors' devices and from the
// other connected peers.
func (n *Node) syncAll(ctx context.Context) {
	authors, err := n.store.Watched()
	if err != nil || len(authors) == 0 {
		return
	}
	seen := make(map[peer.ID]bool)
	var peers []peer.ID
	for _, a := range authors {
		if p, ok := n.deviceOf(a); ok && !seen[p] {
			seen[p] = true
			peers = append(peers, p)
		}
	}
	for _, p := range n.host.Network().Peers() {
		if !seen[p] {
			seen[p] = true
			peers = append(peers, p)
		}
	}
	for _, p := range peers {
		if ctx.Err() != nil {
			return
		}
		n.syncPeer(ctx, p, authors)
	}
	// Whatever is still behind what was announced, ask the other holders.
	for _, a := range authors {
		if ctx.Err() != nil {
			return
		}
		if !n.caughtUp(a) {
			n.syncFromHolders(ctx, a)
		}
	}
}

// syncPeer pulls from p whatever it holds of the authors' logs beyond what
// this node holds, verifying every entry before storing it. It returns the
// number of entries added, and the error that ended the exchange early, if
// any (p unreachable, or misbehaving).
func (n *Node) syncPeer(ctx context.Context, p peer.ID, authors []entry.Key) (int, error) {
	if p == n.host.ID() {
		return 0, nil
	}
	total := 0
	stalled := 0 // interrupted answers in a row that brought nothing
	var err error
	for round := 0; round < maxSyncRounds; round++ {
		var added int
		var more bool
		held := n.heldSeqs(authors)
		added, more, err = n.syncRound(ctx, p, authors)
		total += added
		// Progress is what is held now, whoever fetched it: another sync
		// with p may share the connection.
		if n.heldSeqs(authors) > held {
			stalled = 0
		} else {
			stalled++
		}
		if errors.Is(err, errInterrupted) && ctx.Err() == nil && stalled <= maxStalls {
			// The connection went away mid-answer: a relayed connection
			// that reached its limit, or one replaced by a direct one.
			// What arrived is stored; ask again from there, for as long
			// as asking again brings entries.
			n.plog.Info(p.String(), "sync interrupted; resuming", "entries", total, "err", err)
			continue
		}
		if err != nil {
			n.plog.Debug(p.String(), "sync failed", "err", err)
			break
		}
		if !more || added == 0 {
			break
		}
	}
	if total > 0 {
		n.log.Info("synced", "peer", p, "entries", total)
	}
	return total, err
}

// heldSeqs sums the head seqs of the authors' logs held.
func (n *Node) heldSeqs(authors []entry.Key) uint64 {
	var sum uint64
	for _, a := range authors {
		if h, err := n.store.Head(a); err == nil {
			sum += h.Seq
		}
	}
	return sum
}

// syncRound is one request/response exchange of syncPeer.
func (n *Node) syncRound(ctx context.Context, p peer.ID, authors []entry.Key) (added int, more bool, err error) {
	req := syncproto.Request{Wants: make([]syncproto.Want, 0, len(authors))}
	for _, a := range authors {
		h, err := n.store.Head(a)
		if err != nil {
			return 0, false, err
		}
		req.Wants = append(req.Wants, syncproto.Want{Author: a, Have: h.Seq})
	}
	more, err = n.fetch(ctx, p, req, func(good []*entry.Entry) {
		got, _ := n.ingest(good)
		added += len(got)
	})
	if err != nil {
		return added, more, err
	}
	// Logs whose start is missing (the first entry held came by gossip or
	// a notice): ask for the part below, down to what retention keeps.
	for _, a := range authors {
		if ctx.Err() != nil {
			break
		}
		if n.metered.Load() || !n.missingStart(a) { // no backfill on a metered network
			continue
		}
		added += n.backfill(ctx, p, a)
	}
	return added, more, nil
}

// Backfill chunk sizes, in entries: the first asked for, and the least a
// chunk shrinks to after answers cut short.
const (
	backfillChunk    = 2048
	minBackfillChunk = 16
)

// backfill fetches from p the part of author's log below the first entry
// held, down to what retention keeps, and returns the number of entries
// added. The store takes entries below the held part only as a run that
// ends just below it, so each answer is collected whole before it is
// stored, and the part is asked for in chunks, the newest first: an answer
// cut short (a relay's limit) loses one chunk, and the next chunk asked
// for is half the size. It stops when the start is no longer missing, or
// when p has nothing more of it.
func (n *Node) backfill(ctx context.Context, p peer.ID, author entry.Key) int {
	total := 0
	chunk := uint64(backfillChunk)
	for range maxSyncRounds {
		if ctx.Err() != nil || !n.missingStart(author) {
			break
		}
		floor, tail := n.startWanted(author)
		from := floor
		if tail-floor > chunk {
			from = tail - chunk
		}
		req := syncproto.Request{Wants: []syncproto.Want{{Author: author, Have: from - 1}}, MaxEntries: uint32(tail - from)}
		var got []*entry.Entry
		_, err := n.fetch(ctx, p, req, func(good []*entry.Entry) { got = append(got, good...) })
		added, _ := n.ingest(got)
		total += len(added)
		switch {
		case errors.Is(err, errInterrupted) && chunk > minBackfillChunk:
			chunk /= 2
			n.log.Info("backfill interrupted; asking for smaller chunks", "peer", p, "author", author.Short(), "chunk", chunk, "err", err)
		case err != nil, len(added) == 0:
			return total
		}
	}
	return total
}

// startWanted returns the lowest seq of author's log this node wants to
// hold under its retention policy, and the lowest it holds.
func (n *Node) startWanted(author entry.Key) (floor, tail uint64) {
	tail, head, err := n.store.Span(author)
	if err != nil || head == 0 {
		return 1, 1
	}
	keep := uint64(n.cfg.Retention.store().KeepPerAuthor)
	floor = 1
	if head > keep {
		floor = head - keep + 1
	}
	return floor, tail
}

// missingStart reports whether a followed author's log lacks entries below
// the first one held that retention would keep.
func (n *Node) missingStart(author entry.Key) bool {
	floor, tail := n.startWanted(author)
	return tail > floor && n.store.Watches(author)
}

// fetch runs one sync exchange with p, connecting first if need be, and
// hands fn each batch of entries once their signatures are verified. A
// forged entry ends the exchange with an error after the good ones before
// it were handed over.
func (n *Node) fetch(ctx context.Context, p peer.ID, req syncproto.Request, fn func([]*entry.Entry)) (more bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	if !n.reachable(p) {
		dctx, dcancel := context.WithTimeout(ctx, dialTimeout)
		err := n.connect(dctx, peer.AddrInfo{ID: p})
		dcancel()
		if err != nil {
			return false, err
		}
	}
	return fetchFrom(ctx, n.host, p, req, fn)
}

// fetchFrom runs one sync exchange with p, which must be connected, over a
// relayed connection if that is all there is, and hands fn each batch of
// entries once their signatures are verified. An answer cut off mid-stream
// returns an error wrapping errInterrupted.
func fetchFrom(ctx context.Context, h *p2p.Host, p peer.ID, req syncproto.Request, fn func([]*entry.Entry)) (more bool, err error) {
	s, err := h.NewStream(network.WithAllowLimitedConn(ctx, "sync"), p, syncproto.SyncID)
	if err != nil {
		return false, err
	}
	defer s.Close()
	if dl, ok := ctx.Deadline(); ok {
		s.SetDeadline(dl)
	}
	forged := false
	more, err = syncproto.Fetch(bufio.NewReader(s), s, req, func(batch []*entry.Entry) error {
		good, verr := verifyAll(batch)
		fn(good)
		if verr != nil {
			forged = true
			return fmt.Errorf("core: peer %s sent a forged entry: %w", p, verr)
		}
		return nil
	})
	if err != nil {
		s.Reset()
		// A stream that ends mid-frame was cut, as a relay cuts a
		// connection at its limit: worth asking again, unlike a
		// malformed answer.
		cut := !errors.Is(err, syncproto.ErrProtocol) || errors.Is(err, io.ErrUnexpectedEOF)
		if !forged && cut && ctx.Err() == nil {
			err = fmt.Errorf("%w: %w", errInterrupted, err)
		}
	}
	return more, err
}

// errInterrupted marks a sync answer cut off by its stream or connection
// ending, rather than refused or malformed: worth asking again.
var errInterrupted = errors.New("core: sync interrupted")
