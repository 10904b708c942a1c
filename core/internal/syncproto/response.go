package syncproto

import (
	"bufio"
	"fmt"
	"io"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// Response frame types: the first byte of each response frame's payload.
const (
	frameEntry byte = 1 // followed by one signed entry
	frameEnd   byte = 2 // followed by one flags byte; the last frame
)

// Flags of the final response frame.
const (
	flagMore byte = 1 << 0 // the response was cut by a limit; ask again
)

const (
	maxResponseFrame = 1 + entry.MaxSize
	// batchSize is the most entries Fetch hands its callback at once.
	batchSize = 256
)

// Source is where Serve finds the entries it sends, typically the store.
// Serve sends each entry in the form the source returns it: a redacted
// entry (entry.Entry.Redacted) goes out without its body.
type Source interface {
	// Entries returns the entries of author's log it holds with a seq
	// greater than after, in increasing seq order: all of them, up to
	// maxCount entries and maxBytes bytes of encodings (Entry.Bytes) in
	// total.
	// It stops early only at a limit or at the end of what it holds;
	// entries it does not hold are skipped (a partial log, as after
	// retention, is fine). For an unknown author it returns nothing and
	// a nil error.
	Entries(author entry.Key, after uint64, maxCount, maxBytes int) ([]*entry.Entry, error)
}

// Serve answers one sync request: it reads the request from r, then writes
// to w, for each want in order, the author's entries after the want's Have
// as src returns them, and a final frame. The response keeps to the
// request's Limits in total across all wants; when a limit cuts it, the
// final frame says so and later wants are not served. Serve buffers its
// writes and flushes before it returns; it does not close w.
//
// A malformed request is rejected with ErrProtocol before anything is
// written. If src fails, Serve stops without writing the final frame (the
// client sees a truncated response) and returns src's error.
func Serve(r io.Reader, w io.Writer, src Source) error {
	req, err := ReadRequest(r)
	if err != nil {
		return err
	}
	return ServeRequest(w, req, src)
}

// ServeRequest is Serve for a request already read: a server that lowers a
// request's limits (to what it is willing to send this peer now) reads the
// request with ReadRequest, changes MaxEntries or MaxBytes, and serves it.
// A lower limit only cuts the response short, with the More flag set, so
// the client asks again.
func ServeRequest(w io.Writer, req Request, src Source) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	more, err := serve(bw, req, src)
	if err == nil {
		err = writeEnd(bw, more)
	}
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("syncproto: writing response: %w", ferr)
	}
	return err
}

// serve writes the entry frames of the response to req and reports whether
// a limit cut it.
func serve(bw *bufio.Writer, req Request, src Source) (more bool, err error) {
	count, size := req.Limits() // what is left
	var hdr []byte
	for _, want := range req.Wants {
		// Ask for one entry beyond each limit: if the source returns
		// anything that does not fit, the response was cut.
		es, err := src.Entries(want.Author, want.Have, count+1, size+entry.MaxSize)
		if err != nil {
			return false, fmt.Errorf("syncproto: reading entries of %s: %w", want.Author.Short(), err)
		}
		last := want.Have
		for _, e := range es {
			b := e.Bytes()
			if e.Author != want.Author || e.Seq <= last || len(b) == 0 {
				return false, fmt.Errorf("syncproto: source returned %s seq %d for %s after seq %d", e.Author.Short(), e.Seq, want.Author.Short(), last)
			}
			if count == 0 || len(b) > size {
				return true, nil
			}
			last = e.Seq
			count--
			size -= len(b)
			hdr = append(appendLen(hdr[:0], 1+len(b)), frameEntry)
			if _, err := bw.Write(hdr); err != nil {
				return false, fmt.Errorf("syncproto: writing response: %w", err)
			}
			if _, err := bw.Write(b); err != nil {
				return false, fmt.Errorf("syncproto: writing response: %w", err)
			}
		}
	}
	return false, nil
}

// writeEnd writes the final frame of a response.
func writeEnd(w io.Writer, more bool) error {
	var flags byte
	if more {
		flags |= flagMore
	}
	return write(w, "response", append(appendLen(nil, 2), frameEnd, flags))
}

// Fetch runs the client side of one sync exchange: it writes req to w, then
// reads the response from r and calls fn with the entries in arrival order,
// in batches of up to 256, as they come in. fn must not be nil; it runs on
// the calling goroutine and owns each batch it is given. Fetch returns
// more=true when the server cut the response at a limit: send another
// request with the Haves advanced to what arrived.
//
// Fetch parses every entry (entry.Parse), full or redacted, but does not
// verify signatures: fn must, before trusting or storing anything. It
// checks the response against req and fails with ErrProtocol on any
// violation: an entry that does not parse (the error also wraps the entry
// package's sentinel), an author req did not ask for, a seq not above the
// want's Have or not above the author's previous entry in this response,
// more entries or bytes than req.Limits allow, an oversized, unknown or
// truncated frame.
//
// When the response breaks off, with a violation or an I/O error, the
// entries that arrived and passed the checks before it are still handed to
// fn; then Fetch returns the error. If fn returns an error, Fetch stops
// reading and returns it as is. Fetch ignores whatever follows the final
// frame and does not close r or w.
func Fetch(r io.Reader, w io.Writer, req Request, fn func(batch []*entry.Entry) error) (more bool, err error) {
	if err := WriteRequest(w, req); err != nil {
		return false, err
	}
	c := client{
		last:  make(map[entry.Key]uint64, len(req.Wants)),
		batch: make([]*entry.Entry, 0, batchSize),
		fn:    fn,
	}
	for _, w := range req.Wants {
		c.last[w.Author] = w.Have
	}
	c.maxCount, c.maxBytes = req.Limits()
	more, err = c.read(bufio.NewReaderSize(r, 32<<10))
	if c.fnFailed {
		return false, err
	}
	if ferr := c.flush(); ferr != nil {
		return false, ferr
	}
	if err != nil {
		return false, err
	}
	return more, nil
}

// client is the state of one Fetch.
type client struct {
	last               map[entry.Key]uint64 // author -> highest seq so far
	maxCount, maxBytes int                  // the response's limits
	count, size        int                  // entries and bytes received
	batch              []*entry.Entry       // checked, not yet handed to fn
	fn                 func([]*entry.Entry) error
	fnFailed           bool
}

// read reads and checks the response frames up to the final one.
func (c *client) read(br *bufio.Reader) (more bool, err error) {
	buf := make([]byte, maxResponseFrame)
	for {
		p, err := readFrame(br, "response frame", maxResponseFrame, buf)
		if err != nil {
			return false, err
		}
		if len(p) == 0 {
			return false, violation("empty response frame")
		}
		switch p[0] {
		case frameEntry:
			if err := c.entry(p[1:]); err != nil {
				return false, err
			}
		case frameEnd:
			if len(p) != 2 {
				return false, violation("final frame of %d bytes, want 2", len(p))
			}
			if p[1]&^flagMore != 0 {
				return false, violation("final frame has unknown flags %#02x", p[1])
			}
			return p[1]&flagMore != 0, nil
		default:
			return false, violation("unknown response frame type %d", p[0])
		}
	}
}

// entry checks one entry frame's entry and adds it to the batch.
func (c *client) entry(b []byte) error {
	n := c.count + 1
	if n > c.maxCount {
		return oversized("response", uint64(n), "entries", c.maxCount)
	}
	if c.size+len(b) > c.maxBytes {
		return oversized("response", uint64(c.size+len(b)), "bytes of entries", c.maxBytes)
	}
	e, err := entry.Parse(b)
	if err != nil {
		return violation("entry %d: %w", n, err)
	}
	last, ok := c.last[e.Author]
	switch {
	case !ok:
		return violation("entry %d is by %s, who was not asked for", n, e.Author.Short())
	case e.Seq <= last:
		return violation("entry %d is %s seq %d, not after seq %d", n, e.Author.Short(), e.Seq, last)
	}
	c.last[e.Author] = e.Seq
	c.count, c.size = n, c.size+len(b)
	c.batch = append(c.batch, e)
	if len(c.batch) == batchSize {
		return c.flush()
	}
	return nil
}

// flush hands the batch to fn and returns fn's error as it is.
func (c *client) flush() error {
	if len(c.batch) == 0 {
		return nil
	}
	batch := c.batch
	c.batch = make([]*entry.Entry, 0, batchSize)
	if err := c.fn(batch); err != nil {
		c.fnFailed = true
		return err
	}
	return nil
}
