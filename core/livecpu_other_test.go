//go:build !unix

package core

import "time"

// processCPU is not measured on this system: BenchmarkLiveDelivery then
// reports no CPU time.
func processCPU() time.Duration { return 0 }
