// Package syncserve answers sync requests (core/internal/syncproto) on
// libp2p streams within a budget per peer and per network, so that small
// requests cannot make a node send without end: an answer carries at most
// what the budgets hold when it starts, and a peer has a few answers in
// progress at once.
package syncserve

import (
	"bufio"
	"context"
	"io"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/ratelimit"
	"github.com/skein-p2p/skein/core/internal/syncproto"
)

// Limits bound what a server sends by sync to one peer, and to one
// network (ratelimit.Network: an IPv4 /24 or IPv6 /48), so that small
// requests cannot make it send without end: each has a budget of bytes that
// refills at a steady rate up to a burst, and a cap on the sync streams it
// is served at once.
type Limits struct {
	PeerBurst int // bytes one peer may pull at once
	PeerRate  int // bytes a second its budget refills
	NetBurst  int // bytes one network may pull at once
	NetRate   int // bytes a second its budget refills
	Streams   int // sync streams served to one peer at once
	// Timeout bounds one answer, from the request to the final frame.
	Timeout time.Duration
}

// DefaultLimits let a peer pull 64 MiB at once, a full catch-up of
// hundreds of followed logs at the default retention, and then 256 KiB a
// second; a network twice that. Periodic syncs of a caught-up peer need a
// few kilobytes.
var DefaultLimits = Limits{
	PeerBurst: 64 << 20,
	PeerRate:  256 << 10,
	NetBurst:  128 << 20,
	NetRate:   512 << 10,
	Streams:   4,
	Timeout:   time.Minute,
}

// serveKeys bounds the peers and networks whose budgets are tracked.
const serveKeys = 4096

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	for _, f := range []struct{ v, d *int }{
		{&l.PeerBurst, &d.PeerBurst}, {&l.PeerRate, &d.PeerRate},
		{&l.NetBurst, &d.NetBurst}, {&l.NetRate, &d.NetRate}, {&l.Streams, &d.Streams},
	} {
		if *f.v <= 0 {
			*f.v = *f.d
		}
	}
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	return l
}

// Server answers sync requests from a Source, within the budgets of its
// Limits. It is safe for concurrent use.
type Server struct {
	src    syncproto.Source
	log    *ratelimit.Log // lines about peers
	limits Limits
	peers  *ratelimit.Limiter // bytes per peer
	nets   *ratelimit.Limiter // bytes per network

	streams *ratelimit.Slots[peer.ID] // sync streams being served, per peer
}

// New returns a Server answering from src within limits, whose zero fields
// take DefaultLimits' values, and logging lines about peers to log.
func New(src syncproto.Source, limits Limits, log *ratelimit.Log) *Server {
	l := limits.withDefaults()
	return &Server{
		src:     src,
		log:     log,
		limits:  l,
		peers:   ratelimit.New(float64(l.PeerRate), l.PeerBurst, serveKeys),
		nets:    ratelimit.New(float64(l.NetRate), l.NetBurst, serveKeys),
		streams: ratelimit.NewSlots[peer.ID](l.Streams),
	}
}

// Serve answers one sync request on s, within ctx. A peer with Streams requests being
// served already has this one reset. The answer carries at most what the
// peer's and its network's budgets hold when it starts (at least one
// entry's worth, waited for if need be); an answer cut by the budget says
// so, and the peer asks again when it likes.
func (srv *Server) Serve(ctx context.Context, s network.Stream) {
	defer s.Close()
	p := s.Conn().RemotePeer()
	if !srv.streams.Acquire(p) {
		srv.log.Debug(p.String(), "sync request refused: too many at once", "limit", srv.limits.Streams)
		s.Reset()
		return
	}
	defer srv.streams.Release(p)
	deadline := time.Now().Add(srv.limits.Timeout)
	s.SetDeadline(deadline)
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	req, err := syncproto.ReadRequest(bufio.NewReader(s))
	if err != nil {
		srv.log.Info(p.String(), "bad sync request", "err", err)
		s.Reset()
		return
	}
	_, want := req.Limits()
	b := budget{srv: srv, peer: p.String(), net: ratelimit.Network(s.Conn().RemoteMultiaddr())}
	granted, err := b.take(ctx, want)
	if err != nil {
		s.Reset()
		return
	}
	req.MaxBytes = uint32(granted)
	w := &countingWriter{w: s}
	err = syncproto.ServeRequest(w, req, srv.src)
	b.give(granted - min(w.n, granted))
	if err != nil {
		srv.log.Debug(p.String(), "sync request failed", "err", err)
		s.Reset()
	}
}

// budget is what one answer may take from a peer's and its network's
// budgets.
type budget struct {
	srv  *Server
	peer string
	net  string // "" for a relayed peer: its relay bounds it
}

// take takes up to want bytes from both budgets, at least one entry's
// worth, waiting within ctx until they hold that much.
func (b budget) take(ctx context.Context, want int) (int, error) {
	least := min(want, entry.MaxSize)
	for {
		got := b.srv.peers.Take(b.peer, want)
		if b.net != "" && got >= least {
			n := b.srv.nets.Take(b.net, got)
			b.srv.peers.Give(b.peer, got-n)
			if n < least {
				b.srv.nets.Give(b.net, n)
				got = 0
			} else {
				got = n
			}
		}
		if got >= least {
			return got, nil
		}
		b.srv.peers.Give(b.peer, got)
		// Both refill at least this fast: wait for one entry's worth.
		wait := time.Duration(float64(least) / float64(min(b.srv.limits.PeerRate, b.srv.limits.NetRate)) * float64(time.Second))
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return 0, ctx.Err()
		}
	}
}

// give puts back n bytes taken and not spent.
func (b budget) give(n int) {
	b.srv.peers.Give(b.peer, n)
	if b.net != "" {
		b.srv.nets.Give(b.net, n)
	}
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += n
	return n, err
}
