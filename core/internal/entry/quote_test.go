package entry

import (
	"strings"
	"testing"
)

func TestQuote(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", `""`},
		{"bob", `"bob"`},
		{strings.Repeat("a", 40), `"` + strings.Repeat("a", 40) + `"`},
		{strings.Repeat("a", 41), `"` + strings.Repeat("a", 40) + `"…`},
		{strings.Repeat("é", 10000), `"` + strings.Repeat("é", 40) + `"…`},
		{"a\x00b", `"a\x00b"`},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%.20q…) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
