package core

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/p2p"
	"github.com/skein-p2p/skein/core/internal/sim"
)

// The simulation harness (issue 16): N full Skein nodes in this process, a
// follow graph drawn from a power law, posts and churn on a schedule, and
// the measurements of sim.Result. `make sim` runs it; TestSimSmoke runs a
// small size in `make test`. docs/BENCHMARKS.md, "Scale: the 500-node simulation" describes it.
var (
	simN          = flag.Int("sim.n", 0, "TestSim: number of Skein nodes (0: skip TestSim unless SKEIN_SIM_N is set)")
	simSweep      = flag.String("sim.sweep", "", "TestSim: comma-separated node counts to run one after another, e.g. 50,100,200,500 (overrides -sim.n)")
	simRelays     = flag.Int("sim.relays", 2, "TestSim: relays (1-3), the DHT servers and bootstrap peers")
	simDuration   = flag.Duration("sim.duration", 20*time.Second, "TestSim: posting and churn window")
	simSettle     = flag.Duration("sim.settle", 30*time.Second, "TestSim: longest wait, after the window, for every follower to hold every post")
	simRate       = flag.Float64("sim.rate", 0, "TestSim: posts per second over the whole network (default N/20)")
	simFollows    = flag.Int("sim.follows", 10, "TestSim: mean accounts each node follows")
	simChurn      = flag.Float64("sim.churn", 0.1, "TestSim: fraction of nodes that close and reopen once during the window")
	simBackground = flag.Float64("sim.background", 0.1, "TestSim: fraction of nodes that go to background power mode once during the window")
	simSeed       = flag.Uint64("sim.seed", 1, "TestSim: seed of the graph and the schedule")
	simTransport  = flag.String("sim.transport", "", "TestSim: tcp (loopback sockets) or mem (in-memory transport); default tcp below 200 nodes, mem from 200")
	simOut        = flag.String("sim.out", "", "TestSim: write the results as JSON to this file")
	simSVG        = flag.String("sim.svg", "", "TestSim: write the curves of the results (sim.Curves) to this SVG file")
	simLookups    = flag.Bool("sim.lookups", false, "TestSim: every Follow looks its name up in the DHT (default: a warm start, names resolved from the run's directory as an earlier session would have pinned them; the DHT still serves the holders' lookups, the name records and the returning nodes' lookups). With lookups, set-up takes minutes from 200 nodes and may stop short of the graph's follows")
	simPace       = flag.Duration("sim.pace", 200*time.Millisecond, "TestSim: with the warm start, the pause after each of a node's follows (a lookup's time): without it, every follow's dial, notice, sync and profile request come in one burst")
	simRaw        = flag.Bool("sim.raw", true, "TestSim: measure raw GossipSub on the same topology after each run")
	simPX         = flag.Bool("sim.px", false, "TestSim: GossipSub peer exchange on (an experiment: the nodes and the raw baseline with it; off in Skein)")
	simDir        = flag.String("sim.dir", "/dev/shm", "TestSim: where the nodes' data directories go, if it exists (default the test's temporary directory): every node's durable writes share one disk here, where a phone has its own")
)

// simConfig is one run's parameters.
type simConfig struct {
	n, relays       int
	window, settle  time.Duration
	rate            float64 // posts/s over the network
	follows         int
	churn, bg       float64
	seed            uint64
	mem             bool // in-memory transport instead of loopback TCP
	lookups         bool // Follow looks names up in the DHT (else warm start)
	px              bool // GossipSub peer exchange on (an experiment; off in Skein)
	pace            time.Duration
	raw             bool // measure raw GossipSub on the same topology too
	setupBudget     time.Duration
	logf            func(format string, args ...any)
	workers         int // concurrent start-ups and follows
	requireComplete bool
}

func TestSim(t *testing.T) {
	sizes := simSizes()
	if len(sizes) == 0 {
		t.Skip("simulation: give -sim.n N (or SKEIN_SIM_N) or -sim.sweep 50,100,... (make sim)")
	}
	goroutines0 := runtime.NumGoroutine()
	var results []sim.Result
	for _, n := range sizes {
		cfg := simConfig{
			n: n, relays: min(max(*simRelays, 1), 3),
			window: *simDuration, settle: *simSettle,
			rate: *simRate, follows: *simFollows,
			churn: *simChurn, bg: *simBackground, seed: *simSeed,
			raw: *simRaw, setupBudget: 30*time.Second + time.Duration(n)*300*time.Millisecond, logf: t.Logf,
			lookups: *simLookups, px: *simPX, pace: *simPace,
		}
		if cfg.rate <= 0 {
			cfg.rate = float64(n) / 20
		}
		switch *simTransport {
		case "tcp":
		case "mem":
			cfg.mem = true
		case "":
			cfg.mem = n >= 200
		default:
			t.Fatalf("-sim.transport %q: want tcp or mem", *simTransport)
		}
		r := runSim(t, cfg)
		fmt.Println(r.Table().Text())
		results = append(results, r)
		writeSimOut(t, results) // after each run: a later failure keeps these
	}
	if len(results) > 1 {
		fmt.Println(sim.ResultsTable(results).Text())
	}
	// Hundreds of closed hosts leave go-libp2p goroutines that finish a
	// little later (identify's event emits): give them time before the
	// package's leak check, within a bound.
	for deadline := time.Now().Add(20 * time.Second); runtime.NumGoroutine() > goroutines0+20 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	if *simSVG != "" {
		if err := os.WriteFile(*simSVG, sim.Curves(results), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// writeSimOut writes results to -sim.out, if given.
func writeSimOut(t *testing.T, results []sim.Result) {
	if *simOut == "" {
		return
	}
	f, err := os.Create(*simOut)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.WriteResults(f, results); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// simSizes returns the node counts TestSim runs, from its flags or
// SKEIN_SIM_N.
func simSizes() []int {
	var out []int
	src := *simSweep
	if src == "" && *simN > 0 {
		src = strconv.Itoa(*simN)
	}
	if src == "" {
		src = os.Getenv("SKEIN_SIM_N")
	}
	for s := range strings.SplitSeq(src, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n > 1 {
			out = append(out, n)
		}
	}
	return out
}

// TestSimSmoke runs a dozen nodes for a few seconds, with churn and
// background mode, and checks what must hold whatever the machine's speed:
// every follower ends up with every post of the authors it follows, and
// every counter that must move did. No timing is asserted.
func TestSimSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation smoke test: not in -short")
	}
	r := runSim(t, simConfig{
		n: 12, relays: 1, window: 3 * time.Second, settle: 30 * time.Second,
		rate: 4, follows: 4, churn: 0.2, bg: 0.2, seed: 7, mem: true, raw: true, lookups: true,
		setupBudget: 60 * time.Second, logf: t.Logf, requireComplete: true,
	})
	t.Log("\n" + r.Table().Text())
	if r.Posts == 0 || r.Deliveries == 0 {
		t.Fatalf("posts %d, deliveries %d: nothing was published", r.Posts, r.Deliveries)
	}
	if r.CompletenessMin != 1 || r.CompletenessAllMin != 1 {
		t.Errorf("completeness: returning followers min %.3f, all followers min %.3f; want 1", r.CompletenessMin, r.CompletenessAllMin)
	}
	for name, v := range map[string]float64{
		"gossip data bytes":    r.BytesPerNodeHour.GossipData,
		"gossip control bytes": r.BytesPerNodeHour.GossipControl,
		"sync bytes":           r.BytesPerNodeHour.Sync,
		"DHT bytes":            r.BytesPerNodeHour.DHT,
		"gossip data messages": r.MsgsPerNodeHour.GossipData,
		"CPU":                  r.CPUSecondsPerNodeHour,
		"RSS":                  r.RSSPerNode,
		"latency p50":          r.Latency.P50,
		"DHT lookup p50":       r.DHTLookup.P50,
		"raw GossipSub p50":    r.RawGossip.P50,
	} {
		if v <= 0 {
			t.Errorf("%s: %v, want > 0", name, v)
		}
	}
}

// simNode is one simulated device: its node (nil while offline), its
// counters, which outlive restarts, and its configuration.
type simNode struct {
	i    int
	name string
	key  entry.Key
	cfg  Config
	ctr  *simCounters

	mu       sync.Mutex // serialises the node's scheduled events
	node     atomic.Pointer[Node]
	returned bool // went offline or to the background, and came back
	// away are the times the node was offline or in the background
	// (guarded by mu): deliveries of posts published then are not live.
	away    []span
	stopW   context.CancelFunc
	watchWG sync.WaitGroup
}

// span is a stretch of time.
type span struct {
	from, to   time.Time
	background bool // in background power mode, not offline
}

// spans formats ss as offsets from t0.
func spans(ss []span, t0 time.Time) string {
	var b strings.Builder
	for _, sp := range ss {
		kind := "offline"
		if sp.background {
			kind = "background"
		}
		to := "end"
		if !sp.to.IsZero() {
			to = fmt.Sprintf("%.1fs", sp.to.Sub(t0).Seconds())
		}
		fmt.Fprintf(&b, "[%s %.1fs–%s]", kind, sp.from.Sub(t0).Seconds(), to)
	}
	return b.String()
}

// awayAt reports whether sn was away at time at (sn.mu is not needed once
// the window is over).
func (sn *simNode) awayAt(at time.Time) bool {
	for _, a := range sn.away {
		if !at.Before(a.from) && (a.to.IsZero() || at.Before(a.to)) {
			return true
		}
	}
	return false
}

// simRun is the state of one run.
type simRun struct {
	cfg    simConfig
	g      sim.Graph
	nodes  []*simNode
	mem    *memNet
	lookMu sync.Mutex
	looks  sim.Sample // DHT lookup times, ms

	pubMu     sync.Mutex
	published map[string]time.Time // post text → handed to GossipSub
	arrived   []map[string]time.Time
	arrMu     []sync.Mutex
	// halfOpen counts the connections the nodes closed and dialled
	// again as GossipSub half open (core/reconnect.go).
	halfOpen atomic.Int64
}

func runSim(t *testing.T, cfg simConfig) sim.Result {
	t.Helper()
	if cfg.workers == 0 {
		// The start-up and follows wait on the network and the disk
		// more than on the CPU.
		cfg.workers = 32 * runtime.GOMAXPROCS(0)
	}
	wallStart := time.Now()
	ctx := context.Background()
	base := simBase(t)
	s := &simRun{cfg: cfg, published: make(map[string]time.Time)}
	if cfg.mem {
		s.mem = newMemNet()
	}
	s.g = sim.PowerLaw(cfg.n, cfg.follows, sim.DefaultAlpha, cfg.seed)
	load0 := loadAvg()
	logf := cfg.logf
	phase := time.Now()
	step := func(what string) {
		logf("sim n=%d: %s (%.1f s)", cfg.n, what, time.Since(phase).Seconds())
		phase = time.Now()
	}

	// Relays: the DHT servers and every node's bootstrap peers.
	var relays []*Relay
	var relayAddrs []string
	defer func() {
		for _, r := range relays {
			r.Close()
		}
	}()
	for r := range cfg.relays {
		rc := RelayConfig{
			DataDir:        filepath.Join(base, fmt.Sprintf("relay%d", r)),
			ListenAddrs:    s.listenAddr(-1 - r),
			BootstrapAddrs: relayAddrs,
			sim:            &simHooks{host: s.hostHooks(nil)},
		}
		if !cfg.mem {
			// Every node shares 127.0.0.0/24: lift the claims' rate per network.
			many := names.Rate{PerSecond: 1000, Burst: 100_000}
			rc.nameRates = names.Rates{PeerPuts: many, NetPuts: many, PeerClaims: many, NetClaims: many}
		}
		rel, err := NewRelay(ctx, rc)
		if err != nil {
			t.Fatalf("relay %d: %v", r, err)
		}
		relays = append(relays, rel)
		relayAddrs = append(relayAddrs, rel.Addrs()...)
	}

	// Nodes: registered in parallel.
	accounts := simAccounts(t, cfg.n)
	// The directory of names for a warm start (simHooks.names): each
	// node's record as its registration published it.
	var dirMu sync.Mutex
	directory := make(map[string]names.Record)
	lookupNames := func(name string) (names.Record, bool) {
		dirMu.Lock()
		defer dirMu.Unlock()
		r, ok := directory[name]
		return r, ok
	}
	if cfg.lookups {
		lookupNames = nil
	}
	s.nodes = make([]*simNode, cfg.n)
	s.arrived = make([]map[string]time.Time, cfg.n)
	s.arrMu = make([]sync.Mutex, cfg.n)
	for i := range s.nodes {
		sn := &simNode{i: i, name: simName(i), key: keyOf(accounts[i]), ctr: new(simCounters)}
		sn.cfg = Config{
			DataDir:        filepath.Join(base, strconv.Itoa(i)),
			ListenAddrs:    s.listenAddr(i),
			BootstrapAddrs: relayAddrs,
			// Phones: DHT clients; directly reachable, so no relay
			// reservations (the relays stay DHT servers and bootstrap
			// peers only).
			DHTMode:      DHTClient,
			Reachability: ReachabilityPublic,
			kdf:          cheapKDF,
			publishHook:  s.published1,
			Logger:       slog.New(halfOpenCounter{&s.halfOpen}),
			sim: &simHooks{
				host:   s.hostHooks(sn.ctr),
				lookup: s.lookup,
				account: func(name string) (ed25519.PrivateKey, uint64) {
					return accounts[i], simWork(t, i, accounts[i])
				},
				names: lookupNames,
			},
		}
		s.nodes[i] = sn
		s.arrived[i] = make(map[string]time.Time)
	}
	defer s.closeAll()
	setupCtx, cancel := context.WithTimeout(ctx, cfg.setupBudget)
	defer cancel()
	if err := s.parallel(setupCtx, cfg.n, func(ctx context.Context, i int) error {
		sn := s.nodes[i]
		n, err := New(ctx, sn.cfg)
		if err != nil {
			return err
		}
		sn.node.Store(n)
		if err := s.joined(ctx, n); err != nil {
			return fmt.Errorf("node %d: %w", i, err)
		}
		if _, err = n.Register(ctx, sn.name, "pw"); err != nil {
			return err
		}
		rec, err := n.ownRecord(n.session())
		if err != nil {
			return err
		}
		r, err := names.Decode(rec)
		if err != nil {
			return err
		}
		dirMu.Lock()
		directory[sn.name] = r
		dirMu.Unlock()
		return nil
	}); err != nil {
		t.Fatalf("start-up: %v", err)
	}
	step("nodes started and registered")

	cancel()
	setupCtx, cancel = context.WithTimeout(ctx, cfg.setupBudget)
	defer cancel()
	// Follows, through the API: each looks the name up in the DHT. A
	// lookup that found nobody in time (a loaded machine) is retried, as
	// a user would.
	// A follow that fails three times is left out of the graph, and
	// reported.
	var followed, retried, failed atomic.Int64
	stopProgress := s.progress(func() string {
		return fmt.Sprintf("%d of %d follows, %d retried, %d failed", followed.Load(), s.g.Edges(), retried.Load(), failed.Load())
	})
	// Each node follows its authors one after another, a pause (a
	// lookup's time) apart, as a user does, cfg.workers nodes at a time:
	// thousands of follows at once (each dials the author, notifies it,
	// syncs and asks for its profile) would be a storm no network of
	// phones sees.
	var madeMu sync.Mutex
	made := make([][]int, cfg.n)
	follow := func(ctx context.Context, f, a int) error {
		n := s.nodes[f].node.Load()
		for try := 1; ; try++ {
			_, err := n.Follow(ctx, simName(a))
			if err == nil {
				madeMu.Lock()
				made[f] = append(made[f], a)
				madeMu.Unlock()
				followed.Add(1)
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if try == 3 || !errors.Is(err, ErrUnknownName) && !errors.Is(err, ErrOffline) {
				logf("sim: node %d follows %s: %v", f, simName(a), err)
				failed.Add(1)
				return nil
			}
			retried.Add(1)
		}
	}
	err := s.parallelN(setupCtx, cfg.n, cfg.workers, func(ctx context.Context, f int) error {
		for _, a := range s.g.Follows[f] {
			if err := follow(ctx, f, a); err != nil {
				return err
			}
			if !cfg.lookups && cfg.pace > 0 && !sleepCtx(ctx, cfg.pace) {
				return ctx.Err()
			}
		}
		return nil
	})
	stopProgress()
	if err != nil {
		// Out of time (a loaded machine): the run goes on with the
		// follows made, and says so.
		logf("sim n=%d: follows stopped at %d of %d: %v", cfg.n, followed.Load(), s.g.Edges(), err)
	}
	wantEdges := s.g.Edges()
	s.g.Follows = made
	followers := s.g.Followers()
	step(fmt.Sprintf("%d of %d follows made (%d retried)", s.g.Edges(), wantEdges, retried.Load()))
	// Ready when every author reaches each of its followers directly.
	meshCtx, cancelMesh := context.WithTimeout(ctx, cfg.setupBudget/2)
	meshed := s.waitMesh(meshCtx)
	cancelMesh()
	step(fmt.Sprintf("%.1f %% of authors know their follower subscribed", 100*meshed))

	for _, sn := range s.nodes {
		s.watch(sn)
	}

	// The window: posts, churn, background, on the schedule.
	events := sim.NewSchedule(s.g, sim.ScheduleConfig{
		Duration:           cfg.window + cfg.settle,
		Settle:             cfg.settle,
		PostsPerSecond:     cfg.rate,
		ChurnFraction:      cfg.churn,
		BackgroundFraction: cfg.bg,
		Seed:               cfg.seed,
	})
	bytes0, msgs0 := s.totals()
	cpu0 := cpuTime()
	t0 := time.Now()
	type post struct {
		author int
		seq    uint64
		text   string
	}
	var (
		postsMu sync.Mutex
		posts   []post
		evWG    sync.WaitGroup
		evErrs  atomic.Int64
	)
	last := make([]chan struct{}, cfg.n) // each node's latest event's end
	for k, ev := range events {
		if d := time.Until(t0.Add(ev.At)); d > 0 {
			time.Sleep(d)
		}
		sn := s.nodes[ev.Node]
		// A node's events apply in their order: each waits for the one
		// before it (a post right after a return would otherwise race it
		// for sn.mu and find the node offline).
		prev, done := last[ev.Node], make(chan struct{})
		last[ev.Node] = done
		evWG.Add(1)
		go func() {
			defer evWG.Done()
			defer close(done)
			if prev != nil {
				<-prev
			}
			sn.mu.Lock()
			defer sn.mu.Unlock()
			if err := s.apply(ctx, sn, ev, k, func(seq uint64, text string) {
				postsMu.Lock()
				posts = append(posts, post{ev.Node, seq, text})
				postsMu.Unlock()
			}); err != nil {
				evErrs.Add(1)
				logf("sim: %v: %v", ev, err)
			}
		}()
	}
	evWG.Wait()
	step(fmt.Sprintf("window: %d events (%d posts), %d failed", len(events), sim.Count(events, sim.EventPost), evErrs.Load()))

	// Settle: until every follower holds every post of its authors, or
	// the settle bound.
	want := make([][]post, cfg.n) // the posts each node must hold
	for _, p := range posts {
		for _, f := range followers[p.author] {
			want[f] = append(want[f], p)
		}
	}
	held := func(f int, p post) bool {
		n := s.nodes[f].node.Load()
		if n == nil {
			return false
		}
		_, err := n.store.Entry(s.nodes[p.author].key, p.seq)
		return err == nil
	}
	share := func(f int) float64 {
		if len(want[f]) == 0 {
			return 1
		}
		got := 0
		for _, p := range want[f] {
			if held(f, p) {
				got++
			}
		}
		return float64(got) / float64(len(want[f]))
	}
	settleEnd := time.Now().Add(cfg.settle)
	for {
		all := true
		for f := range cfg.n {
			if share(f) < 1 {
				all = false
				break
			}
		}
		if all || time.Now().After(settleEnd) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	elapsed := time.Since(t0)
	// What is missing, for the log: which follower, which author, and
	// whether either was away.
	reported := 0
	for f := range cfg.n {
		for _, p := range want[f] {
			if reported < 20 && !held(f, p) {
				reported++
				logf("sim n=%d: node %d (away %s) lacks post %d of node %d (away %s, %d followers)", cfg.n, f, spans(s.nodes[f].away, t0), p.seq, p.author, spans(s.nodes[p.author].away, t0), len(followers[p.author]))
			}
		}
	}
	bytes1, msgs1 := s.totals()
	cpu1 := cpuTime()
	rss := rssBytes()
	load1 := loadAvg()
	conns, connRelay, connRelated, connOther := s.connsPerNode(relays)
	s.logUnmeshed()
	step("settled")

	// Results.
	label := "skein"
	if cfg.px {
		label = "skein-px"
	}
	r := sim.Result{
		Label:   label,
		N:       cfg.n,
		Relays:  cfg.relays,
		Follows: s.g.Edges(),
		MeanOut: cfg.follows,
		Alpha:   sim.DefaultAlpha,
		Seed:    cfg.seed,

		PostsPerSecond:     cfg.rate,
		ChurnFraction:      cfg.churn,
		BackgroundFraction: cfg.bg,

		Duration: elapsed,
		Posts:    len(posts),
	}
	var lat sim.Sample
	queued := 0 // posts written while their author was in the background
	s.pubMu.Lock()
	for _, p := range posts {
		sent, ok := s.published[p.text]
		if ok && s.nodes[p.author].awayAt(sent) {
			queued++
			ok = false // published on return: not a live delivery
		}
		for _, f := range followers[p.author] {
			r.Deliveries++
			if !ok || s.nodes[f].awayAt(sent) {
				continue // caught up on return: not a live delivery
			}
			s.arrMu[f].Lock()
			at, got := s.arrived[f][p.text]
			s.arrMu[f].Unlock()
			if ok && got {
				lat = append(lat, float64(at.Sub(sent).Microseconds())/1000)
			}
		}
	}
	s.pubMu.Unlock()
	r.Latency = sim.LatencyOf(lat)
	var all, ret sim.Sample
	for f := range cfg.n {
		if len(want[f]) == 0 {
			continue
		}
		c := share(f)
		all = append(all, c)
		if s.nodes[f].returned {
			ret = append(ret, c)
		}
	}
	r.CompletenessAllMin = all.Min()
	r.Returning = len(ret)
	if len(ret) > 0 {
		r.CompletenessMin, r.CompletenessMean = ret.Min(), ret.Mean()
	} else {
		r.CompletenessMin, r.CompletenessMean = all.Min(), all.Mean()
	}
	var bph, mph [numClasses]float64
	perNode := make([]float64, cfg.n)
	for i := range cfg.n {
		for c := range numClasses {
			db := float64(bytes1[i][c] - bytes0[i][c])
			bph[c] += sim.PerHour(db, elapsed) / float64(cfg.n)
			mph[c] += sim.PerHour(float64(msgs1[i][c]-msgs0[i][c]), elapsed) / float64(cfg.n)
			if c != classPubSubStream {
				perNode[i] += sim.PerHour(db, elapsed)
			}
		}
	}
	r.BytesPerNodeHour, r.MsgsPerNodeHour = traffic(bph), traffic(mph)
	r.BytesDist = sim.Summarize(perNode)
	r.CPUSecondsPerNodeHour = sim.PerHour((cpu1-cpu0).Seconds(), elapsed) / float64(cfg.n)
	r.RSSPerNode = float64(rss) / float64(cfg.n)
	s.lookMu.Lock()
	r.DHTLookup = sim.LatencyOf(s.looks)
	s.lookMu.Unlock()
	resolved := "names looked up in the DHT"
	if !cfg.lookups {
		resolved = "warm start: names resolved from the run's directory"
	}
	transport := "loopback TCP"
	if cfg.mem {
		transport = "in-memory transport"
	}
	r.Notes = fmt.Sprintf("%s; %d posts at %.1f/s over %v, settle ≤ %v; churn %.0f %%, background %.0f %%; "+
		"latency over %d live deliveries (not to a follower away at the time, nor of the %d posts written in the background); "+
		"connections per node at the end: mean %.1f, max %.0f; peers per node: %.1f relays, %.1f followed or following, %.1f unrelated (the graph's follows and followers per node: mean %.1f); "+
		"follows whose author knew the follower subscribed before the window %.1f %%; connections closed and dialled again as GossipSub half open %d; GossipSub bytes as the swarm counted them %.0f/node/h (the tracer's split: %.0f); "+
		"%d follows of the graph's %d made (%d failed 3 times), %s; "+
		"CPU and RSS are the process's divided by N (relays included); load average of the machine at start %s, at the end of the window %s",
		transport, len(posts), cfg.rate, cfg.window, cfg.settle, 100*cfg.churn, 100*cfg.bg, len(lat), queued,
		conns.Mean, conns.Max, connRelay, connRelated, connOther, 2*float64(s.g.Edges())/float64(cfg.n),
		100*meshed, s.halfOpen.Load(), bph[classPubSubStream], bph[classGossipData]+bph[classGossipCtrl],
		s.g.Edges(), wantEdges, failed.Load(), resolved, load0, load1)
	s.closeAll()
	for _, rel := range relays {
		rel.Close()
	}
	relays = nil
	step("closed")

	if cfg.raw {
		r.RawGossip = s.rawGossip(t, events)
		step("raw GossipSub baseline")
	}
	r.Wall = time.Since(wallStart)
	return r
}

// apply carries out one scheduled event on sn (whose mu is held).
func (s *simRun) apply(ctx context.Context, sn *simNode, ev sim.Event, k int, posted func(uint64, string)) error {
	n := sn.node.Load()
	switch ev.Kind {
	case sim.EventPost:
		if n == nil {
			return errors.New("post while offline")
		}
		text := fmt.Sprintf("sim post %d by %s", k, sn.name)
		p, err := n.Post(ctx, text)
		if err != nil {
			return err
		}
		posted(p.Seq, text)
	case sim.EventOffline:
		if n == nil {
			return nil
		}
		sn.node.Store(nil)
		sn.away = append(sn.away, span{from: time.Now()})
		sn.stopW()
		sn.watchWG.Wait()
		return n.Close()
	case sim.EventOnline:
		if n != nil {
			return nil
		}
		n, err := New(ctx, sn.cfg)
		if err != nil {
			return err
		}
		if _, err := n.Login(ctx, sn.name, "pw"); err != nil {
			n.Close()
			return err
		}
		sn.node.Store(n)
		sn.returned = true
		sn.back()
		s.watch(sn)
	case sim.EventBackground:
		if n != nil {
			sn.away = append(sn.away, span{from: time.Now(), background: true})
			return n.SetPowerMode(PowerBackground)
		}
	case sim.EventForeground:
		if n != nil {
			sn.returned = true
			err := n.SetPowerMode(PowerForeground)
			sn.back()
			return err
		}
	}
	return nil
}

// back ends sn's time away (sn.mu is held).
func (sn *simNode) back() {
	if k := len(sn.away) - 1; k >= 0 && sn.away[k].to.IsZero() {
		sn.away[k].to = time.Now()
	}
}

// watch records when each post reaches sn's feed.
func (s *simRun) watch(sn *simNode) {
	n := sn.node.Load()
	ctx, cancel := context.WithCancel(context.Background())
	sn.stopW = cancel
	sn.watchWG.Go(func() {
		n.Watch(ctx, func(ev Event) {
			if ev.Kind != EventPost {
				return
			}
			now := time.Now()
			s.arrMu[sn.i].Lock()
			if _, seen := s.arrived[sn.i][ev.Post.Text]; !seen {
				s.arrived[sn.i][ev.Post.Text] = now
			}
			s.arrMu[sn.i].Unlock()
		})
	})
}

// published1 is every node's publishHook: when each post was handed to
// GossipSub.
func (s *simRun) published1(e *entry.Entry) {
	if e.Kind != entry.KindPost {
		return
	}
	now := time.Now()
	s.pubMu.Lock()
	s.published[string(e.Body)] = now
	s.pubMu.Unlock()
}

func (s *simRun) lookup(_ string, d time.Duration) {
	s.lookMu.Lock()
	s.looks = append(s.looks, float64(d.Microseconds())/1000)
	s.lookMu.Unlock()
}

// listenAddr is where node i (relay r for i = -1-r) listens: over TCP, a
// port of the system's choosing on 127.0.0.1; in memory, an address of
// its own on a /24 network of its own, as phones on different networks.
func (s *simRun) listenAddr(i int) []string {
	if s.mem == nil {
		return []string{"/ip4/127.0.0.1/tcp/0"}
	}
	if i < 0 {
		return []string{fmt.Sprintf("/ip4/10.255.%d.1/tcp/4001", -1-i)}
	}
	return []string{fmt.Sprintf("/ip4/10.%d.%d.1/tcp/4001", i>>8, i&255)}
}

// hostHooks are the libp2p hooks of a host of this run, counting into ctr
// (nil: not counted).
func (s *simRun) hostHooks(ctr *simCounters) *p2p.SimHooks {
	h := &p2p.SimHooks{Unlimited: true, PeerExchange: s.cfg.px}
	if ctr != nil {
		h.Reporter, h.Tracer = ctr, ctr
	}
	if s.mem != nil {
		h.Transports = s.mem.transports
	}
	return h
}

// joined waits until n has a DHT server in its routing table. The node
// dials its bootstrap peers itself; if that has not worked within a few
// seconds (a dial lost to go-libp2p#2925, say), the harness dials them,
// as the node's own loop would 30 s later.
func (s *simRun) joined(ctx context.Context, n *Node) error {
	nudge := time.Now().Add(5 * time.Second)
	for try := 0; n.host.DHT.RoutingTable().Size() == 0; {
		if time.Now().After(nudge) {
			if try++; try > 3 {
				return errors.New("no DHT server in its routing table")
			}
			for _, ai := range n.boot {
				dctx, cancel := context.WithTimeout(ctx, dialTimeout)
				n.connect(dctx, ai)
				cancel()
			}
			n.host.DHT.RefreshRoutingTable()
			nudge = time.Now().Add(5 * time.Second)
		}
		if !sleepCtx(ctx, 10*time.Millisecond) {
			return errors.New("no DHT server in its routing table")
		}
	}
	return nil
}

// progress logs what status says, with the DHT lookups so far, every 10
// s until the returned function is called.
func (s *simRun) progress(status func() string) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			s.lookMu.Lock()
			l := sim.LatencyOf(s.looks)
			k := len(s.looks)
			s.lookMu.Unlock()
			s.cfg.logf("sim n=%d: %s; %d DHT lookups, p50 %.0f ms, p99 %.0f ms", s.cfg.n, status(), k, l.P50, l.P99)
		}
	})
	return func() { close(done); wg.Wait() }
}

// parallel runs fn for 0..n-1 on cfg.workers goroutines and returns the
// first error.
func (s *simRun) parallel(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	return s.parallelN(ctx, n, s.cfg.workers, fn)
}

// parallelN runs fn for 0..n-1 on workers goroutines and returns the first
// error.
func (s *simRun) parallelN(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	var next atomic.Int64
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					select {
					case errs <- err:
					default:
					}
					return
				}
			}
		})
	}
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return ctx.Err()
	}
}

// meshStall is how long waitMesh waits without a follow becoming ready:
// the rest are follows no connection serves yet (a popular author's
// device refusing followers past its inbound limit, say), which sync
// serves.
const meshStall = 5 * time.Second

// waitMesh waits until every follower has a GossipSub peer on the topic of
// each author it follows, or none more has for meshStall, or ctx ends; it
// returns the share that had.
func (s *simRun) waitMesh(ctx context.Context) float64 {
	edges := s.g.Edges()
	if edges == 0 {
		return 1
	}
	best, since := -1, time.Now()
	for {
		ok := 0
		for i, sn := range s.nodes {
			n := sn.node.Load()
			for _, j := range s.g.Follows[i] {
				// Skein connects a follower to the author's device: ready
				// when the author knows the follower subscribed, so that
				// its posts go to it directly.
				if slices.Contains(s.nodes[j].node.Load().host.PubSub.ListPeers(topicOf(s.nodes[j].key)), n.host.ID()) {
					ok++
				}
			}
		}
		if ok > best {
			best, since = ok, time.Now()
		}
		if ok == edges || time.Since(since) > meshStall || !sleepCtx(ctx, 100*time.Millisecond) {
			s.logUnmeshed()
			return float64(ok) / float64(edges)
		}
	}
}

// logUnmeshed logs how many follows are not ready: without a connection
// between follower and author (a popular author's device refusing
// followers past its inbound limit: they get its posts from other
// followers), or with one on which the author does not know the follower
// subscribed, the first few of these with their GossipSub streams.
func (s *simRun) logUnmeshed() {
	var noConn, noSub, halfOpen int
	var first []string
	for i, sn := range s.nodes {
		n := sn.node.Load()
		for _, j := range s.g.Follows[i] {
			a := s.nodes[j].node.Load()
			if n == nil || a == nil || slices.Contains(a.host.PubSub.ListPeers(topicOf(s.nodes[j].key)), n.host.ID()) {
				continue
			}
			if a.host.Network().Connectedness(n.host.ID()) != network.Connected {
				noConn++
				continue
			}
			noSub++
			if n.host.GossipHalfOpen(a.host.ID()) {
				halfOpen++
			}
			if len(first) < 5 {
				first = append(first, fmt.Sprintf("node %d follows node %d, GossipSub streams: follower %s; author %s", i, j,
					pubsubStreams(n.host.Network().ConnsToPeer(a.host.ID())), pubsubStreams(a.host.Network().ConnsToPeer(n.host.ID()))))
			}
		}
	}
	if noConn+noSub > 0 {
		s.cfg.logf("sim n=%d: follows not ready: %d not connected (mostly followers a popular author's device refused past its inbound limit, who get its posts from other followers), %d connected without the subscription known, %d of them with GossipSub streams half open as the follower sees them: %s",
			s.cfg.n, noConn, noSub, halfOpen, strings.Join(first, "; "))
	}
}

// halfOpenCounter is the sim nodes' log handler: it counts the
// connections closed as GossipSub half open, and drops the rest.
type halfOpenCounter struct{ n *atomic.Int64 }

func (h halfOpenCounter) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h halfOpenCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Message == msgHalfOpen {
		h.n.Add(1)
	}
	return nil
}

func (h halfOpenCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h halfOpenCounter) WithGroup(string) slog.Handler      { return h }

// pubsubStreams describes the GossipSub streams on conns: each
// connection's direction and its streams' directions, for the log of
// follows that are not ready.
func pubsubStreams(conns []network.Conn) string {
	var b strings.Builder
	for k, c := range conns {
		if k > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "conn %s %s ago [", c.Stat().Direction, time.Since(c.Stat().Opened).Round(time.Millisecond))
		for _, st := range c.GetStreams() {
			if strings.Contains(string(st.Protocol()), "meshsub") {
				fmt.Fprintf(&b, " %s %s ago", st.Stat().Direction, time.Since(st.Stat().Opened).Round(time.Millisecond))
			}
		}
		b.WriteString(" ]")
	}
	if len(conns) == 0 {
		return "no connection"
	}
	return b.String()
}

// connsPerNode summarises the number of connections of each node online,
// and the mean number of them that are to a relay, to an author the node
// follows or a follower of it (related), or to another node (unrelated:
// found through GossipSub's peer exchange, a log's holders, ...).
func (s *simRun) connsPerNode(relays []*Relay) (all sim.Summary, relay, related, unrelated float64) {
	byPeer := make(map[string]int)
	for i, sn := range s.nodes {
		if n := sn.node.Load(); n != nil {
			byPeer[n.host.ID().String()] = i
		}
	}
	isRelay := make(map[string]bool)
	for _, r := range relays {
		isRelay[r.PeerID()] = true
	}
	rel := make([]map[int]bool, len(s.nodes))
	for f, as := range s.g.Follows {
		for _, a := range as {
			if rel[f] == nil {
				rel[f] = make(map[int]bool)
			}
			if rel[a] == nil {
				rel[a] = make(map[int]bool)
			}
			rel[f][a], rel[a][f] = true, true
		}
	}
	var c []float64
	for i, sn := range s.nodes {
		n := sn.node.Load()
		if n == nil {
			continue
		}
		peers := n.host.Network().Peers()
		c = append(c, float64(len(n.host.Network().Conns())))
		for _, p := range peers {
			j, ok := byPeer[p.String()]
			switch {
			case isRelay[p.String()]:
				relay++
			case ok && rel[i][j]:
				related++
			default:
				unrelated++
			}
		}
	}
	k := float64(max(len(c), 1))
	return sim.Summarize(c), relay / k, related / k, unrelated / k
}

// totals returns every node's counters now.
func (s *simRun) totals() (bytes, msgs [][numClasses]int64) {
	bytes = make([][numClasses]int64, len(s.nodes))
	msgs = make([][numClasses]int64, len(s.nodes))
	for i, sn := range s.nodes {
		bytes[i], msgs[i] = sn.ctr.snapshot()
	}
	return bytes, msgs
}

// closeAll closes every node, in parallel.
func (s *simRun) closeAll() {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for _, sn := range s.nodes {
		if sn == nil {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			sn.mu.Lock()
			defer sn.mu.Unlock()
			if n := sn.node.Swap(nil); n != nil {
				if sn.stopW != nil {
					sn.stopW()
				}
				n.Close()
				sn.watchWG.Wait()
			}
		})
	}
	wg.Wait()
}

// simBase returns a new directory for a run's data directories: under
// -sim.dir if it exists (memory, by default: the nodes' fsyncs would
// otherwise queue on one disk), else in the test's temporary directory.
func simBase(t testing.TB) string {
	if st, err := os.Stat(*simDir); err == nil && st.IsDir() && *simDir != "" {
		dir, err := os.MkdirTemp(*simDir, "skein-sim-")
		if err == nil {
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}

func simName(i int) string { return fmt.Sprintf("sim%d", i) }

// simAccounts returns the account keys of nodes 0..n-1: fixed, so that the
// proof of work of their name claims can be done once (simWork).
func simAccounts(t testing.TB, n int) []ed25519.PrivateKey {
	out := make([]ed25519.PrivateKey, n)
	for i := range out {
		seed := sha256.Sum256(fmt.Appendf(nil, "skein sim account %d", i))
		out[i] = ed25519.NewKeyFromSeed(seed[:])
	}
	return out
}

// simWorkFile holds the proof of work of the claims of the simulation's
// accounts (simAccounts, names simName), done once: 500 claims would take a
// minute of a 2-core machine's time at every run. SKEIN_UPDATE_TESTDATA=1
// writes the work that is missing.
const simWorkFile = "testdata/sim-work.txt"

var simWorkCache struct {
	once   sync.Once
	mu     sync.Mutex
	nonces map[int]uint64
}

func simWork(t testing.TB, i int, priv ed25519.PrivateKey) uint64 {
	simWorkCache.once.Do(func() { simWorkCache.nonces = readSimWork() })
	simWorkCache.mu.Lock()
	nonce, ok := simWorkCache.nonces[i]
	simWorkCache.mu.Unlock()
	if ok && names.HasWork(keyOf(priv), simName(i), nonce) {
		return nonce
	}
	nonce = names.Work(keyOf(priv), simName(i))
	simWorkCache.mu.Lock()
	defer simWorkCache.mu.Unlock()
	simWorkCache.nonces[i] = nonce
	if os.Getenv("SKEIN_UPDATE_TESTDATA") != "" {
		var b strings.Builder
		fmt.Fprintf(&b, "# sim account number, proof-of-work nonce of its name claim (names.WorkBits = %d); see simWork\n", names.WorkBits)
		for _, k := range slices.Sorted(maps.Keys(simWorkCache.nonces)) {
			fmt.Fprintf(&b, "%d %d\n", k, simWorkCache.nonces[k])
		}
		if err := os.WriteFile(simWorkFile, []byte(b.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
	return nonce
}

func readSimWork() map[int]uint64 {
	out := make(map[int]uint64)
	f, err := os.Open(simWorkFile)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var i int
		var nonce uint64
		if _, err := fmt.Sscanf(sc.Text(), "%d %d", &i, &nonce); err == nil {
			out[i] = nonce
		}
	}
	return out
}

// cpuTime is the process's user and system CPU time so far. One process
// runs every node: CPU per node is this divided by N.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAvg is the machine's 1-minute load average, as text ("?" if unknown):
// other work on a shared machine slows every figure of a run.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

// rssBytes is the process's resident set now (VmRSS), 0 if unknown.
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
