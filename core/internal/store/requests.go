package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// RequestWindow is how many of an account's newest own entries keep the
// request that appended them: a request whose entry is older is
// forgotten, and the same ID is then a new request.
const RequestWindow = 1000

// MaxRequestID is the longest request ID, in bytes.
const MaxRequestID = 64

// RequestSumSize is the size of a request's digest.
const RequestSumSize = 16

// Request is a client's request that appended an entry to a local
// account's own log: its ID, chosen by the client, a digest of what it
// asked for, and the seq of the entry.
type Request struct {
	ID  string
	Sum [RequestSumSize]byte
	Seq uint64
}

// Sub-tables of the request rows, after the prefix and the account.
const (
	requestByID    = 'i'
	requestBySeq   = 's'
	requestsPruned = 'p'
)

func requestIDKey(account entry.Key, id string) []byte {
	return append(append(keyOf(prefixRequest, account), requestByID), id...)
}

func requestSeqKey(account entry.Key, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(append(keyOf(prefixRequest, account), requestBySeq), seq)
}

func requestsPrunedKey(account entry.Key) []byte {
	return append(keyOf(prefixRequest, account), requestsPruned)
}

// Request returns account's request with this ID if its entry is one of
// the RequestWindow newest of the account's log, else an error wrapping
// ErrNotFound.
func (s *Store) Request(account entry.Key, id string) (Request, error) {
	key := requestIDKey(account, id)
	v, err := s.kv.Get(key)
	if err != nil {
		return Request{}, err
	}
	if len(v) != 8+RequestSumSize {
		return Request{}, corrupt("request", key)
	}
	r := Request{ID: id, Seq: binary.BigEndian.Uint64(v)}
	copy(r.Sum[:], v[8:])
	if head := s.logState(account).head.Seq; r.Seq > head || head-r.Seq >= RequestWindow {
		return Request{}, fmt.Errorf("%w: request %q is out of the window", ErrNotFound, id)
	}
	return r, nil
}

// AppendOwn appends e, the next entry of a local account's own log,
// durably, as Append(es, true) does. If r is not nil, it records in the
// same batch that request r appended e (r.Seq is ignored: it is e's);
// r.ID must be 1 to MaxRequestID bytes. In that batch it also forgets the
// requests of the account's entries that e puts out of the RequestWindow
// newest, and of any that entries appended otherwise (by sync) put out.
func (s *Store) AppendOwn(e *entry.Entry, r *Request) ([]*entry.Entry, error) {
	if r != nil && (r.ID == "" || len(r.ID) > MaxRequestID) {
		return nil, fmt.Errorf("store: request ID of %d bytes", len(r.ID))
	}
	record := func(b *Batch) error {
		if r != nil {
			v := binary.BigEndian.AppendUint64(make([]byte, 0, 8+RequestSumSize), e.Seq)
			b.Put(requestIDKey(e.Author, r.ID), append(v, r.Sum[:]...))
			b.Put(requestSeqKey(e.Author, e.Seq), []byte(r.ID))
		}
		if e.Seq <= RequestWindow {
			return nil
		}
		return s.forgetRequests(b, e.Author, e.Seq-RequestWindow)
	}
	return s.append([]*entry.Entry{e}, true, record)
}

// forgetRequests adds to b the deletion of account's requests of entries
// up to seq through, and records that they are forgotten. It scans only
// from where the last call stopped, so the deleted rows below, which
// LevelDB keeps as tombstones for a while, are never walked again.
func (s *Store) forgetRequests(b *Batch, account entry.Key, through uint64) error {
	var from uint64 = 1
	switch v, err := s.kv.Get(requestsPrunedKey(account)); {
	case err == nil:
		done, ok := decodeUint(v)
		if !ok {
			return corrupt("requests pruned", requestsPrunedKey(account))
		}
		from = done + 1
	case !errors.Is(err, ErrNotFound):
		return err
	}
	if from > through {
		return nil
	}
	it := s.kv.Find(requestSeqKey(account, from), requestSeqKey(account, through+1), false)
	for it.Next() {
		seq := binary.BigEndian.Uint64(it.Key()[len(it.Key())-8:])
		b.Delete(it.Key())
		idKey := requestIDKey(account, string(it.Value()))
		old, err := s.kv.Get(idKey)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			it.Close()
			return err
		case len(old) >= 8 && binary.BigEndian.Uint64(old) == seq:
			b.Delete(idKey)
		}
	}
	if err := it.Close(); err != nil {
		return err
	}
	b.Put(requestsPrunedKey(account), encodeUint(through))
	return nil
}
