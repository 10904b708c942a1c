package entry

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"filippo.io/edwards25519"

	"github.com/skein-p2p/skein/core/internal/protocoldoc"
)

// sigVector is one test vector of the signature rule (docs/PROTOCOL.md,
// "Signature verification"): a key, a message and a signature, with what
// Skein's rule (VerifySignature) and RFC 8032 as crypto/ed25519 verifies
// make of them.
type sigVector struct {
	n       int
	what    string
	key     string
	message string
	sig     string
	skein   bool // VerifySignature
	rfc8032 bool // crypto/ed25519.Verify
}

// sigVectors are the twelve cases of ed25519-speccheck
// (github.com/novifinancial/ed25519-speccheck, cases.json), the cases where
// Ed25519 verifiers disagree, and two entries by alice whose signatures only
// a cofactored verifier with ZIP-215 decoding accepts (entrySigVectors).
func sigVectors() []sigVector {
	return []sigVector{
		{0, "small-order A, small-order R",
			"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
			"8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6",
			"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000",
			false, true},
		{1, "small-order A, mixed-order R",
			"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
			"9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79",
			"f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
			false, true},
		{2, "mixed-order A, small-order R",
			"f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
			"aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab",
			"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e",
			true, true},
		{3, "mixed-order A, mixed-order R",
			"cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
			"9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79",
			"9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009",
			true, true},
		{4, "mixed-order A: only the cofactored equation holds",
			"cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
			"e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c",
			"160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09",
			true, false},
		{5, "mixed-order A: the cofactored equation holds as [8][k]A, not as [8k mod L]A",
			"cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
			"e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c",
			"21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405",
			true, false},
		{6, "non-canonical S (S > L)",
			"442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
			"85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40",
			"e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514",
			false, false},
		{7, "non-canonical S (S much larger than L)",
			"442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
			"85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40",
			"8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22",
			false, false},
		{8, "mixed-order A, non-canonical small-order R, signed over R reduced",
			"f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
			"9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41",
			"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f",
			false, false},
		{9, "mixed-order A, non-canonical small-order R, signed over R as encoded",
			"f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
			"9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41",
			"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908",
			true, false},
		{10, "non-canonical small-order A, mixed-order R, signed over A reduced",
			"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
			"e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b",
			"a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
			false, false},
		{11, "non-canonical small-order A, mixed-order R, signed over A as encoded",
			"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
			"39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f",
			"a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
			false, true},
	}
}

// Signatures of alice's entry 1 (the first test vector of entries) made
// with a chosen R: R with a torsion component, and the identity in a
// non-canonical encoding. Both verify under Skein's rule and not under
// crypto/ed25519's: an old node would refuse these entries.
const (
	entrySigMixedR        = "0acb427156d8c504ac406a7029bbfa1bcb338aa2566cb4af1b30d4278c0010f94183080fe5cb9b3a65aca5f19ba51fc978fdb4677c37747ec4067c33fc24f606"
	entrySigNonCanonicalR = "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f44859a60b178eea4e1332823c76e94dab6eb113f29de785abd7702a022457f07"
)

// entrySigVector returns alice's entry 1 with the signature (R, S) where S
// is made for R by alice's key, and the vector of its signature.
func entrySigVector(t *testing.T, n int, what string, r []byte, nonce *edwards25519.Scalar) (*Entry, sigVector) {
	t.Helper()
	v := vectors()[0]
	e := mustNew(t, v.priv, v.seq, ID{}, v.time, v.kind, v.body)
	msg := signedMessage(e.raw[:HeaderSize])
	// S = nonce + k·a, k = SHA-512(R || A || message), a alice's secret
	// scalar.
	h := sha512.Sum512(v.priv.Seed())
	var a, k, s edwards25519.Scalar
	if _, err := a.SetBytesWithClamping(h[:32]); err != nil {
		t.Fatal(err)
	}
	d := sha512.New()
	d.Write(r)
	d.Write(e.Author[:])
	d.Write(msg)
	if _, err := k.SetUniformBytes(d.Sum(nil)); err != nil {
		t.Fatal(err)
	}
	s.MultiplyAdd(&k, &a, nonce)
	sig := append(bytes.Clone(r), s.Bytes()...)
	raw := bytes.Clone(e.raw)
	copy(raw[HeaderSize:BaseSize], sig)
	f, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return f, sigVector{n, what, e.Author.String(), hex.EncodeToString(msg), hex.EncodeToString(sig), true, false}
}

// entrySigVectors returns alice's entry 1 signed with a mixed-order R and
// with a non-canonical R, and their vectors.
func entrySigVectors(t *testing.T) ([]*Entry, []sigVector) {
	t.Helper()
	// A nonce any signer could pick: SHA-512 of a label, reduced.
	seed := sha512.Sum512([]byte("skein signature vector nonce"))
	var nonce edwards25519.Scalar
	if _, err := nonce.SetUniformBytes(seed[:]); err != nil {
		t.Fatal(err)
	}
	// Mixed order: R = [nonce]B + T, T of order 8.
	var tor, rp edwards25519.Point
	if _, err := tor.SetBytes(mustHex(t, "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")); err != nil {
		t.Fatal(err)
	}
	rp.ScalarBaseMult(&nonce)
	rp.Add(&rp, &tor)
	mixed, mv := entrySigVector(t, 12, "alice's entry 1 with a mixed-order R", rp.Bytes(), &nonce)
	// Non-canonical R: the identity encoded as y = p + 1, with nonce 0.
	var zero edwards25519.Scalar
	nonCanon, nv := entrySigVector(t, 13, "alice's entry 1 with R the identity, encoded non-canonically (y = p + 1)",
		mustHex(t, "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), &zero)
	return []*Entry{mixed, nonCanon}, []sigVector{mv, nv}
}

// verifyOneInBatch verifies v's signature in a batch with good signatures
// of alice's, as VerifyBatch does, and reports whether the batch verifies.
func verifyOneInBatch(t *testing.T, key Key, msg, sig []byte) bool {
	t.Helper()
	var b batchVerifier
	for i := range 3 {
		m := fmt.Appendf(nil, "good %d", i)
		b.items = append(b.items, signed{key: pubKey(alice), sig: ed25519.Sign(alice, m), message: m})
	}
	b.items = append(b.items[:1], append([]signed{{key: key, sig: sig, message: msg}}, b.items[1:]...)...)
	return b.verify()
}

// TestSignatureVectors checks the signature rule against the vectors: single
// verification, and batch verification with good signatures around each,
// agree with the expected verdict, and crypto/ed25519 with the RFC 8032
// column.
func TestSignatureVectors(t *testing.T) {
	entries, evs := entrySigVectors(t)
	for _, v := range append(sigVectors(), evs...) {
		t.Run(fmt.Sprintf("%d %s", v.n, v.what), func(t *testing.T) {
			key, msg, sig := Key(mustHex(t, v.key)), mustHex(t, v.message), mustHex(t, v.sig)
			if got := VerifySignature(key, msg, sig); got != v.skein {
				t.Errorf("VerifySignature() = %v, want %v", got, v.skein)
			}
			if got := verifyOneInBatch(t, key, msg, sig); got != v.skein {
				t.Errorf("batch verification = %v, want %v", got, v.skein)
			}
			if got := ed25519.Verify(key[:], msg, sig); got != v.rfc8032 {
				t.Errorf("crypto/ed25519.Verify() = %v, want %v", got, v.rfc8032)
			}
		})
	}
	for i, e := range entries {
		if err := e.Verify(); err != nil {
			t.Errorf("%s: Verify() = %v, want nil", evs[i].what, err)
		}
		if bad, err := VerifyBatch([]*Entry{e, e, e}); err != nil {
			t.Errorf("%s: VerifyBatch() = %d, %v; want 3, nil", evs[i].what, bad, err)
		}
	}
	if got := evs[0].sig; got != entrySigMixedR {
		t.Errorf("mixed-order R signature = %s, want %s", got, entrySigMixedR)
	}
	if got := evs[1].sig; got != entrySigNonCanonicalR {
		t.Errorf("non-canonical R signature = %s, want %s", got, entrySigNonCanonicalR)
	}
}

// docBlock is how a vector appears in the document, in a code block.
func (v sigVector) docBlock() string {
	verdict := func(ok bool) string {
		if ok {
			return "accept"
		}
		return "refuse"
	}
	return fmt.Sprintf("case %d\nA %s\nM %s\nsig %s\nskein %s\nrfc8032 %s\n",
		v.n, v.key, v.message, v.sig, verdict(v.skein), verdict(v.rfc8032))
}

// sigDocHeading is the heading of the section of docs/PROTOCOL.md with the
// rule and the vectors.
const sigDocHeading = "### Signature verification"

// TestSignatureVectorsDocumented checks that the protocol document carries
// the vectors, verdicts included, exactly as the code has them.
func TestSignatureVectorsDocumented(t *testing.T) {
	flat := func(s string) string { return strings.Join(strings.Fields(s), "") }
	doc := protocoldoc.Flat(t)
	if !strings.Contains(doc, flat(sigDocHeading)) {
		t.Fatalf("docs/PROTOCOL.md has no %q", sigDocHeading)
	}
	_, evs := entrySigVectors(t)
	for _, v := range append(sigVectors(), evs...) {
		if !strings.Contains(doc, flat(v.docBlock())) {
			t.Errorf("the document does not hold signature vector %d as:\n%s", v.n, v.docBlock())
		}
	}
}

// TestPrintSignatureVectors prints the vectors as the document shows them
// (go test -run TestPrintSignatureVectors -v).
func TestPrintSignatureVectors(t *testing.T) {
	_, evs := entrySigVectors(t)
	for _, v := range append(sigVectors(), evs...) {
		t.Logf("**%d. %s.**\n\n```\n%s```\n", v.n, v.what, v.docBlock())
	}
}

// TestDecodeNonCanonical checks that keys and R decode as ZIP-215 says:
// every encoding whose y, taken mod p, is the y of a curve point is
// accepted, y >= p included (only y < 19 has such a second encoding), and
// x = 0 with the sign bit set too; the point is the one the canonical
// encoding gives.
func TestDecodeNonCanonical(t *testing.T) {
	// The y < 19 of curve points, computed apart (x² = (y² - 1)/(dy² + 1)
	// must be a square mod p).
	onCurve := map[int]bool{0: true, 1: true, 3: true, 4: true, 5: true, 6: true, 9: true, 10: true, 14: true, 15: true, 16: true, 18: true}
	// p = 2^255 - 19, little-endian.
	p := [32]byte{0xed}
	for i := 1; i < 31; i++ {
		p[i] = 0xff
	}
	p[31] = 0x7f
	enc := func(y int, plusP, sign bool) []byte {
		b := make([]byte, 32)
		carry := y
		for i := range 32 {
			v := carry
			if plusP {
				v += int(p[i])
			}
			b[i], carry = byte(v), v>>8
		}
		if sign {
			b[31] |= 0x80
		}
		return b
	}
	for y := range 19 {
		for _, sign := range []bool{false, true} {
			canon, errC := new(edwards25519.Point).SetBytes(enc(y, false, sign))
			non, errN := new(edwards25519.Point).SetBytes(enc(y, true, sign))
			if (errC == nil) != onCurve[y] || (errN == nil) != onCurve[y] {
				t.Errorf("y = %d, sign %v: canonical decodes: %v, y + p decodes: %v; want %v", y, sign, errC == nil, errN == nil, onCurve[y])
				continue
			}
			if onCurve[y] && canon.Equal(non) != 1 {
				t.Errorf("y = %d, sign %v: y + p decodes to another point than y", y, sign)
			}
		}
	}
	// y = p - 1 (x = 0, the point of order 2), with the sign bit set.
	negZero := enc(0, true, true)
	negZero[0] = 0xec
	if _, err := new(edwards25519.Point).SetBytes(negZero); err != nil {
		t.Errorf("y = p - 1 with the sign bit set: %v, want it accepted", err)
	}
}
