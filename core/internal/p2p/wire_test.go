package p2p

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core/internal/protocoldoc"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pubsubpb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
)

// alice1MessageID is the GossipSub message ID of alice 1 of the entry test
// vectors, as docs/PROTOCOL.md ("GossipSub on the wire") shows it.
const alice1MessageID = "26d85abd8119696259452154768822efbfa51765231a41e8d8a479edd0a0c718"

// gossipProtocols are the pubsub protocols a node offers, preferred first.
var gossipProtocols = []protocol.ID{"/meshsub/1.3.0", "/meshsub/1.2.0", "/meshsub/1.1.0", "/meshsub/1.0.0", "/floodsub/1.0.0"}

// alice1 returns alice 1 of the entry test vectors: her post
// "hello, skein", signed with the key of seed 01 × 32.
func alice1(t *testing.T) []byte {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x01}, 32))
	e, err := entry.New(priv, 1, entry.ID{}, hlc.Timestamp{Wall: 1_767_225_600_000}, entry.KindPost, []byte("hello, skein"))
	if err != nil {
		t.Fatal(err)
	}
	return e.Bytes()
}

// TestMessageIDVector checks the message ID of the vector entry, raw
// SHA-256 bytes rather than their hex, and that the document shows it.
func TestMessageIDVector(t *testing.T) {
	data := alice1(t)
	id := messageID(&pubsubpb.Message{Data: data})
	if len(id) != 32 {
		t.Errorf("len(messageID(alice 1)) = %d, want 32 raw bytes", len(id))
	}
	if got := hex.EncodeToString([]byte(id)); got != alice1MessageID {
		t.Errorf("messageID(alice 1) = %s, want %s", got, alice1MessageID)
	}
	doc := protocoldoc.Flat(t)
	for _, v := range []string{hex.EncodeToString(data), alice1MessageID} {
		if !strings.Contains(doc, v) {
			t.Errorf("docs/PROTOCOL.md does not hold %s (line breaks allowed)", v)
		}
	}
}

// TestWireProtocols checks the protocol IDs a node offers for GossipSub and
// the DHT, and that the document names each, and the message size cap.
func TestWireProtocols(t *testing.T) {
	h := newHost(t, Config{PubSub: true, DHTMode: dht.ModeServer})
	protos := h.Mux().Protocols()
	for _, p := range append(slices.Clone(gossipProtocols), DHTProtocol) {
		if !slices.Contains(protos, p) {
			t.Errorf("Protocols() = %v, want %s among them", protos, p)
		}
	}
	if got := pubsub.GossipSubDefaultProtocols; !slices.Equal(got, gossipProtocols) {
		t.Errorf("GossipSubDefaultProtocols = %v, want %v (update docs/PROTOCOL.md)", got, gossipProtocols)
	}
	doc := protocoldoc.Flat(t)
	for _, p := range append(slices.Clone(gossipProtocols), DHTProtocol) {
		if !strings.Contains(doc, "`"+string(p)+"`") {
			t.Errorf("docs/PROTOCOL.md does not name protocol %s", p)
		}
	}
	if !strings.Contains(doc, "1,048,576") || MaxMessageSize != 1_048_576 {
		t.Errorf("MaxMessageSize = %d; docs/PROTOCOL.md must give it as 1,048,576", MaxMessageSize)
	}
}

// TestSignedMessagesRejected: a node takes no message that carries a
// pubsub signature, author, seqno or key (StrictNoSign), only bare data.
func TestSignedMessagesRejected(t *testing.T) {
	skein := newHost(t, Config{PubSub: true})
	// A host running GossipSub with its defaults, which sign every message.
	other := newHost(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	signer, err := pubsub.NewGossipSub(ctx, other.Host)
	if err != nil {
		t.Fatal(err)
	}
	bare := newHost(t, Config{PubSub: true})
	connect(t, other, skein)
	connect(t, bare, skein)

	const topic = "skein-test"
	join := func(ps *pubsub.PubSub) *pubsub.Topic {
		tp, err := ps.Join(topic)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tp.Close() })
		return tp
	}
	sub, err := join(skein.PubSub).Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Cancel()
	signed, unsigned := join(signer), join(bare.PubSub)
	waitFor(t, "both publishers to see the subscription", func() bool {
		return slices.Contains(signed.ListPeers(), skein.ID()) && slices.Contains(unsigned.ListPeers(), skein.ID())
	})
	if err := signed.Publish(ctx, []byte("signed")); err != nil {
		t.Fatal(err)
	}
	// Sent after the signed one, on another connection: by the time it
	// arrives, the signed one has had its time.
	time.Sleep(500 * time.Millisecond)
	if err := unsigned.Publish(ctx, []byte("bare")); err != nil {
		t.Fatal(err)
	}
	nctx, ncancel := context.WithTimeout(ctx, wait)
	defer ncancel()
	m, err := sub.Next(nctx)
	if err != nil {
		t.Fatalf("Next() error = %v, want the bare message", err)
	}
	if got := string(m.Data); got != "bare" {
		t.Errorf("Next().Data = %q, want %q: the signed message was taken", got, "bare")
	}
	lctx, lcancel := context.WithTimeout(ctx, time.Second)
	defer lcancel()
	if m, err := sub.Next(lctx); err == nil {
		t.Errorf("Next() = %q after the bare message, want nothing: the signed message was taken", m.Data)
	}
}
