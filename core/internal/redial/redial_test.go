package redial

import (
	"context"
	"errors"
	"slices"
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

// TestCheck: a peer broken at two checks in a row is dropped, once per
// Quiet.
func TestCheck(t *testing.T) {
	quiet := 30 * time.Second
	tests := []struct {
		name   string
		broken []bool // whether the peer is broken at each check, 10 s apart
		drops  []int  // the checks that drop it
	}{
		{"never broken", []bool{false, false, false}, nil},
		{"broken once", []bool{true, false, true, false}, nil},
		{"broken twice in a row", []bool{false, true, true}, []int{2}},
		{"stays broken: once per quiet", []bool{true, true, true, true, true, true}, []int{1, 4}},
		{"mended after the drop", []bool{true, true, false, true, false}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c checker
			var broken bool
			cfg := Config{
				Quiet:  quiet,
				Peers:  func() []peer.ID { return []peer.ID{"p"} },
				Broken: func(peer.ID) bool { return broken },
			}
			var got []int
			now := time.Unix(0, 0)
			for i, b := range tt.broken {
				broken = b
				if d := c.check(cfg, now); len(d) > 0 {
					got = append(got, i)
				}
				now = now.Add(10 * time.Second)
			}
			if !slices.Equal(got, tt.drops) {
				t.Errorf("dropped at checks %v, want %v", got, tt.drops)
			}
		})
	}
}

// TestLoopDropsBroken: a connected peer whose connection stays broken is
// dropped and dialled again; a peer not broken is left alone.
func TestLoopDropsBroken(t *testing.T) {
	f := &fakeNet{attempts: map[peer.ID]int{}, okAt: 1, conn: map[peer.ID]bool{"bad": true, "good": true}, dialed: make(chan peer.ID, 10)}
	var mu sync.Mutex
	var drops []peer.ID
	l := New(Config{
		Waits: []time.Duration{time.Millisecond}, Max: 2,
		Want:      func(peer.ID) bool { return true },
		Connected: f.connected,
		Dial:      f.dial,
		Check:     5 * time.Millisecond,
		Quiet:     time.Hour,
		Peers:     func() []peer.ID { return []peer.ID{"bad", "good"} },
		Broken:    func(p peer.ID) bool { return p == "bad" },
		Drop: func(p peer.ID) {
			mu.Lock()
			drops = append(drops, p)
			mu.Unlock()
			f.mu.Lock()
			f.conn[p] = false
			f.mu.Unlock()
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	finished := make(chan struct{})
	go func() { l.Run(ctx); close(finished) }()
	if p := <-f.dialed; p != "bad" {
		t.Errorf("dialled %s again, want bad", p)
	}
	time.Sleep(30 * time.Millisecond) // more checks: bad stays broken, within Quiet
	cancel()
	<-finished
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(drops, []peer.ID{"bad"}) {
		t.Errorf("dropped %v, want [bad] once", drops)
	}
}
