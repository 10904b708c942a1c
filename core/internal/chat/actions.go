package chat

import (
	"fmt"
	"slices"
	"time"

	"github.com/skein-p2p/skein/core/internal/chatcrypt"
	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// KeyFunc returns an account's prekey record, as the node fetches it over
// the network; it may fail. It is called without the engine's lock.
type KeyFunc func(entry.Key) (*chatcrypt.PrekeyRecord, error)

// Epoch rotation: an epoch carries at most this many Msgs.
const (
	epochMaxMsgs   = 1000
	dmEpochMaxMsgs = 100
	defaultExpires = 7 * 24 * time.Hour
)

// begin serialises Self's actions.
func (e *Engine) begin() error {
	if e.self == nil {
		return errKeyless
	}
	e.act.Lock()
	return nil
}

// memberGroup returns g if Self is a member of it. Call with mu held.
func (e *Engine) memberGroup(id chatlog.GroupID) (*group, error) {
	if e.closed {
		return nil, ErrClosed
	}
	g, ok := e.groups[id]
	if !ok || !g.fold.created {
		return nil, fmt.Errorf("%w: %s", ErrUnknownGroup, id.Short())
	}
	if g.fold.role(e.self.Key) < roleMember {
		return nil, fmt.Errorf("%w: %s", ErrNotMember, id.Short())
	}
	return g, nil
}

func (e *Engine) adminGroup(id chatlog.GroupID) (*group, error) {
	g, err := e.memberGroup(id)
	if err != nil {
		return nil, err
	}
	if g.fold.dm {
		return nil, ErrDM
	}
	if g.fold.role(e.self.Key) != roleAdmin {
		return nil, fmt.Errorf("%w: %s", ErrNotAdmin, id.Short())
	}
	return g, nil
}

// draft is an own entry being built.
type draft struct {
	kind  chatlog.Kind
	epoch chatlog.EpochID
	must  []chatlog.ID                        // deps to include if not implied
	body  func(header []byte) ([]byte, error) // the body, given the header
}

// build makes, signs and delivers an own entry of g. Call with mu held.
func (e *Engine) build(g *group, d draft) (*chatlog.Entry, error) {
	me := e.self.Key
	en := &chatlog.Entry{Group: g.id, Author: me, Seq: 1, Kind: d.kind, Epoch: d.epoch}
	if fr := g.front[me]; fr != nil && fr.max > 0 {
		prev, ok := e.entryAt(g.id, me, fr.max)
		if !ok {
			return nil, fmt.Errorf("chat: own entry %d missing", fr.max)
		}
		en.Seq, en.Prev = fr.max+1, prev.ID()
	}
	en.Deps = e.chooseDeps(g, en.Prev, d.must)
	en.Time = e.clock.Now()
	body, err := d.body(en.Header())
	if err != nil {
		return nil, err
	}
	en.Body = body
	if err := chatlog.Sign(en, e.self.Priv); err != nil {
		return nil, fmt.Errorf("chat: sign: %w", err)
	}
	id := en.ID()
	e.addPending(g, en, id, e.now())
	var r Result
	e.release(g, id, &r, false)
	if _, ok, _ := e.metaOf(g.id, id); !ok {
		if p, ok := g.pending[id]; ok {
			var b store.Batch
			e.removePending(g, p, &b)
			_ = e.kv.Commit(&b, false)
		}
		if r.Err != nil {
			return nil, fmt.Errorf("chat: own entry not delivered: %w", r.Err)
		}
		return nil, fmt.Errorf("chat: own entry not delivered")
	}
	return en, nil
}

// chooseDeps picks up to MaxDeps tips other than prev, the must IDs first
// (when still tips), then the newest; sorted ascending.
func (e *Engine) chooseDeps(g *group, prev chatlog.ID, must []chatlog.ID) []chatlog.ID {
	var out []chatlog.ID
	for _, id := range must {
		if _, tip := g.tips[id]; tip && id != prev && !slices.Contains(out, id) && len(out) < chatlog.MaxDeps {
			out = append(out, id)
		}
	}
	type tip struct {
		id  chatlog.ID
		key orderKey
	}
	tips := make([]tip, 0, len(g.tips))
	for id, k := range g.tips {
		if id != prev && !slices.Contains(out, id) {
			tips = append(tips, tip{id, k})
		}
	}
	slices.SortFunc(tips, func(a, b tip) int { return compareBytes(b.key[:], a.key[:]) })
	for _, t := range tips {
		if len(out) >= chatlog.MaxDeps {
			break
		}
		out = append(out, t.id)
	}
	slices.SortFunc(out, compareIDs)
	return out
}

// wrapsFor wraps s (epoch ep of g) to each account's prekey, ascending.
func wrapsFor(g chatlog.GroupID, ep chatlog.EpochID, s chatcrypt.Secret, recs map[entry.Key]*chatcrypt.PrekeyRecord) ([]chatlog.Wrap, error) {
	out := make([]chatlog.Wrap, 0, len(recs))
	for a, r := range recs {
		enc, sealed, err := chatcrypt.Wrap(r.Public, g, ep, s)
		if err != nil {
			return nil, fmt.Errorf("chat: wrap for %s: %w", a.Short(), err)
		}
		out = append(out, chatlog.Wrap{Recipient: a, PrekeyID: r.ID(), Enc: enc, Sealed: sealed})
	}
	slices.SortFunc(out, func(x, y chatlog.Wrap) int { return compareKeys(x.Recipient, y.Recipient) })
	return out, nil
}

// bundle returns the history bundle of up to MaxBundle epochs of g Self
// holds, newest first, but skip.
func (e *Engine) bundle(g *group, skip chatlog.EpochID) []chatcrypt.Epoch {
	var out []chatcrypt.Epoch
	seen := map[chatlog.EpochID]bool{skip: true}
	add := func(id chatlog.EpochID) {
		if s, ok := g.secrets[id]; ok && !seen[id] && len(out) < chatcrypt.MaxBundle {
			seen[id] = true
			out = append(out, chatcrypt.Epoch{ID: id, Secret: s})
		}
	}
	for i := len(g.fold.epochs) - 1; i >= 0; i-- {
		add(g.fold.epochs[i].id)
	}
	ids := make([]chatlog.EpochID, 0, len(g.secrets))
	for id := range g.secrets {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b chatlog.EpochID) int { return compareBytes(a[:], b[:]) })
	for _, id := range ids {
		add(id)
	}
	return out
}

// newEpoch makes a fresh secret for g, kept by Self, its wraps for recs and
// (shared history) the bundle sealed under it.
type epochDraft struct {
	id     chatlog.EpochID
	secret chatcrypt.Secret
	wraps  []chatlog.Wrap
	bundle []chatcrypt.Epoch
}

func (e *Engine) newEpoch(g *group, recs map[entry.Key]*chatcrypt.PrekeyRecord, shared bool) (*epochDraft, error) {
	s, err := chatcrypt.NewSecret()
	if err != nil {
		return nil, err
	}
	d := &epochDraft{id: chatlog.EpochID(s.ID()), secret: s}
	if len(recs) == 0 {
		own, err := e.ownPrekey()
		if err != nil {
			return nil, err
		}
		recs = map[entry.Key]*chatcrypt.PrekeyRecord{e.self.Key: own}
	}
	if d.wraps, err = wrapsFor(g.id, d.id, s, recs); err != nil {
		return nil, err
	}
	if shared {
		d.bundle = e.bundle(g, d.id)
	}
	return d, nil
}

// sealBundle returns the body's Sealed field for d: the bundle sealed
// under d's secret with the header as AAD, or nil.
func (d *epochDraft) sealBundle(header []byte) ([]byte, error) {
	if len(d.bundle) == 0 {
		return nil, nil
	}
	pt, err := chatcrypt.EncodeBundle(d.bundle)
	if err != nil {
		return nil, err
	}
	return chatcrypt.SealWith(d.secret, labelBundle, header, pt)
}

// chooseEpoch returns the newest epoch of g whose recipients are every
// current member and nobody outside the group (an invitee whose
// invitations all expired by Self's clock is outside), whose secret Self
// holds, with room for more Msgs and younger than 7 days; nil if none.
func (e *Engine) chooseEpoch(g *group) *epochInfo {
	f := g.fold
	limit := uint64(epochMaxMsgs)
	if f.dm {
		limit = dmEpochMaxMsgs
	}
	now := e.now()
	cur := f.current()
next:
	for i := len(f.epochs) - 1; i >= 0; i-- {
		ep := f.epochs[i]
		if _, ok := g.secrets[ep.id]; !ok {
			continue
		}
		if g.st.Counts[hexID(ep.id[:])] >= limit || now.Sub(ep.time.Time()) >= epochMaxAge {
			continue
		}
		for _, m := range cur {
			if !ep.recipients[m] {
				continue next
			}
		}
		for r := range ep.recipients {
			if f.role(r) == roleNone || f.role(r) == roleInvited && !f.liveInvite(r, now) {
				continue next
			}
		}
		return ep
	}
	return nil
}

// others returns g's current members but Self.
func (e *Engine) others(g *group) []entry.Key {
	var out []entry.Key
	for _, k := range g.fold.current() {
		if k != e.self.Key {
			out = append(out, k)
		}
	}
	return out
}

// withKeys runs plan under mu to learn whose prekeys an action needs,
// fetches them without mu, then runs do under mu; if the accounts plan
// names changed meanwhile, it starts again (at most 3 times).
func (e *Engine) withKeys(keys KeyFunc, plan func() ([]entry.Key, error), do func(map[entry.Key]*chatcrypt.PrekeyRecord) error) error {
	var err error
	for range 3 {
		e.mu.Lock()
		need, perr := plan()
		e.mu.Unlock()
		if perr != nil {
			return perr
		}
		var recs map[entry.Key]*chatcrypt.PrekeyRecord
		if len(need) > 0 {
			if recs, err = e.prekeysFor(keys, need); err != nil {
				return err
			}
		}
		e.mu.Lock()
		again, perr := plan()
		if perr != nil {
			e.mu.Unlock()
			e.flush()
			return perr
		}
		if !slices.Equal(again, need) {
			e.mu.Unlock()
			err = fmt.Errorf("chat: the group changed while fetching keys")
			continue
		}
		err = do(recs)
		e.mu.Unlock()
		e.flush()
		return err
	}
	return err
}

// CreateGroup creates a group with Self as its only admin: public (its
// name and messages in plaintext) or private (end-to-end encrypted; with
// historyShared, members invited later read earlier messages).
func (e *Engine) CreateGroup(name string, public, historyShared bool) (chatlog.GroupID, []*chatlog.Entry, error) {
	if err := e.begin(); err != nil {
		return chatlog.GroupID{}, nil, err
	}
	defer e.act.Unlock()
	if err := chatlog.CheckName(name); err != nil {
		return chatlog.GroupID{}, nil, fmt.Errorf("chat: group name: %w", err)
	}
	salt, err := chatlog.NewSalt()
	if err != nil {
		return chatlog.GroupID{}, nil, err
	}
	gid := chatlog.GroupFor(e.self.Key, salt)
	var flags chatlog.Flags
	if public {
		flags |= chatlog.FlagPublic
	}
	if historyShared && !public {
		flags |= chatlog.FlagHistoryShared
	}
	e.mu.Lock()
	defer func() { e.mu.Unlock(); e.flush() }()
	if e.closed {
		return gid, nil, ErrClosed
	}
	g, err := e.ensureGroup(gid, "member", e.self.Key)
	if err != nil {
		return gid, nil, err
	}
	d := draft{kind: chatlog.KindCreate}
	if public {
		d.body = func([]byte) ([]byte, error) {
			return (&chatlog.Body{Flags: flags, Name: name, Salt: salt}).Encode(), nil
		}
	} else {
		ep, err := e.newEpoch(g, nil, false)
		if err != nil {
			return gid, nil, err
		}
		e.learn(g, []chatcrypt.Epoch{{ID: ep.id, Secret: ep.secret}})
		d.epoch = ep.id
		d.body = func(h []byte) ([]byte, error) {
			sealed, err := chatcrypt.SealWith(ep.secret, labelMeta, h, []byte(name))
			if err != nil {
				return nil, err
			}
			return (&chatlog.Body{Flags: flags, NewEpoch: ep.id, Wraps: ep.wraps, Sealed: sealed, Salt: salt}).Encode(), nil
		}
	}
	en, err := e.build(g, d)
	if err != nil {
		delete(e.groups, gid)
		return gid, nil, err
	}
	e.openNames(g)
	return gid, []*chatlog.Entry{en}, nil
}

// StartDM creates the direct conversation with peer, unless it exists;
// its ID is chatlog.DMGroup(Self, peer). Both members are admins.
func (e *Engine) StartDM(peer entry.Key, keys KeyFunc) (chatlog.GroupID, []*chatlog.Entry, error) {
	if err := e.begin(); err != nil {
		return chatlog.GroupID{}, nil, err
	}
	defer e.act.Unlock()
	me := e.self.Key
	gid := chatlog.DMGroup(me, peer)
	if peer == me || peer.IsZero() {
		return gid, nil, fmt.Errorf("chat: a direct conversation needs another account")
	}
	var out []*chatlog.Entry
	err := e.withKeys(keys, func() ([]entry.Key, error) {
		if g, ok := e.groups[gid]; ok && g.fold.created {
			return nil, nil
		}
		return []entry.Key{peer}, nil
	}, func(recs map[entry.Key]*chatcrypt.PrekeyRecord) error {
		if g, ok := e.groups[gid]; ok && g.fold.created {
			return nil
		}
		g, err := e.ensureGroup(gid, "member", entry.Key{})
		if err != nil {
			return err
		}
		own, err := e.ownPrekey()
		if err != nil {
			return err
		}
		recs[me] = own
		ep, err := e.newEpoch(g, recs, false)
		if err != nil {
			return err
		}
		e.learn(g, []chatcrypt.Epoch{{ID: ep.id, Secret: ep.secret}})
		members := []entry.Key{me, peer}
		slices.SortFunc(members, compareKeys)
		en, err := e.build(g, draft{kind: chatlog.KindCreate, epoch: ep.id, body: func([]byte) ([]byte, error) {
			return (&chatlog.Body{Flags: chatlog.FlagDM, Members: members, NewEpoch: ep.id, Wraps: ep.wraps}).Encode(), nil
		}})
		if err != nil {
			return err
		}
		out = append(out, en)
		return nil
	})
	return gid, out, err
}

// rekeyDraft is the draft of a Rekey for g's current members with ep.
func (e *Engine) rekeyDraft(g *group, ep *epochDraft) draft {
	return draft{kind: chatlog.KindRekey, epoch: ep.id, body: func(h []byte) ([]byte, error) {
		sealed, err := ep.sealBundle(h)
		if err != nil {
			return nil, err
		}
		return (&chatlog.Body{NewEpoch: ep.id, Wraps: ep.wraps, Sealed: sealed}).Encode(), nil
	}}
}

// currentEpoch returns the epoch Self sends under in g, first emitting a
// Rekey (appended to out) when none fits. recs holds the prekeys of the
// other members when a Rekey is needed. Call with mu held.
func (e *Engine) currentEpoch(g *group, recs map[entry.Key]*chatcrypt.PrekeyRecord, out *[]*chatlog.Entry) (*epochInfo, error) {
	if ep := e.chooseEpoch(g); ep != nil {
		return ep, nil
	}
	d, err := e.newEpoch(g, recs, g.fold.shared())
	if err != nil {
		return nil, err
	}
	e.learn(g, []chatcrypt.Epoch{{ID: d.id, Secret: d.secret}})
	en, err := e.build(g, e.rekeyDraft(g, d))
	if err != nil {
		return nil, err
	}
	*out = append(*out, en)
	ep := g.fold.epochByID[d.id]
	if ep == nil {
		return nil, fmt.Errorf("chat: own rekey not in effect")
	}
	return ep, nil
}

// Send sends text to g, replying to replyTo if set. A private group's
// message is sealed under the current epoch; when none fits (membership
// changed, 1,000 messages, 7 days) a Rekey comes first.
func (e *Engine) Send(gid chatlog.GroupID, text string, replyTo *chatlog.ID, keys KeyFunc) (Message, []*chatlog.Entry, error) {
	if err := e.begin(); err != nil {
		return Message{}, nil, err
	}
	defer e.act.Unlock()
	if err := chatlog.CheckText(text); err != nil {
		return Message{}, nil, fmt.Errorf("%w: %v", ErrInvalidMessage, err)
	}
	p := chatlog.Payload{Text: text}
	if replyTo != nil {
		p.ReplyTo = *replyTo
	}
	pt := p.Encode()
	var out []*chatlog.Entry
	var msg Message
	err := e.withKeys(keys, func() ([]entry.Key, error) {
		g, err := e.memberGroup(gid)
		if err != nil {
			return nil, err
		}
		if g.fold.public() || e.chooseEpoch(g) != nil {
			return nil, nil
		}
		// Live invitees are included when their prekey is at hand: an
		// invitee must not make Send fail.
		ks := e.others(g)
		for _, k := range g.fold.liveInvitees(e.now()) {
			if r, ok := e.prekeys[k]; ok && !r.Expired(e.now()) {
				ks = append(ks, k)
			}
		}
		return ks, nil
	}, func(recs map[entry.Key]*chatcrypt.PrekeyRecord) error {
		g, _ := e.memberGroup(gid)
		d := draft{kind: chatlog.KindMsg, body: func([]byte) ([]byte, error) { return pt, nil }}
		if !g.fold.public() {
			ep, err := e.currentEpoch(g, recs, &out)
			if err != nil {
				return err
			}
			s := g.secrets[ep.id]
			d.epoch = ep.id
			d.must = []chatlog.ID{ep.entry}
			d.body = func(h []byte) ([]byte, error) {
				return e.chains.Seal(s, e.self.Key, e.nextSeq(g), h, pt)
			}
		}
		en, err := e.build(g, d)
		if err != nil {
			return err
		}
		out = append(out, en)
		m, _, _ := e.metaOf(g.id, en.ID())
		msg = *e.message(g, en, en.ID(), m, p)
		return nil
	})
	return msg, out, err
}

// Rekey starts a new epoch in the private group g for its current members
// (prekeys from keys), at once: what the node does for each group of
// Result.RekeyNeeded, when Self's wrap of the group's epoch does not open
// (a member published garbage for Self). The newest epoch covering every
// member is the one senders use, so this one replaces the broken one. An
// invitee whose invitation's wrap is broken calls it after Join.
func (e *Engine) Rekey(gid chatlog.GroupID, keys KeyFunc) ([]*chatlog.Entry, error) {
	if err := e.begin(); err != nil {
		return nil, err
	}
	defer e.act.Unlock()
	var out []*chatlog.Entry
	err := e.withKeys(keys, func() ([]entry.Key, error) {
		g, err := e.memberGroup(gid)
		if err != nil {
			return nil, err
		}
		if g.fold.public() {
			return nil, fmt.Errorf("chat: a public group has no epochs")
		}
		return e.others(g), nil
	}, func(recs map[entry.Key]*chatcrypt.PrekeyRecord) error {
		g, _ := e.memberGroup(gid)
		d, err := e.newEpoch(g, recs, g.fold.shared())
		if err != nil {
			return err
		}
		e.learn(g, []chatcrypt.Epoch{{ID: d.id, Secret: d.secret}})
		en, err := e.build(g, e.rekeyDraft(g, d))
		if err != nil {
			return err
		}
		out = append(out, en)
		return nil
	})
	return out, err
}

// nextSeq is the seq of Self's next entry in g.
func (e *Engine) nextSeq(g *group) uint64 {
	if fr := g.front[e.self.Key]; fr != nil {
		return fr.max + 1
	}
	return 1
}

// Invite invites target to g as a member (or admin), valid for expires
// (0: 7 days). Private groups: with history shared the invite wraps the
// current epoch for target; otherwise it carries a new epoch for every
// member and target.
func (e *Engine) Invite(gid chatlog.GroupID, target entry.Key, admin bool, expires time.Duration, keys KeyFunc) ([]*chatlog.Entry, error) {
	if err := e.begin(); err != nil {
		return nil, err
	}
	defer e.act.Unlock()
	if expires <= 0 {
		expires = defaultExpires
	}
	role := chatlog.RoleMember
	if admin {
		role = chatlog.RoleAdmin
	}
	var out []*chatlog.Entry
	err := e.withKeys(keys, func() ([]entry.Key, error) {
		g, err := e.adminGroup(gid)
		if err != nil {
			return nil, err
		}
		f := g.fold
		if f.role(target) >= roleMember {
			return nil, fmt.Errorf("chat: %s is already a member", target.Short())
		}
		if n, inv := f.count(); f.role(target) == roleNone && n+inv >= e.lim.Members {
			return nil, fmt.Errorf("chat: the group has %d members and invitees already", n+inv)
		}
		if f.public() {
			return nil, nil
		}
		need := []entry.Key{target}
		if !f.shared() || e.chooseEpoch(g) == nil {
			need = append(need, e.others(g)...)
		}
		slices.SortFunc(need, compareKeys)
		return slices.Compact(need), nil
	}, func(recs map[entry.Key]*chatcrypt.PrekeyRecord) error {
		g, _ := e.adminGroup(gid)
		f := g.fold
		body := chatlog.Body{Target: target, Role: role}
		d := draft{kind: chatlog.KindInvite}
		exp := func() uint64 { return uint64(e.now().Add(expires).UnixMilli()) }
		switch {
		case f.public():
			d.body = func([]byte) ([]byte, error) { body.Expires = exp(); return body.Encode(), nil }
		case f.shared():
			others := make(map[entry.Key]*chatcrypt.PrekeyRecord)
			for k, r := range recs {
				if k != target {
					others[k] = r
				}
			}
			ep, err := e.currentEpoch(g, others, &out)
			if err != nil {
				return err
			}
			enc, sealed, err := chatcrypt.Wrap(recs[target].Public, g.id, ep.id, g.secrets[ep.id])
			if err != nil {
				return err
			}
			body.Wraps = []chatlog.Wrap{{Recipient: target, PrekeyID: recs[target].ID(), Enc: enc, Sealed: sealed}}
			d.epoch, d.must = ep.id, []chatlog.ID{ep.entry}
			d.body = func([]byte) ([]byte, error) { body.Expires = exp(); return body.Encode(), nil }
		default:
			ep, err := e.newEpoch(g, recs, false)
			if err != nil {
				return err
			}
			e.learn(g, []chatcrypt.Epoch{{ID: ep.id, Secret: ep.secret}})
			body.NewEpoch, body.Wraps = ep.id, ep.wraps
			d.epoch = ep.id
			d.body = func([]byte) ([]byte, error) { body.Expires = exp(); return body.Encode(), nil }
		}
		en, err := e.build(g, d)
		if err != nil {
			return err
		}
		out = append(out, en)
		if !f.public() && !f.shared() {
			// The name is sealed under an epoch the invitee never gets:
			// seal it again under the invite's.
			if name := e.name(g); name != "" {
				m, err := e.metaDraft(g, d.epoch, name)
				if err != nil {
					return err
				}
				en, err := e.build(g, m)
				if err != nil {
					return err
				}
				out = append(out, en)
			}
		}
		return nil
	})
	return out, err
}

// metaDraft is the draft of a Meta sealing a private group's name under
// epoch ep.
func (e *Engine) metaDraft(g *group, ep chatlog.EpochID, name string) (draft, error) {
	s, ok := g.secrets[ep]
	if !ok {
		return draft{}, fmt.Errorf("chat: no secret for epoch %v", ep)
	}
	return draft{kind: chatlog.KindMeta, epoch: ep, body: func(h []byte) ([]byte, error) {
		sealed, err := chatcrypt.SealWith(s, labelMeta, h, []byte(name))
		if err != nil {
			return nil, err
		}
		return (&chatlog.Body{Sealed: sealed}).Encode(), nil
	}}, nil
}

// Join accepts the newest valid invite of Self to g, or joins g if it is
// public. A public group must be known first (Watch).
func (e *Engine) Join(gid chatlog.GroupID) ([]*chatlog.Entry, error) {
	if err := e.begin(); err != nil {
		return nil, err
	}
	defer e.act.Unlock()
	e.mu.Lock()
	defer func() { e.mu.Unlock(); e.flush() }()
	g, ok := e.groups[gid]
	if !ok || !g.fold.created {
		return nil, fmt.Errorf("%w: %s", ErrUnknownGroup, gid.Short())
	}
	f, me := g.fold, e.self.Key
	if f.role(me) >= roleMember {
		return nil, nil
	}
	now := uint64(e.now().UnixMilli())
	var best chatlog.ID
	var bestKey orderKey
	for id, inv := range f.invites {
		if inv.target == me && !inv.used && inv.expires > now && (best.IsZero() || bestKey.less(inv.key)) {
			best, bestKey = id, inv.key
		}
	}
	if best.IsZero() && (!f.public() || f.banned[me]) {
		return nil, ErrInviteInvalid
	}
	body := chatlog.Body{Invite: best}
	d := draft{kind: chatlog.KindJoin, body: func([]byte) ([]byte, error) { return body.Encode(), nil }}
	if !best.IsZero() {
		d.must = []chatlog.ID{best}
	}
	en, err := e.build(g, d)
	if err != nil {
		return nil, err
	}
	if g.fold.role(me) < roleMember {
		return []*chatlog.Entry{en}, ErrInviteInvalid
	}
	return []*chatlog.Entry{en}, nil
}

// Leave leaves g. The last admin of a group with other members must first
// make someone else admin.
func (e *Engine) Leave(gid chatlog.GroupID) ([]*chatlog.Entry, error) {
	if err := e.begin(); err != nil {
		return nil, err
	}
	defer e.act.Unlock()
	e.mu.Lock()
	defer func() { e.mu.Unlock(); e.flush() }()
	g, err := e.memberGroup(gid)
	if err != nil {
		return nil, err
	}
	f := g.fold
	if f.dm {
		return nil, ErrDM
	}
	if n, _ := f.count(); f.role(e.self.Key) == roleAdmin && f.admins() == 1 && n > 1 {
		return nil, ErrLastAdmin
	}
	en, err := e.build(g, draft{kind: chatlog.KindLeave, body: func([]byte) ([]byte, error) {
		return (&chatlog.Body{}).Encode(), nil
	}})
	if err != nil {
		return nil, err
	}
	return []*chatlog.Entry{en}, nil
}

// Remove removes target (a member or invitee) from g. In a private group
// the entry carries a new epoch for the remaining members, so nothing sent
// causally after it is readable by target.
func (e *Engine) Remove(gid chatlog.GroupID, target entry.Key, keys KeyFunc) ([]*chatlog.Entry, error) {
	if err := e.begin(); err != nil {
		return nil, err
	}
	defer e.act.Unlock()
	var out []*chatlog.Entry
	rest := func(g *group) []entry.Key {
		var ks []entry.Key
		for _, k := range e.others(g) {
			if k != target {
				ks = append(ks, k)
			}
		}
		return ks
	}
	err := e.withKeys(keys, func() ([]entry.Key, error) {
		g, err := e.adminGroup(gid)
		if err != nil {
			return nil, err
		}
		f := g.fold
		switch {
		case f.role(target) == roleNone:
			return nil, fmt.Errorf("%w: %s", ErrNotMember, target.Short())
		case target == e.self.Key:
			return nil, fmt.Errorf("chat: to remove yourself, leave")
		case f.role(target) == roleAdmin && f.admins() == 1:
			return nil, ErrLastAdmin
		}
		if f.public() {
			return nil, nil
		}
		return rest(g), nil
	}, func(recs map[entry.Key]*chatcrypt.PrekeyRecord) error {
		g, _ := e.adminGroup(gid)
		body := chatlog.Body{Target: target}
		if fr := g.front[target]; fr != nil {
			body.Upto = fr.max
		}
		d := draft{kind: chatlog.KindRemove, body: func([]byte) ([]byte, error) { return body.Encode(), nil }}
		if !g.fold.public() {
			ep, err := e.newEpoch(g, recs, g.fold.shared())
			if err != nil {
				return err
			}
			e.learn(g, []chatcrypt.Epoch{{ID: ep.id, Secret: ep.secret}})
			body.NewEpoch, body.Wraps = ep.id, ep.wraps
			d.epoch = ep.id
			d.body = func(h []byte) ([]byte, error) {
				sealed, err := ep.sealBundle(h)
				if err != nil {
					return nil, err
				}
				body.Sealed = sealed
				return body.Encode(), nil
			}
		}
		en, err := e.build(g, d)
		if err != nil {
			return err
		}
		out = append(out, en)
		return nil
	})
	return out, err
}

// SetRole makes target, a member of g, an admin or a member.
func (e *Engine) SetRole(gid chatlog.GroupID, target entry.Key, admin bool) ([]*chatlog.Entry, error) {
	if err := e.begin(); err != nil {
		return nil, err
	}
	defer e.act.Unlock()
	e.mu.Lock()
	defer func() { e.mu.Unlock(); e.flush() }()
	g, err := e.adminGroup(gid)
	if err != nil {
		return nil, err
	}
	f := g.fold
	if f.role(target) < roleMember {
		return nil, fmt.Errorf("%w: %s", ErrNotMember, target.Short())
	}
	role := chatlog.RoleMember
	if admin {
		role = chatlog.RoleAdmin
	} else if f.role(target) == roleAdmin && f.admins() == 1 {
		return nil, ErrLastAdmin
	}
	en, err := e.build(g, draft{kind: chatlog.KindRole, body: func([]byte) ([]byte, error) {
		return (&chatlog.Body{Target: target, Role: role}).Encode(), nil
	}})
	if err != nil {
		return nil, err
	}
	return []*chatlog.Entry{en}, nil
}

// Watch makes g known, so that Ingest keeps its entries: a public group
// Self means to read or join.
func (e *Engine) Watch(gid chatlog.GroupID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	_, err := e.ensureGroup(gid, "watch", entry.Key{})
	return err
}
