#!/usr/bin/env bash
# The README's test command, and what CI runs: the system packages the tests need (when
# missing and apt-get is there), a fresh virtual environment with the package installed
# as a user would (not editable), the import contracts, then the whole test suite.
# VENV picks the environment's folder (default .venv); extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# Qt's libraries for the offscreen tests; the scene partner's voice (espeak-ng, a separate
# program); PulseAudio for the null sink the audio tests play into and record from;
# desktop-file-validate for the desktop entry; headless Chromium for the class report
system_pkgs="libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0 libglib2.0-0
espeak-ng pulseaudio pulseaudio-utils desktop-file-utils chromium"
missing=""
for pkg in $system_pkgs; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ] && command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
  echo "Installing system packages:$missing"
  ($sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing) >/dev/null \
    || echo "warning: could not install$missing (the tests that need them will say so)"
fi

venv="${VENV:-.venv}"
rm -rf "$venv"
python3 -m venv "$venv"
# shellcheck disable=SC1091
. "$venv/bin/activate"
python -m pip install -q --upgrade pip

# The non-headless OpenCV ships its own Qt plugins and breaks PySide6: it must never arrive.
python -m pip install -q ".[tools,test,batch]"
if python -m pip show opencv-python >/dev/null 2>&1 || python -m pip show opencv-contrib-python >/dev/null 2>&1; then
  echo "error: a non-headless opencv build was pulled into the environment" >&2
  python -m pip show opencv-python opencv-contrib-python 2>/dev/null | grep -E "^(Name|Required-by)" >&2
  exit 1
fi

echo "== import contracts"
lint-imports

echo "== tests"
export QT_QPA_PLATFORM=offscreen
python -m pytest -q -p no:cacheprovider "$@"
