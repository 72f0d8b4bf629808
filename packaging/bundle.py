"""What goes into the packaged app, as plain Python (no PyInstaller import), so the spec
(`acting-mirror.spec`) uses it and the fast CI test (tests/packaging/test_spec.py) can
check it without building anything.

- :func:`datas`: every data file the installed package ships (pyproject.toml's
  package-data, read from the file itself), at the same place inside the bundle as inside
  an installed ``acting_mirror``, so ``config.models_dir()`` finds them the same way.
- :func:`hidden_imports`: every ``acting_mirror`` module: the CLI imports its subcommands
  with ``importlib``, which PyInstaller's import analysis cannot see.
- :data:`EXCLUDED_MODULES`, :func:`keep_qt_file`: what the app does not use.
- :func:`unreferenced_libraries`: copied system libraries that nothing left in the
  bundle needs any more (dropped Qt plugins leave their GTK, cairo... behind).
- :func:`ffmpeg_programs`: FFmpeg's ``ffmpeg`` executable from imageio-ffmpeg, shipped as
  a separate program file (never linked into the app; PyAV, which would load FFmpeg's
  libraries into the process, is in :data:`EXCLUDED_MODULES`).
"""

from __future__ import annotations

import fnmatch
import re
import sys
from pathlib import Path
from typing import Callable, Iterable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PACKAGE = "acting_mirror"
APP_ID = "io.github.actingmirror.ActingMirror"  # the desktop entry's and macOS bundle's id
APP_NAME = "Acting Mirror"

# macOS asks the user before any app uses the camera, showing this text; an app without it
# is killed by the system the moment it opens the camera
CAMERA_USAGE = (
    "Acting Mirror shows your camera as a mirror and reads which emotion your face shows, "
    "on this computer only: nothing is uploaded."
)


def version(root: Path) -> str:
    """``acting_mirror.__version__``, read from the source without importing it."""
    text = (root / PACKAGE / "__init__.py").read_text()
    match = re.search(r"""^__version__\s*=\s*["']([^"']+)["']""", text, re.M)
    if match is None:
        raise ValueError("no __version__ in acting_mirror/__init__.py")
    return match.group(1)


def macos_info_plist(root: Path) -> dict:
    """The Info.plist entries of the macOS app bundle."""
    return {
        "CFBundleName": APP_NAME,
        "CFBundleDisplayName": APP_NAME,
        "CFBundleShortVersionString": version(root),
        "CFBundleVersion": version(root),
        "NSCameraUsageDescription": CAMERA_USAGE,
        "NSHighResolutionCapable": True,
        "LSApplicationCategoryType": "public.app-category.video",
    }

EXCLUDED_MODULES = [
    # PyAV: its wheels load a GPL FFmpeg (with x264/x265) into the process. The app runs
    # the ffmpeg program instead; never bundle av even when the build venv has it.
    "av",
    # the tools extra and the test tools: never part of the app
    "tensorflow", "keras", "tf_keras", "mtcnn", "tensorboard",
    "pytest", "hypothesis", "skimage", "matplotlib", "importlinter", "grimp",
    # optional imports of pyqtgraph, numpy or yt-dlp the app never reaches
    "scipy", "pandas", "PIL", "IPython", "jupyter_rfb", "cupy", "numba", "h5py",
    "OpenGL", "metaarray", "colorcet", "tkinter", "_tkinter", "PyQt5", "PyQt6",
    "PySide2", "pyqtgraph.opengl", "pyqtgraph.examples", "pyqtgraph.jupyter",
    "Cryptodome", "Crypto", "websockets", "brotli", "mutagen", "curl_cffi", "secretstorage",
    # Qt modules the app does not use (QtOpenGL/QtOpenGLWidgets stay: pyqtgraph imports them)
    "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtQuick3D",
    "PySide6.QtQuickControls2", "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebEngineQuick", "PySide6.QtWebChannel", "PySide6.QtWebSockets",
    "PySide6.QtNetwork", "PySide6.QtMultimedia", "PySide6.QtMultimediaWidgets",
    "PySide6.QtSql", "PySide6.QtTest", "PySide6.QtDesigner", "PySide6.QtUiTools",
    "PySide6.QtHelp", "PySide6.QtXml", "PySide6.QtConcurrent", "PySide6.QtPdf",
    "PySide6.QtPdfWidgets", "PySide6.QtCharts", "PySide6.QtDataVisualization",
    "PySide6.QtGraphs", "PySide6.QtBluetooth", "PySide6.QtNfc", "PySide6.QtPositioning",
    "PySide6.QtLocation", "PySide6.QtSensors", "PySide6.QtSerialPort", "PySide6.QtRemoteObjects",
    "PySide6.QtScxml", "PySide6.QtStateMachine", "PySide6.QtTextToSpeech",
    "PySide6.QtSpatialAudio", "PySide6.Qt3DCore", "PySide6.QtHttpServer",
]

# Qt plugin folders (under PySide6/Qt/plugins/) that stay, and within them the plugins that
# go. Everything else there (egl device integrations, generic input, tls, network
# information, QML tooling...) is dropped.
QT_PLUGIN_DIRS_KEPT = {
    "platforms", "platformthemes", "platforminputcontexts", "imageformats", "iconengines",
    "xcbglintegrations", "wayland-shell-integration", "wayland-decoration-client",
    "wayland-graphics-integration-client", "styles",
}
QT_PLUGINS_DROPPED = [
    "libqgtk3*",  # the GTK3 theme: pulls in GTK, cairo, pango, gdk-pixbuf...
    "libqvnc*", "libqvkkhrdisplay*", "libqlinuxfb*", "libqeglfs*", "libqminimalegl*",
    "libqtiff*", "libqwebp*", "libqicns*", "libqtga*", "libqwbmp*", "libqpdf*",
    "libqxdgdesktopportal*",  # only with QtDBus file dialogs portals; Qt's own dialog is used
]
# Qt files that never matter for this app: translations and QML
QT_DATA_DROPPED = ("/translations/", "/qml/", "/Qt/metatypes/", "/Qt/libexec/")


def _pyproject(root: Path) -> dict:
    with open(root / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def data_folders(root: Path) -> dict[str, Path]:
    """Package name (``acting_mirror.models``) -> the repository folder it is built from,
    for every data package in pyproject.toml's package-dir."""
    setuptools = _pyproject(root)["tool"]["setuptools"]
    dirs = setuptools.get("package-dir", {})
    return {pkg: root / folder for pkg, folder in dirs.items()}


def package_data_files(root: Path) -> list[tuple[Path, str]]:
    """(file in the repository, its folder inside the installed package) for every file
    pyproject.toml's package-data ships."""
    setuptools = _pyproject(root)["tool"]["setuptools"]
    folders = data_folders(root)
    found: dict[Path, str] = {}
    for pkg, patterns in setuptools.get("package-data", {}).items():
        base = folders.get(pkg, root / Path(*pkg.split(".")))
        dest = Path(*pkg.split("."))
        for pattern in patterns:
            for path in sorted(base.glob(pattern)):
                if path.is_file():
                    found[path] = (dest / path.parent.relative_to(base)).as_posix()
    return sorted(found.items())


def datas(root: Path) -> list[tuple[str, str]]:
    """The spec's ``datas``: (source file, destination folder in the bundle)."""
    return [(str(src), dest) for src, dest in package_data_files(root)]


def hidden_imports(root: Path) -> list[str]:
    """Every module of the ``acting_mirror`` package, from its source tree."""
    base = root / PACKAGE
    names = []
    for path in sorted(base.rglob("*.py")):
        rel = path.relative_to(root).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        if "__pycache__" in parts:
            continue
        names.append(".".join(parts))
    return names


# LiteRT's own shared libraries the app needs (see hooks/hook-ai_edge_litert.py); its GPU
# accelerators (WebGPU on Linux and Windows, Metal on macOS) are left out
_SHARED_SUFFIXES = (".so", ".dylib", ".dll")
_LITERT_LEFT_OUT = ("webgpu", "metal", "accelerator")


def litert_libraries(package_dir: Path) -> list[Path]:
    """The shared libraries at the top of the installed ``ai_edge_litert`` package that the
    bundle needs: ``libLiteRt`` and ``(lib)pywrap_litert_common`` (.so, .dylib or .dll),
    not the GPU accelerators. The ``_pywrap_*`` extension modules are found by import
    analysis, and only those imported are needed."""
    found = []
    for path in sorted(Path(package_dir).iterdir()):
        name = path.name.lower()
        if (path.is_file() and "litert" in name and name.endswith(_SHARED_SUFFIXES)
                and not name.startswith("_pywrap")
                and not any(word in name for word in _LITERT_LEFT_OUT)):
            found.append(path)
    return found


# FFmpeg's program, from the imageio-ffmpeg wheel: imageio_ffmpeg/binaries/ffmpeg-<os>-<arch>-vN
# (ffmpeg-...exe on Windows). It goes into the bundle at the same place, where
# imageio_ffmpeg.get_ffmpeg_exe() finds it, as an executable file of its own, when the build
# is run with BUNDLE_FFMPEG=1. By default it is left out (172 MB would put the folder past
# its 370 MB target): export and a video's sound then use an ffmpeg on PATH, or say in one
# line that there is none.
FFMPEG_DEST = "imageio_ffmpeg/binaries"


def ffmpeg_programs(package_dir: Path, environ: dict | None = None) -> list[Path]:
    """The ffmpeg executable(s) in an installed ``imageio_ffmpeg`` package to ship (none
    unless ``BUNDLE_FFMPEG=1``)."""
    import os

    environ = os.environ if environ is None else environ
    if environ.get("BUNDLE_FFMPEG", "0") != "1":
        return []
    folder = Path(package_dir) / "binaries"
    if not folder.is_dir():
        return []
    return [p for p in sorted(folder.iterdir())
            if p.is_file() and p.name.startswith("ffmpeg") and not p.name.endswith((".py", ".md"))]


def keep_qt_file(dest: str) -> bool:
    """Whether a collected file (its path inside the bundle) stays: False for Qt plugins,
    translations and QML the app does not use."""
    dest = dest.replace("\\", "/")
    if "PySide6/" not in dest:
        return True
    if any(part in "/" + dest for part in QT_DATA_DROPPED):
        return False
    match = re.search(r"PySide6/(?:Qt/)?plugins/([^/]+)/([^/]+)$", dest)
    if match is None:
        return True
    folder, name = match.groups()
    if folder not in QT_PLUGIN_DIRS_KEPT:
        return False
    return not any(fnmatch.fnmatch(name, pattern) for pattern in QT_PLUGINS_DROPPED)


# folders (inside the bundle) whose libraries stay only if something needs them: the top
# level, where PyInstaller copies system libraries, and Qt's own libraries, which the
# PySide6 hook takes whole (QtNetwork, the EGLFS device integration... that nothing links)
LIBRARY_FOLDERS = ("", "PySide6/Qt/lib")


def _folder(dest: str) -> str:
    return str(Path(dest.replace("\\", "/")).parent.as_posix()).lstrip(".")


def unreferenced_libraries(
    binaries: Iterable[tuple[str, str]], needed: Callable[[str], list[str]],
) -> set[str]:
    """Bundle paths of libraries in :data:`LIBRARY_FOLDERS` that no remaining binary
    needs, directly or through another.

    ``binaries``: (path inside the bundle, source file); ``needed``: a source file's
    DT_NEEDED sonames. Everything elsewhere (Python's extension modules, Qt's plugins and
    bindings, cv2, numpy, LiteRT) is a root, and so is libpython (the bootloader loads it);
    a library in those folders stays if a root reaches it.
    """
    binaries = list(binaries)
    candidates = {Path(dest).name: (dest, src) for dest, src in binaries
                  if _folder(dest) in LIBRARY_FOLDERS}
    roots = [src for dest, src in binaries
             if _folder(dest) not in LIBRARY_FOLDERS or Path(dest).name.startswith("libpython")]
    reached: set[str] = set()
    queue = list(roots)
    while queue:
        for soname in needed(queue.pop()):
            if soname in candidates and soname not in reached:
                reached.add(soname)
                queue.append(candidates[soname][1])
    return {dest for name, (dest, _) in candidates.items()
            if name not in reached and not name.startswith("libpython")}
