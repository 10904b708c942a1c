package directory

import (
	"bufio"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/ratelimit"
)

// Limits bound what one peer, and one network, may ask of a Server. Zero
// fields take DefaultLimits' values.
type Limits struct {
	PeerRate  float64 // requests a second one peer may make, on average
	PeerBurst int     // requests one peer may make at once
	NetRate   float64 // requests a second one network may make
	NetBurst  int     // requests one network may make at once
	Streams   int     // requests served to one peer at once
	// Timeout bounds one exchange, from the stream's opening to the
	// response.
	Timeout time.Duration
}

// DefaultLimits leave a user typing a query far below them (a client asks
// once per query, not per key stroke) and bound a peer to a few searches a
// second: a search costs the relay at most a scan of its index.
var DefaultLimits = Limits{
	PeerRate:  2,
	PeerBurst: 20,
	NetRate:   20,
	NetBurst:  200,
	Streams:   2,
	Timeout:   10 * time.Second,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.PeerRate > 0 {
		d.PeerRate = l.PeerRate
	}
	if l.PeerBurst > 0 {
		d.PeerBurst = l.PeerBurst
	}
	if l.NetRate > 0 {
		d.NetRate = l.NetRate
	}
	if l.NetBurst > 0 {
		d.NetBurst = l.NetBurst
	}
	if l.Streams > 0 {
		d.Streams = l.Streams
	}
	if l.Timeout > 0 {
		d.Timeout = l.Timeout
	}
	return d
}

// serveKeys bounds the peers and networks whose rates are tracked.
const serveKeys = 4096

// Server answers directory requests on libp2p streams from a Directory,
// within its Limits. It is safe for concurrent use.
type Server struct {
	dir    *Directory
	log    *ratelimit.Log
	limits Limits
	peers  *ratelimit.Limiter
	nets   *ratelimit.Limiter

	streams *ratelimit.Slots[peer.ID] // requests being served, per peer
}

// NewServer returns a Server answering from dir within limits and logging
// lines about peers to log.
func NewServer(dir *Directory, limits Limits, log *ratelimit.Log) *Server {
	l := limits.withDefaults()
	return &Server{
		dir:     dir,
		log:     log,
		limits:  l,
		peers:   ratelimit.New(l.PeerRate, l.PeerBurst, serveKeys),
		nets:    ratelimit.New(l.NetRate, l.NetBurst, serveKeys),
		streams: ratelimit.NewSlots[peer.ID](l.Streams),
	}
}

// Serve answers one request on s, then closes it. A peer with Streams
// requests in progress has this one reset; a peer or network over its rate
// gets StatusBusy.
func (srv *Server) Serve(s network.Stream) {
	defer s.Close()
	p := s.Conn().RemotePeer()
	if !srv.streams.Acquire(p) {
		srv.log.Debug(p.String(), "directory request refused: too many at once", "limit", srv.limits.Streams)
		s.Reset()
		return
	}
	defer srv.streams.Release(p)
	s.SetDeadline(time.Now().Add(srv.limits.Timeout))
	payload, err := ReadFrame(bufio.NewReaderSize(s, 512), MaxRequest)
	if err != nil {
		srv.log.Info(p.String(), "bad directory request", "err", err)
		s.Reset()
		return
	}
	st, res := srv.answer(p, ratelimit.Network(s.Conn().RemoteMultiaddr()), payload)
	out := AppendResponse(nil, st, res)
	if _, err := s.Write(out); err != nil {
		s.Reset()
	}
}

// answer returns the response to a request payload from peer p of network
// net ("" for a relayed peer) as the arguments of AppendResponse.
func (srv *Server) answer(p peer.ID, net string, payload []byte) (Status, []Raw) {
	if !srv.peers.Allow(p.String()) || (net != "" && !srv.nets.Allow(net)) {
		srv.log.Debug(p.String(), "directory request refused: rate")
		return StatusBusy, nil
	}
	req, err := ParseRequest(payload)
	if err != nil {
		srv.log.Info(p.String(), "bad directory request", "err", err)
		return StatusInvalid, nil
	}
	switch req.Op {
	case OpPublish:
		st, err := srv.dir.Publish(req.Entry)
		if err != nil {
			srv.log.Info(p.String(), "directory publish refused", "err", err)
		}
		return st, nil
	default:
		res, err := srv.dir.Search(req.Query, req.Limit)
		if err != nil {
			srv.log.Info(p.String(), "directory search failed", "err", err)
			return StatusInvalid, nil
		}
		return StatusOK, nonNil(res)
	}
}

// nonNil makes an empty result list encode as a count of 0.
func nonNil(r []Raw) []Raw {
	if r == nil {
		return []Raw{}
	}
	return r
}
