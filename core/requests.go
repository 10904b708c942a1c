package core

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/store"
)

// Request IDs make the writes that append an entry to the logged-in
// account's own log idempotent: Post, Reply, Repost, Delete, Follow,
// Unfollow and SetProfile. A client that sent one of them and lost the answer (the
// connection broke, the daemon restarted) sends it again with the same
// request ID and gets the result of the first, instead of a second entry.

// MaxRequestIDLen is the longest request ID, in bytes.
const MaxRequestIDLen = store.MaxRequestID

// RequestWindow is how many of an account's newest own entries remember
// the request that appended them. A request retried after its entry fell
// out of the window is taken as a new one.
const RequestWindow = store.RequestWindow

type requestIDKey struct{}

// WithRequestID returns a copy of ctx carrying id, a request ID chosen by
// the client, for the Node methods that append to the account's own log.
// If the account already appended an entry for a request with this ID
// (among its RequestWindow newest entries), the method returns that
// entry's result without appending again, even across restarts: the ID is
// stored with the entry, in the same durable write. If that request asked
// for something else, the method fails with ErrRequestIDReused. An ID is
// 1 to 64 ASCII letters, digits, '-', '_', '.' and ':', such as a UUID;
// use a new one for each request.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request ID ctx carries (see WithRequestID), "" if
// none.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// CheckRequestID returns an error wrapping ErrInvalidRequestID unless id
// is a valid request ID: 1 to 64 ASCII letters, digits, '-', '_', '.' and
// ':'.
func CheckRequestID(id string) error {
	if id == "" || len(id) > MaxRequestIDLen {
		return fmt.Errorf("%w: %d bytes", ErrInvalidRequestID, len(id))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return fmt.Errorf("%w: %s holds %q", ErrInvalidRequestID, entry.Quote(id), c)
		}
	}
	return nil
}

// request is a write that carries a request ID: the ID and a digest of
// the operation and its arguments, which tells a retry from another
// request that reuses the ID.
type request struct {
	id  string
	sum [store.RequestSumSize]byte
}

// replay reads the request ID of ctx, if any, for the operation op with
// args. It returns the request to append with (nil without an ID) and the
// entry an earlier request with that ID appended, if any; the caller
// returns that entry's result instead of appending.
func (n *Node) replay(ctx context.Context, sess *session, op string, args ...string) (*request, *entry.Entry, error) {
	id := RequestID(ctx)
	if id == "" {
		return nil, nil, nil
	}
	if err := CheckRequestID(id); err != nil {
		return nil, nil, err
	}
	h := sha256.New()
	h.Write([]byte("skein/request/v1\x00" + op))
	for _, a := range args {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(a))))
		h.Write([]byte(a))
	}
	r := &request{id: id}
	copy(r.sum[:], h.Sum(nil))
	e, err := n.prior(sess, r)
	return r, e, err
}

// prior returns the entry of the session's log that an earlier request
// with r's ID appended, nil if none (or r is nil). It fails with
// ErrRequestIDReused if that request asked for something else.
func (n *Node) prior(sess *session, r *request) (*entry.Entry, error) {
	if r == nil {
		return nil, nil
	}
	got, err := n.store.Request(sess.key, r.id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if got.Sum != r.sum {
		return nil, fmt.Errorf("%w: %q", ErrRequestIDReused, r.id)
	}
	e, err := n.store.Entry(sess.key, got.Seq)
	if err != nil {
		return nil, fmt.Errorf("core: the entry of request %q: %w", r.id, err)
	}
	return e, nil
}

// settled returns nil if an earlier request with r's ID appended an entry,
// else err. A retry that races its first attempt can find that the first
// already changed what the retry checks (the post deleted, the follow
// ended) and fail on it; the first attempt's entry, stored with r's ID in
// one batch before any such change, says that it did not fail.
func (n *Node) settled(sess *session, r *request, err error) error {
	if e, perr := n.prior(sess, r); e != nil && perr == nil {
		return nil
	}
	return err
}
