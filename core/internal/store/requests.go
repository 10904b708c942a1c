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
	requestByID  = 'i'
	requestBySeq = 's'
)

func requestIDKey(account entry.Key, id string) []byte {
	return append(append(keyOf(prefixRequest, account), requestByID), id...)
}

func requestSeqKey(account entry.Key, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(append(keyOf(prefixRequest, account), requestBySeq), seq)
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

// AppendRequest appends e, the next entry of a local account's own log,
// durably, as Append(es, true) does, and records in the same batch that
// request r appended it (r.Seq is ignored: it is e's). It forgets, in the
// same batch, the requests of the account's entries that fall out of the
// RequestWindow newest. r.ID must be 1 to MaxRequestID bytes.
func (s *Store) AppendRequest(e *entry.Entry, r Request) ([]*entry.Entry, error) {
	if r.ID == "" || len(r.ID) > MaxRequestID {
		return nil, fmt.Errorf("store: request ID of %d bytes", len(r.ID))
	}
	record := func(b *Batch) error {
		v := binary.BigEndian.AppendUint64(make([]byte, 0, 8+RequestSumSize), e.Seq)
		b.Put(requestIDKey(e.Author, r.ID), append(v, r.Sum[:]...))
		b.Put(requestSeqKey(e.Author, e.Seq), []byte(r.ID))
		if e.Seq <= RequestWindow {
			return nil
		}
		// Forget every request out of the window, not only the one just
		// before it: appends without a request do not forget.
		start := requestSeqKey(e.Author, 0)
		end := requestSeqKey(e.Author, e.Seq-RequestWindow+1)
		it := s.kv.Find(start, end, false)
		for it.Next() {
			id := string(it.Value())
			b.Delete(it.Key())
			idKey := requestIDKey(e.Author, id)
			old, err := s.kv.Get(idKey)
			switch {
			case errors.Is(err, ErrNotFound):
			case err != nil:
				it.Close()
				return err
			case len(old) >= 8 && binary.BigEndian.Uint64(old) == binary.BigEndian.Uint64(it.Key()[len(it.Key())-8:]):
				b.Delete(idKey)
			}
		}
		return it.Close()
	}
	return s.append([]*entry.Entry{e}, true, record)
}
