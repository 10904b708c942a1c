package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/core"
)

// Export and restore: moving an account to another device.

// maxSecretFile bounds the phrase and key files read: both are far smaller.
const maxSecretFile = 16 << 10

type exportCmd struct {
	passwordFile string
	keyFile      string
}

func (x *exportCmd) flags(fs *flag.FlagSet) {
	passwordFlag(fs, &x.passwordFile)
	fs.StringVar(&x.keyFile, "key-file", "", "write the key file, sealed with the account's password, to the new file `F` instead of printing the recovery phrase")
}

func (*exportCmd) args(a []string) error { return noArgs(a) }

func (x *exportCmd) run(ctx context.Context, e *env, c *api.Client) error {
	st, err := c.Status(ctx) // no password prompt without a daemon or an account
	if err != nil {
		return err
	}
	if st.Account == "" {
		return core.ErrNotLoggedIn
	}
	if x.keyFile != "" {
		if err := checkNewFile(x.keyFile); err != nil {
			return err
		}
	}
	pw, err := e.password(ctx, x.passwordFile, false)
	if err != nil {
		return err
	}
	if x.keyFile == "" {
		phrase, err := c.ExportPhrase(ctx, pw)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "skein export: anyone who has these 24 words owns @%s: write them down, keep them offline and never share them\n", inert(st.Account))
		fmt.Fprintln(e.stdout, phrase)
		return nil
	}
	b, err := c.ExportKeyFile(ctx, pw)
	if err != nil {
		return err
	}
	if err := writeNewFile(x.keyFile, b); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote the key file of @%s to %s; restore it with: skein restore --key-file %s (and the account's password)\n",
		inert(st.Account), inert(x.keyFile), inert(shellQuote(x.keyFile)))
	return nil
}

type restoreCmd struct {
	name         string
	phraseFile   string
	keyFile      string
	passwordFile string
}

func (r *restoreCmd) flags(fs *flag.FlagSet) {
	fs.StringVar(&r.phraseFile, "phrase-file", "", "read the recovery phrase from `F`")
	fs.StringVar(&r.keyFile, "key-file", "", "restore from the key file `F` that export --key-file wrote")
	fs.StringVar(&r.passwordFile, "password-file", "", "read the password from the first line of `F`: the new one for a phrase, the key file's for a key file")
}

func (r *restoreCmd) args(a []string) error {
	if r.keyFile == "" {
		return oneArg(a, "NAME", &r.name)
	}
	switch {
	case r.phraseFile != "":
		return errors.New("--phrase-file and --key-file exclude each other: a key file needs no phrase")
	case len(a) > 0:
		return fmt.Errorf("unexpected argument %q: the key file names the account", a[0])
	}
	return nil
}

func (r *restoreCmd) run(ctx context.Context, e *env, c *api.Client) error {
	st, err := c.Status(ctx) // no prompts without a daemon, or while logged in
	if err != nil {
		return err
	}
	if st.Account != "" {
		return fmt.Errorf("%w (@%s)", core.ErrLoggedIn, st.Account)
	}
	var u core.User
	if r.keyFile != "" {
		b, err := readSecretFile(r.keyFile, "key file")
		if err != nil {
			return err
		}
		pw, err := e.password(ctx, r.passwordFile, false)
		if err != nil {
			return err
		}
		if u, err = c.RestoreKeyFile(ctx, b, pw); err != nil {
			return err
		}
	} else {
		phrase, err := e.phrase(ctx, r.phraseFile)
		if err != nil {
			return err
		}
		pw, err := e.password(ctx, r.passwordFile, true)
		if err != nil {
			return err
		}
		if u, err = c.RestorePhrase(ctx, r.name, phrase, pw); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "restored @%s (key %s) on this device and logged in\n", inert(u.Name), shortKey(u.Key))
	fmt.Fprintln(e.stdout, "restoring: its log is being fetched back from the network; posting waits until then (skein status shows restoring: yes meanwhile)")
	return nil
}

// phrase returns the recovery phrase for restore: the words of file if set,
// else $SKEIN_PHRASE, else a line typed at a prompt on stdin (without echo
// at a terminal).
func (e *env) phrase(ctx context.Context, file string) (string, error) {
	switch {
	case file != "":
		b, err := readSecretFile(file, "phrase file")
		if err != nil {
			return "", err
		}
		phrase := strings.Join(strings.Fields(string(b)), " ")
		if phrase == "" {
			return "", fmt.Errorf("phrase file %s is empty", file)
		}
		return phrase, nil
	case strings.TrimSpace(e.getenv("SKEIN_PHRASE")) != "":
		return strings.Join(strings.Fields(e.getenv("SKEIN_PHRASE")), " "), nil
	}
	var w io.Writer
	term := e.isTerminal()
	if term {
		w = e.stderr
	}
	phrase, err := e.readSecret(ctx, w, "Recovery phrase (24 words, not shown): ", term)
	if errors.Is(err, io.EOF) {
		return "", errors.New("no recovery phrase: the input ended; use --phrase-file F or $SKEIN_PHRASE")
	} else if err != nil {
		return "", err
	}
	if phrase = strings.Join(strings.Fields(phrase), " "); phrase == "" {
		return "", errors.New("empty recovery phrase: type its 24 words, or use --phrase-file F or $SKEIN_PHRASE")
	}
	return phrase, nil
}

// readSecretFile reads a phrase or key file, refusing one too large to be
// either.
func readSecretFile(path, what string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", what, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: %v", what, err)
	case len(b) > maxSecretFile:
		return nil, fmt.Errorf("%s %s is larger than %d KiB: choose the file export wrote", what, path, maxSecretFile>>10)
	}
	return b, nil
}

// checkNewFile fails if path exists: secrets are never written over a file.
func checkNewFile(path string) error {
	if _, err := os.Lstat(path); err == nil {
		return existsError(path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func existsError(path string) error {
	return fmt.Errorf("%s already exists: export does not overwrite files; choose a new file name", path)
}

// writeNewFile writes b to the new file path, readable by its owner only.
// It fails if path exists; a partly written file is removed.
func writeNewFile(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return existsError(path)
	} else if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("writing %s: %v", path, err)
	}
	return nil
}
