package store_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// TestNotificationCap: an account keeps at most MaxNotifications; the
// oldest go first, and the unread count stays right.
func TestNotificationCap(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		alice, bob := newWriter(t, "alice"), newWriter(t, "bob")
		t0 := time.UnixMilli(1700000000000)
		n := func(i int) store.Notification {
			var id [16]byte
			binary.BigEndian.PutUint32(id[:], uint32(i))
			return store.Notification{ID: id, Kind: "follower", From: bob.key, Time: t0.Add(time.Duration(i) * time.Second)}
		}
		const extra = 10
		for i := range store.MaxNotifications + extra {
			x := n(i)
			x.Read = i%2 == 0 // every other one read
			if added, err := s.AddNotification(alice.key, x); !added || err != nil {
				t.Fatalf("AddNotification(%d) = %v, %v; want added", i, added, err)
			}
		}
		ns, err := s.Notifications(alice.key, 2*store.MaxNotifications)
		if err != nil || len(ns) != store.MaxNotifications {
			t.Fatalf("Notifications() = %d, %v; want %d", len(ns), err, store.MaxNotifications)
		}
		if oldest := ns[len(ns)-1]; oldest.ID != n(extra).ID {
			t.Errorf("oldest kept = %x, want %x", oldest.ID, n(extra).ID)
		}
		if got, err := s.Unread(alice.key); err != nil || got != store.MaxNotifications/2 {
			t.Errorf("Unread() = %d, %v; want %d", got, err, store.MaxNotifications/2)
		}
		// One older than every kept one is not added.
		if added, err := s.AddNotification(alice.key, n(0)); added || err != nil {
			t.Errorf("AddNotification(older than all) = %v, %v; want not added", added, err)
		}
		// Marking everything read keeps the counts right.
		var ids [][16]byte
		for _, x := range ns {
			ids = append(ids, x.ID)
		}
		if err := s.MarkRead(alice.key, ids); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Unread(alice.key); got != 0 {
			t.Errorf("Unread() after MarkRead = %d, want 0", got)
		}
		if added, _ := s.AddNotification(alice.key, n(store.MaxNotifications+extra)); !added {
			t.Error("AddNotification(newest) not added")
		}
		if got, _ := s.Unread(alice.key); got != 1 {
			t.Errorf("Unread() = %d, want 1", got)
		}
		if ns, _ := s.Notifications(alice.key, 2*store.MaxNotifications); len(ns) != store.MaxNotifications {
			t.Errorf("Notifications() = %d, want %d", len(ns), store.MaxNotifications)
		}
	})
}

// TestNotificationRaw: a notification keeps the bytes of the entry it is
// about, and its sender's name, as given.
func TestNotificationRaw(t *testing.T) {
	forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
		s := newStore(t)
		alice, bob := newWriter(t, "alice"), newWriter(t, "bob")
		e := bob.post("hello @alice")
		x := store.Notification{ID: [16]byte{1}, Kind: "mention", From: bob.key, FromName: "bob", Time: time.UnixMilli(1), Entry: e.ID(), Raw: e.Bytes()}
		if _, err := s.AddNotification(alice.key, x); err != nil {
			t.Fatal(err)
		}
		ns, err := s.Notifications(alice.key, 1)
		if err != nil || len(ns) != 1 {
			t.Fatalf("Notifications() = %+v, %v", ns, err)
		}
		got := ns[0]
		if !bytes.Equal(got.Raw, e.Bytes()) || got.FromName != "bob" || got.Entry != e.ID() || got.Kind != "mention" || got.Read {
			t.Errorf("Notifications()[0] = %+v, want %+v", got, x)
		}
		s.MarkRead(alice.key, [][16]byte{{1}})
		if ns, _ := s.Notifications(alice.key, 1); !ns[0].Read || !bytes.Equal(ns[0].Raw, e.Bytes()) {
			t.Errorf("after MarkRead: %+v", ns[0])
		}
	})
}

// TestNotificationsOlderLayout: notification rows and unread counts written
// before entries were kept with them and the total was counted still read.
func TestNotificationsOlderLayout(t *testing.T) {
	kv := store.NewMemory()
	alice, bob := newWriter(t, "alice"), newWriter(t, "bob")
	var b store.Batch
	b.Put([]byte{'v'}, binary.BigEndian.AppendUint64(nil, 2))
	for i := range 3 {
		k := append([]byte{'n'}, alice.key[:]...)
		k = binary.BigEndian.AppendUint64(k, math.MaxUint64-uint64(time.UnixMilli(int64(1000+i)).UnixNano()))
		k = append(k, byte(i+1), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
		v := append([]byte{0}, bob.key[:]...)
		v = append(v, make([]byte, len(entry.ID{}))...)
		v = append(append(v, 8), "follower"...)
		b.Put(k, append(v, "bob"...))
	}
	b.Put(append([]byte{'u'}, alice.key[:]...), binary.BigEndian.AppendUint64(nil, 3))
	if err := kv.Commit(&b, true); err != nil {
		t.Fatal(err)
	}
	s, err := store.New(kv)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ns, err := s.Notifications(alice.key, 10)
	if err != nil || len(ns) != 3 || ns[0].FromName != "bob" || ns[0].Kind != "follower" || ns[0].ID[0] != 3 {
		t.Fatalf("Notifications() = %+v, %v; want the 3 rows of the older layout", ns, err)
	}
	if got, err := s.Unread(alice.key); err != nil || got != 3 {
		t.Errorf("Unread() = %d, %v; want 3", got, err)
	}
	if added, err := s.AddNotification(alice.key, store.Notification{ID: [16]byte{9}, Kind: "follower", From: bob.key, Time: time.UnixMilli(5000)}); !added || err != nil {
		t.Fatalf("AddNotification() = %v, %v", added, err)
	}
	if got, _ := s.Unread(alice.key); got != 4 {
		t.Errorf("Unread() = %d, want 4", got)
	}
}

// TestRecords: the last name record of a local account, and the last one
// a follower sent, are kept, each apart from the other.
func TestRecords(t *testing.T) {
	tests := []struct {
		name string
		put  func(*store.Store, entry.Key, []byte) error
		get  func(*store.Store, entry.Key) ([]byte, error)
	}{
		{"own", (*store.Store).PutOwnRecord, (*store.Store).OwnRecord},
		{"follower", (*store.Store).PutFollowerRecord, (*store.Store).FollowerRecord},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, newStore func(t *testing.T) *store.Store) {
				s := newStore(t)
				alice := newWriter(t, "alice")
				if _, err := tt.get(s, alice.key); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("get of an account without one: %v, want ErrNotFound", err)
				}
				for _, rec := range [][]byte{[]byte("first"), []byte("second")} {
					if err := tt.put(s, alice.key, rec); err != nil {
						t.Fatal(err)
					}
					if got, err := tt.get(s, alice.key); err != nil || !bytes.Equal(got, rec) {
						t.Errorf("get = %q, %v; want %q", got, err, rec)
					}
				}
				if tt.name == "follower" {
					if err := s.DropFollowerRecord(alice.key); err != nil {
						t.Fatal(err)
					}
					if _, err := tt.get(s, alice.key); !errors.Is(err, store.ErrNotFound) {
						t.Errorf("get after DropFollowerRecord: %v, want ErrNotFound", err)
					}
					if err := s.DropFollowerRecord(alice.key); err != nil {
						t.Errorf("DropFollowerRecord of none: %v", err)
					}
				}
				other := tests[1-i]
				if _, err := other.get(s, alice.key); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("the %s record was kept as the %s one too: %v", tt.name, other.name, err)
				}
			})
		})
	}
}
