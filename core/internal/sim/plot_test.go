package sim

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"
)

// svgStats parses an SVG document with encoding/xml and counts what the
// tests look at.
type svgStats struct {
	root    string
	width   string
	markers int      // circle, rect (minus frames and background), marker paths
	paths   int      // <path> with a d attribute
	texts   []string // character data of <text> elements
	groups  int
}

func parseSVG(t *testing.T, doc []byte) svgStats {
	t.Helper()
	var st svgStats
	d := xml.NewDecoder(bytes.NewReader(doc))
	depth := 0
	inText := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG not well-formed: %v\n%s", err, doc)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			depth++
			attr := map[string]string{}
			for _, a := range tk.Attr {
				attr[a.Name.Local] = a.Value
				if strings.Contains(a.Value, "NaN") || strings.Contains(a.Value, "Inf") {
					t.Errorf("<%s %s=%q>: not a number", tk.Name.Local, a.Name.Local, a.Value)
				}
			}
			if depth == 1 {
				st.root = tk.Name.Local
				st.width = attr["width"]
				if tk.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("root namespace %q", tk.Name.Space)
				}
			}
			switch tk.Name.Local {
			case "circle":
				st.markers++
			case "rect":
				if attr["fill"] != "none" && attr["fill"] != "#ffffff" {
					st.markers++
				}
			case "path":
				if strings.HasSuffix(attr["d"], "Z") {
					st.markers++
				} else {
					st.paths++
				}
			case "text":
				inText = true
				st.texts = append(st.texts, "")
			case "g":
				st.groups++
			}
		case xml.EndElement:
			depth--
			if tk.Name.Local == "text" {
				inText = false
			}
		case xml.CharData:
			if inText {
				st.texts[len(st.texts)-1] += string(tk)
			}
		}
	}
	if st.root != "svg" {
		t.Fatalf("root element %q", st.root)
	}
	return st
}

func has(texts []string, s string) bool {
	for _, t := range texts {
		if t == s {
			return true
		}
	}
	return false
}

func TestPlotSVG(t *testing.T) {
	line := [][2]float64{{50, 10}, {100, 20}, {200, 40}, {500, 100}}
	tests := []struct {
		name       string
		p          Plot
		markers    int
		paths      int
		wantTexts  []string
		hasNoData  bool
		wantWidth  string
		notInTexts []string
	}{
		{
			name: "linear",
			p: Plot{Title: "Latency <p99> & more", XLabel: "nodes", YLabel: "ms", Series: []Series{
				{Name: "skein", Points: line}, {Name: "raw", Points: line[:2], Dashed: true}}},
			markers: 6 + 2, paths: 2 + 0, // 6 points + 2 legend markers; legend lines are <line>
			wantTexts: []string{"Latency <p99> & more", "nodes", "ms", "skein", "raw", "0", "100"},
			wantWidth: "480",
		},
		{
			name:    "log x and y",
			p:       Plot{LogX: true, LogY: true, Width: 600, Height: 400, Series: []Series{{Name: "a", Points: line}}},
			markers: 4 + 1, paths: 1,
			wantTexts: []string{"50", "100", "200", "500", "10"},
			wantWidth: "600",
		},
		{
			name: "log axes skip zero and negative",
			p: Plot{LogX: true, LogY: true, Series: []Series{{Name: "a", Points: [][2]float64{
				{0, 5}, {10, 5}, {20, 0}, {30, -1}, {40, 8}, {-5, 3}, {50, 9}}}}},
			markers: 3 + 1, paths: 1, // 10, 40, 50 drawn: the line breaks after 10
			wantWidth: "480",
		},
		{
			name: "NaN and Inf skipped on linear axes",
			p: Plot{Series: []Series{{Name: "a", Points: [][2]float64{
				{1, math.NaN()}, {2, 3}, {math.Inf(1), 4}, {4, 5}, {5, math.Inf(-1)}}}}},
			markers: 2 + 1, paths: 1,
		},
		{
			name:    "no drawable point",
			p:       Plot{Title: "empty", LogY: true, Series: []Series{{Name: "zeros", Points: [][2]float64{{1, 0}, {2, 0}}}}},
			markers: 0 + 1, paths: 0,
			hasNoData: true,
		},
		{
			name:      "no series",
			p:         Plot{Title: "nothing"},
			hasNoData: true,
		},
		{
			name:    "one point",
			p:       Plot{Series: []Series{{Points: [][2]float64{{3, 3}}}}},
			markers: 1 + 1, paths: 1, wantTexts: []string{"series 1"},
		},
		{
			name:    "constant log series",
			p:       Plot{LogX: true, LogY: true, Series: []Series{{Name: "c", Points: [][2]float64{{5, 7}, {5, 7}}}}},
			markers: 2 + 1, paths: 1,
		},
		{
			name:    "negative linear values",
			p:       Plot{Series: []Series{{Name: "d", Points: [][2]float64{{0, -20}, {1, 35}}}}},
			markers: 2 + 1, paths: 1,
			wantTexts: []string{"-20", "0", "20"},
		},
		{
			name:    "fixed y range",
			p:       Plot{YMin: 90, YMax: 100, Series: []Series{{Name: "c", Points: [][2]float64{{1, 99}, {2, 50}}}}},
			markers: 2 + 1, paths: 1,
			wantTexts: []string{"90", "100"}, notInTexts: []string{"50"},
		},
		{
			name:      "tiny size is raised",
			p:         Plot{Width: 10, Height: 10},
			hasNoData: true, wantWidth: "200",
		},
		{
			name: "many series wrap the legend",
			p: Plot{Width: 300, Series: []Series{
				{Name: "gossip data", Points: line}, {Name: "gossip control", Points: line}, {Name: "sync", Points: line},
				{Name: "DHT", Points: line}, {Name: "other", Points: line}, {Name: "total", Points: line},
				{Name: "7th", Points: line}, {Name: "8th", Points: line}, {Name: "9th", Points: line}}},
			markers: 9*4 + 9, paths: 9,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := tt.p.SVG()
			st := parseSVG(t, doc)
			if st.markers != tt.markers {
				t.Errorf("%d markers, want %d", st.markers, tt.markers)
			}
			if st.paths != tt.paths {
				t.Errorf("%d lines, want %d", st.paths, tt.paths)
			}
			for _, w := range tt.wantTexts {
				if !has(st.texts, w) {
					t.Errorf("no text %q in %q", w, st.texts)
				}
			}
			for _, w := range tt.notInTexts {
				if has(st.texts, w) {
					t.Errorf("text %q in %q", w, st.texts)
				}
			}
			if got := has(st.texts, "no data"); got != tt.hasNoData {
				t.Errorf("no data shown: %v, want %v", got, tt.hasNoData)
			}
			if tt.wantWidth != "" && st.width != tt.wantWidth {
				t.Errorf("width %q, want %q", st.width, tt.wantWidth)
			}
			if !bytes.Contains(doc, []byte(`fill="#ffffff"`)) || !bytes.Contains(doc, []byte("sans-serif")) {
				t.Error("no white background or no sans-serif font")
			}
			if !bytes.Equal(doc, tt.p.SVG()) {
				t.Error("not deterministic")
			}
		})
	}
}

func TestGrid(t *testing.T) {
	p := Plot{Title: "a", Series: []Series{{Name: "s", Points: [][2]float64{{1, 1}, {2, 2}}}}}
	big := p
	big.Width, big.Height = 600, 400
	tests := []struct {
		name   string
		cols   int
		plots  []Plot
		width  string
		groups int
	}{
		{"2 by 2", 2, []Plot{p, p, p, p}, "960", 4},
		{"cols clamp to plots", 5, []Plot{p, p}, "960", 2},
		{"zero cols", 0, []Plot{p, p}, "480", 2},
		{"cells as large as the largest", 2, []Plot{p, big, p}, "1200", 3},
		{"none", 2, nil, "200", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := Grid(tt.cols, tt.plots...)
			st := parseSVG(t, doc)
			if st.width != tt.width {
				t.Errorf("width %s, want %s", st.width, tt.width)
			}
			if n := bytes.Count(doc, []byte(`<g transform="translate(`)); n != tt.groups {
				t.Errorf("%d plots placed, want %d", n, tt.groups)
			}
		})
	}
}

func TestNiceStep(t *testing.T) {
	tests := map[float64]float64{0.3: 0.5, 1: 1, 1.1: 2, 2: 2, 3: 5, 7: 10, 12: 20, 0.012: 0.02, 0: 1, -1: 1, 480: 500}
	for in, want := range tests {
		if got := niceStep(in); math.Abs(got-want) > 1e-12 {
			t.Errorf("niceStep(%v) = %v, want %v", in, got, want)
		}
	}
}

func TestNiceBounds(t *testing.T) {
	tests := []struct{ v, below, above float64 }{
		{468, 200, 500}, {500, 500, 500}, {12, 10, 20}, {0.03, 0.02, 0.05}, {1, 1, 1}, {9.9, 5, 10}, {1e6, 1e6, 1e6},
	}
	for _, tt := range tests {
		if b, a := niceBelow(tt.v), niceAbove(tt.v); math.Abs(b-tt.below) > 1e-9*tt.below || math.Abs(a-tt.above) > 1e-9*tt.above {
			t.Errorf("%v: below %v above %v, want %v %v", tt.v, b, a, tt.below, tt.above)
		}
	}
}

func TestLogTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		want   []float64
	}{
		{50, 500, []float64{50, 100, 200, 500}},
		{1, 1e6, []float64{1, 10, 100, 1000, 1e4, 1e5, 1e6}},
		{3, 8, []float64{3, 4, 5, 6, 7, 8}},
		{0.02, 0.3, []float64{0.02, 0.05, 0.1, 0.2}},
		{1.1, 1.2, []float64{1.1, 1.2}},
	}
	for _, tt := range tests {
		got := logTicks(tt.lo, tt.hi)
		if len(got) != len(tt.want) {
			t.Errorf("logTicks(%v, %v) = %v, want %v", tt.lo, tt.hi, got, tt.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tt.want[i]) > 1e-9*tt.want[i] {
				t.Errorf("logTicks(%v, %v) = %v, want %v", tt.lo, tt.hi, got, tt.want)
				break
			}
		}
	}
}

func TestLinearTicksRound(t *testing.T) {
	for _, r := range [][2]float64{{0, 97}, {0, 1}, {0.001, 0.0042}, {-20, 35}, {0, 12345}, {95, 100}, {5, 5}, {0, 0}, {-7, -7}, {0, 0.3}, {1e9, 1e9 + 1}} {
		a := makeAxis(r[0], r[1], false, 0, 100, false)
		if len(a.ticks) < 2 || len(a.ticks) > 12 {
			t.Errorf("%v: %d ticks %v", r, len(a.ticks), a.ticks)
		}
		if a.lo > r[0] || a.hi < r[1] {
			t.Errorf("%v: domain [%v, %v] misses data", r, a.lo, a.hi)
		}
		step := a.ticks[1] - a.ticks[0]
		if math.Abs(niceStep(step)-step) > 1e-9*step {
			t.Errorf("%v: step %v not round (ticks %v)", r, step, a.ticks)
		}
		for _, l := range a.tickLabels {
			if len(l) > 8 {
				t.Errorf("%v: long label %q", r, l)
			}
		}
	}
}

func TestFmtTick(t *testing.T) {
	tests := map[float64]string{0: "0", 0.05: "0.05", 2: "2", 1500: "1500", 20000: "20k", 2.5e6: "2.5M", 3e9: "3G",
		0.1 + 0.2: "0.3", -40: "-40", 1e-6: "1e-06", 1e13: "1e+13"}
	for in, want := range tests {
		if got := fmtTick(in); got != want {
			t.Errorf("fmtTick(%v) = %q, want %q", in, got, want)
		}
	}
}
