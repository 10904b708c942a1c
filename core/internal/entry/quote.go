package entry

import (
	"strconv"
	"unicode/utf8"
)

// quoteMax is the most characters of an input Quote shows.
const quoteMax = 40

// Quote returns s quoted as Go quotes strings, cut to its first 40
// characters with "…" after them if it is longer, for error messages that
// show what was given: a 10,000-character name must not make a
// 10,000-character message.
func Quote(s string) string {
	if utf8.RuneCountInString(s) <= quoteMax {
		return strconv.Quote(s)
	}
	i, n := 0, 0
	for i = range s {
		if n == quoteMax {
			break
		}
		n++
	}
	return strconv.Quote(s[:i]) + "…"
}
