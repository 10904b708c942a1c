package redial

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeNet records dial attempts; a dial succeeds from attempt okAt on (0:
// never).
type fakeNet struct {
	mu       sync.Mutex
	attempts map[peer.ID]int
	okAt     int
	conn     map[peer.ID]bool
	dialed   chan peer.ID
}

func (f *fakeNet) dial(_ context.Context, p peer.ID) error {
	f.mu.Lock()
	f.attempts[p]++
	ok := f.okAt > 0 && f.attempts[p] >= f.okAt
	if ok {
		f.conn[p] = true
	}
	f.mu.Unlock()
	f.dialed <- p
	if !ok {
		return errors.New("refused")
	}
	return nil
}

func (f *fakeNet) connected(p peer.ID) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.conn[p]
}

func TestLoop(t *testing.T) {
	waits := []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}
	tests := []struct {
		name      string
		okAt      int  // the attempt that succeeds (0: none)
		connected bool // connected again by other means before the first attempt
		want      bool
		attempts  int
	}{
		{"every attempt fails", 0, false, true, 3},
		{"the second succeeds", 2, false, true, 2},
		{"connected meanwhile", 0, true, true, 0},
		{"not wanted", 0, false, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeNet{attempts: map[peer.ID]int{}, okAt: tt.okAt, conn: map[peer.ID]bool{}, dialed: make(chan peer.ID, 10)}
			p := peer.ID("p")
			f.conn[p] = tt.connected
			finished := make(chan struct{})
			l := New(Config{
				Waits: waits, Max: 2,
				Want:      func(peer.ID) bool { return tt.want },
				Connected: f.connected,
				Dial:      f.dial,
			})
			ctx, cancel := context.WithCancel(context.Background())
			go func() { l.Run(ctx); close(finished) }()
			l.Lost(p)
			for range tt.attempts {
				<-f.dialed
			}
			// Lost again after the attempts: the peer is free again
			// once its attempts ended, so a new round starts unless it
			// is connected or unwanted.
			time.Sleep(20 * time.Millisecond)
			cancel()
			<-finished
			f.mu.Lock()
			got := f.attempts[p]
			f.mu.Unlock()
			if got != tt.attempts {
				t.Errorf("attempts = %d, want %d", got, tt.attempts)
			}
		})
	}
}

// TestLoopBound: past Max peers being dialled again, a lost peer is not.
func TestLoopBound(t *testing.T) {
	block := make(chan struct{})
	var mu sync.Mutex
	dialed := map[peer.ID]bool{}
	started := make(chan struct{}, 4)
	l := New(Config{
		Waits: []time.Duration{time.Millisecond}, Max: 2,
		Want:      func(peer.ID) bool { return true },
		Connected: func(peer.ID) bool { return false },
		Dial: func(ctx context.Context, p peer.ID) error {
			mu.Lock()
			dialed[p] = true
			mu.Unlock()
			started <- struct{}{}
			select {
			case <-block:
			case <-ctx.Done():
			}
			return errors.New("refused")
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	finished := make(chan struct{})
	go func() { l.Run(ctx); close(finished) }()
	l.Lost("a")
	l.Lost("b")
	<-started
	<-started
	l.Lost("c") // both slots are taken
	time.Sleep(20 * time.Millisecond)
	cancel()
	<-finished
	close(block)
	if dialed["c"] || !dialed["a"] || !dialed["b"] {
		t.Errorf("dialled %v, want a and b only", dialed)
	}
}
