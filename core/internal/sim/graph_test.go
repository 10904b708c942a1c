package sim

import (
	"flag"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestPowerLaw(t *testing.T) {
	tests := []struct {
		name    string
		n, out  int
		alpha   float64
		top1Min float64 // share of follows held by the top 1 % of authors, at least
	}{
		{"default 500", 500, DefaultMeanOut, DefaultAlpha, 0.10},
		{"alpha 1.0", 500, DefaultMeanOut, 1.0, 0.08},
		{"alpha 1.5", 500, DefaultMeanOut, 1.5, 0.15},
		{"1000 nodes", 1000, DefaultMeanOut, DefaultAlpha, 0.15},
		{"sparse", 300, 3, DefaultAlpha, 0.10},
		{"small", 50, 5, DefaultAlpha, 0},
		{"out above n", 10, 50, DefaultAlpha, 0},
		{"out zero", 20, 0, DefaultAlpha, 0},
		{"uniform alpha 0", 200, 10, 0, 0},
		{"two nodes", 2, 5, DefaultAlpha, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := PowerLaw(tt.n, tt.out, tt.alpha, 42)
			if g.N != tt.n || len(g.Follows) != tt.n {
				t.Fatalf("N=%d len=%d, want %d", g.N, len(g.Follows), tt.n)
			}
			for i, fs := range g.Follows {
				if len(fs) < 1 || len(fs) > tt.n-1 {
					t.Fatalf("node %d follows %d authors", i, len(fs))
				}
				if !sort.IntsAreSorted(fs) {
					t.Fatalf("node %d: follows not sorted: %v", i, fs)
				}
				for j, a := range fs {
					if a == i {
						t.Fatalf("node %d follows itself", i)
					}
					if a < 0 || a >= tt.n {
						t.Fatalf("node %d follows %d, out of range", i, a)
					}
					if j > 0 && fs[j-1] == a {
						t.Fatalf("node %d follows %d twice", i, a)
					}
				}
			}
			// Mean out-degree near the asked one (clamped to [1, n-1]).
			want := float64(max(1, min(tt.out, tt.n-1)))
			mean := float64(g.Edges()) / float64(tt.n)
			if tt.n >= 200 && (mean < 0.85*want || mean > 1.15*want) {
				t.Errorf("mean out-degree %.2f, want about %.0f", mean, want)
			}
			p50, p90, mx := g.InDegreeQuantiles()
			if !(p50 <= p90 && p90 <= mx) {
				t.Errorf("quantiles not monotone: p50=%d p90=%d max=%d", p50, p90, mx)
			}
			if share := g.TopShare(0.01); share < tt.top1Min {
				t.Errorf("top 1%% of authors hold %.3f of follows, want ≥ %.2f", share, tt.top1Min)
			}
			if tt.top1Min > 0 && mx < 5*max(p50, 1) {
				t.Errorf("no heavy tail: p50=%d max=%d", p50, mx)
			}
			// Deterministic for a seed, different for another.
			if !reflect.DeepEqual(g, PowerLaw(tt.n, tt.out, tt.alpha, 42)) {
				t.Error("not deterministic for a seed")
			}
			if tt.n >= 50 && reflect.DeepEqual(g, PowerLaw(tt.n, tt.out, tt.alpha, 43)) {
				t.Error("the seed changes nothing")
			}
		})
	}
}

func TestPowerLawDegenerate(t *testing.T) {
	for _, n := range []int{0, 1} {
		g := PowerLaw(n, 10, 1.2, 1)
		if g.N != n || len(g.Follows) != n || g.Edges() != 0 {
			t.Errorf("n=%d: %+v", n, g)
		}
		p50, p90, mx := g.InDegreeQuantiles()
		if p50 != 0 || p90 != 0 || mx != 0 || g.TopShare(0.01) != 0 {
			t.Errorf("n=%d: quantiles %d %d %d", n, p50, p90, mx)
		}
	}
}

// TestDefaultGraph pins the default graph's shape, which
// docs/BENCHMARKS.md ("Scale: the 500-node simulation") quotes; -v prints it for every N of the cost
// curves:
//
//	go test ./core/internal/sim -run TestDefaultGraph -v
func TestDefaultGraph(t *testing.T) {
	for _, out := range []int{DefaultMeanOut, 2 * DefaultMeanOut} {
		tb := Table{
			Title:  fmt.Sprintf("PowerLaw(N, %d, %.1f, seed 1): followers per author", out, DefaultAlpha),
			Header: []string{"N", "follows", "p50", "p90", "p99", "max", "top 1 % share", "top 10 % share", "no followers"},
		}
		for _, n := range []int{50, 100, 200, 500, 1000} {
			g := PowerLaw(n, out, DefaultAlpha, 1)
			deg := g.InDegrees()
			s := make(Sample, n)
			zero := 0
			for i, d := range deg {
				s[i] = float64(d)
				if d == 0 {
					zero++
				}
			}
			p50, p90, mx := g.InDegreeQuantiles()
			tb.Rows = append(tb.Rows, []string{fmt.Sprint(n), fmt.Sprint(g.Edges()), fmt.Sprint(p50), fmt.Sprint(p90),
				fmt.Sprint(s.Percentile(99)), fmt.Sprint(mx), fmt.Sprintf("%.0f %%", 100*g.TopShare(0.01)),
				fmt.Sprintf("%.0f %%", 100*g.TopShare(0.10)), fmt.Sprint(zero)})
			// A long tail: the median author has a few followers, the
			// 90th percentile several times more, the top most of the network.
			if n == 500 && (p50 > out/2 || p90 < 4*p50 || mx < 300) {
				t.Errorf("meanOut %d: the 500-node graph lost its shape: p50=%d p90=%d max=%d", out, p50, p90, mx)
			}
		}
		t.Log("\n" + tb.Text())
	}
}

func TestFollowers(t *testing.T) {
	g := Graph{N: 4, Follows: [][]int{{1, 2}, {2}, {0, 1}, {}}}
	want := [][]int{{2}, {0, 2}, {0, 1}, {}}
	if got := g.Followers(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Followers = %v, want %v", got, want)
	}
	if got := g.InDegrees(); !reflect.DeepEqual(got, []int{1, 2, 2, 0}) {
		t.Fatalf("InDegrees = %v", got)
	}
	// The inverse of the inverse is the graph.
	big := PowerLaw(300, 10, 1.2, 7)
	inv := Graph{N: big.N, Follows: big.Followers()}
	if !reflect.DeepEqual(inv.Followers(), big.Follows) {
		t.Fatal("Followers is not an involution")
	}
}

// graphSVG, when set, makes TestDegreePlot write the default 500-node
// graph's degree plot there (docs/BENCHMARKS.md, "Scale: the 500-node simulation"):
//
//	go test ./core/internal/sim -run TestDegreePlot -graph-svg "$PWD/docs/sim-graph.svg"
var graphSVG = flag.String("graph-svg", "", "write the default graph's degree plot to this file")

func TestDegreePlot(t *testing.T) {
	g := PowerLaw(500, DefaultMeanOut, DefaultAlpha, 1)
	p := g.DegreePlot()
	st := parseSVG(t, p.SVG())
	nonzero := 0
	for _, d := range g.InDegrees() {
		if d > 0 {
			nonzero++
		}
	}
	if st.markers != nonzero+1 {
		t.Errorf("%d markers, want %d authors with followers + 1 in the legend", st.markers, nonzero)
	}
	if !strings.Contains(p.Title, "500 nodes") {
		t.Errorf("title %q", p.Title)
	}
	if *graphSVG != "" {
		if err := os.WriteFile(*graphSVG, p.SVG(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
