package chat

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/store"
)

// Message is one row of a conversation's history: a message, a
// membership event (Event set), or a gap (Event "gap": Missing entries of
// Target are not held yet).
type Message struct {
	ID      chatlog.ID
	Group   chatlog.GroupID
	Author  entry.Key
	Seq     uint64
	Time    hlc.Timestamp
	Text    string
	ReplyTo *chatlog.ID
	Mine    bool
	// Event is "" for a message, or created, joined, left, removed,
	// invited, role, renamed, rekeyed, gap, or undecryptable (a message
	// sent while Self was a member whose key Self lacks).
	Event   string
	Target  entry.Key // the account an invite, removal or role change is about; a gap's author
	Missing int       // gap: entries missing
}

// Conversation describes one group or DM of Self.
type Conversation struct {
	Group         chatlog.GroupID
	DM            bool
	Peer          entry.Key // DM: the other member
	Name          string
	Public        bool
	HistoryShared bool
	Role          string // admin, member, invited, or "" (left, removed)
	Members       int
	Unread        int
	Last          *Message
	Updated       time.Time
}

// Member is one account of a group's membership.
type Member struct {
	Key  entry.Key
	Role string // admin, member, invited
}

// message builds the Message of a delivered Msg.
func (e *Engine) message(g *group, en *chatlog.Entry, id chatlog.ID, m meta, p chatlog.Payload) *Message {
	msg := &Message{ID: id, Group: g.id, Author: en.Author, Seq: en.Seq, Time: en.Time, Text: p.Text}
	if e.self != nil {
		msg.Mine = en.Author == e.self.Key
	}
	if !p.ReplyTo.IsZero() {
		r := p.ReplyTo
		msg.ReplyTo = &r
	}
	if m.flags&flagUndecrypt != 0 {
		msg.Event = "undecryptable"
	}
	return msg
}

// selfDuring reports whether me was a member of the group at display
// position k.
func (f *fold) selfDuring(me entry.Key, k orderKey) bool {
	m := f.members[me]
	return m != nil && m.memberDuring(k)
}

// Frontier returns, per author, the highest seq held of g: delivered, or
// pending and contiguous with what is delivered.
func (e *Engine) Frontier(gid chatlog.GroupID) map[entry.Key]uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	g, ok := e.groups[gid]
	if !ok {
		return nil
	}
	out := make(map[entry.Key]uint64)
	for a, fr := range g.front {
		out[a] = fr.contig
	}
	for a, seqs := range g.pendSeq {
		s := out[a]
		for {
			if _, ok := seqs[s+1]; !ok {
				break
			}
			s++
		}
		if s > 0 {
			out[a] = s
		}
	}
	for a, s := range out {
		if s == 0 {
			delete(out, a)
		}
	}
	return out
}

// After returns the delivered entries of g beyond have (per author, seqs
// above have[author]), in seq order per author, at most maxEntries and
// maxBytes (at least one entry); more reports that some were left out.
func (e *Engine) After(gid chatlog.GroupID, have map[entry.Key]uint64, maxEntries, maxBytes int) ([]*chatlog.Entry, bool) {
	raws, more := e.after(gid, have, maxEntries, maxBytes)
	out := make([]*chatlog.Entry, 0, len(raws))
	for _, raw := range raws {
		if en, err := chatlog.DecodeStored(raw); err == nil {
			out = append(out, en)
		}
	}
	return out, more
}

// after reads the encodings After returns, under mu; decoding (signature
// checks) happens outside it.
func (e *Engine) after(gid chatlog.GroupID, have map[entry.Key]uint64, maxEntries, maxBytes int) ([][]byte, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	g, ok := e.groups[gid]
	if !ok {
		return nil, false
	}
	authors := make([]entry.Key, 0, len(g.front))
	for a := range g.front {
		authors = append(authors, a)
	}
	slices.SortFunc(authors, compareKeys)
	var out [][]byte
	size := 0
	for _, a := range authors {
		if g.front[a].max <= have[a] {
			continue
		}
		start := groupKey(g.id, gEntry, seqKey(a, have[a]+1))
		end := store.PrefixEnd(groupKey(g.id, gEntry, a[:]))
		it := e.kv.Find(start, end, false)
		for it.Next() {
			if len(out) >= maxEntries || (len(out) > 0 && size+len(it.Value()) > maxBytes) {
				it.Close()
				return out, true
			}
			out = append(out, bytes.Clone(it.Value()))
			size += len(it.Value())
		}
		it.Close()
	}
	return out, false
}

// ByID returns the delivered entries of g among ids.
func (e *Engine) ByID(gid chatlog.GroupID, ids []chatlog.ID) []*chatlog.Entry {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.groups[gid]; !ok {
		return nil
	}
	var out []*chatlog.Entry
	for _, id := range ids {
		m, ok, _ := e.metaOf(gid, id)
		if !ok || m.flags&flagGone != 0 {
			continue
		}
		if en, ok := e.entryAt(gid, m.author, m.seq); ok {
			out = append(out, en)
		}
	}
	return out
}

// GC drops, in a keyless engine, the Msgs delivered longer than
// Limits.Retention before now (control entries stay: membership is
// folded from them); it returns how many it dropped. Their ID rows stay,
// so later entries naming them still deliver. A group in which nothing
// was delivered for longer than the retention is dropped whole.
func (e *Engine) GC(now time.Time) int {
	if e.self != nil {
		return 0
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	cut := uint64(now.Add(-e.lim.Retention).UnixMilli())
	n := 0
	for _, g := range e.sortedAll() {
		if last := max(g.st.Last, g.st.Added); now.Sub(time.UnixMilli(last)) > e.lim.Retention {
			// Idle longer than the retention: the whole group goes.
			e.dropGroup(g)
			continue
		}
		p := groupKey(g.id, gArrival)
		it := e.kv.Find(p, groupKey(g.id, gArrival, u64(cut)), false)
		var b store.Batch
		for it.Next() {
			k := it.Key()
			if len(k) != len(p)+8+32 {
				continue
			}
			b.Delete(bytes.Clone(k))
			var id chatlog.ID
			copy(id[:], k[len(p)+8:])
			m, ok, _ := e.metaOf(g.id, id)
			if !ok || m.kind.Control() || m.flags&flagGone != 0 {
				continue
			}
			ok2 := orderOf(m.time, m.author, m.seq)
			b.Delete(groupKey(g.id, gEntry, seqKey(m.author, m.seq)))
			b.Delete(groupKey(g.id, gOrder, ok2[:]))
			m.flags |= flagGone
			b.Put(groupKey(g.id, gIndex, id[:]), m.encode())
			n++
		}
		it.Close()
		if b.Len() > 0 {
			if err := e.kv.Commit(&b, false); err != nil {
				e.log.Warn("chat: gc", "err", err)
			}
		}
	}
	return n
}

// Conversations returns Self's conversations (groups it is in, was in, or
// is invited to), most recently updated first.
func (e *Engine) Conversations() []Conversation {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.self == nil {
		return nil
	}
	var out []Conversation
	for _, g := range e.groups {
		if !g.fold.created || !g.fold.known(e.self.Key) {
			continue
		}
		out = append(out, e.conversation(g))
	}
	slices.SortFunc(out, func(a, b Conversation) int {
		if c := b.Updated.Compare(a.Updated); c != 0 {
			return c
		}
		return compareKeys(entry.Key(a.Group), entry.Key(b.Group))
	})
	return out
}

// Conversation returns one conversation of Self.
func (e *Engine) Conversation(gid chatlog.GroupID) (Conversation, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	g, ok := e.groups[gid]
	if !ok || e.self == nil || !g.fold.created {
		return Conversation{}, fmt.Errorf("%w: %s", ErrUnknownGroup, gid.Short())
	}
	return e.conversation(g), nil
}

func (e *Engine) conversation(g *group) Conversation {
	f, me := g.fold, e.self.Key
	n, _ := f.count()
	c := Conversation{
		Group: g.id, DM: f.dm, Name: e.name(g), Public: f.public(), HistoryShared: f.shared(),
		Role: roleName(f.role(me)), Members: n, Unread: int(g.st.Arrivals - min(g.st.ReadAt, g.st.Arrivals)),
		Updated: time.UnixMilli(max(g.st.Updated, g.st.Added)),
	}
	if f.dm {
		c.Peer = f.dmMembers[0]
		if c.Peer == me {
			c.Peer = f.dmMembers[1]
		}
	}
	rows, _ := e.page(g, nil, 1, true)
	if len(rows) > 0 {
		c.Last = &rows[0]
	}
	return c
}

// Messages returns a page of g's history, newest first: messages Self may
// see, membership events, gap rows. cursor is nil for the newest page, or
// the cursor a previous page returned; the next cursor is nil at the end.
func (e *Engine) Messages(gid chatlog.GroupID, cursor []byte, limit int) ([]Message, []byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	g, ok := e.groups[gid]
	if !ok || !g.fold.created {
		return nil, nil, fmt.Errorf("%w: %s", ErrUnknownGroup, gid.Short())
	}
	if cursor != nil && len(cursor) != len(orderKey{}) {
		return nil, nil, ErrBadCursor
	}
	if limit <= 0 {
		limit = 50
	}
	rows, next := e.page(g, cursor, limit, false)
	return rows, next, nil
}

// page reads up to limit rows of g older than cursor (msgsOnly: messages
// only, scanning at most 500 rows).
func (e *Engine) page(g *group, cursor []byte, limit int, msgsOnly bool) ([]Message, []byte) {
	start := groupKey(g.id, gOrder)
	end := store.PrefixEnd(start)
	if cursor != nil {
		end = groupKey(g.id, gOrder, cursor)
	}
	it := e.kv.Find(start, end, true)
	defer it.Close()
	var out []Message
	var last []byte
	scanned := 0
	for it.Next() {
		if len(out) >= limit {
			return out, last
		}
		if scanned++; msgsOnly && scanned > 500 {
			break
		}
		var k orderKey
		copy(k[:], it.Key()[len(start):])
		v := it.Value()
		if len(v) != 33 {
			continue
		}
		var id chatlog.ID
		copy(id[:], v)
		last = bytes.Clone(k[:])
		if chatlog.Kind(v[32]) != chatlog.KindMsg && msgsOnly {
			continue
		}
		out = append(out, e.rows(g, k, id, chatlog.Kind(v[32]))...)
	}
	return out, nil
}

// rows returns the history rows of the delivered entry id (none if Self
// may not see it).
func (e *Engine) rows(g *group, k orderKey, id chatlog.ID, kind chatlog.Kind) []Message {
	f := g.fold
	m, ok, _ := e.metaOf(g.id, id)
	if !ok {
		return nil
	}
	base := Message{ID: id, Group: g.id, Author: m.author, Seq: m.seq, Time: m.time}
	if e.self != nil {
		base.Mine = m.author == e.self.Key
	}
	if kind.Control() {
		if !f.effective[id] {
			return nil
		}
		base.Event = eventName(kind)
		base.Target = m.author
		if en, ok := e.entryAt(g.id, m.author, m.seq); ok {
			if b, err := en.Control(); err == nil && !b.Target.IsZero() {
				base.Target = b.Target
			}
		}
		return []Message{base}
	}
	if !f.visible(m.author, m.seq) {
		return nil
	}
	if v, err := e.kv.Get(groupKey(g.id, gPlain, id[:])); err == nil {
		if p, err := chatlog.DecodePayload(v); err == nil {
			base.Text = p.Text
			if !p.ReplyTo.IsZero() {
				r := p.ReplyTo
				base.ReplyTo = &r
			}
		}
	} else if e.self == nil || f.selfDuring(e.self.Key, k) {
		base.Event = "undecryptable"
	} else {
		return nil
	}
	out := []Message{base}
	if m.flags&flagAfterGap != 0 {
		if n := e.missing(g, id); n > 0 {
			out = append(out, Message{Group: g.id, Author: m.author, Time: m.time, Event: "gap", Target: m.author, Missing: n})
		}
	}
	return out
}

// missing counts what the Msg id, delivered after a gap, still lacks.
func (e *Engine) missing(g *group, id chatlog.ID) int {
	v, err := e.kv.Get(groupKey(g.id, gGap, id[:]))
	if err != nil {
		return 0
	}
	gr, err := decodeGap(v)
	if err != nil {
		return 0
	}
	n := 0
	if gr.from <= gr.to && gr.from > 0 {
		n = int(min(gr.to-gr.from+1, 1<<30))
		it := e.kv.Find(groupKey(g.id, gEntry, seqKey(gr.author, gr.from)), groupKey(g.id, gEntry, seqKey(gr.author, gr.to+1)), false)
		for it.Next() {
			n--
		}
		it.Close()
	}
	for _, ref := range gr.ids {
		if _, ok, _ := e.metaOf(g.id, ref); !ok {
			n++
		}
	}
	return max(n, 0)
}

// Members returns g's members and invitees from the local fold, admins
// first, then by key.
func (e *Engine) Members(gid chatlog.GroupID) ([]Member, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	g, ok := e.groups[gid]
	if !ok || !g.fold.created {
		return nil, fmt.Errorf("%w: %s", ErrUnknownGroup, gid.Short())
	}
	var out []Member
	for k, m := range g.fold.members {
		if m.role != roleNone {
			out = append(out, Member{Key: k, Role: roleName(m.role)})
		}
	}
	rank := map[string]int{"admin": 0, "member": 1, "invited": 2}
	slices.SortFunc(out, func(a, b Member) int {
		if rank[a.Role] != rank[b.Role] {
			return rank[a.Role] - rank[b.Role]
		}
		return compareKeys(a.Key, b.Key)
	})
	return out, nil
}

// MarkRead marks every message of g delivered so far as read.
func (e *Engine) MarkRead(gid chatlog.GroupID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	g, ok := e.groups[gid]
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownGroup, gid.Short())
	}
	g.st.ReadAt = g.st.Arrivals
	var b store.Batch
	e.putState(&b, g)
	if err := e.kv.Commit(&b, false); err != nil {
		return fmt.Errorf("chat: %w", err)
	}
	return nil
}

// Search returns Self's readable messages whose text contains query
// (case-insensitive), newest first, at most limit (0: 50).
func (e *Engine) Search(query string, limit int) []Message {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" || e.self == nil {
		return nil
	}
	if limit <= 0 {
		limit = 50
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Message
	for _, g := range e.sortedAll() {
		f := g.fold
		_ = e.scan(g.id, gPlain, func(k, v []byte) error {
			p, err := chatlog.DecodePayload(v)
			if err != nil || !strings.Contains(strings.ToLower(p.Text), q) {
				return nil
			}
			var id chatlog.ID
			copy(id[:], k)
			m, ok, _ := e.metaOf(g.id, id)
			if !ok || !f.visible(m.author, m.seq) {
				return nil
			}
			msg := Message{ID: id, Group: g.id, Author: m.author, Seq: m.seq, Time: m.time, Text: p.Text,
				Mine: m.author == e.self.Key}
			if !p.ReplyTo.IsZero() {
				r := p.ReplyTo
				msg.ReplyTo = &r
			}
			out = append(out, msg)
			return nil
		})
	}
	slices.SortFunc(out, func(a, b Message) int {
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		return compareIDs(a.ID, b.ID)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}
