package api

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCheckText: checkText refuses exactly the JSON strings that
// encoding/json would decode with a U+FFFD that the text did not spell.
func FuzzCheckText(f *testing.F) {
	for _, s := range []string{`"plain"`, `"é世"`, "\"bad \xff\"", `"\ud800"`, `"\ud83d\ude00"`, `"\\ud800"`, `"\\\ud800"`,
		`"\ufffd"`, `"\uFFFD"`, `"\ude00\ud83d"`, `"\ud83d\ud83d\ude00"`, `"\u00e9\u0000"`, `"\ud83d\u0041"`, `"\ud83d`, `"\u12"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		var v string
		if json.Unmarshal([]byte(doc), &v) != nil {
			return // not a JSON string: the decoder reports it
		}
		spelled := strings.Count(doc, "\ufffd") + strings.Count(strings.ToLower(doc), `\ufffd`)
		replaced := strings.Count(v, "\ufffd") > spelled
		err := checkText([]byte(doc))
		if replaced && err == nil {
			t.Errorf("checkText(%q) = nil, but it decodes to %q", doc, v)
		}
		if !replaced && err != nil && utf8.ValidString(doc) && !strings.Contains(doc, `\\`) {
			t.Errorf("checkText(%q) = %v, but it decodes to %q with no replacement", doc, err, v)
		}
	})
}
