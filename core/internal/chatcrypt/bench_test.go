package chatcrypt

import (
	"math/rand/v2"
	"testing"
)

// wireWrapSize is the size of one wrap in a rekey entry: recipient account
// (32), prekey ID (8), encapsulated key (32) and wrapped secret (48).
const wireWrapSize = 32 + PrekeyIDSize + EncSize + WrappedSize

func BenchmarkWrap(b *testing.B) {
	p, s := mustPrekey(b), mustSecret(b)
	for b.Loop() {
		if _, _, err := Wrap(p.Public, vectorGroup, s.ID(), s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnwrap(b *testing.B) {
	p, s := mustPrekey(b), mustSecret(b)
	enc, sealed, err := Wrap(p.Public, vectorGroup, s.ID(), s)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Unwrap(p, vectorGroup, s.ID(), enc, sealed); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRekey256 wraps a new secret to the 255 other members of a group
// of 256: the work and the wrap bytes of one rekey entry.
func BenchmarkRekey256(b *testing.B) {
	pubs := make([][32]byte, 255)
	for i := range pubs {
		pubs[i] = mustPrekey(b).Public
	}
	s := mustSecret(b)
	for b.Loop() {
		for _, pub := range pubs {
			if _, _, err := Wrap(pub, vectorGroup, s.ID(), s); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(pubs)*wireWrapSize), "B/rekey")
}

func BenchmarkSeal1KiB(b *testing.B) {
	c, s := NewChains(0), mustSecret(b)
	msg := make([]byte, 1024)
	aad := make([]byte, 167) // an entry header with one dep
	b.SetBytes(int64(len(msg)))
	var i uint64
	for b.Loop() {
		i++
		if _, err := c.Seal(s, vectorAuthor, i, aad, msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenOutOfOrder opens the messages 1..1000 of one sender in a
// random order with one cache: an index below the cached one recomputes
// its chain from CK(0) (500 steps on average).
func BenchmarkOpenOutOfOrder(b *testing.B) {
	const n = 1000
	s := mustSecret(b)
	msg := make([]byte, 200)
	ct := make([][]byte, n+1)
	sender := NewChains(0)
	for i := uint64(1); i <= n; i++ {
		var err error
		if ct[i], err = sender.Seal(s, vectorAuthor, i, nil, msg); err != nil {
			b.Fatal(err)
		}
	}
	order := rand.New(rand.NewPCG(1, 2)).Perm(n)
	c := NewChains(0)
	k := 0
	for b.Loop() {
		i := uint64(order[k%n] + 1)
		k++
		if _, err := c.Open(s, vectorAuthor, i, nil, ct[i]); err != nil {
			b.Fatal(err)
		}
	}
}
