#!/usr/bin/env bash
# Runs Skein's benchmarks and writes docs/BENCHMARKS.md: the commands, the
# raw `go test -bench` output, and each figure as a ratio to the baseline
# measured in the same run. Everything runs on 127.0.0.1 or in network
# namespaces of the benchmarks' own.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

FEED_ENTRIES=${SKEIN_BENCH_ENTRIES:-1000000}
# The largest store of the feed-page-against-store-size curve (100k and 1M
# are always measured); 10M takes about 20 minutes to fill.
FEED_MAX=${SKEIN_BENCH_FEED_MAX:-10000000}
IDLE=${SKEIN_BENCH_IDLE:-10m}
# The idle benchmark captures packets with tcpdump in network namespaces of
# its own: it needs root, iproute2 and tcpdump.
if [ "$(id -u)" = 0 ] && ! command -v tcpdump >/dev/null; then
  apt-get update -qq && apt-get install -y -qq tcpdump iproute2 >/dev/null
fi
# The NAT benchmark builds NAT routers with iptables in namespaces.
if [ "$(id -u)" = 0 ] && { ! command -v iptables >/dev/null || ! command -v conntrack >/dev/null; }; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends iptables nftables conntrack >/dev/null
fi
# The web UI's delivery benchmark drives a headless Chromium.
eval "$(scripts/browser-deps.sh | sed 's/^/export /')"
# The store benchmarks run twice: the first pass after building the
# database is skewed by LevelDB's background compaction; the last counts.
# Catch-up ingest and live delivery run three times: the figures are the
# median run (ingest) and the medians of each figure and ratio (live).
# New commands go at the end: the extraction below reads outputs by index.
cmds=(
  "go test -run '^\$' -bench '^BenchmarkCatchUpIngest\$' -benchtime 5x -count 3 ./core/"
  "go test -run '^\$' -bench '^BenchmarkLiveDelivery\$' -benchtime 200x -count 3 ./core/"
  "go test -run '^\$' -bench '^BenchmarkOfflineAuthorFetch\$' -benchtime 10x -count 1 ./core/"
  "SKEIN_BENCH_ENTRIES=$FEED_ENTRIES go test -run '^\$' -bench '^Benchmark(FeedPage|RawRangeScan)\$' -benchtime 2000x -count 2 ./core/internal/store/"
  "SKEIN_BENCH_IDLE=$IDLE go test -run '^\$' -bench '^BenchmarkIdle\$' -benchtime 1x -timeout 180m -v ./cli/internal/powerbench/"
  "scripts/libsize.sh"
  "go test -run '^\$' -bench '^BenchmarkNAT\$' -benchtime 1x -timeout 20m -v ./cli/internal/nattest/"
  "JVM_BENCH_SVG=docs/jvm-bench-rss.svg bind/jvm-bench.sh"
  "JVM_BENCH_JAVA_OPTS= bind/jvm-bench.sh"
  "go test -run '^\$' -bench '^BenchmarkDirectorySearch\$' -benchtime 1000x -count 1 ./core/internal/directory/"
  "go test -run '^\$' -bench '^BenchmarkSearch\$' -benchtime 400x -timeout 90m ./core/internal/search/"
  "SKEIN_BENCH_ENTRIES=$FEED_ENTRIES go test -run '^\$' -bench '^BenchmarkFeedWithLikes\$' -benchtime 2000x -count 2 ./core/"
  "go test -run '^\$' -bench '^BenchmarkFeedRender\$' -benchtime 3000x -count 1 ./cli/internal/webui/"
  "go test -run '^\$' -bench '^BenchmarkBrowserDelivery\$' -benchtime 1x -count 1 ./cli/internal/webui/"
  "go test -run '^\$' -bench '^BenchmarkDMLatency\$' -benchtime 500x -count 1 ./core/"
  "go test -run '^\$' -bench '^BenchmarkGroupFanout\$' -benchtime 200x -count 1 -timeout 30m ./core/"
  "go test -run '^\$' -bench '^BenchmarkOfflineCatchUp\$' -benchtime 3x -count 1 -timeout 30m ./core/"
  "go test -run '^\$' -bench '^BenchmarkRemove256\$' -benchtime 20x -count 1 ./core/internal/chat/"
  "go test -run '^\$' -bench '^BenchmarkChatOverhead\$' -benchtime 1x -count 1 ./core/"
  "go test -run '^\$' -bench '^BenchmarkThroughput\$' -benchtime 1x -count 3 -timeout 30m ./core/internal/blobnet/"
  "go test -run '^\$' -bench '^BenchmarkProviders\$' -benchtime 1x -count 3 -timeout 30m ./core/internal/blobnet/"
  "go test -run '^\$' -bench '^BenchmarkSlowProvider\$' -benchtime 1x -count 3 -timeout 30m ./core/internal/blobnet/"
  "go test -run '^\$' -bench '^BenchmarkFirstBytes\$' -benchtime 20x -count 3 ./core/internal/blobnet/"
  "go test -run '^TestKill9\$' -count 3 -v ./core/internal/blobstore/"
  "go test -run '^\$' -bench '^BenchmarkFeedThumbnails\$' -benchtime 200x -count 1 ./core/internal/medialib/"
  "scripts/media-libsize.sh"
  "go test -run '^\$' -bench '^BenchmarkVerifyRules\$' -cpu 1 -count 2 ./core/internal/entry/"
  "SKEIN_BENCH_PLOTS=../docs go test -run '^\$' -bench '^BenchmarkCatchUpCost\$' -benchtime 1x -timeout 60m ./core/"
  "SKEIN_BENCH_FEED_MAX=$FEED_MAX SKEIN_BENCH_PLOTS=../docs go test -run '^\$' -bench '^BenchmarkFeedStoreSize\$' -benchtime 1x -timeout 120m ./core/"
  "go test -run '^\$' -bench '^BenchmarkFollowTopics\$' -benchtime 1x ./core/"
  "SKEIN_BENCH_IDLE=5m SKEIN_BENCH_LABEL=after go test -run '^\$' -bench '^BenchmarkFollowCost\$' -benchtime 1x -timeout 100m -v ./cli/internal/powerbench/"
  "go test -run '^TestSim\$' -count=1 -timeout 60m -v ./core/ -args -sim.sweep 50,100,200,500 -sim.duration 15s -sim.settle 20s -sim.out ../docs/sim-results.json -sim.svg ../docs/sim-curves.svg"
  "go test -count=1 -run '^(TestDefaultGraph|TestDegreePlot)\$' -v ./core/internal/sim/ -args -graph-svg ../../../docs/sim-graph.svg"
)
for i in "${!cmds[@]}"; do
  echo "== ${cmds[$i]}" >&2
  bash -c "${cmds[$i]}" 2>&1 | tee "$out/$i.txt" >&2
done
# The media benchmarks' outputs (indices in cmds above) and the plot of the
# k-provider speed-up.
m_tp=$out/19.txt m_k=$out/20.txt m_slow=$out/21.txt m_first=$out/22.txt
m_kill=$out/23.txt m_feed=$out/24.txt m_lib=$out/25.txt
scripts/media-plot.sh "$m_k" docs/media-providers.svg || echo "no plot: BenchmarkProviders gave nothing" >&2
# Issue 16's outputs. BenchmarkCatchUpCost and BenchmarkFeedStoreSize drew
# docs/catchup-cost.svg and docs/feed-store-size.svg themselves; the
# follow-cost plot is this run's points (the "followcost" log lines) beside
# the curves measured before issue 16 (docs/follow-cost-before.jsonl) and
# after its first change (docs/follow-cost-topics.jsonl).
s_verify=$out/26.txt s_cost=$out/27.txt s_size=$out/28.txt s_topics=$out/29.txt s_follow=$out/30.txt
sed -n 's/.*followcost //p' "$s_follow" > "$out/follow.jsonl"
go run ./cli/internal/powerbench/followplot -o docs/follow-cost.svg docs/follow-cost-before.jsonl docs/follow-cost-topics.jsonl "$out/follow.jsonl" ||
  echo "no plot: BenchmarkFollowCost gave nothing" >&2
# The simulation sweep wrote docs/sim-results.json and docs/sim-curves.svg;
# its table is simplot's, the graph's TestDefaultGraph's.
s_graph=$out/32.txt
go run ./core/internal/sim/simplot -in docs/sim-results.json -md > "$out/sim.md" ||
  echo "no table: the simulation wrote no results" >&2

metric() { # file benchmark unit
  awk -v b="$2" -v u="$3" '$1 ~ "^"b"(-[0-9]+)?$" { for (i = 3; i < NF; i++) if ($(i+1) == u) v = $i } END { print v }' "$1"
}
med() { # file benchmark unit: the median over the runs of -count
  awk -v b="$2" -v u="$3" '$1 ~ "^"b"(-[0-9]+)?$" { for (i = 3; i < NF; i++) if ($(i+1) == u) print $i }' "$1" |
    sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}
medrun() { # file benchmark unit: the output line of the run whose unit is the median
  local n
  n=$(awk -v b="$2" -v u="$3" '$1 ~ "^"b"(-[0-9]+)?$" { for (i = 3; i < NF; i++) if ($(i+1) == u) print $i, NR }' "$1" |
    sort -g | awk '{ v[NR] = $2 } END { if (NR) print v[int((NR + 1) / 2)] }')
  if [ -n "$n" ]; then sed -n "${n}p" "$1"; fi
}
medratio() { # file benchmark unitA unitB: the median over the runs of A ÷ B, each run's own
  awk -v b="$2" -v u="$3" -v w="$4" '$1 ~ "^"b"(-[0-9]+)?$" { a = ""; c = ""; for (i = 3; i < NF; i++) { if ($(i+1) == u) a = $i; if ($(i+1) == w) c = $i } if (a != "" && c + 0 != 0) print a / c }' "$1" |
    sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.2f\n", v[int((NR + 1) / 2)] }'
}
f2() { # value: two decimals, or ? when missing
  awk -v a="$1" 'BEGIN { if (a == "") print "?"; else printf "%.2f", a }'
}
medrun "$out/0.txt" BenchmarkCatchUpIngest entries/s > "$out/0.med"
ingest=$(metric "$out/0.med" BenchmarkCatchUpIngest entries/s)
verify=$(metric "$out/0.med" BenchmarkCatchUpIngest verify/s)
iratio=$(metric "$out/0.med" BenchmarkCatchUpIngest ingest/verify)
live() { med "$out/1.txt" BenchmarkLiveDelivery "$1"; }
liver() { medratio "$out/1.txt" BenchmarkLiveDelivery "$1" "$2"; }
post50=$(live post-p50-ms) post99=$(live post-p99-ms)
pub50=$(live pub-p50-ms) pub99=$(live pub-p99-ms)
raw50=$(live raw-p50-ms) raw99=$(live raw-p99-ms)
rv50=$(live rawverify-p50-ms) rv99=$(live rawverify-p99-ms)
feed=$(metric "$out/3.txt" BenchmarkFeedPage p50-ns)
scan=$(metric "$out/3.txt" BenchmarkRawRangeScan p50-ns)
h1=$(metric "$out/2.txt" BenchmarkOfflineAuthorFetch/holders=1 ms/fetch)
h3=$(metric "$out/2.txt" BenchmarkOfflineAuthorFetch/holders=3 ms/fetch)
hratio=$(awk -v a="$h1" -v b="$h3" 'BEGIN { printf "%.2f", a / b }')
bgkbh=$(metric "$out/4.txt" BenchmarkIdle bg-KB/h)
bgwph=$(metric "$out/4.txt" BenchmarkIdle bg-wakeups/h)
bgidlekb=$(metric "$out/4.txt" BenchmarkIdle bg-idle-KB)
bgidlew=$(metric "$out/4.txt" BenchmarkIdle bg-idle-wakeups)
wakekb=$(metric "$out/4.txt" BenchmarkIdle wake-KB)
wakes=$(metric "$out/4.txt" BenchmarkIdle wake-seconds)
fgkbh=$(metric "$out/4.txt" BenchmarkIdle fg-KB/h)
fgwph=$(metric "$out/4.txt" BenchmarkIdle fg-wakeups/h)
rss=$(metric "$out/4.txt" BenchmarkIdle bg-rss-MiB)
hwm=$(metric "$out/4.txt" BenchmarkIdle bg-peak-rss-MiB)
rssn=$(metric "$out/4.txt" BenchmarkIdle rss-authors)
libline=$(grep -m1 'libgojni.so: ' "$out/5.txt" || echo "libgojni.so: ? bytes (? MB)")
libmb=$(echo "$libline" | sed -E 's/.*\(([0-9.]+) MB.*/\1/')
libbytes=$(echo "$libline" | sed -nE 's/.*: ([0-9]+) bytes.*/\1/p')
natfirst=$(metric "$out/6.txt" BenchmarkNAT s_first_post_via_relay)
natup=$(metric "$out/6.txt" BenchmarkNAT s_direct_upgrade)
natrelay=$(metric "$out/6.txt" BenchmarkNAT entries/s_relay)
natdirect=$(metric "$out/6.txt" BenchmarkNAT entries/s_direct)
natratio=$(metric "$out/6.txt" BenchmarkNAT relay/direct)
fratio=$(awk -v a="$feed" -v b="$scan" 'BEGIN { printf "%.2f", a / b }')
lfeed=$(metric "$out/11.txt" BenchmarkFeedWithLikes feed-p50-ns)
lstore=$(metric "$out/11.txt" BenchmarkFeedWithLikes store-p50-ns)
lscan=$(metric "$out/11.txt" BenchmarkFeedWithLikes raw-p50-ns)
likeratio=$(metric "$out/11.txt" BenchmarkFeedWithLikes feed/raw)
result() { # file label key: a value of FeedPaging's RESULT line
  awk -v l="$2: RESULT " -v k="$3=" 'index($0, l) == 1 { for (i = 1; i <= NF; i++) if (index($i, k) == 1) v = substr($i, length(k) + 1) } END { print v }' "$1"
}
jvmrow() { # file label JVM LIMIT TARGET: a table row of the JVM memory section
  printf '| %s | %s | %s MiB | %s MiB | %s MiB | %s MiB | %s | %s |\n' "$3" "$4" \
    "$(result "$1" "$2" start-rss-mib)" "$(result "$1" "$2" peak-rss-mib)" "$(result "$1" "$2" steady-rss-mib)" \
    "$(result "$1" "$2" steady-heap-mib)" "$(result "$1" "$2" pages-per-s)" "${5:-}"
}
srch() { metric "$out/10.txt" "BenchmarkSearch/$1" "$2"; }
dir() { metric "$out/9.txt" BenchmarkDirectorySearch "$1"; }
dirrow() { # query-kind label
  printf '| %s | p50 %s ms, p99 %s ms | p50 %s ms, p99 %s ms | %s ms | %s ms |\n' "$2" "$(dir "$1-p50-ms")" "$(dir "$1-p99-ms")" \
    "$(dir none-p50-ms)" "$(dir none-p99-ms)" "$(awk -v a="$(dir "$1-p99-ms")" -v b="$(dir none-p99-ms)" 'BEGIN { printf "%+.2f", a - b }')" "$(dir "$1-local-p99-ms")"
}

msg() { metric "$out/$1.txt" "$2" "$3"; }
met() { # value limit: "met" if value <= limit
  awk -v a="$1" -v b="$2" 'BEGIN { print (a != "" && a + 0 <= b + 0) ? "met" : "not met" }'
}
rmms=$(awk -v a="$(msg 17 BenchmarkRemove256 ns/op)" 'BEGIN { printf "%.1f", a / 1e6 }')
rmkb=$(awk -v a="$(msg 17 BenchmarkRemove256 B/rekey)" 'BEGIN { printf "%.1f", a / 1024 }')
ovrow() { # members
  printf '| ordering + crypto bytes per message, group of %s | %s B (a merge of concurrent messages: up to %s B) | 181 B computed (PROTOCOL.md) | | ≤ 200 B, flat in group size | %s |\n' "$1" \
    "$(msg 18 "BenchmarkChatOverhead/members=$1" turns-B/msg)" "$(msg 18 "BenchmarkChatOverhead/members=$1" busy-max-B)" "$(met "$(msg 18 "BenchmarkChatOverhead/members=$1" turns-B/msg)" 200)"
}

ge() { # value limit: "met" if value >= limit
  awk -v a="$1" -v b="$2" 'BEGIN { print (a != "" && a + 0 >= b + 0) ? "met" : "not met" }'
}
tp() { med "$m_tp" BenchmarkThroughput "$1"; }
krow() { # k
  printf '| %s provider(s), each capped at R = 8 MB/s, 16 MiB | %s MB/s, %s × R, %s %% duplicate bytes | ideal %s × R = %s MB/s | %s | ≥ 0.9 | %s |\n' "$1" \
    "$(med "$m_k" "BenchmarkProviders/$1" MB/s)" "$(med "$m_k" "BenchmarkProviders/$1" speed-up)" "$(med "$m_k" "BenchmarkProviders/$1" dup-%)" \
    "$1" "$(( $1 * 8 ))" "$(med "$m_k" "BenchmarkProviders/$1" of-k·R)" "$(ge "$(med "$m_k" "BenchmarkProviders/$1" of-k·R)" 0.9)"
}
refetch=$(grep -o 'refetch bytes: [0-9]*' "$m_kill" | awk '{ print $3 }' | paste -sd' ' -)
refetchmax=$(echo "$refetch" | tr ' ' '\n' | sort -g | tail -1)
libbase=$(sed -nE 's/^libgojni.so before media \(([0-9a-f]+)\): ([0-9]+) bytes/\1/p' "$m_lib")
libbefore=$(sed -nE 's/^libgojni.so before media \(([0-9a-f]+)\): ([0-9]+) bytes/\2/p' "$m_lib")
libafter=$(sed -nE 's/^libgojni.so with media .*: ([0-9]+) bytes/\1/p' "$m_lib")
libadds=$(sed -nE 's/^media adds: ([-0-9]+) bytes.*/\1/p' "$m_lib")
ft() { metric "$m_feed" BenchmarkFeedThumbnails "$1"; }

# Issue 16's tables.
simj() { # N field: a top-level field of the run of N nodes in docs/sim-results.json
  awk -v n="$1" -v f="$2" '/^    "n": / { v = $2; gsub(/[ ,]/, "", v); cur = v } $0 ~ "^    \"" f "\": " && cur == n { v = $2; gsub(/,/, "", v); print v }' docs/sim-results.json
}
simwall() { simj "$1" wall_ns | awk '{ s = $1 / 1e9; printf "%d min %02d s", s / 60, s % 60 }'; }
simcol() { # N column: a cell of simplot's Markdown table (3 N, 6 latency p99, 8 raw p99, 9 ratio, 10 completeness min)
  awk -F'|' -v n="$1" -v c="$2" '$3 + 0 == n { v = $c; gsub(/ /, "", v); print v }' "$out/sim.md"
}
simall100() { awk -F'|' '$3 + 0 > 0 { n++; if ($10 + 0 < 100) bad = 1 } END { print (n && !bad) ? "met" : "not met" }' "$out/sim.md"; }
graphrows() { # the default graphs' degree table (mean 10 follows)
  awk '/PowerLaw\(N, 10, 1.2, seed 1\)/ { f = 1; next } /PowerLaw/ { f = 0 }
    f && $1 ~ /^[0-9]+$/ && NF >= 11 { printf "| %s | %s | %s | %s | %s | %s | %s %% | %s %% | %s |\n", $1, $2, $3, $4, $5, $6, $7, $9, $11 }' "$s_graph"
}
n0() { awk -v a="$1" 'BEGIN { if (a == "") print "–"; else printf "%.0f", a }'; }
n1() { awk -v a="$1" 'BEGIN { if (a == "") print "–"; else printf "%.1f", a }'; }
linear() { # ratio-at-10x 10 ratio-at-100x 100: "met" if each is within 1.5x of proportional
  awk -v a="$1" -v x="$2" -v b="$3" -v y="$4" 'BEGIN { ok = a != "" && b != "" && a / x <= 1.5 && a / x >= 1 / 1.5 && b / y <= 1.5 && b / y >= 1 / 1.5; print ok ? "met" : "not met" }'
}
cc() { metric "$s_cost" "BenchmarkCatchUpCost/held=$1/missing=$2" "$3"; }
ccms() { awk -v n="$2" -v r="$(cc "$1" "$2" entries/s)" 'BEGIN { if (r > 0) printf "%.1f", n / r * 1000; else print "?" }'; }
ccrow() { # held missing
  printf '| %s | %s | %s B (%s) | %s ms (%s) | %s ms (%s) | %s |\n' "$1" "$2" "$(cc "$1" "$2" bytes/sync)" "$(cc "$1" "$2" bytes/base)" \
    "$(ccms "$1" "$2")" "$(cc "$1" "$2" time/base)" "$(cc "$1" "$2" indexed-ms)" "$(cc "$1" "$2" indexed/base)" "$(n0 "$(cc "$1" "$2" entries/s)")"
}
fs() { metric "$s_size" "BenchmarkFeedStoreSize/entries=$1" "$2"; }
fsrow() { # entries
  printf '| %s | %s µs | %s | %s µs | %s | %s s |\n' "$1" "$(fs "$1" p50-µs)" "$(fs "$1" page/base)" "$(fs "$1" raw-p50-µs)" "$(fs "$1" page/raw)" "$(fs "$1" filled-s)"
}
vrrow() { # sub-benchmark unit label: the range of the runs in µs, and the mean against crypto/ed25519's
  awk -v b="BenchmarkVerifyRules/$1" -v u="$2" -v l="$3" '
    $1 ~ "^BenchmarkVerifyRules/stdlib(-[0-9]+)?$" { for (i = 3; i < NF; i++) if ($(i+1) == "ns/op") { bs += $i; bn++ } }
    $1 ~ "^"b"(-[0-9]+)?$" { for (i = 3; i < NF; i++) if ($(i+1) == u) { v = $i; s += v; n++; if (n == 1 || v < lo) lo = v; if (n == 1 || v > hi) hi = v } }
    END {
      if (!n || !bn) { printf "| %s | ? | ? |\n", l; exit }
      r = sprintf("%.1f", lo / 1000); if (sprintf("%.1f", hi / 1000) != r) r = r "–" sprintf("%.1f", hi / 1000)
      printf "| %s | %s | %.2f |\n", l, r, (s / n) / (bs / bn)
    }' "$s_verify"
}
fc() { metric "$s_follow" BenchmarkFollowCost "F$1-$2"; }
fcrow() { # F
  printf '| after (%s) | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(git rev-parse --short HEAD)" "$1" \
    "$(n0 "$(fc "$1" fg-KB/h)")" "$(n0 "$(fc "$1" fg-wakeups/h)")" "$(n0 "$(fc "$1" fg-goroutines)")" "$(n1 "$(fc "$1" fg-rss-MiB)")" \
    "$(n0 "$(fc "$1" bg-KB/h)")" "$(n1 "$(fc "$1" bg-wakeups/h)")" "$(n1 "$(fc "$1" wake-KB)")" "$(n0 "$(fc "$1" bg-start-KB)")" \
    "$(n0 "$(fc "$1" bg-goroutines)")" "$(n1 "$(fc "$1" bg-rss-MiB)")"
}
ft2() { metric "$s_topics" "BenchmarkFollowTopics/F=$1/$2" "$3" | awk '$1 != "" { printf "%g", $1 }'; }
ftrow() { # F
  printf '| %s | %s → %s | %s → %s | %s → %s | %s → %s | %s → %s |\n' "$1" \
    "$(n0 "$(ft2 "$1" all topics)")" "$(n0 "$(ft2 "$1" bounded topics)")" "$(n0 "$(ft2 "$1" all goroutines)")" "$(n0 "$(ft2 "$1" bounded goroutines)")" \
    "$(f2 "$(ft2 "$1" all heap-MiB)")" "$(f2 "$(ft2 "$1" bounded heap-MiB)")" "$(ft2 "$1" all sublist-KB/conn)" "$(ft2 "$1" bounded sublist-KB/conn)" \
    "$(ft2 "$1" bounded ask-all-req-KB/pass)" "$(ft2 "$1" bounded sync-req-KB/pass)"
}

{
cat <<DOC
# Benchmarks

Written by \`make bench\` (\`scripts/bench.sh\`) on $(date -u +%Y-%m-%d), $(nproc) cores,
$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(go version | cut -d' ' -f3).
Every figure is reported beside a baseline measured in the same run, because the
machines are noisy: compare ratios, not absolute numbers, across runs. All
traffic is on 127.0.0.1 or inside network namespaces the benchmark creates.

| benchmark | Skein | baseline (same run) | ratio | target |
|---|---|---|---|---|
| catch-up ingest: 10,000 entries synced from a peer, verified (ZIP-215, in batches) + stored | $(printf %.0f "$ingest") entries/s | single-core \`ed25519.Verify\`: $(printf %.0f "$verify")/s | $iratio | ≥ 40,000/s |
| feed page: 50 newest of $FEED_ENTRIES entries by 1,000 followed authors (p50) | $(awk -v a="$feed" 'BEGIN{printf "%.1f", a/1000}') µs | raw 50-row goleveldb range scan: $(awk -v a="$scan" 'BEGIN{printf "%.1f", a/1000}') µs | $fratio | ≤ 0.5 ms and ≤ 3 |
| feed page as the app gets it: \`Node.Feed\`, 50 of $FEED_ENTRIES entries, with display names, like counts, liked, bookmarked (p50) | $(awk -v a="$lfeed" 'BEGIN{printf "%.1f", a/1000}') µs (\`Store.Feed\` alone: $(awk -v a="$lstore" 'BEGIN{printf "%.1f", a/1000}') µs) | raw 50-row range scan, interleaved: $(awk -v a="$lscan" 'BEGIN{printf "%.1f", a/1000}') µs | $likeratio | ≤ 1.5 |
| live delivery, 20 followers: hand-off to GossipSub → follower's event callback | p50 $pub50 ms, p99 $pub99 ms | raw GossipSub, same stack and topology, interleaved: p50 $raw50 ms, p99 $raw99 ms | $(f2 "$(live pub-p50/raw-p50)") (p50), $(f2 "$(live pub-p99/raw-p99)") (p99) | p99 ≤ 50 ms and ≤ 2 |
| live delivery, 20 followers: same, against raw GossipSub whose subscribers verify each entry's signature | p50 $pub50 ms, p99 $pub99 ms | raw GossipSub + ed25519 check: p50 $rv50 ms, p99 $rv99 ms | $(f2 "$(live pub-p50/rawverify-p50)") (p50), $(f2 "$(live pub-p99/rawverify-p99)") (p99) | (explains the row above) |
| live delivery, 20 followers: \`Post\` call (durable write included) → callback | p50 $post50 ms, p99 $post99 ms | raw GossipSub p50 $raw50 ms, p99 $raw99 ms | $(liver post-p50-ms raw-p50-ms) (p50), $(liver post-p99-ms raw-p99-ms) (p99) | p99 ≤ 50 ms |
| live delivery, 20 followers: process CPU time per post, until its last delivery | Skein $(n0 "$(live skein-cpu-us/post)") µs | raw $(n0 "$(live raw-cpu-us/post)") µs; rawverify $(n0 "$(live rawverify-cpu-us/post)") µs | $(liver skein-cpu-us/post raw-cpu-us/post) (raw), $(liver skein-cpu-us/post rawverify-cpu-us/post) (rawverify) | |
| new follower of an offline author gets its 1,000 posts from 3 holders | $h3 ms | the same from 1 holder: $h1 ms | $hratio (1 holder ÷ 3) | report both |

## Mobile

| benchmark | Skein | beside it (same run) | target |
|---|---|---|---|
| background mode, following 50 authors, 2 peers reachable: traffic | $(printf %.0f "$bgkbh") KB/h | foreground idle: $(printf %.0f "$fgkbh") KB/h | ≤ 200 KB/h |
| background mode, same: network wakeups (seconds with a packet) | $(printf %.1f "$bgwph")/h | foreground idle: $(printf %.0f "$fgwph")/h | ≤ 4/h |
| background mode: the parts of the two rows above | idle $IDLE: $bgidlekb KB in $bgidlew s; one wake: $wakekb KB in $wakes s | | |
| native library: gobind glue, linux/arm64 c-shared, \`-s -w -trimpath\`, packed relocations (Android API 23) | $libmb MB | | ≤ 20 MB: $(met "$libbytes" 20000000) |
| resident memory of a background-mode node following $(printf %.0f "$rssn") authors | $(printf %.1f "$rss") MiB (peak $(printf %.1f "$hwm") MiB) | | report |

- **Idle traffic** (\`cli/internal/powerbench\`): a relay and one device holding
  the authors' logs share a network namespace; two \`skein daemon\` processes,
  each in a namespace of its own behind a veth on a bridge, register and follow
  50 authors. One goes to background mode, the other stays in foreground, and
  both idle for $IDLE while tcpdump on each one's only interface records every
  IP packet: outside the node's code, and nothing but its traffic. Bytes are IP
  packet sizes; a wakeup is a wall-clock second in which a packet was sent or
  received. A background node wakes every 15 minutes, so a 10-minute window may
  hold no wake at all; the cost of a wake is therefore measured over 3 wakes of
  the same node restarted with a 20 s interval (after its first wakes: the one
  at start, before the login, and the first with a session, which looks the
  authors up once per session), and the hourly figure is the idle
  window scaled to an hour plus 4 wakes. Foreground mode keeps connections
  alive (yamux and QUIC keepalives, GossipSub heartbeats): that is the cost
  background mode avoids.
- **Library size** (\`scripts/libsize.sh\`, see docs/DEPENDENCIES.md): the gobind JNI
  glue of \`./mobile\` built as gomobile builds it, but for linux/arm64 with
  Debian's cross compiler, linked by lld with Android's packed relocations
  (minimum API 23), a proxy for the Android \`libgojni.so\`. What it took from
  28.6 MB and what stands in the way of 20 MB: "Scale and cost", below.
- **Memory**: after the traffic figures, the background node goes to
  foreground, follows authors up to $(printf %.0f "$rssn") and holds one post of each,
  returns to background, and VmRSS/VmHWM are read from \`/proc\` 5 s later.

What each one does:

- **Catch-up ingest** (\`core/bench_test.go\`): an author node holds 10,000 signed
  posts; a fresh node connects over TCP on loopback and runs the sync protocol.
  The time covers request, streaming, signature verification in ZIP-215
  batches on every core (see "Scale and cost"), chain checks and unsynced
  LevelDB batch writes. The baseline is \`ed25519.Verify\` of a 200-byte
  message on one goroutine, in the same run. Three runs: the row is the run
  with the median entries/s.
- **Feed page** (\`core/internal/store/bench_test.go\`): one reader following 1,000
  authors; \`Store.Feed(limit 50)\` is one range scan over the reader's feed index,
  whose rows carry a copy of the entry. The baseline reads the same 50 rows
  straight from the KV.
- **Feed page as the app gets it** (\`core/likes_bench_test.go\`, \`BenchmarkFeedWithLikes\`):
  the same reader and authors, every author with a profile, the newest 2,000 posts
  liked by three accounts and every other one by the reader. Each iteration times
  the raw scan of the 50 rows, \`Store.Feed\` and \`Node.Feed\` one after the other, so
  the three share the machine's state. **The ≤ 1.5 target is not met** (2.05 at
  1,000,000 entries): \`Store.Feed\` alone is 1.26× the scan, and turning 50 entries
  into \`Post\`s costs about 0.5 µs each: the hex ID and key strings and the text, the
  name and display name of each of the 50 distinct authors, the like count and
  "liked", and the bookmark flag. Not re-validating stored texts and sizing the
  page's author map once took it from 36.8 to 33.1 µs at 20,000 entries.
- **Live delivery** (\`core/bench_test.go\`): three networks in one process, each
  an author and 20 followers on loopback: Skein (a relay, full Nodes with DHT,
  GossipSub and LevelDB; each follower followed the author by name), raw
  GossipSub on the same libp2p/GossipSub configuration (\`p2p.New\`, topic
  scoring as Skein's followers set it) with 20 plain hosts connected to the
  publisher, and the same with each subscriber checking the entry's signature
  in an inline validator (rawverify). They take turns post by post, each first
  in turn, so that load from other processes falls on the three alike. Skein's
  clock starts when the stored entry is handed to GossipSub, the baselines'
  when the built and signed message is; the \`Post\` row starts at the \`Post\`
  call, so it includes signing and the synced (fsync) LevelDB write that
  \`Post\` waits for. Each network also reports the process CPU time a post
  costs until its last delivery, which moves much less with the machine's
  load than the latencies do. Three runs: each figure is the median over
  them, each ratio computed within its run.
- **Offline author** (\`core/bench_test.go\`): an author with 1,000 posts, followed by
  1 or 3 holders who synced them and announced it in the DHT, goes offline. A new
  follower calls \`Follow\`; the clock stops when it holds all 1,000. That covers
  the provider lookup and the fetch (the attempt at the author's device runs
  alongside). 1,000 entries are below the size at which the fetch is split
  across holders (1,024 per holder): on loopback, connecting to more holders
  costs more than it saves, so both cases fetch from one holder and the ratio
  shows that more holders cost nothing. Nodes listen on TCP only here.
- **Why live delivery is above 2× raw GossipSub here**: every follower must check
  the entry's Ed25519 signature before accepting or forwarding it (50–60 µs),
  and in this benchmark all 20 followers share the machine's cores, so the
  last follower waits for about 20 × 55 µs / cores of verification that, on
  real devices, would run in parallel on 20 phones: rawverify alone is
  2.3–2.6× raw at p50. What Skein adds beyond the check is the follower's store
  write (14 µs per delivery: entry, ID index, feed row, head), the event to the
  Watch callback (about 5 µs), and, once per post on the author, the synced
  write and the search indexing of its own post, which run on the author's
  device ("Scale and cost" has the profile).

## Scale and cost (issue 16)

| benchmark | Skein | baseline (same run) | ratio | target | met? |
|---|---|---|---|---|---|
| catch-up ingest: 10,000 entries synced from a peer, verified in ZIP-215 batches + stored (the first table's row) | $(printf %.0f "$ingest") entries/s | single-core \`ed25519.Verify\`: $(printf %.0f "$verify")/s | $iratio | ≥ 40,000/s | $(ge "$ingest" 40000) |
| catch-up of one log: bytes of the sync answers, 10,000 and 100,000 entries missing, nothing held | $(cc 0 10000 bytes/base) ×, $(cc 0 100000 bytes/base) × | 1,000 missing: $(cc 0 1000 bytes/sync) B | | linear in what is missing (within 1.5 ×) | $(linear "$(cc 0 10000 bytes/base)" 10 "$(cc 0 100000 bytes/base)" 100) |
| same, 1,000 missing with 10,000 and 100,000 held | $(cc 10000 1000 bytes/base) ×, $(cc 100000 1000 bytes/base) × | 1,000 missing, nothing held | | flat in what is held (≤ 1.5 ×) | $(met "$(awk -v a="$(cc 10000 1000 bytes/base)" -v b="$(cc 100000 1000 bytes/base)" 'BEGIN { print (a > b) ? a : b }')" 1.5) |
| catch-up time (\`syncPeer\`), 10,000 and 100,000 missing, nothing held | $(cc 0 10000 time/base) ×, $(cc 0 100000 time/base) × | 1,000 missing: $(ccms 0 1000) ms | | linear in what is missing (within 1.5 ×) | $(linear "$(cc 0 10000 time/base)" 10 "$(cc 0 100000 time/base)" 100) |
| same, 1,000 missing with 10,000 and 100,000 held | $(cc 10000 1000 time/base) ×, $(cc 100000 1000 time/base) × | 1,000 missing, nothing held | | flat in what is held (≤ 1.5 ×) | $(met "$(awk -v a="$(cc 10000 1000 time/base)" -v b="$(cc 100000 1000 time/base)" 'BEGIN { print (a > b) ? a : b }')" 1.5) |
| catch-up until the posts are also search-indexed, 10,000 and 100,000 missing | $(cc 0 10000 indexed/base) ×, $(cc 0 100000 indexed/base) × | 1,000 missing: $(cc 0 1000 indexed-ms) ms | | linear in what is missing (within 1.5 ×) | $(linear "$(cc 0 10000 indexed/base)" 10 "$(cc 0 100000 indexed/base)" 100) |
| feed page (\`Store.Feed\`, 50 posts, p50) in a store of $FEED_MAX entries | $(fs "$FEED_MAX" p50-µs) µs | the same page at 1,000,000 entries: $(fs 1000000 p50-µs) µs; raw range scan of the 50 rows: $(fs "$FEED_MAX" raw-p50-µs) µs | $(f2 "$(awk -v a="$(fs "$FEED_MAX" p50-µs)" -v b="$(fs 1000000 p50-µs)" 'BEGIN { if (b > 0) print a / b }')") (÷ 1M), $(f2 "$(fs "$FEED_MAX" page/raw)") (÷ raw) | flat from 1M (≤ 1.5 ×), ≤ 0.5 ms | $(met "$(awk -v a="$(fs "$FEED_MAX" p50-µs)" -v b="$(fs 1000000 p50-µs)" 'BEGIN { if (b > 0) print a / b }')" 1.5), $(met "$(fs "$FEED_MAX" p50-µs)" 500) |
| live delivery, 20 followers, hand-off → callback (the first table's rows) | p50 $pub50 ms, p99 $pub99 ms | raw GossipSub: p50 $raw50 ms; with a signature check: p50 $rv50 ms | $(f2 "$(live pub-p50/raw-p50)") (p50), $(f2 "$(live pub-p99/raw-p99)") (p99); $(f2 "$(live pub-p50/rawverify-p50)") against the check (p50) | ≤ 2 | $(met "$(live pub-p50/raw-p50)" 2) |
| phone library (the "Mobile" row) | $libmb MB | | | ≤ 20 MB | $(met "$libbytes" 20000000) |
| a phone following 1,000 authors, background mode: traffic | $(n0 "$(fc 1000 bg-KB/h)") KB/h | following 10: $(n0 "$(fc 10 bg-KB/h)") KB/h | | ≤ 200 KB/h | $(met "$(fc 1000 bg-KB/h)" 200) |
| same, foreground: traffic, goroutines | $(n0 "$(fc 1000 fg-KB/h)") KB/h, $(n0 "$(fc 1000 fg-goroutines)") goroutines | following 10: $(n0 "$(fc 10 fg-KB/h)") KB/h, $(n0 "$(fc 10 fg-goroutines)") goroutines | | report | |

### Catch-up ingest with batch verification

Every Skein signature (entries, chat entries, name records, keep requests,
prekey records) is verified by one rule, \`entry.VerifySignature\`: ZIP-215
with small-order keys refused (PROTOCOL.md, "Signature verification", with
its vectors). RFC 8032's cofactorless rule cannot be batch-verified with the
same answers as one at a time; ZIP-215 can. \`entry.VerifyBatch\`
(\`core/internal/entry/verify.go\`) checks up to 128 signatures with one
multiscalar multiplication, with random 128-bit coefficients and **one term
per distinct author** (a sync answer is runs of one author's entries, so a
batch of 128 costs 130 points, not 257), and falls back to one by one when a
batch fails, to name the first bad entry; \`verifyAll\` (\`core/node.go\`)
cuts each 256-entry sync batch into one contiguous part per core. It is
built on filippo.io/edwards25519, already linked: a first version on
github.com/oasisprotocol/curve25519-voi was as fast here but added 234,176
bytes to the phone library against 65,696 (branch \`ingest\`, 2026-12-05).

Cost per signature, one author, one core (\`BenchmarkVerifyRules\`, the range
of the runs):

| verification | µs / signature | ÷ \`crypto/ed25519\` (mean of the runs) |
|---|---:|---:|
$(vrrow stdlib ns/op '`crypto/ed25519.Verify` (the rule before issue 16)')
$(vrrow single ns/op '`entry.Verify`, ZIP-215, alone')
$(vrrow batch8 ns/sig 'batch of 8')
$(vrrow batch32 ns/sig 'batch of 32')
$(vrrow batch64 ns/sig 'batch of 64')
$(vrrow batch128 ns/sig 'batch of 128')
$(vrrow batch256 ns/sig '256 (two batches of 128)')

- **Catch-up ingest** (\`BenchmarkCatchUpIngest\`, \`core/bench_test.go\`): see
  "What each one does" below; three runs, the figure is the run with the
  median entries/s, its baseline measured in it.
- **Where the rest of the time goes** (CPU profile of the ingest path,
  \`go test -run '^\$' -bench BenchmarkCatchUpIngest -benchtime 10x -cpuprofile cpu.out ./core/\`,
  2026-12-05, 100,000 entries): signature batches 13.6 µs of CPU an entry
  (the multiscalar multiplication 8.4, decoding *R*, a square root each, 3.9),
  the search index of the posts, built after the sync, about 10, \`store.Append\`
  4.6 (LevelDB memtable inserts), \`entry.Parse\` 1.2 (two SHA-256). Of the
  bytes allocated, 34 % is \`store.Batch.Put\` growing its buffer.

### Catch-up cost against entries missing and held

| held | missing | bytes of the answers (÷ base) | \`syncPeer\` time (÷ base) | until search-indexed (÷ base) | sync entries/s |
|---:|---:|---:|---:|---:|---:|
$(ccrow 0 1000)
$(ccrow 0 10000)
$(ccrow 0 100000)
$(ccrow 10000 1000)
$(ccrow 100000 1000)

![catch-up cost against entries missing, as a ratio to 1,000 missing: time, time until search-indexed and bytes, with the cases where 10,000 or 100,000 entries are already held](catchup-cost.svg)

- **Catch-up cost** (\`core/catchup_bench_test.go\`, \`BenchmarkCatchUpCost\`):
  one author's log of 101,000 signed posts; a node holding its first
  *held + missing* entries serves it over loopback (sync budgets lifted); a
  new follower holding the first *held* entries, stored and search-indexed as
  if an earlier sync had brought them (one prepared data directory, copied per
  case), calls \`syncPeer\`. Per case: the time of \`syncPeer\`, the time until
  the follower's search index also holds the new posts, and the bytes of the
  sync answers as the follower reads them; the base (÷ base) is the first
  case, nothing held and 1,000 missing, of the same run. The benchmark draws
  the plot.
- Past 20,000 queued posts the search indexer no longer indexes in the
  caller (the sync's goroutine) but restarts its background build (commit
  8c28f1f): before that, a catch-up of 100,000 entries took 59–213 s
  (617–1,705 entries/s in three runs) at the index's pace.

### Feed page against store size

| entries in the store | feed page p50 | ÷ at 100,000 | raw scan of the 50 rows, p50 | page ÷ raw | store filled after |
|---:|---:|---:|---:|---:|---:|
$(fsrow 100000)
$(fsrow 1000000)
$(fsrow "$FEED_MAX")

![feed page p50 against store size, with the raw range scan of the same rows](feed-store-size.svg)

- **Feed page against store size** (\`core/feedsize_bench_test.go\`,
  \`BenchmarkFeedStoreSize\`): one store (LevelDB), one local account following
  1,000 authors, filled in place one entry per author in turn (later rounds
  newer); at each size, after 1 s for compaction to settle, 300 reads of the
  newest feed page of 50 posts (\`Store.Feed\`), each followed by a raw range
  scan of the same 50 feed rows. The entries carry a zero signature and are
  appended directly: the store does not verify (its callers do), and signing
  would dominate the fill. A page is one range scan, so what grows is
  LevelDB's levels: from 100,000 entries (the rows still in the memtable) to
  1,000,000 (in the levels) the raw scan grows as much as the page.

### Live delivery: what Skein adds per delivery

Target ≤ 2× raw GossipSub: **not met**, and not reachable on this machine by
cutting Skein's code: raw GossipSub whose subscribers only check the
signature is already $(liver rawverify-p50-ms raw-p50-ms) × raw at p50 in this run,
because the 20 followers verify on the machine's $(nproc) shared cores (the last
follower waits for about 20 × 50–60 µs / cores of verification that 20
phones would do in parallel). Skein is $(f2 "$(live pub-p50/rawverify-p50)") × that at p50.
The p99 ratios move with the load of the shared machine (issue 16's runs
gave pub-p99 ÷ raw-p99 from 0.9 to 8.5 for one binary): compare the p50
ratios and the CPU per post.

- **Live delivery** (\`core/bench_test.go\`, \`BenchmarkLiveDelivery\`): see
  "What each one does". Three runs; each figure is the median over them of
  the figure or the ratio, every ratio computed within its run.
- **What Skein adds beyond the signature check**, from a CPU profile of 1,000
  posts × 20 followers (2026-12-05): the follower's store write, now one
  LevelDB write of four keys (entry, ID index, feed row, head; 14 µs, was 27:
  \`store.AppendSeen\` records the known seq in the entry's batch and not at all
  for the head of a followed log, and reuses LevelDB batches), the event to the
  \`Watch\` callback (3–5 µs), and, once per post on the author, the synced
  write (about 210 µs of CPU) and the search indexing of its own post (about
  130 µs), now after the entry is handed to GossipSub. CPU that Skein adds over
  raw GossipSub with the signature check went from 1,164 to 898 µs a post
  (median of six interleaved runs each). The lever left is the signature check
  itself (per-author precomputed tables for \`[k]A\`, keeping the shared rule):
  not done.

### The phone library

$libmb MB (\`scripts/libsize.sh\`, the "Mobile" row): 28,595,624 bytes before
issue 16 (e0517de), 23,014,112 after it (2026-12-05), with:

| lever | bytes saved | size after | command |
|---|---:|---:|---|
| start (e0517de) | | 28,595,624 | \`scripts/libsize.sh\` |
| google.golang.org/protobuf v1.36.11 → v1.36.12: the linker eliminates unused methods again | −3,687,808 | 24,907,816 | \`go get google.golang.org/protobuf@v1.36.12 && scripts/libsize.sh\` |
| packed relocations (APS2, \`-Wl,--pack-dyn-relocs=android\`, linked with lld), **minimum Android API 21 → 23** | −1,893,704 | 23,014,112 | \`scripts/libsize.sh\` |
| *not taken:* RELR (minimum API 28) | −379,160 more | 22,634,952 | \`ANDROID_API=28 scripts/libsize.sh\` |
| *not taken:* no inlining outside the standard library | −1,106,336 | 21,907,776 | \`GOFLAGS='-gcflags=all=-l -gcflags=std=' scripts/libsize.sh\` |
| *not taken:* no inlining at all | −1,819,104 | 21,195,008 | \`GOFLAGS='-gcflags=all=-l' scripts/libsize.sh\` |
| *no gain:* Go 1.27.3 | +200,928 (unpacked) | | \`GOTOOLCHAIN=go1.27.3\`, same build |

- **Reflect methods**: protobuf v1.36.11's \`internal/descfmt\` called
  \`MethodByName("Methods")\` with a constant name, which made the linker keep
  every method named \`Methods\`, \`reflect.Value.Methods\` among them, whose
  closure is marked \`<ReflectMethod>\` (golang/go#77222) and turns off dead-method
  elimination for the whole library. v1.36.12 calls the interface's
  \`Methods()\` instead. Found with \`go build -ldflags=-dumpdep\`.
- **Minimum API 23**: packed relocations load on Android from API 23 (RELR
  under Android's tags from 28, the standard ones from 30: bionic's
  [android-changes-for-ndk-developers.md](https://android.googlesource.com/platform/bionic/+/main/android-changes-for-ndk-developers.md)).
  API 23 drops **1.8 % of devices** (98.0 % can install against 99.8 % at API 21;
  API 28 would drop 6.3 % for 0.38 MB more), from
  [apilevels.com](https://apilevels.com) (April 2026 Statcounter data); Google's
  own figure for API 21–22 is 0.6 % (Android Studio's wizard, April 2025,
  quoted in android/ndk#2188). AndroidX and Google Play services already
  require API 23. \`bind/android.sh\` builds with \`-androidapi 23\` and the
  packing flag; \`android-demo\`'s minSdk is 23. Not yet loaded on a device
  (no SDK or device on this machine).
- **What stands in the way of 20 MB** (3.0 MB to go): code go-libp2p and
  kad-dht link whatever options Skein gives them, never run on the phone:
  zap and go-log (≈ 374 KB of file), OpenTelemetry tracing (≈ 248 KB), IPNS
  validation with go-ipld-prime and boxo (438,816 bytes measured by building
  with a kad-dht copy without it), Prometheus through the relay's metrics
  tracer (≈ 240 KB), quic-go's qlog (≈ 130 KB), AutoNAT v2 (≈ 93 KB) and
  go-libp2p-kbucket's 256 KiB prefix table: about 2.0–2.6 MB together, all
  upstream work (options to leave them out). Even then the library would be
  20.4–21.0 MB at API 23; below 20 MB also needs no inlining outside the
  standard library (slower code) or smaller code of Skein's own (30 shapes of
  \`slices.SortFunc\`, ≈ 0.6 MB). \`scripts/libsize.sh --check\` (run by
  \`make bind-check\`) fails above \`bind/libsize-budget.txt\` (23,500,000) or
  when a \`<ReflectMethod>\` is reached again.

### Following many authors

| run | authors followed | fg KB/h | fg wakeups/h | fg goroutines | fg RSS MiB | bg KB/h | bg wakeups/h | one wake KB | bg restart and login KB | bg goroutines | bg RSS MiB |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
| before (9fae5ef) | 10 | 770 | 600 | 158 | 36.1 | 176 | 5.3 | 44.0 | – | 68 | 34.3 |
| before (9fae5ef) | 100 | 2090 | 1308 | 398 | 41.4 | 253 | 5.3 | 63.2 | – | 68 | 39.6 |
| before (9fae5ef) | 1000 | 11325 | 1944 | 2198 | 70.2 | 551 | 5.3 | 137.9 | – | 68 | 51.0 |
| topics bounded (fb5630b) | 10 | 1075 | 552 | 158 | 36.4 | 202 | 4.0 | 50.6 | – | 68 | 34.5 |
| topics bounded (fb5630b) | 100 | 1191 | 1320 | 399 | 42.2 | 177 | 4.0 | 44.4 | – | 68 | 38.9 |
| topics bounded (fb5630b) | 1000 | 1848 | 1716 | 399 | 53.8 | 211 | 4.0 | 52.7 | – | 68 | 47.1 |
$(fcrow 10)
$(fcrow 100)
$(fcrow 1000)

![idle traffic, wakeups and goroutines of a phone against the authors it follows, foreground and background, before and after](follow-cost.svg)

In process (\`BenchmarkFollowTopics\`): one node, F follows in its store,
topics chosen as at a login; "all" is every followed author live (before),
"bounded" the rule now; sync request bytes are one periodic pass with 20
devices and the relay connected, asking every peer for every log (before)
and each peer for the logs it holds (now). Heap is one sample after a GC:
noise below 1 MiB.

| F | live topics (all → bounded) | goroutines | heap MiB | subscription list per connection, KB | sync requests of one pass, KB |
|---:|---|---|---|---|---|
$(ftrow 10)
$(ftrow 100)
$(ftrow 1000)

- **Setup** (\`cli/internal/powerbench/follow_test.go\`, \`BenchmarkFollowCost\`,
  root: network namespaces and tcpdump): a relay and 20 authors' devices, each
  a \`skein daemon\` in a namespace of its own on a bridge; 1,000 authors
  registered, author *i* on device *i* mod 20, each with one post. Two phones
  (daemons, each alone in a namespace behind a veth) follow the authors 10,
  then 100, then 1,000 (cumulative) and hold a post of each. At each count one
  phone goes to background and the other stays in foreground, and both are
  captured for 5 minutes (one periodic sync pass). The background phone is then
  restarted with a 20 s wake interval; its first two wakes (at start, and the
  login, which looks every followed author's device up once per process) are
  the "restart and login" column, and the next 3 give "one wake". Background
  per hour is the idle window (nothing in every run) plus 4 wakes. Goroutines
  from the daemon's status, RSS from \`/proc\`. The plot is this run's points
  beside the curves before issue 16 (\`docs/follow-cost-before.jsonl\`) and
  after its first change (\`docs/follow-cost-topics.jsonl\`), by
  \`go run ./cli/internal/powerbench/followplot\`. With 10 authors 10 devices
  are connected, from 100 on all 20.
- **The change** (commit fb5630b): a sync asks each peer only for the logs it
  holds (\`Node.wantsFor\`: before, 40 bytes per followed author to every peer,
  840 KB a pass with 1,000 authors and 21 peers); at most 100 followed authors
  have a live GossipSub topic, the most recently active, chosen again after
  every periodic sync (the others' posts come with the sync, within 5 minutes);
  at most 64 followed logs are announced as held (the 64 whose SHA-256(peer ID
  ‖ author key) is least, so followers share the announcing); background wakes
  go round the followed authors' devices. docs/ARCHITECTURE.md, "Delivery".
- **Background wakes over TCP** (commit 8b9298b, \`p2p.Host.PreferTCP\`):
  outside foreground mode the node dials TCP addresses first and QUIC a
  second later. A wake is three short connections (two authors' devices and
  the relay); over QUIC each cost about 16 KB (the handshake padded to full
  datagrams, two for the post-quantum key share, and four or five 1.4 KB
  path-MTU probes quic-go sends on every connection) for about 1.5 KB of
  Skein's bytes, over TCP about 6.5 KB: one wake 18.6–22.3 KB instead of
  44–53. A new process (a restart, a killed app) looks up every followed
  author's device once: the restart and login column. The bench has no
  followers but the two phones and a one-server DHT: meshes are empty and
  provides cheap here; on a real network each new connection also carried
  87 KB of subscriptions at 1,000 authors before the first change (8.7 KB
  now).

## Scale: the 500-node simulation

| benchmark | Skein | baseline (same run) | ratio | target | met? |
|---|---|---|---|---|---|
| \`make sim\`: 500 full nodes in one process (in memory): set-up, window, settle, close, raw baseline (the sweep's N = 500) | $(simwall 500) wall time | | | ≤ 2 min | $(met "$(simj 500 wall_ns | awk '{ printf "%.0f", $1 / 1e9 }')" 120) |
| completeness: the share of its authors' posts the least complete follower that came back holds, N = 50, 100, 200, 500 | $(simcol 50 10), $(simcol 100 10), $(simcol 200 10), $(simcol 500 10) % | | | 100 % | $(simall100) |
| live delivery p99, hand-off to GossipSub → follower's callback, N = 50, 100, 200, 500 | $(simcol 50 6), $(simcol 100 6), $(simcol 200 6), $(simcol 500 6) ms | raw GossipSub on the same topology: $(simcol 50 8), $(simcol 100 8), $(simcol 200 8), $(simcol 500 8) ms | $(simcol 50 9), $(simcol 100 9), $(simcol 200 9), $(simcol 500 9) | report | |

$(cat "$out/sim.md")

![latency, completeness, bytes and CPU per node against the number of nodes N](sim-curves.svg)

- **The harness** (\`core/sim_test.go\`, \`make sim\`): N full Skein nodes in
  one process, each a \`core.Node\` with its own LevelDB store (in
  \`/dev/shm\`), libp2p host, DHT client, GossipSub and sync, and 2 relays
  (\`core.Relay\`: DHT servers, name anchors, bootstrap peers). Each node
  registers an account, follows its authors in a power-law graph (below;
  mean 10 follows) through \`Node.Follow\` (warm start: names from the run's
  directory, each node's follows 200 ms apart, 64 nodes at a time), then
  during a 15 s window posts arrive as a Poisson process at N/20 posts/s,
  10 % of the nodes close and reopen on their data directory and 10 % go to
  background mode and back; the run settles for at most 20 s (until every
  follower holds every post of its authors), measures, closes, and runs raw
  GossipSub on the same topology (bare \`p2p.New\` hosts, each follower
  connected to each author it follows, the same posts, no churn). Every phase
  is bounded. Below 200 nodes the hosts talk over loopback TCP; from 200 over
  an in-memory \`transport.Transport\` whose connections are upgraded by each
  host's own Noise, yamux, resource manager and gater (go-libp2p's mocknet
  replaces the swarm, so Skein's inbound limits and byte counters would not
  run), each node on a /24 of its own, as phones on different networks: 500
  nodes over TCP would need about 20,000 file descriptors, the hard limit here.
- **What it measures** (\`sim.Result\`): latency from the author's hand-off to
  GossipSub (after the durable write) to the follower's \`Watch\` callback,
  over live deliveries (not to a follower away at the time, nor of posts
  written in background); completeness, the share of its authors' posts each
  follower's store holds at the end, over the followers that went away and
  came back; bytes and messages per node per hour, split into gossip data,
  gossip control, sync and other Skein streams, DHT and the rest (swarm
  metrics per stream and a GossipSub tracer), from the window's start to the
  end of the settle time; CPU and RSS of the process divided by N (relays
  included: one process cannot split them per node); DHT lookup times. The
  log says how many follows are not ready before the window and at the end,
  and why (no connection, or one without the subscription known).
- **500 nodes in 1 min 40 s**: three \`make sim\` runs back to back at
  12:31–12:36 UTC, nothing else running, took 102.7, 102.5 and 104.0 s with
  the build (the test 101.4, 101.1 and 104.0 s); the first: start-up 4.6 s,
  follows 37.1 s, readiness 15.2 s, window 15.6 s, settle 1.8 s (every
  follower held every post), closing 3.9 s, raw baseline 23.2 s. The
  sweep's N = 500 took 1 min 43 s. Before the GossipSub fixes of the next
  point, 4 of 11 runs went over 2 minutes (89 to 131 s): each lost a live
  delivery or more with neither side away, repaired only by the periodic
  sync 5 minutes on, so the run waited out its 20 s settle bound; none has
  since (settle 1.0–1.8 s). What is left is the follows (30–37 s: 4,866
  follows on two cores, each a durable write, a topic joined, a notice, a
  sync and a profile fetch) and the raw baseline (23 s). It took 11 min 30 s
  before (follows 198.5 s, readiness 175.8 s, window stretched to 138 s,
  closing 134.8 s), for four reasons, each fixed: GossipSub's peer exchange
  (below) gave each node five times the connections, and the machine
  fell behind real time; the paced follows ran 8 nodes at a time (now 64);
  the readiness wait ran to its bound for the followers a popular author's
  device refuses (it now stops after 5 s without progress); and the
  in-memory transport made a multiaddr on every stream (8 % of the CPU).
- **No follow is left without its subscription known** (commits 08f8123,
  5d78dc2; ARCHITECTURE.md, "GossipSub streams mended"): GossipSub learns a
  follower's subscription from the first message of the follower's stream
  only, and forgot it for as long as the connection lasted in three ways:
  an old stream's end handled after a new stream's first message, its own
  stream dying and opened again while the follower's lived on, and its one
  attempt to open its stream failing. \`p2p.gossipHost\` orders the incoming
  streams and closes the connection when GossipSub reopens its own (both
  then start anew on a new one); a follower closes and redials a connection
  to a live author's device on which a GossipSub stream is missing for two
  checks 10 s apart (\`redial.Config.Check\`, \`TestHalfOpenRedialled\`).
  \`make sim\`, N = 500, 11:58–12:36 UTC:

  | code | runs | follows connected, subscription unknown (before the window / at the end) | live deliveries lost | settle | wall time |
  |---|---:|---|---:|---|---|
  | before (6fd8875, with the log of the streams) | 4 | 7/3, 10/7, 27/13, 9/5 | 1, 0, 1, 1 | 20.5, 2.2, 20.4, 20.5 s | 2 min 1 s, 1 min 34 s, 2 min 4 s, 1 min 51 s |
  | incoming streams in order, half-open check | 2 | 1/1, 6/4 | 0, 2 | 1.2, 20.3 s | 1 min 37 s, 2 min 4 s |
  | and the connection closed when GossipSub reopens its stream (the head) | 4 | 0/0, 0/0, 0/1, 1/1 | 0, 0, 0, 0 | 1.2, 1.8, 1.4, 1.0 s | 1 min 43 s, 1 min 41 s, 1 min 41 s, 1 min 44 s |

  The sweep above: none at N = 50, 100 and 200, 1 at 500 (a connection whose
  author's stream is missing, closed at most once per sync interval). A run
  closes 38 to 91 half-open connections at N = 500, and none below.
- **Peer exchange is off** (commit 136db61, PROTOCOL.md "Gossip"): an
  author's mesh keeps at most 12 followers, and with peer exchange each one
  it prunes got up to 16 other followers' records and dialled them. Two
  runs of N = 200 (\`make sim SIM_N=200\`, and with \`SIM_FLAGS=-sim.px\`),
  before the fixes of the next point (09:23 and 09:28 UTC, load below 1):

  | N = 200 | connections/node | unrelated peers/node | gossip control KB/node/h | gossip data KB/node/h | CPU s/node/h | latency p50 / p99 | closing 200 nodes | returning complete (min / mean) | measured |
  |---|---:|---:|---:|---:|---:|---|---:|---|---:|
  | peer exchange on (as before) | 121.0 | 97.1 | 44,340 | 5,502 | 34.27 | 128.8 / 2,308.6 ms | 32.4 s | 100.00 / 100.00 % | 19.3 s |
  | off | 25.3 | 7.0 | 2,931 | 1,663 | 3.91 | 8.8 / 54.0 ms | 0.8 s | 88.89 / 99.72 % | 45.0 s |

  The per-hour rates divide by the measured time (window and settle),
  longer without peer exchange because some posts were still missing at the
  settle bound, so they flatter it by up to 2.3 ×; the connections and the
  closing time do not depend on it. With every fix of the next point, peer
  exchange on (\`-sim.px\`, 10:12 UTC) still gave 112.2 connections per node
  (87.1 unrelated), a p99 of 2,139.7 ms against 126.8 ms raw (16.9 ×),
  75.00 % for the least complete returning follower, and 4 min 8 s of
  wall time (its raw baseline's teardown alone 136.8 s: the hang that kept
  the raw baseline off at 200 and 500 before was this).
- **Every returning follower gets every post**: peer exchange was how
  followers heard of an author's return; without it:
  - an account back from away (power off, background mode or a restart)
    dials the holders the DHT names and up to 128 of its followers'
    devices, whose signed name records their follow notices brought (kept
    in the store, \`m follower/<key>\`); each connection makes the follower
    sync (commits 3ea6e7e, 2f1c7ae), and looks up by name the followers
    whose device does not answer (3d6cb91: a restart on another port, a
    phone on another network). \`TestReturnReachesFollowers\`: 11
    followers, power off, restart, and followers restarted elsewhere;
  - a new follow tries the author's device again 2, 4, 8 and 16 s apart
    until it answers (3434668);
  - in foreground mode a dropped connection to a followed author's device
    is dialled again after 1, 4 and 16 s (57aead2, \`TestReconnectFollowed\`);
  - a connection on which go-libp2p's identify failed is closed, so that a
    new one is identified (aa8c6d7, \`TestUnidentifiedClosed\`): at N = 500
    identify timed out on about 100 of the follows' connections, on which
    GossipSub then never learnt the follower's subscription.

  The name lookup closed the last gap, over loopback TCP where a restart
  changes a node's port: 6 followers of node 3 (85 followers) at N = 100,
  and 1 at N = 50, had restarted while their author was in background,
  came back before it, and lacked the post it wrote there until their
  periodic sync (50.00 % and 91.67 % for the least complete returning
  follower in the two sweeps before it, 100 % since).
- **The tail of live delivery is a popular author's refused followers**: a
  device accepts 144 unimportant inbound connections (the inbound limits),
  so at N = 500 about 690 of the 4,866 follows (authors with 141 to 428
  followers) have no connection to the author's device; those followers get
  its posts from followers they hold the log with, by GossipSub's mesh or by
  gossip a heartbeat later: at N = 500, p99 400.7 ms against 59.7 ms raw
  in the sweep (6.7 ×), and 1.3 to 14.0 × in the four \`make sim\` runs of
  the head, where raw GossipSub connects every follower to every author.
  At N = 50 and 100 p99 is 0.6–0.7 × raw in the sweep, at 200 1.4 ×
  (0.8–5.9 × in the sweeps before).
- **Set-up through the DHT does not scale on two relays**: with a DHT lookup
  per follow (\`-sim.lookups\`), follows went at 15–45 a second and at
  N = 200 only 1,183 of 1,936 within the bound: the relays are the only DHT
  servers, go-libp2p-kad-dht sends a node's requests to one peer one at a
  time, and each follow adds a provider record and a name-record
  republication ahead of the next lookup. Hence the warm start.

**The simulated network.** \`sim.PowerLaw(n, meanOut, alpha, seed)\`
(\`core/internal/sim\`) gives each node a random popularity rank *r* and has
every follow pick its author with weight 1/*r*^alpha, so a few accounts are
followed by many and most by few; each node follows 1 to 2·meanOut − 1
authors (meanOut on average), never itself, never twice. Followers per
author in the default graphs (meanOut 10, alpha 1.2, seed 1):

| N | follows | p50 | p90 | p99 | max | top 1 % share | top 10 % share | no followers |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
$(graphrows)

![followers per author against popularity rank, the default 500-node graph](sim-graph.svg)

\`sim.NewSchedule\` draws the posts (a Poisson process over the network, each
by an author drawn among the nodes online then), the nodes that go offline
once for half the window and come back, and a disjoint share that go to
background and back; all are back by the end of the window. Percentiles are
nearest-rank; per-node rates are per hour of measured time. Everything is a
pure function of its arguments and the seed, so a run's graph and schedule are
the same on every machine.

Commands: \`make sim\` (N = 500, prints its table; \`SIM_N=n\` for another
size, \`SIM_FLAGS\` for TestSim's flags), the sweep and its plot as
\`make bench\` runs them (below, "Raw output"), \`go run
./core/internal/sim/simplot -in docs/sim-results.json -md\` for the table from
the saved results, \`go test -count=1 -run '^TestDefaultGraph\$' -v
./core/internal/sim/\` for the graph's table, and \`go test -run TestSimSmoke
./core/\` (12 nodes, part of \`make test\`).

## Behind NATs

| benchmark | Skein | beside it (same run) | ratio |
|---|---|---|---|
| daemons started behind two NATs → the first post delivered through the relay | $natfirst s | | |
| endpoint-independent NATs: relayed connection → direct one by hole punching | $natup s | | |
| catch-up of 5,000 entries through the relay (author behind a symmetric NAT) | $(printf %.0f "$natrelay") entries/s | the same catch-up directly, author on the internet side: $(printf %.0f "$natdirect") entries/s | $natratio (relay ÷ direct) |

- **NAT** (\`cli/internal/nattest\`, docs/NAT.md): real \`skein\` processes in network
  namespaces: a relay on an "internet" bridge (192.0.0.64/26), three iptables NAT
  routers that drop unsolicited packets (two endpoint-independent, one symmetric
  with \`--random-fully\`), one daemon behind each, and a daemon on the internet
  side. The follower is the same daemon, behind a NAT, for both catch-ups.

## Directory

| search of a relay directory holding 100,000 profiles, over loopback, 20 results | Skein | no-match search, same connection (the round trip) | p99 above the round trip | in process, p99 |
|---|---|---|---|---|
$(dirrow 3ch '3 characters, the start of a name')
$(dirrow 10ch '10 characters, the start of a name')
$(dirrow phrase '12 characters across two words of a bio')
$(dirrow 1ch '1 character (names, then every text, scanned)')

- **Directory** (\`core/internal/directory/bench_test.go\`): a \`directory.Server\` on a
  libp2p host over a LevelDB of 100,000 accounts (a made-up name, a display name
  of two words, a bio of 12 to 40 words from a vocabulary of 5,000 made-up words),
  and a client host on 127.0.0.1 that opens one stream per search
  (\`directory.SearchPeer\`); searches of each kind are interleaved. The
  baseline is a search for \`qqq\`, which no text has: its cost is the stream's
  round trip and one trigram lookup. The target is p99 ≤ 50 ms above one round
  trip. The client's verification of the results (two Ed25519 checks each) is
  not timed: it runs on the client, not the relay.

## Memory of a JVM paging the feed

| JVM | pages with, Go memory limit | RSS before paging | peak RSS | steady RSS | steady Java heap | pages/s (100 posts) | target |
|---|---|---|---|---|---|---|---|
$(jvmrow "$out/7.txt" off '`-Xmx64m -Xmn16m`' '`feed()`, off')
$(jvmrow "$out/7.txt" default '`-Xmx64m -Xmn16m`' '`feed()`, default 64 MiB' '≤ 150 MiB steady')
$(jvmrow "$out/7.txt" json '`-Xmx64m -Xmn16m`' '`feedJSON()`, default 64 MiB' '≤ 150 MiB steady')
$(jvmrow "$out/8.txt" off 'JVM defaults' '`feed()`, off')
$(jvmrow "$out/8.txt" default 'JVM defaults' '`feed()`, default 64 MiB')
$(jvmrow "$out/8.txt" json 'JVM defaults' '`feedJSON()`, default 64 MiB')

Before issue 11 (commit 665b1db, no limit, same program, 2026-12-04): peak 300 MiB,
steady 216 MiB, Java heap 25 MiB, 921 pages/s with \`-Xmx64m -Xmn16m\`; peak 1509 MiB,
steady 1384 MiB, Java heap 165 MiB, 858 pages/s with the JVM's defaults.

![RSS (solid) and Java heap in use (dashed) over 60 s of paging, -Xmx64m -Xmn16m](jvm-bench-rss.svg)

- **Feed paging** (\`bind/jvm-bench.sh\`, \`bind/jvm/bench/org/skein/bindbench/FeedPaging.java\`):
  the Java binding on this machine's JVM (the gobind glue built for linux, as
  \`make jvm-test\` does). Two nodes in the JVM on 127.0.0.1; alice posts 2,000
  posts, bob follows her; then 8 threads page bob's whole feed for 60 s, calling
  \`feed(cursor, 100)\`, \`len()\`, \`get(i)\` and every getter of every post, and
  drop each page. RSS is \`VmRSS\` of the JVM process (Java, Go and the libraries),
  sampled each second, peak is \`VmHWM\`, and steady values are medians of the
  second half. "RSS before paging" holds the JVM and both nodes. \`-Xmx64m
  -Xmn16m\` collects Java's young objects after each 16 MB of them, about as
  often as Android, which collects once an app has allocated 8 to 32 MB
  (\`dalvik.vm.heapmaxfree\`); the JVM's defaults (a heap of up to a quarter of
  RAM) let hundreds of MB build up first.
- **What grows**: each Java proxy of a Go object (a page, a post) holds that
  object until Java collects the proxy and gobind's finalizer thread tells Go.
  A proxy is a few bytes of Java heap; a page of 100 posts holds about 32 KB of
  Go memory, which Java's collector does not see. Proxies still in use at a
  young collection (the page each thread is reading) move to the old
  generation, collected about every 30 s here, so Go's live heap climbs from
  about 30 to 75 MB and back, and with the JVM's defaults to hundreds of MB.
  \`Config.MemoryLimitMiB\` (default 64) bounds the rest: Go collects more often
  near it and returns freed memory, at the cost of pages/s while Java holds
  more than the limit; it cannot free what Java holds. That is why the
  \`feed()\` row with the default limit misses its target in this loop (8 threads on this
  machine's cores, each always holding a page); with 4 threads it held
  143 MiB steady, 153 MiB peak, at 952 pages/s
  (\`JVM_BENCH_ARGS='--threads 4' bind/jvm-bench.sh\`, 2026-12-04).
- **Pages as JSON**: the third row pages with \`feedJSON(cursor, 100)\`, which returns
  the page as one JSON byte array, and reads every field of every post from it
  with Gson (as an Android app would with Gson or \`org.json\`): nothing in Go
  outlives the call, Java's collector sees all the memory, and a page is one
  call into Go instead of about 1,000. It meets the target, and pages several
  times faster; \`mobile/doc.go\` tells apps to use it where they page a lot.

## Search

| query (\`Node.Search\`'s index, \`core/internal/search\`) | p50 | p99 | results/query | target |
|---|---|---|---|---|
| posts, 3 characters, 1,000,000 posts | $(srch posts/chars=3 p50-ms) ms | $(srch posts/chars=3 p99-ms) ms | $(srch posts/chars=3 results/query) | p99 ≤ 100 ms |
| posts, 10 characters, 1,000,000 posts | $(srch posts/chars=10 p50-ms) ms | $(srch posts/chars=10 p99-ms) ms | $(srch posts/chars=10 results/query) | p99 ≤ 100 ms |
| accounts, 3 characters, 100,000 accounts | $(srch accounts/chars=3 p50-ms) ms | $(srch accounts/chars=3 p99-ms) ms | $(srch accounts/chars=3 results/query) | p99 ≤ 50 ms |
| accounts, 10 characters, 100,000 accounts | $(srch accounts/chars=10 p50-ms) ms | $(srch accounts/chars=10 p99-ms) ms | $(srch accounts/chars=10 results/query) | p99 ≤ 50 ms |

The posts' index takes $(srch posts/chars=3 index-MiB) MiB on disk, $(srch posts/chars=3 index/entries) × the
size of the entries it indexes; the accounts' $(srch accounts/chars=3 index-MiB) MiB.

- **Search** (\`core/internal/search/bench_test.go\`): the index alone, in LevelDB,
  built once per run with a seeded RNG: 100,000 accounts (names of two words and a
  number, display names, half with a bio) and 1,000,000 posts of 6 to 25 words
  drawn from a fixed vocabulary by a Zipf law, a hashtag in one of four and a
  mention in one of eight, by 5,000 authors. Queries are 200 random substrings of
  the vocabulary (3 characters) or of posted texts (10 characters) plus a few that
  match nothing, each asking for 20 results; latency is per query. A 10-character
  query across common short words ("a the yo") reads the most postings.

## Web UI

| benchmark | web UI | baseline (same run) | ratio | target |
|---|---|---|---|---|
| feed page, server side: \`GET /\`, 50 posts with display names and like counts, rendered posts cached (p50) | $(metric "$out/12.txt" BenchmarkFeedRender page-p50-µs) µs (no post cached yet: $(metric "$out/12.txt" BenchmarkFeedRender cold-page-p50-µs) µs) | the same 50 posts as JSON, \`GET /v1/feed?limit=50\`: $(metric "$out/12.txt" BenchmarkFeedRender json-p50-µs) µs | $(metric "$out/12.txt" BenchmarkFeedRender page/json) | ≤ 2 |
| a post on one daemon → in the other daemon's feed page, open in Chromium, 50 posts | p50 $(metric "$out/13.txt" BenchmarkBrowserDelivery page-p50-ms) ms, p99 $(metric "$out/13.txt" BenchmarkBrowserDelivery page-p99-ms) ms | the same posts seen by \`skein watch\` (the API's event stream): p50 $(metric "$out/13.txt" BenchmarkBrowserDelivery watch-p50-ms) ms, p99 $(metric "$out/13.txt" BenchmarkBrowserDelivery watch-p99-ms) ms | $(metric "$out/13.txt" BenchmarkBrowserDelivery page/watch-p50) (p50), $(metric "$out/13.txt" BenchmarkBrowserDelivery page/watch-p99) (p99) | report both |

- **Feed page** (\`cli/internal/webui/bench_test.go\`, \`BenchmarkFeedRender\`): one
  real node, its account with a display name and 50 posts it liked; each
  iteration serves \`GET /\` through the UI's whole handler (guards, the node's
  feed and status, html/template) and \`GET /v1/feed?limit=50\` through the API
  server, alternating which goes first. The UI caches each post's rendered
  markup by what it shows; "no post cached" empties that cache before each of
  20 renders, as after a daemon restart.
- **Delivery to the page** (\`cli/internal/webui/delivery_bench_test.go\`,
  \`BenchmarkBrowserDelivery\`): a relay and two in-process daemons on
  127.0.0.1; the reader's feed is open in headless Chromium; each post is timed
  from the author's \`Post\` call to the page's insertion of its \`<article>\`
  (a MutationObserver reading the browser's clock, the same wall clock) and to
  its event on the API's stream; one post at a time.

## Messaging

| benchmark | Skein | baseline (same run) | ratio | target | met? |
|---|---|---|---|---|---|
| DM, both online: \`SendDM\` → the other's message event | p50 $(msg 14 BenchmarkDMLatency dm-p50-ms) ms, p99 $(msg 14 BenchmarkDMLatency dm-p99-ms) ms | raw libp2p stream round trip, same hosts: p50 $(msg 14 BenchmarkDMLatency rtt-p50-ms) ms, p99 $(msg 14 BenchmarkDMLatency rtt-p99-ms) ms | $(msg 14 BenchmarkDMLatency dm-p99/rtt-p99) (p99) | p99 ≤ 100 ms | $(met "$(msg 14 BenchmarkDMLatency dm-p99-ms)" 100) |
| group of $(printf %.0f "$(msg 15 BenchmarkGroupFanout members)") members + the sender: \`SendMessage\` → the last member's event | p50 $(msg 15 BenchmarkGroupFanout last-p50-ms) ms, p99 $(msg 15 BenchmarkGroupFanout last-p99-ms) ms | raw GossipSub to as many subscribers, the last one: p50 $(msg 15 BenchmarkGroupFanout raw-last-p50-ms) ms, p99 $(msg 15 BenchmarkGroupFanout raw-last-p99-ms) ms | $(msg 15 BenchmarkGroupFanout last-p99/raw-p99) (p99) | p99 ≤ 250 ms | $(met "$(msg 15 BenchmarkGroupFanout last-p99-ms)" 250) |
| same, against raw GossipSub whose subscribers verify an Ed25519 signature | | p50 $(msg 15 BenchmarkGroupFanout rawverify-last-p50-ms) ms, p99 $(msg 15 BenchmarkGroupFanout rawverify-last-p99-ms) ms | $(awk -v a="$(msg 15 BenchmarkGroupFanout last-p99-ms)" -v b="$(msg 15 BenchmarkGroupFanout rawverify-last-p99-ms)" 'BEGIN { printf "%.2f", a / b }') (p99) | (explains the row above) | |
| member back after 10 others sent 1,000 messages: \`Login\` → all shown | $(msg 16 BenchmarkOfflineCatchUp catchup-ms) ms; lost $(msg 16 BenchmarkOfflineCatchUp lost), duplicated $(msg 16 BenchmarkOfflineCatchUp duplicates), rounds out of order $(msg 16 BenchmarkOfflineCatchUp misordered) | 1,000 timeline posts synced from a peer: $(msg 16 BenchmarkOfflineCatchUp timeline-ms) ms | $(msg 16 BenchmarkOfflineCatchUp catchup/timeline) | ≤ 3 s, 0 lost, 0 duplicates | $(met "$(msg 16 BenchmarkOfflineCatchUp catchup-ms)" 3000) |
| remove 1 member of 256: the re-key entry | $rmkb KiB, $rmms ms | | | ≤ 32 KB, ≤ 100 ms | $(met "$(msg 17 BenchmarkRemove256 B/rekey)" 32000), $(met "$rmms" 100) |
$(ovrow 2)
$(ovrow 50)
$(ovrow 256)
| background mode, in 1 DM and 1 group written to while it sleeps (and following 50 authors): traffic | $(printf %.0f "$bgkbh") KB/h | foreground idle: $(printf %.0f "$fgkbh") KB/h | | ≤ 200 KB/h | $(met "$bgkbh" 200) |
| same: network wakeups (seconds with a packet) | $(printf %.1f "$bgwph")/h | foreground idle: $(printf %.0f "$fgwph")/h | | ≤ 4/h | $(met "$bgwph" 4) |
| same: messages sent to it, all shown after its wakes | $(msg 4 BenchmarkIdle chat-msgs-delivered) | | | all | |

What each one measures:

- **DM latency** (\`core/chat_bench_test.go\`, \`BenchmarkDMLatency\`): a relay,
  alice and bob, full Nodes (DHT, GossipSub, LevelDB) in one process on
  127.0.0.1, the DM started by a first message. Each iteration times alice's
  \`SendDM\` call (resolving the name, sealing under the sender chain, the
  synced write, publishing on the DM's topic, the pushes to bob's device and
  to the relay) to bob's \`Watch\` callback for that message. The baseline
  opens a new libp2p stream from alice's host to bob's, writes 300 bytes (a
  DM entry's size) and reads them back, as many times.
- **Group fan-out** (\`BenchmarkGroupFanout\`): a relay, a sender and 50
  members, each a full Node in one process; the sender creates a private
  group and invites the 50, who join side by side, then writes until every
  member's \`Members\` shows all 51 (a join published on gossip before a
  member subscribed reaches it only when a later entry references it). Each
  iteration times the sender's \`SendMessage\` call to the last of the 50
  members' message events. The baseline publishes on the same
  libp2p/GossipSub configuration to 50 plain hosts connected to the
  publisher, taking the slowest subscriber per message; the second baseline
  has each subscriber check an Ed25519 signature first.
  \`SKEIN_BENCH_MEMBERS=N\` runs it with N members.
- **Offline catch-up** (\`BenchmarkOfflineCatchUp\`): 10 writers, a quiet
  member and the absent one in a private group, with a relay. The absent
  member's node closes (its data directory kept); the writers send 1,000
  messages, 100 each, in turns, each once its sender shows the one before,
  every fifth a reply to another writer's message. The node restarts (not
  timed) and the clock runs from \`Login\` until \`Messages\` shows the
  newest of the 1,000; then every message is read back: none lost, none
  twice, in the order sent, and the same IDs in the same order on the
  member back, the quiet member and a writer. The baseline is the social
  catch-up path: a fresh node, already connected, syncs 1,000 signed posts
  of one author from the author's device (\`syncPeer\`), the median of 3:
  both fetch 1,000 signed entries over one libp2p connection and verify and
  store each; the member back also logs in, reads its inbox, decrypts each
  message and orders them causally.
- **Removal from 256** (\`core/internal/chat/bench_test.go\`,
  \`BenchmarkRemove256\`): an admin's engine holding a private group of 256
  members removes one; the Remove entry carries the new epoch wrapped for
  each of the 255 who stay. The time (ns/op) is the \`Remove\` call on one
  goroutine: 255 HPKE wraps, a check of each member's prekey record, the
  synced write and the refold of the membership.
- **Per-message overhead** (\`BenchmarkChatOverhead\`, engines in memory):
  private groups of 2, 50 and 256 members. A message's overhead is its
  encoded entry's size minus its plaintext payload and its addressing
  (version, group ID, author, kind, body length: 70 B): the ordering (seq,
  prev, HLC, ndeps, deps) and the crypto (epoch ID, AEAD tag, signature).
  Writers take turns, each having seen the message before (the figure: the
  mean); after bursts where each writer sends without seeing the others',
  the next messages merge the branches (the bracketed figure, at most
  MaxDeps = 4 deps: 277 B).
- **Power** (\`cli/internal/powerbench\`, see "Mobile"): the background node
  is also in a DM and a private group with the account "pal" on the
  authors' device, which writes one DM and one group message at a quarter
  and three quarters of the idle window and one of each between the
  measured wakes; the benchmark checks, the node still in background mode,
  that it shows every one of them after its wakes.
- **Where the budgets go** (measured by the capture's breakdown by peer in
  the raw output below): a DM sent while the phone sleeps is pushed to its device,
  dialled if need be, and the background node refuses a QUIC connection
  only after its handshake (go-libp2p's QUIC listener asks the gate then); and a logged-in node dials the relay at every wake as
  well as the authors' device, so a wake is two connections. A message that
  merges concurrent branches carries up to MaxDeps (4) deps: 277 B.

## Media

| benchmark | Skein | baseline (same run) | ratio | target | met? |
|---|---|---|---|---|---|
| one provider, 128 MiB (two 64 MiB blobs) over loopback TCP, verified | $(tp blob-MB/s) MB/s, $(tp blob-cpu-ms/MiB) CPU ms/MiB ($(tp noverify-cpu-ms/MiB) without verifying) | raw libp2p stream moving the same bytes, same hosts: $(tp raw-MB/s) MB/s, $(tp raw-cpu-ms/MiB) CPU ms/MiB | $(tp speed-ratio) (time), $(tp cpu-efficiency) (CPU) | ≥ 0.85 | $(ge "$(tp speed-ratio)" 0.85) |
$(krow 1)
$(krow 2)
$(krow 3)
$(krow 4)
| providers at R, R and R/10 (16.8 MB/s in all), 16 MiB | $(med "$m_slow" BenchmarkSlowProvider MB/s) MB/s, $(med "$m_slow" BenchmarkSlowProvider dup-%) % duplicate bytes | the three caps' sum: 16.8 MB/s | $(med "$m_slow" BenchmarkSlowProvider share-%) % | ≥ 80 %, ≤ 5 % duplicate | $(ge "$(med "$m_slow" BenchmarkSlowProvider share-%)" 80), $(met "$(med "$m_slow" BenchmarkSlowProvider dup-%)" 5) |
| first verified bytes of a 4 MiB blob from a provider capped at 1 MB/s | $(med "$m_first" BenchmarkFirstBytes ms-to-first-chunk) ms | | | ≤ 40 ms | $(met "$(med "$m_first" BenchmarkFirstBytes ms-to-first-chunk)" 40) |
| resume after kill -9 at 50 % (+ 14 pieces) of a 32 MiB download: bytes fetched again, 3 runs | $refetch B | | | ≤ 4 MiB + one piece (4,456,448 B) | $(met "$refetchmax" 4456448) |
| what media adds to the arm64 mobile library (\`scripts/media-libsize.sh\`) | $libadds B ($libafter B with media) | before media ($libbase): $libbefore B | | ≤ 150 KB | $(met "$libadds" 150000) |
| a feed page of 50 posts: their 50 thumbnails (~12 KiB) from one holder, \`Library.Thumbs\` | p50 $(ft page-p50-ms) ms, p99 $(ft page-p99-ms) ms, $(ft round-trips/page) round trip(s) | 50 single-root \`GetMany\` calls: p50 $(ft single-p50-ms) ms, p99 $(ft single-p99-ms) ms | $(ft single/page) (single ÷ page, p50) | one round trip | $(met "$(ft round-trips/page)" 1) |

![speed-up against the number of providers, each capped at R](media-providers.svg)

- **Throughput** (\`core/internal/blobnet/bench_test.go\`, \`BenchmarkThroughput\`):
  a provider and a client host on 127.0.0.1 (TCP, TLS 1.3, yamux); each run
  moves 128 MiB over a raw stream in 256 KiB writes, then the same bytes as
  two 64 MiB blobs with \`Client.Get\` (outboard, then pieces verified per
  16 KiB), then again trusting the bytes. CPU is the process's (both ends).
  Medians of 3 runs, each figure on its own.
- **Providers** (\`BenchmarkProviders\`, \`BenchmarkSlowProvider\`): each
  provider's server capped by its own token bucket; every provider holds the
  whole blob; rates are the blob's size over the \`Get\` call. Duplicate bytes
  are those the client received twice (endgame). Medians of 3 runs.
- **First bytes** (\`BenchmarkFirstBytes\`): connection open; from \`Get\` (HAVE,
  the outboard, the first GET) to the first verified 16 KiB written. The
  provider's token bucket allows a burst of 20 ms of its rate or 4 groups,
  whichever is more (64 KiB at 1 MB/s), so the outboard (16,328 B for 4 MiB) and the first
  16 KiB leave at once: this measures the round trips and verification. On a
  link that itself ran at 1 MB/s those 32.7 KB would add about 33 ms.
- **Kill -9** (\`core/internal/blobstore/kill_test.go\`, \`TestKill9\`): a
  re-executed child writes a 32 MiB blob piece by piece (2 ms apart) into a
  LevelDB-backed store and is killed 14 pieces past half, off the 4 MiB sync
  boundary, where the most is lost; the bytes fetched again are the pieces it
  reported written but the store does not claim. Every claimed piece verifies.
- **Library size** (\`scripts/media-libsize.sh\`): \`scripts/libsize.sh\` on main
  before media (5a0e477, extracted with \`git archive\`) and on this tree.
- **Feed thumbnails** (\`core/internal/medialib/bench_test.go\`,
  \`BenchmarkFeedThumbnails\`): two libraries on real hosts on 127.0.0.1; the
  holder imported 50 blobs of 11.9 to 12.7 KiB, the reader noted the 50 posts'
  descriptors and fetches and stores their thumbnails with \`Library.Thumbs\`
  (round trips counted as the blob streams it opens); the baseline fetches
  and stores the same 50 one \`GetMany\` each, alternating which goes first.
  One \`GetMany\` of the 50 without storing: p50 $(ft getmany50-p50-ms) ms.

Where a target is not met (why, from a CPU profile of \`BenchmarkThroughput\`
and the library's symbol tables, 2026-12-05):

- **Single-provider throughput**: the protocol without verification costs
  about 20 % more CPU per MiB than the raw stream (the piece is copied from
  the source into the server's buffer and from the client's buffer into the
  sink, beside TLS and yamux), and BLAKE3 verification per 16 KiB group adds
  about 0.55 ms/MiB; on 2 cores shared by both ends, time follows CPU.
- **Library size**: the new code itself (blobstore, blobnet, media, medialib,
  blob, and media in core and mobile: about 270 KB of symbols) with the
  runtime's tables for it (.gopclntab grows about as much as the code),
  relocations and type data; the third-party part (bao in lukechampine.com/blake3) is about 8 KB.

## Raw output

DOC
for i in "${!cmds[@]}"; do
  echo '```'
  echo "\$ ${cmds[$i]}"
  case "${cmds[$i]}" in
  *TestSim*) # the per-run tables and the sweep's, not the progress log
    awk '/^[a-z]+: N=[0-9]+$|^Simulation runs$/ { f = 1 } f { print } /^$/ { f = 0 }' "$out/$i.txt" || true ;;
  *TestDefaultGraph*)
    { grep -E '^ +(PowerLaw|N  follows|----| *[0-9]+ )' "$out/$i.txt" || true; } | sed 's/^        //' ;;
  *)
  grep -E '^(Benchmark|goos|goarch|pkg|cpu|store benchmark|.*libgojni.so: | +(powerbench|nat|follow)_test.go:|catch-up cost: signed|== FeedPaging |(off|default): RESULT |libgojni.so (before|with) media|media adds: | +kill_test.go:.*refetch bytes)' "$out/$i.txt" | awk '!seen[$0]++' || true ;;
  esac
  echo '```'
  echo
done
} > docs/BENCHMARKS.md
echo "wrote docs/BENCHMARKS.md" >&2
