package nattest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/localnet"
)

// Addresses on the test's internet, 192.0.0.64/26: reserved by IANA and
// routed nowhere, yet public to go-libp2p, which hole-punches only to
// public addresses.
const (
	internetBits = "/26"
	relayIP      = "192.0.0.66"
	publicIP     = "192.0.0.80" // a peer on the internet side, not behind NAT
)

// natKind is how a router maps its LAN's outbound connections.
type natKind int

const (
	// eim is an endpoint-independent mapping: plain MASQUERADE, which
	// keeps the source port, so one local port maps to one public port
	// whatever the destination. Hole punching works through it.
	eim natKind = iota
	// symmetric maps every new destination to a new random port
	// (MASQUERADE --random-fully): the port a peer observed cannot be
	// punched through by anyone else.
	symmetric
)

func (k natKind) String() string {
	if k == symmetric {
		return "symmetric"
	}
	return "endpoint-independent"
}

// site is a NAT router with one host behind it, each in a namespace of
// its own: the router's "wan" is on the internet's bridge, its "lan" is
// the host's gateway.
type site struct {
	name         string // a, b or c
	router, host string // namespaces
	wanIP        string // the router's public address
	lan          string // the LAN's first three octets
	nat          natKind
}

func (s *site) gatewayIP() string { return s.lan + ".1" }
func (s *site) hostIP() string    { return s.lan + ".2" }

// network is the test's namespaces: the internet (a bridge, where the relay
// runs), a public host on it, and three NAT sites: a and b behind
// endpoint-independent NATs, c behind a symmetric one. Nothing in them has
// a link or a route to the root namespace. close deletes them all.
type network struct {
	internet string // namespace of the bridge and the relay
	public   string // namespace of the public peer
	a, b, c  *site
	made     []string // namespaces created
}

// namespace prefix for this run: parallel runs do not collide.
func nsPrefix() string { return fmt.Sprintf("sknat%d", os.Getpid()%100000) }

// requireTools skips tb unless it runs as root with ip, iptables and
// conntrack, and network namespaces with iptables in them work.
func requireTools(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skip("SKIP: needs root (network namespaces, iptables)")
	}
	for _, tool := range []string{"ip", "iptables", "conntrack"} {
		if _, err := exec.LookPath(tool); err != nil {
			tb.Skipf("SKIP: %s not installed (apt-get install iproute2 iptables conntrack)", tool)
		}
	}
	probe := nsPrefix() + "probe"
	if err := ipCmd("netns", "add", probe); err != nil {
		tb.Skip("SKIP: cannot create a network namespace: ", err)
	}
	defer ipCmd("netns", "del", probe)
	if err := nsRun(probe, "iptables", "-t", "nat", "-L", "-n"); err != nil {
		tb.Skip("SKIP: iptables does not work in a network namespace: ", err)
	}
}

// ipCmd runs ip with args.
func ipCmd(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// nsRun runs a command in namespace ns.
func nsRun(ns string, args ...string) error {
	return ipCmd(append([]string{"netns", "exec", ns}, args...)...)
}

// newNetwork builds the namespaces, links, addresses, routes and NAT rules.
// The caller must close it; if building fails, newNetwork deletes what it
// made and fails tb.
func newNetwork(tb testing.TB) *network {
	tb.Helper()
	p := nsPrefix()
	n := &network{
		internet: p + "inet",
		public:   p + "pub",
		a:        &site{name: "a", router: p + "ra", host: p + "a", wanIP: "192.0.0.70", lan: "10.231.1", nat: eim},
		b:        &site{name: "b", router: p + "rb", host: p + "b", wanIP: "192.0.0.71", lan: "10.231.2", nat: eim},
		c:        &site{name: "c", router: p + "rc", host: p + "c", wanIP: "192.0.0.72", lan: "10.231.3", nat: symmetric},
	}
	built := false
	defer func() {
		if !built {
			n.close(tb)
		}
	}()
	all := []string{n.internet, n.public}
	for _, s := range n.sites() {
		all = append(all, s.router, s.host)
	}
	for _, ns := range all {
		if err := ipCmd("netns", "add", ns); err != nil {
			tb.Fatalf("%v (left by an earlier run? see ip netns list)", err)
		}
		n.made = append(n.made, ns)
	}

	// The internet: a bridge, with the relay's address on it.
	steps := [][]string{
		{"-n", n.internet, "link", "set", "lo", "up"},
		{"-n", n.internet, "link", "add", "br0", "type", "bridge"},
		{"-n", n.internet, "addr", "add", relayIP + internetBits, "dev", "br0"},
		{"-n", n.internet, "link", "set", "br0", "up"},
	}
	// The public host, on the bridge.
	steps = append(steps, plug(n.internet, "pub", n.public, "eth0")...)
	steps = append(steps,
		[]string{"-n", n.public, "link", "set", "lo", "up"},
		[]string{"-n", n.public, "addr", "add", publicIP + internetBits, "dev", "eth0"},
		[]string{"-n", n.public, "link", "set", "eth0", "up"},
	)
	for _, s := range n.sites() {
		steps = append(steps, plug(n.internet, "r"+s.name, s.router, "wan")...)
		steps = append(steps,
			[]string{"-n", s.router, "link", "set", "lo", "up"},
			[]string{"-n", s.router, "addr", "add", s.wanIP + internetBits, "dev", "wan"},
			[]string{"-n", s.router, "link", "set", "wan", "up"},
			[]string{"-n", s.router, "link", "add", "lan", "type", "veth", "peer", "name", "eth0", "netns", s.host},
			[]string{"-n", s.router, "addr", "add", s.gatewayIP() + "/24", "dev", "lan"},
			[]string{"-n", s.router, "link", "set", "lan", "up"},
			[]string{"-n", s.host, "link", "set", "lo", "up"},
			[]string{"-n", s.host, "addr", "add", s.hostIP() + "/24", "dev", "eth0"},
			[]string{"-n", s.host, "link", "set", "eth0", "up"},
			[]string{"-n", s.host, "route", "add", "default", "via", s.gatewayIP()},
		)
	}
	for _, st := range steps {
		if err := ipCmd(st...); err != nil {
			tb.Fatal(err)
		}
	}
	for _, s := range n.sites() {
		if err := s.setupRouter(); err != nil {
			tb.Fatal(err)
		}
	}
	built = true
	return n
}

// plug returns the steps that link namespace ns, as interface dev, to the
// internet's bridge through the interface port there.
func plug(internet, port, ns, dev string) [][]string {
	return [][]string{
		{"-n", internet, "link", "add", port, "type", "veth", "peer", "name", dev, "netns", ns},
		{"-n", internet, "link", "set", port, "master", "br0", "up"},
	}
}

func (n *network) sites() []*site { return []*site{n.a, n.b, n.c} }

// close deletes the namespaces, and with them their interfaces and rules.
// Every process in them must have been stopped. It is safe to call twice.
func (n *network) close(tb testing.TB) {
	for _, ns := range n.made {
		if err := ipCmd("netns", "del", ns); err != nil {
			tb.Log(err)
		}
	}
	n.made = nil
}

// routerRules returns the iptables commands (arguments) of a NAT router of
// kind k: masquerade the LAN behind "wan"; forward what the LAN sends, and
// from the WAN only replies to it; answer on the WAN only replies; drop
// everything else silently.
func routerRules(k natKind) [][]string {
	masq := []string{"-t", "nat", "-A", "POSTROUTING", "-o", "wan", "-j", "MASQUERADE"}
	if k == symmetric {
		masq = append(masq, "--random-fully")
	}
	return [][]string{
		masq,
		{"-A", "FORWARD", "-i", "lan", "-o", "wan", "-j", "ACCEPT"},
		{"-A", "FORWARD", "-i", "wan", "-o", "lan", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"},
		{"-A", "FORWARD", "-j", "DROP"},
		{"-A", "INPUT", "-i", "wan", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"},
		{"-A", "INPUT", "-i", "wan", "-j", "DROP"},
	}
}

// setupRouter turns forwarding on in the site's router and installs its
// rules, on an empty connection-tracking table.
func (s *site) setupRouter() error {
	if err := nsRun(s.router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"); err != nil {
		return err
	}
	for _, r := range routerRules(s.nat) {
		if err := nsRun(s.router, append([]string{"iptables"}, r...)...); err != nil {
			return err
		}
	}
	return nsRun(s.router, "conntrack", "-F")
}

// dialEnv, set in a child's environment, makes the test binary dial the
// TCP address it holds and exit (see TestMain).
const dialEnv = "SKEIN_NATTEST_DIAL"

// dialTimeout bounds a reachability probe: long enough for any answer on
// a veth, short against a silent drop.
const dialTimeout = 2 * time.Second

// dialMain is the test binary's main when dialEnv is set: 0 if a TCP
// connection to addr opened within dialTimeout, 1 if not.
func dialMain(addr string) int {
	c, err := net.DialTimeout("tcp", addr, dialTimeout)
	if err != nil {
		fmt.Println("not connected:", err)
		return 1
	}
	c.Close()
	fmt.Println("connected")
	return 0
}

// tcpReachable reports whether a TCP connection from namespace ns to addr
// opens within dialTimeout, and what the attempt said.
func tcpReachable(ctx context.Context, ns, addr string) (bool, string, error) {
	exe, err := os.Executable()
	if err != nil {
		return false, "", err
	}
	ctx, cancel := context.WithTimeout(ctx, dialTimeout+10*time.Second)
	defer cancel()
	r := localnet.Run(ctx, "ip", []string{dialEnv + "=" + addr}, "", "netns", "exec", ns, exe)
	if r.Err != nil || (r.Code != 0 && r.Code != 1) {
		return false, "", fmt.Errorf("probing %s from %s: %v", addr, ns, r)
	}
	return r.Code == 0, strings.TrimSpace(r.Stdout + r.Stderr), nil
}
