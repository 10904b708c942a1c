package cli

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseChat(t *testing.T) {
	tests := []struct {
		args string
		want runner
	}{
		{"dm bob hi", &dmCmd{name: "bob", text: "hi"}},
		{"dm @bob hi there --json", &dmCmd{name: "bob", text: "hi there --json"}},
		{"dm -- bob -5 degrees", &dmCmd{name: "bob", text: "-5 degrees"}},
		{"send book-club see you", &sendCmd{conv: "book-club", text: "see you"}},
		{"send @bob hi", &sendCmd{conv: "bob", text: "hi"}},
		{"send 1a2b3c4d --limit 3", &sendCmd{conv: "1a2b3c4d", text: "--limit 3"}},
		{"messages bob", &messagesCmd{conv: "bob", limit: 50}},
		{"messages @bob --json", &messagesCmd{conv: "bob", limit: 50, json: true}},
		{"messages --limit 200 book-club --before 40", &messagesCmd{conv: "book-club", limit: 200, before: "40"}},
		{"messages --search hello", &messagesCmd{search: "hello", limit: 50}},
		{"messages --search hello --limit 5 --json", &messagesCmd{search: "hello", limit: 5, json: true}},
		{"conversations", &conversationsCmd{}},
		{"conversations --json", &conversationsCmd{json: true}},
		{"inbox --json", &conversationsCmd{json: true}},
		{"chat bob", &chatCmd{conv: "bob"}},
		{"chat @book-club", &chatCmd{conv: "book-club"}},
		{"group create book-club", &groupCmd{sub: "create", name: "book-club"}},
		{"group create book-club --public", &groupCmd{sub: "create", name: "book-club", public: true}},
		{"group create --history joined secret", &groupCmd{sub: "create", name: "secret", history: "joined"}},
		{"group create x --history shared", &groupCmd{sub: "create", name: "x", history: "shared"}},
		{"group invite book-club bob", &groupCmd{sub: "invite", group: "book-club", name: "bob"}},
		{"group invite book-club @bob --admin --expires 72h", &groupCmd{sub: "invite", group: "book-club", name: "bob", admin: true, expires: "72h", expiry: 72 * time.Hour}},
		{"group join 1a2b3c4d", &groupCmd{sub: "join", group: "1a2b3c4d"}},
		{"group leave book-club", &groupCmd{sub: "leave", group: "book-club"}},
		{"group remove book-club carol", &groupCmd{sub: "remove", group: "book-club", name: "carol"}},
		{"group admin book-club bob", &groupCmd{sub: "admin", group: "book-club", name: "bob"}},
		{"group member book-club @bob", &groupCmd{sub: "member", group: "book-club", name: "bob"}},
		{"group members book-club", &groupCmd{sub: "members", group: "book-club"}},
		{"group members book-club --json", &groupCmd{sub: "members", group: "book-club", json: true}},
		{"group search book club", &groupCmd{sub: "search", query: "book club"}},
		{"group search --json book", &groupCmd{sub: "search", query: "book", json: true}},
		{"group list", &groupCmd{sub: "list"}},
		{"group list --json", &groupCmd{sub: "list", json: true}},
		{"search --messages hello", &searchCmd{messages: true, limit: 20, query: "hello"}},
		{"search --messages --json --limit 5 hi there", &searchCmd{messages: true, limit: 5, json: true, query: "hi there"}},
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
		})
	}
}

func TestParseChatErrors(t *testing.T) {
	tests := []struct {
		args string
		want string // in the error
	}{
		{"dm", "dm: missing NAME (usage: skein dm NAME TEXT...)"},
		{"dm bob", "dm: missing TEXT"},
		{"dm bob \xff", `dm: argument "\xff" is not valid UTF-8`},
		{"send", "send: missing CONV"},
		{"send bob", "send: missing TEXT"},
		{"messages", "messages: missing CONV"},
		{"messages a b", `unexpected argument "b" after CONV`},
		{"messages bob --limit 0", "invalid --limit 0: use 1 to 200"},
		{"messages bob --limit 201", "invalid --limit 201"},
		{"messages --search x bob", `unexpected argument "bob": --search looks in every conversation`},
		{"messages --search x --before 3", "--before pages a conversation's history"},
		{"messages --search x --limit 101", "invalid --limit 101: use 1 to 100"},
		{"conversations x", `conversations: unexpected argument "x"`},
		{"inbox --all", "flag provided but not defined: -all"},
		{"chat", "chat: missing CONV"},
		{"chat a b", `unexpected argument "b" after CONV`},
		{"group", "group: missing a group command: create, invite, join, leave, remove, admin, member, members, search, list"},
		{"group frob", `unknown group command "frob"`},
		{"group create", "group: missing NAME"},
		{"group create a b", `unexpected argument "b" after NAME`},
		{"group create x --history all", `invalid --history "all": use shared or joined`},
		{"group invite g", "missing NAME"},
		{"group invite g bob --expires 3d", `--expires: invalid expiry "3d"`},
		{"group invite g bob --expires 721h", "use 1m to 720h"},
		{"group invite g bob --expires 10s", "use 1m to 720h"},
		{"group join", "missing GROUP"},
		{"group join g --public", "--public and --history: only for group create"},
		{"group leave g --admin", "--admin and --expires: only for group invite"},
		{"group create g --json", "--json: only for group members, search and list"},
		{"group remove g", "missing NAME"},
		{"group admin g bob carol", `unexpected argument "carol" after NAME`},
		{"group search", "missing QUERY"},
		{"group list x", `unexpected argument "x"`},
		{"search --messages --posts x", "give at most one of --users, --posts, --tag and --messages"},
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

func TestParseChatHelp(t *testing.T) {
	for _, args := range []string{"help dm", "help group", "group -h", "chat --help", "help inbox"} {
		inv, err := parse(strings.Fields(args), noEnv)
		if err != nil || inv.help == "" || inv.help == "-" {
			t.Errorf("parse(%q) = %+v, %v, want a command's help", args, inv, err)
		}
	}
}
