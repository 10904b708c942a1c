package core

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/chatnet"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
)

// TestChatHostilePush: a peer pushes bad entries of bob's DM with alice
// straight to bob's device. None is shown, nothing of it is kept as valid,
// and the DM goes on.
func TestChatHostilePush(t *testing.T) {
	ctx := context.Background()
	tn := newTestNet(t)
	alice, bob, mallory := tn.user("alice"), tn.user("bob"), tn.user("mallory")
	if _, err := alice.SendDM(ctx, "bob", "hello"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, bob, "alice", "alice: hello")
	g := chatlog.DMGroup(alice.session().key, bob.session().key)
	held, _ := bob.session().chat.eng.After(g, nil, 100, 1<<20)

	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	now := uint64(time.Now().UnixMilli())
	msg := func(seq uint64, wall uint64, body []byte) *chatlog.Entry {
		e := &chatlog.Entry{Group: g, Author: entry.KeyOf(priv.Public().(ed25519.PublicKey)), Seq: seq,
			Time: hlc.Timestamp{Wall: wall}, Kind: chatlog.KindMsg, Epoch: chatlog.EpochID{1}, Body: body}
		if err := chatlog.Sign(e, priv); err != nil {
			t.Fatal(err)
		}
		return e
	}
	push := func(es ...*chatlog.Entry) error {
		_, err := chatnet.Push(ctx, mallory.host, bob.host.ID(), g, es)
		return err
	}
	if err := mallory.host.Connect(ctx, peerInfo(bob)); err != nil {
		t.Fatal(err)
	}
	before := bob.session().chat.eng.Stats()
	// A message of a non-member, one from the far future, and a replay of
	// alice's entries: none changes bob's view.
	if err := push(msg(1, now, []byte("i am not in this DM"))); err != nil {
		t.Fatal(err)
	}
	if err := push(msg(1, now+uint64(time.Hour/time.Millisecond), []byte("from the future"))); err != nil {
		t.Fatal(err)
	}
	if err := push(held...); err != nil {
		t.Fatal(err)
	}
	// A forged signature and an entry over the size limit never get past
	// the decoder: the whole push is refused.
	forged := msg(1, now, []byte("forged"))
	raw := forged.Encode()
	raw[len(raw)-1] ^= 1
	if err := pushRaw(ctx, mallory, bob, g, raw); !errors.Is(err, chatnet.ErrBadRequest) {
		t.Fatalf("forged push: %v", err)
	}
	big := bytes.Repeat([]byte("x"), 10<<20)
	if err := pushRaw(ctx, mallory, bob, g, big); err == nil {
		t.Fatal("a 10 MB push was taken")
	}
	after := bob.session().chat.eng.Stats()
	if after.Delivered != before.Delivered {
		t.Fatalf("bob delivered %d hostile entries", after.Delivered-before.Delivered)
	}
	dropped := 0
	for _, n := range after.Dropped {
		dropped += n
	}
	for _, n := range before.Dropped {
		dropped -= n
	}
	if dropped < 2 {
		t.Fatalf("dropped %d entries, want the non-member's and the future one counted: %v", dropped, after.Dropped)
	}
	if _, err := alice.SendMessage(ctx, "bob", "still here"); err != nil {
		t.Fatal(err)
	}
	waitTexts(t, bob, "alice", "alice: hello", "alice: still here")
}

// pushRaw sends, by hand, a push request whose one entry is raw bytes
// (chatnet's client only sends entries it encoded itself), and returns
// the error of the answer's status.
func pushRaw(ctx context.Context, from, to *Node, g chatlog.GroupID, raw []byte) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := from.host.NewStream(ctx, to.host.ID(), chatnet.ProtocolID)
	if err != nil {
		return err
	}
	defer s.Close()
	s.SetDeadline(time.Now().Add(10 * time.Second))
	req := &chatnet.Request{Op: chatnet.OpPush, Group: g, Entries: [][]byte{raw}}
	p, err := chatnet.AppendRequest(nil, req)
	if err != nil {
		// Too large to encode: write the frame anyway, as an attacker would.
		p = append(append([]byte{byte(chatnet.OpPush)}, g[:]...), 0, 1, byte(len(raw)>>24), byte(len(raw)>>16), byte(len(raw)>>8), byte(len(raw)))
		p = append(p, raw...)
	}
	if _, err := s.Write(chatnet.AppendFrame(nil, p)); err != nil {
		return err
	}
	s.CloseWrite()
	ans, err := chatnet.ReadFrame(bufio.NewReader(s), chatnet.MaxResponse)
	if err != nil {
		return err
	}
	resp, err := chatnet.ParseResponse(chatnet.OpPush, ans)
	if err != nil {
		return err
	}
	switch resp.Status {
	case chatnet.StatusOK:
		return nil
	case chatnet.StatusBadRequest:
		return chatnet.ErrBadRequest
	}
	return fmt.Errorf("status %d", resp.Status)
}

// peerInfo is n's device ID and addresses.
func peerInfo(n *Node) peer.AddrInfo {
	return peer.AddrInfo{ID: n.host.ID(), Addrs: n.host.Addrs()}
}
