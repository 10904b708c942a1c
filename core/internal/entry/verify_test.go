package entry

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"testing"

	"github.com/skein-p2p/skein/core/internal/hlc"
)

// testLog returns n signed posts of priv's log.
func testLog(t testing.TB, priv ed25519.PrivateKey, n int) []*Entry {
	t.Helper()
	es := make([]*Entry, 0, n)
	var prev ID
	ts := hlc.Timestamp{Wall: 1_767_225_600_000}
	for seq := uint64(1); seq <= uint64(n); seq++ {
		ts.Logical++
		e := mustNew(t, priv, seq, prev, ts, KindPost, fmt.Appendf(nil, "post %d, about as long as a short post", seq))
		prev = e.ID()
		es = append(es, e)
	}
	return es
}

// forge returns e with one bit of its signature's S flipped.
func forge(t testing.TB, e *Entry) *Entry {
	t.Helper()
	b := e.Bytes()
	b = append([]byte(nil), b...)
	b[HeaderSize+40] ^= 1
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestVerifyBatch(t *testing.T) {
	a, b := testLog(t, alice, 300), testLog(t, bob, 50)
	mixed := make([]*Entry, 0, 100)
	for i := range 50 {
		mixed = append(mixed, a[i], b[i])
	}
	withForgery := func(es []*Entry, at int) []*Entry {
		out := append([]*Entry(nil), es...)
		out[at] = forge(t, out[at])
		return out
	}
	tests := []struct {
		name string
		es   []*Entry
		bad  int // index of the first bad entry, len(es) if none
	}{
		{"empty", nil, 0},
		{"one", a[:1], 1},
		{"one author", a, len(a)},
		{"two authors interleaved", mixed, len(mixed)},
		{"forgery first", withForgery(a[:10], 0), 0},
		{"forgery in the middle", withForgery(a, 150), 150},
		{"forgery in the last chunk", withForgery(a, 299), 299},
		{"two forgeries", withForgery(withForgery(a, 200), 20), 20},
		{"forgery among two authors", withForgery(mixed, 33), 33},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad, err := VerifyBatch(tt.es)
			if bad != tt.bad {
				t.Errorf("VerifyBatch() = %d, %v; want %d", bad, err, tt.bad)
			}
			if want := tt.bad < len(tt.es); (err != nil) != want || (want && !errors.Is(err, ErrBadSignature)) {
				t.Errorf("VerifyBatch() error = %v, want ErrBadSignature: %v", err, want)
			}
		})
	}
}

// BenchmarkVerifyRules compares, per signature, crypto/ed25519's Verify (the
// rule before ZIP-215), VerifySignature, and VerifyBatch on one author's
// entries in batches of several sizes. Run with -benchtime=2000x or so.
func BenchmarkVerifyRules(b *testing.B) {
	es := testLog(b, alice, 1024)
	b.Run("stdlib", func(b *testing.B) {
		pub := alice.Public().(ed25519.PublicKey)
		i := 0
		for b.Loop() {
			e := es[i%len(es)]
			if !ed25519.Verify(pub, signedMessage(e.raw[:HeaderSize]), e.Sig[:]) {
				b.Fatal("bad signature")
			}
			i++
		}
	})
	b.Run("single", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if err := es[i%len(es)].Verify(); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	for _, n := range []int{8, 32, 64, 128, 256} {
		b.Run(fmt.Sprintf("batch%d", n), func(b *testing.B) {
			i := 0
			for b.Loop() {
				start := (i * n) % len(es)
				chunk := es[start:min(start+n, len(es))]
				if bad, err := VerifyBatch(chunk); err != nil {
					b.Fatal(bad, err)
				}
				i++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/sig")
		})
	}
}
