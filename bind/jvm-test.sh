#!/usr/bin/env bash
# bind/jvm-test.sh (make jvm-test): test the Java binding of package mobile on
# this machine's JVM, without Android.
#
# bind/jvm-build.sh builds the binding into bind/build/jvm/: the gobind glue
# as a linux JNI library and the generated Java classes. JUnit then runs
# every *Test class of bind/jvm/test and of the Android demo's plain-Java
# core (android-demo/app/src/*/java/org/skein/demo/core) against them.
# Last, bind/jvm/exit's ExitAfterClose checks that the JVM exits by itself
# once main returns after close().
#
# Everything it builds lands in bind/build/ (gitignored).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

umount "$BUILD/jvm/fulldisk" 2>/dev/null || true # left by a run that was killed
"$ROOT/bind/jvm-build.sh"

JDK="$(java_home)"
JUNIT="$(pkgfile junit4 /junit4.jar)"
HAMCREST="$(pkgfile libhamcrest-java /hamcrest-core.jar)"
GSON="$(pkgfile libgoogle-gson-java /gson.jar)"
JVM="$BUILD/jvm"
rm -rf "$JVM/test-classes" "$JVM/exit-classes"
mkdir -p "$JVM/test-classes" "$JVM/exit-classes"

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
"$JDK/bin/javac" -d "$JVM/test-classes" -cp "$JVM/classes:$JUNIT:$HAMCREST:$GSON" "${sources[@]}"

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
	-cp "$JVM/test-classes:$JVM/classes:$JVM/stub-classes:$JUNIT:$HAMCREST:$GSON" \
	org.junit.runner.JUnitCore "${tests[@]}"

# A JVM exits when main returns only once every thread that is not a daemon
# has ended, Go threads attached to it included. timeout(1) sends SIGQUIT
# first, on which the JVM prints its threads (a Go thread attached as a
# non-daemon shows as "Thread-N"), then kills it.
step "exit: org.skein.bindexit.ExitAfterClose must exit by itself after close() (60 s)"
mapfile -t exit_sources < <(find bind/jvm/exit -name '*.java')
"$JDK/bin/javac" -d "$JVM/exit-classes" -cp "$JVM/classes" "${exit_sources[@]}"
rc=0
timeout --signal=QUIT --kill-after=5s 60s \
	"$JDK/bin/java" -Djava.library.path="$JVM/lib" \
	-cp "$JVM/exit-classes:$JVM/classes:$JVM/stub-classes" \
	org.skein.bindexit.ExitAfterClose >"$JVM/exit.log" 2>&1 || rc=$?
cat "$JVM/exit.log"
returned=0
grep -q '^ExitAfterClose: main returns$' "$JVM/exit.log" && returned=1
case "$rc,$returned" in
0,1) ;;
124,1 | 137,1) die "the JVM did not exit within 60 s of main returning after close(): a thread that is not a daemon kept it alive (its threads are listed above)" ;;
124,0 | 137,0) die "ExitAfterClose did not reach the end of main within 60 s (its threads are listed above)" ;;
*) die "ExitAfterClose failed with status $rc (output above)" ;;
esac
