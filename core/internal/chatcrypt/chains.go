package chatcrypt

import (
	"container/list"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/crypto/chacha20poly1305"
)

// Chain limits.
const (
	// ChainBlock is how many indexes one chain covers: index i is step
	// i mod ChainBlock of the chain of block i / ChainBlock, so no key
	// is ever more than ChainBlock-1 steps from its block's start, however
	// many messages an author sent before an epoch began.
	ChainBlock = 1 << 12
	// DefaultChains is the cache size NewChains uses for max < 1.
	DefaultChains = 1024

	// maxCheckpoints bounds the chain keys kept per chain besides the
	// highest; firstSpacing is their initial distance.
	maxCheckpoints = 32
	firstSpacing   = 64
)

// chainKey names one sender chain. The epoch secret stands for the epoch
// (its ID is a function of it), so a cached chain key can only be reused
// with the secret that made it.
type chainKey struct {
	secret Secret
	author [32]byte
	block  uint64
}

// point is a chain key and its index.
type point struct {
	index uint64
	ck    [32]byte
}

// chainState is what a Chains keeps of one chain: the highest chain key
// reached, and checkpoints at the multiples of spacing passed on the way
// (ascending, at most maxCheckpoints; when full, every other one is
// dropped and spacing doubles), so that an earlier index costs at most
// about spacing steps instead of its distance from CK(0).
type chainState struct {
	key         chainKey
	high        point
	checkpoints []point
	spacing     uint64
}

// start returns the nearest kept point at or before index.
func (st *chainState) start(index uint64) (point, bool) {
	if st.high.index <= index {
		return st.high, true
	}
	for i := len(st.checkpoints) - 1; i >= 0; i-- {
		if st.checkpoints[i].index <= index {
			return st.checkpoints[i], true
		}
	}
	return point{}, false
}

// add records the points of one ratchet walk whose last point is last.
func (st *chainState) add(passed []point, last point) {
	if last.index > st.high.index {
		st.high = last
	}
	for _, p := range passed {
		if p.index%st.spacing != 0 || p.index >= st.high.index {
			continue
		}
		i := len(st.checkpoints)
		for i > 0 && st.checkpoints[i-1].index >= p.index {
			i--
		}
		if i < len(st.checkpoints) && st.checkpoints[i].index == p.index {
			continue
		}
		st.checkpoints = append(st.checkpoints, point{})
		copy(st.checkpoints[i+1:], st.checkpoints[i:])
		st.checkpoints[i] = p
	}
	for len(st.checkpoints) > maxCheckpoints {
		st.spacing *= 2
		kept := st.checkpoints[:0]
		for _, p := range st.checkpoints {
			if p.index%st.spacing == 0 {
				kept = append(kept, p)
			}
		}
		clear(st.checkpoints[len(kept):])
		st.checkpoints = kept
	}
}

// Chains derives message keys from the per-sender hash ratchets of epoch
// secrets. It caches, per (epoch, author), the highest chain index reached
// and its chain key, so that messages read in order cost one step each,
// and a few checkpoints below it, so that a message read out of order
// costs a bounded number of steps. It keeps at most max chains, dropping
// the least recently used. A Chains is safe for concurrent use; its zero
// value is not usable: call NewChains.
//
// The chain of author under epoch secret S is
//
//	CK(0)   = HKDF-SHA256(S, salt empty, info "skein/chat/sender/v1\x00" || author [|| b], 32)
//	CK(i+1) = HMAC-SHA256(CK(i), 0x02)
//	MK(i)   = HKDF-Expand(HMAC-SHA256(CK(i), 0x01), info "skein/chat/msg/v1", 56)
//
// and MK(i) is an XChaCha20-Poly1305 key (32 bytes) followed by its nonce
// (24 bytes). A message's index is its entry's seq n: it takes MK(n mod
// ChainBlock) of the chain of block b = n / ChainBlock, whose info has b
// appended as 8 big-endian bytes when b > 0 (block 0's chain is as if
// blocks did not exist). Each (S, author, index) must seal one plaintext
// only.
type Chains struct {
	max int
	mu  sync.Mutex
	m   map[chainKey]*list.Element // of *chainState
	lru list.List                  // front: most recently used
}

// NewChains returns an empty cache of at most max chains (DefaultChains if
// max < 1).
func NewChains(max int) *Chains {
	if max < 1 {
		max = DefaultChains
	}
	return &Chains{max: max, m: make(map[chainKey]*list.Element)}
}

// Seal encrypts plaintext with the message key of author's chain index
// index under s, with aad as associated data. The result is the
// ciphertext followed by a 16-byte tag; no nonce is sent.
func (c *Chains) Seal(s Secret, author [32]byte, index uint64, aad, plaintext []byte) ([]byte, error) {
	key, nonce, err := c.messageKey(s, author, index)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.NewX(key[:])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return aead.Seal(nil, nonce[:], plaintext, aad), nil
}

// Open decrypts a ciphertext made by Seal with the same secret, author,
// index and aad.
func (c *Chains) Open(s Secret, author [32]byte, index uint64, aad, ciphertext []byte) ([]byte, error) {
	if len(ciphertext) < TagSize {
		return nil, fmt.Errorf("%w: ciphertext of %d bytes is shorter than its tag", ErrDecrypt, len(ciphertext))
	}
	key, nonce, err := c.messageKey(s, author, index)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.NewX(key[:])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	pt, err := aead.Open(nil, nonce[:], ciphertext, aad)
	if err != nil {
		return nil, fmt.Errorf("%w: message of chain index %d", ErrDecrypt, index)
	}
	return pt, nil
}

// messageKey returns MK(index) of author's chain under s. It starts from
// the nearest cached chain key at or before index, else from CK(0), and
// ratchets forward outside the lock; then it caches what it passed.
func (c *Chains) messageKey(s Secret, author [32]byte, seq uint64) (key [32]byte, nonce [24]byte, err error) {
	k := chainKey{secret: s, author: author, block: seq / ChainBlock}
	index := seq % ChainBlock
	var (
		from    point
		cached  bool
		spacing uint64 = firstSpacing
	)
	c.mu.Lock()
	if e, ok := c.m[k]; ok {
		st := e.Value.(*chainState)
		from, cached = st.start(index)
		spacing = st.spacing
		c.lru.MoveToFront(e)
	}
	c.mu.Unlock()
	if !cached {
		from.ck = chainStart(s, author, k.block)
	}
	var passed []point
	ck := from.ck
	for i := from.index; i < index; i++ {
		ck = chainNext(ck)
		if (i+1)%spacing == 0 && i+1 < index {
			passed = append(passed, point{i + 1, ck})
			if len(passed) > 2*maxCheckpoints { // a long walk: keep its memory bounded too
				spacing *= 2
				passed = slices.DeleteFunc(passed, func(p point) bool { return p.index%spacing != 0 })
			}
		}
	}
	if index > from.index {
		c.remember(k, passed, point{index, ck})
	}
	key, nonce = messageMaterial(ck)
	return key, nonce, nil
}

// remember caches the points of one ratchet walk of chain k.
func (c *Chains) remember(k chainKey, passed []point, last point) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[k]; ok {
		e.Value.(*chainState).add(passed, last)
		c.lru.MoveToFront(e)
		return
	}
	st := &chainState{key: k, spacing: firstSpacing}
	st.add(passed, last)
	c.m[k] = c.lru.PushFront(st)
	for c.lru.Len() > c.max {
		last := c.lru.Back()
		delete(c.m, last.Value.(*chainState).key)
		c.lru.Remove(last)
	}
}

// chainStart returns CK(0) of author's chain of block under s.
func chainStart(s Secret, author [32]byte, block uint64) [32]byte {
	info := senderInfo + string(author[:])
	if block > 0 {
		info += string(binary.BigEndian.AppendUint64(nil, block))
	}
	var ck [32]byte
	copy(ck[:], derive(s, info, 32))
	return ck
}

// chainNext returns CK(i+1) = HMAC-SHA256(CK(i), 0x02). It is HMAC (RFC
// 2104) written out over sha256.Sum256, which does not allocate: twice as
// fast as crypto/hmac for the one-byte message, and a ratchet can take up
// to ChainBlock-1 steps. TestChainNextIsHMAC checks it against crypto/hmac.
func chainNext(ck [32]byte) [32]byte {
	var inner [sha256.BlockSize + 1]byte
	var outer [sha256.BlockSize + sha256.Size]byte
	for i := range sha256.BlockSize {
		var k byte
		if i < len(ck) {
			k = ck[i]
		}
		inner[i] = k ^ 0x36
		outer[i] = k ^ 0x5c
	}
	inner[sha256.BlockSize] = 0x02
	h := sha256.Sum256(inner[:])
	copy(outer[sha256.BlockSize:], h[:])
	return sha256.Sum256(outer[:])
}

// messageMaterial returns the key and nonce of chain key ck:
// HKDF-Expand(HMAC-SHA256(ck, 0x01), "skein/chat/msg/v1", 56).
func messageMaterial(ck [32]byte) (key [32]byte, nonce [24]byte) {
	h := hmac.New(sha256.New, ck[:])
	h.Write([]byte{0x01})
	prk := h.Sum(nil)
	m, err := hkdf.Expand(sha256.New, prk, msgInfo, 56)
	if err != nil {
		panic("chatcrypt: hkdf: " + err.Error()) // unreachable: 56 bytes
	}
	copy(key[:], m[:32])
	copy(nonce[:], m[32:])
	return key, nonce
}
