package chatnet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/ratelimit"
	"github.com/skein-p2p/skein/core/internal/store"
)

// InboxConfig bounds an Inbox. Zero fields take DefaultInbox's values.
type InboxConfig struct {
	// PerRecipient is the most groups one recipient's inbox lists; an
	// Add over it drops the item updated longest ago.
	PerRecipient int
	// Recipients is the most recipients the inbox holds; an Add for a new
	// recipient over it fails with ErrInboxFull.
	Recipients int
	// Retention is how long an item is kept after its newest entry.
	Retention time.Duration
	// SenderRate is how many entries an hour Allow lets one sender add.
	SenderRate int
	// SenderBurst is how many entries Allow lets one sender add at once.
	SenderBurst int
	// Senders is how many senders Allow tracks at once (the least recently
	// seen are forgotten, with a full budget when they come back).
	Senders int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// DefaultInbox holds a year of daily conversations per recipient, fits a
// relay's disk (an item is about 200 bytes with its index rows: 100,000
// recipients of 10,000 items is the worst case, 200 GB, which the per
// sender rate keeps far away) and lets a sender start 600 conversations an
// hour, in bursts of 60.
var DefaultInbox = InboxConfig{
	PerRecipient: 10_000,
	Recipients:   100_000,
	Retention:    30 * 24 * time.Hour,
	SenderRate:   600,
	SenderBurst:  60,
	Senders:      10_000,
}

func (c InboxConfig) withDefaults() InboxConfig {
	d := DefaultInbox
	if c.PerRecipient > 0 {
		d.PerRecipient = c.PerRecipient
	}
	if c.Recipients > 0 {
		d.Recipients = c.Recipients
	}
	if c.Retention > 0 {
		d.Retention = c.Retention
	}
	if c.SenderRate > 0 {
		d.SenderRate = c.SenderRate
	}
	if c.SenderBurst > 0 {
		d.SenderBurst = c.SenderBurst
	}
	if c.Senders > 0 {
		d.Senders = c.Senders
	}
	d.Now = c.Now
	if d.Now == nil {
		d.Now = time.Now
	}
	return d
}

// Rows of an Inbox in its KV (all integers big-endian):
//
//	m <recipient>                    last cursor (8), item count (4)
//	i <recipient> <cursor>           group (32), newest (8)
//	g <recipient> <group>            cursor (8)
//	t <newest> <recipient> <cursor>  (empty): retention order
const (
	rowMeta  = 'm'
	rowItem  = 'i'
	rowGroup = 'g'
	rowTime  = 't'
)

// Inbox is a relay's index of the groups with entries addressed to each
// recipient: a DM's entries to both members, an invite to its target. The
// relay calls Allow for the entry's author, then Add; a recipient reads
// its items with an inbox request (Since). Each recipient's items carry
// cursors, strictly increasing in the order of their last Add: the
// microseconds of the Add's time, or one more than the recipient's last
// cursor if that is larger, so that a cursor stays meaningful to a relay
// that lost its data. An Inbox is safe for concurrent use.
type Inbox struct {
	kv      store.KV
	cfg     InboxConfig
	senders *ratelimit.Limiter

	mu         sync.Mutex // serializes writes
	recipients int
}

// OpenInbox returns the inbox kept in kv, a view of its own (such as a
// store.Prefix view of the relay's database).
func OpenInbox(kv store.KV, cfg InboxConfig) (*Inbox, error) {
	cfg = cfg.withDefaults()
	in := &Inbox{
		kv:      kv,
		cfg:     cfg,
		senders: ratelimit.New(float64(cfg.SenderRate)/3600, cfg.SenderBurst, cfg.Senders),
	}
	it := kv.Find([]byte{rowMeta}, []byte{rowMeta + 1}, false)
	for it.Next() {
		in.recipients++
	}
	if err := it.Close(); err != nil {
		return nil, fmt.Errorf("chatnet: opening inbox: %w", err)
	}
	return in, nil
}

// Allow reports whether sender may add one more entry to inboxes now, and
// takes it from the sender's budget: SenderRate an hour, SenderBurst at
// once.
func (in *Inbox) Allow(sender entry.Key) bool {
	return in.senders.Allow(string(sender[:]))
}

type inboxMeta struct {
	last  uint64
	count uint32
}

func metaKey(r entry.Key) []byte { return append([]byte{rowMeta}, r[:]...) }

func itemKey(r entry.Key, cursor uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte{rowItem}, r[:]...), cursor)
}

func groupKey(r entry.Key, g chatlog.GroupID) []byte {
	return append(append([]byte{rowGroup}, r[:]...), g[:]...)
}

func timeKey(newest uint64, r entry.Key, cursor uint64) []byte {
	k := binary.BigEndian.AppendUint64([]byte{rowTime}, newest)
	k = append(k, r[:]...)
	return binary.BigEndian.AppendUint64(k, cursor)
}

// get returns the value of key, nil if it is not stored.
func (in *Inbox) get(key []byte) ([]byte, error) {
	v, err := in.kv.Get(key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("chatnet: inbox: %w", err)
	}
	return v, nil
}

func (in *Inbox) meta(r entry.Key) (inboxMeta, bool, error) {
	v, err := in.get(metaKey(r))
	if err != nil || v == nil {
		return inboxMeta{}, false, err
	}
	if len(v) != 12 {
		return inboxMeta{}, false, fmt.Errorf("chatnet: inbox: %w: meta of %d bytes", store.ErrCorrupt, len(v))
	}
	return inboxMeta{binary.BigEndian.Uint64(v), binary.BigEndian.Uint32(v[8:])}, true, nil
}

func (m inboxMeta) bytes() []byte {
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64(nil, m.last), m.count)
}

func parseItem(v []byte) (InboxItem, error) {
	if len(v) != itemSize {
		return InboxItem{}, fmt.Errorf("chatnet: inbox: %w: item of %d bytes", store.ErrCorrupt, len(v))
	}
	var it InboxItem
	copy(it.Group[:], v)
	it.Newest = binary.BigEndian.Uint64(v[32:])
	return it, nil
}

func (it InboxItem) bytes() []byte {
	return binary.BigEndian.AppendUint64(append([]byte(nil), it.Group[:]...), it.Newest)
}

// unixMs returns t in Unix milliseconds, 0 before 1970.
func unixMs(t time.Time) uint64 { return uint64(max(t.UnixMilli(), 0)) }

// Add records that group g has an entry for recipient, of time t: the
// group's item moves to a new cursor, newer than every other of the
// recipient's, with the later of t and the time it had. A recipient over
// PerRecipient items loses the one updated longest ago. A new recipient
// over Recipients fails with ErrInboxFull.
func (in *Inbox) Add(recipient entry.Key, g chatlog.GroupID, t time.Time) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	m, known, err := in.meta(recipient)
	if err != nil {
		return err
	}
	if !known && in.recipients >= in.cfg.Recipients {
		return fmt.Errorf("%w: %d recipients", ErrInboxFull, in.recipients)
	}
	cursor := max(m.last+1, uint64(max(in.cfg.Now().UnixMicro(), 0)))
	item := InboxItem{Group: g, Newest: unixMs(t)}
	var b store.Batch
	old, err := in.get(groupKey(recipient, g))
	if err != nil {
		return err
	}
	if old != nil {
		if len(old) != 8 {
			return fmt.Errorf("chatnet: inbox: %w: group row of %d bytes", store.ErrCorrupt, len(old))
		}
		oldCursor := binary.BigEndian.Uint64(old)
		v, err := in.get(itemKey(recipient, oldCursor))
		if err != nil {
			return err
		}
		if v != nil {
			prev, err := parseItem(v)
			if err != nil {
				return err
			}
			item.Newest = max(item.Newest, prev.Newest)
			b.Delete(timeKey(prev.Newest, recipient, oldCursor))
		}
		b.Delete(itemKey(recipient, oldCursor))
	} else {
		m.count++
	}
	b.Put(itemKey(recipient, cursor), item.bytes())
	b.Put(groupKey(recipient, g), binary.BigEndian.AppendUint64(nil, cursor))
	b.Put(timeKey(item.Newest, recipient, cursor), nil)
	if old == nil && m.count > uint32(in.cfg.PerRecipient) {
		if err := in.dropOldest(&b, recipient); err != nil {
			return err
		}
		m.count--
	}
	m.last = cursor
	b.Put(metaKey(recipient), m.bytes())
	if err := in.kv.Commit(&b, false); err != nil {
		return fmt.Errorf("chatnet: inbox: %w", err)
	}
	if !known {
		in.recipients++
	}
	return nil
}

// dropOldest adds to b the deletion of recipient's item of the lowest
// cursor.
func (in *Inbox) dropOldest(b *store.Batch, recipient entry.Key) error {
	start := itemKey(recipient, 0)
	it := in.kv.Find(start, store.PrefixEnd(start[:1+32]), false)
	defer it.Close()
	if !it.Next() {
		return it.Close()
	}
	cursor := binary.BigEndian.Uint64(it.Key()[1+32:])
	item, err := parseItem(it.Value())
	if err != nil {
		return err
	}
	b.Delete(bytesClone(it.Key()))
	b.Delete(groupKey(recipient, item.Group))
	b.Delete(timeKey(item.Newest, recipient, cursor))
	return it.Close()
}

func bytesClone(b []byte) []byte { return append([]byte(nil), b...) }

// Since returns up to limit (at most MaxInboxItems) of recipient's items
// with a cursor after cursor, in cursor order, and the cursor to ask with
// next: the last returned item's, or cursor if there is none. A cursor
// beyond the recipient's last (one from before the relay lost its data)
// reads from the start.
func (in *Inbox) Since(recipient entry.Key, cursor uint64, limit int) ([]InboxItem, uint64, error) {
	limit = min(max(limit, 1), MaxInboxItems)
	m, known, err := in.meta(recipient)
	if err != nil || !known {
		return nil, cursor, err
	}
	if cursor > m.last {
		cursor = 0
	}
	if cursor == ^uint64(0) {
		return nil, cursor, nil
	}
	start := itemKey(recipient, cursor+1)
	it := in.kv.Find(start, store.PrefixEnd(start[:1+32]), false)
	defer it.Close()
	var out []InboxItem
	next := cursor
	for len(out) < limit && it.Next() {
		item, err := parseItem(it.Value())
		if err != nil {
			return nil, cursor, err
		}
		out = append(out, item)
		next = binary.BigEndian.Uint64(it.Key()[1+32:])
	}
	if err := it.Close(); err != nil {
		return nil, cursor, fmt.Errorf("chatnet: inbox: %w", err)
	}
	return out, next, nil
}

// gcBatch is the most items GC deletes in one commit.
const gcBatch = 1000

// GC drops the items whose newest entry is older than Retention at now,
// and returns how many it dropped.
func (in *Inbox) GC(now time.Time) (int, error) {
	cut := unixMs(now.Add(-in.cfg.Retention))
	dropped := 0
	for {
		n, err := in.gcSome(cut)
		dropped += n
		if err != nil || n < gcBatch {
			return dropped, err
		}
	}
}

// gcSome drops up to gcBatch items older than cut in one commit.
func (in *Inbox) gcSome(cut uint64) (int, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	it := in.kv.Find([]byte{rowTime}, binary.BigEndian.AppendUint64([]byte{rowTime}, cut), false)
	defer it.Close()
	var b store.Batch
	metas := make(map[entry.Key]inboxMeta)
	n := 0
	for n < gcBatch && it.Next() {
		k := it.Key()
		if len(k) != 1+8+32+8 {
			return n, fmt.Errorf("chatnet: inbox: %w: time row of %d bytes", store.ErrCorrupt, len(k))
		}
		var r entry.Key
		copy(r[:], k[9:])
		cursor := binary.BigEndian.Uint64(k[41:])
		v, err := in.get(itemKey(r, cursor))
		if err != nil {
			return n, err
		}
		if v != nil {
			item, err := parseItem(v)
			if err != nil {
				return n, err
			}
			b.Delete(groupKey(r, item.Group))
			b.Delete(itemKey(r, cursor))
			m, ok := metas[r]
			if !ok {
				if m, _, err = in.meta(r); err != nil {
					return n, err
				}
			}
			m.count--
			metas[r] = m
		}
		b.Delete(bytesClone(k))
		n++
	}
	if err := it.Close(); err != nil {
		return 0, fmt.Errorf("chatnet: inbox: %w", err)
	}
	gone := 0
	for r, m := range metas {
		if m.count == 0 || m.count > uint32(in.cfg.PerRecipient) {
			b.Delete(metaKey(r))
			gone++
			continue
		}
		b.Put(metaKey(r), m.bytes())
	}
	if b.Len() == 0 {
		return 0, nil
	}
	if err := in.kv.Commit(&b, false); err != nil {
		return 0, fmt.Errorf("chatnet: inbox: %w", err)
	}
	in.recipients -= gone
	return n, nil
}
