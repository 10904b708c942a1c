// Package moderation keeps, for each local account, the accounts it muted
// and the accounts it blocked, each with the name it was given by. The
// lists are local and private: nothing of them goes on the wire. They are
// kept in a node's database, through a store.Prefix view, and loaded into
// memory when opened, so that filtering a feed row or a notification is a
// map lookup.
//
// Muting and blocking are independent: an account may be both muted and
// blocked, and unblocking it leaves the mute. Hidden reports either.
//
// # Key layout
//
// The keys are those of the view (the node's database adds the prefix
// byte store.ModerationPrefix):
//
//	<account> <kind> <key>    kind 'm' mute or 'b' block: since (8 bytes, ns
//	                          since the Unix epoch), then the name (to the end)
//
// account and key are 32-byte Ed25519 public keys. A Lists is safe for
// concurrent use.
package moderation

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// Kind says which list an account is on.
type Kind byte

// List kinds, also the byte naming them in keys.
const (
	Mute  Kind = 'm'
	Block Kind = 'b'
)

func (k Kind) String() string {
	switch k {
	case Mute:
		return "mute"
	case Block:
		return "block"
	}
	return fmt.Sprintf("kind %q", byte(k))
}

// MaxPerList is the most accounts one account's mute list, or block list,
// holds.
const MaxPerList = 10_000

// ErrFull is returned when adding to a list that holds MaxPerList accounts.
var ErrFull = errors.New("moderation: list is full")

// Item is one account on a list.
type Item struct {
	Key   entry.Key
	Name  string    // the name the account was muted or blocked by
	Since time.Time // when it was added
}

const keyLen = len(entry.Key{})

// Lists holds every local account's mute and block lists.
type Lists struct {
	kv store.KV
	mu sync.RWMutex
	m  map[listID]map[entry.Key]Item
}

// listID names one list: an account's mutes or blocks.
type listID struct {
	account entry.Key
	kind    Kind
}

// Open loads the lists kept in kv. kv stays its caller's to close.
func Open(kv store.KV) (*Lists, error) {
	l := &Lists{kv: kv, m: make(map[listID]map[entry.Key]Item)}
	it := kv.Find(nil, nil, false)
	for it.Next() {
		id, it2, err := decode(it.Key(), it.Value())
		if err != nil {
			it.Close()
			return nil, err
		}
		l.list(id, true)[it2.Key] = it2
	}
	if err := it.Close(); err != nil {
		return nil, fmt.Errorf("moderation: load: %w", err)
	}
	return l, nil
}

// list returns the list id, creating it if create is set (else nil when
// absent). The caller holds mu.
func (l *Lists) list(id listID, create bool) map[entry.Key]Item {
	m := l.m[id]
	if m == nil && create {
		m = make(map[entry.Key]Item)
		l.m[id] = m
	}
	return m
}

func rowKey(account entry.Key, kind Kind, k entry.Key) []byte {
	b := make([]byte, 0, 2*keyLen+1)
	b = append(b, account[:]...)
	b = append(b, byte(kind))
	return append(b, k[:]...)
}

func decode(key, v []byte) (listID, Item, error) {
	if len(key) != 2*keyLen+1 || (Kind(key[keyLen]) != Mute && Kind(key[keyLen]) != Block) || len(v) < 8 {
		return listID{}, Item{}, fmt.Errorf("moderation: corrupt row %x", key)
	}
	id := listID{account: entry.Key(key[:keyLen]), kind: Kind(key[keyLen])}
	it := Item{Key: entry.Key(key[keyLen+1:]), Name: string(v[8:])}
	if ns := int64(binary.BigEndian.Uint64(v)); ns != 0 {
		it.Since = time.Unix(0, ns).UTC()
	}
	return id, it, nil
}

// Add puts it on account's list of kind, durably. It reports false, and
// changes nothing, if it.Key is on the list already; it fails with an error
// wrapping ErrFull if the list holds MaxPerList accounts.
func (l *Lists) Add(account entry.Key, kind Kind, it Item) (added bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	id := listID{account, kind}
	m := l.list(id, false)
	if _, ok := m[it.Key]; ok {
		return false, nil
	}
	if len(m) >= MaxPerList {
		return false, fmt.Errorf("%w: %d accounts on the %s list", ErrFull, len(m), kind)
	}
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(it.Name)), uint64(it.Since.UnixNano()))
	var b store.Batch
	b.Put(rowKey(account, kind, it.Key), append(v, it.Name...))
	if err := l.kv.Commit(&b, true); err != nil {
		return false, fmt.Errorf("moderation: %w", err)
	}
	it.Since = it.Since.UTC()
	l.list(id, true)[it.Key] = it
	return true, nil
}

// Remove takes k off account's list of kind, durably, and reports whether
// it was on it.
func (l *Lists) Remove(account entry.Key, kind Kind, k entry.Key) (removed bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	id := listID{account, kind}
	m := l.list(id, false)
	if _, ok := m[k]; !ok {
		return false, nil
	}
	var b store.Batch
	b.Delete(rowKey(account, kind, k))
	if err := l.kv.Commit(&b, true); err != nil {
		return false, fmt.Errorf("moderation: %w", err)
	}
	delete(m, k)
	if len(m) == 0 {
		delete(l.m, id)
	}
	return true, nil
}

// List returns account's list of kind, sorted by name.
func (l *Lists) List(account entry.Key, kind Kind) []Item {
	l.mu.RLock()
	defer l.mu.RUnlock()
	m := l.m[listID{account, kind}]
	out := make([]Item, 0, len(m))
	for _, it := range m {
		out = append(out, it)
	}
	slices.SortFunc(out, func(a, b Item) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), bytes.Compare(a.Key[:], b.Key[:]))
	})
	return out
}

// Find returns the account on account's list of kind that was added by
// name.
func (l *Lists) Find(account entry.Key, kind Kind, name string) (Item, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	for _, it := range l.m[listID{account, kind}] {
		if it.Name == name {
			return it, true
		}
	}
	return Item{}, false
}

// Has reports whether k is on account's list of kind.
func (l *Lists) Has(account entry.Key, kind Kind, k entry.Key) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	_, ok := l.m[listID{account, kind}][k]
	return ok
}

// Hidden reports whether account muted or blocked k.
func (l *Lists) Hidden(account, k entry.Key) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	_, m := l.m[listID{account, Mute}][k]
	_, b := l.m[listID{account, Block}][k]
	return m || b
}

// Any reports whether account muted or blocked anyone: when not, nothing
// of its feed needs filtering.
func (l *Lists) Any(account entry.Key) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.m[listID{account, Mute}]) > 0 || len(l.m[listID{account, Block}]) > 0
}
