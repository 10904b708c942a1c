package profiles

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// ProtocolID is the profile request protocol: a request for the latest
// profile entry of one key, answered by whoever holds it.
const ProtocolID = "/skein/profile/1.0.0"

// Sizes of the protocol's messages.
const (
	// RequestSize is the payload of a request frame: key, have.
	RequestSize = len(entry.Key{}) + 8
	// MaxAnswer is the largest answer payload: one entry.
	MaxAnswer = entry.MaxSize
)

// ErrProtocol is wrapped by the errors of a message that breaks the
// protocol: a bad frame, or an answer that is not what was asked for.
var ErrProtocol = errors.New("profile protocol violation")

// Request asks for the latest profile entry of Author newer than seq Have
// (0: any).
type Request struct {
	Author entry.Key
	Have   uint64
}

// WriteRequest writes req as one frame.
func WriteRequest(w io.Writer, req Request) error {
	b := make([]byte, 0, 1+RequestSize)
	b = binary.AppendUvarint(b, uint64(RequestSize))
	b = append(b, req.Author[:]...)
	b = binary.BigEndian.AppendUint64(b, req.Have)
	_, err := w.Write(b)
	return err
}

// ReadRequest reads one request frame, and nothing beyond it.
func ReadRequest(r io.Reader) (Request, error) {
	p, err := readFrame(r, "request", RequestSize)
	if err != nil {
		return Request{}, err
	}
	if len(p) != RequestSize {
		return Request{}, fmt.Errorf("%w: request of %d bytes, want %d", ErrProtocol, len(p), RequestSize)
	}
	var req Request
	copy(req.Author[:], p)
	req.Have = binary.BigEndian.Uint64(p[len(req.Author):])
	return req, nil
}

// WriteAnswer writes the answer to a request: raw, the encoding of the
// profile entry, or nil when the writer holds none newer than the request's
// Have.
func WriteAnswer(w io.Writer, raw []byte) error {
	if len(raw) > MaxAnswer {
		return fmt.Errorf("profiles: answer of %d bytes, limit %d", len(raw), MaxAnswer)
	}
	b := binary.AppendUvarint(make([]byte, 0, binary.MaxVarintLen16+len(raw)), uint64(len(raw)))
	_, err := w.Write(append(b, raw...))
	return err
}

// ReadAnswer reads the answer to req and checks it: nil when the peer holds
// nothing newer, else the profile entry, which must decode, carry a valid
// signature by req.Author, be a full profile entry with a valid body, and
// be newer than req.Have. Any other answer is an error wrapping
// ErrProtocol, or entry's errors for a bad entry.
func ReadAnswer(r io.Reader, req Request) (*entry.Entry, entry.Profile, error) {
	p, err := readFrame(r, "answer", MaxAnswer)
	if err != nil || len(p) == 0 {
		return nil, entry.Profile{}, err
	}
	return CheckAnswer(req, p)
}

// CheckAnswer checks raw, an answer's entry, against req (see ReadAnswer).
func CheckAnswer(req Request, raw []byte) (*entry.Entry, entry.Profile, error) {
	e, err := entry.Decode(raw)
	if err != nil {
		return nil, entry.Profile{}, fmt.Errorf("profiles: answer: %w", err)
	}
	switch {
	case e.Author != req.Author:
		return nil, entry.Profile{}, fmt.Errorf("%w: answer is an entry of %s, not of %s", ErrProtocol, e.Author.Short(), req.Author.Short())
	case e.Kind != entry.KindProfile:
		return nil, entry.Profile{}, fmt.Errorf("%w: answer is a %v entry, not a profile", ErrProtocol, e.Kind)
	case e.Redacted():
		return nil, entry.Profile{}, fmt.Errorf("%w: answer is a redacted entry", ErrProtocol)
	case e.Seq <= req.Have:
		return nil, entry.Profile{}, fmt.Errorf("%w: answer is seq %d, not newer than %d", ErrProtocol, e.Seq, req.Have)
	}
	p, err := entry.ParseProfile(e.Body)
	if err != nil {
		return nil, entry.Profile{}, fmt.Errorf("profiles: answer: %w", err)
	}
	return e, p, nil
}

// readFrame reads one frame of at most max payload bytes: a minimal
// unsigned varint length, then the payload. It reads a byte at a time up to
// the payload, and nothing beyond it; it refuses an oversized length before
// allocating. what names the message in errors.
func readFrame(r io.Reader, what string, max int) ([]byte, error) {
	var (
		x   uint64
		one [1]byte
	)
	for i := 0; ; i++ {
		if i == binary.MaxVarintLen64 {
			return nil, fmt.Errorf("%w: %s length overflows", ErrProtocol, what)
		}
		if _, err := io.ReadFull(r, one[:]); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrProtocol, what, noEOF(err))
		}
		b := one[0]
		x |= uint64(b&0x7f) << (7 * i)
		if x > uint64(max) {
			return nil, fmt.Errorf("%w: %s of %d bytes or more, limit %d", ErrProtocol, what, x, max)
		}
		if b < 0x80 {
			if b == 0 && i > 0 {
				return nil, fmt.Errorf("%w: %s length is not minimally encoded", ErrProtocol, what)
			}
			break
		}
	}
	p := make([]byte, x)
	if _, err := io.ReadFull(r, p); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrProtocol, what, noEOF(err))
	}
	return p, nil
}

// noEOF turns an end of stream into io.ErrUnexpectedEOF: every message of
// the protocol must come.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
