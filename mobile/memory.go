package mobile

import (
	"math"
	"runtime/debug"
)

// DefaultMemoryLimitMiB is Config.MemoryLimitMiB's default. A node's own
// heap takes 10 to 30 MiB; the rest is room for the Go objects that Java or
// Swift objects hold until their collector runs. With it, a JVM paging the
// feed from 8 threads stays under 150 MiB resident (docs/BENCHMARKS.md).
const DefaultMemoryLimitMiB = 64

// applyMemoryLimit sets the Go runtime's soft memory limit, which is
// process-wide, to mib MiB: mib > 0 that many, 0 the default, < 0 leaves
// the limit as it is (GOMEMLIMIT if set, else none).
func applyMemoryLimit(mib int) {
	switch {
	case mib < 0:
		return
	case mib == 0:
		mib = DefaultMemoryLimitMiB
	}
	limit := int64(math.MaxInt64)
	if int64(mib) < math.MaxInt64>>20 {
		limit = int64(mib) << 20
	}
	debug.SetMemoryLimit(limit)
}
