//go:build linux || darwin

package cli

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// rawMode puts the terminal f in the mode the chat's line editor needs:
// keys arrive one by one, unechoed, and Ctrl-C and Ctrl-D as bytes; output
// is processed as before (a newline still returns the carriage). It
// returns the function that restores the previous mode.
func rawMode(f *os.File) (restore func(), err error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return nil, err
	}
	t := *old
	t.Lflag &^= unix.ICANON | unix.ECHO | unix.ISIG | unix.IEXTEN
	t.Iflag &^= unix.IXON
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, &t); err != nil {
		return nil, err
	}
	return func() { unix.IoctlSetTermios(fd, ioctlSetTermios, old) }, nil
}

// readable waits up to ms milliseconds for f to have input, so that a
// reader can stop between waits without a read left pending.
func readable(f *os.File, ms int) (bool, error) {
	fds := []unix.PollFd{{Fd: int32(f.Fd()), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, ms)
	if errors.Is(err, unix.EINTR) {
		return false, nil
	}
	return n > 0, err
}
