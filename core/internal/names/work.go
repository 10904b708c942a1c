package names

import (
	"crypto/sha256"
	"encoding/binary"
	"math/bits"

	"github.com/skein-p2p/skein/core/internal/entry"
)

// WorkBits is how many leading zero bits the work hash of a record must
// have: a claim costs 2^20 SHA-256 hashes on average, about 0.16 s on one
// core of a 2020s desktop (docs/SECURITY.md has the measurement). The work
// binds only the account and the name, so it is done once per claim and
// reused by every update.
const WorkBits = 20

// WorkContext starts the string whose hash is the work, so that no other
// Skein hash can be taken for it.
const WorkContext = "skein/name-work/v1\x00"

// workInput returns WorkContext ‖ account ‖ len(name) ‖ name ‖ nonce, with
// room to change the nonce in place: it is the last 8 bytes.
func workInput(account entry.Key, name string) []byte {
	b := make([]byte, 0, len(WorkContext)+len(account)+1+len(name)+8)
	b = append(b, WorkContext...)
	b = append(b, account[:]...)
	b = append(b, byte(len(name)))
	b = append(b, name...)
	return append(b, make([]byte, 8)...)
}

// leadingZeros returns the number of leading zero bits of h.
func leadingZeros(h [sha256.Size]byte) int {
	n := 0
	for i := 0; i < len(h); i += 8 {
		w := binary.BigEndian.Uint64(h[i:])
		n += bits.LeadingZeros64(w)
		if w != 0 {
			break
		}
	}
	return n
}

// HasWork reports whether nonce is proof of work for account's claim of
// name: SHA-256(WorkContext ‖ account ‖ len(name) ‖ name ‖ nonce), the nonce
// as 8 big-endian bytes, has at least WorkBits leading zero bits.
func HasWork(account entry.Key, name string, nonce uint64) bool {
	b := workInput(account, name)
	binary.BigEndian.PutUint64(b[len(b)-8:], nonce)
	return leadingZeros(sha256.Sum256(b)) >= WorkBits
}

// Work returns the smallest nonce that is proof of work for account's claim
// of name (see HasWork). It takes 2^WorkBits hashes on average, and the
// same nonce on every device, so a device restoring an account finds the
// nonce its first device found.
func Work(account entry.Key, name string) uint64 {
	b := workInput(account, name)
	at := b[len(b)-8:]
	for nonce := uint64(0); ; nonce++ {
		binary.BigEndian.PutUint64(at, nonce)
		if leadingZeros(sha256.Sum256(b)) >= WorkBits {
			return nonce
		}
	}
}
