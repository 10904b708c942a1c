package cli

// The web UI (package webui): the daemon serves it with --ui, or once
// "skein ui" asks through POST /v1/ui, on loopback only. Its secret and
// its last port are kept in the home directory, so that a tab left open
// keeps its address and its session across daemon restarts.

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/cli/internal/webui"
	"github.com/skein-p2p/skein/core"
)

// Files in the home directory.
const (
	uiKeyFile  = "ui.key"       // the web UI's secret: webui.SecretSize random bytes
	uiPortFile = "ui.port"      // the web UI's last port, in decimal
	uiOpenFile = "ui-open.html" // the page skein ui --open gives the browser
)

// uiHost runs the daemon's web UI: none until started, then one until
// close. It is safe for concurrent use.
type uiHost struct {
	node   api.Node
	home   string
	port   int // --ui-port; 0: the last port, else one the system chooses
	log    *slog.Logger
	stderr io.Writer

	mu     sync.Mutex
	srv    *webui.Server // nil until started
	closed bool
}

// info is the daemon's api.UIFunc: the UI's addresses, starting it first
// if start is set and it is not running.
func (u *uiHost) info(_ context.Context, start bool) (api.UI, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.srv == nil {
		if !start {
			return api.UI{}, api.ErrUIOff
		}
		if err := u.startLocked(); err != nil {
			return api.UI{}, err
		}
	}
	return api.UI{URL: u.srv.URL(), LoginURL: u.srv.LoginURL()}, nil
}

// startLocked starts the UI on --ui-port, else on the last port if it is
// free, else on a port the system chooses, and prints its address.
func (u *uiHost) startLocked() error {
	if u.closed {
		return fmt.Errorf("%w: the daemon is stopping", core.ErrClosed)
	}
	secret, err := loadUIKey(u.home)
	if err != nil {
		return err
	}
	srv, err := webui.New(u.node, webui.Options{Secret: secret, Logger: u.log})
	if err != nil {
		return err
	}
	port, last := u.port, 0
	if port == 0 {
		last = lastUIPort(u.home)
		port = last
	}
	url, err := srv.Listen(port)
	if err != nil && last != 0 {
		fmt.Fprintf(u.stderr, "skein daemon: the web UI's last port %d is not free (%v); it moves to another: open it again with skein ui\n", last, cause(err))
		url, err = srv.Listen(0)
	}
	switch {
	case err != nil && u.port != 0:
		return fmt.Errorf("the web UI cannot listen on port %d (%v): choose another --ui-port", u.port, cause(err))
	case err != nil:
		return err
	}
	if err := os.WriteFile(filepath.Join(u.home, uiPortFile), []byte(strconv.Itoa(srv.Port())+"\n"), 0o600); err != nil {
		u.log.Warn("saving the web UI's port", "err", err)
	}
	fmt.Fprintf(u.stderr, "skein daemon: web UI on %s\n", url)
	u.srv = srv
	return nil
}

// cause returns the error err wraps, or err: the system's reason without
// the web UI's prefix.
func cause(err error) error {
	if c := errors.Unwrap(err); c != nil {
		return c
	}
	return err
}

// close stops the UI if it runs, waiting until ctx is done for the
// requests in progress; the UI cannot start after.
func (u *uiHost) close(ctx context.Context) error {
	u.mu.Lock()
	u.closed = true
	srv := u.srv
	u.mu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Shutdown(ctx)
}

// loadUIKey returns the web UI's secret from home's ui.key, which it
// creates (mode 0600) the first time.
func loadUIKey(home string) ([]byte, error) {
	path := filepath.Join(home, uiKeyFile)
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return newUIKey(path)
	case err != nil:
		return nil, fmt.Errorf("reading the web UI's key: %v", err)
	case len(b) != webui.SecretSize:
		return nil, fmt.Errorf("the web UI's key %s is damaged (%d bytes, want %d): remove it, then sign the browser in again with skein ui", path, len(b), webui.SecretSize)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, fmt.Errorf("the web UI's key %s can be read by others and cannot be made private: %v", path, err)
		}
	}
	return b, nil
}

// newUIKey writes a new random secret to path, which must not exist.
func newUIKey(path string) ([]byte, error) {
	b := make([]byte, webui.SecretSize)
	rand.Read(b)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating the web UI's key: %v", err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("writing the web UI's key: %v", err)
	}
	return b, nil
}

// lastUIPort returns the port in home's ui.port, 0 if none.
func lastUIPort(home string) int {
	b, err := os.ReadFile(filepath.Join(home, uiPortFile))
	if err != nil {
		return 0
	}
	p, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || p < 1 || p > 65535 {
		return 0
	}
	return p
}

type uiCmd struct {
	open bool
	json bool
}

func (u *uiCmd) flags(fs *flag.FlagSet) {
	fs.BoolVar(&u.open, "open", false, "also open it in the default browser")
	jsonFlag(fs, &u.json)
}

func (*uiCmd) args(a []string) error { return noArgs(a) }

// run asks the daemon for the web UI, which it starts if needed, and
// prints the address that signs a browser in.
func (u *uiCmd) run(ctx context.Context, e *env, c *api.Client) error {
	info, err := c.UI(ctx, true)
	if err != nil {
		return err
	}
	if u.json {
		err = writeJSON(e.stdout, info)
	} else {
		_, err = fmt.Fprintln(e.stdout, info.LoginURL)
	}
	if err != nil || !u.open {
		return err
	}
	return e.browse(info.LoginURL)
}

// browsers names the program that opens a file or address in the default
// browser, by GOOS.
var browsers = map[string]string{
	"linux":   "xdg-open",
	"freebsd": "xdg-open",
	"openbsd": "xdg-open",
	"netbsd":  "xdg-open",
	"darwin":  "open",
}

// browse opens loginURL in the user's browser, or says why it cannot. The
// address holds the key that signs a browser in, and every local user can
// read a process's command line, so the browser is given a page in the home
// directory, readable by its owner only, that leads to the address (as
// Jupyter does).
func (e *env) browse(loginURL string) error {
	name := browsers[runtime.GOOS]
	if name == "" {
		fmt.Fprintf(e.stderr, "skein ui: skein cannot open a browser on %s: open the address above in yours\n", runtime.GOOS)
		return nil
	}
	bin, err := exec.LookPath(name)
	if err != nil {
		fmt.Fprintf(e.stderr, "skein ui: no %s found to open a browser: open the address above in yours\n", name)
		return nil
	}
	page := filepath.Join(e.home, uiOpenFile)
	if err := writeOpenPage(page, loginURL); err != nil {
		return err
	}
	cmd := exec.Command(bin, page) // no output: it may outlive skein
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(e.stderr, "skein ui: %s failed (%v): open the address above in your browser\n", name, err)
		return nil
	}
	cmd.Process.Release()
	fmt.Fprintf(e.stderr, "skein ui: asked %s to open the web UI in your browser\n", name)
	return nil
}

// writeOpenPage writes to path, mode 0600, a page that leads to url.
func writeOpenPage(path, url string) error {
	u := html.EscapeString(url)
	page := `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta http-equiv="refresh" content="0;url=` + u + `">
<title>Skein</title>
<p><a href="` + u + `">Open the Skein web UI</a></p>
</html>
`
	os.Remove(path) // a new file gets mode 0600 whatever the old one had
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("writing the page that opens the web UI: %v", err)
	}
	_, err = f.WriteString(page)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing the page that opens the web UI: %v", err)
	}
	return nil
}

// webUI is the shell's "Web UI" option: it prints the address that signs
// a browser in, starting the UI if needed.
func (s *shell) webUI(ctx context.Context) error {
	info, err := s.c.UI(ctx, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.e.stdout, "Open this address in your browser (it signs the browser in: keep it to yourself):\n%s\n", info.LoginURL)
	return nil
}
