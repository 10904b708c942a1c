package mobile

import (
	"fmt"
	"testing"

	"github.com/skein-p2p/skein/core"
)

// TestModerationCodes: the errors of mutes, blocks and bookmarks carry
// their codes (the Java test cannot make CodeListFull happen in time: it
// takes 10,000 bookmarks).
func TestModerationCodes(t *testing.T) {
	for _, tt := range []struct {
		err  error
		code int
		name string
	}{
		{core.ErrSelfMute, CodeSelfMute, "self_mute"},
		{core.ErrBlocked, CodeBlocked, "blocked"},
		{core.ErrListFull, CodeListFull, "list_full"},
	} {
		err := coded(fmt.Errorf("%w: details", tt.err))
		if got := ErrorCode(err); got != tt.code || ErrorCodeName(got) != tt.name {
			t.Errorf("ErrorCode(%v) = %d %q, want %d %q", tt.err, got, ErrorCodeName(got), tt.code, tt.name)
		}
	}
}
