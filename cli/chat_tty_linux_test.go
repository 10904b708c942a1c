package cli

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal: the master, which plays the user's
// keyboard, and the slave, the chat's stdin.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { slave.Close() })
	return master, slave
}

// TestChatTerminal drives skein chat's line editor through a
// pseudo-terminal: a message that arrives while a line is typed is
// printed above it and the line drawn again; backspace, Ctrl-U, escape
// sequences and split UTF-8 are handled; Ctrl-D on an empty line leaves
// and the terminal's mode is restored.
func TestChatTerminal(t *testing.T) {
	home, node := chatDaemon(t)
	master, slave := openPTY(t)
	before, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	e, stdout, _ := testEnv(slave, nil)
	done := make(chan error, 1)
	go func() { done <- e.run(t.Context(), []string{"--home", home, "chat", "bob"}) }()
	waitUntil(t, func() bool { return node.Watchers() == 1 && strings.HasSuffix(stdout.String(), "\r\x1b[K> ") })
	raw, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if err != nil || raw.Lflag&(unix.ICANON|unix.ECHO) != 0 {
		t.Fatalf("the terminal during the chat: %+v, %v; want no ICANON and no ECHO", raw, err)
	}
	keys := func(s string) {
		t.Helper()
		if _, err := master.WriteString(s); err != nil {
			t.Fatal(err)
		}
	}

	keys("hel")
	waitUntil(t, func() bool { return strings.HasSuffix(stdout.String(), "> hel") })
	if _, err := node.AddDM("bob", "alice", "live from bob"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool {
		return strings.HasSuffix(stdout.String(), "\r\x1b[K2026-11-22 03:40  @bob: live from bob\n\r\x1b[K> hel")
	})
	keys("lo\r")
	waitUntil(t, func() bool { return strings.Contains(stdout.String(), "@alice: hello\n") })
	keys("abc\x7f\x7fX\x1b[A\x1bOB\r") // two backspaces, then arrows ignored
	waitUntil(t, func() bool { return strings.Contains(stdout.String(), "@alice: aX\n") })
	keys("zzz\x15ok\r") // Ctrl-U clears the line
	waitUntil(t, func() bool { return strings.Contains(stdout.String(), "@alice: ok\n") })
	keys("caf\xc3")
	waitUntil(t, func() bool { return strings.HasSuffix(stdout.String(), "> caf") })
	keys("\xa9\r")
	waitUntil(t, func() bool { return strings.Contains(stdout.String(), "@alice: café\n") })
	keys("x\x04\x15\x04") // Ctrl-D leaves only on an empty line
	if err := <-done; err != nil {
		t.Fatalf("chat returned %v", err)
	}
	after, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if err != nil || *after != *before {
		t.Errorf("the terminal after the chat: %+v, %v; want it restored to %+v", after, err, before)
	}
	out := stdout.String()
	for _, s := range []string{"zzz", "abc"} {
		if strings.Contains(out, "@alice: "+s) {
			t.Errorf("sent %q, which was erased:\n%q", s, out)
		}
	}
}
