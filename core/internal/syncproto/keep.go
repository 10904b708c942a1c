package syncproto

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// KeepID is the protocol a store-and-forward relay serves: a client asks it
// to keep the logs its account follows.
const KeepID = "/skein/keep/1.0.0"

// MaxKeepAuthors is the most authors one KeepRequest may list.
const MaxKeepAuthors = MaxWants

// keepContext is prepended to a keep request before signing, so that its
// signature can never be confused with any other Skein signature.
const keepContext = "skein/keep/v1\x00"

const (
	keepVersion  = 1
	maxKeepFrame = 1 + 32 + 8 + 2 + MaxKeepAuthors*32 + ed25519.SignatureSize
	maxKeepReply = 1 + 256
)

// KeepRequest asks a store-and-forward relay to keep, on the account's
// behalf, the logs of Authors: the whole list, replacing any earlier one.
// The account signs it, so nobody else can change what is kept for it.
type KeepRequest struct {
	Account entry.Key
	Time    uint64 // ms since the Unix epoch; a relay ignores requests older than the last it took
	Authors []entry.Key
	Sig     [ed25519.SignatureSize]byte
}

// unsigned returns the request's encoding without its signature.
func (k *KeepRequest) unsigned() []byte {
	b := make([]byte, 0, 1+32+8+2+32*len(k.Authors)+ed25519.SignatureSize)
	b = append(b, keepVersion)
	b = append(b, k.Account[:]...)
	b = binary.BigEndian.AppendUint64(b, k.Time)
	b = binary.BigEndian.AppendUint16(b, uint16(len(k.Authors)))
	for _, a := range k.Authors {
		b = append(b, a[:]...)
	}
	return b
}

// Sign sets k.Account to priv's key and signs k.
func (k *KeepRequest) Sign(priv ed25519.PrivateKey) error {
	if len(k.Authors) > MaxKeepAuthors {
		return fmt.Errorf("%w: keep request for %d authors, limit %d", ErrTooLarge, len(k.Authors), MaxKeepAuthors)
	}
	k.Account = entry.KeyOf(priv.Public().(ed25519.PublicKey))
	copy(k.Sig[:], ed25519.Sign(priv, append([]byte(keepContext), k.unsigned()...)))
	return nil
}

// Verify reports whether k carries its account's signature, by
// entry.VerifySignature: a small-order account key never verifies.
func (k *KeepRequest) Verify() bool {
	return entry.VerifySignature(k.Account, append([]byte(keepContext), k.unsigned()...), k.Sig[:])
}

// WriteKeep writes k, signed, as one message.
func WriteKeep(w io.Writer, k KeepRequest) error {
	if len(k.Authors) > MaxKeepAuthors {
		return fmt.Errorf("syncproto: %w: keep request for %d authors, limit %d", ErrTooLarge, len(k.Authors), MaxKeepAuthors)
	}
	p := append(k.unsigned(), k.Sig[:]...)
	b := appendLen(make([]byte, 0, binary.MaxVarintLen32+len(p)), len(p))
	return write(w, "keep request", append(b, p...))
}

// ReadKeep reads one keep request. It checks the encoding, not the
// signature: call Verify.
func ReadKeep(r io.Reader) (KeepRequest, error) {
	p, err := readFrame(asByteReader(r), "keep request", maxKeepFrame, nil)
	if err != nil {
		return KeepRequest{}, err
	}
	const fixed = 1 + 32 + 8 + 2
	if len(p) < fixed+ed25519.SignatureSize {
		return KeepRequest{}, violation("keep request of %d bytes is truncated", len(p))
	}
	if p[0] != keepVersion {
		return KeepRequest{}, violation("keep request version %d, want %d", p[0], keepVersion)
	}
	var k KeepRequest
	copy(k.Account[:], p[1:33])
	k.Time = binary.BigEndian.Uint64(p[33:41])
	count := int(binary.BigEndian.Uint16(p[41:43]))
	if count > MaxKeepAuthors {
		return KeepRequest{}, oversized("keep request", uint64(count), "authors", MaxKeepAuthors)
	}
	if len(p) != fixed+32*count+ed25519.SignatureSize {
		return KeepRequest{}, violation("keep request of %d bytes for %d authors", len(p), count)
	}
	k.Authors = make([]entry.Key, count)
	for i := range k.Authors {
		copy(k.Authors[i][:], p[fixed+32*i:])
	}
	copy(k.Sig[:], p[fixed+32*count:])
	return k, nil
}

// WriteKeepReply answers a keep request: accepted if reason is "", else
// refused for reason (at most 256 bytes are sent).
func WriteKeepReply(w io.Writer, reason string) error {
	if len(reason) > maxKeepReply-1 {
		reason = reason[:maxKeepReply-1]
	}
	p := []byte{0}
	if reason != "" {
		p = append([]byte{1}, reason...)
	}
	b := appendLen(make([]byte, 0, binary.MaxVarintLen32+len(p)), len(p))
	return write(w, "keep reply", append(b, p...))
}

// ReadKeepReply reads the answer to a keep request: nil if it was
// accepted, an error wrapping ErrRefused with the relay's reason if not.
func ReadKeepReply(r io.Reader) error {
	p, err := readFrame(asByteReader(r), "keep reply", maxKeepReply, nil)
	if err != nil {
		return err
	}
	switch {
	case len(p) == 1 && p[0] == 0:
		return nil
	case len(p) > 1 && p[0] == 1:
		return fmt.Errorf("%w: %q", ErrRefused, p[1:])
	}
	return violation("malformed keep reply")
}
