package chatnet

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/chatcrypt"
	"github.com/skein-p2p/skein/core/internal/chatlog"
)

// testPeer is a fixed peer ID: that of seed 05's Ed25519 key.
var testPeer = peerOf(key(0x05))

// peerOf returns the peer ID of the Ed25519 key priv.
func peerOf(priv ed25519.PrivateKey) peer.ID {
	ck, err := crypto.UnmarshalEd25519PrivateKey(priv)
	if err != nil {
		panic(err)
	}
	id, err := peer.IDFromPrivateKey(ck)
	if err != nil {
		panic(err)
	}
	return id
}

// ids returns n ascending entry IDs.
func ids(n int) []chatlog.ID {
	out := make([]chatlog.ID, n)
	for i := range out {
		binary.BigEndian.PutUint16(out[i][:], uint16(i+1))
	}
	return out
}

// frontier returns n ascending frontier pairs.
func frontier(n int) []Pair {
	out := make([]Pair, n)
	for i := range out {
		binary.BigEndian.PutUint16(out[i].Author[:], uint16(i+1))
		out[i].Seq = uint64(i + 1)
	}
	return out
}

// raw returns the encodings of es.
func raw(es ...*chatlog.Entry) [][]byte {
	out := make([][]byte, len(es))
	for i, e := range es {
		out[i] = e.Encode()
	}
	return out
}

// inboxReq returns alice's inbox request for testPeer at t0.
func inboxReq(t testing.TB) *Request {
	t.Helper()
	r, err := SignInbox(alice, 42, time.UnixMilli(t0), testPeer)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// requestCases are valid requests of every operation.
func requestCases(t testing.TB) []*Request {
	es := chain(t, alice, groupA, 3)
	return []*Request{
		{Op: OpPush, Group: groupA, Entries: raw(es...)},
		{Op: OpPush, Group: groupA, Entries: raw(es[0])},
		{Op: OpSync, Group: groupA},
		{Op: OpSync, Group: groupA, Frontier: frontier(3)},
		{Op: OpSync, Group: groupB, Frontier: frontier(MaxFrontier)},
		{Op: OpGet, Group: groupA, IDs: ids(1)},
		{Op: OpGet, Group: groupA, IDs: ids(MaxGetIDs)},
		{Op: OpPrekey, Account: keyOf(bob)},
		{Op: OpPutKey, Record: prekey(t, bob, time.UnixMilli(t0)).Encode()},
		inboxReq(t),
		{Op: OpRecord, Account: keyOf(alice)},
		{Op: OpGroups, Limit: 1, Query: "a"},
		{Op: OpGroups, Limit: MaxGroupHits, Query: "Köln Wanderer 🥾"},
		{Op: OpGroups, Limit: 7, Query: strings.Repeat("🥾", MaxQueryChars)},
	}
}

// responseCase is a response to a request of Op.
type responseCase struct {
	op   Op
	resp *Response
}

func responseCases(t testing.TB) []responseCase {
	es := chain(t, alice, groupA, 3)
	return []responseCase{
		{OpPush, &Response{Status: StatusOK, Accepted: 2}},
		{OpPush, &Response{Status: StatusUnknownGroup}},
		{OpSync, &Response{Status: StatusOK}},
		{OpSync, &Response{Status: StatusOK, Entries: raw(es...)}},
		{OpSync, &Response{Status: StatusOK, More: true, Entries: raw(es[0])}},
		{OpSync, &Response{Status: StatusRefused}},
		{OpGet, &Response{Status: StatusOK, Entries: raw(es[1])}},
		{OpGet, &Response{Status: StatusOK}},
		{OpPrekey, &Response{Status: StatusOK, Record: prekey(t, bob, time.UnixMilli(t0)).Encode()}},
		{OpPrekey, &Response{Status: StatusNotFound}},
		{OpPutKey, &Response{Status: StatusOK}},
		{OpPutKey, &Response{Status: StatusBadRequest}},
		{OpInbox, &Response{Status: StatusOK, Next: 7}},
		{OpInbox, &Response{Status: StatusOK, Next: 1 << 60, Items: []InboxItem{{groupA, t0}, {groupB, t0 + 1}}}},
		{OpRecord, &Response{Status: StatusOK, NameRecord: nameRecord(t)}},
		{OpRecord, &Response{Status: StatusOK, NameRecord: make([]byte, MaxNameRecord)}},
		{OpRecord, &Response{Status: StatusNotFound}},
		{OpGroups, &Response{Status: StatusOK}},
		{OpGroups, &Response{Status: StatusOK, Groups: []RawGroup{
			{Members: 3, Create: groupCreate(t, alice, groupA, "hikers").Encode()},
			{Members: 1<<32 - 1, Create: []byte{1}},
		}}},
		{OpGroups, &Response{Status: StatusRefused}},
	}
}

func mustRequest(t testing.TB, r *Request) []byte {
	t.Helper()
	b, err := AppendRequest(nil, r)
	if err != nil {
		t.Fatalf("AppendRequest(%v) = %v", r.Op, err)
	}
	return b
}

func mustResponse(t testing.TB, op Op, r *Response) []byte {
	t.Helper()
	b, err := AppendResponse(nil, op, r)
	if err != nil {
		t.Fatalf("AppendResponse(%v, %v) = %v", op, r.Status, err)
	}
	return b
}

func TestRequestRoundTrip(t *testing.T) {
	for _, req := range requestCases(t) {
		t.Run(req.Op.String(), func(t *testing.T) {
			b := mustRequest(t, req)
			got, err := ParseRequest(b)
			if err != nil {
				t.Fatalf("ParseRequest(%x) = %v", b, err)
			}
			if !reflect.DeepEqual(got, req) {
				t.Errorf("ParseRequest(AppendRequest(r)) = %+v, want %+v", got, req)
			}
			if b2 := mustRequest(t, got); !bytes.Equal(b, b2) {
				t.Errorf("request does not re-encode the same")
			}
		})
	}
}

func TestResponseRoundTrip(t *testing.T) {
	for _, tt := range responseCases(t) {
		t.Run(tt.op.String()+" "+tt.resp.Status.String(), func(t *testing.T) {
			b := mustResponse(t, tt.op, tt.resp)
			got, err := ParseResponse(tt.op, b)
			if err != nil {
				t.Fatalf("ParseResponse(%x) = %v", b, err)
			}
			if !reflect.DeepEqual(got, tt.resp) {
				t.Errorf("ParseResponse(AppendResponse(r)) = %+v, want %+v", got, tt.resp)
			}
		})
	}
}

// badRequests are request payloads ParseRequest refuses.
func badRequests(t testing.TB) []struct {
	name string
	b    []byte
} {
	e := chain(t, alice, groupA, 1)[0].Encode()
	push := mustRequest(t, &Request{Op: OpPush, Group: groupA, Entries: [][]byte{e}})
	sync := mustRequest(t, &Request{Op: OpSync, Group: groupA, Frontier: frontier(2)})
	get := mustRequest(t, &Request{Op: OpGet, Group: groupA, IDs: ids(2)})
	inbox := mustRequest(t, inboxReq(t))
	groups := func(limit byte, query string) []byte { return append([]byte{byte(OpGroups), limit}, query...) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	u16 := func(n int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(n)) }
	u32 := func(n int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(n)) }
	swapped := bytes.Clone(sync)
	copy(swapped[35:75], sync[75:115])
	copy(swapped[75:115], sync[35:75])
	seq0 := bytes.Clone(sync)
	binary.BigEndian.PutUint64(seq0[35+32:], 0)
	dupIDs := bytes.Clone(get)
	copy(dupIDs[35+32:], get[35:67])
	return []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"unknown op", []byte{0}},
		{"unknown op 9", []byte{9}},
		{"push truncated group", push[:20]},
		{"push truncated entry", push[:len(push)-1]},
		{"push trailing byte", cat(push, []byte{0})},
		{"push of no entries", cat([]byte{1}, groupA[:], u16(0))},
		{"push of too many entries", cat([]byte{1}, groupA[:], u16(MaxPushEntries+1))},
		{"push count over its bytes", cat([]byte{1}, groupA[:], u16(200), u32(1), []byte{1})},
		{"push entry of 0 bytes", cat([]byte{1}, groupA[:], u16(1), u32(0))},
		{"push entry too long", cat([]byte{1}, groupA[:], u16(1), u32(chatlog.MaxSize+1), make([]byte, chatlog.MaxSize+1))},
		{"sync without count", sync[:33]},
		{"sync too many pairs", cat([]byte{2}, groupA[:], u16(MaxFrontier+1), make([]byte, (MaxFrontier+1)*40))},
		{"sync short pairs", sync[:len(sync)-1]},
		{"sync trailing byte", cat(sync, []byte{0})},
		{"sync authors descending", swapped},
		{"sync authors repeated", cat([]byte{2}, groupA[:], u16(2), sync[35:75], sync[35:75])},
		{"sync seq 0", seq0},
		{"get of no IDs", cat([]byte{3}, groupA[:], u16(0))},
		{"get of too many IDs", cat([]byte{3}, groupA[:], u16(MaxGetIDs+1), make([]byte, (MaxGetIDs+1)*32))},
		{"get IDs repeated", dupIDs},
		{"get truncated", get[:len(get)-1]},
		{"prekey short", make([]byte, 1+31)},
		{"prekey long", cat([]byte{4}, make([]byte, 33))},
		{"putkey short", cat([]byte{5}, make([]byte, chatcrypt.PrekeyRecordSize-1))},
		{"putkey long", cat([]byte{5}, make([]byte, chatcrypt.PrekeyRecordSize+1))},
		{"inbox truncated", inbox[:len(inbox)-1]},
		{"inbox trailing byte", cat(inbox, []byte{0})},
		{"inbox peer ID of 0 bytes", cat(inbox[:49], []byte{0}, make([]byte, 64))},
		{"inbox peer ID too long", cat(inbox[:49], []byte{MaxPeerID + 1}, make([]byte, MaxPeerID+1+64))},
		{"record short", cat([]byte{7}, make([]byte, 31))},
		{"record long", cat([]byte{7}, make([]byte, 33))},
		{"groups without limit", []byte{8}},
		{"groups without query", groups(5, "")},
		{"groups limit 0", groups(0, "hikers")},
		{"groups limit over", groups(MaxGroupHits+1, "hikers")},
		{"groups query too long", groups(5, strings.Repeat("a", MaxQueryChars+1))},
		{"groups query too many bytes", groups(5, strings.Repeat("🥾", MaxQueryChars)+"a")},
		{"groups query not UTF-8", groups(5, "hik\xffers")},
		{"groups query with a newline", groups(5, "hik\ners")},
		{"groups query with a NUL", groups(5, "hik\x00ers")},
		{"too long", make([]byte, MaxRequest+1)},
	}
}

func TestParseRequestRejects(t *testing.T) {
	for _, tt := range badRequests(t) {
		t.Run(tt.name, func(t *testing.T) {
			if r, err := ParseRequest(tt.b); !errors.Is(err, ErrProtocol) {
				t.Errorf("ParseRequest() = %+v, %v; want ErrProtocol", r, err)
			}
		})
	}
}

func TestAppendRequestRejects(t *testing.T) {
	e := chain(t, alice, groupA, 1)[0].Encode()
	big := make([]byte, chatlog.MaxSize)
	desc := frontier(2)
	desc[0], desc[1] = desc[1], desc[0]
	tests := []struct {
		name string
		r    *Request
		want error
	}{
		{"push of nothing", &Request{Op: OpPush}, ErrTooLarge},
		{"push of too many", &Request{Op: OpPush, Entries: make([][]byte, MaxPushEntries+1)}, ErrTooLarge},
		{"push of an empty entry", &Request{Op: OpPush, Entries: [][]byte{e, nil}}, ErrTooLarge},
		{"push over MaxRequest", &Request{Op: OpPush, Entries: [][]byte{big, big, big, big, big, big, big, big}}, ErrTooLarge},
		{"sync of too many", &Request{Op: OpSync, Frontier: frontier(MaxFrontier + 1)}, ErrTooLarge},
		{"sync descending", &Request{Op: OpSync, Frontier: desc}, ErrProtocol},
		{"sync seq 0", &Request{Op: OpSync, Frontier: []Pair{{}}}, ErrProtocol},
		{"get of nothing", &Request{Op: OpGet}, ErrTooLarge},
		{"get of too many", &Request{Op: OpGet, IDs: ids(MaxGetIDs + 1)}, ErrTooLarge},
		{"get repeated", &Request{Op: OpGet, IDs: []chatlog.ID{{1}, {1}}}, ErrProtocol},
		{"putkey short", &Request{Op: OpPutKey, Record: []byte{1}}, ErrProtocol},
		{"inbox without peer", &Request{Op: OpInbox, Sig: make([]byte, 64)}, ErrProtocol},
		{"inbox without sig", &Request{Op: OpInbox, PeerID: []byte{1}}, ErrProtocol},
		{"unknown op", &Request{Op: 9}, ErrProtocol},
		{"groups limit 0", &Request{Op: OpGroups, Query: "a"}, ErrTooLarge},
		{"groups limit over", &Request{Op: OpGroups, Limit: MaxGroupHits + 1, Query: "a"}, ErrTooLarge},
		{"groups empty query", &Request{Op: OpGroups, Limit: 1}, ErrTooLarge},
		{"groups query too long", &Request{Op: OpGroups, Limit: 1, Query: strings.Repeat("é", MaxQueryChars+1)}, ErrTooLarge},
		{"groups query with a tab", &Request{Op: OpGroups, Limit: 1, Query: "a\tb"}, ErrProtocol},
		{"groups query not UTF-8", &Request{Op: OpGroups, Limit: 1, Query: "a\xc3"}, ErrProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := AppendRequest(nil, tt.r); !errors.Is(err, tt.want) {
				t.Errorf("AppendRequest() = %v, want %v", err, tt.want)
			}
		})
	}
}

// badResponse is a response payload ParseResponse refuses for op.
type badResponse struct {
	name string
	op   Op
	b    []byte
}

func badResponses(t testing.TB) []badResponse {
	e := chain(t, alice, groupA, 1)[0].Encode()
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	u16 := func(n int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(n)) }
	u32 := func(n int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(n)) }
	sync := mustResponse(t, OpSync, &Response{Status: StatusOK, Entries: [][]byte{e}})
	get := mustResponse(t, OpGet, &Response{Status: StatusOK, Entries: [][]byte{e}})
	inbox := mustResponse(t, OpInbox, &Response{Status: StatusOK, Items: []InboxItem{{groupA, t0}}})
	rec := mustResponse(t, OpRecord, &Response{Status: StatusOK, NameRecord: []byte{1, 2, 3}})
	grp := mustResponse(t, OpGroups, &Response{Status: StatusOK, Groups: []RawGroup{{Members: 2, Create: e}}})
	bigEntry := cat(u32(chatlog.MaxSize), make([]byte, chatlog.MaxSize))
	overBytes := cat([]byte{0, 0}, u16(MaxAnswerBytes/chatlog.MaxSize+1))
	for range MaxAnswerBytes/chatlog.MaxSize + 1 {
		overBytes = append(overBytes, bigEntry...)
	}
	overGroups := []byte{0, MaxAnswerBytes/chatlog.MaxSize + 1}
	for range MaxAnswerBytes/chatlog.MaxSize + 1 {
		overGroups = append(cat(overGroups, u32(1)), bigEntry...)
	}
	return []badResponse{
		{"empty", OpPush, nil},
		{"unknown status", OpPush, []byte{5}},
		{"refused with a body", OpSync, []byte{1, 0}},
		{"unknown op", 9, []byte{0}},
		{"unknown op 0", 0, []byte{0}},
		{"push without count", OpPush, []byte{0}},
		{"push count too large", OpPush, cat([]byte{0}, u16(MaxPushEntries+1))},
		{"push trailing byte", OpPush, cat([]byte{0}, u16(1), []byte{0})},
		{"sync without more", OpSync, []byte{0}},
		{"sync more of 2", OpSync, cat([]byte{0, 2}, u16(0))},
		{"sync more without entries", OpSync, cat([]byte{0, 1}, u16(0))},
		{"sync too many entries", OpSync, cat([]byte{0, 0}, u16(MaxSyncEntries+1))},
		{"sync truncated", OpSync, sync[:len(sync)-1]},
		{"sync trailing byte", OpSync, cat(sync, []byte{0})},
		{"sync entry of 0 bytes", OpSync, cat([]byte{0, 0}, u16(1), u32(0))},
		{"sync entries over MaxAnswerBytes", OpSync, overBytes},
		{"get too many entries", OpGet, cat([]byte{0}, u16(MaxGetIDs+1))},
		{"get truncated", OpGet, get[:len(get)-3]},
		{"get trailing byte", OpGet, cat(get, []byte{0})},
		{"prekey short", OpPrekey, make([]byte, chatcrypt.PrekeyRecordSize)},
		{"prekey long", OpPrekey, make([]byte, chatcrypt.PrekeyRecordSize+2)},
		{"putkey with a body", OpPutKey, []byte{0, 0}},
		{"inbox without next", OpInbox, []byte{0, 1, 2}},
		{"inbox too many items", OpInbox, cat([]byte{0}, make([]byte, 8), u16(MaxInboxItems+1))},
		{"inbox truncated", OpInbox, inbox[:len(inbox)-1]},
		{"inbox trailing byte", OpInbox, cat(inbox, []byte{0})},
		{"record without length", OpRecord, []byte{0, 0}},
		{"record of 0 bytes", OpRecord, cat([]byte{0}, u16(0))},
		{"record too long", OpRecord, cat([]byte{0}, u16(MaxNameRecord+1), make([]byte, MaxNameRecord+1))},
		{"record truncated", OpRecord, rec[:len(rec)-1]},
		{"record trailing byte", OpRecord, cat(rec, []byte{0})},
		{"groups without count", OpGroups, []byte{0}},
		{"groups too many", OpGroups, cat([]byte{0, MaxGroupHits + 1}, bytes.Repeat(cat(u32(1), u32(1), []byte{1}), MaxGroupHits+1))},
		{"groups count over its bytes", OpGroups, cat([]byte{0, 3}, u32(1), u32(1), []byte{1})},
		{"groups entry of 0 bytes", OpGroups, cat([]byte{0, 1}, u32(1), u32(0), []byte{0})},
		{"groups entry too long", OpGroups, cat([]byte{0, 1}, u32(1), u32(chatlog.MaxSize+1), make([]byte, chatlog.MaxSize+1))},
		{"groups truncated", OpGroups, grp[:len(grp)-1]},
		{"groups trailing byte", OpGroups, cat(grp, []byte{0})},
		{"groups entries over MaxAnswerBytes", OpGroups, overGroups},
	}
}

func TestParseResponseRejects(t *testing.T) {
	for _, tt := range badResponses(t) {
		t.Run(tt.name, func(t *testing.T) {
			if r, err := ParseResponse(tt.op, tt.b); !errors.Is(err, ErrProtocol) {
				t.Errorf("ParseResponse(%v) = %+v, %v; want ErrProtocol", tt.op, r, err)
			}
		})
	}
}

func TestAppendResponseRejects(t *testing.T) {
	tests := []struct {
		name string
		op   Op
		r    *Response
	}{
		{"unknown status", OpPush, &Response{Status: 9}},
		{"unknown op", 9, &Response{}},
		{"push accepted too many", OpPush, &Response{Accepted: MaxPushEntries + 1}},
		{"push accepted negative", OpPush, &Response{Accepted: -1}},
		{"sync more without entries", OpSync, &Response{More: true}},
		{"sync too many entries", OpSync, &Response{Entries: make([][]byte, MaxSyncEntries+1)}},
		{"get too many entries", OpGet, &Response{Entries: make([][]byte, MaxGetIDs+1)}},
		{"get an empty entry", OpGet, &Response{Entries: [][]byte{nil}}},
		{"prekey of the wrong size", OpPrekey, &Response{Record: []byte{1}}},
		{"inbox too many items", OpInbox, &Response{Items: make([]InboxItem, MaxInboxItems+1)}},
		{"record empty", OpRecord, &Response{}},
		{"record too long", OpRecord, &Response{NameRecord: make([]byte, MaxNameRecord+1)}},
		{"groups too many", OpGroups, &Response{Groups: slices.Repeat([]RawGroup{{Create: []byte{1}}}, MaxGroupHits+1)}},
		{"groups empty create", OpGroups, &Response{Groups: []RawGroup{{Members: 1}}}},
		{"groups create too long", OpGroups, &Response{Groups: []RawGroup{{Create: make([]byte, chatlog.MaxSize+1)}}}},
		{"groups over MaxAnswerBytes", OpGroups, &Response{Groups: slices.Repeat([]RawGroup{{Create: make([]byte, chatlog.MaxSize)}}, MaxAnswerBytes/chatlog.MaxSize+1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := AppendResponse(nil, tt.op, tt.r); !errors.Is(err, ErrProtocol) {
				t.Errorf("AppendResponse() = %v, want ErrProtocol", err)
			}
		})
	}
}

func TestReadFrame(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		max  int
		want []byte
		err  bool
	}{
		{"empty payload", []byte{0}, 10, []byte{}, false},
		{"short", []byte{2, 'h', 'i', 'x'}, 10, []byte("hi"), false},
		{"two-byte length", append([]byte{0x80, 0x01}, make([]byte, 128)...), 200, make([]byte, 128), false},
		{"nothing", nil, 10, nil, true},
		{"over max", []byte{11}, 10, nil, true},
		{"over max early", []byte{0xff, 0xff, 0xff}, 1000, nil, true},
		{"not minimal", []byte{0x82, 0x00, 1, 2}, 10, nil, true},
		{"truncated payload", []byte{3, 1}, 10, nil, true},
		{"overflowing length", bytes.Repeat([]byte{0x80}, 11), 1 << 30, nil, true},
		{"length wrapping to 0", append(bytes.Repeat([]byte{0x80}, 9), 0x30), 1 << 30, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadFrame(bufio.NewReader(bytes.NewReader(tt.b)), tt.max)
			if tt.err {
				if !errors.Is(err, ErrProtocol) {
					t.Errorf("ReadFrame(%x) = %x, %v; want ErrProtocol", tt.b, got, err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tt.want) {
				t.Errorf("ReadFrame(%x) = %x, %v; want %x", tt.b, got, err, tt.want)
			}
		})
	}
}

func TestVerifyInbox(t *testing.T) {
	now := time.UnixMilli(t0)
	good := inboxReq(t)
	other := peer.ID("another peer")
	forged := inboxReq(t)
	forged.Since++
	wrongKey := inboxReq(t)
	wrongKey.Account = keyOf(bob)
	tests := []struct {
		name string
		r    *Request
		self peer.ID
		now  time.Time
		ok   bool
	}{
		{"good", good, testPeer, now, true},
		{"4 minutes late", good, testPeer, now.Add(4 * time.Minute), true},
		{"4 minutes early", good, testPeer, now.Add(-4 * time.Minute), true},
		{"6 minutes late", good, testPeer, now.Add(6 * time.Minute), false},
		{"6 minutes early", good, testPeer, now.Add(-6 * time.Minute), false},
		{"another server", good, other, now, false},
		{"altered cursor", forged, testPeer, now, false},
		{"another account", wrongKey, testPeer, now, false},
		{"not an inbox request", &Request{Op: OpSync}, testPeer, now, false},
		{"far future", &Request{Op: OpInbox, Time: 1 << 63, PeerID: []byte(testPeer), Sig: make([]byte, 64)}, testPeer, now, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyInbox(tt.r, tt.self, tt.now)
			if tt.ok && err != nil || !tt.ok && !errors.Is(err, ErrUnauthorized) {
				t.Errorf("VerifyInbox() = %v, want ok %v", err, tt.ok)
			}
		})
	}
	if _, err := SignInbox(alice[:10], 0, now, testPeer); err == nil {
		t.Error("SignInbox(short key) = nil error")
	}
	if _, err := SignInbox(alice, 0, now, ""); err == nil {
		t.Error("SignInbox(no peer) = nil error")
	}
}
