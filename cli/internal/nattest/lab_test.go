package nattest

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	ma "github.com/multiformats/go-multiaddr"

	"github.com/skein-p2p/skein/cli/internal/localnet"
	"github.com/skein-p2p/skein/core"
)

// Bounds of the test: every wait ends by one of these.
const (
	labTimeout     = 12 * time.Minute  // everything a lab does
	startTimeout   = 30 * time.Second  // a process until ready
	commandTimeout = 60 * time.Second  // one skein command
	stopGrace      = 10 * time.Second  // SIGTERM until exit
	reserveWithin  = 60 * time.Second  // a relay reservation
	deliverWithin  = 60 * time.Second  // a post to reach a feed
	upgradeWithin  = 90 * time.Second  // a relayed connection to turn direct
	catchUpWithin  = 180 * time.Second // a backlog to arrive
	relayedHold    = 10 * time.Second  // a connection through a symmetric NAT stays relayed this long
	pollEvery      = 100 * time.Millisecond
)

const (
	password = "nat-test-password"
	backlog  = 5000 // entries of a catch-up
	// keepPerAuthor is the follower's retention: it must keep the whole
	// backlog (the default keeps 1,000 entries per author).
	keepPerAuthor = "10000"
)

// lab is the network with a relay on it and the daemons started in it. It
// is used by one test goroutine. close stops every process and deletes the
// network.
type lab struct {
	tb         testing.TB
	ctx        context.Context
	net        *network
	bin        string // the skein binary
	dir        string // homes
	relayAddrs []string
	procs      []*localnet.Proc // for failure messages
	cleanups   []func()         // run by close, last first
}

// newLab builds the skein binary and the network, and starts the relay.
// The caller must close the lab, also when tb fails.
func newLab(tb testing.TB) *lab {
	tb.Helper()
	l := &lab{tb: tb}
	// SIGINT or SIGTERM (^C, a timeout command) ends every wait, so that
	// the test fails and close still stops the processes and deletes the
	// namespaces. SIGKILL, or go test's own -timeout, leaves them behind:
	// labTimeout is shorter than the -timeout of scripts/nat-test.sh.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	l.onClose(stop)
	ctx, cancel := context.WithTimeout(ctx, labTimeout)
	l.ctx = ctx
	l.onClose(cancel)
	ok := false
	defer func() {
		if !ok {
			l.close()
		}
	}()
	// A short directory: each home holds a unix socket, whose path is
	// limited to 108 bytes.
	dir, err := os.MkdirTemp("", "sknat")
	if err != nil {
		tb.Fatal(err)
	}
	l.dir = dir
	l.onClose(func() { os.RemoveAll(dir) })
	l.bin = filepath.Join(dir, "skein")
	goCmd := cmp.Or(os.Getenv("GO"), "go") // as scripts/nat-test.sh runs it
	if out, err := exec.Command(goCmd, "build", "-o", l.bin, "github.com/skein-p2p/skein/cli/cmd/skein").CombinedOutput(); err != nil {
		tb.Fatalf("building skein: %v\n%s", err, out)
	}
	l.net = newNetwork(tb)
	l.onClose(func() { l.net.close(tb) })
	l.startRelay()
	ok = true
	return l
}

// onClose adds fn to what close runs.
func (l *lab) onClose(fn func()) { l.cleanups = append(l.cleanups, fn) }

// close stops the processes, deletes the network and the homes. It is
// safe to call twice.
func (l *lab) close() {
	for i := len(l.cleanups) - 1; i >= 0; i-- {
		l.cleanups[i]()
	}
	l.cleanups = nil
}

// fatalf fails the test with the message and the end of every process's
// output. If SKEIN_NAT_LOGS
// names a directory, each process's whole output is written there too,
// one file per process.
func (l *lab) fatalf(format string, args ...any) {
	l.tb.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, format, args...)
	dir := os.Getenv("SKEIN_NAT_LOGS")
	for _, p := range l.procs {
		fmt.Fprintf(&b, "\n%s's output ends with:\n%s", p.Name, tail(p.Lines(), 25))
		if dir != "" {
			name := filepath.Join(dir, strings.NewReplacer(" ", "_", "'", "").Replace(p.Name)+".log")
			if err := os.WriteFile(name, []byte(strings.Join(p.Lines(), "\n")+"\n"), 0o644); err != nil {
				fmt.Fprintf(&b, "\n(%v)", err)
			}
		}
	}
	l.tb.Fatal(b.String())
}

// tail returns the last n lines, indented.
func tail(lines []string, n int) string {
	return "    " + strings.Join(lines[max(0, len(lines)-n):], "\n    ")
}

// env is the environment of the relay and the daemons: SKEIN_LOG, if set.
func (l *lab) env() []string {
	var env []string
	if v := os.Getenv("SKEIN_LOG"); v != "" {
		env = append(env, "SKEIN_LOG="+v)
	}
	return env
}

// start starts skein with args in namespace ns and waits until it prints
// ready. The lab stops it when it closes.
func (l *lab) start(name, ns, ready string, args ...string) *localnet.Proc {
	l.tb.Helper()
	ctx, cancel := context.WithTimeout(l.ctx, startTimeout)
	defer cancel()
	p, err := localnet.Start(ctx, name, "ip", l.env(), ready, append([]string{"netns", "exec", ns, l.bin}, args...)...)
	if err != nil {
		l.fatalf("%v", err)
	}
	l.procs = append(l.procs, p)
	l.onClose(func() {
		if err := p.Stop(stopGrace); err != nil {
			l.tb.Log(err)
		}
	})
	return p
}

// startRelay starts the relay on the internet and keeps its addresses.
func (l *lab) startRelay() {
	l.tb.Helper()
	p := l.start("relay", l.net.internet, "skein relay: ready",
		"--home", filepath.Join(l.dir, "relay"), "relay",
		"--listen", "/ip4/"+relayIP+"/tcp/4001", "--listen", "/ip4/"+relayIP+"/udp/4001/quic-v1")
	// stdout and stderr share one pipe: the addresses, printed before
	// "ready", are all read by now.
	for _, line := range p.Lines() {
		if strings.HasPrefix(line, "/ip4/"+relayIP+"/") && strings.Contains(line, "/p2p/") {
			l.relayAddrs = append(l.relayAddrs, line)
		}
	}
	if len(l.relayAddrs) == 0 {
		l.fatalf("the relay printed no address on %s", relayIP)
	}
}

// home is the home directory of user's daemon.
func (l *lab) home(user string) string { return filepath.Join(l.dir, user) }

// daemon is a skein daemon in a namespace, and the account on it.
type daemon struct {
	l      *lab
	user   string // the account it runs
	home   string
	ip     string // its listening address
	proc   *localnet.Proc
	peerID string
}

// startDaemon starts user's daemon at the host of site s, behind its NAT:
// it reserves a slot on the relay and knows it is not reachable.
func (l *lab) startDaemon(user string, s *site, extra ...string) *daemon {
	l.tb.Helper()
	args := []string{"--reachability", "private"}
	for _, a := range l.relayAddrs {
		args = append(args, "--relay", a)
	}
	return l.startDaemonAt(user, s.host, s.hostIP(), append(args, extra...)...)
}

// startPublicDaemon starts user's daemon on the internet side, not behind
// NAT.
func (l *lab) startPublicDaemon(user string, extra ...string) *daemon {
	l.tb.Helper()
	return l.startDaemonAt(user, l.net.public, publicIP, extra...)
}

func (l *lab) startDaemonAt(user, ns, ip string, extra ...string) *daemon {
	l.tb.Helper()
	d := &daemon{l: l, user: user, home: l.home(user), ip: ip}
	args := []string{"--home", d.home, "daemon",
		"--listen", "/ip4/" + ip + "/tcp/0", "--listen", "/ip4/" + ip + "/udp/0/quic-v1"}
	for _, a := range l.relayAddrs {
		args = append(args, "--bootstrap", a)
	}
	d.proc = l.start(user+"'s daemon", ns, "skein daemon: ready", append(args, extra...)...)
	d.peerID = d.status().PeerID
	return d
}

// run runs a skein command against the daemon, from the root namespace:
// it talks to the daemon over the unix socket in its home.
func (d *daemon) run(args ...string) localnet.Result {
	ctx, cancel := context.WithTimeout(d.l.ctx, commandTimeout)
	defer cancel()
	return localnet.Run(ctx, d.l.bin, []string{"SKEIN_PASSWORD=" + password}, "", append([]string{"--home", d.home}, args...)...)
}

// must runs a skein command and returns its output; it fails the test if
// the command fails.
func (d *daemon) must(args ...string) string {
	d.l.tb.Helper()
	r := d.run(args...)
	if r.Err != nil || r.Code != 0 {
		d.l.fatalf("%s: skein %s: %v", d.user, strings.Join(args, " "), r)
	}
	return r.Stdout
}

// mustJSON runs a skein command and decodes its output into v.
func (d *daemon) mustJSON(v any, args ...string) {
	d.l.tb.Helper()
	out := d.must(args...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		d.l.fatalf("%s: skein %s: %v in %q", d.user, strings.Join(args, " "), err, out)
	}
}

func (d *daemon) status() core.Status {
	d.l.tb.Helper()
	var st core.Status
	d.mustJSON(&st, "status", "--json")
	return st
}

// tcpPort returns the TCP port the daemon listens on.
func (d *daemon) tcpPort() string {
	d.l.tb.Helper()
	st := d.status()
	for _, s := range st.Addrs {
		a, err := ma.NewMultiaddr(s)
		if err != nil {
			continue
		}
		ip, err1 := a.ValueForProtocol(ma.P_IP4)
		port, err2 := a.ValueForProtocol(ma.P_TCP)
		if err1 == nil && err2 == nil && ip == d.ip && !strings.Contains(s, "/p2p-circuit") {
			return port
		}
	}
	d.l.fatalf("%s's daemon lists no TCP address on %s: %q", d.user, d.ip, st.Addrs)
	return ""
}

// tcpAddr returns ip joined with the daemon's TCP port.
func (d *daemon) tcpAddr(ip string) string { return net.JoinHostPort(ip, d.tcpPort()) }

// waitBehindNAT waits until the daemon, behind NAT, can be reached: it has
// a relay reservation, and hole punching is ready. go-libp2p answers DCUtR
// only once the host knows a public address of its own (observed by the
// relay), and never upgrades a relayed connection opened before, on either
// side: nobody must dial the daemon before.
func (d *daemon) waitBehindNAT() {
	d.l.tb.Helper()
	d.l.eventually(reserveWithin, d.user+"'s daemon has a relay reservation (a /p2p-circuit address in skein status)", d.hasRelayAddr)
	d.l.eventually(reserveWithin, d.user+"'s daemon is ready for hole punching (hole_punch in skein status)", func() bool { return d.status().HolePunch })
}

// hasRelayAddr reports whether the daemon has a relay reservation: an
// address with /p2p-circuit.
func (d *daemon) hasRelayAddr() bool {
	for _, a := range d.status().Addrs {
		if strings.Contains(a, "/p2p-circuit") {
			return true
		}
	}
	return false
}

// connection is one entry of `skein peers --json`.
type connection struct {
	Peer      string    `json:"peer"`
	Addr      string    `json:"addr"` // the remote multiaddr
	Relayed   bool      `json:"relayed"`
	Direction string    `json:"direction"`
	Opened    time.Time `json:"opened"`
}

// connectionsOut is the output of `skein peers --json`.
type connectionsOut struct {
	Connections []connection `json:"connections"`
}

// parseConns decodes `skein peers --json` and keeps the connections to
// peer.
func parseConns(out, peer string) ([]connection, error) {
	var cs connectionsOut
	if err := json.Unmarshal([]byte(out), &cs); err != nil {
		return nil, fmt.Errorf("skein peers --json: %v in %q", err, out)
	}
	var to []connection
	for _, c := range cs.Connections {
		if c.Peer == peer {
			to = append(to, c)
		}
	}
	return to, nil
}

// conns returns the daemon's connections to the peer.
func (d *daemon) conns(peer string) []connection {
	d.l.tb.Helper()
	cs, err := parseConns(d.must("peers", "--json"), peer)
	if err != nil {
		d.l.fatalf("%s: %v", d.user, err)
	}
	return cs
}

// feedHas reports whether a post with text is among the newest of the
// daemon's feed.
func (d *daemon) feedHas(text string) bool {
	d.l.tb.Helper()
	var p core.Page
	d.mustJSON(&p, "feed", "--json", "--limit", "100")
	for _, post := range p.Posts {
		if post.Text == text {
			return true
		}
	}
	return false
}

// logOf returns how much of a followed author's log the daemon holds.
func (d *daemon) logOf(author string) core.LogState {
	d.l.tb.Helper()
	var list struct{ Users []core.User }
	d.mustJSON(&list, "following", "--json")
	for _, u := range list.Users {
		if u.Name == author && u.Log != nil {
			return *u.Log
		}
	}
	return core.LogState{}
}

// countPosts counts the author's posts the daemon shows, page by page.
func (d *daemon) countPosts(author string) int {
	d.l.tb.Helper()
	const limit = 500
	count, cursor := 0, ""
	for range backlog/limit + 10 {
		args := []string{"timeline", author, "--json", "--limit", fmt.Sprint(limit)}
		if cursor != "" {
			args = append(args, "--cursor", cursor)
		}
		var p core.Page
		d.mustJSON(&p, args...)
		for _, post := range p.Posts {
			if post.Author == author {
				count++
			}
		}
		if cursor = p.Next; cursor == "" {
			return count
		}
	}
	d.l.fatalf("%s: %s's timeline has more than %d pages", d.user, author, backlog/limit+10)
	return 0
}

// eventually polls cond until it holds and returns when it was seen to; it
// fails the test with what if within passes first.
func (l *lab) eventually(within time.Duration, what string, cond func() bool) time.Time {
	l.tb.Helper()
	return l.eventuallyf(within, func() string { return what }, cond)
}

// eventuallyf is eventually with the description made when the wait
// fails, so that it can say what was seen last.
func (l *lab) eventuallyf(within time.Duration, what func() string, cond func() bool) time.Time {
	l.tb.Helper()
	deadline := time.Now().Add(within)
	for range int(within/pollEvery) + 1 {
		if cond() {
			return time.Now()
		}
		if time.Now().After(deadline) {
			break
		}
		select {
		case <-time.After(pollEvery):
		case <-l.ctx.Done():
			l.fatalf("waiting until %s: %v", what(), l.ctx.Err())
		}
	}
	l.fatalf("timed out after %v waiting until %s", within, what())
	return time.Time{}
}

// sighting is a connection and when it was first seen.
type sighting struct {
	connection
	seen time.Time
}

// at is when the connection opened, by the daemon's clock, or if it did
// not say, when it was first seen.
func (s *sighting) at() time.Time {
	if s.Opened.IsZero() {
		return s.seen
	}
	return s.Opened
}

// connWatch samples one daemon's connections to one peer in the
// background, and keeps the earliest relayed and the earliest direct one.
// It is safe for concurrent use; the lab stops it when it closes.
type connWatch struct {
	d    *daemon
	peer string
	stop chan struct{}
	done chan struct{}
	once sync.Once

	mu              sync.Mutex
	relayed, direct *sighting
	samples         int
	err             error // from the last sample, if it failed
}

// watchConns starts watching the daemon's connections to the peer.
func (d *daemon) watchConns(peer string) *connWatch {
	w := &connWatch{d: d, peer: peer, stop: make(chan struct{}), done: make(chan struct{})}
	go w.loop()
	d.l.onClose(w.close)
	return w
}

func (w *connWatch) loop() {
	defer close(w.done)
	for range int(labTimeout / pollEvery) {
		w.sample()
		select {
		case <-w.stop:
			return
		case <-w.d.l.ctx.Done():
			return
		case <-time.After(pollEvery):
		}
	}
}

func (w *connWatch) sample() {
	r := w.d.run("peers", "--json")
	now := time.Now()
	var cs []connection
	err := r.Err
	if err == nil && r.Code != 0 {
		err = fmt.Errorf("skein peers --json: %v", r)
	}
	if err == nil {
		cs, err = parseConns(r.Stdout, w.peer)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.samples++
	w.err = err
	for _, c := range cs {
		s := &sighting{connection: c, seen: now}
		first := &w.direct
		if c.Relayed {
			first = &w.relayed
		}
		if *first == nil || s.at().Before((*first).at()) {
			*first = s
		}
	}
}

// close stops the watch. It is safe to call twice.
func (w *connWatch) close() {
	w.once.Do(func() { close(w.stop) })
	<-w.done
}

// first returns the earliest relayed and direct connections seen, nil if
// none.
func (w *connWatch) first() (relayed, direct *sighting) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.relayed, w.direct
}

// String describes what the watch saw, for failure messages.
func (w *connWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return fmt.Sprintf("%d samples of %s's connections to %s: first relayed %v, first direct %v, last error %v",
		w.samples, w.d.user, w.peer, w.relayed, w.direct, w.err)
}

// writeBacklog registers user in a new home, with the core package and no
// network, and appends n posts to their log, so that the daemon started on
// that home has them to serve. (n skein post commands would take minutes.)
func (l *lab) writeBacklog(user string, n int) {
	l.tb.Helper()
	start := time.Now()
	node, err := core.New(l.ctx, core.Config{
		DataDir:     filepath.Join(l.home(user), "data"), // where skein daemon keeps it
		ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"},
		PowerMode:   core.PowerOff,
	})
	if err != nil {
		l.tb.Fatal(err)
	}
	defer node.Close()
	if _, err := node.Register(l.ctx, user, password); err != nil {
		l.tb.Fatalf("registering %s offline: %v", user, err)
	}
	for i := range n {
		if _, err := node.Post(l.ctx, backlogPost(user, i+1)); err != nil {
			l.tb.Fatalf("%s's post %d: %v", user, i+1, err)
		}
	}
	if err := node.Close(); err != nil {
		l.tb.Fatal(err)
	}
	l.tb.Logf("wrote %d posts by %s in %v", n, user, time.Since(start).Round(time.Millisecond))
}

// backlogPost is the text of post i (from 1) of user's backlog.
func backlogPost(user string, i int) string {
	return fmt.Sprintf("%s's post %d of the backlog", user, i)
}
