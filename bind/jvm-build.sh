#!/usr/bin/env bash
# bind/jvm-build.sh: build the Java binding of package mobile for this
# machine's JVM, without Android. bind/jvm-test.sh and bind/jvm-bench.sh run
# it first.
#
# gobind writes the same Go glue and Java classes that go into skein.aar. The
# glue is built for linux/amd64 as a JNI library (the Android-only files
# renamed, android/log.h and liblog from Debian) and the Java classes are
# compiled with javac:
#
#   bind/build/jvm/lib/libgojni.so   the glue, as go.Seq loads it
#   bind/build/jvm/classes/          the binding: go.*, org.skein.mobile.*
#   bind/build/jvm/stub-classes/     android.content.Context, which go.Seq names
#
# The Go glue goes to bind/build/_gen/ so that it compiles against this
# module's go.mod, while `go build ./...` and friends skip it (a leading
# underscore hides a directory from ./... patterns).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$ROOT/bind/jvm-deps.sh"

JDK="$(java_home)"
[[ -f "$JDK/include/jni.h" ]] || die "$JDK has no include/jni.h: install a full JDK (Debian: apt-get install openjdk-17-jdk-headless)"

# (Each assignment on its own line, so that a failing pkgfile stops the script.)
LOG_H="$(pkgfile android-liblog-dev /android/log.h)"
LOG_SO="$(pkgfile android-liblog /liblog.so)"
LOG_INCLUDE="$(dirname "$(dirname "$LOG_H")")"
LOG_LIB="$(dirname "$LOG_SO")"

GEN="$BUILD/_gen"
JVM="$BUILD/jvm"
rm -rf "$GEN" "$JVM"
mkdir -p "$JVM/lib" "$JVM/classes" "$JVM/stub-classes"

step "gobind -lang=go,java -javapkg $JAVAPKG $PKG"
"$GO" tool gobind -lang=go,java -javapkg "$JAVAPKG" -outdir "$GEN" "$PKG"

# The glue's *_android files carry the android build constraint in their
# names; rename them so that they build on linux. Their headers keep their
# names: the sources include them by name.
glue="$GEN/src/gobind"
for f in "$glue"/*_android.go "$glue"/*_android.c; do
	mv "$f" "${f%_android.*}_jni.${f##*.}"
done

# A Go thread that calls into Java attaches itself to the JVM with
# AttachCurrentThread and detaches only when the thread exits, which Go's
# threads seldom do: the listener's thread does (package mobile locks it),
# but the finalizers that release Java objects run on any of them. A
# desktop JVM does not exit while a thread attached that way lives, so here
# Go threads attach as daemons. (An Android app never exits through main;
# skein.aar keeps gomobile's code as it is.)
seq_c="$glue/seq_jni.c"
[[ "$(grep -c 'AttachCurrentThread(jvm, ' "$seq_c")" == 1 ]] ||
	die "$seq_c no longer calls AttachCurrentThread(jvm, ...) once as this script expects: gomobile changed; see what it does now about threads attached to the JVM"
sed -i 's/AttachCurrentThread(jvm, /AttachCurrentThreadAsDaemon(jvm, /' "$seq_c"
grep -q 'AttachCurrentThreadAsDaemon(jvm, ' "$seq_c" || die "patching $seq_c to AttachCurrentThreadAsDaemon failed"

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
