// Package webui is Skein's desktop web client, served by the daemon on
// loopback: pages rendered on the server by html/template from embedded
// files, one small script of its own (no library, no build step), and live
// updates over Server-Sent Events.
//
// Its pages are the feed, threads, profiles, notifications, search,
// bookmarks and the node's status (pages.go, more.go), and messaging: the
// conversations, a conversation with its live history, and a group's
// members (chat.go).
//
// It reaches the node only through api.Node, the methods the local API
// serves, so it shows nothing the CLI could not. The mobile library does not
// link it (core/internal/p2p's dependency test checks).
//
// # Security
//
// A loopback port can be reached by every local user and by every web page
// the user visits (DNS rebinding, cross-site requests), so each request
// passes four checks, in this order, on every path:
//
//  1. Host allow-list: 127.0.0.1:P, [::1]:P or localhost:P, else 403.
//  2. Headers on every answer: a strict Content-Security-Policy (scripts
//     and styles from the UI's own files only: no inline script, no eval),
//     nosniff, no-referrer, no framing.
//  3. http.CrossOriginProtection: a request that changes anything is a
//     POST, and a cross-site POST is refused with 403. No GET changes state.
//  4. Session cookie: every page but the key exchange (/auth) and the
//     static files needs the cookie skein_ui_P (HttpOnly, SameSite=Strict).
//     The page /auth trades the key, which `skein ui` gets from the
//     daemon over its owner-only unix socket, for the cookie.
//
// Strings from peers (posts, names, bios, links) are rendered only through
// html/template's contextual escaping; links are made only of http(s)
// URLs, @names and #tags found in the text.
//
// Images (media.go) reach the browser only from /media/{root}: a blob the
// node verified against its root, served as itself only when it is a
// JPEG, PNG, GIF or WebP both by the type its descriptor declares and by
// its first bytes, else as a download (never SVG or HTML inline), and
// always under a CSP of its own, "default-src 'none'; sandbox". The forms
// that upload images are multipart, and the only ones allowed a body
// larger than 64 KiB.
package webui

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/skein-p2p/skein/cli/internal/api"
)

// SecretSize is the length of the secret the session key and cookie are
// derived from, in bytes.
const SecretSize = 32

// Options configure a Server.
type Options struct {
	// Secret is the secret the login key and the session cookie derive
	// from. Keep it across restarts (the daemon stores it in its home) so
	// that an open tab stays signed in; nil makes a random one.
	Secret []byte
	// Logger receives the server's log lines; nil discards them.
	Logger *slog.Logger
}

// Server is the web UI of one node. Listen starts it, Shutdown stops it.
type Server struct {
	node    api.Node
	log     *slog.Logger
	secret  []byte
	views   *views
	hub     *hub
	handler http.Handler

	keysMu sync.Mutex
	keys   map[string]time.Time // outstanding login keys, when minted

	mu        sync.Mutex
	port      int
	listeners []net.Listener
	http      *http.Server
	served    sync.WaitGroup
	stopHub   context.CancelFunc
	streams   context.Context // canceled by Shutdown to end event streams
	endStream context.CancelFunc
}

// New returns the web UI of node; it serves nothing until Listen.
func New(node api.Node, o Options) (*Server, error) {
	secret := o.Secret
	if secret == nil {
		secret = make([]byte, SecretSize)
		rand.Read(secret)
	}
	if len(secret) < 16 {
		return nil, errors.New("webui: the secret must be at least 16 bytes")
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	v, err := loadViews()
	if err != nil {
		return nil, err
	}
	s := &Server{node: node, log: log, secret: secret, views: v, hub: newHub(node, log), keys: make(map[string]time.Time)}
	s.streams, s.endStream = context.WithCancel(context.Background())
	s.handler = s.routes()
	return s, nil
}

// Listen serves the UI on 127.0.0.1:port and, when the machine has IPv6
// loopback, on [::1] at the same port; port 0 lets the system choose. It
// returns the UI's address, http://127.0.0.1:P/.
func (s *Server) Listen(port int) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.http != nil {
		return "", errors.New("webui: already listening")
	}
	l4, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return "", fmt.Errorf("webui: listening on 127.0.0.1: %w", err)
	}
	s.port = l4.Addr().(*net.TCPAddr).Port
	s.listeners = []net.Listener{l4}
	if l6, err := net.Listen("tcp6", net.JoinHostPort("::1", strconv.Itoa(s.port))); err == nil {
		s.listeners = append(s.listeners, l6)
	} else {
		s.log.Debug("web UI not on [::1]", "err", err)
	}
	s.http = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	var hctx context.Context
	hctx, s.stopHub = context.WithCancel(context.Background())
	s.served.Go(func() { s.hub.run(hctx) })
	s.served.Go(func() { s.warm(hctx) })
	for _, l := range s.listeners {
		s.served.Go(func() {
			if err := s.http.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.log.Warn("web UI stopped serving", "addr", l.Addr(), "err", err)
			}
		})
	}
	s.log.Info("web UI listening", "url", s.urlLocked())
	return s.urlLocked(), nil
}

// warm renders the first page of the feed into the post cache, so that
// the first visit after the daemon starts does not render every post
// (posts that arrive later are rendered for the event stream as they
// come).
func (s *Server) warm(ctx context.Context) {
	me := s.me(ctx)
	if me == "" {
		return
	}
	p, err := s.node.Feed(ctx, "", feedPageSize)
	if err != nil {
		return
	}
	for _, v := range postViews(p.Posts, me, 0) {
		if ctx.Err() != nil {
			return
		}
		s.views.post(v)
	}
}

// Port returns the port Listen bound, 0 before.
func (s *Server) Port() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.port
}

// URL returns the UI's address, http://127.0.0.1:P/, or "" before Listen.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.urlLocked()
}

func (s *Server) urlLocked() string {
	if s.port == 0 {
		return ""
	}
	return fmt.Sprintf("http://127.0.0.1:%d/", s.port)
}

// LoginURL returns a new address that signs a browser in: the key
// exchange page, on the UI's own host name, with a new one-time key in the
// fragment, which browsers do not send to the server and the page removes
// from the address bar. The key works once, within loginKeyTTL. Give it
// only to the user (the daemon hands it out over its unix socket).
func (s *Server) LoginURL() string {
	port := s.Port()
	if port == 0 {
		return ""
	}
	return fmt.Sprintf("http://%s:%d/auth#%s", s.HostName(), port, s.mintKey())
}

// HostName is the UI's own host name, a name under .localhost that
// browsers resolve to the loopback address themselves (RFC 6761) and that
// only the secret's holder knows: the session cookie is set for it, so the
// browser never sends it to another server on 127.0.0.1, whatever its
// port (cookies are shared between the ports of a host).
func (s *Server) HostName() string { return "skein-" + s.derive("host name")[:20] + ".localhost" }

// Bounds of the one-time login keys.
const (
	loginKeyTTL  = 10 * time.Minute
	maxLoginKeys = 32 // outstanding at once; a new one drops the oldest
)

// mintKey returns a new one-time login key.
func (s *Server) mintKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	k := hex.EncodeToString(b)
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	now := time.Now()
	for old, at := range s.keys {
		if now.Sub(at) > loginKeyTTL {
			delete(s.keys, old)
		}
	}
	if len(s.keys) >= maxLoginKeys {
		var oldest string
		for old, at := range s.keys {
			if oldest == "" || at.Before(s.keys[oldest]) {
				oldest = old
			}
		}
		delete(s.keys, oldest)
	}
	s.keys[k] = now
	return k
}

// useKey reports whether k is an outstanding login key, and spends it.
func (s *Server) useKey(k string) bool {
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	at, ok := s.keys[k]
	if !ok {
		return false
	}
	delete(s.keys, k)
	return time.Since(at) <= loginKeyTTL
}

// session returns the value of the session cookie for the UI's port: a
// cookie taken from the browser by a server on another port (the port the
// UI had before a restart, say) does not open the UI on this one.
func (s *Server) session() string { return s.derive("session cookie, port " + strconv.Itoa(s.Port())) }

func (s *Server) derive(purpose string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("skein web ui v1: " + purpose))
	return hex.EncodeToString(m.Sum(nil))
}

// cookieName is the session cookie's name. Browsers share cookies between
// ports of one host, so the port is part of the name: two daemons on one
// machine each keep their own.
func (s *Server) cookieName() string {
	return "skein_ui_" + strconv.Itoa(s.Port())
}

// Shutdown ends the event streams, stops accepting requests and waits,
// until ctx is done, for the requests in progress. It is safe to call more
// than once, and before Listen.
func (s *Server) Shutdown(ctx context.Context) error {
	s.endStream()
	s.mu.Lock()
	srv, stop := s.http, s.stopHub
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	stop()
	s.served.Wait()
	return err
}
