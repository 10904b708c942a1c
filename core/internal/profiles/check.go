package profiles

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/skein-p2p/skein/core/internal/entry"
	"github.com/skein-p2p/skein/core/internal/posttext"
)

// ErrInvalid is wrapped by every error of Check.
var ErrInvalid = errors.New("invalid profile")

// Check checks a new profile before it is signed. An empty field is not
// set. A display name is 1 to entry.MaxDisplayNameChars characters on one
// line; a bio is 1 to entry.MaxBioChars characters and may hold newlines
// and tabs; neither may be only white space, be invalid UTF-8, or hold the
// characters a post may not (control characters, Unicode line breaks,
// bidirectional overrides and isolates). A link is an http:// or https://
// URL that entry.CheckLink accepts. The entry format accepts more (any
// valid UTF-8), so that a received profile is shown, inertly, whoever
// wrote it.
func Check(p entry.Profile) error {
	if err := checkText("display name", p.DisplayName, entry.MaxDisplayNameChars, false); err != nil {
		return err
	}
	if err := checkText("bio", p.Bio, entry.MaxBioChars, true); err != nil {
		return err
	}
	if p.Link != "" {
		if err := entry.CheckLink(p.Link); err != nil {
			// The entry package's reason, without its prefix.
			return fmt.Errorf("%w: the %s", ErrInvalid, strings.TrimPrefix(err.Error(), entry.ErrInvalidBody.Error()+": "))
		}
	}
	if _, err := entry.ParseProfile(p.Bytes()); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}

// checkText checks one text field, what, of at most max characters; lines
// allows newlines and tabs.
func checkText(what, s string, max int, lines bool) error {
	if s == "" {
		return nil
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: the %s is not valid UTF-8", ErrInvalid, what)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Errorf("%w: the %s is %d characters, limit %d", ErrInvalid, what, n, max)
	}
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("%w: the %s is only white space: give some text, or none to clear it", ErrInvalid, what)
	}
	if r, pos, ok := posttext.FirstRefused(s, lines); ok {
		allowed := "no control characters, not even a newline or a tab"
		if lines {
			allowed = "newlines and tabs but no other control characters"
		}
		return fmt.Errorf("%w: character %d of the %s is %s: a %s may hold %s, no Unicode line breaks and no bidirectional overrides", ErrInvalid, pos, what, posttext.RuneName(r), what, allowed)
	}
	return nil
}
