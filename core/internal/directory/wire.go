package directory

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/skein-p2p/skein/core/internal/names"
)

// ProtocolID is the libp2p stream protocol of the directory.
const ProtocolID = "/skein/directory/1.0.0"

// Limits of the protocol.
const (
	// MaxQueryChars is the longest query, in code points.
	MaxQueryChars = 100
	// MaxQueryBytes is the longest query in bytes: MaxQueryChars code
	// points of at most 4 bytes each.
	MaxQueryBytes = 4 * MaxQueryChars
	// MaxLimit is the most results one search asks for and gets.
	MaxLimit = 50
	// MaxProfileEntry is the longest profile entry a directory keeps or
	// sends: the largest display name, bio and link take 1,849 bytes with
	// the entry's header; the rest leaves room for the fields a later
	// version adds (an avatar, a banner).
	MaxProfileEntry = 4096
	// MaxRequest is the longest request payload: a publish of the longest
	// profile entry.
	MaxRequest = 1 + MaxProfileEntry
	// MaxResponse is the longest response payload: MaxLimit results of
	// the longest record and profile entry.
	MaxResponse = 2 + MaxLimit*(2+names.MaxSize+2+MaxProfileEntry)
)

// Request operations, the first byte of a request.
const (
	OpPublish = 1 // the rest is a profile entry
	OpSearch  = 2 // a limit byte, then the query
)

// Status is the first byte of a response.
type Status byte

// Statuses. A response to a search with StatusOK carries results; every
// other response is the status byte alone.
const (
	StatusOK      Status = 0 // searched; or published and kept
	StatusStale   Status = 1 // published, but the directory holds this entry or a newer one
	StatusUnknown Status = 2 // published for an account whose name record the directory does not hold
	StatusInvalid Status = 3 // the request or the entry is invalid
	StatusBusy    Status = 4 // the peer's rate is spent: ask again later
)

func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusStale:
		return "stale"
	case StatusUnknown:
		return "unknown account"
	case StatusInvalid:
		return "invalid"
	case StatusBusy:
		return "busy"
	}
	return fmt.Sprintf("status(%d)", byte(s))
}

// Errors of the protocol codec.
var (
	// ErrProtocol means a peer sent bytes that break the protocol.
	ErrProtocol = errors.New("directory: protocol violation")
	// ErrQuery means a query is empty, too long, not UTF-8 or has a
	// control character, or a limit is out of range.
	ErrQuery = errors.New("directory: invalid query")
)

// Raw is one search result as it travels: a name record and the account's
// profile entry (empty when the directory holds none), both unverified.
type Raw struct {
	Record []byte
	Entry  []byte
}

// CheckQuery validates a query and a limit: 1 to MaxQueryChars code points
// of valid UTF-8 without control characters, and a limit of 1 to MaxLimit.
func CheckQuery(query string, limit int) error {
	n := utf8.RuneCountInString(query)
	switch {
	case n == 0:
		return fmt.Errorf("%w: empty query", ErrQuery)
	case n > MaxQueryChars || len(query) > MaxQueryBytes:
		return fmt.Errorf("%w: query of %d characters, limit %d", ErrQuery, n, MaxQueryChars)
	case !utf8.ValidString(query):
		return fmt.Errorf("%w: query is not valid UTF-8", ErrQuery)
	case strings.IndexFunc(query, unicode.IsControl) >= 0:
		return fmt.Errorf("%w: query has a control character", ErrQuery)
	case limit < 1 || limit > MaxLimit:
		return fmt.Errorf("%w: limit %d, want 1 to %d", ErrQuery, limit, MaxLimit)
	}
	return nil
}

// AppendSearch appends the frame of a search request to b.
func AppendSearch(b []byte, query string, limit int) []byte {
	b = binary.AppendUvarint(b, uint64(2+len(query)))
	b = append(b, OpSearch, byte(limit))
	return append(b, query...)
}

// AppendPublish appends the frame of a publish request to b.
func AppendPublish(b []byte, entry []byte) []byte {
	b = binary.AppendUvarint(b, uint64(1+len(entry)))
	b = append(b, OpPublish)
	return append(b, entry...)
}

// Request is a decoded request.
type Request struct {
	Op    byte
	Query string // OpSearch
	Limit int    // OpSearch
	Entry []byte // OpPublish, unverified
}

// ParseRequest decodes a request payload. A search's query and limit are
// checked with CheckQuery; a publish's entry only for its size.
func ParseRequest(p []byte) (Request, error) {
	if len(p) == 0 {
		return Request{}, fmt.Errorf("%w: empty request", ErrProtocol)
	}
	switch p[0] {
	case OpSearch:
		if len(p) < 2 {
			return Request{}, fmt.Errorf("%w: search without a limit", ErrProtocol)
		}
		r := Request{Op: OpSearch, Limit: int(p[1]), Query: string(p[2:])}
		if err := CheckQuery(r.Query, r.Limit); err != nil {
			return Request{}, err
		}
		return r, nil
	case OpPublish:
		if n := len(p) - 1; n == 0 || n > MaxProfileEntry {
			return Request{}, fmt.Errorf("%w: profile entry of %d bytes, want 1 to %d", ErrProtocol, n, MaxProfileEntry)
		}
		return Request{Op: OpPublish, Entry: p[1:]}, nil
	}
	return Request{}, fmt.Errorf("%w: unknown operation %d", ErrProtocol, p[0])
}

// AppendResponse appends the frame of a response to b: the status, and for
// StatusOK to a search the count and each result, its record and entry
// each with a 2-byte length.
func AppendResponse(b []byte, s Status, results []Raw) []byte {
	n := 1
	if s == StatusOK && results != nil {
		n++
		for _, r := range results {
			n += 4 + len(r.Record) + len(r.Entry)
		}
	}
	b = binary.AppendUvarint(b, uint64(n))
	b = append(b, byte(s))
	if n == 1 {
		return b
	}
	b = append(b, byte(len(results)))
	for _, r := range results {
		b = binary.BigEndian.AppendUint16(b, uint16(len(r.Record)))
		b = append(b, r.Record...)
		b = binary.BigEndian.AppendUint16(b, uint16(len(r.Entry)))
		b = append(b, r.Entry...)
	}
	return b
}

// ParseResults decodes the payload of a response to a search of at most
// limit results. A status other than StatusOK is returned with no results
// and no error.
func ParseResults(p []byte, limit int) (Status, []Raw, error) {
	if len(p) == 0 {
		return 0, nil, fmt.Errorf("%w: empty response", ErrProtocol)
	}
	s := Status(p[0])
	if s != StatusOK {
		if len(p) != 1 {
			return 0, nil, fmt.Errorf("%w: %d bytes after status %s", ErrProtocol, len(p)-1, s)
		}
		return s, nil, nil
	}
	if len(p) < 2 {
		return 0, nil, fmt.Errorf("%w: results without a count", ErrProtocol)
	}
	n := int(p[1])
	if n > limit {
		return 0, nil, fmt.Errorf("%w: %d results for a limit of %d", ErrProtocol, n, limit)
	}
	rest := p[2:]
	next := func(max int) ([]byte, bool) {
		if len(rest) < 2 {
			return nil, false
		}
		l := int(binary.BigEndian.Uint16(rest))
		if l > max || len(rest)-2 < l {
			return nil, false
		}
		v := rest[2 : 2+l : 2+l]
		rest = rest[2+l:]
		return v, true
	}
	out := make([]Raw, 0, n)
	for i := range n {
		rec, ok := next(names.MaxSize)
		if !ok || len(rec) == 0 {
			return 0, nil, fmt.Errorf("%w: result %d: bad record length", ErrProtocol, i)
		}
		ent, ok := next(MaxProfileEntry)
		if !ok {
			return 0, nil, fmt.Errorf("%w: result %d: bad entry length", ErrProtocol, i)
		}
		out = append(out, Raw{Record: rec, Entry: ent})
	}
	if len(rest) != 0 {
		return 0, nil, fmt.Errorf("%w: %d bytes after the results", ErrProtocol, len(rest))
	}
	return s, out, nil
}

// ByteReader is what frames are read from, such as a bufio.Reader.
type ByteReader interface {
	io.Reader
	io.ByteReader
}

// ReadFrame reads one frame of at most max payload bytes: a minimal
// uvarint length and the payload. It allocates only once the length is
// known to be within max.
func ReadFrame(r ByteReader, max int) ([]byte, error) {
	var x uint64
	for i := 0; ; i++ {
		if i == binary.MaxVarintLen64 {
			return nil, fmt.Errorf("%w: frame length overflows", ErrProtocol)
		}
		c, err := r.ReadByte()
		if err != nil {
			return nil, readErr(err)
		}
		x |= uint64(c&0x7f) << (7 * i)
		if x > uint64(max) {
			return nil, fmt.Errorf("%w: frame of more than %d bytes, limit %d", ErrProtocol, x, max)
		}
		if c < 0x80 {
			if c == 0 && i > 0 {
				return nil, fmt.Errorf("%w: frame length is not minimally encoded", ErrProtocol)
			}
			break
		}
	}
	b := make([]byte, x)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, readErr(err)
	}
	return b, nil
}

func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated frame", ErrProtocol)
	}
	return fmt.Errorf("directory: reading: %w", err)
}
