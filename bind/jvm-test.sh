#!/usr/bin/env bash
# bind/jvm-test.sh (make jvm-test): test the Java binding of package mobile on
# this machine's JVM, without Android.
#
# gobind writes the same Go glue and Java classes that go into skein.aar. The
# glue is built for linux/amd64 as a JNI library (the Android-only files
# renamed, android/log.h and liblog from Debian), the Java classes are
# compiled with javac, and JUnit runs every *Test class of bind/jvm/test and
# of the Android demo's plain-Java core (android-demo/app/src/*/java/
# org/skein/demo/core) against them.
#
# Everything it builds lands in bind/build/ (gitignored). The Go glue goes to
# bind/build/_gen/ so that it compiles against this module's go.mod, while
# `go build ./...` and friends skip it (a leading underscore hides a directory
# from ./... patterns).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$ROOT/bind/jvm-deps.sh"

JDK="$(java_home)"
[[ -f "$JDK/include/jni.h" ]] || die "$JDK has no include/jni.h: install a full JDK (Debian: apt-get install openjdk-17-jdk-headless)"

# pkgfile PACKAGE SUFFIX prints the file of an installed Debian package whose
# path ends in SUFFIX.
pkgfile() {
	local f
	f="$(dpkg -L "$1" | grep -m1 -- "$2\$")" || die "package $1 has no file ending in $2"
	printf '%s\n' "$f"
}
# (Each assignment on its own line, so that a failing pkgfile stops the script.)
LOG_H="$(pkgfile android-liblog-dev /android/log.h)"
LOG_SO="$(pkgfile android-liblog /liblog.so)"
LOG_INCLUDE="$(dirname "$(dirname "$LOG_H")")"
LOG_LIB="$(dirname "$LOG_SO")"
JUNIT="$(pkgfile junit4 /junit4.jar)"
HAMCREST="$(pkgfile libhamcrest-java /hamcrest-core.jar)"

GEN="$BUILD/_gen"
JVM="$BUILD/jvm"
umount "$JVM/fulldisk" 2>/dev/null || true # left by a run that was killed
rm -rf "$GEN" "$JVM"
mkdir -p "$JVM/lib" "$JVM/classes" "$JVM/stub-classes" "$JVM/test-classes"

step "gobind -lang=go,java -javapkg $JAVAPKG $PKG"
"$GO" tool gobind -lang=go,java -javapkg "$JAVAPKG" -outdir "$GEN" "$PKG"

# The glue's *_android files carry the android build constraint in their
# names; rename them so that they build on linux. Their headers keep their
# names: the sources include them by name.
glue="$GEN/src/gobind"
for f in "$glue"/*_android.go "$glue"/*_android.c; do
	mv "$f" "${f%_android.*}_jni.${f##*.}"
done

lib="$(grep -ho 'System.loadLibrary("[^"]*")' "$GEN/java/go/Seq.java" | sed 's/.*("\(.*\)")/\1/')"
[[ -n "$lib" ]] || die "cannot find System.loadLibrary in the generated go/Seq.java"

step "go build -buildmode=c-shared -o $JVM/lib/lib$lib.so (linux/$("$GO" env GOARCH))"
CGO_ENABLED=1 \
	CGO_CFLAGS="-O2 -D__GOBIND_ANDROID__ -Wno-incompatible-pointer-types -I$JDK/include -I$JDK/include/linux -I$LOG_INCLUDE" \
	CGO_LDFLAGS="-L$LOG_LIB -Wl,-rpath,$LOG_LIB" \
	"$GO" build -buildmode=c-shared -o "$JVM/lib/lib$lib.so" "./$glue"

step "javac: binding"
mapfile -t stub < <(find bind/jvm/stub -name '*.java')
mapfile -t binding < <(find "$GEN/java" -name '*.java')
"$JDK/bin/javac" -nowarn -d "$JVM/stub-classes" "${stub[@]}"
"$JDK/bin/javac" -nowarn -d "$JVM/classes" -cp "$JVM/stub-classes" "${binding[@]}"

# The tests, and the Android demo's plain-Java core with its tests if they
# exist. They compile without the android.content stub on the classpath, so
# an android.* import in the demo's core fails the build, as it must.
DEMO_MAIN=android-demo/app/src/main/java
DEMO_TEST=android-demo/app/src/test/java
mapfile -t sources < <(find bind/jvm/test -name '*.java' | sort)
shopt -s nullglob
sources+=("$DEMO_MAIN"/org/skein/demo/core/*.java "$DEMO_TEST"/org/skein/demo/core/*.java)
shopt -u nullglob

# Every *Test source of a test root is a JUnit class to run.
tests=()
for f in "${sources[@]}"; do
	[[ "$f" == *Test.java ]] || continue
	for root in bind/jvm/test "$DEMO_TEST"; do
		if [[ "$f" == "$root"/* ]]; then
			f="${f#"$root"/}"
			f="${f%.java}"
			tests+=("${f//\//.}")
			break
		fi
	done
done

step "javac: ${#sources[@]} test and demo sources"
"$JDK/bin/javac" -d "$JVM/test-classes" -cp "$JVM/classes:$JUNIT:$HAMCREST" "${sources[@]}"

# A small tmpfs for ApiTest.fullDisk to fill; only root can mount it, and
# without it that test is skipped.
FULLDISK=""
if [[ "$(id -u)" == 0 ]] && mkdir -p "$JVM/fulldisk" && mount -t tmpfs -o size=16m tmpfs "$JVM/fulldisk" 2>/dev/null; then
	FULLDISK="$ROOT/$JVM/fulldisk"
	trap 'umount "$FULLDISK" 2>/dev/null || umount -l "$FULLDISK"' EXIT
fi

step "junit: ${tests[*]}"
# A hung test fails by its own JUnit timeout; timeout(1) bounds the rest.
timeout --kill-after=10s 15m \
	"$JDK/bin/java" -Djava.library.path="$JVM/lib" -Dskein.fulldisk="$FULLDISK" \
	-cp "$JVM/test-classes:$JVM/classes:$JVM/stub-classes:$JUNIT:$HAMCREST" \
	org.junit.runner.JUnitCore "${tests[@]}"
