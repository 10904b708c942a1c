package syncproto

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// byteReader is what frames are read from: the length prefix a byte at a
// time, the payload in one go.
type byteReader interface {
	io.Reader
	io.ByteReader
}

// asByteReader returns r as a byteReader without buffering: a reader that
// has no ReadByte method is read one byte at a time, so that reading a
// message never consumes bytes beyond it.
func asByteReader(r io.Reader) byteReader {
	if br, ok := r.(byteReader); ok {
		return br
	}
	return &oneByteReader{Reader: r}
}

type oneByteReader struct {
	io.Reader
	b [1]byte
}

func (o *oneByteReader) ReadByte() (byte, error) {
	_, err := io.ReadFull(o.Reader, o.b[:])
	return o.b[0], err
}

// readFrame reads one frame of at most max payload bytes and returns its
// payload, in buf if it is large enough. It allocates no more than the
// announced length, and only once the length is known to be within max. An
// early end of the stream, even before the first byte, is a protocol
// violation: every exchange in this protocol has a known last message.
// what names the message in errors.
func readFrame(r byteReader, what string, max int, buf []byte) ([]byte, error) {
	n, err := readLen(r, what, max)
	if err != nil {
		return nil, err
	}
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, readErr(what, err)
	}
	return buf, nil
}

// readLen reads a frame's length prefix: a minimal uvarint no larger than
// max. It rejects an oversized length as soon as the bytes read so far show
// it, so a hostile prefix costs at most a few bytes of reading.
func readLen(r io.ByteReader, what string, max int) (int, error) {
	var x uint64
	for i := range binary.MaxVarintLen64 {
		b, err := r.ReadByte()
		if err != nil {
			return 0, readErr(what, err)
		}
		if i == binary.MaxVarintLen64-1 && b > 1 {
			break
		}
		x |= uint64(b&0x7f) << (7 * i)
		if x > uint64(max) {
			return 0, oversized(what, x, "bytes", max)
		}
		if b < 0x80 {
			if b == 0 && i > 0 {
				return 0, violation("%s length is not minimally encoded", what)
			}
			return int(x), nil
		}
	}
	return 0, violation("%s length overflows 64 bits", what)
}

// readErr turns an early end of the stream into a protocol violation and
// wraps every other read error as it is.
func readErr(what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return violation("%s truncated: %w", what, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("syncproto: reading %s: %w", what, err)
}

// appendLen appends the length prefix of an n-byte frame payload to b.
func appendLen(b []byte, n int) []byte {
	return binary.AppendUvarint(b, uint64(n))
}

// write writes b, the whole of one or more frames; what names the message
// in errors.
func write(w io.Writer, what string, b []byte) error {
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("syncproto: writing %s: %w", what, err)
	}
	return nil
}
