package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	ma "github.com/multiformats/go-multiaddr"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/core"
)

// shutdownTimeout bounds how long the daemon waits for API requests in
// progress when it stops.
const shutdownTimeout = 5 * time.Second

// addrsFlag is a repeatable flag of multiaddrs.
type addrsFlag struct {
	addrs *[]string
	p2p   bool // each address must end in /p2p/<id>
}

func (f addrsFlag) String() string {
	if f.addrs == nil {
		return ""
	}
	return strings.Join(*f.addrs, " ")
}

func (f addrsFlag) Set(s string) error {
	a, err := ma.NewMultiaddr(s)
	if err != nil {
		return fmt.Errorf("invalid multiaddr: %v", err)
	}
	if f.p2p {
		if _, err := a.ValueForProtocol(ma.P_P2P); err != nil {
			return errors.New("the address must end in /p2p/<peer id>")
		}
	}
	*f.addrs = append(*f.addrs, s)
	return nil
}

// powerFlag is a flag holding a power mode by name.
type powerFlag struct{ mode *core.PowerMode }

func (f powerFlag) String() string {
	if f.mode == nil {
		return ""
	}
	return f.mode.String()
}

func (f powerFlag) Set(s string) error {
	m, err := core.ParsePowerMode(s)
	if err != nil {
		return errors.New("use foreground, background or off")
	}
	*f.mode = m
	return nil
}

// reachFlag is the --reachability flag.
type reachFlag struct{ r *core.Reachability }

func (f reachFlag) String() string {
	if f.r == nil {
		return ""
	}
	return f.r.String()
}

func (f reachFlag) Set(s string) error {
	r, err := core.ParseReachability(s)
	if err != nil {
		return errors.New("use auto, private or public")
	}
	*f.r = r
	return nil
}

// bytesFlag is a size in bytes, with an optional KiB, MiB or GiB suffix.
type bytesFlag struct{ n *int64 }

func (f bytesFlag) String() string {
	if f.n == nil {
		return ""
	}
	return strconv.FormatInt(*f.n, 10)
}

func (f bytesFlag) Set(s string) error {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = v, u.mult
			break
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 || v > (1<<62)/mult {
		return errors.New("use a positive number of bytes, optionally with KiB, MiB or GiB")
	}
	*f.n = v * mult
	return nil
}

// minBackgroundSync is the shortest --background-sync: each wake dials
// out, so shorter would keep the radio busy, defeating background mode.
const minBackgroundSync = time.Second

// syncFlag is the --background-sync flag: a duration of at least
// minBackgroundSync.
type syncFlag struct{ d *time.Duration }

func (f syncFlag) String() string {
	if f.d == nil || *f.d == 0 {
		return ""
	}
	return f.d.String()
}

func (f syncFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return errors.New("use a duration such as 15m, 90s or 1h")
	case d < minBackgroundSync:
		return fmt.Errorf("use %v or more", minBackgroundSync)
	}
	*f.d = d
	return nil
}

type daemonCmd struct {
	listen         []string
	bootstrap      []string
	dhtServer      bool
	retention      core.Retention
	power          core.PowerMode
	backgroundSync time.Duration
	maxConns       int
	relays         []string
	reachability   core.Reachability
	storeForward   bool
	ui             bool
	uiPort         int
}

func (d *daemonCmd) flags(fs *flag.FlagSet) {
	fs.Var(addrsFlag{addrs: &d.listen}, "listen", "listen on `MULTIADDR` (repeatable; default all interfaces, TCP and QUIC)")
	fs.Var(addrsFlag{addrs: &d.bootstrap, p2p: true}, "bootstrap", "join the network through `MULTIADDR`, ending in /p2p/<id> (repeatable)")
	fs.BoolVar(&d.dhtServer, "dht-server", false, "always answer DHT queries (default: only when publicly reachable)")
	fs.IntVar(&d.retention.KeepPerAuthor, "keep-per-author", 0, "keep the newest `N` entries of each followed user (default 1000)")
	fs.DurationVar(&d.retention.KeepFor, "keep-for", 0, "also keep every entry younger than `D` (default 720h: 30 days)")
	fs.DurationVar(&d.retention.UnfollowGrace, "unfollow-grace", 0, "drop an unfollowed user's entries after `D` (default 168h: 7 days)")
	fs.Var(powerFlag{&d.power}, "power", "start in power `MODE`: foreground, background or off; change it with skein power")
	fs.Var(syncFlag{&d.backgroundSync}, "background-sync", "in background mode, wake to sync every `DURATION` (default 15m)")
	fs.IntVar(&d.maxConns, "max-conns", 0, "close the least useful connections above `N` (default 192)")
	fs.Var(addrsFlag{addrs: &d.relays, p2p: true}, "relay", "behind a NAT, be reachable through the relay at `MULTIADDR`, ending in /p2p/<id> (repeatable; relays found through the DHT are used too)")
	fs.Var(reachFlag{&d.reachability}, "reachability", "`R`: auto (AutoNAT finds out), private (behind a NAT: use relays at once) or public")
	fs.BoolVar(&d.storeForward, "store-forward", false, "ask store-and-forward relays to keep the logs you follow, so a background wake syncs with one peer (the relay learns whom you follow)")
	fs.BoolVar(&d.ui, "ui", false, "serve the web UI on 127.0.0.1 at once (skein ui prints its address, starting it if needed)")
	fs.IntVar(&d.uiPort, "ui-port", 0, "serve the web UI on port `N` (default: the port it had last time if free, else one the system chooses)")
}

func (d *daemonCmd) args(a []string) error {
	if d.maxConns < 0 {
		return fmt.Errorf("invalid --max-conns %d: use a positive number, or 0 for the default", d.maxConns)
	}
	if d.uiPort < 0 || d.uiPort > 65535 {
		return fmt.Errorf("invalid --ui-port %d: use 1 to 65535, or 0 for the default", d.uiPort)
	}
	return noArgs(a)
}

// run opens the node and serves the API on DIR/skein.sock until ctx is done.
// Its status lines go to stderr: "skein daemon: listening on <addr>" for
// each address, "skein daemon: web UI on <url>" with --ui, then
// "skein daemon: ready" once the API answers. The web UI, if started,
// stops before the node closes.
func (d *daemonCmd) run(ctx context.Context, e *env, _ *api.Client) error {
	log, err := newLogger(e.stderr, e.getenv("SKEIN_LOG"))
	if err != nil {
		return err
	}
	sock, err := socketPath(e.home)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(e.home, 0o700); err != nil {
		return err
	}
	unlock, err := lockHome(e.home)
	if err != nil {
		return err
	}
	defer unlock()
	if err := clearSocket(ctx, sock); err != nil {
		return err
	}

	cfg := core.Config{
		DataDir:        filepath.Join(e.home, "data"),
		ListenAddrs:    d.listen,
		BootstrapAddrs: d.bootstrap,
		Retention:      d.retention,
		PowerMode:      d.power,
		BackgroundSync: d.backgroundSync,
		MaxConns:       d.maxConns,
		RelayAddrs:     d.relays,
		Reachability:   d.reachability,
		StoreForward:   d.storeForward,
		Logger:         log,
	}
	if d.dhtServer {
		cfg.DHTMode = core.DHTServer
	}
	node, err := e.newNode(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := node.Close(); cerr != nil {
			log.Warn("closing the node", "err", cerr)
		}
	}()
	ui := &uiHost{node: node, home: e.home, port: d.uiPort, log: log, stderr: e.stderr}
	defer func() { // before the node closes
		sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := ui.close(sctx); err != nil {
			log.Warn("stopping the web UI", "err", err)
		}
	}()

	l, err := net.Listen("unix", sock)
	if err != nil {
		return fmt.Errorf("listening on %s: %v", sock, err)
	}
	defer os.Remove(sock) // in case closing l did not
	if err := os.Chmod(sock, 0o600); err != nil {
		l.Close()
		return err
	}
	srv := api.NewServer(node, log)
	srv.SetUI(ui.info)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()

	st, err := node.Status(ctx)
	if err != nil {
		srv.Shutdown(context.Background())
		<-served
		return err
	}
	for _, a := range st.Addrs {
		fmt.Fprintf(e.stderr, "skein daemon: listening on %s\n", a)
	}
	if d.ui {
		if _, err := ui.info(ctx, true); err != nil {
			srv.Shutdown(context.Background())
			<-served
			return err
		}
	}
	fmt.Fprintln(e.stderr, "skein daemon: ready")

	select {
	case err := <-served: // only if the listener fails
		return fmt.Errorf("serving the API: %v", err)
	case <-ctx.Done():
	}
	fmt.Fprintln(e.stderr, "skein daemon: stopping")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("stopping the API server", "err", err)
	}
	return <-served
}

// newLogger returns a text logger writing to w at the level named by level
// ($SKEIN_LOG), info if empty.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	switch strings.ToLower(level) {
	case "debug":
		l = slog.LevelDebug
	case "", "info":
		l = slog.LevelInfo
	case "warn", "warning":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		return nil, fmt.Errorf("invalid SKEIN_LOG %q: use debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// clearSocket removes a stale socket file at path: one nothing answers on.
// It fails if a daemon answers.
func clearSocket(ctx context.Context, path string) error {
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	d := net.Dialer{Timeout: time.Second}
	c, err := d.DialContext(ctx, "unix", path)
	if err == nil {
		c.Close()
		return fmt.Errorf("a daemon is already running for %s", filepath.Dir(path))
	}
	if !errors.Is(err, syscall.ECONNREFUSED) && !errors.Is(err, syscall.ENOENT) {
		return fmt.Errorf("checking for a running daemon on %s: %v", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing the stale socket: %v", err)
	}
	return nil
}

type relayCmd struct {
	listen       []string
	bootstrap    []string
	limits       core.RelayLimits
	storeForward bool
	maxClients   int
	keepPer      int
	maxNames     int
}

func (r *relayCmd) flags(fs *flag.FlagSet) {
	d := core.DefaultRelayLimits
	fs.Var(addrsFlag{addrs: &r.listen}, "listen", "listen on `MULTIADDR` (repeatable; default TCP and QUIC on port 4001)")
	fs.Var(addrsFlag{addrs: &r.bootstrap, p2p: true}, "bootstrap", "peer with the relay at `MULTIADDR`, ending in /p2p/<id> (repeatable)")
	fs.DurationVar(&r.limits.Duration, "relay-duration", 0, fmt.Sprintf("close a relayed connection after `D` (default %v)", d.Duration))
	fs.Var(bytesFlag{&r.limits.Data}, "relay-data", fmt.Sprintf("close a relayed connection after `N` bytes each way (default %dMiB)", d.Data>>20))
	fs.IntVar(&r.limits.MaxReservations, "max-reservations", 0, fmt.Sprintf("relay for at most `N` peers at once (default %d)", d.MaxReservations))
	fs.IntVar(&r.limits.MaxCircuits, "max-circuits", 0, fmt.Sprintf("at most `N` relayed connections per peer (default %d)", d.MaxCircuits))
	fs.IntVar(&r.limits.MaxReservationsPerIP, "max-per-ip", 0, fmt.Sprintf("relay for at most `N` peers behind one IP address (default %d)", d.MaxReservationsPerIP))
	fs.BoolVar(&r.storeForward, "store-forward", false, "keep and serve the logs that clients who opt in (daemon --store-forward) follow")
	fs.IntVar(&r.maxClients, "max-keep-clients", 0, "with --store-forward, keep logs for at most `N` accounts (default 1000)")
	fs.IntVar(&r.keepPer, "keep-per-author", 0, "with --store-forward, keep the newest `N` entries of each log (default 1000)")
	fs.IntVar(&r.maxNames, "max-names", 0, "hold at most `N` username claims, and as many accounts in the directory; when full, take no new name (default 100000)")
}

func (r *relayCmd) args(a []string) error {
	for _, v := range []int{r.limits.MaxReservations, r.limits.MaxCircuits, r.limits.MaxReservationsPerIP, r.maxClients, r.keepPer, r.maxNames} {
		if v < 0 {
			return errors.New("counts must be positive, or 0 for the default")
		}
	}
	if r.limits.Duration < 0 {
		return errors.New("--relay-duration must be positive")
	}
	return noArgs(a)
}

// run runs a relay until ctx is done. It prints its addresses, one a line,
// to stdout, then "skein relay: ready" to stderr.
func (r *relayCmd) run(ctx context.Context, e *env, _ *api.Client) error {
	log, err := newLogger(e.stderr, e.getenv("SKEIN_LOG"))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(e.home, 0o700); err != nil {
		return err
	}
	rl, err := e.newRelay(ctx, core.RelayConfig{
		DataDir:        filepath.Join(e.home, "relay"),
		ListenAddrs:    r.listen,
		BootstrapAddrs: r.bootstrap,
		Limits:         r.limits,
		StoreForward:   r.storeForward,
		MaxKeepClients: r.maxClients,
		Retention:      core.Retention{KeepPerAuthor: r.keepPer},
		MaxNames:       r.maxNames,
		Logger:         log,
	})
	if err != nil {
		return err
	}
	for _, a := range rl.Addrs() {
		fmt.Fprintln(e.stdout, a)
	}
	fmt.Fprintln(e.stderr, "skein relay: ready")
	<-ctx.Done()
	fmt.Fprintln(e.stderr, "skein relay: stopping")
	return rl.Close()
}
