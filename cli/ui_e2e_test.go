package cli

// End-to-end tests of the web UI's serving and its defences: real daemons
// on 127.0.0.1, as in e2e_test.go, and a plain HTTP client playing the
// browser and the attacker. The pages themselves are tested in package
// webui. Skipped with -short.

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api"
)

// uiClient plays a browser (or an attacker) against a daemon's web UI: it
// follows no redirect and keeps no cookie of its own.
type uiClient struct {
	t    *testing.T
	base string // http://127.0.0.1:P/
	port int
	hc   *http.Client
}

func newUIClient(t *testing.T, base string) *uiClient {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(u.Port())
	return &uiClient{t: t, base: base, port: port, hc: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       commandTimeout,
	}}
}

// do sends method path with the form (POST) and the headers; a "Host"
// header sets the request's Host. It returns the response with its body
// read.
func (c *uiClient) do(method, path string, form url.Values, header map[string]string) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+strings.TrimPrefix(path, "/"), body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	return resp, string(b)
}

// cookieName is the UI's session cookie's name.
func (c *uiClient) cookieName() string { return "skein_ui_" + strconv.Itoa(c.port) }

// uiOf returns the web UI's address that user's daemon printed.
func (n *testNet) uiOf(user string) string {
	n.t.Helper()
	// A web UI that skein ui started is printed by the daemon as the
	// command returns: its stderr may not have been read yet.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var url string
		for _, l := range n.daemons[user].Lines() {
			if m := uiLine.FindStringSubmatch(l + "\n"); m != nil {
				url = m[1] // the last one
			}
		}
		if url != "" {
			return url
		}
		if time.Now().After(deadline) {
			n.t.Fatalf("%s's daemon printed no web UI address:\n%s", user, n.daemons[user].Tail(20))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// uiJSON runs skein ui --json as user.
func (n *testNet) uiJSON(user string) api.UI {
	n.t.Helper()
	var info api.UI
	if out := n.must(user, "ui", "--json"); json.Unmarshal([]byte(out), &info) != nil {
		n.t.Fatalf("skein ui --json printed %q", out)
	}
	return info
}

func TestEndToEndUI(t *testing.T) {
	n := newTestNet(t)
	n.start("alice", "--ui")
	n.start("bob")
	n.must("alice", "register", "alice")

	base := n.uiOf("alice")
	info := n.uiJSON("alice")
	c := newUIClient(t, base)
	// The login address: the UI's own name under .localhost, its port, and
	// a one-time key. The client below dials 127.0.0.1 (Go does not
	// resolve .localhost names itself) and trades the key there.
	loginPage, key, _ := strings.Cut(info.LoginURL, "#")
	login := regexp.MustCompile(`^http://skein-[0-9a-f]{20}\.localhost:` + strconv.Itoa(c.port) + `/auth$`)
	if info.URL != base || !login.MatchString(loginPage) || len(key) != 32 {
		t.Fatalf("skein ui --json = %+v; want url %s and login_url http://skein-<name>.localhost:%d/auth#<key>", info, base, c.port)
	}
	if out := n.must("alice", "ui"); !strings.HasPrefix(out, loginPage+"#") || out == info.LoginURL+"\n" {
		t.Errorf("skein ui printed %q, want the login address with a new key", out)
	}
	host := "127.0.0.1:" + strconv.Itoa(c.port)

	t.Run("foreign Host", func(t *testing.T) {
		c := *c
		c.t = t
		evil := map[string]string{"Host": "evil.example:" + strconv.Itoa(c.port)}
		for _, r := range []struct {
			method, path string
			form         url.Values
		}{{"GET", "/", nil}, {"GET", "/static/app.js", nil}, {"GET", "/auth", nil}, {"POST", "/auth", url.Values{"key": {key}}}} {
			resp, _ := c.do(r.method, r.path, r.form, evil)
			if resp.StatusCode != http.StatusForbidden || len(resp.Cookies()) != 0 {
				t.Errorf("%s %s with Host evil.example = %d, cookies %v; want 403 and none", r.method, r.path, resp.StatusCode, resp.Cookies())
			}
		}
		// The same static file with the right Host is served.
		if resp, _ := c.do("GET", "/static/app.js", nil, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("GET /static/app.js = %d, want 200", resp.StatusCode)
		}
	})

	var cookie *http.Cookie
	t.Run("session cookie", func(t *testing.T) {
		c := *c
		c.t = t
		resp, body := c.do("GET", "/", nil, nil)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "skein ui") {
			t.Errorf("GET / without the cookie = %d, want 401 and a page that says to run skein ui:\n%s", resp.StatusCode, body)
		}
		resp, _ = c.do("POST", "/auth", url.Values{"key": {strings.Repeat("0", 32)}}, nil)
		if resp.StatusCode != http.StatusForbidden || len(resp.Cookies()) != 0 {
			t.Errorf("POST /auth with a wrong key = %d, cookies %v; want 403 and none", resp.StatusCode, resp.Cookies())
		}
		resp, _ = c.do("POST", "/auth", url.Values{"key": {key}}, nil)
		for _, ck := range resp.Cookies() {
			if ck.Name == c.cookieName() {
				cookie = ck
			}
		}
		if resp.StatusCode != http.StatusSeeOther || cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
			t.Fatalf("POST /auth with the key = %d, cookies %v; want 303 and %s HttpOnly SameSite=Strict", resp.StatusCode, resp.Header.Values("Set-Cookie"), c.cookieName())
		}
		resp, body = c.do("GET", "/", nil, map[string]string{"Cookie": cookie.Name + "=" + cookie.Value})
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "</html>") {
			t.Errorf("GET / with the cookie = %d, want 200 and a page", resp.StatusCode)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("Content-Security-Policy = %q, want script-src 'self' and nothing unsafe", csp)
		}
		if h := resp.Header.Get("X-Content-Type-Options"); h != "nosniff" {
			t.Errorf("X-Content-Type-Options = %q, want nosniff", h)
		}
		if h := resp.Header.Get("Referrer-Policy"); h != "no-referrer" {
			t.Errorf("Referrer-Policy = %q, want no-referrer", h)
		}
		// localhost and [::1] name the UI too.
		if resp, _ := c.do("GET", "/", nil, map[string]string{"Host": "localhost:" + strconv.Itoa(c.port), "Cookie": cookie.Name + "=" + cookie.Value}); resp.StatusCode != http.StatusOK {
			t.Errorf("GET / with Host localhost = %d, want 200", resp.StatusCode)
		}
	})
	if cookie == nil {
		t.FailNow()
	}
	signedIn := func(more map[string]string) map[string]string {
		h := map[string]string{"Cookie": cookie.Name + "=" + cookie.Value}
		for k, v := range more {
			h[k] = v
		}
		return h
	}

	t.Run("cross-site POST", func(t *testing.T) {
		c := *c
		c.t = t
		n := n.with(t)
		for _, h := range []map[string]string{
			{"Sec-Fetch-Site": "cross-site"},
			{"Origin": "http://evil.example"},
			{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
		} {
			text := "forged post " + strconv.Itoa(len(h)) + h["Origin"]
			resp, _ := c.do("POST", "/post", url.Values{"text": {text}, "back": {"/"}}, signedIn(h))
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST /post with %v = %d, want 403", h, resp.StatusCode)
			}
			if n.feedHas("alice", "forged post") {
				t.Errorf("POST /post with %v posted", h)
			}
		}
		// A same-origin POST from the page posts (the check is not
		// refusing everything).
		h := map[string]string{"Origin": "http://" + host, "Sec-Fetch-Site": "same-origin"}
		resp, _ := c.do("POST", "/post", url.Values{"text": {"posted from the web UI"}, "back": {"/"}}, signedIn(h))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Errorf("a same-origin POST /post = %d to %q, want 303 to /", resp.StatusCode, resp.Header.Get("Location"))
		}
		if !n.feedHas("alice", "posted from the web UI") {
			t.Errorf("a same-origin POST /post did not post")
		}
	})

	t.Run("no state change on GET", func(t *testing.T) {
		c := *c
		c.t = t
		for _, p := range []string{"/post?text=by+GET", "/like", "/follow?name=bob", "/logout", "/profile"} {
			resp, _ := c.do("GET", p, nil, signedIn(nil))
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
				t.Errorf("GET %s = %d Allow %q, want 405 Allow POST", p, resp.StatusCode, resp.Header.Get("Allow"))
			}
		}
		if n.with(t).feedHas("alice", "by GET") {
			t.Errorf("GET /post posted")
		}
	})

	t.Run("loopback only", func(t *testing.T) {
		c := *c
		c.t = t
		// [::1] answers at the same port, where the machine has IPv6
		// loopback.
		if l, err := net.Listen("tcp6", "[::1]:0"); err == nil {
			l.Close()
			v6 := newUIClient(t, "http://[::1]:"+strconv.Itoa(c.port)+"/")
			if resp, _ := v6.do("GET", "/", nil, signedIn(nil)); resp.StatusCode != http.StatusOK {
				t.Errorf("GET http://[::1]:%d/ = %d, want 200", c.port, resp.StatusCode)
			}
		}
		// Every socket listening on the port is on loopback (Linux lists
		// them in /proc/net).
		if addrs, err := listenersOn(c.port); err == nil {
			t.Logf("listening on port %d: %v", c.port, addrs)
			if len(addrs) == 0 {
				t.Errorf("/proc/net lists nothing listening on port %d", c.port)
			}
			for _, a := range addrs {
				if !a.IsLoopback() {
					t.Errorf("something listens on %s port %d, not loopback", a, c.port)
				}
			}
		} else {
			t.Logf("not checking the listening addresses: %v", err)
		}
		ip := nonLoopbackIP()
		if ip == nil {
			t.Skip("this machine has no address but loopback: nothing more to check")
		}
		conn, err := net.DialTimeout("tcp", net.JoinHostPort(ip.String(), strconv.Itoa(c.port)), 5*time.Second)
		if err == nil {
			conn.Close()
			t.Errorf("the web UI answers on %s, a non-loopback address", ip)
		} else {
			t.Logf("dialing the web UI's port on %s: %v", ip, err)
		}
	})

	t.Run("restart", func(t *testing.T) {
		n := n.with(t)
		n.stop("alice")
		n.start("alice", "--ui")
		if got := n.uiOf("alice"); got != base {
			t.Errorf("after a restart the web UI is on %s, want %s", got, base)
		}
		if got := n.uiJSON("alice"); got.URL != info.URL || !strings.HasPrefix(got.LoginURL, loginPage+"#") {
			t.Errorf("after a restart skein ui --json = %+v, want the same addresses as %+v", got, info)
		}
		c := *c
		c.t = t
		if resp, _ := c.do("GET", "/signin", nil, signedIn(nil)); resp.StatusCode != http.StatusOK {
			t.Errorf("after a restart the old cookie: GET /signin = %d, want 200", resp.StatusCode)
		}
	})

	t.Run("started by skein ui", func(t *testing.T) {
		n := n.with(t)
		if strings.Contains(strings.Join(n.daemons["bob"].Lines(), "\n"), "web UI") {
			t.Fatalf("bob's daemon, without --ui, serves the web UI")
		}
		r := n.skein("bob", "status")
		if r.Code != 0 {
			t.Fatal(r)
		}
		bobInfo := n.uiJSON("bob")
		if got := n.uiOf("bob"); got != bobInfo.URL || got == base {
			t.Errorf("bob's web UI: skein ui says %s, his daemon %s (alice's is %s)", bobInfo.URL, got, base)
		}
		bc := newUIClient(t, bobInfo.URL)
		if resp, _ := bc.do("GET", "/", nil, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("bob's web UI without a cookie: GET / = %d, want 401", resp.StatusCode)
		}
		// Each UI has its own key: alice's cookie does not open bob's.
		if resp, _ := bc.do("GET", "/", nil, map[string]string{"Cookie": "skein_ui_" + strconv.Itoa(bc.port) + "=" + cookie.Value}); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("bob's web UI with alice's session: GET / = %d, want 401", resp.StatusCode)
		}
	})
}

// listenersOn returns the addresses of the TCP sockets listening on port,
// as Linux's /proc/net/tcp and tcp6 list them.
func listenersOn(port int) ([]net.IP, error) {
	var ips []net.IP
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, l := range strings.Split(string(b), "\n")[1:] {
			fs := strings.Fields(l)
			if len(fs) < 4 || fs[3] != "0A" { // 0A: LISTEN
				continue
			}
			addr, p, ok := strings.Cut(fs[1], ":")
			if n, err := strconv.ParseUint(p, 16, 16); !ok || err != nil || int(n) != port {
				continue
			}
			raw, err := hex.DecodeString(addr)
			if err != nil || len(raw)%4 != 0 {
				return nil, fmt.Errorf("%s: bad address %q", f, fs[1])
			}
			// The kernel prints each 32-bit word of the address, as the
			// machine holds it, in hex.
			for i := 0; i < len(raw); i += 4 {
				binary.NativeEndian.PutUint32(raw[i:], binary.BigEndian.Uint32(raw[i:]))
			}
			ips = append(ips, net.IP(raw))
		}
	}
	return ips, nil
}

// nonLoopbackIP returns one of the machine's addresses that is not
// loopback, nil if it has none.
func nonLoopbackIP() net.IP {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && (ipn.IP.IsGlobalUnicast() || ipn.IP.IsPrivate()) {
			return ipn.IP
		}
	}
	return nil
}
