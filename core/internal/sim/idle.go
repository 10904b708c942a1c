package sim

import (
	"fmt"
	"sort"
	"time"
)

// IdleBudgetBytesPerHour is the idle traffic budget of a phone in
// background mode (issue 16): 200 KB per hour.
const IdleBudgetBytesPerHour = 200e3

// IdleResult records one idle-cost run: one node following Follows
// authors, in a power mode, with nothing posted, measured over Duration.
type IdleResult struct {
	// Label names the design measured (e.g. "topic per author"); runs
	// with the same label and mode form one curve.
	Label string `json:"label,omitempty"`
	// Mode is "foreground" or "background".
	Mode string `json:"mode"`
	// Follows is the number of authors the node follows (F).
	Follows int `json:"follows"`
	// Duration is how long the node was measured.
	Duration time.Duration `json:"duration_ns"`
	// BytesPerHour: sent and received, per hour; Traffic the split.
	BytesPerHour float64 `json:"bytes_per_hour"`
	Traffic      Traffic `json:"traffic,omitzero"`
	// WakeupsPerHour: timer and network wakeups of the node, per hour.
	WakeupsPerHour float64 `json:"wakeups_per_hour"`
	// Goroutines alive in the node at the end (those of the process less a
	// baseline taken before it started).
	Goroutines int `json:"goroutines"`
	// RSS attributed to the node, in bytes.
	RSS float64 `json:"rss_bytes"`
	// Topics the node is subscribed to.
	Topics int `json:"topics,omitempty"`
	// Notes: anything a reader of the figures must know.
	Notes string `json:"notes,omitempty"`
}

func sortedIdle(results []IdleResult) []IdleResult {
	rs := append([]IdleResult(nil), results...)
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.Label != b.Label {
			return a.Label < b.Label
		}
		if a.Mode != b.Mode {
			return a.Mode > b.Mode // foreground before background
		}
		return a.Follows < b.Follows
	})
	return rs
}

// IdleTable renders idle runs as one table, a row per run (by label, mode,
// F), with whether background runs keep within IdleBudgetBytesPerHour.
func IdleTable(results []IdleResult) Table {
	t := Table{
		Title:  "Idle cost of one node against the authors it follows",
		Header: []string{"label", "mode", "F", "topics", "KB/h", "budget", "wakeups/h", "goroutines", "RSS MB"},
	}
	for _, r := range sortedIdle(results) {
		budget := ""
		if r.Mode == "background" {
			budget = "over"
			if r.BytesPerHour <= IdleBudgetBytesPerHour {
				budget = "within"
			}
		}
		t.Rows = append(t.Rows, []string{
			r.Label, r.Mode, fmt.Sprint(r.Follows), fmt.Sprint(r.Topics),
			fmt.Sprintf("%.1f", r.BytesPerHour/1e3), budget, fmt.Sprintf("%.0f", r.WakeupsPerHour),
			fmt.Sprint(r.Goroutines), fmt.Sprintf("%.1f", r.RSS/1e6),
		})
	}
	return t
}

// IdleCurves plots idle runs against F (log axis) in one SVG grid of four:
// KB per hour (with the background budget dashed), wakeups per hour,
// goroutines, RSS. Each label and mode is a curve; background curves are
// dashed.
func IdleCurves(results []IdleResult) []byte {
	type key struct{ label, mode string }
	var keys []key
	groups := map[key][]IdleResult{}
	for _, r := range sortedIdle(results) {
		k := key{r.Label, r.Mode}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], r)
	}
	bytesP := Plot{Title: "Idle traffic", XLabel: "authors followed (F)", YLabel: "KB per hour", LogX: true, LogY: true}
	wake := Plot{Title: "Wakeups", XLabel: "authors followed (F)", YLabel: "per hour", LogX: true, LogY: true}
	gor := Plot{Title: "Goroutines", XLabel: "authors followed (F)", YLabel: "goroutines", LogX: true}
	rss := Plot{Title: "Memory", XLabel: "authors followed (F)", YLabel: "RSS (MB)", LogX: true}
	minF, maxF := 0, 0
	for _, k := range keys {
		name := k.mode
		if k.label != "" {
			name = k.label + ", " + k.mode
		}
		dashed := k.mode == "background"
		curve := func(f func(IdleResult) float64) Series {
			s := Series{Name: name, Dashed: dashed}
			for _, r := range groups[k] {
				s.Points = append(s.Points, [2]float64{float64(r.Follows), f(r)})
				if minF == 0 || r.Follows < minF {
					minF = r.Follows
				}
				maxF = max(maxF, r.Follows)
			}
			return s
		}
		bytesP.Series = append(bytesP.Series, curve(func(r IdleResult) float64 { return r.BytesPerHour / 1e3 }))
		wake.Series = append(wake.Series, curve(func(r IdleResult) float64 { return r.WakeupsPerHour }))
		gor.Series = append(gor.Series, curve(func(r IdleResult) float64 { return float64(r.Goroutines) }))
		rss.Series = append(rss.Series, curve(func(r IdleResult) float64 { return r.RSS / 1e6 }))
	}
	if maxF > 0 {
		bytesP.Series = append(bytesP.Series, Series{
			Name:   "background budget (200 KB/h)",
			Points: [][2]float64{{float64(minF), IdleBudgetBytesPerHour / 1e3}, {float64(maxF), IdleBudgetBytesPerHour / 1e3}},
			Dashed: true,
		})
	}
	return Grid(2, bytesP, wake, gor, rss)
}
