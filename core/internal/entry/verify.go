package entry

import (
	"crypto/rand"
	"crypto/sha512"
	"hash"

	"filippo.io/edwards25519"
)

// VerifySignature reports whether sig is key's Ed25519 signature of
// message. It is the one signature rule of every Skein signature: entries,
// chat entries, name records, keep requests and prekey records
// (docs/PROTOCOL.md, "Signature verification"). It verifies as ZIP-215
// does (the cofactored equation, non-canonical encodings of the key and of
// R accepted, S must be below the group order L), which batch verification
// can match exactly, so every node accepts exactly the same signatures
// whether it verifies them one by one or in batches. On top of ZIP-215 it
// refuses a key that is not a valid curve point or whose order divides the
// cofactor 8 (the identity and the other small-order points): for such a
// key a single signature, such as R = the identity and S = 0, verifies every
// message, so anyone could sign "as" it. Such a key cannot belong to a real
// account.
func VerifySignature(key Key, message, sig []byte) bool {
	return verifyOne(key, nil, message, sig)
}

// verifyOne reports whether sig is key's signature of context || message
// by the rule of VerifySignature (docs/PROTOCOL.md, "Signature
// verification"): S canonical (< L); A and R any encoding of a curve point,
// canonical or not (filippo.io/edwards25519 decodes as ZIP-215 does); A not
// of small order; and the cofactored equation [8]([S]B - R - [k]A) = 0 with
// k = SHA-512(R || A || context || message) mod L, R and A as encoded.
func verifyOne(key Key, context, message, sig []byte) bool {
	if len(sig) != SigSize {
		return false
	}
	var a edwards25519.Point
	if !decodeKey(&a, key) {
		return false
	}
	var s, k edwards25519.Scalar
	if _, err := s.SetCanonicalBytes(sig[32:]); err != nil {
		return false
	}
	var r edwards25519.Point
	if _, err := r.SetBytes(sig[:32]); err != nil {
		return false
	}
	h := sha512.New()
	h.Write(sig[:32])
	h.Write(key[:])
	h.Write(context)
	h.Write(message)
	var digest [sha512.Size]byte
	if _, err := k.SetUniformBytes(h.Sum(digest[:0])); err != nil {
		return false
	}
	// [S]B - [k]A - R, times the cofactor, must be the identity.
	var p edwards25519.Point
	p.VarTimeDoubleScalarBaseMult(&k, a.Negate(&a), &s)
	p.Subtract(&p, &r)
	return p.MultByCofactor(&p).Equal(edwards25519.NewIdentityPoint()) == 1
}

// decodeKey sets a to the point key encodes, canonically or not, and
// reports whether it is one and not of small order (its order divides the
// cofactor 8): for such a key, one signature verifies every message.
func decodeKey(a *edwards25519.Point, key Key) bool {
	if _, err := a.SetBytes(key[:]); err != nil {
		return false
	}
	var c edwards25519.Point
	return c.MultByCofactor(a).Equal(edwards25519.NewIdentityPoint()) != 1
}

// maxBatch is the most signatures VerifyBatch checks in one multiscalar
// multiplication; longer slices are checked in chunks of this size. Past a
// few dozen signatures the gain per signature flattens, and a smaller chunk
// costs less to check again one by one when it holds a forgery.
const maxBatch = 128

// VerifyBatch checks the signatures of es, as Verify would one by one, and
// returns the index of the first entry whose signature does not verify and
// its error, or len(es) and nil. It checks them in batches (the cofactored
// batch equation of ZIP-215 with random 128-bit coefficients, one term per
// distinct author, so a batch of one author's entries costs little more
// than one multiplication per entry), and checks a batch that fails entry by
// entry to find the first bad one. It runs on the calling goroutine.
func VerifyBatch(es []*Entry) (int, error) {
	var v batchVerifier
	for start := 0; start < len(es); start += maxBatch {
		chunk := es[start:min(start+maxBatch, len(es))]
		v.items = v.items[:0]
		ok := true
		for _, e := range chunk {
			if len(e.raw) < BaseSize {
				ok = false
				break
			}
			v.items = append(v.items, signed{key: e.Author, sig: e.Sig[:], context: sigContext, message: e.raw[:HeaderSize]})
		}
		if ok && v.verify() {
			continue
		}
		for i, e := range chunk {
			if err := e.Verify(); err != nil {
				return start + i, err
			}
		}
	}
	return len(es), nil
}

// signed is one signature for batchVerifier: sig by key of context ||
// message.
type signed struct {
	key     Key
	sig     []byte
	context []byte
	message []byte
}

// sigContext is SigContext as bytes, never modified.
var sigContext = []byte(SigContext)

// batchVerifier holds what the batches of one VerifyBatch call reuse.
type batchVerifier struct {
	items   []signed // the batch to verify
	h       hash.Hash
	z       []byte
	rs      []edwards25519.Point
	as      []edwards25519.Point
	sc      []edwards25519.Scalar
	points  []*edwards25519.Point
	scalars []*edwards25519.Scalar
	keys    map[Key]int // author → index of its term in points
}

// verify reports whether every signature of v.items verifies, but for a
// chance of at most 2^-128 that it reports a batch holding a forgery as
// good. Any entry that cannot verify at all (a malformed R, a non-canonical
// S, a key that is not a point or has small order) fails the batch.
func (v *batchVerifier) verify() bool {
	n := len(v.items)
	if n == 0 {
		return true
	}
	if v.h == nil {
		v.h = sha512.New()
		v.keys = make(map[Key]int)
	}
	// Random coefficients z_i, 128 bits each.
	v.z = grow(v.z, 16*n)
	if _, err := rand.Read(v.z); err != nil {
		return false
	}
	// Terms: B, then one R per entry and one A per distinct author, in the
	// order they come.
	v.rs = grow(v.rs, n)
	v.as = v.as[:0]
	v.sc = grow(v.sc, 1+2*n)
	clear(v.sc)
	v.points = append(v.points[:0], edwards25519.NewGeneratorPoint())
	v.scalars = append(v.scalars[:0], &v.sc[0])
	clear(v.keys)
	free := 1 + n // next unused scalar for an author's term
	var (
		digest [sha512.Size]byte
		zb     [32]byte
		z, s   edwards25519.Scalar
		k, t   edwards25519.Scalar
	)
	if cap(v.as) < n {
		v.as = make([]edwards25519.Point, 0, n) // never grown below: points hold pointers into it
	}
	for i := range v.items {
		it := &v.items[i]
		sig := it.sig
		if len(sig) != SigSize {
			return false
		}
		// S must be canonical (< L); R any encoding of a point.
		if _, err := s.SetCanonicalBytes(sig[32:]); err != nil {
			return false
		}
		if _, err := v.rs[i].SetBytes(sig[:32]); err != nil {
			return false
		}
		ai, ok := v.keys[it.key]
		if !ok {
			v.as = v.as[:len(v.as)+1]
			a := &v.as[len(v.as)-1]
			if !decodeKey(a, it.key) {
				return false
			}
			ai = len(v.points)
			v.keys[it.key] = ai
			v.points = append(v.points, a)
			v.scalars = append(v.scalars, &v.sc[free])
			free++
		}
		// k = SHA-512(R || A || message) mod L, A and R as encoded.
		v.h.Reset()
		v.h.Write(sig[:32])
		v.h.Write(it.key[:])
		v.h.Write(it.context)
		v.h.Write(it.message)
		if _, err := k.SetUniformBytes(v.h.Sum(digest[:0])); err != nil {
			return false
		}
		copy(zb[:16], v.z[16*i:16*i+16])
		if _, err := z.SetCanonicalBytes(zb[:]); err != nil {
			return false
		}
		// Each signature holds [8]([S]B - R - [k]A) = 0; the batch checks
		// [8]([Σ z·S]B - Σ [z]R - Σ_A [Σ z·k]A) = 0.
		v.sc[0].Add(&v.sc[0], t.Multiply(&z, &s))
		v.scalars[ai].Add(v.scalars[ai], t.Multiply(&z, &k))
		v.points = append(v.points, &v.rs[i])
		v.scalars = append(v.scalars, v.sc[1+i].Negate(&z))
	}
	// The author terms hold Σ z·k: negate them.
	for _, ai := range v.keys {
		v.scalars[ai].Negate(v.scalars[ai])
	}
	var sum edwards25519.Point
	sum.VarTimeMultiScalarMult(v.scalars, v.points)
	return sum.MultByCofactor(&sum).Equal(edwards25519.NewIdentityPoint()) == 1
}

// grow returns s resliced to n elements, reallocated if its capacity is
// short. The elements' values are left as they are.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
