// Package nattest holds the end-to-end test and benchmark of Skein behind
// NAT: real `skein` processes on real sockets, in Linux network namespaces
// joined by veth pairs, with iptables NAT routers between them.
//
// The topology, built afresh for each run and torn down at its end:
//
//	                 internet: bridge, 192.0.0.64/26
//	     relay 192.0.0.66             public peer 192.0.0.80 (benchmark)
//	        |                 |                  |
//	router a .70 (EIM)  router b .71 (EIM)  router c .72 (symmetric)
//	        |                 |                  |
//	 alice 10.231.1.2    bob 10.231.2.2     carol 10.231.3.2
//
// The "internet" is 192.0.0.64/26, a range IANA reserves and nobody routes
// but which go-libp2p counts as public: it only hole-punches to public
// addresses. Nothing in the namespaces has a link or a route to the host's
// own network. Each router masquerades its LAN behind its WAN address and
// silently drops every unsolicited inbound packet (DROP, never REJECT, as
// real home routers do). Routers a and b use plain MASQUERADE, which keeps
// source ports: an endpoint-independent mapping, through which DCUtR hole
// punching works. Router c uses MASQUERADE --random-fully, a new random
// port per destination: a symmetric NAT, through which it cannot.
//
// TestNAT checks, in order:
//
//   - alice and bob cannot reach each other directly at first: a TCP
//     connection from alice's LAN to bob's listening port on his router's
//     address times out, his private address is not routable from hers,
//     and alice's daemon has no connection to bob's;
//   - both register, follow each other and post, and each one's post
//     reaches the other's feed, over a connection through the relay;
//   - that connection is upgraded to a direct one by hole punching, and
//     the time the upgrade took is logged;
//   - alice follows carol, behind the symmetric NAT, whose 5,000 posts
//     (written before her daemon started) all reach alice through the
//     relay, as does a post carol writes after that, while every
//     connection between them stays relayed.
//
// BenchmarkNAT measures on the same topology the time to the first post
// delivered through the relay, the time to the direct upgrade, and the
// rate of a catch-up of 5,000 entries through the relay (from carol)
// against the same catch-up directly (from an author on the internet
// side).
//
// Nobody dials a daemon behind NAT before it is ready for hole punching:
// go-libp2p answers DCUtR only once the host has learnt a public address of
// its own from the relay, and never retries the upgrade of a relayed
// connection opened before. The test waits until `skein status` says
// "hole punching: ready".
//
// Both need root, iproute2 (ip netns), iptables and conntrack. Run the
// test with `make nat-test` (scripts/nat-test.sh), which installs what is
// missing with apt-get and skips with a "SKIP:" line without root; TestNAT
// runs only when SKEIN_NAT_TEST=1 and skips otherwise. Run the benchmark
// as root with
//
//	go test -run '^$' -bench '^BenchmarkNAT$' -benchtime 1x -v ./cli/internal/nattest
//
// Namespaces are named sknat<pid>... so that parallel runs do not collide;
// `ip netns list` shows any left by a run that was killed. SKEIN_LOG, if
// set, is passed on to the daemons and the relay (debug, info, warn,
// error). The end of their output is in the failure messages; with
// SKEIN_NAT_LOGS=DIR, a failure also writes each one's whole output to DIR.
package nattest
