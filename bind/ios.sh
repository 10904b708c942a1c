#!/usr/bin/env bash
# bind/ios.sh (make ios): build bind/out/Skein.xcframework, the iOS framework
# of package mobile (Objective-C/Swift names prefixed Skein), for devices and
# the simulator. Needs macOS with Xcode.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[[ "$(uname -s)" == Darwin ]] || die "building for iOS needs macOS with Xcode; this is $(uname -s): run make ios on a Mac"
command -v xcrun >/dev/null || die "xcrun is missing: install Xcode from the App Store, then run: xcode-select --install"
xcrun --sdk iphoneos --show-sdk-path >/dev/null 2>&1 || die "Xcode has no iOS SDK: install Xcode (not only the Command Line Tools) and run: sudo xcode-select -s /Applications/Xcode.app"

pinned_gobind
mkdir -p "$OUT"
rm -rf "$OUT/Skein.xcframework"
step "gomobile bind -target=ios -prefix $OBJCPREFIX -o $OUT/Skein.xcframework $PKG"
"$GO" tool gomobile bind -target=ios,iossimulator -prefix "$OBJCPREFIX" \
	-ldflags='-s -w' -o "$OUT/Skein.xcframework" "$PKG"
echo "built $OUT/Skein.xcframework"
