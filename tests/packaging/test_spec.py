"""The PyInstaller spec collects every model and asset the code loads, and every module the
CLI imports lazily, without running PyInstaller: the spec is executed with recorders in
place of PyInstaller's Analysis/PYZ/EXE/COLLECT, so what it would hand to COLLECT is seen.

Adding a model (or any file) under models/ or assets/ that the bundle would not carry
fails here: ship it through pyproject.toml's package-data, which the spec reads.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from acting_mirror import config
from acting_mirror.commands import script as script_command
from acting_mirror.media import clips
from acting_mirror.vision import mtcnn

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
SPEC = PACKAGING / "acting-mirror.spec"
DATA_FOLDERS = {"models": "acting_mirror/models", "assets": "acting_mirror/assets"}


def _bundle():
    spec = importlib.util.spec_from_file_location("bundle_under_test", PACKAGING / "bundle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Recorder:
    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs


class _Analysis(_Recorder):
    """What PyInstaller's Analysis turns ``datas`` into: (bundle path, source, 'DATA')."""

    def __init__(self, scripts, **kwargs):
        super().__init__(scripts, **kwargs)
        self.datas = [(f"{dest}/{Path(src).name}", src, "DATA") for src, dest in kwargs["datas"]]
        self.binaries, self.pure, self.scripts = [], [], list(scripts)


def _run_spec(platform: str | None = None) -> dict:
    """The spec, executed with recorders (as if on ``platform``): its namespace."""
    namespace = {"SPECPATH": str(PACKAGING), "__file__": str(SPEC), "Analysis": _Analysis,
                 "PYZ": _Recorder, "EXE": _Recorder, "COLLECT": _Recorder,
                 "BUNDLE": _Recorder}
    saved_path, saved_platform = list(sys.path), sys.platform
    try:
        if platform is not None:
            sys.platform = platform
        exec(compile(SPEC.read_text(), str(SPEC), "exec"), namespace)
    finally:
        sys.platform = saved_platform
        sys.path[:] = saved_path
    return namespace


@pytest.fixture(scope="module")
def built():
    """The spec, executed: its Analysis and COLLECT."""
    namespace = _run_spec()
    return namespace["a"], namespace["coll"]


@pytest.fixture(scope="module")
def collected(built) -> dict[str, Path]:
    """bundle path -> source file, for every data file handed to COLLECT."""
    _, coll = built
    datas = coll.args[-1]
    return {dest: Path(src) for dest, src, _kind in datas}


def _repo_data_files():
    for folder in DATA_FOLDERS:
        for path in sorted((REPO / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                yield path


def test_every_model_and_asset_file_is_collected_at_its_package_path(collected):
    missing = []
    for path in _repo_data_files():
        if path.suffix == ".py":  # the scripts that rebuild models and the demo clip
            continue
        folder, *rest = path.relative_to(REPO).parts
        dest = "/".join([DATA_FOLDERS[folder], *rest])
        if collected.get(dest) != path:
            missing.append(dest)
    assert not missing, (
        f"not in the packaged app: {missing}; add them to pyproject.toml's package-data")


def test_nothing_but_the_repository_data_is_collected(collected):
    for dest, src in collected.items():
        assert src.is_file(), dest
        assert src.resolve().is_relative_to(REPO), src


@pytest.mark.parametrize(
    "folder, name",
    [
        ("models", config.EMOTION_MODEL_FILE),
        ("models", config.HAAR_CASCADE_FILE),
        ("models", mtcnn.PNET_FILE),
        ("models", mtcnn.RNET_FILE),
        ("models", mtcnn.ONET_FILE),
        ("assets", config.DEMO_CLIP_FILE),
        ("assets", script_command.EXAMPLE_TIMED),
        ("assets", script_command.EXAMPLE_TELEPROMPTER),
        *[("assets", f"portraits/{name}") for name in clips.PORTRAITS],
    ],
)
def test_every_file_the_code_names_is_collected(collected, folder, name):
    assert f"{DATA_FOLDERS[folder]}/{name}" in collected


def test_every_file_name_constant_in_config_is_collected(collected):
    names = {value for key, value in vars(config).items()
             if key.endswith("_FILE") and isinstance(value, str)}
    assert names  # the constants exist
    shipped = {dest.rsplit("/", 1)[-1] for dest in collected}
    assert names <= shipped


def test_every_acting_mirror_module_is_a_hidden_import(built):
    analysis, _ = built
    hidden = set(analysis.kwargs["hiddenimports"])
    modules = set()
    for path in (REPO / "acting_mirror").rglob("*.py"):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        modules.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    assert modules <= hidden
    # the subcommands the CLI imports with importlib, by name
    from acting_mirror.cli import COMMANDS

    assert {f"acting_mirror.commands.{name}" for name in COMMANDS} <= hidden


def _imported_top_levels() -> set[str]:
    names = set()
    for path in (REPO / "acting_mirror").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
    return names


def test_no_module_the_app_imports_is_excluded(built):
    analysis, _ = built
    excluded = set(analysis.kwargs["excludes"])
    # the tools extra (model train/export/explain, evaluate's plots, the reference MTCNN)
    # stays out on purpose: those commands say to install it
    tools = {"tensorflow", "mtcnn", "keras", "matplotlib", "skimage"}  # + quality-sweep data
    for name in _imported_top_levels():
        hit = {e for e in excluded if name == e or name.startswith(e + ".")}
        assert not hit - tools, f"{name} is imported by the app but excluded by {hit}"
    for kept in ("PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets", "PySide6.QtSvg"):
        assert kept not in excluded  # pyqtgraph imports them


def test_the_spec_uses_our_hooks_and_launcher(built):
    analysis, coll = built
    assert analysis.args[0] == [str(PACKAGING / "launcher.py")]
    assert analysis.kwargs["hookspath"] == [str(PACKAGING / "hooks")]
    assert (PACKAGING / "hooks" / "hook-ai_edge_litert.py").is_file()
    assert coll.kwargs["name"] == "acting-mirror"
    assert coll.kwargs["strip"] is False  # build.sh strips selectively (numpy's OpenBLAS)


def test_macos_bundle_asks_for_the_camera_with_a_reason():
    app = _run_spec("darwin")["app"]
    plist = app.kwargs["info_plist"]
    assert len(plist["NSCameraUsageDescription"]) > 40
    assert app.kwargs["bundle_identifier"] == next(PACKAGING.glob("*.desktop")).stem
    from acting_mirror import __version__

    assert plist["CFBundleShortVersionString"] == __version__


def test_windows_gets_a_windowed_executable_beside_the_console_one():
    coll = _run_spec("win32")["coll"]
    exes = [arg for arg in coll.args if isinstance(arg, _Recorder)]
    assert [(e.kwargs["name"], e.kwargs["console"]) for e in exes] == [
        ("acting-mirror", True), ("Acting Mirror", False)]


def test_litert_libraries_leave_out_the_webgpu_accelerator():
    import ai_edge_litert

    package = Path(ai_edge_litert.__file__).parent
    names = [p.name for p in _bundle().litert_libraries(package)]
    assert any(n.startswith("libLiteRt.") for n in names), names
    assert any("pywrap_litert_common" in n for n in names), names
    assert not any("webgpu" in n.lower() for n in names), names


# the top of ai_edge_litert 2.3.0's wheels for each platform, as shipped
_LITERT_WHEELS = {
    "linux": ["_pywrap_litert_interpreter_wrapper.so", "format_converter_wrapper_pybind11.so",
              "libLiteRt.so", "libLiteRtWebGpuAccelerator.so", "libpywrap_litert_common.so",
              "pywrap_genai_ops.so", "interpreter.py"],
    "windows": ["_pywrap_litert_interpreter_wrapper.pyd", "libLiteRt.dll",
                "libLiteRtWebGpuAccelerator.dll", "pywrap_litert_common.dll",
                "pywrap_genai_ops.pyd"],
    "macos": ["_pywrap_litert_interpreter_wrapper.so", "libLiteRt.dylib",
              "libLiteRtMetalAccelerator.dylib", "libpywrap_litert_common.dylib"],
}
_LITERT_WANTED = {
    "linux": ["libLiteRt.so", "libpywrap_litert_common.so"],
    "windows": ["libLiteRt.dll", "pywrap_litert_common.dll"],
    "macos": ["libLiteRt.dylib", "libpywrap_litert_common.dylib"],
}


@pytest.mark.parametrize("platform", sorted(_LITERT_WHEELS))
def test_litert_libraries_on_each_platform(tmp_path, platform):
    for name in _LITERT_WHEELS[platform]:
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "vendors").mkdir()
    names = [p.name for p in _bundle().litert_libraries(tmp_path)]
    assert names == _LITERT_WANTED[platform]


@pytest.mark.parametrize(
    "dest, kept",
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", True),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", True),
        ("PySide6/Qt/plugins/egldeviceintegrations/libqeglfs-kms-integration.so", False),
        ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
        ("PySide6/Qt/translations/qtbase_de.qm", False),
        ("PySide6/Qt/lib/libQt6OpenGLWidgets.so.6", True),
        ("PySide6/QtOpenGL.abi3.so", True),
        ("cv2/cv2.abi3.so", True),
    ],
)
def test_qt_plugins_and_translations_the_app_does_not_use_are_dropped(dest, kept):
    assert _bundle().keep_qt_file(dest) is kept


def test_libraries_only_dropped_plugins_needed_go_and_the_rest_stay():
    binaries = [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "qxcb"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "gui"),
        ("PySide6/Qt/lib/libQt6Network.so.6", "network"),  # nothing links it
        ("libxcb-cursor.so.0", "cursor"),
        ("libXau.so.6", "xau"),  # reached only through libxcb-cursor -> stays
        ("libgtk-3.so.0", "gtk"),  # the dropped GTK theme's
        ("libcairo.so.2", "cairo"),  # only GTK's
        ("libpython3.11.so.1.0", "python"),  # the bootloader loads it
        ("lib-dynload/_ssl.cpython-311.so", "ssl"),
        ("libssl.so.3", "libssl"),
    ]
    needed = {"qxcb": ["libQt6Gui.so.6", "libxcb-cursor.so.0"], "cursor": ["libXau.so.6"],
              "gtk": ["libcairo.so.2"], "ssl": ["libssl.so.3"]}
    dropped = _bundle().unreferenced_libraries(binaries, lambda src: needed.get(src, []))
    assert dropped == {"PySide6/Qt/lib/libQt6Network.so.6", "libgtk-3.so.0", "libcairo.so.2"}


def test_the_build_scripts_parse():
    for script in ("build.sh", "appimage.sh", "install-desktop-entry.sh"):
        done = subprocess.run(["bash", "-n", str(PACKAGING / script)], capture_output=True,
                              text=True)
        assert done.returncode == 0, done.stderr


def test_the_desktop_entry_names_the_shipped_icon():
    entries = list(PACKAGING.glob("*.desktop"))
    assert len(entries) == 1
    entry = entries[0]
    fields = dict(line.split("=", 1) for line in entry.read_text().splitlines()
                  if "=" in line and not line.startswith("#"))
    assert entry.stem.count(".") >= 2  # a reverse-DNS id
    assert fields["Icon"] == entry.stem
    assert fields["Exec"].split()[0] == "acting-mirror"
    assert (REPO / "assets" / "icons" / "acting-mirror.svg").is_file()
    for size in (16, 32, 48, 64, 128, 256, 512):
        assert (REPO / "assets" / "icons" / f"acting-mirror-{size}.png").is_file()


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None,
                    reason="desktop-file-validate (Debian: desktop-file-utils) not installed")
def test_the_desktop_entry_validates():
    entry = next(PACKAGING.glob("*.desktop"))
    done = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_install_desktop_entry_points_the_menu_at_the_unpacked_folder(tmp_path):
    folder = tmp_path / "my apps" / "acting-mirror"  # a space, as users' folders have
    folder.mkdir(parents=True)
    for src in (PACKAGING / "install-desktop-entry.sh", next(PACKAGING.glob("*.desktop")),
                REPO / "assets" / "icons" / "acting-mirror.svg",
                REPO / "assets" / "icons" / "acting-mirror-256.png"):
        shutil.copy(src, folder / src.name)
    (folder / "acting-mirror").write_text("#!/bin/sh\n")
    (folder / "acting-mirror").chmod(0o755)
    home = tmp_path / "home"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home)}
    done = subprocess.run(["sh", str(folder / "install-desktop-entry.sh")], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    entry = home / ".local/share/applications/io.github.actingmirror.ActingMirror.desktop"
    lines = entry.read_text().splitlines()
    assert f'Exec="{folder}/acting-mirror"' in lines
    assert f"TryExec={folder}/acting-mirror" in lines
    icon = home / ".local/share/icons/hicolor/scalable/apps/io.github.actingmirror.ActingMirror.svg"
    assert icon.is_file()
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
        assert check.returncode == 0 and not check.stdout.strip(), check.stdout
    removed = subprocess.run(["sh", str(folder / "install-desktop-entry.sh"), "--remove"],
                             env=env, capture_output=True, text=True)
    assert removed.returncode == 0 and not entry.exists() and not icon.exists()


def test_pyav_is_never_bundled_and_ffmpeg_is_a_program_file(built):
    """FFmpeg is run, never linked: PyAV is excluded, and the hook ships imageio-ffmpeg's
    ffmpeg executable (the one the app runs) as a file of its own."""
    analysis, _ = built
    assert "av" in analysis.kwargs["excludes"]
    assert "av" not in _imported_top_levels()
    import imageio_ffmpeg

    package = Path(imageio_ffmpeg.__file__).parent
    assert _bundle().ffmpeg_programs(package, environ={}) == []  # left out by default
    programs = _bundle().ffmpeg_programs(package, environ={"BUNDLE_FFMPEG": "1"})
    assert [p.resolve() for p in programs] == [Path(imageio_ffmpeg.get_ffmpeg_exe()).resolve()]
    assert all(os.access(p, os.X_OK) for p in programs)
    assert _bundle().ffmpeg_programs(package, environ={"BUNDLE_FFMPEG": "0"}) == []
    hook = (PACKAGING / "hooks" / "hook-imageio_ffmpeg.py").read_text()
    assert "ffmpeg_programs" in hook and "binaries" in hook
    assert _bundle().FFMPEG_DEST == "imageio_ffmpeg/binaries"
    notes = (PACKAGING / "THIRD-PARTY-PROGRAMS.md").read_text()
    assert "GPL" in notes and "source" in notes
    assert "THIRD-PARTY-PROGRAMS.md" in (PACKAGING / "build.sh").read_text()
