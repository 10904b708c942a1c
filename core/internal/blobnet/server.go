package blobnet

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/blob"
)

// Source is what a Server serves from: only verified pieces, never
// anything else. *blobstore.Store satisfies it.
type Source interface {
	// Have returns the size of the blob and the pieces held: have is nil
	// and ok true for a complete blob; ok false when the blob is unknown.
	Have(root blob.Root) (size uint64, have blob.Bitfield, ok bool)
	// Outboard returns the blob's bao outboard (empty for a small blob).
	Outboard(root blob.Root) ([]byte, error)
	// ReadPiece returns piece i, read into buf when it fits.
	ReadPiece(root blob.Root, i int, buf []byte) ([]byte, error)
}

// ServerLimits bound what peers may ask of a Server. Zero fields take
// DefaultServerLimits' values, except Rate, where 0 means no cap.
type ServerLimits struct {
	MaxPeers       int           // peers served at once
	MaxRequests    int           // open requests per peer
	MaxOutstanding int64         // bytes of accepted, unsent pieces per peer
	Rate           int64         // bytes a second sent to one peer; 0 = no cap
	Idle           time.Duration // a stream with no GET or GETMANY admitted for this long is closed
}

// DefaultServerLimits are the limits of a Server on mains power: a phone
// on battery sets MaxPeers to 2.
var DefaultServerLimits = ServerLimits{
	MaxPeers:       16,
	MaxRequests:    64,
	MaxOutstanding: 4 << 20,
	Idle:           30 * time.Second,
}

func (l ServerLimits) withDefaults() ServerLimits {
	d := DefaultServerLimits
	if l.MaxPeers > 0 {
		d.MaxPeers = l.MaxPeers
	}
	if l.MaxRequests > 0 {
		d.MaxRequests = l.MaxRequests
	}
	if l.MaxOutstanding > 0 {
		d.MaxOutstanding = l.MaxOutstanding
	}
	if l.Rate > 0 {
		d.Rate = l.Rate
	}
	if l.Idle > 0 {
		d.Idle = l.Idle
	}
	return d
}

// maxCtrl bounds the answers other than DATA queued on one stream; the
// reader waits while more are queued.
const maxCtrl = 512 << 10

// idleEvict is how long a peer must have had no request in flight for a
// new peer to take its place when MaxPeers are served.
const idleEvict = 2 * time.Second

// maxPeerStreams bounds the streams of one peer served at once (one per
// blob it downloads): beyond, the stream's first request gets REJECT busy.
const maxPeerStreams = 8

// Server answers /skein/blob/1.0.0 streams from a Source within its
// limits. It is safe for concurrent use.
type Server struct {
	h   host.Host
	src Source
	log *slog.Logger
	// hook, set by tests before the first stream, sees every request.
	hook func(p peer.ID, m *msg)
	// idleEvict is idleEvict; tests shorten it.
	idleEvict time.Duration

	// bufs holds the *pieceBufs of streams that sent pieces; bufsMade
	// counts those allocated (tests).
	bufs     sync.Pool
	bufsMade atomic.Int64

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	lim     ServerLimits
	peers   map[peer.ID]*servedPeer
	streams map[network.Stream]struct{}
	closed  bool
}

// servedPeer is the state of one peer, shared by its streams; guarded by
// Server.mu.
type servedPeer struct {
	streams     int
	conns       map[*sconn]struct{} // its streams being served
	requests    int
	outstanding int64
	tokens      float64 // rate bucket: may go negative (a debt to wait out)
	last        time.Time
	active      time.Time // when it last had a request in flight (or came)
}

// idleFor returns how long ps has had no request in flight; 0 if it has
// one now.
func (ps *servedPeer) idleFor(now time.Time) time.Duration {
	if ps.requests > 0 {
		return 0
	}
	return now.Sub(ps.active)
}

// NewServer returns a Server answering from src within lim, and registers
// its stream handler on h. log may be nil.
func NewServer(h host.Host, src Source, lim ServerLimits, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		h: h, src: src, log: log, ctx: ctx, cancel: cancel,
		idleEvict: idleEvict,
		lim:       lim.withDefaults(),
		peers:     make(map[peer.ID]*servedPeer),
		streams:   make(map[network.Stream]struct{}),
	}
	s.bufs.New = func() any {
		s.bufsMade.Add(1)
		return &pieceBufs{bw: bufio.NewWriterSize(io.Discard, blob.PieceSize), piece: make([]byte, blob.PieceSize)}
	}
	h.SetStreamHandler(ID, s.handle)
	return s
}

// pieceBufs are the buffers of a stream sending pieces: 512 KiB, taken
// from Server.bufs at its first GET and returned when it ends.
type pieceBufs struct {
	bw    *bufio.Writer // large writes: fewer muxer frames and syscalls
	piece []byte
}

// ctrlBuf is the write buffer of a stream before its first GET.
const ctrlBuf = 4 << 10

// SetLimits changes the limits, such as when the power mode changes. Caps
// apply to requests from then on.
func (s *Server) SetLimits(lim ServerLimits) {
	s.mu.Lock()
	s.lim = lim.withDefaults()
	s.mu.Unlock()
}

// Close removes the handler, ends every stream and waits for them. It is
// safe to call twice.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.h.RemoveStreamHandler(ID)
	s.cancel()
	for st := range s.streams {
		st.Reset()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

func (s *Server) limits() ServerLimits {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lim
}

// handle serves one stream until the client closes it, it idles, or it
// breaks the protocol.
func (s *Server) handle(st network.Stream) {
	p := st.Conn().RemotePeer()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		st.Reset()
		return
	}
	ps := s.peers[p]
	if ps == nil && len(s.peers) >= s.lim.MaxPeers {
		s.evictIdleLocked()
	}
	if ps == nil && len(s.peers) >= s.lim.MaxPeers || ps != nil && ps.streams >= maxPeerStreams {
		s.streams[st] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		s.refuse(st)
		s.mu.Lock()
		delete(s.streams, st)
		s.mu.Unlock()
		s.wg.Done()
		return
	}
	now := time.Now()
	if ps == nil {
		ps = &servedPeer{last: now, active: now, conns: make(map[*sconn]struct{})}
		if s.lim.Rate > 0 {
			ps.tokens = float64(burst(s.lim.Rate))
		}
		s.peers[p] = ps
	}
	c := &sconn{srv: s, st: st, p: p, ps: ps, stop: make(chan struct{}), kick: make(chan struct{}, 1), lastReq: now}
	c.cond = sync.NewCond(&c.mu)
	ps.streams++
	ps.conns[c] = struct{}{}
	s.streams[st] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		if err := c.writeLoop(); err != nil {
			s.log.Debug("blobnet: writing", "peer", p, "err", err)
			st.Reset()
		}
	}()
	err := c.readLoop()
	c.mu.Lock()
	if err != nil {
		c.done = true
	} else {
		c.eof = true
	}
	close(c.stop)
	c.cond.Broadcast()
	c.mu.Unlock()
	if err != nil {
		s.log.Debug("blobnet: serving", "peer", p, "err", err)
		st.Reset()
	}
	<-wrote
	if err == nil {
		st.Close()
	}

	s.mu.Lock()
	delete(s.streams, st)
	for _, g := range c.gets {
		ps.requests--
		ps.outstanding -= int64(g.n)
	}
	delete(ps.conns, c)
	if ps.streams--; ps.streams == 0 && s.peers[p] == ps {
		delete(s.peers, p)
	}
	s.mu.Unlock()
}

// evictIdleLocked makes room for a new peer when MaxPeers are served: the
// peer that has had no request in flight for longest, if for at least
// idleEvict, loses its place and its streams are reset. It reports whether
// one was evicted.
func (s *Server) evictIdleLocked() bool {
	now := time.Now()
	var victim peer.ID
	var vps *servedPeer
	for p, ps := range s.peers {
		if d := ps.idleFor(now); d >= s.idleEvict && (vps == nil || d > vps.idleFor(now)) {
			victim, vps = p, ps
		}
	}
	if vps == nil {
		return false
	}
	s.log.Debug("blobnet: evicting an idle peer for a new one", "peer", victim, "idle", vps.idleFor(now))
	delete(s.peers, victim)
	for c := range vps.conns {
		c.st.Reset()
	}
	return true
}

// refuse answers the first request of a peer over MaxPeers with REJECT
// busy and closes the stream.
func (s *Server) refuse(st network.Stream) {
	defer st.Close()
	st.SetDeadline(time.Now().Add(5 * time.Second))
	t, p, err := readFrame(bufio.NewReaderSize(st, 256), serverBound, nil)
	if err != nil {
		st.Reset()
		return
	}
	m, err := decodeMsg(t, p)
	if err != nil {
		st.Reset()
		return
	}
	rej := msg{Type: tReject, Reason: ReasonBusy, ID: m.ID, Root: m.Root}
	switch t {
	case tHaveQ, tOutboardQ:
		rej.ByRoot = true
	case tGetMany:
		rej.ByRoot, rej.Root = true, m.Roots[0]
	case tCancel:
		return
	}
	st.Write(appendMsg(nil, &rej))
}

// burst is the rate bucket's depth: 20 ms at rate, at least four chunk
// groups.
func burst(rate int64) int64 { return max(4*blob.GroupSize, rate/50) }

// take takes n bytes from the peer's rate bucket and returns how long to
// wait before sending them.
func (s *Server) take(ps *servedPeer, n int) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	rate := s.lim.Rate
	if rate <= 0 {
		return 0
	}
	now := time.Now()
	ps.tokens = min(ps.tokens+now.Sub(ps.last).Seconds()*float64(rate), float64(burst(rate)))
	ps.last = now
	ps.tokens -= float64(n)
	if ps.tokens >= 0 {
		return 0
	}
	return time.Duration(-ps.tokens / float64(rate) * float64(time.Second))
}

// sconn is one served stream.
type sconn struct {
	srv  *Server
	st   network.Stream
	p    peer.ID
	ps   *servedPeer
	stop chan struct{} // closed when the reader is done
	kick chan struct{} // a frame was queued: wakes a writer waiting on the rate

	lastReq time.Time // the last GET or GETMANY admitted (or the stream's start); reader only

	mu        sync.Mutex
	cond      *sync.Cond
	ctrl      []byte // queued frames other than DATA
	gets      []get  // accepted GETs not yet being sent
	serving   bool   // a GET is being sent
	cur       uint32 // its id
	cancelled bool   // and it was cancelled
	eof       bool   // the client closed its side: drain and close
	done      bool   // stop now
}

// get is an accepted GET.
type get struct {
	id    uint32
	root  blob.Root
	piece int
	n     int // piece length
}

// busy reports whether pieces are queued or being sent on the stream.
func (c *sconn) busy() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.gets) > 0 || c.serving
}

// readLoop reads and handles requests until the client closes its side
// (nil), the stream idles, or an error. Only an admitted GET or GETMANY
// keeps a stream from idling: HAVE?, OUTBOARD? and CANCEL cost the server
// little but would otherwise let a peer hold its place for ever.
func (c *sconn) readLoop() error {
	br := bufio.NewReaderSize(c.st, 4096)
	buf := make([]byte, 32*MaxBatch)
	for {
		c.st.SetReadDeadline(c.lastReq.Add(c.srv.limits().Idle))
		t, p, err := readFrame(br, serverBound, buf)
		switch {
		case err == errIdle:
			if c.busy() {
				// Still sending pieces asked for: not idle.
				c.lastReq = time.Now()
				continue
			}
			return errors.New("blobnet: idle stream")
		case err == io.EOF:
			return nil
		case err != nil:
			return err
		}
		m, err := decodeMsg(t, p)
		if err != nil {
			return err
		}
		c.request(&m)
	}
}

// request handles one request.
func (c *sconn) request(m *msg) {
	src := c.srv.src
	if c.srv.hook != nil {
		c.srv.hook(c.p, m)
	}
	reject := func(r Reason) {
		rej := msg{Type: tReject, Reason: r, ID: m.ID}
		if m.Type != tGet {
			rej.ByRoot, rej.Root = true, m.Root
		}
		c.push(appendMsg(nil, &rej))
	}
	switch m.Type {
	case tHaveQ:
		c.push(appendMsg(nil, haveOf(src, m.Root)))
	case tOutboardQ:
		size, _, ok := src.Have(m.Root)
		if !ok {
			reject(ReasonNotFound)
			return
		}
		ob, err := src.Outboard(m.Root)
		if err != nil || len(ob) != blob.OutboardSize(size) {
			c.srv.log.Debug("blobnet: no outboard to serve", "root", m.Root.Short(), "err", err)
			reject(ReasonNotFound)
			return
		}
		c.push(appendMsg(nil, &msg{Type: tOutboard, Root: m.Root, Data: ob}))
	case tGet:
		size, have, ok := src.Have(m.Root)
		switch {
		case !ok:
			reject(ReasonNotFound)
			return
		case m.Piece >= blob.Pieces(size):
			reject(ReasonInvalid)
			return
		case have != nil && !have.Has(m.Piece):
			reject(ReasonNotHave)
			return
		}
		_, n := blob.PieceSpan(size, m.Piece)
		if r := c.admit(int64(n)); r != 0 {
			reject(r)
			return
		}
		c.lastReq = time.Now()
		c.mu.Lock()
		c.gets = append(c.gets, get{id: m.ID, root: m.Root, piece: m.Piece, n: n})
		c.cond.Broadcast()
		c.mu.Unlock()
	case tGetMany:
		if r := c.admit(0); r != 0 {
			rej := msg{Type: tReject, Reason: r, ByRoot: true}
			var out []byte
			for _, root := range m.Roots {
				rej.Root = root
				out = appendMsg(out, &rej)
			}
			c.push(out)
			return
		}
		c.lastReq = time.Now()
		var out []byte
		buf := make([]byte, blob.GroupSize)
		for _, root := range m.Roots {
			data, r := smallBlob(src, root, buf)
			if r != 0 {
				out = appendMsg(out, &msg{Type: tReject, Reason: r, ByRoot: true, Root: root})
				continue
			}
			out = appendMsg(out, &msg{Type: tBlob, Root: root, Data: data})
		}
		c.srv.release(c.ps, 0)
		c.push(out)
	case tCancel:
		c.mu.Lock()
		if c.serving && c.cur == m.ID {
			c.cancelled = true
		}
		for i, g := range c.gets {
			if g.id == m.ID {
				c.gets = append(c.gets[:i], c.gets[i+1:]...)
				c.mu.Unlock()
				c.srv.release(c.ps, int64(g.n))
				return
			}
		}
		c.mu.Unlock()
	}
}

// haveOf returns the HAVE answer about root.
func haveOf(src Source, root blob.Root) *msg {
	m := &msg{Type: tHave, Root: root, Form: haveNone}
	size, have, ok := src.Have(root)
	if !ok || size > blob.MaxSize {
		return m
	}
	n := blob.Pieces(size)
	switch {
	case have == nil || have.Full(n):
		m.Size, m.Form = size, haveAll
	case len(have) < (n+7)/8:
		// A bitfield too short for the size: serve nothing of it.
	default:
		bits := blob.NewBitfield(n)
		for i := range n {
			if have.Has(i) {
				bits.Set(i)
			}
		}
		if bits.Count() > 0 {
			m.Size, m.Form, m.Bits = size, haveSome, bits
		}
	}
	return m
}

// smallBlob returns the whole of a complete blob of at most GroupSize
// bytes, or why not.
func smallBlob(src Source, root blob.Root, buf []byte) ([]byte, Reason) {
	size, have, ok := src.Have(root)
	switch {
	case !ok || have != nil:
		return nil, ReasonNotFound
	case size > blob.GroupSize:
		return nil, ReasonInvalid
	case size == 0:
		return nil, 0
	}
	data, err := src.ReadPiece(root, 0, buf)
	if err != nil || uint64(len(data)) != size {
		return nil, ReasonNotFound
	}
	return data, 0
}

// admit counts a new request of n bytes against the peer's caps, or
// returns the reason to reject it.
func (s *Server) admitPeer(ps *servedPeer, n int64) Reason {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case ps.requests >= s.lim.MaxRequests:
		return ReasonTooMany
	case ps.outstanding+n > s.lim.MaxOutstanding:
		return ReasonBusy
	}
	ps.requests++
	ps.outstanding += n
	ps.active = time.Now()
	return 0
}

func (c *sconn) admit(n int64) Reason { return c.srv.admitPeer(c.ps, n) }

// release ends a request of n bytes admitted with admitPeer.
func (s *Server) release(ps *servedPeer, n int64) {
	s.mu.Lock()
	ps.requests--
	ps.outstanding -= n
	ps.active = time.Now()
	s.mu.Unlock()
}

// push queues frames for the writer, waiting while too many are queued.
func (c *sconn) push(frames []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.ctrl) >= maxCtrl && !c.done {
		c.cond.Wait()
	}
	c.ctrl = append(c.ctrl, frames...)
	c.cond.Broadcast()
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// writeLoop sends queued answers and pieces until the reader is done.
// Streams that never GET (HAVE? and GETMANY only) make do with a small
// buffer; the first GET takes the piece buffers from the pool.
func (c *sconn) writeLoop() error {
	bw := bufio.NewWriterSize(c.st, ctrlBuf)
	var bufs *pieceBufs
	defer func() {
		if bufs != nil {
			bufs.bw.Reset(io.Discard)
			c.srv.bufs.Put(bufs)
		}
	}()
	var hdr []byte
	for {
		c.mu.Lock()
		for len(c.ctrl) == 0 && len(c.gets) == 0 && !c.done && !c.eof {
			if bw.Buffered() > 0 {
				c.mu.Unlock()
				if err := c.flush(bw); err != nil {
					return err
				}
				c.mu.Lock()
				continue
			}
			c.cond.Wait()
		}
		if c.done || (c.eof && len(c.ctrl) == 0 && len(c.gets) == 0) {
			c.mu.Unlock()
			if c.done {
				return nil
			}
			return c.flush(bw)
		}
		if len(c.ctrl) > 0 {
			if err := c.writeCtrl(bw); err != nil {
				return err
			}
			continue
		}
		g := c.gets[0]
		c.gets = c.gets[1:]
		c.serving, c.cur, c.cancelled = true, g.id, false
		c.mu.Unlock()

		if bufs == nil {
			if err := c.flush(bw); err != nil {
				c.srv.release(c.ps, int64(g.n))
				return err
			}
			bufs = c.srv.bufs.Get().(*pieceBufs)
			bufs.bw.Reset(c.st)
			bw = bufs.bw
		}
		err := c.sendPiece(bw, g, bufs.piece, &hdr)
		c.srv.release(c.ps, int64(g.n))
		c.mu.Lock()
		c.serving = false
		c.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

// writeCtrl writes the queued frames; c.mu is held on entry and released.
func (c *sconn) writeCtrl(bw *bufio.Writer) error {
	out := c.ctrl
	c.ctrl = nil
	c.cond.Broadcast()
	c.mu.Unlock()
	if err := c.wait(bw, len(out)); err != nil {
		return err
	}
	c.st.SetWriteDeadline(time.Now().Add(c.srv.limits().Idle))
	_, err := bw.Write(out)
	return err
}

// sendPiece sends piece g as DATA frames, stopping early if it is
// cancelled, and answers REJECT if the Source cannot read it.
func (c *sconn) sendPiece(bw *bufio.Writer, g get, buf []byte, hdr *[]byte) error {
	data, err := c.srv.src.ReadPiece(g.root, g.piece, buf)
	if err != nil || len(data) != g.n {
		c.srv.log.Debug("blobnet: cannot read a piece to serve", "root", g.root.Short(), "piece", g.piece, "err", err)
		rej := msg{Type: tReject, Reason: ReasonNotHave, ID: g.id}
		c.st.SetWriteDeadline(time.Now().Add(c.srv.limits().Idle))
		_, err := bw.Write(appendMsg(nil, &rej))
		return err
	}
	off := uint64(g.piece) * blob.PieceSize
	for i := 0; i < len(data); i += blob.GroupSize {
		c.mu.Lock()
		if c.done || c.cancelled {
			c.mu.Unlock()
			return nil
		}
		if len(c.ctrl) > 0 {
			if err := c.writeCtrl(bw); err != nil {
				return err
			}
		} else {
			c.mu.Unlock()
		}
		chunk := data[i:min(i+blob.GroupSize, len(data))]
		*hdr = appendDataHeader((*hdr)[:0], g.id, g.root, off+uint64(i), len(chunk))
		if err := c.wait(bw, len(*hdr)+len(chunk)); err != nil {
			return err
		}
		c.st.SetWriteDeadline(time.Now().Add(c.srv.limits().Idle))
		bw.Write(*hdr)
		if _, err := bw.Write(chunk); err != nil {
			return err
		}
	}
	return nil
}

// wait waits until n bytes may be sent at the peer's rate, flushing what
// is buffered first.
func (c *sconn) wait(bw *bufio.Writer, n int) error {
	d := c.srv.take(c.ps, n)
	if d <= 0 {
		return nil
	}
	if err := c.flush(bw); err != nil {
		return err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	stop := c.stop
	for {
		select {
		case <-t.C:
			return nil
		case <-c.kick:
			// Answers other than DATA do not wait for the rate: they
			// are charged to it and sent now.
			c.mu.Lock()
			out := c.ctrl
			c.ctrl = nil
			c.cond.Broadcast()
			c.mu.Unlock()
			if len(out) == 0 {
				continue
			}
			c.srv.take(c.ps, len(out))
			c.st.SetWriteDeadline(time.Now().Add(c.srv.limits().Idle))
			if _, err := bw.Write(out); err != nil {
				return err
			}
			if err := c.flush(bw); err != nil {
				return err
			}
		case <-stop:
			c.mu.Lock()
			done := c.done
			c.mu.Unlock()
			if done {
				return nil
			}
			stop = nil // the client closed its side: drain at the rate
		case <-c.srv.ctx.Done():
			return ErrClosed
		}
	}
}

func (c *sconn) flush(bw *bufio.Writer) error {
	c.st.SetWriteDeadline(time.Now().Add(c.srv.limits().Idle))
	return bw.Flush()
}
