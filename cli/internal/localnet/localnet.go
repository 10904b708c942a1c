// Package localnet runs skein processes (relays, daemons, commands) as
// children of the calling process, on 127.0.0.1 only, for the end-to-end
// tests and the demo. Every process it starts must be stopped by its caller
// with Proc.Stop; on Linux a child is also killed if its parent dies.
package localnet

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Listen is the --listen flags of every relay and daemon: loopback only,
// ports chosen by the system, TCP and QUIC.
var Listen = []string{"--listen", "/ip4/127.0.0.1/tcp/0", "--listen", "/ip4/127.0.0.1/udp/0/quic-v1"}

// maxLines bounds the output a Proc keeps.
const maxLines = 10000

// Proc is a running skein process. Its stdout and stderr are read together,
// in the order they were written. It is safe for concurrent use.
type Proc struct {
	Name string // for messages
	cmd  *exec.Cmd

	mu      sync.Mutex
	lines   []string
	changed chan struct{} // closed and replaced when lines change or the process exits

	exited  chan struct{} // closed once the process exited and its output is read
	waitErr error         // set before exited is closed
	stop    sync.Once
	stopErr error
}

// Start starts bin with args and the environment env added to this
// process's environment (without its SKEIN_ variables), and returns once a
// line of its output contains ready. If the process exits or ctx is done
// first, Start kills it and returns an error with the end of its output.
func Start(ctx context.Context, name, bin string, env []string, ready string, args ...string) (*Proc, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = Env(env...)
	cmd.Stdout, cmd.Stderr = pw, pw
	cmd.SysProcAttr = sysProcAttr()
	p := &Proc{Name: name, cmd: cmd, changed: make(chan struct{}), exited: make(chan struct{})}
	err = cmd.Start()
	pw.Close()
	if err != nil {
		pr.Close()
		return nil, fmt.Errorf("starting %s: %v", name, err)
	}
	go p.read(pr)
	if err := p.WaitFor(ctx, ready); err != nil {
		p.Stop(0)
		return nil, err
	}
	return p, nil
}

// read collects the output until the process closes it, then waits for the
// process.
func (p *Proc) read(r io.ReadCloser) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		p.mu.Lock()
		p.lines = append(p.lines, sc.Text())
		if len(p.lines) > maxLines {
			p.lines = p.lines[len(p.lines)-maxLines:]
		}
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
	}
	io.Copy(io.Discard, r) // a line too long ended the scan
	r.Close()
	err := p.cmd.Wait()
	p.mu.Lock()
	p.waitErr = err
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
	close(p.exited)
}

// WaitFor waits until a line of the output contains s. It fails if the
// process exits or ctx is done first.
func (p *Proc) WaitFor(ctx context.Context, s string) error {
	for {
		p.mu.Lock()
		for _, l := range p.lines {
			if strings.Contains(l, s) {
				p.mu.Unlock()
				return nil
			}
		}
		changed := p.changed
		p.mu.Unlock()
		select {
		case <-changed:
		case <-p.exited:
			// The output is complete: look once more.
			if p.Contains(s) {
				return nil
			}
			return fmt.Errorf("%s exited (%v) before printing %q; its output ends with:\n%s", p.Name, p.waitErr, s, p.Tail(20))
		case <-ctx.Done():
			return fmt.Errorf("%s did not print %q in time (%v); its output ends with:\n%s", p.Name, s, ctx.Err(), p.Tail(20))
		}
	}
}

// Contains reports whether a line of the output so far contains s.
func (p *Proc) Contains(s string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// Lines returns the output so far.
func (p *Proc) Lines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

// Tail returns the last n lines of the output so far, indented.
func (p *Proc) Tail(n int) string {
	l := p.Lines()
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return "    " + strings.Join(l, "\n    ")
}

// Exited is closed once the process has exited.
func (p *Proc) Exited() <-chan struct{} { return p.exited }

// Signal sends sig to the process if it is still running.
func (p *Proc) Signal(sig os.Signal) {
	select {
	case <-p.exited:
	default:
		p.cmd.Process.Signal(sig)
	}
}

// Stop sends SIGTERM, waits up to grace for the process to exit, then kills
// it. It returns nil if the process exited with status 0 within grace, else
// why not. It is safe to call more than once and after the process exited.
func (p *Proc) Stop(grace time.Duration) error {
	p.stop.Do(func() {
		p.Signal(syscall.SIGTERM)
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-p.exited:
			p.stopErr = p.waitErr
			if p.stopErr != nil {
				p.stopErr = fmt.Errorf("%s: %v; its output ends with:\n%s", p.Name, p.stopErr, p.Tail(20))
			}
			return
		case <-t.C:
		}
		p.cmd.Process.Kill()
		<-p.exited
		p.stopErr = fmt.Errorf("%s did not exit within %v of SIGTERM and was killed", p.Name, grace)
	})
	return p.stopErr
}

// StartRelay starts "skein --home home relay" on loopback and returns it
// with the addresses it printed, once it is ready.
func StartRelay(ctx context.Context, bin, home string, env []string) (*Proc, []string, error) {
	args := append([]string{"--home", home, "relay"}, Listen...)
	p, err := Start(ctx, "relay", bin, env, "skein relay: ready", args...)
	if err != nil {
		return nil, nil, err
	}
	// stdout and stderr share one pipe, so the addresses, printed before
	// "ready", are all read by now.
	var addrs []string
	for _, l := range p.Lines() {
		if strings.HasPrefix(l, "/") && strings.Contains(l, "/p2p/") {
			addrs = append(addrs, l)
		}
	}
	if len(addrs) == 0 {
		p.Stop(5 * time.Second)
		return nil, nil, fmt.Errorf("the relay printed no addresses; its output ends with:\n%s", p.Tail(20))
	}
	return p, addrs, nil
}

// StartDaemon starts "skein --home home daemon" on loopback, joining
// through bootstrap, and returns it once its API is ready.
func StartDaemon(ctx context.Context, name, bin, home string, bootstrap, env []string, extra ...string) (*Proc, error) {
	args := append([]string{"--home", home, "daemon"}, Listen...)
	for _, b := range bootstrap {
		args = append(args, "--bootstrap", b)
	}
	args = append(args, extra...)
	return Start(ctx, name, bin, env, "skein daemon: ready", args...)
}

// Result is the outcome of one command.
type Result struct {
	Stdout, Stderr string
	Code           int   // exit status; -1 if it did not exit normally
	Err            error // from running it; nil for any exit status
}

// String describes the result for test failures.
func (r Result) String() string {
	return fmt.Sprintf("exit %d, err %v, stdout %q, stderr %q", r.Code, r.Err, r.Stdout, r.Stderr)
}

// Run runs bin with args and env, stdin as its input, until it exits; if ctx
// is done first the process is killed.
func Run(ctx context.Context, bin string, env []string, stdin string, args ...string) Result {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = Env(env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	r := Result{Stdout: stdout.String(), Stderr: stderr.String(), Code: cmd.ProcessState.ExitCode()}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		r.Err = err
	}
	if ctx.Err() != nil {
		r.Err = fmt.Errorf("%v: %w", args, ctx.Err())
	}
	return r
}

// Env returns this process's environment without its SKEIN_ variables,
// followed by add.
func Env(add ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SKEIN_") {
			env = append(env, kv)
		}
	}
	return append(env, add...)
}

// Pid returns the process ID.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }
