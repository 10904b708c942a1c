package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/core"
)

// The interactive chat of "skein chat" and of the shell: the last
// chatHistory messages, then each message as it arrives (from the daemon's
// event stream) while the user types; Enter sends the line.
//
// At a terminal the chat reads keys in raw mode with a small line editor
// (backspace, Ctrl-U, Ctrl-C or Ctrl-D on an empty line to leave), so that
// an incoming message is printed above the line being typed, which is then
// drawn again. From a pipe it reads whole lines and sends each, until the
// end of input.

const chatHelp = `type a message and press Enter to send it, or a command:
  /members  list the members
  /help     show this help
  /quit     leave the chat (Ctrl-D on an empty line too)`

// chatPrompt is the prompt of the line being typed at a terminal.
const chatPrompt = "> "

// chat is one running chat.
type chat struct {
	e    *env
	c    *api.Client
	conv core.Conversation

	mu      sync.Mutex
	tty     bool            // the input line is drawn after the prompt
	input   []rune          // the line being typed, at a terminal
	ready   bool            // the history is printed; live messages print at once
	waiting []core.Message  // live messages that came before the history
	seen    map[string]bool // IDs of the messages printed
}

// runChat runs the chat of the conversation ref until the user leaves, the
// input ends or ctx is done (which is not an error).
func runChat(ctx context.Context, e *env, c *api.Client, ref string) error {
	cv, err := c.Conversation(ctx, ref)
	if err != nil {
		return err
	}
	ch := &chat{e: e, c: c, conv: cv, seen: map[string]bool{}}

	live, cancel := context.WithCancel(ctx)
	defer cancel()
	started := make(chan struct{})
	streamDone := make(chan struct{})
	var streamErr error
	go func() {
		defer close(streamDone)
		defer cancel() // a stream that ends ends the chat
		streamErr = c.Events(live, func() { close(started) }, func(ev core.Event) error {
			if ev.Kind == core.EventMessage && ev.Message != nil && ev.Message.Conversation == cv.ID {
				ch.arrived(*ev.Message)
			}
			return nil
		})
	}()
	defer func() {
		cancel()
		<-streamDone
	}()
	select {
	case <-started:
	case <-streamDone:
		return streamErr
	}

	fmt.Fprintf(e.stdout, "chat: %s; /help for commands, /quit to leave\n", chatTitle(cv))
	p, err := c.Messages(live, cv.ID, "", chatHistory)
	if err != nil && !errors.Is(err, core.ErrNoConversation) {
		return err
	}
	ch.history(p)
	if len(p.Messages) > 0 {
		c.MarkRead(live, cv.ID)
	}

	err = ch.read(live)
	ch.mu.Lock()
	printed := len(ch.seen) > 0
	ch.mu.Unlock()
	if printed {
		c.MarkRead(context.WithoutCancel(ctx), cv.ID)
	}
	switch {
	case err == nil || ctx.Err() != nil:
		return nil // left, or interrupted
	case live.Err() != nil:
		// The event stream ended, and with it the chat.
		<-streamDone
		if streamErr != nil && !errors.Is(streamErr, context.Canceled) {
			return streamErr
		}
		return errors.New("the daemon's event stream ended")
	}
	return err
}

// history prints the first page, oldest first, then the live messages
// that came meanwhile.
func (ch *chat) history(p core.MessagePage) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if p.Next != "" {
		fmt.Fprintf(ch.e.stdout, "earlier: skein messages %s --before %s\n", inert(shellQuote(shortID(ch.conv.ID))), inert(shellQuote(p.Next)))
	}
	for _, m := range slices.Backward(p.Messages) {
		ch.printLocked(m)
	}
	ch.ready = true
	for _, m := range ch.waiting {
		ch.printLocked(m)
	}
	ch.waiting = nil
	ch.redrawLocked()
}

// arrived prints a live message, once.
func (ch *chat) arrived(m core.Message) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if !ch.ready {
		ch.waiting = append(ch.waiting, m)
		return
	}
	ch.printLocked(m)
	ch.redrawLocked()
}

// printLocked prints m above the input line unless it was printed before.
func (ch *chat) printLocked(m core.Message) {
	if m.ID != "" && ch.seen[m.ID] {
		return
	}
	ch.seen[m.ID] = true
	ch.lineLocked(messageLine(m))
}

// say prints a line of the chat's own (help, members, errors).
func (ch *chat) say(line string) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	ch.lineLocked(line)
	ch.redrawLocked()
}

// lineLocked prints line, erasing the input line first at a terminal.
func (ch *chat) lineLocked(line string) {
	if ch.tty {
		fmt.Fprint(ch.e.stdout, "\r\x1b[K")
	}
	fmt.Fprintln(ch.e.stdout, line)
}

// redrawLocked draws the prompt and the line being typed at a terminal.
func (ch *chat) redrawLocked() {
	if ch.tty {
		fmt.Fprint(ch.e.stdout, "\r\x1b[K"+chatPrompt+inert(string(ch.input)))
	}
}

// read reads what the user types until they leave (nil), the input ends
// (nil) or ctx is done (ctx.Err()).
func (ch *chat) read(ctx context.Context) error {
	if f, ok := ch.e.stdin.(*os.File); ok && isTerminal(f) {
		if restore, err := rawMode(f); err == nil {
			defer func() {
				restore()
				fmt.Fprintln(ch.e.stdout)
			}()
			return ch.keys(ctx, f)
		}
	}
	for {
		line, err := ch.e.readLine(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if done, err := ch.line(ctx, line); done || err != nil {
			return err
		}
	}
}

// line acts on a line typed: a command, or a message to send. done is
// set when the user leaves; err is an error that ends the chat.
func (ch *chat) line(ctx context.Context, line string) (done bool, err error) {
	text := strings.TrimRight(line, " \t\r")
	switch cmd := strings.TrimSpace(text); {
	case blank(text):
		return false, nil
	case cmd == "/quit" || cmd == "/exit" || cmd == "/q":
		return true, nil
	case cmd == "/help":
		ch.say(chatHelp)
		return false, nil
	case cmd == "/members" && ch.conv.DM:
		ch.say("direct messages: you and " + chatHandle(ch.conv.Name, ch.conv.Peer))
		return false, nil
	case cmd == "/members":
		ms, err := ch.c.Members(ctx, ch.conv.ID)
		if err != nil {
			return false, ch.failed(err)
		}
		var b strings.Builder
		writeMembers(&b, ms.Members)
		ch.say(strings.TrimSuffix(b.String(), "\n"))
		return false, nil
	case strings.HasPrefix(cmd, "/") && !strings.HasPrefix(cmd, "//"):
		ch.say(fmt.Sprintf("unknown command %s: /help lists them (start a message with // to send a /)", inert(strings.Fields(cmd)[0])))
		return false, nil
	}
	if strings.HasPrefix(strings.TrimSpace(text), "//") {
		text = strings.Replace(text, "//", "/", 1)
	}
	if err := checkUTF8("the line typed", text); err != nil {
		ch.say("error: " + errorLine(err))
		return false, nil
	}
	var m core.Message
	if ch.conv.DM && !strings.HasPrefix(ch.conv.Name, "@") {
		// By name: SendDM starts the conversation if it has no message
		// yet. A name the node does not know comes as @ and a short key;
		// such a DM exists, and its ID names it.
		m, err = ch.c.SendDM(ctx, ch.conv.Name, text)
	} else {
		m, err = ch.c.SendMessage(ctx, ch.conv.ID, text)
	}
	if err != nil {
		return false, ch.failed(err)
	}
	ch.arrived(m)
	return false, nil
}

// failed shows err in the chat and goes on, unless it ends the chat: the
// daemon is gone, or ctx is done.
func (ch *chat) failed(err error) error {
	var broken *api.BrokenError
	if errors.Is(err, api.ErrNoDaemon) || errors.As(err, &broken) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	ch.say("error: " + errorLine(err))
	return nil
}

// keys is the line editor of a terminal in raw mode.
func (ch *chat) keys(ctx context.Context, f *os.File) error {
	ch.mu.Lock()
	ch.tty = true
	ch.redrawLocked()
	ch.mu.Unlock()
	var (
		buf     [256]byte
		partial []byte // the start of a character split between reads
		esc     int    // in an escape sequence: 1 after ESC, 2 after ESC [
	)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		ok, err := readable(f, 100)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		n, err := f.Read(buf[:])
		if n == 0 && err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		b := append(partial, buf[:n]...)
		partial = nil
		for len(b) > 0 {
			c := b[0]
			switch {
			case esc == 1:
				esc = 0
				if c == '[' || c == 'O' {
					esc = 2
				}
				b = b[1:]
				continue
			case esc == 2:
				if c >= 0x40 && c <= 0x7e {
					esc = 0
				}
				b = b[1:]
				continue
			}
			switch c {
			case 0x1b:
				esc = 1
			case '\r', '\n':
				ch.mu.Lock()
				line := string(ch.input)
				ch.input = ch.input[:0]
				fmt.Fprint(ch.e.stdout, "\r\x1b[K")
				ch.mu.Unlock()
				done, err := ch.line(ctx, line)
				if done || err != nil {
					return err
				}
				ch.mu.Lock()
				ch.redrawLocked()
				ch.mu.Unlock()
			case 0x03: // Ctrl-C
				return nil
			case 0x04: // Ctrl-D
				ch.mu.Lock()
				empty := len(ch.input) == 0
				ch.mu.Unlock()
				if empty {
					return nil
				}
			case 0x7f, 0x08: // backspace
				ch.edit(func(in []rune) []rune {
					if len(in) > 0 {
						in = in[:len(in)-1]
					}
					return in
				})
			case 0x15: // Ctrl-U
				ch.edit(func(in []rune) []rune { return in[:0] })
			default:
				if c < 0x20 {
					break // other controls do nothing
				}
				if !utf8.FullRune(b) {
					partial = append(partial, b...)
					b = nil
					continue
				}
				r, size := utf8.DecodeRune(b)
				b = b[size-1:]
				if r != utf8.RuneError || size > 1 {
					ch.edit(func(in []rune) []rune { return append(in, r) })
				}
			}
			b = b[1:]
		}
	}
}

// edit changes the line being typed and draws it again.
func (ch *chat) edit(f func([]rune) []rune) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	ch.input = f(ch.input)
	ch.redrawLocked()
}
