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
	"golang.org/x/time/rate"
)

// Limiter is a table of token buckets, one per key, each refilled at the
// same rate up to the same burst. The table holds at most a fixed number of
// keys: past it, the least recently used bucket is forgotten, which gives
// that key a full bucket again if it comes back. A bucket unused for
// burst/rate is full anyway, so an attacker gains from the eviction only by
// keeping more than that many keys busy at once.
type Limiter struct {
	rate  rate.Limit
	burst int
	max   int
	now   func() time.Time

	mu   sync.Mutex
	keys map[string]*list.Element
	lru  list.List // of *bucket, the most recently used first
}

type bucket struct {
	key string
	l   *rate.Limiter
}

// New returns a Limiter that lets each key spend perSecond tokens a second
// on average and up to burst at once, tracking at most maxKeys keys.
func New(perSecond float64, burst, maxKeys int) *Limiter {
	return &Limiter{
		rate:  rate.Limit(perSecond),
		burst: max(burst, 1),
		max:   max(maxKeys, 1),
		now:   time.Now,
		keys:  make(map[string]*list.Element),
	}
}

// bucket returns key's bucket, making it the most recently used. l.mu is
// held.
func (l *Limiter) bucket(key string) *rate.Limiter {
	if e, ok := l.keys[key]; ok {
		l.lru.MoveToFront(e)
		return e.Value.(*bucket).l
	}
	if l.lru.Len() >= l.max {
		old := l.lru.Back()
		l.lru.Remove(old)
		delete(l.keys, old.Value.(*bucket).key)
	}
	b := &bucket{key: key, l: rate.NewLimiter(l.rate, l.burst)}
	l.keys[key] = l.lru.PushFront(b)
	return b.l
}

// Allow takes one token from key's bucket and reports whether there was one.
func (l *Limiter) Allow(key string) bool { return l.AllowN(key, 1) }

// AllowN takes n tokens from key's bucket if it holds that many, and
// reports whether it did.
func (l *Limiter) AllowN(key string, n int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bucket(key).AllowN(l.now(), n)
}

// WaitN takes n tokens from key's bucket, waiting until it holds them or ctx
// ends. n larger than the burst is taken in parts of at most the burst.
func (l *Limiter) WaitN(ctx context.Context, key string, n int) error {
	for n > 0 {
		part := min(n, l.burst)
		l.mu.Lock()
		r := l.bucket(key).ReserveN(l.now(), part)
		l.mu.Unlock()
		if d := r.Delay(); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				r.Cancel()
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
