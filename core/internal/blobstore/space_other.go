//go:build !(linux || darwin)

package blobstore

import (
	"errors"
	"syscall"
)

// freeSpace cannot tell the free space on this system.
func freeSpace(string) (uint64, bool) { return 0, false }

// diskSpace cannot tell the free space on this system.
func diskSpace(string) (free, total uint64, ok bool) { return 0, 0, false }

// isNoSpace reports whether err says the disk is full.
func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, ErrNoSpace)
}

// syncDir does nothing: directories cannot be synced here.
func syncDir(string) error { return nil }
