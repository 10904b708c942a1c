package blobnet

import (
	"context"
	"errors"
	"log/slog"
	"sync"

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
	// Position first (for viewing), then for the rest.
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

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewClient returns a Client opening streams from h. log may be nil.
func NewClient(h host.Host, log *slog.Logger) *Client {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Client{h: h, log: log, ctx: ctx, cancel: cancel}
}

// Close stops every download in progress and waits for them.
func (c *Client) Close() error {
	c.cancel()
	c.wg.Wait()
	return nil
}

// Get downloads f.Root into f.Sink from f.Providers. It returns nil when
// every piece is written, ctx's error, or an error wrapping ErrNoProviders
// (and the last provider's reason) when no provider left can supply the
// missing pieces.
func (c *Client) Get(ctx context.Context, f Fetch) error {
	return errors.New("blobnet: not implemented")
}

// GetMany fetches whole small blobs (at most blob.GroupSize bytes) from p in
// one round trip: batches of MaxBatch roots are sent at once. The result
// holds each blob p had, verified against its root; the others are absent.
func (c *Client) GetMany(ctx context.Context, p peer.ID, roots []blob.Root) (map[blob.Root][]byte, error) {
	return nil, errors.New("blobnet: not implemented")
}
