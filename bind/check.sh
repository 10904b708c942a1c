#!/usr/bin/env bash
# bind/check.sh (make bind-check): fail fast when package mobile stops being
# bindable, without the Android SDK or Xcode.
#
#  1. gobind generates the Go+Java and Go+Objective-C bindings, as gomobile
#     would, into a temporary directory. gobind skips any method, field or
#     function whose types it cannot bind and only leaves a "// skipped ..."
#     comment in the generated code; every such comment fails the check.
#  2. core and mobile cross-compile for android/arm64 and ios/arm64 (cgo off,
#     so no NDK or Xcode is needed).
#  3. the arm64 Android library, as scripts/libsize.sh measures it, is within
#     its byte budget (bind/libsize-budget.txt). This is a cgo cross build
#     linked by lld (about a minute with a warm build cache, a few cold);
#     libsize.sh installs its Debian packages when they are missing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

gen() { # gen NAME GOBIND-FLAGS...: generate into $tmp/NAME
	local name="$1"
	shift
	step "gobind $* $PKG"
	if ! "$GO" tool gobind "$@" -outdir "$tmp/$name" "$PKG" 2>"$tmp/$name.stderr"; then
		cat "$tmp/$name.stderr" >&2
		die "gobind $* failed"
	fi
	# gobind reports problems it survives on stderr; none are expected.
	if [[ -s "$tmp/$name.stderr" ]]; then
		cat "$tmp/$name.stderr" >&2
		die "gobind $* printed warnings"
	fi
}
gen java -lang=go,java -javapkg "$JAVAPKG"
gen objc -lang=go,objc -prefix "$OBJCPREFIX"

skipped="$(grep -rhoE '// skipped .*' "$tmp" | sed 's#^// #  #' | sort -u || true)"
if [[ -n "$skipped" ]]; then
	printf '%s\n' "$skipped" >&2
	die "gobind skipped the declarations above: their types cannot be bound; use string, bool, int/int64, []byte, *Struct or an interface instead"
fi

# The libraries an app links: every package of core and mobile but the
# developers' commands among them (core/internal/sim/simplot), which an
# ios/arm64 build without cgo could not link.
mapfile -t libs < <("$GO" list -f '{{if ne .Name "main"}}{{.ImportPath}}{{end}}' ./core/... ./mobile/... | grep .)

step "cross-compile ./core/... ./mobile/... for android/arm64"
# Without -checklinkname=0: nothing linked may reach into package net with
# go:linkname (github.com/wlynxg/anet did, through pion), or the Android
# build would need the flag again.
CGO_ENABLED=0 GOOS=android GOARCH=arm64 "$GO" build -o /dev/null "${libs[@]}"

step "cross-compile ./core/... ./mobile/... for ios/arm64"
CGO_ENABLED=0 GOOS=ios GOARCH=arm64 "$GO" build -o /dev/null "${libs[@]}"

step "scripts/libsize.sh --check: the arm64 library within bind/libsize-budget.txt"
GO="$GO" scripts/libsize.sh --check

echo "bind-check: ok"
