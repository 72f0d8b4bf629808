"""Before Qt starts on Linux: are the system libraries its X11 (xcb) platform plugin needs
there? Qt itself, when one is missing, prints a paragraph about plugins and aborts
(status 134). This names the missing Debian/Ubuntu packages in one line instead.

No Qt import: each library is looked up by its soname with the dynamic loader
(``ctypes.CDLL``), exactly as Qt's plugin would find it, including the copies a packaged
app carries. The lookup is injectable, so tests can pretend a library is missing.
"""

from __future__ import annotations

import ctypes
import os
import sys
from typing import Callable, Mapping

from acting_mirror.errors import ActingMirrorError

# soname -> the Debian/Ubuntu package that ships it: what libqxcb.so, libQt6XcbQpa,
# libQt6Gui and libQt6DBus (PySide6 6.6-6.11 wheels) link against or dlopen. The wheel
# carries Qt and ICU; everything here must come from the system.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
}


def unloadable(soname: str) -> str | None:
    """None if the dynamic loader loads ``soname``; else the library it could not find or
    load, which is ``soname`` itself or one of its own dependencies (say libX11.so.6
    fails because libxcb.so.1 is missing: the culprit is libxcb.so.1)."""
    try:
        ctypes.CDLL(soname)
    except OSError as exc:
        return culprit(str(exc), soname)
    return None


def culprit(error: str, soname: str) -> str:
    """The library a loader error blames: glibc says "libxcb.so.1: cannot open shared
    object file: ..." or "/lib/x86_64-linux-gnu/libxcb.so.1: file too short". Anything
    else blames ``soname``, the library that was being loaded."""
    name = error.split(": ", 1)[0].strip().rsplit("/", 1)[-1]
    if ".so" in name and name.isprintable() and " " not in name:
        return name
    return soname


def uses_xcb(env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Whether Qt will start its X11 (xcb) plugin: on Linux, with ``QT_QPA_PLATFORM``
    unset (and no Wayland session for Qt to prefer) or naming xcb, and a ``DISPLAY``."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux") or not env.get("DISPLAY"):
        return False
    chosen = (env.get("QT_QPA_PLATFORM") or "").strip().lower()
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"
    return not env.get("WAYLAND_DISPLAY")


def missing_libraries(load: Callable[[str], str | None] | None = None) -> dict[str, str]:
    """soname -> Debian package (or "" when not one of ours) for every library that stops
    one in :data:`XCB_LIBRARIES` from loading. ``load`` (default :func:`unloadable`)
    returns None for a library that loads, else the library to blame."""
    load = unloadable if load is None else load
    missing: dict[str, str] = {}
    for soname in XCB_LIBRARIES:
        culprit = load(soname)
        if culprit is not None:
            missing.setdefault(culprit, XCB_LIBRARIES.get(culprit, ""))
    return missing


def missing_message(missing: Mapping[str, str]) -> str:
    """The one line for the user: what is missing and the command that installs it."""
    packages = " ".join(dict.fromkeys(p for p in missing.values() if p))
    unknown = [soname for soname, package in missing.items() if not package]
    how = f"install them with: sudo apt install {packages}" if packages else ""
    if unknown:
        how += ("; and " if how else "") + "the packages that provide " + ", ".join(unknown)
    return (
        f"The desktop app cannot start: the system libraries Qt needs for the screen are "
        f"missing ({', '.join(missing)}); {how} (Debian/Ubuntu names; the command-line "
        f"tools work without them)."
    )


def check_qt_libraries(env: Mapping[str, str] | None = None, platform: str | None = None,
                       load: Callable[[str], str | None] | None = None) -> None:
    """Raise ActingMirrorError naming the missing packages when Qt would start its xcb
    plugin without them; do nothing otherwise (other systems, offscreen, Wayland)."""
    if not uses_xcb(env, platform):
        return
    missing = missing_libraries(load)
    if missing:
        raise ActingMirrorError(missing_message(missing))
