// Package likes keeps the likes a node has seen: for each liked entry, each
// liker's latest like or unlike (the one with the highest seq in the
// liker's log decides) and the number of likers whose latest says "like".
// A feed page asks it, per post, for the count and whether the logged-in
// account likes the post: each is one point read.
//
// # Key layout
//
// The table lives in a node's database under store.LikePrefix (a
// store.Prefix view); these are the keys inside the view. Keys are raw
// 32-byte IDs and keys, integers big-endian.
//
//	c <post ID>            count: likers whose latest says like (4 bytes), rows of the post (4 bytes)
//	p <post ID> <liker>    the liker's latest: seq (8 bytes), 1 like or 0 unlike (1 byte)
//	l <liker> <post ID>    the same row from the liker's side (empty value)
//	n <liker>              rows of the liker (4 bytes)
//
// A post keeps at most Limits.PerPost rows and a liker at most
// Limits.PerLiker; a like past either is dropped and counted (Dropped).
// A Table is safe for concurrent use.
package likes

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// Limits bound the rows a Table keeps. Zero fields take DefaultLimits'.
type Limits struct {
	// PerPost is the most likers recorded for one post.
	PerPost int
	// PerLiker is the most posts recorded for one liker.
	PerLiker int
}

// DefaultLimits keep 100,000 likers a post and 100,000 posts a liker: far
// more than a phone shows, few enough that one hostile key cannot fill a
// disk.
var DefaultLimits = Limits{PerPost: 100_000, PerLiker: 100_000}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.PerPost > 0 {
		d.PerPost = l.PerPost
	}
	if l.PerLiker > 0 {
		d.PerLiker = l.PerLiker
	}
	return d
}

// Like is one like or unlike entry: Liker's entry at Seq says whether it
// likes the entry Of.
type Like struct {
	Liker  entry.Key
	Seq    uint64
	Of     entry.Ref
	Active bool // a like; false for an unlike
}

// FromEntry returns the Like of a like or unlike entry.
func FromEntry(e *entry.Entry) (Like, error) {
	if e.Kind != entry.KindLike && e.Kind != entry.KindUnlike {
		return Like{}, fmt.Errorf("likes: entry of kind %d is not a like or an unlike", e.Kind)
	}
	b, err := entry.ParseLike(e.Body)
	if err != nil {
		return Like{}, err
	}
	return Like{Liker: e.Author, Seq: e.Seq, Of: b.Of, Active: e.Kind == entry.KindLike}, nil
}

// Table is the likes table. Writes are serialised by a mutex: each one
// reads the rows it changes. Count and Liked answer from a cache of the
// rows read lately, kept up to date by the writes: a feed page asks for
// every post, and most posts have no likes.
type Table struct {
	kv      store.KV
	limits  Limits
	mu      sync.RWMutex // writes hold it; reads that fill the cache share it
	dropped atomic.Uint64

	cmu    sync.Mutex
	cached map[entry.ID]uint32 // post → count
	liked  map[likeKey]bool
}

type likeKey struct {
	post  entry.ID
	liker entry.Key
}

// maxCached bounds each cache; a full cache is emptied and starts again.
const maxCached = 1 << 16

// Open returns the table kept in kv (a store.Prefix view).
func Open(kv store.KV, l Limits) *Table {
	return &Table{kv: kv, limits: l.withDefaults(), cached: map[entry.ID]uint32{}, liked: map[likeKey]bool{}}
}

// cache records what the table holds for post (and for liker's like of
// it, if liker is not nil); the caller holds mu.
func (t *Table) cache(post entry.ID, count uint32, liker *entry.Key, liked bool) {
	t.cmu.Lock()
	defer t.cmu.Unlock()
	if len(t.cached) >= maxCached {
		clear(t.cached)
	}
	t.cached[post] = count
	if liker != nil {
		if len(t.liked) >= maxCached {
			clear(t.liked)
		}
		t.liked[likeKey{post, *liker}] = liked
	}
}

// forget empties the caches; the caller holds mu for writing.
func (t *Table) forget() {
	t.cmu.Lock()
	defer t.cmu.Unlock()
	clear(t.cached)
	clear(t.liked)
}

func countKey(post entry.ID) []byte { return append([]byte{'c'}, post[:]...) }

func rowKey(post entry.ID, liker entry.Key) []byte {
	return append(append([]byte{'p'}, post[:]...), liker[:]...)
}

func likerKey(liker entry.Key, post entry.ID) []byte {
	return append(append([]byte{'l'}, liker[:]...), post[:]...)
}

func likerCountKey(liker entry.Key) []byte { return append([]byte{'n'}, liker[:]...) }

// get reads a value, nil and no error if absent.
func (t *Table) get(k []byte) ([]byte, error) {
	v, err := t.kv.Get(k)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return v, err
}

// counts reads the c row of post: the count and the number of rows.
func (t *Table) counts(post entry.ID) (count, rows uint32, err error) {
	v, err := t.get(countKey(post))
	if err != nil || len(v) != 8 {
		return 0, 0, err
	}
	return binary.BigEndian.Uint32(v), binary.BigEndian.Uint32(v[4:]), nil
}

func putCounts(b *store.Batch, post entry.ID, count, rows uint32) {
	if rows == 0 {
		b.Delete(countKey(post))
		return
	}
	v := binary.BigEndian.AppendUint32(nil, count)
	b.Put(countKey(post), binary.BigEndian.AppendUint32(v, rows))
}

func (t *Table) likerRows(liker entry.Key) (uint32, error) {
	v, err := t.get(likerCountKey(liker))
	if err != nil || len(v) != 4 {
		return 0, err
	}
	return binary.BigEndian.Uint32(v), nil
}

func putLikerRows(b *store.Batch, liker entry.Key, rows uint32) {
	if rows == 0 {
		b.Delete(likerCountKey(liker))
		return
	}
	b.Put(likerCountKey(liker), binary.BigEndian.AppendUint32(nil, rows))
}

// Apply records l unless the table holds a later (or the same) entry of
// its liker about the post. It reports whether the liker's latest changed.
// A new row past a limit is dropped and counted, and Apply returns false.
func (t *Table) Apply(l Like) (changed bool, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	post := l.Of.ID
	old, err := t.get(rowKey(post, l.Liker))
	if err != nil {
		return false, err
	}
	wasActive := false
	if len(old) == 9 {
		if binary.BigEndian.Uint64(old) >= l.Seq {
			return false, nil
		}
		wasActive = old[8] == 1
	}
	count, rows, err := t.counts(post)
	if err != nil {
		return false, err
	}
	var b store.Batch
	if old == nil {
		lrows, err := t.likerRows(l.Liker)
		if err != nil {
			return false, err
		}
		if int(rows) >= t.limits.PerPost || int(lrows) >= t.limits.PerLiker {
			t.dropped.Add(1)
			return false, nil
		}
		rows++
		putLikerRows(&b, l.Liker, lrows+1)
		b.Put(likerKey(l.Liker, post), nil)
	}
	switch {
	case l.Active && !wasActive:
		count++
	case !l.Active && wasActive:
		count--
	}
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 9), l.Seq)
	if l.Active {
		v = append(v, 1)
	} else {
		v = append(v, 0)
	}
	b.Put(rowKey(post, l.Liker), v)
	putCounts(&b, post, count, rows)
	if err := t.kv.Commit(&b, false); err != nil {
		t.forget()
		return false, fmt.Errorf("likes: %w", err)
	}
	t.cache(post, count, &l.Liker, l.Active)
	return true, nil
}

// Count returns the number of likers whose latest entry about post is a
// like, as far as this table has seen.
func (t *Table) Count(post entry.ID) (int, error) {
	t.cmu.Lock()
	c, ok := t.cached[post]
	t.cmu.Unlock()
	if ok {
		return int(c), nil
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	c, _, err := t.counts(post)
	if err == nil {
		t.cache(post, c, nil, false)
	}
	return int(c), err
}

// Liked reports whether liker's latest entry about post is a like.
func (t *Table) Liked(post entry.ID, liker entry.Key) (bool, error) {
	k := likeKey{post, liker}
	t.cmu.Lock()
	liked, ok := t.liked[k]
	t.cmu.Unlock()
	if ok {
		return liked, nil
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	v, err := t.get(rowKey(post, liker))
	if err != nil {
		return false, err
	}
	liked = len(v) == 9 && v[8] == 1
	t.cmu.Lock()
	if len(t.liked) >= maxCached {
		clear(t.liked)
	}
	t.liked[k] = liked
	t.cmu.Unlock()
	return liked, nil
}

// Latest returns the seq of liker's latest entry about post and whether it
// is a like; seq 0 if the table has none.
func (t *Table) Latest(post entry.ID, liker entry.Key) (seq uint64, active bool, err error) {
	v, err := t.get(rowKey(post, liker))
	if err != nil || len(v) != 9 {
		return 0, false, err
	}
	return binary.BigEndian.Uint64(v), v[8] == 1, nil
}

// Likers returns up to limit keys of the accounts whose latest entry about
// post is a like.
func (t *Table) Likers(post entry.ID, limit int) ([]entry.Key, error) {
	start := append([]byte{'p'}, post[:]...)
	end := store.PrefixEnd(start)
	it := t.kv.Find(start, end, false)
	var out []entry.Key
	for len(out) < limit && it.Next() {
		k, v := it.Key(), it.Value()
		if len(k) != 1+32+32 || len(v) != 9 || v[8] != 1 {
			continue
		}
		var liker entry.Key
		copy(liker[:], k[33:])
		out = append(out, liker)
	}
	return out, it.Close()
}

// DropPost removes every row about post: it was deleted, or is no longer
// held.
func (t *Table) DropPost(post entry.ID) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.forget()
	start := append([]byte{'p'}, post[:]...)
	end := store.PrefixEnd(start)
	var likers []entry.Key
	it := t.kv.Find(start, end, false)
	for it.Next() {
		if k := it.Key(); len(k) == 1+32+32 {
			var liker entry.Key
			copy(liker[:], k[33:])
			likers = append(likers, liker)
		}
	}
	if err := it.Close(); err != nil {
		return err
	}
	if len(likers) == 0 {
		return nil
	}
	var b store.Batch
	for _, liker := range likers {
		lrows, err := t.likerRows(liker)
		if err != nil {
			return err
		}
		putLikerRows(&b, liker, max(lrows, 1)-1)
		b.Delete(likerKey(liker, post))
		b.Delete(rowKey(post, liker))
	}
	b.Delete(countKey(post))
	return t.kv.Commit(&b, false)
}

// DropLiker removes every row of liker: its log is no longer held. Counts
// of the posts it liked go down.
func (t *Table) DropLiker(liker entry.Key) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.forget()
	start := append([]byte{'l'}, liker[:]...)
	end := store.PrefixEnd(start)
	var posts []entry.ID
	it := t.kv.Find(start, end, false)
	for it.Next() {
		if k := it.Key(); len(k) == 1+32+32 {
			var id entry.ID
			copy(id[:], k[33:])
			posts = append(posts, id)
		}
	}
	if err := it.Close(); err != nil {
		return err
	}
	var b store.Batch
	for _, post := range posts {
		v, err := t.get(rowKey(post, liker))
		if err != nil {
			return err
		}
		count, rows, err := t.counts(post)
		if err != nil {
			return err
		}
		if len(v) == 9 && v[8] == 1 && count > 0 {
			count--
		}
		putCounts(&b, post, count, max(rows, 1)-1)
		b.Delete(rowKey(post, liker))
		b.Delete(likerKey(liker, post))
	}
	b.Delete(likerCountKey(liker))
	return t.kv.Commit(&b, false)
}

// Dropped returns how many likes were not recorded because a post or a
// liker had reached its limit, since Open.
func (t *Table) Dropped() uint64 { return t.dropped.Load() }
