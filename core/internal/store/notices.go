package store

import (
	"encoding/binary"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// QueueNotice keeps e to be delivered to target's device later: a follow,
// reply or mention that could not be delivered when it was made. The
// write is durable when QueueNotice returns.
func (s *Store) QueueNotice(target entry.Key, e *entry.Entry) error {
	var b Batch
	b.Put(noticeKey(target, e.Author, e.Seq), e.Bytes())
	return s.kv.Commit(&b, true)
}

// QueuedNotices returns the entries queued for target, oldest first: at
// most limit of them.
func (s *Store) QueuedNotices(target entry.Key, limit int) ([]*entry.Entry, error) {
	prefix := keyOf(prefixNotice, target)
	var out []*entry.Entry
	it := s.kv.Find(prefix, PrefixEnd(prefix), false)
	for len(out) < limit && it.Next() {
		e, err := parseEntry(it.Key(), it.Value())
		if err != nil {
			it.Close()
			return nil, err
		}
		out = append(out, e)
	}
	return out, it.Close()
}

// DropNotice removes a delivered notice from target's queue.
func (s *Store) DropNotice(target entry.Key, e *entry.Entry) error {
	var b Batch
	b.Delete(noticeKey(target, e.Author, e.Seq))
	return s.kv.Commit(&b, false)
}

// NoticeTargets lists the accounts that have notices queued for them.
func (s *Store) NoticeTargets() ([]entry.Key, error) {
	var out []entry.Key
	prefix := []byte{prefixNotice}
	it := s.kv.Find(prefix, PrefixEnd(prefix), false)
	for it.Next() {
		k := it.Key()[1:]
		var t entry.Key
		copy(t[:], k)
		if len(out) == 0 || out[len(out)-1] != t {
			out = append(out, t)
		}
	}
	return out, it.Close()
}

func noticeKey(target, author entry.Key, seq uint64) []byte {
	k := append(keyOf(prefixNotice, target), author[:]...)
	return binary.BigEndian.AppendUint64(k, seq)
}
