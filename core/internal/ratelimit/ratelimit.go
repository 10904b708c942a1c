// Package ratelimit bounds what one peer, or one network, can make a node
// spend: token buckets kept per key (a peer ID, an IP prefix, an account
// key) in a table of bounded size, and a logger that lets a few lines per
// key through and sums up the rest.
//
// Keys are strings the caller chooses; Network maps a remote address to the
// key of the network it is in. Every type here is safe for concurrent use.
package ratelimit

import (
	"container/list"
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"

	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// Limiter is a table of token buckets, one per key, each refilled at the
// same rate up to the same burst; a new key's bucket starts full. The table
// holds at most a fixed number of keys: past it, the least recently used
// bucket is forgotten, which gives that key a full bucket again if it comes
// back. A bucket unused for burst/rate is full anyway, so an attacker gains
// from the eviction only by keeping more than that many keys busy at once.
type Limiter struct {
	rate  float64 // tokens a second
	burst float64
	max   int
	now   func() time.Time

	mu   sync.Mutex
	keys map[string]*list.Element
	lru  list.List // of *bucket, the most recently used first
}

type bucket struct {
	key    string
	tokens float64
	last   time.Time // when tokens was last brought up to date
}

// New returns a Limiter that lets each key spend perSecond tokens a second
// on average and up to burst at once, tracking at most maxKeys keys.
func New(perSecond float64, burst, maxKeys int) *Limiter {
	return &Limiter{
		rate:  perSecond,
		burst: float64(max(burst, 1)),
		max:   max(maxKeys, 1),
		now:   time.Now,
		keys:  make(map[string]*list.Element),
	}
}

// bucket returns key's bucket, refilled up to now and made the most
// recently used. l.mu is held.
func (l *Limiter) bucket(key string, now time.Time) *bucket {
	if e, ok := l.keys[key]; ok {
		l.lru.MoveToFront(e)
		b := e.Value.(*bucket)
		if d := now.Sub(b.last).Seconds(); d > 0 {
			b.tokens = min(l.burst, b.tokens+d*l.rate)
			b.last = now
		}
		return b
	}
	if l.lru.Len() >= l.max {
		old := l.lru.Back()
		l.lru.Remove(old)
		delete(l.keys, old.Value.(*bucket).key)
	}
	b := &bucket{key: key, tokens: l.burst, last: now}
	l.keys[key] = l.lru.PushFront(b)
	return b
}

// Allow takes one token from key's bucket and reports whether there was one.
func (l *Limiter) Allow(key string) bool { return l.AllowN(key, 1) }

// AllowN takes n tokens from key's bucket if it holds that many, and
// reports whether it did.
func (l *Limiter) AllowN(key string, n int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(key, l.now())
	if b.tokens < float64(n) {
		return false
	}
	b.tokens -= float64(n)
	return true
}

// Take takes up to n whole tokens from key's bucket, as many as it holds,
// and returns how many it took.
func (l *Limiter) Take(key string, n int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(key, l.now())
	got := min(n, int(b.tokens))
	if got < 0 {
		got = 0
	}
	b.tokens -= float64(got)
	return got
}

// Give puts n tokens back into key's bucket, up to its burst: tokens taken
// and not spent.
func (l *Limiter) Give(key string, n int) {
	if n <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(key, l.now())
	b.tokens = min(l.burst, b.tokens+float64(n))
}

// WaitN takes n tokens from key's bucket, waiting until it holds them or ctx
// ends. n larger than the burst is taken in parts of at most the burst.
func (l *Limiter) WaitN(ctx context.Context, key string, n int) error {
	for n > 0 {
		part := min(n, int(l.burst))
		for {
			l.mu.Lock()
			b := l.bucket(key, l.now())
			short := float64(part) - b.tokens
			if short <= 0 {
				b.tokens -= float64(part)
			}
			l.mu.Unlock()
			if short <= 0 {
				break
			}
			if l.rate <= 0 {
				<-ctx.Done()
				return ctx.Err()
			}
			t := time.NewTimer(time.Duration(short / l.rate * float64(time.Second)))
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			}
		}
		n -= part
	}
	return nil
}

// Len returns the number of keys tracked.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lru.Len()
}

// Network returns the key of the network a remote address is in: "ip4/"
// and its /24 prefix, or "ip6/" and its /48 prefix, so that the many
// addresses (and the many peer IDs behind them) one operator easily gets
// share one budget. It returns "" for an address without an IP of its own,
// such as a relayed one, which its relay bounds instead.
func Network(a ma.Multiaddr) string {
	if a == nil {
		return ""
	}
	if _, err := a.ValueForProtocol(ma.P_CIRCUIT); err == nil {
		return ""
	}
	ip, err := manet.ToIP(a)
	if err != nil {
		return ""
	}
	addr, ok := netip.AddrFromSlice(ip)
	if !ok {
		return ""
	}
	addr = addr.Unmap()
	if addr.Is4() {
		p, _ := addr.Prefix(24)
		return "ip4/" + p.String()
	}
	p, _ := addr.Prefix(48)
	return "ip6/" + p.String()
}

// Count is how many of one kind of event a key caused in a window.
type Count struct {
	What string
	N    int
}

func (c Count) String() string { return fmt.Sprintf("%s ×%d", c.What, c.N) }
