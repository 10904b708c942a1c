package ratelimit

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

// Log writes log lines about events that peers cause (a rejected message, a
// refused request) without letting a peer fill the disk: in each window it
// passes the first PerKey lines of each key and at most Total lines in all,
// and counts the others. When a window in which lines were held back ends,
// it writes one line per key saying how many lines of each message it held
// back. At most MaxKeys keys are tracked in a window; lines of further keys
// are counted under the key "others".
//
// A Log must be closed: Close writes the counts still pending.
type Log struct {
	log    *slog.Logger
	perKey int
	total  int
	window time.Duration
	maxKey int
	now    func() time.Time

	mu      sync.Mutex
	start   time.Time
	passed  int
	keys    map[string]*keyWindow
	timer   *time.Timer
	closed  bool
	flushes int // summaries written, for tests
}

type keyWindow struct {
	passed int
	held   map[string]int // message → lines held back
	level  slog.Level
}

// Default limits of NewLog.
const (
	DefaultPerKey = 5
	DefaultTotal  = 100
	DefaultWindow = time.Minute
	DefaultKeys   = 256
	othersKey     = "others"
)

// NewLog returns a Log writing to log, with the default limits: 5 lines per
// key and 100 in all a minute, 256 keys.
func NewLog(log *slog.Logger) *Log {
	return NewLogLimits(log, DefaultPerKey, DefaultTotal, DefaultWindow, DefaultKeys)
}

// NewLogLimits returns a Log with the given limits.
func NewLogLimits(log *slog.Logger, perKey, total int, window time.Duration, maxKeys int) *Log {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Log{
		log:    log,
		perKey: perKey,
		total:  total,
		window: window,
		maxKey: max(maxKeys, 1),
		now:    time.Now,
		keys:   make(map[string]*keyWindow),
	}
}

// Warn logs msg with args at level Warn for key, the peer that caused it,
// unless key or everyone has used up the window's lines. The key is added to
// args as "peer".
func (g *Log) Warn(key, msg string, args ...any) { g.Log(slog.LevelWarn, key, msg, args...) }

// Info is Warn at level Info.
func (g *Log) Info(key, msg string, args ...any) { g.Log(slog.LevelInfo, key, msg, args...) }

// Debug is Warn at level Debug.
func (g *Log) Debug(key, msg string, args ...any) { g.Log(slog.LevelDebug, key, msg, args...) }

// Log logs msg at level for key, within the limits.
func (g *Log) Log(level slog.Level, key, msg string, args ...any) {
	if !g.log.Enabled(context.Background(), level) {
		return
	}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return
	}
	now := g.now()
	if g.start.IsZero() || now.Sub(g.start) >= g.window {
		g.flushLocked()
		g.start = now
	}
	k := g.keys[key]
	if k == nil {
		if len(g.keys) >= g.maxKey {
			key = othersKey
			k = g.keys[key]
		}
		if k == nil {
			k = &keyWindow{held: make(map[string]int)}
			g.keys[key] = k
		}
	}
	if k.passed < g.perKey && g.passed < g.total {
		k.passed++
		g.passed++
		g.mu.Unlock()
		g.log.Log(context.Background(), level, msg, append(args, "peer", key)...)
		return
	}
	k.held[msg]++
	k.level = max(k.level, level)
	if g.timer == nil {
		g.timer = time.AfterFunc(g.start.Add(g.window).Sub(now), g.flush)
	}
	g.mu.Unlock()
}

// flush writes the counts of the window that ended.
func (g *Log) flush() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return
	}
	g.flushLocked()
	g.start = time.Time{}
}

// flushLocked writes one line per key that had lines held back and starts
// an empty window. g.mu is held; the lines are few, one per key.
func (g *Log) flushLocked() {
	if g.timer != nil {
		g.timer.Stop()
		g.timer = nil
	}
	keys := make([]string, 0, len(g.keys))
	for key, k := range g.keys {
		if len(k.held) > 0 {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	for _, key := range keys {
		k := g.keys[key]
		total := 0
		counts := make([]Count, 0, len(k.held))
		for what, n := range k.held {
			counts = append(counts, Count{what, n})
			total += n
		}
		slices.SortFunc(counts, func(a, b Count) int { return strings.Compare(a.What, b.What) })
		parts := make([]string, len(counts))
		for i, c := range counts {
			parts[i] = c.String()
		}
		g.log.Log(context.Background(), k.level, "log lines held back", "peer", key, "lines", total,
			"window", g.window, "messages", strings.Join(parts, "; "))
		g.flushes++
	}
	clear(g.keys)
	g.passed = 0
}

// Close writes the counts still pending and stops the Log's timer. Lines
// logged after Close are dropped.
func (g *Log) Close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return
	}
	g.flushLocked()
	g.closed = true
}
