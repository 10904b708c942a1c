package powerbench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	netIP      = "10.231.0.1" // the relay and the authors' device
	bgIP       = "10.231.0.2" // the node measured in background mode
	fgIP       = "10.231.0.3" // the same node in foreground mode, beside it
	defAuthors = 50           // authors followed for the traffic figures
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
	// Fewer followed authors (SKEIN_BENCH_AUTHORS) only to try the
	// benchmark out: the figures are for 50.
	netAuthors := envInt(b, "SKEIN_BENCH_AUTHORS", defAuthors)
	for range b.N { // one run is the measurement; -benchtime 1x
		runIdle(b, tcpdump, idle, netAuthors, max(rssAuthors, netAuthors))
	}
}

func runIdle(b *testing.B, tcpdump string, idle time.Duration, netAuthors, authors int) {
	// Registering the authors takes 10 s each past the first 5 (the
	// relay's claim rate, see register).
	ctx, cancel := context.WithTimeout(context.Background(), idle+30*time.Minute+time.Duration(authors)*10*time.Second)
	defer cancel()
	tmp := b.TempDir()
	bin := filepath.Join(tmp, "skein")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/skein-p2p/skein/cli/cmd/skein").CombinedOutput(); err != nil {
		b.Fatalf("build skein: %v\n%s", err, out)
	}
	nets := newNetwork(b)
	defer nets.close(b)

	// The relay and the authors' device share one namespace.
	relay, boot := startRelay(ctx, b, bin, nets.net, filepath.Join(tmp, "relay"), netIP)
	defer relay.Stop(10 * time.Second)
	b.Logf("the relay listens on %v; the device, on the same address, is the other port", boot)
	device := &phone{name: "device", home: filepath.Join(tmp, "device"), ns: nets.net, ip: netIP, bin: bin, bootstrap: boot}
	device.start(b, ctx)
	defer device.proc.Stop(10 * time.Second)
	start := time.Now()
	for i := range authors {
		name := author(i)
		device.register(b, ctx, name)
		device.must(b, ctx, "post", "a post by "+name)
		device.must(b, ctx, "logout")
	}
	b.Logf("%d authors registered in %v", authors, time.Since(start).Round(time.Second))

	bg := &phone{name: "phone_bg", home: filepath.Join(tmp, "bg"), ns: nets.bg, ip: bgIP, bin: bin, bootstrap: boot}
	bg.start(b, ctx)
	defer func() { bg.proc.Stop(10 * time.Second) }()
	fg := &phone{name: "phone_fg", home: filepath.Join(tmp, "fg"), ns: nets.fg, ip: fgIP, bin: bin, bootstrap: boot}
	fg.start(b, ctx)
	defer fg.proc.Stop(10 * time.Second)
	for _, ph := range []*phone{bg, fg} {
		ph.must(b, ctx, "register", ph.name)
		ph.follow(b, ctx, 0, netAuthors)
	}
	// Messaging: the device's account writes to bg in a DM and a group
	// while bg sleeps; bg's wakes must pick the messages up.
	chats := newChatter(b, ctx, device, bg)

	// Idle: bg in background, fg in foreground, both captured.
	bg.must(b, ctx, "power", "background")
	time.Sleep(2 * time.Second) // the switch closes bg's connections
	bgCapt, fgCapt := startCapture(b, tcpdump, nets.bg), startCapture(b, tcpdump, nets.fg)
	b.Logf("idling for %v", idle)
	// Two messages in each conversation arrive during the idle window.
	for _, at := range []time.Duration{idle / 4, idle / 2} {
		select {
		case <-time.After(at):
		case <-ctx.Done():
			b.Fatal(ctx.Err())
		}
		chats.send(b, ctx)
	}
	select {
	case <-time.After(idle - idle*3/4):
	case <-ctx.Done():
		b.Fatal(ctx.Err())
	}
	bgCapt0 := bgCapt.stop(b)
	bgIdle := summarize(bgCapt0, bgIP, idle)
	fgIdle := summarize(fgCapt.stop(b), fgIP, idle)

	// The cost of a wake: restart bg with a short background interval,
	// let its first wakes pass, and capture the next ones.
	if err := bg.proc.Stop(10 * time.Second); err != nil {
		b.Fatal(err)
	}
	bg.start(b, ctx, "--power", "background", "--background-sync", wakeEvery.String())
	bg.must(b, ctx, "login", bg.name)
	// The wake at start comes before the login; the first wake with a
	// session looks the authors up, once per session. Measure after both.
	time.Sleep(wakeEvery * 3 / 2)
	// What arrived while bg idled came with those first wakes.
	chats.check(b, ctx, "after its first wakes")
	bgCapt = startCapture(b, tcpdump, nets.bg)
	window := wakes * wakeEvery
	// One message in each conversation between each two wakes.
	for range wakes {
		chats.send(b, ctx)
		time.Sleep(wakeEvery)
	}
	wakePkts := bgCapt.stop(b)
	w := summarize(wakePkts, bgIP, window)
	// Still in background mode: only wakes can have brought them.
	chats.check(b, ctx, "at its wakes")
	if w.packets == 0 {
		b.Fatal("no packet of the background node captured during its wakes")
	}
	perWakeBytes := float64(w.bytes) / wakes
	perWakeSecs := float64(w.seconds) / wakes
	wakesPerHour := float64(time.Hour) / float64(15*time.Minute)
	bgBytesHour := bgIdle.perHour(float64(bgIdle.bytes)) + wakesPerHour*perWakeBytes
	bgWakeupsHour := bgIdle.perHour(float64(bgIdle.seconds)) + wakesPerHour*perWakeSecs
	b.Logf("background idle %v: %d packets, %d bytes, %d seconds with traffic", idle, bgIdle.packets, bgIdle.bytes, bgIdle.seconds)
	b.Logf("%d wakes: %d packets, %d bytes, %d seconds with traffic", wakes, w.packets, w.bytes, w.seconds)
	b.Logf("background idle, bytes by the other end: %s", byEnd(bgCapt0, bgIP))
	b.Logf("wakes, bytes by the other end: %s", byEnd(wakePkts, bgIP))
	b.Logf("foreground idle %v: %d packets, %d bytes, %d seconds with traffic", idle, fgIdle.packets, fgIdle.bytes, fgIdle.seconds)

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
	b.ReportMetric(float64(chats.n), "chat-msgs-delivered")
	b.ReportMetric(idle.Minutes(), "idle-min")
	b.ReportMetric(float64(authors), "rss-authors")
}

// network is three network namespaces joined by a bridge in the first:
// net (relay and authors' device), bg and fg (the two measured nodes), each
// measured node alone behind its own interface, so that a capture there
// sees all of its traffic and nothing else. Nothing in them is routed
// anywhere.
type network struct {
	net, bg, fg string
}

// ipCmd runs ip with args.
func ipCmd(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

func newNetwork(b *testing.B) *network {
	if _, err := exec.LookPath("ip"); err != nil {
		b.Skip("SKIP: ip (iproute2) not installed")
	}
	prefix := fmt.Sprintf("skpb%d", os.Getpid()%100000) // per run: parallel runs do not collide
	n := &network{net: prefix + "n", bg: prefix + "b", fg: prefix + "f"}
	for _, ns := range []string{n.net, n.bg, n.fg} {
		if err := ipCmd("netns", "add", ns); err != nil {
			n.close(b)
			b.Skip("SKIP: cannot create network namespaces: ", err)
		}
	}
	steps := [][]string{
		{"-n", n.net, "link", "set", "lo", "up"},
		{"-n", n.net, "link", "add", "br0", "type", "bridge"},
		{"-n", n.net, "addr", "add", netIP + "/24", "dev", "br0"},
		{"-n", n.net, "link", "set", "br0", "up"},
	}
	for _, p := range []struct{ ns, ip, side string }{{n.bg, bgIP, "b"}, {n.fg, fgIP, "f"}} {
		steps = append(steps, linkSteps(n.net, p.ns, prefix+p.side, p.ip+"/24")...)
	}
	for _, s := range steps {
		if err := ipCmd(s...); err != nil {
			n.close(b)
			b.Fatal(err)
		}
	}
	return n
}

// linkSteps returns the ip(8) commands that join namespace ns to the bridge
// br0 of namespace net: a veth pair named name+"h" (on the bridge) and
// name+"p" (eth0 in ns, with address cidr).
func linkSteps(net, ns, name, cidr string) [][]string {
	host, peer := name+"h", name+"p"
	return [][]string{
		{"-n", net, "link", "add", host, "type", "veth", "peer", "name", peer, "netns", ns},
		{"-n", net, "link", "set", host, "master", "br0", "up"},
		{"-n", ns, "link", "set", "lo", "up"},
		{"-n", ns, "link", "set", peer, "name", "eth0"},
		{"-n", ns, "addr", "add", cidr, "dev", "eth0"},
		{"-n", ns, "link", "set", "eth0", "up"},
	}
}

// close deletes the namespaces, and with them their interfaces.
func (n *network) close(b *testing.B) {
	for _, ns := range []string{n.net, n.bg, n.fg} {
		if err := ipCmd("netns", "del", ns); err != nil && !strings.Contains(err.Error(), "No such file") {
			b.Log(err)
		}
	}
}

func listenFlags(ip string) []string {
	return []string{"--listen", "/ip4/" + ip + "/tcp/0", "--listen", "/ip4/" + ip + "/udp/0/quic-v1"}
}

func author(i int) string { return fmt.Sprintf("author_%03d", i) }

// phone is a skein daemon process in a network namespace of its own.
type phone struct {
	name, home string
	ns, ip     string
	bin        string
	bootstrap  []string
	proc       *localnet.Proc
}

func (ph *phone) start(b *testing.B, ctx context.Context, extra ...string) {
	args := []string{"netns", "exec", ph.ns, ph.bin, "--home", ph.home, "daemon"}
	args = append(args, listenFlags(ph.ip)...)
	for _, a := range ph.bootstrap {
		args = append(args, "--bootstrap", a)
	}
	args = append(args, extra...)
	p, err := localnet.Start(ctx, ph.name, "ip", nil, "skein daemon: ready", args...)
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

// register registers name on the phone's daemon. A relay takes 5 new
// names from one peer at once, then one every 10 s (names.DefaultRates):
// a refused claim is retried after that interval.
func (ph *phone) register(b *testing.B, ctx context.Context, name string) {
	b.Helper()
	for try := 0; ; try++ {
		r := localnet.Run(ctx, ph.bin, []string{"SKEIN_PASSWORD=" + password}, "", "--home", ph.home, "register", name)
		switch {
		case r.Err == nil && r.Code == 0:
			return
		case try < 30 && strings.Contains(r.Stderr, "try again"):
			time.Sleep(10 * time.Second)
		default:
			b.Fatalf("%s: skein register %s: %v", ph.name, name, r)
		}
	}
}

// follow follows authors [from, to) and waits until their posts are held.
func (ph *phone) follow(b *testing.B, ctx context.Context, from, to int) {
	for i := from; i < to; i++ {
		ph.must(b, ctx, "follow", author(i))
	}
	waitUntil(b, ctx, fmt.Sprintf("%s holds %d authors' posts", ph.name, to), func() bool {
		var list struct{ Users []core.User }
		if err := json.Unmarshal([]byte(ph.must(b, ctx, "following", "--json")), &list); err != nil {
			b.Fatal(err)
		}
		held := 0
		for _, u := range list.Users {
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

// startCapture runs tcpdump on the only interface of namespace ns.
func startCapture(b *testing.B, tcpdump, ns string) *capture {
	cmd := exec.Command("ip", "netns", "exec", ns, tcpdump, "-i", "eth0", "-e", "-nn", "-tt", "-l", "-q", "ip")
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
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

// byEnd sums the bytes of the packets of ip by their other end (address
// and port), largest first: which peer and connection the traffic was.
func byEnd(ps []packet, ip string) string {
	sums := make(map[string]int)
	for _, p := range ps {
		switch {
		case strings.HasPrefix(p.src, ip+"."):
			sums[p.dst] += p.size
		case strings.HasPrefix(p.dst, ip+"."):
			sums[p.src] += p.size
		}
	}
	ends := make([]string, 0, len(sums))
	for e := range sums {
		ends = append(ends, e)
	}
	slices.SortFunc(ends, func(a, b string) int { return sums[b] - sums[a] })
	var out []string
	for _, e := range ends {
		out = append(out, fmt.Sprintf("%s %d B", e, sums[e]))
	}
	return strings.Join(out, ", ")
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

// chatter is the messaging of the idle scenario: the device's account
// "pal" and bg share a DM and a private group; pal writes in both while
// bg sleeps, and bg must show each message after a wake.
type chatter struct {
	device, bg *phone
	group      string // the group's ID prefix
	dm         string // the DM's ID
	sent       []string
	n          int // messages bg was seen to hold
}

func newChatter(b *testing.B, ctx context.Context, device, bg *phone) *chatter {
	c := &chatter{device: device, bg: bg}
	device.register(b, ctx, "pal")
	out := device.must(b, ctx, "group", "create", "idle-group")
	i, j := strings.Index(out, "["), strings.Index(out, "]")
	if i < 0 || j < i {
		b.Fatalf("group create printed %q", out)
	}
	c.group = out[i+1 : j]
	device.must(b, ctx, "group", "invite", "idle-group", bg.name)
	waitUntil(b, ctx, bg.name+" joins the group", func() bool {
		r := localnet.Run(ctx, bg.bin, []string{"SKEIN_PASSWORD=" + password}, "", "--home", bg.home, "group", "join", c.group)
		return r.Err == nil && r.Code == 0
	})
	device.must(b, ctx, "dm", bg.name, "hello before the idle")
	device.must(b, ctx, "send", "idle-group", "welcome before the idle")
	// bg reads its history by the conversations' IDs: no name to look up.
	var p core.MessagePage
	if err := json.Unmarshal([]byte(device.must(b, ctx, "messages", bg.name, "--json")), &p); err != nil || len(p.Messages) == 0 {
		b.Fatalf("the device's DM with %s: %v", bg.name, err)
	}
	c.dm = p.Messages[0].Conversation
	c.sent = append(c.sent, c.dm+"\x00hello before the idle", c.group+"\x00welcome before the idle")
	c.check(b, ctx, "in foreground")
	return c
}

// send writes one DM and one group message from the device.
func (c *chatter) send(b *testing.B, ctx context.Context) {
	k := len(c.sent) / 2
	dm, grp := fmt.Sprintf("direct message %d while you sleep", k), fmt.Sprintf("group message %d while you sleep", k)
	c.device.must(b, ctx, "dm", c.bg.name, dm)
	c.device.must(b, ctx, "send", "idle-group", grp)
	c.sent = append(c.sent, c.dm+"\x00"+dm, c.group+"\x00"+grp)
}

// check waits until bg shows every message sent so far (within 2 wake
// intervals), reading its local history only.
func (c *chatter) check(b *testing.B, ctx context.Context, when string) {
	deadline := time.Now().Add(2*wakeEvery + 10*time.Second)
	for {
		missing := ""
		for _, s := range c.sent {
			conv, text, _ := strings.Cut(s, "\x00")
			var p core.MessagePage
			if err := json.Unmarshal([]byte(c.bg.must(b, ctx, "messages", conv, "--json", "--limit", "200")), &p); err != nil {
				b.Fatal(err)
			}
			if !slices.ContainsFunc(p.Messages, func(m core.Message) bool { return m.Text == text }) {
				missing = text
				break
			}
		}
		if missing == "" {
			c.n = len(c.sent)
			b.Logf("%s: bg holds all %d messages sent to it %s", c.bg.name, len(c.sent), when)
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			b.Fatalf("%s does not show %q %s", c.bg.name, missing, when)
		}
		time.Sleep(time.Second)
	}
}

// startRelay starts `skein relay` of bin, with its home in home, in
// network namespace ns listening on ip, and returns it with its addresses
// on ip: the other daemons' bootstrap peers.
func startRelay(ctx context.Context, b *testing.B, bin, ns, home, ip string) (*localnet.Proc, []string) {
	relay, err := localnet.Start(ctx, "relay", "ip", nil, "skein relay: ready",
		append([]string{"netns", "exec", ns, bin, "--home", home, "relay"}, listenFlags(ip)...)...)
	if err != nil {
		b.Fatal(err)
	}
	var boot []string
	for _, l := range relay.Lines() {
		if strings.HasPrefix(l, "/ip4/"+ip+"/") && strings.Contains(l, "/p2p/") {
			boot = append(boot, l)
		}
	}
	return relay, boot
}
