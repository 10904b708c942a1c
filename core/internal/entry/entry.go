// Package entry defines Skein's signed log entries and their canonical
// binary encoding.
//
// Every account writes one append-only log. Entry n of the log carries the
// author's Ed25519 public key, its sequence number n (starting at 1), the ID
// of entry n-1, a hybrid-logical-clock timestamp, a kind, the length and
// SHA-256 of its body, an Ed25519 signature over all of that, and the body.
// The signature covers the body through its hash, so the body can be removed
// from an entry (redacted, as after a delete) while the signature and the
// log's hash chain stay verifiable. An entry is stored and sent as the exact
// bytes that were signed, followed by the body unless it was redacted; its
// ID is the SHA-256 of the header and signature, and so does not change when
// the body is removed.
//
// The wire layout (all integers big-endian) is:
//
//	offset  size  field
//	0       1     format version, 1
//	1       32    author public key
//	33      8     sequence number, >= 1
//	41      32    ID of the previous entry (all zero for seq 1)
//	73      8     HLC wall time, milliseconds since the Unix epoch
//	81      4     HLC logical counter
//	85      1     kind (1 post, 2 follow, 3 unfollow, 4 reply, 5 repost,
//	              6 delete, 7 profile, 8 like, 9 unlike, 10 album; 0 is
//	              invalid)
//	86      2     body length n, <= MaxBody
//	88      32    SHA-256 of the body
//	120     64    Ed25519 signature over SigContext || bytes[0:120]
//	184     n     body; absent in a redacted entry
//
// A full entry is exactly BaseSize+n bytes; a redacted one is exactly
// BaseSize bytes with n > 0. Fixed-width fields make the encoding canonical:
// one Entry has exactly one encoding in each form. docs/PROTOCOL.md has the
// bodies of each kind and test vectors.
package entry

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/media"
)

// Sizes and limits of the encoding.
const (
	Version = 1
	// HeaderSize is the size of the signed part of an entry: every field
	// but the signature and the body.
	HeaderSize = 120
	// SigSize is the size of the signature that follows the header.
	SigSize = ed25519.SignatureSize
	// BaseSize is the size of an entry without its body: the header and
	// the signature. The ID is the SHA-256 of these bytes, and a redacted
	// entry is exactly this long.
	BaseSize = HeaderSize + SigSize
	// MaxBody is the longest body.
	MaxBody = 8192
	// MaxSize is the longest entry.
	MaxSize = BaseSize + MaxBody
	// MaxPostChars is the longest post or reply text, in Unicode code
	// points.
	MaxPostChars = 1000
	// MaxNameLen is the longest username a follow body may carry.
	MaxNameLen = 32
)

// Offsets of the header fields that are read on their own.
const (
	offBodyLen  = 86
	offBodyHash = 88
)

// SigContext is prepended to the header before signing, so that an entry
// signature can never be confused with any other Skein signature.
const SigContext = "skein/entry/v1\x00"

// Errors returned by Decode, Parse, Verify, Follows and the body decoders.
// Each returned error wraps exactly one of them; callers branch with
// errors.Is.
var (
	ErrMalformed    = errors.New("entry: malformed")
	ErrTooLarge     = errors.New("entry: too large")
	ErrBadSignature = errors.New("entry: bad signature")
	ErrInvalidBody  = errors.New("entry: invalid body")
	ErrBadChain     = errors.New("entry: does not extend the log")
)

// Kind says what an entry records.
type Kind uint8

// Entry kinds. Kinds this version does not know are stored and chained like
// any other entry (so old nodes can hold and serve newer logs) but are not
// shown.
const (
	KindPost     Kind = 1
	KindFollow   Kind = 2
	KindUnfollow Kind = 3
	KindReply    Kind = 4
	KindRepost   Kind = 5
	KindDelete   Kind = 6
	KindProfile  Kind = 7
	KindLike     Kind = 8
	KindUnlike   Kind = 9
	KindAlbum    Kind = 10
)

// String returns the kind's name, or kind(N) for a kind this version does
// not know.
func (k Kind) String() string {
	switch k {
	case KindPost:
		return "post"
	case KindFollow:
		return "follow"
	case KindUnfollow:
		return "unfollow"
	case KindReply:
		return "reply"
	case KindRepost:
		return "repost"
	case KindDelete:
		return "delete"
	case KindProfile:
		return "profile"
	case KindLike:
		return "like"
	case KindUnlike:
		return "unlike"
	case KindAlbum:
		return "album"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Key is an account's Ed25519 public key: the canonical identity of a user.
type Key [ed25519.PublicKeySize]byte

// KeyOf returns the Key of an Ed25519 public key.
func KeyOf(pub ed25519.PublicKey) Key {
	var k Key
	copy(k[:], pub)
	return k
}

// String returns k in lowercase hex.
func (k Key) String() string { return hex32(k) }

// Short returns the first 8 hex digits of k, for display.
func (k Key) Short() string { return hex.EncodeToString(k[:4]) }

// IsZero reports whether k is all zeros.
func (k Key) IsZero() bool { return k == Key{} }

// ParseKey parses a 64-digit hex public key.
func ParseKey(s string) (Key, error) {
	var k Key
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(k) {
		return k, fmt.Errorf("entry: invalid key %s: want %d hex digits", Quote(s), 2*len(k))
	}
	copy(k[:], b)
	return k, nil
}

// ID identifies an entry: the SHA-256 of its header and signature, the
// first BaseSize bytes of its encoding. It is the same for the full and the
// redacted form.
type ID [sha256.Size]byte

// String returns id in lowercase hex.
func (id ID) String() string { return hex32(id) }

// hex32 returns b in lowercase hex. Unlike hex.EncodeToString, which
// allocates a buffer and then the string, it allocates only the string: a
// page of the feed holds one such string per post.
func hex32(b [32]byte) string {
	var buf [64]byte
	hex.Encode(buf[:], b[:])
	return string(buf[:])
}

// IsZero reports whether id is all zeros.
func (id ID) IsZero() bool { return id == ID{} }

// Entry is one signed log entry, full or redacted. Entries returned by New,
// Decode, Parse, ParseStored and Redact are immutable: the fields, and Body
// in particular (it shares memory with Bytes), must not be modified. They
// are safe for concurrent reads.
type Entry struct {
	Author Key
	Seq    uint64
	Prev   ID
	Time   hlc.Timestamp
	Kind   Kind
	// BodyHash is the SHA-256 of the body, as signed. A redacted entry
	// keeps it.
	BodyHash [sha256.Size]byte
	// Body is nil in a redacted entry.
	Body []byte
	Sig  [SigSize]byte

	raw []byte // header, signature, and the body unless redacted
	id  ID
}

// New builds and signs the full entry at position seq of priv's log.
func New(priv ed25519.PrivateKey, seq uint64, prev ID, t hlc.Timestamp, kind Kind, body []byte) (*Entry, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, errors.New("entry: invalid private key")
	}
	e := &Entry{
		Author: KeyOf(priv.Public().(ed25519.PublicKey)),
		Seq:    seq,
		Prev:   prev,
		Time:   t,
		Kind:   kind,
		Body:   body,
	}
	if err := e.check(); err != nil {
		return nil, err
	}
	if err := e.checkBody(); err != nil {
		return nil, err
	}
	raw := make([]byte, BaseSize+len(body))
	copy(raw[BaseSize:], body)
	e.Body = raw[BaseSize:]
	e.BodyHash = sha256.Sum256(e.Body)
	e.putHeader(raw)
	copy(e.Sig[:], ed25519.Sign(priv, signedMessage(raw[:HeaderSize])))
	copy(raw[HeaderSize:BaseSize], e.Sig[:])
	e.raw = raw
	e.id = sha256.Sum256(raw[:BaseSize])
	return e, nil
}

// Decode parses b, full or redacted, and verifies its signature. It does
// not retain b.
func Decode(b []byte) (*Entry, error) {
	e, err := Parse(b)
	if err != nil {
		return nil, err
	}
	if err := e.Verify(); err != nil {
		return nil, err
	}
	return e, nil
}

// Parse parses and validates b, full or redacted, without checking the
// signature; call Verify before trusting the result. A full entry's body
// must match the body hash and suit its kind; a redacted entry has no body
// to check. Parse exists so that verification can run on several cores. It
// does not retain b.
func Parse(b []byte) (*Entry, error) {
	e, err := frame(b)
	if err != nil {
		return nil, err
	}
	if err := e.check(); err != nil {
		return nil, err
	}
	if !e.Redacted() {
		if sha256.Sum256(e.Body) != e.BodyHash {
			return nil, fmt.Errorf("%w: body does not match its hash", ErrMalformed)
		}
		if err := e.checkBody(); err != nil {
			return nil, err
		}
	}
	e.id = sha256.Sum256(e.raw[:BaseSize])
	return e, nil
}

// ParseStored parses an entry, full or redacted, that passed Decode (or
// Parse and Verify) before it was stored: it checks the framing only, not
// the fields, the body or its hash. id, if not nil, is the entry's ID as
// stored beside it, which spares hashing the entry. It does not retain b.
func ParseStored(b []byte, id *ID) (*Entry, error) {
	e, err := frame(b)
	if err != nil {
		return nil, err
	}
	if id != nil {
		e.id = *id
	} else {
		e.id = sha256.Sum256(e.raw[:BaseSize])
	}
	return e, nil
}

// frame checks b's size, version and body length and splits a copy of it
// into an Entry's fields.
func frame(b []byte) (*Entry, error) {
	if len(b) > MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(b), MaxSize)
	}
	if len(b) < BaseSize {
		return nil, fmt.Errorf("%w: %d bytes is shorter than the minimum %d", ErrMalformed, len(b), BaseSize)
	}
	if b[0] != Version {
		return nil, fmt.Errorf("%w: unknown version %d", ErrMalformed, b[0])
	}
	n := bodyLen(b)
	if n > MaxBody {
		return nil, fmt.Errorf("%w: body of %d bytes, limit %d", ErrTooLarge, n, MaxBody)
	}
	full := len(b) == BaseSize+n
	switch {
	case full || len(b) == BaseSize: // redacted if n > 0
	case n == 0:
		return nil, fmt.Errorf("%w: length %d does not match body length 0 (want %d)", ErrMalformed, len(b), BaseSize)
	default:
		return nil, fmt.Errorf("%w: length %d does not match body length %d (want %d, or %d without the body)",
			ErrMalformed, len(b), n, BaseSize+n, BaseSize)
	}
	raw := bytes.Clone(b)
	e := &Entry{
		Seq:  binary.BigEndian.Uint64(raw[33:41]),
		Time: hlc.Timestamp{Wall: binary.BigEndian.Uint64(raw[73:81]), Logical: binary.BigEndian.Uint32(raw[81:85])},
		Kind: Kind(raw[85]),
		raw:  raw,
	}
	copy(e.Author[:], raw[1:33])
	copy(e.Prev[:], raw[41:73])
	copy(e.BodyHash[:], raw[offBodyHash:HeaderSize])
	copy(e.Sig[:], raw[HeaderSize:BaseSize])
	if full {
		e.Body = raw[BaseSize:]
	}
	return e, nil
}

// bodyLen returns the body length in the header b starts with.
func bodyLen(b []byte) int { return int(binary.BigEndian.Uint16(b[offBodyLen:])) }

// Verify checks the entry's signature against its author with
// VerifySignature. The signature covers the header, and the body through
// its hash, so Verify works alike on full and redacted entries. An author
// key of small order, for which one signature fits every message, never
// verifies.
func (e *Entry) Verify() error {
	if len(e.raw) < BaseSize {
		return fmt.Errorf("%w: entry was not built by New or Parse", ErrMalformed)
	}
	if !verifyOne(e.Author, sigContext, e.raw[:HeaderSize], e.Sig[:]) {
		return fmt.Errorf("%w: %s seq %d", ErrBadSignature, e.Author.Short(), e.Seq)
	}
	return nil
}

// check validates every header field except the body hash, and the body's
// size.
func (e *Entry) check() error {
	switch {
	case e.Seq == 0:
		return fmt.Errorf("%w: seq 0", ErrMalformed)
	case e.Seq == 1 && !e.Prev.IsZero():
		return fmt.Errorf("%w: seq 1 with a previous entry", ErrMalformed)
	case e.Seq > 1 && e.Prev.IsZero():
		return fmt.Errorf("%w: seq %d without a previous entry", ErrMalformed, e.Seq)
	case e.Kind == 0:
		return fmt.Errorf("%w: kind 0", ErrMalformed)
	case e.Time.IsZero():
		return fmt.Errorf("%w: zero timestamp", ErrMalformed)
	case e.Time.Wall > maxWall:
		return fmt.Errorf("%w: timestamp after the year 9999", ErrMalformed)
	case len(e.Body) > MaxBody:
		return fmt.Errorf("%w: body of %d bytes, limit %d", ErrTooLarge, len(e.Body), MaxBody)
	}
	return nil
}

// checkBody validates the body of a full entry against its kind's rules.
func (e *Entry) checkBody() error {
	var err error
	switch e.Kind {
	case KindPost:
		_, err = ParsePost(e.Body)
	case KindFollow, KindUnfollow:
		_, err = ParseFollow(e.Body)
	case KindReply:
		_, err = ParseReply(e.Body)
	case KindRepost:
		_, err = ParseRepost(e.Body)
	case KindProfile:
		_, err = ParseProfile(e.Body)
	case KindLike, KindUnlike:
		_, err = ParseLike(e.Body)
	case KindAlbum:
		if _, aerr := media.ParseAlbumOp(e.Body); aerr != nil {
			err = fmt.Errorf("%w: album: %s", ErrInvalidBody, aerr)
		}
	case KindDelete:
		var d Delete
		d, err = ParseDelete(e.Body)
		if err == nil && d.Seq >= e.Seq {
			err = fmt.Errorf("%w: delete of seq %d in seq %d: a delete names an earlier entry of its log", ErrInvalidBody, d.Seq, e.Seq)
		}
	}
	return err
}

// Follows checks that e is the entry right after prev in the same log.
// Either or both may be redacted: the chain links IDs, not bodies.
func (e *Entry) Follows(prev *Entry) error {
	switch {
	case e.Author != prev.Author:
		return fmt.Errorf("%w: author %s after %s", ErrBadChain, e.Author.Short(), prev.Author.Short())
	case e.Seq != prev.Seq+1:
		return fmt.Errorf("%w: seq %d after %d", ErrBadChain, e.Seq, prev.Seq)
	case e.Prev != prev.ID():
		return fmt.Errorf("%w: seq %d does not link to the entry before it", ErrBadChain, e.Seq)
	case !prev.Time.Less(e.Time):
		return fmt.Errorf("%w: seq %d time %v is not after %v", ErrBadChain, e.Seq, e.Time, prev.Time)
	}
	return nil
}

// Redacted reports whether e is in redacted form: its header says it has a
// body, but the body was removed.
func (e *Entry) Redacted() bool {
	return len(e.raw) == BaseSize && bodyLen(e.raw) > 0
}

// Redact returns the redacted form of e: the same entry, with the same ID
// and signature, without its body. e itself is unchanged. An entry that is
// already redacted, or whose body is empty, is returned as it is.
func (e *Entry) Redact() *Entry {
	if len(e.raw) <= BaseSize {
		return e
	}
	r := *e
	r.Body = nil
	r.raw = make([]byte, BaseSize)
	copy(r.raw, e.raw)
	return &r
}

// Bytes returns the encoding of the form e is in: the header, the
// signature, and the body unless e is redacted. The caller must not modify
// it.
func (e *Entry) Bytes() []byte { return e.raw }

// ID returns the entry's ID.
func (e *Entry) ID() ID { return e.id }

// putHeader writes e's header into b[:HeaderSize].
func (e *Entry) putHeader(b []byte) {
	b[0] = Version
	copy(b[1:33], e.Author[:])
	binary.BigEndian.PutUint64(b[33:41], e.Seq)
	copy(b[41:73], e.Prev[:])
	binary.BigEndian.PutUint64(b[73:81], e.Time.Wall)
	binary.BigEndian.PutUint32(b[81:85], e.Time.Logical)
	b[85] = byte(e.Kind)
	binary.BigEndian.PutUint16(b[offBodyLen:offBodyHash], uint16(len(e.Body)))
	copy(b[offBodyHash:HeaderSize], e.BodyHash[:])
}

// maxWall is 9999-12-31T23:59:59.999Z in Unix milliseconds.
const maxWall = 253402300799999

// signedMessage returns what an entry's signature signs: SigContext and
// the header.
func signedMessage(header []byte) []byte {
	m := make([]byte, 0, len(SigContext)+len(header))
	return append(append(m, SigContext...), header...)
}
