#!/usr/bin/env bash
# bind/jvm-deps.sh: install the Debian packages bind/jvm-test.sh needs when
# they are missing: android-liblog-dev (android/log.h and liblog, which the
# gobind JNI glue includes and links), junit4 (JUnit 4 with hamcrest),
# libgoogle-gson-java (Gson, with which the tests and the benchmark read the
# pages FeedJSON returns, as an Android app would with org.json or Gson), and
# a JDK if there is no javac.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PACKAGES=(android-liblog-dev junit4 libgoogle-gson-java)

installed() {
	[[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

command -v dpkg-query >/dev/null || die "this needs a Debian-like system with apt: install the equivalents of ${PACKAGES[*]} by hand"

missing=()
for p in "${PACKAGES[@]}"; do
	installed "$p" || missing+=("$p")
done
command -v javac >/dev/null || [[ -x "${JAVA_HOME:-/nonexistent}/bin/javac" ]] || missing+=(openjdk-17-jdk-headless)
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ "$(id -u)" -ne 0 ]]; then
	die "missing Debian packages: ${missing[*]}; install them with: sudo apt-get install ${missing[*]}"
fi
step "apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
