package chatcrypt

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// isOurs reports whether err wraps one of the package's sentinel errors.
func isOurs(err error) bool {
	return errors.Is(err, ErrDecrypt) || errors.Is(err, ErrMalformed) || errors.Is(err, ErrBadSignature)
}

func FuzzParsePrekey(f *testing.F) {
	rec, err := SignPrekey(vectorAccount, vectorPrekey.Public, vectorCreated, vectorExpires)
	if err != nil {
		f.Fatal(err)
	}
	b := rec.Encode()
	f.Add(b, int64(0))
	f.Add(b[:PrekeyRecordSize-1], int64(0))
	f.Add(append(bytes.Clone(b), 0), int64(1<<40))
	f.Add(make([]byte, PrekeyRecordSize), int64(-1))
	f.Fuzz(func(t *testing.T, b []byte, skew int64) {
		now := vectorCreated.Add(timeDuration(skew))
		r, err := ParsePrekey(b, now)
		if err != nil {
			if !isOurs(err) {
				t.Fatalf("ParsePrekey() error %v wraps no sentinel", err)
			}
			return
		}
		if !bytes.Equal(r.Encode(), b) {
			t.Fatalf("ParsePrekey(%x).Encode() = %x: not canonical", b, r.Encode())
		}
		if r.Expires <= r.Created || r.Expires-r.Created > uint64(MaxPrekeyLifetime.Milliseconds()) {
			t.Fatalf("ParsePrekey accepted created %d expires %d", r.Created, r.Expires)
		}
	})
}

func FuzzDecodeBundle(f *testing.F) {
	for _, n := range []int{0, 1, 2} {
		es := make([]Epoch, n)
		for i := range es {
			es[i].Secret = vectorSecret
			es[i].Secret[0] = byte(i)
			es[i].ID = es[i].Secret.ID()
		}
		b, err := EncodeBundle(es)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte{65})
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := DecodeBundle(b)
		if err != nil {
			if !isOurs(err) {
				t.Fatalf("DecodeBundle() error %v wraps no sentinel", err)
			}
			return
		}
		again, err := EncodeBundle(es)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("EncodeBundle(DecodeBundle(%x)) = %x, %v: not canonical", b, again, err)
		}
	})
}

func FuzzUnwrap(f *testing.F) {
	epoch := vectorSecret.ID()
	enc, sealed, err := Wrap(vectorPrekey.Public, vectorGroup, epoch, vectorSecret)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(enc[:], sealed[:], false)
	f.Add(make([]byte, 32), sealed[:], false)
	f.Add(bytes.Repeat([]byte{0xff}, 32), make([]byte, 48), true)
	f.Fuzz(func(t *testing.T, e, s []byte, otherGroup bool) {
		var enc [EncSize]byte
		var sealed [WrappedSize]byte
		copy(enc[:], e)
		copy(sealed[:], s)
		group := vectorGroup
		if otherGroup {
			group[0]++
		}
		got, err := Unwrap(vectorPrekey, group, epoch, enc, sealed)
		if err != nil {
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("Unwrap() error %v, want ErrDecrypt", err)
			}
			return
		}
		if got != vectorSecret || otherGroup {
			t.Fatalf("Unwrap(%x, %x) = %x: opened a wrap it should not", enc, sealed, got)
		}
	})
}

func FuzzOpen(f *testing.F) {
	c := NewChains(4)
	ct, err := c.Seal(vectorSecret, vectorAuthor, 3, []byte("h"), []byte("hello"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint64(3), []byte("h"), ct)
	f.Add(uint64(1<<40), []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, index uint64, aad, ct []byte) {
		index %= 1 << 12 // bound the ratchet work per input
		if pt, err := c.Open(vectorSecret, vectorAuthor, index, aad, ct); err == nil {
			if index != 3 || string(pt) != "hello" {
				t.Fatalf("Open(%d, %x, %x) = %q: opened a forgery", index, aad, ct, pt)
			}
		} else if !errors.Is(err, ErrDecrypt) {
			t.Fatalf("Open() error %v, want ErrDecrypt", err)
		}
		if _, err := OpenWith(vectorSecret, "meta", aad, ct); err == nil {
			t.Fatalf("OpenWith(%x, %x) opened a forgery", aad, ct)
		}
	})
}

// timeDuration turns a fuzzed int64 into a skew of at most ±2^40 ms.
func timeDuration(ms int64) time.Duration {
	return time.Duration(ms%(1<<40)) * time.Millisecond
}
