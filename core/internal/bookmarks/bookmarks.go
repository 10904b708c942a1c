// Package bookmarks keeps each local account's saved posts, newest saved
// first. Each bookmark holds a copy of the signed entry, so that it
// outlives the entry in the logs: retention may collect the entry, or drop
// the log of an author nobody local follows any more, and the bookmark
// still shows it. A delete of a bookmarked post redacts the copy too
// (Redact). Bookmarks are local and private: nothing of them goes on the
// wire.
//
// # Key layout
//
// The keys are those of the view (the node's database adds the prefix
// byte store.BookmarkPrefix):
//
//	<account> s <^saved> <id>   bookmark: the entry's encoding, full or redacted
//	<account> i <id>            index: saved (8 bytes)
//
// account is a 32-byte Ed25519 public key, id a 32-byte entry ID, saved
// nanoseconds since the Unix epoch, big-endian, and ^saved is
// MaxUint64-saved, so that an ascending scan yields the newest saved
// first. A cursor is the <^saved> <id> part of the last row of a page.
// The i rows are loaded into memory when the Book opens: Has is a map
// lookup. A Book is safe for concurrent use.
package bookmarks

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// MaxPerAccount is the most bookmarks one account keeps.
const MaxPerAccount = 10_000

// Errors.
var (
	ErrFull      = errors.New("bookmarks: full")
	ErrBadCursor = errors.New("bookmarks: invalid cursor")
)

const (
	keyLen    = len(entry.Key{})
	idLen     = len(entry.ID{})
	cursorLen = 8 + idLen
	rowLen    = keyLen + 1 + cursorLen
)

// Book holds every local account's bookmarks.
type Book struct {
	kv store.KV
	mu sync.RWMutex
	m  map[entry.Key]map[entry.ID]uint64 // account → bookmarked ID → saved
}

// Open loads the bookmarks kept in kv. kv stays its caller's to close.
func Open(kv store.KV) (*Book, error) {
	b := &Book{kv: kv, m: make(map[entry.Key]map[entry.ID]uint64)}
	it := kv.Find(nil, nil, false)
	for it.Next() {
		k := it.Key()
		if len(k) < keyLen+1 || k[keyLen] != 'i' {
			continue
		}
		if len(k) != keyLen+1+idLen || len(it.Value()) != 8 {
			it.Close()
			return nil, fmt.Errorf("bookmarks: corrupt row %x", k)
		}
		a := entry.Key(k[:keyLen])
		if b.m[a] == nil {
			b.m[a] = make(map[entry.ID]uint64)
		}
		b.m[a][entry.ID(k[keyLen+1:])] = binary.BigEndian.Uint64(it.Value())
	}
	if err := it.Close(); err != nil {
		return nil, fmt.Errorf("bookmarks: load: %w", err)
	}
	return b, nil
}

func indexKey(account entry.Key, id entry.ID) []byte {
	return append(append(append(make([]byte, 0, keyLen+1+idLen), account[:]...), 'i'), id[:]...)
}

func rowKey(account entry.Key, saved uint64, id entry.ID) []byte {
	k := append(append(make([]byte, 0, rowLen), account[:]...), 's')
	k = binary.BigEndian.AppendUint64(k, math.MaxUint64-saved)
	return append(k, id[:]...)
}

// Add bookmarks e for account at time now, durably. It reports false, and
// changes nothing, if e is bookmarked already; it fails with an error
// wrapping ErrFull if account has MaxPerAccount bookmarks.
func (b *Book) Add(account entry.Key, e *entry.Entry, now time.Time) (added bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := e.ID()
	if _, ok := b.m[account][id]; ok {
		return false, nil
	}
	if n := len(b.m[account]); n >= MaxPerAccount {
		return false, fmt.Errorf("%w: %d bookmarks saved", ErrFull, n)
	}
	saved := uint64(max(now.UnixNano(), 1))
	var batch store.Batch
	batch.Put(rowKey(account, saved, id), e.Bytes())
	batch.Put(indexKey(account, id), binary.BigEndian.AppendUint64(nil, saved))
	if err := b.kv.Commit(&batch, true); err != nil {
		return false, fmt.Errorf("bookmarks: %w", err)
	}
	if b.m[account] == nil {
		b.m[account] = make(map[entry.ID]uint64)
	}
	b.m[account][id] = saved
	return true, nil
}

// Remove deletes account's bookmark of id, durably, and reports whether
// there was one.
func (b *Book) Remove(account entry.Key, id entry.ID) (removed bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	saved, ok := b.m[account][id]
	if !ok {
		return false, nil
	}
	var batch store.Batch
	batch.Delete(rowKey(account, saved, id))
	batch.Delete(indexKey(account, id))
	if err := b.kv.Commit(&batch, true); err != nil {
		return false, fmt.Errorf("bookmarks: %w", err)
	}
	delete(b.m[account], id)
	if len(b.m[account]) == 0 {
		delete(b.m, account)
	}
	return true, nil
}

// Has reports whether account bookmarked id.
func (b *Book) Has(account entry.Key, id entry.ID) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	_, ok := b.m[account][id]
	return ok
}

// Len returns the number of account's bookmarks.
func (b *Book) Len(account entry.Key) int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.m[account])
}

// Match returns up to limit of account's bookmarked IDs whose hex form
// starts with prefix (lowercase hex).
func (b *Book) Match(account entry.Key, prefix string, limit int) []entry.ID {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var out []entry.ID
	for id := range b.m[account] {
		if len(out) == limit {
			break
		}
		if strings.HasPrefix(hex.EncodeToString(id[:]), prefix) {
			out = append(out, id)
		}
	}
	return out
}

// Page returns up to limit of account's bookmarked entries, newest saved
// first, starting after cursor (nil: from the newest), and the cursor of
// the next page, nil if this page is the last. A cursor is opaque; a
// malformed one fails with an error wrapping ErrBadCursor.
func (b *Book) Page(account entry.Key, cursor []byte, limit int) (es []*entry.Entry, next []byte, err error) {
	prefix := append(account[:keyLen:keyLen], 's')
	start := prefix
	if len(cursor) > 0 {
		if len(cursor) != cursorLen {
			return nil, nil, ErrBadCursor
		}
		start = append(append(bytes.Clone(prefix), cursor...), 0)
	}
	if limit <= 0 {
		return nil, nil, nil
	}
	end := append(account[:keyLen:keyLen], 's'+1)
	it := b.kv.Find(start, end, false)
	var last []byte
	for it.Next() {
		if len(es) == limit {
			next = last
			break
		}
		k := it.Key()
		if len(k) != rowLen {
			it.Close()
			return nil, nil, fmt.Errorf("bookmarks: corrupt row %x", k)
		}
		id := entry.ID(k[keyLen+1+8:])
		e, err := entry.ParseStored(it.Value(), &id)
		if err != nil {
			it.Close()
			return nil, nil, fmt.Errorf("bookmarks: row %x: %w", k, err)
		}
		es = append(es, e)
		last = append(last[:0], k[keyLen+1:]...)
	}
	if err := it.Close(); err != nil {
		return nil, nil, err
	}
	return es, next, nil
}

// Redact replaces, in every account's bookmark of the entry with ID id,
// the copy with its redacted form (the entry without its body), as its
// author deleted it: author's delete named its entry at seq. A delete that
// names another account's entry changes nothing. It reports how many
// bookmarks it changed.
func (b *Book) Redact(author entry.Key, seq uint64, id entry.ID) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var batch store.Batch
	changed := 0
	for account, ids := range b.m {
		saved, ok := ids[id]
		if !ok {
			continue
		}
		k := rowKey(account, saved, id)
		v, err := b.kv.Get(k)
		if err != nil {
			return 0, fmt.Errorf("bookmarks: %w", err)
		}
		e, err := entry.ParseStored(v, &id)
		if err != nil {
			return 0, fmt.Errorf("bookmarks: row %x: %w", k, err)
		}
		if e.Author != author || e.Seq != seq {
			return 0, nil // a delete by someone else names this post: not theirs to take back
		}
		if r := e.Redact(); r != e {
			batch.Put(k, r.Bytes())
			changed++
		}
	}
	if changed == 0 {
		return 0, nil
	}
	if err := b.kv.Commit(&batch, true); err != nil {
		return 0, fmt.Errorf("bookmarks: %w", err)
	}
	return changed, nil
}
