package core

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/p2p"
	"github.com/skein-p2p/skein/core/internal/store"
	"github.com/skein-p2p/skein/core/internal/syncproto"
)

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

// syncWorkers bounds the syncs the sync loop runs at once, each with a
// different peer, so that a peer that is slow to answer, or never does,
// holds up only its own.
const syncWorkers = 4

// syncLoop runs syncs: with peers as they connect or are asked for, up to
// syncWorkers at once and one at a time with each peer, and with everyone
// every SyncInterval, after which the live topics are chosen again
// (rebalanceTopics).
func (n *Node) syncLoop(ctx context.Context) {
	t := time.NewTicker(n.cfg.SyncInterval)
	defer t.Stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	done := make(chan peer.ID)
	passDone := make(chan struct{})
	busy := make(map[peer.ID]bool) // peers being synced with
	pass := false                  // a periodic pass runs
	for {
		n.syncMu.Lock()
		for p := range n.syncWant {
			if len(busy) >= syncWorkers {
				break
			}
			if busy[p] {
				continue // asked again while a sync runs: once more after it
			}
			delete(n.syncWant, p)
			busy[p] = true
			wg.Go(func() {
				n.flushNotices(ctx, p)
				if authors, err := n.store.Watched(); err == nil && len(authors) > 0 {
					n.syncWanted(ctx, p, authors)
				}
				select {
				case done <- p:
				case <-ctx.Done():
				}
			})
		}
		n.syncMu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-n.syncKick:
		case p := <-done:
			delete(busy, p)
		case <-t.C:
			if pass {
				continue // the last one is still running
			}
			pass = true
			wg.Go(func() {
				n.flushNotices(ctx, "")
				n.syncAll(ctx)
				if sess := n.session(); sess != nil && ctx.Err() == nil {
					// Authors that posted since rank higher now.
					n.rebalanceTopics(sess)
				}
				select {
				case passDone <- struct{}{}:
				case <-ctx.Done():
				}
			})
		case <-passDone:
			pass = false
		}
	}
}

// syncAll pulls every followed log from the authors' devices and from the
// other connected peers, from up to syncWorkers of them at once, asking
// each only for the logs it is known or likely to hold (wantsFor).
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
	slots := make(chan struct{}, syncWorkers)
	var wg sync.WaitGroup
	for _, p := range peers {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-slots }()
			n.syncWanted(ctx, p, authors)
		})
	}
	wg.Wait()
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
	// Two syncs with one peer at once would fetch the same entries twice,
	// and share (and spend) a relayed connection's limit: the second
	// waits, then asks only for what the first did not bring.
	unlock, err := n.syncing.Lock(ctx, p)
	if err != nil {
		return 0, err
	}
	defer unlock()
	total := 0
	stalled := 0 // interrupted answers in a row that brought nothing
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
			if stalled > 0 && !sleepCtx(ctx, resumeBackoff<<(stalled-1)) {
				break
			}
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

// resumeBackoff is how long syncPeer waits before asking again after an
// interrupted answer that brought nothing; it doubles with each one in a
// row, up to maxStalls.
const resumeBackoff = 100 * time.Millisecond

// sleepCtx waits d, or until ctx ends, and reports whether it waited d.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
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
// held that retention keeps, and returns the number of entries added.
func (n *Node) backfill(ctx context.Context, p peer.ID, author entry.Key) int {
	return n.filler().run(ctx, p, author)
}

// missingStart reports whether a followed author's log lacks entries below
// the first one held that retention keeps.
func (n *Node) missingStart(author entry.Key) bool {
	return n.filler().missing(author, time.Now())
}

// filler returns the node's backfiller.
func (n *Node) filler() backfiller {
	return backfiller{
		log:       n.log,
		store:     n.store,
		retention: n.cfg.Retention.store(),
		fetch:     n.fetch,
		ingest: func(es []*entry.Entry) int {
			added, _ := n.ingest(es)
			return len(added)
		},
	}
}

// A backfiller fills in followed logs below the first entry held, from a
// peer, down to what retention keeps. A log's first entry held can arrive
// by gossip or a notice, newest first; the entries below it are then
// fetched in chunks, the newest first. An entry's age is not known before
// it is fetched, so a backfiller goes on while the first entry held is
// young or among the newest KeepPerAuthor, and stops once it is neither
// (store.Retention.KeepsBelow); GC keeps that entry, so that the two
// agree. Nodes and the keepers of store-and-forward relays use it.
type backfiller struct {
	log       *slog.Logger
	store     *store.Store
	retention store.Retention
	// fetch runs one sync exchange with p, handing fn each batch of
	// verified entries.
	fetch func(ctx context.Context, p peer.ID, req syncproto.Request, fn func([]*entry.Entry)) (more bool, err error)
	// ingest stores verified entries and returns how many it added.
	ingest func([]*entry.Entry) int
}

// missing reports whether author's log is followed and lacks entries below
// the first one held that retention keeps at now.
func (b backfiller) missing(author entry.Key, now time.Time) bool {
	_, _, ok := b.start(author, now)
	return ok
}

// start returns the first entry held of author's log and the seq of its
// head, and reports whether the log is followed and retention keeps
// entries below that first one at now.
func (b backfiller) start(author entry.Key, now time.Time) (first *entry.Entry, head uint64, missing bool) {
	tail, head, err := b.store.Span(author)
	if err != nil || tail <= 1 || !b.store.Watches(author) {
		return nil, 0, false
	}
	first, err = b.store.Entry(author, tail)
	if err != nil {
		return nil, 0, false
	}
	return first, head, b.retention.KeepsBelow(first, head, now)
}

// run fetches from p the part of author's log below the first entry held,
// down to what retention keeps, and returns the number of entries added.
// The store takes entries below the held part only as a run that ends just
// below it, so each answer is collected whole before it is stored, and the
// part is asked for in chunks, the newest first: an answer cut short (a
// relay's limit) loses one chunk, and the next chunk asked for is half the
// size. Below the newest KeepPerAuthor entries, a chunk's entries that
// retention would not keep are dropped before they are stored. run stops
// when the start is no longer missing, or when p has nothing more of it.
func (b backfiller) run(ctx context.Context, p peer.ID, author entry.Key) int {
	total := 0
	chunk := uint64(backfillChunk)
	for range maxSyncRounds {
		if ctx.Err() != nil {
			break
		}
		now := time.Now()
		first, head, missing := b.start(author, now)
		if !missing {
			break
		}
		tail := first.Seq
		from := uint64(1)
		if tail > chunk {
			from = tail - chunk
		}
		if floor := b.retention.Floor(head); tail > floor {
			from = max(from, floor) // kept whatever their age
		}
		req := syncproto.Request{Wants: []syncproto.Want{{Author: author, Have: from - 1}}, MaxEntries: uint32(tail - from)}
		var got []*entry.Entry
		_, err := b.fetch(ctx, p, req, func(good []*entry.Entry) { got = append(got, good...) })
		if len(got) > 0 && got[len(got)-1].Seq == tail-1 {
			got = b.retention.Kept(got, first, head, now)
		}
		added := b.ingest(got)
		total += added
		switch {
		case errors.Is(err, errInterrupted) && chunk > minBackfillChunk:
			chunk /= 2
			b.log.Info("backfill interrupted; asking for smaller chunks", "peer", p, "author", author.Short(), "chunk", chunk, "err", err)
		case err != nil, added == 0:
			return total
		}
	}
	return total
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
	return fetchFrom(ctx, n.host, p, req, fn, &n.syncIn)
}

// fetchFrom runs one sync exchange with p, which must be connected, over a
// relayed connection if that is all there is, and hands fn each batch of
// entries once their signatures are verified. An answer cut off mid-stream
// returns an error wrapping errInterrupted. If in is not nil, the bytes of
// the answer are added to it.
func fetchFrom(ctx context.Context, h *p2p.Host, p peer.ID, req syncproto.Request, fn func([]*entry.Entry), in *atomic.Uint64) (more bool, err error) {
	s, err := h.NewStream(network.WithAllowLimitedConn(ctx, "sync"), p, syncproto.SyncID)
	if err != nil {
		return false, err
	}
	defer s.Close()
	if dl, ok := ctx.Deadline(); ok {
		s.SetDeadline(dl)
	}
	forged := false
	r := &idleReader{s: s, idle: syncIdle, in: in}
	if dl, ok := ctx.Deadline(); ok {
		r.end = dl
	}
	more, err = syncproto.Fetch(bufio.NewReader(r), s, req, func(batch []*entry.Entry) error {
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
		// A peer that went silent is not worth asking again at once.
		var ne net.Error
		silent := errors.As(err, &ne) && ne.Timeout()
		if !forged && cut && !silent && ctx.Err() == nil {
			err = fmt.Errorf("%w: %w", errInterrupted, err)
			// A relayed connection cut mid-answer has reached the
			// relay's limit, though this end may not have seen it end
			// yet: close it, so that asking again dials a new one
			// rather than failing at once on the spent one.
			if c := s.Conn(); c.Stat().Limited {
				c.Close()
			}
		}
	}
	return more, err
}

// errInterrupted marks a sync answer cut off by its stream or connection
// ending, rather than refused or malformed: worth asking again.
var errInterrupted = errors.New("core: sync interrupted")

// syncIdle is how long a sync answer may go without a byte arriving before
// the client gives up on it: a peer that never answers, or stops midway,
// holds a sync worker for this long rather than the whole syncTimeout.
const syncIdle = 10 * time.Second

// idleReader reads from a stream with a read deadline idle from the start
// of each read, but never past end (if set).
type idleReader struct {
	s    network.Stream
	idle time.Duration
	end  time.Time
	in   *atomic.Uint64 // bytes read, if not nil
}

func (r *idleReader) Read(p []byte) (int, error) {
	dl := time.Now().Add(r.idle)
	if !r.end.IsZero() && r.end.Before(dl) {
		dl = r.end
	}
	if err := r.s.SetReadDeadline(dl); err != nil {
		return 0, err
	}
	n, err := r.s.Read(p)
	if r.in != nil {
		r.in.Add(uint64(n))
	}
	return n, err
}
