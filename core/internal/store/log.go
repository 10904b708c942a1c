package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

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

// logState is the part of an author's log that is held: every entry from
// seq tail to head.Seq, with none missing. The zero logState means none.
type logState struct {
	head Head
	tail uint64
}

// Head returns the head of author's log, or the zero Head if none of it is
// held.
func (s *Store) Head(author entry.Key) (Head, error) {
	s.cmu.RLock()
	defer s.cmu.RUnlock()
	return s.logs[author].head, nil
}

// Span returns the seqs of the first and last entries held of author's
// log, or 0, 0 if none is. Every entry in between is held. The tail is
// above 1 when the start of the log was collected by GC or never fetched.
func (s *Store) Span(author entry.Key) (tail, head uint64, err error) {
	s.cmu.RLock()
	defer s.cmu.RUnlock()
	l := s.logs[author]
	return l.tail, l.head.Seq, nil
}

// logState returns the cached state of author's log.
func (s *Store) logState(author entry.Key) logState {
	s.cmu.RLock()
	defer s.cmu.RUnlock()
	return s.logs[author]
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
// The held part of a log need not start at seq 1. When nothing of an
// author is held, its first entry is taken at any seq. Later entries
// extend the held part upwards, each linking to the head, or downwards:
// the entry just below the first one held is taken if that one links to
// it. Entries below the held part are taken newest first, so an ascending
// run that ends just below the first held entry is taken whole.
//
// An entry already held is skipped silently, as is one further below the
// held part, which cannot be checked. An entry that conflicts with a held
// one (ErrFork; the first conflicting entry at each position is kept, see
// Forks), that does not link to its neighbour (ErrBadChain) or that lies
// beyond the entry after the head (ErrGap) is skipped and reported. Append
// returns the entries it added, in input order, and an error joining one
// error per skipped entry, each wrapping one of those three; so both may
// be non-nil. If writing fails, Append returns the entries committed
// before the failure and an error that includes the cause.
//
// Entries may be full or redacted, and are stored in the form they come
// in, except that a full entry for which Redact recorded a tombstone is
// stored redacted; Append returns entries in the form stored. Added posts,
// replies and reposts that are not redacted also go to the feeds of the
// local accounts that show their author: the author itself if it is local,
// and every local account following it. The writes are durable when Append
// returns if sync is set.
func (s *Store) Append(es []*entry.Entry, sync bool) ([]*entry.Entry, error) {
	return s.append(es, sync, nil)
}

// AppendSeen is Append without sync for entries received from peers, that
// also records, as SetKnown does, the highest seq of each author in es:
// how far the author's log is known to reach. For an author that is not
// a local account, a seq the held head reaches is not recorded: the
// readers of such a log's known seq take its head into account, so the
// usual gossip entry, taken as the new head, costs the store one write
// and no read of the known seq. A local account's own log, which a
// restore fetches until it reaches the known seq, records it always.
func (s *Store) AppendSeen(es []*entry.Entry) ([]*entry.Entry, error) {
	added, err := s.append(es, false, nil)
	latest := make(map[entry.Key]uint64, 1)
	for _, e := range es {
		latest[e.Author] = max(latest[e.Author], e.Seq)
	}
	for a, seq := range latest {
		if l := s.logState(a); l.head.Seq >= seq && !s.IsLocal(a) {
			continue
		}
		err = errors.Join(err, s.SetKnown(a, seq))
	}
	return added, err
}

// append implements Append. If extra is not nil and an entry was taken, it
// adds its writes to the batch committed last, with the entries.
func (s *Store) append(es []*entry.Entry, sync bool, extra func(*Batch) error) ([]*entry.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	a := appender{
		s:       s,
		sync:    sync,
		logs:    make(map[entry.Key]logState),
		pending: make(map[position]*entry.Entry),
		// forks and redacted are made when first needed: most appends
		// have neither.
	}
	tails := make(map[entry.Key]uint64) // before this call
	for _, e := range es {
		if _, ok := tails[e.Author]; !ok {
			tails[e.Author] = s.logState(e.Author).tail
		}
	}
	below := func(e *entry.Entry) bool { return e.Seq < tails[e.Author] }
	err := func() error {
		for i := len(es) - 1; i >= 0; i-- { // downwards from the tail
			if below(es[i]) {
				if err := a.take(i, es[i]); err != nil {
					return err
				}
			}
		}
		for i, e := range es { // upwards from the head
			if !below(e) {
				if err := a.take(i, e); err != nil {
					return err
				}
			}
		}
		if extra != nil && len(a.batched) > 0 {
			if err := extra(&a.b); err != nil {
				return err
			}
		}
		return a.commit()
	}()
	slices.Sort(a.added)
	added := make([]*entry.Entry, len(a.added))
	for j, i := range a.added {
		added[j] = es[i]
		if r, ok := a.redacted[i]; ok {
			added[j] = r
		}
	}
	if err != nil {
		a.problems = append(a.problems, err)
	}
	return added, errors.Join(a.problems...)
}

// appender holds the state of one Append call.
type appender struct {
	s    *Store
	sync bool

	b        Batch
	logs     map[entry.Key]logState    // changed in b
	pending  map[position]*entry.Entry // added in b
	forks    map[position]bool         // evidence put in b
	redacted map[int]*entry.Entry      // index → form stored, if redacted here
	batched  []int                     // indexes of the entries added in b
	added    []int                     // indexes of the entries committed
	problems []error
}

// state returns the state of author's log, counting what is in a.b.
func (a *appender) state(author entry.Key) logState {
	if l, ok := a.logs[author]; ok {
		return l
	}
	return a.s.logState(author)
}

// entryAt returns the entry at seq of author's log, counting what is in
// a.b.
func (a *appender) entryAt(author entry.Key, seq uint64) (*entry.Entry, error) {
	if e, ok := a.pending[position{author, seq}]; ok {
		return e, nil
	}
	return a.s.Entry(author, seq)
}

// take adds es[i] = e if it extends its log, or records why not. It
// returns an error only if reading or writing the KV fails.
func (a *appender) take(i int, e *entry.Entry) error {
	l := a.state(e.Author)
	short := e.Author.Short()
	switch {
	case l.head.Seq == 0:
		// Nothing held: the entries before this one may have been
		// collected by their holders.
		l = logState{head: headOf(e), tail: e.Seq}
	case e.Seq+1 < l.tail:
		return nil // below the held part: cannot be checked
	case e.Seq+1 == l.tail:
		next, err := a.entryAt(e.Author, l.tail)
		if err != nil {
			return err
		}
		if next.Prev != e.ID() {
			a.problems = append(a.problems, fmt.Errorf("%w: %s seq %d is not the entry seq %d links to", ErrBadChain, short, e.Seq, next.Seq))
			return nil
		}
		if !e.Time.Less(next.Time) {
			a.problems = append(a.problems, fmt.Errorf("%w: %s seq %d time %v is not before %v", ErrBadChain, short, e.Seq, e.Time, next.Time))
			return nil
		}
		l.tail = e.Seq
	case e.Seq == l.head.Seq && e.ID() == l.head.ID:
		return nil // the head again, as gossip often brings
	case e.Seq <= l.head.Seq:
		held, err := a.entryAt(e.Author, e.Seq)
		if errors.Is(err, ErrNotFound) {
			return nil // nothing to compare with
		}
		if err != nil {
			return err
		}
		if held.ID() != e.ID() {
			a.problems = append(a.problems, fmt.Errorf("%w: %s seq %d", ErrFork, short, e.Seq))
			return a.keepFork(held, e)
		}
		return nil
	case e.Seq > l.head.Seq+1:
		a.problems = append(a.problems, fmt.Errorf("%w: %s seq %d, have up to seq %d", ErrGap, short, e.Seq, l.head.Seq))
		return nil
	case e.Prev != l.head.ID:
		a.problems = append(a.problems, fmt.Errorf("%w: %s seq %d does not link to seq %d", ErrBadChain, short, e.Seq, l.head.Seq))
		return nil
	case !l.head.Time.Less(e.Time):
		a.problems = append(a.problems, fmt.Errorf("%w: %s seq %d time %v is not after %v", ErrBadChain, short, e.Seq, e.Time, l.head.Time))
		return nil
	default:
		l.head = headOf(e)
	}

	if !e.Redacted() {
		deleted, err := a.s.tombstoned(e)
		if err != nil {
			return err
		}
		if deleted {
			e = e.Redact()
			if a.redacted == nil {
				a.redacted = make(map[int]*entry.Entry)
			}
			a.redacted[i] = e
		}
	}
	// The entry, its ID, a feed row or two, then the head and tail: room
	// for them at once.
	a.b.grow(8, 3*len(e.Bytes())+256)
	a.b.Put(entryKey(e.Author, e.Seq), e.Bytes())
	a.b.Put(idKey(e.ID()), binary.BigEndian.AppendUint64(e.Author[:len(e.Author):len(e.Author)], e.Seq))
	if inFeed(e) {
		for _, account := range a.s.feedsOf(e.Author) {
			a.b.Put(feedKey(account, e), feedValue(e))
		}
	}
	a.logs[e.Author] = l
	a.pending[position{e.Author, e.Seq}] = e
	a.batched = append(a.batched, i)
	if a.b.Size() >= maxBatchSize {
		return a.commit()
	}
	return nil
}

// keepFork records other, which conflicts with held, as evidence of a fork
// of their log, unless evidence for that position is already kept.
func (a *appender) keepFork(held, other *entry.Entry) error {
	pos := position{held.Author, held.Seq}
	if a.forks[pos] {
		return nil
	}
	key := seqKey(prefixFork, held.Author, held.Seq)
	_, err := a.s.kv.Get(key)
	if err == nil {
		return nil
	}
	if !errors.Is(err, ErrNotFound) {
		return err
	}
	a.b.Put(key, Fork{Held: held.Bytes(), Other: other.Bytes()}.encode())
	if a.forks == nil {
		a.forks = make(map[position]bool)
	}
	a.forks[pos] = true
	return nil
}

// commit writes a.b with the changed heads and tails, and updates the
// caches.
func (a *appender) commit() error {
	if a.b.Len() == 0 {
		return nil
	}
	s := a.s
	now := time.Now()
	orphans := make(map[entry.Key]time.Time)
	for author, l := range a.logs {
		a.b.Put(keyOf(prefixHead, author), l.head.encode())
		if old := s.logState(author); old.head.Seq == 0 || old.tail != l.tail {
			a.b.Put(keyOf(prefixTail, author), encodeUint(l.tail))
		}
		if s.unwatched(author) {
			// Fetched without being followed, as for a look at a
			// timeline: GC drops it after Retention.UnfollowGrace.
			a.b.Put(keyOf(prefixOrphan, author), encodeUint(timeBits(now)))
			orphans[author] = now
		}
	}
	if err := s.kv.Commit(&a.b, a.sync); err != nil {
		return fmt.Errorf("store: append: %w", err)
	}
	s.cmu.Lock()
	maps.Copy(s.logs, a.logs)
	maps.Copy(s.orphans, orphans)
	s.cmu.Unlock()
	a.added = append(a.added, a.batched...)
	a.batched = a.batched[:0]
	clear(a.logs)
	clear(a.pending)
	clear(a.forks)
	a.b.Reset()
	return nil
}

// unwatched reports whether author's log is neither local nor followed by
// a local account, and has no record of when that started.
func (s *Store) unwatched(author entry.Key) bool {
	s.cmu.RLock()
	defer s.cmu.RUnlock()
	_, recorded := s.orphans[author]
	return !recorded && !s.local[author] && len(s.watchers[author]) == 0
}

func headOf(e *entry.Entry) Head {
	return Head{Seq: e.Seq, ID: e.ID(), Time: e.Time}
}

// inFeed reports whether e belongs in feeds: it is a post, reply or
// repost, and not redacted.
func inFeed(e *entry.Entry) bool {
	switch e.Kind {
	case entry.KindPost, entry.KindReply, entry.KindRepost:
		return !e.Redacted()
	}
	return false
}

// feedsOf returns the accounts whose feeds show author's posts: the local
// accounts among author and those following author. A relay's kept logs
// are followed by accounts of other devices, which have no feed here.
func (s *Store) feedsOf(author entry.Key) []entry.Key {
	s.cmu.RLock()
	defer s.cmu.RUnlock()
	var accounts []entry.Key
	if s.local[author] {
		accounts = append(accounts, author)
	}
	for account := range s.watchers[author] {
		if account != author && s.local[account] {
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

// Loc is where an entry is: its author's log and its seq there.
type Loc struct {
	Author entry.Key
	Seq    uint64
}

// Locate finds held entries whose ID starts with prefix: at most limit of
// them, in ID order.
func (s *Store) Locate(prefix []byte, limit int) ([]Loc, error) {
	start := append([]byte{prefixID}, prefix...)
	var out []Loc
	it := s.kv.Find(start, PrefixEnd(start), false)
	for len(out) < limit && it.Next() {
		v := it.Value()
		if len(v) != len(entry.Key{})+8 {
			err := corrupt("ID index row", it.Key())
			it.Close()
			return nil, err
		}
		var l Loc
		copy(l.Author[:], v)
		l.Seq = binary.BigEndian.Uint64(v[len(l.Author):])
		out = append(out, l)
	}
	return out, it.Close()
}

// Entries returns the entries held of author's log after seq after, in
// ascending order and in the form stored (full or redacted): at most
// maxCount of them, and no more than fit in maxBytes of encoded entries,
// except that the first entry is returned whatever its size. If after is
// below the tail (see Span), they start at the tail.
func (s *Store) Entries(author entry.Key, after uint64, maxCount, maxBytes int) ([]*entry.Entry, error) {
	if maxCount <= 0 || after == ^uint64(0) {
		return nil, nil
	}
	var (
		es   []*entry.Entry
		size int
	)
	it := s.kv.Find(entryKey(author, after+1), PrefixEnd(keyOf(prefixEntry, author)), false)
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

// Timeline returns the entries of author's log that feeds show (posts,
// replies and reposts, not redacted) with a seq below before, or all of
// them if before is 0, newest first: at most limit of them.
func (s *Store) Timeline(author entry.Key, before uint64, limit int) ([]*entry.Entry, error) {
	if limit <= 0 {
		return nil, nil
	}
	prefix := keyOf(prefixEntry, author)
	end := PrefixEnd(prefix)
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
		if inFeed(e) {
			es = append(es, e)
		}
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	return es, nil
}

// eachFeedEntry calls fn for each stored entry of author that belongs in
// feeds, in seq order.
func (s *Store) eachFeedEntry(author entry.Key, fn func(*entry.Entry)) error {
	return s.scan(keyOf(prefixEntry, author), func(k, v []byte) error {
		e, err := parseEntry(k, v)
		if err != nil {
			return err
		}
		if inFeed(e) {
			fn(e)
		}
		return nil
	})
}

// Fork is evidence that an author signed two different entries at the same
// position of its log.
type Fork struct {
	Seq   uint64
	Held  []byte // the entry held at Seq when the other arrived, as signed
	Other []byte // the first conflicting entry that arrived, as signed
}

// Forks returns the evidence kept of forks of author's log, by seq. Append
// keeps the first conflicting entry it meets at each position.
func (s *Store) Forks(author entry.Key) ([]Fork, error) {
	var fs []Fork
	err := s.scan(keyOf(prefixFork, author), func(k, v []byte) error {
		f, ok := decodeFork(k, v)
		if !ok {
			return corrupt("fork evidence", k)
		}
		fs = append(fs, f)
		return nil
	})
	return fs, err
}

// ForkedAuthors returns the authors of whose logs Forks has evidence,
// sorted by key.
func (s *Store) ForkedAuthors() ([]entry.Key, error) {
	var keys []entry.Key
	start, end := []byte{prefixFork}, PrefixEnd([]byte{prefixFork})
	for {
		it := s.kv.Find(start, end, false)
		ok := it.Next()
		var author entry.Key
		if ok {
			if len(it.Key()) != 1+keyLen+8 {
				err := corrupt("fork evidence", it.Key())
				it.Close()
				return nil, err
			}
			author = entry.Key(it.Key()[1 : 1+keyLen])
		}
		if err := it.Close(); err != nil {
			return nil, err
		}
		if !ok {
			return keys, nil
		}
		keys = append(keys, author)
		start = PrefixEnd(keyOf(prefixFork, author)) // skip to the next author
	}
}
