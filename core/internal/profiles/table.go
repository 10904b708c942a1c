package profiles

import (
	"errors"
	"fmt"
	"sync"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/media"
	"github.com/skein-p2p/skein/core/internal/store"
)

// cached is what the Table keeps in memory of one author's profile.
type cached struct {
	seq         uint64
	displayName string
	avatar      *media.Descriptor // nil for none
	deleted     bool              // the profile at seq was deleted: a floor, no profile
}

// Table is each author's latest profile entry, in a KV (see the package
// doc for its layout). Its methods are safe for concurrent use.
type Table struct {
	kv store.KV

	mu    sync.RWMutex // guards cache, and orders Put and Prune
	cache map[entry.Key]cached
}

// Open opens the table kept in kv, a view of the node's database under
// store.ProfilePrefix, and loads its display names and avatars into memory. It does not
// take kv's ownership: the caller closes it.
func Open(kv store.KV) (*Table, error) {
	t := &Table{kv: kv, cache: make(map[entry.Key]cached)}
	it := kv.Find(nil, nil, false)
	for it.Next() {
		e, p, err := parse(it.Key(), it.Value())
		if err != nil {
			it.Close()
			return nil, err
		}
		t.cache[e.Author] = cached{seq: e.Seq, displayName: p.DisplayName, avatar: p.Avatar, deleted: e.Redacted()}
	}
	if err := it.Close(); err != nil {
		return nil, fmt.Errorf("profiles: open: %w", err)
	}
	return t, nil
}

// parse decodes a stored row: key is the author, value the entry, full,
// or redacted once its author deleted it (a zero Profile then).
func parse(key, value []byte) (*entry.Entry, entry.Profile, error) {
	e, err := entry.ParseStored(value, nil)
	if err != nil {
		return nil, entry.Profile{}, fmt.Errorf("profiles: stored profile: %w", err)
	}
	if string(key) != string(e.Author[:]) || e.Kind != entry.KindProfile {
		return nil, entry.Profile{}, fmt.Errorf("profiles: stored profile row of %x does not hold its profile entry", key)
	}
	if e.Redacted() {
		return e, entry.Profile{}, nil
	}
	p, err := entry.ParseProfile(e.Body)
	if err != nil {
		return nil, entry.Profile{}, fmt.Errorf("profiles: stored profile: %w", err)
	}
	return e, p, nil
}

// Put stores e, a verified, full profile entry, as its author's profile if
// it is newer (a higher seq) than the one held. It returns the profile and
// whether it was stored; an entry that is not newer changes nothing.
func (t *Table) Put(e *entry.Entry) (entry.Profile, bool, error) {
	if e.Kind != entry.KindProfile || e.Redacted() {
		return entry.Profile{}, false, fmt.Errorf("profiles: %s seq %d is a %v entry, not a full profile", e.Author.Short(), e.Seq, e.Kind)
	}
	p, err := entry.ParseProfile(e.Body)
	if err != nil {
		return entry.Profile{}, false, fmt.Errorf("profiles: %w", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if c, ok := t.cache[e.Author]; ok && c.seq >= e.Seq {
		return p, false, nil
	}
	var b store.Batch
	b.Put(e.Author[:], e.Bytes())
	if err := t.kv.Commit(&b, false); err != nil {
		return entry.Profile{}, false, fmt.Errorf("profiles: store: %w", err)
	}
	t.cache[e.Author] = cached{seq: e.Seq, displayName: p.DisplayName, avatar: p.Avatar}
	return p, true, nil
}

// Get returns the profile held for author and its entry; ok is false if
// none is held, or if the latest one held was deleted.
func (t *Table) Get(author entry.Key) (p entry.Profile, e *entry.Entry, ok bool, err error) {
	v, err := t.kv.Get(author[:])
	if errors.Is(err, store.ErrNotFound) {
		return entry.Profile{}, nil, false, nil
	} else if err != nil {
		return entry.Profile{}, nil, false, fmt.Errorf("profiles: %w", err)
	}
	e, p, err = parse(author[:], v)
	if err != nil || e.Redacted() {
		return entry.Profile{}, nil, false, err
	}
	return p, e, true, nil
}

// Delete applies author's delete of its entry at seq with ID id: if that
// is the profile entry held, the profile is no longer shown or served, and
// the row keeps the entry's redacted form, so that neither that entry nor
// an older one is taken as the profile again (Seq stays at seq). It
// reports whether it deleted the profile.
func (t *Table) Delete(author entry.Key, seq uint64, id entry.ID) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c, ok := t.cache[author]; !ok || c.seq != seq || c.deleted {
		return false, nil
	}
	v, err := t.kv.Get(author[:])
	if err != nil {
		return false, fmt.Errorf("profiles: delete: %w", err)
	}
	e, _, err := parse(author[:], v)
	if err != nil {
		return false, err
	}
	if e.ID() != id {
		return false, nil // another entry at that seq: a fork, left alone
	}
	var b store.Batch
	b.Put(author[:], e.Redact().Bytes())
	if err := t.kv.Commit(&b, false); err != nil {
		return false, fmt.Errorf("profiles: delete: %w", err)
	}
	t.cache[author] = cached{seq: seq, deleted: true}
	return true, nil
}

// DisplayName returns author's display name, "" if none is known. It reads
// memory only.
func (t *Table) DisplayName(author entry.Key) string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.cache[author].displayName
}

// Avatar returns author's avatar, nil if none is known. It reads memory
// only, as DisplayName does: feeds show it beside every post.
func (t *Table) Avatar(author entry.Key) *media.Descriptor {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if a := t.cache[author].avatar; a != nil {
		d := *a
		return &d
	}
	return nil
}

// Seq returns the seq of the profile entry held for author, or of the
// deleted one that replaced it, 0 if none. It reads memory only.
func (t *Table) Seq(author entry.Key) uint64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.cache[author].seq
}

// Len returns the number of profiles held, deleted ones left out.
func (t *Table) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n := 0
	for _, c := range t.cache {
		if !c.deleted {
			n++
		}
	}
	return n
}

// Prune deletes the profiles of every author for whom keep reports false,
// and returns how many it deleted. keep is called with the Table's lock
// held: it must not call the Table.
func (t *Table) Prune(keep func(entry.Key) bool) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var (
		b    store.Batch
		gone []entry.Key
	)
	for k := range t.cache {
		if !keep(k) {
			b.Delete(k[:])
			gone = append(gone, k)
		}
	}
	if len(gone) == 0 {
		return 0, nil
	}
	if err := t.kv.Commit(&b, false); err != nil {
		return 0, fmt.Errorf("profiles: prune: %w", err)
	}
	for _, k := range gone {
		delete(t.cache, k)
	}
	return len(gone), nil
}
