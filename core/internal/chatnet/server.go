package chatnet

import (
	"bufio"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/chatcrypt"
	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/ratelimit"
)

// Source is what a Server answers from: the chat engine of a node or a
// relay. Its methods are called from many streams at once.
type Source interface {
	// After returns entries of group g beyond have (for each author, the
	// seqs after have[author]; every seq of an author not in have), at
	// most maxEntries of at most maxBytes in all, and whether it holds
	// more.
	After(g chatlog.GroupID, have map[entry.Key]uint64, maxEntries, maxBytes int) ([]*chatlog.Entry, bool)
	// ByID returns the entries of group g with the given IDs that it
	// holds.
	ByID(g chatlog.GroupID, ids []chatlog.ID) []*chatlog.Entry
	// Known reports whether it holds anything of group g.
	Known(g chatlog.GroupID) bool
	// Prekey returns the latest prekey record of account it holds.
	Prekey(account entry.Key) (*chatcrypt.PrekeyRecord, bool)
	// Record returns the signed name record (names.Sign's encoding, 1 to
	// MaxNameRecord bytes) of account it holds. The Server sends it as it
	// is; the client verifies it.
	Record(account entry.Key) ([]byte, bool)
	// PublicGroups returns at most limit public groups whose name
	// contains query, ignoring case (NameMatches), each with its create
	// entry and how many members it has. The Server drops any hit that is
	// not such a group, or names a group twice.
	PublicGroups(query string, limit int) []GroupHit
}

// GroupHit is a public group found by a groups search: its create entry
// (a chatlog.KindCreate with FlagPublic, whose Name is the group's) and
// its number of members. The client verifies the create entry; the member
// count is the answering server's claim, which nothing verifies.
type GroupHit struct {
	Create  *chatlog.Entry
	Members int
}

// Sink takes what peers push to a Server. Its methods are called from many
// streams at once.
type Sink interface {
	// Push offers entries of group g from peer from, each decoded and
	// verified, and returns how many it kept. An error wrapping
	// ErrUnknownGroup is answered with StatusUnknownGroup, any other with
	// StatusRefused.
	Push(from peer.ID, g chatlog.GroupID, es []*chatlog.Entry) (accepted int, err error)
	// PutPrekey offers a verified prekey record from peer from. An error
	// is answered with StatusRefused.
	PutPrekey(from peer.ID, r *chatcrypt.PrekeyRecord) error
}

// Limits bound what one peer may ask of a Server. Zero fields take
// DefaultLimits' values.
type Limits struct {
	// Streams is how many requests of one peer are served at once.
	Streams int
	// PeerRate is how many requests a minute one peer may make, on
	// average; PeerBurst how many at once. A push counts as one request
	// per PushEntriesPerRequest entries it carries, rounded up.
	PeerRate  int
	PeerBurst int
	// PeerBytes is how many response bytes a minute one peer is served,
	// on average and at once.
	PeerBytes int
	// Timeout bounds the reading of a request, and then the writing of
	// its response.
	Timeout time.Duration
}

// DefaultLimits let a node catch up on a hundred groups in a burst (a sync
// and a few gets each) and bound what one peer costs a relay to about 32
// MiB and 600 requests a minute.
var DefaultLimits = Limits{
	Streams:   4,
	PeerRate:  600,
	PeerBurst: 120,
	PeerBytes: 32 << 20,
	Timeout:   10 * time.Second,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.Streams > 0 {
		d.Streams = l.Streams
	}
	if l.PeerRate > 0 {
		d.PeerRate = l.PeerRate
	}
	if l.PeerBurst > 0 {
		d.PeerBurst = l.PeerBurst
	}
	if l.PeerBytes > 0 {
		d.PeerBytes = l.PeerBytes
	}
	if l.Timeout > 0 {
		d.Timeout = l.Timeout
	}
	return d
}

// PushEntriesPerRequest is how many entries of a push count as one
// request against a peer's PeerRate: each costs the server a signature
// verification, so a peer's pushes cost at most about PeerRate/60*16
// verifications a second.
const PushEntriesPerRequest = 16

// serveKeys bounds the peers whose rates a Server tracks.
const serveKeys = 4096

// Stats counts what a Server did since it started.
type Stats struct {
	Served     uint64 // requests answered StatusOK, StatusNotFound or StatusUnknownGroup
	Refused    uint64 // requests answered StatusRefused
	BadRequest uint64 // requests answered StatusBadRequest
	Dropped    uint64 // streams reset: unreadable or timed-out requests, failed writes
}

// Server answers chat requests on the libp2p streams of ProtocolID from a
// Source and a Sink, within Limits per peer. It is safe for concurrent
// use.
type Server struct {
	h      host.Host
	src    Source
	sink   Sink
	inbox  *Inbox
	limits Limits
	log    *ratelimit.Log
	now    func() time.Time

	streams  *ratelimit.Slots[peer.ID]
	requests *ratelimit.Limiter
	bytes    *ratelimit.Limiter

	served, refused, bad, dropped atomic.Uint64

	mu     sync.Mutex
	closed bool
	active map[network.Stream]struct{}
	wg     sync.WaitGroup
}

// NewServer returns a Server answering from src and into sink (and, unless
// inbox is nil, inbox requests from inbox), and registers it as h's
// handler of ProtocolID. It logs lines about peers to log. Close removes
// the handler.
func NewServer(h host.Host, src Source, sink Sink, inbox *Inbox, limits Limits, log *ratelimit.Log) *Server {
	l := limits.withDefaults()
	srv := &Server{
		h:        h,
		src:      src,
		sink:     sink,
		inbox:    inbox,
		limits:   l,
		log:      log,
		now:      time.Now,
		streams:  ratelimit.NewSlots[peer.ID](l.Streams),
		requests: ratelimit.New(float64(l.PeerRate)/60, l.PeerBurst, serveKeys),
		bytes:    ratelimit.New(float64(l.PeerBytes)/60, l.PeerBytes, serveKeys),
		active:   make(map[network.Stream]struct{}),
	}
	h.SetStreamHandler(ProtocolID, srv.serve)
	return srv
}

// Close removes the Server's handler, resets the streams it is serving and
// waits for their handlers to return. Calling it more than once is safe.
func (srv *Server) Close() error {
	srv.h.RemoveStreamHandler(ProtocolID)
	srv.mu.Lock()
	srv.closed = true
	for s := range srv.active {
		s.Reset()
	}
	srv.mu.Unlock()
	srv.wg.Wait()
	return nil
}

// Stats returns the Server's counts.
func (srv *Server) Stats() Stats {
	return Stats{
		Served:     srv.served.Load(),
		Refused:    srv.refused.Load(),
		BadRequest: srv.bad.Load(),
		Dropped:    srv.dropped.Load(),
	}
}

// track records s as being served, unless the Server is closed.
func (srv *Server) track(s network.Stream) bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.closed {
		return false
	}
	srv.active[s] = struct{}{}
	srv.wg.Add(1)
	return true
}

func (srv *Server) untrack(s network.Stream) {
	srv.mu.Lock()
	delete(srv.active, s)
	srv.mu.Unlock()
	srv.wg.Done()
}

// serve answers the one request of s, then closes it. A peer with Streams
// requests being served, or over its request rate, is answered
// StatusRefused before its request is read.
func (srv *Server) serve(s network.Stream) {
	if !srv.track(s) {
		s.Reset()
		return
	}
	defer srv.untrack(s)
	p := s.Conn().RemotePeer()
	if !srv.streams.Acquire(p) {
		srv.refuse(s, p, "too many streams at once", "limit", srv.limits.Streams)
		return
	}
	defer srv.streams.Release(p)
	if !srv.requests.Allow(string(p)) {
		srv.refuse(s, p, "request rate", "per minute", srv.limits.PeerRate)
		return
	}
	s.SetReadDeadline(time.Now().Add(srv.limits.Timeout))
	payload, err := ReadFrame(bufio.NewReaderSize(s, 4096), MaxRequest)
	if err != nil {
		srv.dropped.Add(1)
		srv.log.Info(p.String(), "bad chat request", "err", err)
		s.Reset()
		return
	}
	op := Op(0)
	if len(payload) > 0 {
		op = Op(payload[0])
	}
	resp := srv.answer(p, payload)
	out, err := AppendResponse(nil, op, resp)
	if err != nil { // an unknown op, or a Source answer over the limits
		srv.log.Warn(p.String(), "chat response not encodable", "op", op, "err", err)
		resp = &Response{Status: StatusBadRequest}
		out = []byte{byte(StatusBadRequest)}
	}
	if resp.Status == StatusOK && !srv.bytes.AllowN(string(p), len(out)) {
		srv.log.Debug(p.String(), "chat request refused: bytes served", "bytes", len(out), "per minute", srv.limits.PeerBytes)
		resp, out = &Response{Status: StatusRefused}, []byte{byte(StatusRefused)}
	}
	switch resp.Status {
	case StatusRefused:
		srv.refused.Add(1)
	case StatusBadRequest:
		srv.bad.Add(1)
	default:
		srv.served.Add(1)
	}
	srv.write(s, out)
}

// refuse answers s with StatusRefused without reading its request.
func (srv *Server) refuse(s network.Stream, p peer.ID, why string, args ...any) {
	srv.refused.Add(1)
	srv.log.Debug(p.String(), "chat request refused: "+why, args...)
	srv.write(s, []byte{byte(StatusRefused)})
}

// write sends the response payload out as one frame and closes s.
func (srv *Server) write(s network.Stream, out []byte) {
	s.SetWriteDeadline(time.Now().Add(srv.limits.Timeout))
	if _, err := s.Write(AppendFrame(make([]byte, 0, len(out)+maxLenPrefix), out)); err != nil {
		srv.dropped.Add(1)
		s.Reset()
		return
	}
	s.Close()
}

// maxLenPrefix is the longest frame length prefix of a response.
const maxLenPrefix = 4

// answer returns the response to the request payload of peer p.
func (srv *Server) answer(p peer.ID, payload []byte) *Response {
	req, err := ParseRequest(payload)
	if err != nil {
		srv.log.Info(p.String(), "bad chat request", "err", err)
		return &Response{Status: StatusBadRequest}
	}
	switch req.Op {
	case OpPush:
		return srv.push(p, req)
	case OpSync:
		if !srv.src.Known(req.Group) {
			return &Response{Status: StatusUnknownGroup}
		}
		have := make(map[entry.Key]uint64, len(req.Frontier))
		for _, pr := range req.Frontier {
			have[pr.Author] = pr.Seq
		}
		es, more := srv.src.After(req.Group, have, MaxSyncEntries, MaxAnswerBytes)
		resp := &Response{Status: StatusOK, More: more}
		resp.Entries, resp.More = encodeEntries(es, MaxSyncEntries, more)
		return resp
	case OpGet:
		if !srv.src.Known(req.Group) {
			return &Response{Status: StatusUnknownGroup}
		}
		entries, _ := encodeEntries(srv.src.ByID(req.Group, req.IDs), MaxGetIDs, false)
		return &Response{Status: StatusOK, Entries: entries}
	case OpPrekey:
		r, ok := srv.src.Prekey(req.Account)
		if !ok {
			return &Response{Status: StatusNotFound}
		}
		return &Response{Status: StatusOK, Record: r.Encode()}
	case OpPutKey:
		r, err := chatcrypt.ParsePrekey(req.Record, srv.now())
		if err != nil {
			srv.log.Info(p.String(), "bad prekey record", "err", err)
			return &Response{Status: StatusBadRequest}
		}
		if err := srv.sink.PutPrekey(p, r); err != nil {
			srv.log.Debug(p.String(), "prekey record refused", "err", err)
			return &Response{Status: StatusRefused}
		}
		return &Response{Status: StatusOK}
	case OpInbox:
		if srv.inbox == nil {
			return &Response{Status: StatusBadRequest}
		}
		if err := VerifyInbox(req, srv.h.ID(), srv.now()); err != nil {
			srv.log.Info(p.String(), "chat inbox request refused", "err", err)
			return &Response{Status: StatusBadRequest}
		}
		items, next, err := srv.inbox.Since(req.Account, req.Since, MaxInboxItems)
		if err != nil {
			srv.log.Warn(p.String(), "chat inbox", "err", err)
			return &Response{Status: StatusRefused}
		}
		return &Response{Status: StatusOK, Items: items, Next: next}
	case OpRecord:
		rec, ok := srv.src.Record(req.Account)
		if !ok {
			return &Response{Status: StatusNotFound}
		}
		if len(rec) == 0 || len(rec) > MaxNameRecord {
			srv.log.Warn(p.String(), "chat name record out of bounds", "account", req.Account.Short(), "bytes", len(rec))
			return &Response{Status: StatusNotFound}
		}
		return &Response{Status: StatusOK, NameRecord: rec}
	case OpGroups:
		hits := srv.src.PublicGroups(req.Query, req.Limit)
		return &Response{Status: StatusOK, Groups: encodeGroups(hits, req.Query, req.Limit)}
	}
	return &Response{Status: StatusBadRequest}
}

// encodeGroups encodes the hits of a groups search for query that the
// client would accept: public creates whose name matches, each group once,
// at most limit of them and MaxAnswerBytes in all. Member counts are
// clamped to 0 to MaxUint32.
func encodeGroups(hits []GroupHit, query string, limit int) []RawGroup {
	out := make([]RawGroup, 0, min(len(hits), limit))
	seen := make(map[chatlog.GroupID]bool, len(out))
	size := 0
	for _, h := range hits {
		if len(out) == limit {
			break
		}
		e := h.Create
		if e == nil || e.Kind != chatlog.KindCreate || seen[e.Group] {
			continue
		}
		body, err := e.Control()
		if err != nil || body.Flags&chatlog.FlagPublic == 0 || !NameMatches(body.Name, query) {
			continue
		}
		b := e.Encode()
		if len(b) > maxEntrySize || size+len(b) > MaxAnswerBytes {
			break
		}
		size += len(b)
		seen[e.Group] = true
		out = append(out, RawGroup{Members: uint32(min(max(h.Members, 0), math.MaxUint32)), Create: b})
	}
	return out
}

// push decodes and verifies the entries of a push request and gives them
// to the Sink.
func (srv *Server) push(p peer.ID, req *Request) *Response {
	if extra := (len(req.Entries) - 1) / PushEntriesPerRequest; extra > 0 && !srv.requests.AllowN(string(p), extra) {
		srv.log.Debug(p.String(), "chat push refused: request rate", "entries", len(req.Entries), "per minute", srv.limits.PeerRate)
		return &Response{Status: StatusRefused}
	}
	es := make([]*chatlog.Entry, len(req.Entries))
	for i, b := range req.Entries {
		e, err := chatlog.Decode(b)
		if err != nil {
			srv.log.Info(p.String(), "bad chat entry pushed", "err", err)
			return &Response{Status: StatusBadRequest}
		}
		if e.Group != req.Group {
			srv.log.Info(p.String(), "chat entry pushed for another group", "group", req.Group.Short(), "entry group", e.Group.Short())
			return &Response{Status: StatusBadRequest}
		}
		es[i] = e
	}
	n, err := srv.sink.Push(p, req.Group, es)
	switch {
	case errors.Is(err, ErrUnknownGroup):
		return &Response{Status: StatusUnknownGroup}
	case err != nil:
		srv.log.Debug(p.String(), "chat push refused", "err", err)
		return &Response{Status: StatusRefused}
	}
	return &Response{Status: StatusOK, Accepted: min(max(n, 0), len(es))}
}

// encodeEntries encodes es, at most maxEntries of them and MaxAnswerBytes
// in all, and returns more, or true if it left some out.
func encodeEntries(es []*chatlog.Entry, maxEntries int, more bool) ([][]byte, bool) {
	out := make([][]byte, 0, min(len(es), maxEntries))
	size := 0
	for _, e := range es {
		b := e.Encode()
		if len(out) == maxEntries || size+len(b) > MaxAnswerBytes {
			return out, len(out) > 0
		}
		size += len(b)
		out = append(out, b)
	}
	return out, more && len(out) > 0
}
