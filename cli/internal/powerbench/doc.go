// Package powerbench holds the benchmark of what a Skein node costs a phone
// while it idles: bytes and network wakeups per hour in background and in
// foreground mode, measured by a packet capture outside the node, and the
// resident memory of a background node following 500 authors.
//
// The node measured is a real `skein daemon` process listening on a
// loopback address of its own (127.0.0.2, and 127.0.0.3 for the foreground
// comparison), so that tcpdump on lo can tell its packets from everyone
// else's. The authors' device and the relay run in the benchmark process on
// 127.0.0.1. Run it with scripts/bench.sh (make bench); it needs root for
// tcpdump, and skips without it.
//
// BenchmarkFollowCost (follow_test.go) draws the same figures, plus
// goroutines, against the number of authors a phone follows (10, 100,
// 1,000 by default), with the authors spread over up to 20 devices, each
// a daemon in a network namespace of its own; followplot turns its JSON
// lines into docs/follow-cost.svg.
package powerbench
