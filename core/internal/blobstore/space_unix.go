//go:build linux || darwin

package blobstore

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// freeSpace returns the bytes that an unprivileged process may still
// write on the disk holding dir.
func freeSpace(dir string) (uint64, bool) {
	free, _, ok := diskSpace(dir)
	return free, ok
}

// diskSpace returns the bytes that an unprivileged process may still
// write on the file system holding dir, and the size of that file system.
func diskSpace(dir string) (free, total uint64, ok bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, 0, false
	}
	return uint64(st.Bavail) * uint64(st.Bsize), uint64(st.Blocks) * uint64(st.Bsize), true
}

// isNoSpace reports whether err says the disk, the quota or the file size
// limit is full.
func isNoSpace(err error) bool {
	return errors.Is(err, unix.ENOSPC) || errors.Is(err, unix.EDQUOT) || errors.Is(err, unix.EFBIG) ||
		errors.Is(err, ErrNoSpace)
}

// syncDir makes the entries of dir (a file created, renamed or removed)
// durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
