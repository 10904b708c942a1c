package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Default parameters of the follow graph used by `make sim`.
const (
	// DefaultMeanOut is the mean number of authors a node follows.
	DefaultMeanOut = 10
	// DefaultAlpha is the Zipf exponent of popularity: the author of
	// popularity rank r is drawn with weight 1/r^alpha.
	DefaultAlpha = 1.2
)

// Graph is a follow graph over N nodes: Follows[i] lists the authors node i
// follows (node indexes, ascending), with no self-follows and no duplicates.
type Graph struct {
	N       int     `json:"n"`
	Follows [][]int `json:"follows"`
}

// PowerLaw draws a follow graph over n nodes whose in-degree (followers per
// author) follows a power law: each node is given a popularity rank (a
// random permutation of 1..n) and every follow picks its author with weight
// 1/rank^alpha (Zipf-like; alpha 1.0–1.5 is realistic, 0 is uniform), so a
// few accounts are followed by many and most by few. Each node follows a
// number of authors drawn uniformly from [1, 2·meanOut−1], so meanOut on
// average (meanOut is raised to 1; no node follows more than n−1, which
// lowers the mean when meanOut is close to n). Follows are distinct and
// never the node itself, so the most popular authors saturate near n−1
// followers. The graph is a pure function of its arguments (math/rand/v2
// PCG).
func PowerLaw(n, meanOut int, alpha float64, seed uint64) Graph {
	g := Graph{N: n, Follows: make([][]int, n)}
	if n <= 1 {
		for i := range g.Follows {
			g.Follows[i] = []int{}
		}
		return g
	}
	if meanOut < 1 {
		meanOut = 1
	}
	if meanOut > n-1 {
		meanOut = n - 1
	}
	if alpha < 0 || math.IsNaN(alpha) {
		alpha = 0
	}
	rng := rand.New(rand.NewPCG(seed, 0x736b65696e2d6731)) // "skein-g1"
	// rank[node] is its popularity rank (0 = most popular).
	rank := rng.Perm(n)
	// byRank[r] is the node of rank r; cum[r] the cumulative weight up to r.
	byRank := make([]int, n)
	for node, r := range rank {
		byRank[r] = node
	}
	cum := make([]float64, n)
	total := 0.0
	for r := range n {
		total += 1 / math.Pow(float64(r+1), alpha)
		cum[r] = total
	}
	seen := make([]int, n) // seen[a] == i+1 when node i already follows a
	for i := range n {
		k := 1 + rng.IntN(2*meanOut-1)
		if k > n-1 {
			k = n - 1
		}
		out := make([]int, 0, k)
		// Draw by weight, rejecting self and duplicates; bounded tries,
		// then fill from the most popular authors not yet followed.
		for tries := 0; len(out) < k && tries < 50*k+100; tries++ {
			x := rng.Float64() * total
			r := sort.SearchFloat64s(cum, x)
			if r >= n {
				r = n - 1
			}
			a := byRank[r]
			if a == i || seen[a] == i+1 {
				continue
			}
			seen[a] = i + 1
			out = append(out, a)
		}
		for r := 0; len(out) < k && r < n; r++ {
			a := byRank[r]
			if a == i || seen[a] == i+1 {
				continue
			}
			seen[a] = i + 1
			out = append(out, a)
		}
		sort.Ints(out)
		g.Follows[i] = out
	}
	return g
}

// Followers returns the inverse of Follows: Followers()[a] lists the nodes
// that follow author a, ascending.
func (g Graph) Followers() [][]int {
	inv := make([][]int, g.N)
	for i := range inv {
		inv[i] = []int{}
	}
	for i, fs := range g.Follows {
		for _, a := range fs {
			if a >= 0 && a < g.N {
				inv[a] = append(inv[a], i)
			}
		}
	}
	return inv // appended in ascending i, so already sorted
}

// InDegrees returns each node's follower count.
func (g Graph) InDegrees() []int {
	d := make([]int, g.N)
	for _, fs := range g.Follows {
		for _, a := range fs {
			if a >= 0 && a < g.N {
				d[a]++
			}
		}
	}
	return d
}

// Edges returns the number of follows in the graph.
func (g Graph) Edges() int {
	e := 0
	for _, fs := range g.Follows {
		e += len(fs)
	}
	return e
}

// InDegreeQuantiles returns the median, 90th percentile (nearest rank) and
// maximum of the nodes' follower counts; zeros for an empty graph.
func (g Graph) InDegreeQuantiles() (p50, p90, max int) {
	d := g.InDegrees()
	s := make(Sample, len(d))
	for i, v := range d {
		s[i] = float64(v)
	}
	return int(s.Percentile(50)), int(s.Percentile(90)), int(s.Max())
}

// TopShare returns the share (0..1) of all follows held by the most followed
// fraction frac (0..1) of authors, at least one author; 0 for an empty graph.
func (g Graph) TopShare(frac float64) float64 {
	d := g.InDegrees()
	e := g.Edges()
	if len(d) == 0 || e == 0 {
		return 0
	}
	sort.Sort(sort.Reverse(sort.IntSlice(d)))
	k := int(math.Ceil(frac * float64(len(d))))
	k = max(1, min(k, len(d)))
	sum := 0
	for _, v := range d[:k] {
		sum += v
	}
	return float64(sum) / float64(e)
}

// DegreePlot plots the graph's in-degrees against popularity rank (most
// followed first), both axes logarithmic: a power law is a straight line.
// Authors nobody follows are left out (a log axis has no 0).
func (g Graph) DegreePlot() Plot {
	d := g.InDegrees()
	sort.Sort(sort.Reverse(sort.IntSlice(d)))
	s := Series{Name: "followers per author"}
	for i, v := range d {
		if v > 0 {
			s.Points = append(s.Points, [2]float64{float64(i + 1), float64(v)})
		}
	}
	p50, p90, mx := g.InDegreeQuantiles()
	return Plot{
		Title:  fmt.Sprintf("Follow graph: %d nodes, %d follows (in-degree p50 %d, p90 %d, max %d)", g.N, g.Edges(), p50, p90, mx),
		XLabel: "author's popularity rank",
		YLabel: "followers",
		LogX:   true, LogY: true,
		Width: 640, Height: 360,
		Series: []Series{s},
	}
}
