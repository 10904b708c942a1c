# bind/android-link.sh: how Skein's Android library is linked, shared by
# bind/android.sh (the real .aar: the NDK's clang and lld) and
# scripts/libsize.sh (its linux/arm64 proxy, linked by Debian's lld). Source
# it, do not run it.

# ANDROID_API is the lowest Android API level the library loads on: gomobile
# -androidapi, the .aar's minSdkVersion (an app using the .aar needs a minSdk
# at least this high). Set it in the environment to build or measure another
# level, e.g. ANDROID_API=28 scripts/libsize.sh.
ANDROID_API="${ANDROID_API:-23}"
[[ "$ANDROID_API" =~ ^[0-9]+$ ]] || {
	echo "android-link.sh: ANDROID_API=$ANDROID_API is not an API level" >&2
	exit 1
}

# ANDROID_EXTLDFLAGS go to the external linker through go build
# -ldflags=-extldflags: lld packs the dynamic relocations in the densest
# format that Android's loader reads at ANDROID_API. Unpacked, the
# R_AARCH64_RELATIVE relocations of Go's type data, 24 bytes each, take
# 2.3 MB of the arm64 library. Bionic reads Android's packed format (APS2)
# from API 23, RELR from API 28 under Android's own tags and under the
# standard ones from API 30 (bionic's android-changes-for-ndk-developers.md,
# "Relative relocations (RELR)"). The NDK r27 clang (LLVM 18) passes none of
# these flags itself. Measured on the arm64 proxy: APS2 saves 1.89 MB, RELR
# 2.27 MB (docs/DEPENDENCIES.md).
if ((ANDROID_API >= 30)); then
	ANDROID_EXTLDFLAGS='-Wl,--pack-dyn-relocs=android+relr'
elif ((ANDROID_API >= 28)); then
	ANDROID_EXTLDFLAGS='-Wl,--pack-dyn-relocs=android+relr,--use-android-relr-tags'
elif ((ANDROID_API >= 23)); then
	ANDROID_EXTLDFLAGS='-Wl,--pack-dyn-relocs=android'
else
	ANDROID_EXTLDFLAGS=''
fi
