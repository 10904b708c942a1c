package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skein-p2p/skein/cli/internal/api/apitest"
)

// runWith runs skein --home home args with the environment vars and stdin,
// returning stdout, stderr and the error.
func runWith(t *testing.T, home string, vars map[string]string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	e, stdout, stderr := testEnv(strings.NewReader(stdin), vars)
	err := e.run(t.Context(), append([]string{"--home", home}, args...))
	return stdout.String(), stderr.String(), err
}

func TestExport(t *testing.T) {
	home, _ := fakeDaemon(t)
	dir := t.TempDir()
	if _, err := run(t, home, "export"); err == nil || err.Error() != "not logged in: run login or register first" {
		t.Errorf("export while logged out error = %v, want not logged in", err)
	}
	mustRun(t, home, "register", "alice")

	stdout, stderr, err := runWith(t, home, map[string]string{"SKEIN_PASSWORD": "pw"}, "", "export")
	if err != nil || stdout != apitest.Phrase("alice")+"\n" {
		t.Errorf("export = %q, %v, want the phrase on one line", stdout, err)
	}
	if want := "skein export: anyone who has these 24 words owns @alice: write them down, keep them offline and never share them\n"; stderr != want {
		t.Errorf("export warned %q, want %q", stderr, want)
	}

	keyFile := filepath.Join(dir, "alice.key")
	tests := []struct {
		name  string
		vars  map[string]string
		stdin string
		args  []string
		out   string // stdout, or the error with err set
		err   bool
	}{
		{name: "wrong password", vars: map[string]string{"SKEIN_PASSWORD": "nope"}, args: []string{"export"},
			out: "wrong password for alice", err: true},
		{name: "password from stdin", stdin: "pw\n", args: []string{"export"}, out: apitest.Phrase("alice") + "\n"},
		{name: "no password", args: []string{"export"}, out: "no password: the input ended", err: true},
		{name: "key file", vars: map[string]string{"SKEIN_PASSWORD": "pw"}, args: []string{"export", "--key-file", keyFile},
			out: "wrote the key file of @alice to " + keyFile + "; restore it with: skein restore --key-file " + keyFile + " (and the account's password)\n"},
		{name: "no overwrite", vars: map[string]string{"SKEIN_PASSWORD": "pw"}, args: []string{"export", "--key-file", keyFile},
			out: keyFile + " already exists: export does not overwrite files; choose a new file name", err: true},
		{name: "no directory", vars: map[string]string{"SKEIN_PASSWORD": "pw"}, args: []string{"export", "--key-file", filepath.Join(dir, "none", "k")},
			out: "no such file or directory", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, _, err := runWith(t, home, tt.vars, tt.stdin, tt.args...)
			if tt.err {
				if err == nil || !strings.Contains(err.Error(), tt.out) {
					t.Errorf("skein %s error = %v, want %q", tt.args, err, tt.out)
				}
				return
			}
			if err != nil || stdout != tt.out {
				t.Errorf("skein %s = %q, %v, want %q", tt.args, stdout, err, tt.out)
			}
		})
	}
	fi, err := os.Stat(keyFile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v, want mode 0600", fi, err)
	}
	if b, _ := os.ReadFile(keyFile); string(b) != string(apitest.KeyFile("alice", "pw")) {
		t.Errorf("key file holds %q, want the daemon's export", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "none")); err == nil {
		t.Error("a failed export left a directory behind")
	}
}

func TestRestorePhrase(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("dave") // an account of another device, to restore here
	node.AddUser("erin")
	dir := t.TempDir()
	phraseFile := filepath.Join(dir, "phrase")
	// Written down on two lines, with stray spaces: still the phrase.
	words := strings.Fields(apitest.Phrase("dave"))
	os.WriteFile(phraseFile, []byte("  "+strings.Join(words[:12], " ")+"\n"+strings.Join(words[12:], "  ")+"\n"), 0o600)
	pwFile := filepath.Join(dir, "pw")
	os.WriteFile(pwFile, []byte("new-pw\n"), 0o600)

	errTests := []struct {
		name  string
		vars  map[string]string
		stdin string
		args  []string
		want  string
	}{
		{"missing phrase", nil, "", []string{"restore", "dave"}, "no recovery phrase: the input ended; use --phrase-file F or $SKEIN_PHRASE"},
		{"empty phrase", nil, "\n", []string{"restore", "dave"}, "empty recovery phrase"},
		{"missing password", map[string]string{"SKEIN_PHRASE": apitest.Phrase("dave")}, "", []string{"restore", "dave"}, "no password: the input ended"},
		{"short phrase", map[string]string{"SKEIN_PASSWORD": "pw", "SKEIN_PHRASE": "abandon ability"}, "", []string{"restore", "dave"},
			"invalid recovery phrase or key file: 2 words, want 24"},
		{"wrong phrase", map[string]string{"SKEIN_PASSWORD": "pw", "SKEIN_PHRASE": strings.Repeat("able ", 24)}, "", []string{"restore", "dave"},
			"invalid recovery phrase or key file: checksum fails"},
		{"another's phrase", map[string]string{"SKEIN_PASSWORD": "pw", "SKEIN_PHRASE": apitest.Phrase("erin")}, "", []string{"restore", "dave"},
			"username is already claimed by another key: dave belongs to key"},
		{"unknown name", map[string]string{"SKEIN_PASSWORD": "pw", "SKEIN_PHRASE": apitest.Phrase("dave")}, "", []string{"restore", "nobody"},
			"no user with this name: restoring from a phrase needs the name's record"},
		{"missing phrase file", map[string]string{"SKEIN_PASSWORD": "pw"}, "", []string{"restore", "dave", "--phrase-file", filepath.Join(dir, "none")},
			"phrase file: open"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := runWith(t, home, tt.vars, tt.stdin, tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("skein %s error = %v, want %q", tt.args, err, tt.want)
			}
		})
	}

	// The phrase from a file, the new password from another; the password
	// from $SKEIN_PASSWORD is not used.
	stdout, _, err := runWith(t, home, map[string]string{"SKEIN_PASSWORD": "unused"}, "",
		"restore", "@dave", "--phrase-file", phraseFile, "--password-file", pwFile)
	want := "restored @dave (key 61ea0803) on this device and logged in\n" +
		"restoring: its log is being fetched back from the network; posting waits until then (skein status shows restoring: yes meanwhile)\n"
	if err != nil || stdout != want {
		t.Fatalf("restore = %q, %v, want %q", stdout, err, want)
	}
	if st := mustRun(t, home, "status"); !strings.Contains(st, "account: @dave\nkey: 61ea0803") || !strings.Contains(st, "\nrestoring: yes\n") {
		t.Errorf("status while restoring:\n%s", st)
	}
	if _, err := run(t, home, "post", "too soon"); err == nil || !strings.Contains(err.Error(), "account is being restored") {
		t.Errorf("post while restoring error = %v, want account is being restored", err)
	}
	if _, _, err := runWith(t, home, map[string]string{"SKEIN_PHRASE": apitest.Phrase("erin")}, "", "restore", "erin"); err == nil ||
		err.Error() != "already logged in: log out first (@dave)" {
		t.Errorf("restore while logged in error = %v, want already logged in", err)
	}
	node.FinishRestore()
	if st := mustRun(t, home, "status"); strings.Contains(st, "restoring") {
		t.Errorf("status after restoring:\n%s", st)
	}
	mustRun(t, home, "post", "back")
	mustRun(t, home, "logout")
	if _, _, err := runWith(t, home, nil, "new-pw\n", "login", "dave"); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
	mustRun(t, home, "logout")

	// From stdin: the phrase, then the new password.
	stdout, _, err = runWith(t, home, nil, apitest.Phrase("erin")+"\nerin-pw\n", "restore", "erin")
	if err != nil || !strings.HasPrefix(stdout, "restored @erin ") {
		t.Errorf("restore with the phrase on stdin = %q, %v", stdout, err)
	}
}

func TestRestoreKeyFile(t *testing.T) {
	home, node := fakeDaemon(t)
	node.AddUser("dave")
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "dave.key")
	os.WriteFile(keyFile, apitest.KeyFile("dave", "dave-pw"), 0o600)
	junk := filepath.Join(dir, "junk")
	os.WriteFile(junk, []byte("not a key file\n"), 0o600)
	huge := filepath.Join(dir, "huge")
	os.WriteFile(huge, make([]byte, maxSecretFile+1), 0o600)

	tests := []struct {
		name string
		pw   string
		file string
		want string
	}{
		{"wrong password", "nope", keyFile, "wrong password for the key file of dave"},
		{"not a key file", "dave-pw", junk, "invalid recovery phrase or key file: not a Skein key file"},
		{"too large", "dave-pw", huge, "key file " + huge + " is larger than 16 KiB"},
		{"missing", "dave-pw", filepath.Join(dir, "none"), "key file: open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runWith(t, home, map[string]string{"SKEIN_PASSWORD": tt.pw}, "", "restore", "--key-file", tt.file)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("restore --key-file error = %v, want %q", err, tt.want)
			}
		})
	}
	stdout, _, err := runWith(t, home, nil, "dave-pw\n", "restore", "--key-file", keyFile)
	if err != nil || !strings.HasPrefix(stdout, "restored @dave (key 61ea0803) on this device and logged in\nrestoring: ") {
		t.Errorf("restore --key-file = %q, %v", stdout, err)
	}
	if st := mustRun(t, home, "status"); !strings.Contains(st, "\nrestoring: yes\n") {
		t.Errorf("status while restoring:\n%s", st)
	}
}
