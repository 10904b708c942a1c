package moderation_test

import (
	"testing"

	"github.com/skein-p2p/skein/core/internal/moderation"
	"github.com/skein-p2p/skein/core/internal/store"
)

// FuzzOpen: rows of any shape, as a damaged database may hold, make Open
// fail or load, never panic.
func FuzzOpen(f *testing.F) {
	good := append(append(append([]byte{}, alice[:]...), 'm'), bob[:]...)
	f.Add(good, []byte("\x00\x00\x00\x00\x00\x00\x00\x01bob"))
	f.Add(good, []byte{})
	f.Add([]byte("short"), []byte("x"))
	f.Fuzz(func(t *testing.T, key, value []byte) {
		kv := store.NewMemory()
		var b store.Batch
		b.Put(key, value)
		kv.Commit(&b, false)
		if l, err := moderation.Open(kv); err == nil {
			l.Hidden(alice, bob)
		}
	})
}
