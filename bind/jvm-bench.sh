#!/usr/bin/env bash
# bind/jvm-bench.sh (make jvm-bench): the memory of a JVM whose app pages the
# feed in a tight loop from 8 threads (issue 11), with no Go memory limit and
# with Config.MemoryLimitMiB's default.
#
# It builds the binding with bind/jvm-build.sh and runs
# bind/jvm/bench/org/skein/bindbench/FeedPaging three times, on 127.0.0.1
# only: "off" (--memory-limit-mib -1) and "default" (NewConfig's) page with
# feed() and get(i); "json" pages with feedJSON() and Gson, default limit. Each run prints
# a line a second and a RESULT line: peak and steady RSS (median of the
# second half), the Java heap in use, pages per second. Samples and logs
# stay in bind/build/jvm-bench/.
#
#   JVM_BENCH_SECONDS    paging time of each run (default 60)
#   JVM_BENCH_JAVA_OPTS  JVM options (default "-Xmx64m -Xmn16m": Java's
#                        young objects are collected after each 16 MB of
#                        them, as Android's collector runs once an app has
#                        allocated 8 to 32 MB (dalvik.vm.heapmaxfree); a
#                        desktop JVM's default heap, a quarter of RAM,
#                        collects hundreds of MB later, and meanwhile the
#                        Go objects its proxies hold pile up. "" for the
#                        JVM's defaults)
#   JVM_BENCH_ARGS       more FeedPaging arguments (--threads, --posts, --limit)
#   JVM_BENCH_SVG        if set, where to write a plot of RSS over time
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$ROOT/bind/jvm-build.sh"

JDK="$(java_home)"
JVM="$BUILD/jvm"
OUT="$BUILD/jvm-bench"
SECS="${JVM_BENCH_SECONDS:-60}"
read -ra JAVA_OPTS <<<"${JVM_BENCH_JAVA_OPTS--Xmx64m -Xmn16m}"
read -ra ARGS <<<"${JVM_BENCH_ARGS:-}"
rm -rf "$JVM/bench-classes" "$OUT"
mkdir -p "$JVM/bench-classes" "$OUT"

step "javac: FeedPaging"
mapfile -t sources < <(find bind/jvm/bench -name '*.java')
GSON="$(pkgfile libgoogle-gson-java /gson.jar)"
"$JDK/bin/javac" -d "$JVM/bench-classes" -cp "$JVM/classes:$GSON" "${sources[@]}"

run() { # run LABEL MEMORY-LIMIT-ARGS...
	local label="$1"
	shift
	step "FeedPaging $label: java ${JAVA_OPTS[*]} ... --seconds $SECS $* ${ARGS[*]}"
	timeout --kill-after=10s "$((SECS + 300))s" \
		"$JDK/bin/java" "${JAVA_OPTS[@]}" -Djava.library.path="$JVM/lib" \
		-cp "$JVM/bench-classes:$JVM/classes:$JVM/stub-classes:$GSON" \
		org.skein.bindbench.FeedPaging --label "$label" --seconds "$SECS" \
		--samples "$OUT/$label.txt" "$@" "${ARGS[@]}" | tee "$OUT/$label.log"
	grep -q ' RESULT ' "$OUT/$label.log" || die "FeedPaging $label printed no RESULT line"
}
run off --memory-limit-mib -1
run default
run json --json

step "results (java ${JAVA_OPTS[*]})"
grep -h ' RESULT ' "$OUT/off.log" "$OUT/default.log" "$OUT/json.log"

[[ -n "${JVM_BENCH_SVG:-}" ]] || exit 0
# The plot: RSS (solid) and Java heap in use (dashed) against time, one
# colour per run.
awk -v title="FeedPaging ${ARGS[*]:-(8 threads, pages of 100)}, java ${JAVA_OPTS[*]}" '
	FNR == 1 { run++; name[run] = FILENAME; sub(/.*\//, "", name[run]); sub(/\.txt$/, "", name[run]) }
	/^#/ { next }
	{ n[run]++; t[run, n[run]] = $1; rss[run, n[run]] = $2; heap[run, n[run]] = $3
	  if ($1 > tmax) tmax = $1; if ($2 > ymax) ymax = $2 }
	END {
		label["off"] = "feed(), no Go memory limit"; label["default"] = "feed(), default limit"
		label["json"] = "feedJSON(), default limit"
		W = 640; H = 320 + 16 * run; L = 56; R = 16; T = 32 + 16 * run; B = 40
		step = 100; while (ymax / step > 8) step *= 2
		ytop = step * (int(ymax / step) + 1)
		printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H
		printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		printf "<text x=\"%d\" y=\"18\">%s</text>\n", L, title
		for (y = 0; y <= ytop; y += step) {
			py = T + (H - T - B) * (1 - y / ytop)
			printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", L, py, W - R, py
			printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>\n", L - 6, py + 4, y
		}
		py = T + (H - T - B) * (1 - 150 / ytop)
		printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#555\" stroke-dasharray=\"2 4\"/>\n", L, py, W - R, py
		printf "<text x=\"%d\" y=\"%.1f\" fill=\"#555\">150 MiB: issue 11 target for steady RSS</text>\n", L + 6, py - 4
		printf "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">MiB</text>\n", (H - B + T) / 2, (H - B + T) / 2
		for (x = 0; x <= tmax; x += 10) {
			px = L + (W - L - R) * x / tmax
			printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n", px, H - B + 16, x
		}
		printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds of paging</text>\n", (W + L) / 2, H - 6
		split("#c0392b #2471a3 #1e8449", colour, " ")
		for (r = 1; r <= run; r++) {
			for (k = 0; k < 2; k++) {
				printf "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"", colour[r], k ? " stroke-dasharray=\"4 3\"" : ""
				for (i = 1; i <= n[r]; i++) {
					v = k ? heap[r, i] : rss[r, i]
					printf "%.1f,%.1f ", L + (W - L - R) * t[r, i] / tmax, T + (H - T - B) * (1 - v / ytop)
				}
				printf "\"/>\n"
			}
			printf "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s: RSS (solid), Java heap (dashed)</text>\n", L, 20 + 16 * r, colour[r], label[name[r]]
		}
		printf "</svg>\n"
	}' "$OUT/off.txt" "$OUT/default.txt" "$OUT/json.txt" >"$JVM_BENCH_SVG"
echo "wrote $JVM_BENCH_SVG"
