package core

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/medialib"
	"github.com/skein-p2p/skein/core/internal/p2p"
	"github.com/skein-p2p/skein/core/internal/ratelimit"
	"github.com/skein-p2p/skein/core/internal/store"
	"github.com/skein-p2p/skein/core/internal/syncproto"
	"github.com/skein-p2p/skein/core/internal/syncserve"
)

// A keeper is the store-and-forward part of a relay. Clients opt in with a
// signed keep request (syncproto.KeepID) listing the authors their account
// follows; the keeper then holds those logs and serves them over the sync
// protocol, so that a phone waking from background mode syncs everything
// it follows in one exchange with one peer.
//
// The keeper fills the logs it keeps from three sources: the client that
// asked (which holds what it follows) right after each request and when
// it connects again; GossipSub, subscribed to every kept author's topic,
// while the author's device is online; and, every sync interval, the
// holders of each log that the relay's own DHT provider records name and
// that are connected to it.
//
// It announces itself, with DHT provider records, as a holder of every kept
// log it holds entries of, so that anyone fetching a log whose author is
// offline can find it, not only its clients.
//
// In the store, each client account is recorded as following the authors
// it asked for, so the store's retention policy bounds what is kept, and a
// log nobody asks for any more is dropped after the unfollow grace.
type keeper struct {
	log        *slog.Logger
	plog       *ratelimit.Log // lines about peers, a few per peer a minute; the relay's
	host       *p2p.Host
	store      *store.Store
	retention  Retention
	interval   time.Duration
	maxClients int

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	clients map[entry.Key]keepClient
	topics  map[entry.Key]*subscription
	busy    map[peer.ID]bool // peers being synced from

	announceReq chan entry.Key // kept logs held for the first time
	// lib fetches and keeps the media the kept entries name, within the
	// relay's quota.
	lib *medialib.Library
}

// keepClient is one registered account.
type keepClient struct {
	time   uint64  // of its last keep request
	device peer.ID // the device that sent it; not persisted
}

const (
	keepTimeout     = 10 * time.Second
	metaKeepClients = "keep-clients"
)

func newKeeper(h *p2p.Host, st *store.Store, cfg RelayConfig, log *slog.Logger, plog *ratelimit.Log) (*keeper, error) {
	k := &keeper{
		log:        log,
		plog:       plog,
		host:       h,
		store:      st,
		retention:  cfg.Retention,
		interval:   cfg.SyncInterval,
		maxClients: cfg.MaxKeepClients,
		clients:    make(map[entry.Key]keepClient),
		topics:     make(map[entry.Key]*subscription),
		busy:       make(map[peer.ID]bool),

		announceReq: make(chan entry.Key, 64),
	}
	if b, err := st.Meta(metaKeepClients); err == nil {
		for ; len(b) >= 40; b = b[40:] {
			k.clients[entry.Key(b[:32])] = keepClient{time: binary.BigEndian.Uint64(b[32:40])}
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	k.ctx, k.cancel = context.WithCancel(context.Background())
	kept, err := st.Watched()
	if err != nil {
		return nil, err
	}
	for _, a := range kept {
		k.subscribe(a)
	}
	h.SetStreamHandler(syncproto.KeepID, k.serveKeep)
	srv := syncserve.New(st, syncserve.Limits{}, k.plog)
	h.SetStreamHandler(syncproto.SyncID, func(s network.Stream) { srv.Serve(k.ctx, s) })
	h.Network().Notify(&network.NotifyBundle{ConnectedF: k.connected})
	k.wg.Go(k.loop)
	k.wg.Go(k.announceLoop)
	return k, nil
}

// close stops the keeper's goroutines and topics; the caller closes the
// host and the store after.
func (k *keeper) close() {
	k.host.RemoveStreamHandler(syncproto.KeepID)
	k.host.RemoveStreamHandler(syncproto.SyncID)
	k.cancel()
	k.wg.Wait()
	k.mu.Lock()
	defer k.mu.Unlock()
	for a, s := range k.topics {
		s.close()
		delete(k.topics, a)
	}
}

// serveKeep takes a client's keep request.
func (k *keeper) serveKeep(s network.Stream) {
	defer s.Close()
	s.SetDeadline(time.Now().Add(keepTimeout))
	req, err := syncproto.ReadKeep(bufio.NewReader(s))
	if err != nil {
		k.log.Warn("bad keep request", "peer", s.Conn().RemotePeer(), "err", err)
		s.Reset()
		return
	}
	from := s.Conn().RemotePeer()
	if err := k.take(req, from); err != nil {
		k.log.Info("keep request refused", "peer", from, "account", req.Account.Short(), "err", err)
		syncproto.WriteKeepReply(s, err.Error())
		return
	}
	syncproto.WriteKeepReply(s, "")
	k.log.Info("keeping logs", "account", req.Account.Short(), "authors", len(req.Authors))
	k.pull(from, req.Authors)
}

// take records req, sent by device from, if it is signed, newer than the
// account's last, and there is room.
func (k *keeper) take(req syncproto.KeepRequest, from peer.ID) error {
	if !req.Verify() {
		return errors.New("bad signature")
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	old, known := k.clients[req.Account]
	switch {
	case known && req.Time <= old.time:
		return errors.New("older than the last request")
	case !known && len(k.clients) >= k.maxClients:
		return fmt.Errorf("relay full: it keeps logs for %d accounts", k.maxClients)
	}
	want := make(map[entry.Key]bool, len(req.Authors))
	for _, a := range req.Authors {
		want[a] = true
	}
	had, err := k.store.Following(req.Account)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, f := range had {
		if f.Active && !want[f.Target] {
			if err := k.store.SetFollowing(req.Account, store.Follow{Target: f.Target, Since: now}); err != nil {
				return err
			}
		}
		if f.Active {
			delete(want, f.Target)
		}
	}
	for a := range want {
		if err := k.store.SetFollowing(req.Account, store.Follow{Target: a, Since: now, Active: true}); err != nil {
			return err
		}
	}
	k.clients[req.Account] = keepClient{time: req.Time, device: from}
	if err := k.saveClients(); err != nil {
		return err
	}
	for _, a := range req.Authors {
		k.subscribeLocked(a)
	}
	for a, s := range k.topics {
		if !k.store.Watches(a) {
			s.close()
			delete(k.topics, a)
		}
	}
	return nil
}

// saveClients persists the registered accounts. k.mu is held.
func (k *keeper) saveClients() error {
	b := make([]byte, 0, 40*len(k.clients))
	for a, c := range k.clients {
		b = append(b, a[:]...)
		b = binary.BigEndian.AppendUint64(b, c.time)
	}
	return k.store.PutMeta(metaKeepClients, b)
}

func (k *keeper) subscribe(a entry.Key) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.subscribeLocked(a)
}

// subscribeLocked joins author a's topic, so its new entries arrive live
// while its device is online. k.mu is held.
func (k *keeper) subscribeLocked(a entry.Key) {
	if k.topics[a] != nil || k.host.PubSub == nil || k.ctx.Err() != nil {
		return
	}
	name := topicOf(a)
	if err := k.host.PubSub.RegisterTopicValidator(name, k.validator(a)); err != nil {
		k.log.Warn("keep: topic validator", "author", a.Short(), "err", err)
		return
	}
	t, err := k.host.PubSub.Join(name)
	if err != nil {
		k.host.PubSub.UnregisterTopicValidator(name)
		k.log.Warn("keep: join topic", "author", a.Short(), "err", err)
		return
	}
	if err := k.host.ScoreTopic(t); err != nil {
		k.log.Warn("keep: gossip peers not scored on a topic", "author", a.Short(), "err", err)
	}
	sub, err := t.Subscribe()
	if err != nil {
		t.Close()
		k.host.PubSub.UnregisterTopicValidator(name)
		k.log.Warn("keep: subscribe", "author", a.Short(), "err", err)
		return
	}
	ctx, cancel := context.WithCancel(k.ctx)
	s := &subscription{topic: t, sub: sub, cancel: cancel, done: make(chan struct{}), ps: k.host.PubSub, name: name}
	k.topics[a] = s
	go func() {
		defer close(s.done)
		for {
			m, err := sub.Next(ctx)
			if err != nil {
				return
			}
			if e, ok := m.ValidatorData.(*entry.Entry); ok {
				k.ingest([]*entry.Entry{e})
			}
		}
	}()
}

// validator accepts, for GossipSub to store and forward, only entries
// signed by the topic's author that are not already held.
func (k *keeper) validator(author entry.Key) pubsub.ValidatorEx {
	return func(_ context.Context, from peer.ID, m *pubsub.Message) pubsub.ValidationResult {
		e, err := entry.Decode(m.Data)
		if err != nil || e.Author != author {
			return pubsub.ValidationReject
		}
		if head, err := k.store.Head(author); err == nil && e.Seq <= head.Seq {
			return pubsub.ValidationIgnore
		}
		m.ValidatorData = e
		return pubsub.ValidationAccept
	}
}

// ingest stores verified entries of kept logs.
func (k *keeper) ingest(es []*entry.Entry) int {
	// Logs held for the first time are announced at once.
	fresh := make(map[entry.Key]bool)
	for _, e := range es {
		if h, err := k.store.Head(e.Author); err == nil && h.Seq == 0 {
			fresh[e.Author] = true
		}
	}
	got, err := k.store.Append(es, false)
	if err != nil && len(got) == 0 && !errors.Is(err, store.ErrGap) {
		k.log.Debug("keep: entries not stored", "err", err)
	}
	for _, e := range got {
		if ds := mediaIn(e); len(ds) > 0 && k.lib != nil {
			k.lib.Note(e.Author, ds, medialib.Keep)
		}
		if fresh[e.Author] {
			delete(fresh, e.Author)
			select {
			case k.announceReq <- e.Author:
			default: // the next scan gets to it
			}
		}
	}
	return len(got)
}

// connected pulls from a client device as it connects again: it holds
// what its account follows, perhaps newer than what is kept.
func (k *keeper) connected(_ network.Network, c network.Conn) {
	p := c.RemotePeer()
	var authors []entry.Key
	k.mu.Lock()
	for acct, cl := range k.clients {
		if cl.device == p {
			if fs, err := k.store.Following(acct); err == nil {
				for _, f := range fs {
					if f.Active {
						authors = append(authors, f.Target)
					}
				}
			}
		}
	}
	k.mu.Unlock()
	if len(authors) > 0 {
		k.pull(p, authors)
	}
}

// pull syncs authors' logs from p in the background, unless a pull from p
// is running.
func (k *keeper) pull(p peer.ID, authors []entry.Key) {
	k.mu.Lock()
	if k.busy[p] || k.ctx.Err() != nil {
		k.mu.Unlock()
		return
	}
	k.busy[p] = true
	k.wg.Add(1)
	k.mu.Unlock()
	go func() {
		defer k.wg.Done()
		defer func() {
			k.mu.Lock()
			delete(k.busy, p)
			k.mu.Unlock()
		}()
		if n, err := k.syncFrom(k.ctx, p, authors); n > 0 || err != nil {
			k.log.Debug("keep: pulled", "peer", p, "entries", n, "err", err)
		}
	}()
}

// syncFrom fetches from p what it holds of authors' logs beyond what is
// kept, in rounds until p has nothing more, then what it holds below the
// first entry kept that the relay's retention keeps.
func (k *keeper) syncFrom(ctx context.Context, p peer.ID, authors []entry.Key) (int, error) {
	total := 0
	for len(authors) > 0 {
		chunk := authors[:min(len(authors), syncproto.MaxWants)]
		authors = authors[len(chunk):]
		for range maxSyncRounds {
			req := syncproto.Request{}
			for _, a := range chunk {
				h, err := k.store.Head(a)
				if err != nil {
					return total, err
				}
				req.Wants = append(req.Wants, syncproto.Want{Author: a, Have: h.Seq})
			}
			added := 0
			more, err := k.fetch(ctx, p, req, func(good []*entry.Entry) { added += k.ingest(good) })
			total += added
			if err != nil {
				return total, err
			}
			if !more || added == 0 {
				break
			}
		}
		// Kept logs whose first entry came by gossip: fill them in from
		// below, down to what the relay's retention keeps.
		fill := k.filler()
		for _, a := range chunk {
			if ctx.Err() != nil {
				return total, ctx.Err()
			}
			total += fill.run(ctx, p, a)
		}
	}
	return total, nil
}

// filler returns the keeper's backfiller.
func (k *keeper) filler() backfiller {
	return backfiller{log: k.log, store: k.store, retention: k.retention.store(), fetch: k.fetch, ingest: k.ingest}
}

func (k *keeper) fetch(ctx context.Context, p peer.ID, req syncproto.Request, fn func([]*entry.Entry)) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	return fetchFrom(ctx, k.host, p, req, fn, nil)
}

// loop pulls every interval, from the connected holders that the relay's
// DHT provider records name, and collects garbage every hour.
func (k *keeper) loop() {
	t := time.NewTicker(k.interval)
	defer t.Stop()
	var collected time.Time
	for {
		select {
		case <-k.ctx.Done():
			return
		case <-t.C:
		}
		kept, err := k.store.Watched()
		if err != nil {
			continue
		}
		from := make(map[peer.ID][]entry.Key)
		for _, a := range kept {
			provs, err := k.host.DHT.ProviderStore().GetProviders(k.ctx, logKey(a).Hash())
			if err != nil {
				continue
			}
			for _, ai := range provs {
				if c := k.host.Network().Connectedness(ai.ID); c == network.Connected || c == network.Limited {
					from[ai.ID] = append(from[ai.ID], a)
				}
			}
		}
		for p, authors := range from {
			if k.ctx.Err() != nil {
				return
			}
			k.syncFrom(k.ctx, p, slices.Clip(authors))
		}
		if time.Since(collected) >= time.Hour {
			collected = time.Now()
			k.gc()
		}
	}
}

// announceLoop announces the relay as a holder of each kept log it holds
// entries of. Alone in the DHT, its own provider store is enough: lookups
// that reach it find the records there.
func (k *keeper) announceLoop() {
	a := announcer{
		dht:   k.host.DHT,
		log:   k.log,
		held:  k.heldLogs,
		req:   k.announceReq,
		local: true,
		last:  make(map[entry.Key]time.Time),
	}
	a.run(k.ctx)
}

// heldLogs lists the kept logs the relay holds entries of.
func (k *keeper) heldLogs() []entry.Key {
	kept, err := k.store.Watched()
	if err != nil {
		return nil
	}
	held := kept[:0]
	for _, a := range kept {
		if h, err := k.store.Head(a); err == nil && h.Seq > 0 {
			held = append(held, a)
		}
	}
	return held
}

func (k *keeper) gc() {
	policy := k.retention.store()
	for range 1 << 16 {
		_, done, err := k.store.GC(k.ctx, policy, time.Now(), gcBudget)
		if err != nil || done {
			return
		}
		select {
		case <-k.ctx.Done():
			return
		case <-time.After(gcPause):
		}
	}
}
