#!/usr/bin/env bash
# Make dist/Acting_Mirror-VERSION-ARCH.AppImage from the one-folder build (run by build.sh).
#   bash packaging/appimage.sh dist/acting-mirror VERSION ARCH
# An AppImage is an ELF "runtime" (it mounts the rest of the file with FUSE and runs
# AppRun) followed by a squashfs image of an AppDir. With `appimagetool` on PATH it is
# used; else the runtime named by $APPIMAGE_RUNTIME (or build/appimage/runtime-ARCH, which
# packaging/appimage-runtime.sh builds from source) is joined to a squashfs made with
# mksquashfs (Debian: squashfs-tools). Exits 1, saying why, when neither can be had.
set -euo pipefail
APP="$(cd "$1" && pwd)"; VERSION="$2"; ARCH="$3"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ID=io.github.actingmirror.ActingMirror
OUT="$ROOT/dist/Acting_Mirror-$VERSION-$ARCH.AppImage"
say() { printf '\033[1mappimage.sh:\033[0m %s\n' "$*" >&2; }

RUNTIME="${APPIMAGE_RUNTIME:-$ROOT/build/appimage/runtime-$ARCH}"
TOOL="$(command -v appimagetool || true)"
if [[ -z "$TOOL" && ! -f "$RUNTIME" ]]; then
    say "no appimagetool on PATH and no AppImage runtime at $RUNTIME: neither is in"
    say "Debian or PyPI; build the runtime with packaging/appimage-runtime.sh (see packaging/README.md)"
    exit 1
fi
if [[ -z "$TOOL" ]] && ! command -v mksquashfs >/dev/null; then
    say "mksquashfs is missing (Debian: apt install squashfs-tools)"
    exit 1
fi

APPDIR="$ROOT/build/appimage/AppDir"
rm -rf "$APPDIR"; mkdir -p "$APPDIR/usr/share/icons/hicolor/scalable/apps" "$APPDIR/usr/share/applications"
cp -a "$APP" "$APPDIR/acting-mirror"
cat > "$APPDIR/AppRun" <<'APPRUN'
#!/bin/sh
# AppImage entry: the packaged app, with every command line the installed one takes
here="$(dirname "$(readlink -f "$0")")"
exec "$here/acting-mirror/acting-mirror" "$@"
APPRUN
chmod +x "$APPDIR/AppRun"
cp "$ROOT/packaging/$ID.desktop" "$APPDIR/$ID.desktop"
cp "$ROOT/packaging/$ID.desktop" "$APPDIR/usr/share/applications/$ID.desktop"
cp "$ROOT/assets/icons/acting-mirror.svg" "$APPDIR/$ID.svg"
cp "$ROOT/assets/icons/acting-mirror.svg" "$APPDIR/usr/share/icons/hicolor/scalable/apps/$ID.svg"
cp "$ROOT/assets/icons/acting-mirror-256.png" "$APPDIR/.DirIcon"

rm -f "$OUT"
if [[ -n "$TOOL" ]]; then
    say "appimagetool $TOOL"
    ARCH="$ARCH" "$TOOL" --no-appstream "$APPDIR" "$OUT"
else
    say "runtime $RUNTIME + mksquashfs (zstd)"
    SQUASH="$ROOT/build/appimage/image.squashfs"
    rm -f "$SQUASH"
    mksquashfs "$APPDIR" "$SQUASH" -root-owned -noappend -comp zstd -Xcompression-level 19 \
        -b 1M -quiet -no-progress >&2
    cat "$RUNTIME" "$SQUASH" > "$OUT"
    chmod +x "$OUT"
fi
say "$OUT ($(du -m "$OUT" | cut -f1) MiB)"
