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

func mustAppendRequest(t *testing.T, s *store.Store, e *entry.Entry, id string) {
	t.Helper()
	if added, err := s.AppendRequest(e, request(id)); err != nil || len(added) != 1 {
		t.Fatalf("AppendRequest(seq %d, %q) = %d added, %v", e.Seq, id, len(added), err)
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
	mustAppendRequest(t, s, first, "first")
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
	if added, err := s.AppendRequest(gap, request("gap")); len(added) != 0 || !errors.Is(err, store.ErrGap) {
		t.Errorf("AppendRequest(a gap) = %d added, %v; want none and ErrGap", len(added), err)
	}
	if _, err := s.Request(alice.key, "gap"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Request(gap) = %v, want ErrNotFound", err)
	}
	if _, err := s.AppendRequest(alice.post("no ID"), store.Request{}); err == nil {
		t.Error("AppendRequest(empty ID) succeeded")
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
// requests, and the rows of older ones are deleted, even after appends
// without a request.
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

	for i := 1; i <= store.RequestWindow; i++ {
		mustAppendRequest(t, s, alice.post(fmt.Sprint(i)), fmt.Sprint("req-", i))
	}
	if _, err := s.Request(alice.key, "req-1"); err != nil {
		t.Fatalf("Request(req-1) with %d entries = %v, want it found", store.RequestWindow, err)
	}
	if n := rows(); n != 2*store.RequestWindow {
		t.Errorf("%d R rows, want %d", n, 2*store.RequestWindow)
	}
	// One more entry, without a request: req-1 is out of the window.
	mustAppend(t, s, alice.post("no request"))
	if _, err := s.Request(alice.key, "req-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Request(req-1) out of the window = %v, want ErrNotFound", err)
	}
	if _, err := s.Request(alice.key, "req-2"); err != nil {
		t.Errorf("Request(req-2) = %v, want it found", err)
	}
	// The next request forgets both requests that fell out.
	mustAppendRequest(t, s, alice.post("last"), "last")
	if n := rows(); n != 2*(store.RequestWindow-1) {
		t.Errorf("%d R rows, want %d", n, 2*(store.RequestWindow-1))
	}
	for id, found := range map[string]bool{"req-1": false, "req-2": false, "req-3": true, "last": true} {
		if _, err := s.Request(alice.key, id); (err == nil) != found {
			t.Errorf("Request(%s) = %v, want found %v", id, err, found)
		}
	}
	// A forgotten ID is a new request.
	mustAppendRequest(t, s, alice.post("again"), "req-1")
	if r, err := s.Request(alice.key, "req-1"); err != nil || r.Seq != alice.last.Seq {
		t.Errorf("Request(req-1 again) = %+v, %v; want seq %d", r, err, alice.last.Seq)
	}
}
