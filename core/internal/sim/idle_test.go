package sim

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func idleResults() []IdleResult {
	var rs []IdleResult
	for _, mode := range []string{"background", "foreground"} {
		for _, f := range []int{1000, 10, 100} {
			b := float64(f) * 500
			if mode == "foreground" {
				b *= 10
			}
			rs = append(rs, IdleResult{Label: "topic per author", Mode: mode, Follows: f, Duration: time.Minute,
				BytesPerHour: b, WakeupsPerHour: float64(f) * 36, Goroutines: 50 + 3*f, RSS: 20e6 + float64(f)*1e4, Topics: f})
		}
	}
	return rs
}

func TestIdleTable(t *testing.T) {
	tb := IdleTable(idleResults())
	var got []string
	for _, r := range tb.Rows {
		got = append(got, r[1]+"/"+r[2]+"/"+r[5])
	}
	plain := []string{"foreground/10/", "foreground/100/", "foreground/1000/", "background/10/within", "background/100/within", "background/1000/over"}
	if strings.Join(got, ",") != strings.Join(plain, ",") {
		t.Errorf("rows %v, want %v", got, plain)
	}
	if !strings.Contains(tb.Text(), "500.0") {
		t.Errorf("table:\n%s", tb.Text())
	}
}

func TestIdleCurves(t *testing.T) {
	for _, rs := range [][]IdleResult{idleResults(), nil} {
		doc := IdleCurves(rs)
		st := parseSVG(t, doc)
		if n := bytes.Count(doc, []byte(`<g transform="translate(`)); n != 4 {
			t.Errorf("%d plots, want 4", n)
		}
		if len(rs) > 0 && (!has(st.texts, "topic per author, background") || !has(st.texts, "background budget (200 KB/h)")) {
			t.Errorf("legend: %q", st.texts)
		}
	}
}
