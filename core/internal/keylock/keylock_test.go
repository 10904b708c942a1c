package keylock

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// TestLocks: one holder per key at a time; a waiter gives up when its
// context ends; other keys are not held up; nothing is left behind.
func TestLocks(t *testing.T) {
	var l Locks[peer.ID]
	a, b := peer.ID("a"), peer.ID("b")
	unlockA, err := l.Lock(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	unlockB, err := l.Lock(context.Background(), b)
	if err != nil {
		t.Fatal("another peer's lock waited: ", err)
	}
	unlockB()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := l.Lock(ctx, a); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second lock of a held peer: %v, want the context's error", err)
	}
	got := make(chan func())
	go func() {
		u, err := l.Lock(context.Background(), a)
		if err != nil {
			t.Error(err)
		}
		got <- u
	}()
	select {
	case <-got:
		t.Fatal("a waiter took a held lock")
	case <-time.After(50 * time.Millisecond):
	}
	unlockA()
	(<-got)()
	if l.held() != 0 {
		t.Fatalf("%d locks left behind", l.held())
	}
}
