#!/usr/bin/env bash
# bind/jvm-test.sh (make jvm-test): test the Java binding of package mobile on
# this machine's JVM, without Android.
#
# bind/jvm-build.sh builds the binding into bind/build/jvm/: the gobind glue
# as a linux JNI library and the generated Java classes. JUnit then runs
# every *Test class of bind/jvm/test and of the Android demo's plain-Java
# core (android-demo/app/src/*/java/org/skein/demo/core) against them.
#
# Everything it builds lands in bind/build/ (gitignored).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$ROOT/bind/jvm-build.sh"

JDK="$(java_home)"
JUNIT="$(pkgfile junit4 /junit4.jar)"
HAMCREST="$(pkgfile libhamcrest-java /hamcrest-core.jar)"
JVM="$BUILD/jvm"
rm -rf "$JVM/test-classes"
mkdir -p "$JVM/test-classes"

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

step "junit: ${tests[*]}"
# A hung test fails by its own JUnit timeout; timeout(1) bounds the rest.
timeout --kill-after=10s 15m \
	"$JDK/bin/java" -Djava.library.path="$JVM/lib" \
	-cp "$JVM/test-classes:$JVM/classes:$JVM/stub-classes:$JUNIT:$HAMCREST" \
	org.junit.runner.JUnitCore "${tests[@]}"

