// Command followplot draws the follow-cost curves of BenchmarkFollowCost
// (cli/internal/powerbench) as an SVG: idle bytes per hour, network
// wakeups per hour and goroutines against the number of authors followed,
// in foreground and background mode, for each labelled run (before and
// after a change). It reads the JSON lines the benchmark appends to
// SKEIN_BENCH_FOLLOW_OUT.
//
//	go run ./cli/internal/powerbench/followplot -o docs/follow-cost.svg before.jsonl after.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
)

// point is the part of a benchmark point the plot uses.
type point struct {
	Label        string  `json:"label"`
	F            int     `json:"f"`
	FgKBh        float64 `json:"fg_kb_h"`
	FgWakeupsH   float64 `json:"fg_wakeups_h"`
	FgGoroutines int     `json:"fg_goroutines"`
	BgKBh        float64 `json:"bg_kb_h"`
	BgWakeupsH   float64 `json:"bg_wakeups_h"`
	BgGoroutines int     `json:"bg_goroutines"`
}

func main() {
	out := flag.String("o", "docs/follow-cost.svg", "the SVG to write")
	flag.Parse()
	var pts []point
	for _, name := range flag.Args() {
		p, err := read(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "followplot:", err)
			os.Exit(1)
		}
		pts = append(pts, p...)
	}
	if len(pts) == 0 {
		fmt.Fprintln(os.Stderr, "followplot: no points; usage: followplot -o out.svg run.jsonl...")
		os.Exit(2)
	}
	if err := os.WriteFile(*out, []byte(svg(pts)), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "followplot:", err)
		os.Exit(1)
	}
}

func read(name string) ([]point, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []point
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var p point
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, p)
	}
	return out, sc.Err()
}

// series is one line of a panel.
type series struct {
	name  string
	color string
	dash  string // stroke-dasharray; "" for a solid line
	xy    [][2]float64
}

type panel struct {
	title  string
	unit   string
	series []series
	budget float64 // a horizontal line, if > 0
	bname  string
}

const (
	panelW, panelH = 330, 260
	marginL        = 62
	marginT        = 40
	plotW, plotH   = 240, 170
)

func svg(pts []point) string {
	var labels []string
	for _, p := range pts {
		if !slices.Contains(labels, p.Label) {
			labels = append(labels, p.Label)
		}
	}
	colors := map[string]string{"fg": "#d62728", "bg": "#1f77b4"}
	mk := func(get func(point) (fg, bg float64)) []series {
		var out []series
		for i, l := range labels {
			for _, mode := range []string{"fg", "bg"} {
				s := series{name: fmt.Sprintf("%s, %s", mode, l), color: colors[mode], dash: dashFor(i, len(labels))}
				for _, p := range pts {
					if p.Label != l {
						continue
					}
					fg, bg := get(p)
					v := fg
					if mode == "bg" {
						v = bg
					}
					s.xy = append(s.xy, [2]float64{float64(p.F), v})
				}
				slices.SortFunc(s.xy, func(a, b [2]float64) int { return int(a[0] - b[0]) })
				out = append(out, s)
			}
		}
		return out
	}
	panels := []panel{
		{title: "idle traffic", unit: "KB/h", budget: 200, bname: "bg budget 200 KB/h",
			series: mk(func(p point) (float64, float64) { return p.FgKBh, p.BgKBh })},
		{title: "network wakeups", unit: "seconds with a packet /h",
			series: mk(func(p point) (float64, float64) { return p.FgWakeupsH, p.BgWakeupsH })},
		{title: "goroutines", unit: "in the daemon",
			series: mk(func(p point) (float64, float64) { return float64(p.FgGoroutines), float64(p.BgGoroutines) })},
	}
	var b strings.Builder
	w := panelW * len(panels)
	h := panelH + 30 + 18*len(labels)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">`+"\n", w, h)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", w, h)
	for i, p := range panels {
		drawPanel(&b, p, i*panelW)
	}
	// Legend.
	y := panelH + 10
	for i, l := range labels {
		dash := ""
		if d := dashFor(i, len(labels)); d != "" {
			dash = ` stroke-dasharray="` + d + `"`
		}
		x := 20
		for _, mode := range []string{"fg", "bg"} {
			name := map[string]string{"fg": "foreground", "bg": "background"}[mode]
			fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>`, x, y, x+30, y, colors[mode], dash)
			fmt.Fprintf(&b, `<text x="%d" y="%d">%s, %s</text>`+"\n", x+36, y+4, name, esc(l))
			x += panelW * len(panels) / 2
		}
		y += 18
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// dashFor is the dash pattern of the i-th of n runs: the last (the
// current code) solid, the first dashed, those between dotted.
func dashFor(i, n int) string {
	switch {
	case i == n-1:
		return ""
	case i == 0:
		return "5,3"
	default:
		return "2,3"
	}
}

func drawPanel(b *strings.Builder, p panel, x0 int) {
	// Log axes over the data's range, by decades.
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, s := range p.series {
		for _, v := range s.xy {
			xmin, xmax = math.Min(xmin, v[0]), math.Max(xmax, v[0])
			if v[1] > 0 {
				ymin, ymax = math.Min(ymin, v[1]), math.Max(ymax, v[1])
			}
		}
	}
	if p.budget > 0 {
		ymin, ymax = math.Min(ymin, p.budget), math.Max(ymax, p.budget)
	}
	if math.IsInf(ymin, 0) {
		ymin, ymax = 1, 10
	}
	lx0, lx1 := math.Floor(math.Log10(xmin)), math.Ceil(math.Log10(xmax))
	ly0, ly1 := math.Floor(math.Log10(ymin)), math.Ceil(math.Log10(ymax))
	if lx1 == lx0 {
		lx1++
	}
	if ly1 == ly0 {
		ly1++
	}
	px := func(x float64) float64 {
		return float64(x0+marginL) + (math.Log10(x)-lx0)/(lx1-lx0)*plotW
	}
	py := func(y float64) float64 {
		if y <= 0 {
			y = math.Pow(10, ly0)
		}
		return float64(marginT) + plotH - (math.Log10(y)-ly0)/(ly1-ly0)*plotH
	}
	fmt.Fprintf(b, `<text x="%d" y="18" font-size="13" font-weight="bold">%s</text>`+"\n", x0+marginL, esc(p.title))
	fmt.Fprintf(b, `<text x="%d" y="32" fill="#555">%s</text>`+"\n", x0+marginL, esc(p.unit))
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>`+"\n", x0+marginL, marginT, plotW, plotH)
	for e := lx0; e <= lx1; e++ {
		x := px(math.Pow(10, e))
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#eee"/>`, x, marginT, x, marginT+plotH)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", x, marginT+plotH+14, num(math.Pow(10, e)))
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle">authors followed (F)</text>`+"\n", x0+marginL+plotW/2, marginT+plotH+30)
	for e := ly0; e <= ly1; e++ {
		y := py(math.Pow(10, e))
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/>`, x0+marginL, y, x0+marginL+plotW, y)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", x0+marginL-4, y+4, num(math.Pow(10, e)))
	}
	if p.budget > 0 {
		y := py(p.budget)
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#2ca02c" stroke-dasharray="2,2"/>`, x0+marginL, y, x0+marginL+plotW, y)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" fill="#2ca02c">%s</text>`+"\n", x0+marginL+4, y+12, esc(p.bname))
	}
	for _, s := range p.series {
		var pts []string
		for _, v := range s.xy {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(v[0]), py(v[1])))
		}
		dash := ""
		if s.dash != "" {
			dash = ` stroke-dasharray="` + s.dash + `"`
		}
		fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s><title>%s</title></polyline>`+"\n", strings.Join(pts, " "), s.color, dash, esc(s.name))
		for _, v := range s.xy {
			fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s: F=%g, %.4g</title></circle>`+"\n", px(v[0]), py(v[1]), s.color, esc(s.name), v[0], v[1])
		}
	}
}

func num(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%gk", v/1e3)
	default:
		return fmt.Sprintf("%g", v)
	}
}

func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
