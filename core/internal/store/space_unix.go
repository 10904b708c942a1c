//go:build linux || darwin

package store

import "golang.org/x/sys/unix"

// freeSpace returns the bytes that an unprivileged process may still
// write on the disk holding dir.
func freeSpace(dir string) (uint64, bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return uint64(st.Bavail) * uint64(st.Bsize), true
}
