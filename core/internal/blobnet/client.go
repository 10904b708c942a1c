package blobnet

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/blob"
)

// Sink is where a download goes. *blobstore.Partial satisfies it. Its
// methods are called from one goroutine at a time; data passed to
// WriteChunks is not kept after the call.
type Sink interface {
	// Outboard returns the blob's outboard once it is known.
	Outboard() ([]byte, bool)
	// SetOutboard checks ob against the root and keeps it.
	SetOutboard(ob []byte) error
	// WriteChunks verifies data at off and writes it; an error wrapping
	// blob.ErrBadData means the bytes were wrong and nothing was written.
	WriteChunks(off uint64, data []byte) error
	// Written returns the pieces fully written.
	Written() blob.Bitfield
}

// Progress reports a download.
type Progress struct {
	Root      blob.Root
	Size      int64
	Verified  int64   // bytes verified and written, including those held before
	Duplicate int64   // bytes received that were already written
	Pieces    int     // pieces of the blob
	Done      int     // pieces written
	Peers     int     // providers serving this download
	Bad       int     // providers dropped for sending bytes failing verification
	Rate      float64 // bytes a second, recently
}

// Fetch describes one download.
type Fetch struct {
	Root blob.Root
	Size uint64
	Sink Sink
	// Providers are asked HAVE? in parallel.
	Providers []peer.ID
	// Window > 0 asks for a sequential window of this many pieces from
	// piece Position first (for viewing), then for the rest. (Position
	// is not in the media contract, which names it without a field.)
	Window   int
	Position int
	// Progress, if set, is called at most about 4 times a second, and
	// once at the end.
	Progress func(Progress)
}

// Client downloads blobs. It is safe for concurrent use.
type Client struct {
	h   host.Host
	log *slog.Logger

	// stallMin is the least time without data after which a peer with
	// requests in flight is snubbed (5 s; tests shorten it).
	stallMin time.Duration
	// answerTimeout bounds the wait for a peer's answer to GetMany or
	// Size (AnswerTimeout; tests shorten it).
	answerTimeout time.Duration

	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// AnswerTimeout bounds how long a GetMany or a Size question waits for
// one peer's next answer (GetMany's deadline moves on with each BLOB or
// REJECT): a peer that accepts the stream and never answers fails after
// it instead of stalling the caller.
const AnswerTimeout = 10 * time.Second

// NewClient returns a Client opening streams from h. log may be nil.
func NewClient(h host.Host, log *slog.Logger) *Client {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Client{h: h, log: log, ctx: ctx, cancel: cancel, stallMin: 5 * time.Second, answerTimeout: AnswerTimeout}
}

// Close stops every download in progress and waits for them. It is safe
// to call twice.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	c.wg.Wait()
	return nil
}

// begin registers a call; the returned context ends with ctx or Close.
func (c *Client) begin(ctx context.Context) (context.Context, func(), error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, nil, ErrClosed
	}
	c.wg.Add(1)
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(c.ctx, cancel)
	return ctx, func() { stop(); cancel(); c.wg.Done() }, nil
}

// Get downloads f.Root into f.Sink from f.Providers. It returns nil when
// every piece is written, an error wrapping ErrNoProviders (and the last
// provider's reason) when no provider left can supply the missing pieces,
// ctx's error, or ErrClosed. Every goroutine and stream it starts ends
// before it returns.
func (c *Client) Get(ctx context.Context, f Fetch) error {
	if f.Sink == nil {
		return errors.New("blobnet: Fetch without a Sink")
	}
	if f.Size > blob.MaxSize {
		return fmt.Errorf("blobnet: %w: %d bytes", blob.ErrTooLarge, f.Size)
	}
	dctx, done, err := c.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	d := newDownload(c, dctx, f)
	err = d.run()
	d.cancel()
	d.wg.Wait()
	if f.Progress != nil {
		f.Progress(d.progress())
	}
	if err != nil && dctx.Err() != nil && ctx.Err() == nil {
		return ErrClosed
	}
	return err
}

// GetMany fetches whole small blobs (at most blob.GroupSize bytes) from p in
// one round trip: batches of MaxBatch roots are sent at once. The result
// holds each blob p had, verified against its root; the others are absent
// (when none came back and p rejected some, the error wraps ErrRejected).
// A blob failing verification fails the call with an error wrapping
// blob.ErrBadData.
func (c *Client) GetMany(ctx context.Context, p peer.ID, roots []blob.Root) (map[blob.Root][]byte, error) {
	ctx, done, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	want := make(map[blob.Root]bool, len(roots))
	var uniq []blob.Root
	for _, r := range roots {
		if !want[r] {
			want[r] = true
			uniq = append(uniq, r)
		}
	}
	out := make(map[blob.Root][]byte, len(uniq))
	if len(uniq) == 0 {
		return out, nil
	}
	st, err := c.h.NewStream(ctx, p, ID)
	if err != nil {
		return nil, fmt.Errorf("blobnet: opening a stream to %s: %w", p.ShortString(), err)
	}
	defer st.Close()
	st.SetDeadline(time.Now().Add(c.answerTimeout))
	stop := context.AfterFunc(ctx, func() { st.Reset() })
	defer stop()
	var req []byte
	for i := 0; i < len(uniq); i += MaxBatch {
		req = appendMsg(req, &msg{Type: tGetMany, Roots: uniq[i:min(i+MaxBatch, len(uniq))]})
	}
	if _, err := st.Write(req); err != nil {
		return nil, fmt.Errorf("blobnet: writing to %s: %w", p.ShortString(), err)
	}
	br := bufio.NewReaderSize(st, 32<<10)
	buf := make([]byte, maxPayload(tBlob))
	var rejected error
	for range uniq {
		t, payload, err := readFrame(br, func(t msgType) bool { return t == tBlob || t == tReject }, buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			switch {
			case err == io.EOF:
				err = fmt.Errorf("%w: stream ended early", ErrProtocol)
			case err == errIdle:
				err = fmt.Errorf("blobnet: %s did not answer within %s: %w", p.ShortString(), c.answerTimeout, os.ErrDeadlineExceeded)
			}
			return nil, err
		}
		st.SetReadDeadline(time.Now().Add(c.answerTimeout))
		m, err := decodeMsg(t, payload)
		if err != nil {
			return nil, err
		}
		if !m.ByRoot && t == tReject || !want[m.Root] {
			return nil, fmt.Errorf("%w: %s for a root not asked for or answered twice", ErrProtocol, t)
		}
		delete(want, m.Root)
		if t == tReject {
			rejected = fmt.Errorf("%w: %s", ErrRejected, m.Reason)
			continue
		}
		if blob.Sum(m.Data) != m.Root {
			return nil, fmt.Errorf("blobnet: %w: blob %s from %s", blob.ErrBadData, m.Root.Short(), p.ShortString())
		}
		out[m.Root] = bytes.Clone(m.Data)
	}
	if len(out) == 0 && rejected != nil {
		return out, rejected
	}
	return out, nil
}
