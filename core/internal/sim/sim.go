// Package sim holds the network-free parts of Skein's simulation harness:
// the follow graph, the schedules of posts and churn, the statistics and the
// plots.
//
// Everything here is deterministic for a seed (math/rand/v2 PCG), does no
// I/O beyond what a caller hands it, and keeps no global state, so a
// simulation run can be replayed and its results re-rendered from a JSON file.
package sim
