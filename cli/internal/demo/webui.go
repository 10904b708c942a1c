package demo

import (
	"context"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
)

// webUI shows alice's web UI: skein ui starts it in her running daemon and
// prints the link that signs a browser in; the demo then does what the
// browser would (trade the key for the cookie, open the feed) and prints
// what the page shows.
func (d *story) webUI(ctx context.Context) error {
	d.say("alice opens the web UI. Her daemon serves it on 127.0.0.1 only; the one-time key in the link signs her browser in (skein ui --open would open it):")
	out, err := d.skein(ctx, "alice", "ui")
	if err != nil {
		return err
	}
	link := strings.TrimSpace(out)
	base, key, ok := strings.Cut(link, "auth#")
	u, err := url.Parse(base)
	if !ok || err != nil || !strings.HasSuffix(u.Hostname(), ".localhost") {
		return fmt.Errorf("skein ui printed %q, not a link to the UI's .localhost name with a key", link)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return err
	}
	// Browsers take a .localhost name for the loopback address themselves
	// (RFC 6761); Go would ask DNS, so the demo dials 127.0.0.1.
	dial := (&net.Dialer{Timeout: d.cfg.Wait}).DialContext
	c := &http.Client{Jar: jar, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			_, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			return dial(ctx, network, net.JoinHostPort("127.0.0.1", port))
		},
	}}
	defer c.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Wait)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"auth", strings.NewReader(url.Values{"key": {key}}.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.Do(req) // follows the redirect to the feed, with the cookie
	if err != nil {
		return fmt.Errorf("opening the web UI: %w", err)
	}
	defer res.Body.Close()
	page, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("the web UI answered %s", res.Status)
	}
	d.say("Her browser shows her feed, which updates by itself as posts arrive. Its posts, as the page has them:")
	for _, m := range postRe.FindAllSubmatch(page, 5) {
		d.output("  " + text(string(m[1])) + ": " + text(string(m[2])))
	}
	return nil
}

var (
	postRe = regexp.MustCompile(`(?s)<span class="dname">(.*?)</span>.*?<p class="text">(.*?)</p>`)
	tagRe  = regexp.MustCompile(`<[^>]*>`)
)

// text is an HTML fragment's text.
func text(h string) string { return html.UnescapeString(tagRe.ReplaceAllString(h, "")) }
