// Package hlc implements a hybrid logical clock: wall-clock milliseconds
// plus a logical counter, so that timestamps issued by one clock strictly
// increase and a timestamp observed from a peer is never followed by a
// smaller local one, even when wall clocks are skewed.
package hlc

import (
	"fmt"
	"sync"
	"time"
)

// MaxDrift is how far ahead of the local wall clock an observed timestamp
// may be and still advance the clock. Timestamps further in the future are
// not adopted, so one peer with a broken clock cannot drag everyone's clock
// forward.
const MaxDrift = time.Hour

// Timestamp is a hybrid logical clock reading. The zero value is "no time".
type Timestamp struct {
	Wall    uint64 // milliseconds since the Unix epoch
	Logical uint32 // counter that orders readings within one millisecond
}

// Compare returns -1, 0 or +1 as t is before, equal to or after u.
func (t Timestamp) Compare(u Timestamp) int {
	switch {
	case t.Wall < u.Wall:
		return -1
	case t.Wall > u.Wall:
		return 1
	case t.Logical < u.Logical:
		return -1
	case t.Logical > u.Logical:
		return 1
	}
	return 0
}

// Less reports whether t is before u.
func (t Timestamp) Less(u Timestamp) bool { return t.Compare(u) < 0 }

// IsZero reports whether t is the zero Timestamp.
func (t Timestamp) IsZero() bool { return t == Timestamp{} }

// Time returns the wall-clock part of t as a time.Time.
func (t Timestamp) Time() time.Time { return time.UnixMilli(int64(t.Wall)) }

// String formats t as RFC 3339 with milliseconds, followed by the counter.
func (t Timestamp) String() string {
	return fmt.Sprintf("%s+%d", t.Time().UTC().Format("2006-01-02T15:04:05.000Z"), t.Logical)
}

// Clock issues strictly increasing Timestamps. A Clock is safe for
// concurrent use. The zero value is not usable; call New.
type Clock struct {
	now func() time.Time

	mu   sync.Mutex
	last Timestamp
}

// New returns a Clock reading wall time from now, or from time.Now if now is
// nil.
func New(now func() time.Time) *Clock {
	if now == nil {
		now = time.Now
	}
	return &Clock{now: now}
}

func (c *Clock) wall() uint64 {
	ms := c.now().UnixMilli()
	if ms < 0 {
		return 0
	}
	return uint64(ms)
}

// Now returns a Timestamp after every Timestamp previously returned by Now
// or passed to Observe.
func (c *Clock) Now() Timestamp {
	w := c.wall()
	c.mu.Lock()
	defer c.mu.Unlock()
	if w > c.last.Wall {
		c.last = Timestamp{Wall: w}
	} else {
		c.last = c.last.next()
	}
	return c.last
}

// Observe merges a Timestamp seen from elsewhere (a peer's entry, our own
// log after a restart) into the clock, so later readings come after it. It
// reports false and leaves the clock alone when t is more than MaxDrift
// ahead of the local wall clock.
func (c *Clock) Observe(t Timestamp) bool {
	if t.Wall > c.wall()+uint64(MaxDrift/time.Millisecond) {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last.Less(t) {
		c.last = t
	}
	return true
}

func (t Timestamp) next() Timestamp {
	if t.Logical == ^uint32(0) {
		return Timestamp{Wall: t.Wall + 1}
	}
	return Timestamp{Wall: t.Wall, Logical: t.Logical + 1}
}
