// Package threads keeps the replies a node has seen, indexed by the entry
// they answer, so that a conversation can be shown and served without a
// scan of the logs; and it defines the thread protocol
// (/skein/thread/1.0.0, docs/PROTOCOL.md "Thread"), by which a node asks
// the device of a post's author, or a holder of the author's log, for the
// replies it knows under the post.
//
// A reply in a log the node holds is indexed by its place in that log; a
// reply of an author nobody local follows, which reached a local account
// as a notice, is kept as a copy of its signed entry: it is in no log the
// node holds.
//
// # Key layout
//
// The table lives in a node's database under store.ThreadPrefix (a
// store.Prefix view); these are the keys inside the view, with raw 32-byte IDs and keys and big-endian integers.
//
//	r <parent ID> <reply ID>   0, author (32 bytes), seq (8 bytes): the reply is in a held log;
//	                           or 1, the reply's signed entry: a kept copy
//	e <reply ID>               the parent's ID (32 bytes)
//	n <parent ID>              number of r rows of the parent (4 bytes)
//	v                          the replies of the logs held were indexed once (empty value)
//
// A parent keeps at most Limits.PerPost replies: later ones are refused
// and counted (Dropped). A Table is safe for concurrent use.
package threads

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// Limits bound what a Table keeps. Zero fields take DefaultLimits'.
type Limits struct {
	// PerPost is the most replies indexed under one parent.
	PerPost int
}

// DefaultLimits index up to 10,000 replies per parent.
var DefaultLimits = Limits{PerPost: 10_000}

// Reply is one indexed reply: where it is held, or its kept copy.
type Reply struct {
	ID     entry.ID
	Parent entry.ID
	// Held says that the reply is in its author's log, at Author, Seq.
	Held   bool
	Author entry.Key
	Seq    uint64
	// Raw is the kept copy of the signed entry when Held is false.
	Raw []byte
}

// Table is the reply index.
type Table struct {
	kv      store.KV
	limits  Limits
	mu      sync.Mutex
	dropped atomic.Uint64
}

// Open returns the table kept in kv (a store.Prefix view).
func Open(kv store.KV, l Limits) *Table {
	if l.PerPost <= 0 {
		l.PerPost = DefaultLimits.PerPost
	}
	return &Table{kv: kv, limits: l}
}

func rowKey(parent, reply entry.ID) []byte {
	return append(append([]byte{'r'}, parent[:]...), reply[:]...)
}
func parentKey(reply entry.ID) []byte { return append([]byte{'e'}, reply[:]...) }
func countKey(parent entry.ID) []byte { return append([]byte{'n'}, parent[:]...) }

func (t *Table) get(k []byte) ([]byte, error) {
	v, err := t.kv.Get(k)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return v, err
}

func (t *Table) count(parent entry.ID) (uint32, error) {
	v, err := t.get(countKey(parent))
	if err != nil || len(v) != 4 {
		return 0, err
	}
	return binary.BigEndian.Uint32(v), nil
}

// Add indexes the reply e, a verified reply entry. held says that e is
// stored in its author's log; else the table keeps a copy of it. A reply
// indexed before is updated only from a kept copy to held. It reports
// whether e was added; past the parent's limit it is refused and counted.
func (t *Table) Add(e *entry.Entry, held bool) (bool, error) {
	if e.Kind != entry.KindReply || e.Redacted() {
		return false, fmt.Errorf("threads: entry of kind %d is not a reply", e.Kind)
	}
	r, err := entry.ParseReply(e.Body)
	if err != nil {
		return false, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	id := e.ID()
	old, err := t.get(rowKey(r.Parent.ID, id))
	if err != nil {
		return false, err
	}
	var b store.Batch
	switch {
	case old != nil && (old[0] == 0 || !held):
		return false, nil
	case old == nil:
		n, err := t.count(r.Parent.ID)
		if err != nil {
			return false, err
		}
		if int(n) >= t.limits.PerPost {
			t.dropped.Add(1)
			return false, nil
		}
		b.Put(countKey(r.Parent.ID), binary.BigEndian.AppendUint32(nil, n+1))
		b.Put(parentKey(id), r.Parent.ID[:])
	}
	var v []byte
	if held {
		v = append(append([]byte{0}, e.Author[:]...), binary.BigEndian.AppendUint64(nil, e.Seq)...)
	} else {
		v = append([]byte{1}, e.Bytes()...)
	}
	b.Put(rowKey(r.Parent.ID, id), v)
	if err := t.kv.Commit(&b, false); err != nil {
		return false, fmt.Errorf("threads: %w", err)
	}
	return old == nil, nil
}

func decodeRow(parent entry.ID, k, v []byte) (Reply, bool) {
	if len(k) != 1+64 || len(v) == 0 {
		return Reply{}, false
	}
	r := Reply{Parent: parent}
	copy(r.ID[:], k[33:])
	switch {
	case v[0] == 0 && len(v) == 1+32+8:
		r.Held = true
		copy(r.Author[:], v[1:])
		r.Seq = binary.BigEndian.Uint64(v[33:])
	case v[0] == 1:
		r.Raw = v[1:]
	default:
		return Reply{}, false
	}
	return r, true
}

// Children returns up to limit replies indexed under parent, in ID order.
func (t *Table) Children(parent entry.ID, limit int) ([]Reply, error) {
	start := append([]byte{'r'}, parent[:]...)
	end := store.PrefixEnd(start)
	it := t.kv.Find(start, end, false)
	var out []Reply
	for len(out) < limit && it.Next() {
		if r, ok := decodeRow(parent, it.Key(), it.Value()); ok {
			out = append(out, r)
		}
	}
	return out, it.Close()
}

// Lookup returns the reply with ID id, if indexed.
func (t *Table) Lookup(id entry.ID) (Reply, bool, error) {
	p, err := t.get(parentKey(id))
	if err != nil || len(p) != 32 {
		return Reply{}, false, err
	}
	var parent entry.ID
	copy(parent[:], p)
	k := rowKey(parent, id)
	v, err := t.get(k)
	if err != nil || v == nil {
		return Reply{}, false, err
	}
	r, ok := decodeRow(parent, k, v)
	return r, ok, nil
}

// Remove drops the reply with ID id from the index: a delete by author,
// naming its entry at seq, took it back. A delete that names another
// account's reply changes nothing.
func (t *Table) Remove(author entry.Key, seq uint64, id entry.ID) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, err := t.get(parentKey(id))
	if err != nil || len(p) != 32 {
		return err
	}
	var parent entry.ID
	copy(parent[:], p)
	v, err := t.get(rowKey(parent, id))
	if err != nil {
		return err
	}
	if r, ok := decodeRow(parent, rowKey(parent, id), v); ok && !owns(r, author, seq, id) {
		return nil // a delete by someone else names this reply: not theirs to take back
	}
	n, err := t.count(parent)
	if err != nil {
		return err
	}
	var b store.Batch
	if n <= 1 {
		b.Delete(countKey(parent))
	} else {
		b.Put(countKey(parent), binary.BigEndian.AppendUint32(nil, n-1))
	}
	b.Delete(rowKey(parent, id))
	b.Delete(parentKey(id))
	return t.kv.Commit(&b, false)
}

// owns reports whether the indexed reply r is author's entry at seq, with
// ID id.
func owns(r Reply, author entry.Key, seq uint64, id entry.ID) bool {
	if r.Held {
		return r.Author == author && r.Seq == seq
	}
	e, err := entry.ParseStored(r.Raw, &id)
	return err == nil && e.Author == author && e.Seq == seq
}

// Backfilled reports whether SetBackfilled was called on this table: the
// replies stored before the table existed were indexed.
func (t *Table) Backfilled() (bool, error) {
	_, err := t.kv.Get([]byte{'v'})
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// SetBackfilled records that the replies stored before the table existed
// were indexed.
func (t *Table) SetBackfilled() error {
	var b store.Batch
	b.Put([]byte{'v'}, []byte{})
	return t.kv.Commit(&b, true)
}

// Dropped returns how many replies were refused because their parent had
// reached its limit, since Open.
func (t *Table) Dropped() uint64 { return t.dropped.Load() }
