package store

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
)

// gcBatch is the most entries GC deletes in one batch, holding the write
// lock.
const gcBatch = 256

// Retention says which entries GC keeps. The logs of local accounts are
// always kept whole.
//
// The fields are taken as they are, zero included: start from
// DefaultRetention and change what you need. Negative values count as
// zero.
type Retention struct {
	// KeepPerAuthor is the number of newest entries kept of each followed
	// author's log. The head of a log is always kept.
	KeepPerAuthor int

	// KeepFor keeps the entries of followed authors whose HLC time is
	// less than KeepFor before GC's now, however many they are; and, when
	// they reach below the newest KeepPerAuthor, the newest entry older
	// than that, which marks where they start (see KeepsBelow).
	KeepFor time.Duration

	// UnfollowGrace is how long the log of an author that no local
	// account follows is kept after it stopped being followed, or after
	// it was first fetched if it never was. Then GC drops it whole.
	UnfollowGrace time.Duration
}

// Floor returns the lowest seq that r keeps by count of a followed log
// whose head is head: r keeps the newest KeepPerAuthor entries, and never
// fewer than the head.
func (r Retention) Floor(head uint64) uint64 {
	keep := uint64(max(r.KeepPerAuthor, 1))
	if head <= keep {
		return 1
	}
	return head - keep + 1
}

// cutoff returns the HLC wall time (ms) at or before which an entry is
// older than KeepFor at now.
func (r Retention) cutoff(now time.Time) int64 {
	return now.Add(-max(r.KeepFor, 0)).UnixMilli()
}

// collectable reports whether r lets GC delete the entry at seq of a
// followed log whose count floor is floor, given the time of the entry
// after it: when the entry is below the count floor and the next one is
// older than KeepFor (the cutoff). So of the entries older than KeepFor
// below the count floor, the newest stays: it marks where the entries
// that retention keeps start, for nodes filling the log in from below
// (KeepsBelow).
func collectable(seq, floor uint64, next hlc.Timestamp, cutoff int64) bool {
	return seq < floor && int64(next.Wall) <= cutoff
}

// KeepsBelow reports whether r keeps entries below first, the first entry
// held of a followed log whose head is head, judging ages against now: it
// does while first is among the newest KeepPerAuthor entries or younger
// than KeepFor. Once first is neither, it is the newest entry older than
// KeepFor below the count floor, the one GC keeps as a mark, and nothing
// before it is kept: a node filling the log in from its peers stops there.
// An entry's age is not known before it is fetched, which is why the mark
// is kept.
func (r Retention) KeepsBelow(first *entry.Entry, head uint64, now time.Time) bool {
	return first.Seq > 1 && !collectable(first.Seq-1, r.Floor(head), first.Time, r.cutoff(now))
}

// Kept returns the part of run that r keeps, judging ages against now:
// run holds consecutive entries of a followed log whose head is head, in
// seq order, and next is the entry after the last of them. Kept drops from
// the start of run the entries that GC would collect.
func (r Retention) Kept(run []*entry.Entry, next *entry.Entry, head uint64, now time.Time) []*entry.Entry {
	floor, cutoff := r.Floor(head), r.cutoff(now)
	for i, e := range run {
		after := next
		if i+1 < len(run) {
			after = run[i+1]
		}
		if !collectable(e.Seq, floor, after.Time, cutoff) {
			return run[i:]
		}
	}
	return nil
}

// DefaultRetention returns the retention a node uses unless configured
// otherwise: the newest 1000 entries of each followed author and every one
// of the last 30 days, and logs nobody follows for 7 days.
func DefaultRetention() Retention {
	return Retention{
		KeepPerAuthor: 1000,
		KeepFor:       30 * 24 * time.Hour,
		UnfollowGrace: 7 * 24 * time.Hour,
	}
}

// GC deletes the entries that r does not keep, judging ages against now:
// the oldest entries of each followed author's log (moving its tail up,
// see Span), and the whole of each log nobody local follows whose grace
// has run out, with its head, known seq, fork evidence and tombstones.
// Deleted entries leave the feeds too.
//
// GC is incremental: one call deletes at most budget entries (any number
// if budget <= 0). If it runs out of budget, it reports done == false and
// the next call continues where it stopped; done == true means that the
// call went through every log and left nothing to collect. GC works in
// small batches, holding the write lock for one batch at a time, so Append
// and the other writers wait for one batch at most. It returns ctx.Err()
// if ctx ends between batches. GC calls on the same Store are serialised;
// where the next one starts is kept in memory only.
//
// A log found neither local nor followed with no time recorded for that
// gets now as its time.
func (s *Store) GC(ctx context.Context, r Retention, now time.Time, budget int) (removed int, done bool, err error) {
	s.gcmu.Lock()
	defer s.gcmu.Unlock()
	if budget <= 0 {
		budget = math.MaxInt
	}
	// Start where the last call stopped, and wrap around.
	authors := s.heldAuthors()
	start, _ := slices.BinarySearchFunc(authors, s.gcNext, compareKeys)
	for i := range authors {
		author := authors[(start+i)%len(authors)]
		s.gcNext = author
		for more := true; more; {
			if err := ctx.Err(); err != nil {
				return removed, false, err
			}
			if removed >= budget {
				return removed, false, nil
			}
			var n int
			n, more, err = s.collect(author, r, now, min(gcBatch, budget-removed))
			removed += n
			if err != nil {
				return removed, false, err
			}
		}
	}
	return removed, true, nil
}

// heldAuthors returns the authors of the logs held, sorted by key.
func (s *Store) heldAuthors() []entry.Key {
	s.cmu.RLock()
	keys := make([]entry.Key, 0, len(s.logs))
	for author := range s.logs {
		keys = append(keys, author)
	}
	s.cmu.RUnlock()
	sortKeys(keys)
	return keys
}

// collect deletes up to limit entries of author's log that r does not
// keep, in one batch. It reports whether there may be more to delete.
func (s *Store) collect(author entry.Key, r Retention, now time.Time, limit int) (n int, more bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cmu.RLock()
	l, held := s.logs[author]
	local, watched := s.local[author], len(s.watchers[author]) > 0
	since, orphan := s.orphans[author]
	s.cmu.RUnlock()
	switch {
	case !held || local:
		return 0, false, nil
	case watched:
		floor := r.Floor(l.head.Seq)
		if l.tail >= floor {
			return 0, false, nil
		}
		return s.trim(author, l, floor, r.cutoff(now), limit)
	case !orphan:
		if err := s.put(keyOf(prefixOrphan, author), encodeUint(timeBits(now)), false); err != nil {
			return 0, false, err
		}
		s.cmu.Lock()
		s.orphans[author] = now
		s.cmu.Unlock()
		return 0, false, nil
	case now.Sub(since) <= max(r.UnfollowGrace, 0):
		return 0, false, nil
	}
	return s.drop(author, l, limit)
}

// trim deletes up to limit entries from the start of author's log, whose
// state is l: those below seq floor that are collectable, the entry after
// each being at or before cutoff (an HLC wall time in ms). It reports
// whether there may be more to delete.
func (s *Store) trim(author entry.Key, l logState, floor uint64, cutoff int64, limit int) (n int, more bool, err error) {
	var (
		b        Batch
		tail     = l.tail
		accounts = s.feedsOf(author)
		prev     *entry.Entry // the entry before e, not deleted yet
	)
	it := s.kv.Find(entryKey(author, l.tail), entryKey(author, floor+1), false)
	for n < limit && it.Next() {
		e, err := parseEntry(it.Key(), it.Value())
		if err != nil {
			it.Close()
			return 0, false, err
		}
		if prev != nil {
			if !collectable(prev.Seq, floor, e.Time, cutoff) {
				break // e is young, and so are the entries after it
			}
			s.deleteEntry(&b, prev, accounts)
			tail = e.Seq
			n++
		}
		prev = e
	}
	if err := it.Close(); err != nil {
		return 0, false, err
	}
	if n == 0 {
		return 0, false, nil
	}
	b.Put(keyOf(prefixTail, author), encodeUint(tail))
	if err := s.kv.Commit(&b, false); err != nil {
		return 0, false, err
	}
	l.tail = tail
	s.cmu.Lock()
	s.logs[author] = l
	s.cmu.Unlock()
	return n, n == limit, nil
}

// drop deletes up to limit entries from the start of author's log, whose
// state is l, and with its last entry everything else kept about the log:
// head, tail, known seq, unwatched time, fork evidence and tombstones.
// It reports whether there is more to delete.
func (s *Store) drop(author entry.Key, l logState, limit int) (n int, more bool, err error) {
	var (
		b        Batch
		tail     = l.tail
		accounts = s.feedAccounts(author)
	)
	it := s.kv.Find(entryKey(author, l.tail), PrefixEnd(keyOf(prefixEntry, author)), false)
	for n < limit && it.Next() {
		e, err := parseEntry(it.Key(), it.Value())
		if err != nil {
			it.Close()
			return 0, false, err
		}
		s.deleteEntry(&b, e, accounts)
		tail = e.Seq + 1
		n++
	}
	if err := it.Close(); err != nil {
		return 0, false, err
	}
	if n == limit && tail <= l.head.Seq {
		b.Put(keyOf(prefixTail, author), encodeUint(tail))
		if err := s.kv.Commit(&b, false); err != nil {
			return 0, false, err
		}
		l.tail = tail
		s.cmu.Lock()
		s.logs[author] = l
		s.cmu.Unlock()
		return n, true, nil
	}

	for _, prefix := range []byte{prefixHead, prefixTail, prefixKnown, prefixOrphan} {
		b.Delete(keyOf(prefix, author))
	}
	for _, prefix := range []byte{prefixFork, prefixTombstone} {
		err := s.scan(keyOf(prefix, author), func(k, _ []byte) error {
			b.Delete(k)
			return nil
		})
		if err != nil {
			return 0, false, err
		}
	}
	if err := s.kv.Commit(&b, false); err != nil {
		return 0, false, err
	}
	s.cmu.Lock()
	delete(s.logs, author)
	delete(s.orphans, author)
	delete(s.deleted, author)
	s.cmu.Unlock()
	return n, false, nil
}

// deleteEntry adds to b the deletion of e and of its rows in the feeds of
// accounts.
func (s *Store) deleteEntry(b *Batch, e *entry.Entry, accounts []entry.Key) {
	b.Delete(entryKey(e.Author, e.Seq))
	b.Delete(idKey(e.ID()))
	if inFeed(e) {
		for _, account := range accounts {
			b.Delete(feedKey(account, e))
		}
	}
}

// Usage returns the number of entries stored. It reads memory only.
func (s *Store) Usage() (entries int, err error) {
	s.cmu.RLock()
	defer s.cmu.RUnlock()
	for _, l := range s.logs {
		entries += int(l.head.Seq - l.tail + 1)
	}
	return entries, nil
}
