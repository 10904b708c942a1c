package core

import "github.com/skein-p2p/skein/core/internal/posttext"

// CharError is the error of a text that Post or Reply refuse for a
// character in it: a control character other than a newline or a tab, a
// Unicode line or paragraph separator, or a bidirectional override or
// isolate. It wraps ErrInvalidPost.
//
// These rules are for new posts only. The entry format (docs/PROTOCOL.md,
// "Bodies") accepts any valid UTF-8, so that logs written before the rules,
// or by other implementations, still verify and sync; whoever shows a
// received text must render such characters inertly, as the skein command
// does.
type CharError = posttext.CharError

// CheckPostText checks the text of a new post or reply as Post and Reply
// do: valid UTF-8, 1 to 1,000 characters, not only white space, and none of
// the characters CharError describes. It returns nil or an error wrapping
// ErrInvalidPost (a *CharError for a refused character). Apps may call it
// to check a text before posting it.
func CheckPostText(text string) error { return posttext.Check(text) }
