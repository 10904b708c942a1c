package sim

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Table is a titled table of strings, rendered aligned for the terminal
// (Text, what `make sim` prints) or as Markdown (for the docs). Rows shorter
// than Header are padded with empty cells; longer rows widen the table.
type Table struct {
	Title  string     `json:"title,omitempty"`
	Header []string   `json:"header"`
	Rows   [][]string `json:"rows"`
}

// cols returns the number of columns and, per column, whether every
// non-empty body cell is numeric (such columns are right-aligned).
func (t Table) cols() (int, []bool) {
	n := len(t.Header)
	for _, r := range t.Rows {
		n = max(n, len(r))
	}
	numeric := make([]bool, n)
	for c := range n {
		any := false
		numeric[c] = true
		for _, r := range t.Rows {
			if c >= len(r) || strings.TrimSpace(r[c]) == "" {
				continue
			}
			any = true
			if !isNumeric(r[c]) {
				numeric[c] = false
				break
			}
		}
		numeric[c] = numeric[c] && any
	}
	return n, numeric
}

// isNumeric reports whether s reads as one number, with an optional sign or
// comparison before it and an optional unit after it (letters, '%', '×',
// '/'; no further digits): "12", "-3.5", "99.9 %", "1.2×", "340 ms", "≤ 2",
// "1,500 KB/h". "500 (3)" and "1 / 2" are not numeric.
func isNumeric(s string) bool {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "+-−≤≥<>~≈ ")
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.' || s[end] == ',') {
		end++
	}
	if end == 0 {
		return false
	}
	if _, err := strconv.ParseFloat(strings.ReplaceAll(s[:end], ",", ""), 64); err != nil {
		return false
	}
	for _, r := range strings.TrimSpace(s[end:]) {
		if !unicode.IsLetter(r) && r != '%' && r != '×' && r != '/' && r != 'µ' {
			return false
		}
	}
	return true
}

func cell(r []string, c int) string {
	if c < len(r) {
		return r[c]
	}
	return ""
}

// Text renders the table for a terminal: the title on its own line, then
// the header, a rule of dashes, and the rows, columns separated by two
// spaces and padded to the widest cell (counted in runes); numeric columns
// are right-aligned, others left-aligned. Trailing spaces are trimmed.
func (t Table) Text() string {
	n, numeric := t.cols()
	width := make([]int, n)
	measure := func(r []string) {
		for c := range n {
			width[c] = max(width[c], utf8.RuneCountInString(oneLine(cell(r, c))))
		}
	}
	measure(t.Header)
	for _, r := range t.Rows {
		measure(r)
	}
	var b strings.Builder
	if t.Title != "" {
		b.WriteString(oneLine(t.Title))
		b.WriteByte('\n')
	}
	line := func(r []string) {
		var l strings.Builder
		for c := range n {
			if c > 0 {
				l.WriteString("  ")
			}
			s := oneLine(cell(r, c))
			pad := strings.Repeat(" ", width[c]-utf8.RuneCountInString(s))
			if numeric[c] {
				l.WriteString(pad + s)
			} else {
				l.WriteString(s + pad)
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " "))
		b.WriteByte('\n')
	}
	if len(t.Header) > 0 {
		line(t.Header)
		rule := make([]string, n)
		for c := range n {
			rule[c] = strings.Repeat("-", width[c])
		}
		line(rule)
	}
	for _, r := range t.Rows {
		line(r)
	}
	return b.String()
}

// Markdown renders the table as GitHub-flavoured Markdown: the title (if
// any) as a bold line, then the table, numeric columns right-aligned
// ("---:"). Pipes in cells are escaped and newlines become spaces.
func (t Table) Markdown() string {
	n, numeric := t.cols()
	if n == 0 {
		return ""
	}
	var b strings.Builder
	if t.Title != "" {
		b.WriteString("**" + mdCell(t.Title) + "**\n\n")
	}
	row := func(r []string) {
		b.WriteString("|")
		for c := range n {
			b.WriteString(" " + mdCell(cell(r, c)) + " |")
		}
		b.WriteByte('\n')
	}
	row(t.Header)
	b.WriteString("|")
	for c := range n {
		if numeric[c] {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteByte('\n')
	for _, r := range t.Rows {
		row(r)
	}
	return b.String()
}

func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(s)
}

func mdCell(s string) string {
	return strings.ReplaceAll(oneLine(s), "|", `\|`)
}
