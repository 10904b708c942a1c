package chatnet

import (
	"encoding/binary"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// clock is a settable clock for an Inbox.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func group(i int) chatlog.GroupID {
	var g chatlog.GroupID
	binary.BigEndian.PutUint32(g[:], uint32(i))
	return g
}

func newInbox(t *testing.T, kv store.KV, cfg InboxConfig) (*Inbox, *clock) {
	t.Helper()
	c := &clock{t: time.UnixMilli(t0)}
	cfg.Now = c.now
	in, err := OpenInbox(kv, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return in, c
}

func memKV(t *testing.T) store.KV {
	kv := store.NewMemory()
	t.Cleanup(func() { kv.Close() })
	return kv
}

// groupsOf returns the groups of items.
func groupsOf(items []InboxItem) []chatlog.GroupID {
	out := make([]chatlog.GroupID, len(items))
	for i, it := range items {
		out[i] = it.Group
	}
	return out
}

func TestInbox(t *testing.T) {
	in, c := newInbox(t, memKV(t), InboxConfig{})
	a, b := keyOf(alice), keyOf(bob)
	add := func(r entry.Key, g int, at int64) {
		t.Helper()
		if err := in.Add(r, group(g), time.UnixMilli(at)); err != nil {
			t.Fatal(err)
		}
		c.add(time.Microsecond)
	}
	add(a, 1, t0)
	add(a, 2, t0+5)
	add(b, 1, t0)
	add(a, 1, t0+3) // group 1 moves after group 2, newest t0+3
	add(a, 2, t0+1) // group 2 moves after group 1, keeping its newest t0+5
	items, next, err := in.Since(a, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []InboxItem{{group(1), t0 + 3}, {group(2), t0 + 5}}
	if len(items) != 2 || items[0] != want[0] || items[1] != want[1] {
		t.Fatalf("Since(alice, 0) = %v, want %v", items, want)
	}
	// Paging: one at a time.
	first, cur, err := in.Since(a, 0, 1)
	if err != nil || len(first) != 1 || first[0] != want[0] {
		t.Fatalf("Since(alice, 0, 1) = %v, %v", first, err)
	}
	second, cur2, err := in.Since(a, cur, 1)
	if err != nil || len(second) != 1 || second[0] != want[1] || cur2 != next {
		t.Fatalf("Since(alice, %d, 1) = %v, %d, %v; want %v, %d", cur, second, cur2, err, want[1], next)
	}
	if items, n, err := in.Since(a, next, 10); err != nil || len(items) != 0 || n != next {
		t.Errorf("Since(alice, next) = %v, %d, %v; want nothing, %d", items, n, err, next)
	}
	// A new entry moves its group past the cursor.
	add(a, 2, t0+9)
	if items, _, err := in.Since(a, next, 10); err != nil || len(items) != 1 || items[0] != (InboxItem{group(2), t0 + 9}) {
		t.Errorf("Since(alice, next) after an Add = %v, %v; want group 2 at t0+9", items, err)
	}
	// A cursor beyond the last (a relay that lost its data) reads from the start.
	if items, _, err := in.Since(a, 1<<63, 10); err != nil || len(items) != 2 {
		t.Errorf("Since(alice, far cursor) = %v, %v; want both groups", items, err)
	}
	if items, n, err := in.Since(keyOf(carol), 5, 10); err != nil || len(items) != 0 || n != 5 {
		t.Errorf("Since(carol) = %v, %d, %v; want nothing, 5", items, n, err)
	}
	if items, _, err := in.Since(b, 0, 10); err != nil || len(items) != 1 {
		t.Errorf("Since(bob) = %v, %v; want group 1", items, err)
	}
}

// TestInboxCursorsAfterLoss: cursors are times, so a relay that lost its
// data still gives a later cursor to what arrives next.
func TestInboxCursorsAfterLoss(t *testing.T) {
	in, c := newInbox(t, memKV(t), InboxConfig{})
	a := keyOf(alice)
	in.Add(a, group(1), time.UnixMilli(t0))
	_, cur, _ := in.Since(a, 0, 10)
	c.add(time.Second)
	fresh, fc := newInbox(t, memKV(t), InboxConfig{})
	fc.add(c.now().Sub(fc.now()))
	if err := fresh.Add(a, group(2), time.UnixMilli(t0)); err != nil {
		t.Fatal(err)
	}
	if items, _, err := fresh.Since(a, cur, 10); err != nil || len(items) != 1 || items[0].Group != group(2) {
		t.Errorf("Since(old cursor) of a new relay = %v, %v; want group 2", items, err)
	}
}

func TestInboxBounds(t *testing.T) {
	kv := memKV(t)
	in, c := newInbox(t, kv, InboxConfig{PerRecipient: 3, Recipients: 2})
	a, b := keyOf(alice), keyOf(bob)
	for i := 1; i <= 5; i++ {
		if err := in.Add(a, group(i), time.UnixMilli(t0+int64(i))); err != nil {
			t.Fatal(err)
		}
		c.add(time.Microsecond)
	}
	items, _, err := in.Since(a, 0, 10)
	if got := groupsOf(items); err != nil || len(got) != 3 || got[0] != group(3) || got[2] != group(5) {
		t.Errorf("Since(alice) = %v, %v; want groups 3 to 5, the oldest dropped", got, err)
	}
	// An update of a held group drops nothing.
	in.Add(a, group(3), time.UnixMilli(t0+10))
	if items, _, _ := in.Since(a, 0, 10); len(items) != 3 {
		t.Errorf("Since(alice) after an update = %d items, want 3", len(items))
	}
	if err := in.Add(b, group(1), time.UnixMilli(t0)); err != nil {
		t.Fatal(err)
	}
	if err := in.Add(keyOf(carol), group(1), time.UnixMilli(t0)); !errors.Is(err, ErrInboxFull) {
		t.Errorf("Add(a third recipient) = %v, want ErrInboxFull", err)
	}
	if err := in.Add(b, group(2), time.UnixMilli(t0)); err != nil {
		t.Errorf("Add(bob, another group) = %v; bob is held", err)
	}
	// Reopened, the inbox counts its recipients again.
	again, _ := newInbox(t, kv, InboxConfig{PerRecipient: 3, Recipients: 2})
	if err := again.Add(keyOf(carol), group(1), time.UnixMilli(t0)); !errors.Is(err, ErrInboxFull) {
		t.Errorf("Add(a third recipient) after reopening = %v, want ErrInboxFull", err)
	}
	if items, _, _ := again.Since(a, 0, 10); len(items) != 3 {
		t.Errorf("Since(alice) after reopening = %d items, want 3", len(items))
	}
}

func TestInboxGC(t *testing.T) {
	kv := memKV(t)
	in, c := newInbox(t, kv, InboxConfig{Recipients: 2})
	a, b := keyOf(alice), keyOf(bob)
	day := int64(24 * 3600 * 1000)
	for i := range 2500 { // more than a GC batch
		if err := in.Add(a, group(i), time.UnixMilli(t0)); err != nil {
			t.Fatal(err)
		}
	}
	in.Add(a, group(0), time.UnixMilli(t0+20*day)) // renewed
	in.Add(b, group(1), time.UnixMilli(t0))
	c.add(time.Second)
	if n, err := in.GC(time.UnixMilli(t0 + 29*day)); n != 0 || err != nil {
		t.Errorf("GC(29 days) = %d, %v; want nothing dropped", n, err)
	}
	if n, err := in.GC(time.UnixMilli(t0 + 31*day)); n != 2500 || err != nil {
		t.Errorf("GC(31 days) = %d, %v; want 2,500 dropped", n, err)
	}
	if items, _, _ := in.Since(a, 0, MaxInboxItems); len(items) != 1 || items[0].Group != group(0) {
		t.Errorf("Since(alice) after GC = %v, want group 0 alone", groupsOf(items))
	}
	if items, _, _ := in.Since(b, 0, 10); len(items) != 0 {
		t.Errorf("Since(bob) after GC = %v, want nothing", items)
	}
	// bob's inbox is gone: room for a new recipient.
	if err := in.Add(keyOf(carol), group(1), time.UnixMilli(t0+31*day)); err != nil {
		t.Errorf("Add(carol) after GC = %v", err)
	}
	// The dropped groups come back as new items.
	in.Add(a, group(7), time.UnixMilli(t0+31*day))
	if items, _, _ := in.Since(a, 0, 10); len(items) != 2 {
		t.Errorf("Since(alice) = %v, want groups 0 and 7", groupsOf(items))
	}
}

func TestInboxAllow(t *testing.T) {
	in, _ := newInbox(t, memKV(t), InboxConfig{SenderRate: 60, SenderBurst: 5})
	allowed := func(k entry.Key) int {
		n := 0
		for range 20 {
			if in.Allow(k) {
				n++
			}
		}
		return n
	}
	if n := allowed(keyOf(alice)); n != 5 {
		t.Errorf("Allow(alice) ×20 = %d allowed, want the burst, 5", n)
	}
	if n := allowed(keyOf(bob)); n != 5 {
		t.Errorf("Allow(bob) ×20 = %d allowed, want 5: senders have their own budgets", n)
	}
}
