//go:build !(linux || darwin)

package store

// freeSpace cannot tell the free space on this system.
func freeSpace(string) (uint64, bool) { return 0, false }
