package sim

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
)

func sampleResults() []Result {
	var rs []Result
	for i, n := range []int{500, 50, 200, 100} {
		f := float64(i + 1)
		rs = append(rs, Result{
			Label: "skein", N: n, Relays: 3, Follows: 20 * n, MeanOut: 20, Alpha: 1.2, Seed: 1, PostsPerSecond: 10, ChurnFraction: 0.2, BackgroundFraction: 0.1, Duration: 2 * time.Minute, Wall: 90 * time.Second,
			Posts: 10 * n, Deliveries: 200 * n,
			Latency:         Latency{P50: 20 * f, P99: 80 * f, Max: 200 * f},
			RawGossip:       Latency{P50: 10 * f, P99: 40 * f, Max: 60 * f},
			CompletenessMin: 1 - 0.01*f, CompletenessMean: 1 - 0.001*f, Returning: n / 5,
			BytesPerNodeHour:      Traffic{GossipData: 1e5 * f, GossipControl: 3e5 * f, Sync: 5e4, DHT: 2e4, Other: 1e4},
			MsgsPerNodeHour:       Traffic{GossipData: 100, GossipControl: 300},
			BytesDist:             Summary{P50: 4e5, P99: 9e5, Max: 1e6, Mean: 4.5e5},
			CPUSecondsPerNodeHour: 2 * f, RSSPerNode: 3e6,
			DHTLookup: Latency{P50: 30, P99: 90},
		})
	}
	rs = append(rs, Result{Label: "skein-bg", N: 100, Latency: Latency{P50: 1, P99: 2, Max: 3}, CompletenessMin: 0.5, CompletenessMean: 0.9, Notes: "background"})
	return rs
}

func TestResultsJSONRoundTrip(t *testing.T) {
	rs := sampleResults()
	var buf bytes.Buffer
	if err := WriteResults(&buf, rs); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"p99_ms"`, `"completeness_min"`, `"gossip_control"`, `"cpu_s_per_node_hour"`, `"duration_ns"`, `"raw_gossip"`} {
		if !strings.Contains(buf.String(), key) {
			t.Errorf("JSON has no %s", key)
		}
	}
	got, err := ReadResults(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rs) {
		t.Fatalf("round trip:\n%+v\nwant\n%+v", got, rs)
	}
	if _, err := ReadResults(strings.NewReader(`{"n": 1}`)); err == nil {
		t.Error("an object instead of an array decodes")
	}
	if _, err := ReadResults(strings.NewReader(`[{"n": "x"}]`)); err == nil {
		t.Error("a bad field decodes")
	}
}

func TestResultTable(t *testing.T) {
	r := sampleResults()[0]
	tb := r.Table()
	if !strings.Contains(tb.Title, "N=500") || !strings.HasPrefix(tb.Title, "skein") {
		t.Errorf("title %q", tb.Title)
	}
	text := tb.Text()
	for _, want := range []string{"20.0 ms / 80.0 ms / 200.0 ms", "2.00×", "99.00 % / 99.90 % (100)", "400.0 KB", "3.0 MB", "2m0s", "1m30s", "10000 (20, 1.2, 1)", "10, 20 %, 10 %"} {
		if !strings.Contains(text, want) {
			t.Errorf("table has no %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "notes") {
		t.Error("notes row without notes")
	}
	r.Notes = "loopback TCP; 500 posts; CPU is the process's"
	rows := r.Table().Rows
	last := rows[len(rows)-3:]
	want := [][]string{{"notes", "loopback TCP"}, {"", "500 posts"}, {"", "CPU is the process's"}}
	if !reflect.DeepEqual(last, want) {
		t.Errorf("notes rows %q, want %q", last, want)
	}
	if (Result{}).LatencyRatio() != 0 {
		t.Error("ratio without baseline")
	}
}

func TestResultsTable(t *testing.T) {
	tb := ResultsTable(sampleResults())
	if len(tb.Rows) != 5 {
		t.Fatalf("%d rows", len(tb.Rows))
	}
	var order []string
	for _, r := range tb.Rows {
		if len(r) != len(tb.Header) {
			t.Fatalf("row %v has %d cells, header %d", r, len(r), len(tb.Header))
		}
		order = append(order, r[0]+"/"+r[1])
	}
	want := []string{"skein/50", "skein/100", "skein/200", "skein/500", "skein-bg/100"}
	if !reflect.DeepEqual(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
	if !strings.Contains(tb.Markdown(), "| skein | 50 |") {
		t.Errorf("markdown:\n%s", tb.Markdown())
	}
}

func TestCurves(t *testing.T) {
	tests := []struct {
		name      string
		rs        []Result
		wantTexts []string
	}{
		{"one label", sampleResults()[:4], []string{"Publish → feed latency", "p99", "raw GossipSub p99", "gossip control", "CPU", "50", "500", "100"}},
		{"two labels", sampleResults(), []string{"skein p99", "skein-bg p99", "skein-bg min"}},
		{"none", nil, []string{"no data"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := Curves(tt.rs)
			st := parseSVG(t, doc)
			if st.width != "960" {
				t.Errorf("width %s", st.width)
			}
			if n := bytes.Count(doc, []byte(`<g transform="translate(`)); n != 6 {
				t.Errorf("%d plots, want 6", n)
			}
			for _, w := range tt.wantTexts {
				if !has(st.texts, w) {
					t.Errorf("no text %q", w)
				}
			}
		})
	}
}
