package store

import (
	"bytes"
	"cmp"
	"errors"
	"slices"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// Feed returns a page of account's feed, newest first: at most limit
// posts, starting after cursor, or from the newest if cursor is empty. It
// also returns the cursor of the next page, or nil if this page is the
// last. A cursor is opaque; one not returned by Feed for this account is
// rejected with an error wrapping ErrBadCursor.
func (s *Store) Feed(account entry.Key, cursor []byte, limit int) (es []*entry.Entry, next []byte, err error) {
	return s.FeedWhere(account, cursor, limit, nil, 0)
}

// FeedWhere is Feed with the rows for which keep returns false skipped
// (nil keeps every row), in the same range scan, so that a page is still
// full. It skips at most maxSkip rows: past that, it returns a shorter
// page (possibly empty) whose cursor continues after the last row skipped.
func (s *Store) FeedWhere(account entry.Key, cursor []byte, limit int, keep func(*entry.Entry) bool, maxSkip int) (es []*entry.Entry, next []byte, err error) {
	prefix := keyOf(prefixFeed, account)
	start := prefix
	if len(cursor) > 0 {
		if len(cursor) != feedKeyLen || !bytes.HasPrefix(cursor, prefix) {
			return nil, nil, ErrBadCursor
		}
		start = append(bytes.Clone(cursor), 0) // the first key after cursor
	}
	if limit <= 0 {
		return nil, nil, nil
	}
	es = make([]*entry.Entry, 0, min(limit, 1000))
	var last []byte
	skipped := 0
	it := s.kv.Find(start, PrefixEnd(prefix), false)
	for it.Next() {
		if len(es) == limit || skipped > 0 && skipped >= maxSkip {
			next = last
			break
		}
		e, err := parseFeedRow(it.Key(), it.Value())
		if err != nil {
			it.Close()
			return nil, nil, err
		}
		last = append(last[:0], it.Key()...)
		if keep != nil && !keep(e) {
			skipped++
			continue
		}
		es = append(es, e)
	}
	if err := it.Close(); err != nil {
		return nil, nil, err
	}
	return es, next, nil
}

// Follow records that a local account follows, or stopped following,
// another account.
type Follow struct {
	Target entry.Key
	Name   string    // the name Target was followed by
	Seq    uint64    // seq of the account's follow or unfollow entry
	Since  time.Time // when the follow or unfollow happened
	Active bool      // false after an unfollow
}

// SetFollowing records f for account, which is normally a local account.
// When f starts a follow, the posts of f.Target already held are added to
// account's feed, and later ones will be; when it ends one, they are
// removed from the feed, unless f.Target is account itself. An account
// that is not local (a relay's store-and-forward client) has no feed: its
// follows only keep f.Target's log watched. The write is durable when
// SetFollowing returns.
func (s *Store) SetFollowing(account entry.Key, f Follow) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.FollowOf(account, f.Target)
	if errors.Is(err, ErrNotFound) {
		old, err = Follow{}, nil
	}
	if err != nil {
		return err
	}
	var b Batch
	b.Put(pairKey(prefixFollowing, account, f.Target), relation{f.Seq, f.Since, f.Active, f.Name}.encode())
	watcher := pairKey(prefixWatcher, f.Target, account)
	orphan := keyOf(prefixOrphan, f.Target)
	var orphaned time.Time // when f.Target's log stops being watched
	switch {
	case f.Active && !old.Active:
		b.Put(watcher, nil)
		b.Delete(orphan)
		if f.Target != account && s.IsLocal(account) {
			err = s.eachFeedEntry(f.Target, func(e *entry.Entry) {
				b.Put(feedKey(account, e), feedValue(e))
			})
		}
	case !f.Active && old.Active:
		b.Delete(watcher)
		if s.lastWatcher(f.Target, account) {
			orphaned = time.Now()
			b.Put(orphan, encodeUint(timeBits(orphaned)))
		}
		if f.Target != account {
			err = s.eachFeedEntry(f.Target, func(e *entry.Entry) {
				b.Delete(feedKey(account, e))
			})
		}
	}
	if err != nil {
		return err
	}
	if err := s.kv.Commit(&b, true); err != nil {
		return err
	}
	switch {
	case f.Active && !old.Active:
		s.addWatcher(f.Target, account)
	case !f.Active && old.Active:
		s.removeWatcher(f.Target, account, orphaned)
	}
	return nil
}

// lastWatcher reports whether account is the last one watching author's
// log, which is held and not local.
func (s *Store) lastWatcher(author, account entry.Key) bool {
	s.cmu.RLock()
	defer s.cmu.RUnlock()
	w := s.watchers[author]
	_, held := s.logs[author]
	return held && !s.local[author] && len(w) == 1 && w[account]
}

// addWatcher records that account watches author, which is then no longer
// an orphan.
func (s *Store) addWatcher(author, account entry.Key) {
	s.cmu.Lock()
	defer s.cmu.Unlock()
	if s.watchers[author] == nil {
		s.watchers[author] = make(map[entry.Key]bool)
	}
	s.watchers[author][account] = true
	delete(s.orphans, author)
}

// removeWatcher records that account stopped watching author, and that
// author is an orphan since orphaned unless that is the zero Time.
func (s *Store) removeWatcher(author, account entry.Key, orphaned time.Time) {
	s.cmu.Lock()
	defer s.cmu.Unlock()
	delete(s.watchers[author], account)
	if len(s.watchers[author]) == 0 {
		delete(s.watchers, author)
	}
	if !orphaned.IsZero() {
		s.orphans[author] = orphaned
	}
}

// FollowOf returns account's follow record of target, active or not, or an
// error wrapping ErrNotFound.
func (s *Store) FollowOf(account, target entry.Key) (Follow, error) {
	key := pairKey(prefixFollowing, account, target)
	v, err := s.kv.Get(key)
	if err != nil {
		return Follow{}, err
	}
	r, ok := decodeRelation(v)
	if !ok {
		return Follow{}, corrupt("follow", key)
	}
	return Follow{Target: target, Name: r.name, Seq: r.seq, Since: r.since, Active: r.active}, nil
}

// Following returns the accounts account follows, sorted by name.
func (s *Store) Following(account entry.Key) ([]Follow, error) {
	var fs []Follow
	err := s.scan(keyOf(prefixFollowing, account), func(k, v []byte) error {
		r, ok := decodeRelation(v)
		if !ok || len(k) != 1+2*keyLen {
			return corrupt("follow", k)
		}
		if r.active {
			fs = append(fs, Follow{Target: entry.Key(k[1+keyLen:]), Name: r.name, Seq: r.seq, Since: r.since, Active: true})
		}
		return nil
	})
	slices.SortFunc(fs, func(a, b Follow) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), bytes.Compare(a.Target[:], b.Target[:]))
	})
	return fs, err
}

// Watched returns every author followed by a local account, sorted by key:
// the logs the node keeps in sync.
func (s *Store) Watched() ([]entry.Key, error) {
	s.cmu.RLock()
	keys := make([]entry.Key, 0, len(s.watchers))
	for author := range s.watchers {
		keys = append(keys, author)
	}
	s.cmu.RUnlock()
	sortKeys(keys)
	return keys, nil
}

// Follower records that another account follows, or stopped following, a
// local account.
type Follower struct {
	Key    entry.Key
	Name   string
	Seq    uint64    // seq of the follower's follow or unfollow entry
	Since  time.Time // when the follow or unfollow happened
	Active bool      // false after an unfollow
}

// SetFollower records f as a follower of account, unless the record held
// comes from the same or a later entry of f.Key's log (f.Seq is not above
// the held Seq): then it reports changed == false and leaves it.
func (s *Store) SetFollower(account entry.Key, f Follower) (changed bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := pairKey(prefixFollower, account, f.Key)
	v, err := s.kv.Get(key)
	switch {
	case err == nil:
		old, ok := decodeRelation(v)
		if !ok {
			return false, corrupt("follower", key)
		}
		if old.seq >= f.Seq {
			return false, nil
		}
	case !errors.Is(err, ErrNotFound):
		return false, err
	}
	if err := s.put(key, relation{f.Seq, f.Since, f.Active, f.Name}.encode(), false); err != nil {
		return false, err
	}
	return true, nil
}

// RemoveFollower deletes the follower record of key for account, as when
// account blocks key. A later follow entry of key's log counts again.
func (s *Store) RemoveFollower(account, key entry.Key) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b Batch
	b.Delete(pairKey(prefixFollower, account, key))
	return s.kv.Commit(&b, true)
}

// FollowerOf returns the follower record of key for account, active or
// not, or an error wrapping ErrNotFound.
func (s *Store) FollowerOf(account, key entry.Key) (Follower, error) {
	k := pairKey(prefixFollower, account, key)
	v, err := s.kv.Get(k)
	if err != nil {
		return Follower{}, err
	}
	r, ok := decodeRelation(v)
	if !ok {
		return Follower{}, corrupt("follower", k)
	}
	return Follower{Key: key, Name: r.name, Seq: r.seq, Since: r.since, Active: r.active}, nil
}

// Followers returns the accounts following account, sorted by name.
func (s *Store) Followers(account entry.Key) ([]Follower, error) {
	var fs []Follower
	err := s.scan(keyOf(prefixFollower, account), func(k, v []byte) error {
		r, ok := decodeRelation(v)
		if !ok || len(k) != 1+2*keyLen {
			return corrupt("follower", k)
		}
		if r.active {
			fs = append(fs, Follower{Key: entry.Key(k[1+keyLen:]), Name: r.name, Seq: r.seq, Since: r.since, Active: true})
		}
		return nil
	})
	slices.SortFunc(fs, func(a, b Follower) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), bytes.Compare(a.Key[:], b.Key[:]))
	})
	return fs, err
}
