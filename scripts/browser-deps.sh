#!/usr/bin/env bash
# Installs what the web UI's browser tests need (make browser-deps), when
# missing: Debian's chromium-headless-shell with apt-get (as root), and
# axe-core, pinned, with npm into a cache directory. It prints, on stdout,
# the two variables the tests read, for the Makefile to export:
#
#   SKEIN_BROWSER=/usr/bin/chromium-headless-shell
#   SKEIN_AXE=$HOME/.cache/skein-test/axe/node_modules/axe-core/axe.min.js
#
# A variable is empty when its tool could not be installed (not root, no
# apt-get, no npm): the browser tests then print a SKIP line, or fail when
# CI is set. Progress goes to stderr. SKEIN_TEST_CACHE may move the cache.
set -euo pipefail

AXE_VERSION=4.14.1
CACHE="${SKEIN_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/skein-test}/axe"

note() { echo "browser-deps: $*" >&2; }

browser=""
find_browser() {
  browser="$(command -v chromium-headless-shell || true)"
}
find_browser
if [ -z "$browser" ]; then
  if [ "$(id -u)" != 0 ]; then
    note "chromium-headless-shell is missing and installing it needs root: the browser tests will skip"
  elif ! command -v apt-get >/dev/null; then
    note "chromium-headless-shell is missing and there is no apt-get: the browser tests will skip"
  else
    note "installing chromium-headless-shell with apt-get (about 130 MB)"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-cache show chromium-headless-shell >/dev/null 2>&1; then
      apt-get update -qq >&2
    fi
    apt-get install -y -qq chromium-headless-shell >&2 || note "apt-get install chromium-headless-shell failed"
    find_browser
  fi
fi

axe="$CACHE/node_modules/axe-core/axe.min.js"
have_axe() {
  [ -f "$axe" ] && grep -q "\"version\": *\"$AXE_VERSION\"" "$CACHE/node_modules/axe-core/package.json" 2>/dev/null
}
if ! have_axe && ! command -v npm >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  note "installing npm with apt-get, to fetch axe-core"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-cache show npm >/dev/null 2>&1; then
    apt-get update -qq >&2
  fi
  apt-get install -y -qq npm >&2 || note "apt-get install npm failed"
fi
if ! have_axe; then
  if command -v npm >/dev/null; then
    note "installing axe-core@$AXE_VERSION into $CACHE"
    { mkdir -p "$CACHE" &&
      npm install --prefix "$CACHE" --no-audit --no-fund --loglevel=error "axe-core@$AXE_VERSION" >&2; } ||
      note "installing axe-core@$AXE_VERSION into $CACHE failed"
  else
    note "npm is missing: axe-core@$AXE_VERSION cannot be installed (apt-get install npm)"
  fi
fi
have_axe || axe=""

echo "SKEIN_BROWSER=$browser"
echo "SKEIN_AXE=$axe"
