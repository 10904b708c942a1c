package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"unicode/utf8"
)

// checkUTF8 refuses text that is not valid UTF-8 before it goes to the
// daemon, where the JSON encoding would silently replace the bad bytes
// with U+FFFD. what names the text in the error. Passwords are not checked:
// accounts sealed with a password whose bytes were replaced that way must
// still open.
func checkUTF8(what, s string) error {
	if utf8.ValidString(s) {
		return nil
	}
	i := 0
	for {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	return fmt.Errorf("%s is not valid UTF-8 (byte 0x%02x at offset %d): Skein text is UTF-8; check the character encoding of your terminal or script", what, s[i], i)
}

// password returns the password for register, login, export or restore:
// the first line of
// file if set, else $SKEIN_PASSWORD, else what the user types at a prompt
// on stdin (twice if confirm is set and stdin is a terminal). An explicit
// --password-file wins over the environment so that one command can use a
// different account than the exported variable.
func (e *env) password(ctx context.Context, file string, confirm bool) (string, error) {
	switch {
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("password file: %v", err)
		}
		pw, _, _ := strings.Cut(string(b), "\n")
		pw = strings.TrimSuffix(pw, "\r")
		if pw == "" {
			return "", fmt.Errorf("password file %s: the first line is empty", file)
		}
		return pw, nil
	case e.getenv("SKEIN_PASSWORD") != "":
		return e.getenv("SKEIN_PASSWORD"), nil
	}
	var w io.Writer // prompts at a terminal only, so that piped use stays quiet
	if e.isTerminal() {
		w = e.stderr
	}
	return e.promptPassword(ctx, w, confirm)
}

// promptPassword reads a password from stdin, writing the prompts to w
// unless it is nil. At a terminal it turns echo off and, if confirm is set,
// asks twice; from a pipe it reads one line.
func (e *env) promptPassword(ctx context.Context, w io.Writer, confirm bool) (string, error) {
	term := e.isTerminal()
	pw, err := e.readSecret(ctx, w, "Password: ", term)
	if errors.Is(err, io.EOF) {
		return "", errNoPassword
	} else if err != nil {
		return "", err
	}
	if pw == "" {
		return "", errors.New("empty password: type one, or use $SKEIN_PASSWORD or --password-file F")
	}
	if confirm && term {
		again, err := e.readSecret(ctx, w, "Repeat password: ", term)
		if errors.Is(err, io.EOF) {
			return "", errNoPassword
		} else if err != nil {
			return "", err
		}
		if again != pw {
			return "", errors.New("the passwords do not match")
		}
	}
	return pw, nil
}

// readSecret reads a line from stdin without echo at a terminal (term),
// writing prompt to w first unless w is nil. It returns io.EOF at the end of
// input.
func (e *env) readSecret(ctx context.Context, w io.Writer, prompt string, term bool) (string, error) {
	if w != nil {
		fmt.Fprint(w, prompt)
	}
	restore := func() {}
	if term {
		var err error
		if restore, err = noEcho(e.stdin.(*os.File)); err != nil {
			return "", fmt.Errorf("turning the terminal's echo off: %v", err)
		}
	}
	pw, err := e.readLine(ctx)
	restore()
	if w != nil {
		fmt.Fprintln(w) // the typed newline was not echoed
	}
	return pw, err
}

var errNoPassword = errors.New("no password: the input ended; use $SKEIN_PASSWORD or --password-file F")

// isTerminal reports whether stdin is a terminal.
func (e *env) isTerminal() bool {
	f, ok := e.stdin.(*os.File)
	return ok && isTerminal(f)
}

// readLine reads one line from stdin, without its line ending. It returns
// io.EOF at the end of input and ctx.Err() if ctx is done first.
func (e *env) readLine(ctx context.Context) (string, error) {
	if e.lines == nil {
		e.lines = newLineReader(e.stdin)
	}
	return e.lines.readLine(ctx)
}

// closeInput stops the goroutine reading stdin, if any.
func (e *env) closeInput() {
	if e.lines != nil {
		e.lines.close()
	}
}

// lineReader reads lines on its own goroutine, one per request, so that a
// caller can stop waiting when its context is done (a blocked read cannot be
// interrupted) and nothing is read before it is asked for (a password is
// typed only once the terminal's echo is off). It is not safe for
// concurrent use.
type lineReader struct {
	br      *bufio.Reader
	req     chan struct{} // asks the goroutine for a line
	res     chan lineResult
	start   sync.Once
	pending bool  // a line was asked for and not received
	err     error // the error that ended the input
	stop    sync.Once
}

type lineResult struct {
	line string
	err  error
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReader(r), req: make(chan struct{}), res: make(chan lineResult, 1)}
}

func (l *lineReader) readLine(ctx context.Context) (string, error) {
	if l.err != nil {
		return "", l.err
	}
	l.start.Do(func() { go l.loop() })
	if !l.pending {
		l.req <- struct{}{}
		l.pending = true
	}
	select {
	case r := <-l.res:
		l.pending = false
		if r.err != nil {
			l.err = r.err
		}
		return r.line, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (l *lineReader) loop() {
	for range l.req {
		line, err := l.br.ReadString('\n')
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if err == io.EOF && line != "" {
			err = nil // a last line without a newline
		}
		l.res <- lineResult{line, err}
		if err != nil {
			return
		}
	}
}

// close ends the goroutine once its read in progress, if any, returns.
func (l *lineReader) close() {
	l.stop.Do(func() { close(l.req) })
}
