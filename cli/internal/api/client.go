package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/skein-p2p/skein/core"
)

// Retries of a request that carries a request ID, after its connection
// broke: at most retries more attempts, the first after retryWait, each
// wait twice the one before.
const (
	retries   = 4
	retryWait = 100 * time.Millisecond
)

// Client calls the API of the daemon listening on a unix socket. It is safe
// for concurrent use.
//
// A call whose context carries a request ID (core.WithRequestID) sends it
// in the Idempotency-Key header, and if the connection breaks before the
// answer (EOF, a reset), the Client sends the same request again, a few
// times with backoff, as long as the daemon answers: the daemon does it
// once. Other calls, and a daemon that stopped, give a *BrokenError.
type Client struct {
	base string // URL the paths are appended to
	hc   *http.Client
}

// NewClient returns a Client for the daemon listening on the unix socket at
// path. Nothing is dialed until the first call.
func NewClient(path string) *Client {
	var d net.Dialer
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return d.DialContext(ctx, "unix", path)
		},
		DisableCompression: true,
	}
	return newClient("http://skein", &http.Client{Transport: tr})
}

func newClient(base string, hc *http.Client) *Client {
	return &Client{base: base, hc: hc}
}

// Close closes the idle connections to the daemon. The Client stays
// usable.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

// Register creates an account on the daemon's device and logs it in.
func (c *Client) Register(ctx context.Context, name, password string) (core.User, error) {
	var u core.User
	err := c.call(ctx, http.MethodPost, "/v1/register", nil, Credentials{name, password}, &u)
	return u, err
}

// Login logs the account name in.
func (c *Client) Login(ctx context.Context, name, password string) (core.User, error) {
	var u core.User
	err := c.call(ctx, http.MethodPost, "/v1/login", nil, Credentials{name, password}, &u)
	return u, err
}

// Logout logs the current account out.
func (c *Client) Logout(ctx context.Context) error {
	return c.call(ctx, http.MethodPost, "/v1/logout", nil, nil, nil)
}

// Post publishes text as the logged-in account.
func (c *Client) Post(ctx context.Context, text string) (core.Post, error) {
	var p core.Post
	err := c.call(ctx, http.MethodPost, "/v1/post", nil, PostRequest{Text: text}, &p)
	return p, err
}

// Follow follows the user name.
func (c *Client) Follow(ctx context.Context, name string) (core.User, error) {
	var u core.User
	err := c.call(ctx, http.MethodPost, "/v1/follow", nil, NameRequest{name}, &u)
	return u, err
}

// Unfollow stops following the user name.
func (c *Client) Unfollow(ctx context.Context, name string) error {
	return c.call(ctx, http.MethodPost, "/v1/unfollow", nil, NameRequest{name}, nil)
}

// Reply posts text as a reply to the post id (a full ID or a unique prefix
// of at least 8 hex digits).
func (c *Client) Reply(ctx context.Context, id, text string) (core.Post, error) {
	var p core.Post
	err := c.call(ctx, http.MethodPost, "/v1/reply", nil, ReplyRequest{ID: id, Text: text}, &p)
	return p, err
}

// Repost reposts the post id.
func (c *Client) Repost(ctx context.Context, id string) (core.Post, error) {
	var p core.Post
	err := c.call(ctx, http.MethodPost, "/v1/repost", nil, PostIDRequest{ID: id}, &p)
	return p, err
}

// Delete deletes the logged-in account's post id.
func (c *Client) Delete(ctx context.Context, id string) error {
	return c.call(ctx, http.MethodPost, "/v1/delete", nil, PostIDRequest{ID: id}, nil)
}

// Like likes the post id and returns it.
func (c *Client) Like(ctx context.Context, id string) (core.Post, error) {
	var p core.Post
	err := c.call(ctx, http.MethodPost, "/v1/like", nil, PostIDRequest{ID: id}, &p)
	return p, err
}

// Unlike takes back the logged-in account's like of the post id.
func (c *Client) Unlike(ctx context.Context, id string) error {
	return c.call(ctx, http.MethodPost, "/v1/unlike", nil, PostIDRequest{ID: id}, nil)
}

// ExportPhrase returns the logged-in account's recovery phrase; password
// is the account's.
func (c *Client) ExportPhrase(ctx context.Context, password string) (string, error) {
	var s Secret
	err := c.call(ctx, http.MethodPost, "/v1/export", nil, ExportRequest{Password: password}, &s)
	if err == nil && s.Phrase == "" {
		err = errors.New("api: the daemon answered no recovery phrase")
	}
	return s.Phrase, err
}

// ExportKeyFile returns the logged-in account's key file, sealed with
// password, the account's.
func (c *Client) ExportKeyFile(ctx context.Context, password string) ([]byte, error) {
	var s Secret
	err := c.call(ctx, http.MethodPost, "/v1/export", nil, ExportRequest{Password: password, KeyFile: true}, &s)
	if err == nil && len(s.KeyFile) == 0 {
		err = errors.New("api: the daemon answered no key file")
	}
	return s.KeyFile, err
}

// RestorePhrase restores the account name from its recovery phrase,
// protected here by password, and logs it in.
func (c *Client) RestorePhrase(ctx context.Context, name, phrase, password string) (core.User, error) {
	var u core.User
	err := c.call(ctx, http.MethodPost, "/v1/restore", nil, RestoreRequest{Name: name, Phrase: phrase, Password: password}, &u)
	return u, err
}

// RestoreKeyFile restores the account of a key file, sealed with password,
// and logs it in.
func (c *Client) RestoreKeyFile(ctx context.Context, keyFile []byte, password string) (core.User, error) {
	var u core.User
	err := c.call(ctx, http.MethodPost, "/v1/restore", nil, RestoreRequest{KeyFile: keyFile, Password: password}, &u)
	return u, err
}

// Feed returns a page of the feed; cursor "" is the newest page, limit 0
// the default size.
func (c *Client) Feed(ctx context.Context, cursor string, limit int) (core.Page, error) {
	var p core.Page
	err := c.call(ctx, http.MethodGet, "/v1/feed", pageQuery(nil, cursor, limit), nil, &p)
	return p, err
}

// Search searches the users the daemon's node knows and the posts it
// holds; limit 0 is the node's default.
func (c *Client) Search(ctx context.Context, query string, kind core.SearchKind, limit int) (core.SearchResults, error) {
	var res core.SearchResults
	q := url.Values{"q": {query}, "kind": {string(kind)}}
	if limit != 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	err := c.call(ctx, http.MethodGet, "/v1/search", q, nil, &res)
	return res, err
}

// Timeline returns a page of the posts of the user name.
func (c *Client) Timeline(ctx context.Context, name, cursor string, limit int) (core.Page, error) {
	var p core.Page
	q := pageQuery(url.Values{"name": {name}}, cursor, limit)
	err := c.call(ctx, http.MethodGet, "/v1/timeline", q, nil, &p)
	return p, err
}

// Following returns the users the logged-in account follows.
func (c *Client) Following(ctx context.Context) (Users, error) {
	var u Users
	err := c.call(ctx, http.MethodGet, "/v1/following", nil, nil, &u)
	return u, err
}

// Followers returns the users following the logged-in account.
func (c *Client) Followers(ctx context.Context) (Users, error) {
	var u Users
	err := c.call(ctx, http.MethodGet, "/v1/followers", nil, nil, &u)
	return u, err
}

// Notifications returns up to limit notifications, newest first, and marks
// them read if markRead is set.
func (c *Client) Notifications(ctx context.Context, limit int, markRead bool) (Notifications, error) {
	var n Notifications
	q := pageQuery(nil, "", limit)
	if markRead {
		q.Set("mark_read", "1")
	}
	err := c.call(ctx, http.MethodGet, "/v1/notifications", q, nil, &n)
	return n, err
}

// SetProfile sets the logged-in account's whole profile; "" leaves a
// field not set.
func (c *Client) SetProfile(ctx context.Context, displayName, bio, link string) (core.User, error) {
	var u core.User
	err := c.call(ctx, http.MethodPost, "/v1/profile", nil, ProfileRequest{displayName, bio, link}, &u)
	return u, err
}

// Whois looks the user name up.
func (c *Client) Whois(ctx context.Context, name string) (core.Profile, error) {
	var p core.Profile
	err := c.call(ctx, http.MethodGet, "/v1/whois", url.Values{"name": {name}}, nil, &p)
	return p, err
}

// Thread returns the post id in its conversation.
func (c *Client) Thread(ctx context.Context, id string) (core.Thread, error) {
	var th core.Thread
	err := c.call(ctx, http.MethodGet, "/v1/thread", url.Values{"id": {id}}, nil, &th)
	return th, err
}

// Status describes the daemon's node.
func (c *Client) Status(ctx context.Context) (core.Status, error) {
	var s core.Status
	err := c.call(ctx, http.MethodGet, "/v1/status", nil, nil, &s)
	return s, err
}

// UI returns the addresses of the daemon's web UI. With start, the daemon
// starts the UI first if it is not running; without, a UI that is not
// running is an error that matches ErrUIOff.
func (c *Client) UI(ctx context.Context, start bool) (UI, error) {
	var u UI
	method := http.MethodGet
	if start {
		method = http.MethodPost
	}
	err := c.call(ctx, method, "/v1/ui", nil, nil, &u)
	return u, err
}

// Connections lists the daemon's node's open connections.
func (c *Client) Connections(ctx context.Context) ([]core.Connection, error) {
	var cs Connections
	err := c.call(ctx, http.MethodGet, "/v1/peers", nil, nil, &cs)
	return cs.Connections, err
}

// Holders asks the daemon which devices hold a copy of the logged-in
// account's log.
func (c *Client) Holders(ctx context.Context) ([]core.Holder, error) {
	var hs Holders
	err := c.call(ctx, http.MethodGet, "/v1/holders", nil, nil, &hs)
	return hs.Holders, err
}

// SetPowerMode switches the daemon's node to the power mode m. It returns
// the mode and network type then in effect.
func (c *Client) SetPowerMode(ctx context.Context, m core.PowerMode) (Power, error) {
	var p Power
	err := c.call(ctx, http.MethodPost, "/v1/power", nil, PowerRequest{Mode: m.String()}, &p)
	return p, err
}

// SetNetworkType tells the daemon's node which kind of network the device
// is on. It returns the power mode and network type then in effect.
func (c *Client) SetNetworkType(ctx context.Context, t core.NetworkType) (Power, error) {
	var p Power
	err := c.call(ctx, http.MethodPost, "/v1/network", nil, NetworkRequest{Type: t.String()}, &p)
	return p, err
}

// Events calls fn for each event the daemon streams, once started has been
// called (started may be nil), until ctx is done, fn returns an error or the
// stream ends. It returns ctx.Err(), fn's error, or the reason the stream
// ended.
func (c *Client) Events(ctx context.Context, started func(), fn func(core.Event) error) error {
	resp, err := c.do(ctx, http.MethodGet, "/v1/events", nil, nil, "")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if started != nil {
		started()
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var l streamLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return fmt.Errorf("api: invalid event from the daemon: %v", err)
		}
		if l.Error != "" {
			return &Error{Message: l.Error, Code: l.Code, Status: resp.StatusCode}
		}
		if err := fn(l.Event); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("api: event stream broke: %v", err)
	}
	return errors.New("api: event stream ended: the daemon stopped")
}

// call sends in (if not nil) as the JSON body and decodes the answer into out
// (if not nil). If ctx carries a request ID, it sends it and retries when
// the connection breaks before the answer.
func (c *Client) call(ctx context.Context, method, path string, q url.Values, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	id := core.RequestID(ctx)
	wait := retryWait
	for attempt := 0; ; attempt++ {
		err := c.callOnce(ctx, method, path, q, body, id, out)
		var broken *BrokenError
		switch {
		case err == nil:
			return nil
		case id == "":
			return err
		case attempt > 0 && errors.Is(err, ErrNoDaemon):
			// The daemon went away with the request maybe done.
			return &BrokenError{RequestID: id, Err: err}
		case !errors.As(err, &broken):
			return err
		case attempt == retries:
			broken.RequestID = id
			return broken
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// callOnce sends one request for call.
func (c *Client) callOnce(ctx context.Context, method, path string, q url.Values, body []byte, id string, out any) error {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	resp, err := c.do(ctx, method, path, q, r, id)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return c.failed(ctx, err)
	}
	if out == nil {
		out = new(Empty)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("api: invalid answer from the daemon to %s: %v", path, err)
	}
	return nil
}

// maxAnswer bounds the answer the Client reads: a page of MaxLimit posts
// of the longest text, with their reposted posts, fits many times.
const maxAnswer = 64 << 20

// do sends a request, with the request ID id in its header unless it is "",
// and returns the response if its status is 200; it turns any other status
// into an *Error.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, body io.Reader, id string) (*http.Response, error) {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if id != "" {
		req.Header.Set(RequestIDHeader, `"`+id+`"`)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.failed(ctx, err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, c.errorOf(ctx, resp, path)
}

// errorOf reads the Error document of an answer whose status is not 200.
func (c *Client) errorOf(ctx context.Context, resp *http.Response, path string) error {
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	if err != nil {
		return c.failed(ctx, err)
	}
	e := &Error{Status: resp.StatusCode}
	if err := json.Unmarshal(b, e); err != nil || e.Message == "" {
		return fmt.Errorf("api: unexpected answer from the daemon to %s: %s", path, resp.Status)
	}
	return e
}

// failed classifies a failure to send a request or read its answer: ctx
// ended, no daemon listens (nothing was sent), the connection broke once
// the request was on its way (a *BrokenError: it may have been done), or
// anything else.
func (c *Client) failed(ctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.ECONNREFUSED):
		return ErrNoDaemon
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED),
		// net/http's error for a kept-alive connection closed under a
		// request it wrote (the daemon died); it has no exported value.
		strings.Contains(err.Error(), "server closed idle connection"):
		return &BrokenError{Err: err}
	}
	return fmt.Errorf("api: talking to the daemon: %v", err)
}

func pageQuery(q url.Values, cursor string, limit int) url.Values {
	if q == nil {
		q = url.Values{}
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	return q
}
