package chat

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/store"
)

// Table bytes of the layout doc.go documents.
const (
	tVersion   = 'v'
	tOwnPrekey = 'K'
	tPrivKey   = 'k'
	tPrekeys   = 'P'
	tGroup     = 'g'

	gState    = 'm'
	gEntry    = 'e'
	gIndex    = 'i'
	gOrder    = 'o'
	gControl  = 'c'
	gPending  = 'p'
	gTip      = 't'
	gRef      = 'r'
	gFrontier = 'f'
	gIncompl  = 'u'
	gGap      = 'G'
	gSecret   = 's'
	gUndec    = 'n'
	gPlain    = 'd'
	gArrival  = 'a'
	gFork     = 'F'
)

const layoutVersion = 1

// orderKey is the display-order position of an entry: HLC wall, HLC
// logical, author, seq, big-endian, so that bytewise order is display order.
type orderKey [8 + 4 + 32 + 8]byte

func orderOf(t hlc.Timestamp, author entry.Key, seq uint64) orderKey {
	var k orderKey
	binary.BigEndian.PutUint64(k[0:], t.Wall)
	binary.BigEndian.PutUint32(k[8:], t.Logical)
	copy(k[12:], author[:])
	binary.BigEndian.PutUint64(k[44:], seq)
	return k
}

func orderOfEntry(e *chatlog.Entry) orderKey { return orderOf(e.Time, e.Author, e.Seq) }

func (k orderKey) less(o orderKey) bool { return string(k[:]) < string(o[:]) }

func groupKey(g chatlog.GroupID, table byte, parts ...[]byte) []byte {
	n := 1 + 32 + 1
	for _, p := range parts {
		n += len(p)
	}
	k := make([]byte, 0, n)
	k = append(k, tGroup)
	k = append(k, g[:]...)
	k = append(k, table)
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func seqKey(author entry.Key, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(nil), author[:]...), seq)
}

// entry meta flags, in the i rows.
const (
	flagAfterGap   = 1 << iota // delivered before its predecessors (Tick)
	flagGone                   // body collected by GC (keyless)
	flagUndecrypt              // Self lacked the key or the AEAD failed
	flagIncomplete             // delivered over a gap: its causal past is not all held
)

// meta is the i row of a delivered entry.
type meta struct {
	author    entry.Key
	seq       uint64
	time      hlc.Timestamp
	kind      chatlog.Kind
	flags     byte
	delivered int64 // ms
}

const metaLen = 32 + 8 + 8 + 4 + 1 + 1 + 8

func (m meta) encode() []byte {
	b := make([]byte, 0, metaLen)
	b = append(b, m.author[:]...)
	b = binary.BigEndian.AppendUint64(b, m.seq)
	b = binary.BigEndian.AppendUint64(b, m.time.Wall)
	b = binary.BigEndian.AppendUint32(b, m.time.Logical)
	b = append(b, byte(m.kind), m.flags)
	b = binary.BigEndian.AppendUint64(b, uint64(m.delivered))
	return b
}

var errCorrupt = errors.New("chat: corrupt store row")

func decodeMeta(b []byte) (meta, error) {
	if len(b) != metaLen {
		return meta{}, fmt.Errorf("%w: meta of %d bytes", errCorrupt, len(b))
	}
	var m meta
	copy(m.author[:], b)
	m.seq = binary.BigEndian.Uint64(b[32:])
	m.time.Wall = binary.BigEndian.Uint64(b[40:])
	m.time.Logical = binary.BigEndian.Uint32(b[48:])
	m.kind = chatlog.Kind(b[52])
	m.flags = b[53]
	m.delivered = int64(binary.BigEndian.Uint64(b[54:]))
	return m, nil
}

// gapRecord lists what a Msg delivered after a gap was missing: a range
// of its author's seqs and dep IDs.
type gapRecord struct {
	author   entry.Key
	from, to uint64 // seqs of author missing, from..to inclusive; from > to: none
	ids      []chatlog.ID
}

func (r gapRecord) encode() []byte {
	b := append([]byte(nil), r.author[:]...)
	b = binary.BigEndian.AppendUint64(b, r.from)
	b = binary.BigEndian.AppendUint64(b, r.to)
	for _, id := range r.ids {
		b = append(b, id[:]...)
	}
	return b
}

func decodeGap(b []byte) (gapRecord, error) {
	if len(b) < 48 || (len(b)-48)%32 != 0 {
		return gapRecord{}, errCorrupt
	}
	var r gapRecord
	copy(r.author[:], b)
	r.from = binary.BigEndian.Uint64(b[32:])
	r.to = binary.BigEndian.Uint64(b[40:])
	for p := b[48:]; len(p) > 0; p = p[32:] {
		var id chatlog.ID
		copy(id[:], p)
		r.ids = append(r.ids, id)
	}
	return r, nil
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
