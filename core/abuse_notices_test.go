package core

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/names"
	"github.com/skein-p2p/skein/core/internal/syncproto"
)

// abuseAccount is a throwaway account an attacker makes: a fresh key and
// its own log, signed correctly.
type abuseAccount struct {
	priv  ed25519.PrivateKey
	key   entry.Key
	name  string
	nonce uint64 // proof of work for the account's claim of name, if done
	seq   uint64
	prev  entry.ID
}

// abuseWorkFile holds the proof of work, done once, for the claims of the
// accounts abuseWorkedAccount makes: a test that needs a hundred throwaway
// accounts with valid name records would otherwise spend minutes on it
// under the race detector. SKEIN_UPDATE_TESTDATA=1 writes the work that
// is missing or no longer valid.
const abuseWorkFile = "testdata/abuse-work.txt"

// abuseWorkedAccount returns throwaway account i, made from a fixed seed,
// with the proof of work of its name claim from abuseWorkFile (done now,
// slowly, if the file lacks it).
func abuseWorkedAccount(t testing.TB, i int) *abuseAccount {
	t.Helper()
	seed := sha256.Sum256(fmt.Appendf(nil, "skein abuse test account %d", i))
	priv := ed25519.NewKeyFromSeed(seed[:])
	k := keyOf(priv)
	a := &abuseAccount{priv: priv, key: k, name: "x" + k.String()[:12]}
	abuseWork.once.Do(func() { abuseWork.nonces = readAbuseWork() })
	abuseWork.mu.Lock()
	defer abuseWork.mu.Unlock()
	nonce, ok := abuseWork.nonces[i]
	if !ok || !names.HasWork(k, a.name, nonce) {
		nonce = names.Work(k, a.name)
		abuseWork.nonces[i] = nonce
		if os.Getenv("SKEIN_UPDATE_TESTDATA") != "" {
			writeAbuseWork(t, abuseWork.nonces)
		} else {
			t.Logf("%s lacks the work of account %d: run with SKEIN_UPDATE_TESTDATA=1 to keep it", abuseWorkFile, i)
		}
	}
	a.nonce = nonce
	return a
}

var abuseWork struct {
	once   sync.Once
	mu     sync.Mutex
	nonces map[int]uint64
}

func readAbuseWork() map[int]uint64 {
	out := make(map[int]uint64)
	b, err := os.ReadFile(abuseWorkFile)
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(b), "\n") {
		var i int
		var nonce uint64
		if _, err := fmt.Sscanf(line, "%d %d", &i, &nonce); err == nil {
			out[i] = nonce
		}
	}
	return out
}

func writeAbuseWork(t testing.TB, nonces map[int]uint64) {
	var b strings.Builder
	fmt.Fprintf(&b, "# account number, proof-of-work nonce of its name claim (names.WorkBits = %d); see abuseWorkedAccount\n", names.WorkBits)
	for _, i := range slices.Sorted(maps.Keys(nonces)) {
		fmt.Fprintf(&b, "%d %d\n", i, nonces[i])
	}
	if err := os.WriteFile(abuseWorkFile, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func newAbuseAccount(t testing.TB) *abuseAccount {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k := keyOf(priv)
	return &abuseAccount{priv: priv, key: k, name: "x" + k.String()[:12]}
}

// next signs the account's next entry, dated now.
func (a *abuseAccount) next(t testing.TB, kind entry.Kind, body []byte) *entry.Entry {
	t.Helper()
	a.seq++
	ts := hlc.Timestamp{Wall: uint64(time.Now().UnixMilli()), Logical: uint32(a.seq)}
	e, err := entry.New(a.priv, a.seq, a.prev, ts, kind, body)
	if err != nil {
		t.Fatal(err)
	}
	a.prev = e.ID()
	return e
}

// record signs a name record of the account, published by device p. It
// does the claim's proof of work unless the account carries it.
func (a *abuseAccount) record(t testing.TB, p peer.ID) []byte {
	t.Helper()
	now := uint64(time.Now().UnixMilli())
	rec, err := names.Sign(a.priv, names.Record{Name: a.name, Nonce: a.nonce, Created: now, Updated: now, HeadSeq: a.seq, PeerID: []byte(p)})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// abuseNotify sends one notice from x to n and returns n's answer: nil for
// the ack, an error wrapping syncproto.ErrRefused for a refusal.
func abuseNotify(x *hostile, n *Node, es []*entry.Entry, rec []byte) error {
	s, err := x.open(n, syncproto.NotifyID)
	if err != nil {
		return err
	}
	defer s.Close()
	s.SetDeadline(time.Now().Add(10 * time.Second))
	var nt syncproto.Notice
	for _, e := range es {
		nt.Entries = append(nt.Entries, e.Bytes())
	}
	nt.Name = rec
	if err := syncproto.WriteNotice(s, nt); err != nil {
		s.Reset()
		return err
	}
	s.CloseWrite()
	return syncproto.ReadAck(s)
}

// abuseFetch asks n, over sync, for everything it holds of authors.
func abuseFetch(t testing.TB, x *hostile, n *Node, authors []entry.Key) []*entry.Entry {
	t.Helper()
	s, err := x.open(n, syncproto.SyncID)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetDeadline(time.Now().Add(10 * time.Second))
	req := syncproto.Request{}
	for _, a := range authors {
		req.Wants = append(req.Wants, syncproto.Want{Author: a})
	}
	var got []*entry.Entry
	if _, err := syncproto.Fetch(bufio.NewReader(s), s, req, func(b []*entry.Entry) error {
		got = append(got, b...)
		return nil
	}); err != nil {
		t.Fatalf("sync from the victim: %v", err)
	}
	return got
}

// abuseSpam sends count notices from x to n, each made by mk, and returns
// how many were acknowledged and how many refused. It stops at the first
// other error.
func abuseSpam(t testing.TB, x *hostile, n *Node, count int, mk func(i int) ([]*entry.Entry, []byte)) (acked, refused int) {
	t.Helper()
	for i := range count {
		es, rec := mk(i)
		switch err := abuseNotify(x, n, es, rec); {
		case err == nil:
			acked++
		case errors.Is(err, syncproto.ErrRefused):
			refused++
		default:
			t.Fatalf("notice %d: %v", i, err)
		}
	}
	return acked, refused
}

func abuseMention(t testing.TB, a *abuseAccount, name string) *entry.Entry {
	return a.next(t, entry.KindPost, []byte("hello @"+name))
}

func abuseFollow(t testing.TB, a *abuseAccount, target entry.Key, name string) *entry.Entry {
	return a.next(t, entry.KindFollow, entry.Follow{Target: target, Name: name}.Bytes())
}

// TestAbuseNoticesOfStrangers: a peer pushes entries by notice. Only what
// the receiver has a reason to hold is kept: entries of authors nobody on
// the device follows are never stored and so never served on; an entry of
// such an author that concerns a local account only notifies it, and only
// with the author's name record.
func TestAbuseNoticesOfStrangers(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.nodeWith("alice", abuseTCP("127.0.0.1"))
	aliceKey := alice.session().key
	ctx := context.Background()

	t.Run("unknown authors", func(t *testing.T) {
		x := newHostile(t, "127.0.10.1", dht.ModeClient)
		before, _ := alice.store.Usage()
		var authors []entry.Key
		abuseSpam(t, x, alice, 4, func(int) ([]*entry.Entry, []byte) {
			var es []*entry.Entry
			for range syncproto.MaxNoticeEntries {
				a := newAbuseAccount(t)
				authors = append(authors, a.key)
				// An unknown kind may carry the largest body.
				es = append(es, a.next(t, entry.Kind(200), make([]byte, entry.MaxBody)))
			}
			return es, nil
		})
		after, _ := alice.store.Usage()
		if after != before {
			t.Errorf("entries held went from %d to %d after notices of unknown authors", before, after)
		}
		if got := abuseFetch(t, x, alice, authors); len(got) != 0 {
			t.Errorf("sync served %d entries of unknown authors, want none", len(got))
		}
	})

	t.Run("mention without a name record", func(t *testing.T) {
		x := newHostile(t, "127.0.11.1", dht.ModeClient)
		a := newAbuseAccount(t)
		if err := abuseNotify(x, alice, []*entry.Entry{abuseMention(t, a, "alice")}, nil); err != nil {
			t.Fatalf("notice: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
		if ns, _ := alice.Notifications(ctx, 50, false); len(ns) != 0 {
			t.Errorf("Notifications() = %+v, want none for a stranger without a name record", ns)
		}
	})

	t.Run("mention with a name record", func(t *testing.T) {
		x := newHostile(t, "127.0.12.1", dht.ModeClient)
		a := abuseWorkedAccount(t, 1001)
		e := abuseMention(t, a, "alice")
		if err := abuseNotify(x, alice, []*entry.Entry{e}, a.record(t, x.ID())); err != nil {
			t.Fatalf("notice: %v", err)
		}
		waitFor(t, "the mention", hasNotification(alice, NotifyMention, a.name, "hello @alice"))
		if h, _ := alice.store.Head(a.key); h.Seq != 0 {
			t.Errorf("the stranger's log is held up to seq %d, want nothing stored", h.Seq)
		}
		if got := abuseFetch(t, x, alice, []entry.Key{a.key}); len(got) != 0 {
			t.Errorf("sync served %d entries of the stranger, want none", len(got))
		}
	})

	t.Run("follow without a name record", func(t *testing.T) {
		x := newHostile(t, "127.0.13.1", dht.ModeClient)
		a := newAbuseAccount(t)
		if err := abuseNotify(x, alice, []*entry.Entry{abuseFollow(t, a, aliceKey, "alice")}, nil); err != nil {
			t.Fatalf("notice: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
		if fs, _ := alice.Followers(ctx); len(fs) != 0 {
			t.Errorf("Followers() = %+v, want none: the follow came without a name record", fs)
		}
	})

	t.Run("follow with a name record", func(t *testing.T) {
		x := newHostile(t, "127.0.14.1", dht.ModeClient)
		a := abuseWorkedAccount(t, 1002)
		e := abuseFollow(t, a, aliceKey, "alice")
		if err := abuseNotify(x, alice, []*entry.Entry{e}, a.record(t, x.ID())); err != nil {
			t.Fatalf("notice: %v", err)
		}
		waitFor(t, "the follower", func() bool {
			fs, _ := alice.Followers(ctx)
			for _, f := range fs {
				if f.Name == a.name {
					return true
				}
			}
			return false
		})
		if h, _ := alice.store.Head(a.key); h.Seq != 0 {
			t.Errorf("the follower's log is held up to seq %d, want nothing stored", h.Seq)
		}
	})
}

// TestAbuseFollowerSpam: one peer with throwaway keys tries to give alice
// thousands of followers and notifications. Follows without a name record
// are not counted; with records, the per-peer rate bounds them; one key's
// notifications are bounded by the per-key rate.
func TestAbuseFollowerSpam(t *testing.T) {
	tn := newTestNet(t)
	alice := tn.nodeWith("alice", abuseTCP("127.0.0.1"))
	aliceKey := alice.session().key
	ctx := context.Background()
	status := func() Status {
		st, err := alice.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}

	t.Run("no records", func(t *testing.T) {
		x := newHostile(t, "127.0.20.1", dht.ModeClient)
		abuseSpam(t, x, alice, 200, func(int) ([]*entry.Entry, []byte) {
			return []*entry.Entry{abuseFollow(t, newAbuseAccount(t), aliceKey, "alice")}, nil
		})
		time.Sleep(200 * time.Millisecond)
		if st := status(); st.Followers != 0 || st.Unread != 0 {
			t.Errorf("after 200 follows without records: %d followers, %d unread; want 0, 0", st.Followers, st.Unread)
		}
	})

	t.Run("records", func(t *testing.T) {
		x := newHostile(t, "127.0.21.1", dht.ModeClient)
		const sent = 120
		accounts := make([]*abuseAccount, sent)
		for i := range accounts { // the work of their claims, done before
			accounts[i] = abuseWorkedAccount(t, i)
		}
		acked, refused := abuseSpam(t, x, alice, sent, func(i int) ([]*entry.Entry, []byte) {
			a := accounts[i]
			return []*entry.Entry{abuseFollow(t, a, aliceKey, "alice")}, a.record(t, x.ID())
		})
		st := status()
		t.Logf("%d follows with records: %d acked, %d refused; %d followers, %d unread", sent, acked, refused, st.Followers, st.Unread)
		if refused == 0 || st.Followers == 0 || st.Followers > noticePeerBurst+10 {
			t.Errorf("%d followers from %d follows (%d refused), want some and at most %d", st.Followers, sent, refused, noticePeerBurst+10)
		}
	})

	t.Run("one key", func(t *testing.T) {
		x := newHostile(t, "127.0.22.1", dht.ModeClient)
		a := abuseWorkedAccount(t, 1000)
		_, refused := abuseSpam(t, x, alice, 40, func(int) ([]*entry.Entry, []byte) {
			return []*entry.Entry{abuseMention(t, a, "alice")}, a.record(t, x.ID())
		})
		ns, _ := alice.Notifications(ctx, 500, false)
		from := 0
		for _, x := range ns {
			if x.From.Key == a.key.String() {
				from++
			}
		}
		if from == 0 || from > noticeKeyBurst+1 || refused == 0 {
			t.Errorf("one key's 40 mentions made %d notifications (%d refused), want 1 to %d", from, refused, noticeKeyBurst+1)
		}
	})
}

// TestAbuseQueuedNoticeCarriesRecord: a follow and mentions queued while
// their target was away are delivered at once when it is back, with the
// author's last published name record, even though the author is no longer
// logged in: a full queue of honest notices (16 entries) stays within every
// rate, and the target counts the follower and shows the mentions.
func TestAbuseQueuedNoticeCarriesRecord(t *testing.T) {
	tn := newTestNet(t)
	ctx := context.Background()
	aliceDir := t.TempDir()
	alice := tn.node(aliceDir)
	if _, err := alice.Register(ctx, "alice", "pw-alice"); err != nil {
		t.Fatal(err)
	}
	aliceKey := alice.session().key
	bob := tn.user("bob")
	waitFor(t, "alice's record", func() bool { _, err := bob.Whois(ctx, "alice"); return err == nil })
	alice.Close()
	mustFollow(t, bob, "alice")
	const mentions = syncproto.MaxNoticeEntries - 1
	for i := range mentions {
		mustPost(t, bob, fmt.Sprintf("@alice are you there? %d", i))
	}
	waitFor(t, "bob's notices queued", func() bool {
		q, _ := bob.store.QueuedNotices(aliceKey, 2*syncproto.MaxNoticeEntries)
		return len(q) == syncproto.MaxNoticeEntries
	})
	if err := bob.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	alice = tn.node(aliceDir)
	if _, err := alice.Login(ctx, "alice", "pw-alice"); err != nil {
		t.Fatal(err)
	}
	// bob's node delivers when alice's device connects to it.
	if err := alice.connect(ctx, addrInfo(bob)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "alice counts bob", func() bool {
		fs, _ := alice.Followers(ctx)
		return len(fs) == 1 && fs[0].Name == "bob"
	})
	waitFor(t, "every mention", func() bool {
		ns, _ := alice.Notifications(ctx, 50, false)
		return len(ns) == 1+mentions
	})
	if !hasNotification(alice, NotifyMention, "bob", "@alice are you there? 0")() {
		ns, _ := alice.Notifications(ctx, 50, false)
		t.Errorf("Notifications() = %+v, want bob's mentions with their text", ns)
	}
}

// abuseTCP makes a node listen on ip with TCP only. A dial to a node on
// loopback leaves from the dialer's own loopback address over TCP, but from
// 127.0.0.1 over QUIC: tests of per-address and per-network limits need the
// victim to be dialled over TCP.
func abuseTCP(ip string) func(*Config) {
	return func(c *Config) { c.ListenAddrs = []string{"/ip4/" + ip + "/tcp/0"} }
}

// TestNoticeFailingVerification: a well-formed notice with an entry that
// fails verification is a protocol violation (docs/PROTOCOL.md, "Notices
// that fail verification"): the receiver resets the stream, answers
// neither ack nor refusal, and uses nothing of the notice, not even the
// entries before the bad one. The same notice with the entry intact is
// acked and taken.
func TestNoticeFailingVerification(t *testing.T) {
	tn := newTestNet(t)
	alice, bob := tn.user("alice"), tn.user("bob")
	mustFollow(t, bob, "alice")
	aliceKey := alice.session().key
	es := syncTestEntries(t, alice, 2) // signed, not stored: only the notice carries them
	bad := bytes.Clone(es[1].Bytes())
	bad[130] ^= 0x01 // a bit of the signature
	x := newHostile(t, "127.0.0.1", dht.ModeClient)

	send := func(raw ...[]byte) error {
		s, err := x.open(bob, syncproto.NotifyID)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		s.SetDeadline(time.Now().Add(10 * time.Second))
		if err := syncproto.WriteNotice(s, syncproto.Notice{Entries: raw}); err != nil {
			t.Fatal(err)
		}
		s.CloseWrite()
		return syncproto.ReadAck(s)
	}
	held := func() uint64 {
		h, err := bob.store.Head(aliceKey)
		if err != nil {
			t.Fatal(err)
		}
		return h.Seq
	}
	before := held()
	if err := send(es[0].Bytes(), bad); err == nil || errors.Is(err, syncproto.ErrRefused) {
		t.Fatalf("answer to a notice with a bad signature = %v, want the stream reset", err)
	}
	// Nothing was taken: the good entry before the bad one included.
	time.Sleep(200 * time.Millisecond)
	if got := held(); got != before {
		t.Fatalf("bob holds alice up to seq %d after the bad notice, want %d", got, before)
	}
	if err := send(es[0].Bytes(), es[1].Bytes()); err != nil {
		t.Fatalf("answer to the intact notice = %v, want the ack", err)
	}
	waitFor(t, "bob takes the intact notice", func() bool { return held() == es[1].Seq })
}
