package chat

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/skein-p2p/skein/core/internal/chatcrypt"
	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/store"
)

// Account is the member an Engine acts for: its key pair.
type Account struct {
	Key  entry.Key
	Priv ed25519.PrivateKey
}

// Limits bound what an Engine keeps. Zero fields take the defaults given.
type Limits struct {
	PendingPerGroup  int           // undelivered entries per group: 10,000
	PendingPerAuthor int           // undelivered entries per (group, author): 1,000
	PendingStrangers int           // per group, of authors its fold never saw (see Plausible), apart: 64
	Groups           int           // groups per engine: 10,000
	GapAfter         time.Duration // a Msg pending this long is delivered after a gap: 10 s
	// ControlGapAfter, if set, lets a control entry pending this long
	// deliver over a gap too (the fold is recomputed when the missing
	// entries arrive). Zero (the default): control entries wait for a
	// complete past forever, as the design says.
	ControlGapAfter time.Duration
	Retention       time.Duration // keyless: entries delivered longer ago are collected: 30 days
	Members         int           // members and invitees per group: 1,000
	Prekeys         int           // others' prekey records kept: 10,000
	// GroupsPerCreator bounds, in a keyless engine, the groups (not DMs)
	// created by one account: 64.
	GroupsPerCreator int
	// HeldGroups bounds the groups whose invitations of Self wait for
	// their create outside the group table (least recently used evicted):
	// 256. HeldPerGroup bounds the entries held for one of them: 64.
	HeldGroups   int
	HeldPerGroup int
	// OrphanAfter is how long a group Self never took part in (promoted
	// by an invitation that never took effect) is kept: 24 hours.
	OrphanAfter time.Duration
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.PendingPerGroup, 10_000)
	def(&l.PendingPerAuthor, 1_000)
	def(&l.PendingStrangers, 64)
	def(&l.Groups, 10_000)
	def(&l.Members, 1_000)
	def(&l.Prekeys, 10_000)
	def(&l.GroupsPerCreator, 64)
	def(&l.HeldGroups, 256)
	def(&l.HeldPerGroup, 64)
	if l.OrphanAfter <= 0 {
		l.OrphanAfter = 24 * time.Hour
	}
	if l.GapAfter <= 0 {
		l.GapAfter = 10 * time.Second
	}
	if l.Retention <= 0 {
		l.Retention = 30 * 24 * time.Hour
	}
	return l
}

// Options configure an Engine. Zero fields take defaults.
type Options struct {
	// Self is the account the engine acts for; nil runs it keyless (a
	// relay): it validates, delivers, folds membership and never decrypts.
	Self *Account
	// Now reads the wall clock; default time.Now.
	Now func() time.Time
	// Clock stamps own entries and observes every delivered entry's time;
	// default hlc.New(Now).
	Clock *hlc.Clock
	// OnEvent, if set, is called for delivered messages (Self's own too), member changes
	// and invitations of Self, never under a lock Engine methods take.
	OnEvent func(Event)
	// Limits bound pending entries, groups, members and prekeys.
	Limits Limits
	// Logger receives debug logs; default discards.
	Logger *slog.Logger
}

// Event tells the OnEvent callback what changed.
type Event struct {
	Kind    string // message, members, invite
	Group   chatlog.GroupID
	Message *Message // the message delivered (message), nil otherwise
}

// Stats counts what an Engine refused or could not read.
type Stats struct {
	Delivered     int            // entries delivered since Open
	Dropped       map[string]int // entries dropped, by reason
	Undecryptable int            // Msgs Self cannot read: epoch key missing (for now), or they did not open
	Gaps          int            // Msgs delivered after a gap
	Pending       int            // entries waiting for their predecessors now
	Hidden        int            // Msgs from outside their author's membership, not shown
	Forks         int            // entries seen forking a delivered one (same author and seq), now
}

// Drop reasons counted in Stats.Dropped.
const (
	dropFuture    = "future"     // time more than 60 s ahead
	dropUnwanted  = "unwanted"   // group not known
	dropFork      = "fork"       // another entry at the same (author, seq)
	dropPrev      = "prev"       // prev does not name the author's previous entry
	dropHLC       = "hlc"        // time not after prev's and every dep's
	dropFull      = "full"       // pending bounds reached
	dropNonMember = "non-member" // author never in the group
	dropMalformed = "malformed"  // body does not parse for its kind
	dropGroups    = "groups"     // too many groups
)

// Engine is the messaging engine of one member, or of a keyless relay. It
// is safe for concurrent use.
type Engine struct {
	kv     store.KV
	self   *Account
	now    func() time.Time
	clock  *hlc.Clock
	notify func(Event)
	lim    Limits
	log    *slog.Logger

	act sync.Mutex // serialises Self's actions (fetching prekeys happens outside mu)

	mu      sync.Mutex
	closed  bool
	groups  map[chatlog.GroupID]*group
	prekeys map[entry.Key]*chatcrypt.PrekeyRecord
	chains  *chatcrypt.Chains
	stats   Stats
	events  []Event // queued under mu, sent by flush

	// held are entries of groups not (yet) in the table: invitations of
	// Self waiting for their group's create, and the entries they
	// reference; in memory, least recently used evicted.
	held     map[chatlog.GroupID]*heldGroup
	heldTick uint64
	// creators counts a keyless engine's groups per creator.
	creators map[entry.Key]int
}

// heldGroup is what is held for one group not in the table.
type heldGroup struct {
	entries map[chatlog.ID]*chatlog.Entry
	used    uint64 // e.heldTick at the last use
}

// group is the in-memory state of one group; its rows live in the KV.
type group struct {
	id chatlog.GroupID
	st groupState

	ctl  []*chatlog.Entry // delivered control entries, display order
	fold *fold

	pending map[chatlog.ID]*pend
	pendSeq map[entry.Key]map[uint64]chatlog.ID
	waiters map[chatlog.ID][]chatlog.ID // missing ref → pending entries waiting for it

	tips       map[chatlog.ID]orderKey
	front      map[entry.Key]*front
	incomplete map[chatlog.ID][]chatlog.ID // delivered over a gap → its refs
	incRev     map[chatlog.ID][]chatlog.ID // ref → incomplete entries naming it
	secrets    map[chatlog.EpochID]chatcrypt.Secret
	// forks maps the ID of an entry that forks a delivered one (same
	// author and seq) to the delivered one, so references to either
	// satisfy a dependency.
	forks map[chatlog.ID]forkAlias
}

// forkAlias is the delivered sibling of a forked entry and the forked
// entry's own time (what entries naming it must be after).
type forkAlias struct {
	kept chatlog.ID
	time hlc.Timestamp
}

// maxForks bounds the fork aliases kept per group.
const maxForks = 1000

type pend struct {
	e     *chatlog.Entry
	id    chatlog.ID
	first time.Time
}

// front is what is delivered of one author's sub-log.
type front struct {
	contig uint64 // every seq 1..contig delivered
	max    uint64 // highest seq delivered
}

// groupState is the g‖m row (JSON).
type groupState struct {
	Known    string            `json:"known"` // member, invited, watch, relay
	Added    int64             `json:"added"` // ms
	Updated  int64             `json:"updated,omitempty"`
	Arrivals uint64            `json:"arrivals,omitempty"`
	ReadAt   uint64            `json:"read,omitempty"`
	Counts   map[string]uint64 `json:"counts,omitempty"` // epoch hex → Msgs delivered under it
	Names    map[string]string `json:"names,omitempty"`  // control entry ID hex → private name
	Last     int64             `json:"last,omitempty"`   // ms of the last delivery
	Broken   map[string]bool   `json:"broken,omitempty"` // epoch hex → Self's wrap did not open
	Creator  string            `json:"creator,omitempty"`
}

// Open returns an Engine keeping its state in kv, loading what kv holds.
func Open(kv store.KV, opts Options) (*Engine, error) {
	e := &Engine{
		kv:       kv,
		self:     opts.Self,
		now:      opts.Now,
		clock:    opts.Clock,
		notify:   opts.OnEvent,
		lim:      opts.Limits.withDefaults(),
		log:      opts.Logger,
		groups:   make(map[chatlog.GroupID]*group),
		prekeys:  make(map[entry.Key]*chatcrypt.PrekeyRecord),
		chains:   chatcrypt.NewChains(4096),
		held:     make(map[chatlog.GroupID]*heldGroup),
		creators: make(map[entry.Key]int),
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.clock == nil {
		e.clock = hlc.New(e.now)
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	e.stats.Dropped = make(map[string]int)
	if e.self != nil && len(e.self.Priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("chat: Self needs an Ed25519 private key")
	}
	if err := e.load(); err != nil {
		return nil, err
	}
	return e, nil
}

// Close stops the engine; the caller closes kv. Safe to call twice.
func (e *Engine) Close() error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	return nil
}

func newGroup(id chatlog.GroupID) *group {
	return &group{
		id:         id,
		pending:    make(map[chatlog.ID]*pend),
		pendSeq:    make(map[entry.Key]map[uint64]chatlog.ID),
		waiters:    make(map[chatlog.ID][]chatlog.ID),
		tips:       make(map[chatlog.ID]orderKey),
		front:      make(map[entry.Key]*front),
		incomplete: make(map[chatlog.ID][]chatlog.ID),
		incRev:     make(map[chatlog.ID][]chatlog.ID),
		secrets:    make(map[chatlog.EpochID]chatcrypt.Secret),
		forks:      make(map[chatlog.ID]forkAlias),
		fold:       &fold{},
	}
}

func (e *Engine) load() error {
	if v, err := e.kv.Get([]byte{tVersion}); err == nil {
		if len(v) != 8 || v[7] != layoutVersion {
			return fmt.Errorf("chat: store layout %x, want %d", v, layoutVersion)
		}
	} else if isNotFound(err) {
		var b store.Batch
		b.Put([]byte{tVersion}, u64(layoutVersion))
		if err := e.kv.Commit(&b, false); err != nil {
			return fmt.Errorf("chat: %w", err)
		}
	} else {
		return fmt.Errorf("chat: %w", err)
	}
	// Others' prekeys.
	it := e.kv.Find([]byte{tPrekeys}, []byte{tPrekeys + 1}, false)
	for it.Next() {
		r, err := chatcrypt.ParsePrekey(bytes.Clone(it.Value()), time.Time{})
		if err != nil {
			continue
		}
		e.prekeys[r.Account] = r
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("chat: %w", err)
	}
	// Groups: one state row each, then their tables.
	var ids []chatlog.GroupID
	it = e.kv.Find([]byte{tGroup}, []byte{tGroup + 1}, false)
	for it.Next() {
		k := it.Key()
		if len(k) == 34 && k[33] == gState {
			var id chatlog.GroupID
			copy(id[:], k[1:33])
			g := newGroup(id)
			if err := json.Unmarshal(it.Value(), &g.st); err != nil {
				it.Close()
				return fmt.Errorf("%w: group state: %v", errCorrupt, err)
			}
			e.groups[id] = g
			ids = append(ids, id)
			if c, err := entry.ParseKey(g.st.Creator); err == nil {
				e.creators[c]++
			}
		}
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("chat: %w", err)
	}
	for _, id := range ids {
		if err := e.loadGroup(e.groups[id]); err != nil {
			return err
		}
	}
	return nil
}

// scan calls fn for every row of g's table t, with the key's part after
// the table byte.
func (e *Engine) scan(g chatlog.GroupID, t byte, fn func(k, v []byte) error) error {
	p := groupKey(g, t)
	it := e.kv.Find(p, store.PrefixEnd(p), false)
	for it.Next() {
		if err := fn(it.Key()[len(p):], it.Value()); err != nil {
			it.Close()
			return err
		}
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("chat: %w", err)
	}
	return nil
}

func (e *Engine) loadGroup(g *group) error {
	err := e.scan(g.id, gControl, func(k, v []byte) error {
		raw, err := e.kv.Get(groupKey(g.id, gEntry, v))
		if err != nil {
			return fmt.Errorf("chat: control entry: %w", err)
		}
		en, err := chatlog.DecodeStored(raw)
		if err != nil {
			return fmt.Errorf("%w: control entry: %v", errCorrupt, err)
		}
		g.ctl = append(g.ctl, en)
		return nil
	})
	if err != nil {
		return err
	}
	err = e.scan(g.id, gFrontier, func(k, v []byte) error {
		if len(k) != 32 || len(v) != 16 {
			return errCorrupt
		}
		var a entry.Key
		copy(a[:], k)
		g.front[a] = &front{contig: be64(v), max: be64(v[8:])}
		return nil
	})
	if err != nil {
		return err
	}
	err = e.scan(g.id, gTip, func(k, v []byte) error {
		var id chatlog.ID
		copy(id[:], k)
		m, ok, err := e.metaOf(g.id, id)
		if err != nil || !ok {
			return errCorrupt
		}
		g.tips[id] = orderOf(m.time, m.author, m.seq)
		e.clock.Observe(m.time) // own entries come after everything delivered
		return nil
	})
	if err != nil {
		return err
	}
	err = e.scan(g.id, gIncompl, func(k, v []byte) error {
		var id chatlog.ID
		copy(id[:], k)
		var refs []chatlog.ID
		for ; len(v) >= 32; v = v[32:] {
			var r chatlog.ID
			copy(r[:], v)
			refs = append(refs, r)
		}
		g.markIncomplete(id, refs)
		return nil
	})
	if err != nil {
		return err
	}
	err = e.scan(g.id, gSecret, func(k, v []byte) error {
		var ep chatlog.EpochID
		var s chatcrypt.Secret
		copy(ep[:], k)
		copy(s[:], v)
		g.secrets[ep] = s
		return nil
	})
	if err != nil {
		return err
	}
	err = e.scan(g.id, gFork, func(k, v []byte) error {
		if len(k) != 32 || len(v) != 32+8+4 {
			return nil
		}
		var id chatlog.ID
		var a forkAlias
		copy(id[:], k)
		copy(a.kept[:], v)
		a.time = hlc.Timestamp{Wall: be64(v[32:]), Logical: binary.BigEndian.Uint32(v[40:])}
		g.forks[id] = a
		return nil
	})
	if err != nil {
		return err
	}
	now := e.now()
	err = e.scan(g.id, gPending, func(k, v []byte) error {
		if len(v) < 8 {
			return errCorrupt
		}
		en, err := chatlog.DecodeStored(v[8:])
		if err != nil {
			return nil // dropped silently: it was valid when stored
		}
		first := time.UnixMilli(int64(be64(v)))
		if first.After(now) {
			first = now
		}
		e.addPending(g, en, en.ID(), first)
		return nil
	})
	if err != nil {
		return err
	}
	e.refold(g)
	ids := make([]chatlog.ID, 0, len(g.pending))
	for id := range g.pending {
		ids = append(ids, id)
	}
	for _, id := range ids {
		e.release(g, id, nil, false)
	}
	return nil
}

func be64(b []byte) uint64 {
	return uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32 |
		uint64(b[4])<<24 | uint64(b[5])<<16 | uint64(b[6])<<8 | uint64(b[7])
}

// metaOf reads the i row of id: the entry is delivered iff ok.
func (e *Engine) metaOf(g chatlog.GroupID, id chatlog.ID) (meta, bool, error) {
	v, err := e.kv.Get(groupKey(g, gIndex, id[:]))
	if isNotFound(err) {
		return meta{}, false, nil
	}
	if err != nil {
		return meta{}, false, fmt.Errorf("chat: %w", err)
	}
	m, err := decodeMeta(v)
	if err != nil {
		return meta{}, false, err
	}
	return m, true, nil
}

// entryAt reads the delivered entry of author at seq, if held.
func (e *Engine) entryAt(g chatlog.GroupID, author entry.Key, seq uint64) (*chatlog.Entry, bool) {
	raw, err := e.kv.Get(groupKey(g, gEntry, seqKey(author, seq)))
	if err != nil {
		return nil, false
	}
	en, err := chatlog.DecodeStored(raw)
	if err != nil {
		return nil, false
	}
	return en, true
}

func (e *Engine) putState(b *store.Batch, g *group) {
	v, _ := json.Marshal(&g.st)
	b.Put(groupKey(g.id, gState), v)
}

// ensureGroup returns g's state, creating it (known as known) if there
// is room. creator, if not zero, is the author of its create.
func (e *Engine) ensureGroup(id chatlog.GroupID, known string, creator entry.Key) (*group, error) {
	if g, ok := e.groups[id]; ok {
		return g, nil
	}
	if len(e.groups) >= e.lim.Groups {
		return nil, fmt.Errorf("chat: %d groups already", len(e.groups))
	}
	if e.self == nil && !creator.IsZero() && e.creators[creator] >= e.lim.GroupsPerCreator {
		return nil, fmt.Errorf("chat: %d groups of %s already", e.creators[creator], creator.Short())
	}
	g := newGroup(id)
	g.st.Known = known
	g.st.Added = e.now().UnixMilli()
	if !creator.IsZero() {
		g.st.Creator = creator.String()
		e.creators[creator]++
	}
	var b store.Batch
	e.putState(&b, g)
	if err := e.kv.Commit(&b, false); err != nil {
		return nil, fmt.Errorf("chat: %w", err)
	}
	e.groups[id] = g
	return g, nil
}

// dropGroup deletes every row of g and forgets it.
func (e *Engine) dropGroup(g *group) {
	p := groupKey(g.id, gState)
	p = p[:len(p)-1]
	var keys [][]byte
	it := e.kv.Find(p, store.PrefixEnd(p), false)
	for it.Next() {
		keys = append(keys, bytes.Clone(it.Key()))
	}
	it.Close()
	for len(keys) > 0 {
		var b store.Batch
		n := min(len(keys), 1000)
		for _, k := range keys[:n] {
			b.Delete(k)
		}
		keys = keys[n:]
		if err := e.kv.Commit(&b, false); err != nil {
			e.log.Warn("chat: drop group", "err", err)
		}
	}
	if c, err := entry.ParseKey(g.st.Creator); err == nil {
		if e.creators[c]--; e.creators[c] <= 0 {
			delete(e.creators, c)
		}
	}
	delete(e.groups, g.id)
}

// flush delivers queued events; call without mu held.
func (e *Engine) flush() {
	e.mu.Lock()
	evs := e.events
	e.events = nil
	e.mu.Unlock()
	if e.notify == nil {
		return
	}
	for _, ev := range evs {
		e.notify(ev)
	}
}

func (e *Engine) emit(ev Event) {
	if e.notify != nil {
		e.events = append(e.events, ev)
	}
}

// Stats returns the engine's counters.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.stats
	s.Dropped = make(map[string]int, len(e.stats.Dropped))
	for k, v := range e.stats.Dropped {
		s.Dropped[k] = v
	}
	s.Pending, s.Forks = 0, 0
	for _, g := range e.groups {
		s.Pending += len(g.pending)
		s.Forks += len(g.forks)
	}
	return s
}

// Groups returns the IDs of the groups the engine knows, sorted.
func (e *Engine) Groups() []chatlog.GroupID {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]chatlog.GroupID, 0, len(e.groups))
	for id := range e.groups {
		out = append(out, id)
	}
	slices.SortFunc(out, func(a, b chatlog.GroupID) int { return bytes.Compare(a[:], b[:]) })
	return out
}

func hexID(b []byte) string { return hex.EncodeToString(b) }
