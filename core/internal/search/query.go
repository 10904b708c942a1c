package search

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrBadQuery reports a search query that is empty, too long or not text.
var ErrBadQuery = errors.New("bad search query: give 1 to 100 characters of text")

// Limits of a query.
const (
	// MaxQueryChars is the longest query, in code points.
	MaxQueryChars = 100
	// DefaultLimit is the number of results returned when none is asked.
	DefaultLimit = 20
	// MaxLimit is the most results one query returns.
	MaxLimit = 100
)

// Fold returns s folded for matching: lower case.
func Fold(s string) string { return strings.ToLower(s) }

// Normalize checks a query and returns it trimmed and folded. It fails
// with an error wrapping ErrBadQuery for an empty query, one of more than
// MaxQueryChars code points, invalid UTF-8 or control characters.
// Everything else is literal text, never a pattern.
func Normalize(q string) (string, error) {
	q = strings.TrimSpace(q)
	switch {
	case q == "":
		return "", fmt.Errorf("%w: the query is empty", ErrBadQuery)
	case !utf8.ValidString(q):
		return "", fmt.Errorf("%w: the query is not valid UTF-8", ErrBadQuery)
	case utf8.RuneCountInString(q) > MaxQueryChars:
		return "", fmt.Errorf("%w: the query has %d characters", ErrBadQuery, utf8.RuneCountInString(q))
	}
	for _, r := range q {
		if unicode.IsControl(r) {
			return "", fmt.Errorf("%w: the query holds the control character %U", ErrBadQuery, r)
		}
	}
	return Fold(q), nil
}

// NormalizeTag checks a hashtag query, with or without its '#', and
// returns the tag folded. It fails with an error wrapping ErrBadQuery
// unless the tag is 1 to MaxTagChars letters, digits and '_'.
func NormalizeTag(q string) (string, error) {
	q, err := Normalize(q)
	if err != nil {
		return "", err
	}
	tag := strings.TrimPrefix(q, "#")
	n := 0
	for _, r := range tag {
		if !tagRune(r) {
			return "", fmt.Errorf("%w: a hashtag holds only letters, digits and _", ErrBadQuery)
		}
		n++
	}
	if n == 0 || n > MaxTagChars {
		return "", fmt.Errorf("%w: a hashtag has 1 to %d letters, digits or _", ErrBadQuery, MaxTagChars)
	}
	return tag, nil
}

// Limit returns n as a result limit: DefaultLimit for 0 or less, at most
// MaxLimit.
func Limit(n int) int {
	if n <= 0 {
		return DefaultLimit
	}
	return min(n, MaxLimit)
}

// Limits of hashtags.
const (
	// MaxTagChars is the longest hashtag, in code points, without '#'.
	MaxTagChars = 64
	// MaxTags is the most hashtags indexed for one text.
	MaxTags = 16
)

func tagRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// Hashtags returns the distinct hashtags of text, folded, without '#', in
// order of first appearance, at most MaxTags (see the package doc for the
// rule). It returns nil if there are none.
func Hashtags(text string) []string {
	var tags []string
	prev := rune(-1)
	for i := 0; i < len(text) && len(tags) < MaxTags; {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r != '#' || prev != -1 && tagRune(prev) {
			prev = r
			i += size
			continue
		}
		j, n := i+size, 0
		for j < len(text) {
			c, s := utf8.DecodeRuneInString(text[j:])
			if !tagRune(c) {
				break
			}
			j += s
			n++
		}
		if n >= 1 && n <= MaxTagChars {
			if tag := Fold(text[i+size : j]); !contains(tags, tag) {
				tags = append(tags, tag)
			}
		}
		prev = '#'
		if j > i+size {
			prev, _ = utf8.DecodeLastRuneInString(text[:j])
		}
		i = j
	}
	return tags
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// trigrams returns the distinct trigrams of a folded text, padded with two
// zero bytes so that every byte of it starts one.
func trigrams(folded string) []string {
	padded := folded + "\x00\x00"
	seen := make(map[string]struct{}, len(folded))
	out := make([]string, 0, len(folded))
	for i := 0; i+3 <= len(padded); i++ {
		t := padded[i : i+3]
		if _, ok := seen[t]; !ok {
			seen[t] = struct{}{}
			out = append(out, t)
		}
	}
	return out
}

// queryTrigram is a trigram of a query and where it starts in the query.
type queryTrigram struct {
	tri string
	at  int
}

// queryTrigrams returns the trigrams of a folded query of 3 bytes or
// more, with where they start, in order.
func queryTrigrams(q string) []queryTrigram {
	out := make([]queryTrigram, 0, len(q)-2)
	for i := 0; i+3 <= len(q); i++ {
		out = append(out, queryTrigram{q[i : i+3], i})
	}
	return out
}

// sigLen is the length of a posting's value, the trigram's signature in
// its document: a 64-bit Bloom filter of the trigrams found up to
// sigReach bytes before or after an occurrence of it, each with its
// offset. A query that holds the trigram at i needs, in the signature,
// the bit of each of its other trigrams at its offset from i: a document
// holding the trigram and the query's other trigrams, but not in the
// query's order, is almost always skipped without being read.
const (
	sigLen   = 8
	sigReach = 8
)

// sigBit returns the bit of a trigram found off bytes from an occurrence
// of the posting's trigram.
func sigBit(tri string, off int) uint64 {
	h := uint32(2166136261) // FNV-1a
	for i := range len(tri) {
		h = (h ^ uint32(tri[i])) * 16777619
	}
	h = (h ^ uint32(off+sigReach)) * 16777619
	return 1 << (h % 64)
}

// signatures returns the trigrams of a folded text, as trigrams does, and
// the signature of each (8 bytes, big-endian).
func signatures(folded string) (tris []string, sigs map[string][]byte) {
	padded := folded + "\x00\x00"
	n := len(padded) - 2 // trigrams, one at each byte of folded
	acc := make(map[string]uint64, n)
	for p := range n {
		t := padded[p : p+3]
		s, seen := acc[t]
		if !seen {
			tris = append(tris, t)
		}
		for off := max(-sigReach, -p); off <= sigReach && p+off < n; off++ {
			if off != 0 {
				s |= sigBit(padded[p+off:p+off+3], off)
			}
		}
		acc[t] = s
	}
	sigs = make(map[string][]byte, len(acc))
	for t, s := range acc {
		sigs[t] = binary.BigEndian.AppendUint64(nil, s)
	}
	return tris, sigs
}
