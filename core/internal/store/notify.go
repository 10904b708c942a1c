package store

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// Notification is an event shown to a local account, such as a new
// follower or a new post by someone it follows.
type Notification struct {
	ID       [16]byte // identifies the notification among the account's
	Kind     string   // up to 255 bytes
	From     entry.Key
	FromName string
	Time     time.Time
	Read     bool
	Entry    entry.ID // the entry it is about (a reply, repost, mention), or zero
}

// AddNotification stores n for account, unless a notification with the
// same Time and ID is stored already: it reports whether n was added.
func (s *Store) AddNotification(account entry.Key, n Notification) (added bool, err error) {
	if len(n.Kind) > math.MaxUint8 {
		return false, fmt.Errorf("store: notification kind of %d bytes is longer than 255", len(n.Kind))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	unread, err := s.Unread(account)
	if err != nil {
		return false, err
	}
	key := notifyKey(account, n.Time, n.ID)
	switch _, err := s.kv.Get(key); {
	case err == nil:
		return false, nil
	case !errors.Is(err, ErrNotFound):
		return false, err
	}
	if !n.Read {
		unread++
	}
	var b Batch
	b.Put(key, n.encode())
	b.Put(keyOf(prefixUnread, account), encodeUint(uint64(unread)))
	return true, s.kv.Commit(&b, false)
}

// Notifications returns account's notifications, newest first: at most
// limit of them.
func (s *Store) Notifications(account entry.Key, limit int) ([]Notification, error) {
	if limit <= 0 {
		return nil, nil
	}
	var ns []Notification
	prefix := keyOf(prefixNotify, account)
	it := s.kv.Find(prefix, prefixEnd(prefix), false)
	for len(ns) < limit && it.Next() {
		n, ok := decodeNotification(it.Key(), it.Value())
		if !ok {
			err := corrupt("notification", it.Key())
			it.Close()
			return nil, err
		}
		ns = append(ns, n)
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	return ns, nil
}

// MarkRead marks account's notifications with the given IDs as read. IDs
// not found are ignored. It looks from the newest notification back, so
// marking recent ones is quick.
func (s *Store) MarkRead(account entry.Key, ids [][16]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	want := make(map[[16]byte]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	unread, err := s.Unread(account)
	if err != nil {
		return err
	}
	var b Batch
	prefix := keyOf(prefixNotify, account)
	it := s.kv.Find(prefix, prefixEnd(prefix), false)
	for len(want) > 0 && it.Next() {
		k := it.Key()
		id := [16]byte(k[len(k)-16:])
		if !want[id] {
			continue
		}
		delete(want, id)
		n, ok := decodeNotification(k, it.Value())
		if !ok {
			err := corrupt("notification", k)
			it.Close()
			return err
		}
		if !n.Read {
			n.Read = true
			b.Put(k, n.encode())
			unread--
		}
	}
	if err := it.Close(); err != nil {
		return err
	}
	if b.Len() == 0 {
		return nil
	}
	b.Put(keyOf(prefixUnread, account), encodeUint(uint64(max(unread, 0))))
	return s.kv.Commit(&b, false)
}

// Unread returns the number of account's notifications not marked read.
func (s *Store) Unread(account entry.Key) (int, error) {
	n, err := s.getUint(keyOf(prefixUnread, account), "unread count")
	return int(n), err
}
