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
	avatar, banner         string // image files to set
	noAvatar, noBanner     bool
}

func (p *profileCmd) flags(fs *flag.FlagSet) {
	jsonFlag(fs, &p.json)
	p.requestFlag.flags(fs)
	fs.Var(&p.displayName, "display-name", "set your display name to `TEXT` (at most 64 characters, one line; empty clears it)")
	fs.Var(&p.bio, "bio", "set your bio to `TEXT` (at most 300 characters; empty clears it)")
	fs.Var(&p.link, "link", "set your link to `URL` (http:// or https://, at most 200 bytes; empty clears it)")
	fs.StringVar(&p.avatar, "avatar", "", "set your avatar to the image `FILE` (JPEG, PNG, GIF or WebP, at most 4 MiB)")
	fs.StringVar(&p.banner, "banner", "", "set your banner to the image `FILE` (JPEG, PNG, GIF or WebP, at most 4 MiB)")
	fs.BoolVar(&p.noAvatar, "no-avatar", false, "remove your avatar")
	fs.BoolVar(&p.noBanner, "no-banner", false, "remove your banner")
}

func (p *profileCmd) setting() bool { return p.settingText() || p.settingImages() }

// settingText reports whether a text field is set.
func (p *profileCmd) settingText() bool { return p.displayName.set || p.bio.set || p.link.set }

// settingImages reports whether the avatar or banner is set or removed.
func (p *profileCmd) settingImages() bool {
	return p.avatar != "" || p.banner != "" || p.noAvatar || p.noBanner
}

func (p *profileCmd) args(a []string) error {
	switch {
	case len(a) > 1:
		return fmt.Errorf("unexpected argument %q after NAME", a[1])
	case len(a) == 1 && p.setting():
		return errors.New("give NAME only to show a profile: you can set only your own")
	case len(a) == 1:
		p.name = strings.TrimPrefix(a[0], "@")
	case p.avatar != "" && p.noAvatar:
		return errors.New("--avatar and --no-avatar: give one")
	case p.banner != "" && p.noBanner:
		return errors.New("--banner and --no-banner: give one")
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
	var u core.User
	if p.settingText() {
		var err error
		if u, err = p.setText(ctx, c, name); err != nil {
			return err
		}
	}
	if p.settingImages() {
		var err error
		if u, err = p.setImages(ctx, c); err != nil {
			return err
		}
	}
	if p.json {
		return writeJSON(e.stdout, u)
	}
	fmt.Fprintln(e.stdout, "profile set:")
	writeUserProfile(e.stdout, u)
	return nil
}

// setImages sets or removes the avatar and banner as the flags say.
func (p *profileCmd) setImages(ctx context.Context, c *api.Client) (core.User, error) {
	var u core.User
	for _, f := range []struct {
		file   string
		remove bool
		set    func(context.Context, *core.Media) (core.User, error)
	}{{p.avatar, p.noAvatar, c.SetAvatar}, {p.banner, p.noBanner, c.SetBanner}} {
		if f.file == "" && !f.remove {
			continue
		}
		var m *core.Media
		if f.file != "" {
			im, err := importFile(ctx, c, f.file, importOpts{image: true})
			if err != nil {
				return u, err
			}
			m = &im
		}
		var err error
		if u, err = f.set(ctx, m); err != nil {
			return u, err
		}
	}
	return u, nil
}

// setText sets the text fields; those not given keep their values.
func (p *profileCmd) setText(ctx context.Context, c *api.Client, name string) (core.User, error) {
	dn, bio, link := p.displayName.value, p.bio.value, p.link.value
	if !p.displayName.set || !p.bio.set || !p.link.set {
		cur, err := c.Whois(ctx, name)
		if err != nil {
			return core.User{}, fmt.Errorf("reading your profile to keep the fields not given: %w", err)
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
	return c.SetProfile(p.with(ctx), dn, bio, link)
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
	if u.Avatar != nil {
		fmt.Fprintf(w, "avatar: %s\n", attachmentLine(*u.Avatar))
	}
	if u.Banner != nil {
		fmt.Fprintf(w, "banner: %s\n", attachmentLine(*u.Banner))
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
