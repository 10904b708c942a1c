// Package chatrelay is a relay's part of messaging: a keyless chat engine
// (core/internal/chat) that keeps, for 30 days, the ciphertext of the
// groups members push to it, checking signatures, causal order and
// membership but never decrypting; an inbox per recipient of the groups
// with news for it (core/internal/chatnet); the prekeys accounts publish;
// and the forwarding of new entries to the connected devices of a group's
// members. It answers /skein/chat/1.0.0 as a chatnet Source and Sink.
//
// Members push every own entry to the relays they use; a phone that wakes
// asks its inbox and syncs only those groups (and groups of more than
// InboxFanout members, which the inbox does not list).
//
// Bounds: each author's entries are rate-limited (3,600 an hour, bursts of
// 1,000); prekeys are kept only for accounts the relay's directory holds;
// forwarding reaches at most 256 members of a group, through 4 goroutines
// and a queue of 1,024 pushes, beyond which members catch up by sync.
package chatrelay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/chat"
	"github.com/skein-p2p/skein/core/internal/chatcrypt"
	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/chatnet"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/ratelimit"
	"github.com/skein-p2p/skein/core/internal/store"
)

// Directory gives the name record a relay holds for an account (its
// directory's, core/internal/directory).
type Directory interface {
	Record(account entry.Key) ([]byte, bool)
}

// Store is a relay's messaging store. It is safe for concurrent use.
type Store struct {
	log *slog.Logger
	dir Directory // the accounts' name records, for Record

	eng   *chat.Engine
	inbox *chatnet.Inbox
	srv   *chatnet.Server

	cancel context.CancelFunc
	wg     sync.WaitGroup

	host    host.Host
	jobs    chan forwardJob // pushes to members' devices, for the forwarders
	devMu   sync.Mutex
	devices map[entry.Key]device // member → device, from the directory's records
}

// device is a member's device as the relay's directory said, and when.
type device struct {
	p  peer.ID
	at time.Time
}

// forwardJob is a push of new entries of a group to a member's device.
type forwardJob struct {
	to peer.ID
	g  chatlog.GroupID
	es []*chatlog.Entry
}

// Forwarding: members behind NATs reach each other through the relay, not
// directly, so a group's topic alone may not connect them. A relay pushes
// the new entries it keeps to the devices of the group's members that are
// connected to it, except the one that sent them.
const (
	forwarders     = 4    // goroutines pushing to devices
	forwardQueue   = 1024 // pushes waiting; beyond, dropped (members catch up by sync)
	forwardMembers = 256  // members of one group forwarded to
	maxDevices     = 10_000
	relayTick      = 10 * time.Second // the relay engine's gap clock
	deviceTTL      = 10 * time.Minute // a device moves when an account is restored elsewhere
)

// InboxFanout is the largest group whose every member (and invitee) gets
// an inbox item per entry; members of larger groups sync them at a wake.
const InboxFanout = 32

// Timing of the store's work.
const (
	timeout  = 10 * time.Second // one push to a member's device
	gcEvery  = time.Hour        // expired entries, idle groups, inbox items
	gapAfter = time.Minute      // a control entry delivers over a gap
)

// New opens the store in kv (a view of the relay's database it owns) and
// serves /skein/chat/1.0.0 on h. plog takes the lines about peers.
func New(h host.Host, kv store.KV, dir Directory, log *slog.Logger, plog *ratelimit.Log) (*Store, error) {
	// The relay's engine runs the gap clock too (Tick, below): entries
	// waiting for a past that never comes expire, and control entries
	// deliver over a gap after a while, so that nobody can stall a group
	// at the relay with entries that wait for ever.
	eng, err := chat.Open(store.Prefix(kv, []byte{'e'}), chat.Options{Logger: log,
		Limits: chat.Limits{ControlGapAfter: gapAfter}})
	if err != nil {
		return nil, err
	}
	// A relay keeps what members push within each author's rate: an hour
	// of brisk chat (one message a second), in bursts of 1,000 (a member
	// back from a week offline pushing what it wrote meanwhile).
	inbox, err := chatnet.OpenInbox(store.Prefix(kv, []byte{'i'}), chatnet.InboxConfig{SenderRate: 3600, SenderBurst: 1000})
	if err != nil {
		eng.Close()
		return nil, err
	}
	c := &Store{log: log, dir: dir, eng: eng, inbox: inbox, host: h,
		jobs: make(chan forwardJob, forwardQueue), devices: make(map[entry.Key]device)}
	c.srv = chatnet.NewServer(h, c, c, inbox, chatnet.Limits{}, plog)
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	c.wg.Go(func() { c.gcLoop(ctx) })
	for range forwarders {
		c.wg.Go(func() { c.forwarder(ctx) })
	}
	return c, nil
}

// forward queues pushes of es to the connected devices of g's members.
func (c *Store) forward(from peer.ID, g chatlog.GroupID, es []*chatlog.Entry) {
	ms, err := c.eng.Members(g)
	if err != nil {
		return
	}
	if len(ms) > forwardMembers {
		ms = ms[:forwardMembers]
	}
	to := make([]entry.Key, 0, len(ms)+1)
	for _, m := range ms {
		to = append(to, m.Key)
	}
	// The member removed (or invited) is told too: it is no longer (not
	// yet) among the members.
	for _, e := range es {
		if e.Kind == chatlog.KindRemove || e.Kind == chatlog.KindInvite {
			if b, err := e.Control(); err == nil && !slices.Contains(to, b.Target) {
				to = append(to, b.Target)
			}
		}
	}
	for _, k := range to {
		p, ok := c.deviceOf(k)
		if !ok || p == from || c.host.Network().Connectedness(p) != network.Connected {
			continue
		}
		select {
		case c.jobs <- forwardJob{to: p, g: g, es: es}:
		default:
			return // busy: members catch up by sync
		}
	}
}

// deviceOf returns the device of account its name record names.
func (c *Store) deviceOf(account entry.Key) (peer.ID, bool) {
	now := time.Now()
	c.devMu.Lock()
	d, ok := c.devices[account]
	c.devMu.Unlock()
	if ok && now.Sub(d.at) < deviceTTL {
		return d.p, d.p != ""
	}
	var p peer.ID
	raw, ok := c.dir.Record(account)
	if ok {
		if r, err := names.Decode(raw); err == nil && r.Account == account {
			p, _ = peer.IDFromBytes(r.PeerID)
		}
	}
	c.devMu.Lock()
	if len(c.devices) >= maxDevices {
		clear(c.devices)
	}
	c.devices[account] = device{p: p, at: now}
	c.devMu.Unlock()
	return p, p != ""
}

// forwarder pushes queued entries to members' devices.
func (c *Store) forwarder(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-c.jobs:
			cctx, cancel := context.WithTimeout(ctx, timeout)
			if _, err := chatnet.Push(cctx, c.host, j.to, j.g, j.es); err != nil {
				c.log.Debug("chat entries not forwarded", "peer", j.to, "err", err)
			}
			cancel()
		}
	}
}

// Close stops serving and forwarding, and closes the engine. The relay
// closes kv.
func (c *Store) Close() {
	c.srv.Close()
	c.cancel()
	c.wg.Wait()
	c.eng.Close()
}

// gcLoop runs the engine's gap clock and collects what expired.
func (c *Store) gcLoop(ctx context.Context) {
	t := time.NewTicker(gcEvery)
	defer t.Stop()
	tick := time.NewTicker(relayTick)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			c.eng.Tick(now)
		case now := <-t.C:
			c.eng.GC(now)
			if _, err := c.inbox.GC(now); err != nil {
				c.log.Warn("inbox not collected", "err", err)
			}
		}
	}
}

// Groups lists the groups the store keeps.
func (c *Store) Groups() []chatlog.GroupID { return c.eng.Groups() }

// Frontier is the highest seq the store keeps of each author of g.
func (c *Store) Frontier(g chatlog.GroupID) map[entry.Key]uint64 { return c.eng.Frontier(g) }

// After serves sync: the entries of g beyond have.
func (c *Store) After(g chatlog.GroupID, have map[entry.Key]uint64, maxEntries, maxBytes int) ([]*chatlog.Entry, bool) {
	return c.eng.After(g, have, maxEntries, maxBytes)
}

// ByID serves get: the entries of g with these IDs.
func (c *Store) ByID(g chatlog.GroupID, ids []chatlog.ID) []*chatlog.Entry {
	return c.eng.ByID(g, ids)
}

// Known reports whether the store keeps anything of g.
func (c *Store) Known(g chatlog.GroupID) bool { return len(c.eng.Frontier(g)) > 0 }

// Prekey serves an account's prekey record.
func (c *Store) Prekey(account entry.Key) (*chatcrypt.PrekeyRecord, bool) {
	return c.eng.Prekey(account)
}

// Record answers with the name record the relay's directory holds for
// the account, so members learn each other's names.
func (c *Store) Record(account entry.Key) ([]byte, bool) { return c.dir.Record(account) }

// PublicGroups answers a search of the public groups the relay keeps.
func (c *Store) PublicGroups(query string, limit int) []chatnet.GroupHit {
	var out []chatnet.GroupHit
	for _, g := range c.eng.PublicGroups(func(name string) bool { return chatnet.NameMatches(name, query) }, limit) {
		out = append(out, chatnet.GroupHit{Create: g.Create, Members: g.Members})
	}
	return out
}

// PutPrekey keeps the prekeys of accounts the relay's directory holds (a
// name claim costs work), so that throwaway keys cannot push real users'
// prekeys out of its table.
func (c *Store) PutPrekey(_ peer.ID, r *chatcrypt.PrekeyRecord) error {
	if _, ok := c.dir.Record(entry.Key(r.Account)); !ok {
		return fmt.Errorf("chatrelay: prekey of an account this relay holds no name for")
	}
	return c.eng.PutPrekey(r)
}

// Push keeps what it has reason to: entries of groups it holds, or
// creating one, within each author's rate; then indexes who has news.
func (c *Store) Push(from peer.ID, g chatlog.GroupID, es []*chatlog.Entry) (int, error) {
	// Each entry costs its author one token of the rate; the engine keeps
	// what it has reason to (groups it holds, creates, taken first) and
	// drops the rest.
	keep := make([]*chatlog.Entry, 0, len(es))
	for _, e := range es {
		if c.inbox.Allow(e.Author) {
			keep = append(keep, e)
		}
	}
	res := c.eng.Ingest(keep)
	accepted, firstErr := res.Stored+res.Duplicate, res.Err
	if errors.Is(firstErr, chat.ErrUnwanted) {
		firstErr = nil // not a group the relay keeps: nothing to refuse
	}
	var took []*chatlog.Entry // delivered by this push: all that is forwarded and indexed
	for _, e := range res.DeliveredEntries {
		if e.Group == g {
			took = append(took, e)
		}
	}
	if len(took) == 0 {
		return accepted, firstErr
	}
	c.forward(from, g, took)
	now := time.Now()
	for _, r := range c.recipients(g, took) {
		if err := c.inbox.Add(r, g, now); err != nil {
			c.log.Debug("inbox item not added", "err", err)
		}
	}
	return accepted, firstErr
}

// recipients are the accounts with news in entries of g: the targets of
// invitations, and every member but the author in a DM or a small group.
func (c *Store) recipients(g chatlog.GroupID, es []*chatlog.Entry) []entry.Key {
	seen := make(map[entry.Key]bool)
	var out []entry.Key
	add := func(k entry.Key) {
		if !k.IsZero() && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	authors := make(map[entry.Key]bool)
	for _, e := range es {
		authors[e.Author] = true
		if e.Kind == chatlog.KindInvite {
			if b, err := e.Control(); err == nil {
				add(b.Target)
			}
		}
		if e.Kind == chatlog.KindCreate {
			if b, err := e.Control(); err == nil {
				for _, m := range b.Members {
					if m != e.Author {
						add(m)
					}
				}
			}
		}
	}
	ms, err := c.eng.Members(g)
	if err != nil || len(ms) > InboxFanout {
		return out
	}
	for _, m := range ms {
		if len(authors) == 1 && authors[m.Key] {
			continue
		}
		add(m.Key)
	}
	return out
}
