#!/usr/bin/env bash
# scripts/media-libsize.sh: what media (issue 15) adds to the arm64 mobile
# library. Runs scripts/libsize.sh on the tree at MEDIA_BASE (default
# 5a0e477, main before media; extracted with git archive into a temporary
# directory, removed on exit) and on this tree, and prints both sizes and
# the difference. Needs the repository's history and what libsize.sh needs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BASE="${MEDIA_BASE:-5a0e477}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
git archive "$BASE" | tar -x -C "$tmp"
size() { sed -nE 's/.*libgojni\.so: ([0-9]+) bytes.*/\1/p' | tail -1; }
before="$(cd "$tmp" && scripts/libsize.sh | size)"
after="$(scripts/libsize.sh | size)"
[[ -n "$before" && -n "$after" ]] || { echo "media-libsize.sh: a build failed" >&2; exit 1; }
echo "libgojni.so before media ($BASE): $before bytes"
echo "libgojni.so with media ($(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ', with uncommitted changes')): $after bytes"
awk -v a="$before" -v b="$after" 'BEGIN { printf "media adds: %d bytes (%.1f KB)\n", b - a, (b - a) / 1000 }'
