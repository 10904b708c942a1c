package threads

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// ID is the protocol ID of the thread protocol.
const ID = "/skein/thread/1.0.0"

// Sizes of the protocol (docs/PROTOCOL.md, "Thread").
const (
	// RequestSize is the size of a request: the post's author (32
	// bytes), seq (8) and ID (32).
	RequestSize = 72
	// MaxReplies is the most replies an answer carries.
	MaxReplies = 256
	// MaxAnswer is the largest answer, in bytes.
	MaxAnswer = 512 << 10
)

// Answer statuses.
const (
	StatusOK      = 0x00 // the replies follow
	StatusUnknown = 0x01 // the server holds no such post
	StatusRefused = 0x02 // the client is over its rate: try later
)

// Errors of the protocol.
var (
	// ErrUnknown reports an answer that the server holds no such post.
	ErrUnknown = errors.New("threads: the peer holds no such post")
	// ErrRefused reports an answer that the client is over its rate.
	ErrRefused = errors.New("threads: the peer refused the request for now")
	// ErrMalformed reports an answer or request that breaks the protocol.
	ErrMalformed = errors.New("threads: malformed message")
)

// Item is one reply of an answer: its signed entry and the likes the
// server has seen of it.
type Item struct {
	Likes uint32
	Entry []byte
}

// Answer is a server's answer to a request with StatusOK: the likes of the
// post and the replies it knows under it, each a signed entry to verify.
type Answer struct {
	Likes   uint32
	Replies []Item
}

// AppendRequest appends the request for the replies under post.
func AppendRequest(b []byte, post entry.Ref) []byte {
	b = append(b, post.Author[:]...)
	b = binary.BigEndian.AppendUint64(b, post.Seq)
	return append(b, post.ID[:]...)
}

// ReadRequest reads a request: exactly RequestSize bytes. Nothing after
// them is read.
func ReadRequest(r io.Reader) (entry.Ref, error) {
	var b [RequestSize]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return entry.Ref{}, fmt.Errorf("%w: request: %w", ErrMalformed, err)
	}
	var ref entry.Ref
	copy(ref.Author[:], b[:32])
	ref.Seq = binary.BigEndian.Uint64(b[32:])
	copy(ref.ID[:], b[40:])
	if ref.Seq == 0 || ref.ID.IsZero() {
		return entry.Ref{}, fmt.Errorf("%w: request names seq 0 or a zero ID", ErrMalformed)
	}
	return ref, nil
}

// Size returns the encoded size of a StatusOK answer.
func (a Answer) Size() int {
	n := 1 + 4 + 2
	for _, it := range a.Replies {
		n += 4 + 2 + len(it.Entry)
	}
	return n
}

// AppendAnswer appends a StatusOK answer. It fails if the answer breaks a
// limit: more than MaxReplies, an entry longer than entry.MaxSize, or
// more than MaxAnswer bytes.
func AppendAnswer(b []byte, a Answer) ([]byte, error) {
	if len(a.Replies) > MaxReplies || a.Size() > MaxAnswer {
		return nil, fmt.Errorf("threads: answer of %d replies, %d bytes, over a limit", len(a.Replies), a.Size())
	}
	b = append(b, StatusOK)
	b = binary.BigEndian.AppendUint32(b, a.Likes)
	b = binary.BigEndian.AppendUint16(b, uint16(len(a.Replies)))
	for _, it := range a.Replies {
		if len(it.Entry) > entry.MaxSize || len(it.Entry) == 0 {
			return nil, fmt.Errorf("threads: answer entry of %d bytes", len(it.Entry))
		}
		b = binary.BigEndian.AppendUint32(b, it.Likes)
		b = binary.BigEndian.AppendUint16(b, uint16(len(it.Entry)))
		b = append(b, it.Entry...)
	}
	return b, nil
}

// ReadAnswer reads an answer of at most MaxAnswer bytes: ErrUnknown or
// ErrRefused for those statuses, an error wrapping ErrMalformed if it
// breaks the protocol. The entries are neither parsed nor verified.
func ReadAnswer(r io.Reader) (Answer, error) {
	br := bufio.NewReader(io.LimitReader(r, MaxAnswer))
	status, err := br.ReadByte()
	if err != nil {
		return Answer{}, fmt.Errorf("%w: answer: %w", ErrMalformed, err)
	}
	switch status {
	case StatusOK:
	case StatusUnknown:
		return Answer{}, ErrUnknown
	case StatusRefused:
		return Answer{}, ErrRefused
	default:
		return Answer{}, fmt.Errorf("%w: answer status %#x", ErrMalformed, status)
	}
	var head [6]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return Answer{}, fmt.Errorf("%w: answer head: %w", ErrMalformed, err)
	}
	a := Answer{Likes: binary.BigEndian.Uint32(head[:])}
	n := int(binary.BigEndian.Uint16(head[4:]))
	if n > MaxReplies {
		return Answer{}, fmt.Errorf("%w: answer of %d replies, limit %d", ErrMalformed, n, MaxReplies)
	}
	a.Replies = make([]Item, 0, n)
	for i := range n {
		if _, err := io.ReadFull(br, head[:]); err != nil {
			return Answer{}, fmt.Errorf("%w: answer reply %d: %w", ErrMalformed, i+1, err)
		}
		size := int(binary.BigEndian.Uint16(head[4:]))
		if size == 0 || size > entry.MaxSize {
			return Answer{}, fmt.Errorf("%w: answer reply %d of %d bytes, limit %d", ErrMalformed, i+1, size, entry.MaxSize)
		}
		it := Item{Likes: binary.BigEndian.Uint32(head[:]), Entry: make([]byte, size)}
		if _, err := io.ReadFull(br, it.Entry); err != nil {
			return Answer{}, fmt.Errorf("%w: answer reply %d: %w", ErrMalformed, i+1, err)
		}
		a.Replies = append(a.Replies, it)
	}
	return a, nil
}

// Verified is a reply of an answer that passed Verify.
type Verified struct {
	Entry  *entry.Entry
	Parent entry.ID
	Likes  uint32
}

// Verify checks the replies of an answer about post: each must decode,
// carry a valid signature of its own author, be a reply (not redacted) and
// answer post or another reply that passed. It returns those that pass, in
// the answer's order, and the number dropped. A duplicate counts as
// dropped.
func Verify(post entry.ID, a Answer) (ok []Verified, dropped int) {
	type cand struct {
		e      *entry.Entry
		parent entry.ID
		likes  uint32
	}
	var cands []cand
	for _, it := range a.Replies {
		e, err := entry.Decode(it.Entry)
		if err != nil || e.Kind != entry.KindReply || e.Redacted() {
			dropped++
			continue
		}
		r, err := entry.ParseReply(e.Body)
		if err != nil {
			dropped++
			continue
		}
		cands = append(cands, cand{e, r.Parent.ID, it.Likes})
	}
	in := map[entry.ID]bool{post: true}
	const (
		pending = iota
		taken
		duplicate
	)
	state := make([]int, len(cands))
	for changed := true; changed; {
		changed = false
		for i, c := range cands {
			if state[i] != pending || !in[c.parent] {
				continue
			}
			changed = true
			if in[c.e.ID()] {
				state[i] = duplicate // twice in the answer, or claiming to be the post
				continue
			}
			state[i] = taken
			in[c.e.ID()] = true
		}
	}
	for i, c := range cands {
		if state[i] == taken {
			ok = append(ok, Verified{Entry: c.e, Parent: c.parent, Likes: c.likes})
		} else {
			dropped++ // outside the post's subtree, or a duplicate
		}
	}
	return ok, dropped
}

// Collect builds the answer a server gives for the post with ID root: its
// like count, then the replies under it, breadth first, each with its like
// count, as many as MaxReplies and MaxAnswer allow. children returns up to
// limit replies to an entry, likes an entry's like count.
func Collect(root entry.ID, children func(id entry.ID, limit int) []*entry.Entry, likes func(entry.ID) uint32) Answer {
	a := Answer{Likes: likes(root)}
	size := a.Size()
	queue := []entry.ID{root}
	for len(queue) > 0 && len(a.Replies) < MaxReplies {
		id := queue[0]
		queue = queue[1:]
		for _, e := range children(id, MaxReplies-len(a.Replies)) {
			if size+6+len(e.Bytes()) > MaxAnswer {
				return a
			}
			a.Replies = append(a.Replies, Item{Entry: e.Bytes(), Likes: likes(e.ID())})
			size += 6 + len(e.Bytes())
			queue = append(queue, e.ID())
		}
	}
	return a
}
