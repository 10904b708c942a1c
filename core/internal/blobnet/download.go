package blobnet

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/blob"
)

// Picker and pipeline constants (research §5.5).
const (
	randomFirst  = 4               // pieces picked at random before rarest first
	queueTime    = 3 * time.Second // a pipeline holds this much of a peer's rate
	minDepth     = 2
	maxDepth     = 16
	maxHolders   = 2 // peers one piece is requested from at once (endgame)
	tick         = 250 * time.Millisecond
	minWindow    = 50 * time.Millisecond // shortest span a peer's rate is measured over
	busyBackoff  = 250 * time.Millisecond
	maxStrikes   = 2
	outQueue     = 256 // frames queued to one peer's writer
	writeTimeout = 10 * time.Second
)

// peer states
const (
	waiting = iota // HAVE? sent
	active
	dropped
)

// download is one Get: its state is owned by the goroutine running run;
// each peer has a reader and a writer goroutine that only move frames.
type download struct {
	c      *Client
	f      Fetch
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	rng    *rand.Rand
	events chan event
	pool   sync.Pool

	n      int
	pieces []pieceState
	avail  []int // active peers holding each piece
	peers  []*cpeer
	hasOB  bool
	obPeer *cpeer // asked OUTBOARD?
	obSent time.Time
	nextID uint32

	done      int
	verified  int64
	dup       int64
	bad       int
	rate      float64
	winBytes  int64
	lastTick  time.Time
	lastErr   error
	lastShown Progress
}

type pieceState struct {
	groups  uint32 // chunk groups written, bit g for group g
	full    bool
	holders []*creq
}

type cpeer struct {
	id     peer.ID
	state  int
	ctx    context.Context
	cancel context.CancelFunc
	out    chan []byte
	since  time.Time

	have       blob.Bitfield // nil: all
	reqs       map[uint32]*creq
	cancelled  map[uint32]bool
	strikes    int
	noOutboard bool
	rate       float64
	winBytes   int64     // bytes since winStart
	winStart   time.Time // start of the rate window; zero when idle
	lastData   time.Time
	snubbed    bool
	holdUntil  time.Time
}

type creq struct {
	id    uint32
	piece int
	p     *cpeer
	got   int
	sent  time.Time
}

type event struct {
	p   *cpeer
	m   msg
	buf *[]byte
	err error
}

func newDownload(c *Client, ctx context.Context, f Fetch) *download {
	ctx, cancel := context.WithCancel(ctx)
	n := blob.Pieces(f.Size)
	d := &download{
		c: c, f: f, ctx: ctx, cancel: cancel,
		rng:    rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
		events: make(chan event, 64),
		n:      n,
		pieces: make([]pieceState, n),
		avail:  make([]int, n),
	}
	d.pool.New = func() any { b := make([]byte, maxPayload(tData)); return &b }
	return d
}

func (d *download) pieceLen(i int) int { _, n := blob.PieceSpan(d.f.Size, i); return n }

func (d *download) fullMask(i int) uint32 {
	g := (d.pieceLen(i) + blob.GroupSize - 1) / blob.GroupSize
	return 1<<g - 1
}

func (d *download) run() error {
	f := d.f
	if f.Size == 0 {
		if blob.Sum(nil) != f.Root {
			return fmt.Errorf("blobnet: %w: a blob of 0 bytes has another root", blob.ErrBadData)
		}
		return nil
	}
	written := f.Sink.Written()
	for i := range d.n {
		if written.Has(i) {
			d.pieces[i].full, d.pieces[i].groups = true, d.fullMask(i)
			d.done++
			d.verified += int64(d.pieceLen(i))
		}
	}
	if d.done == d.n {
		return nil
	}
	if _, ok := f.Sink.Outboard(); ok {
		d.hasOB = true
	} else if f.Size <= blob.GroupSize {
		if err := f.Sink.SetOutboard(nil); err != nil {
			return err
		}
		d.hasOB = true
	}
	seen := map[peer.ID]bool{d.c.h.ID(): true}
	now := time.Now()
	for _, id := range f.Providers {
		if seen[id] {
			continue
		}
		seen[id] = true
		p := &cpeer{id: id, out: make(chan []byte, outQueue), reqs: map[uint32]*creq{},
			cancelled: map[uint32]bool{}, since: now}
		p.ctx, p.cancel = context.WithCancel(d.ctx)
		p.out <- appendMsg(nil, &msg{Type: tHaveQ, Root: f.Root})
		d.peers = append(d.peers, p)
		d.wg.Add(1)
		go d.runPeer(p)
	}
	if len(d.peers) == 0 {
		return fmt.Errorf("%w: none given", ErrNoProviders)
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	d.lastTick = now
	for {
		if d.done == d.n {
			return nil
		}
		if d.stuck() {
			if d.lastErr == nil {
				return fmt.Errorf("%w: the providers lack %d pieces", ErrNoProviders, d.n-d.done)
			}
			return fmt.Errorf("%w: %w", ErrNoProviders, d.lastErr)
		}
		select {
		case <-d.ctx.Done():
			return d.ctx.Err()
		case ev := <-d.events:
			err := d.handle(ev)
			if ev.buf != nil {
				d.pool.Put(ev.buf)
			}
			if err != nil {
				return err
			}
		case now := <-t.C:
			d.tick(now)
		}
		d.schedule(time.Now())
	}
}

// runPeer opens the stream to p, starts its writer and reads frames into
// events until p's context ends or the stream fails.
func (d *download) runPeer(p *cpeer) {
	defer d.wg.Done()
	st, err := d.c.h.NewStream(p.ctx, p.id, ID)
	if err != nil {
		d.send(p, event{p: p, err: fmt.Errorf("opening a stream: %w", err)})
		return
	}
	stop := context.AfterFunc(p.ctx, func() { st.Reset() })
	defer stop()
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		bw := bufio.NewWriterSize(st, 4096)
		for {
			select {
			case <-p.ctx.Done():
				return
			case b := <-p.out:
				st.SetWriteDeadline(time.Now().Add(writeTimeout))
				bw.Write(b)
				for more := true; more; {
					select {
					case b := <-p.out:
						bw.Write(b)
					default:
						more = false
					}
				}
				if err := bw.Flush(); err != nil {
					d.send(p, event{p: p, err: fmt.Errorf("writing: %w", err)})
					return
				}
			}
		}
	}()
	br := bufio.NewReaderSize(st, 4096) // small: most of a DATA frame is read straight into its buffer
	for {
		buf := d.pool.Get().(*[]byte)
		t, payload, err := readFrame(br, clientBound, *buf)
		if err == nil {
			var m msg
			if m, err = decodeMsg(t, payload); err == nil {
				if !d.send(p, event{p: p, m: m, buf: buf}) {
					return
				}
				continue
			}
		}
		d.pool.Put(buf)
		if err == io.EOF || err == errIdle {
			err = fmt.Errorf("%w: stream closed", ErrProtocol)
		}
		d.send(p, event{p: p, err: err})
		return
	}
}

// send hands ev to run, unless p's context ended.
func (d *download) send(p *cpeer, ev event) bool {
	select {
	case d.events <- ev:
		return true
	case <-p.ctx.Done():
		return false
	}
}

// write queues a frame to p; a peer whose queue is full is dropped.
func (d *download) write(p *cpeer, frame []byte) {
	select {
	case p.out <- frame:
	default:
		d.drop(p, fmt.Errorf("%w: peer does not read", ErrProtocol), false)
	}
}

// drop stops using p for this blob, requeueing its pieces.
func (d *download) drop(p *cpeer, reason error, bad bool) {
	if p.state == dropped {
		return
	}
	if bad {
		d.bad++
	}
	d.c.log.Debug("blobnet: dropping a provider", "peer", p.id, "root", d.f.Root.Short(), "err", reason)
	if p.state == active {
		for i := range d.n {
			if p.hasPiece(i) {
				d.avail[i]--
			}
		}
	}
	p.state = dropped
	p.cancel()
	for id, r := range p.reqs {
		d.unhold(r)
		delete(p.reqs, id)
	}
	if d.obPeer == p {
		d.obPeer = nil
	}
	d.lastErr = fmt.Errorf("peer %s: %w", p.id.ShortString(), reason)
}

func (p *cpeer) hasPiece(i int) bool { return p.have == nil || p.have.Has(i) }

func (d *download) unhold(r *creq) {
	ps := &d.pieces[r.piece]
	for j, h := range ps.holders {
		if h == r {
			ps.holders = append(ps.holders[:j], ps.holders[j+1:]...)
			break
		}
	}
}

// handle applies one event; it returns an error only to end the Get.
func (d *download) handle(ev event) error {
	p := ev.p
	if p.state == dropped {
		return nil
	}
	if ev.err != nil {
		d.drop(p, ev.err, false)
		return nil
	}
	m := &ev.m
	if (m.Type != tReject || m.ByRoot) && m.Root != d.f.Root {
		d.drop(p, fmt.Errorf("%w: %s about another blob", ErrProtocol, m.Type), false)
		return nil
	}
	switch m.Type {
	case tHave:
		if p.state != waiting {
			d.drop(p, fmt.Errorf("%w: HAVE twice", ErrProtocol), false)
			return nil
		}
		switch {
		case m.Form == haveNone:
			d.drop(p, fmt.Errorf("%w: %s", ErrRejected, ReasonNotFound), false)
			return nil
		case m.Size != d.f.Size:
			d.drop(p, fmt.Errorf("%w: size %d, want %d", ErrProtocol, m.Size, d.f.Size), false)
			return nil
		}
		if m.Form == haveSome {
			p.have = m.Bits.Clone()
		}
		p.state = active
		for i := range d.n {
			if p.hasPiece(i) {
				d.avail[i]++
			}
		}
	case tOutboard:
		if p != d.obPeer {
			d.drop(p, fmt.Errorf("%w: OUTBOARD not asked for", ErrProtocol), false)
			return nil
		}
		d.obPeer = nil
		if err := d.f.Sink.SetOutboard(bytes.Clone(m.Data)); err != nil {
			d.drop(p, err, true)
			return nil
		}
		d.hasOB = true
	case tData:
		return d.data(p, m)
	case tReject:
		d.reject(p, m)
	default:
		d.drop(p, fmt.Errorf("%w: unexpected %s", ErrProtocol, m.Type), false)
	}
	return nil
}

func (d *download) data(p *cpeer, m *msg) error {
	r := p.reqs[m.ID]
	if r == nil {
		if p.cancelled[m.ID] {
			d.dup += int64(len(m.Data))
			return nil
		}
		d.drop(p, fmt.Errorf("%w: DATA for no request", ErrProtocol), false)
		return nil
	}
	off, n := blob.PieceSpan(d.f.Size, r.piece)
	if m.Offset != off+uint64(r.got) || len(m.Data) != min(blob.GroupSize, n-r.got) {
		d.drop(p, fmt.Errorf("%w: DATA at %d+%d, want %d", ErrProtocol, m.Offset, len(m.Data), off+uint64(r.got)), false)
		return nil
	}
	now := time.Now()
	g := r.got / blob.GroupSize
	r.got += len(m.Data)
	p.lastData, p.snubbed = now, false
	if p.winStart.IsZero() {
		p.winStart = r.sent
	}
	p.winBytes += int64(len(m.Data))
	d.winBytes += int64(len(m.Data))
	ps := &d.pieces[r.piece]
	if ps.groups&(1<<g) != 0 {
		d.dup += int64(len(m.Data))
	} else {
		if err := d.f.Sink.WriteChunks(m.Offset, m.Data); err != nil {
			if errors.Is(err, blob.ErrBadData) {
				d.drop(p, err, true)
				return nil
			}
			return err
		}
		ps.groups |= 1 << g
		d.verified += int64(len(m.Data))
		if ps.groups == d.fullMask(r.piece) {
			ps.full = true
			d.done++
			for _, o := range ps.holders {
				if o != r || r.got < n {
					d.cancelReq(o)
				}
			}
			ps.holders = nil
		}
	}
	if r.got == n {
		delete(p.reqs, r.id)
		d.unhold(r)
		d.measure(p, now)
	}
	return nil
}

// cancelReq cancels request r at its peer (its piece came from another).
func (d *download) cancelReq(r *creq) {
	p := r.p
	delete(p.reqs, r.id)
	p.cancelled[r.id] = true
	d.write(p, appendMsg(nil, &msg{Type: tCancel, ID: r.id}))
}

func (d *download) reject(p *cpeer, m *msg) {
	if m.ByRoot {
		if p.state == waiting || m.Reason == ReasonBusy || m.Reason == ReasonTooMany {
			d.drop(p, fmt.Errorf("%w: %s", ErrRejected, m.Reason), false)
			return
		}
		if p == d.obPeer {
			d.obPeer, p.noOutboard = nil, true
			d.lastErr = fmt.Errorf("peer %s: %w: outboard %s", p.id.ShortString(), ErrRejected, m.Reason)
			return
		}
		d.drop(p, fmt.Errorf("%w: REJECT not asked for", ErrProtocol), false)
		return
	}
	r := p.reqs[m.ID]
	if r == nil {
		if !p.cancelled[m.ID] {
			d.drop(p, fmt.Errorf("%w: REJECT of no request", ErrProtocol), false)
		}
		return
	}
	delete(p.reqs, r.id)
	d.unhold(r)
	if r.got > 0 {
		d.drop(p, fmt.Errorf("%w: REJECT after DATA", ErrProtocol), false)
		return
	}
	switch m.Reason {
	case ReasonBusy, ReasonTooMany:
		p.holdUntil = time.Now().Add(busyBackoff)
		if len(p.reqs) > 0 {
			return
		}
	default:
		if p.hasPiece(r.piece) {
			if p.have == nil {
				p.have = blob.NewBitfield(d.n)
				for i := range d.n {
					p.have.Set(i)
				}
			}
			p.have.Clear(r.piece)
			d.avail[r.piece]--
		}
	}
	d.strike(p, fmt.Errorf("%w: piece %d: %s", ErrRejected, r.piece, m.Reason))
}

// strike counts a failure of p on a piece its HAVE claimed; the second
// drops p.
func (d *download) strike(p *cpeer, reason error) {
	p.strikes++
	d.lastErr = fmt.Errorf("peer %s: %w", p.id.ShortString(), reason)
	if p.strikes >= maxStrikes {
		d.drop(p, reason, false)
	}
}

// tick measures rates, finds stalled peers and reports progress.
func (d *download) tick(now time.Time) {
	dt := now.Sub(d.lastTick).Seconds()
	d.lastTick = now
	if dt <= 0 {
		return
	}
	d.rate = ewma(d.rate, float64(d.winBytes)/dt)
	d.winBytes = 0
	for _, p := range d.peers {
		switch p.state {
		case waiting:
			if now.Sub(p.since) > d.c.stallMin {
				d.drop(p, fmt.Errorf("%w: no answer to HAVE?", ErrProtocol), false)
			}
			continue
		case dropped:
			continue
		}
		d.measure(p, now)
		if p == d.obPeer && now.Sub(d.obSent) > d.c.stallMin {
			d.drop(p, fmt.Errorf("%w: no answer to OUTBOARD?", ErrProtocol), false)
			continue
		}
		var oldest *creq
		for _, r := range p.reqs {
			if oldest == nil || r.sent.Before(oldest.sent) {
				oldest = r
			}
		}
		if oldest == nil {
			continue
		}
		limit := d.c.stallMin
		if p.rate > 0 {
			limit = max(limit, time.Duration(4*blob.PieceSize/p.rate*float64(time.Second)))
		}
		last := oldest.sent
		if p.lastData.After(last) {
			last = p.lastData
		}
		if now.Sub(last) > limit {
			p.snubbed = true
			p.lastData = now
			d.cancelReq(oldest)
			d.unhold(oldest)
			d.strike(p, fmt.Errorf("%w: piece %d stalled", ErrRejected, oldest.piece))
		}
	}
	if d.f.Progress != nil {
		if pr := d.progress(); pr != d.lastShown {
			d.lastShown = pr
			d.f.Progress(pr)
		}
	}
}

// measure updates p's rate with the bytes received since the window
// began, once the window is at least minWindow long; a peer with nothing
// in flight starts a new window with its next request.
func (d *download) measure(p *cpeer, now time.Time) {
	if p.winStart.IsZero() {
		return
	}
	if dt := now.Sub(p.winStart); dt >= minWindow {
		p.rate = ewma(p.rate, float64(p.winBytes)/dt.Seconds())
		p.winBytes, p.winStart = 0, now
	}
	if len(p.reqs) == 0 {
		p.winBytes, p.winStart = 0, time.Time{}
	}
}

func ewma(old, x float64) float64 {
	if old == 0 {
		return x
	}
	return 0.6*old + 0.4*x
}

func (d *download) progress() Progress {
	peers := 0
	for _, p := range d.peers {
		if p.state == active {
			peers++
		}
	}
	return Progress{Root: d.f.Root, Size: int64(d.f.Size), Verified: d.verified, Duplicate: d.dup,
		Pieces: d.n, Done: d.done, Peers: peers, Bad: d.bad, Rate: d.rate}
}

// depth is how many pieces p may have in flight.
func (d *download) depth(p *cpeer) int {
	if p.snubbed {
		return 1
	}
	return min(maxDepth, max(minDepth, int(p.rate*queueTime.Seconds()/blob.PieceSize)))
}

// schedule asks for the outboard if missing, then fills every active
// peer's pipeline.
func (d *download) schedule(now time.Time) {
	if !d.hasOB {
		if d.obPeer != nil {
			return
		}
		for _, p := range d.peers {
			if p.state == active && !p.noOutboard {
				d.obPeer, d.obSent = p, now
				d.write(p, appendMsg(nil, &msg{Type: tOutboardQ, Root: d.f.Root}))
				return
			}
		}
		return
	}
	for _, p := range d.peers {
		for p.state == active && len(p.reqs) < d.depth(p) && !now.Before(p.holdUntil) {
			i := d.pick(p)
			if i < 0 {
				break
			}
			d.nextID++
			r := &creq{id: d.nextID, piece: i, p: p, sent: now}
			p.reqs[r.id] = r
			d.pieces[i].holders = append(d.pieces[i].holders, r)
			d.write(p, appendMsg(nil, &msg{Type: tGet, ID: r.id, Root: d.f.Root, Piece: i}))
		}
	}
}

// pick returns the next piece to ask p for, or -1.
func (d *download) pick(p *cpeer) int {
	free := func(i int) bool {
		ps := &d.pieces[i]
		return !ps.full && len(ps.holders) == 0 && p.hasPiece(i)
	}
	if d.f.Window > 0 {
		for i := max(0, d.f.Position); i < min(d.n, d.f.Position+d.f.Window); i++ {
			if free(i) {
				return i
			}
		}
	}
	best, ties := -1, 0
	// The last piece next, and nothing else until it verified: it is the
	// one piece that proves the size (under a size a little short, every
	// other piece verifies), so a wrong size fails before much is stored.
	last := d.n - 1
	lastFirst := last >= 0 && !d.pieces[last].full && d.avail[last] > 0
	if lastFirst && free(last) {
		return last
	}
	for i := range d.n {
		if lastFirst {
			break
		}
		if !free(i) {
			continue
		}
		switch {
		case d.done < randomFirst:
			// random among all: reservoir sampling
		case best >= 0 && d.avail[i] > d.avail[best]:
			continue
		case best >= 0 && d.avail[i] < d.avail[best]:
			best, ties = i, 1
			continue
		}
		ties++
		if d.rng.IntN(ties) == 0 {
			best = i
		}
	}
	if best >= 0 {
		return best
	}
	// Strict endgame: only when every missing piece some active peer
	// holds is in flight, and only once p has nothing in flight.
	if len(p.reqs) > 0 {
		return -1
	}
	for i := range d.n {
		if !d.pieces[i].full && len(d.pieces[i].holders) == 0 && d.avail[i] > 0 {
			return -1
		}
	}
	// Ask p for the in-flight piece whose holder would deliver it last,
	// if p would deliver it sooner: est is the holder's bytes ahead of and
	// left of that piece over its rate (the server sends in order).
	best = -1
	var bestGain time.Duration
	mine := time.Duration(0)
	if p.rate > 0 {
		mine = time.Duration(float64(blob.PieceSize) / p.rate * float64(time.Second))
	}
	for i := range d.n {
		ps := &d.pieces[i]
		if ps.full || len(ps.holders) == 0 || len(ps.holders) >= maxHolders || !p.hasPiece(i) {
			continue
		}
		h := ps.holders[0]
		if h.p == p {
			continue
		}
		est := time.Duration(1 << 62) // unknown rate: as late as can be
		if q := h.p; q.rate > 0 {
			ahead := 0
			for _, o := range q.reqs {
				if o.id <= h.id {
					ahead += d.pieceLen(o.piece) - o.got
				}
			}
			est = time.Duration(float64(ahead) / q.rate * float64(time.Second))
		}
		if gain := est - mine; gain > bestGain || gain == bestGain && best >= 0 && d.rng.IntN(2) == 0 {
			best, bestGain = i, gain
		}
	}
	return best
}

// stuck reports whether no provider left can supply a missing piece.
func (d *download) stuck() bool {
	for _, p := range d.peers {
		switch {
		case p.state == waiting:
			return false
		case p.state == active && (len(p.reqs) > 0 || p == d.obPeer):
			return false
		}
	}
	if !d.hasOB {
		for _, p := range d.peers {
			if p.state == active && !p.noOutboard {
				return false
			}
		}
		return true
	}
	for i := range d.n {
		if !d.pieces[i].full && d.avail[i] > 0 {
			return false
		}
	}
	return true
}
