package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
)

// layoutVersion is the version of the key layout described in doc.go.
// Version 2 stores entries in the encoding with a body hash, which may be
// redacted; version 1 stored them in the earlier encoding.
const layoutVersion = 2

// Key prefixes, one byte each. doc.go describes the keys and values.
const (
	prefixVersion   = 'v'
	prefixAccount   = 'a'
	prefixMeta      = 'm'
	prefixEntry     = 'e'
	prefixHead      = 'h'
	prefixFeed      = 'f'
	prefixWatcher   = 'w'
	prefixFollowing = 'g'
	prefixFollower  = 'r'
	prefixNotify    = 'n'
	prefixUnread    = 'u'
	prefixPin       = 'p'
	prefixName      = 'd'
	prefixKnown     = 'k'
	prefixTail      = 't'
	prefixFork      = 'c'
	prefixOrphan    = 'o'
	prefixTombstone = 'x'
	prefixID        = 'i'
	prefixNotice    = 'q'
	prefixRequest   = 'R'
)

const (
	keyLen     = len(entry.Key{})
	feedKeyLen = 1 + keyLen + 8 + 4 + keyLen + 8
	headLen    = 8 + len(entry.ID{}) + 8 + 4
)

// keyOf returns prefix followed by k.
func keyOf(prefix byte, k entry.Key) []byte {
	b := make([]byte, 0, feedKeyLen) // room for the longest fixed-size key
	return append(append(b, prefix), k[:]...)
}

// pairKey returns prefix followed by a and b.
func pairKey(prefix byte, a, b entry.Key) []byte {
	return append(keyOf(prefix, a), b[:]...)
}

// nameKey returns prefix followed by name.
func nameKey(prefix byte, name string) []byte {
	return append([]byte{prefix}, name...)
}

// seqKey returns prefix followed by author and seq.
func seqKey(prefix byte, author entry.Key, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(keyOf(prefix, author), seq)
}

// idKey is the key of an entry's row in the ID index.
func idKey(id entry.ID) []byte {
	return append([]byte{prefixID}, id[:]...)
}

func entryKey(author entry.Key, seq uint64) []byte {
	return seqKey(prefixEntry, author, seq)
}

func tombstoneKey(author entry.Key, seq uint64, id entry.ID) []byte {
	return append(seqKey(prefixTombstone, author, seq), id[:]...)
}

// feedKey returns the key of e's row in account's feed. The time is stored
// reversed, so an ascending scan yields the newest rows first.
func feedKey(account entry.Key, e *entry.Entry) []byte {
	k := keyOf(prefixFeed, account)
	k = binary.BigEndian.AppendUint64(k, math.MaxUint64-e.Time.Wall)
	k = binary.BigEndian.AppendUint32(k, math.MaxUint32-e.Time.Logical)
	k = append(k, e.Author[:]...)
	return binary.BigEndian.AppendUint64(k, e.Seq)
}

func notifyKey(account entry.Key, t time.Time, id [16]byte) []byte {
	k := binary.BigEndian.AppendUint64(keyOf(prefixNotify, account), math.MaxUint64-timeBits(t))
	return append(k, id[:]...)
}

func pinKey(account entry.Key, name string) []byte {
	return append(keyOf(prefixPin, account), name...)
}

// prefixEnd returns the first key after every key that starts with prefix,
// or nil if there is none.
func PrefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// timeBits encodes t as nanoseconds since the Unix epoch, and the zero Time
// as 0.
func timeBits(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	return uint64(t.UnixNano())
}

func bitsTime(n uint64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(n))
}

func corrupt(what string, key []byte) error {
	return fmt.Errorf("%w: %s under key %x", ErrCorrupt, what, key)
}

func encodeUint(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func decodeUint(v []byte) (uint64, bool) {
	if len(v) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(v), true
}

// Head values: seq, ID, HLC wall, HLC logical.

func (h Head) encode() []byte {
	b := make([]byte, 0, headLen)
	b = binary.BigEndian.AppendUint64(b, h.Seq)
	b = append(b, h.ID[:]...)
	b = binary.BigEndian.AppendUint64(b, h.Time.Wall)
	return binary.BigEndian.AppendUint32(b, h.Time.Logical)
}

func decodeHead(v []byte) (Head, bool) {
	var h Head
	if len(v) != headLen {
		return h, false
	}
	h.Seq = binary.BigEndian.Uint64(v)
	copy(h.ID[:], v[8:])
	h.Time = hlc.Timestamp{
		Wall:    binary.BigEndian.Uint64(v[8+len(h.ID):]),
		Logical: binary.BigEndian.Uint32(v[16+len(h.ID):]),
	}
	return h, true
}

// Fork evidence values: length of the held entry (4 bytes), the held
// entry, the other entry.

func (f Fork) encode() []byte {
	b := make([]byte, 0, 4+len(f.Held)+len(f.Other))
	b = binary.BigEndian.AppendUint32(b, uint32(len(f.Held)))
	return append(append(b, f.Held...), f.Other...)
}

func decodeFork(k, v []byte) (Fork, bool) {
	if len(k) != 1+keyLen+8 || len(v) < 4 {
		return Fork{}, false
	}
	n := binary.BigEndian.Uint32(v)
	if uint64(n) > uint64(len(v)-4) {
		return Fork{}, false
	}
	return Fork{
		Seq:   binary.BigEndian.Uint64(k[1+keyLen:]),
		Held:  bytes.Clone(v[4 : 4+n]),
		Other: bytes.Clone(v[4+n:]),
	}, true
}

// Account values: key, creation time, secret.

func (a Account) encode() []byte {
	b := make([]byte, 0, keyLen+8+len(a.Secret))
	b = append(b, a.Key[:]...)
	b = binary.BigEndian.AppendUint64(b, timeBits(a.Created))
	return append(b, a.Secret...)
}

func decodeAccount(name string, v []byte) (Account, bool) {
	a := Account{Name: name}
	if len(v) < keyLen+8 {
		return a, false
	}
	copy(a.Key[:], v)
	a.Created = bitsTime(binary.BigEndian.Uint64(v[keyLen:]))
	a.Secret = append([]byte(nil), v[keyLen+8:]...)
	return a, true
}

// relation is what Follow and Follower records share.
type relation struct {
	seq    uint64
	since  time.Time
	active bool
	name   string
}

// Relation values: seq, since, active, name.

func (r relation) encode() []byte {
	b := make([]byte, 0, 8+8+1+len(r.name))
	b = binary.BigEndian.AppendUint64(b, r.seq)
	b = binary.BigEndian.AppendUint64(b, timeBits(r.since))
	if r.active {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	return append(b, r.name...)
}

func decodeRelation(v []byte) (relation, bool) {
	if len(v) < 8+8+1 || v[16] > 1 {
		return relation{}, false
	}
	return relation{
		seq:    binary.BigEndian.Uint64(v),
		since:  bitsTime(binary.BigEndian.Uint64(v[8:])),
		active: v[16] == 1,
		name:   string(v[17:]),
	}, true
}

// Notification values: flags, from, entry ID, kind length, kind, then
// either the from name to the end, or (flag 2) the from name's length, the
// from name and the encoding of the entry. Flag 1 is read. The time and ID
// are in the key.

const (
	notifyRead = 1 << iota
	notifyRaw
)

func (n Notification) encode() []byte {
	b := make([]byte, 0, 1+keyLen+len(n.Entry)+1+len(n.Kind)+1+len(n.FromName)+len(n.Raw))
	var flags byte
	if n.Read {
		flags |= notifyRead
	}
	if len(n.Raw) > 0 {
		flags |= notifyRaw
	}
	b = append(b, flags)
	b = append(b, n.From[:]...)
	b = append(b, n.Entry[:]...)
	b = append(b, byte(len(n.Kind)))
	b = append(b, n.Kind...)
	if len(n.Raw) > 0 {
		b = append(b, byte(len(n.FromName)))
		b = append(b, n.FromName...)
		return append(b, n.Raw...)
	}
	return append(b, n.FromName...)
}

func decodeNotification(k, v []byte) (Notification, bool) {
	var n Notification
	const timeAt = 1 + keyLen
	const kindAt = 1 + keyLen + len(entry.ID{})
	if len(k) != timeAt+8+len(n.ID) || len(v) < kindAt+1 || v[0]&^(notifyRead|notifyRaw) != 0 {
		return n, false
	}
	n.Time = bitsTime(math.MaxUint64 - binary.BigEndian.Uint64(k[timeAt:]))
	copy(n.ID[:], k[timeAt+8:])
	n.Read = v[0]&notifyRead != 0
	copy(n.From[:], v[1:])
	copy(n.Entry[:], v[1+keyLen:])
	kindLen := int(v[kindAt])
	rest := v[kindAt+1:]
	if len(rest) < kindLen {
		return n, false
	}
	n.Kind = string(rest[:kindLen])
	rest = rest[kindLen:]
	if v[0]&notifyRaw == 0 {
		n.FromName = string(rest)
		return n, true
	}
	if len(rest) < 1 || len(rest) < 1+int(rest[0])+1 {
		return n, false
	}
	nameLen := int(rest[0])
	n.FromName = string(rest[1 : 1+nameLen])
	n.Raw = bytes.Clone(rest[1+nameLen:])
	return n, true
}
