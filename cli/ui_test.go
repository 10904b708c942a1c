package cli

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/cli/internal/api/apitest"
	"github.com/skein-p2p/skein/cli/internal/webui"
	"github.com/skein-p2p/skein/core"
)

// uiLine is the daemon's line for its web UI.
var uiLine = regexp.MustCompile(`skein daemon: web UI on (http://127\.0\.0\.1:([0-9]+)/)\n`)

// uiURL returns the web UI's address and port in a daemon's stderr.
func uiURL(t *testing.T, stderr string) (string, int) {
	t.Helper()
	m := uiLine.FindAllStringSubmatch(stderr, -1)
	if len(m) == 0 {
		t.Fatalf("the daemon printed no web UI line:\n%s", stderr)
	}
	last := m[len(m)-1]
	port, _ := strconv.Atoi(last[2])
	return last[1], port
}

// uiLogin returns a pattern for the login address of home's UI on port:
// the UI's own host name, derived from the secret in home's ui.key, and a
// one-time key of 32 hex digits.
func uiLogin(t *testing.T, home string, port int) *regexp.Regexp {
	t.Helper()
	secret, err := os.ReadFile(filepath.Join(home, uiKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	s, err := webui.New(apitest.NewNode(start), webui.Options{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	return regexp.MustCompile(`http://` + regexp.QuoteMeta(s.HostName()) + `:` + strconv.Itoa(port) + `/auth#[0-9a-f]{32}`)
}

// getStatus answers GET url's status, or fails.
func getStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestDaemonUI(t *testing.T) {
	home := filepath.Join(shortTempDir(t), "h")
	stderr, _, stop := startDaemon(t, home, apitest.NewNode(start), "--ui")
	url, port := uiURL(t, stderr.String())
	if i, j := strings.Index(stderr.String(), "web UI on"), strings.Index(stderr.String(), "skein daemon: ready\n"); i > j {
		t.Errorf("the web UI line comes after ready:\n%s", stderr)
	}

	// The secret: 32 bytes, owner only; the port is remembered.
	fi, err := os.Stat(filepath.Join(home, uiKeyFile))
	if err != nil || fi.Size() != webui.SecretSize || fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: %v, %v; want %d bytes with mode 0600", uiKeyFile, fi, err, webui.SecretSize)
	}
	if got := lastUIPort(home); got != port {
		t.Errorf("%s holds port %d, want %d", uiPortFile, got, port)
	}
	login := uiLogin(t, home, port)

	// skein ui, plain and --json, and the shell's option.
	if out := mustRun(t, home, "ui"); !regexp.MustCompile(`^` + login.String() + `\n$`).MatchString(out) {
		t.Errorf("skein ui printed %q, want %s", out, login)
	}
	var info api.UI
	if err := json.Unmarshal([]byte(mustRun(t, home, "ui", "--json")), &info); err != nil || info.URL != url || !login.MatchString(info.LoginURL) {
		t.Errorf("skein ui --json = %+v, %v; want url %s and login_url %s", info, err, url, login)
	}
	e, stdout, _ := testEnv(strings.NewReader("3\nq\n"), nil)
	if err := e.run(t.Context(), []string{"--home", home, "shell"}); err != nil {
		t.Fatal(err)
	}
	wantInOrder(t, stdout.String(), "[3] Web UI\n", "Option -> Open this address in your browser", "Bye.")
	if !login.MatchString(stdout.String()) {
		t.Errorf("the shell's Web UI printed no login address:\n%s", stdout)
	}
	mustRun(t, home, "register", "alice")
	e, stdout, _ = testEnv(strings.NewReader("ui\nq\n"), nil)
	if err := e.run(t.Context(), []string{"--home", home, "shell"}); err != nil {
		t.Fatal(err)
	}
	wantInOrder(t, stdout.String(), "[20] Web UI\n", "Bye.")
	if !login.MatchString(stdout.String()) {
		t.Errorf("the shell's Web UI printed no login address:\n%s", stdout)
	}

	// It serves the UI (the web UI's own tests check the pages).
	if got := getStatus(t, url+"static/app.js"); got != http.StatusOK {
		t.Errorf("GET /static/app.js = %d, want 200", got)
	}
	if got := getStatus(t, url); got != http.StatusUnauthorized {
		t.Errorf("GET / without the cookie = %d, want 401", got)
	}

	// It stops with the daemon, before the node.
	if err := stop(); err != nil {
		t.Fatalf("daemon returned %v", err)
	}
	if _, err := http.Get(url); err == nil {
		t.Errorf("the web UI still answers after the daemon stopped")
	}

	// A restart keeps the port and the key, so an open tab carries on.
	stderr, _, stop = startDaemon(t, home, apitest.NewNode(start), "--ui")
	if url2, _ := uiURL(t, stderr.String()); url2 != url {
		t.Errorf("after a restart the web UI is on %s, want %s", url2, url)
	}
	if out := mustRun(t, home, "ui"); !login.MatchString(out) {
		t.Errorf("after a restart skein ui printed %q, want %s", out, login)
	}
	stop()

	// Its last port taken, it moves, and says so.
	l, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	stderr, _, stop = startDaemon(t, home, apitest.NewNode(start), "--ui")
	url3, port3 := uiURL(t, stderr.String())
	if port3 == port || !strings.Contains(stderr.String(), "skein daemon: the web UI's last port "+strconv.Itoa(port)+" is not free (") {
		t.Errorf("with its port taken the daemon printed:\n%s", stderr)
	}
	_ = url3
	if out := mustRun(t, home, "ui"); !uiLogin(t, home, port3).MatchString(out) {
		t.Errorf("skein ui printed %q, want the new address", out)
	}
	if got := lastUIPort(home); got != port3 {
		t.Errorf("%s holds port %d, want the new %d", uiPortFile, got, port3)
	}
	stop()

	// An explicit --ui-port that is taken is an error.
	e, _, _ = testEnv(strings.NewReader(""), nil)
	e.newNode = func(context.Context, core.Config) (daemonNode, error) { return apitest.NewNode(start), nil }
	err = e.run(t.Context(), []string{"--home", home, "daemon", "--ui", "--ui-port", strconv.Itoa(port)})
	if err == nil || !strings.HasPrefix(err.Error(), "the web UI cannot listen on port "+strconv.Itoa(port)+" (") || !strings.HasSuffix(err.Error(), "): choose another --ui-port") {
		t.Errorf("daemon --ui-port on a taken port: error = %v", err)
	}
}

// TestUIStartsOnDemand: a daemon started without --ui serves none until
// skein ui asks for it.
func TestUIStartsOnDemand(t *testing.T) {
	home := filepath.Join(shortTempDir(t), "h")
	stderr, _, stop := startDaemon(t, home, apitest.NewNode(start))
	if strings.Contains(stderr.String(), "web UI") {
		t.Errorf("a daemon without --ui printed:\n%s", stderr)
	}
	sock, _ := socketPath(home)
	c := api.NewClient(sock)
	defer c.Close()
	if _, err := c.UI(t.Context(), false); !errors.Is(err, api.ErrUIOff) {
		t.Errorf("GET /v1/ui before skein ui: error = %v, want ErrUIOff", err)
	}
	out := mustRun(t, home, "ui")
	url, port := uiURL(t, stderr.String())
	if !uiLogin(t, home, port).MatchString(out) {
		t.Errorf("skein ui printed %q; the daemon:\n%s", out, stderr)
	}
	if info, err := c.UI(t.Context(), false); err != nil || info.URL != url {
		t.Errorf("GET /v1/ui after skein ui = %+v, %v; want url %s", info, err, url)
	}
	if n := strings.Count(stderr.String(), "web UI on"); n != 1 {
		t.Errorf("the daemon printed %d web UI lines, want 1:\n%s", n, stderr)
	}
	if err := stop(); err != nil {
		t.Errorf("daemon returned %v", err)
	}
	if _, err := http.Get(url); err == nil {
		t.Errorf("the web UI still answers after the daemon stopped")
	}
}

func TestUIKeyFile(t *testing.T) {
	home := t.TempDir()
	a, err := loadUIKey(home)
	if err != nil || len(a) != webui.SecretSize {
		t.Fatalf("loadUIKey() = %d bytes, %v", len(a), err)
	}
	path := filepath.Join(home, uiKeyFile)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := loadUIKey(home)
	if err != nil || string(b) != string(a) {
		t.Errorf("loadUIKey() again = %x, %v; want the same key %x", b, err, a)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("a readable key file is left %v, %v; want mode 0600", fi.Mode(), err)
	}
	if err := os.WriteFile(path, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadUIKey(home); err == nil || !strings.Contains(err.Error(), "is damaged (5 bytes, want 32): remove it") {
		t.Errorf("loadUIKey() of a damaged file: error = %v", err)
	}
	if err := os.WriteFile(filepath.Join(home, uiPortFile), []byte("http\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if p := lastUIPort(home); p != 0 {
		t.Errorf("lastUIPort() of a damaged file = %d, want 0", p)
	}
}

// TestUIOpen: --open gives the opener a page in the home directory, for
// the owner only, that leads to the login address (which itself holds
// the key and must not be on a command line); without an opener it says
// so and still prints the address.
func TestUIOpen(t *testing.T) {
	name := browsers[runtime.GOOS]
	if name == "" {
		t.Skip("no browser opener on " + runtime.GOOS)
	}
	home := filepath.Join(shortTempDir(t), "h")
	startDaemon(t, home, apitest.NewNode(start))
	bin := t.TempDir()
	got := filepath.Join(bin, "args")
	script := "#!/bin/sh\necho \"$@\" > " + got + ".tmp && /bin/mv " + got + ".tmp " + got + "\n"
	if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	e, stdout, stderr := testEnv(strings.NewReader(""), nil)
	if err := e.run(t.Context(), []string{"--home", home, "ui", "--open"}); err != nil {
		t.Fatal(err)
	}
	login := strings.TrimSpace(stdout.String())
	if !strings.Contains(login, "/auth#") || stderr.String() != "skein ui: asked "+name+" to open the web UI in your browser\n" {
		t.Errorf("ui --open printed %q and %q", stdout, stderr)
	}
	var args []byte
	waitUntil(t, func() bool {
		args, _ = os.ReadFile(got)
		return len(args) > 0
	})
	page := filepath.Join(home, uiOpenFile)
	if string(args) != page+"\n" {
		t.Errorf("the opener got %q, want the page %s", args, page)
	}
	b, err := os.ReadFile(page)
	if fi, _ := os.Stat(page); err != nil || fi.Mode().Perm() != 0o600 || !strings.Contains(string(b), `content="0;url=`+login+`"`) {
		t.Errorf("the page: %v %v\n%s\nwant mode 0600 leading to %s", fi.Mode(), err, b, login)
	}

	t.Setenv("PATH", t.TempDir())
	e, stdout, stderr = testEnv(strings.NewReader(""), nil)
	if err := e.run(t.Context(), []string{"--home", home, "ui", "--open"}); err != nil {
		t.Fatal(err)
	}
	page1, _, _ := strings.Cut(login, "#")
	page2, key2, _ := strings.Cut(strings.TrimSpace(stdout.String()), "#")
	if page2 != page1 || len(key2) != 32 || stderr.String() != "skein ui: no "+name+" found to open a browser: open the address above in yours\n" {
		t.Errorf("ui --open without an opener printed %q and %q", stdout, stderr)
	}
}
