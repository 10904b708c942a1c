package store

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// MaxNotifications is how many notifications an account keeps: adding one
// beyond it drops the oldest, so that nobody can fill the disk with them.
const MaxNotifications = 1000

// Notification is an event shown to a local account, such as a new
// follower or a new post by someone it follows.
type Notification struct {
	ID       [16]byte // identifies the notification among the account's
	Kind     string   // up to 255 bytes
	From     entry.Key
	FromName string // up to 255 bytes
	Time     time.Time
	Read     bool
	Entry    entry.ID // the entry it is about (a reply, repost, mention), or zero
	// Raw is the encoding of the entry it is about, kept when that entry
	// may not be in the logs (its author is not followed), or nil.
	Raw []byte
}

// AddNotification stores n for account, unless a notification with the
// same Time and ID is stored already: it reports whether n was added. An
// account keeps at most MaxNotifications: past that, the oldest is
// dropped, and n is not added if it would be the oldest.
func (s *Store) AddNotification(account entry.Key, n Notification) (added bool, err error) {
	if len(n.Kind) > math.MaxUint8 || len(n.FromName) > math.MaxUint8 {
		return false, fmt.Errorf("store: notification kind of %d bytes or name of %d, longer than 255", len(n.Kind), len(n.FromName))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.notifyCounts(account)
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
	var b Batch
	if c.total >= MaxNotifications {
		// Drop the oldest, down to one below the cap (the cap may have
		// been lowered), unless n itself would be the oldest kept.
		prefix := keyOf(prefixNotify, account)
		it := s.kv.Find(prefix, PrefixEnd(prefix), true)
		for c.total >= MaxNotifications && it.Next() {
			if bytes.Compare(key, it.Key()) > 0 {
				it.Close()
				return false, nil
			}
			old, ok := decodeNotification(it.Key(), it.Value())
			if !ok {
				err := corrupt("notification", it.Key())
				it.Close()
				return false, err
			}
			b.Delete(bytes.Clone(it.Key()))
			c.total--
			if !old.Read {
				c.unread--
			}
		}
		if err := it.Close(); err != nil {
			return false, err
		}
	}
	if !n.Read {
		c.unread++
	}
	c.total++
	b.Put(key, n.encode())
	b.Put(keyOf(prefixUnread, account), c.encode())
	return true, s.kv.Commit(&b, false)
}

// notifyCounts are the numbers of an account's notifications, unread and
// in all, kept in its u row.
type notifyCounts struct{ unread, total int }

func (c notifyCounts) encode() []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(max(c.unread, 0)))
	return binary.BigEndian.AppendUint64(b, uint64(max(c.total, 0)))
}

// notifyCounts reads account's counts. A u row written before the total
// was kept has the unread count only: the total is counted then.
func (s *Store) notifyCounts(account entry.Key) (notifyCounts, error) {
	key := keyOf(prefixUnread, account)
	v, err := s.kv.Get(key)
	switch {
	case errors.Is(err, ErrNotFound):
		return notifyCounts{}, nil
	case err != nil:
		return notifyCounts{}, err
	case len(v) == 16:
		return notifyCounts{unread: int(binary.BigEndian.Uint64(v)), total: int(binary.BigEndian.Uint64(v[8:]))}, nil
	case len(v) != 8:
		return notifyCounts{}, corrupt("notification counts", key)
	}
	c := notifyCounts{unread: int(binary.BigEndian.Uint64(v))}
	err = s.scan(keyOf(prefixNotify, account), func(k, v []byte) error {
		c.total++
		return nil
	})
	return c, err
}

// Notifications returns account's notifications, newest first: at most
// limit of them.
func (s *Store) Notifications(account entry.Key, limit int) ([]Notification, error) {
	if limit <= 0 {
		return nil, nil
	}
	var ns []Notification
	prefix := keyOf(prefixNotify, account)
	it := s.kv.Find(prefix, PrefixEnd(prefix), false)
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
	c, err := s.notifyCounts(account)
	if err != nil {
		return err
	}
	var b Batch
	prefix := keyOf(prefixNotify, account)
	it := s.kv.Find(prefix, PrefixEnd(prefix), false)
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
			c.unread--
		}
	}
	if err := it.Close(); err != nil {
		return err
	}
	if b.Len() == 0 {
		return nil
	}
	b.Put(keyOf(prefixUnread, account), c.encode())
	return s.kv.Commit(&b, false)
}

// Unread returns the number of account's notifications not marked read.
func (s *Store) Unread(account entry.Key) (int, error) {
	c, err := s.notifyCounts(account)
	return c.unread, err
}

// PutOwnRecord keeps the name record a local account last signed, so that
// notices of the account can carry it while the account is not logged in.
func (s *Store) PutOwnRecord(account entry.Key, record []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.put(ownRecordKey(account), bytes.Clone(record), false)
}

// OwnRecord returns the name record kept by PutOwnRecord for account, or
// an error wrapping ErrNotFound.
func (s *Store) OwnRecord(account entry.Key) ([]byte, error) {
	return s.kv.Get(ownRecordKey(account))
}

// ownRecordKey is the key of a local account's last name record: a device
// setting named "record/" and the account's key in hex.
func ownRecordKey(account entry.Key) []byte {
	return nameKey(prefixMeta, "record/"+hex.EncodeToString(account[:]))
}

// PutFollowerRecord keeps the name record that came with a follow notice
// from follower, a follower of a local account: the device it names is
// where the account finds the follower when it comes back from away,
// after a restart too.
func (s *Store) PutFollowerRecord(follower entry.Key, record []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.put(followerRecordKey(follower), bytes.Clone(record), false)
}

// FollowerRecord returns the name record kept by PutFollowerRecord for
// follower, or an error wrapping ErrNotFound.
func (s *Store) FollowerRecord(follower entry.Key) ([]byte, error) {
	return s.kv.Get(followerRecordKey(follower))
}

// DropFollowerRecord forgets the record PutFollowerRecord kept for
// follower (an unfollow); without one it does nothing.
func (s *Store) DropFollowerRecord(follower entry.Key) error {
	var b Batch
	b.Delete(followerRecordKey(follower))
	return s.kv.Commit(&b, false)
}

// followerRecordKey is the key of a follower's last name record: a device
// setting named "follower/" and the follower's key in hex.
func followerRecordKey(follower entry.Key) []byte {
	return nameKey(prefixMeta, "follower/"+hex.EncodeToString(follower[:]))
}
