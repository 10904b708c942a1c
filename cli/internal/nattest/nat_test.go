package nattest

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/skein-p2p/skein/core"
)

func TestMain(m *testing.M) {
	if addr := os.Getenv(dialEnv); addr != "" {
		os.Exit(dialMain(addr)) // a reachability probe in a namespace
	}
	goleak.VerifyTestMain(m,
		// goleveldb's buffer pool drains on a timer after the DB closes.
		goleak.IgnoreTopFunction("github.com/syndtr/goleveldb/leveldb.(*DB).mpoolDrain"),
	)
}

// TestNAT runs real skein processes behind NAT routers; see the package
// comment. It runs only with SKEIN_NAT_TEST=1 (make nat-test).
func TestNAT(t *testing.T) {
	if os.Getenv("SKEIN_NAT_TEST") != "1" {
		t.Skip("SKIP: run by make nat-test (needs root and ip netns)")
	}
	requireTools(t)
	l := newLab(t)
	defer l.close()
	l.writeBacklog("carol", backlog)
	alice := l.startDaemon("alice", l.net.a, "--keep-per-author", keepPerAuthor)
	bob := l.startDaemon("bob", l.net.b)
	carol := l.startDaemon("carol", l.net.c)
	t.Log("PASS: network built; relay and three daemons behind NAT ready")

	// (a) No direct way between alice and bob.
	checkUnreachable(l, alice, bob)
	t.Log("PASS (a): alice and bob cannot reach each other directly")

	// (b) Posts through the relay.
	for _, d := range []*daemon{alice, bob, carol} {
		d.waitBehindNAT()
	}
	alice.must("register", "alice")
	bob.must("register", "bob")
	carol.must("login", "carol")
	ab := alice.watchConns(bob.peerID)
	delivered := exchangePosts(l, alice, bob)
	relayed := waitSeen(l, ab, true)
	t.Logf("PASS (b): alice and bob see each other's posts; their first connection was through the relay (%s), and bob's post reached alice's feed %v after it opened",
		relayed.Addr, delivered.Sub(relayed.at()).Round(time.Millisecond))

	// (c) Hole punching through two endpoint-independent NATs.
	relayed, direct := waitDirect(l, ab)
	if want := "/ip4/" + l.net.b.wanIP + "/"; !strings.HasPrefix(direct.Addr, want) {
		l.fatalf("alice's direct connection to bob is to %s, want bob's router's public address %s...", direct.Addr, want)
	}
	t.Logf("PASS (c): hole punching upgraded alice's connection to bob to a direct one (%s) %v after the relayed one opened",
		direct.Addr, direct.at().Sub(relayed.at()).Round(time.Millisecond))
	if d := delivered.Sub(direct.at()); d > 0 {
		t.Logf("note: the direct connection opened %v before bob's post was seen in alice's feed, so that post may have come over it; carol's posts below can only come through the relay", d.Round(time.Millisecond))
	} else {
		t.Logf("bob's post reached alice's feed %v before the direct connection opened: through the relay", (-d).Round(time.Millisecond))
	}

	// (e) A catch-up through the relay, from behind a symmetric NAT.
	ac := alice.watchConns(carol.peerID)
	took := catchUp(l, alice, carol, backlog)
	if n := alice.countPosts("carol"); n != backlog {
		l.fatalf("alice's daemon holds entries 1 to %d of carol's log but shows %d of her posts, want %d", backlog, n, backlog)
	}
	if _, d := ac.first(); d != nil {
		l.fatalf("alice's daemon got a direct connection to carol's, behind a symmetric NAT: %+v", d.connection)
	}
	t.Logf("PASS (e): alice caught up carol's %d posts from behind a symmetric NAT in %v (%.0f entries/s)", backlog, took.Round(time.Millisecond), float64(backlog)/took.Seconds())

	// (d) Delivery keeps working both ways through the relay; the
	// connection cannot be upgraded.
	carol.must("follow", "alice")
	fromCarol, fromAlice := "carol, behind a symmetric NAT", "alice, to carol through the relay"
	carol.must("post", fromCarol)
	alice.must("post", fromAlice)
	l.eventually(deliverWithin, "carol's new post reaches alice's feed", func() bool { return alice.feedHas(fromCarol) })
	l.eventually(deliverWithin, "alice's new post reaches carol's feed", func() bool { return carol.feedHas(fromAlice) })
	stayRelayed(l, alice, carol, ac)
	t.Log("PASS (d): carol's new post reached alice, and alice's reached carol, through the relay; their connections stayed relayed")
}

// BenchmarkNAT measures, on the topology of TestNAT: the time from starting
// two daemons behind NAT to the first post delivered through the relay;
// the time hole punching took to upgrade their connection; and the rate of
// a catch-up of 5,000 entries through the relay, from an author behind a
// symmetric NAT, against the same catch-up by the same follower directly
// from an author on the internet side. Run it with -benchtime 1x.
func BenchmarkNAT(b *testing.B) {
	requireTools(b)
	for range b.N { // one run is the measurement
		benchNAT(b)
	}
}

func benchNAT(b *testing.B) {
	l := newLab(b)
	defer l.close()
	l.writeBacklog("carol", backlog)
	l.writeBacklog("pat", backlog)
	carol := l.startDaemon("carol", l.net.c)
	pat := l.startPublicDaemon("pat")
	carol.waitBehindNAT()
	carol.must("login", "carol")
	pat.must("login", "pat")

	start := time.Now()
	alice := l.startDaemon("alice", l.net.a, "--keep-per-author", keepPerAuthor)
	bob := l.startDaemon("bob", l.net.b)
	for _, d := range []*daemon{alice, bob} {
		d.waitBehindNAT()
	}
	alice.must("register", "alice")
	bob.must("register", "bob")
	ab := alice.watchConns(bob.peerID)
	delivered := exchangePosts(l, alice, bob)
	firstPost := delivered.Sub(start)
	relayed, direct := waitDirect(l, ab)
	upgrade := direct.at().Sub(relayed.at())
	if direct.at().Before(delivered) {
		b.Logf("note: hole punching made a direct connection %v before bob's post was seen in alice's feed: s_first_post_via_relay may include a delivery over it", delivered.Sub(direct.at()).Round(time.Millisecond))
	}

	ac := alice.watchConns(carol.peerID)
	viaRelay := catchUp(l, alice, carol, backlog)
	stayRelayed(l, alice, carol, ac)
	ap := alice.watchConns(pat.peerID)
	viaDirect := catchUp(l, alice, pat, backlog)
	waitSeen(l, ap, false)
	for _, c := range alice.conns(pat.peerID) {
		if c.Relayed {
			l.fatalf("alice's daemon has a relayed connection to pat's, on the internet side: %+v", c)
		}
	}
	relayRate, directRate := float64(backlog)/viaRelay.Seconds(), float64(backlog)/viaDirect.Seconds()
	b.Logf("first post through the relay %v after the daemons started; direct upgrade in %v; catch-up of %d entries: %v through the relay, %v directly",
		firstPost.Round(time.Millisecond), upgrade.Round(time.Millisecond), backlog, viaRelay.Round(time.Millisecond), viaDirect.Round(time.Millisecond))
	b.ReportMetric(firstPost.Seconds(), "s_first_post_via_relay")
	b.ReportMetric(upgrade.Seconds(), "s_direct_upgrade")
	b.ReportMetric(relayRate, "entries/s_relay")
	b.ReportMetric(directRate, "entries/s_direct")
	b.ReportMetric(relayRate/directRate, "relay/direct")
}

// checkUnreachable checks that alice and bob, behind their NATs, cannot
// reach each other directly: TCP connections to each other's listening
// port on their router's public address go unanswered, and to their
// private address have no route; while the relay is reachable from both.
// Neither daemon has a connection to the other.
func checkUnreachable(l *lab, alice, bob *daemon) {
	l.tb.Helper()
	a, b := l.net.a, l.net.b
	relay := relayIP + ":4001"
	probes := []struct {
		from, to, what string
		want           bool
	}{
		{a.host, relay, "the relay, from alice's LAN", true},
		{b.host, relay, "the relay, from bob's LAN", true},
		{a.host, bob.tcpAddr(b.wanIP), "bob's listening port on his router's public address, from alice's LAN", false},
		{a.host, bob.tcpAddr(b.hostIP()), "bob's private address, from alice's LAN", false},
		{b.host, alice.tcpAddr(a.wanIP), "alice's listening port on her router's public address, from bob's LAN", false},
		{b.host, alice.tcpAddr(a.hostIP()), "alice's private address, from bob's LAN", false},
	}
	// In parallel: each unanswered probe waits dialTimeout.
	type result struct {
		ok  bool
		out string
		err error
	}
	results := make([]result, len(probes))
	var wg sync.WaitGroup
	for i, p := range probes {
		wg.Go(func() {
			ok, out, err := tcpReachable(l.ctx, p.from, p.to)
			results[i] = result{ok, out, err}
		})
	}
	wg.Wait()
	for i, p := range probes {
		r := results[i]
		switch {
		case r.err != nil:
			l.fatalf("%v", r.err)
		case r.ok != p.want:
			l.fatalf("TCP to %s (%s): %s, want connected = %v", p.what, p.to, r.out, p.want)
		}
		l.tb.Logf("TCP to %s (%s): %s", p.what, p.to, r.out)
	}
	if cs := alice.conns(bob.peerID); len(cs) != 0 {
		l.fatalf("before anything happened alice's daemon has connections to bob's: %+v", cs)
	}
}

// exchangePosts makes a and b, logged in, follow each other and post, and
// waits until each one's post is in the other's feed. It returns when b's
// post was seen in a's feed.
func exchangePosts(l *lab, a, b *daemon) time.Time {
	l.tb.Helper()
	a.must("follow", b.user)
	b.must("follow", a.user)
	fromA, fromB := "hello from "+a.user, "hello from "+b.user
	b.must("post", fromB)
	a.must("post", fromA)
	delivered := l.eventually(deliverWithin, b.user+"'s post reaches "+a.user+"'s feed", func() bool { return a.feedHas(fromB) })
	l.eventually(deliverWithin, a.user+"'s post reaches "+b.user+"'s feed", func() bool { return b.feedHas(fromA) })
	return delivered
}

// waitDirect waits until the watched daemon has a direct connection to the
// peer, after a relayed one, and returns the first of each.
func waitDirect(l *lab, w *connWatch) (relayed, direct *sighting) {
	l.tb.Helper()
	l.eventually(upgradeWithin, "a direct (not relayed) connection from "+w.d.user+"'s daemon to "+w.peer+": hole punching through endpoint-independent NATs", func() bool {
		_, d := w.first()
		return d != nil
	})
	relayed, direct = w.first()
	if relayed == nil {
		l.fatalf("%s's daemon has a direct connection to %s but was never seen with a relayed one first (%v)", w.d.user, w.peer, w)
	}
	return relayed, direct
}

// waitSeen waits until w has seen a relayed connection, or a direct one,
// and returns the first it saw. The connection opened before: the wait is
// for the next sample.
func waitSeen(l *lab, w *connWatch, relayed bool) *sighting {
	l.tb.Helper()
	kind := "direct"
	if relayed {
		kind = "relayed"
	}
	var s *sighting
	what := func() string {
		return fmt.Sprintf("%s's daemon is seen with a %s connection to %s (%v)", w.d.user, kind, w.peer, w)
	}
	l.eventuallyf(commandTimeout, what, func() bool {
		r, d := w.first()
		if s = d; relayed {
			s = r
		}
		return s != nil
	})
	return s
}

// catchUp makes follower follow author and returns how long it took until
// it held entries 1 to n of the author's log.
func catchUp(l *lab, follower, author *daemon, n int) time.Duration {
	l.tb.Helper()
	start := time.Now()
	follower.must("follow", author.user)
	var last core.LogState
	what := func() string {
		return fmt.Sprintf("%s holds entries 1 to %d of %s's log (holds %d to %d, latest known %d)",
			follower.user, n, author.user, last.From, last.To, last.Latest)
	}
	done := l.eventuallyf(catchUpWithin, what, func() bool {
		last = follower.logOf(author.user)
		return last.From == 1 && last.To >= uint64(n)
	})
	return done.Sub(start)
}

// stayRelayed checks that a's connections to b, watched by w, stay relayed
// for relayedHold after the first one opened: time for hole punching to be
// tried and to fail.
func stayRelayed(l *lab, a, b *daemon, w *connWatch) {
	l.tb.Helper()
	relayed := waitSeen(l, w, true)
	until := relayed.at().Add(relayedHold)
	for range int(relayedHold/pollEvery) + 1 {
		if _, d := w.first(); d != nil {
			l.fatalf("%s's daemon got a direct connection to %s's, behind a symmetric NAT: %+v", a.user, b.user, d.connection)
		}
		if time.Now().After(until) {
			break
		}
		select {
		case <-time.After(pollEvery):
		case <-l.ctx.Done():
			l.fatalf("waiting for %s's connection to %s's to stay relayed: %v", a.user, b.user, l.ctx.Err())
		}
	}
	cs := a.conns(b.peerID)
	if len(cs) == 0 {
		l.fatalf("%s's daemon has no connection left to %s's", a.user, b.user)
	}
	for _, c := range cs {
		if !c.Relayed {
			l.fatalf("%s's daemon has a direct connection to %s's, behind a symmetric NAT: %+v", a.user, b.user, c)
		}
	}
}
