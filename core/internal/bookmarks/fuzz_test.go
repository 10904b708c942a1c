package bookmarks_test

import (
	"testing"

	"github.com/skein-p2p/skein/core/internal/bookmarks"
	"github.com/skein-p2p/skein/core/internal/store"
)

// FuzzRows: rows of any shape, as a damaged database may hold, make Open
// and Page fail or work, never panic.
func FuzzRows(f *testing.F) {
	e := posts(f, 1)[0]
	id := e.ID()
	row := append(append(append([]byte{}, alice[:]...), 's'), make([]byte, 8)...)
	f.Add(append(row, id[:]...), e.Bytes(), []byte{})
	f.Add(append(append(append([]byte{}, alice[:]...), 'i'), id[:]...), []byte{0, 0, 0, 0, 0, 0, 0, 1}, []byte{1})
	f.Add([]byte("x"), []byte("y"), make([]byte, 40))
	f.Fuzz(func(t *testing.T, key, value, cursor []byte) {
		kv := store.NewMemory()
		var b store.Batch
		b.Put(key, value)
		kv.Commit(&b, false)
		book, err := bookmarks.Open(kv)
		if err != nil {
			return
		}
		book.Page(alice, cursor, 10)
		book.Redact(alice, 1, id)
	})
}
