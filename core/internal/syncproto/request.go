package syncproto

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/skein-p2p/skein/core/internal/entry"
)

const (
	requestFixed    = 4 + 4 // MaxEntries, MaxBytes
	wantSize        = len(entry.Key{}) + 8
	maxRequestFrame = requestFixed + MaxWants*wantSize
)

// Want asks for an author's entries after the ones the requester holds.
type Want struct {
	Author entry.Key
	// Have is the highest sequence number the requester holds of Author's
	// log; 0 if none. The server sends entries with a greater seq.
	Have uint64
}

// Request is what a sync client asks for: the entries after Have of every
// Want's author, bounded by MaxEntries entries and MaxBytes bytes in total.
// A zero limit means the server's maximum; see Limits.
type Request struct {
	Wants      []Want
	MaxEntries uint32
	MaxBytes   uint32
}

// Limits returns the entry count and byte limits a response to req keeps:
// the request's values clamped to the package's MaxEntries and MaxBytes, 0
// meaning the maximum, and the byte limit raised to at least entry.MaxSize
// so that any one entry fits. Client and server compute the same values.
func (req Request) Limits() (maxEntries, maxBytes int) {
	maxEntries, maxBytes = MaxEntries, MaxBytes
	if req.MaxEntries != 0 && req.MaxEntries < MaxEntries {
		maxEntries = int(req.MaxEntries)
	}
	if req.MaxBytes != 0 && req.MaxBytes < MaxBytes {
		maxBytes = max(int(req.MaxBytes), entry.MaxSize)
	}
	return maxEntries, maxBytes
}

// check reports why req cannot be sent.
func (req Request) check() error {
	if len(req.Wants) > MaxWants {
		return fmt.Errorf("%w: request of %d wants, limit %d", ErrTooLarge, len(req.Wants), MaxWants)
	}
	if err := req.checkDuplicates(); err != nil {
		return fmt.Errorf("syncproto: %w", err)
	}
	return nil
}

// checkDuplicates reports an author that req names twice.
func (req Request) checkDuplicates() error {
	seen := make(map[entry.Key]struct{}, len(req.Wants))
	for _, w := range req.Wants {
		if _, dup := seen[w.Author]; dup {
			return fmt.Errorf("request names author %s twice", w.Author)
		}
		seen[w.Author] = struct{}{}
	}
	return nil
}

// appendRequest appends req's frame to b.
func appendRequest(b []byte, req Request) []byte {
	n := requestFixed + len(req.Wants)*wantSize
	b = appendLen(b, n)
	b = binary.BigEndian.AppendUint32(b, req.MaxEntries)
	b = binary.BigEndian.AppendUint32(b, req.MaxBytes)
	for _, w := range req.Wants {
		b = append(b, w.Author[:]...)
		b = binary.BigEndian.AppendUint64(b, w.Have)
	}
	return b
}

// WriteRequest writes req as one message. It fails without writing if req
// has more than MaxWants wants (ErrTooLarge) or names an author twice.
func WriteRequest(w io.Writer, req Request) error {
	if err := req.check(); err != nil {
		return err
	}
	return write(w, "request", appendRequest(make([]byte, 0, binary.MaxVarintLen32+requestFixed+len(req.Wants)*wantSize), req))
}

// ReadRequest reads one request message. It reads nothing beyond the
// message. Malformed requests, including ones with more than MaxWants wants
// or a duplicate author, are rejected with ErrProtocol.
func ReadRequest(r io.Reader) (Request, error) {
	p, err := readFrame(asByteReader(r), "request", maxRequestFrame, nil)
	if err != nil {
		return Request{}, err
	}
	if len(p) < requestFixed || (len(p)-requestFixed)%wantSize != 0 {
		return Request{}, violation("request of %d bytes is not %d plus a multiple of %d", len(p), requestFixed, wantSize)
	}
	req := Request{
		MaxEntries: binary.BigEndian.Uint32(p[0:4]),
		MaxBytes:   binary.BigEndian.Uint32(p[4:8]),
	}
	if n := (len(p) - requestFixed) / wantSize; n > 0 {
		req.Wants = make([]Want, n)
	}
	for i, q := 0, p[requestFixed:]; len(q) > 0; i, q = i+1, q[wantSize:] {
		copy(req.Wants[i].Author[:], q)
		req.Wants[i].Have = binary.BigEndian.Uint64(q[len(entry.Key{}):])
	}
	if err := req.checkDuplicates(); err != nil {
		return Request{}, violation("%w", err)
	}
	return req, nil
}
