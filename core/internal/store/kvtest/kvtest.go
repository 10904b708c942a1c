// Package kvtest checks that an implementation of store.KV behaves as the
// interface documents.
package kvtest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/skein-p2p/skein/core/internal/store"
)

// Test runs the conformance suite against KVs returned by open, which is
// called once per subtest and must return an empty KV. Test closes the KVs
// it opens; open may also register their closing with t.Cleanup, as Close
// must be safe to call twice.
func Test(t *testing.T, open func(t *testing.T) store.KV) {
	tests := []struct {
		name string
		fn   func(t *testing.T, kv store.KV)
	}{
		{"GetPutDelete", testGetPutDelete},
		{"GetCopies", testGetCopies},
		{"EmptyValue", testEmptyValue},
		{"Batch", testBatch},
		{"BatchCopies", testBatchCopies},
		{"BatchAtomic", testBatchAtomic},
		{"Ranges", testRanges},
		{"IteratorSnapshot", testIteratorSnapshot},
		{"IteratorClose", testIteratorClose},
		{"Close", testClose},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kv := open(t)
			defer kv.Close()
			tt.fn(t, kv)
		})
	}
}

func commit(t *testing.T, kv store.KV, b *store.Batch) {
	t.Helper()
	if err := kv.Commit(b, false); err != nil {
		t.Fatalf("Commit() = %v", err)
	}
}

func put(t *testing.T, kv store.KV, pairs ...string) {
	t.Helper()
	var b store.Batch
	for i := 0; i+1 < len(pairs); i += 2 {
		b.Put([]byte(pairs[i]), []byte(pairs[i+1]))
	}
	commit(t, kv, &b)
}

// wantGet checks that key holds want, or is absent if want is nil.
func wantGet(t *testing.T, kv store.KV, key string, want []byte) {
	t.Helper()
	got, err := kv.Get([]byte(key))
	if want == nil {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get(%q) = %q, %v, want ErrNotFound", key, got, err)
		}
		return
	}
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("Get(%q) = %q, %v, want %q", key, got, err, want)
	}
}

// collect reads it to the end and returns its keys and values as
// "key=value" strings.
func collect(t *testing.T, it store.Iterator) []string {
	t.Helper()
	var got []string
	for it.Next() {
		got = append(got, string(it.Key())+"="+string(it.Value()))
	}
	if err := it.Close(); err != nil {
		t.Errorf("Iterator.Close() = %v", err)
	}
	return got
}

func testGetPutDelete(t *testing.T, kv store.KV) {
	wantGet(t, kv, "a", nil)
	put(t, kv, "a", "1")
	wantGet(t, kv, "a", []byte("1"))
	put(t, kv, "a", "2")
	wantGet(t, kv, "a", []byte("2"))

	var b store.Batch
	b.Delete([]byte("a"))
	b.Delete([]byte("never stored"))
	commit(t, kv, &b)
	wantGet(t, kv, "a", nil)
	wantGet(t, kv, "never stored", nil)

	b.Reset()
	if err := kv.Commit(&b, true); err != nil {
		t.Errorf("Commit(empty batch, sync) = %v", err)
	}
}

func testGetCopies(t *testing.T, kv store.KV) {
	put(t, kv, "a", "value")
	got, err := kv.Get([]byte("a"))
	if err != nil {
		t.Fatalf("Get() = %v", err)
	}
	copy(got, "XXXXX")
	wantGet(t, kv, "a", []byte("value"))
}

func testEmptyValue(t *testing.T, kv store.KV) {
	var b store.Batch
	b.Put([]byte("a"), nil)
	commit(t, kv, &b)
	got, err := kv.Get([]byte("a"))
	if err != nil || len(got) != 0 {
		t.Errorf("Get() = %q, %v, want empty value", got, err)
	}
}

func testBatch(t *testing.T, kv store.KV) {
	put(t, kv, "old", "x")
	var b store.Batch
	b.Put([]byte("a"), []byte("1"))
	b.Put([]byte("b"), []byte("1"))
	b.Delete([]byte("b")) // later writes win
	b.Delete([]byte("c"))
	b.Put([]byte("c"), []byte("3"))
	b.Put([]byte("a"), []byte("2"))
	b.Delete([]byte("old"))
	if b.Len() != 7 {
		t.Errorf("Len() = %d, want 7", b.Len())
	}
	commit(t, kv, &b)
	wantGet(t, kv, "a", []byte("2"))
	wantGet(t, kv, "b", nil)
	wantGet(t, kv, "c", []byte("3"))
	wantGet(t, kv, "old", nil)

	b.Reset()
	if b.Len() != 0 || b.Size() != 0 {
		t.Errorf("after Reset, Len() = %d, Size() = %d, want 0, 0", b.Len(), b.Size())
	}
	b.Put([]byte("d"), []byte("4"))
	commit(t, kv, &b)
	wantGet(t, kv, "d", []byte("4"))
	wantGet(t, kv, "a", []byte("2"))
}

func testBatchCopies(t *testing.T, kv store.KV) {
	var b store.Batch
	k, v := []byte("key"), []byte("value")
	b.Put(k, v)
	copy(k, "XXX")
	copy(v, "XXXXX")
	commit(t, kv, &b)
	wantGet(t, kv, "key", []byte("value"))
	wantGet(t, kv, "XXX", nil)
}

// testBatchAtomic checks that readers never see part of a batch.
func testBatchAtomic(t *testing.T, kv store.KV) {
	const keys, rounds = 10, 200
	key := func(i int) []byte { return fmt.Appendf(nil, "k%02d", i) }

	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		var b store.Batch
		for r := range rounds {
			b.Reset()
			for i := range keys {
				b.Put(key(i), fmt.Appendf(nil, "%d", r))
			}
			if err := kv.Commit(&b, false); err != nil {
				t.Errorf("Commit() = %v", err)
				return
			}
		}
	}()
	for reading := true; reading; {
		select {
		case <-done:
			reading = false
		default:
		}
		var values []string
		it := kv.Find(key(0), key(keys), false)
		for it.Next() {
			values = append(values, string(it.Value()))
		}
		if err := it.Close(); err != nil {
			t.Errorf("Iterator.Close() = %v", err)
			break
		}
		if len(values) > 0 && (len(values) != keys || slices.ContainsFunc(values, func(v string) bool { return v != values[0] })) {
			t.Errorf("scan during commits = %q, want %d equal values", values, keys)
			break
		}
	}
	wg.Wait()
}

func testRanges(t *testing.T, kv store.KV) {
	put(t, kv, "a", "1", "b", "2", "ba", "3", "c", "4", "d\xff", "5", "d\xff\xff", "6", "e", "7")
	all := []string{"a=1", "b=2", "ba=3", "c=4", "d\xff=5", "d\xff\xff=6", "e=7"}
	tests := []struct {
		name       string
		start, end []byte
		want       []string // ascending
	}{
		{"all", nil, nil, all},
		{"nil end", []byte("c"), nil, all[3:]},
		{"nil start", nil, []byte("b"), all[:1]},
		{"bounds", []byte("b"), []byte("c"), []string{"b=2", "ba=3"}},
		{"end exclusive", []byte("a"), []byte("ba"), []string{"a=1", "b=2"}},
		{"between keys", []byte("aa"), []byte("bb"), []string{"b=2", "ba=3"}},
		{"high bytes", []byte("d\xff"), []byte("e"), []string{"d\xff=5", "d\xff\xff=6"}},
		{"past the end", []byte("f"), nil, nil},
		{"before the start", nil, []byte("a"), nil},
		{"empty range", []byte("b"), []byte("b"), nil},
		{"start after end", []byte("c"), []byte("a"), nil},
		{"no key inside", []byte("bb"), []byte("bz"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := collect(t, kv.Find(tt.start, tt.end, false))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Find(%q, %q, false) = %q, want %q", tt.start, tt.end, got, tt.want)
			}
			want := slices.Clone(tt.want)
			slices.Reverse(want)
			got = collect(t, kv.Find(tt.start, tt.end, true))
			if !slices.Equal(got, want) {
				t.Errorf("Find(%q, %q, true) = %q, want %q", tt.start, tt.end, got, want)
			}
		})
	}
}

func testIteratorSnapshot(t *testing.T, kv store.KV) {
	put(t, kv, "a", "1", "b", "2")
	it := kv.Find(nil, nil, false)
	put(t, kv, "a", "changed", "c", "3")
	got := collect(t, it)
	want := []string{"a=1", "b=2"}
	if !slices.Equal(got, want) {
		t.Errorf("Find() over writes made after it = %q, want %q", got, want)
	}
}

func testIteratorClose(t *testing.T, kv store.KV) {
	put(t, kv, "a", "1", "b", "2", "c", "3")
	for _, reverse := range []bool{false, true} {
		it := kv.Find(nil, nil, reverse)
		if !it.Next() {
			t.Fatalf("Find(reverse %v).Next() = false, want true", reverse)
		}
		if err := it.Close(); err != nil {
			t.Errorf("Close() early = %v", err)
		}
		if err := it.Close(); err != nil {
			t.Errorf("Close() twice = %v", err)
		}
		if it.Next() {
			t.Errorf("Next() after Close = true, want false")
		}
	}
	// An iterator never advanced may be closed too.
	if err := kv.Find(nil, nil, false).Close(); err != nil {
		t.Errorf("Close() before Next = %v", err)
	}
}

func testClose(t *testing.T, kv store.KV) {
	put(t, kv, "a", "1")
	if err := kv.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if err := kv.Close(); err != nil {
		t.Errorf("Close() twice = %v", err)
	}
	if _, err := kv.Get([]byte("a")); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Get() after Close = %v, want ErrClosed", err)
	}
	var b store.Batch
	b.Put([]byte("b"), []byte("2"))
	if err := kv.Commit(&b, false); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Commit() after Close = %v, want ErrClosed", err)
	}
	it := kv.Find(nil, nil, false)
	if it.Next() {
		t.Errorf("Find().Next() after Close = true, want false")
	}
	if err := it.Close(); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Find().Close() after Close = %v, want ErrClosed", err)
	}
}
