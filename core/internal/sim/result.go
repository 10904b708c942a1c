package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"
)

// Latency is the distribution of a delay, in milliseconds.
type Latency struct {
	P50 float64 `json:"p50_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

// LatencyOf summarises a sample of delays in milliseconds.
func LatencyOf(ms Sample) Latency {
	return Latency{P50: ms.Percentile(50), P99: ms.Percentile(99), Max: ms.Max()}
}

// Traffic is a per-node rate (bytes or messages per node per hour), split by
// what carried it.
type Traffic struct {
	// GossipData: GossipSub messages carrying entries (publish and forward).
	GossipData float64 `json:"gossip_data"`
	// GossipControl: GossipSub control (IHAVE/IWANT/GRAFT/PRUNE, subscriptions, heartbeats).
	GossipControl float64 `json:"gossip_control"`
	// Sync: the sync protocol (catch-up on reconnect and periodic sync).
	Sync float64 `json:"sync"`
	// DHT: Kademlia queries and answers.
	DHT float64 `json:"dht"`
	// Other: everything else (identify, relay, ping, blobs, ...).
	Other float64 `json:"other"`
}

// Total returns the sum of all classes.
func (t Traffic) Total() float64 {
	return t.GossipData + t.GossipControl + t.Sync + t.DHT + t.Other
}

// Result records one simulation run: what sim-core's harness measured, in a
// form that renders as a table and plots, and that survives a JSON file
// (WriteResults / ReadResults) to be plotted later.
type Result struct {
	// Label names the variant measured (e.g. "skein", "skein-bg"); runs
	// with the same label form one curve.
	Label string `json:"label,omitempty"`
	// N is the number of Skein nodes (relays not counted); Relays the relays.
	N      int `json:"n"`
	Relays int `json:"relays,omitempty"`
	// Follows is the number of follow edges in the graph; MeanOut, Alpha
	// and Seed the PowerLaw arguments that drew it.
	Follows int     `json:"follows,omitempty"`
	MeanOut int     `json:"mean_out,omitempty"`
	Alpha   float64 `json:"alpha,omitempty"`
	Seed    uint64  `json:"seed,omitempty"`
	// PostsPerSecond, ChurnFraction and BackgroundFraction: the
	// ScheduleConfig of the run.
	PostsPerSecond     float64 `json:"posts_per_second,omitempty"`
	ChurnFraction      float64 `json:"churn_fraction,omitempty"`
	BackgroundFraction float64 `json:"background_fraction,omitempty"`
	// Duration is the time the run was measured over (the window of posts
	// and churn, then the settle time): per-hour rates are per hour of it.
	Duration time.Duration `json:"duration_ns"`
	// Wall is the wall-clock time the run took, setup included.
	Wall time.Duration `json:"wall_ns,omitempty"`
	// Posts published; Deliveries expected (posts × followers of the author).
	Posts      int `json:"posts"`
	Deliveries int `json:"deliveries,omitempty"`
	// Latency from publish to the entry in a follower's feed, over every
	// delivery made while the follower was online.
	Latency Latency `json:"latency"`
	// CompletenessMin and CompletenessMean (0..1): the share of the posts
	// it should hold that each follower holds at the end, over the
	// followers that came back from churn (returning followers);
	// CompletenessAllMin over every follower.
	CompletenessMin    float64 `json:"completeness_min"`
	CompletenessMean   float64 `json:"completeness_mean"`
	CompletenessAllMin float64 `json:"completeness_all_min,omitempty"`
	Returning          int     `json:"returning,omitempty"`
	// BytesPerNodeHour and MsgsPerNodeHour: mean per node, per hour, by
	// class; BytesDist the distribution of each node's total bytes/h.
	BytesPerNodeHour Traffic `json:"bytes_per_node_hour"`
	MsgsPerNodeHour  Traffic `json:"msgs_per_node_hour"`
	BytesDist        Summary `json:"bytes_dist,omitzero"`
	// CPUSecondsPerNodeHour: process CPU time over the run, divided by N,
	// per hour of run.
	CPUSecondsPerNodeHour float64 `json:"cpu_s_per_node_hour"`
	// RSSPerNode: the process's resident set at the end of the run,
	// divided by N, in bytes.
	RSSPerNode float64 `json:"rss_per_node_bytes"`
	// DHTLookup: DHT lookup times (ms).
	DHTLookup Latency `json:"dht_lookup"`
	// RawGossip: publish → delivery latency of raw GossipSub (no Skein
	// code above it) on the same topology, the baseline of the same run.
	RawGossip Latency `json:"raw_gossip"`
	// Notes: anything a reader of the figures must know.
	Notes string `json:"notes,omitempty"`
}

// LatencyRatio returns Latency.P99 / RawGossip.P99 (0 without a baseline).
func (r Result) LatencyRatio() float64 { return Ratio(r.Latency.P99, r.RawGossip.P99) }

func ms(v float64) string  { return fmt.Sprintf("%.1f ms", v) }
func pct(v float64) string { return fmt.Sprintf("%.2f %%", 100*v) }

// KB formats bytes as kilobytes (1,000 bytes) with one decimal.
func kb(v float64) string { return fmt.Sprintf("%.1f KB", v/1e3) }

// Table renders one run as a two-column table (metric, value).
func (r Result) Table() Table {
	title := fmt.Sprintf("Simulation: N=%d", r.N)
	if r.Label != "" {
		title = r.Label + ": " + title[len("Simulation: "):]
	}
	rows := [][]string{
		{"nodes (relays)", fmt.Sprintf("%d (%d)", r.N, r.Relays)},
		{"follows (mean out, alpha, seed)", fmt.Sprintf("%d (%d, %.2g, %d)", r.Follows, r.MeanOut, r.Alpha, r.Seed)},
		{"posts/s, churned, in background", fmt.Sprintf("%.3g, %.0f %%, %.0f %%", r.PostsPerSecond, 100*r.ChurnFraction, 100*r.BackgroundFraction)},
		{"simulated duration", r.Duration.String()},
		{"wall time", r.Wall.Round(time.Millisecond).String()},
		{"posts (deliveries)", fmt.Sprintf("%d (%d)", r.Posts, r.Deliveries)},
		{"latency p50 / p99 / max", fmt.Sprintf("%s / %s / %s", ms(r.Latency.P50), ms(r.Latency.P99), ms(r.Latency.Max))},
		{"raw GossipSub p50 / p99 / max", fmt.Sprintf("%s / %s / %s", ms(r.RawGossip.P50), ms(r.RawGossip.P99), ms(r.RawGossip.Max))},
		{"p99 ratio to raw GossipSub", fmt.Sprintf("%.2f×", r.LatencyRatio())},
		{"completeness min / mean (returning)", fmt.Sprintf("%s / %s (%d)", pct(r.CompletenessMin), pct(r.CompletenessMean), r.Returning)},
		{"bytes/node/h gossip data", kb(r.BytesPerNodeHour.GossipData)},
		{"bytes/node/h gossip control", kb(r.BytesPerNodeHour.GossipControl)},
		{"bytes/node/h sync", kb(r.BytesPerNodeHour.Sync)},
		{"bytes/node/h DHT", kb(r.BytesPerNodeHour.DHT)},
		{"bytes/node/h other", kb(r.BytesPerNodeHour.Other)},
		{"bytes/node/h total (p50 / p99 / max)", fmt.Sprintf("%s (%s / %s / %s)", kb(r.BytesPerNodeHour.Total()), kb(r.BytesDist.P50), kb(r.BytesDist.P99), kb(r.BytesDist.Max))},
		{"msgs/node/h total", fmt.Sprintf("%.0f", r.MsgsPerNodeHour.Total())},
		{"CPU s/node/h", fmt.Sprintf("%.2f", r.CPUSecondsPerNodeHour)},
		{"RSS/node", fmt.Sprintf("%.1f MB", r.RSSPerNode/1e6)},
		{"DHT lookup p50 / p99", fmt.Sprintf("%s / %s", ms(r.DHTLookup.P50), ms(r.DHTLookup.P99))},
	}
	// Notes, one clause ("; "-separated) per row, so that a long note does
	// not widen the table.
	if r.Notes != "" {
		for i, clause := range strings.Split(r.Notes, "; ") {
			metric := ""
			if i == 0 {
				metric = "notes"
			}
			rows = append(rows, []string{metric, clause})
		}
	}
	return Table{Title: title, Header: []string{"metric", "value"}, Rows: rows}
}

// ResultsTable renders several runs as one table, a row per run (sorted by
// label, then N): the cost curves' figures in numbers.
func ResultsTable(results []Result) Table {
	rs := sortedResults(results)
	t := Table{
		Title: "Simulation runs",
		Header: []string{"label", "N", "posts", "lat p50 ms", "lat p99 ms", "lat max ms", "raw p99 ms", "p99 ×raw",
			"compl min %", "compl mean %", "KB/node/h", "msgs/node/h", "CPU s/node/h", "RSS MB/node", "DHT p50 ms", "DHT p99 ms"},
	}
	for _, r := range rs {
		t.Rows = append(t.Rows, []string{
			r.Label, fmt.Sprint(r.N), fmt.Sprint(r.Posts),
			fmt.Sprintf("%.1f", r.Latency.P50), fmt.Sprintf("%.1f", r.Latency.P99), fmt.Sprintf("%.1f", r.Latency.Max),
			fmt.Sprintf("%.1f", r.RawGossip.P99), fmt.Sprintf("%.2f", r.LatencyRatio()),
			fmt.Sprintf("%.2f", 100*r.CompletenessMin), fmt.Sprintf("%.2f", 100*r.CompletenessMean),
			fmt.Sprintf("%.1f", r.BytesPerNodeHour.Total()/1e3), fmt.Sprintf("%.0f", r.MsgsPerNodeHour.Total()),
			fmt.Sprintf("%.2f", r.CPUSecondsPerNodeHour), fmt.Sprintf("%.1f", r.RSSPerNode/1e6),
			fmt.Sprintf("%.1f", r.DHTLookup.P50), fmt.Sprintf("%.1f", r.DHTLookup.P99),
		})
	}
	return t
}

func sortedResults(results []Result) []Result {
	rs := append([]Result(nil), results...)
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Label != rs[j].Label {
			return rs[i].Label < rs[j].Label
		}
		return rs[i].N < rs[j].N
	})
	return rs
}

// Curves plots runs against N in one SVG grid (two columns, three rows):
// latency p50 and p99 with raw GossipSub's p99 dashed; completeness min and
// mean (%, from a round value under the lowest point to 100); kilobytes per
// node per hour, total and by class (dashed); CPU seconds per node per hour;
// RSS per node; DHT lookup p50 and p99. Runs with different labels give separate curves, named after them.
// N is on a log axis.
func Curves(results []Result) []byte {
	rs := sortedResults(results)
	var labels []string
	byLabel := map[string][]Result{}
	for _, r := range rs {
		if _, ok := byLabel[r.Label]; !ok {
			labels = append(labels, r.Label)
		}
		byLabel[r.Label] = append(byLabel[r.Label], r)
	}
	name := func(label, what string) string {
		if len(labels) > 1 && label != "" {
			return label + " " + what
		}
		return what
	}
	curve := func(label, what string, dashed bool, f func(Result) float64) Series {
		s := Series{Name: name(label, what), Dashed: dashed}
		for _, r := range byLabel[label] {
			s.Points = append(s.Points, [2]float64{float64(r.N), f(r)})
		}
		return s
	}
	lat := Plot{Title: "Publish → feed latency", XLabel: "nodes (N)", YLabel: "ms", LogX: true}
	comp := Plot{Title: "Completeness (returning followers)", XLabel: "nodes (N)", YLabel: "% of posts held", LogX: true}
	bytesP := Plot{Title: "Traffic per node", XLabel: "nodes (N)", YLabel: "KB per hour", LogX: true}
	cpu := Plot{Title: "CPU per node", XLabel: "nodes (N)", YLabel: "CPU seconds per hour", LogX: true}
	rss := Plot{Title: "Memory per node", XLabel: "nodes (N)", YLabel: "RSS / N (MB)", LogX: true}
	dht := Plot{Title: "DHT lookups", XLabel: "nodes (N)", YLabel: "ms", LogX: true}
	for _, l := range labels {
		lat.Series = append(lat.Series,
			curve(l, "p50", false, func(r Result) float64 { return r.Latency.P50 }),
			curve(l, "p99", false, func(r Result) float64 { return r.Latency.P99 }),
			curve(l, "raw GossipSub p99", true, func(r Result) float64 { return r.RawGossip.P99 }))
		comp.Series = append(comp.Series,
			curve(l, "min", false, func(r Result) float64 { return 100 * r.CompletenessMin }),
			curve(l, "mean", false, func(r Result) float64 { return 100 * r.CompletenessMean }))
		bytesP.Series = append(bytesP.Series,
			curve(l, "total", false, func(r Result) float64 { return r.BytesPerNodeHour.Total() / 1e3 }),
			curve(l, "gossip data", true, func(r Result) float64 { return r.BytesPerNodeHour.GossipData / 1e3 }),
			curve(l, "gossip control", true, func(r Result) float64 { return r.BytesPerNodeHour.GossipControl / 1e3 }),
			curve(l, "sync", true, func(r Result) float64 { return r.BytesPerNodeHour.Sync / 1e3 }),
			curve(l, "DHT", true, func(r Result) float64 { return r.BytesPerNodeHour.DHT / 1e3 }),
			curve(l, "other", true, func(r Result) float64 { return r.BytesPerNodeHour.Other / 1e3 }))
		cpu.Series = append(cpu.Series,
			curve(l, "CPU", false, func(r Result) float64 { return r.CPUSecondsPerNodeHour }))
		rss.Series = append(rss.Series,
			curve(l, "RSS", false, func(r Result) float64 { return r.RSSPerNode / 1e6 }))
		dht.Series = append(dht.Series,
			curve(l, "p50", false, func(r Result) float64 { return r.DHTLookup.P50 }),
			curve(l, "p99", false, func(r Result) float64 { return r.DHTLookup.P99 }))
	}
	// Completeness near 100 % would look flat from 0: show from a round
	// value under the lowest point.
	comp.YMax = 100
	lowest := 100.0
	for _, s := range comp.Series {
		for _, p := range s.Points {
			lowest = math.Min(lowest, p[1])
		}
	}
	comp.YMin = math.Max(0, math.Floor((lowest-0.5)/5)*5)
	return Grid(2, lat, comp, bytesP, cpu, rss, dht)
}

// WriteResults writes runs as indented JSON (an array), to be read back by
// ReadResults and plotted later.
func WriteResults(w io.Writer, results []Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(results); err != nil {
		return fmt.Errorf("sim: encode results: %w", err)
	}
	return nil
}

// ReadResults reads runs written by WriteResults, at most 64 MiB of JSON.
func ReadResults(r io.Reader) ([]Result, error) {
	var out []Result
	dec := json.NewDecoder(io.LimitReader(r, 64<<20))
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("sim: decode results: %w", err)
	}
	return out, nil
}
