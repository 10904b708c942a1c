package core

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
)

// signedLog returns n signed posts of a new key's log.
func signedLog(t *testing.T, n int) []*entry.Entry {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	es := make([]*entry.Entry, 0, n)
	var prev entry.ID
	ts := hlc.Timestamp{Wall: uint64(time.Now().Add(-time.Hour).UnixMilli())}
	for seq := uint64(1); seq <= uint64(n); seq++ {
		ts.Logical++
		e, err := entry.New(priv, seq, prev, ts, entry.KindPost, fmt.Appendf(nil, "post %d", seq))
		if err != nil {
			t.Fatal(err)
		}
		prev = e.ID()
		es = append(es, e)
	}
	return es
}

// forged returns e with a bit of its signature flipped.
func forged(t *testing.T, e *entry.Entry) *entry.Entry {
	t.Helper()
	b := append([]byte(nil), e.Bytes()...)
	b[entry.HeaderSize+1] ^= 1
	f, err := entry.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestVerifyAll checks verifyAll's contract on batches split across cores:
// the good prefix before the first forged entry, and its error.
func TestVerifyAll(t *testing.T) {
	a, b := signedLog(t, 200), signedLog(t, 56)
	two := append(append([]*entry.Entry(nil), a...), b...) // a sync batch: runs of two authors
	with := func(es []*entry.Entry, at ...int) []*entry.Entry {
		out := append([]*entry.Entry(nil), es...)
		for _, i := range at {
			out[i] = forged(t, out[i])
		}
		return out
	}
	tests := []struct {
		name string
		es   []*entry.Entry
		good int
	}{
		{"none", nil, 0},
		{"small batch", a[:5], 5},
		{"two authors", two, len(two)},
		{"forged in the first part", with(two, 3), 3},
		{"forged in the last part", with(two, 250), 250},
		{"forged in both parts", with(two, 220, 40), 40},
		{"forged small batch", with(a[:5], 4), 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			good, err := verifyAll(tt.es)
			if len(good) != tt.good {
				t.Errorf("verifyAll() kept %d entries, %v; want %d", len(good), err, tt.good)
			}
			for i := range good {
				if good[i] != tt.es[i] {
					t.Fatalf("verifyAll() entry %d is not the one given", i)
				}
			}
			if wantErr := tt.good < len(tt.es); wantErr != (err != nil) || (err != nil && !errors.Is(err, entry.ErrBadSignature)) {
				t.Errorf("verifyAll() error = %v, want ErrBadSignature: %v", err, wantErr)
			}
		})
	}
}
