package names

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multiaddr"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// Namespace is the kad-dht record namespace of name records.
const Namespace = "skein-name"

// keyPrefix starts every name's DHT key.
const keyPrefix = "/" + Namespace + "/"

// SigContext is prepended to the unsigned encoding before signing, so that a
// name signature can never be confused with any other Skein signature.
const SigContext = "skein/name/v1\x00"

// Limits of the encoding.
const (
	Version      = 2
	MaxPeerIDLen = 64 // libp2p inlines keys of up to 42 bytes; hashed IDs are 34
	MaxAddrs     = 16
	MaxAddrLen   = 256
	MaxSize      = 8 << 10 // hard cap; the field limits give at most 4,348

	fixedSize = 1 + len(entry.Key{}) + 8 + 8 + 8 + 8 // up to the name length
	minSize   = fixedSize + 1 + 3 + 1 + 1 + 1 + ed25519.SignatureSize
)

// Key returns the DHT key of name: "/skein-name/<name>". It does not check
// that name is valid.
func Key(name string) string { return keyPrefix + name }

// nameFromKey returns the name in a DHT key made by Key.
func nameFromKey(key string) (string, error) {
	name, ok := strings.CutPrefix(key, keyPrefix)
	if !ok {
		return "", fmt.Errorf("%w: %q is not in namespace %s", ErrWrongKey, key, Namespace)
	}
	if err := entry.ValidName(name); err != nil {
		return "", fmt.Errorf("%w: %w", ErrWrongKey, err)
	}
	return name, nil
}

// Record is a signed name claim. Records returned by Decode must not be
// modified; their byte slices share one buffer.
type Record struct {
	Name    string    // the claimed username
	Account entry.Key // the claiming account's public key
	Nonce   uint64    // proof of work for Account's claim of Name (HasWork)
	Created uint64    // ms since the Unix epoch when the name was first claimed, as the claimant says; informative only
	Updated uint64    // ms since the Unix epoch when this record was published; strictly increases per update
	HeadSeq uint64    // highest seq of the account's log at publish time
	PeerID  []byte    // libp2p peer ID bytes of the publishing device
	Addrs   [][]byte  // that device's multiaddrs in binary form, at most MaxAddrs of at most MaxAddrLen bytes
	Sig     [ed25519.SignatureSize]byte
}

// Sign validates r, sets its Account to priv's public key and returns its
// signed encoding. r.Sig is ignored. If r.Nonce is not proof of work for
// the account's claim of r.Name, Sign finds one with Work, which takes
// about 2^WorkBits hashes: pass the nonce of an earlier record to skip that.
func Sign(priv ed25519.PrivateKey, r Record) ([]byte, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("names: invalid private key of %d bytes", len(priv))
	}
	r.Account = entry.KeyOf(priv.Public().(ed25519.PublicKey))
	if err := r.checkFields(); err != nil {
		return nil, err
	}
	if !HasWork(r.Account, r.Name, r.Nonce) {
		r.Nonce = Work(r.Account, r.Name)
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	b := r.appendUnsigned(make([]byte, 0, r.size()))
	return append(b, ed25519.Sign(priv, signedMessage(b))...), nil
}

// Decode parses value, validates every field and verifies the signature. It
// does not retain value. It does not check the record against a DHT key or
// the clock; Validator does.
func Decode(value []byte) (Record, error) {
	r, err := parse(value)
	if err != nil {
		return Record{}, err
	}
	if err := r.verify(value); err != nil {
		return Record{}, err
	}
	return r, nil
}

// parse decodes and validates value without checking the signature.
func parse(value []byte) (Record, error) {
	var r Record
	if len(value) > MaxSize {
		return r, fmt.Errorf("%w: %d bytes, limit %d", ErrMalformed, len(value), MaxSize)
	}
	if len(value) < minSize {
		return r, fmt.Errorf("%w: %d bytes is shorter than the minimum %d", ErrMalformed, len(value), minSize)
	}
	if value[0] != Version {
		return r, fmt.Errorf("%w: unknown version %d", ErrMalformed, value[0])
	}
	raw := bytes.Clone(value)
	d := decoder{b: raw[:len(raw)-ed25519.SignatureSize], off: 1}
	copy(r.Account[:], d.next(len(r.Account)))
	r.Nonce = d.uint64()
	r.Created = d.uint64()
	r.Updated = d.uint64()
	r.HeadSeq = d.uint64()
	r.Name = string(d.next(int(d.byte())))
	r.PeerID = d.next(int(d.byte()))
	n := int(d.byte())
	if n > MaxAddrs {
		return r, fmt.Errorf("%w: %d addresses, limit %d", ErrMalformed, n, MaxAddrs)
	}
	if n > 0 {
		r.Addrs = make([][]byte, n)
		for i := range r.Addrs {
			r.Addrs[i] = d.next(int(d.uint16()))
		}
	}
	if d.short {
		return r, fmt.Errorf("%w: truncated", ErrMalformed)
	}
	if d.off != len(d.b) {
		return r, fmt.Errorf("%w: %d trailing bytes before the signature", ErrMalformed, len(d.b)-d.off)
	}
	copy(r.Sig[:], raw[len(raw)-ed25519.SignatureSize:])
	if err := r.check(); err != nil {
		return r, err
	}
	return r, nil
}

// verify checks r's signature over value, the encoding r was parsed from.
func (r *Record) verify(value []byte) error {
	unsigned := value[:len(value)-ed25519.SignatureSize]
	if !entry.VerifySignature(r.Account, signedMessage(unsigned), r.Sig[:]) {
		return fmt.Errorf("%w: name %q by %s", ErrBadSignature, r.Name, r.Account.Short())
	}
	return nil
}

// check validates every field except the signature, and last the work.
func (r *Record) check() error {
	if err := r.checkFields(); err != nil {
		return err
	}
	if !HasWork(r.Account, r.Name, r.Nonce) {
		return fmt.Errorf("%w: nonce %d for %q by %s", ErrNoWork, r.Nonce, r.Name, r.Account.Short())
	}
	return nil
}

// checkFields validates every field but the work and the signature.
func (r *Record) checkFields() error {
	if err := entry.ValidName(r.Name); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	switch {
	case r.Created == 0:
		return fmt.Errorf("%w: zero Created time", ErrMalformed)
	case r.Updated < r.Created:
		return fmt.Errorf("%w: Updated %d is before Created %d", ErrMalformed, r.Updated, r.Created)
	case len(r.PeerID) == 0 || len(r.PeerID) > MaxPeerIDLen:
		return fmt.Errorf("%w: peer ID of %d bytes, want 1 to %d", ErrMalformed, len(r.PeerID), MaxPeerIDLen)
	case len(r.Addrs) > MaxAddrs:
		return fmt.Errorf("%w: %d addresses, limit %d", ErrMalformed, len(r.Addrs), MaxAddrs)
	}
	if _, err := peer.IDFromBytes(r.PeerID); err != nil {
		return fmt.Errorf("%w: peer ID: %v", ErrMalformed, err)
	}
	for i, a := range r.Addrs {
		if len(a) == 0 || len(a) > MaxAddrLen {
			return fmt.Errorf("%w: address %d of %d bytes, want 1 to %d", ErrMalformed, i, len(a), MaxAddrLen)
		}
		m, err := multiaddr.NewMultiaddrBytes(a)
		if err != nil {
			return fmt.Errorf("%w: address %d: %v", ErrMalformed, i, err)
		}
		if !bytes.Equal(m.Bytes(), a) {
			return fmt.Errorf("%w: address %d is not in canonical form", ErrMalformed, i)
		}
	}
	return nil
}

// size returns the length of r's signed encoding.
func (r *Record) size() int {
	n := fixedSize + 1 + len(r.Name) + 1 + len(r.PeerID) + 1 + ed25519.SignatureSize
	for _, a := range r.Addrs {
		n += 2 + len(a)
	}
	return n
}

// appendUnsigned appends the encoding of r without its signature to b. r
// must be valid.
func (r *Record) appendUnsigned(b []byte) []byte {
	b = append(b, Version)
	b = append(b, r.Account[:]...)
	b = binary.BigEndian.AppendUint64(b, r.Nonce)
	b = binary.BigEndian.AppendUint64(b, r.Created)
	b = binary.BigEndian.AppendUint64(b, r.Updated)
	b = binary.BigEndian.AppendUint64(b, r.HeadSeq)
	b = append(b, byte(len(r.Name)))
	b = append(b, r.Name...)
	b = append(b, byte(len(r.PeerID)))
	b = append(b, r.PeerID...)
	b = append(b, byte(len(r.Addrs)))
	for _, a := range r.Addrs {
		b = binary.BigEndian.AppendUint16(b, uint16(len(a)))
		b = append(b, a...)
	}
	return b
}

func signedMessage(unsigned []byte) []byte {
	m := make([]byte, 0, len(SigContext)+len(unsigned))
	return append(append(m, SigContext...), unsigned...)
}

// decoder reads fields from b. Reading past the end sets short and returns
// zero values, so a caller checks once at the end.
type decoder struct {
	b     []byte
	off   int
	short bool
}

func (d *decoder) next(n int) []byte {
	if d.short || n > len(d.b)-d.off {
		d.short = true
		return nil
	}
	s := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return s
}

func (d *decoder) byte() byte {
	if s := d.next(1); s != nil {
		return s[0]
	}
	return 0
}

func (d *decoder) uint16() uint16 {
	if s := d.next(2); s != nil {
		return binary.BigEndian.Uint16(s)
	}
	return 0
}

func (d *decoder) uint64() uint64 {
	if s := d.next(8); s != nil {
		return binary.BigEndian.Uint64(s)
	}
	return 0
}
