package syncproto

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/skein-p2p/skein/core/internal/entry"
)

const (
	maxNoticeFrame = 1 + MaxNoticeEntries*(2+entry.MaxSize) + 2 + MaxNoticeName
	ack            = 0x01
	refusal        = 0x02
)

// Notice is a direct message from one peer to another, carrying 1 to
// MaxNoticeEntries signed entries, each full or redacted, exactly as
// encoded: for example the sender's follow entry that names the receiver,
// or a post the receiver should not wait for gossip to see.
//
// Name optionally carries the sender's signed name record (at most
// MaxNoticeName bytes), so the receiver can show who the sender is: a
// follow entry names the followed account, not the follower.
type Notice struct {
	Entries [][]byte
	Name    []byte
}

// MaxNoticeName is the largest name record a Notice may carry.
const MaxNoticeName = 8 << 10

// check validates n's entries structurally: their number and that each
// parses. Signatures are the receiver's business.
func (n Notice) check() error {
	switch {
	case len(n.Entries) == 0:
		return fmt.Errorf("notice without entries")
	case len(n.Entries) > MaxNoticeEntries:
		return fmt.Errorf("%w: notice of %d entries, limit %d", ErrTooLarge, len(n.Entries), MaxNoticeEntries)
	case len(n.Name) > MaxNoticeName:
		return fmt.Errorf("%w: notice name record of %d bytes, limit %d", ErrTooLarge, len(n.Name), MaxNoticeName)
	}
	for i, b := range n.Entries {
		if _, err := entry.Parse(b); err != nil {
			return fmt.Errorf("notice entry %d: %w", i+1, err)
		}
	}
	return nil
}

// WriteNotice writes n as one message. It fails without writing if n has
// no entries, more than MaxNoticeEntries (ErrTooLarge), or one that does
// not parse.
func WriteNotice(w io.Writer, n Notice) error {
	if err := n.check(); err != nil {
		return fmt.Errorf("syncproto: %w", err)
	}
	size := 1 + 2 + len(n.Name)
	for _, e := range n.Entries {
		size += 2 + len(e)
	}
	b := appendLen(make([]byte, 0, binary.MaxVarintLen32+size), size)
	b = append(b, byte(len(n.Entries)))
	for _, e := range n.Entries {
		b = binary.BigEndian.AppendUint16(b, uint16(len(e)))
		b = append(b, e...)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(n.Name)))
	b = append(b, n.Name...)
	return write(w, "notice", b)
}

// ReadNotice reads one notice message, reading nothing beyond it. The
// entries are parsed but their signatures not verified: verify them before
// trusting them. The entries share one buffer, which the caller owns.
func ReadNotice(r io.Reader) (Notice, error) {
	p, err := readFrame(asByteReader(r), "notice", maxNoticeFrame, nil)
	if err != nil {
		return Notice{}, err
	}
	if len(p) == 0 {
		return Notice{}, violation("empty notice")
	}
	count := int(p[0])
	if count > MaxNoticeEntries {
		return Notice{}, oversized("notice", uint64(count), "entries", MaxNoticeEntries)
	}
	n := Notice{Entries: make([][]byte, 0, count)}
	q := p[1:]
	for len(n.Entries) < count {
		if len(q) < 2 {
			return Notice{}, violation("notice entry %d truncated", len(n.Entries)+1)
		}
		size := int(binary.BigEndian.Uint16(q))
		if size > len(q)-2 {
			return Notice{}, violation("notice entry %d of %d bytes, %d left", len(n.Entries)+1, size, len(q)-2)
		}
		n.Entries = append(n.Entries, q[2:2+size:2+size])
		q = q[2+size:]
	}
	if len(q) < 2 {
		return Notice{}, violation("notice without its name record length")
	}
	size := int(binary.BigEndian.Uint16(q))
	if size > MaxNoticeName {
		return Notice{}, oversized("notice name record", uint64(size), "bytes", MaxNoticeName)
	}
	if size != len(q)-2 {
		return Notice{}, violation("notice name record of %d bytes, %d left", size, len(q)-2)
	}
	if size > 0 {
		n.Name = q[2:]
	}
	if err := n.check(); err != nil {
		return Notice{}, violation("%w", err)
	}
	return n, nil
}

// WriteAck writes the one-byte acknowledgement of a notice.
func WriteAck(w io.Writer) error {
	return write(w, "ack", []byte{ack})
}

// WriteRefusal writes the one-byte answer that refuses a notice for now:
// the sender is over a rate the receiver keeps, and should keep the notice
// and send it again later.
func WriteRefusal(w io.Writer) error {
	return write(w, "refusal", []byte{refusal})
}

// ReadAck reads the answer to a notice: nil for the acknowledgement, an
// error wrapping ErrRefused for a refusal (send the notice again later),
// and a protocol violation for anything else.
func ReadAck(r io.Reader) error {
	var b [1]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return readErr("ack", err)
	}
	switch b[0] {
	case ack:
		return nil
	case refusal:
		return fmt.Errorf("syncproto: notice refused for now; send it again later: %w", ErrRefused)
	}
	return violation("ack byte %#02x, want %#02x or %#02x", b[0], ack, refusal)
}
