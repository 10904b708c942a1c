package chatnet

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/chatcrypt"
	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/directory"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/names"
)

// ProtocolID is the libp2p stream protocol of chat.
const ProtocolID = "/skein/chat/1.0.0"

// Limits of the protocol.
const (
	// MaxRequest bounds a request payload. A push of MaxPushEntries
	// entries may need more: Push splits its entries into requests within
	// MaxRequest. It holds seven entries of chatlog.MaxSize; every other
	// request is at most 40,036 bytes by its layout.
	MaxRequest = 1 << 20
	// MaxResponse bounds a response payload.
	MaxResponse = 8 << 20
	// MaxPushEntries is the most entries one push carries.
	MaxPushEntries = 256
	// MaxFrontier is the most (author, seq) pairs of a sync request.
	MaxFrontier = 1000
	// MaxSyncEntries is the most entries a sync answer carries.
	MaxSyncEntries = 1000
	// MaxAnswerBytes bounds the sum of the entries' sizes in a sync or a
	// get answer.
	MaxAnswerBytes = 4 << 20
	// MaxGetIDs is the most entry IDs a get asks for.
	MaxGetIDs = 64
	// MaxInboxItems is the most items an inbox answer carries.
	MaxInboxItems = 1000
	// MaxPeerID is the longest peer ID, in bytes, an inbox request names.
	MaxPeerID = 64
	// InboxSkew is how far an inbox request's time may be from the
	// server's clock, either way.
	InboxSkew = 5 * time.Minute
	// InboxSigContext starts the bytes an inbox request's signature signs.
	InboxSigContext = "skein/chat-inbox/v1\x00"
	// MaxNameRecord is the longest name record a record answer carries:
	// names.MaxSize.
	MaxNameRecord = names.MaxSize
	// MaxGroupHits is the most public groups a groups request asks for
	// and its answer carries.
	MaxGroupHits = 50
	// MaxQueryChars is the longest groups query, in code points, and
	// MaxQueryBytes in bytes: the directory's search rules
	// (directory.CheckQuery).
	MaxQueryChars = directory.MaxQueryChars
	MaxQueryBytes = directory.MaxQueryBytes
)

// Op is the first byte of a request: what it asks for.
type Op byte

// Operations.
const (
	OpPush   Op = 1 // entries of one group for the server to keep
	OpSync   Op = 2 // the entries of a group beyond a frontier
	OpGet    Op = 3 // entries of a group by ID
	OpPrekey Op = 4 // an account's latest prekey record
	OpPutKey Op = 5 // a prekey record for the server to keep
	OpInbox  Op = 6 // the groups with entries for an account since a cursor
	OpRecord Op = 7 // an account's signed name record
	OpGroups Op = 8 // public groups whose name contains a query

	maxOp = OpGroups
)

func (o Op) String() string {
	switch o {
	case OpPush:
		return "push"
	case OpSync:
		return "sync"
	case OpGet:
		return "get"
	case OpPrekey:
		return "prekey"
	case OpPutKey:
		return "putkey"
	case OpInbox:
		return "inbox"
	case OpRecord:
		return "record"
	case OpGroups:
		return "groups"
	}
	return fmt.Sprintf("op(%d)", byte(o))
}

// Pair is one author's position in a sync frontier: the requester holds
// the author's sub-log of the group up to Seq.
type Pair struct {
	Author entry.Key
	Seq    uint64
}

// InboxItem is a group with entries addressed to an inbox's recipient.
type InboxItem struct {
	Group chatlog.GroupID
	// Newest is the time of the newest such entry, Unix ms.
	Newest uint64
}

// RawGroup is one public group of a groups answer as it travels: the
// server's count of its members and its create entry, unverified.
type RawGroup struct {
	Members uint32
	Create  []byte
}

// Request is a decoded request. Which fields are set depends on Op; the
// entries and the prekey record are raw, unverified bytes.
type Request struct {
	Op       Op
	Group    chatlog.GroupID // push, sync, get
	Entries  [][]byte        // push: 1 to MaxPushEntries
	Frontier []Pair          // sync: authors strictly ascending, seqs >= 1
	IDs      []chatlog.ID    // get: 1 to MaxGetIDs, strictly ascending
	Account  entry.Key       // prekey, inbox, record
	Record   []byte          // putkey: chatcrypt.PrekeyRecordSize bytes
	Since    uint64          // inbox: the cursor
	Time     uint64          // inbox: when it was signed, Unix ms
	PeerID   []byte          // inbox: the server's peer ID, 1 to MaxPeerID bytes
	Sig      []byte          // inbox: Ed25519 signature, 64 bytes
	Limit    int             // groups: 1 to MaxGroupHits
	Query    string          // groups: as directory.CheckQuery
}

// Response is a decoded response. A response with a Status other than
// StatusOK has no other field set; with StatusOK, which fields are set
// depends on the operation of the request it answers.
type Response struct {
	Status   Status
	Accepted int         // push: how many of the entries the server kept
	More     bool        // sync: the server holds more beyond the entries
	Entries  [][]byte    // sync, get: raw, unverified
	Record   []byte      // prekey: chatcrypt.PrekeyRecordSize bytes, unverified
	Next     uint64      // inbox: the cursor to ask with next
	Items    []InboxItem // inbox: distinct groups
	// NameRecord is a record answer: 1 to MaxNameRecord bytes, unverified.
	NameRecord []byte
	// Groups is a groups answer: at most MaxGroupHits, their create
	// entries of at most MaxAnswerBytes in all.
	Groups []RawGroup
}

// Sizes of the fixed parts of the layouts.
const (
	entryLenSize = 4                          // length before each entry
	membersSize  = 4                          // a group's member count
	pairSize     = 32 + 8                     // author, seq
	itemSize     = 32 + 8                     // group, newest
	inboxFixed   = 1 + 32 + 8 + 8 + 1 + 64    // op, account, since, time, peer ID length, sig
	sigSize      = ed25519.SignatureSize      // an inbox request's signature
	recordSize   = chatcrypt.PrekeyRecordSize // a prekey record
	maxEntrySize = chatlog.MaxSize            // the largest entry
	idSize       = len(chatlog.ID{})          // an entry ID
)

// AppendRequest appends the payload of r to b. It returns an error
// wrapping ErrTooLarge for a request over a limit of the protocol, and
// ErrProtocol for one that breaks its layout's rules (unsorted IDs, a
// frontier seq of 0, a record of the wrong size).
func AppendRequest(b []byte, r *Request) ([]byte, error) {
	start := len(b)
	b = append(b, byte(r.Op))
	switch r.Op {
	case OpPush:
		if len(r.Entries) == 0 || len(r.Entries) > MaxPushEntries {
			return nil, fmt.Errorf("%w: push of %d entries, want 1 to %d", ErrTooLarge, len(r.Entries), MaxPushEntries)
		}
		b = append(b, r.Group[:]...)
		b = binary.BigEndian.AppendUint16(b, uint16(len(r.Entries)))
		var err error
		if b, err = appendEntries(b, r.Entries); err != nil {
			return nil, err
		}
		if n := len(b) - start; n > MaxRequest {
			return nil, fmt.Errorf("%w: push of %d bytes, limit %d", ErrTooLarge, n, MaxRequest)
		}
	case OpSync:
		if len(r.Frontier) > MaxFrontier {
			return nil, fmt.Errorf("%w: frontier of %d authors, limit %d", ErrTooLarge, len(r.Frontier), MaxFrontier)
		}
		b = append(b, r.Group[:]...)
		b = binary.BigEndian.AppendUint16(b, uint16(len(r.Frontier)))
		for i, p := range r.Frontier {
			if p.Seq == 0 {
				return nil, violation("frontier pair %d has seq 0", i)
			}
			if i > 0 && bytes.Compare(r.Frontier[i-1].Author[:], p.Author[:]) >= 0 {
				return nil, violation("frontier authors not strictly ascending at %d", i)
			}
			b = append(b, p.Author[:]...)
			b = binary.BigEndian.AppendUint64(b, p.Seq)
		}
	case OpGet:
		if len(r.IDs) == 0 || len(r.IDs) > MaxGetIDs {
			return nil, fmt.Errorf("%w: get of %d IDs, want 1 to %d", ErrTooLarge, len(r.IDs), MaxGetIDs)
		}
		b = append(b, r.Group[:]...)
		b = binary.BigEndian.AppendUint16(b, uint16(len(r.IDs)))
		for i, id := range r.IDs {
			if i > 0 && bytes.Compare(r.IDs[i-1][:], id[:]) >= 0 {
				return nil, violation("IDs not strictly ascending at %d", i)
			}
			b = append(b, id[:]...)
		}
	case OpPrekey:
		b = append(b, r.Account[:]...)
	case OpPutKey:
		if len(r.Record) != recordSize {
			return nil, violation("prekey record of %d bytes, want %d", len(r.Record), recordSize)
		}
		b = append(b, r.Record...)
	case OpInbox:
		if len(r.PeerID) == 0 || len(r.PeerID) > MaxPeerID {
			return nil, violation("peer ID of %d bytes, want 1 to %d", len(r.PeerID), MaxPeerID)
		}
		if len(r.Sig) != sigSize {
			return nil, violation("signature of %d bytes, want %d", len(r.Sig), sigSize)
		}
		b = appendInboxSigned(b, r)
		b = append(b, r.Sig...)
	case OpRecord:
		b = append(b, r.Account[:]...)
	case OpGroups:
		if r.Limit < 1 || r.Limit > MaxGroupHits {
			return nil, fmt.Errorf("%w: groups limit %d, want 1 to %d", ErrTooLarge, r.Limit, MaxGroupHits)
		}
		if r.Query == "" || len(r.Query) > MaxQueryBytes || utf8.RuneCountInString(r.Query) > MaxQueryChars {
			return nil, fmt.Errorf("%w: query of %d bytes, want 1 to %d code points", ErrTooLarge, len(r.Query), MaxQueryChars)
		}
		if err := checkQuery(r.Query, r.Limit); err != nil {
			return nil, err
		}
		b = append(b, byte(r.Limit))
		b = append(b, r.Query...)
	default:
		return nil, violation("unknown operation %d", byte(r.Op))
	}
	return b, nil
}

// checkQuery checks a groups query and limit with the directory's rules
// (directory.CheckQuery): 1 to MaxQueryChars code points, at most
// MaxQueryBytes bytes, valid UTF-8 without control characters, a limit of
// 1 to MaxGroupHits. Its error wraps ErrProtocol.
func checkQuery(query string, limit int) error {
	if limit < 1 || limit > MaxGroupHits {
		return violation("groups limit %d, want 1 to %d", limit, MaxGroupHits)
	}
	if err := directory.CheckQuery(query, 1); err != nil {
		return fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	return nil
}

// NameMatches reports whether a public group's name matches a groups
// query: it contains the query, both in lower case (strings.ToLower). The
// Server answers only groups whose name matches, and the client drops an
// answer with any other.
func NameMatches(name, query string) bool {
	return strings.Contains(strings.ToLower(name), strings.ToLower(query))
}

// appendInboxSigned appends the fields of an inbox request that follow its
// op and precede its signature.
func appendInboxSigned(b []byte, r *Request) []byte {
	b = append(b, r.Account[:]...)
	b = binary.BigEndian.AppendUint64(b, r.Since)
	b = binary.BigEndian.AppendUint64(b, r.Time)
	b = append(b, byte(len(r.PeerID)))
	return append(b, r.PeerID...)
}

// appendEntries appends each entry with its 4-byte length.
func appendEntries(b []byte, es [][]byte) ([]byte, error) {
	for i, e := range es {
		if len(e) == 0 || len(e) > maxEntrySize {
			return nil, fmt.Errorf("%w: entry %d of %d bytes, want 1 to %d", ErrTooLarge, i, len(e), maxEntrySize)
		}
		b = binary.BigEndian.AppendUint32(b, uint32(len(e)))
		b = append(b, e...)
	}
	return b, nil
}

// reader takes fields off a payload; every method fails once the payload
// is short.
type reader struct {
	p   []byte
	err error
}

func (r *reader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if len(r.p) < n {
		r.err = violation("truncated %s: %d bytes left, want %d", what, len(r.p), n)
		return nil
	}
	v := r.p[:n:n]
	r.p = r.p[n:]
	return v
}

func (r *reader) u16(what string) int {
	v := r.take(2, what)
	if v == nil {
		return 0
	}
	return int(binary.BigEndian.Uint16(v))
}

func (r *reader) u32(what string) uint32 {
	v := r.take(4, what)
	if v == nil {
		return 0
	}
	return binary.BigEndian.Uint32(v)
}

func (r *reader) u64(what string) uint64 {
	v := r.take(8, what)
	if v == nil {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func (r *reader) key(what string) (k [32]byte) {
	copy(k[:], r.take(32, what))
	return k
}

// entries reads n entries with their lengths, at most maxBytes of them in
// all.
func (r *reader) entries(n, maxBytes int) [][]byte {
	if r.err != nil || n == 0 {
		return nil
	}
	// Each entry takes at least its length and one byte: a count the
	// payload cannot hold fails before anything is allocated for it.
	if n > len(r.p)/(entryLenSize+1) {
		r.err = violation("%d entries in %d bytes", n, len(r.p))
		return nil
	}
	out := make([][]byte, 0, n)
	total := 0
	for i := range n {
		e := r.entry(i, &total, maxBytes)
		if e == nil {
			return nil
		}
		out = append(out, e)
	}
	return out
}

// entry reads entry i with its length, adding its size to *total, which
// may not exceed maxBytes.
func (r *reader) entry(i int, total *int, maxBytes int) []byte {
	l := r.take(entryLenSize, "entry length")
	if l == nil {
		return nil
	}
	size := binary.BigEndian.Uint32(l)
	if size == 0 || size > maxEntrySize {
		r.err = violation("entry %d of %d bytes, want 1 to %d", i, size, maxEntrySize)
		return nil
	}
	if *total += int(size); *total > maxBytes {
		r.err = violation("entries of more than %d bytes, limit %d", *total, maxBytes)
		return nil
	}
	return r.take(int(size), "entry")
}

// end fails unless the payload is read to its end.
func (r *reader) end() error {
	if r.err == nil && len(r.p) != 0 {
		r.err = violation("%d bytes after the end", len(r.p))
	}
	return r.err
}

// ParseRequest decodes a request payload. Every error wraps ErrProtocol.
// It checks the layout and the limits, not the entries or the prekey
// record within: the returned request shares p's memory.
func ParseRequest(p []byte) (*Request, error) {
	if len(p) == 0 {
		return nil, violation("empty request")
	}
	if len(p) > MaxRequest {
		return nil, violation("request of %d bytes, limit %d", len(p), MaxRequest)
	}
	req := &Request{Op: Op(p[0])}
	r := &reader{p: p[1:]}
	switch req.Op {
	case OpPush:
		req.Group = r.key("group")
		n := r.u16("entry count")
		if r.err == nil && (n == 0 || n > MaxPushEntries) {
			return nil, violation("push of %d entries, want 1 to %d", n, MaxPushEntries)
		}
		req.Entries = r.entries(n, MaxRequest)
	case OpSync:
		req.Group = r.key("group")
		n := r.u16("frontier count")
		if r.err == nil && n > MaxFrontier {
			return nil, violation("frontier of %d authors, limit %d", n, MaxFrontier)
		}
		if r.err == nil && len(r.p) != n*pairSize {
			return nil, violation("frontier of %d authors in %d bytes", n, len(r.p))
		}
		if n > 0 {
			req.Frontier = make([]Pair, n)
		}
		for i := range req.Frontier {
			pr := Pair{Author: r.key("author"), Seq: r.u64("seq")}
			if pr.Seq == 0 {
				return nil, violation("frontier pair %d has seq 0", i)
			}
			if i > 0 && bytes.Compare(req.Frontier[i-1].Author[:], pr.Author[:]) >= 0 {
				return nil, violation("frontier authors not strictly ascending at %d", i)
			}
			req.Frontier[i] = pr
		}
	case OpGet:
		req.Group = r.key("group")
		n := r.u16("ID count")
		if r.err == nil && (n == 0 || n > MaxGetIDs) {
			return nil, violation("get of %d IDs, want 1 to %d", n, MaxGetIDs)
		}
		if r.err == nil && len(r.p) != n*idSize {
			return nil, violation("%d IDs in %d bytes", n, len(r.p))
		}
		if r.err == nil {
			req.IDs = make([]chatlog.ID, n)
		}
		for i := range req.IDs {
			req.IDs[i] = r.key("ID")
			if i > 0 && bytes.Compare(req.IDs[i-1][:], req.IDs[i][:]) >= 0 {
				return nil, violation("IDs not strictly ascending at %d", i)
			}
		}
	case OpPrekey:
		req.Account = r.key("account")
	case OpPutKey:
		if len(r.p) != recordSize {
			return nil, violation("prekey record of %d bytes, want %d", len(r.p), recordSize)
		}
		req.Record = r.take(recordSize, "record")
	case OpInbox:
		req.Account = r.key("account")
		req.Since = r.u64("since")
		req.Time = r.u64("time")
		n := r.take(1, "peer ID length")
		if n != nil && (n[0] == 0 || n[0] > MaxPeerID) {
			return nil, violation("peer ID of %d bytes, want 1 to %d", n[0], MaxPeerID)
		}
		if n != nil {
			req.PeerID = r.take(int(n[0]), "peer ID")
		}
		req.Sig = r.take(sigSize, "signature")
	case OpRecord:
		req.Account = r.key("account")
	case OpGroups:
		l := r.take(1, "limit")
		if l == nil {
			return nil, r.err
		}
		req.Limit, req.Query = int(l[0]), string(r.p)
		if err := checkQuery(req.Query, req.Limit); err != nil {
			return nil, err
		}
		r.p = nil
	default:
		return nil, violation("unknown operation %d", p[0])
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return req, nil
}

// AppendResponse appends the payload of r, a response to a request of op,
// to b. It returns an error wrapping ErrProtocol for a response its
// reader would refuse.
func AppendResponse(b []byte, op Op, r *Response) ([]byte, error) {
	if r.Status > maxStatus {
		return nil, violation("unknown status %d", byte(r.Status))
	}
	b = append(b, byte(r.Status))
	if r.Status != StatusOK {
		return b, nil
	}
	start := len(b) - 1
	switch op {
	case OpPush:
		if r.Accepted < 0 || r.Accepted > MaxPushEntries {
			return nil, violation("%d accepted, want 0 to %d", r.Accepted, MaxPushEntries)
		}
		b = binary.BigEndian.AppendUint16(b, uint16(r.Accepted))
	case OpSync, OpGet:
		limit := MaxSyncEntries
		if op == OpGet {
			limit = MaxGetIDs
		} else {
			if r.More && len(r.Entries) == 0 {
				return nil, violation("more without entries")
			}
			b = append(b, boolByte(r.More))
		}
		if len(r.Entries) > limit {
			return nil, violation("%s answer of %d entries, limit %d", op, len(r.Entries), limit)
		}
		size := 0
		for _, e := range r.Entries {
			size += len(e)
		}
		if size > MaxAnswerBytes {
			return nil, violation("%s answer of %d bytes of entries, limit %d", op, size, MaxAnswerBytes)
		}
		b = binary.BigEndian.AppendUint16(b, uint16(len(r.Entries)))
		var err error
		if b, err = appendEntries(b, r.Entries); err != nil {
			return nil, errors.Join(ErrProtocol, err)
		}
	case OpPrekey:
		if len(r.Record) != recordSize {
			return nil, violation("prekey record of %d bytes, want %d", len(r.Record), recordSize)
		}
		b = append(b, r.Record...)
	case OpPutKey:
	case OpInbox:
		if len(r.Items) > MaxInboxItems {
			return nil, violation("inbox answer of %d items, limit %d", len(r.Items), MaxInboxItems)
		}
		b = binary.BigEndian.AppendUint64(b, r.Next)
		b = binary.BigEndian.AppendUint16(b, uint16(len(r.Items)))
		for _, it := range r.Items {
			b = append(b, it.Group[:]...)
			b = binary.BigEndian.AppendUint64(b, it.Newest)
		}
	case OpRecord:
		if len(r.NameRecord) == 0 || len(r.NameRecord) > MaxNameRecord {
			return nil, violation("name record of %d bytes, want 1 to %d", len(r.NameRecord), MaxNameRecord)
		}
		b = binary.BigEndian.AppendUint16(b, uint16(len(r.NameRecord)))
		b = append(b, r.NameRecord...)
	case OpGroups:
		if len(r.Groups) > MaxGroupHits {
			return nil, violation("groups answer of %d groups, limit %d", len(r.Groups), MaxGroupHits)
		}
		b = append(b, byte(len(r.Groups)))
		size := 0
		for i, g := range r.Groups {
			if len(g.Create) == 0 || len(g.Create) > maxEntrySize {
				return nil, violation("create entry %d of %d bytes, want 1 to %d", i, len(g.Create), maxEntrySize)
			}
			if size += len(g.Create); size > MaxAnswerBytes {
				return nil, violation("groups answer of %d bytes of entries, limit %d", size, MaxAnswerBytes)
			}
			b = binary.BigEndian.AppendUint32(b, g.Members)
			b = binary.BigEndian.AppendUint32(b, uint32(len(g.Create)))
			b = append(b, g.Create...)
		}
	default:
		return nil, violation("unknown operation %d", byte(op))
	}
	if n := len(b) - start; n > MaxResponse {
		return nil, violation("response of %d bytes, limit %d", n, MaxResponse)
	}
	return b, nil
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// ParseResponse decodes the payload of a response to a request of op.
// Every error wraps ErrProtocol. It checks the layout and the limits; what
// the answer holds is checked against the request by the client calls.
// The returned response shares p's memory.
func ParseResponse(op Op, p []byte) (*Response, error) {
	if len(p) == 0 {
		return nil, violation("empty response")
	}
	if len(p) > MaxResponse {
		return nil, violation("response of %d bytes, limit %d", len(p), MaxResponse)
	}
	resp := &Response{Status: Status(p[0])}
	if resp.Status > maxStatus {
		return nil, violation("unknown status %d", p[0])
	}
	r := &reader{p: p[1:]}
	if resp.Status != StatusOK {
		if err := r.end(); err != nil {
			return nil, err
		}
		return resp, nil
	}
	switch op {
	case OpPush:
		resp.Accepted = r.u16("accepted")
		if resp.Accepted > MaxPushEntries {
			return nil, violation("%d accepted, limit %d", resp.Accepted, MaxPushEntries)
		}
	case OpSync:
		more := r.take(1, "more")
		if more != nil && more[0] > 1 {
			return nil, violation("more flag %d", more[0])
		}
		resp.More = more != nil && more[0] == 1
		n := r.u16("entry count")
		if r.err == nil && n > MaxSyncEntries {
			return nil, violation("sync answer of %d entries, limit %d", n, MaxSyncEntries)
		}
		if r.err == nil && resp.More && n == 0 {
			return nil, violation("more without entries")
		}
		resp.Entries = r.entries(n, MaxAnswerBytes)
	case OpGet:
		n := r.u16("entry count")
		if r.err == nil && n > MaxGetIDs {
			return nil, violation("get answer of %d entries, limit %d", n, MaxGetIDs)
		}
		resp.Entries = r.entries(n, MaxAnswerBytes)
	case OpPrekey:
		if len(r.p) != recordSize {
			return nil, violation("prekey record of %d bytes, want %d", len(r.p), recordSize)
		}
		resp.Record = r.take(recordSize, "record")
	case OpPutKey:
	case OpInbox:
		resp.Next = r.u64("next")
		n := r.u16("item count")
		if r.err == nil && n > MaxInboxItems {
			return nil, violation("inbox answer of %d items, limit %d", n, MaxInboxItems)
		}
		if r.err == nil && len(r.p) != n*itemSize {
			return nil, violation("%d items in %d bytes", n, len(r.p))
		}
		if r.err == nil && n > 0 {
			resp.Items = make([]InboxItem, n)
		}
		for i := range resp.Items {
			resp.Items[i] = InboxItem{Group: r.key("group"), Newest: r.u64("newest")}
		}
	case OpRecord:
		n := r.u16("record length")
		if r.err == nil && (n == 0 || n > MaxNameRecord) {
			return nil, violation("name record of %d bytes, want 1 to %d", n, MaxNameRecord)
		}
		if r.err == nil && len(r.p) != n {
			return nil, violation("name record of %d bytes in %d", n, len(r.p))
		}
		resp.NameRecord = r.take(n, "name record")
	case OpGroups:
		c := r.take(1, "group count")
		if c == nil {
			return nil, r.err
		}
		n := int(c[0])
		if n > MaxGroupHits {
			return nil, violation("groups answer of %d groups, limit %d", n, MaxGroupHits)
		}
		// Each group takes at least its member count, its entry's length
		// and one byte.
		if n > len(r.p)/(membersSize+entryLenSize+1) {
			return nil, violation("%d groups in %d bytes", n, len(r.p))
		}
		if n > 0 {
			resp.Groups = make([]RawGroup, n)
		}
		total := 0
		for i := range resp.Groups {
			resp.Groups[i].Members = r.u32("member count")
			resp.Groups[i].Create = r.entry(i, &total, MaxAnswerBytes)
		}
	default:
		return nil, violation("unknown operation %d", byte(op))
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return resp, nil
}

// inboxMessage returns the bytes an inbox request's signature signs:
// InboxSigContext and the request's fields from the account to the peer ID.
func inboxMessage(r *Request) []byte {
	b := make([]byte, 0, len(InboxSigContext)+inboxFixed+len(r.PeerID))
	return appendInboxSigned(append(b, InboxSigContext...), r)
}

// SignInbox returns the inbox request of the account of priv for the
// groups with entries since the cursor since, made at now, for the server
// whose peer ID is server.
func SignInbox(priv ed25519.PrivateKey, since uint64, now time.Time, server peer.ID) (*Request, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("chatnet: Ed25519 private key of %d bytes", len(priv))
	}
	if len(server) == 0 || len(server) > MaxPeerID {
		return nil, fmt.Errorf("chatnet: peer ID of %d bytes, want 1 to %d", len(server), MaxPeerID)
	}
	ms := now.UnixMilli()
	if ms < 0 {
		return nil, fmt.Errorf("chatnet: time %v before 1970", now)
	}
	r := &Request{
		Op:      OpInbox,
		Account: entry.KeyOf(priv.Public().(ed25519.PublicKey)),
		Since:   since,
		Time:    uint64(ms),
		PeerID:  []byte(server),
	}
	r.Sig = ed25519.Sign(priv, inboxMessage(r))
	return r, nil
}

// VerifyInbox checks an inbox request for the server self at now: its
// signature by its account, its time within InboxSkew of now, and its peer
// ID self. Errors wrap ErrUnauthorized.
func VerifyInbox(r *Request, self peer.ID, now time.Time) error {
	if r.Op != OpInbox || len(r.Sig) != sigSize {
		return fmt.Errorf("%w: not an inbox request", ErrUnauthorized)
	}
	if string(r.PeerID) != string(self) {
		return fmt.Errorf("%w: made for another server", ErrUnauthorized)
	}
	skew := InboxSkew.Milliseconds()
	if d := int64(r.Time) - now.UnixMilli(); r.Time > 1<<62 || d > skew || d < -skew {
		return fmt.Errorf("%w: made at %d ms, more than %v from now", ErrUnauthorized, r.Time, InboxSkew)
	}
	if !entry.VerifySignature(r.Account, inboxMessage(r), r.Sig) {
		return fmt.Errorf("%w: bad signature", ErrUnauthorized)
	}
	return nil
}

// ByteReader is what frames are read from, such as a bufio.Reader.
type ByteReader interface {
	io.Reader
	io.ByteReader
}

// ReadFrame reads one frame of at most max payload bytes: a minimal
// uvarint length and the payload. It allocates only once the length is
// known to be within max. Errors wrap ErrProtocol, except those of r other
// than an early end, which are wrapped as they are.
func ReadFrame(r ByteReader, max int) ([]byte, error) {
	var x uint64
	for i := 0; ; i++ {
		c, err := r.ReadByte()
		if err != nil {
			return nil, readErr(err)
		}
		if i == binary.MaxVarintLen64-1 && c > 1 {
			return nil, violation("frame length overflows")
		}
		x |= uint64(c&0x7f) << (7 * i)
		if x > uint64(max) {
			return nil, violation("frame of more than %d bytes, limit %d", x, max)
		}
		if c < 0x80 {
			if c == 0 && i > 0 {
				return nil, violation("frame length is not minimally encoded")
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

// AppendFrame appends the frame of payload p to b: its uvarint length and
// p.
func AppendFrame(b, p []byte) []byte {
	return append(binary.AppendUvarint(b, uint64(len(p))), p...)
}

func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return violation("truncated frame")
	}
	return fmt.Errorf("chatnet: reading: %w", err)
}
