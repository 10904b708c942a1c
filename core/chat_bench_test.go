package core

import (
	"context"
	"crypto/ed25519"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/skein-p2p/skein/core/internal/chat"
	"github.com/skein-p2p/skein/core/internal/chatcrypt"
	"github.com/skein-p2p/skein/core/internal/chatlog"
	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/hlc"
	"github.com/skein-p2p/skein/core/internal/store"
)

// The messaging benchmarks (docs/BENCHMARKS.md, "Messaging"): full nodes in
// one process on 127.0.0.1, each figure beside a baseline of the same
// libp2p stack measured in the same run.

// chatBench is a relay and the nodes of one benchmark.
type chatBench struct {
	b     *testing.B
	relay *Relay
	nodes []*Node
}

func newChatBench(b *testing.B) *chatBench {
	r, err := NewRelay(context.Background(), RelayConfig{DataDir: b.TempDir(), ListenAddrs: loopback[:1]})
	if err != nil {
		b.Fatal(err)
	}
	cb := &chatBench{b: b, relay: r}
	b.Cleanup(cb.close)
	return cb
}

func (cb *chatBench) close() {
	for _, n := range cb.nodes {
		n.Close()
	}
	cb.relay.Close()
}

// start starts a node in dir (a new one if ""), bootstrapped from the
// relay, and registers name on it unless name is "".
func (cb *chatBench) start(name, dir string) *Node {
	b := cb.b
	if dir == "" {
		dir = b.TempDir()
	}
	n, err := New(context.Background(), Config{DataDir: dir, ListenAddrs: loopback[:1], BootstrapAddrs: cb.relay.Addrs(), kdf: cheapKDF})
	if err != nil {
		b.Fatal(err)
	}
	cb.nodes = append(cb.nodes, n)
	benchWait(b, "bootstrap", time.Minute, func() bool { return n.host.DHT.RoutingTable().Size() > 0 })
	if name != "" {
		if _, err := n.Register(context.Background(), name, "pw"); err != nil {
			b.Fatalf("Register(%s): %v", name, err)
		}
	}
	return n
}

// benchWait polls cond until it holds, or fails b after d.
func benchWait(b testing.TB, what string, d time.Duration, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// newestText returns the text of the newest message of conv on n, "" if
// none.
func newestText(n *Node, conv string) string {
	p, err := n.Messages(context.Background(), conv, "", 1)
	if err != nil || len(p.Messages) == 0 {
		return ""
	}
	return p.Messages[0].Text
}

// allMessages returns every message of conv on n (no membership events),
// oldest first, as "author-key text" with their IDs.
func allMessages(b testing.TB, n *Node, conv string) (texts, ids []string) {
	b.Helper()
	var ms []Message
	cursor := ""
	for {
		p, err := n.Messages(context.Background(), conv, cursor, maxMsgPage)
		if err != nil {
			b.Fatalf("Messages: %v", err)
		}
		ms = append(ms, p.Messages...)
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	slices.Reverse(ms)
	for _, m := range ms {
		if m.Event != "" {
			if m.Event == "gap" {
				texts = append(texts, fmt.Sprintf("gap of %d", m.Missing))
			}
			continue
		}
		texts = append(texts, m.Text)
		ids = append(ids, m.ID)
	}
	return texts, ids
}

// groupOf has admin create a private group (history shared) and every
// member accept an invitation to it; it returns when every node sees all
// of them as members.
func (cb *chatBench) groupOf(admin *Node, members []*Node) string {
	b := cb.b
	ctx := context.Background()
	g, err := admin.CreateGroup(ctx, "bench group", GroupOptions{})
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range members {
		if err := admin.Invite(ctx, g.ID, m.session().name, InviteOptions{}); err != nil {
			b.Fatalf("Invite(%s): %v", m.session().name, err)
		}
	}
	// Joins run side by side: each invitee waits for its invitation.
	var wg sync.WaitGroup
	errs := make(chan error, len(members))
	for _, m := range members {
		wg.Go(func() {
			deadline := time.Now().Add(2 * time.Minute)
			for {
				c, err := m.Conversation(ctx, g.ID)
				if err == nil && c.Role == "invited" {
					break
				}
				if time.Now().After(deadline) {
					errs <- fmt.Errorf("%s got no invitation", m.session().name)
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
			if _, err := m.Join(ctx, g.ID); err != nil {
				errs <- fmt.Errorf("%s: Join: %w", m.session().name, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	all := append([]*Node{admin}, members...)
	defer func() {
		if b.Failed() {
			for _, n := range all {
				ms, err := n.Members(ctx, g.ID)
				inv := 0
				for _, m := range ms {
					if m.Role == "invited" {
						inv++
					}
				}
				b.Logf("%s: %d members (%d invited), %v; stats %+v", n.session().name, len(ms), inv, err, n.session().chat.eng.Stats())
			}
		}
	}()
	converged := func() bool {
		for _, n := range all {
			ms, err := n.Members(ctx, g.ID)
			if err != nil || len(ms) != len(all) || slices.ContainsFunc(ms, func(m Member) bool { return m.Role == "invited" }) {
				return false
			}
		}
		return true
	}
	// A join a member missed on gossip (published before it subscribed)
	// reaches it once a later entry references it (up to MaxDeps tips
	// each) or at its next catch-up: the admin writes until every member
	// knows every other.
	for i := 0; !converged(); i++ {
		if i == 60 {
			b.Fatal("the members' views of the group did not converge")
		}
		if _, err := admin.SendMessage(ctx, g.ID, fmt.Sprintf("warm-up %d", i)); err != nil {
			b.Fatal(err)
		}
		time.Sleep(time.Second)
	}
	return g.ID
}

// received is a message event seen by a watcher.
type received struct {
	text string
	at   time.Time
}

// watchMessages calls Watch on n until the benchmark ends and sends the
// others' messages on a channel.
func watchMessages(b *testing.B, n *Node, buf int) <-chan received {
	ch := make(chan received, buf)
	watchInto(b, n, ch)
	return ch
}

// watchInto is watchMessages onto a channel of the caller's.
func watchInto(b *testing.B, n *Node, ch chan<- received) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		n.Watch(ctx, func(ev Event) {
			if ev.Kind == EventMessage && ev.Message.Event == "" && !ev.Message.Mine {
				ch <- received{ev.Message.Text, time.Now()}
			}
		})
	})
	b.Cleanup(func() { cancel(); wg.Wait() })
}

// probeRun reports whether this call of a benchmark is the testing
// package's first, b.N = 1 probe, before the -benchtime Nx run (N > 1)
// that follows: the benchmarks with costly setups skip it.
func probeRun(b *testing.B) bool {
	if b.N != 1 {
		return false
	}
	f := flag.Lookup("test.benchtime")
	if f == nil {
		return false
	}
	v := f.Value.String()
	n, err := strconv.Atoi(strings.TrimSuffix(v, "x"))
	return strings.HasSuffix(v, "x") && err == nil && n > 1
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkDMLatency measures a direct message between two online nodes
// on loopback: alice's SendDM call → bob's message event, against a raw
// libp2p stream round trip between the same two hosts in the same run.
func BenchmarkDMLatency(b *testing.B) {
	if probeRun(b) {
		return
	}
	ctx := context.Background()
	cb := newChatBench(b)
	alice, bob := cb.start("alice", ""), cb.start("bob", "")
	got := watchMessages(b, bob, 64)
	await := func(text string) time.Time {
		for {
			select {
			case r := <-got:
				if r.text == text {
					return r.at
				}
			case <-time.After(20 * time.Second):
				b.Fatalf("bob did not get %q", text)
			}
		}
	}
	// The conversation starts: create, prekeys, first epoch.
	if _, err := alice.SendDM(ctx, "bob", "hello"); err != nil {
		b.Fatal(err)
	}
	await("hello")
	g := chatlog.DMGroup(alice.session().key, bob.session().key)
	benchWait(b, "bob on the DM's topic", time.Minute, func() bool {
		return len(alice.host.PubSub.ListPeers(chatTopic(g))) > 0
	})
	time.Sleep(time.Second) // let the mesh settle

	var lat []float64
	b.ResetTimer()
	for i := range b.N {
		text := fmt.Sprintf("direct message %d, about as long as a short chat line", i)
		t0 := time.Now()
		if _, err := alice.SendDM(ctx, "bob", text); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, ms(await(text).Sub(t0)))
	}
	b.StopTimer()
	rtt := streamRTT(b, alice, bob, b.N)
	b.ReportMetric(percentile(lat, 50), "dm-p50-ms")
	b.ReportMetric(percentile(lat, 99), "dm-p99-ms")
	b.ReportMetric(percentile(rtt, 50), "rtt-p50-ms")
	b.ReportMetric(percentile(rtt, 99), "rtt-p99-ms")
	b.ReportMetric(percentile(lat, 99)/percentile(rtt, 99), "dm-p99/rtt-p99")
}

// streamRTT is the DM baseline: a new libp2p stream from a's host to b's,
// 300 bytes (a DM entry's size) out and back, n times.
func streamRTT(b *testing.B, from, to *Node, n int) []float64 {
	const proto = protocol.ID("/skein-bench/echo/1")
	const size = 300
	to.host.SetStreamHandler(proto, func(s network.Stream) {
		defer s.Close()
		buf := make([]byte, size)
		if _, err := io.ReadFull(s, buf); err == nil {
			s.Write(buf)
		}
	})
	defer to.host.RemoveStreamHandler(proto)
	ctx := context.Background()
	msg := make([]byte, size)
	var out []float64
	for range n {
		t0 := time.Now()
		s, err := from.host.NewStream(ctx, to.host.ID(), proto)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(s, msg); err != nil {
			b.Fatal(err)
		}
		out = append(out, ms(time.Since(t0)))
		s.Close()
	}
	return out
}

// BenchmarkGroupFanout measures a message to a private group of 50
// members and its sender, all full nodes in one process: the sender's
// SendMessage call → the last member's message event, against raw
// GossipSub to 50 subscribers in the same run (per message, the slowest
// subscriber).
func BenchmarkGroupFanout(b *testing.B) {
	if probeRun(b) {
		return
	}
	members := envMembers(50)
	ctx := context.Background()
	cb := newChatBench(b)
	sender := cb.start("sender", "")
	var nodes []*Node
	for i := range members {
		nodes = append(nodes, cb.start(fmt.Sprintf("member%02d", i), ""))
	}
	setup := time.Now()
	g := cb.groupOf(sender, nodes)
	b.Logf("group of %d set up in %v", members+1, time.Since(setup).Round(time.Millisecond))
	gid, _ := parseGroupID(g)
	benchWait(b, "the members on the group's topic", time.Minute, func() bool {
		return len(sender.host.PubSub.ListPeers(chatTopic(gid))) >= members
	})
	recv := make(chan received, members*4)
	for _, m := range nodes {
		watchInto(b, m, recv)
	}
	time.Sleep(time.Second) // let the mesh settle

	var slowest, all []float64
	b.ResetTimer()
	for i := range b.N {
		text := fmt.Sprintf("group message %d, about as long as a short chat line", i)
		t0 := time.Now()
		if _, err := sender.SendMessage(ctx, g, text); err != nil {
			b.Fatal(err)
		}
		var last time.Time
		for n := 0; n < members; {
			select {
			case r := <-recv:
				if r.text != text {
					continue
				}
				n++
				all = append(all, ms(r.at.Sub(t0)))
				if r.at.After(last) {
					last = r.at
				}
			case <-time.After(20 * time.Second):
				b.Fatalf("message %d: %d of %d members got it", i, n, members)
			}
		}
		slowest = append(slowest, ms(last.Sub(t0)))
	}
	b.StopTimer()
	raw := chunkMax(liveRawGossipSub(b, members, false), members)
	rawVerify := chunkMax(liveRawGossipSub(b, members, true), members)
	b.ReportMetric(float64(members), "members")
	b.ReportMetric(percentile(slowest, 50), "last-p50-ms")
	b.ReportMetric(percentile(slowest, 99), "last-p99-ms")
	b.ReportMetric(percentile(all, 99), "each-p99-ms")
	b.ReportMetric(percentile(raw, 50), "raw-last-p50-ms")
	b.ReportMetric(percentile(raw, 99), "raw-last-p99-ms")
	b.ReportMetric(percentile(rawVerify, 50), "rawverify-last-p50-ms")
	b.ReportMetric(percentile(rawVerify, 99), "rawverify-last-p99-ms")
	b.ReportMetric(percentile(slowest, 99)/percentile(raw, 99), "last-p99/raw-p99")
}

// chunkMax returns the largest of each run of n samples: per message, the
// slowest subscriber.
func chunkMax(s []float64, n int) []float64 {
	var out []float64
	for len(s) >= n {
		out = append(out, slices.Max(s[:n]))
		s = s[n:]
	}
	return out
}

// BenchmarkOfflineCatchUp measures a member of a group of 12 coming back
// after the 10 others who write sent 1,000 messages (100 each, interleaved,
// every fifth a reply to another author's message): from Login to the
// newest of them shown by Messages, every one of them then checked: none
// lost, none twice, in the order they were sent, the same order as on a
// member who was online. The baseline, in the same run, is the social
// catch-up path: a fresh node syncing 1,000 signed posts of one author
// from that author's device over the same loopback (BenchmarkCatchUpIngest
// with 1,000).
func BenchmarkOfflineCatchUp(b *testing.B) {
	if probeRun(b) {
		return
	}
	const (
		senders = 10
		perRun  = 1000
	)
	ctx := context.Background()
	cb := newChatBench(b)
	var ws []*Node
	for i := range senders {
		ws = append(ws, cb.start(fmt.Sprintf("writer%d", i), ""))
	}
	quiet := cb.start("quiet", "")
	awayDir := b.TempDir()
	away := cb.start("away", awayDir)
	g := cb.groupOf(ws[0], append(slices.Clone(ws[1:]), quiet, away))
	gid, _ := parseGroupID(g)

	var catchUp, login []float64
	var lost, dups, misordered int
	b.ResetTimer()
	for round := range b.N {
		b.StopTimer()
		away.Close()
		// 1,000 messages, each sent once its sender shows the one before:
		// the senders' order is a causal chain, the order every member
		// must show.
		var sent []string
		var ids []chatlog.ID
		for k := range perRun {
			w := ws[k%senders]
			text := fmt.Sprintf("round %d message %d from writer%d", round, k, k%senders)
			if k > 0 {
				prev := sent[k-1]
				benchWait(b, "the previous message at the next sender", time.Minute, func() bool { return newestText(w, g) == prev })
			}
			var replyTo *chatlog.ID
			if k%5 == 4 && k >= 3 {
				replyTo = &ids[k-3] // another author's (k-3 ≢ k mod 10)
			}
			sess := w.session()
			m, es, err := sess.chat.eng.Send(gid, text, replyTo, w.prekeys(ctx, sess))
			if err != nil {
				b.Fatalf("message %d: %v", k, err)
			}
			w.publishChat(ctx, sess, gid, es, entry.Key{})
			sent = append(sent, text)
			ids = append(ids, m.ID)
		}
		last := sent[len(sent)-1]
		benchWait(b, "the quiet member to show them all", time.Minute, func() bool { return newestText(quiet, g) == last })

		away = cb.start("", awayDir)
		b.StartTimer()
		t0 := time.Now()
		if _, err := away.Login(ctx, "away", "pw"); err != nil {
			b.Fatal(err)
		}
		login = append(login, ms(time.Since(t0)))
		defer func() {
			if b.Failed() {
				sum := func(f map[entry.Key]uint64) (t uint64) {
					for _, v := range f {
						t += v
					}
					return t
				}
				b.Logf("away: newest %q, stats %+v, frontier sum %d; relay frontier sum %d; writer0 %d", newestText(away, g),
					away.session().chat.eng.Stats(), sum(away.session().chat.eng.Frontier(gid)), sum(cb.relay.chat.Frontier(gid)), sum(ws[0].session().chat.eng.Frontier(gid)))
			}
		}()
		benchWait(b, "the member back to show the newest message", time.Minute, func() bool { return newestText(away, g) == last })
		catchUp = append(catchUp, ms(time.Since(t0)))
		b.StopTimer()

		texts, awayIDs := allMessages(b, away, g)
		_, quietIDs := allMessages(b, quiet, g)
		_, writerIDs := allMessages(b, ws[0], g)
		seen := make(map[string]int)
		var got []string
		for _, t := range texts {
			seen[t]++
			if seen[t] == 1 && len(t) > 6 && t[:6] == "round " {
				got = append(got, t)
			}
		}
		for _, t := range texts {
			if seen[t] > 1 {
				dups += seen[t] - 1
				seen[t] = 1
			}
		}
		var mine []string
		for _, t := range got {
			var r int
			if _, err := fmt.Sscanf(t, "round %d", &r); err == nil && r == round {
				mine = append(mine, t)
			}
		}
		lost += perRun - len(mine)
		if !slices.Equal(mine, sent) {
			misordered++
			b.Errorf("round %d: the member back shows %d of %d messages, not in the order sent", round, len(mine), perRun)
		}
		if !slices.Equal(awayIDs, quietIDs) || !slices.Equal(awayIDs, writerIDs) {
			misordered++
			b.Errorf("round %d: members show different orders (%d, %d, %d messages)", round, len(awayIDs), len(quietIDs), len(writerIDs))
		}
		if s := away.session().chat.eng.Stats(); s.Undecryptable != 0 || s.Gaps != 0 {
			b.Errorf("round %d: the member back: %+v", round, s)
		}
		b.StartTimer()
	}
	b.StopTimer()
	if lost != 0 || dups != 0 {
		b.Errorf("lost %d, duplicated %d", lost, dups)
	}
	base := timelineCatchUp(b, cb, perRun)
	b.ReportMetric(percentile(catchUp, 50), "catchup-ms")
	b.ReportMetric(percentile(login, 50), "login-ms")
	b.ReportMetric(base, "timeline-ms")
	b.ReportMetric(percentile(catchUp, 50)/base, "catchup/timeline")
	b.ReportMetric(float64(lost), "lost")
	b.ReportMetric(float64(dups), "duplicates")
	b.ReportMetric(float64(misordered), "misordered")
}

// timelineCatchUp is the offline catch-up's baseline: a fresh node pulls
// n signed posts of one author from the author's node with the sync
// protocol, already connected; the median of 3 runs, in ms.
func timelineCatchUp(b *testing.B, cb *chatBench, n int) float64 {
	ctx := context.Background()
	author := cb.start("poster", "")
	fillLog(b, author, n)
	key := author.session().key
	var runs []float64
	for range 3 {
		f := cb.start("", "")
		if err := f.host.Connect(ctx, peer.AddrInfo{ID: author.host.ID(), Addrs: author.host.Addrs()}); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		got, _ := f.syncPeer(ctx, author.host.ID(), []entry.Key{key})
		runs = append(runs, ms(time.Since(t0)))
		if got != n {
			b.Fatalf("syncPeer() added %d entries, want %d", got, n)
		}
		f.Close()
	}
	return percentile(runs, 50)
}

// BenchmarkChatOverhead reports the bytes of ordering and crypto per
// message, from the entries the engine actually sends, in private groups
// of 2, 50 and 256 members: the entry's size minus its plaintext payload
// and its addressing (version, group, author, kind, body length: 70 B).
// Members take turns writing, each having seen the message before
// (one dep); then bursts of 8 concurrent messages make the next one
// reference up to MaxDeps tips, the worst case. Each iteration measures
// one group of each size.
func BenchmarkChatOverhead(b *testing.B) {
	const addressing = 1 + 32 + 32 + 1 + 4
	for _, n := range []int{2, 50, 256} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			var turns, bursts []float64
			for range b.N {
				t, u := chatOverhead(b, n, addressing)
				turns, bursts = append(turns, t...), append(bursts, u...)
			}
			b.ReportMetric(mean(turns), "turns-B/msg")
			b.ReportMetric(slices.Max(turns), "turns-max-B")
			b.ReportMetric(mean(bursts), "busy-B/msg")
			b.ReportMetric(slices.Max(bursts), "busy-max-B")
		})
	}
}

func mean(s []float64) float64 {
	t := 0.0
	for _, v := range s {
		t += v
	}
	return t / float64(len(s))
}

// chatOverhead builds a private group of n members with engines (the
// admin and up to 4 writers real, the other members' joins signed by
// hand) and returns the overhead of each message sent in turns and after
// bursts.
func chatOverhead(b *testing.B, n, addressing int) (turns, bursts []float64) {
	seedOf := func(i int) ed25519.PrivateKey {
		seed := make([]byte, ed25519.SeedSize)
		seed[0], seed[1], seed[2] = byte(i), byte(i>>8), 0x0b
		return ed25519.NewKeyFromSeed(seed)
	}
	type member struct {
		key  entry.Key
		priv ed25519.PrivateKey
		eng  *chat.Engine
		rec  *chatcrypt.PrekeyRecord
	}
	open := func(i int) *member {
		priv := seedOf(i)
		m := &member{key: entry.KeyOf(priv.Public().(ed25519.PublicKey)), priv: priv}
		kv := store.NewMemory()
		e, err := chat.Open(kv, chat.Options{Self: &chat.Account{Key: m.key, Priv: priv}})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { e.Close(); kv.Close() })
		m.eng = e
		if m.rec, err = e.OwnPrekey(); err != nil {
			b.Fatal(err)
		}
		return m
	}
	writers := min(n, 5)
	var ms []*member
	for i := range writers {
		ms = append(ms, open(i))
	}
	for i := writers; i < n; i++ { // members who never write: no engine
		priv := seedOf(i)
		p, err := chatcrypt.NewPrekey()
		if err != nil {
			b.Fatal(err)
		}
		now := time.Now()
		rec, err := chatcrypt.SignPrekey(priv, p.Public, now, now.Add(24*time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		ms = append(ms, &member{key: entry.KeyOf(priv.Public().(ed25519.PublicKey)), priv: priv, rec: rec})
	}
	keys := func(k entry.Key) (*chatcrypt.PrekeyRecord, error) {
		for _, m := range ms {
			if m.key == k {
				return m.rec, nil
			}
		}
		return nil, fmt.Errorf("no prekey for %s", k.Short())
	}
	admin := ms[0]
	g, _, err := admin.eng.CreateGroup("overhead", false, true)
	if err != nil {
		b.Fatal(err)
	}
	// syncFrom gives m everything src holds of g, as a node's sync does:
	// by frontier, then the IDs still missing, until nothing moves (an
	// invitee keeps entries of the group once its invitation is in).
	syncFrom := func(m, src *member) {
		for range 64 {
			es, _ := src.eng.After(g, m.eng.Frontier(g), 1000, 4<<20)
			if len(es) == 0 {
				return
			}
			r := m.eng.Ingest(es)
			for _, nd := range r.Needs {
				if len(nd.IDs) > 0 {
					m.eng.Ingest(src.eng.ByID(g, nd.IDs))
				}
			}
			if r.Stored == 0 {
				return
			}
		}
	}
	for _, m := range ms[1:] {
		inv, err := admin.eng.Invite(g, m.key, false, time.Hour, keys)
		if err != nil {
			b.Fatal(err)
		}
		if m.eng != nil {
			syncFrom(m, admin)
			js, err := m.eng.Join(g)
			if err != nil {
				b.Fatal(err)
			}
			if r := admin.eng.Ingest(js); r.Delivered != len(js) {
				b.Fatalf("join: %+v", r)
			}
			continue
		}
		last := inv[len(inv)-1]
		join := chatlog.Entry{Group: g, Author: m.key, Seq: 1, Time: hlc.Timestamp{Wall: last.Time.Wall, Logical: last.Time.Logical + 1},
			Kind: chatlog.KindJoin, Deps: []chatlog.ID{last.ID()}, Body: (&chatlog.Body{Invite: last.ID()}).Encode()}
		if err := chatlog.Sign(&join, m.priv); err != nil {
			b.Fatal(err)
		}
		if r := admin.eng.Ingest([]*chatlog.Entry{&join}); r.Delivered != 1 {
			b.Fatalf("join %d: %+v", len(ms), r)
		}
	}
	ws := ms[:writers]
	syncAll := func() {
		for _, w := range ws[1:] {
			syncFrom(w, admin)
			syncFrom(admin, w)
		}
		for _, w := range ws[1:] {
			syncFrom(w, admin)
		}
	}
	overhead := func(e *chatlog.Entry, text string, replyTo *chatlog.ID) float64 {
		p := chatlog.Payload{Text: text}
		if replyTo != nil {
			p.ReplyTo = *replyTo
		}
		return float64(e.Size() - len(p.Encode()) - addressing)
	}
	send := func(w *member, k int, replyTo *chatlog.ID) (*chatlog.Entry, float64) {
		text := fmt.Sprintf("message %d of a group of %d, about as long as a short chat line", k, n)
		_, es, err := w.eng.Send(g, text, replyTo, keys)
		if err != nil {
			b.Fatal(err)
		}
		e := es[len(es)-1]
		if e.Kind != chatlog.KindMsg {
			b.Fatalf("last entry sent is a %v", e.Kind)
		}
		return e, overhead(e, text, replyTo)
	}
	syncAll()
	for _, w := range ws {
		if got, _ := w.eng.Members(g); len(got) != n {
			b.Fatalf("a writer sees %d members, want %d", len(got), n)
		}
	}
	k := 0
	for range 4 { // rounds
		for i := range 25 { // turns: each writer has seen everything
			w := ws[i%len(ws)]
			_, o := send(w, k, nil)
			k++
			turns = append(turns, o)
			syncAll()
		}
		// A burst: every writer sends without seeing the others', twice;
		// then each writer's next message references what it missed.
		for range 2 {
			for _, w := range ws {
				send(w, k, nil)
				k++
			}
		}
		syncAll()
		for _, w := range ws {
			_, o := send(w, k, nil)
			k++
			bursts = append(bursts, o)
		}
		syncAll()
	}
	return turns, bursts
}

func envMembers(def int) int {
	if s := os.Getenv("SKEIN_BENCH_MEMBERS"); s != "" {
		v, _ := strconv.Atoi(s)
		return v
	}
	return def
}
