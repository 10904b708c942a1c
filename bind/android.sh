#!/usr/bin/env bash
# bind/android.sh (make android): build bind/out/skein.aar, the Android
# library of package mobile (Java package org.skein.mobile), for every
# Android ABI from API level 23 up (ANDROID_API in bind/android-link.sh),
# its dynamic relocations packed. Needs the Android SDK and NDK and a JDK.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/android-link.sh"

API="$ANDROID_API"
INSTALL="install Android Studio (SDK Manager) or the command-line tools from https://developer.android.com/studio#command-line-tools-only, then run: sdkmanager \"platforms;android-34\" \"ndk;27.2.12479018\""

# The SDK: ANDROID_HOME, else where Android Studio puts it (as gomobile looks).
sdk="${ANDROID_HOME:-}"
if [[ -z "$sdk" ]]; then
	case "$(uname -s)" in
	Darwin) sdk="$HOME/Library/Android/sdk" ;;
	*) sdk="$HOME/Android/Sdk" ;;
	esac
	[[ -d "$sdk" ]] || die "the Android SDK is missing: ANDROID_HOME is not set and $sdk does not exist; $INSTALL, and set ANDROID_HOME to the SDK directory"
fi
[[ -d "$sdk" ]] || die "the Android SDK is missing: ANDROID_HOME=$sdk is not a directory; $INSTALL"
shopt -s nullglob
platforms=("$sdk"/platforms/android-*/android.jar)
shopt -u nullglob
[[ ${#platforms[@]} -gt 0 ]] || die "the Android SDK at $sdk has no platform (platforms/android-*/android.jar); run: sdkmanager \"platforms;android-34\""

# The NDK: ANDROID_NDK_HOME, else one under the SDK.
if [[ -n "${ANDROID_NDK_HOME:-}" ]]; then
	[[ -d "$ANDROID_NDK_HOME" ]] || die "the Android NDK is missing: ANDROID_NDK_HOME=$ANDROID_NDK_HOME is not a directory; run: sdkmanager \"ndk;27.2.12479018\" and set ANDROID_NDK_HOME to $sdk/ndk/<version>, or unset it"
else
	ndk=""
	for d in "$sdk"/ndk/*/ "$sdk"/ndk-bundle/; do
		[[ -d "$d" ]] && ndk="$d"
	done
	[[ -n "$ndk" ]] || die "the Android NDK is missing: none under $sdk/ndk and ANDROID_NDK_HOME is not set; run: sdkmanager \"ndk;27.2.12479018\""
fi
command -v javac >/dev/null || die "javac is missing: install a JDK 17 (Debian: apt-get install openjdk-17-jdk-headless)"

# gomobile runs the gobind on PATH; `gomobile init` would install the latest
# one, pinned_gobind builds the one go.mod pins instead.
pinned_gobind
mkdir -p "$OUT"
step "gomobile bind -target=android -androidapi $API -o $OUT/skein.aar $PKG"
"$GO" tool gomobile bind -target=android -androidapi "$API" -javapkg "$JAVAPKG" \
	-ldflags="-s -w -checklinkname=0 -extldflags=$ANDROID_EXTLDFLAGS" -o "$OUT/skein.aar" "$PKG"
echo "built $OUT/skein.aar and $OUT/skein-sources.jar"
