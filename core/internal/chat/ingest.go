package chat

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// MaxFuture is how far ahead of Options.Now an entry's time may be.
const MaxFuture = 60 * time.Second

// maxNeedIDs is the most IDs one Need names (a chatnet get).
const maxNeedIDs = 64

// Need is what the caller should fetch for a group: the entries of IDs,
// or, if IDs is empty, Author's seqs From..To (inclusive).
type Need struct {
	Group    chatlog.GroupID
	IDs      []chatlog.ID
	Author   entry.Key
	From, To uint64
}

// Result tells what Ingest or Tick did with entries.
type Result struct {
	Stored    int    // new entries kept (delivered now or pending)
	Delivered int    // entries delivered (of this call, or released by it)
	Pending   int    // entries of this call still waiting for predecessors
	Duplicate int    // entries already held
	Dropped   int    // entries refused
	Needs     []Need // what is missing for the pending entries of the groups touched
	Err       error  // the first reason an entry was refused
	// DeliveredEntries are the entries this call delivered (its own and
	// those it released), in delivery order: what a relay forwards and
	// indexes. Pending entries are not in it.
	DeliveredEntries []*chatlog.Entry
	// LateJoins are joins this call delivered that an admin Self first
	// saw after their invitation expired (LateGrace): the node removes
	// these members.
	LateJoins []LateJoin
	// RekeyNeeded are groups whose current epoch Self cannot open: the
	// node calls Rekey for each.
	RekeyNeeded []chatlog.GroupID
}

var dropErrs = map[string]error{
	dropFuture:    ErrFuture,
	dropUnwanted:  ErrUnwanted,
	dropFork:      ErrFork,
	dropPrev:      ErrCausality,
	dropHLC:       ErrCausality,
	dropFull:      ErrPendingFull,
	dropNonMember: ErrNonMember,
	dropMalformed: ErrMalformed,
	dropGroups:    ErrTooMany,
	dropCreate:    ErrNonMember,
	dropExpired:   ErrExpired,
}

// More drop reasons: a second create of a group that is not a DM; an
// entry pending longer than Limits.Retention.
const (
	dropCreate  = "create"
	dropExpired = "expired"
)

func (e *Engine) drop(r *Result, reason string, en *chatlog.Entry) {
	e.stats.Dropped[reason]++
	if r == nil {
		return
	}
	r.Dropped++
	if r.Err == nil {
		r.Err = fmt.Errorf("%w (%s seq %d in group %s)", dropErrs[reason], en.Author.Short(), en.Seq, en.Group.Short())
	}
}

// Wants reports whether Ingest would keep en: its group is known, or it is
// a DM create naming Self, an invite of Self (held until its group's
// create arrives), the create of a group held so, or an entry a held
// entry references (keyless: any valid create, while there is room for
// groups and for its creator's).
func (e *Engine) Wants(en *chatlog.Entry) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.wants(en)
	return ok
}

// How an entry of an unknown group is taken (wants' first result, besides
// the group's Known state).
const knownHeld = "held" // kept in e.held, not in the group table

// wants returns how the group of en becomes known, if it is wanted:
// knownHeld if en is to be held.
func (e *Engine) wants(en *chatlog.Entry) (string, bool) {
	if _, ok := e.groups[en.Group]; ok {
		return "", true
	}
	if h := e.held[en.Group]; h != nil && !en.Kind.Control() && h.linked(en) {
		return knownHeld, true
	}
	if !en.Kind.Control() {
		return "", false
	}
	b, err := en.Control()
	if err != nil {
		return "", false
	}
	full := len(e.groups) >= e.lim.Groups
	if e.self == nil {
		dm := b.Flags&chatlog.FlagDM != 0
		return "relay", !full && en.Kind == chatlog.KindCreate && (dm || e.creators[en.Author] < e.lim.GroupsPerCreator)
	}
	me := e.self.Key
	h := e.held[en.Group]
	switch {
	case en.Kind == chatlog.KindCreate && b.Flags&chatlog.FlagDM != 0 && (b.Members[0] == me || b.Members[1] == me):
		return "member", !full
	case en.Kind == chatlog.KindCreate && h != nil:
		return "invited", !full
	case en.Kind == chatlog.KindInvite && b.Target == me:
		return knownHeld, true
	case h != nil && h.linked(en):
		return knownHeld, true
	}
	return "", false
}

// linked reports whether a held entry names en as prev or dep, or en
// names a held entry: the past of a held invitation, or what its author
// sent with it (the meta after an invite of policy joined).
func (h *heldGroup) linked(en *chatlog.Entry) bool {
	for _, r := range refs(en) {
		if _, ok := h.entries[r]; ok {
			return true
		}
	}
	id := en.ID()
	for _, x := range h.entries {
		if slices.Contains(refs(x), id) {
			return true
		}
	}
	return false
}

// hold keeps en, of a group not in the table, in e.held.
func (e *Engine) hold(en *chatlog.Entry, r *Result) {
	e.heldTick++
	h := e.held[en.Group]
	if h == nil {
		if len(e.held) >= e.lim.HeldGroups {
			var lru chatlog.GroupID
			var min uint64 = ^uint64(0)
			for id, x := range e.held {
				if x.used < min {
					lru, min = id, x.used
				}
			}
			for _, x := range e.held[lru].entries {
				e.drop(nil, dropFull, x)
			}
			delete(e.held, lru)
		}
		h = &heldGroup{entries: make(map[chatlog.ID]*chatlog.Entry)}
		e.held[en.Group] = h
	}
	h.used = e.heldTick
	id := en.ID()
	if _, ok := h.entries[id]; ok {
		r.Duplicate++
		return
	}
	if len(h.entries) >= e.lim.HeldPerGroup {
		e.drop(r, dropFull, en)
		return
	}
	h.entries[id] = en
	r.Stored++
}

// heldNeeds lists what the entries held for g reference and are not held:
// per author, its seqs below its lowest held one; dep IDs.
func (e *Engine) heldNeeds(g chatlog.GroupID) []Need {
	h := e.held[g]
	if h == nil {
		return nil
	}
	low := make(map[entry.Key]uint64)
	var ids []chatlog.ID
	for _, en := range h.entries {
		if l, ok := low[en.Author]; !ok || en.Seq < l {
			low[en.Author] = en.Seq
		}
		for _, d := range en.Deps {
			if _, ok := h.entries[d]; !ok && !slices.Contains(ids, d) {
				ids = append(ids, d)
			}
		}
	}
	var out []Need
	authors := make([]entry.Key, 0, len(low))
	for a := range low {
		authors = append(authors, a)
	}
	slices.SortFunc(authors, compareKeys)
	for _, a := range authors {
		if low[a] > 1 {
			out = append(out, Need{Group: g, Author: a, From: 1, To: low[a] - 1})
		}
	}
	slices.SortFunc(ids, compareIDs)
	for len(ids) > 0 {
		n := min(len(ids), maxNeedIDs)
		out = append(out, Need{Group: g, IDs: ids[:n:n]})
		ids = ids[n:]
	}
	return out
}

// Plausible reports whether en could belong to a group the engine keeps:
// the group is known and en's author is known to its membership fold
// (member, invitee, or once either), or en is an entry Wants accepts
// from anyone: a create of the group (only its creator can write one), a
// join of a public group, an invite of Self (or, for an unknown group,
// what Wants accepts). A node's gossip validator ignores entries for
// which it is false: they cannot take effect, and a relay must not spread
// them.
func (e *Engine) Plausible(en *chatlog.Entry) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	g, ok := e.groups[en.Group]
	if !ok {
		_, ok := e.wants(en)
		return ok
	}
	return e.plausible(g, en)
}

// plausible reports whether en's author is known to g's fold, or en is a
// create, a public join or an invite of Self.
func (e *Engine) plausible(g *group, en *chatlog.Entry) bool {
	if g.fold.known(en.Author) {
		return true
	}
	switch en.Kind {
	case chatlog.KindCreate:
		return true
	case chatlog.KindJoin:
		return !g.fold.created || g.fold.public()
	case chatlog.KindInvite:
		if e.self == nil {
			return false
		}
		b, err := en.Control()
		return err == nil && b.Target == e.self.Key
	}
	return false
}

// plausibleAuthor reports whether a is known to g's fold or has a
// plausible entry pending.
func (e *Engine) plausibleAuthor(g *group, a entry.Key) bool {
	if g.fold.known(a) {
		return true
	}
	for _, id := range g.pendSeq[a] {
		if p := g.pending[id]; p != nil && e.plausible(g, p.e) {
			return true
		}
	}
	return false
}

// strangerPending counts g's pending entries by authors that are not
// plausible.
func (e *Engine) strangerPending(g *group) int {
	n := 0
	for a, m := range g.pendSeq {
		if !e.plausibleAuthor(g, a) {
			n += len(m)
		}
	}
	return n
}

// Ingest validates, stores and delivers entries (already decoded, so
// signed and well formed). Duplicates are cheap no-ops.
func (e *Engine) Ingest(es []*chatlog.Entry) Result {
	var r Result
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		r.Err = ErrClosed
		return r
	}
	touched := make(map[chatlog.GroupID]*group)
	heldTouched := make(map[chatlog.GroupID]bool)
	var mine []chatlog.ID
	// Entries that make their group known (a DM create, an invite of
	// Self, a create at a relay) go first, so the rest of a push is kept.
	es = slices.Clone(es)
	slices.SortStableFunc(es, func(x, y *chatlog.Entry) int {
		return e.opens(y) - e.opens(x)
	})
	for _, en := range es {
		if en == nil {
			continue
		}
		g, id, ok := e.ingestOne(en, &r)
		if ok {
			touched[g.id] = g
			mine = append(mine, id)
		} else if g == nil && e.held[en.Group] != nil {
			heldTouched[en.Group] = true
		}
	}
	heldIDs := make([]chatlog.GroupID, 0, len(heldTouched))
	for id := range heldTouched {
		if e.held[id] != nil {
			heldIDs = append(heldIDs, id)
		}
	}
	slices.SortFunc(heldIDs, func(a, b chatlog.GroupID) int { return compareKeys(entry.Key(a), entry.Key(b)) })
	for _, id := range heldIDs {
		r.Needs = append(r.Needs, e.heldNeeds(id)...)
	}
	for _, id := range mine {
		for _, g := range touched {
			if _, ok := g.pending[id]; ok {
				r.Pending++
			}
		}
	}
	for _, g := range sortedGroups(touched) {
		r.Needs = append(r.Needs, e.needs(g)...)
	}
	e.mu.Unlock()
	e.flush()
	return r
}

// opens is 1 if en would make its (unknown) group known, else 0.
func (e *Engine) opens(en *chatlog.Entry) int {
	if en == nil {
		return 0
	}
	if _, ok := e.groups[en.Group]; ok || !en.Kind.Control() {
		return 0
	}
	if _, ok := e.wants(en); ok {
		return 1
	}
	return 0
}

func sortedGroups(m map[chatlog.GroupID]*group) []*group {
	out := make([]*group, 0, len(m))
	for _, g := range m {
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b *group) int { return compareKeys(entry.Key(a.id), entry.Key(b.id)) })
	return out
}

// ingestOne stores en as pending and delivers what it can.
func (e *Engine) ingestOne(en *chatlog.Entry, r *Result) (*group, chatlog.ID, bool) {
	now := e.now()
	if en.Time.Wall > uint64(now.Add(MaxFuture).UnixMilli()) {
		e.drop(r, dropFuture, en)
		return nil, chatlog.ID{}, false
	}
	known, ok := e.wants(en)
	if !ok {
		e.drop(r, dropUnwanted, en)
		return nil, chatlog.ID{}, false
	}
	if en.Kind.Control() {
		if _, err := en.Control(); err != nil {
			e.drop(r, dropMalformed, en)
			return nil, chatlog.ID{}, false
		}
	}
	if known == knownHeld {
		e.hold(en, r)
		return nil, chatlog.ID{}, false
	}
	var creator entry.Key // counted in Limits.GroupsPerCreator: not for DMs
	if b, err := en.Control(); err == nil && en.Kind == chatlog.KindCreate && b.Flags&chatlog.FlagDM == 0 {
		creator = en.Author
	}
	g, err := e.ensureGroup(en.Group, known, creator)
	if err != nil {
		e.drop(r, dropGroups, en)
		return nil, chatlog.ID{}, false
	}
	if h := e.held[en.Group]; h != nil {
		// The group's create arrived: what was held is ingested after it.
		delete(e.held, en.Group)
		defer func() {
			held := make([]*chatlog.Entry, 0, len(h.entries))
			for _, x := range h.entries {
				held = append(held, x)
			}
			slices.SortFunc(held, func(a, b *chatlog.Entry) int {
				ka, kb := orderOfEntry(a), orderOfEntry(b)
				return compareBytes(ka[:], kb[:])
			})
			for _, x := range held {
				e.ingestOne(x, r)
			}
		}()
	}
	id := en.ID()
	if _, ok := g.pending[id]; ok {
		r.Duplicate++
		return g, id, false
	}
	if _, ok, _ := e.metaOf(g.id, id); ok {
		r.Duplicate++
		return g, id, false
	}
	if other, ok := g.pendSeq[en.Author][en.Seq]; ok && other != id {
		e.drop(r, dropFork, en)
		return g, id, false
	}
	if raw, err := e.kv.Get(groupKey(g.id, gEntry, seqKey(en.Author, en.Seq))); err == nil {
		e.drop(r, dropFork, en)
		e.alias(g, en, id, raw, r)
		return g, id, false
	}
	// Delivery is tried first: the pending bounds apply only to entries
	// that must wait, and entries of authors the group has never seen
	// have a budget of their own, so they cannot crowd out members'.
	if v, _, inc, _ := e.check(g, &pend{e: en, id: id}); v == vWait || v == vReady && inc && en.Kind.Control() {
		strangers := e.strangerPending(g)
		full := len(g.pendSeq[en.Author]) >= e.lim.PendingPerAuthor
		if e.plausible(g, en) {
			full = full || len(g.pending)-strangers >= e.lim.PendingPerGroup
		} else {
			full = full || strangers >= e.lim.PendingStrangers
		}
		if full {
			e.drop(r, dropFull, en)
			return g, id, false
		}
	}
	var b store.Batch
	b.Put(groupKey(g.id, gPending, id[:]), append(u64(uint64(now.UnixMilli())), en.Encode()...))
	if err := e.kv.Commit(&b, false); err != nil {
		if r.Err == nil {
			r.Err = fmt.Errorf("chat: %w", err)
		}
		return g, id, false
	}
	e.addPending(g, en, id, now)
	r.Stored++
	e.release(g, id, r, false)
	return g, id, true
}

// alias records en, which forks the delivered entry encoded in raw, as
// its alias, so that entries naming en deliver (one member may hold one
// side of a fork and another the other), and retries those waiting for
// en. Only forks by authors the fold knows, at most maxForks per group.
func (e *Engine) alias(g *group, en *chatlog.Entry, id chatlog.ID, raw []byte, r *Result) {
	if _, ok := g.forks[id]; ok || len(g.forks) >= maxForks || !g.fold.known(en.Author) {
		return
	}
	kept := chatlog.ID(sha256.Sum256(raw))
	a := forkAlias{kept: kept, time: en.Time}
	var b store.Batch
	v := binary.BigEndian.AppendUint32(append(append([]byte(nil), kept[:]...), u64(en.Time.Wall)...), en.Time.Logical)
	b.Put(groupKey(g.id, gFork, id[:]), v)
	if err := e.kv.Commit(&b, false); err != nil {
		return
	}
	g.forks[id] = a
	waiting := g.waiters[id]
	delete(g.waiters, id)
	for _, w := range waiting {
		e.release(g, w, r, false)
	}
}

func (e *Engine) addPending(g *group, en *chatlog.Entry, id chatlog.ID, first time.Time) {
	g.pending[id] = &pend{e: en, id: id, first: first}
	m := g.pendSeq[en.Author]
	if m == nil {
		m = make(map[uint64]chatlog.ID)
		g.pendSeq[en.Author] = m
	}
	m[en.Seq] = id
}

func (e *Engine) removePending(g *group, p *pend, b *store.Batch) {
	delete(g.pending, p.id)
	if m := g.pendSeq[p.e.Author]; m != nil {
		delete(m, p.e.Seq)
		if len(m) == 0 {
			delete(g.pendSeq, p.e.Author)
		}
	}
	b.Delete(groupKey(g.id, gPending, p.id[:]))
}

// refs returns the IDs en references: prev (if any), then deps.
func refs(en *chatlog.Entry) []chatlog.ID {
	out := make([]chatlog.ID, 0, 1+len(en.Deps))
	if en.Seq > 1 {
		out = append(out, en.Prev)
	}
	return append(out, en.Deps...)
}

// verdict of checking a pending entry's references.
type verdict int

const (
	vReady verdict = iota
	vWait
	vDrop
)

// check looks at p's references: all delivered with earlier times
// (ready), some missing (wait; missing lists them), or contradicting p
// (drop, with the reason).
func (e *Engine) check(g *group, p *pend) (v verdict, missing []chatlog.ID, incomplete bool, reason string) {
	en := p.e
	for i, ref := range refs(en) {
		m, ok, err := e.metaOf(g.id, ref)
		if a, fork := g.forks[ref]; fork && err == nil && !ok {
			// One side of a fork stands for the other.
			if m, ok, err = e.metaOf(g.id, a.kept); ok {
				m.time = a.time
				ref = a.kept
			}
		}
		if err != nil || !ok {
			missing = append(missing, ref)
			continue
		}
		if i == 0 && en.Seq > 1 && (m.author != en.Author || m.seq != en.Seq-1) {
			return vDrop, nil, false, dropPrev
		}
		if !m.time.Less(en.Time) {
			return vDrop, nil, false, dropHLC
		}
		if _, inc := g.incomplete[ref]; inc {
			incomplete = true
		}
	}
	if len(missing) > 0 {
		return vWait, missing, incomplete, ""
	}
	return vReady, nil, incomplete, ""
}

// release tries to deliver the pending entry id, then whatever waited on
// what it delivers. forced delivers id even if predecessors are missing
// (a gap).
func (e *Engine) release(g *group, id chatlog.ID, r *Result, forced bool) {
	queue := []chatlog.ID{id}
	first := true
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		p, ok := g.pending[cur]
		if !ok {
			continue
		}
		v, missing, incomplete, reason := e.check(g, p)
		force := forced && first
		first = false
		switch {
		case v == vDrop:
			var b store.Batch
			e.removePending(g, p, &b)
			_ = e.kv.Commit(&b, false)
			e.drop(r, reason, p.e)
			continue
		case v == vWait && !force:
			for _, m := range missing {
				if !slices.Contains(g.waiters[m], cur) {
					g.waiters[m] = append(g.waiters[m], cur)
				}
			}
			continue
		case p.e.Kind.Control() && incomplete && !force:
			// Control entries wait for a complete past; resolve retries them.
			continue
		}
		delivered := e.deliver(g, p, missing, incomplete || len(missing) > 0, r)
		if !delivered {
			continue
		}
		if r != nil {
			r.Delivered++
			r.DeliveredEntries = append(r.DeliveredEntries, p.e)
		}
		queue = append(queue, g.waiters[cur]...)
		delete(g.waiters, cur)
		if next, ok := g.pendSeq[p.e.Author][p.e.Seq+1]; ok {
			queue = append(queue, next)
		}
		if len(g.incRev[cur]) > 0 && !incomplete && len(missing) == 0 {
			queue = append(queue, e.resolve(g, cur)...)
		}
	}
}

// markIncomplete records id as delivered over a gap, naming refs.
func (g *group) markIncomplete(id chatlog.ID, refs []chatlog.ID) {
	g.incomplete[id] = refs
	for _, r := range refs {
		g.incRev[r] = append(g.incRev[r], id)
	}
}

// resolve is called when done, which incomplete entries name, is
// delivered with a complete past: it marks complete the entries whose
// references now all are, transitively, and returns the pending control
// entries to retry if any changed.
func (e *Engine) resolve(g *group, done chatlog.ID) []chatlog.ID {
	changed := false
	queue := []chatlog.ID{done}
	for len(queue) > 0 {
		y := queue[0]
		queue = queue[1:]
		for _, z := range g.incRev[y] {
			rs, inc := g.incomplete[z]
			if !inc {
				continue
			}
			complete := true
			for _, ref := range rs {
				if _, inc := g.incomplete[ref]; inc {
					complete = false
					break
				}
				if _, ok, _ := e.metaOf(g.id, ref); !ok {
					complete = false
					break
				}
			}
			if !complete {
				continue
			}
			delete(g.incomplete, z)
			var b store.Batch
			b.Delete(groupKey(g.id, gIncompl, z[:]))
			_ = e.kv.Commit(&b, false)
			changed = true
			queue = append(queue, z)
		}
		delete(g.incRev, y)
	}
	if !changed {
		return nil
	}
	var retry []chatlog.ID
	for id, p := range g.pending {
		if p.e.Kind.Control() {
			retry = append(retry, id)
		}
	}
	return retry
}

// deliver stores p as delivered. missing are the references it lacks (a
// gap: p is a Msg forced by Tick); incomplete marks p as delivered over a
// gap. It reports false if p was dropped instead.
func (e *Engine) deliver(g *group, p *pend, missing []chatlog.ID, incomplete bool, r *Result) bool {
	en, id := p.e, p.id
	f := g.fold
	var b store.Batch
	reject := func(reason string) bool {
		e.removePending(g, p, &b)
		_ = e.kv.Commit(&b, false)
		e.drop(r, reason, en)
		return false
	}
	switch en.Kind {
	case chatlog.KindCreate:
		body, _ := en.Control()
		if f.created && !f.dm {
			// Only the creator can write a create of this ID
			// (chatlog.GroupFor): a second one is a fork at seq 1.
			return reject(dropFork)
		}
		if f.created && body.Flags&chatlog.FlagDM == 0 {
			return reject(dropCreate)
		}
	case chatlog.KindJoin:
		if !f.created || (!f.known(en.Author) && !f.public()) {
			return reject(dropNonMember)
		}
	default:
		if !f.created || !f.known(en.Author) {
			return reject(dropNonMember)
		}
	}
	now := e.now()
	key := orderOfEntry(en)
	m := meta{author: en.Author, seq: en.Seq, time: en.Time, kind: en.Kind, delivered: now.UnixMilli()}
	if len(missing) > 0 {
		m.flags |= flagAfterGap
	}
	if incomplete {
		m.flags |= flagIncomplete
	}
	e.removePending(g, p, &b)
	sk := seqKey(en.Author, en.Seq)
	b.Put(groupKey(g.id, gEntry, sk), en.Encode())
	b.Put(groupKey(g.id, gOrder, key[:]), append(append([]byte(nil), id[:]...), byte(en.Kind)))
	if en.Kind.Control() {
		b.Put(groupKey(g.id, gControl, key[:]), sk)
	}
	for _, ref := range refs(en) {
		b.Delete(groupKey(g.id, gTip, ref[:]))
		b.Put(groupKey(g.id, gRef, ref[:]), nil)
		delete(g.tips, ref)
	}
	if _, err := e.kv.Get(groupKey(g.id, gRef, id[:])); isNotFound(err) {
		b.Put(groupKey(g.id, gTip, id[:]), nil)
		g.tips[id] = key
	}
	fr := g.front[en.Author]
	if fr == nil {
		fr = &front{}
		g.front[en.Author] = fr
	}
	fr.max = max(fr.max, en.Seq)
	if en.Seq == fr.contig+1 {
		fr.contig = en.Seq
		for {
			if _, err := e.kv.Get(groupKey(g.id, gEntry, seqKey(en.Author, fr.contig+1))); err != nil {
				break
			}
			fr.contig++
		}
	}
	b.Put(groupKey(g.id, gFrontier, en.Author[:]), append(u64(fr.contig), u64(fr.max)...))
	if incomplete {
		var v []byte
		for _, ref := range refs(en) {
			v = append(v, ref[:]...)
		}
		b.Put(groupKey(g.id, gIncompl, id[:]), v)
		g.markIncomplete(id, refs(en))
	}
	if len(missing) > 0 {
		gr := gapRecord{author: en.Author, from: 1, to: 0}
		for _, ref := range missing {
			if en.Seq > 1 && ref == en.Prev {
				gr.from, gr.to = fr.contig+1, en.Seq-1
				if gr.from > gr.to {
					gr.from = gr.to
				}
				continue
			}
			gr.ids = append(gr.ids, ref)
		}
		b.Put(groupKey(g.id, gGap, id[:]), gr.encode())
		e.stats.Gaps++
	}
	if e.self == nil {
		b.Put(groupKey(g.id, gArrival, u64(uint64(m.delivered)), id[:]), nil)
	}
	var msg *Message
	if en.Kind == chatlog.KindMsg {
		if !en.Epoch.IsZero() {
			if g.st.Counts == nil {
				g.st.Counts = make(map[string]uint64)
			}
			g.st.Counts[hexID(en.Epoch[:])]++
		}
		visible := f.visible(en.Author, en.Seq)
		if !visible {
			e.stats.Hidden++
		}
		if e.self != nil {
			text, ok := e.decrypt(g, en, id, &b)
			if !ok {
				m.flags |= flagUndecrypt
			}
			mine := en.Author == e.self.Key
			if visible && (ok || f.selfDuring(e.self.Key, key)) {
				msg = e.message(g, en, id, m, text)
				if !mine {
					g.st.Arrivals++
				}
				g.st.Updated = max(g.st.Updated, now.UnixMilli())
			}
		}
	}
	b.Put(groupKey(g.id, gIndex, id[:]), m.encode())
	g.st.Last = now.UnixMilli()
	e.putState(&b, g)
	if err := e.kv.Commit(&b, false); err != nil {
		e.log.Warn("chat: deliver", "err", err)
		return false
	}
	e.stats.Delivered++
	e.clock.Observe(en.Time)
	if msg != nil {
		e.emit(Event{Kind: "message", Group: g.id, Message: msg})
	}
	if en.Kind.Control() {
		broken := e.deliverControl(g, en, id, key)
		e.checkLateJoin(g, p, r)
		if broken && r != nil && g.fold.effective[id] && !slices.Contains(r.RekeyNeeded, g.id) {
			r.RekeyNeeded = append(r.RekeyNeeded, g.id)
		}
	}
	return true
}

// LateGrace is how long after an invitation's expiry an admin's device
// may first see the join accepting it before reporting it (LateJoin).
const LateGrace = 5 * time.Minute

// LateJoin is a join an admin Self first saw more than LateGrace after
// its invitation expired: its HLC time, which the fold compares with the
// expiry, is the joiner's own choice, so the admins' devices enforce the
// expiry by removing such members.
type LateJoin struct {
	Group  chatlog.GroupID
	Member entry.Key
}

// checkLateJoin reports p, a join just delivered, in r.LateJoins if Self
// is an admin, the join took effect, and p was first seen more than
// LateGrace after its invitation expired.
func (e *Engine) checkLateJoin(g *group, p *pend, r *Result) {
	en := p.e
	if r == nil || e.self == nil || en.Kind != chatlog.KindJoin || en.Author == e.self.Key ||
		!g.fold.effective[p.id] || g.fold.role(e.self.Key) != roleAdmin {
		return
	}
	b, err := en.Control()
	if err != nil || b.Invite.IsZero() {
		return
	}
	inv := g.fold.invites[b.Invite]
	if inv == nil || p.first.IsZero() {
		return
	}
	if p.first.After(time.UnixMilli(int64(inv.expires)).Add(LateGrace)) {
		r.LateJoins = append(r.LateJoins, LateJoin{Group: g.id, Member: en.Author})
	}
}

// deliverControl folds a delivered control entry and learns the secrets
// it carries for Self; it reports whether Self's wrap in it is broken.
func (e *Engine) deliverControl(g *group, en *chatlog.Entry, id chatlog.ID, key orderKey) (broken bool) {
	i, _ := slices.BinarySearchFunc(g.ctl, key, func(c *chatlog.Entry, k orderKey) int {
		ck := orderOfEntry(c)
		return compareBytes(ck[:], k[:])
	})
	g.ctl = slices.Insert(g.ctl, i, en)
	before := g.fold
	if e.self != nil {
		broken = e.learnFrom(g, en)
	}
	e.refold(g)
	if e.self != nil {
		e.openNames(g)
		me := e.self.Key
		body, _ := en.Control()
		if en.Kind == chatlog.KindInvite && body != nil && body.Target == me && g.fold.effective[id] &&
			g.fold.role(me) == roleInvited {
			e.emit(Event{Kind: "invite", Group: g.id})
		}
		if g.fold.role(me) >= roleMember && g.st.Known != "member" {
			g.st.Known = "member"
			e.saveState(g)
		}
	}
	if membersChanged(before, g.fold) {
		e.emit(Event{Kind: "members", Group: g.id})
	}
	return broken
}

func compareBytes(a, b []byte) int {
	switch {
	case string(a) < string(b):
		return -1
	case string(a) > string(b):
		return 1
	}
	return 0
}

func membersChanged(a, b *fold) bool {
	if a == nil || len(a.members) != len(b.members) {
		return true
	}
	for k, m := range a.members {
		n := b.members[k]
		if n == nil || n.role != m.role {
			return true
		}
	}
	return false
}

func (e *Engine) saveState(g *group) {
	var b store.Batch
	e.putState(&b, g)
	if err := e.kv.Commit(&b, false); err != nil {
		e.log.Warn("chat: save group state", "err", err)
	}
}

// needs lists what g's pending entries lack: per author, the seq ranges
// neither delivered nor pending below its pending entries; and dep IDs
// neither delivered nor pending.
func (e *Engine) needs(g *group) []Need {
	var out []Need
	authors := make([]entry.Key, 0, len(g.pendSeq))
	for a := range g.pendSeq {
		if e.plausibleAuthor(g, a) {
			authors = append(authors, a)
		}
	}
	slices.SortFunc(authors, compareKeys)
	for _, a := range authors {
		// The seqs held above the contiguous run: pending ones and those
		// delivered after a gap; the holes between them are missing.
		from := uint64(1)
		if fr := g.front[a]; fr != nil {
			from = fr.contig + 1
		}
		held := make([]uint64, 0, len(g.pendSeq[a]))
		top := uint64(0)
		for s := range g.pendSeq[a] {
			held = append(held, s)
			top = max(top, s)
		}
		if fr := g.front[a]; fr != nil && fr.max >= from {
			it := e.kv.Find(groupKey(g.id, gEntry, seqKey(a, from)), groupKey(g.id, gEntry, seqKey(a, top)), false)
			for it.Next() {
				if k := it.Key(); len(k) >= 8 {
					held = append(held, be64(k[len(k)-8:]))
				}
			}
			it.Close()
		}
		slices.Sort(held)
		next := from
		for _, s := range held {
			if s > next {
				out = append(out, Need{Group: g.id, Author: a, From: next, To: s - 1})
			}
			next = max(next, s+1)
		}
	}
	seen := make(map[chatlog.ID]bool)
	var ids []chatlog.ID
	for _, p := range g.pending {
		if !e.plausibleAuthor(g, p.e.Author) {
			continue // no fetching on behalf of strangers
		}
		for _, d := range p.e.Deps {
			if seen[d] {
				continue
			}
			seen[d] = true
			if _, ok := g.pending[d]; ok {
				continue
			}
			if _, ok := g.forks[d]; ok {
				continue
			}
			if _, ok, _ := e.metaOf(g.id, d); ok {
				continue
			}
			ids = append(ids, d)
		}
	}
	slices.SortFunc(ids, compareIDs)
	for len(ids) > 0 {
		n := min(len(ids), maxNeedIDs)
		out = append(out, Need{Group: g.id, IDs: ids[:n:n]})
		ids = ids[n:]
	}
	return out
}

// Tick delivers the Msgs pending for longer than GapAfter after a gap,
// and reports what every group still needs.
func (e *Engine) Tick(now time.Time) Result {
	var r Result
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		r.Err = ErrClosed
		return r
	}
	for _, g := range e.sortedAll() {
		if e.orphan(g, now) {
			e.dropGroup(g)
			continue
		}
		var due []*pend
		for _, p := range g.pending {
			age := now.Sub(p.first)
			if p.e.Kind == chatlog.KindMsg && age >= e.lim.GapAfter ||
				e.lim.ControlGapAfter > 0 && p.e.Kind.Control() && age >= e.lim.ControlGapAfter {
				due = append(due, p)
			}
		}
		// Oldest positions first, so a run of one author's Msgs releases in order.
		slices.SortFunc(due, func(a, b *pend) int {
			ka, kb := orderOfEntry(a.e), orderOfEntry(b.e)
			return compareBytes(ka[:], kb[:])
		})
		for _, p := range due {
			if _, ok := g.pending[p.id]; ok {
				e.release(g, p.id, &r, true)
			}
		}
		e.expire(g, now, &r)
		r.Needs = append(r.Needs, e.needs(g)...)
		r.Pending += len(g.pending)
	}
	e.mu.Unlock()
	e.flush()
	return r
}

// orphan reports whether g is a group Self never took part in, kept
// longer than Limits.OrphanAfter: one whose create came for an
// invitation that never took effect, or a watched one whose create never
// came. A watched group with a create is kept.
func (e *Engine) orphan(g *group, now time.Time) bool {
	if e.self == nil || now.Sub(time.UnixMilli(g.st.Added)) <= e.lim.OrphanAfter {
		return false
	}
	if g.st.Known == "watch" {
		return !g.fold.created
	}
	return !g.fold.known(e.self.Key)
}

// expire drops the entries pending longer than Limits.Retention (their
// past is not coming) and forgets waits on entries no longer pending.
func (e *Engine) expire(g *group, now time.Time, r *Result) {
	for _, p := range g.pending {
		if now.Sub(p.first) > e.lim.Retention {
			var b store.Batch
			e.removePending(g, p, &b)
			_ = e.kv.Commit(&b, false)
			e.drop(r, dropExpired, p.e)
		}
	}
	for ref, ids := range g.waiters {
		live := ids[:0]
		for _, id := range ids {
			if _, ok := g.pending[id]; ok {
				live = append(live, id)
			}
		}
		if len(live) == 0 {
			delete(g.waiters, ref)
		} else {
			g.waiters[ref] = live
		}
	}
}

func (e *Engine) sortedAll() []*group {
	return sortedGroups(e.groups)
}
