// Package keylock provides a mutex per key, taken within a context: one
// holder per key at a time, and a map entry only while a key is held or
// waited for.
package keylock

import (
	"context"
	"sync"
)

// Locks is a mutex per key of type K. The zero value is ready to use.
type Locks[K comparable] struct {
	mu sync.Mutex
	m  map[K]*lock
}

type lock struct {
	ch   chan struct{} // holds a value while locked
	refs int           // holders and waiters
}

// Lock waits until it holds k's lock, or ctx ends (it then returns
// ctx.Err()), and returns the function that releases it.
func (l *Locks[K]) Lock(ctx context.Context, k K) (unlock func(), err error) {
	l.mu.Lock()
	if l.m == nil {
		l.m = make(map[K]*lock)
	}
	kl := l.m[k]
	if kl == nil {
		kl = &lock{ch: make(chan struct{}, 1)}
		l.m[k] = kl
	}
	kl.refs++
	l.mu.Unlock()
	done := func() {
		l.mu.Lock()
		if kl.refs--; kl.refs == 0 {
			delete(l.m, k)
		}
		l.mu.Unlock()
	}
	select {
	case kl.ch <- struct{}{}:
		return func() { <-kl.ch; done() }, nil
	case <-ctx.Done():
		done()
		return nil, ctx.Err()
	}
}

// held returns the number of keys held or waited for.
func (l *Locks[K]) held() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}
