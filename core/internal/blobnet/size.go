package blobnet

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/blob"
)

// maxSizeAsks bounds the providers Size asks at once.
const maxSizeAsks = 8

// Size asks providers, at most 8 at once, whether they have root and
// returns the size the first one that has some of it says. The size is a
// claim, not a fact: a download checks it, since the outboard (or, for a
// small blob, the root) verifies only with the true size. It fails with
// ErrNoProviders when none has it.
func (c *Client) Size(ctx context.Context, providers []peer.ID, root blob.Root) (uint64, error) {
	ctx, done, err := c.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	providers = providers[:min(len(providers), maxSizeAsks)]
	type answer struct {
		size uint64
		err  error
	}
	answers := make(chan answer, len(providers))
	for _, p := range providers {
		go func() {
			size, err := c.askSize(ctx, p, root)
			answers <- answer{size, err}
		}()
	}
	last := errors.New("no provider to ask")
	var size uint64
	found := false
	// Every answer is awaited (the others end at once when cancelled), so
	// no goroutine outlives the call and Close waits for all of them.
	for range providers {
		a := <-answers
		switch {
		case a.err == nil && !found:
			size, found = a.size, true
			cancel()
		case a.err != nil:
			last = a.err
		}
	}
	if found {
		return size, nil
	}
	return 0, fmt.Errorf("%w: %s: %w", ErrNoProviders, root.Short(), last)
}

// askSize sends one HAVE? to p.
func (c *Client) askSize(ctx context.Context, p peer.ID, root blob.Root) (uint64, error) {
	st, err := c.h.NewStream(ctx, p, ID)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	st.SetDeadline(time.Now().Add(c.answerTimeout))
	stop := context.AfterFunc(ctx, func() { st.Reset() })
	defer stop()
	if _, err := st.Write(appendMsg(nil, &msg{Type: tHaveQ, Root: root})); err != nil {
		return 0, err
	}
	buf := make([]byte, maxPayload(tHave))
	t, payload, err := readFrame(bufio.NewReader(st), func(t msgType) bool { return t == tHave || t == tReject }, buf)
	if err == errIdle {
		return 0, fmt.Errorf("blobnet: %s did not answer within %s: %w", p.ShortString(), c.answerTimeout, os.ErrDeadlineExceeded)
	}
	if err != nil {
		return 0, err
	}
	m, err := decodeMsg(t, payload)
	switch {
	case err != nil:
		return 0, err
	case t != tHave || m.Root != root:
		return 0, fmt.Errorf("%w: %s answered %s", ErrProtocol, p.ShortString(), t)
	case m.Form == haveNone:
		return 0, fmt.Errorf("%s does not have it", p.ShortString())
	}
	return m.Size, nil
}
