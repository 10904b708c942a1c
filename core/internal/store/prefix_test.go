package store_test

import (
	"errors"
	"testing"

	"github.com/skein-p2p/skein/core/internal/store"
	"github.com/skein-p2p/skein/core/internal/store/kvtest"
)

// TestPrefixKV runs the KV suite on a view among neighbours: keys just
// below and just above the view's range must never show through it.
func TestPrefixKV(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			kvtest.Test(t, func(t *testing.T) store.KV {
				kv := eng.open(t)
				var b store.Batch
				b.Put([]byte("M\xff\xff"), []byte("below"))
				b.Put([]byte("O"), []byte("above"))
				b.Put([]byte("N"), []byte("the prefix alone is the view's empty key"))
				b.Delete([]byte("N"))
				if err := kv.Commit(&b, false); err != nil {
					t.Fatal(err)
				}
				return store.Prefix(kv, []byte("N"))
			})
		})
	}
}

// TestPrefixIsolation checks what the view writes in the underlying KV,
// and that closing the view leaves that KV open.
func TestPrefixIsolation(t *testing.T) {
	kv := store.NewMemory()
	defer kv.Close()
	v := store.Prefix(kv, []byte("N"))
	var b store.Batch
	b.Put([]byte("alice"), []byte("1"))
	b.Put([]byte(""), []byte("empty key"))
	if err := v.Commit(&b, true); err != nil {
		t.Fatal(err)
	}
	b.Reset()
	b.Put([]byte("Oalice"), []byte("outside"))
	if err := kv.Commit(&b, true); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ key, want string }{{"Nalice", "1"}, {"N", "empty key"}} {
		if got, err := kv.Get([]byte(tt.key)); err != nil || string(got) != tt.want {
			t.Errorf("kv.Get(%q) = %q, %v; want %q", tt.key, got, err, tt.want)
		}
	}
	var keys []string
	it := v.Find(nil, nil, false)
	for it.Next() {
		keys = append(keys, string(it.Key()))
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0] != "" || keys[1] != "alice" {
		t.Errorf("view keys = %q, want [\"\" alice]", keys)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Get([]byte("alice")); !errors.Is(err, store.ErrClosed) {
		t.Errorf("view Get() after Close = %v, want ErrClosed", err)
	}
	if _, err := kv.Get([]byte("Nalice")); err != nil {
		t.Errorf("kv.Get() after closing the view = %v, want the value", err)
	}
}
