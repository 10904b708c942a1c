package store

import (
	"time"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/storage"
)

// OpenLevelDBOn opens a LevelDB KV for the database in dir, as OpenLevelDB
// does, but over stor, which a test can make fail, and with now as its
// clock and wait as the time a reopen waits for reads in progress. The
// caller closes stor after the KV.
func OpenLevelDBOn(dir string, stor storage.Storage, now func() time.Time, wait time.Duration) (KV, error) {
	return openLevel(levelConfig{
		dir: dir,
		open: func(readOnly bool) (*leveldb.DB, error) {
			o := levelOptions()
			o.ReadOnly = readOnly
			return leveldb.Open(stor, o)
		},
		now:  now,
		free: freeSpace,
		wait: wait,
	})
}
