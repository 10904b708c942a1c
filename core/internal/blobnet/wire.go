package blobnet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/skein-p2p/skein/core/internal/blob"
)

// ID is the libp2p stream protocol of blob transfer.
const ID = "/skein/blob/1.0.0"

// Limits of the wire format.
const (
	// MaxBatch is the most roots one GETMANY names.
	MaxBatch = 64
	// maxOutboard is the longest outboard: the one of a blob of
	// blob.MaxSize bytes.
	maxOutboard = 8 + 64*(blob.MaxSize/blob.GroupSize-1)
	// maxPieces is the most pieces of a blob.
	maxPieces = blob.MaxSize / blob.PieceSize
)

// msgType is the first byte of a frame.
type msgType byte

// Message types. Queries (c→s) are odd, answers (s→c) even, except
// CANCEL.
const (
	tHaveQ     msgType = 0x01 // c→s: root
	tHave      msgType = 0x02 // s→c: root, size (8 BE), form, [bitfield]
	tOutboardQ msgType = 0x03 // c→s: root
	tOutboard  msgType = 0x04 // s→c: root, outboard
	tGet       msgType = 0x05 // c→s: id (4 BE), root, piece (4 BE)
	tData      msgType = 0x06 // s→c: id (4 BE), root, offset (8 BE), 1..16 KiB
	tGetMany   msgType = 0x07 // c→s: 1..64 distinct roots
	tBlob      msgType = 0x08 // s→c: root, whole small blob (0..16 KiB)
	tCancel    msgType = 0x09 // c→s: id (4 BE)
	tReject    msgType = 0x0a // s→c: reason, then id (4 BE) or root
)

func (t msgType) String() string {
	switch t {
	case tHaveQ:
		return "HAVE?"
	case tHave:
		return "HAVE"
	case tOutboardQ:
		return "OUTBOARD?"
	case tOutboard:
		return "OUTBOARD"
	case tGet:
		return "GET"
	case tData:
		return "DATA"
	case tGetMany:
		return "GETMANY"
	case tBlob:
		return "BLOB"
	case tCancel:
		return "CANCEL"
	case tReject:
		return "REJECT"
	}
	return fmt.Sprintf("type(%#02x)", byte(t))
}

// maxPayload returns the longest payload of a message of type t, or -1
// for an unknown type.
func maxPayload(t msgType) int {
	switch t {
	case tHaveQ, tOutboardQ:
		return 32
	case tHave:
		return 32 + 8 + 1 + maxPieces/8
	case tOutboard:
		return 32 + maxOutboard
	case tGet:
		return 4 + 32 + 4
	case tData:
		return 4 + 32 + 8 + blob.GroupSize
	case tGetMany:
		return 32 * MaxBatch
	case tBlob:
		return 32 + blob.GroupSize
	case tCancel:
		return 4
	case tReject:
		return 1 + 32
	}
	return -1
}

// Forms of a HAVE answer.
const (
	haveNone byte = 0 // size is 0, no bitfield
	haveAll  byte = 1 // complete, no bitfield
	haveSome byte = 2 // a bitfield of Pieces(size) bits, neither empty nor full
)

// Reason is why a server rejects a request.
type Reason byte

// Reasons of a REJECT.
const (
	ReasonNotFound Reason = 1 // the server does not hold this blob (or its outboard)
	ReasonNotHave  Reason = 2 // the server does not hold this piece
	ReasonBusy     Reason = 3 // over the peer's outstanding bytes, or too many peers
	ReasonTooMany  Reason = 4 // over the peer's open requests
	ReasonInvalid  Reason = 5 // a piece index out of range, a blob too large for GETMANY
)

func (r Reason) String() string {
	switch r {
	case ReasonNotFound:
		return "not found"
	case ReasonNotHave:
		return "piece not held"
	case ReasonBusy:
		return "busy"
	case ReasonTooMany:
		return "too many requests"
	case ReasonInvalid:
		return "invalid request"
	}
	return fmt.Sprintf("reason(%d)", byte(r))
}

// Errors of the package; callers branch on them with errors.Is.
var (
	// ErrProtocol means a peer sent bytes that break the protocol.
	ErrProtocol = errors.New("blobnet: protocol violation")
	// ErrRejected means a peer answered a request with REJECT.
	ErrRejected = errors.New("blobnet: request rejected")
	// ErrNoProviders means no provider left can supply the missing
	// pieces of a blob; it wraps the last provider's reason.
	ErrNoProviders = errors.New("blobnet: no provider can supply the blob")
	// ErrClosed means the Client or Server was closed.
	ErrClosed = errors.New("blobnet: closed")
)

// msg is one decoded message; which fields are set depends on Type.
type msg struct {
	Type   msgType
	Root   blob.Root     // all but GETMANY, CANCEL and a REJECT of an id
	ID     uint32        // GET, DATA, CANCEL, REJECT of a request
	Size   uint64        // HAVE
	Form   byte          // HAVE
	Bits   blob.Bitfield // HAVE with haveSome
	Piece  int           // GET
	Offset uint64        // DATA
	Data   []byte        // OUTBOARD, DATA, BLOB
	Roots  []blob.Root   // GETMANY
	Reason Reason        // REJECT
	ByRoot bool          // REJECT: of a root, not of a request id
}

// appendMsg appends the frame of m to b: type, minimal uvarint length,
// payload. m must be valid (encoders are not checked: the decoders are).
func appendMsg(b []byte, m *msg) []byte {
	if m.Type == tData {
		return append(appendDataHeader(b, m.ID, m.Root, m.Offset, len(m.Data)), m.Data...)
	}
	b = append(b, byte(m.Type))
	b = binary.AppendUvarint(b, uint64(payloadLen(m)))
	switch m.Type {
	case tHaveQ, tOutboardQ:
		b = append(b, m.Root[:]...)
	case tHave:
		b = append(b, m.Root[:]...)
		b = binary.BigEndian.AppendUint64(b, m.Size)
		b = append(b, m.Form)
		if m.Form == haveSome {
			b = append(b, m.Bits...)
		}
	case tOutboard, tBlob:
		b = append(b, m.Root[:]...)
		b = append(b, m.Data...)
	case tGet:
		b = binary.BigEndian.AppendUint32(b, m.ID)
		b = append(b, m.Root[:]...)
		b = binary.BigEndian.AppendUint32(b, uint32(m.Piece))
	case tGetMany:
		for _, r := range m.Roots {
			b = append(b, r[:]...)
		}
	case tCancel:
		b = binary.BigEndian.AppendUint32(b, m.ID)
	case tReject:
		b = append(b, byte(m.Reason))
		if m.ByRoot {
			b = append(b, m.Root[:]...)
		} else {
			b = binary.BigEndian.AppendUint32(b, m.ID)
		}
	}
	return b
}

// appendDataHeader appends everything of a DATA frame but its n data
// bytes, so a server can write the data from its own buffer.
func appendDataHeader(b []byte, id uint32, root blob.Root, off uint64, n int) []byte {
	b = append(b, byte(tData))
	b = binary.AppendUvarint(b, uint64(4+32+8+n))
	b = binary.BigEndian.AppendUint32(b, id)
	b = append(b, root[:]...)
	return binary.BigEndian.AppendUint64(b, off)
}

func payloadLen(m *msg) int {
	switch m.Type {
	case tHaveQ, tOutboardQ:
		return 32
	case tHave:
		if m.Form == haveSome {
			return 41 + len(m.Bits)
		}
		return 41
	case tOutboard, tBlob:
		return 32 + len(m.Data)
	case tGet:
		return 40
	case tData:
		return 44 + len(m.Data)
	case tGetMany:
		return 32 * len(m.Roots)
	case tCancel:
		return 4
	case tReject:
		if m.ByRoot {
			return 33
		}
		return 5
	}
	return 0
}

// decodeMsg decodes the payload p of a message of type t. Every value has
// one encoding: anything else is an error wrapping ErrProtocol. The
// returned message may alias p.
func decodeMsg(t msgType, p []byte) (msg, error) {
	m := msg{Type: t}
	max := maxPayload(t)
	if max < 0 {
		return m, fmt.Errorf("%w: unknown message type %#02x", ErrProtocol, byte(t))
	}
	if len(p) > max {
		return m, fmt.Errorf("%w: %s of %d bytes, limit %d", ErrProtocol, t, len(p), max)
	}
	bad := func(format string, args ...any) (msg, error) {
		return msg{}, fmt.Errorf("%w: %s: %s", ErrProtocol, t, fmt.Sprintf(format, args...))
	}
	switch t {
	case tHaveQ, tOutboardQ:
		if len(p) != 32 {
			return bad("%d bytes, want 32", len(p))
		}
		copy(m.Root[:], p)
	case tHave:
		if len(p) < 41 {
			return bad("%d bytes, want at least 41", len(p))
		}
		copy(m.Root[:], p)
		m.Size = binary.BigEndian.Uint64(p[32:])
		m.Form = p[40]
		if m.Size > blob.MaxSize {
			return bad("size %d over the limit %d", m.Size, blob.MaxSize)
		}
		rest := p[41:]
		switch m.Form {
		case haveNone:
			if m.Size != 0 {
				return bad("none with size %d, want 0", m.Size)
			}
			fallthrough
		case haveAll:
			if len(rest) != 0 {
				return bad("%d bytes after the form", len(rest))
			}
		case haveSome:
			n := blob.Pieces(m.Size)
			if len(rest) != (n+7)/8 {
				return bad("bitfield of %d bytes, want %d", len(rest), (n+7)/8)
			}
			if n%8 != 0 && rest[len(rest)-1]&(0xff>>(n%8)) != 0 {
				return bad("bits set past piece %d", n)
			}
			bits := blob.Bitfield(rest)
			if c := bits.Count(); c == 0 || c == n {
				return bad("bitfield of %d of %d pieces: use none or all", c, n)
			}
			m.Bits = bits
		default:
			return bad("unknown form %d", m.Form)
		}
	case tOutboard:
		if len(p) < 32 {
			return bad("%d bytes, want at least 32", len(p))
		}
		copy(m.Root[:], p)
		m.Data = p[32:]
	case tBlob:
		if len(p) < 32 {
			return bad("%d bytes, want at least 32", len(p))
		}
		copy(m.Root[:], p)
		m.Data = p[32:]
	case tGet:
		if len(p) != 40 {
			return bad("%d bytes, want 40", len(p))
		}
		m.ID = binary.BigEndian.Uint32(p)
		copy(m.Root[:], p[4:])
		pc := binary.BigEndian.Uint32(p[36:])
		if pc >= maxPieces {
			return bad("piece %d, limit %d", pc, maxPieces-1)
		}
		m.Piece = int(pc)
	case tData:
		if len(p) <= 44 {
			return bad("%d bytes, want 45 to %d", len(p), max)
		}
		m.ID = binary.BigEndian.Uint32(p)
		copy(m.Root[:], p[4:])
		m.Offset = binary.BigEndian.Uint64(p[36:])
		m.Data = p[44:]
		if m.Offset%blob.GroupSize != 0 || m.Offset >= blob.MaxSize {
			return bad("offset %d", m.Offset)
		}
	case tGetMany:
		if len(p) == 0 || len(p)%32 != 0 {
			return bad("%d bytes, want 1 to %d roots of 32", len(p), MaxBatch)
		}
		seen := make(map[blob.Root]bool, len(p)/32)
		for i := 0; i < len(p); i += 32 {
			var r blob.Root
			copy(r[:], p[i:])
			if seen[r] {
				return bad("root %s twice", r.Short())
			}
			seen[r] = true
			m.Roots = append(m.Roots, r)
		}
	case tCancel:
		if len(p) != 4 {
			return bad("%d bytes, want 4", len(p))
		}
		m.ID = binary.BigEndian.Uint32(p)
	case tReject:
		if len(p) != 5 && len(p) != 33 {
			return bad("%d bytes, want 5 or 33", len(p))
		}
		m.Reason = Reason(p[0])
		if m.Reason < ReasonNotFound || m.Reason > ReasonInvalid {
			return bad("unknown reason %d", p[0])
		}
		if len(p) == 33 {
			m.ByRoot = true
			copy(m.Root[:], p[1:])
		} else {
			m.ID = binary.BigEndian.Uint32(p[1:])
		}
	}
	return m, nil
}

// byteReader is what frames are read from, such as a bufio.Reader.
type byteReader interface {
	io.Reader
	io.ByteReader
}

// errIdle is returned by readFrame when the read deadline passed before
// the first byte of a frame: the stream may simply be idle.
var errIdle = errors.New("blobnet: idle")

// readFrame reads one frame whose type is in allowed: the type byte, a
// minimal uvarint length at most that type's limit, the payload. It
// allocates only once the length is known to be within the limit; the
// payload goes into buf when it fits. It returns errIdle for a deadline
// passed before the first byte, and io.EOF for a stream closed there.
func readFrame(r byteReader, allowed func(msgType) bool, buf []byte) (msgType, []byte, error) {
	c, err := r.ReadByte()
	if err != nil {
		if isTimeout(err) {
			return 0, nil, errIdle
		}
		if errors.Is(err, io.EOF) {
			return 0, nil, io.EOF
		}
		return 0, nil, readErr(err)
	}
	t := msgType(c)
	max := maxPayload(t)
	if max < 0 || !allowed(t) {
		return t, nil, fmt.Errorf("%w: unexpected message type %s", ErrProtocol, t)
	}
	var x uint64
	for i := 0; ; i++ {
		if i == binary.MaxVarintLen64 {
			return t, nil, fmt.Errorf("%w: frame length overflows", ErrProtocol)
		}
		c, err := r.ReadByte()
		if err != nil {
			return t, nil, readErr(err)
		}
		x |= uint64(c&0x7f) << (7 * i)
		if x > uint64(max) {
			return t, nil, fmt.Errorf("%w: %s of more than %d bytes, limit %d", ErrProtocol, t, x, max)
		}
		if c < 0x80 {
			if c == 0 && i > 0 {
				return t, nil, fmt.Errorf("%w: frame length is not minimally encoded", ErrProtocol)
			}
			break
		}
	}
	var b []byte
	if int(x) <= cap(buf) {
		b = buf[:x]
	} else {
		b = make([]byte, x)
	}
	if _, err := io.ReadFull(r, b); err != nil {
		return t, nil, readErr(err)
	}
	return t, b, nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated frame", ErrProtocol)
	}
	return fmt.Errorf("blobnet: reading: %w", err)
}

// clientBound reports whether t is sent by servers.
func clientBound(t msgType) bool {
	return t == tHave || t == tOutboard || t == tData || t == tBlob || t == tReject
}

// serverBound reports whether t is sent by clients.
func serverBound(t msgType) bool {
	return t == tHaveQ || t == tOutboardQ || t == tGet || t == tGetMany || t == tCancel
}
