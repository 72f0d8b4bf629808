#!/usr/bin/env bash
# Build the AppImage type-2 runtime (the ELF at the front of every AppImage) from source,
# into build/appimage/runtime-ARCH, for packaging/appimage.sh. The AppImage project
# publishes it only as a GitHub release download, and neither Debian nor PyPI packages it
# (or appimagetool), so where those downloads are not allowed it is built here, statically,
# from its sources and Debian's libfuse3/zstd/zlib:
#
#   bash packaging/appimage-runtime.sh [TYPE2_RUNTIME_SRC [SQUASHFUSE_SRC]]
#
# TYPE2_RUNTIME_SRC: a checkout of https://github.com/AppImage/type2-runtime (MIT);
# SQUASHFUSE_SRC: a checkout of https://github.com/vasi/squashfuse at tag 0.5.2 (BSD-2).
# Either is cloned when not given. Debian packages: gcc make autoconf automake libtool
# pkg-config libfuse3-dev libzstd-dev zlib1g-dev (and fuse3 to run AppImages).
# The runtime is a separate program, not part of the app: it statically links libfuse3
# (LGPL-2.1), as the official runtime does.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/build/appimage"
ARCH="$(uname -m)"
say() { printf '\033[1mappimage-runtime.sh:\033[0m %s\n' "$*" >&2; }
mkdir -p "$WORK"

RUNTIME_SRC="${1:-}"
SQUASHFUSE_SRC="${2:-}"
if [[ -z "$RUNTIME_SRC" ]]; then
    RUNTIME_SRC="$WORK/type2-runtime"
    [[ -d "$RUNTIME_SRC" ]] || git clone --depth 1 https://github.com/AppImage/type2-runtime "$RUNTIME_SRC"
fi
if [[ -z "$SQUASHFUSE_SRC" ]]; then
    SQUASHFUSE_SRC="$WORK/squashfuse-src"
    [[ -d "$SQUASHFUSE_SRC" ]] || git clone --depth 1 --branch 0.5.2 https://github.com/vasi/squashfuse "$SQUASHFUSE_SRC"
fi

# squashfuse 0.5.2, static, with its private headers (the runtime uses fuseprivate.h)
PREFIX="$WORK/prefix"
say "squashfuse from $SQUASHFUSE_SRC"
rm -rf "$WORK/squashfuse" "$PREFIX"
cp -a "$SQUASHFUSE_SRC" "$WORK/squashfuse"
(
    cd "$WORK/squashfuse"
    ./autogen.sh >/dev/null 2>&1
    CFLAGS="-ffunction-sections -fdata-sections -Os" ./configure --quiet --prefix="$PREFIX" \
        --disable-shared --enable-static --without-xz --without-lzo --without-lz4 >/dev/null
    make -s -j"$(nproc)" >/dev/null
    make -s install >/dev/null
    install -m 644 ./*.h "$PREFIX/include/squashfuse/"
)

say "runtime from $RUNTIME_SRC"
BUILD="$WORK/runtime-build"
rm -rf "$BUILD"; mkdir -p "$BUILD"
cp "$RUNTIME_SRC/src/runtime/runtime.c" "$RUNTIME_SRC/src/runtime/data_sections.ld" "$BUILD/"
COMMIT="$(git -C "$RUNTIME_SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)"
(
    cd "$BUILD"
    gcc -std=gnu99 -Os -D_FILE_OFFSET_BITS=64 -DGIT_COMMIT="\"$COMMIT\"" -T data_sections.ld \
        -ffunction-sections -fdata-sections -Wl,--gc-sections -static \
        -I"$PREFIX/include/squashfuse" -I"$PREFIX/include" -I/usr/include/fuse3 \
        runtime.c -L"$PREFIX/lib" -lsquashfuse_ll -lsquashfuse \
        -lzstd -lz -lfuse3 -lpthread -ldl -o runtime 2> gcc.log \
        || { cat gcc.log >&2; exit 1; }
    strip --strip-debug --strip-unneeded runtime
    # the AppImage type-2 magic bytes at offset 8 (after strip, which would undo them)
    printf 'AI\x02' | dd of=runtime bs=1 count=3 seek=8 conv=notrunc status=none
)
cp "$BUILD/runtime" "$WORK/runtime-$ARCH"
say "$WORK/runtime-$ARCH ($(du -k "$WORK/runtime-$ARCH" | cut -f1) kB)"
