package webui

// The harness of the real-browser tests (ui_browser_test.go): in-process
// daemons (a core node on 127.0.0.1 with its web UI), one headless Chromium
// per test binary driven by chromedp, a fresh browser context per tab so
// that no cookie leaks between tests, and checks that fail a test on any
// console error, uncaught exception, CSP violation or unexpected dialog.
//
// The browser is $SKEIN_BROWSER, else chromium-headless-shell on $PATH;
// axe-core is $SKEIN_AXE (make browser-deps sets both). Without a browser
// the tests skip with a visible SKIP line, except when $CI is set. With
// $SKEIN_SCREENSHOTS=DIR, TestBrowserScreenshots saves its pictures in DIR
// (make screenshots).

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"go.uber.org/goleak"

	"github.com/skein-p2p/skein/core"
)

// waitLimit bounds every wait of the browser tests: a page load, an element,
// a post crossing from one daemon to another.
const waitLimit = 30 * time.Second

func TestMain(m *testing.M) {
	code := m.Run()
	closeShared()
	closeBrowser()
	if code == 0 {
		// Everything the tests started is stopped: nodes, servers, the
		// browser and the goroutines that read its events.
		if err := goleak.Find(
			// goleveldb's pool drainer outlives DB.Close by up to a second.
			goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"),
		); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// ---- daemons ---------------------------------------------------------------

// testNet is a relay on 127.0.0.1 and the daemons bootstrapped from it.
type testNet struct {
	relay *core.Relay
	dir   string // holds every daemon's data directory
	mu    sync.Mutex
	ds    []*daemon
}

// daemon is an in-process Skein daemon: a core node and its web UI.
type daemon struct {
	net    *testNet
	name   string // the account registered on it, "" for none
	dir    string
	secret []byte
	node   *core.Node
	srv    *Server
	port   int
	events *eventLog // what the UI got from the node since the last start
}

// eventLog records the node events a daemon's UI got, for failure messages.
type eventLog struct {
	mu  sync.Mutex
	log []string
}

func (l *eventLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.log = append(l.log, time.Now().Format("15:04:05.000")+" "+s)
}

// String lists the events, one a line.
func (l *eventLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.log, "\n")
}

// watchedNode is a node whose events the UI watches are also logged.
type watchedNode struct {
	*core.Node
	log *eventLog
}

// Watch implements api.Node.
func (w watchedNode) Watch(ctx context.Context, fn func(core.Event)) error {
	w.log.add("watch starts")
	defer w.log.add("watch ends")
	return w.Node.Watch(ctx, func(ev core.Event) {
		s := string(ev.Kind)
		if ev.Post != nil {
			s += " " + strconv.Quote(ev.Post.Text)
		}
		w.log.add(s)
		fn(ev)
	})
}

// newTestNet starts a relay on 127.0.0.1. Close it with close.
func newTestNet() (*testNet, error) {
	dir, err := os.MkdirTemp("", "skein-webui-browser-")
	if err != nil {
		return nil, err
	}
	r, err := core.NewRelay(context.Background(), core.RelayConfig{
		DataDir:     filepath.Join(dir, "relay"),
		ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"},
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &testNet{relay: r, dir: dir}, nil
}

// close stops every daemon and the relay and removes their data.
func (n *testNet) close() {
	n.mu.Lock()
	ds := n.ds
	n.ds = nil
	n.mu.Unlock()
	for _, d := range ds {
		d.stop()
	}
	n.relay.Close()
	os.RemoveAll(n.dir)
}

// daemon starts a daemon bootstrapped from the relay, registers name on
// it unless name is "", and serves its web UI on a system-chosen port.
func (n *testNet) daemon(name string) (*daemon, error) {
	n.mu.Lock()
	dir := filepath.Join(n.dir, fmt.Sprintf("d%d-%s", len(n.ds), name))
	n.mu.Unlock()
	d := &daemon{net: n, name: name, dir: dir, secret: make([]byte, SecretSize)}
	rand.Read(d.secret)
	if err := d.start(0, false); err != nil {
		return nil, err
	}
	n.mu.Lock()
	n.ds = append(n.ds, d)
	n.mu.Unlock()
	if name != "" {
		if _, err := d.node.Register(context.Background(), name, password(name)); err != nil {
			return nil, fmt.Errorf("registering %s: %w", name, err)
		}
	}
	return d, nil
}

// names counts the accounts fresh names were made for.
var names = map[string]int{}
var namesMu sync.Mutex

// fresh returns base the first time, then base2, base3…: the name of a new
// account on the shared network, where a name can be registered once, even
// when a test runs again (-count).
func fresh(base string) string {
	namesMu.Lock()
	defer namesMu.Unlock()
	names[base]++
	if n := names[base]; n > 1 {
		return base + strconv.Itoa(n)
	}
	return base
}

// once returns text the first time, then "text (2)", "text (3)"…: a post's
// text that no earlier run of the test (-count) posted on the shared
// network.
func once(text string) string {
	n := fresh("\x00" + text)
	if n == "\x00"+text {
		return text
	}
	return text + " (" + strings.TrimPrefix(n, "\x00"+text) + ")"
}

// password is the test password of the account name.
func password(name string) string { return "pw-" + name + "-secret" }

// start opens the node in d.dir, logs d's account in if login, and serves
// its UI on port (0: any). It logs in before serving, as a daemon that
// keeps its session does, so that no tab sees it signed out.
func (d *daemon) start(port int, login bool) error {
	ctx := context.Background()
	node, err := core.New(ctx, core.Config{
		DataDir:        d.dir,
		ListenAddrs:    []string{"/ip4/127.0.0.1/tcp/0"},
		BootstrapAddrs: d.net.relay.Addrs(),
	})
	if err != nil {
		return err
	}
	if err := poll(waitLimit, func() bool {
		st, err := node.Status(ctx)
		return err == nil && st.Peers > 0
	}); err != nil {
		node.Close()
		return fmt.Errorf("%s's node joining the relay: %w", d.name, err)
	}
	if login {
		if _, err := node.Login(ctx, d.name, password(d.name)); err != nil {
			node.Close()
			return fmt.Errorf("%s logging in again: %w", d.name, err)
		}
	}
	d.events = &eventLog{}
	srv, err := New(watchedNode{node, d.events}, Options{Secret: d.secret})
	if err != nil {
		node.Close()
		return err
	}
	if _, err := srv.Listen(port); err != nil {
		node.Close()
		return err
	}
	d.node, d.srv, d.port = node, srv, srv.Port()
	return nil
}

// stop shuts the UI and closes the node; it is safe to call twice.
func (d *daemon) stop() {
	if d.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d.srv.Shutdown(ctx)
	d.node.Close()
	d.srv, d.node = nil, nil
}

// reopen starts a stopped d again on the same data directory, port and
// secret, signed in to its account again: a daemon restart.
func (d *daemon) reopen(t testing.TB) {
	t.Helper()
	if err := d.start(d.port, d.name != ""); err != nil {
		t.Fatalf("restarting %s's daemon: %v", d.name, err)
	}
}

// url is the address of path on d's UI.
func (d *daemon) url(path string) string {
	// The UI's own host name: the cookie the login link got is its.
	return fmt.Sprintf("http://%s:%d%s", d.srv.HostName(), d.srv.Port(), path)
}

// post posts text as d's account, through the node.
func (d *daemon) post(t testing.TB, text string) core.Post {
	t.Helper()
	p, err := d.node.Post(context.Background(), text)
	if err != nil {
		t.Fatalf("%s Post(%q): %v", d.name, text, err)
	}
	return p
}

// follow makes d's account follow name, through the node.
func (d *daemon) follow(t testing.TB, name string) {
	t.Helper()
	if _, err := d.node.Follow(context.Background(), name); err != nil {
		t.Fatalf("%s Follow(%s): %v", d.name, name, err)
	}
}

// waitFeed waits until d's feed holds a post whose text contains text, and
// returns it.
func (d *daemon) waitFeed(t testing.TB, text string) core.Post {
	t.Helper()
	var found core.Post
	err := poll(waitLimit, func() bool {
		p, err := d.node.Feed(context.Background(), "", 100)
		if err != nil {
			return false
		}
		for _, post := range p.Posts {
			if strings.Contains(post.Text, text) {
				found = post
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("%s's feed never got %q: %v", d.name, text, err)
	}
	return found
}

// waitPost waits until d's feed holds the post id.
func (d *daemon) waitPost(t *testing.T, id string) {
	t.Helper()
	err := poll(waitLimit, func() bool {
		p, err := d.node.Feed(context.Background(), "", 100)
		if err != nil {
			return false
		}
		for _, post := range p.Posts {
			if post.ID == id {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("%s's feed never got post %s: %v", d.name, shortID(id), err)
	}
}

// poll calls cond every 25 ms until it is true or limit passes.
func poll(limit time.Duration, cond func() bool) error {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("still false after %v", limit)
		}
		time.Sleep(25 * time.Millisecond)
	}
	return nil
}

// shared is the network most tests use: alice on daemon A and bob on
// daemon B, each following the other. Tests add their own posts with
// texts of their own, so they do not depend on one another.
var shared struct {
	once  sync.Once
	err   error
	net   *testNet
	alice *daemon
	bob   *daemon
}

// displayNames are the test accounts' display names.
var displayNames = map[string]string{"alice": "Alice Liddell", "bob": "Bob Builder", "carol": "Carol Danvers", "dana": "Dana Scully"}

// sharedNet returns the shared network, starting it on first use.
func sharedNet(t testing.TB) (*testNet, *daemon, *daemon) {
	t.Helper()
	needBrowser(t) // skip before starting anything
	shared.once.Do(func() {
		shared.err = func() error {
			n, err := newTestNet()
			if err != nil {
				return err
			}
			shared.net = n
			if shared.alice, err = n.daemon("alice"); err != nil {
				return err
			}
			if shared.bob, err = n.daemon("bob"); err != nil {
				return err
			}
			ctx := context.Background()
			for d, other := range map[*daemon]*daemon{shared.alice: shared.bob, shared.bob: shared.alice} {
				if _, err := d.node.SetProfile(ctx, displayNames[d.name], "", ""); err != nil {
					return err
				}
				if _, err := d.node.Follow(ctx, other.name); err != nil {
					return fmt.Errorf("%s following %s: %w", d.name, other.name, err)
				}
			}
			return nil
		}()
	})
	if shared.err != nil {
		t.Fatalf("starting the shared network: %v", shared.err)
	}
	return shared.net, shared.alice, shared.bob
}

func closeShared() {
	if shared.net != nil {
		shared.net.close()
	}
}

// ---- the browser -------------------------------------------------------------

var browser struct {
	once   sync.Once
	ctx    context.Context // the browser's first context: parent of every tab
	cancel context.CancelFunc
	skip   string // why there is no browser
	err    error
}

// findBrowser returns the path of the browser to drive, or why there is none.
func findBrowser() (string, string) {
	if p := os.Getenv("SKEIN_BROWSER"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", "SKEIN_BROWSER=" + p + ": " + err.Error()
		}
		return p, ""
	}
	for _, name := range []string{"chromium-headless-shell", "/usr/lib/chromium/chromium-headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, ""
		}
	}
	return "", "chromium-headless-shell is not installed (run make browser-deps as root, or set SKEIN_BROWSER)"
}

// startBrowser starts the shared browser once.
func startBrowser() {
	path, why := findBrowser()
	if path == "" {
		browser.skip = why
		return
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.WindowSize(800, 600),
		// A name of another site that resolves to loopback, as after a
		// DNS rebinding: the Host check must refuse it.
		chromedp.Flag("host-resolver-rules", "MAP rebind.test 127.0.0.1"),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		browser.err = fmt.Errorf("starting %s: %w", path, err)
		return
	}
	browser.ctx = ctx
	browser.cancel = func() { cancel(); cancelAlloc() }
}

func closeBrowser() {
	if browser.cancel != nil {
		browser.cancel()
	}
}

// needBrowser returns the shared browser's context, or skips the test
// (fails it when $CI is set) if there is no browser.
func needBrowser(t testing.TB) context.Context {
	t.Helper()
	browser.once.Do(startBrowser)
	if browser.skip != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("no browser, and CI is set: %s", browser.skip)
		}
		t.Skip("SKIP: no browser: " + browser.skip)
	}
	if browser.err != nil {
		t.Fatal(browser.err)
	}
	return browser.ctx
}

// ---- tabs --------------------------------------------------------------------

// tab is a browser tab with its own cookie jar (a new browser context),
// watched for console errors, exceptions, CSP violations and dialogs.
type tab struct {
	t   testing.TB
	ctx context.Context

	mu       sync.Mutex
	allowed  []string // console errors expected, by a part of their text
	problems []string // what failed the test
	dialogs  []string // dialogs that opened (each is dismissed)
	network  []string // network errors: expected ones are 4xx answers
}

// newTab opens a tab in a new browser context of the shared browser.
func newTab(t testing.TB) *tab {
	t.Helper()
	parent := needBrowser(t)
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	return openTab(t, ctx, cancel)
}

// sibling opens another tab in tb's browser context: it shares the cookies.
func (tb *tab) sibling() *tab {
	tb.t.Helper()
	ctx, cancel := chromedp.NewContext(tb.ctx)
	return openTab(tb.t, ctx, cancel)
}

func openTab(t testing.TB, ctx context.Context, cancel context.CancelFunc) *tab {
	t.Helper()
	tb := &tab{t: t, ctx: ctx}
	// Open the tab, and report every CSP violation on the console.
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(800, 600),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
				Source: `document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + e.blockedURI);
});`,
			})
			return err
		}),
	)
	if err != nil {
		cancel()
		t.Fatalf("opening a tab: %v", err)
	}
	console := chromedp.Console(ctx)
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	var wg sync.WaitGroup
	wg.Go(func() {
		for m, err := range console {
			if err != nil {
				return
			}
			tb.mu.Lock()
			switch {
			case m.Source == "network":
				tb.network = append(tb.network, m.Text)
			case m.IsException(), m.Type == chromedp.ConsoleError:
				tb.problems = append(tb.problems, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line+1))
			}
			tb.mu.Unlock()
		}
	})
	wg.Go(func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.dialogs = append(tb.dialogs, string(ev.Type)+": "+ev.Message)
			tb.mu.Unlock()
			// A dialog blocks the page: dismiss it.
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	})
	t.Cleanup(func() {
		tb.mu.Lock()
		problems, dialogs := tb.problems, tb.dialogs
		tb.mu.Unlock()
		for _, p := range problems {
			if !tb.expected(p) {
				t.Errorf("the page reported: %s", p)
			}
		}
		for _, d := range dialogs {
			t.Errorf("a dialog opened: %s", d)
		}
		cancel()
		wg.Wait()
	})
	return tb
}

// allow lets console errors containing part pass: the browser's own
// complaints about something the test does on purpose.
func (tb *tab) allow(part string) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.allowed = append(tb.allowed, part)
}

func (tb *tab) expected(problem string) bool {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, a := range tb.allowed {
		if strings.Contains(problem, a) {
			return true
		}
	}
	return false
}

// signIn trades d's key for the session cookie through the login link, and
// waits for the page it lands on.
func (tb *tab) signIn(d *daemon) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(d.srv.LoginURL()))
	tb.until("the page after signing in", `location.pathname !== "/auth" && document.readyState === "complete" && !!document.body.dataset.page`)
}

// open signs in to d and opens path on its UI.
func (tb *tab) open(d *daemon, path string) {
	tb.t.Helper()
	tb.signIn(d)
	tb.nav(d.url(path))
}

// nav loads url and waits for the page and its script.
func (tb *tab) nav(url string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(url))
	tb.until("the page to load", `document.readyState === "complete"`)
}

// do runs actions, failing the test on an error.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitLimit)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("browser: %v", err)
	}
}

// evalAs evaluates js in the page and decodes its value into a T.
func evalAs[T any](tb *tab, js string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitLimit)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// str evaluates js to a string.
func (tb *tab) str(js string) string { tb.t.Helper(); return evalAs[string](tb, js) }

// num evaluates js to a number.
func (tb *tab) num(js string) float64 { tb.t.Helper(); return evalAs[float64](tb, js) }

// is evaluates js to a boolean.
func (tb *tab) is(js string) bool { tb.t.Helper(); return evalAs[bool](tb, js) }

// until waits until js is true in the page, across navigations.
func (tb *tab) until(what, js string) {
	tb.t.Helper()
	var last error
	err := poll(waitLimit, func() bool {
		ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
		defer cancel()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+js+")"))
		last = err
		return err == nil && ok
	})
	if err != nil {
		tb.t.Fatalf("waiting for %s (%s): %v; last error %v; page: %s", what, js, err, last, tb.summary())
	}
}

// summary describes the page for a failure message.
func (tb *tab) summary() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
  const text = sel => { const e = document.querySelector(sel); return e ? e.textContent : "-" };
  const pill = document.querySelector("#new-posts");
  return location.href + " scrollY=" + scrollY + " conn=" + JSON.stringify(text("#conn")) +
    " alert=" + JSON.stringify(text("#alert")) + " pill=" + (pill ? (pill.hidden ? "hidden" : text("#new-count")) : "-") +
    " " + JSON.stringify((document.body ? document.body.innerText : "").slice(0, 600)) })()`))
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	return s
}

// click clicks the first element sel matches, as a user would.
func (tb *tab) click(sel string) {
	tb.t.Helper()
	tb.do(chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// typeIn focuses sel and types text into it, key by key.
func (tb *tab) typeIn(sel, text string) {
	tb.t.Helper()
	tb.do(chromedp.SendKeys(chromedp.CSS(sel), text, chromedp.NodeVisible))
}

// key presses keys, one by one, on the focused element, as a person
// would: a keyDown that carries the text, then a keyUp, so that a page
// that cancels the keydown also stops the character, as in a browser.
// (chromedp.KeyEvent sends the text in a separate char event, which
// Chromium inserts even when the page cancelled the keydown.)
func (tb *tab) key(keys string) {
	tb.t.Helper()
	for _, r := range keys {
		k, ok := kb.Keys[r]
		if !ok {
			tb.t.Fatalf("no key for %q", r)
		}
		down := input.DispatchKeyEventParams{
			Type: input.DispatchKeyEventTypeKeyDown, Key: k.Key, Code: k.Code,
			WindowsVirtualKeyCode: k.Windows, NativeVirtualKeyCode: k.Native,
		}
		if k.Print {
			down.Text, down.UnmodifiedText = k.Text, k.Unmodified
		} else {
			down.Type = input.DispatchKeyEventTypeRawKeyDown
		}
		if k.Shift {
			down.Modifiers = int64(kb.ModifierShift)
		}
		up := down
		up.Type, up.Text, up.UnmodifiedText = input.DispatchKeyEventTypeKeyUp, "", ""
		tb.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			for _, p := range []input.DispatchKeyEventParams{down, up} {
				if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, p); err != nil {
					return err
				}
			}
			return nil
		}))
	}
}

// dark emulates prefers-color-scheme (dark or light).
func (tb *tab) scheme(s string) {
	tb.t.Helper()
	tb.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: s}},
		})
		return err
	}))
}

// dark switches the tab to the dark colour scheme, as a system setting.
func (tb *tab) dark() { tb.t.Helper(); tb.scheme("dark") }

// light switches the tab back to the light colour scheme.
func (tb *tab) light() { tb.t.Helper(); tb.scheme("light") }

// networkErrors returns the network errors the page logged so far.
func (tb *tab) networkErrors() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return append([]string(nil), tb.network...)
}

// ---- axe -------------------------------------------------------------------------

var axeSource struct {
	once sync.Once
	src  string
	err  error
}

// axePath is where make browser-deps puts axe-core, unless $SKEIN_AXE says.
func axePath() string {
	if p := os.Getenv("SKEIN_AXE"); p != "" {
		return p
	}
	home, _ := os.UserHomeDir()
	for _, p := range []string{
		filepath.Join(home, ".cache/skein-test/axe/node_modules/axe-core/axe.min.js"),
		"/tmp/axe/node_modules/axe-core/axe.min.js",
	} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return filepath.Join(home, ".cache/skein-test/axe/node_modules/axe-core/axe.min.js")
}

// axeViolation is a rule axe-core found broken, with where.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// axe runs axe-core on the page (WCAG 2.1 A and AA, and best practices) and
// fails the test with every violation it finds. Without axe-core it logs a
// SKIP line and checks nothing (it fails the test when $CI is set).
func (tb *tab) axe(where string) {
	tb.t.Helper()
	axeSource.once.Do(func() {
		b, err := os.ReadFile(axePath())
		axeSource.src, axeSource.err = string(b), err
	})
	if axeSource.err != nil {
		if os.Getenv("CI") != "" {
			tb.t.Fatalf("axe-core: %v (make browser-deps installs it)", axeSource.err)
		}
		// The rest of the test is still worth running.
		tb.t.Logf("SKIP: the axe check on %s: no axe-core: %v (make browser-deps installs it)", where, axeSource.err)
		return
	}
	if !tb.is(`typeof axe !== "undefined"`) {
		tb.do(chromedp.Evaluate[chromedp.Void](axeSource.src))
	}
	vs := evalAs[[]axeViolation](tb, `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]}})
  .then(r => r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help,
    targets: v.nodes.map(n => n.target.join(" ") + ": " + (n.failureSummary || "").replace(/\s+/g, " "))})))`)
	for _, v := range vs {
		tb.t.Errorf("axe on %s: %s (%s): %s\n\t%s", where, v.ID, v.Impact, v.Help, strings.Join(v.Targets, "\n\t"))
	}
}

// ---- screenshots -------------------------------------------------------------

// screenshot saves the viewport as DIR/name.png when $SKEIN_SCREENSHOTS=DIR.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	dir := os.Getenv("SKEIN_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(tb.ctx, waitLimit)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		tb.t.Fatalf("screenshot %s is not a PNG", name)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}
