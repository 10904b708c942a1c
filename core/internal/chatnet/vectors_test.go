package chatnet

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/protocoldoc"
)

// vectorFrame is one frame of the test vectors in docs/PROTOCOL.md
// (docs/PROTOCOL.md, "Chat network", once spliced in).
type vectorFrame struct {
	name    string
	payload []byte
	want    string
}

// vectorEntry is the entry the vectors carry: alice's (seed 01×32) public
// message "hello", seq 1 of her sub-log of group 47×32, at t0+1 ms.
func vectorEntry(t testing.TB) *chatlog.Entry { return chain(t, alice, groupA, 1)[0] }

// vectorCreate is the create entry of the groups vector: alice's create
// of the public group 47×32 named "Köln Hikers", at t0.
func vectorCreate(t testing.TB) *chatlog.Entry { return groupCreate(t, alice, groupA, "Köln Hikers") }

// vectorFrames returns the vectors: the frames of a request and a response
// of each operation.
func vectorFrames(t testing.TB) []vectorFrame {
	e := vectorEntry(t)
	rec := prekey(t, bob, time.UnixMilli(t0))
	req := func(r *Request) []byte { return mustRequest(t, r) }
	resp := func(op Op, r *Response) []byte { return mustResponse(t, op, r) }
	return []vectorFrame{
		{"push request", req(&Request{Op: OpPush, Group: groupA, Entries: raw(e)}), vecPushReq},
		{"push response", resp(OpPush, &Response{Accepted: 1}), vecPushResp},
		{"sync request", req(&Request{Op: OpSync, Group: groupA, Frontier: []Pair{{keyOf(bob), 2}}}), vecSyncReq},
		{"sync response", resp(OpSync, &Response{Entries: raw(e)}), vecSyncResp},
		{"get request", req(&Request{Op: OpGet, Group: groupA, IDs: []chatlog.ID{e.ID()}}), vecGetReq},
		{"get response", resp(OpGet, &Response{}), vecGetResp},
		{"prekey request", req(&Request{Op: OpPrekey, Account: keyOf(bob)}), vecPrekeyReq},
		{"prekey response", resp(OpPrekey, &Response{Record: rec.Encode()}), vecPrekeyResp},
		{"putkey request", req(&Request{Op: OpPutKey, Record: rec.Encode()}), vecPutKeyReq},
		{"putkey response", resp(OpPutKey, &Response{}), vecOK},
		{"inbox request", req(inboxReq(t)), vecInboxReq},
		{"inbox response", resp(OpInbox, &Response{Next: t0 * 1000, Items: []InboxItem{{groupA, t0 + 1}}}), vecInboxResp},
		{"record request", req(&Request{Op: OpRecord, Account: keyOf(alice)}), vecRecordReq},
		{"record response", resp(OpRecord, &Response{NameRecord: nameRecord(t)}), vecRecordResp},
		{"groups request", req(&Request{Op: OpGroups, Limit: 10, Query: "hikers"}), vecGroupsReq},
		{"groups response", resp(OpGroups, &Response{Groups: []RawGroup{{Members: 3, Create: vectorCreate(t).Encode()}}}), vecGroupsResp},
		{"refused response", resp(OpSync, &Response{Status: StatusRefused}), vecRefused},
		{"not found response", resp(OpPrekey, &Response{Status: StatusNotFound}), vecNotFound},
	}
}

// The vectors, as frames in hex.
const (
	vecPushReq = "" +
		"f901014747474747474747474747474747474747474747474747474747474747" +
		"4747470001000000d20147474747474747474747474747474747474747474747" +
		"474747474747474747478a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94" +
		"121bf3748801b40f6f5c00000000000000010000000000000000000000000000" +
		"0000000000000000000000000000000000000000019b76daa801000000000900" +
		"0000000000000000000000000000000000000007010568656c6c6f988f8c4aa7" +
		"f4b063fc583306094eeb6a052ce57fba9a5d0ae70e946b0b4eea57b13dd28571" +
		"3eb30adfe87f4560c1f73096631931717e5563853602d9fc236b0e"
	vecPushResp = "03000001"
	vecSyncReq  = "" +
		"4b02474747474747474747474747474747474747474747474747474747474747" +
		"474700018139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b" +
		"8fc9b3940000000000000002"
	vecSyncResp = "" +
		"da0100000001000000d201474747474747474747474747474747474747474747" +
		"47474747474747474747478a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d" +
		"94121bf3748801b40f6f5c000000000000000100000000000000000000000000" +
		"000000000000000000000000000000000000000000019b76daa8010000000009" +
		"000000000000000000000000000000000000000007010568656c6c6f988f8c4a" +
		"a7f4b063fc583306094eeb6a052ce57fba9a5d0ae70e946b0b4eea57b13dd285" +
		"713eb30adfe87f4560c1f73096631931717e5563853602d9fc236b0e"
	vecGetReq = "" +
		"4303474747474747474747474747474747474747474747474747474747474747" +
		"4747000184b855791a4c02e7372d547ea954ce0deb217b6eda11c46e02ebd8b4" +
		"c1c471d7"
	vecGetResp   = "03000000"
	vecPrekeyReq = "" +
		"21048139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9" +
		"b394"
	vecPrekeyResp = "" +
		"920100018139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b" +
		"8fc9b394090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324" +
		"252627280000019b76daa8000000019b9ae72c002d6968033d6e38eabb644073" +
		"4affaf9edc82c9caa44d9a9febd7bf28a283dbe31ab344def57be562a7faa8b1" +
		"a9883cf2a29f2ba29a32ef4b64e4d4e8185bb405"
	vecPutKeyReq = "" +
		"920105018139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b" +
		"8fc9b394090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324" +
		"252627280000019b76daa8000000019b9ae72c002d6968033d6e38eabb644073" +
		"4affaf9edc82c9caa44d9a9febd7bf28a283dbe31ab344def57be562a7faa8b1" +
		"a9883cf2a29f2ba29a32ef4b64e4d4e8185bb405"
	vecOK       = "0100"
	vecInboxReq = "" +
		"9801068a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b4" +
		"0f6f5c000000000000002a0000019b76daa800260024080112206e7a1cdd29b0" +
		"b78fd13af4c5598feff4ef2a97166e3ca6f2e4fbfccd80505bf1e36f3ac50b93" +
		"c6f29d144edd40e46f72b03bdc9de0d2f9b03004461e6cb88369f909a8640def" +
		"f98eb738c82b9da7c07d17ed497e34e577c5829d30d68b505406"
	vecInboxResp = "" +
		"3300000647484620400000014747474747474747474747474747474747474747" +
		"4747474747474747474747470000019b76daa801"
	vecRecordReq = "" +
		"21078a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f" +
		"6f5c"
	vecRecordResp = "" +
		"b2010000af028a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf374" +
		"8801b40f6f5c000000000010d3250000019b76daa8000000019b771196800000" +
		"00000000002a05616c696365260024080112206e7a1cdd29b0b78fd13af4c559" +
		"8feff4ef2a97166e3ca6f2e4fbfccd80505bf100700aefb10395a5ad98ac31f1" +
		"4d4559c281736256ace6a74b097bde78769501e83c6a2a4075ce2745e4a4323c" +
		"52142c4faa33e0ef6a540114ebbe05c141329008"
	vecGroupsReq  = "08080a68696b657273"
	vecGroupsResp = "" +
		"f801000100000003000000ee01484791e4ea014d8da6af84b4b25867b4855863" +
		"1fe03fcd38b1c03d9a36ed6b808a88e3dd7409f195fd52db2d3cba5d72ca6709" +
		"bf1d94121bf3748801b40f6f5c00000000000000010000000000000000000000" +
		"0000000000000000000000000000000000000000000000019b76daa800000000" +
		"0001000000000000000000000000000000000000000023010101080c4bc3b66c" +
		"6e2048696b6572730c1047474747474747474747474747474747f7a01610e67d" +
		"d505f4f5aaeda08c5e2a9202c9c75ab8c267357c37d20215e93077ca85f7e955" +
		"147bd471ee191a2e37ea6120c2582d7fbed390b4641b888fa107"
	vecRefused  = "0101"
	vecNotFound = "0104"
)

// TestVectors builds each vector, checks it against its pinned hex and
// that it decodes, and with -v prints it as the document shows it.
func TestVectors(t *testing.T) {
	e := vectorEntry(t)
	t.Logf("\nentry (%d bytes), ID %s:\n\n```\n%s```\n", len(e.Encode()), e.ID(), wrapHex(e.Encode()))
	t.Logf("inbox request signed bytes:\n\n```\n%s```\n", wrapHex(inboxMessage(inboxReq(t))))
	for _, v := range vectorFrames(t) {
		frame := AppendFrame(nil, v.payload)
		t.Logf("\n**%s** (%d bytes)\n\n```\n%s```\n", v.name, len(frame), wrapHex(frame))
		if got := hex.EncodeToString(frame); got != v.want {
			t.Errorf("%s = %s, want %s", v.name, got, v.want)
		}
		var err error
		if strings.HasSuffix(v.name, "request") {
			_, err = ParseRequest(v.payload)
		} else {
			_, err = ParseResponse(opOf(v.name), v.payload)
		}
		if err != nil {
			t.Errorf("%s does not decode: %v", v.name, err)
		}
	}
	if err := VerifyInbox(inboxReq(t), testPeer, time.UnixMilli(t0)); err != nil {
		t.Errorf("VerifyInbox(vector) = %v", err)
	}
	c := vectorCreate(t)
	t.Logf("\ncreate entry (%d bytes), ID %s:\n\n```\n%s```\n", c.Size(), c.ID(), wrapHex(c.Encode()))
	t.Logf("\nname record (%d bytes):\n\n```\n%s```\n", len(nameRecord(t)), wrapHex(nameRecord(t)))
	if _, err := checkRecord(testPeer, keyOf(alice), nameRecord(t)); err != nil {
		t.Errorf("the vector name record does not check: %v", err)
	}
	if hits, err := checkGroups(testPeer, "hikers", 10, []RawGroup{{Members: 3, Create: c.Encode()}}); err != nil || len(hits) != 1 {
		t.Errorf("the vector groups answer does not check: %v", err)
	}
}

// opOf returns the operation a vector's name starts with.
func opOf(name string) Op {
	for op := OpPush; op <= maxOp; op++ {
		if strings.HasPrefix(name, op.String()+" ") {
			return op
		}
	}
	return OpSync
}

// wrapHex returns b in hex, 64 digits a line.
func wrapHex(b []byte) string {
	h := hex.EncodeToString(b)
	var s strings.Builder
	for len(h) > 64 {
		s.WriteString(h[:64] + "\n")
		h = h[64:]
	}
	s.WriteString(h + "\n")
	return s.String()
}

// flatDoc returns docs/PROTOCOL.md with all white space removed.
func flatDoc(t *testing.T) string { return protocoldoc.Flat(t) }

// TestVectorsDocumented checks that the document shows every vector, the
// contexts and the limits exactly as the code makes them.
func TestVectorsDocumented(t *testing.T) {
	doc := flatDoc(t)
	for _, v := range vectorFrames(t) {
		if !strings.Contains(doc, v.want) {
			t.Errorf("the document does not show the %s %s", v.name, v.want)
		}
	}
	e := vectorEntry(t)
	for what, s := range map[string]string{
		"the vector entry":         hex.EncodeToString(e.Encode()),
		"the vector entry's ID":    e.ID().String(),
		"the inbox context in hex": hex.EncodeToString([]byte(InboxSigContext)),
		"the inbox signed bytes":   hex.EncodeToString(inboxMessage(inboxReq(t))),
		"the protocol ID":          ProtocolID,
		"the vector create entry":  hex.EncodeToString(vectorCreate(t).Encode()),
		"the vector create's ID":   vectorCreate(t).ID().String(),
		"MaxNameRecord":            "8,192",
		"MaxRequest":               "1,048,576",
		"MaxResponse":              "8,388,608",
		"MaxAnswerBytes":           "4,194,304",
		"chatlog.MaxSize":          "131,403",
	} {
		if !strings.Contains(doc, s) {
			t.Errorf("the document does not show %s: %s", what, s)
		}
	}
}
