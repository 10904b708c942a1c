#!/usr/bin/env bash
# scripts/media-plot.sh BENCH-OUTPUT SVG: plot blobnet's multi-source
# speed-up against the number of providers as an SVG.
#
# BENCH-OUTPUT is the output of
#   go test -run '^$' -bench '^BenchmarkProviders$' ./core/internal/blobnet/
# (lines "BenchmarkProviders/K-N ... S speed-up ..."; with -count > 1 each
# run is a dot and the line joins the means). The plot shows the measured
# speed-up (rate ÷ R, one provider's cap), the ideal k and the target
# 0.9·k for k = 1..4. scripts/bench.sh writes docs/media-providers.svg with it.
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 BENCH-OUTPUT SVG" >&2; exit 2; }
awk '
$1 ~ /^BenchmarkProviders\/[0-9]+(-[0-9]+)?$/ {
	k = $1; sub(/^BenchmarkProviders\//, "", k); sub(/-.*/, "", k); k += 0
	for (i = 3; i < NF; i++) if ($(i+1) == "speed-up") {
		n[k]++; sum[k] += $i; pt[k, n[k]] = $i
		if ($i > top) top = $i
		if (k > kmax) kmax = k
	}
}
END {
	if (kmax == 0) { print "media-plot.sh: no BenchmarkProviders lines" > "/dev/stderr"; exit 1 }
	W = 480; H = 320; L = 50; R = 20; T = 20; B = 45
	ymax = (top > kmax ? top : kmax) + 0.5
	xs = (W - L - R) / (kmax - 1 > 0 ? kmax - 1 : 1); ys = (H - T - B) / ymax
	printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H, W, H
	printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
	printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", L, H - B, W - R, H - B
	printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", L, T, L, H - B
	for (k = 1; k <= kmax; k++) {
		x = L + (k - 1) * xs
		printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n", x, H - B + 16, k
	}
	for (y = 0; y <= ymax; y++) {
		printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d×</text>\n", L - 6, H - B - y * ys + 4, y
		printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", L, H - B - y * ys, W - R, H - B - y * ys
	}
	printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">providers k, each capped at R</text>\n", L + (W - L - R) / 2, H - 8
	printf "<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 14 %.1f)\">rate ÷ R</text>\n", T + (H - T - B) / 2, T + (H - T - B) / 2
	# ideal k and target 0.9 k
	printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"6 4\"/>\n", L, H - B - ys, L + (kmax - 1) * xs, H - B - kmax * ys
	printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#c33\" stroke-dasharray=\"2 3\"/>\n", L, H - B - 0.9 * ys, L + (kmax - 1) * xs, H - B - 0.9 * kmax * ys
	d = ""
	for (k = 1; k <= kmax; k++) if (n[k] > 0) {
		d = d sprintf("%s%.1f,%.1f", d == "" ? "M" : " L", L + (k - 1) * xs, H - B - sum[k] / n[k] * ys)
		for (j = 1; j <= n[k]; j++)
			printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#1565c0\"/>\n", L + (k - 1) * xs, H - B - pt[k, j] * ys
	}
	printf "<path d=\"%s\" fill=\"none\" stroke=\"#1565c0\" stroke-width=\"2\"/>\n", d
	printf "<g transform=\"translate(%d,%d)\">\n", L + 12, T + 8
	printf "<line x1=\"0\" y1=\"0\" x2=\"24\" y2=\"0\" stroke=\"#1565c0\" stroke-width=\"2\"/><text x=\"30\" y=\"4\">measured (mean; dots: runs)</text>\n"
	printf "<line x1=\"0\" y1=\"18\" x2=\"24\" y2=\"18\" stroke=\"#888\" stroke-dasharray=\"6 4\"/><text x=\"30\" y=\"22\">ideal k</text>\n"
	printf "<line x1=\"0\" y1=\"36\" x2=\"24\" y2=\"36\" stroke=\"#c33\" stroke-dasharray=\"2 3\"/><text x=\"30\" y=\"40\">target 0.9·k</text>\n"
	printf "</g>\n</svg>\n"
}' "$1" >"$2.tmp"
mv "$2.tmp" "$2"
echo "wrote $2" >&2
