package store

import (
	"errors"
	"fmt"
	"maps"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
)

// maxBatchSize is the size past which Append commits the writes gathered so
// far and starts a new batch.
const maxBatchSize = 4 << 20

// Head describes the last entry held of an author's log. The zero Head
// means no entry is held.
type Head struct {
	Seq  uint64
	ID   entry.ID
	Time hlc.Timestamp
}

// Head returns the head of author's log, or the zero Head if none of it is
// held.
func (s *Store) Head(author entry.Key) (Head, error) {
	s.cmu.RLock()
	defer s.cmu.RUnlock()
	return s.heads[author], nil
}

// position is an entry's place in the logs.
type position struct {
	author entry.Key
	seq    uint64
}

// Append adds entries to their authors' logs. The entries must already be
// signature-checked. They may mix authors, but each author's entries must
// come in ascending seq order.
//
// An entry already held is skipped silently, as is one at or below the
// head whose stored copy was removed. An entry that conflicts with a held
// one (ErrFork), that does not link to the head (ErrBadChain) or that lies
// beyond the entry after the head (ErrGap) is skipped and reported. Append
// returns the entries it added, in input order, and an error joining one
// error per skipped entry, each wrapping one of those three; so both may be
// non-nil. If writing fails, Append returns the entries committed before
// the failure and an error that includes the cause.
//
// Added posts also go to the feeds of the local accounts that show their
// author: the author itself if it is local, and every local account
// following it. The writes are durable when Append returns if sync is set.
func (s *Store) Append(es []*entry.Entry, sync bool) ([]*entry.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	var (
		b        Batch
		added    []*entry.Entry
		pending  []*entry.Entry // in b, not committed yet
		heads    = make(map[entry.Key]Head)
		ids      = make(map[position]entry.ID)
		problems []error
	)
	commit := func() error {
		if len(pending) == 0 {
			return nil
		}
		for author, h := range heads {
			b.Put(keyOf(prefixHead, author), h.encode())
		}
		if err := s.kv.Commit(&b, sync); err != nil {
			return fmt.Errorf("store: append: %w", err)
		}
		s.cmu.Lock()
		maps.Copy(s.heads, heads)
		s.cmu.Unlock()
		added = append(added, pending...)
		pending = pending[:0]
		clear(heads)
		clear(ids)
		b.Reset()
		return nil
	}

	for _, e := range es {
		h, ok := heads[e.Author]
		if !ok {
			h, _ = s.Head(e.Author)
		}
		switch {
		case e.Seq <= h.Seq:
			id, ok := ids[position{e.Author, e.Seq}]
			if !ok {
				var err error
				id, err = s.idAt(e.Author, e.Seq, h)
				if errors.Is(err, ErrNotFound) {
					continue // pruned: nothing to compare with
				}
				if err != nil {
					return added, errors.Join(append(problems, err)...)
				}
			}
			if id != e.ID() {
				problems = append(problems, fmt.Errorf("%w: %s seq %d", ErrFork, e.Author.Short(), e.Seq))
			}
			continue
		case e.Seq > h.Seq+1:
			problems = append(problems, fmt.Errorf("%w: %s seq %d, have up to seq %d", ErrGap, e.Author.Short(), e.Seq, h.Seq))
			continue
		case e.Prev != h.ID:
			problems = append(problems, fmt.Errorf("%w: %s seq %d does not link to seq %d", ErrBadChain, e.Author.Short(), e.Seq, h.Seq))
			continue
		case !h.Time.Less(e.Time):
			problems = append(problems, fmt.Errorf("%w: %s seq %d time %v is not after %v", ErrBadChain, e.Author.Short(), e.Seq, e.Time, h.Time))
			continue
		}

		b.Put(entryKey(e.Author, e.Seq), e.Bytes())
		if e.Kind == entry.KindPost {
			for _, account := range s.feedsOf(e.Author) {
				b.Put(feedKey(account, e), feedValue(e))
			}
		}
		heads[e.Author] = Head{Seq: e.Seq, ID: e.ID(), Time: e.Time}
		ids[position{e.Author, e.Seq}] = e.ID()
		pending = append(pending, e)
		if b.Size() >= maxBatchSize {
			if err := commit(); err != nil {
				return added, errors.Join(append(problems, err)...)
			}
		}
	}
	if err := commit(); err != nil {
		problems = append(problems, err)
	}
	return added, errors.Join(problems...)
}

// idAt returns the ID of the stored entry at seq of author's log, whose
// head is h.
func (s *Store) idAt(author entry.Key, seq uint64, h Head) (entry.ID, error) {
	if seq == h.Seq {
		return h.ID, nil
	}
	e, err := s.Entry(author, seq)
	if err != nil {
		return entry.ID{}, err
	}
	return e.ID(), nil
}

// feedsOf returns the accounts whose feeds show author's posts.
func (s *Store) feedsOf(author entry.Key) []entry.Key {
	s.cmu.RLock()
	defer s.cmu.RUnlock()
	var accounts []entry.Key
	if s.local[author] {
		accounts = append(accounts, author)
	}
	for account := range s.watchers[author] {
		if account != author {
			accounts = append(accounts, account)
		}
	}
	return accounts
}

// Entry returns the entry at seq of author's log, or an error wrapping
// ErrNotFound.
func (s *Store) Entry(author entry.Key, seq uint64) (*entry.Entry, error) {
	key := entryKey(author, seq)
	v, err := s.kv.Get(key)
	if err != nil {
		return nil, err
	}
	return parseEntry(key, v)
}

// parseEntry parses a stored entry, which was verified before it was
// stored.
func parseEntry(key, v []byte) (*entry.Entry, error) {
	e, err := entry.ParseStored(v, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: entry under key %x: %v", ErrCorrupt, key, err)
	}
	return e, nil
}

// feedValue is the value of a feed row: the entry's ID, then its bytes, so
// that a feed page is read by one range scan with no hashing.
func feedValue(e *entry.Entry) []byte {
	id := e.ID()
	return append(id[:], e.Bytes()...)
}

// parseFeedRow parses the value of a feed row.
func parseFeedRow(key, v []byte) (*entry.Entry, error) {
	if len(v) < len(entry.ID{}) {
		return nil, fmt.Errorf("%w: feed row %x of %d bytes", ErrCorrupt, key, len(v))
	}
	id := entry.ID(v[:len(entry.ID{})])
	e, err := entry.ParseStored(v[len(id):], &id)
	if err != nil {
		return nil, fmt.Errorf("%w: feed row %x: %v", ErrCorrupt, key, err)
	}
	return e, nil
}

// Entries returns the entries of author's log after seq after, in
// ascending order: at most maxCount of them, and no more than fit in
// maxBytes of encoded entries, except that the first entry is returned
// whatever its size.
func (s *Store) Entries(author entry.Key, after uint64, maxCount, maxBytes int) ([]*entry.Entry, error) {
	if maxCount <= 0 || after == ^uint64(0) {
		return nil, nil
	}
	var (
		es   []*entry.Entry
		size int
	)
	it := s.kv.Find(entryKey(author, after+1), prefixEnd(keyOf(prefixEntry, author)), false)
	for len(es) < maxCount && it.Next() {
		size += len(it.Value())
		if size > maxBytes && len(es) > 0 {
			break
		}
		e, err := parseEntry(it.Key(), it.Value())
		if err != nil {
			it.Close()
			return nil, err
		}
		es = append(es, e)
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	return es, nil
}

// Timeline returns author's posts with a seq below before, or all of them
// if before is 0, newest first: at most limit of them.
func (s *Store) Timeline(author entry.Key, before uint64, limit int) ([]*entry.Entry, error) {
	if limit <= 0 {
		return nil, nil
	}
	prefix := keyOf(prefixEntry, author)
	end := prefixEnd(prefix)
	if before > 0 {
		end = entryKey(author, before)
	}
	var es []*entry.Entry
	it := s.kv.Find(prefix, end, true)
	for len(es) < limit && it.Next() {
		e, err := parseEntry(it.Key(), it.Value())
		if err != nil {
			it.Close()
			return nil, err
		}
		if e.Kind == entry.KindPost {
			es = append(es, e)
		}
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	return es, nil
}

// eachPost calls fn for each stored post of author, in seq order.
func (s *Store) eachPost(author entry.Key, fn func(*entry.Entry)) error {
	return s.scan(keyOf(prefixEntry, author), func(k, v []byte) error {
		e, err := parseEntry(k, v)
		if err != nil {
			return err
		}
		if e.Kind == entry.KindPost {
			fn(e)
		}
		return nil
	})
}
