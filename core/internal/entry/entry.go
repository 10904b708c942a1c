// Package entry defines Skein's signed log entries and their canonical
// binary encoding.
//
// Every account writes one append-only log. Entry n of the log carries the
// author's Ed25519 public key, its sequence number n (starting at 1), the ID
// of entry n-1, a hybrid-logical-clock timestamp, a kind and a body, and an
// Ed25519 signature over all of that. An entry is stored and sent as the exact
// bytes that were signed; its ID is the SHA-256 of those bytes.
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
//	85      1     kind (1 post, 2 follow, 3 unfollow; 0 is invalid)
//	86      2     body length n, <= MaxBody
//	88      n     body
//	88+n    64    Ed25519 signature over SigContext || bytes[0:88+n]
//
// Fixed-width fields make the encoding canonical: one Entry has exactly one
// encoding. docs/PROTOCOL.md has the bodies of each kind and test vectors.
package entry

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"unicode/utf8"

	"filippo.io/edwards25519"

	"github.com/skein-p2p/skein/core/internal/hlc"
)

// Sizes and limits of the encoding.
const (
	Version    = 1
	HeaderSize = 88
	SigSize    = ed25519.SignatureSize
	MaxBody    = 4096
	MaxSize    = HeaderSize + MaxBody + SigSize
	// MaxPostChars is the longest post, in Unicode code points.
	MaxPostChars = 1000
	// MaxNameLen is the longest username a follow body may carry.
	MaxNameLen = 32
)

// SigContext is prepended to the unsigned encoding before signing, so that an
// entry signature can never be confused with any other Skein signature.
const SigContext = "skein/entry/v1\x00"

// Errors returned by Decode, Parse and Verify. Each returned error wraps
// exactly one of them; callers branch with errors.Is.
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
func (k Key) String() string { return hex.EncodeToString(k[:]) }

// Short returns the first 8 hex digits of k, for display.
func (k Key) Short() string { return hex.EncodeToString(k[:4]) }

// IsZero reports whether k is all zeros.
func (k Key) IsZero() bool { return k == Key{} }

// ParseKey parses a 64-digit hex public key.
func ParseKey(s string) (Key, error) {
	var k Key
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(k) {
		return k, fmt.Errorf("entry: invalid key %q: want %d hex digits", s, 2*len(k))
	}
	copy(k[:], b)
	return k, nil
}

// ID identifies an entry: the SHA-256 of its signed encoding.
type ID [sha256.Size]byte

// String returns id in lowercase hex.
func (id ID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether id is all zeros.
func (id ID) IsZero() bool { return id == ID{} }

// Entry is one signed log entry. Entries returned by New, Decode and Parse
// are immutable: the fields, and Body in particular (it shares memory with
// Bytes), must not be modified. They are safe for concurrent reads.
type Entry struct {
	Author Key
	Seq    uint64
	Prev   ID
	Time   hlc.Timestamp
	Kind   Kind
	Body   []byte
	Sig    [SigSize]byte

	raw []byte // the signed encoding
	id  ID
}

// New builds and signs the entry at position seq of priv's log.
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
	raw := make([]byte, HeaderSize+len(body), HeaderSize+len(body)+SigSize)
	e.putHeader(raw)
	copy(raw[HeaderSize:], body)
	sig := ed25519.Sign(priv, signedMessage(raw))
	copy(e.Sig[:], sig)
	e.raw = append(raw, sig...)
	e.Body = e.raw[HeaderSize : HeaderSize+len(body)]
	e.id = sha256.Sum256(e.raw)
	return e, nil
}

// Decode parses b and verifies its signature. It does not retain b.
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

// Parse parses and validates b without checking the signature; call Verify
// before trusting the result. Parse exists so that verification can run on
// several cores. It does not retain b.
func Parse(b []byte) (*Entry, error) {
	e, err := frame(b)
	if err != nil {
		return nil, err
	}
	if err := e.check(); err != nil {
		return nil, err
	}
	e.id = sha256.Sum256(e.raw)
	return e, nil
}

// ParseStored parses an entry that passed Decode (or Parse and Verify)
// before it was stored: it checks the framing only, not the fields or the
// body. id, if not nil, is the entry's ID as stored beside it, which spares
// hashing the entry. It does not retain b.
func ParseStored(b []byte, id *ID) (*Entry, error) {
	e, err := frame(b)
	if err != nil {
		return nil, err
	}
	if id != nil {
		e.id = *id
	} else {
		e.id = sha256.Sum256(e.raw)
	}
	return e, nil
}

// frame checks b's size, version and body length and splits a copy of it
// into an Entry's fields.
func frame(b []byte) (*Entry, error) {
	if len(b) > MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(b), MaxSize)
	}
	if len(b) < HeaderSize+SigSize {
		return nil, fmt.Errorf("%w: %d bytes is shorter than the minimum %d", ErrMalformed, len(b), HeaderSize+SigSize)
	}
	if b[0] != Version {
		return nil, fmt.Errorf("%w: unknown version %d", ErrMalformed, b[0])
	}
	n := int(binary.BigEndian.Uint16(b[86:88]))
	if n > MaxBody {
		return nil, fmt.Errorf("%w: body of %d bytes, limit %d", ErrTooLarge, n, MaxBody)
	}
	if len(b) != HeaderSize+n+SigSize {
		return nil, fmt.Errorf("%w: length %d does not match body length %d", ErrMalformed, len(b), n)
	}
	raw := bytes.Clone(b)
	e := &Entry{
		Seq:  binary.BigEndian.Uint64(raw[33:41]),
		Time: hlc.Timestamp{Wall: binary.BigEndian.Uint64(raw[73:81]), Logical: binary.BigEndian.Uint32(raw[81:85])},
		Kind: Kind(raw[85]),
		Body: raw[HeaderSize : HeaderSize+n],
		raw:  raw,
	}
	copy(e.Author[:], raw[1:33])
	copy(e.Prev[:], raw[41:73])
	copy(e.Sig[:], raw[HeaderSize+n:])
	return e, nil
}

// Verify checks the entry's signature against its author. An author key of
// small order, for which one signature fits every message, never verifies.
func (e *Entry) Verify() error {
	if len(e.raw) < HeaderSize+SigSize {
		return fmt.Errorf("%w: entry was not built by New or Parse", ErrMalformed)
	}
	if smallOrder(e.Author) {
		return fmt.Errorf("%w: author key %s has small order", ErrBadSignature, e.Author.Short())
	}
	if !ed25519.Verify(ed25519.PublicKey(e.Author[:]), signedMessage(e.raw[:len(e.raw)-SigSize]), e.Sig[:]) {
		return fmt.Errorf("%w: %s seq %d", ErrBadSignature, e.Author.Short(), e.Seq)
	}
	return nil
}

// check validates every field except the signature.
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
	switch e.Kind {
	case KindPost:
		_, err := ParsePost(e.Body)
		return err
	case KindFollow, KindUnfollow:
		_, err := ParseFollow(e.Body)
		return err
	}
	return nil
}

// Follows checks that e is the entry right after prev in the same log.
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

// Bytes returns the signed encoding. The caller must not modify it.
func (e *Entry) Bytes() []byte { return e.raw }

// ID returns the entry's ID.
func (e *Entry) ID() ID { return e.id }

func (e *Entry) putHeader(b []byte) {
	b[0] = Version
	copy(b[1:33], e.Author[:])
	binary.BigEndian.PutUint64(b[33:41], e.Seq)
	copy(b[41:73], e.Prev[:])
	binary.BigEndian.PutUint64(b[73:81], e.Time.Wall)
	binary.BigEndian.PutUint32(b[81:85], e.Time.Logical)
	b[85] = byte(e.Kind)
	binary.BigEndian.PutUint16(b[86:88], uint16(len(e.Body)))
}

// maxWall is 9999-12-31T23:59:59.999Z in Unix milliseconds.
const maxWall = 253402300799999

// smallOrder reports whether k is not a valid point, or a point whose order
// divides the cofactor 8: with such a key, anyone can make a signature that
// verifies.
func smallOrder(k Key) bool {
	p, err := new(edwards25519.Point).SetBytes(k[:])
	if err != nil {
		return true
	}
	return new(edwards25519.Point).MultByCofactor(p).Equal(edwards25519.NewIdentityPoint()) == 1
}

func signedMessage(unsigned []byte) []byte {
	m := make([]byte, 0, len(SigContext)+len(unsigned))
	return append(append(m, SigContext...), unsigned...)
}

// ParsePost validates a post body and returns its text: valid UTF-8 of 1 to
// MaxPostChars code points, not only white space.
func ParsePost(body []byte) (string, error) {
	if !utf8.Valid(body) {
		return "", fmt.Errorf("%w: post is not valid UTF-8", ErrInvalidBody)
	}
	n := utf8.RuneCount(body)
	if n > MaxPostChars {
		return "", fmt.Errorf("%w: post is %d characters, limit %d", ErrInvalidBody, n, MaxPostChars)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return "", fmt.Errorf("%w: post is empty", ErrInvalidBody)
	}
	return string(body), nil
}

// Follow is the body of a follow or unfollow entry: the followed account's
// key and the name it was resolved from.
type Follow struct {
	Target Key
	Name   string
}

// Bytes encodes f as: 32-byte target key, 1-byte name length, name.
func (f Follow) Bytes() []byte {
	b := make([]byte, 0, len(f.Target)+1+len(f.Name))
	b = append(b, f.Target[:]...)
	b = append(b, byte(len(f.Name)))
	return append(b, f.Name...)
}

// ParseFollow decodes and validates a follow or unfollow body.
func ParseFollow(body []byte) (Follow, error) {
	var f Follow
	if len(body) < len(f.Target)+1 {
		return f, fmt.Errorf("%w: follow body of %d bytes is too short", ErrInvalidBody, len(body))
	}
	copy(f.Target[:], body)
	n := int(body[len(f.Target)])
	name := body[len(f.Target)+1:]
	if len(name) != n {
		return f, fmt.Errorf("%w: follow name length %d does not match %d bytes", ErrInvalidBody, n, len(name))
	}
	if err := ValidName(string(name)); err != nil {
		return f, fmt.Errorf("%w: %w", ErrInvalidBody, err)
	}
	f.Name = string(name)
	return f, nil
}

// ErrInvalidName is returned for usernames that break the naming rules.
var ErrInvalidName = errors.New("invalid username")

// ValidName checks a username: 3 to 32 characters of a-z, 0-9 and _.
func ValidName(name string) error {
	if len(name) < 3 || len(name) > MaxNameLen {
		return fmt.Errorf("%w %q: use 3 to 32 characters", ErrInvalidName, name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return fmt.Errorf("%w %q: use only a-z, 0-9 and _", ErrInvalidName, name)
		}
	}
	return nil
}
