package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// EventKind is what happens to a node at an Event.
type EventKind int

// The kinds of scheduled events.
const (
	// EventPost: the node publishes one post.
	EventPost EventKind = iota
	// EventOffline: the node goes offline (closes its host or is cut off).
	EventOffline
	// EventOnline: the node that went offline comes back.
	EventOnline
	// EventBackground: the node switches to background power mode.
	EventBackground
	// EventForeground: the node returns to foreground power mode.
	EventForeground
)

// String returns the kind's name, e.g. "post".
func (k EventKind) String() string {
	switch k {
	case EventPost:
		return "post"
	case EventOffline:
		return "offline"
	case EventOnline:
		return "online"
	case EventBackground:
		return "background"
	case EventForeground:
		return "foreground"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is one scheduled action: at offset At from the start of the run,
// Node (an index into the Graph) does Kind.
type Event struct {
	At   time.Duration `json:"at_ns"`
	Node int           `json:"node"`
	Kind EventKind     `json:"kind"`
}

// String formats the event for logs, e.g. "12.5s node 7 post".
func (e Event) String() string {
	return fmt.Sprintf("%v node %d %v", e.At, e.Node, e.Kind)
}

// AuthorChoice says how the author of each scheduled post is drawn.
type AuthorChoice int

const (
	// AuthorsUniform draws every post's author uniformly among the nodes
	// online at that moment (the default): every node's topic is exercised.
	AuthorsUniform AuthorChoice = iota
	// AuthorsByFollowers draws authors with weight equal to their follower
	// count (nodes nobody follows never post): popular accounts post more.
	AuthorsByFollowers
)

// ScheduleConfig parametrises NewSchedule. Zero fields take the defaults
// documented on each.
type ScheduleConfig struct {
	// Duration is the length of the run.
	Duration time.Duration
	// Settle is the quiet time at the end of the run: no post and no churn
	// event falls in [Duration−Settle, Duration], so deliveries and
	// catch-up can finish before the run is measured. Default Duration/10.
	Settle time.Duration
	// PostsPerSecond is the total posting rate over the network. Posts are a
	// Poisson process over [0, Duration−Settle).
	PostsPerSecond float64
	// MaxPosts bounds the posts drawn (and the schedule's memory): a rate
	// and duration that would draw more stop there. Default
	// DefaultMaxPosts (about a million).
	MaxPosts int
	// AuthorBy says how each post's author is drawn (default uniform).
	AuthorBy AuthorChoice
	// ChurnFraction (0..1) of the unprotected nodes go offline once, for
	// OfflineFor, at a uniform random time, and come back.
	ChurnFraction float64
	// BackgroundFraction (0..1) of the unprotected nodes (disjoint from the
	// churned ones) go to background power mode once, for BackgroundFor,
	// and come back to the foreground.
	BackgroundFraction float64
	// OfflineFor is how long a churned node stays away. Default (and
	// maximum) half of Duration−Settle.
	OfflineFor time.Duration
	// BackgroundFor is how long a node stays in background mode. Default
	// OfflineFor; at most Duration−Settle.
	BackgroundFor time.Duration
	// Seed makes the schedule reproducible.
	Seed uint64
	// Protected nodes (e.g. relays, the measuring node) are never churned
	// or sent to the background; they may still post.
	Protected []int
}

// DefaultMaxPosts is ScheduleConfig.MaxPosts's default.
const DefaultMaxPosts = 1 << 20

// ActiveEnd returns Duration−Settle (with the default Settle): the time by
// which every post has been made and every node is back online and in the
// foreground.
func (c ScheduleConfig) ActiveEnd() time.Duration {
	settle := c.Settle
	if settle <= 0 {
		settle = c.Duration / 10
	}
	if settle > c.Duration {
		settle = c.Duration
	}
	return c.Duration - settle
}

// NewSchedule draws the posts and churn of a run over graph g. The events
// are sorted by At (ties by Node, then coming back before posting before
// going away). Every node that goes offline comes back online, and every
// node sent to the background comes back to the foreground, no later than
// c.ActiveEnd(). A node never posts while offline (the author is drawn
// again, up to 32 times, else that post is dropped); a node in the
// background may post. Protected nodes are never churned. The schedule is a
// pure function of g and c.
func NewSchedule(g Graph, c ScheduleConfig) []Event {
	end := c.ActiveEnd()
	if g.N <= 0 || end <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(c.Seed, 0x736b65696e2d7331)) // "skein-s1"
	offFor := c.OfflineFor
	if offFor <= 0 || offFor > end/2 {
		offFor = end / 2
	}
	bgFor := c.BackgroundFor
	if bgFor <= 0 {
		bgFor = offFor
	}
	if bgFor > end {
		bgFor = end
	}

	protected := make(map[int]bool, len(c.Protected))
	for _, p := range c.Protected {
		protected[p] = true
	}
	var eligible []int
	for i := range g.N {
		if !protected[i] {
			eligible = append(eligible, i)
		}
	}
	rng.Shuffle(len(eligible), func(i, j int) { eligible[i], eligible[j] = eligible[j], eligible[i] })
	nChurn := fracCount(c.ChurnFraction, len(eligible))
	nBg := min(fracCount(c.BackgroundFraction, len(eligible)), len(eligible)-nChurn)

	var events []Event
	// offline[node] = the interval it is away, to keep it from posting.
	type span struct{ from, to time.Duration }
	offline := make(map[int]span, nChurn)
	window := func(length time.Duration) (time.Duration, time.Duration) {
		start := time.Duration(rng.Int64N(int64(end-length) + 1))
		return start, start + length
	}
	for _, node := range eligible[:nChurn] {
		from, to := window(offFor)
		offline[node] = span{from, to}
		events = append(events, Event{from, node, EventOffline}, Event{to, node, EventOnline})
	}
	for _, node := range eligible[nChurn : nChurn+nBg] {
		from, to := window(bgFor)
		events = append(events, Event{from, node, EventBackground}, Event{to, node, EventForeground})
	}

	// Posts: a Poisson process at c.PostsPerSecond over [0, end).
	if c.PostsPerSecond > 0 && !math.IsInf(c.PostsPerSecond, 0) {
		var cum []float64 // author weights for AuthorsByFollowers
		total := 0.0
		if c.AuthorBy == AuthorsByFollowers {
			cum = make([]float64, g.N)
			for i, d := range g.InDegrees() {
				total += float64(d)
				cum[i] = total
			}
			if total == 0 {
				cum = nil
			}
		}
		draw := func() int {
			if cum == nil {
				return rng.IntN(g.N)
			}
			i := sort.SearchFloat64s(cum, rng.Float64()*total)
			for i < g.N-1 && cum[i] == 0 { // never a node with no weight
				i++
			}
			return min(i, g.N-1)
		}
		meanGap := float64(time.Second) / c.PostsPerSecond
		maxPosts := c.MaxPosts
		if maxPosts <= 0 {
			maxPosts = DefaultMaxPosts
		}
		for t, drawn := time.Duration(0), 0; drawn < maxPosts; drawn++ {
			next := float64(t) + rng.ExpFloat64()*meanGap // float: no overflow at tiny rates
			if next >= float64(end) {
				break
			}
			t = time.Duration(next)
			for try := 0; try < 32; try++ {
				a := draw()
				if s, ok := offline[a]; ok && t >= s.from && t < s.to {
					continue
				}
				events = append(events, Event{t, a, EventPost})
				break
			}
		}
	}

	sort.Slice(events, func(i, j int) bool {
		a, b := events[i], events[j]
		if a.At != b.At {
			return a.At < b.At
		}
		if a.Node != b.Node {
			return a.Node < b.Node
		}
		return kindOrder(a.Kind) < kindOrder(b.Kind)
	})
	return events
}

// kindOrder orders a node's simultaneous events: back first, then its post,
// then away.
func kindOrder(k EventKind) int {
	switch k {
	case EventOnline, EventForeground:
		return 0
	case EventPost:
		return 1
	}
	return 2
}

func fracCount(f float64, n int) int {
	if !(f > 0) {
		return 0
	}
	if f >= 1 {
		return n
	}
	return min(n, int(math.Round(f*float64(n))))
}

// Count returns how many events are of kind k.
func Count(events []Event, k EventKind) int {
	n := 0
	for _, e := range events {
		if e.Kind == k {
			n++
		}
	}
	return n
}

// Churned returns, ascending, the nodes that go offline at least once in
// events: the "returning followers" whose completeness the harness checks.
func Churned(events []Event) []int {
	seen := map[int]bool{}
	var out []int
	for _, e := range events {
		if e.Kind == EventOffline && !seen[e.Node] {
			seen[e.Node] = true
			out = append(out, e.Node)
		}
	}
	sort.Ints(out)
	return out
}
