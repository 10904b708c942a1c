package chatcrypt

import (
	"crypto/ecdh"
	"crypto/hpke"
	"fmt"
)

// Wrap sizes.
const (
	// EncSize is the size of an HPKE encapsulated key (an X25519 public key).
	EncSize = 32
	// WrappedSize is the size of a wrapped secret: the secret and its tag.
	WrappedSize = SecretSize + TagSize
)

// suite: RFC 9180 base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
// ChaCha20-Poly1305.
var (
	wrapKEM  = hpke.DHKEM(ecdh.X25519())
	wrapKDF  = hpke.HKDFSHA256()
	wrapAEAD = hpke.ChaCha20Poly1305()
)

// wrapContext returns the HPKE info of a wrap:
// "skein/chat/wrap/v1\x00" || group || epoch.
func wrapContext(group [32]byte, epoch [EpochIDSize]byte) []byte {
	info := make([]byte, 0, len(wrapInfo)+len(group)+len(epoch))
	info = append(info, wrapInfo...)
	info = append(info, group[:]...)
	return append(info, epoch[:]...)
}

// Wrap encrypts the epoch secret s to the prekey public key to with HPKE
// (RFC 9180 base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
// ChaCha20-Poly1305), info "skein/chat/wrap/v1\x00" || group || epoch and
// empty aad. It returns the encapsulated key and the sealed secret.
func Wrap(to [32]byte, group [32]byte, epoch [EpochIDSize]byte, s Secret) (enc [EncSize]byte, sealed [WrappedSize]byte, err error) {
	pk, err := wrapKEM.NewPublicKey(to[:])
	if err != nil {
		return enc, sealed, fmt.Errorf("%w: wrap recipient key: %v", ErrMalformed, err)
	}
	out, err := hpke.Seal(pk, wrapKDF, wrapAEAD, wrapContext(group, epoch), s[:])
	if err != nil {
		// Only a low-order recipient key makes the DH fail.
		return enc, sealed, fmt.Errorf("%w: wrap: %v", ErrMalformed, err)
	}
	if len(out) != EncSize+WrappedSize {
		return enc, sealed, fmt.Errorf("%w: wrap of %d bytes", ErrMalformed, len(out))
	}
	copy(enc[:], out[:EncSize])
	copy(sealed[:], out[EncSize:])
	return enc, sealed, nil
}

// Unwrap opens a wrap made by Wrap to p's public key for group and epoch,
// and checks that the secret's ID is epoch. Every failure is ErrDecrypt.
func Unwrap(p *Prekey, group [32]byte, epoch [EpochIDSize]byte, enc [EncSize]byte, sealed [WrappedSize]byte) (Secret, error) {
	var s Secret
	if p == nil || p.priv == nil {
		return s, fmt.Errorf("%w: no prekey private key", ErrDecrypt)
	}
	k, err := hpke.NewDHKEMPrivateKey(p.priv)
	if err != nil {
		return s, fmt.Errorf("%w: prekey: %v", ErrDecrypt, err)
	}
	ct := make([]byte, 0, EncSize+WrappedSize)
	ct = append(append(ct, enc[:]...), sealed[:]...)
	pt, err := hpke.Open(k, wrapKDF, wrapAEAD, wrapContext(group, epoch), ct)
	if err != nil {
		return s, fmt.Errorf("%w: wrap: %v", ErrDecrypt, err)
	}
	if len(pt) != SecretSize {
		return s, fmt.Errorf("%w: wrapped secret of %d bytes", ErrDecrypt, len(pt))
	}
	copy(s[:], pt)
	if s.ID() != epoch {
		return Secret{}, fmt.Errorf("%w: wrapped secret is not of epoch %x", ErrDecrypt, epoch)
	}
	return s, nil
}
