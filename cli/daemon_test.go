package cli

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api/apitest"
	"github.com/skein-p2p/skein/core"
)

// startDaemon runs "skein daemon args..." in home with node, until ready.
// It returns the daemon's stderr, the config it opened the node with, and
// the function that stops it and returns its error.
func startDaemon(t *testing.T, home string, node *apitest.Node, args ...string) (*syncBuffer, func() core.Config, func() error) {
	t.Helper()
	e, _, stderr := testEnv(strings.NewReader(""), nil)
	var mu sync.Mutex
	var cfg core.Config
	e.newNode = func(_ context.Context, c core.Config) (daemonNode, error) {
		mu.Lock()
		defer mu.Unlock()
		cfg = c
		return node, nil
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.run(ctx, append([]string{"--home", home, "daemon"}, args...)) }()
	stop := sync.OnceValue(func() error {
		cancel()
		return <-done
	})
	t.Cleanup(func() { stop() })
	waitUntil(t, func() bool {
		select {
		case err := <-done:
			done <- err
			t.Fatalf("daemon exited before ready: %v; stderr:\n%s", err, stderr)
		default:
		}
		return strings.Contains(stderr.String(), "skein daemon: ready\n")
	})
	return stderr, func() core.Config { mu.Lock(); defer mu.Unlock(); return cfg }, stop
}

func TestDaemon(t *testing.T) {
	home := filepath.Join(shortTempDir(t), "h") // created by the daemon
	node := apitest.NewNode(start)
	boot := "/ip4/127.0.0.1/tcp/4001/p2p/" + testPeer
	stderr, cfg, stop := startDaemon(t, home, node,
		"--listen", "/ip4/127.0.0.1/tcp/0", "--bootstrap", boot, "--dht-server", "--keep-per-author", "50")

	want := core.Config{
		DataDir:        filepath.Join(home, "data"),
		ListenAddrs:    []string{"/ip4/127.0.0.1/tcp/0"},
		BootstrapAddrs: []string{boot},
		DHTMode:        core.DHTServer,
		Retention:      core.Retention{KeepPerAuthor: 50},
	}
	got := cfg()
	if got.Logger == nil {
		t.Error("the node got no logger")
	}
	got.Logger = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the node's config = %+v, want %+v", got, want)
	}
	if !strings.HasPrefix(stderr.String(), "skein daemon: listening on /ip4/127.0.0.1/tcp/4001/p2p/12D3KooWFake\nskein daemon: ready\n") {
		t.Errorf("the daemon printed:\n%s", stderr)
	}
	sock := filepath.Join(home, "skein.sock")
	fi, err := os.Stat(sock)
	if err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket %s: %v, %v; want a socket with mode 0600", sock, fi.Mode(), err)
	}
	if fi, err := os.Stat(home); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("home %s: %v, %v; want mode 0700", home, fi.Mode(), err)
	}

	// The commands use it.
	mustRun(t, home, "register", "alice")
	if out := mustRun(t, home, "status"); !strings.Contains(out, "account: @alice") {
		t.Errorf("status through the daemon = %q", out)
	}

	// A second daemon for the same home refuses to start.
	e, _, _ := testEnv(strings.NewReader(""), nil)
	e.newNode = func(context.Context, core.Config) (daemonNode, error) {
		t.Error("the second daemon opened a node")
		return nil, errors.New("no")
	}
	err = e.run(t.Context(), []string{"--home", home, "daemon"})
	if err == nil || err.Error() != "a daemon is already running for "+home {
		t.Errorf("second daemon error = %v, want already running", err)
	}

	if err := stop(); err != nil {
		t.Errorf("daemon returned %v after an interrupt, want nil", err)
	}
	if !strings.HasSuffix(stderr.String(), "skein daemon: stopping\n") {
		t.Errorf("the daemon's output ends:\n%s", stderr)
	}
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket after stop: %v, want it removed", err)
	}
	if _, err := node.Status(t.Context()); !errors.Is(err, core.ErrClosed) {
		t.Errorf("node after stop: %v, want it closed", err)
	}
	want2 := "no daemon running for " + home
	if _, err := run(t, home, "status"); err == nil || !strings.HasPrefix(err.Error(), want2) {
		t.Errorf("status after stop = %v, want %q", err, want2)
	}
}

func TestDaemonPowerFlags(t *testing.T) {
	// The flags reach the node's config; zero values leave core's defaults.
	tests := []struct {
		args []string
		want core.Config // its power fields
	}{
		{nil, core.Config{}},
		{[]string{"--power", "background", "--background-sync", "1s"}, core.Config{PowerMode: core.PowerBackground, BackgroundSync: time.Second}},
		{[]string{"--power", "off", "--max-conns", "16"}, core.Config{PowerMode: core.PowerOff, MaxConns: 16}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			home := shortTempDir(t)
			_, cfg, _ := startDaemon(t, home, apitest.NewNode(start), tt.args...)
			got := cfg()
			if got.PowerMode != tt.want.PowerMode || got.BackgroundSync != tt.want.BackgroundSync || got.MaxConns != tt.want.MaxConns {
				t.Errorf("the node's config has power %v, background sync %v, max conns %d; want %v, %v, %d",
					got.PowerMode, got.BackgroundSync, got.MaxConns, tt.want.PowerMode, tt.want.BackgroundSync, tt.want.MaxConns)
			}
		})
	}
}

func TestDaemonStaleSocket(t *testing.T) {
	home := shortTempDir(t)
	sock := filepath.Join(home, "skein.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	startDaemon(t, home, apitest.NewNode(start))
	mustRun(t, home, "status")
}

func TestDaemonSocketAnswers(t *testing.T) {
	// Something answers on the socket, without holding the lock (a daemon
	// of another version, say): the daemon refuses to start.
	home := shortTempDir(t)
	l, err := net.Listen("unix", filepath.Join(home, "skein.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	e, _, _ := testEnv(strings.NewReader(""), nil)
	err = e.run(t.Context(), []string{"--home", home, "daemon"})
	if err == nil || !strings.Contains(err.Error(), "a daemon is already running") {
		t.Errorf("daemon with a live socket error = %v, want already running", err)
	}
}

func TestDaemonErrors(t *testing.T) {
	home := shortTempDir(t)
	e, _, _ := testEnv(strings.NewReader(""), map[string]string{"SKEIN_LOG": "loud"})
	err := e.run(t.Context(), []string{"--home", home, "daemon"})
	if err == nil || err.Error() != `invalid SKEIN_LOG "loud": use debug, info, warn or error` {
		t.Errorf("daemon with SKEIN_LOG=loud error = %v", err)
	}
	// The node fails to open: the error is returned, and the lock released.
	e, _, _ = testEnv(strings.NewReader(""), nil)
	err = e.run(t.Context(), []string{"--home", home, "daemon"})
	if err == nil || err.Error() != "no node in tests" {
		t.Errorf("daemon error = %v, want the node's", err)
	}
	startDaemon(t, home, apitest.NewNode(start))
}

type fakeRelay struct {
	mu     sync.Mutex
	closed bool
}

func (r *fakeRelay) Addrs() []string {
	return []string{"/ip4/127.0.0.1/tcp/4001/p2p/" + testPeer, "/ip4/127.0.0.1/udp/4001/quic-v1/p2p/" + testPeer}
}

func (r *fakeRelay) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	return nil
}

func TestRelay(t *testing.T) {
	home := shortTempDir(t)
	r := &fakeRelay{}
	var cfg core.RelayConfig
	e, stdout, stderr := testEnv(strings.NewReader(""), nil)
	e.newRelay = func(_ context.Context, c core.RelayConfig) (relayNode, error) {
		cfg = c
		return r, nil
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.run(ctx, []string{"--home", home, "relay", "--listen", "/ip4/127.0.0.1/tcp/4001"}) }()
	waitUntil(t, func() bool { return strings.Contains(stderr.String(), "skein relay: ready\n") })
	want := strings.Join(r.Addrs(), "\n") + "\n"
	if stdout.String() != want {
		t.Errorf("relay printed %q to stdout, want %q", stdout, want)
	}
	if cfg.DataDir != filepath.Join(home, "relay") || !reflect.DeepEqual(cfg.ListenAddrs, []string{"/ip4/127.0.0.1/tcp/4001"}) || cfg.Logger == nil {
		t.Errorf("relay config = %+v", cfg)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("relay returned %v after an interrupt, want nil", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		t.Error("the relay was not closed")
	}
}

func TestNewLogger(t *testing.T) {
	for _, level := range []string{"", "debug", "info", "warn", "WARNING", "error"} {
		if _, err := newLogger(&syncBuffer{}, level); err != nil {
			t.Errorf("newLogger(%q) error = %v", level, err)
		}
	}
	var buf syncBuffer
	log, _ := newLogger(&buf, "warn")
	log.Info("hidden")
	log.Warn("shown")
	if s := buf.String(); strings.Contains(s, "hidden") || !strings.Contains(s, "level=WARN msg=shown") {
		t.Errorf("a warn logger wrote %q", s)
	}
}

// TestLoggerInert: the daemon's log lines carry strings from peers (error
// messages, addresses, names); its handler (slog's text handler) writes
// them quoted, one record a line, whatever they hold.
func TestLoggerInert(t *testing.T) {
	var buf syncBuffer
	log, err := newLogger(&buf, "debug")
	if err != nil {
		t.Fatal(err)
	}
	const bad = foreignText + "\xff"
	log.Warn("bad notice "+bad, "peer", bad, "err", errors.New(bad), bad, 1,
		"addrs", []string{bad}, "group", map[string]string{bad: bad})
	log.With("from", bad).WithGroup(bad).Info("x", "k", bad)
	out := buf.String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("two records wrote %d lines:\n%s", len(lines), out)
	}
	for _, l := range lines {
		if bad := terminalSafe(l); bad != "" || strings.Contains(l, "\t") {
			t.Errorf("the log line holds %s or a tab:\n%s", bad, l)
		}
		if !strings.HasPrefix(l, "time=") {
			t.Errorf("a log line does not start a record: %q", l)
		}
	}
}
