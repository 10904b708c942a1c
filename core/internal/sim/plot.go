package sim

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Series is one named line of a Plot: its points (x, y) are joined in the
// order given, with a marker at each. Dashed draws the line dashed (e.g. a
// baseline such as raw GossipSub).
type Series struct {
	Name   string       `json:"name"`
	Points [][2]float64 `json:"points"`
	Dashed bool         `json:"dashed,omitempty"`
}

// Plot is a line plot rendered to a self-contained SVG (no scripts, fonts
// or external references): white background, sans-serif text, a title,
// axis labels, axis ticks at round numbers (1, 2, 5 × 10^k), a marker at
// every point (shapes and colours differ per series, colour-blind safe),
// and a legend under the x axis.
//
// On a log axis, points whose coordinate is ≤ 0 cannot be placed: they are
// skipped (the line breaks there), and so are NaN and infinite values on
// any axis. A plot with no drawable point shows its axes and "no data".
type Plot struct {
	Title  string   `json:"title"`
	XLabel string   `json:"xlabel"`
	YLabel string   `json:"ylabel"`
	LogX   bool     `json:"logx,omitempty"`
	LogY   bool     `json:"logy,omitempty"`
	Series []Series `json:"series"`
	// Width and Height in pixels; defaults 480×320, minimum 200×150.
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
	// YMin and YMax fix the y range when YMin < YMax (e.g. 0..100 for a
	// percentage). Otherwise a linear y axis spans 0 (when every value is
	// ≥ 0) to the data's maximum, rounded out to ticks, and a log axis the
	// data's range.
	YMin float64 `json:"ymin,omitempty"`
	YMax float64 `json:"ymax,omitempty"`
}

// Colours (Okabe–Ito, colour-blind safe) and marker shapes, per series.
var (
	palette = [...]string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"}
	shapes  = [...]string{"circle", "square", "triangle", "diamond"}
)

const (
	fontSize  = 12
	charWidth = 7.0 // approximate advance of a 12 px sans-serif character
)

func (p Plot) size() (int, int) {
	w, h := p.Width, p.Height
	if w <= 0 {
		w = 480
	}
	if h <= 0 {
		h = 320
	}
	return max(w, 200), max(h, 150)
}

// SVG renders the plot as a standalone SVG document.
func (p Plot) SVG() []byte {
	w, h := p.size()
	var b bytes.Buffer
	header(&b, w, h)
	p.render(&b)
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// Grid renders several plots in one SVG document, cols per row (at least
// 1), each in a cell as large as the largest plot.
func Grid(cols int, plots ...Plot) []byte {
	cols = max(1, min(cols, len(plots)))
	cw, ch := 200, 150
	for _, p := range plots {
		w, h := p.size()
		cw, ch = max(cw, w), max(ch, h)
	}
	rows := (len(plots) + cols - 1) / cols
	if len(plots) == 0 {
		rows = 1
	}
	var b bytes.Buffer
	header(&b, cols*cw, rows*ch)
	for i, p := range plots {
		fmt.Fprintf(&b, "<g transform=\"translate(%d,%d)\">\n", (i%cols)*cw, (i/cols)*ch)
		p.render(&b)
		b.WriteString("</g>\n")
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

func header(b *bytes.Buffer, w, h int) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="%d">`+"\n", w, h, w, h, fontSize)
	fmt.Fprintf(b, `<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", w, h)
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(oneLine(s)))
	return b.String()
}

func textWidth(s string) float64 { return float64(utf8.RuneCountInString(s)) * charWidth }

// axis maps data values to pixels along one axis.
type axis struct {
	log        bool
	lo, hi     float64 // data domain (log10 of it on a log axis)
	from, to   float64 // pixel range
	ticks      []float64
	tickLabels []string
}

func (a axis) pos(v float64) float64 {
	if a.log {
		v = math.Log10(v)
	}
	if a.hi == a.lo {
		return (a.from + a.to) / 2
	}
	return a.from + (v-a.lo)/(a.hi-a.lo)*(a.to-a.from)
}

// usable reports whether v can be placed on the axis.
func usable(v float64, log bool) bool {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return false
	}
	return !log || v > 0
}

func (p Plot) render(b *bytes.Buffer) {
	w, h := p.size()
	W, H := float64(w), float64(h)

	// Data ranges over drawable points.
	xmin, xmax := math.Inf(1), math.Inf(-1)
	ymin, ymax := math.Inf(1), math.Inf(-1)
	points := 0
	for _, s := range p.Series {
		for _, pt := range s.Points {
			if !usable(pt[0], p.LogX) || !usable(pt[1], p.LogY) {
				continue
			}
			points++
			xmin, xmax = math.Min(xmin, pt[0]), math.Max(xmax, pt[0])
			ymin, ymax = math.Min(ymin, pt[1]), math.Max(ymax, pt[1])
		}
	}
	fixedY := p.YMin < p.YMax && usable(p.YMin, p.LogY) && usable(p.YMax, p.LogY)
	if fixedY {
		ymin, ymax = p.YMin, p.YMax
	}
	if points == 0 {
		xmin, xmax = 0, 1
		if p.LogX {
			xmin, xmax = 1, 10
		}
		if !fixedY {
			ymin, ymax = 0, 1
			if p.LogY {
				ymin, ymax = 1, 10
			}
		}
	}
	if !p.LogY && !fixedY && ymin >= 0 {
		ymin = 0 // linear y from zero: honest heights
	}

	// Legend layout (under the x label), wrapped to the width.
	type item struct {
		name   string
		x, y   float64
		series int
	}
	var items []item
	lx, rows := 12.0, 0
	if len(p.Series) > 0 {
		rows = 1
	}
	for i, s := range p.Series {
		name := s.Name
		if name == "" {
			name = fmt.Sprintf("series %d", i+1)
		}
		iw := 34 + textWidth(name) + 14
		if lx+iw > W-8 && lx > 12 {
			lx = 12
			rows++
		}
		items = append(items, item{name, lx, float64(rows - 1), i})
		lx += iw
	}

	// Plot area.
	top := 14.0
	if p.Title != "" {
		top = 34
	}
	bottom := 46.0 + float64(rows)*18
	if p.XLabel == "" {
		bottom -= 16
	}
	ya := makeAxis(ymin, ymax, p.LogY, H-bottom, top, fixedY)
	labelW := 0.0
	for _, l := range ya.tickLabels {
		labelW = math.Max(labelW, textWidth(l))
	}
	left := labelW + 14
	if p.YLabel != "" {
		left += 20
	}
	right := W - 16
	xa := makeAxis(xmin, xmax, p.LogX, left, right, false)
	// Leave room for the last x tick label.
	if n := len(xa.tickLabels); n > 0 {
		over := xa.pos(xa.ticks[n-1]) + textWidth(xa.tickLabels[n-1])/2 - (W - 4)
		if over > 0 {
			xa = makeAxis(xmin, xmax, p.LogX, left, right-over, false)
		}
	}
	plotBottom := H - bottom

	// Title and axis labels.
	if p.Title != "" {
		fmt.Fprintf(b, `<text x="%.1f" y="22" text-anchor="middle" font-size="15" font-weight="bold" fill="#000">%s</text>`+"\n", W/2, esc(p.Title))
	}
	if p.XLabel != "" {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#000">%s</text>`+"\n", (xa.from+xa.to)/2, plotBottom+34, esc(p.XLabel))
	}
	if p.YLabel != "" {
		cy := (ya.from + ya.to) / 2
		fmt.Fprintf(b, `<text x="14" y="%.1f" text-anchor="middle" transform="rotate(-90 14 %.1f)" fill="#000">%s</text>`+"\n", cy, cy, esc(p.YLabel))
	}

	// Grid lines and ticks.
	b.WriteString(`<g stroke="#e0e0e0" stroke-width="1">` + "\n")
	for _, t := range ya.ticks {
		y := ya.pos(t)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`+"\n", xa.from, y, xa.to, y)
	}
	for _, t := range xa.ticks {
		x := xa.pos(t)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`+"\n", x, ya.to, x, ya.from)
	}
	b.WriteString("</g>\n")
	b.WriteString(`<g fill="#333" font-size="11">` + "\n")
	for i, t := range ya.ticks {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end" dy="0.35em">%s</text>`+"\n", xa.from-5, ya.pos(t), esc(ya.tickLabels[i]))
	}
	for i, t := range xa.ticks {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", xa.pos(t), plotBottom+16, esc(xa.tickLabels[i]))
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#666" stroke-width="1"/>`+"\n",
		xa.from, ya.to, xa.to-xa.from, ya.from-ya.to)

	if points == 0 {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#999">no data</text>`+"\n", (xa.from+xa.to)/2, (ya.from+ya.to)/2)
	}

	// Series: lines broken at undrawable points, then markers.
	for i, s := range p.Series {
		color := palette[i%len(palette)]
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		var path strings.Builder
		pen := false
		for _, pt := range s.Points {
			if !usable(pt[0], p.LogX) || !usable(pt[1], p.LogY) {
				pen = false
				continue
			}
			cmd := "L"
			if !pen {
				cmd = "M"
			}
			fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, xa.pos(pt[0]), clampY(ya, pt[1]))
			pen = true
		}
		if path.Len() > 0 {
			fmt.Fprintf(b, `<path d="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", strings.TrimSpace(path.String()), color, dash)
		}
		for _, pt := range s.Points {
			if !usable(pt[0], p.LogX) || !usable(pt[1], p.LogY) {
				continue
			}
			marker(b, shapes[i%len(shapes)], xa.pos(pt[0]), clampY(ya, pt[1]), color)
		}
	}

	// Legend.
	for _, it := range items {
		s := p.Series[it.series]
		color := palette[it.series%len(palette)]
		y := plotBottom + 54 + it.y*18
		if p.XLabel == "" {
			y -= 16
		}
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"%s/>`+"\n", it.x, y, it.x+28, y, color, dash)
		marker(b, shapes[it.series%len(shapes)], it.x+14, y, color)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" dy="0.35em" fill="#000">%s</text>`+"\n", it.x+34, y, esc(it.name))
	}
}

// clampY places v on the y axis, clamped into the plot area (a fixed range
// may cut values off).
func clampY(a axis, v float64) float64 {
	y := a.pos(v)
	lo, hi := math.Min(a.from, a.to), math.Max(a.from, a.to)
	return math.Max(lo, math.Min(hi, y))
}

func marker(b *bytes.Buffer, shape string, x, y float64, color string) {
	const r = 3.5
	switch shape {
	case "square":
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`+"\n", x-r, y-r, 2*r, 2*r, color)
	case "triangle":
		fmt.Fprintf(b, `<path d="M%.1f %.1f L%.1f %.1f L%.1f %.1f Z" fill="%s"/>`+"\n", x, y-r-1, x-r-1, y+r, x+r+1, y+r, color)
	case "diamond":
		fmt.Fprintf(b, `<path d="M%.1f %.1f L%.1f %.1f L%.1f %.1f L%.1f %.1f Z" fill="%s"/>`+"\n", x, y-r-1, x+r+1, y, x, y+r+1, x-r-1, y, color)
	default:
		fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s"/>`+"\n", x, y, r, color)
	}
}

// makeAxis chooses the domain and ticks of an axis over data [lo, hi]
// (both > 0 on a log axis), mapped to pixels [from, to]. Unless exact, a
// linear domain is rounded out to whole ticks, a log domain to 1, 2 or 5 ×
// 10^k.
func makeAxis(lo, hi float64, log bool, from, to float64, exact bool) axis {
	a := axis{log: log, from: from, to: to}
	if log {
		if hi/lo < 1.0001 {
			lo, hi = lo/2, hi*2
		}
		if !exact {
			lo, hi = niceBelow(lo), niceAbove(hi)
		}
		a.ticks = logTicks(lo, hi)
		a.lo, a.hi = math.Log10(lo), math.Log10(hi)
		// A little margin so end markers are not on the frame.
		pad := (a.hi - a.lo) * 0.04
		if !exact {
			a.lo, a.hi = a.lo-pad, a.hi+pad
		}
	} else {
		if hi-lo < 1e-12*math.Max(1, math.Abs(hi)) {
			// One value: from 0 to it (or 0 to 1 for 0 itself).
			if hi == 0 {
				lo, hi = 0, 1
			} else {
				lo, hi = math.Min(0, lo), math.Max(0, hi)
			}
		}
		step := niceStep((hi - lo) / 5)
		if !exact {
			// Headroom, so that points at the ends sit inside the frame.
			span := hi - lo
			if hi > 0 || lo < 0 {
				hi += 0.02 * span
			}
			if lo < 0 {
				lo -= 0.02 * span
			}
			step = niceStep((hi - lo) / 5)
			lo = math.Floor(lo/step+1e-9) * step
			hi = math.Ceil(hi/step-1e-9) * step
		}
		// Ticks at whole multiples of step (computed, not accumulated, so
		// that 0.1 + 0.2 does not drift), at most 50.
		first := math.Ceil(lo/step - 1e-9)
		for i := 0.0; i < 50; i++ {
			t := (first + i) * step
			if t > hi+step*1e-9 {
				break
			}
			if math.Abs(t) < step*1e-9 {
				t = 0
			}
			a.ticks = append(a.ticks, t)
		}
		a.lo, a.hi = lo, hi
	}
	for _, t := range a.ticks {
		a.tickLabels = append(a.tickLabels, fmtTick(t))
	}
	return a
}

// niceStep returns the smallest of 1, 2, 5 × 10^k that is ≥ raw.
func niceStep(raw float64) float64 {
	if !(raw > 0) {
		return 1
	}
	e := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*e >= raw*(1-1e-9) {
			return m * e
		}
	}
	return 10 * e
}

// niceBelow returns the largest of 1, 2, 5 × 10^k that is ≤ v (v > 0).
func niceBelow(v float64) float64 {
	e := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{5, 2, 1} {
		if m*e <= v*(1+1e-9) {
			return m * e
		}
	}
	return e
}

// niceAbove returns the smallest of 1, 2, 5 × 10^k that is ≥ v (v > 0).
func niceAbove(v float64) float64 {
	e := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*e >= v*(1-1e-9) {
			return m * e
		}
	}
	return 10 * e
}

// logTicks returns the ticks of a log axis over [lo, hi]: powers of ten,
// with 2 and 5 × 10^k as well when the range spans fewer than three
// decades (and every 1..9 × 10^k under one decade).
func logTicks(lo, hi float64) []float64 {
	decades := math.Log10(hi) - math.Log10(lo)
	mults := []float64{1}
	switch {
	case decades < 1:
		mults = []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	case decades < 3:
		mults = []float64{1, 2, 5}
	}
	var ticks []float64
	for k := math.Floor(math.Log10(lo)); k <= math.Ceil(math.Log10(hi)); k++ {
		for _, m := range mults {
			t := m * math.Pow(10, k)
			if t >= lo*(1-1e-9) && t <= hi*(1+1e-9) {
				ticks = append(ticks, t)
			}
		}
	}
	if len(ticks) < 2 { // a very narrow range: label its ends
		ticks = []float64{lo, hi}
	}
	return ticks
}

// fmtTick formats a tick value compactly: 0.05, 2, 1500, 20k, 3M, 1e-06.
func fmtTick(v float64) string {
	av := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case av >= 1e9 && av < 1e12:
		return trimFloat(v/1e9) + "G"
	case av >= 1e6 && av < 1e9:
		return trimFloat(v/1e6) + "M"
	case av >= 1e4 && av < 1e6:
		return trimFloat(v/1e3) + "k"
	case av >= 1e-4 && av < 1e4:
		return trimFloat(v)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

func trimFloat(v float64) string {
	return strconv.FormatFloat(math.Round(v*1e6)/1e6, 'f', -1, 64)
}
