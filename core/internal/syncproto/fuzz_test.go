package syncproto

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
)

func FuzzReadRequest(f *testing.F) {
	for _, req := range requestCases() {
		f.Add(requestBytes(req))
	}
	for _, tt := range badRequests() {
		f.Add(tt.b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		req, err := ReadRequest(r)
		if err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("ReadRequest() = %v, want a protocol violation", err)
			}
			return
		}
		if err := req.check(); err != nil {
			t.Fatalf("ReadRequest() accepted a request WriteRequest refuses: %v", err)
		}
		if got, read := requestBytes(req), b[:len(b)-r.Len()]; !bytes.Equal(got, read) {
			t.Fatalf("ReadRequest(%x) = %+v, which encodes as %x", read, req, got)
		}
	})
}

// FuzzResponse feeds Fetch arbitrary server bytes, for a request that is
// itself fuzzed (through ReadRequest).
func FuzzResponse(f *testing.F) {
	log := newLog(f, alice, 3, nil)
	var valid []byte
	for _, e := range log {
		valid = append(valid, entryFrame(e.Bytes())...)
	}
	req := Request{Wants: []Want{{Author: author(alice)}, {Author: author(bob), Have: 2}}, MaxEntries: 2}
	f.Add(requestBytes(req), cat(valid, endFrame(0)))
	f.Add(requestBytes(req), cat(valid[:len(valid)/3], endFrame(flagMore)))
	f.Add(requestBytes(Request{}), endFrame(0))
	f.Add(requestBytes(req), cat(entryFrame(log[0].Redact().Bytes()), entryFrame(log[1].Bytes()), endFrame(0)))
	for _, tt := range badResponses(f) {
		f.Add(requestBytes(tt.req), tt.resp)
	}
	f.Fuzz(func(t *testing.T, reqBytes, resp []byte) {
		req, err := ReadRequest(bytes.NewReader(reqBytes))
		if err != nil {
			return
		}
		have := map[entry.Key]uint64{}
		for _, w := range req.Wants {
			have[w.Author] = w.Have
		}
		maxCount, maxBytes := req.Limits()
		count, size := 0, 0
		more, err := Fetch(bytes.NewReader(resp), io.Discard, req, func(batch []*entry.Entry) error {
			if len(batch) == 0 || len(batch) > batchSize {
				t.Fatalf("batch of %d entries", len(batch))
			}
			for _, e := range batch {
				last, ok := have[e.Author]
				if !ok || e.Seq <= last {
					t.Fatalf("Fetch passed on %s seq %d (asked: %v, after %d)", e.Author.Short(), e.Seq, ok, last)
				}
				have[e.Author] = e.Seq
				count++
				size += len(e.Bytes())
			}
			return nil
		})
		if count > maxCount || size > maxBytes {
			t.Fatalf("Fetch passed on %d entries of %d bytes, limits %d and %d", count, size, maxCount, maxBytes)
		}
		if err != nil && (more || !errors.Is(err, ErrProtocol)) {
			t.Fatalf("Fetch() = %v, %v; want false and a protocol violation", more, err)
		}
	})
}

func FuzzReadNotice(f *testing.F) {
	for _, n := range noticeCases(f) {
		var b bytes.Buffer
		if err := WriteNotice(&b, n); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	for _, tt := range badNotices(f) {
		f.Add(tt.b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		n, err := ReadNotice(r)
		if err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("ReadNotice() = %v, want a protocol violation", err)
			}
			return
		}
		var w bytes.Buffer
		if err := WriteNotice(&w, n); err != nil {
			t.Fatalf("ReadNotice() accepted a notice WriteNotice refuses: %v", err)
		}
		if read := b[:len(b)-r.Len()]; !bytes.Equal(w.Bytes(), read) {
			t.Fatalf("ReadNotice(%x) re-encodes as %x", read, w.Bytes())
		}
	})
}
