package store_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

func request(id string) store.Request {
	r := store.Request{ID: id}
	copy(r.Sum[:], "digest of "+id)
	return r
}

// mustAppendOwn appends e with the request id, or with none if id is "".
func mustAppendOwn(t *testing.T, s *store.Store, e *entry.Entry, id string) {
	t.Helper()
	var r *store.Request
	if id != "" {
		req := request(id)
		r = &req
	}
	if added, err := s.AppendOwn(e, r); err != nil || len(added) != 1 {
		t.Fatalf("AppendOwn(seq %d, %q) = %d added, %v", e.Seq, id, len(added), err)
	}
}

// TestRequests: a request's entry is found by its ID, durably, until the
// entry falls out of the account's RequestWindow newest.
func TestRequests(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	alice, bob := newWriter(t, "alice"), newWriter(t, "bob")
	mustAccount(t, s, alice, bob)

	if _, err := s.Request(alice.key, "first"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Request(unknown) = %v, want ErrNotFound", err)
	}
	first := alice.post("first")
	mustAppendOwn(t, s, first, "first")
	want := request("first")
	want.Seq = 1
	if got, err := s.Request(alice.key, "first"); err != nil || got != want {
		t.Fatalf("Request(first) = %+v, %v; want %+v", got, err, want)
	}
	if _, err := s.Request(bob.key, "first"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Request(another account, first) = %v, want ErrNotFound", err)
	}
	checkHeld(t, s, alice, []*entry.Entry{first})

	// An entry the log does not take records no request.
	gap := alice.entryAt(5, first.ID(), now(), "after a gap")
	gapReq := request("gap")
	if added, err := s.AppendOwn(gap, &gapReq); len(added) != 0 || !errors.Is(err, store.ErrGap) {
		t.Errorf("AppendOwn(a gap) = %d added, %v; want none and ErrGap", len(added), err)
	}
	if _, err := s.Request(alice.key, "gap"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Request(gap) = %v, want ErrNotFound", err)
	}
	if _, err := s.AppendOwn(alice.post("no ID"), &store.Request{}); err == nil {
		t.Error("AppendOwn(empty ID) succeeded")
	}
	alice.last = first

	// It survives a restart.
	s.Close()
	s = openDir(t, dir)
	if got, err := s.Request(alice.key, "first"); err != nil || got != want {
		t.Fatalf("Request(first) after a restart = %+v, %v; want %+v", got, err, want)
	}
}

// TestRequestWindow: only the newest RequestWindow entries keep their
// requests, and the rows of older ones are deleted, also after entries
// appended without a request or by sync.
func TestRequestWindow(t *testing.T) {
	kv := store.NewMemory()
	s, err := store.New(kv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	alice := newWriter(t, "alice")
	mustAccount(t, s, alice)
	rows := func() int {
		it := kv.Find([]byte("R"), []byte("S"), false)
		defer it.Close()
		n := 0
		for it.Next() {
			n++
		}
		return n
	}
	found := func(want map[string]bool) {
		t.Helper()
		for id, ok := range want {
			if _, err := s.Request(alice.key, id); (err == nil) != ok {
				t.Errorf("Request(%s) = %v, want found %v", id, err, ok)
			}
		}
	}

	for i := 1; i <= store.RequestWindow; i++ {
		mustAppendOwn(t, s, alice.post(fmt.Sprint(i)), fmt.Sprint("req-", i))
	}
	found(map[string]bool{"req-1": true, "req-1000": true})
	if n := rows(); n != 2*store.RequestWindow {
		t.Errorf("%d R rows, want %d", n, 2*store.RequestWindow)
	}
	// An own entry without a request puts req-1 out and forgets it.
	mustAppendOwn(t, s, alice.post("no request"), "")
	found(map[string]bool{"req-1": false, "req-2": true})
	if n, want := rows(), 2*(store.RequestWindow-1)+1; n != want {
		t.Errorf("%d R rows, want %d (with the p row)", n, want)
	}
	// Entries of the own log that come by sync put requests out of the
	// window; they are no longer found, and the next own entry forgets
	// their rows.
	mustAppend(t, s, alice.post("a"), alice.post("b"), alice.post("c"), alice.post("d"), alice.post("e"))
	found(map[string]bool{"req-6": false, "req-7": true})
	mustAppendOwn(t, s, alice.post("last"), "last")
	if n, want := rows(), 2*(store.RequestWindow-7)+2+1; n != want { // req-8 to req-1000, last, p
		t.Errorf("%d R rows, want %d", n, want)
	}
	found(map[string]bool{"req-2": false, "req-7": false, "req-8": true, "last": true})
	// A forgotten ID is a new request.
	mustAppendOwn(t, s, alice.post("again"), "req-1")
	if r, err := s.Request(alice.key, "req-1"); err != nil || r.Seq != alice.last.Seq {
		t.Errorf("Request(req-1 again) = %+v, %v; want seq %d", r, err, alice.last.Seq)
	}
}

// BenchmarkAppendOwn compares appending own entries durably, as core does,
// with and without a request, past the request window so that every
// append also forgets one.
func BenchmarkAppendOwn(b *testing.B) {
	for _, withRequest := range []bool{false, true} {
		b.Run(fmt.Sprintf("request=%v", withRequest), func(b *testing.B) {
			kv, err := store.OpenLevelDB(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			s, err := store.New(kv)
			if err != nil {
				kv.Close()
				b.Fatal(err)
			}
			defer s.Close()
			w := newWriter(b, "alice")
			if err := s.PutAccount(w.account()); err != nil {
				b.Fatal(err)
			}
			es := make([]*entry.Entry, store.RequestWindow+b.N)
			for i := range es {
				es[i] = w.post(fmt.Sprint("post ", i))
			}
			for i, e := range es[:store.RequestWindow] {
				r := request(fmt.Sprint("warm-", i))
				if _, err := s.AppendOwn(e, &r); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for i, e := range es[store.RequestWindow:] {
				var r *store.Request
				if withRequest {
					req := request(fmt.Sprint("req-", i))
					r = &req
				}
				if _, err := s.AppendOwn(e, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
