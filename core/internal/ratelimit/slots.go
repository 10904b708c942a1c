package ratelimit

import "sync"

// Slots caps how many of something (streams being served, say) each key
// holds at once. The zero value is not usable: use NewSlots. Slots is safe
// for concurrent use.
type Slots[K comparable] struct {
	max int

	mu   sync.Mutex
	held map[K]int
}

// NewSlots returns Slots that let each key hold at most max at once.
func NewSlots[K comparable](max int) *Slots[K] {
	return &Slots[K]{max: max, held: make(map[K]int)}
}

// Acquire takes a slot for k and reports whether there was one free. Each
// successful Acquire must be matched by one Release.
func (s *Slots[K]) Acquire(k K) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held[k] >= s.max {
		return false
	}
	s.held[k]++
	return true
}

// Release gives back a slot k acquired.
func (s *Slots[K]) Release(k K) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held[k]--; s.held[k] <= 0 {
		delete(s.held, k)
	}
}

// Held returns the number of slots k holds.
func (s *Slots[K]) Held(k K) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held[k]
}
