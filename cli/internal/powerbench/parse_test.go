package powerbench

import (
	"testing"
	"time"
)

func TestParseLine(t *testing.T) {
	tests := []struct {
		line string
		ok   bool
		want packet
	}{
		{
			line: "1795325573.776835 00:00:00:00:00:00 > 00:00:00:00:00:00, IPv4, length 74: 127.0.0.1.47716 > 127.0.0.2.9998: tcp 0",
			ok:   true,
			want: packet{at: time.Unix(1795325573, 776835000), size: 60, src: "127.0.0.1.47716", dst: "127.0.0.2.9998"},
		},
		{
			line: "1795325573.000001 00:00:00:00:00:00 > 00:00:00:00:00:00, IPv4, length 1294: 127.0.0.2.4001 > 127.0.0.1.5000: UDP, length 1252",
			ok:   true,
			want: packet{at: time.Unix(1795325573, 1000), size: 1280, src: "127.0.0.2.4001", dst: "127.0.0.1.5000"},
		},
		{line: "tcpdump: verbose output suppressed, use -v[v]... for full protocol decode"},
		{line: "listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes"},
		{line: ""},
	}
	for _, tt := range tests {
		got, ok := parseLine(tt.line)
		if ok != tt.ok {
			t.Errorf("parseLine(%q) ok = %v", tt.line, ok)
			continue
		}
		if !ok {
			continue
		}
		if got.size != tt.want.size || got.src != tt.want.src || got.dst != tt.want.dst || got.at.Sub(tt.want.at).Abs() > time.Microsecond {
			t.Errorf("parseLine(%q) = %+v, want %+v", tt.line, got, tt.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	at := func(s float64) time.Time { return time.Unix(1000, 0).Add(time.Duration(s * float64(time.Second))) }
	ps := []packet{
		{at: at(0.1), size: 100, src: "127.0.0.2.1", dst: "127.0.0.1.2"},
		{at: at(0.9), size: 50, src: "127.0.0.1.2", dst: "127.0.0.2.1"},
		{at: at(1.2), size: 10, src: "127.0.0.2.1", dst: "127.0.0.1.2"},
		{at: at(5.0), size: 999, src: "127.0.0.3.1", dst: "127.0.0.1.2"},
		{at: at(6.0), size: 999, src: "127.0.0.20.1", dst: "127.0.0.1.2"}, // another node
	}
	got := summarize(ps, "127.0.0.2", time.Minute)
	if got.packets != 3 || got.bytes != 160 || got.seconds != 2 {
		t.Fatalf("summarize = %+v, want 3 packets, 160 bytes, 2 seconds", got)
	}
	if h := got.perHour(160); h != 160*60 {
		t.Fatalf("perHour(160) over a minute = %v", h)
	}
}
