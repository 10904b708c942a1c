package chatcrypt

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// Prekey record layout and limits.
const (
	// PrekeyVersion is the version byte of a PrekeyRecord.
	PrekeyVersion = 1
	// PrekeyRecordSize is the exact size of an encoded PrekeyRecord:
	// version(1) account(32) public(32) created(8) expires(8) sig(64).
	PrekeyRecordSize = 1 + 32 + 32 + 8 + 8 + ed25519.SignatureSize
	// PrekeySigContext prefixes the signed bytes of a PrekeyRecord.
	PrekeySigContext = "skein/chat-prekey/v1\x00"
	// MaxPrekeyLifetime bounds Expires - Created of a PrekeyRecord.
	MaxPrekeyLifetime = 30 * 24 * time.Hour
	// MaxClockSkew is how far in the future a record's Created may be.
	MaxClockSkew = 60 * time.Second
	// PrekeyIDSize is the size of a prekey ID.
	PrekeyIDSize = 8

	prekeySigned = PrekeyRecordSize - ed25519.SignatureSize
)

// Prekey is an account's X25519 key pair to which others wrap epoch
// secrets. Public is its public key; the private key is unexported and
// leaves only through MarshalPrivate. A Prekey is immutable and safe for
// concurrent use.
type Prekey struct {
	Public [32]byte
	priv   *ecdh.PrivateKey
}

// NewPrekey returns a new random prekey.
func NewPrekey() (*Prekey, error) {
	k, err := ecdh.X25519().GenerateKey(nil)
	if err != nil {
		return nil, fmt.Errorf("%w: generate prekey: %v", ErrMalformed, err)
	}
	return prekeyOf(k), nil
}

func prekeyOf(k *ecdh.PrivateKey) *Prekey {
	p := &Prekey{priv: k}
	copy(p.Public[:], k.PublicKey().Bytes())
	return p
}

// ID returns the prekey ID of p: PrekeyID(p.Public).
func (p *Prekey) ID() [PrekeyIDSize]byte { return PrekeyID(p.Public) }

// MarshalPrivate returns the 32-byte X25519 private key of p, for the
// owner's store (nil for a Prekey not made by NewPrekey or ParsePrivate).
// ParsePrivate reverses it.
func (p *Prekey) MarshalPrivate() []byte {
	if p == nil || p.priv == nil {
		return nil
	}
	return p.priv.Bytes()
}

// ParsePrivate returns the prekey whose private key MarshalPrivate
// returned.
func ParsePrivate(b []byte) (*Prekey, error) {
	if len(b) != 32 {
		return nil, fmt.Errorf("%w: prekey private key of %d bytes, want 32", ErrMalformed, len(b))
	}
	k, err := ecdh.X25519().NewPrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("%w: prekey private key: %v", ErrMalformed, err)
	}
	return prekeyOf(k), nil
}

// PrekeyID returns the ID of the prekey with public key pub: the first 8
// bytes of SHA-256(pub).
func PrekeyID(pub [32]byte) [PrekeyIDSize]byte {
	h := sha256.Sum256(pub[:])
	var id [PrekeyIDSize]byte
	copy(id[:], h[:])
	return id
}

// PrekeyRecord is a prekey published by an account, signed with its
// Ed25519 key. Created and Expires are Unix milliseconds. Its encoding
// (big-endian, PrekeyRecordSize bytes) is
//
//	offset  size  field
//	0       1     version, 1
//	1       32    account Ed25519 public key
//	33      32    X25519 prekey public key
//	65      8     created, Unix ms
//	73      8     expires, Unix ms; created < expires <= created + 30 days
//	81      64    Ed25519 signature over PrekeySigContext || bytes[0:81]
type PrekeyRecord struct {
	Account [32]byte
	Public  [32]byte
	Created uint64
	Expires uint64
	Sig     [64]byte
}

// SignPrekey returns the record of prekey pub for the account of priv,
// valid from created until expires.
func SignPrekey(priv ed25519.PrivateKey, pub [32]byte, created, expires time.Time) (*PrekeyRecord, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("%w: ed25519 private key of %d bytes", ErrMalformed, len(priv))
	}
	if created.UnixMilli() < 0 {
		return nil, fmt.Errorf("%w: created before 1970", ErrMalformed)
	}
	r := &PrekeyRecord{Public: pub, Created: uint64(created.UnixMilli()), Expires: uint64(max(expires.UnixMilli(), 0))}
	copy(r.Account[:], priv.Public().(ed25519.PublicKey))
	if err := r.checkTimes(); err != nil {
		return nil, err
	}
	if err := checkX25519(pub); err != nil {
		return nil, err
	}
	b := r.Encode()
	copy(r.Sig[:], ed25519.Sign(priv, signed(b)))
	return r, nil
}

// ID returns the prekey ID of the record's key: PrekeyID(r.Public).
func (r *PrekeyRecord) ID() [PrekeyIDSize]byte { return PrekeyID(r.Public) }

// Expired reports whether the record has expired at now.
func (r *PrekeyRecord) Expired(now time.Time) bool {
	return now.UnixMilli() >= 0 && uint64(now.UnixMilli()) >= r.Expires
}

// Encode returns the PrekeyRecordSize-byte encoding of r.
func (r *PrekeyRecord) Encode() []byte {
	b := make([]byte, PrekeyRecordSize)
	b[0] = PrekeyVersion
	copy(b[1:33], r.Account[:])
	copy(b[33:65], r.Public[:])
	binary.BigEndian.PutUint64(b[65:73], r.Created)
	binary.BigEndian.PutUint64(b[73:81], r.Expires)
	copy(b[81:], r.Sig[:])
	return b
}

// ParsePrekey decodes and verifies a prekey record: exact size, version,
// signature, Created no later than now+MaxClockSkew, Created < Expires <=
// Created+MaxPrekeyLifetime, and an X25519 key that is not of low order.
// An expired record is returned without error: the caller decides, with
// Expired, whether to use it. A zero now skips the check against the
// clock, for records read back from one's own store.
func ParsePrekey(b []byte, now time.Time) (*PrekeyRecord, error) {
	if len(b) != PrekeyRecordSize {
		return nil, fmt.Errorf("%w: prekey record of %d bytes, want %d", ErrMalformed, len(b), PrekeyRecordSize)
	}
	if b[0] != PrekeyVersion {
		return nil, fmt.Errorf("%w: prekey record version %d", ErrMalformed, b[0])
	}
	r := &PrekeyRecord{
		Created: binary.BigEndian.Uint64(b[65:73]),
		Expires: binary.BigEndian.Uint64(b[73:81]),
	}
	copy(r.Account[:], b[1:33])
	copy(r.Public[:], b[33:65])
	copy(r.Sig[:], b[81:])
	if err := r.checkTimes(); err != nil {
		return nil, err
	}
	if limit := now.Add(MaxClockSkew).UnixMilli(); !now.IsZero() && (limit < 0 || r.Created > uint64(limit)) {
		return nil, fmt.Errorf("%w: prekey record created %d ms, more than %v after now", ErrMalformed, r.Created, MaxClockSkew)
	}
	if !entry.VerifySignature(entry.Key(r.Account), signed(b), r.Sig[:]) {
		return nil, fmt.Errorf("%w: prekey record", ErrBadSignature)
	}
	if err := checkX25519(r.Public); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *PrekeyRecord) checkTimes() error {
	if r.Expires <= r.Created {
		return fmt.Errorf("%w: prekey record expires %d ms, not after created %d ms", ErrMalformed, r.Expires, r.Created)
	}
	if r.Expires-r.Created > uint64(MaxPrekeyLifetime.Milliseconds()) {
		return fmt.Errorf("%w: prekey record lifetime %d ms, limit %v", ErrMalformed, r.Expires-r.Created, MaxPrekeyLifetime)
	}
	return nil
}

// signed returns the bytes a record's signature covers.
func signed(enc []byte) []byte {
	return append([]byte(PrekeySigContext), enc[:prekeySigned]...)
}

// probe is a fixed X25519 scalar used to detect low-order public keys:
// every clamped scalar is a multiple of the cofactor, so a low-order
// point gives the all-zero shared secret, which crypto/ecdh rejects.
var probe = func() *ecdh.PrivateKey {
	k, err := ecdh.X25519().NewPrivateKey(make([]byte, 32))
	if err != nil {
		panic(err)
	}
	return k
}()

// checkX25519 rejects public keys of low order, to which nothing can be
// wrapped.
func checkX25519(pub [32]byte) error {
	k, err := ecdh.X25519().NewPublicKey(pub[:])
	if err == nil {
		_, err = probe.ECDH(k)
	}
	if err != nil {
		return fmt.Errorf("%w: prekey public key: %v", ErrMalformed, err)
	}
	return nil
}
