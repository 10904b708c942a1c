package sim

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTableText(t *testing.T) {
	tests := []struct {
		name string
		t    Table
		want string
	}{
		{
			"numbers right, words left",
			Table{Title: "Runs", Header: []string{"label", "N", "p99"}, Rows: [][]string{
				{"skein", "50", "12.5 ms"},
				{"raw gossip", "500", "7 ms"},
			}},
			"Runs\n" +
				"label         N      p99\n" +
				"----------  ---  -------\n" +
				"skein        50  12.5 ms\n" +
				"raw gossip  500     7 ms\n",
		},
		{
			"ragged rows and runes",
			Table{Header: []string{"what", "ratio"}, Rows: [][]string{
				{"p99 × raw", "2.1×"},
				{"café"},
				{"extra", "1", "x|y"},
			}},
			"what       ratio\n" +
				"---------  -----  ---\n" +
				"p99 × raw   2.1×\n" +
				"café\n" +
				"extra          1  x|y\n",
		},
		{
			"no header, newline in a cell",
			Table{Rows: [][]string{{"a\nb", "1"}}},
			"a b  1\n",
		},
		{"empty", Table{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.t.Text()
			if got != tt.want {
				t.Errorf("Text:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestTableTextAligned checks on a real table that every column starts at
// the same rune offset on every line.
func TestTableTextAligned(t *testing.T) {
	rs := []Result{{Label: "skein", N: 50, Posts: 1234}, {Label: "skein-é", N: 500, Posts: 5}}
	text := ResultsTable(rs).Text()
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")[1:] // without the title
	rule := lines[1]
	// Column boundaries: where the rule's dashes start.
	var starts []int
	for i, r := range []rune(rule) {
		if r == '-' && (i == 0 || []rune(rule)[i-1] == ' ') {
			starts = append(starts, i)
		}
	}
	if len(starts) != len(ResultsTable(rs).Header) {
		t.Fatalf("%d columns in the rule, want %d:\n%s", len(starts), len(ResultsTable(rs).Header), text)
	}
	for _, l := range lines {
		rl := []rune(l)
		if len(rl) != utf8.RuneCountInString(rule) {
			t.Errorf("line %q is %d runes, rule %d", l, len(rl), utf8.RuneCountInString(rule))
		}
		for _, s := range starts[1:] {
			if s-2 >= 0 && s-2 < len(rl) && (rl[s-1] != ' ' || rl[s-2] != ' ') {
				t.Errorf("line %q: no gap before column at %d", l, s)
			}
		}
	}
}

func TestTableMarkdown(t *testing.T) {
	tb := Table{Title: "Cost", Header: []string{"N", "bytes|h", "note"}, Rows: [][]string{
		{"50", "1,200 KB", "ok"},
		{"500", "9 KB", "two\nlines"},
	}}
	want := "**Cost**\n\n" +
		"| N | bytes\\|h | note |\n" +
		"|---:|---:|---|\n" +
		"| 50 | 1,200 KB | ok |\n" +
		"| 500 | 9 KB | two lines |\n"
	if got := tb.Markdown(); got != want {
		t.Errorf("Markdown:\n%s\nwant:\n%s", got, want)
	}
	if (Table{}).Markdown() != "" {
		t.Error("empty table renders")
	}
}

func TestIsNumeric(t *testing.T) {
	tests := map[string]bool{
		"12": true, "-3.5": true, "99.9 %": true, "1.2×": true, "340 ms": true, "≤ 2": true,
		"1,500 KB/h": true, "0": true, "": false, "abc": false, "500 (3)": false, "1 / 2": false,
		"v1": false, "3 µs": true, ".": false,
	}
	for in, want := range tests {
		if got := isNumeric(in); got != want {
			t.Errorf("isNumeric(%q) = %v, want %v", in, got, want)
		}
	}
}
