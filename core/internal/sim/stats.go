package sim

import (
	"math"
	"sort"
	"time"
)

// Sample is a bag of measurements, e.g. latencies in milliseconds. Its
// methods never modify it.
type Sample []float64

// Percentile returns the p-th percentile (p in 0..100) by nearest rank on a
// sorted copy: the smallest value such that at least p % of the sample is ≤
// it. p ≤ 0 gives the minimum, p ≥ 100 the maximum, an empty sample 0. NaNs
// sort first and so only show at low percentiles.
func (s Sample) Percentile(p float64) float64 {
	if len(s) == 0 {
		return 0
	}
	c := make([]float64, len(s))
	copy(c, s)
	sort.Float64s(c)
	return percentileSorted(c, p)
}

func percentileSorted(c []float64, p float64) float64 {
	n := len(c)
	if n == 0 {
		return 0
	}
	if math.IsNaN(p) || p <= 0 {
		return c[0]
	}
	if p >= 100 {
		return c[n-1]
	}
	r := int(math.Ceil(p / 100 * float64(n)))
	r = max(1, min(r, n))
	return c[r-1]
}

// Max returns the largest value, 0 for an empty sample.
func (s Sample) Max() float64 {
	if len(s) == 0 {
		return 0
	}
	m := s[0]
	for _, v := range s[1:] {
		if v > m {
			m = v
		}
	}
	return m
}

// Min returns the smallest value, 0 for an empty sample.
func (s Sample) Min() float64 {
	if len(s) == 0 {
		return 0
	}
	m := s[0]
	for _, v := range s[1:] {
		if v < m {
			m = v
		}
	}
	return m
}

// Mean returns the arithmetic mean, 0 for an empty sample.
func (s Sample) Mean() float64 {
	if len(s) == 0 {
		return 0
	}
	sum := 0.0
	for _, v := range s {
		sum += v
	}
	return sum / float64(len(s))
}

// Summary summarises a per-node quantity (e.g. bytes per node per hour)
// over the nodes.
type Summary struct {
	P50  float64 `json:"p50"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// Summarize returns the median, 99th percentile (nearest rank), maximum and
// mean of values; all zero for none.
func Summarize(values []float64) Summary {
	if len(values) == 0 {
		return Summary{}
	}
	c := make([]float64, len(values))
	copy(c, values)
	sort.Float64s(c)
	return Summary{
		P50:  percentileSorted(c, 50),
		P99:  percentileSorted(c, 99),
		Max:  c[len(c)-1],
		Mean: Sample(c).Mean(),
	}
}

// PerHour scales a count measured over d to a rate per hour; 0 when d ≤ 0.
func PerHour(count float64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return count * float64(time.Hour) / float64(d)
}

// Ratio returns a/b, or 0 when b is 0 (a ratio against a baseline that was
// not measured).
func Ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
