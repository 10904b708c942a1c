//go:build unix

package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockHome takes an exclusive lock on DIR/daemon.lock so that two daemons
// never share a home, and returns the function that releases it.
func lockHome(home string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(home, "daemon.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("a daemon is already running for %s", home)
		}
		return nil, fmt.Errorf("locking %s: %v", f.Name(), err)
	}
	return func() { f.Close() }, nil
}
