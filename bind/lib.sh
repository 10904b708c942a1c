# Shared by the scripts in bind/: source it, do not run it.
# It moves to the repository root and defines the helpers below.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

GO="${GO:-go}"
PKG=./mobile          # the package gomobile binds
JAVAPKG=org.skein     # Java package prefix: classes land in org.skein.mobile
OBJCPREFIX=Skein      # Objective-C/Swift prefix: SkeinMobileNode, ...
OUT=bind/out          # release artifacts (gitignored)
BUILD=bind/build      # scratch space (gitignored)

# die prints a one-line reason and exits 1.
die() {
	printf '%s: %s\n' "$(basename "$0")" "$*" >&2
	exit 1
}

# step announces what the script does next.
step() {
	printf '== %s\n' "$*"
}

# java_home prints the JDK that javac on PATH belongs to (JAVA_HOME wins).
java_home() {
	if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/javac" ]]; then
		printf '%s\n' "$JAVA_HOME"
		return
	fi
	local javac
	javac="$(command -v javac)" || die "javac not found: install a JDK (Debian: apt-get install openjdk-17-jdk-headless) or set JAVA_HOME"
	dirname "$(dirname "$(readlink -f "$javac")")"
}

# pkgfile PACKAGE SUFFIX prints the file of an installed Debian package whose
# path ends in SUFFIX.
pkgfile() {
	local f
	f="$(dpkg -L "$1" | grep -m1 -- "$2\$")" || die "package $1 has no file ending in $2"
	printf '%s\n' "$f"
}

# pinned_gobind builds the gobind pinned in go.mod into bind/build/bin and
# puts it first on PATH: gomobile runs whatever gobind it finds there, and
# `gomobile init` would install golang.org/x/mobile/cmd/gobind@latest instead.
pinned_gobind() {
	"$GO" build -o "$BUILD/bin/gobind" golang.org/x/mobile/cmd/gobind
	PATH="$ROOT/$BUILD/bin:$PATH"
	export PATH
}
