package chatnet

import (
	"bufio"
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
)

// FuzzParseRequest: ParseRequest never panics, fails only with
// ErrProtocol, and accepts only what AppendRequest makes byte for byte.
func FuzzParseRequest(f *testing.F) {
	for _, r := range requestCases(f) {
		if b := mustRequest(f, r); len(b) < 4096 { // large seeds stall the mutator
			f.Add(b)
		}
	}
	for _, tt := range badRequests(f) {
		if len(tt.b) < 4096 {
			f.Add(tt.b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRequest(b)
		if err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("ParseRequest() = %v, want ErrProtocol", err)
			}
			return
		}
		got, err := AppendRequest(nil, r)
		if err != nil {
			t.Fatalf("ParseRequest(%x) accepted a request AppendRequest refuses: %v", b, err)
		}
		if !bytes.Equal(got, b) {
			t.Fatalf("ParseRequest(%x) = %+v, which encodes as %x", b, r, got)
		}
	})
}

// FuzzParseResponse: the same for the response to each operation.
func FuzzParseResponse(f *testing.F) {
	for _, tt := range responseCases(f) {
		f.Add(byte(tt.op), mustResponse(f, tt.op, tt.resp))
	}
	for _, tt := range badResponses(f) {
		if len(tt.b) < 4096 {
			f.Add(byte(tt.op), tt.b)
		}
	}
	f.Fuzz(func(t *testing.T, op byte, b []byte) {
		r, err := ParseResponse(Op(op), b)
		if err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("ParseResponse() = %v, want ErrProtocol", err)
			}
			return
		}
		got, err := AppendResponse(nil, Op(op), r)
		if err != nil {
			t.Fatalf("ParseResponse(%d, %x) accepted a response AppendResponse refuses: %v", op, b, err)
		}
		if !bytes.Equal(got, b) {
			t.Fatalf("ParseResponse(%d, %x) = %+v, which encodes as %x", op, b, r, got)
		}
	})
}

// FuzzInboxRequest: an inbox request that decodes verifies only if it is
// the one alice signed, unaltered.
func FuzzInboxRequest(f *testing.F) {
	good := mustRequest(f, inboxReq(f))
	f.Add(good)
	f.Add(good[:len(good)-1])
	altered := bytes.Clone(good)
	altered[40] ^= 1
	f.Add(altered)
	now := time.UnixMilli(t0)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRequest(append([]byte{byte(OpInbox)}, b...))
		if err != nil {
			return
		}
		err = VerifyInbox(r, testPeer, now)
		if err != nil && !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("VerifyInbox() = %v, want ErrUnauthorized", err)
		}
		if err == nil && !bytes.Equal(append([]byte{byte(OpInbox)}, b...), good) && r.Account == keyOf(alice) && r.Since == 42 && r.Time == t0 {
			t.Fatalf("VerifyInbox() accepted an altered request %x", b)
		}
	})
}

// FuzzReadFrame: ReadFrame never reads past its frame, never allocates
// over max, and fails only with ErrProtocol on a byte slice.
func FuzzReadFrame(f *testing.F) {
	f.Add([]byte{0}, uint16(10))
	f.Add([]byte{3, 1, 2, 3, 4}, uint16(10))
	f.Add([]byte{0x80, 0x01}, uint16(1000))
	f.Add([]byte{0x82, 0x00}, uint16(10))
	f.Fuzz(func(t *testing.T, b []byte, max uint16) {
		r := bytes.NewReader(b)
		p, err := ReadFrame(bufio.NewReaderSize(r, 16), int(max))
		if err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("ReadFrame() = %v, want ErrProtocol", err)
			}
			return
		}
		if len(p) > int(max) {
			t.Fatalf("ReadFrame() = %d bytes, max %d", len(p), max)
		}
		if got := AppendFrame(nil, p); !bytes.Equal(got, b[:len(got)]) {
			t.Fatalf("ReadFrame(%x) = %x, which frames as %x", b, p, got)
		}
	})
}

// FuzzSyncAnswer: what the client keeps of a sync answer is of the group,
// beyond the frontier, verified and without duplicates.
func FuzzSyncAnswer(f *testing.F) {
	as := chain(f, alice, groupA, 3)
	other := chain(f, bob, groupB, 1)
	resp := func(es ...*chatlog.Entry) []byte {
		return mustResponse(f, OpSync, &Response{Status: StatusOK, Entries: raw(es...)})
	}
	f.Add(resp(as...), uint8(0))
	f.Add(resp(as[1:]...), uint8(1))
	f.Add(resp(as[0], as[0]), uint8(0))
	f.Add(resp(as[0], other[0]), uint8(0))
	f.Fuzz(func(t *testing.T, b []byte, have uint8) {
		r, err := ParseResponse(OpSync, b)
		if err != nil || r.Status != StatusOK {
			return
		}
		frontier := map[entry.Key]uint64{keyOf(alice): uint64(have)}
		es, err := decodeAnswer(testPeer, groupA, r.Entries, func(e *chatlog.Entry, _ chatlog.ID) error {
			if e.Seq <= frontier[e.Author] {
				return ErrBadAnswer
			}
			return nil
		})
		if err != nil {
			if !errors.Is(err, ErrBadAnswer) {
				t.Fatalf("decodeAnswer() = %v, want ErrBadAnswer", err)
			}
			return
		}
		seen := map[chatlog.ID]bool{}
		for _, e := range es {
			if e.Group != groupA || e.Seq <= frontier[e.Author] || seen[e.ID()] {
				t.Fatalf("decodeAnswer() kept %s seq %d of group %s", e.Author.Short(), e.Seq, e.Group.Short())
			}
			seen[e.ID()] = true
		}
	})
}

// FuzzGroupsAnswer: what the client keeps of a groups answer is at most
// the limit of verified creates of distinct public groups whose names
// match the query.
func FuzzGroupsAnswer(f *testing.F) {
	hikers := groupCreate(f, alice, groupA, "Hikers")
	bikers := groupCreate(f, bob, groupB, "bikers and hikers")
	private := groupCreate(f, carol, chatlog.GroupID{0x4a}, "")
	resp := func(es ...*chatlog.Entry) []byte {
		r := &Response{Status: StatusOK}
		for i, e := range es {
			r.Groups = append(r.Groups, RawGroup{Members: uint32(i), Create: e.Encode()})
		}
		return mustResponse(f, OpGroups, r)
	}
	f.Add(resp(hikers, bikers), "ikers", uint8(2))
	f.Add(resp(hikers, bikers), "HIKERS", uint8(1))
	f.Add(resp(hikers, hikers), "h", uint8(5))
	f.Add(resp(hikers, private), "h", uint8(5))
	f.Add(resp(bikers), "bikers", uint8(50))
	f.Fuzz(func(t *testing.T, b []byte, query string, limit uint8) {
		r, err := ParseResponse(OpGroups, b)
		if err != nil || r.Status != StatusOK {
			return
		}
		hits, err := checkGroups(testPeer, query, int(limit), r.Groups)
		if err != nil {
			if !errors.Is(err, ErrBadAnswer) {
				t.Fatalf("checkGroups() = %v, want ErrBadAnswer", err)
			}
			return
		}
		if len(hits) > int(limit) {
			t.Fatalf("checkGroups() kept %d groups, limit %d", len(hits), limit)
		}
		seen := map[chatlog.GroupID]bool{}
		for _, h := range hits {
			body, err := h.Create.Control()
			if h.Create.Kind != chatlog.KindCreate || err != nil || body.Flags&chatlog.FlagPublic == 0 ||
				!NameMatches(body.Name, query) || seen[h.Create.Group] || h.Members < 0 {
				t.Fatalf("checkGroups() kept %s (%v, %v) for %q", h.Create.Group.Short(), h.Create.Kind, err, query)
			}
			seen[h.Create.Group] = true
		}
	})
}

// FuzzRecordAnswer: the client keeps only a name record that verifies and
// is of the account asked.
func FuzzRecordAnswer(f *testing.F) {
	rec := nameRecord(f)
	f.Add(mustResponse(f, OpRecord, &Response{NameRecord: rec}))
	forged := bytes.Clone(rec)
	forged[40] ^= 1
	f.Add(mustResponse(f, OpRecord, &Response{NameRecord: forged}))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseResponse(OpRecord, b)
		if err != nil || r.Status != StatusOK {
			return
		}
		got, err := checkRecord(testPeer, keyOf(alice), r.NameRecord)
		if err != nil {
			if !errors.Is(err, ErrBadAnswer) {
				t.Fatalf("checkRecord() = %v, want ErrBadAnswer", err)
			}
			return
		}
		if !bytes.Equal(got, rec) {
			t.Fatalf("checkRecord() accepted %x, which is not alice's record", got)
		}
	})
}
