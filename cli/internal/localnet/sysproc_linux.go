package localnet

import "syscall"

// sysProcAttr makes the kernel kill a child when its parent dies, so that a
// crashed or timed-out test leaves no daemons behind.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
