package chatlog

import (
	"encoding/binary"
	"testing"
)

// BenchmarkDecode measures Decode, signature verification included, of a
// sealed message with one dep and of a rekey for MaxWraps members, and
// DecodeStored of the message.
func BenchmarkDecode(b *testing.B) {
	msg := Entry{Group: testGroup, Seq: 2, Prev: someID, Time: t0, Kind: KindMsg, Epoch: epoch1, Deps: []ID{{1}}, Body: make([]byte, 200)}
	rekey := Body{NewEpoch: epoch2, Wraps: make([]Wrap, MaxWraps)}
	for i := range rekey.Wraps {
		binary.BigEndian.PutUint32(rekey.Wraps[i].Recipient[:], uint32(i+1))
	}
	big := Entry{Group: testGroup, Seq: 2, Prev: someID, Time: t0, Kind: KindRekey, Epoch: epoch2, Body: rekey.Encode()}
	for _, c := range []struct {
		name string
		e    Entry
	}{{"msg", msg}, {"rekey1000", big}} {
		enc := signed(b, alice, c.e).Encode()
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(enc)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Decode(enc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	enc := signed(b, alice, msg).Encode()
	b.Run("msg-stored", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodeStored(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
