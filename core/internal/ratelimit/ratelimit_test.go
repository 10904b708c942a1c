package ratelimit

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	ma "github.com/multiformats/go-multiaddr"
)

// fakeClock is a clock that tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestLimiter(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	l := New(2, 3, 2) // 2 a second, bursts of 3, two keys
	l.now = clock.now
	allowed := func(key string, n int) int {
		got := 0
		for range n {
			if l.Allow(key) {
				got++
			}
		}
		return got
	}
	if got := allowed("a", 10); got != 3 {
		t.Fatalf("Allow(a) ×10 = %d allowed, want the burst, 3", got)
	}
	if got := allowed("b", 10); got != 3 {
		t.Fatalf("Allow(b) ×10 = %d allowed, want 3: keys have their own buckets", got)
	}
	clock.add(time.Second)
	if got := allowed("a", 10); got != 2 {
		t.Fatalf("Allow(a) ×10 a second later = %d allowed, want 2", got)
	}
	allowed("c", 1) // evicts b, the least recently used
	if got := l.Len(); got != 2 {
		t.Fatalf("Len() = %d, want 2", got)
	}
	if got := allowed("b", 10); got != 3 {
		t.Fatalf("Allow(b) ×10 after eviction = %d, want a full bucket, 3", got)
	}
	if l.AllowN("d", 4) {
		t.Fatal("AllowN(d, 4) with a burst of 3 succeeded")
	}
}

func TestLimiterWait(t *testing.T) {
	l := New(1000, 10, 4)
	ctx := context.Background()
	start := time.Now()
	if err := l.WaitN(ctx, "a", 50); err != nil { // more than the burst: in parts
		t.Fatal(err)
	}
	if time.Since(start) < 20*time.Millisecond {
		t.Fatalf("WaitN(50) at 1000/s with a burst of 10 took %v, want about 40ms", time.Since(start))
	}
	slow := New(0.001, 1, 4)
	slow.Allow("a")
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := slow.WaitN(cctx, "a", 1); err == nil {
		t.Fatal("WaitN on an empty bucket returned before its context ended")
	}
}

func TestNetwork(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"/ip4/192.0.2.77/tcp/4001", "ip4/192.0.2.0/24"},
		{"/ip4/192.0.2.1/udp/4001/quic-v1", "ip4/192.0.2.0/24"},
		{"/ip4/127.0.1.5/tcp/1", "ip4/127.0.1.0/24"},
		{"/ip6/2001:db8:1:2::5/tcp/4001", "ip6/2001:db8:1::/48"},
		{"/ip4/192.0.2.77/tcp/4001/p2p/12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq/p2p-circuit", ""},
		{"/dns4/example.com/tcp/1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := Network(ma.StringCast(tt.addr)); got != tt.want {
				t.Errorf("Network(%s) = %q, want %q", tt.addr, got, tt.want)
			}
		})
	}
	if got := Network(nil); got != "" {
		t.Errorf("Network(nil) = %q", got)
	}
}

// lines counts the lines a slog text handler wrote.
type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lines) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Split(strings.TrimSpace(l.buf.String()), "\n")
}

func TestLogHoldsBackAndSums(t *testing.T) {
	out := &lines{}
	g := NewLogLimits(slog.New(slog.NewTextHandler(out, nil)), 2, 5, 50*time.Millisecond, 3)
	for range 1000 {
		g.Warn("peer-a", "rejected gossip entry", "err", "bad signature")
	}
	for range 10 {
		g.Warn("peer-b", "bad notice")
	}
	for _, k := range []string{"peer-c", "peer-d", "peer-e"} { // past 3 keys: others
		g.Warn(k, "bad notice")
	}
	g.Debug("peer-a", "below the handler's level") // not even counted
	deadline := time.Now().Add(5 * time.Second)
	for len(out.get()) < 8 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	got := out.get()
	// 2 of a, 2 of b, 1 of c (5 in all), then one sum each for a, b and
	// others (d and e, past the 3 keys tracked).
	if len(got) != 8 {
		t.Fatalf("wrote %d lines, want 5 passed and 3 sums:\n%s", len(got), strings.Join(got, "\n"))
	}
	for _, want := range []string{
		`peer=peer-a lines=998`, `messages="rejected gossip entry ×998"`,
		`peer=peer-b lines=8`, `peer=others lines=2`,
	} {
		if !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("log lacks %q:\n%s", want, strings.Join(got, "\n"))
		}
	}
	// A new window passes lines again.
	g.Warn("peer-a", "rejected gossip entry")
	g.Close()
	g.Warn("peer-a", "after close")
	if got := out.get(); len(got) != 9 {
		t.Fatalf("wrote %d lines after a new window and Close, want 9:\n%s", len(got), strings.Join(got, "\n"))
	}
}

func TestLogDiscard(t *testing.T) {
	g := NewLog(nil)
	defer g.Close()
	for range 100 {
		g.Warn("p", "nothing")
	}
	if len(g.keys) != 0 {
		t.Fatal("a discarding Log tracked keys")
	}
}

func TestLimiterTakeGive(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	l := New(100, 1000, 8)
	l.now = clock.now
	if got := l.Take("a", 600); got != 600 {
		t.Fatalf("Take(600) of a full bucket of 1000 = %d", got)
	}
	if got := l.Take("a", 600); got != 400 {
		t.Fatalf("Take(600) of 400 left = %d, want 400", got)
	}
	if got := l.Take("a", 1); got != 0 {
		t.Fatalf("Take(1) of an empty bucket = %d", got)
	}
	l.Give("a", 150)
	clock.add(time.Second) // +100
	if got := l.Take("a", 1000); got != 250 {
		t.Fatalf("Take after Give(150) and a second = %d, want 250", got)
	}
	l.Give("a", 5000)
	if got := l.Take("a", 5000); got != 1000 {
		t.Fatalf("Give beyond the burst: Take = %d, want the burst, 1000", got)
	}
}

func TestSlots(t *testing.T) {
	s := NewSlots[string](2)
	for i, tt := range []struct {
		op   string // "a" acquire, "r" release
		key  string
		want bool // Acquire's result
		held int  // Held(key) after
	}{
		{"a", "p", true, 1},
		{"a", "p", true, 2},
		{"a", "p", false, 2},
		{"a", "q", true, 1},
		{"r", "p", false, 1},
		{"a", "p", true, 2},
		{"r", "p", false, 1},
		{"r", "p", false, 0},
		{"a", "p", true, 1},
	} {
		if tt.op == "a" {
			if got := s.Acquire(tt.key); got != tt.want {
				t.Fatalf("step %d: Acquire(%s) = %v, want %v", i, tt.key, got, tt.want)
			}
		} else {
			s.Release(tt.key)
		}
		if got := s.Held(tt.key); got != tt.held {
			t.Fatalf("step %d: Held(%s) = %d, want %d", i, tt.key, got, tt.held)
		}
	}
	if len(s.held) != 2 {
		t.Errorf("%d keys held, want 2 (a key without slots is forgotten)", len(s.held))
	}
}
