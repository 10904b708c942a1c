package threads

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/protocoldoc"
)

// vectorThread returns alice's first entry of the entry test vectors (her
// post "hello, skein") and bob's reply to it, "welcome, alice", his first
// entry, a minute later.
func vectorThread(t testing.TB) (post, reply *entry.Entry) {
	t.Helper()
	alice := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32))
	bob := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, 32))
	post, err := entry.New(alice, 1, entry.ID{}, hlc.Timestamp{Wall: 1_767_225_600_000}, entry.KindPost, []byte("hello, skein"))
	if err != nil {
		t.Fatal(err)
	}
	body := entry.Reply{Parent: entry.Ref{Author: post.Author, Seq: post.Seq, ID: post.ID()}, Text: "welcome, alice"}.Bytes()
	reply, err = entry.New(bob, 1, entry.ID{}, hlc.Timestamp{Wall: 1_767_225_660_000}, entry.KindReply, body)
	if err != nil {
		t.Fatal(err)
	}
	return post, reply
}

// TestWireVectors: the thread request and answer that docs/PROTOCOL.md
// shows ("Thread", wire examples) are what this package writes, and read
// back.
func TestWireVectors(t *testing.T) {
	post, reply := vectorThread(t)
	req := AppendRequest(nil, entry.Ref{Author: post.Author, Seq: post.Seq, ID: post.ID()})
	answer, err := AppendAnswer(nil, Answer{Likes: 1, Replies: []Item{{Likes: 0, Entry: reply.Bytes()}}})
	if err != nil {
		t.Fatal(err)
	}
	empty, _ := AppendAnswer(nil, Answer{Likes: 2})
	if os.Getenv("SKEIN_PRINT_VECTORS") != "" {
		t.Logf("request %x\nanswer %x\nempty %x", req, answer, empty)
	}
	doc := protocoldoc.Flat(t)
	for name, b := range map[string][]byte{"request": req, "answer": answer, "empty answer": empty} {
		if !strings.Contains(doc, hex.EncodeToString(b)) {
			t.Errorf("docs/PROTOCOL.md lacks the thread %s %x", name, b)
		}
	}
	if ok, dropped := Verify(post.ID(), mustRead(t, answer)); len(ok) != 1 || dropped != 0 || ok[0].Entry.ID() != reply.ID() {
		t.Errorf("Verify(the example answer) = %d replies, %d dropped, want bob's reply", len(ok), dropped)
	}
	for _, c := range []string{"/skein/thread/1.0.0", "|0|72|", "MaxReplies", "256", "524,288"} {
		if !strings.Contains(doc, strings.Join(strings.Fields(c), "")) {
			t.Errorf("docs/PROTOCOL.md lacks %q", c)
		}
	}
}

func mustRead(t *testing.T, b []byte) Answer {
	t.Helper()
	a, err := ReadAnswer(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return a
}
