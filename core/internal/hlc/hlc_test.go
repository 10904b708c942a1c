package hlc

import (
	"testing"
	"time"
)

func TestClockMonotonic(t *testing.T) {
	base := time.UnixMilli(1_700_000_000_000)
	cur := base
	c := New(func() time.Time { return cur })

	steps := []struct {
		name    string
		wall    time.Time // wall clock before the step
		observe *Timestamp
		want    Timestamp
	}{
		{name: "first reading", wall: base, want: Timestamp{Wall: 1_700_000_000_000}},
		{name: "same millisecond", wall: base, want: Timestamp{Wall: 1_700_000_000_000, Logical: 1}},
		{name: "clock moves on", wall: base.Add(5 * time.Millisecond), want: Timestamp{Wall: 1_700_000_000_005}},
		{name: "clock steps back", wall: base, want: Timestamp{Wall: 1_700_000_000_005, Logical: 1}},
		{name: "peer ahead", wall: base, observe: &Timestamp{Wall: 1_700_000_060_000, Logical: 7}, want: Timestamp{Wall: 1_700_000_060_000, Logical: 8}},
		{name: "peer far in future ignored", wall: base, observe: &Timestamp{Wall: 1_800_000_000_000}, want: Timestamp{Wall: 1_700_000_060_000, Logical: 9}},
		{name: "peer behind ignored", wall: base, observe: &Timestamp{Wall: 1}, want: Timestamp{Wall: 1_700_000_060_000, Logical: 10}},
	}
	for _, s := range steps {
		cur = s.wall
		if s.observe != nil {
			c.Observe(*s.observe)
		}
		if got := c.Now(); got != s.want {
			t.Fatalf("%s: Now() = %v, want %v", s.name, got, s.want)
		}
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		a, b Timestamp
		want int
	}{
		{Timestamp{1, 0}, Timestamp{1, 0}, 0},
		{Timestamp{1, 0}, Timestamp{2, 0}, -1},
		{Timestamp{2, 0}, Timestamp{1, 9}, 1},
		{Timestamp{1, 1}, Timestamp{1, 2}, -1},
		{Timestamp{1, 3}, Timestamp{1, 2}, 1},
	}
	for _, tt := range tests {
		if got := tt.a.Compare(tt.b); got != tt.want {
			t.Errorf("%v.Compare(%v) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCounterOverflow(t *testing.T) {
	ts := Timestamp{Wall: 10, Logical: ^uint32(0)}
	if got, want := ts.next(), (Timestamp{Wall: 11}); got != want {
		t.Fatalf("next() = %v, want %v", got, want)
	}
}
