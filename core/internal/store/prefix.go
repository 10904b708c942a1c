package store

import (
	"bytes"
	"sync/atomic"
)

// NamePrefix starts the keys of the name registry (core/internal/names) in
// a node's database; doc.go lists it with the Store's prefixes.
const NamePrefix = 'N'

// Prefixes of the tables that packages other than the Store keep in a
// node's database, each through a Prefix view; doc.go lists them.
const (
	ProfilePrefix    = 'P' // core/internal/profiles: each author's latest profile
	LikePrefix       = 'L' // core/internal/likes: likes seen, per post
	SearchPrefix     = 'S' // core/internal/search: the local search index
	DirectoryPrefix  = 'D' // core/internal/directory: a relay's directory of accounts
	ModerationPrefix = 'M' // core/internal/moderation: each account's mutes and blocks
	BookmarkPrefix   = 'B' // core/internal/bookmarks: each account's saved posts
	ThreadPrefix     = 'T' // core/internal/threads: replies seen, per parent
	ChatPrefix       = 'C' // core/internal/chat: each local account's groups; a relay's core/internal/chatrelay
	BlobPrefix       = 'F' // core/internal/blobstore: the blobs held (files under <data>/blobs)
	MediaPrefix      = 'I' // core/internal/medialib: which entry named each blob, mirrored albums
)

// Prefix returns a view of the keys of kv that start with prefix, as a KV of
// their own: the view's key k is kv's key prefix‖k. It lets another package
// keep a table in the same database as a Store, under a prefix byte of its
// own (doc.go lists the ones in use). The view is safe for concurrent use.
// Closing it does not close kv, which its owner still closes; after either
// is closed, the view's operations fail with an error wrapping ErrClosed.
func Prefix(kv KV, prefix []byte) KV {
	return &prefixed{kv: kv, prefix: bytes.Clone(prefix)}
}

type prefixed struct {
	kv     KV
	prefix []byte
	closed atomic.Bool
}

// key returns kv's key for the view's key k.
func (p *prefixed) key(k []byte) []byte {
	return append(append(make([]byte, 0, len(p.prefix)+len(k)), p.prefix...), k...)
}

func (p *prefixed) Get(key []byte) ([]byte, error) {
	if p.closed.Load() {
		return nil, ErrClosed
	}
	return p.kv.Get(p.key(key))
}

func (p *prefixed) Find(start, end []byte, reverse bool) Iterator {
	if p.closed.Load() {
		return &closedIter{}
	}
	s := p.key(start)
	e := PrefixEnd(p.prefix)
	if end != nil {
		e = p.key(end)
	}
	return &prefixIter{it: p.kv.Find(s, e, reverse), n: len(p.prefix)}
}

func (p *prefixed) Commit(b *Batch, sync bool) error {
	if p.closed.Load() {
		return ErrClosed
	}
	var pb Batch
	b.Replay(&prefixReplay{p: p, b: &pb})
	return p.kv.Commit(&pb, sync)
}

func (p *prefixed) Close() error {
	p.closed.Store(true)
	return nil
}

// prefixReplay copies a Batch's writes into another with the view's
// prefix added to every key.
type prefixReplay struct {
	p *prefixed
	b *Batch
}

func (r *prefixReplay) Put(key, value []byte) { r.b.Put(r.p.key(key), value) }
func (r *prefixReplay) Delete(key []byte)     { r.b.Delete(r.p.key(key)) }

// prefixIter strips the view's prefix from the keys of an iterator of kv.
type prefixIter struct {
	it Iterator
	n  int
}

func (i *prefixIter) Next() bool    { return i.it.Next() }
func (i *prefixIter) Key() []byte   { return i.it.Key()[i.n:] }
func (i *prefixIter) Value() []byte { return i.it.Value() }
func (i *prefixIter) Close() error  { return i.it.Close() }

// closedIter is the iterator of a closed view.
type closedIter struct{}

func (closedIter) Next() bool    { return false }
func (closedIter) Key() []byte   { return nil }
func (closedIter) Value() []byte { return nil }
func (closedIter) Close() error  { return ErrClosed }
