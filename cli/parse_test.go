package cli

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/skein-p2p/skein/core"
)

// A real peer ID: multiaddr checks /p2p/ values.
const testPeer = "QmaCpDMGvV2BGHeYERUEnRQAwe3N8SzbUtfsmvsqQLuvuJ"

func TestParse(t *testing.T) {
	boot := "/ip4/127.0.0.1/tcp/4001/p2p/" + testPeer
	tests := []struct {
		args string
		want runner
	}{
		{"daemon", &daemonCmd{}},
		{"daemon --listen /ip4/127.0.0.1/tcp/0 --listen /ip4/127.0.0.1/udp/0/quic-v1 --bootstrap " + boot + " --dht-server",
			&daemonCmd{listen: []string{"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"}, bootstrap: []string{boot}, dhtServer: true}},
		{"daemon --keep-per-author 50 --keep-for 48h --unfollow-grace 1h",
			&daemonCmd{retention: core.Retention{KeepPerAuthor: 50, KeepFor: 48 * time.Hour, UnfollowGrace: time.Hour}}},
		{"daemon --power background --background-sync 1m --max-conns 20",
			&daemonCmd{power: core.PowerBackground, backgroundSync: time.Minute, maxConns: 20}},
		{"daemon --power off --background-sync 1s", &daemonCmd{power: core.PowerOff, backgroundSync: time.Second}},
		{"daemon -power=foreground --max-conns 0", &daemonCmd{power: core.PowerForeground}},
		{"relay", &relayCmd{}},
		{"relay -listen /ip4/0.0.0.0/tcp/4001", &relayCmd{listen: []string{"/ip4/0.0.0.0/tcp/4001"}}},
		{"relay --max-names 5000", &relayCmd{maxNames: 5000}},
		{"register alice", &registerCmd{name: "alice"}},
		{"register alice --password-file pw.txt", &registerCmd{name: "alice", passwordFile: "pw.txt"}},
		{"login --password-file pw.txt alice", &loginCmd{name: "alice", passwordFile: "pw.txt"}},
		{"login @alice", &loginCmd{name: "alice"}},
		{"logout", &logoutCmd{}},
		{"post hello", &postCmd{text: "hello"}},
		{"post hello, skein --json -x", &postCmd{text: "hello, skein --json -x"}},
		{"post -- -5 degrees", &postCmd{text: "-5 degrees"}},
		{"reply 3f2a91c0 nice one", &replyCmd{id: "3f2a91c0", text: "nice one"}},
		{"reply [3F2A91C0] --json -x", &replyCmd{id: "3f2a91c0", text: "--json -x"}},
		{"reply -- 3f2a91c0 -5 degrees", &replyCmd{id: "3f2a91c0", text: "-5 degrees"}},
		{"repost 3f2a91c0", &repostCmd{id: "3f2a91c0"}},
		{"repost " + strings.Repeat("ab", 32), &repostCmd{id: strings.Repeat("ab", 32)}},
		{"delete [3f2a91c0ff]", &deleteCmd{id: "3f2a91c0ff"}},
		{"post --request-id 8e03978e-40d5 hello", &postCmd{requestFlag: requestFlag{"8e03978e-40d5"}, text: "hello"}},
		{"reply --request-id r.1 3f2a91c0 hi", &replyCmd{requestFlag: requestFlag{"r.1"}, id: "3f2a91c0", text: "hi"}},
		{"repost 3f2a91c0 --request-id r:2", &repostCmd{requestFlag: requestFlag{"r:2"}, id: "3f2a91c0"}},
		{"delete --request-id r_3 3f2a91c0", &deleteCmd{requestFlag: requestFlag{"r_3"}, id: "3f2a91c0"}},
		{"follow bob --request-id F", &followCmd{requestFlag: requestFlag{"F"}, name: "bob"}},
		{"unfollow --request-id u bob", &unfollowCmd{requestFlag: requestFlag{"u"}, name: "bob"}},
		{"export", &exportCmd{}},
		{"export --key-file alice.key --password-file pw", &exportCmd{keyFile: "alice.key", passwordFile: "pw"}},
		{"restore alice", &restoreCmd{name: "alice"}},
		{"restore @alice --phrase-file words.txt --password-file pw", &restoreCmd{name: "alice", phraseFile: "words.txt", passwordFile: "pw"}},
		{"restore --key-file alice.key", &restoreCmd{keyFile: "alice.key"}},
		{"restore --key-file alice.key --password-file pw", &restoreCmd{keyFile: "alice.key", passwordFile: "pw"}},
		{"follow bob", &followCmd{name: "bob"}},
		{"unfollow @bob", &unfollowCmd{name: "bob"}},
		{"feed", &feedCmd{limit: 20}},
		{"feed --limit 5 --cursor abc --json", &feedCmd{limit: 5, cursor: "abc", json: true}},
		{"feed -limit=500", &feedCmd{limit: 500}},
		{"timeline bob", &timelineCmd{name: "bob", limit: 20}},
		{"timeline bob --limit 3 --json", &timelineCmd{name: "bob", limit: 3, json: true}},
		{"timeline --cursor c1 bob", &timelineCmd{name: "bob", limit: 20, cursor: "c1"}},
		{"following", &followingCmd{}},
		{"following --json", &followingCmd{json: true}},
		{"followers --json", &followersCmd{json: true}},
		{"notifications", &notificationsCmd{limit: 20}},
		{"notifications --json --limit 5", &notificationsCmd{limit: 5, json: true}},
		{"whois carol --json", &whoisCmd{name: "carol", json: true}},
		{"status", &statusCmd{}},
		{"status --json", &statusCmd{json: true}},
		{"power", &powerCmd{}},
		{"power --json", &powerCmd{json: true}},
		{"power foreground", &powerCmd{mode: core.PowerForeground, set: true}},
		{"power background --json", &powerCmd{mode: core.PowerBackground, set: true, json: true}},
		{"power off", &powerCmd{mode: core.PowerOff, set: true}},
		{"network wifi", &networkCmd{network: core.NetworkWiFi}},
		{"network --json cellular", &networkCmd{network: core.NetworkCellular, json: true}},
		{"network none", &networkCmd{network: core.NetworkNone}},
		{"watch", &watchCmd{}},
		{"watch --json", &watchCmd{json: true}},
		{"shell", &shellCmd{}},
		{"daemon --ui", &daemonCmd{ui: true}},
		{"daemon --ui --ui-port 8080", &daemonCmd{ui: true, uiPort: 8080}},
		{"daemon --ui-port=65535", &daemonCmd{uiPort: 65535}},
		{"ui", &uiCmd{}},
		{"ui --open --json", &uiCmd{open: true, json: true}},
		{"ui -json", &uiCmd{json: true}},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			inv, err := parse(append([]string{"--home", "/h"}, strings.Fields(tt.args)...), noEnv)
			if err != nil {
				t.Fatalf("parse(%q) error = %v", tt.args, err)
			}
			if !reflect.DeepEqual(inv.runner, tt.want) {
				t.Errorf("parse(%q) = %#v, want %#v", tt.args, inv.runner, tt.want)
			}
			if inv.home != "/h" || inv.help != "" {
				t.Errorf("parse(%q) home %q help %q, want /h and no help", tt.args, inv.home, inv.help)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		args string
		want string // in the error
	}{
		{"", "missing command (commands: daemon, relay, register"},
		{"--bogus feed", "flag provided but not defined: -bogus"},
		{"frobnicate", `unknown command "frobnicate" (commands: daemon, relay, register, login, logout, export, restore, post, reply, repost, delete, like, unlike, thread, follow, unfollow, feed, timeline, search, following, followers, mute, unmute, block, unblock, muted, blocked, bookmark, unbookmark, bookmarks, dm, send, messages, conversations, inbox, chat, group, notifications, whois, profile, status, peers, holders, power, network, watch, ui, media, album, mirrors, shell; run "skein help" for usage)`},
		{"help nope", `help: unknown command "nope"`},
		{"help feed post", "help: too many arguments"},
		{"register", "register: missing NAME (usage: skein register [--password-file F] NAME)"},
		{"login a b", `login: unexpected argument "b" after NAME`},
		{"login alice --password-file", "flag needs an argument: -password-file"},
		{"logout now", `logout: unexpected argument "now"`},
		{"post", "post: missing TEXT"},
		{"post -x hi", "post: flag provided but not defined: -x"},
		{"reply", "reply: missing ID (usage: skein reply [--request-id ID] [--image FILE [--alt TEXT]]... ID TEXT...)"},
		{"post --request-id a/b hi", `post: --request-id: invalid request ID: use 1 to 64 ASCII letters, digits, '-', '_', '.' or ':': "a/b" holds '/'`},
		{"repost 3f2a91c0 --request-id " + strings.Repeat("x", 65), "repost: --request-id: invalid request ID"},
		{"follow bob --request-id", "flag needs an argument: -request-id"},
		{"reply 3f2a91c0", "reply: missing TEXT"},
		{"reply 3f2a91c nice", `reply: invalid post ID "3f2a91c": use the 8 hex digits in brackets`},
		{"reply @alice nice", `invalid post ID "@alice"`},
		{"repost", "repost: missing ID"},
		{"repost 3f2a91c0 again", `repost: unexpected argument "again" after ID`},
		{"repost 3f2a91cg", `invalid post ID "3f2a91cg"`},
		{"repost " + strings.Repeat("a", 65), "invalid post ID"},
		{"delete", "delete: missing ID"},
		{"delete 12345678-", `invalid post ID "12345678-"`},
		{"export alice", `export: unexpected argument "alice"`},
		{"export --key-file", "flag needs an argument: -key-file"},
		{"restore", "restore: missing NAME (usage: skein restore [--phrase-file F] [--password-file F] NAME | --key-file F [--password-file F])"},
		{"restore alice bob", `unexpected argument "bob" after NAME`},
		{"restore --key-file k alice", `restore: unexpected argument "alice": the key file names the account`},
		{"restore --key-file k --phrase-file p", "--phrase-file and --key-file exclude each other"},
		{"follow", "follow: missing NAME"},
		{"unfollow a b", "unexpected argument"},
		{"feed --limit 0", "feed: invalid --limit 0: use 1 to 500"},
		{"feed --limit 501", "invalid --limit 501"},
		{"feed --limit x", `invalid value "x" for flag -limit`},
		{"feed extra", `feed: unexpected argument "extra"`},
		{"timeline", "timeline: missing NAME"},
		{"timeline --limit 0 bob", "invalid --limit 0"},
		{"notifications --limit 1000", "invalid --limit 1000"},
		{"whois", "whois: missing NAME"},
		{"status --verbose", "flag provided but not defined: -verbose"},
		{"watch x", "unexpected argument"},
		{"shell x", "unexpected argument"},
		{"daemon --listen nonsense", `daemon: invalid value "nonsense" for flag -listen: invalid multiaddr`},
		{"daemon --bootstrap /ip4/127.0.0.1/tcp/1", "the address must end in /p2p/<peer id>"},
		{"daemon extra", `unexpected argument "extra"`},
		{"daemon --power turbo", `daemon: invalid value "turbo" for flag -power: use foreground, background or off`},
		{"daemon --power", "flag needs an argument: -power"},
		{"daemon --background-sync 5", `invalid value "5" for flag -background-sync: use a duration such as 15m, 90s or 1h`},
		{"daemon --background-sync -1m", `invalid value "-1m" for flag -background-sync: use 1s or more`},
		{"daemon --background-sync 0s", `invalid value "0s" for flag -background-sync: use 1s or more`},
		{"daemon --background-sync 500ms", "use 1s or more"},
		{"daemon --max-conns -1", "daemon: invalid --max-conns -1: use a positive number, or 0 for the default"},
		{"daemon --max-conns many", `invalid value "many" for flag -max-conns`},
		{"daemon --ui-port -1", "daemon: invalid --ui-port -1: use 1 to 65535, or 0 for the default"},
		{"daemon --ui-port 65536", "invalid --ui-port 65536"},
		{"daemon --ui-port x", `invalid value "x" for flag -ui-port`},
		{"ui now", `ui: unexpected argument "now"`},
		{"ui --browser", "ui: flag provided but not defined: -browser"},
		{"power turbo", `power: invalid power mode "turbo": use foreground, background or off (usage: skein power [foreground|background|off] [--json])`},
		{"power Off", `invalid power mode "Off"`},
		{"power off now", `power: unexpected argument "now" after the power mode`},
		{"power --verbose", "flag provided but not defined: -verbose"},
		{"network", "network: missing network type: use wifi, cellular or none (usage: skein network wifi|cellular|none [--json])"},
		{"network 5g", `network: invalid network type "5g": use wifi, cellular or none`},
		{"network wifi cellular", `network: unexpected argument "cellular" after the network type`},
		{"relay --listen /nope/1", "invalid multiaddr"},
		{"relay --max-names -1", "counts must be positive"},
		{"post bad \xff", `post: argument "\xff" is not valid UTF-8 (byte 0xff at offset 0): Skein text is UTF-8`},
		{"post caf\xe9", `argument "caf\xe9" is not valid UTF-8 (byte 0xe9 at offset 3)`},
		{"reply 3f2a91c0 \xed\xa0\x80", `reply: argument "\xed\xa0\x80" is not valid UTF-8`}, // a surrogate, encoded
		{"follow \xc0\xaf", `follow: argument "\xc0\xaf" is not valid UTF-8`},                // an overlong '/'
		{"timeline bob\xff", `argument "bob\xff" is not valid UTF-8`},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			inv, err := parse(strings.Fields(tt.args), noEnv)
			if err == nil {
				t.Fatalf("parse(%q) = %+v, want an error containing %q", tt.args, inv, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("parse(%q) error = %q, want one line containing %q", tt.args, err, tt.want)
			}
		})
	}
}

func TestParseHelp(t *testing.T) {
	tests := []struct{ args, want string }{
		{"help", "-"},
		{"-h", "-"},
		{"--help", "-"},
		{"--home /x -h feed", "-"},
		{"help feed", "feed"},
		{"feed -h", "feed"},
		{"timeline bob --help", "timeline"},
		{"post -h", "post"},
		{"help restore", "restore"},
		{"reply -h", "reply"},
	}
	for _, tt := range tests {
		inv, err := parse(strings.Fields(tt.args), noEnv)
		if err != nil || inv.help != tt.want {
			t.Errorf("parse(%q) = %+v, %v, want help %q", tt.args, inv, err, tt.want)
		}
	}
}

func TestHome(t *testing.T) {
	t.Setenv("HOME", "/home/test")
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--home", "/a", "status"}, map[string]string{"SKEIN_HOME": "/b"}, "/a"},
		{[]string{"--home=/a/../c", "status"}, nil, "/c"},
		{[]string{"status"}, map[string]string{"SKEIN_HOME": "/b"}, "/b"},
		{[]string{"status"}, nil, "/home/test/.skein"},
	}
	for _, tt := range tests {
		inv, err := parse(tt.args, func(k string) string { return tt.env[k] })
		if err != nil || inv.home != tt.want {
			t.Errorf("parse(%q) with %v = home %q, %v, want %q", tt.args, tt.env, inv.home, err, tt.want)
		}
	}
	rel, err := parse([]string{"--home", "rel", "status"}, noEnv)
	if err != nil || !filepath.IsAbs(rel.home) {
		t.Errorf("parse(--home rel) = home %q, %v, want an absolute path", rel.home, err)
	}
}

func TestUsage(t *testing.T) {
	var out bytes.Buffer
	if err := Run(t.Context(), []string{"help"}, strings.NewReader(""), &out, &out); err != nil {
		t.Fatalf("Run(help) error = %v", err)
	}
	for _, c := range commands {
		if !strings.Contains(out.String(), "\n  "+c.name+" ") {
			t.Errorf("usage does not list %s:\n%s", c.name, out.String())
		}
	}
	out.Reset()
	if err := Run(t.Context(), []string{"feed", "-h"}, strings.NewReader(""), &out, &out); err != nil {
		t.Fatalf("Run(feed -h) error = %v", err)
	}
	for _, want := range []string{"Usage: skein feed [--limit N] [--cursor C] [--json]", "-limit N", "-cursor C", "-json"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("feed -h does not say %q:\n%s", want, out.String())
		}
	}
}

func TestSocketPath(t *testing.T) {
	if _, err := socketPath("/tmp/short"); err != nil {
		t.Errorf("socketPath(/tmp/short) error = %v", err)
	}
	long := "/tmp/" + strings.Repeat("x", 120)
	if _, err := socketPath(long); err == nil || !strings.Contains(err.Error(), "use a shorter --home") {
		t.Errorf("socketPath(long) error = %v, want advice to use a shorter --home", err)
	}
}

func noEnv(string) string { return "" }
