package powerbench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/localnet"
	"github.com/skein-p2p/skein/core"
)

const (
	bgIP       = "127.0.0.2" // the node measured in background mode
	fgIP       = "127.0.0.3" // the same node in foreground mode, beside it
	netAuthors = 50          // authors followed for the traffic figures
	password   = "bench-password"
	wakeEvery  = 20 * time.Second // background interval while wakes are measured
	wakes      = 3                // wakes measured
)

// envDuration reads a duration from the environment, or returns def.
func envDuration(b *testing.B, name string, def time.Duration) time.Duration {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	return d
}

func envInt(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	return v
}

// BenchmarkIdle measures, with tcpdump on lo, the traffic of a node that
// follows 50 authors with two peers reachable (a relay and the authors'
// device) while it idles for SKEIN_BENCH_IDLE (default 10m): one node in
// background mode and one in foreground mode, side by side. A background
// node wakes only every 15 minutes by default, so the idle window may hold
// no wake: the cost of a wake is measured separately, over 3 wakes 20 s
// apart, and the hourly figure is the idle traffic plus 4 wakes. Then the
// background node follows SKEIN_BENCH_RSS_AUTHORS (default 500) authors and
// its resident memory is read from /proc.
func BenchmarkIdle(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("SKIP: needs root for tcpdump on lo")
	}
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		b.Skip("SKIP: tcpdump not installed (apt-get install tcpdump)")
	}
	idle := envDuration(b, "SKEIN_BENCH_IDLE", 10*time.Minute)
	rssAuthors := envInt(b, "SKEIN_BENCH_RSS_AUTHORS", 500)
	for range b.N { // one run is the measurement; -benchtime 1x
		runIdle(b, tcpdump, idle, max(rssAuthors, netAuthors))
	}
}

func runIdle(b *testing.B, tcpdump string, idle time.Duration, authors int) {
	ctx, cancel := context.WithTimeout(context.Background(), idle+30*time.Minute)
	defer cancel()
	tmp := b.TempDir()
	bin := filepath.Join(tmp, "skein")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/skein-p2p/skein/cli/cmd/skein").CombinedOutput(); err != nil {
		b.Fatalf("build skein: %v\n%s", err, out)
	}

	// The relay and the authors' device, in this process, on 127.0.0.1.
	relay, err := core.NewRelay(ctx, core.RelayConfig{DataDir: filepath.Join(tmp, "relay"), ListenAddrs: localnetListen("127.0.0.1")})
	if err != nil {
		b.Fatal(err)
	}
	defer relay.Close()
	device, err := core.New(ctx, core.Config{
		DataDir:        filepath.Join(tmp, "device"),
		ListenAddrs:    localnetListen("127.0.0.1"),
		BootstrapAddrs: relay.Addrs(),
	})
	if err != nil {
		b.Fatal(err)
	}
	defer device.Close()
	waitUntil(b, ctx, "the authors' device joined", func() bool {
		st, err := device.Status(ctx)
		return err == nil && st.Peers > 0
	})
	start := time.Now()
	for i := range authors {
		name := author(i)
		if _, err := device.Register(ctx, name, password); err != nil {
			b.Fatalf("register %s: %v", name, err)
		}
		if _, err := device.Post(ctx, "a post by "+name); err != nil {
			b.Fatal(err)
		}
		if err := device.Logout(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%d authors registered in %v", authors, time.Since(start).Round(time.Second))

	bg := startPhone(b, ctx, bin, tmp, "bg", bgIP, relay.Addrs())
	defer bg.proc.Stop(10 * time.Second)
	fg := startPhone(b, ctx, bin, tmp, "fg", fgIP, relay.Addrs())
	defer fg.proc.Stop(10 * time.Second)
	for _, ph := range []*phone{bg, fg} {
		ph.must(b, ctx, "register", ph.name)
		ph.follow(b, ctx, 0, netAuthors)
	}

	// Idle: bg in background, fg in foreground, both captured.
	bg.must(b, ctx, "power", "background")
	time.Sleep(2 * time.Second) // the switch closes bg's connections
	capt := startCapture(b, tcpdump)
	b.Logf("idling for %v", idle)
	select {
	case <-time.After(idle):
	case <-ctx.Done():
		b.Fatal(ctx.Err())
	}
	idlePackets := capt.stop(b)
	bgIdle := summarize(idlePackets, bgIP, idle)
	fgIdle := summarize(idlePackets, fgIP, idle)

	// The cost of a wake: restart bg with a short background interval,
	// let its first wake (which also looks the authors up) pass, and
	// capture the next ones.
	if err := bg.proc.Stop(10 * time.Second); err != nil {
		b.Fatal(err)
	}
	bg.start(b, ctx, "--power", "background", "--background-sync", wakeEvery.String())
	bg.must(b, ctx, "login", bg.name)
	time.Sleep(wakeEvery / 2)
	capt = startCapture(b, tcpdump)
	window := wakes * wakeEvery
	time.Sleep(window)
	wakePackets := capt.stop(b)
	w := summarize(wakePackets, bgIP, window)
	if w.packets == 0 {
		b.Fatal("no packet of the background node captured during its wakes: the capture misses its traffic")
	}
	perWakeBytes := float64(w.bytes) / wakes
	perWakeSecs := float64(w.seconds) / wakes
	wakesPerHour := float64(time.Hour) / float64(15*time.Minute)
	bgBytesHour := bgIdle.perHour(float64(bgIdle.bytes)) + wakesPerHour*perWakeBytes
	bgWakeupsHour := bgIdle.perHour(float64(bgIdle.seconds)) + wakesPerHour*perWakeSecs

	// Memory: the background node following many authors.
	bg.must(b, ctx, "power", "foreground")
	bg.follow(b, ctx, netAuthors, authors)
	bg.must(b, ctx, "power", "background")
	time.Sleep(5 * time.Second)
	rss, hwm := procMemory(b, bg.proc.Pid())

	b.ReportMetric(bgBytesHour/1000, "bg-KB/h")
	b.ReportMetric(bgWakeupsHour, "bg-wakeups/h")
	b.ReportMetric(float64(bgIdle.bytes)/1000, "bg-idle-KB")
	b.ReportMetric(float64(bgIdle.seconds), "bg-idle-wakeups")
	b.ReportMetric(perWakeBytes/1000, "wake-KB")
	b.ReportMetric(perWakeSecs, "wake-seconds")
	b.ReportMetric(fgIdle.perHour(float64(fgIdle.bytes))/1000, "fg-KB/h")
	b.ReportMetric(fgIdle.perHour(float64(fgIdle.seconds)), "fg-wakeups/h")
	b.ReportMetric(float64(rss)/(1<<20), "bg-rss-MiB")
	b.ReportMetric(float64(hwm)/(1<<20), "bg-peak-rss-MiB")
	b.ReportMetric(idle.Minutes(), "idle-min")
	b.ReportMetric(float64(authors), "rss-authors")
}

func author(i int) string { return fmt.Sprintf("author_%03d", i) }

func localnetListen(ip string) []string {
	return []string{"/ip4/" + ip + "/tcp/0", "/ip4/" + ip + "/udp/0/quic-v1"}
}

// phone is a skein daemon process standing for a phone.
type phone struct {
	name, home, ip string
	bin            string
	bootstrap      []string
	proc           *localnet.Proc
}

func startPhone(b *testing.B, ctx context.Context, bin, tmp, name, ip string, bootstrap []string) *phone {
	ph := &phone{name: "phone_" + name, home: filepath.Join(tmp, name), ip: ip, bin: bin, bootstrap: bootstrap}
	ph.start(b, ctx)
	return ph
}

func (ph *phone) start(b *testing.B, ctx context.Context, extra ...string) {
	args := []string{"--home", ph.home, "daemon"}
	for _, l := range localnetListen(ph.ip) {
		args = append(args, "--listen", l)
	}
	for _, a := range ph.bootstrap {
		args = append(args, "--bootstrap", a)
	}
	args = append(args, extra...)
	p, err := localnet.Start(ctx, ph.name, ph.bin, nil, "skein daemon: ready", args...)
	if err != nil {
		b.Fatal(err)
	}
	ph.proc = p
}

// must runs a skein command against the phone's daemon.
func (ph *phone) must(b *testing.B, ctx context.Context, args ...string) string {
	b.Helper()
	r := localnet.Run(ctx, ph.bin, []string{"SKEIN_PASSWORD=" + password}, "", append([]string{"--home", ph.home}, args...)...)
	if r.Err != nil || r.Code != 0 {
		b.Fatalf("%s: skein %v: %v", ph.name, args, r)
	}
	return r.Stdout
}

// follow follows authors [from, to) and waits until their posts are held.
func (ph *phone) follow(b *testing.B, ctx context.Context, from, to int) {
	for i := from; i < to; i++ {
		ph.must(b, ctx, "follow", author(i))
	}
	waitUntil(b, ctx, fmt.Sprintf("%s holds %d authors' posts", ph.name, to), func() bool {
		var users []core.User
		if err := json.Unmarshal([]byte(ph.must(b, ctx, "following", "--json")), &users); err != nil {
			b.Fatal(err)
		}
		held := 0
		for _, u := range users {
			if u.Log != nil && u.Log.To >= 1 {
				held++
			}
		}
		return held == to
	})
}

func waitUntil(b *testing.B, ctx context.Context, what string, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) || ctx.Err() != nil {
			b.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// packet is one captured packet: when, its IP length, its two ends.
type packet struct {
	at       time.Time
	size     int
	src, dst string // addresses with port, as tcpdump prints them
}

type capture struct {
	cmd     *exec.Cmd
	mu      sync.Mutex
	packets []packet
	done    chan struct{}
}

// startCapture runs tcpdump on lo for the measured nodes' addresses.
func startCapture(b *testing.B, tcpdump string) *capture {
	cmd := exec.Command(tcpdump, "-i", "lo", "-e", "-nn", "-tt", "-l", "-q",
		"host "+bgIP+" or host "+fgIP)
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = nil
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	c := &capture{cmd: cmd, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if p, ok := parseLine(sc.Text()); ok {
				c.mu.Lock()
				c.packets = append(c.packets, p)
				c.mu.Unlock()
			}
		}
	}()
	time.Sleep(time.Second) // tcpdump opens the interface
	return c
}

func (c *capture) stop(b *testing.B) []packet {
	c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
		<-c.done
	}
	c.cmd.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.packets
}

// parseLine parses a line of `tcpdump -e -nn -tt -q`:
//
//	1700000000.123456 00:00:00:00:00:00 > 00:00:00:00:00:00, IPv4, length 66: 127.0.0.2.4001 > 127.0.0.1.5000: tcp 0
//
// The length is the frame's; the 14-byte Ethernet header of lo is not
// counted.
func parseLine(line string) (packet, bool) {
	f := strings.Fields(line)
	if len(f) < 2 {
		return packet{}, false
	}
	ts, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return packet{}, false
	}
	i := strings.Index(line, "length ")
	if i < 0 {
		return packet{}, false
	}
	rest := line[i+len("length "):]
	j := strings.Index(rest, ":")
	if j < 0 {
		return packet{}, false
	}
	size, err := strconv.Atoi(rest[:j])
	if err != nil {
		return packet{}, false
	}
	ends := strings.Fields(rest[j+1:])
	if len(ends) < 3 || ends[1] != ">" {
		return packet{}, false
	}
	sec := int64(ts)
	return packet{
		at:   time.Unix(sec, int64((ts-float64(sec))*1e9)),
		size: max(size-14, 0),
		src:  ends[0],
		dst:  strings.TrimSuffix(ends[2], ":"),
	}, true
}

// traffic is one node's share of a capture.
type traffic struct {
	packets int
	bytes   int
	seconds int // distinct wall-clock seconds with a packet: network wakeups
	window  time.Duration
}

func summarize(ps []packet, ip string, window time.Duration) traffic {
	t := traffic{window: window}
	secs := make(map[int64]bool)
	for _, p := range ps {
		if !strings.HasPrefix(p.src, ip+".") && !strings.HasPrefix(p.dst, ip+".") {
			continue
		}
		t.packets++
		t.bytes += p.size
		secs[p.at.Unix()] = true
	}
	t.seconds = len(secs)
	return t
}

func (t traffic) perHour(v float64) float64 { return v * float64(time.Hour) / float64(t.window) }

// procMemory reads a process's resident set size and its peak, in bytes.
func procMemory(b *testing.B, pid int) (rss, hwm int64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb << 10
		case "VmHWM:":
			hwm = kb << 10
		}
	}
	return rss, hwm
}
