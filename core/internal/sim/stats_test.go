package sim

import (
	"math"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	hundred := make(Sample, 100)
	for i := range hundred {
		hundred[i] = float64(100 - i) // 100..1, unsorted
	}
	tests := []struct {
		name string
		s    Sample
		p    float64
		want float64
	}{
		{"empty", nil, 50, 0},
		{"empty p99", Sample{}, 99, 0},
		{"one", Sample{7}, 50, 7},
		{"one p0", Sample{7}, 0, 7},
		{"one p100", Sample{7}, 100, 7},
		{"two p50", Sample{3, 1}, 50, 1},
		{"two p51", Sample{3, 1}, 51, 3},
		{"p0 is min", Sample{5, 2, 9}, 0, 2},
		{"negative p is min", Sample{5, 2, 9}, -10, 2},
		{"p over 100 is max", Sample{5, 2, 9}, 250, 9},
		{"NaN p is min", Sample{5, 2, 9}, math.NaN(), 2},
		{"hundred p50", hundred, 50, 50},
		{"hundred p99", hundred, 99, 99},
		{"hundred p99.5", hundred, 99.5, 100},
		{"hundred p1", hundred, 1, 1},
		{"hundred p90", hundred, 90, 90},
		{"ties", Sample{1, 1, 1, 2}, 75, 1},
		{"negatives", Sample{-3, -1, -2}, 50, -2},
		{"ten p99", Sample{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 99, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := append(Sample(nil), tt.s...)
			if got := tt.s.Percentile(tt.p); got != tt.want {
				t.Errorf("Percentile(%v) = %v, want %v", tt.p, got, tt.want)
			}
			for i := range before {
				if before[i] != tt.s[i] {
					t.Fatal("Percentile modified the sample")
				}
			}
		})
	}
}

func TestSampleStats(t *testing.T) {
	tests := []struct {
		name           string
		s              Sample
		min, max, mean float64
	}{
		{"empty", nil, 0, 0, 0},
		{"one", Sample{4}, 4, 4, 4},
		{"mixed", Sample{2, -1, 5}, -1, 5, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.s.Min() != tt.min || tt.s.Max() != tt.max || tt.s.Mean() != tt.mean {
				t.Errorf("min %v max %v mean %v, want %v %v %v", tt.s.Min(), tt.s.Max(), tt.s.Mean(), tt.min, tt.max, tt.mean)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	vals := make([]float64, 200)
	for i := range vals {
		vals[i] = float64(i + 1)
	}
	tests := []struct {
		name string
		in   []float64
		want Summary
	}{
		{"none", nil, Summary{}},
		{"one", []float64{3}, Summary{3, 3, 3, 3}},
		{"1..200", vals, Summary{P50: 100, P99: 198, Max: 200, Mean: 100.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Summarize(tt.in); got != tt.want {
				t.Errorf("Summarize = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestPerHourRatio(t *testing.T) {
	if got := PerHour(10, 6*time.Minute); got != 100 {
		t.Errorf("PerHour = %v", got)
	}
	if PerHour(10, 0) != 0 || PerHour(10, -time.Second) != 0 {
		t.Error("PerHour of no time is not 0")
	}
	if Ratio(3, 2) != 1.5 || Ratio(3, 0) != 0 {
		t.Error("Ratio")
	}
}
