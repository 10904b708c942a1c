# bind/android-link.sh: how Skein's Android library is linked, shared by
# bind/android.sh (the real .aar, NDK clang and lld) and scripts/libsize.sh
# (its linux/arm64 proxy). Source it, do not run it.

# ANDROID_API is the lowest Android API level the library loads on: gomobile
# -androidapi, the .aar's minSdkVersion. An app using the .aar needs a
# minSdk at least this high.
ANDROID_API=23

# ANDROID_EXTLDFLAGS go to the external linker (lld, as in the NDK) through
# go build -ldflags=-extldflags. --pack-dyn-relocs=android stores the
# dynamic relocations in Android's packed format (APS2), which bionic loads
# from API 23 on; unpacked, the R_AARCH64_RELATIVE relocations of Go's type
# data, 24 bytes each, take about 2.3 MB of the arm64 library. RELR
# (android+relr, API 28 with --use-android-relr-tags, standard DT_RELR from
# API 30) would save 0.4 MB more but drop about 4.5 % more devices: see
# docs/DEPENDENCIES.md. The NDK's clang (r27, LLVM 18) does not pack on its
# own at any API level, hence the explicit flag.
ANDROID_EXTLDFLAGS='-Wl,--pack-dyn-relocs=android'
