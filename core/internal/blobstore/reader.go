package blobstore

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/skein-p2p/skein/core/internal/blob"
)

// Reader reads a complete blob, verifying each piece against the root
// before returning any of its bytes. A piece found corrupt is dropped from
// the blob (it becomes incomplete) and Read returns an error wrapping
// ErrBadData. While a Reader is open the blob is not evicted. A Reader is
// not safe for concurrent use; Close it after use.
type Reader struct {
	s      *Store
	root   blob.Root
	size   int64
	inline []byte
	f      *os.File
	ob     []byte
	pos    int64
	piece  int // index of the piece in buf, -1 if none
	buf    []byte
	closed atomic.Bool
}

// Open returns a Reader of the complete blob root: ErrNotFound if the
// store does not hold it, ErrIncomplete if it holds only part.
func (s *Store) Open(root blob.Root) (*Reader, error) {
	s.mu.Lock()
	m := s.metas[root]
	switch {
	case s.closed:
		s.mu.Unlock()
		return nil, ErrClosed
	case m == nil:
		s.mu.Unlock()
		return nil, ErrNotFound
	case !m.complete:
		s.mu.Unlock()
		return nil, fmt.Errorf("blobstore: %s: %w", root.Short(), ErrIncomplete)
	}
	r := &Reader{s: s, root: root, size: int64(m.size), inline: m.inline, piece: -1}
	s.busy[root]++
	s.mu.Unlock()
	if r.inline != nil {
		if blob.Sum(r.inline) != root {
			r.Close()
			s.dropPiece(root, 0, "inline row")
			return nil, fmt.Errorf("blobstore: %s: %w", root.Short(), ErrBadData)
		}
		return r, nil
	}
	ob, err := s.outboard(root, uint64(r.size))
	if err != nil {
		r.Close()
		return nil, err
	}
	f, err := os.Open(s.path(root, ".data"))
	if err != nil {
		r.Close()
		if errors.Is(err, os.ErrNotExist) {
			s.dropAll(root)
			return nil, fmt.Errorf("blobstore: %s: %w: data file gone", root.Short(), ErrBadData)
		}
		return nil, fmt.Errorf("blobstore: %w", err)
	}
	r.f, r.ob = f, ob
	return r, nil
}

// Size returns the size of the blob in bytes.
func (r *Reader) Size() int64 { return r.size }

// Read reads verified bytes of the blob.
func (r *Reader) Read(p []byte) (int, error) {
	if r.closed.Load() {
		return 0, ErrClosed
	}
	if r.pos >= r.size {
		return 0, io.EOF
	}
	if r.inline != nil {
		n := copy(p, r.inline[r.pos:])
		r.pos += int64(n)
		return n, nil
	}
	i := int(r.pos / blob.PieceSize)
	if r.piece != i {
		b, err := r.s.readPiece(r.f, r.root, uint64(r.size), r.ob, i, r.buf)
		if err != nil {
			r.piece = -1
			return 0, err
		}
		r.buf, r.piece = b, i
	}
	n := copy(p, r.buf[r.pos-int64(i)*blob.PieceSize:])
	r.pos += int64(n)
	return n, nil
}

// Seek sets the offset of the next Read, as io.Seeker.
func (r *Reader) Seek(offset int64, whence int) (int64, error) {
	if r.closed.Load() {
		return 0, ErrClosed
	}
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, errors.New("blobstore: Seek: invalid whence")
	}
	if offset < 0 {
		return 0, errors.New("blobstore: Seek: negative position")
	}
	r.pos = offset
	return offset, nil
}

// Close releases the Reader. Calling it twice is safe.
func (r *Reader) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	r.s.mu.Lock()
	if r.s.busy[r.root]--; r.s.busy[r.root] <= 0 {
		delete(r.s.busy, r.root)
	}
	r.s.mu.Unlock()
	if r.f != nil {
		return r.f.Close()
	}
	return nil
}

// Bytes returns the whole complete blob root, verified, if it has at most
// max bytes (else an error wrapping ErrTooLarge).
func (s *Store) Bytes(root blob.Root, max int64) ([]byte, error) {
	r, err := s.Open(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if r.Size() > max {
		return nil, fmt.Errorf("blobstore: %s: %w: %d bytes, more than %d", root.Short(), ErrTooLarge, r.Size(), max)
	}
	b := make([]byte, r.Size())
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return b, nil
}
