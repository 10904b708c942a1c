package chat

import (
	"math"
	"slices"
	"time"

	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
)

// Roles in the fold.
const (
	roleNone = iota
	roleInvited
	roleMember
	roleAdmin
)

func roleName(r int) string {
	switch r {
	case roleInvited:
		return "invited"
	case roleMember:
		return "member"
	case roleAdmin:
		return "admin"
	}
	return ""
}

// ctlEntry is a delivered control entry with its parsed body.
type ctlEntry struct {
	e    *chatlog.Entry
	id   chatlog.ID
	key  orderKey
	body *chatlog.Body
}

// interval is a run of an author's own seqs during which it was a member:
// from < seq <= to.
type interval struct{ from, to uint64 }

// span is the display-order run during which an account was a member:
// from <= position < to (to unset: still a member).
type span struct {
	from, to orderKey
	open     bool
}

type member struct {
	role  int
	ivs   []interval
	spans []span
}

func (m *member) open(from uint64, at orderKey) {
	m.ivs = append(m.ivs, interval{from: from, to: math.MaxUint64})
	m.spans = append(m.spans, span{from: at, open: true})
}

func (m *member) close(to uint64, at orderKey) {
	if n := len(m.ivs); n > 0 && m.ivs[n-1].to == math.MaxUint64 {
		m.ivs[n-1].to = max(to, m.ivs[n-1].from)
	}
	if n := len(m.spans); n > 0 && m.spans[n-1].open {
		m.spans[n-1].to = at
		m.spans[n-1].open = false
	}
}

// memberAt reports whether seq of this account fell in its membership.
func (m *member) memberAt(seq uint64) bool {
	for _, iv := range m.ivs {
		if seq > iv.from && seq <= iv.to {
			return true
		}
	}
	return false
}

// memberDuring reports whether the account was a member at display
// position k.
func (m *member) memberDuring(k orderKey) bool {
	for _, s := range m.spans {
		if !k.less(s.from) && (s.open || k.less(s.to)) {
			return true
		}
	}
	return false
}

type invite struct {
	target  entry.Key
	role    int
	expires uint64
	used    bool
	key     orderKey
}

type epochInfo struct {
	id         chatlog.EpochID
	entry      chatlog.ID
	key        orderKey
	time       hlc.Timestamp
	recipients map[entry.Key]bool
}

type removal struct {
	id     chatlog.ID
	target entry.Key
	upto   uint64
	key    orderKey
}

// fold is the membership state computed from a group's control entries.
type fold struct {
	created   bool
	flags     chatlog.Flags
	dm        bool
	dmMembers [2]entry.Key
	nameID    chatlog.ID // entry that set the name (private: its sealed name)
	name      string     // public name
	members   map[entry.Key]*member
	banned    map[entry.Key]bool
	invites   map[chatlog.ID]*invite
	effective map[chatlog.ID]bool
	epochs    []*epochInfo
	epochByID map[chatlog.EpochID]*epochInfo
	removals  []removal
}

func (f *fold) public() bool { return f.flags&chatlog.FlagPublic != 0 }

func (f *fold) shared() bool { return f.flags&chatlog.FlagHistoryShared != 0 }

func (f *fold) role(k entry.Key) int {
	if m := f.members[k]; m != nil {
		return m.role
	}
	return roleNone
}

// count returns the members (admins included) and the invitees.
func (f *fold) count() (members, invited int) {
	for _, m := range f.members {
		switch m.role {
		case roleMember, roleAdmin:
			members++
		case roleInvited:
			invited++
		}
	}
	return
}

func (f *fold) admins() int {
	n := 0
	for _, m := range f.members {
		if m.role == roleAdmin {
			n++
		}
	}
	return n
}

// current returns the members (admins included), sorted.
func (f *fold) current() []entry.Key {
	var out []entry.Key
	for k, m := range f.members {
		if m.role >= roleMember {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b entry.Key) int { return compareKeys(a, b) })
	return out
}

func compareKeys(a, b entry.Key) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// liveInvite reports whether k has an unused invitation of g not expired
// at now (Self's clock).
func (f *fold) liveInvite(k entry.Key, now time.Time) bool {
	ms := uint64(now.UnixMilli())
	for _, inv := range f.invites {
		if inv.target == k && !inv.used && inv.expires > ms {
			return true
		}
	}
	return false
}

// liveInvitees returns the invitees with a live invitation, sorted.
func (f *fold) liveInvitees(now time.Time) []entry.Key {
	var out []entry.Key
	for k, m := range f.members {
		if m.role == roleInvited && f.liveInvite(k, now) {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, compareKeys)
	return out
}

// known reports whether k ever took part in the group (any role, now or
// before).
func (f *fold) known(k entry.Key) bool {
	_, ok := f.members[k]
	return ok
}

// visible reports whether a Msg of author at seq falls in its membership.
func (f *fold) visible(author entry.Key, seq uint64) bool {
	m := f.members[author]
	return m != nil && m.memberAt(seq)
}

// refold recomputes g.fold from g.ctl. Strong removal: Remove(X, upto)
// voids X's control entries with seq > upto, up to X's first join after
// the removal in display order; as a removal can itself be voided, the
// fold repeats until the set of effective removals is stable (bounded).
func (e *Engine) refold(g *group) {
	ctl := e.ctlEntries(g)
	var rem []removal
	var f *fold
	for range 8 {
		f = foldOnce(g.id, ctl, rem, e.lim.Members)
		if sameRemovals(f.removals, rem) {
			break
		}
		rem = f.removals
	}
	g.fold = f
}

func sameRemovals(a, b []removal) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].id != b[i].id {
			return false
		}
	}
	return true
}

// ctlEntries returns g's control entries with parsed bodies; bodies that
// do not parse (Decode checked them) are skipped.
func (e *Engine) ctlEntries(g *group) []ctlEntry {
	out := make([]ctlEntry, 0, len(g.ctl))
	for _, en := range g.ctl {
		b, err := en.Control()
		if err != nil {
			continue
		}
		out = append(out, ctlEntry{e: en, id: en.ID(), key: orderOfEntry(en), body: b})
	}
	return out
}

func foldOnce(gid chatlog.GroupID, ctl []ctlEntry, rem []removal, maxMembers int) *fold {
	f := &fold{
		members:   make(map[entry.Key]*member),
		banned:    make(map[entry.Key]bool),
		invites:   make(map[chatlog.ID]*invite),
		effective: make(map[chatlog.ID]bool),
		epochByID: make(map[chatlog.EpochID]*epochInfo),
	}
	voided := func(c *ctlEntry) bool {
		for _, r := range rem {
			if r.target != c.e.Author || c.e.Seq <= r.upto {
				continue
			}
			rejoined := false
			for _, j := range ctl {
				if j.e.Kind == chatlog.KindJoin && j.e.Author == r.target && j.e.Seq > r.upto &&
					j.e.Seq <= c.e.Seq && r.key.less(j.key) {
					rejoined = true
					break
				}
			}
			if !rejoined {
				return true
			}
		}
		return false
	}
	mem := func(k entry.Key) *member {
		m := f.members[k]
		if m == nil {
			m = &member{}
			f.members[k] = m
		}
		return m
	}
	isAdmin := func(k entry.Key) bool { return f.role(k) == roleAdmin }
	addEpoch := func(c *ctlEntry) {
		b := c.body
		if b.NewEpoch == (chatlog.EpochID{}) || f.epochByID[b.NewEpoch] != nil {
			return
		}
		ep := &epochInfo{id: b.NewEpoch, entry: c.id, key: c.key, time: c.e.Time,
			recipients: map[entry.Key]bool{c.e.Author: true}}
		for _, w := range b.Wraps {
			ep.recipients[w.Recipient] = true
		}
		f.epochs = append(f.epochs, ep)
		f.epochByID[ep.id] = ep
	}
	for i := range ctl {
		c := &ctl[i]
		if voided(c) {
			continue
		}
		b, a := c.body, c.e.Author
		ok := false
		switch c.e.Kind {
		case chatlog.KindCreate:
			dm := b.Flags&chatlog.FlagDM != 0
			switch {
			case dm && len(b.Members) == 2 && chatlog.DMGroup(b.Members[0], b.Members[1]) == gid &&
				(a == b.Members[0] || a == b.Members[1]) && (!f.created || f.dm):
				if !f.created {
					f.created, f.dm, f.flags = true, true, b.Flags
					f.dmMembers = [2]entry.Key{b.Members[0], b.Members[1]}
					for _, k := range b.Members {
						m := mem(k)
						m.role = roleAdmin
						m.open(0, orderKey{})
					}
				}
				ok = true
			case !dm && !f.created:
				f.created, f.flags = true, b.Flags
				m := mem(a)
				m.role = roleAdmin
				m.open(c.e.Seq, c.key)
				f.name, f.nameID = b.Name, c.id
				ok = true
			}
			if ok {
				addEpoch(c)
			}
		case chatlog.KindInvite:
			if !f.created || f.dm || !isAdmin(a) || f.role(b.Target) >= roleMember {
				break
			}
			if n, inv := f.count(); f.role(b.Target) == roleNone && n+inv >= maxMembers {
				break
			}
			role := roleMember
			if b.Role == chatlog.RoleAdmin {
				role = roleAdmin
			}
			mem(b.Target).role = roleInvited
			delete(f.banned, b.Target)
			f.invites[c.id] = &invite{target: b.Target, role: role, expires: b.Expires, key: c.key}
			if b.NewEpoch != (chatlog.EpochID{}) {
				addEpoch(c)
			} else if ep := f.epochByID[c.e.Epoch]; ep != nil && len(b.Wraps) > 0 {
				ep.recipients[b.Target] = true
			}
			ok = true
		case chatlog.KindJoin:
			if !f.created || f.dm || f.role(a) >= roleMember {
				break
			}
			if b.Invite != (chatlog.ID{}) {
				inv := f.invites[b.Invite]
				if inv == nil || inv.used || inv.target != a || f.role(a) != roleInvited ||
					c.e.Time.Wall >= inv.expires {
					break
				}
				inv.used = true
				m := mem(a)
				m.role = inv.role
				m.open(c.e.Seq, c.key)
				ok = true
			} else if f.public() && !f.banned[a] {
				m := mem(a)
				m.role = roleMember
				m.open(c.e.Seq, c.key)
				ok = true
			}
		case chatlog.KindLeave:
			if !f.created || f.dm || f.role(a) < roleMember {
				break
			}
			m := mem(a)
			m.role = roleNone
			m.close(c.e.Seq, c.key)
			ok = true
		case chatlog.KindRemove:
			t := b.Target
			if !f.created || f.dm || !isAdmin(a) || f.role(t) == roleNone {
				break
			}
			if f.role(t) == roleAdmin && f.admins() == 1 {
				break
			}
			m := mem(t)
			if m.role >= roleMember {
				m.close(b.Upto, c.key)
			}
			m.role = roleNone
			for _, inv := range f.invites {
				if inv.target == t {
					inv.used = true
				}
			}
			f.banned[t] = true
			f.removals = append(f.removals, removal{id: c.id, target: t, upto: b.Upto, key: c.key})
			addEpoch(c)
			ok = true
		case chatlog.KindRole:
			t := b.Target
			if !f.created || f.dm || !isAdmin(a) || f.role(t) < roleMember {
				break
			}
			if b.Role == chatlog.RoleAdmin {
				f.members[t].role = roleAdmin
			} else {
				if f.role(t) == roleAdmin && f.admins() == 1 {
					break
				}
				f.members[t].role = roleMember
			}
			ok = true
		case chatlog.KindMeta:
			if !f.created || f.dm || !isAdmin(a) {
				break
			}
			f.name, f.nameID = b.Name, c.id
			ok = true
		case chatlog.KindRekey:
			if !f.created || f.role(a) < roleMember {
				break
			}
			addEpoch(c)
			ok = true
		}
		if ok {
			f.effective[c.id] = true
		}
	}
	slices.SortFunc(f.removals, func(x, y removal) int { return compareIDs(x.id, y.id) })
	return f
}

func compareIDs(a, b chatlog.ID) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// eventName is the history row of an effective control entry.
func eventName(k chatlog.Kind) string {
	switch k {
	case chatlog.KindCreate:
		return "created"
	case chatlog.KindInvite:
		return "invited"
	case chatlog.KindJoin:
		return "joined"
	case chatlog.KindLeave:
		return "left"
	case chatlog.KindRemove:
		return "removed"
	case chatlog.KindRole:
		return "role"
	case chatlog.KindMeta:
		return "renamed"
	case chatlog.KindRekey:
		return "rekeyed"
	}
	return ""
}
