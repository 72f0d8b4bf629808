#!/usr/bin/env bash
# Build the double-clickable app: a one-folder PyInstaller build in dist/acting-mirror/,
# then dist/acting-mirror-VERSION-linux-ARCH.tar.gz and, when an AppImage runtime can be
# had, dist/Acting_Mirror-VERSION-ARCH.AppImage. See packaging/README.md.
#
#   bash packaging/build.sh            # from a clone of the repository, on Linux
#
# Environment: PYTHON (default python3) makes the clean build venv; KEEP_VENV=1 reuses
# build/venv from an earlier run; APPIMAGE_RUNTIME=FILE names a type-2 AppImage runtime
# (default: appimagetool if on PATH, else one built by packaging/appimage-runtime.sh from
# TYPE2_RUNTIME_SRC and SQUASHFUSE_SRC checkouts, cloned when not given); BUNDLE_FFMPEG=1
# ships imageio-ffmpeg's ffmpeg program (172 MB, GPL: a separate program) in the app; by
# default it is left out and export uses an ffmpeg on PATH.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/build/venv"
DIST="$ROOT/dist"
APP="$DIST/acting-mirror"

say() { printf '\033[1mbuild.sh:\033[0m %s\n' "$*" >&2; }

# 1. A clean venv with the app and PyInstaller only: a development venv drags in scipy
#    (through pyqtgraph's optional imports), TensorFlow and the test tools.
if [[ "${KEEP_VENV:-0}" != 1 || ! -x "$VENV/bin/python" ]]; then
    say "making a clean venv in build/venv"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi
say "installing the app and PyInstaller into it"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check . "pyinstaller>=6.10,<7"
VERSION="$("$VENV/bin/python" -c 'import acting_mirror; print(acting_mirror.__version__)')"
ARCH="$(uname -m)"

# 2. The one-folder build.
say "PyInstaller (acting-mirror $VERSION, $ARCH)"
rm -rf "$APP" "$ROOT/build/pyinstaller"
"$VENV/bin/python" -m PyInstaller --noconfirm --log-level WARN \
    --distpath "$DIST" --workpath "$ROOT/build/pyinstaller" packaging/acting-mirror.spec

# 3. Strip selectively: PyInstaller's strip=True breaks numpy's OpenBLAS (its bundled
#    libscipy_openblas must stay as built), so leave numpy.libs and every OpenBLAS alone.
say "stripping shared libraries (not numpy's or OpenBLAS)"
before=$(du -sb "$APP" | cut -f1)
find "$APP/_internal" -type f \( -name '*.so' -o -name '*.so.*' \) \
    ! -path '*/numpy.libs/*' ! -iname '*openblas*' -print0 |
    xargs -0 -r strip --strip-unneeded 2>/dev/null || true
after=$(du -sb "$APP" | cut -f1)
say "strip: $((before / 1000000)) MB -> $((after / 1000000)) MB"

# 4. A smoke test of the built executable with an empty environment.
say "smoke test: --version and process on a photo"
SMOKE="$(mktemp -d)"
trap 'rm -rf "$SMOKE"' EXIT
env -i PATH=/usr/bin:/bin HOME="$SMOKE/home" "$APP/acting-mirror" --version
env -i PATH=/usr/bin:/bin HOME="$SMOKE/home" "$APP/acting-mirror" process \
    "$ROOT/assets/portraits/astronaut.jpg" --out "$SMOKE/take" --quiet
test -s "$SMOKE/take/summary.json"
if [[ "${BUNDLE_FFMPEG:-0}" == 1 ]]; then
    # the bundled ffmpeg program, found with no ffmpeg on PATH
    env -i PATH=/usr/bin:/bin HOME="$SMOKE/home" "$APP/acting-mirror" export \
        "$SMOKE/take" --out "$SMOKE/take.mp4"
    test -s "$SMOKE/take.mp4"
fi

# 5. The desktop entry and icons travel with the folder.
cp packaging/io.github.actingmirror.ActingMirror.desktop "$APP/"
cp assets/icons/acting-mirror.svg assets/icons/acting-mirror-256.png "$APP/"
cp packaging/install-desktop-entry.sh "$APP/"
# the separate programs the app runs, and their licences (FFmpeg's is the GPL)
cp packaging/THIRD-PARTY-PROGRAMS.md "$APP/"

# 6. The tarball.
TARBALL="$DIST/acting-mirror-$VERSION-linux-$ARCH.tar.gz"
say "tarball $TARBALL"
tar -C "$DIST" -cf - acting-mirror | gzip -6 > "$TARBALL"

# 7. The AppImage (packaging/appimage.sh says why it may be skipped). Without appimagetool
#    or a runtime, build the runtime from source first (TYPE2_RUNTIME_SRC / SQUASHFUSE_SRC
#    name local checkouts; else they are cloned).
if [[ -z "${APPIMAGE_RUNTIME:-}" && ! -f build/appimage/runtime-$ARCH ]] \
        && ! command -v appimagetool >/dev/null; then
    bash packaging/appimage-runtime.sh "${TYPE2_RUNTIME_SRC:-}" "${SQUASHFUSE_SRC:-}" \
        || say "could not build the AppImage runtime (see above)"
fi
if bash packaging/appimage.sh "$APP" "$VERSION" "$ARCH"; then
    :
else
    say "no AppImage made (see the message above); the tarball is the download"
fi

mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB (%.1f MiB)", b / 1e6, b / 1048576 }'; }
say "folder $(mb "$(du -sb "$APP" | cut -f1)"), tar.gz $(mb "$(stat -c %s "$TARBALL")")"
ls -la "$DIST" >&2
