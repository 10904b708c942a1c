// Package cli implements the skein command: the daemon that runs a Skein
// node, the relay, and the commands that talk to the daemon through the
// local API (package api) on the unix socket DIR/skein.sock.
//
//	skein [--home DIR] <command> [flags] [args]
//
// DIR defaults to $SKEIN_HOME, else ~/.skein. Global flags come before the
// command, the command's flags after it. Every failure is returned as an
// error whose message is one line meant for the user; main prints it and
// exits 1.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/core"
)

// Run runs the skein command line args (without the program name). It reads
// input from stdin and writes output to stdout and stderr; long-running
// commands stop when ctx is done.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{
		stdin:    stdin,
		stdout:   stdout,
		stderr:   stderr,
		getenv:   os.Getenv,
		newNode:  openNode,
		newRelay: openRelay,
	}
	return e.run(ctx, args)
}

// env is what a command runs with. Tests replace getenv, newNode and
// newRelay.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	newNode        func(context.Context, core.Config) (daemonNode, error)
	newRelay       func(context.Context, core.RelayConfig) (relayNode, error)

	home  string      // absolute home directory
	lines *lineReader // stdin, read line by line; nil until first used
}

// daemonNode is what the daemon needs of a *core.Node.
type daemonNode interface {
	api.Node
	Close() error
}

// relayNode is what the relay command needs of a *core.Relay.
type relayNode interface {
	Addrs() []string
	Close() error
}

func openNode(ctx context.Context, cfg core.Config) (daemonNode, error) {
	n, err := core.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return n, nil
}

func openRelay(ctx context.Context, cfg core.RelayConfig) (relayNode, error) {
	r, err := core.NewRelay(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// runner is one parsed command, ready to run. Its fields hold its flags and
// arguments.
type runner interface {
	// flags defines the command's flags on fs, bound to the runner's fields.
	flags(fs *flag.FlagSet)
	// args checks the command's flag values and takes its positional
	// arguments.
	args(args []string) error
	// run runs the command. c is nil for local commands.
	run(ctx context.Context, e *env, c *api.Client) error
}

// command describes a command for the parser and the usage text.
type command struct {
	name     string
	synopsis string // flags and arguments after the name
	summary  string
	local    bool // runs without a daemon
	// intersperse lets flags follow positional arguments. Commands whose
	// arguments are free text (post) leave it off.
	intersperse bool
	new         func() runner
}

var commands = []command{
	{name: "daemon", synopsis: "[--listen MULTIADDR]... [--bootstrap MULTIADDR]... [--dht-server] [--power MODE] [--ui] [--ui-port N]",
		summary: "run the node and serve the local API that the other commands use", local: true,
		new: func() runner { return &daemonCmd{} }},
	{name: "relay", synopsis: "[--listen MULTIADDR]...",
		summary: "run a bootstrap node and DHT server; print its addresses", local: true,
		new: func() runner { return &relayCmd{} }},
	{name: "register", synopsis: "[--password-file F] NAME", intersperse: true,
		summary: "create the account NAME on this device and log it in",
		new:     func() runner { return &registerCmd{} }},
	{name: "login", synopsis: "[--password-file F] NAME", intersperse: true,
		summary: "log the account NAME in",
		new:     func() runner { return &loginCmd{} }},
	{name: "logout", summary: "log the current account out",
		new: func() runner { return &logoutCmd{} }},
	{name: "export", synopsis: "[--password-file F] [--key-file F]", intersperse: true,
		summary: "print the logged-in account's recovery phrase, or write its key file to F",
		new:     func() runner { return &exportCmd{} }},
	{name: "restore", synopsis: "[--phrase-file F] [--password-file F] NAME | --key-file F [--password-file F]", intersperse: true,
		summary: "restore an account on this device from its recovery phrase or key file, and log it in",
		new:     func() runner { return &restoreCmd{} }},
	{name: "post", synopsis: "[--request-id ID] [--image FILE [--alt TEXT]]... TEXT...",
		summary: "post TEXT (the arguments joined by spaces, up to 1,000 characters) with up to 4 images, each --alt describing the --image before it; TEXT may be left out with an image",
		new:     func() runner { return &postCmd{} }},
	{name: "reply", synopsis: "[--request-id ID] [--image FILE [--alt TEXT]]... ID TEXT...",
		summary: "reply TEXT to the post ID (the 8 hex digits in brackets in feeds), with images as post has them",
		new:     func() runner { return &replyCmd{} }},
	{name: "repost", synopsis: "[--request-id ID] ID", intersperse: true,
		summary: "repost the post ID to your followers",
		new:     func() runner { return &repostCmd{} }},
	{name: "delete", synopsis: "[--request-id ID] ID", intersperse: true,
		summary: "delete your post, reply or repost ID, here and wherever it was copied",
		new:     func() runner { return &deleteCmd{} }},
	{name: "like", synopsis: "[--request-id ID] ID", intersperse: true,
		summary: "like the post ID; its author is notified",
		new:     func() runner { return &likeCmd{} }},
	{name: "unlike", synopsis: "[--request-id ID] ID", intersperse: true,
		summary: "take back your like of the post ID",
		new:     func() runner { return &unlikeCmd{} }},
	{name: "thread", synopsis: "ID [--json]", intersperse: true,
		summary: "show the post ID in its conversation: the posts it answers and the replies under it",
		new:     func() runner { return &threadCmd{} }},
	{name: "follow", synopsis: "[--request-id ID] NAME", intersperse: true,
		summary: "follow the user NAME",
		new:     func() runner { return &followCmd{} }},
	{name: "unfollow", synopsis: "[--request-id ID] NAME", intersperse: true,
		summary: "stop following the user NAME",
		new:     func() runner { return &unfollowCmd{} }},
	{name: "feed", synopsis: "[--limit N] [--cursor C] [--json]", intersperse: true,
		summary: "show the posts of the people you follow and your own, newest first",
		new:     func() runner { return &feedCmd{} }},
	{name: "timeline", synopsis: "NAME [--limit N] [--cursor C] [--json]", intersperse: true,
		summary: "show the posts of the user NAME, newest first",
		new:     func() runner { return &timelineCmd{} }},
	{name: "search", synopsis: "[--users|--posts|--tag|--messages] [--limit N] [--json] QUERY...", intersperse: true,
		summary: "search for QUERY (the arguments joined by spaces) the users this device and its relays' directories know and the posts it holds; --tag finds one #hashtag, --messages your direct and group messages",
		new:     func() runner { return &searchCmd{} }},
	{name: "following", synopsis: "[--json]", intersperse: true,
		summary: "list the users you follow",
		new:     func() runner { return &followingCmd{} }},
	{name: "followers", synopsis: "[--json]", intersperse: true,
		summary: "list the users following you",
		new:     func() runner { return &followersCmd{} }},
	{name: "mute", synopsis: "NAME", intersperse: true,
		summary: "hide the user NAME's posts, reposts and notifications from you (private, on this device)",
		new:     func() runner { return &muteCmd{} }},
	{name: "unmute", synopsis: "NAME", intersperse: true, summary: "end the mute of the user NAME",
		new: func() runner { return &unmuteCmd{} }},
	{name: "block", synopsis: "NAME", intersperse: true,
		summary: "mute the user NAME, drop them as follower, unfollow them and ignore their follows, replies and mentions",
		new:     func() runner { return &muteCmd{block: true} }},
	{name: "unblock", synopsis: "NAME", intersperse: true, summary: "end the block of the user NAME",
		new: func() runner { return &unmuteCmd{block: true} }},
	{name: "muted", synopsis: "[--json]", intersperse: true, summary: "list the users you muted",
		new: func() runner { return &mutedCmd{} }},
	{name: "blocked", synopsis: "[--json]", intersperse: true, summary: "list the users you blocked",
		new: func() runner { return &mutedCmd{block: true} }},
	{name: "bookmark", synopsis: "ID", intersperse: true, summary: "save the post ID to your bookmarks (on this device)",
		new: func() runner { return &bookmarkCmd{} }},
	{name: "unbookmark", synopsis: "ID", intersperse: true, summary: "remove the post ID from your bookmarks",
		new: func() runner { return &unbookmarkCmd{} }},
	{name: "bookmarks", synopsis: "[--limit N] [--cursor C] [--json]", intersperse: true,
		summary: "show your bookmarks, newest saved first",
		new:     func() runner { return &bookmarksCmd{} }},
	{name: "dm", synopsis: "NAME TEXT...",
		summary: "send TEXT (the arguments joined by spaces) to the user NAME as an end-to-end encrypted direct message",
		new:     func() runner { return &dmCmd{} }},
	{name: "send", synopsis: "CONV TEXT...",
		summary: "send TEXT to the conversation CONV: a group's name or ID (8 hex digits or more), or a username",
		new:     func() runner { return &sendCmd{} }},
	{name: "messages", synopsis: "CONV [--limit N] [--before C] [--json] | --search QUERY [--limit N] [--json]", intersperse: true,
		summary: "show the history of the conversation CONV, oldest at the top, and mark it read; --search finds your messages",
		new:     func() runner { return &messagesCmd{} }},
	{name: "conversations", synopsis: "[--json]", intersperse: true,
		summary: "list your direct messages and groups, newest first, with their unread counts",
		new:     func() runner { return &conversationsCmd{} }},
	{name: "inbox", synopsis: "[--json]", intersperse: true,
		summary: "the same as conversations",
		new:     func() runner { return &conversationsCmd{} }},
	{name: "chat", synopsis: "CONV", intersperse: true,
		summary: "chat in the conversation CONV: its last messages, then new ones as they arrive while you type; Enter sends",
		new:     func() runner { return &chatCmd{} }},
	{name: "group", synopsis: "create NAME [--public] [--history shared|joined] | invite GROUP NAME [--admin] [--expires D] | join GROUP | leave GROUP | remove GROUP NAME | admin GROUP NAME | member GROUP NAME | members GROUP [--json] | search QUERY... [--json] | list [--json]", intersperse: true,
		summary: "create a group chat, invite to it (single use, expiring), join or leave one, remove a member, make one an admin or a member again, list members, search public groups, list your groups",
		new:     func() runner { return &groupCmd{} }},
	{name: "notifications", synopsis: "[--limit N] [--json]", intersperse: true,
		summary: "show your notifications, newest first, and mark them read",
		new:     func() runner { return &notificationsCmd{} }},
	{name: "whois", synopsis: "NAME [--json]", intersperse: true,
		summary: "look up the user NAME",
		new:     func() runner { return &whoisCmd{} }},
	{name: "profile", synopsis: "[NAME] [--json] | --display-name TEXT --bio TEXT --link URL --avatar FILE --banner FILE --no-avatar --no-banner [--request-id ID]", intersperse: true,
		summary: "show the profile of NAME (yours without it), or set yours: flags not given keep their value, an empty one clears it; --avatar and --banner take an image file",
		new:     func() runner { return &profileCmd{} }},
	{name: "status", synopsis: "[--json]", intersperse: true,
		summary: "describe the daemon's node and the logged-in account",
		new:     func() runner { return &statusCmd{} }},
	{name: "peers", synopsis: "[--json]", intersperse: true,
		summary: "list the daemon's open connections: direct, or relayed through a relay",
		new:     func() runner { return &peersCmd{} }},
	{name: "holders", synopsis: "[--json]", intersperse: true,
		summary: "ask the network which devices hold a copy of your posts (your followers'), to be read while you are offline",
		new:     func() runner { return &holdersCmd{} }},
	{name: "power", synopsis: "[foreground|background|off] [--json]", intersperse: true,
		summary: "show the power mode and network type, or set the mode: foreground (live), background (sync now and then) or off",
		new:     func() runner { return &powerCmd{} }},
	{name: "network", synopsis: "wifi|cellular|none [--json]", intersperse: true,
		summary: "tell the daemon the device's network: wifi, cellular (metered: fetch less) or none (offline)",
		new:     func() runner { return &networkCmd{} }},
	{name: "watch", synopsis: "[--json]", intersperse: true,
		summary: "print new posts, deletions, notifications and connectivity changes as they happen, until interrupted",
		new:     func() runner { return &watchCmd{} }},
	{name: "ui", synopsis: "[--open] [--json]", intersperse: true,
		summary: "print the address that signs a browser in to the daemon's web UI, starting the UI if needed; --open opens it",
		new:     func() runner { return &uiCmd{} }},
	{name: "media", synopsis: "get ROOT [-o FILE] | usage [--json] | prune [--json]", intersperse: true,
		summary: "fetch the file ROOT (64 hex digits, from feed --json) from whoever holds it and save it to FILE; show the space media takes; drop cached media over the budget",
		new:     func() runner { return &mediaCmd{} }},
	{name: "album", synopsis: "share DIR [--name SLUG] [--title T] | mirror NAME/ALBUM DIR | list [NAME] [--json] | show NAME/ALBUM [--json] | unmirror NAME/ALBUM | remove SLUG ROOT... | drop SLUG", intersperse: true,
		summary: "publish the files of DIR as an album (again to add new files), mirror a user's album into DIR from everyone who holds it and keep it in sync, list and show albums, stop a mirror, remove files from or delete one of your albums",
		new:     func() runner { return &albumCmd{} }},
	{name: "mirrors", synopsis: "[--json]", intersperse: true,
		summary: "list the albums this device mirrors",
		new:     func() runner { return &mirrorsCmd{} }},
	{name: "shell", summary: "an interactive menu",
		new: func() runner { return &shellCmd{} }},
}

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// invocation is a parsed command line.
type invocation struct {
	home   string  // absolute home directory
	help   string  // "-" for the general usage, a command name for its usage
	cmd    command // the command to run, unless help is set
	runner runner
}

// parse parses a command line; getenv looks up environment variables.
func parse(args []string, getenv func(string) string) (*invocation, error) {
	fs := flag.NewFlagSet("skein", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	home := fs.String("home", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return &invocation{help: "-"}, nil
		}
		return nil, fmt.Errorf("%v (usage: skein [--home DIR] <command> [flags] [args])", err)
	}
	args = fs.Args()
	if len(args) == 0 {
		return nil, fmt.Errorf("missing command (%s)", commandList())
	}
	name, args := args[0], args[1:]
	if name == "help" {
		switch {
		case len(args) == 0:
			return &invocation{help: "-"}, nil
		case len(args) > 1:
			return nil, errors.New("help: too many arguments (usage: skein help [COMMAND])")
		}
		if _, ok := lookup(args[0]); !ok {
			return nil, fmt.Errorf("help: unknown command %q (%s)", args[0], commandList())
		}
		return &invocation{help: args[0]}, nil
	}
	cmd, ok := lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown command %q (%s)", name, commandList())
	}
	r := cmd.new()
	cfs := flag.NewFlagSet(name, flag.ContinueOnError)
	cfs.SetOutput(io.Discard)
	r.flags(cfs)
	pos, err := parseFlags(cfs, args, cmd.intersperse)
	if errors.Is(err, flag.ErrHelp) {
		return &invocation{help: name}, nil
	}
	for _, a := range pos {
		if err == nil {
			err = checkUTF8(fmt.Sprintf("argument %q", a), a)
		}
	}
	if err == nil {
		err = r.args(pos)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v (usage: %s)", name, err, cmd.usageLine())
	}
	inv := &invocation{cmd: cmd, runner: r}
	if inv.home, err = homeDir(*home, getenv); err != nil {
		return nil, err
	}
	return inv, nil
}

// parseFlags parses args with fs and returns the positional arguments. With
// intersperse, flags may follow positional arguments; "--" ends the flags.
func parseFlags(fs *flag.FlagSet, args []string, intersperse bool) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); !intersperse || len(rest) == 0 || n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func commandList() string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	return "commands: " + strings.Join(names, ", ") + `; run "skein help" for usage`
}

func (c command) usageLine() string {
	return strings.TrimSpace("skein " + c.name + " " + c.synopsis)
}

// usage writes the general usage text.
func usage(w io.Writer) {
	fmt.Fprint(w, `Usage: skein [--home DIR] <command> [flags] [args]

Skein is a decentralized timeline. Start "skein daemon" first: the other
commands talk to it through the socket DIR/skein.sock.

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `  help           show this text, or "skein help COMMAND" for a command's flags

Global flags:
  --home DIR     the home directory (default $SKEIN_HOME, else ~/.skein)

Passwords for register, login, export and restore come from --password-file F
(its first line), else $SKEIN_PASSWORD, else a prompt. The recovery phrase
for restore comes from --phrase-file F, else $SKEIN_PHRASE, else a prompt.
$SKEIN_LOG sets the daemon's log level: debug, info (default), warn or error.
`)
}

// commandUsage writes the usage text of one command.
func commandUsage(w io.Writer, c command) {
	fmt.Fprintf(w, "Usage: %s\n\n%s.\n", c.usageLine(), capitalize(c.summary))
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.new().flags(fs)
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprint(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// homeDir returns the absolute home directory: flagValue, else $SKEIN_HOME,
// else ~/.skein.
func homeDir(flagValue string, getenv func(string) string) (string, error) {
	dir := flagValue
	if dir == "" {
		dir = getenv("SKEIN_HOME")
	}
	if dir == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no home directory: use --home DIR or set $SKEIN_HOME (%v)", err)
		}
		dir = filepath.Join(h, ".skein")
	}
	return filepath.Abs(dir)
}

// socketPath returns the path of the daemon's socket in home.
func socketPath(home string) (string, error) {
	p := filepath.Join(home, "skein.sock")
	// sun_path holds 108 bytes on Linux, 104 elsewhere, with a final NUL.
	limit := 103
	if runtime.GOOS == "linux" {
		limit = 107
	}
	if len(p) > limit {
		return "", fmt.Errorf("the socket path %s is %d bytes, longer than the system's limit of %d: use a shorter --home", p, len(p), limit)
	}
	return p, nil
}

func (e *env) run(ctx context.Context, args []string) error {
	inv, err := parse(args, e.getenv)
	if err != nil {
		return e.explain(ctx, err)
	}
	switch inv.help {
	case "":
	case "-":
		usage(e.stdout)
		return nil
	default:
		c, _ := lookup(inv.help)
		commandUsage(e.stdout, c)
		return nil
	}
	e.home = inv.home
	defer e.closeInput()
	var c *api.Client
	if !inv.cmd.local {
		sock, err := socketPath(e.home)
		if err != nil {
			return err
		}
		c = api.NewClient(sock)
		defer c.Close()
	}
	return e.explain(ctx, inv.runner.run(ctx, e, c))
}

// explain rewrites errors into what the user should read: one inert line
// (see inert), and what to do where that is known.
func (e *env) explain(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, api.ErrNoDaemon):
		return e.noDaemon()
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return errors.New("interrupted")
	}
	var broken *api.BrokenError
	if errors.As(err, &broken) {
		msg := "the daemon did not answer (" + broken.Err.Error() + "): the request may have been done"
		if broken.RequestID != "" {
			msg += fmt.Sprintf("; to finish it without doing it twice, run the same command again with --request-id %s", broken.RequestID)
		}
		err = &lineError{msg: msg, err: err}
	}
	if line := errorLine(err); line != err.Error() {
		return &lineError{msg: line, err: err}
	}
	return err
}

// lineError is an error whose message was made one inert line (errorLine)
// for the terminal; it still wraps the original.
type lineError struct {
	msg string
	err error
}

func (e *lineError) Error() string { return e.msg }
func (e *lineError) Unwrap() error { return e.err }

func (e *env) noDaemon() error {
	return fmt.Errorf("no daemon running for %s (start it with: skein --home %s daemon)", e.home, e.home)
}
