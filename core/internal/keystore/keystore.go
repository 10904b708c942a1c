package keystore

import (
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/text/unicode/norm"
)

// Version is the format version Seal writes and Open reads.
const Version = 1

// Size is the length of a sealed key.
const Size = sealedEnd + checksumSize

// Layout of a sealed key.
const (
	saltSize     = 16
	keySize      = chacha20poly1305.KeySize
	checksumSize = 8

	offTime    = 1
	offMemory  = 5
	offThreads = 9
	offSalt    = 10
	offNonce   = offSalt + saltSize                     // 26
	headerSize = offNonce + chacha20poly1305.NonceSizeX // 50
	sealedEnd  = headerSize + ed25519.SeedSize + chacha20poly1305.Overhead
)

// Bounds Open accepts for argon2id parameters. They cap what a hostile key
// file can make us spend: at most 1 GiB of memory and 16 passes.
const (
	maxTime      = 16
	maxMemoryKiB = 1 << 20
	maxThreads   = 16
)

// Params are the argon2id cost parameters.
type Params struct {
	Time      uint32 // passes over memory, 1 to 16
	MemoryKiB uint32 // memory in KiB, 8×Threads to 1 GiB
	Threads   uint8  // lanes, 1 to 16
}

// DefaultParams are the argon2id parameters for new sealed keys: the minimum
// the OWASP Password Storage Cheat Sheet recommends for argon2id (19 MiB of
// memory, 2 passes, 1 lane). They are deliberately not higher: a key is
// unsealed at every login, on phones with little memory and slow cores, where
// the parameters chosen here must still finish in well under a second. They
// take about 60 ms on one core of the 2-core development machine (measured by
// TestDefaultParams); a low-end phone is expected to be several times slower.
// Each password guess by an attacker holding the file costs the same. The
// parameters are stored in every file, so raising them later does not break
// existing files.
var DefaultParams = Params{Time: 2, MemoryKiB: 19 * 1024, Threads: 1}

func (p Params) check() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time %d is outside 1 to %d", p.Time, maxTime)
	case p.Threads < 1 || p.Threads > maxThreads:
		return fmt.Errorf("threads %d is outside 1 to %d", p.Threads, maxThreads)
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB:
		return fmt.Errorf("memory %d KiB is outside %d to %d KiB", p.MemoryKiB, 8*uint32(p.Threads), maxMemoryKiB)
	}
	return nil
}

// Seal encrypts priv with password and returns the sealed key. Each
// call uses a fresh random salt and nonce, so sealing the same key twice gives
// different bytes.
func Seal(priv ed25519.PrivateKey, password string, p Params) ([]byte, error) {
	seed, err := checkedSeed(priv)
	if err != nil {
		return nil, err
	}
	defer clear(seed)
	if password == "" {
		return nil, ErrEmptyPassword
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("keystore: invalid parameters: %s", err)
	}

	b := make([]byte, headerSize, Size)
	b[0] = Version
	binary.BigEndian.PutUint32(b[offTime:], p.Time)
	binary.BigEndian.PutUint32(b[offMemory:], p.MemoryKiB)
	b[offThreads] = p.Threads
	rand.Read(b[offSalt:headerSize]) // salt and nonce; never fails

	aead := newAEAD(password, b[offSalt:offNonce], p)
	b = aead.Seal(b, b[offNonce:headerSize], seed, b[:headerSize])
	sum := sha256.Sum256(b)
	return append(b, sum[:checksumSize]...), nil
}

// Open decrypts a sealed key made by Seal. It returns ErrCorrupt, without
// spending any work on the password, if blob is damaged or its parameters
// exceed the bounds documented on Params, and ErrWrongPassword if the
// password does not open it.
func Open(blob []byte, password string) (ed25519.PrivateKey, error) {
	p, err := checkBlob(blob)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrCorrupt, err)
	}
	if password == "" {
		return nil, ErrWrongPassword
	}
	aead := newAEAD(password, blob[offSalt:offNonce], p)
	seed, err := aead.Open(nil, blob[offNonce:headerSize], blob[headerSize:sealedEnd], blob[:headerSize])
	if err != nil {
		return nil, ErrWrongPassword
	}
	defer clear(seed)
	return ed25519.NewKeyFromSeed(seed), nil
}

// checkedSeed returns a copy of priv's seed, which the caller clears, after
// checking that priv is a well-formed Ed25519 private key.
func checkedSeed(priv ed25519.PrivateKey) ([]byte, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("keystore: invalid private key of %d bytes", len(priv))
	}
	seed := priv.Seed()
	if pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey); !pub.Equal(priv.Public()) {
		clear(seed)
		return nil, fmt.Errorf("keystore: invalid private key: public half does not match the seed")
	}
	return seed, nil
}

// checkBlob checks everything about a sealed key that does not need the
// password, and returns its argon2id parameters. Its errors say what is
// wrong, without a sentinel; callers wrap them.
func checkBlob(blob []byte) (Params, error) {
	if len(blob) != Size {
		return Params{}, fmt.Errorf("%d bytes, want %d", len(blob), Size)
	}
	sum := sha256.Sum256(blob[:sealedEnd])
	if subtle.ConstantTimeCompare(sum[:checksumSize], blob[sealedEnd:]) != 1 {
		return Params{}, errors.New("checksum mismatch")
	}
	if blob[0] != Version {
		return Params{}, fmt.Errorf("unknown version %d", blob[0])
	}
	p := Params{
		Time:      binary.BigEndian.Uint32(blob[offTime:]),
		MemoryKiB: binary.BigEndian.Uint32(blob[offMemory:]),
		Threads:   blob[offThreads],
	}
	if err := p.check(); err != nil {
		return Params{}, err
	}
	return p, nil
}

// newAEAD derives the sealing key from password and salt.
func newAEAD(password string, salt []byte, p Params) cipher.AEAD {
	pw := []byte(norm.NFC.String(password))
	key := argon2.IDKey(pw, salt, p.Time, p.MemoryKiB, p.Threads, keySize)
	clear(pw)
	aead, err := chacha20poly1305.NewX(key)
	clear(key)
	if err != nil {
		panic(err) // unreachable: key has the right size
	}
	return aead
}
