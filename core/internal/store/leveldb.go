package store

import (
	"errors"
	"fmt"

	"github.com/syndtr/goleveldb/leveldb"
	lerrors "github.com/syndtr/goleveldb/leveldb/errors"
	"github.com/syndtr/goleveldb/leveldb/filter"
	"github.com/syndtr/goleveldb/leveldb/iterator"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/storage"
	"github.com/syndtr/goleveldb/leveldb/util"
)

// levelOptions suit a phone as well as a desktop: a bloom filter saves disk
// reads on lookups of absent keys, and the caches stay small.
func levelOptions() *opt.Options {
	return &opt.Options{
		Filter:                 filter.NewBloomFilter(10),
		BlockCacheCapacity:     8 * opt.MiB,
		WriteBuffer:            4 * opt.MiB,
		OpenFilesCacheCapacity: 200,
	}
}

// OpenLevelDB opens or creates a LevelDB database in dir.
//
// A database left behind by a crashed or killed process opens normally:
// LevelDB replays its journal and drops a torn last write. If the database
// files are corrupted, OpenLevelDB tries to rebuild the database from its
// tables, keeping what can still be read.
func OpenLevelDB(dir string) (KV, error) {
	o := levelOptions()
	db, err := leveldb.OpenFile(dir, o)
	if lerrors.IsCorrupted(err) {
		db, err = leveldb.RecoverFile(dir, o)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dir, err)
	}
	return &levelDB{db: db}, nil
}

// NewMemory returns a KV held in memory, for tests and for nodes that keep
// nothing. Its contents are lost when it is closed.
func NewMemory() KV {
	db, err := leveldb.Open(storage.NewMemStorage(), levelOptions())
	if err != nil {
		// Opening an empty memory storage cannot fail.
		panic("store: open memory database: " + err.Error())
	}
	return &levelDB{db: db}
}

// levelDB is a KV backed by goleveldb.
type levelDB struct {
	db *leveldb.DB
}

func (l *levelDB) Get(key []byte) ([]byte, error) {
	v, err := l.db.Get(key, nil)
	if err != nil {
		return nil, levelError(err)
	}
	return v, nil
}

func (l *levelDB) Find(start, end []byte, reverse bool) Iterator {
	return &levelIter{
		it:      l.db.NewIterator(&util.Range{Start: start, Limit: end}, nil),
		reverse: reverse,
	}
}

func (l *levelDB) Commit(b *Batch, sync bool) error {
	// Each write costs LevelDB a type byte and up to two 5-byte lengths.
	lb := leveldb.MakeBatch(b.Size() + 11*b.Len())
	b.Replay(lb)
	return levelError(l.db.Write(lb, &opt.WriteOptions{Sync: sync}))
}

func (l *levelDB) Close() error {
	err := l.db.Close()
	if errors.Is(err, leveldb.ErrClosed) {
		return nil
	}
	return levelError(err)
}

// levelError translates goleveldb's errors into the store's.
func levelError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, leveldb.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, leveldb.ErrClosed):
		return ErrClosed
	}
	return fmt.Errorf("store: leveldb: %w", err)
}

// levelIter adapts a goleveldb iterator, which needs First or Last to
// start, to the Iterator interface, where Next also starts.
type levelIter struct {
	it      iterator.Iterator
	reverse bool
	started bool
	closed  bool
	err     error
}

func (i *levelIter) Next() bool {
	switch {
	case i.closed:
		return false
	case !i.started:
		i.started = true
		if i.reverse {
			return i.it.Last()
		}
		return i.it.First()
	case i.reverse:
		return i.it.Prev()
	}
	return i.it.Next()
}

func (i *levelIter) Key() []byte   { return i.it.Key() }
func (i *levelIter) Value() []byte { return i.it.Value() }

func (i *levelIter) Close() error {
	if !i.closed {
		i.closed = true
		i.err = levelError(i.it.Error())
		i.it.Release()
	}
	return i.err
}
