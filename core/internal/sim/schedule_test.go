package sim

import (
	"math"
	"reflect"
	"testing"
	"time"
)

func TestNewSchedule(t *testing.T) {
	g := PowerLaw(500, DefaultMeanOut, DefaultAlpha, 1)
	tests := []struct {
		name string
		c    ScheduleConfig
	}{
		{"posts only", ScheduleConfig{Duration: time.Hour, PostsPerSecond: 5, Seed: 1}},
		{"churn", ScheduleConfig{Duration: 10 * time.Minute, PostsPerSecond: 20, ChurnFraction: 0.2, OfflineFor: time.Minute, Seed: 2}},
		{"churn and background", ScheduleConfig{Duration: 10 * time.Minute, PostsPerSecond: 20, ChurnFraction: 0.3, BackgroundFraction: 0.3, OfflineFor: 2 * time.Minute, BackgroundFor: 3 * time.Minute, Seed: 3, Protected: []int{0, 1, 2}}},
		{"everyone churns", ScheduleConfig{Duration: time.Minute, PostsPerSecond: 50, ChurnFraction: 1, Seed: 4, Protected: []int{7}}},
		{"fractions over 1", ScheduleConfig{Duration: time.Minute, PostsPerSecond: 1, ChurnFraction: 0.8, BackgroundFraction: 0.8, Seed: 5}},
		{"offline longer than the run", ScheduleConfig{Duration: time.Minute, Settle: 10 * time.Second, PostsPerSecond: 1, ChurnFraction: 0.5, OfflineFor: time.Hour, BackgroundFraction: 0.2, BackgroundFor: time.Hour, Seed: 6}},
		{"by followers", ScheduleConfig{Duration: time.Hour, PostsPerSecond: 5, AuthorBy: AuthorsByFollowers, ChurnFraction: 0.1, Seed: 7}},
		{"no posts", ScheduleConfig{Duration: time.Minute, ChurnFraction: 0.1, Seed: 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := NewSchedule(g, tt.c)
			end := tt.c.ActiveEnd()
			protected := map[int]bool{}
			for _, p := range tt.c.Protected {
				protected[p] = true
			}
			// state per node: offline, background.
			off := map[int]bool{}
			bg := map[int]bool{}
			churned, backgrounded := map[int]bool{}, map[int]bool{}
			for i, e := range ev {
				if i > 0 && ev[i-1].At > e.At {
					t.Fatalf("not sorted at %d: %v after %v", i, e, ev[i-1])
				}
				if e.At < 0 || e.At > end {
					t.Fatalf("%v outside [0, %v]", e, end)
				}
				if e.Node < 0 || e.Node >= g.N {
					t.Fatalf("%v: node out of range", e)
				}
				if e.Kind != EventPost && protected[e.Node] {
					t.Fatalf("protected node churned: %v", e)
				}
				switch e.Kind {
				case EventPost:
					if off[e.Node] {
						t.Fatalf("%v: posts while offline", e)
					}
					if e.At >= end {
						t.Fatalf("%v: post in the settle time", e)
					}
				case EventOffline:
					if off[e.Node] || bg[e.Node] {
						t.Fatalf("%v: already away", e)
					}
					off[e.Node], churned[e.Node] = true, true
				case EventOnline:
					if !off[e.Node] {
						t.Fatalf("%v: was not offline", e)
					}
					off[e.Node] = false
				case EventBackground:
					if off[e.Node] || bg[e.Node] {
						t.Fatalf("%v: already away", e)
					}
					bg[e.Node], backgrounded[e.Node] = true, true
				case EventForeground:
					if !bg[e.Node] {
						t.Fatalf("%v: was not in background", e)
					}
					bg[e.Node] = false
				default:
					t.Fatalf("%v: unknown kind", e)
				}
			}
			for n, o := range off {
				if o {
					t.Errorf("node %d still offline at the end", n)
				}
			}
			for n, b := range bg {
				if b {
					t.Errorf("node %d still in background at the end", n)
				}
			}
			for n := range churned {
				if backgrounded[n] {
					t.Errorf("node %d both churned and backgrounded", n)
				}
			}
			eligible := g.N - len(tt.c.Protected)
			if want := fracCount(tt.c.ChurnFraction, eligible); len(churned) != want {
				t.Errorf("%d nodes churned, want %d", len(churned), want)
			}
			if got := Churned(ev); len(got) != len(churned) {
				t.Errorf("Churned = %d nodes, want %d", len(got), len(churned))
			}
			if want := min(fracCount(tt.c.BackgroundFraction, eligible), eligible-len(churned)); len(backgrounded) != want {
				t.Errorf("%d nodes backgrounded, want %d", len(backgrounded), want)
			}
			// Post count within 5 sigma of the Poisson mean (a count, not timing).
			posts := Count(ev, EventPost)
			mean := tt.c.PostsPerSecond * end.Seconds()
			if math.Abs(float64(posts)-mean) > 5*math.Sqrt(mean)+1 {
				t.Errorf("%d posts, want about %.0f", posts, mean)
			}
			if !reflect.DeepEqual(ev, NewSchedule(g, tt.c)) {
				t.Error("not deterministic for a seed")
			}
		})
	}
}

func TestSchedulePostRate(t *testing.T) {
	g := PowerLaw(200, 10, DefaultAlpha, 3)
	c := ScheduleConfig{Duration: 2 * time.Hour, Settle: time.Nanosecond, PostsPerSecond: 5, ChurnFraction: 0.1, OfflineFor: 10 * time.Minute, Seed: 9}
	posts := Count(NewSchedule(g, c), EventPost)
	want := 5 * c.ActiveEnd().Seconds() // 36,000
	if r := float64(posts) / want; r < 0.98 || r > 1.02 {
		t.Fatalf("%d posts over %v at 5/s: ratio %.4f", posts, c.ActiveEnd(), r)
	}
}

func TestScheduleAuthors(t *testing.T) {
	g := PowerLaw(300, 10, 1.3, 4)
	deg := g.InDegrees()
	c := ScheduleConfig{Duration: time.Hour, PostsPerSecond: 10, AuthorBy: AuthorsByFollowers, Seed: 5}
	per := make([]int, g.N)
	for _, e := range NewSchedule(g, c) {
		per[e.Node]++
	}
	top, zero := 0, 0
	for i, d := range deg {
		if d == 0 && per[i] > 0 {
			zero++
		}
		if d > deg[top] {
			top = i
		}
	}
	if zero > 0 {
		t.Errorf("%d nodes nobody follows posted", zero)
	}
	if per[top] < 5*int(Sample(toFloats(per)).Percentile(50)) {
		t.Errorf("the most followed author posted %d times, median %v", per[top], Sample(toFloats(per)).Percentile(50))
	}

	c.AuthorBy = AuthorsUniform
	per = make([]int, g.N)
	for _, e := range NewSchedule(g, c) {
		per[e.Node]++
	}
	s := Sample(toFloats(per))
	if s.Min() == 0 || s.Max() > 3*s.Mean() {
		t.Errorf("uniform authors: min %v max %v mean %v", s.Min(), s.Max(), s.Mean())
	}
}

func toFloats(v []int) []float64 {
	f := make([]float64, len(v))
	for i, x := range v {
		f[i] = float64(x)
	}
	return f
}

func TestScheduleDegenerate(t *testing.T) {
	tests := []struct {
		name string
		g    Graph
		c    ScheduleConfig
	}{
		{"empty graph", Graph{}, ScheduleConfig{Duration: time.Minute, PostsPerSecond: 1}},
		{"zero duration", PowerLaw(10, 2, 1, 1), ScheduleConfig{PostsPerSecond: 1, ChurnFraction: 1}},
		{"settle is everything", PowerLaw(10, 2, 1, 1), ScheduleConfig{Duration: time.Minute, Settle: time.Hour, PostsPerSecond: 1}},
		{"infinite rate", PowerLaw(10, 2, 1, 1), ScheduleConfig{Duration: time.Minute, PostsPerSecond: math.Inf(1)}},
		{"vanishing rate", PowerLaw(10, 2, 1, 1), ScheduleConfig{Duration: time.Minute, PostsPerSecond: 1e-300}},
		{"NaN fractions", PowerLaw(10, 2, 1, 1), ScheduleConfig{Duration: time.Minute, ChurnFraction: math.NaN(), BackgroundFraction: -1, PostsPerSecond: math.NaN()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ev := NewSchedule(tt.g, tt.c); len(ev) != 0 {
				t.Fatalf("%d events, want none", len(ev))
			}
		})
	}
}

func TestScheduleMaxPosts(t *testing.T) {
	g := PowerLaw(10, 2, 1, 1)
	ev := NewSchedule(g, ScheduleConfig{Duration: 1000 * time.Hour, PostsPerSecond: 1e6, MaxPosts: 1000, Seed: 1})
	if n := Count(ev, EventPost); n != 1000 {
		t.Fatalf("%d posts, want MaxPosts (1000)", n)
	}
}

func TestEventStrings(t *testing.T) {
	e := Event{At: 1500 * time.Millisecond, Node: 7, Kind: EventBackground}
	if got := e.String(); got != "1.5s node 7 background" {
		t.Errorf("String = %q", got)
	}
	if EventKind(99).String() != "EventKind(99)" {
		t.Errorf("unknown kind: %q", EventKind(99).String())
	}
}
