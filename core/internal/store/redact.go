package store

import (
	"errors"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// Redact records a tombstone for the entry at seq of author's log whose ID
// is id, as a delete entry of that log asks, and removes the entry's body:
// if it is held, it is replaced by its redacted form and leaves every feed,
// and if it arrives later, Append stores it redacted. Fork evidence holding
// it is redacted too. An entry at seq with another ID is left alone.
//
// Redact reports whether it changed anything; calling it again with the
// same arguments changes nothing. The write is durable when Redact
// returns.
func (s *Store) Redact(author entry.Key, seq uint64, id entry.ID) (changed bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b Batch
	key := tombstoneKey(author, seq, id)
	_, err = s.kv.Get(key)
	switch {
	case errors.Is(err, ErrNotFound):
		b.Put(key, nil)
	case err != nil:
		return false, err
	}

	e, err := s.Entry(author, seq)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return false, err
	case e.ID() == id && !e.Redacted():
		b.Put(entryKey(author, seq), e.Redact().Bytes())
		if inFeed(e) {
			for _, account := range s.feedAccounts(author) {
				b.Delete(feedKey(account, e))
			}
		}
	}

	forkKey := seqKey(prefixFork, author, seq)
	v, err := s.kv.Get(forkKey)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return false, err
	default:
		f, ok := decodeFork(forkKey, v)
		if !ok {
			return false, corrupt("fork evidence", forkKey)
		}
		held, hchanged, err := redactRaw(forkKey, f.Held, id)
		if err != nil {
			return false, err
		}
		other, ochanged, err := redactRaw(forkKey, f.Other, id)
		if err != nil {
			return false, err
		}
		if hchanged || ochanged {
			b.Put(forkKey, Fork{Held: held, Other: other}.encode())
		}
	}

	if b.Len() == 0 {
		return false, nil
	}
	if err := s.kv.Commit(&b, true); err != nil {
		return false, err
	}
	s.cmu.Lock()
	s.deleted[author] = true
	s.cmu.Unlock()
	return true, nil
}

// redactRaw returns the redacted form of raw, an entry stored under key,
// if its ID is id, and reports whether that differs from raw.
func redactRaw(key, raw []byte, id entry.ID) ([]byte, bool, error) {
	e, err := parseEntry(key, raw)
	if err != nil {
		return nil, false, err
	}
	if e.ID() != id || e.Redacted() {
		return raw, false, nil
	}
	return e.Redact().Bytes(), true, nil
}

// Tombstoned reports whether Redact recorded a tombstone for an entry at
// seq of author's log, whatever its ID.
func (s *Store) Tombstoned(author entry.Key, seq uint64) (bool, error) {
	prefix := seqKey(prefixTombstone, author, seq)
	it := s.kv.Find(prefix, PrefixEnd(prefix), false)
	found := it.Next()
	if err := it.Close(); err != nil {
		return false, err
	}
	return found, nil
}

// tombstoned reports whether Redact recorded a tombstone for e.
func (s *Store) tombstoned(e *entry.Entry) (bool, error) {
	s.cmu.RLock()
	some := s.deleted[e.Author]
	s.cmu.RUnlock()
	if !some {
		return false, nil
	}
	_, err := s.kv.Get(tombstoneKey(e.Author, e.Seq, e.ID()))
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// feedAccounts returns the accounts that may have feed rows for author's
// entries: the local accounts and the accounts following author.
func (s *Store) feedAccounts(author entry.Key) []entry.Key {
	s.cmu.RLock()
	defer s.cmu.RUnlock()
	keys := make([]entry.Key, 0, len(s.local)+len(s.watchers[author]))
	for k := range s.local {
		keys = append(keys, k)
	}
	for k := range s.watchers[author] {
		if !s.local[k] {
			keys = append(keys, k)
		}
	}
	return keys
}
