package store

import "slices"

// KV is a sorted key-value store: the storage engine under a Store. Keys
// are ordered bytewise.
//
// Implementations are safe for concurrent use. OpenLevelDB and NewMemory
// return the two implementations; kvtest.Test checks any other.
type KV interface {
	// Get returns the value stored under key, or an error wrapping
	// ErrNotFound. The returned slice belongs to the caller.
	Get(key []byte) ([]byte, error)

	// Find returns an iterator over the keys k with start <= k < end, in
	// ascending order, or in descending order if reverse is set. A nil
	// start means no lower bound and a nil end no upper bound. The
	// iterator reads a consistent snapshot taken when Find is called.
	Find(start, end []byte, reverse bool) Iterator

	// Commit applies every write in b atomically: after a crash either all
	// of them are visible or none is. If sync is set, the writes are
	// durable (flushed to stable storage) before Commit returns; otherwise
	// they survive a crash of the process but maybe not of the machine.
	// Commit does not retain b. A Commit refused because the disk is full
	// returns an error wrapping ErrNoSpace; later ones work again once
	// space is freed, without reopening the KV.
	Commit(b *Batch, sync bool) error

	// Close releases the store. Operations after Close fail with an error
	// wrapping ErrClosed. Calling Close more than once is safe.
	Close() error
}

// Iterator steps through a range of key-value pairs. It must be closed
// after use, but need not be read to the end. An Iterator is not safe for
// concurrent use, but several iterators may be used at once.
type Iterator interface {
	// Next moves to the next pair and reports whether there is one. The
	// first call moves to the first pair.
	Next() bool

	// Key returns the current key. The slice is valid until the next call
	// to Next or Close and must not be modified.
	Key() []byte

	// Value returns the current value. The slice is valid until the next
	// call to Next or Close and must not be modified.
	Value() []byte

	// Close releases the iterator and returns any error met while
	// iterating. Calling Close more than once is safe.
	Close() error
}

// BatchReplay receives the writes of a Batch, in order.
type BatchReplay interface {
	Put(key, value []byte)
	Delete(key []byte)
}

// Batch is a list of writes that KV.Commit applies atomically. Later writes
// to a key win over earlier ones. The zero value is an empty Batch ready to
// use. A Batch is not safe for concurrent use.
type Batch struct {
	data []byte // keys and values, back to back
	ops  []batchOp
}

type batchOp struct {
	delete   bool
	keyLen   int
	valueLen int
}

// Put adds a write of value under key. It copies key and value.
func (b *Batch) Put(key, value []byte) {
	b.data = append(append(b.data, key...), value...)
	b.ops = append(b.ops, batchOp{keyLen: len(key), valueLen: len(value)})
}

// Delete adds a deletion of key. It copies key. Deleting a key that is not
// stored is not an error.
func (b *Batch) Delete(key []byte) {
	b.data = append(b.data, key...)
	b.ops = append(b.ops, batchOp{delete: true, keyLen: len(key)})
}

// grow makes room in b for ops more writes of n more bytes of keys and
// values.
func (b *Batch) grow(ops, n int) {
	b.data = slices.Grow(b.data, n)
	b.ops = slices.Grow(b.ops, ops)
}

// Len returns the number of writes in b.
func (b *Batch) Len() int { return len(b.ops) }

// Size returns the total length of the keys and values in b.
func (b *Batch) Size() int { return len(b.data) }

// Reset empties b, keeping its memory for reuse.
func (b *Batch) Reset() {
	b.data = b.data[:0]
	b.ops = b.ops[:0]
}

// Replay calls r.Put or r.Delete for each write in b, in order. KV
// implementations use it in Commit. The slices passed to r are valid only
// during the call.
func (b *Batch) Replay(r BatchReplay) {
	data := b.data
	for _, op := range b.ops {
		key := data[:op.keyLen:op.keyLen]
		data = data[op.keyLen:]
		if op.delete {
			r.Delete(key)
			continue
		}
		value := data[:op.valueLen:op.valueLen]
		data = data[op.valueLen:]
		r.Put(key, value)
	}
}
