package core

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/syncserve"
)

// plotDirEnv names the directory the cost-curve benchmarks write their SVG
// plots to (docs/catchup-cost.svg, docs/feed-store-size.svg); unset, they
// write none.
const plotDirEnv = "SKEIN_BENCH_PLOTS"

// costLog is one author's log of 101,000 signed posts, signed once per
// process for BenchmarkCatchUpCost.
var costLog struct {
	once sync.Once
	key  entry.Key
	es   []*entry.Entry
	err  error
}

// catchUpLog returns the entries of costLog, signing them the first time.
func catchUpLog(b *testing.B) (entry.Key, []*entry.Entry) {
	costLog.once.Do(func() {
		start := time.Now()
		_, priv, err := ed25519.GenerateKey(nil)
		if err != nil {
			costLog.err = err
			return
		}
		costLog.key = keyOf(priv)
		const n = 101_000
		costLog.es = make([]*entry.Entry, 0, n)
		var prev entry.ID
		t := hlc.Timestamp{Wall: uint64(time.Now().Add(-time.Hour).UnixMilli())}
		for seq := uint64(1); seq <= n; seq++ {
			t.Logical++
			e, err := entry.New(priv, seq, prev, t, entry.KindPost, fmt.Appendf(nil, "post number %d of the benchmark, about as long as a short post", seq))
			if err != nil {
				costLog.err = err
				return
			}
			prev = e.ID()
			costLog.es = append(costLog.es, e)
		}
		fmt.Fprintf(os.Stderr, "catch-up cost: signed %d entries in %v\n", n, time.Since(start).Round(time.Millisecond))
	})
	if costLog.err != nil {
		b.Fatal(costLog.err)
	}
	return costLog.key, costLog.es
}

// catchUpCase is one point of the catch-up cost curve: a follower holding
// the first held entries of a log syncs the missing ones after them.
type catchUpCase struct {
	held, missing int
}

// catchUpResult is what one case measured: the mean time and bytes of a
// sync.
type catchUpResult struct {
	catchUpCase
	sec, indexSec, bytes float64
}

// BenchmarkCatchUpCost measures a follower catching up on one author's log
// from a node that holds it, over loopback: the time syncPeer takes and the
// bytes of the sync answers, against the number of entries missing (1k,
// 10k, 100k, nothing held) and against the number already held (0, 10k,
// 100k, 1k missing). Each case reports its time and bytes as ratios to the
// first case (nothing held, 1k missing) measured in the same run: time/base
// and bytes/base should be missing/1000 and the same whatever is held. It
// also reports the time until the follower's search index holds the new
// posts (indexed-ms, indexed/base): the index works after the sync, unless
// more than 20,000 posts wait, when it slows the sync to its pace. Each b.N
// iteration is a new follower, made from a copy of one prepared data
// directory. With SKEIN_BENCH_PLOTS=dir, it writes dir/catchup-cost.svg.
func BenchmarkCatchUpCost(b *testing.B) {
	key, log := catchUpLog(b)
	cases := []catchUpCase{{0, 1_000}, {0, 10_000}, {0, 100_000}, {10_000, 1_000}, {100_000, 1_000}}
	var results []catchUpResult
	for _, c := range cases {
		b.Run(fmt.Sprintf("held=%d/missing=%d", c.held, c.missing), func(b *testing.B) {
			r := catchUpRun(b, key, log, c)
			results = append(results, r)
			base := results[0]
			b.ReportMetric(float64(c.held), "held")
			b.ReportMetric(float64(c.missing), "missing")
			b.ReportMetric(r.bytes, "bytes/sync")
			b.ReportMetric(float64(c.missing)/r.sec, "entries/s")
			b.ReportMetric(r.sec/base.sec, "time/base")
			b.ReportMetric(r.indexSec*1000, "indexed-ms")
			b.ReportMetric(r.indexSec/base.indexSec, "indexed/base")
			b.ReportMetric(r.bytes/base.bytes, "bytes/base")
		})
	}
	if dir := os.Getenv(plotDirEnv); dir != "" && len(results) == len(cases) {
		writeCatchUpPlot(b, filepath.Join(dir, "catchup-cost.svg"), results)
	}
}

// catchUpRun measures case c: a server node holding the first
// c.held+c.missing entries of log, and b.N followers, each new and holding
// the first c.held, indexed for search, syncing from it. It returns the mean
// time syncPeer took, the mean time until the follower's search index also
// holds the new posts, and the mean bytes of the sync answers.
func catchUpRun(b *testing.B, key entry.Key, log []*entry.Entry, c catchUpCase) catchUpResult {
	ctx := context.Background()
	b.StopTimer()
	unlimited := syncserve.Limits{PeerBurst: 1 << 40, PeerRate: 1 << 40, NetBurst: 1 << 40, NetRate: 1 << 40}
	srv, err := New(ctx, Config{DataDir: b.TempDir(), ListenAddrs: loopback[:1], kdf: cheapKDF, serveLimits: unlimited})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	if _, err := srv.store.Append(log[:c.held+c.missing], false); err != nil {
		b.Fatal(err)
	}
	// The follower's state before the sync, built once: the held entries
	// stored and indexed as if they had come by an earlier sync.
	template := b.TempDir()
	f, err := New(ctx, Config{DataDir: template, ListenAddrs: loopback[:1], kdf: cheapKDF})
	if err != nil {
		b.Fatal(err)
	}
	for lo := 0; lo < c.held; lo += 256 {
		if _, err := f.ingest(log[lo:min(lo+256, c.held)]); err != nil {
			b.Fatal(err)
		}
	}
	waitIndexed(b, f)
	f.Close()

	var syncT, indexT time.Duration
	var bytes uint64
	for range b.N {
		dir := filepath.Join(b.TempDir(), "follower")
		if err := os.CopyFS(dir, os.DirFS(template)); err != nil {
			b.Fatal(err)
		}
		f, err := New(ctx, Config{DataDir: dir, ListenAddrs: loopback[:1], kdf: cheapKDF})
		if err != nil {
			b.Fatal(err)
		}
		waitIndexed(b, f)
		if err := f.host.Connect(ctx, peer.AddrInfo{ID: srv.host.ID(), Addrs: srv.host.Addrs()}); err != nil {
			b.Fatal(err)
		}
		in := f.syncIn.Load()
		b.StartTimer()
		start := time.Now()
		got, err := f.syncPeer(ctx, srv.host.ID(), []entry.Key{key})
		syncT += time.Since(start)
		waitIndexed(b, f)
		indexT += time.Since(start)
		b.StopTimer()
		bytes += f.syncIn.Load() - in
		if got != c.missing {
			b.Fatalf("syncPeer() added %d entries, %v; want %d", got, err, c.missing)
		}
		f.Close()
	}
	b.StartTimer()
	n := float64(b.N)
	return catchUpResult{catchUpCase: c, sec: syncT.Seconds() / n, indexSec: indexT.Seconds() / n, bytes: float64(bytes) / n}
}

// waitIndexed waits until n's search index holds every post n stored: its
// first build is done and no post waits in its queue.
func waitIndexed(b *testing.B, n *Node) {
	ix := n.srch.Index()
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		done, _, err := ix.BuildState()
		if err != nil {
			b.Fatal(err)
		}
		dirty, err := ix.Dirty()
		if err != nil {
			b.Fatal(err)
		}
		if done && !dirty {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	b.Fatal("search index still not done after 10 minutes")
}

// writeCatchUpPlot draws the catch-up cost curve: time (sync, and until the
// search index holds the posts too) and bytes against entries missing with
// nothing held, and sync time with 10k and 100k held, as ratios to the
// 1k-missing case, on log-log axes beside the linear ideal.
func writeCatchUpPlot(b *testing.B, path string, rs []catchUpResult) {
	base := rs[0]
	var timeS, indexS, bytesS, heldS []point
	for _, r := range rs {
		x := float64(r.missing)
		if r.held == 0 {
			timeS = append(timeS, point{x: x, y: r.sec / base.sec})
			indexS = append(indexS, point{x: x, y: r.indexSec / base.indexSec})
			bytesS = append(bytesS, point{x: x, y: r.bytes / base.bytes})
		} else {
			heldS = append(heldS, point{x: x, y: r.sec / base.sec, label: fmt.Sprintf("%dk held", r.held/1000)})
		}
	}
	p := plot{
		title:  "Catch-up cost against entries missing (ratio to 1k missing, nothing held)",
		xLabel: "entries missing",
		yLabel: "cost ÷ cost of 1k missing",
		logX:   true, logY: true,
		series: []series{
			{name: "linear (missing ÷ 1k)", color: "#888", dash: true, points: []point{{x: 1_000, y: 1}, {x: 100_000, y: 100}}},
			{name: "time, nothing held", color: "#1565c0", points: timeS},
			{name: "time until search-indexed, nothing held", color: "#ef6c00", points: indexS},
			{name: "bytes, nothing held", color: "#2e7d32", points: bytesS},
			{name: "time, 10k or 100k held, 1k missing", color: "#c62828", points: heldS, dotsOnly: true},
		},
	}
	if err := os.WriteFile(path, []byte(p.svg()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Logf("wrote %s", path)
}

// A plot is a small SVG line chart, for the cost-curve benchmarks.
type plot struct {
	title, xLabel, yLabel string
	logX, logY            bool
	series                []series
}

// A series is one line of a plot.
type series struct {
	name     string
	color    string
	dash     bool // a dashed line, for a reference
	dotsOnly bool // points without a line
	points   []point
}

// A point of a series, with an optional label drawn beside it.
type point struct {
	x, y  float64
	label string
}

// svg returns p as an SVG document.
func (p plot) svg() string {
	const w, h, left, right, top, bottom = 640.0, 400.0, 70.0, 20.0, 40.0, 50.0
	tx := func(v float64) float64 {
		if p.logX {
			return math.Log10(v)
		}
		return v
	}
	ty := func(v float64) float64 {
		if p.logY {
			return math.Log10(v)
		}
		return v
	}
	x0, x1, y0, y1 := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, s := range p.series {
		for _, pt := range s.points {
			x0, x1 = min(x0, tx(pt.x)), max(x1, tx(pt.x))
			y0, y1 = min(y0, ty(pt.y)), max(y1, ty(pt.y))
		}
	}
	if !p.logY {
		y0 = min(y0, 0)
	}
	// Whole decades or a margin around the range.
	if p.logY {
		y0, y1 = math.Floor(y0), math.Ceil(y1)
	} else {
		y1 *= 1.15
	}
	if p.logX {
		x0, x1 = math.Floor(x0), math.Ceil(x1)
	}
	if x1 == x0 {
		x1 = x0 + 1
	}
	if y1 == y0 {
		y1 = y0 + 1
	}
	px := func(v float64) float64 { return left + (tx(v)-x0)/(x1-x0)*(w-left-right) }
	py := func(v float64) float64 { return h - bottom - (ty(v)-y0)/(y1-y0)*(h-top-bottom) }
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="12">`+"\n", w, h, w, h)
	fmt.Fprintf(&sb, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&sb, `<text x="%.0f" y="20" text-anchor="middle" font-size="14">%s</text>`+"\n", w/2, xmlEscape(p.title))
	// Axes, ticks and grid.
	fmt.Fprintf(&sb, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="black"/>`+"\n", left, h-bottom, w-right, h-bottom)
	fmt.Fprintf(&sb, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="black"/>`+"\n", left, top, left, h-bottom)
	for _, t := range ticks(x0, x1, p.logX) {
		x := px(t)
		fmt.Fprintf(&sb, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#ddd"/>`+"\n", x, top, x, h-bottom)
		fmt.Fprintf(&sb, `<text x="%.1f" y="%.0f" text-anchor="middle">%s</text>`+"\n", x, h-bottom+16, tickLabel(t))
	}
	for _, t := range ticks(y0, y1, p.logY) {
		y := py(t)
		fmt.Fprintf(&sb, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#ddd"/>`+"\n", left, y, w-right, y)
		fmt.Fprintf(&sb, `<text x="%.0f" y="%.1f" text-anchor="end">%s</text>`+"\n", left-6, y+4, tickLabel(t))
	}
	fmt.Fprintf(&sb, `<text x="%.0f" y="%.0f" text-anchor="middle">%s</text>`+"\n", left+(w-left-right)/2, h-12, xmlEscape(p.xLabel))
	fmt.Fprintf(&sb, `<text x="16" y="%.0f" text-anchor="middle" transform="rotate(-90 16 %.0f)">%s</text>`+"\n", top+(h-top-bottom)/2, top+(h-top-bottom)/2, xmlEscape(p.yLabel))
	// Series and legend.
	for i, s := range p.series {
		pts := slices.Clone(s.points)
		slices.SortFunc(pts, func(a, b point) int { return cmp.Compare(a.x, b.x) })
		if !s.dotsOnly && len(pts) > 1 {
			var d strings.Builder
			for j, pt := range pts {
				fmt.Fprintf(&d, "%s%.1f,%.1f ", map[bool]string{true: "M", false: "L"}[j == 0], px(pt.x), py(pt.y))
			}
			dash := ""
			if s.dash {
				dash = ` stroke-dasharray="6 4"`
			}
			fmt.Fprintf(&sb, `<path d="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", strings.TrimSpace(d.String()), s.color, dash)
		}
		if !s.dash {
			for _, pt := range pts {
				fmt.Fprintf(&sb, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>`+"\n", px(pt.x), py(pt.y), s.color)
				if pt.label != "" {
					fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" fill="%s">%s</text>`+"\n", px(pt.x)+6, py(pt.y)-6, s.color, xmlEscape(pt.label))
				}
			}
		}
		ly := top + 10 + float64(i)*16
		fmt.Fprintf(&sb, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="%s" stroke-width="2"%s/>`, left+12, ly, left+36, ly, s.color, map[bool]string{true: ` stroke-dasharray="6 4"`, false: ""}[s.dash])
		fmt.Fprintf(&sb, `<text x="%.0f" y="%.0f">%s</text>`+"\n", left+42, ly+4, xmlEscape(s.name))
	}
	sb.WriteString("</svg>\n")
	return sb.String()
}

// ticks returns the tick values between lo and hi, in the plotted scale:
// every decade on a log axis, about five round steps on a linear one.
func ticks(lo, hi float64, log bool) []float64 {
	var ts []float64
	if log {
		for e := math.Ceil(lo); e <= hi; e++ {
			ts = append(ts, math.Pow(10, e))
		}
		return ts
	}
	step := math.Pow(10, math.Floor(math.Log10((hi-lo)/5)))
	for _, m := range []float64{1, 2, 5, 10} {
		if (hi-lo)/(step*m) <= 6 {
			step *= m
			break
		}
	}
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ts = append(ts, v)
	}
	return ts
}

// tickLabel formats a tick value shortly: 1k, 10M, 0.5.
func tickLabel(v float64) string {
	switch {
	case v >= 1e6 && math.Mod(v, 1e6) == 0:
		return fmt.Sprintf("%gM", v/1e6)
	case v >= 1e3 && math.Mod(v, 1e3) == 0:
		return fmt.Sprintf("%gk", v/1e3)
	}
	return fmt.Sprintf("%g", math.Round(v*1000)/1000)
}

// xmlEscape escapes s for SVG text.
func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
