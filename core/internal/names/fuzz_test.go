package names

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// FuzzDecode feeds peer input to the decoder and the validator. Most mutations
// break the signature, so it also fuzzes parse, the decoder without the
// signature check, and requires every accepted input to be canonical: its
// re-encoding is the input itself.
func FuzzDecode(f *testing.F) {
	vector, _ := hex.DecodeString(vectorHex)
	f.Add(vector)
	f.Add(mustSign(f, account(1), baseRecord(f)))
	for _, tt := range invalidRecords(f) {
		f.Add(signRaw(account(1), tt.r))
	}
	f.Add(vector[:len(vector)-1])
	f.Add([]byte{})
	f.Add([]byte{Version})

	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := parse(b); err == nil {
			if got := r.appendUnsigned(nil); !bytes.Equal(got, b[:len(b)-len(r.Sig)]) {
				t.Fatalf("parse(%x) re-encodes as %x", b, got)
			}
		}
		r, err := Decode(b)
		if err == nil {
			if got := append(r.appendUnsigned(nil), r.Sig[:]...); !bytes.Equal(got, b) {
				t.Fatalf("Decode(%x) re-encodes as %x", b, got)
			}
		}
		key := Key("alice")
		if err == nil {
			key = Key(r.Name)
		}
		_ = testValidator.Validate(key, b)
		if i, err := testValidator.Select(key, [][]byte{b, vector}); err != nil || i > 1 {
			t.Fatalf("Select() = %d, %v", i, err)
		}
		_, _ = testValidator.Resolve(key, [][]byte{b}, [][]byte{vector, b})
	})
}
