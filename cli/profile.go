package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/skein-p2p/skein/cli/internal/api"
	"github.com/skein-p2p/skein/core"
)

// optString is a string flag that records whether it was given, so that
// --bio="" (clear the bio) differs from no --bio (keep it).
type optString struct {
	value string
	set   bool
}

func (o *optString) String() string { return o.value }
func (o *optString) Set(s string) error {
	o.value, o.set = s, true
	return nil
}

// profileCmd shows a profile, or sets the account's own with flags.
type profileCmd struct {
	requestFlag
	name                   string
	json                   bool
	displayName, bio, link optString
}

func (p *profileCmd) flags(fs *flag.FlagSet) {
	jsonFlag(fs, &p.json)
	p.requestFlag.flags(fs)
	fs.Var(&p.displayName, "display-name", "set your display name to `TEXT` (at most 64 characters, one line; empty clears it)")
	fs.Var(&p.bio, "bio", "set your bio to `TEXT` (at most 300 characters; empty clears it)")
	fs.Var(&p.link, "link", "set your link to `URL` (http:// or https://, at most 200 bytes; empty clears it)")
}

func (p *profileCmd) setting() bool { return p.displayName.set || p.bio.set || p.link.set }

func (p *profileCmd) args(a []string) error {
	switch {
	case len(a) > 1:
		return fmt.Errorf("unexpected argument %q after NAME", a[1])
	case len(a) == 1 && p.setting():
		return errors.New("give NAME only to show a profile: you can set only your own")
	case len(a) == 1:
		p.name = strings.TrimPrefix(a[0], "@")
	}
	for _, f := range []struct {
		flag string
		v    optString
	}{{"--display-name", p.displayName}, {"--bio", p.bio}, {"--link", p.link}} {
		if err := checkUTF8(f.flag, f.v.value); err != nil {
			return err
		}
	}
	return p.check()
}

func (p *profileCmd) run(ctx context.Context, e *env, c *api.Client) error {
	name := p.name
	if name == "" {
		st, err := c.Status(ctx)
		if err != nil {
			return err
		}
		if st.Account == "" {
			return core.ErrNotLoggedIn
		}
		name = st.Account
	}
	if !p.setting() {
		prof, err := c.Whois(ctx, name)
		if err != nil {
			return err
		}
		if p.json {
			return writeJSON(e.stdout, prof)
		}
		writeUserProfile(e.stdout, prof.User)
		return nil
	}
	// Flags not given keep the current values.
	dn, bio, link := p.displayName.value, p.bio.value, p.link.value
	if !p.displayName.set || !p.bio.set || !p.link.set {
		cur, err := c.Whois(ctx, name)
		if err != nil {
			return fmt.Errorf("reading your profile to keep the fields not given: %w", err)
		}
		if !p.displayName.set {
			dn = cur.DisplayName
		}
		if !p.bio.set {
			bio = cur.Bio
		}
		if !p.link.set {
			link = cur.Link
		}
	}
	u, err := c.SetProfile(p.with(ctx), dn, bio, link)
	if err != nil {
		return err
	}
	if p.json {
		return writeJSON(e.stdout, u)
	}
	fmt.Fprintln(e.stdout, "profile set:")
	writeUserProfile(e.stdout, u)
	return nil
}

// writeUserProfile writes a user's profile:
//
//	Alice Liddell @alice
//	bio: Down the rabbit hole.
//	link: https://example.org/alice
//	key: 8a88e3dd…
//
// Every string is inert; the bio's lines after the first are indented.
func writeUserProfile(w io.Writer, u core.User) {
	fmt.Fprintln(w, userLabel(u.DisplayName, u.Name, u.Key))
	if u.Bio != "" {
		fmt.Fprintln(w, indent("bio: ", inertText(u.Bio)))
	}
	if u.Link != "" {
		fmt.Fprintf(w, "link: %s\n", inert(u.Link))
	}
	fmt.Fprintf(w, "key: %s\n", inert(u.Key))
}

// userLabel names a user with their display name if they have one:
// "Alice Liddell @alice", else "@alice" (see handle). The result is inert.
func userLabel(displayName, name, key string) string {
	if displayName == "" {
		return handle(name, key)
	}
	return inert(displayName) + " " + handle(name, key)
}

// profile is the shell's profile item: another user's profile, or
// the account's own, which it offers to change field by field.
func (s *shell) profile(ctx context.Context) error {
	name, err := s.askName(ctx, "Username (Enter for your own): ")
	if err != nil {
		return err
	}
	if name != "" {
		p, err := s.c.Whois(ctx, name)
		if err != nil {
			return err
		}
		writeUserProfile(s.e.stdout, p.User)
		return nil
	}
	st, err := s.c.Status(ctx)
	if err != nil {
		return err
	}
	cur, err := s.c.Whois(ctx, st.Account)
	if err != nil {
		return err
	}
	writeUserProfile(s.e.stdout, cur.User)
	fields := []struct {
		label string
		v     *string
	}{{"display name", &cur.DisplayName}, {"bio", &cur.Bio}, {"link", &cur.Link}}
	changed := false
	for _, f := range fields {
		v, err := s.ask(ctx, "New "+f.label+" (Enter to keep, - to clear): ")
		if err != nil {
			return err
		}
		switch v {
		case "":
			continue
		case "-":
			v = ""
		}
		*f.v, changed = v, true
	}
	if !changed {
		fmt.Fprintln(s.e.stdout, "Profile unchanged.")
		return nil
	}
	u, err := s.c.SetProfile(withNewRequestID(ctx), cur.DisplayName, cur.Bio, cur.Link)
	if err != nil {
		return err
	}
	fmt.Fprintln(s.e.stdout, "Profile set:")
	writeUserProfile(s.e.stdout, u)
	return nil
}
