package chatlog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
)

// Sizes and limits of the encoding.
const (
	// Version is the format version, the first byte of every entry.
	Version = 1
	// MaxDeps is the most dependencies one entry may name.
	MaxDeps = 4
	// MaxBody is the longest body: a rekey for 1,000 members (120,000
	// bytes of wraps) fits.
	MaxBody = 128 << 10
	// MaxWraps is the most wraps one body may carry.
	MaxWraps = 1000
	// MaxTextChars is the longest message text, in Unicode code points.
	MaxTextChars = 4000
	// MaxNameChars is the longest group name, in Unicode code points.
	MaxNameChars = 64
	// SigSize is the size of the Ed25519 signature that ends an entry.
	SigSize = ed25519.SignatureSize
	// WrapSize is the size of one Wrap: recipient, prekey ID, HPKE
	// encapsulated key, sealed epoch secret.
	WrapSize = 32 + 8 + 32 + 48
	// MaxSize is the longest entry: MaxDeps deps and a MaxBody body.
	MaxSize = headerBase + MaxDeps*32 + 4 + MaxBody + SigSize
)

// Layout offsets.
const (
	offGroup   = 1
	offAuthor  = 33
	offSeq     = 65
	offPrev    = 73
	offWall    = 105
	offLogical = 113
	offKind    = 117
	offEpoch   = 118
	offNDeps   = 134
	// headerBase is the size of the header without deps.
	headerBase = 135
	// minSize is the size of an entry with no deps and an empty body.
	minSize = headerBase + 4 + SigSize
)

// SigContext is prepended to the signed bytes, so that a chat entry
// signature can never be taken for any other Skein signature.
const SigContext = "skein/chat-entry/v1\x00"

// dmContext starts the hashed input of a DM's group ID.
const dmContext = "skein/dm/v1\x00"

// maxWall is 9999-12-31T23:59:59.999Z in Unix milliseconds.
const maxWall = 253402300799999

// GroupID names a group: GroupFor of its creator and the create's salt,
// or for a DM the hash DMGroup returns.
type GroupID [32]byte

// String returns g in lowercase hex.
func (g GroupID) String() string { return hex.EncodeToString(g[:]) }

// Short returns the first 8 hex digits of g, for display.
func (g GroupID) Short() string { return hex.EncodeToString(g[:4]) }

// IsZero reports whether g is all zeros.
func (g GroupID) IsZero() bool { return g == GroupID{} }

// ParseGroupID parses a 64-digit hex group ID.
func ParseGroupID(s string) (GroupID, error) {
	var g GroupID
	if err := parseHex(s, g[:]); err != nil {
		return g, fmt.Errorf("chatlog: invalid group ID: %w", err)
	}
	return g, nil
}

// ID identifies an entry: the SHA-256 of its whole encoding, signature
// included.
type ID [sha256.Size]byte

// String returns id in lowercase hex.
func (id ID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether id is all zeros.
func (id ID) IsZero() bool { return id == ID{} }

// ParseID parses a 64-digit hex entry ID.
func ParseID(s string) (ID, error) {
	var id ID
	if err := parseHex(s, id[:]); err != nil {
		return id, fmt.Errorf("chatlog: invalid entry ID: %w", err)
	}
	return id, nil
}

// EpochID names an epoch, the span of a group's life under one epoch
// secret. The zero EpochID means "not sealed".
type EpochID [16]byte

// IsZero reports whether e is all zeros.
func (e EpochID) IsZero() bool { return e == EpochID{} }

// String returns e in lowercase hex.
func (e EpochID) String() string { return hex.EncodeToString(e[:]) }

func parseHex(s string, dst []byte) error {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(dst) {
		return fmt.Errorf("want %d hex digits", 2*len(dst))
	}
	copy(dst, b)
	return nil
}

// Kind says what an entry records.
type Kind uint8

// Entry kinds. Kinds 1 to 8 are control entries, whose body is a Body;
// a KindMsg entry carries a message payload, sealed or not.
const (
	KindCreate Kind = 1
	KindInvite Kind = 2
	KindJoin   Kind = 3
	KindLeave  Kind = 4
	KindRemove Kind = 5
	KindRole   Kind = 6
	KindMeta   Kind = 7
	KindRekey  Kind = 8
	KindMsg    Kind = 9
)

var kindNames = [...]string{"", "create", "invite", "join", "leave", "remove", "role", "meta", "rekey", "msg"}

// String returns the kind's name, or kind(N) for an unknown kind.
func (k Kind) String() string {
	if k.known() {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Control reports whether k is a control kind (1 to 8): one that changes
// the group rather than carrying a message.
func (k Kind) Control() bool { return KindCreate <= k && k <= KindRekey }

func (k Kind) known() bool { return KindCreate <= k && k <= KindMsg }

// Role is a member's role in a group.
type Role uint8

// Roles.
const (
	RoleMember Role = 1
	RoleAdmin  Role = 2
)

// String returns the role's name, or role(N) for an unknown role.
func (r Role) String() string {
	switch r {
	case RoleMember:
		return "member"
	case RoleAdmin:
		return "admin"
	}
	return fmt.Sprintf("role(%d)", uint8(r))
}

// Flags are the settings a create entry gives its group.
type Flags uint8

// Flags. A group with neither FlagPublic nor FlagDM is private.
const (
	// FlagPublic makes a public group: plaintext, joined without an
	// invite.
	FlagPublic Flags = 1
	// FlagDM makes a direct conversation between two accounts.
	FlagDM Flags = 2
	// FlagHistoryShared lets new members read the history from before
	// they joined.
	FlagHistoryShared Flags = 4

	allFlags = FlagPublic | FlagDM | FlagHistoryShared
)

// Entry is one signed entry of a group: position seq of its author's
// sub-log in the group. See the package documentation for its layout.
type Entry struct {
	Group  GroupID
	Author entry.Key
	// Seq is the entry's position in its author's sub-log of the group,
	// from 1.
	Seq uint64
	// Prev is the ID of the author's entry seq-1 in the group; zero iff
	// Seq is 1.
	Prev ID
	Time hlc.Timestamp
	Kind Kind
	// Epoch names the epoch the body (or what it seals) is sealed under;
	// zero for plaintext.
	Epoch EpochID
	// Deps are IDs of other entries of the group this one follows,
	// strictly ascending, at most MaxDeps, none equal to Prev.
	Deps []ID
	Body []byte
	Sig  [SigSize]byte
}

// headerSize returns the size of the header: everything before the body
// length.
func (e *Entry) headerSize() int { return headerBase + 32*len(e.Deps) }

// Size returns the size of e's encoding.
func (e *Entry) Size() int { return e.headerSize() + 4 + len(e.Body) + SigSize }

// Header returns bytes[0 : 135+32*len(Deps)] of e's encoding: everything
// before the body length. It is the associated data of anything sealed in
// the entry.
func (e *Entry) Header() []byte {
	return e.appendHeader(make([]byte, 0, e.headerSize()))
}

func (e *Entry) appendHeader(b []byte) []byte {
	b = append(b, Version)
	b = append(b, e.Group[:]...)
	b = append(b, e.Author[:]...)
	b = binary.BigEndian.AppendUint64(b, e.Seq)
	b = append(b, e.Prev[:]...)
	b = binary.BigEndian.AppendUint64(b, e.Time.Wall)
	b = binary.BigEndian.AppendUint32(b, e.Time.Logical)
	b = append(b, byte(e.Kind))
	b = append(b, e.Epoch[:]...)
	b = append(b, byte(len(e.Deps)))
	for _, d := range e.Deps {
		b = append(b, d[:]...)
	}
	return b
}

// appendSigned appends the signed bytes of e: the header, the body length
// and the body.
func (e *Entry) appendSigned(b []byte) []byte {
	b = e.appendHeader(b)
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Body)))
	return append(b, e.Body...)
}

// Encode returns e's encoding, signature included. It does not check e;
// Sign and Decode do.
func (e *Entry) Encode() []byte {
	b := e.appendSigned(make([]byte, 0, e.Size()))
	return append(b, e.Sig[:]...)
}

// ID returns e's ID: the SHA-256 of its encoding.
func (e *Entry) ID() ID { return sha256.Sum256(e.Encode()) }

// Control decodes the body of a control entry, with the rules of its kind
// and those that depend on the rest of the entry (an invite expires after
// the entry's time; a DM's creator is one of its two members).
func (e *Entry) Control() (*Body, error) {
	if !e.Kind.Control() {
		return nil, fmt.Errorf("%w: a %v entry has no control body", ErrInvalidBody, e.Kind)
	}
	return e.control()
}

// Sign checks e as Decode would (structure and body rules), then signs it
// with priv, setting e.Sig. e.Author must be priv's public key.
func Sign(e *Entry, priv ed25519.PrivateKey) error {
	if len(priv) != ed25519.PrivateKeySize {
		return fmt.Errorf("%w: invalid private key", ErrBadSignature)
	}
	if entry.KeyOf(priv.Public().(ed25519.PublicKey)) != e.Author {
		return fmt.Errorf("%w: the private key is not the author's", ErrBadSignature)
	}
	if err := e.check(); err != nil {
		return err
	}
	msg := append([]byte(SigContext), e.appendSigned(make([]byte, 0, e.Size()))...)
	copy(e.Sig[:], ed25519.Sign(priv, msg))
	return nil
}

// Decode parses b, checks its structure and its body for its kind, and
// verifies its signature. It does not retain b.
func Decode(b []byte) (*Entry, error) {
	e, err := frame(b)
	if err != nil {
		return nil, err
	}
	if err := e.check(); err != nil {
		return nil, err
	}
	signed := b[:len(b)-SigSize]
	msg := make([]byte, 0, len(SigContext)+len(signed))
	msg = append(append(msg, SigContext...), signed...)
	if !entry.VerifySignature(e.Author, msg, e.Sig[:]) {
		return nil, fmt.Errorf("%w: %s seq %d in group %s", ErrBadSignature, e.Author.Short(), e.Seq, e.Group.Short())
	}
	return e, nil
}

// DecodeStored parses b, an entry that passed Decode before the caller
// stored it, checking only the framing (sizes, version, lengths): not the
// field and body rules, not the signature. It is for reading one's own
// store, where Decode's checks would only repeat; never use it on bytes
// from the network. It does not retain b.
func DecodeStored(b []byte) (*Entry, error) { return frame(b) }

// frame checks b's size, version and lengths and splits a copy of it into
// an Entry's fields.
func frame(b []byte) (*Entry, error) {
	if len(b) > MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(b), MaxSize)
	}
	if len(b) < minSize {
		return nil, fmt.Errorf("%w: %d bytes is shorter than the minimum %d", ErrMalformed, len(b), minSize)
	}
	if b[0] != Version {
		return nil, fmt.Errorf("%w: unknown version %d", ErrMalformed, b[0])
	}
	n := int(b[offNDeps])
	if n > MaxDeps {
		return nil, fmt.Errorf("%w: %d deps, limit %d", ErrMalformed, n, MaxDeps)
	}
	hs := headerBase + 32*n
	if len(b) < hs+4+SigSize {
		return nil, fmt.Errorf("%w: %d bytes is too short for %d deps", ErrMalformed, len(b), n)
	}
	bodyLen := binary.BigEndian.Uint32(b[hs:])
	if bodyLen > MaxBody {
		return nil, fmt.Errorf("%w: body of %d bytes, limit %d", ErrTooLarge, bodyLen, MaxBody)
	}
	if want := hs + 4 + int(bodyLen) + SigSize; len(b) != want {
		return nil, fmt.Errorf("%w: length %d does not match body length %d (want %d)", ErrMalformed, len(b), bodyLen, want)
	}
	e := &Entry{
		Seq:  binary.BigEndian.Uint64(b[offSeq:]),
		Time: hlc.Timestamp{Wall: binary.BigEndian.Uint64(b[offWall:]), Logical: binary.BigEndian.Uint32(b[offLogical:])},
		Kind: Kind(b[offKind]),
	}
	copy(e.Group[:], b[offGroup:])
	copy(e.Author[:], b[offAuthor:])
	copy(e.Prev[:], b[offPrev:])
	copy(e.Epoch[:], b[offEpoch:])
	if n > 0 {
		e.Deps = make([]ID, n)
		for i := range e.Deps {
			copy(e.Deps[i][:], b[headerBase+32*i:])
		}
	}
	e.Body = bytes.Clone(b[hs+4 : hs+4+int(bodyLen)])
	if e.Body == nil {
		e.Body = []byte{}
	}
	copy(e.Sig[:], b[len(b)-SigSize:])
	return e, nil
}

// check validates e's fields and its body for its kind: everything but
// the signature.
func (e *Entry) check() error {
	switch {
	case e.Seq == 0:
		return fmt.Errorf("%w: seq 0", ErrMalformed)
	case e.Seq == 1 && !e.Prev.IsZero():
		return fmt.Errorf("%w: seq 1 with a previous entry", ErrMalformed)
	case e.Seq > 1 && e.Prev.IsZero():
		return fmt.Errorf("%w: seq %d without a previous entry", ErrMalformed, e.Seq)
	case !e.Kind.known():
		return fmt.Errorf("%w: unknown kind %d", ErrMalformed, uint8(e.Kind))
	case e.Time.Wall == 0:
		return fmt.Errorf("%w: zero HLC wall time", ErrMalformed)
	case e.Time.Wall > maxWall:
		return fmt.Errorf("%w: HLC time after the year 9999", ErrMalformed)
	case len(e.Deps) > MaxDeps:
		return fmt.Errorf("%w: %d deps, limit %d", ErrMalformed, len(e.Deps), MaxDeps)
	case len(e.Body) > MaxBody:
		return fmt.Errorf("%w: body of %d bytes, limit %d", ErrTooLarge, len(e.Body), MaxBody)
	}
	for i, d := range e.Deps {
		switch {
		case d.IsZero():
			return fmt.Errorf("%w: dep %d is zero", ErrMalformed, i)
		case d == e.Prev:
			return fmt.Errorf("%w: dep %d is the previous entry", ErrMalformed, i)
		case i > 0 && bytes.Compare(e.Deps[i-1][:], d[:]) >= 0:
			return fmt.Errorf("%w: deps are not strictly ascending", ErrMalformed)
		}
	}
	if e.Kind == KindMsg {
		return e.checkMsg()
	}
	_, err := e.control()
	return err
}

// checkMsg checks a message body: not empty; a plaintext one (zero Epoch)
// must be a valid Payload.
func (e *Entry) checkMsg() error {
	if len(e.Body) == 0 {
		return fmt.Errorf("%w: empty message", ErrInvalidBody)
	}
	if e.Epoch.IsZero() {
		if _, err := DecodePayload(e.Body); err != nil {
			return err
		}
	}
	return nil
}

// control decodes a control body with the rules that need the entry.
func (e *Entry) control() (*Body, error) {
	body, err := DecodeBody(e.Kind, e.Epoch, e.Seq, e.Group, e.Body)
	if err != nil {
		return nil, err
	}
	switch e.Kind {
	case KindInvite:
		if body.Expires <= e.Time.Wall {
			return nil, fmt.Errorf("%w: invite expires at %d, not after its time %d", ErrInvalidBody, body.Expires, e.Time.Wall)
		}
	case KindCreate:
		if body.Flags&FlagDM != 0 && body.Members[0] != e.Author && body.Members[1] != e.Author {
			return nil, fmt.Errorf("%w: DM created by an account that is not one of its members", ErrInvalidBody)
		}
		if body.Flags&FlagDM == 0 && GroupFor(e.Author, body.Salt) != e.Group {
			return nil, fmt.Errorf("%w: group ID %s is not GroupFor(author, salt)", ErrInvalidBody, e.Group.Short())
		}
	}
	return body, nil
}

// DMGroup returns the group ID of the direct conversation between a and
// b: SHA-256("skein/dm/v1\x00" ‖ min(a, b) ‖ max(a, b)). It is the same
// whichever of the two asks.
func DMGroup(a, b entry.Key) GroupID {
	if bytes.Compare(a[:], b[:]) > 0 {
		a, b = b, a
	}
	h := sha256.New()
	h.Write([]byte(dmContext))
	h.Write(a[:])
	h.Write(b[:])
	var g GroupID
	h.Sum(g[:0])
	return g
}

// groupContext starts the hashed input of a (non-DM) group's ID.
const groupContext = "skein/group/v1\x00"

// GroupFor returns the ID of the group author creates with salt:
// SHA-256("skein/group/v1\x00" ‖ author ‖ salt). A non-DM create is valid
// only for this ID, so nobody but its author can create a group of that
// ID, and a create can be told from an impostor's by the entry alone.
func GroupFor(author entry.Key, salt [SaltSize]byte) GroupID {
	h := sha256.New()
	h.Write([]byte(groupContext))
	h.Write(author[:])
	h.Write(salt[:])
	var g GroupID
	h.Sum(g[:0])
	return g
}

// NewSalt returns a random salt for a create.
func NewSalt() ([SaltSize]byte, error) {
	var s [SaltSize]byte
	if _, err := rand.Read(s[:]); err != nil {
		return s, fmt.Errorf("chatlog: salt: %w", err)
	}
	return s, nil
}

// NewGroupID returns a random group ID. A create can no longer name one
// (see GroupFor); it is kept for tests and for IDs of groups that cannot
// exist.
func NewGroupID() (GroupID, error) {
	var g GroupID
	if _, err := rand.Read(g[:]); err != nil {
		return g, fmt.Errorf("chatlog: group ID: %w", err)
	}
	return g, nil
}
