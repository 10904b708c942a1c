package powerbench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/localnet"
	"github.com/skein-p2p/skein/core"
)

// The follow-cost network: one /16, each device on a /24 of its own (the
// relay rate-limits name claims per /24 network).
const (
	fcRelayIP = "10.232.0.1" // the relay, on the bridge
	fcBgIP    = "10.232.0.2" // the phone measured in background mode
	fcFgIP    = "10.232.0.3" // the phone measured in foreground mode
)

// fcDeviceIP is the address of authors' device k, on the bridge beside the
// relay.
func fcDeviceIP(k int) string { return fmt.Sprintf("10.232.%d.1", k+1) }

func fcAuthor(i int) string { return fmt.Sprintf("writer_%04d", i) }

// followPoint is one F of the follow-cost curve: what each phone cost
// while it idled with F authors followed.
type followPoint struct {
	Label   string  `json:"label"` // the run: "before", "after"
	F       int     `json:"f"`     // authors followed
	Devices int     `json:"devices"`
	IdleMin float64 `json:"idle_min"`

	FgBytes      int     `json:"fg_bytes"` // in the idle window
	FgSeconds    int     `json:"fg_seconds"`
	FgKBh        float64 `json:"fg_kb_h"`
	FgWakeupsH   float64 `json:"fg_wakeups_h"`
	FgGoroutines int     `json:"fg_goroutines"`
	FgRSSMiB     float64 `json:"fg_rss_mib"`
	FgPeers      int     `json:"fg_peers"`

	BgIdleBytes   int     `json:"bg_idle_bytes"` // in the idle window, between wakes
	BgIdleSeconds int     `json:"bg_idle_seconds"`
	WakeBytes     float64 `json:"wake_bytes"` // one wake, mean of 3
	WakeSeconds   float64 `json:"wake_seconds"`
	BgKBh         float64 `json:"bg_kb_h"` // idle scaled to an hour + 4 wakes
	BgWakeupsH    float64 `json:"bg_wakeups_h"`
	BgGoroutines  int     `json:"bg_goroutines"`
	BgRSSMiB      float64 `json:"bg_rss_mib"`
	// The background node's restart: its wake at start and its wake at
	// the login, which looks every followed author's device up (once per
	// session): what each new process of the app costs.
	StartBytes   int `json:"start_bytes"`
	StartSeconds int `json:"start_seconds"`
}

// BenchmarkFollowCost measures what following F authors costs a phone
// while it idles, for each F in SKEIN_BENCH_FOLLOW (default 10,100,1000):
// bytes and network wakeups per hour (tcpdump on the phone's only
// interface), goroutines (the daemon's status) and resident memory
// (/proc), in foreground and in background mode.
//
// Setup: a relay and D = min(max F, SKEIN_BENCH_DEVICES (20)) authors'
// devices, `skein daemon` processes sharing one network namespace, each
// device on an address of its own; author i lives on device i mod D, has
// posted once, and the device stays logged in as its first author. Two
// phones, each a daemon in a namespace of its own behind a veth, follow
// the authors F at a time (10, then 90 more, ...). At each F: one phone
// goes to background, the other stays in foreground, both are captured for
// SKEIN_BENCH_IDLE (default 5m: a window that holds exactly one periodic
// sync pass of the foreground node, whose interval is 5 minutes). Then the
// background phone is restarted with a 20 s wake interval and 3 wakes are
// captured after its first two (the one at start and the one at the
// login, which looks the authors' devices up once per session); the
// hourly background figure is the idle window scaled to an hour plus 4
// wakes (the 15-minute default). Each point's JSON is appended to
// SKEIN_BENCH_FOLLOW_OUT if set, labelled SKEIN_BENCH_LABEL.
func BenchmarkFollowCost(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("SKIP: needs root for network namespaces and tcpdump")
	}
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		b.Skip("SKIP: tcpdump not installed (apt-get install tcpdump)")
	}
	idle := envDuration(b, "SKEIN_BENCH_IDLE", 5*time.Minute)
	counts := []int{10, 100, 1000}
	if s := os.Getenv("SKEIN_BENCH_FOLLOW"); s != "" {
		counts = nil
		for _, f := range strings.Split(s, ",") {
			v, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || v <= 0 || len(counts) > 0 && v <= counts[len(counts)-1] {
				b.Fatalf("SKEIN_BENCH_FOLLOW=%q: want increasing counts, as 10,100,1000", s)
			}
			counts = append(counts, v)
		}
	}
	devices := min(counts[len(counts)-1], envInt(b, "SKEIN_BENCH_DEVICES", 20))
	for range b.N { // one run is the measurement; -benchtime 1x
		runFollowCost(b, tcpdump, idle, counts, devices)
	}
}

func runFollowCost(b *testing.B, tcpdump string, idle time.Duration, counts []int, devices int) {
	fmax := counts[len(counts)-1]
	perDevice := (fmax + devices - 1) / devices
	// Registration: 5 names per device at once, then one each 10 s.
	setup := time.Duration(perDevice)*10*time.Second + 20*time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), setup+time.Duration(len(counts))*(idle+15*time.Minute))
	defer cancel()
	tmp := b.TempDir()
	// SKEIN_BENCH_BIN: a skein binary built elsewhere, as from the commit
	// before a change, for the "before" curve.
	bin := os.Getenv("SKEIN_BENCH_BIN")
	if bin == "" {
		bin = filepath.Join(tmp, "skein")
		if out, err := exec.Command("go", "build", "-o", bin, "github.com/skein-p2p/skein/cli/cmd/skein").CombinedOutput(); err != nil {
			b.Fatalf("build skein: %v\n%s", err, out)
		}
	}
	nets := newFollowNetwork(b, devices)
	defer nets.close(b)

	relay, boot := startRelay(ctx, b, bin, nets.net, filepath.Join(tmp, "relay"), fcRelayIP)
	defer relay.Stop(10 * time.Second)

	// The authors' devices, registering their authors in parallel.
	devs := make([]*phone, devices)
	for k := range devs {
		devs[k] = &phone{name: fmt.Sprintf("device%02d", k), home: filepath.Join(tmp, fmt.Sprintf("dev%02d", k)), ns: nets.devices[k], ip: fcDeviceIP(k), bin: bin, bootstrap: boot}
		devs[k].start(b, ctx)
		defer devs[k].proc.Stop(10 * time.Second)
		// A device refused at start would register its names nowhere.
		waitUntil(b, ctx, devs[k].name+" reaches the relay", func() bool { return devs[k].status(b, ctx).Peers > 0 })
	}
	start := time.Now()
	errs := make([]error, devices)
	var wg sync.WaitGroup
	for k, d := range devs {
		wg.Go(func() {
			for i := k; i < fmax; i += devices {
				name := fcAuthor(i)
				if err := d.tryRegister(ctx, name); err != nil {
					errs[k] = err
					return
				}
				if _, err := d.run(ctx, "post", "a post by "+name); err != nil {
					errs[k] = err
					return
				}
				if _, err := d.run(ctx, "logout"); err != nil {
					errs[k] = err
					return
				}
			}
			// The device's user stays online: its first author.
			_, errs[k] = d.run(ctx, "login", fcAuthor(k))
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d authors registered on %d devices in %v", fmax, devices, time.Since(start).Round(time.Second))

	bg := &phone{name: "phone_bg", home: filepath.Join(tmp, "bg"), ns: nets.bg, ip: fcBgIP, bin: bin, bootstrap: boot}
	bg.start(b, ctx)
	defer func() { bg.proc.Stop(10 * time.Second) }()
	fg := &phone{name: "phone_fg", home: filepath.Join(tmp, "fg"), ns: nets.fg, ip: fcFgIP, bin: bin, bootstrap: boot}
	fg.start(b, ctx)
	defer fg.proc.Stop(10 * time.Second)
	for _, ph := range []*phone{bg, fg} {
		ph.must(b, ctx, "register", ph.name)
	}

	label := os.Getenv("SKEIN_BENCH_LABEL")
	followed := 0
	for _, f := range counts {
		start := time.Now()
		var wg sync.WaitGroup
		ferrs := make([]error, 2)
		for i, ph := range []*phone{bg, fg} {
			wg.Go(func() { ferrs[i] = ph.followRange(ctx, followed, f) })
		}
		wg.Wait()
		if err := errors.Join(ferrs...); err != nil {
			for _, d := range devs {
				b.Logf("%s:\n%s", d.name, d.proc.Tail(15))
			}
			b.Logf("relay:\n%s", relay.Tail(30))
			b.Fatal(err)
		}
		for _, ph := range []*phone{bg, fg} {
			ph.waitHeld(b, ctx, f)
		}
		followed = f
		b.Logf("F=%d: both phones follow and hold every author (%v)", f, time.Since(start).Round(time.Second))

		pt := followPoint{Label: label, F: f, Devices: devices, IdleMin: idle.Minutes()}
		bg.must(b, ctx, "power", "background")
		time.Sleep(2 * time.Second) // the switch closes bg's connections
		bgCapt, fgCapt := startCapture(b, tcpdump, nets.bg), startCapture(b, tcpdump, nets.fg)
		select {
		case <-time.After(idle):
		case <-ctx.Done():
			b.Fatal(ctx.Err())
		}
		bgPkts, fgPkts := bgCapt.stop(b), fgCapt.stop(b)
		bgIdle, fgIdle := summarize(bgPkts, fcBgIP, idle), summarize(fgPkts, fcFgIP, idle)
		fst, bst := fg.status(b, ctx), bg.status(b, ctx)
		fgRSS, _ := procMemory(b, fg.proc.Pid())
		bgRSS, _ := procMemory(b, bg.proc.Pid())
		pt.FgBytes, pt.FgSeconds = fgIdle.bytes, fgIdle.seconds
		pt.FgKBh, pt.FgWakeupsH = fgIdle.perHour(float64(fgIdle.bytes))/1000, fgIdle.perHour(float64(fgIdle.seconds))
		pt.FgGoroutines, pt.FgRSSMiB, pt.FgPeers = fst.Goroutines, float64(fgRSS)/(1<<20), fst.Peers
		pt.BgIdleBytes, pt.BgIdleSeconds = bgIdle.bytes, bgIdle.seconds
		pt.BgGoroutines, pt.BgRSSMiB = bst.Goroutines, float64(bgRSS)/(1<<20)
		b.Logf("F=%d foreground idle %v: %d packets, %d bytes, %d seconds with traffic; by the other end: %s", f, idle, fgIdle.packets, fgIdle.bytes, fgIdle.seconds, topEnds(fgPkts, fcFgIP, 8))
		b.Logf("F=%d background idle %v: %d packets, %d bytes, %d seconds with traffic", f, idle, bgIdle.packets, bgIdle.bytes, bgIdle.seconds)

		// The cost of a wake, on bg restarted with a short interval.
		wakePkts, n, startPkts := bg.measureWakes(b, ctx, tcpdump, nets.bg)
		st := summarize(startPkts, fcBgIP, time.Hour)
		pt.StartBytes, pt.StartSeconds = st.bytes, st.seconds
		b.Logf("F=%d background restart and login (2 wakes, the second looking the authors up): %d packets, %d bytes, %d seconds with traffic", f, st.packets, st.bytes, st.seconds)
		w := summarize(wakePkts, fcBgIP, time.Hour)
		pt.WakeBytes, pt.WakeSeconds = float64(w.bytes)/float64(n), float64(w.seconds)/float64(n)
		wakesPerHour := float64(time.Hour) / float64(15*time.Minute)
		pt.BgKBh = (bgIdle.perHour(float64(bgIdle.bytes)) + wakesPerHour*pt.WakeBytes) / 1000
		pt.BgWakeupsH = bgIdle.perHour(float64(bgIdle.seconds)) + wakesPerHour*pt.WakeSeconds
		b.Logf("F=%d %d wakes: %d packets, %d bytes, %d seconds with traffic; by the other end: %s", f, n, w.packets, w.bytes, w.seconds, topEnds(wakePkts, fcBgIP, 8))
		js, _ := json.Marshal(pt)
		b.Logf("followcost %s", js)
		if out := os.Getenv("SKEIN_BENCH_FOLLOW_OUT"); out != "" {
			fh, err := os.OpenFile(out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				b.Fatal(err)
			}
			fmt.Fprintf(fh, "%s\n", js)
			fh.Close()
		}
		p := fmt.Sprintf("F%d-", f)
		b.ReportMetric(pt.FgKBh, p+"fg-KB/h")
		b.ReportMetric(pt.FgWakeupsH, p+"fg-wakeups/h")
		b.ReportMetric(pt.BgKBh, p+"bg-KB/h")
		b.ReportMetric(pt.BgWakeupsH, p+"bg-wakeups/h")
		b.ReportMetric(pt.WakeBytes/1000, p+"wake-KB")
		b.ReportMetric(float64(pt.FgGoroutines), p+"fg-goroutines")
		b.ReportMetric(float64(pt.BgGoroutines), p+"bg-goroutines")
		b.ReportMetric(pt.FgRSSMiB, p+"fg-rss-MiB")
		b.ReportMetric(pt.BgRSSMiB, p+"bg-rss-MiB")
		b.ReportMetric(float64(pt.StartBytes)/1000, p+"bg-start-KB")
	}
	b.ReportMetric(idle.Minutes(), "idle-min")
	b.ReportMetric(float64(devices), "devices")
}

// measureWakes restarts the phone in background mode with a wake every
// wakeEvery, lets the wake at start and the one at the login pass, and
// captures the next wakes: it returns their packets and how many wakes
// they hold, and the packets of the restart up to the end of the first
// two wakes. The phone is left restarted in foreground mode, logged in.
func (ph *phone) measureWakes(b *testing.B, ctx context.Context, tcpdump, ns string) ([]packet, int, []packet) {
	if err := ph.proc.Stop(10 * time.Second); err != nil {
		b.Fatal(err)
	}
	startCapt := startCapture(b, tcpdump, ns)
	ph.start(b, ctx, "--power", "background", "--background-sync", wakeEvery.String())
	ph.must(b, ctx, "login", ph.name)
	wakesLogged := func() int {
		n := 0
		for _, l := range ph.proc.Lines() {
			if strings.Contains(l, `msg="background wake"`) {
				n++
			}
		}
		return n
	}
	waitUntil(b, ctx, ph.name+" wakes at start and at the login", func() bool { return wakesLogged() >= 2 })
	time.Sleep(2 * time.Second) // the wake's connections close
	startPkts := startCapt.stop(b)
	before := wakesLogged()
	capt := startCapture(b, tcpdump, ns)
	waitUntil(b, ctx, fmt.Sprintf("%s wakes %d times more", ph.name, wakes), func() bool { return wakesLogged() >= before+wakes })
	time.Sleep(2 * time.Second) // the last wake's connections close
	pkts := capt.stop(b)
	n := wakesLogged() - before
	if err := ph.proc.Stop(10 * time.Second); err != nil {
		b.Fatal(err)
	}
	ph.start(b, ctx)
	ph.must(b, ctx, "login", ph.name)
	return pkts, n, startPkts
}

// run runs a skein command against the phone's daemon.
func (ph *phone) run(ctx context.Context, args ...string) (string, error) {
	r := localnet.Run(ctx, ph.bin, []string{"SKEIN_PASSWORD=" + password}, "", append([]string{"--home", ph.home}, args...)...)
	if r.Err != nil || r.Code != 0 {
		return "", fmt.Errorf("%s: skein %v: %v", ph.name, args, r)
	}
	return r.Stdout, nil
}

// tryRegister is register that returns its error (for goroutines).
func (ph *phone) tryRegister(ctx context.Context, name string) error {
	for try := 0; ; try++ {
		r := localnet.Run(ctx, ph.bin, []string{"SKEIN_PASSWORD=" + password}, "", "--home", ph.home, "register", name)
		switch {
		case r.Err == nil && r.Code == 0:
			return nil
		case try < 30 && strings.Contains(r.Stderr, "try again"):
			time.Sleep(10 * time.Second)
		default:
			return fmt.Errorf("%s: skein register %s: %v", ph.name, name, r)
		}
	}
}

// followRange follows authors [from, to), 8 at a time.
func (ph *phone) followRange(ctx context.Context, from, to int) error {
	next := make(chan int)
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range next {
				if _, err := ph.run(ctx, "follow", fcAuthor(i)); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := from; i < to; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

// waitHeld waits until the phone holds a post of each of the n authors it
// follows.
func (ph *phone) waitHeld(b *testing.B, ctx context.Context, n int) {
	held := 0
	deadline := time.Now().Add(10 * time.Minute)
	for {
		var list struct{ Users []core.User }
		if err := json.Unmarshal([]byte(ph.must(b, ctx, "following", "--json")), &list); err != nil {
			b.Fatal(err)
		}
		held = 0
		for _, u := range list.Users {
			if u.Log != nil && u.Log.To >= 1 {
				held++
			}
		}
		if held == n && len(list.Users) == n {
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			b.Fatalf("%s holds the posts of %d of the %d authors it follows (%d listed)", ph.name, held, n, len(list.Users))
		}
		time.Sleep(2 * time.Second)
	}
}

// status reads the daemon's status.
func (ph *phone) status(b *testing.B, ctx context.Context) core.Status {
	var st core.Status
	if err := json.Unmarshal([]byte(ph.must(b, ctx, "status", "--json")), &st); err != nil {
		b.Fatal(err)
	}
	return st
}

// topEnds is byEnd cut to its n largest ends.
func topEnds(ps []packet, ip string, n int) string {
	s := strings.Split(byEnd(ps, ip), ", ")
	if len(s) > n {
		s = append(s[:n], fmt.Sprintf("(%d more)", len(s)-n))
	}
	return strings.Join(s, ", ")
}

// followNetwork is newNetwork's layout on a /16, plus a namespace of its
// own for each authors' device, on the bridge like the phones: devices that
// shared the relay's namespace would reach it from its own address, and
// its resource manager takes 8 connections from one address.
type followNetwork struct {
	network
	devices []string // namespace of each device
}

func newFollowNetwork(b *testing.B, devices int) *followNetwork {
	if _, err := exec.LookPath("ip"); err != nil {
		b.Skip("SKIP: ip (iproute2) not installed")
	}
	prefix := fmt.Sprintf("skfc%d", os.Getpid()%100000)
	n := &followNetwork{network: network{net: prefix + "n", bg: prefix + "b", fg: prefix + "f"}}
	for k := range devices {
		n.devices = append(n.devices, fmt.Sprintf("%sd%d", prefix, k))
	}
	for _, ns := range append([]string{n.net, n.bg, n.fg}, n.devices...) {
		if err := ipCmd("netns", "add", ns); err != nil {
			n.close(b)
			b.Skip("SKIP: cannot create network namespaces: ", err)
		}
	}
	steps := [][]string{
		{"-n", n.net, "link", "set", "lo", "up"},
		{"-n", n.net, "link", "add", "br0", "type", "bridge"},
		{"-n", n.net, "addr", "add", fcRelayIP + "/16", "dev", "br0"},
		{"-n", n.net, "link", "set", "br0", "up"},
	}
	type end struct{ ns, ip, side string }
	ends := []end{{n.bg, fcBgIP, "b"}, {n.fg, fcFgIP, "f"}}
	for k, ns := range n.devices {
		ends = append(ends, end{ns, fcDeviceIP(k), fmt.Sprintf("d%d", k)})
	}
	for _, p := range ends {
		steps = append(steps, linkSteps(n.net, p.ns, prefix+p.side, p.ip+"/16")...)
	}
	for _, s := range steps {
		if err := ipCmd(s...); err != nil {
			n.close(b)
			b.Fatal(err)
		}
	}
	return n
}

func (n *followNetwork) close(b *testing.B) {
	n.network.close(b)
	for _, ns := range n.devices {
		if err := ipCmd("netns", "del", ns); err != nil && !strings.Contains(err.Error(), "No such file") {
			b.Log(err)
		}
	}
}
